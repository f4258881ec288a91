#!/usr/bin/env python3
"""The two halves of tests/bench/e2e_bench.sh that are easier in Python (standard library only).

  e2e_writer.py write FILE --rate R --seconds S --marker-every N --prefix m --out SUMMARY.json
      Appends realistic IIS W3C lines (the layout of tests/bench/run.sh's generator; the caller
      writes the #Fields header) to FILE at R lines/s for S seconds, in slices of --slice-ms, so
      the rate stays smooth. Every N-th line, and always the last one, is a "marker": a GET
      answered 200 for /owa/auth/<prefix><unix_ns>.aspx, which the demo rule
      (config/rules/demo/owa_auth_unknown_aspx.yml) alerts on, <unix_ns> being the wall-clock
      time just before the write(2) that carries the line. SUMMARY.json holds the counts, the
      first and last write times, how far the writer fell behind its schedule and its own CPU.

  e2e_writer.py latency SUMMARY.json ALERTS.tsv --out RESULT.json
      ALERTS.tsv: one alert per line, "<broker LogAppendTime ms>\\t<ECS JSON>" (kcat -f '%T\\t%s\\n').
      Matches each alert to its marker by the path in it and computes the detection latency
      (append time - write time) percentiles, missing and duplicate markers, and the time the
      last line's alert arrived (everything before it in the partition was processed by then).

The writer keeps its own CPU low: a pool of preformatted lines with a placeholder timestamp,
one bytes.replace and one write(2) per slice; only the marker lines are formatted at write time.
"""
import argparse
import datetime
import json
import os
import re
import resource
import sys
import time

STAMP_PLACEHOLDER = b"0000-00-00 00:00:00"
POOL_LINES = 65536
PATHS = ["/owa/auth/logon.aspx", "/EWS/Exchange.asmx", "/Microsoft-Server-ActiveSync/default.eas",
         "/owa/service.svc", "/mapi/emsmdb/"]
UA = ("Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)"
      "+Chrome/88.0.4324.182+Safari/537.36")


def pool_line(i):
    # The same columns and variety as run.sh's awk generator (none of these fires the demo rule:
    # the only /owa/auth/*.aspx is logon.aspx, which the rule filters out).
    return ("%s 10.1.0.5 %s %s &CorrelationID=<empty>;&cafeReqId=cde28fc4-299e-4179-b3e9-%012d;"
            "&encoding=; 443 CORP\\user%d 10.20.%d.%d %s - %d 0 0 %d\n" % (
                STAMP_PLACEHOLDER.decode(), "POST" if i % 7 == 0 else "GET", PATHS[i % 5], i,
                i % 500, i % 200, i % 250, UA, 302 if i % 11 == 0 else 200, i % 900)).encode()


def marker_line(stamp, prefix, ns, k):
    # The marker's number k makes every path unique: markers of one slice share its write time.
    return ("%s 10.1.0.5 GET /owa/auth/%s%dk%d.aspx &CorrelationID=<empty>;&cafeReqId=e2e-%d;"
            "&encoding=; 443 - 203.0.113.%d %s - 200 0 0 15\n" % (
                stamp, prefix, ns, k, k, k % 250, UA)).encode()


class Pool:
    """POOL_LINES preformatted lines in one bytes block; lines [a, b) of the run as one copy."""

    def __init__(self):
        lines = [pool_line(i) for i in range(POOL_LINES)]
        self.offsets = [0]
        for line in lines:
            self.offsets.append(self.offsets[-1] + len(line))
        self.block = b"".join(lines)

    def take(self, a, b, parts):
        while a < b:
            start = a % POOL_LINES
            n = min(b - a, POOL_LINES - start)
            parts.append(self.block[self.offsets[start]:self.offsets[start + n]])
            a += n


