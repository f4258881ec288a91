"""Plans the attacks, produces each host's records in time order, and writes them: all at once
(one worker process per host, in parallel) or live (all hosts merged, appended in scaled real
time).

Determinism: every random choice comes from random.Random streams seeded with strings made of
the seed and a fixed label (host, hour, day, attack index), so the same options give the same
bytes whatever --jobs is.
"""

import heapq
import itertools
import json
import multiprocessing
import os
import random
import sys
import time
from dataclasses import dataclass, field

from . import attacks as A
from . import formats as F
from . import world as W
from .baseline import Baseline
from .clock import MS_PER_HOUR, iso
from .emit import Emitter
from .output import HostWriter


@dataclass
class Params:
    out: str
    hosts: int
    start: int
    end: int
    rate: float
    seed: str
    attacks: list = field(default_factory=list)   # [(name, offset_ms, host, variant)], None: any
    host_of_attack: str = None
    win_layout: str = "nxlog"
    iis_fields: tuple = tuple(F.IIS_FIELDS_EXTENDED)
    iis_hourly: bool = False
    baseline: bool = True


def host_names(n):
    return [f"EXCH{i:02d}" for i in range(1, n + 1)]


def win_layout_of(p, index):
    if p.win_layout == "mixed":
        return "nxlog" if index % 2 else "winlogbeat"
    return p.win_layout


def plan(p):
    """Resolves hosts and times of the --attack options and decides what each attack uses (web
    shell, addresses, victim, tools). Returns the contexts, ordered by time."""
    names = host_names(p.hosts)
    rng = random.Random(f"{p.seed}/plan")
    default_host = p.host_of_attack or rng.choice(names)
    org = W.Org(p.seed)
    ctxs = []
    for index, (name, offset, host, variant) in enumerate(p.attacks, 1):
        host = host or default_host
        if host not in names:
            raise ValueError(f"--attack {name}: host {host} is not one of {names[0]}..{names[-1]}")
        t = p.start + offset
        if t >= p.end:
            raise ValueError(f"--attack {name}@...: offset is past the end of --duration")
        ctxs.append({"name": name, "index": index, "host": host, "time": t, "variant": variant})
    ctxs.sort(key=lambda c: (c["time"], c["index"]))
    shells = {}   # host -> [(time, shell)]
    for ctx in ctxs:
        arng = random.Random(f"{p.seed}/attack-plan/{ctx['index']}")
        ctx["ip"] = arng.choice(A.ATTACKER_IPS)
        ctx["exfil_ip"] = arng.choice(A.EXFIL_IPS)
        ctx["ua"] = arng.choice((A.CHROME65, A.CHROME88, "antSword/v2.1"))
        known = [s for when, s in shells.get(ctx["host"], []) if when < ctx["time"]]
        name = ctx["name"]
        if name == "proxylogon":
            ctx["shell"] = A.plan_shell(arng, folder="owa")
            ctx["shell"]["dropped_by"] = f"attack {ctx['index']} (proxylogon)"
            shells.setdefault(ctx["host"], []).append((ctx["time"], ctx["shell"]))
        elif name == "oab_write":
            letters = "".join(arng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(8))
            ctx["shell"] = A.plan_shell(arng, name=letters + ".aspx", folder="aspnet_client")
            ctx["shell"]["dropped_by"] = f"attack {ctx['index']} (oab_write)"
            shells.setdefault(ctx["host"], []).append((ctx["time"], ctx["shell"]))
        elif name in ("webshell_use", "mailbox_theft", "lsass_dump"):
            if known:
                ctx["shell"] = known[-1]
            else:  # a shell left before the scenario window (the helsecert one)
                ctx["shell"] = A.plan_shell(arng, name="RedirSuiteServerProxy.aspx", folder="owa")
                ctx["shell"]["dropped_by"] = "an intrusion before the scenario window"
                shells.setdefault(ctx["host"], []).append((p.start - 1, ctx["shell"]))
        if name == "webshell_scan":
            ctx["present_shells"] = [s["url"] for s in known]
        if name == "mailbox_theft":
            ctx["victim"] = arng.choice(org.users).upn
            ctx["pst_name"] = arng.choice(("1", "a", "tmp", "out", "x")) + ".pst"
        if name == "lsass_dump":
            pick = arng.choice(A.VARIANTS["lsass_dump"])
            ctx["variant"] = ctx["variant"] or pick
            ctx["archiver"] = arng.choice(("7z", "rar"))
            ctx["archive_name"] = arng.choice(("log", "tmp", "1", "it", "debug"))
            ctx["archive_password"] = W.hexid(arng, 8)
    return ctxs


