#!/usr/bin/env python3
"""Tripline scenario generator: realistic Exchange 2016 server logs (IIS W3C, HttpProxy, ECP
Server, OAB generator, Windows events as JSON lines) for N hosts, a benign baseline and
injectable Hafnium / ProxyLogon attack timelines, deterministic by seed.

  scripts/scenario/generate.py --out /tmp/scn --hosts 3 --duration 24h \\
      --attack proxylogon@6h30m --attack webshell_use@20h --attack lsass_dump@21h
  tripline hunt /tmp/scn --rules config/rules          # what fires; /tmp/scn/truth.jsonl: what should

Python 3.8+, standard library only. See scripts/scenario/README.md.
"""

import argparse
import os
import sys
import textwrap
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from scenario import attacks as A  # noqa: E402
from scenario import formats as F  # noqa: E402
from scenario.clock import parse_duration, parse_time  # noqa: E402
from scenario.runner import Params, run_batch, run_live  # noqa: E402


def parse_attack(text):
    """NAME[:VARIANT]@OFFSET[@HOST] (HOST: EXCH03 or 3)."""
    parts = text.split("@")
    name, _, variant = parts[0].partition(":")
    if len(parts) not in (2, 3) or name not in A.NAMES:
        raise argparse.ArgumentTypeError(
            f"'{text}': expected NAME@OFFSET[@HOST] with NAME one of {', '.join(A.NAMES)} "
            f"(example: proxylogon@6h30m)")
    if variant and variant not in A.VARIANTS.get(name, ()):
        raise argparse.ArgumentTypeError(
            f"'{text}': {name} has no variant '{variant}'"
            + (f" (variants: {', '.join(A.VARIANTS[name])})" if name in A.VARIANTS else ""))
    try:
        offset = parse_duration(parts[1])
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e))
    host = None
    if len(parts) == 3:
        host = _host_name(parts[2])
    return name, offset, host, variant or None


def _host_name(text):
    text = text.strip().upper()
    if text.isdigit():
        return f"EXCH{int(text):02d}"
    return text


def arguments(argv):
    attack_help = "\n".join(textwrap.fill(A.DESCRIPTIONS[n], 96, initial_indent=f"  {n:<15}",
                                           subsequent_indent=" " * 17, break_on_hyphens=False)
                            for n in A.NAMES)
    ap = argparse.ArgumentParser(
        prog="generate.py", formatter_class=argparse.RawDescriptionHelpFormatter,
        description=__doc__.split("\n\n")[0],
        epilog="attacks (--attack NAME[:VARIANT]@OFFSET[@HOST], OFFSET from --start, e.g. "
               "6h30m, 2d; variants: lsass_dump:comsvcs, lsass_dump:procdump, default picked "
               "by the seed):\n" + attack_help + "\n\nOutput: OUT/<host>/inetpub/logs/LogFiles/W3SVC1/u_ex*.log, "
               "OUT/<host>/Exchange/Logging/{HttpProxy/<Protocol>,ECP/Server,OABGeneratorLog}/"
               "*.LOG, OUT/<host>/windows/events.jsonl; OUT/truth.jsonl (one line per injected "
               "attack step).")
    ap.add_argument("--out", required=True, metavar="DIR", help="output folder (created)")
    ap.add_argument("--hosts", type=int, default=3, metavar="N",
                    help="Exchange servers EXCH01..EXCHnn (default 3)")
    ap.add_argument("--start", default="2021-03-02T00:00:00Z", metavar="ISO",
                    help="scenario start, UTC, or 'now' (default 2021-03-02T00:00:00Z)")
    ap.add_argument("--duration", default="24h", help="length, e.g. 6h, 24h, 30d (default 24h)")
    ap.add_argument("--rate", type=float, default=1.0, metavar="R",
                    help="benign log records per second per host, all files together, averaged "
                         "over the day (default 1.0; traffic follows a working day)")
    ap.add_argument("--seed", default="1", help="any string; same seed and options, same bytes")
    ap.add_argument("--attack", action="append", type=parse_attack, default=[],
                    metavar="NAME[:VARIANT]@OFFSET[@HOST]", help="inject an attack timeline (repeatable)")
    ap.add_argument("--host-of-attack", type=_host_name, metavar="HOST",
                    help="host of the attacks that name none (default: one picked by the seed)")
    ap.add_argument("--no-baseline", action="store_true",
                    help="write only the attack records (no benign traffic)")
    ap.add_argument("--win-layout", choices=("nxlog", "winlogbeat", "mixed"), default="nxlog",
                    help="Windows event JSON layout: NXLog im_msvistalog, Winlogbeat 7, or "
                         "mixed (odd hosts NXLog, even hosts Winlogbeat) (default nxlog)")
    ap.add_argument("--iis-fields", choices=("extended", "default"), default="extended",
                    help="W3C fields: IIS's 15 defaults, or extended with s-sitename, "
                         "s-computername, cs(Cookie), cs-host and byte counts (default extended)")
    ap.add_argument("--iis-rollover", choices=("daily", "hourly"), default="daily",
                    help="IIS log file per day (u_exYYMMDD.log) or per hour (u_exYYMMDDHH.log)")
    ap.add_argument("--live", action="store_true",
                    help="append records to the files in scaled real time instead of writing "
                         "them at once (for a tailing agent)")
    ap.add_argument("--speed", type=float, default=60.0,
                    help="with --live: scenario seconds per wall-clock second (default 60)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                    help="hosts generated in parallel (default: CPU count)")
    ap.add_argument("--force", action="store_true", help="write into a non-empty --out")
    return ap.parse_args(argv)


def main(argv=None):
    a = arguments(argv)
    try:
        start = parse_time(a.start)
        duration = parse_duration(a.duration)
    except ValueError as e:
        print(f"generate.py: {e}", file=sys.stderr)
        return 2
    if a.hosts < 1 or a.hosts > 99 or a.rate < 0 or duration <= 0 or a.speed <= 0:
        print("generate.py: --hosts 1..99, --rate >= 0, --duration > 0, --speed > 0",
              file=sys.stderr)
        return 2
    if os.path.isdir(a.out) and os.listdir(a.out) and not a.force:
        print(f"generate.py: {a.out} is not empty (use --force to write into it)",
              file=sys.stderr)
        return 2
    p = Params(out=a.out, hosts=a.hosts, start=start, end=start + duration, rate=a.rate,
               seed=a.seed, attacks=a.attack, host_of_attack=a.host_of_attack,
               win_layout=a.win_layout,
               iis_fields=tuple(F.IIS_FIELDS_EXTENDED if a.iis_fields == "extended"
                                else F.IIS_FIELDS_DEFAULT),
               iis_hourly=a.iis_rollover == "hourly", baseline=not a.no_baseline)
    began = time.monotonic()
    try:
        if a.live:
            n = run_live(p, a.speed)
            print(f"generate.py: live run done, {n} records", file=sys.stderr)
            return 0
        counts, nfiles, truth = run_batch(p, a.jobs)
    except ValueError as e:
        print(f"generate.py: {e}", file=sys.stderr)
        return 2
    total = sum(sum(c.values()) for c in counts.values())
    kinds = {}
    for c in counts.values():
        for k, v in c.items():
            kinds[k] = kinds.get(k, 0) + v
    print(f"generate.py: {total} records in {nfiles} files for {a.hosts} hosts "
          f"({', '.join(f'{k} {v}' for k, v in kinds.items())}), {len(truth)} attack steps, "
          f"{time.monotonic() - began:.1f} s -> {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