def write(args):
    total = int(args.rate * args.seconds)
    every = args.marker_every
    pool = Pool()
    fd = os.open(args.file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    markers = []  # write time (ns) of each marker, in order
    slice_s = args.slice_ms / 1000.0
    written = 0
    nbytes = 0
    max_behind = 0.0
    first_ns = last_ns = 0
    t0 = time.monotonic()
    k = 0
    while written < total:
        now = time.monotonic()
        due = min(total, int(args.rate * (now - t0)) + 1)
        if due > written:
            max_behind = max(max_behind, (due - written - 1) / args.rate)
            wall = time.time()
            stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(wall))
            parts = []
            marker_at = []  # indexes into parts of the markers, formatted just before the write
            a = written
            while a < due:
                # the next marker index at or after a: (every-1), (2every-1), ... and the last line
                nxt = total - 1
                if every > 0:
                    nxt = min(nxt, (a // every) * every + every - 1)
                b = min(due, nxt)
                pool.take(a, b, parts)
                a = b
                if a == nxt and a < due:
                    marker_at.append(len(parts))
                    parts.append(None)
                    a += 1
            chunk_parts = [p.replace(STAMP_PLACEHOLDER, stamp.encode()) if p is not None else None
                           for p in parts]
            ns = time.time_ns()
            for idx in marker_at:
                chunk_parts[idx] = marker_line(stamp, args.prefix, ns, k)
                markers.append([ns, k])
                k += 1
            data = b"".join(chunk_parts)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if first_ns == 0:
                first_ns = ns
            last_ns = ns
            nbytes += len(data)
            written = due
        if written >= total:
            break
        # Sleep to the next slice boundary (absolute schedule: no drift).
        nxt_t = t0 + (int((time.monotonic() - t0) / slice_s) + 1) * slice_s
        delay = nxt_t - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    os.close(fd)
    ru = resource.getrusage(resource.RUSAGE_SELF)
    summary = {
        "lines": written, "bytes": nbytes, "markers": len(markers), "prefix": args.prefix,
        "first_write_ns": first_ns, "last_write_ns": last_ns,
        "write_rate": written / max((last_ns - first_ns) / 1e9, 1e-9) if written > 1 else 0,
        "max_behind_s": round(max_behind, 3), "cpu_s": round(ru.ru_utime + ru.ru_stime, 2),
        "marker_ns": markers,
    }
    with open(args.out, "w") as f:
        json.dump(summary, f)


def percentile(sorted_values, q):
    # Nearest rank: the smallest value with at least q of the values at or below it.
    if not sorted_values:
        return None
    rank = max(1, -(-len(sorted_values) * q // 100))
    return sorted_values[int(rank) - 1]


def rfc3339_ms(text):
    # "2026-11-24T06:30:29.833033Z" -> ms since the epoch (None when absent or malformed)
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1e3
    except (AttributeError, TypeError, ValueError):
        return None


def stages(doc, write_ms, append_ms):
    """Where one marker's latency went, from the times the alert carries: the agent's
    observed_time of the event (line read), the correlator's event.created (alert raised)."""
    try:
        alert = json.loads(doc)
        observed = rfc3339_ms(alert["tripline"]["events"][0]["observed_time"])
        created = rfc3339_ms(alert["event"]["created"])
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    if observed is None or created is None:
        return None
    return (observed - write_ms, created - observed, append_ms - created)


def summarize(values):
    values = sorted(values)
    return {"p50_ms": percentile(values, 50), "p95_ms": percentile(values, 95),
            "p99_ms": percentile(values, 99), "max_ms": values[-1] if values else None}


def latency(args):
    with open(args.summary) as f:
        summary = json.load(f)
    written = set(tuple(m) for m in summary["marker_ns"])
    last_marker = tuple(summary["marker_ns"][-1]) if summary["marker_ns"] else None
    pattern = re.compile(r"/owa/auth/([a-z])(\d+)k(\d+)\.aspx")
    seen = {}       # (marker ns, k) -> [(append ms, stages)]
    other = 0       # alerts that are no marker's: a rule fired on something else
    other_prefix = 0  # another run's markers (the warm-up's)
    with open(args.alerts, errors="replace") as f:
        for line in f:
            ts, _, doc = line.partition("\t")
            m = pattern.search(doc)
            if not m or not ts.strip().isdigit():
                other += 1
                continue
            if m.group(1) != summary["prefix"]:
                other_prefix += 1
                continue
            key = (int(m.group(2)), int(m.group(3)))
            seen.setdefault(key, []).append((int(ts), stages(doc, key[0] / 1e6, int(ts))))
    first = {key: min(v) for key, v in seen.items() if key in written}  # first copy of each
    lat = [t - key[0] / 1e6 for key, (t, _) in first.items()]
    parts = [s for _, s in first.values() if s is not None]
    result = {
        "markers": len(written), "alerts": sum(len(v) for v in seen.values()),
        "matched": len(first), "missing": len(written - set(seen)),
        "duplicates": sum(len(v) - 1 for v in seen.values()),
        "unknown": sum(1 for key in seen if key not in written), "other_alerts": other,
        "other_prefix_alerts": other_prefix,
        **summarize(lat),
        "last_alert_ms": first[last_marker][0] if last_marker in first else None,
        # write -> agent read (observed_time), read -> alert raised (event.created), raised -> on
        # the alerts topic; the clocks are the same machine's, event.created has ms resolution.
        "stages": {name: summarize([s[i] for s in parts])
                   for i, name in enumerate(["read", "ship_consume_detect", "deliver"])},
    }
    with open(args.out, "w") as f:
        json.dump(result, f)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write")
    w.add_argument("file")
    w.add_argument("--rate", type=float, required=True)
    w.add_argument("--seconds", type=float, required=True)
    w.add_argument("--marker-every", type=int, default=1000, help="0: only the last line")
    w.add_argument("--prefix", default="m", help="marker file name prefix (a letter)")
    w.add_argument("--slice-ms", type=float, default=10)
    w.add_argument("--out", required=True)
    lt = sub.add_parser("latency")
    lt.add_argument("summary")
    lt.add_argument("alerts")
    lt.add_argument("--out", required=True)
    args = ap.parse_args()
    if args.cmd == "write":
        write(args)
    else:
        latency(args)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