def host_stream(p, host, org, ctxs, truth):
    """Yields the host's records (time_ms, seq, kind, sub, payload) in time order; fills
    `truth` with its attack steps before the first record."""
    seq = itertools.count()
    attack_records = []
    aem = Emitter(host, org, None, p.iis_fields, out=attack_records, seq=seq)
    for ctx in ctxs:
        rng = random.Random(f"{p.seed}/attack/{ctx['index']}")
        aem.rng = rng
        A.TIMELINES[ctx["name"]](aem, ctx["time"], rng, ctx, truth)
    attack_records.sort()
    em = Emitter(host, org, None, p.iis_fields, seq=seq)
    base = Baseline(p.seed, host, org, p.rate, p.start, p.end, em)
    carry, ai = [], 0
    h = p.start - p.start % MS_PER_HOUR
    while h < p.end:
        h1 = h + MS_PER_HOUR
        chunk = carry + (base.hour(h) if p.baseline else [])
        while ai < len(attack_records) and attack_records[ai][0] < h1:
            chunk.append(attack_records[ai])
            ai += 1
        chunk.sort()
        cut = next((i for i, r in enumerate(chunk) if r[0] >= h1), len(chunk))
        carry = chunk[cut:]
        yield from chunk[:cut]
        h = h1
    rest = carry + attack_records[ai:]
    rest.sort()
    yield from rest


def _host_ctxs(ctxs, name):
    return [c for c in ctxs if c["host"] == name]


def _host(p, index):
    host = W.Host(p.seed, index, p.hosts)
    org = W.Org(p.seed)
    host.procs["explorer"].user = f"{W.NETBIOS}\\{org.admins[index % len(org.admins)].sam}"
    return host, org


def run_host(args):
    p, index, ctxs = args
    host, org = _host(p, index)
    truth = []
    writer = HostWriter(p.out, host, win_layout_of(p, index), p.iis_fields, p.iis_hourly)
    for record in host_stream(p, host, org, _host_ctxs(ctxs, host.name), truth):
        writer.write(record)
    writer.close()
    return host.name, writer.counts, sorted(writer.created), truth


def write_truth(p, truth):
    truth.sort(key=lambda s: (s["time"], s["host"], s["attack_index"]))
    with open(os.path.join(p.out, "truth.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        for step in truth:
            f.write(json.dumps(step, ensure_ascii=False, sort_keys=True) + "\n")


def run_batch(p, jobs):
    ctxs = plan(p)
    os.makedirs(p.out, exist_ok=True)
    work = [(p, i, ctxs) for i in range(1, p.hosts + 1)]
    if jobs > 1 and p.hosts > 1:
        with multiprocessing.get_context("fork").Pool(min(jobs, p.hosts)) as pool:
            results = pool.map(run_host, work, chunksize=1)
    else:
        results = [run_host(w) for w in work]
    truth, counts, nfiles = [], {}, 0
    for name, c, files, t in results:
        truth.extend(t)
        counts[name] = c
        nfiles += len(files)
    write_truth(p, truth)
    return counts, nfiles, truth


def run_live(p, speed, log=sys.stderr):
    """Appends records to the files as their time comes, `speed` times faster than real time.
    Files are flushed before every wait, so a tailing agent sees each record when it is due."""
    ctxs = plan(p)
    os.makedirs(p.out, exist_ok=True)
    truth, streams, writers = [], [], []
    for i in range(1, p.hosts + 1):
        host, org = _host(p, i)
        s = host_stream(p, host, org, _host_ctxs(ctxs, host.name), truth)
        first = next(s, None)  # runs the attack timelines: truth is complete after this
        writers.append(HostWriter(p.out, host, win_layout_of(p, i), p.iis_fields, p.iis_hourly))
        streams.append(_tag(itertools.chain([first] if first else [], s), i - 1))
    write_truth(p, list(truth))
    wall0, t0 = time.monotonic(), p.start
    written, last_report = 0, wall0
    try:
        for t, hi, seq, kind, sub, payload in heapq.merge(*streams):
            due = wall0 + (t - t0) / 1000.0 / speed
            now = time.monotonic()
            if due > now:
                for w in writers:
                    w.flush()
                time.sleep(due - now)
            writers[hi].write((t, seq, kind, sub, payload))
            written += 1
            if now - last_report > 10:
                last_report = now
                print(f"live: {iso(t)}  {written} records written", file=log, flush=True)
    except KeyboardInterrupt:
        print("live: interrupted", file=log)
    finally:
        for w in writers:
            w.close()
    return written


def _tag(stream, host_index):
    for t, seq, kind, sub, payload in stream:
        yield (t, host_index, seq, kind, sub, payload)
