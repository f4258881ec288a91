"""Scenario time: integer milliseconds since the Unix epoch (UTC), parsing and the layouts the
Exchange, IIS and Windows logs write.

Formatting is on the hot path (every record has one or two timestamps), so the per-second part
of each layout is cached: records come in time order, and many share a second.
"""

import re
import time

MS_PER_S = 1000
MS_PER_MIN = 60 * MS_PER_S
MS_PER_HOUR = 60 * MS_PER_MIN
MS_PER_DAY = 24 * MS_PER_HOUR

_UNITS = {"ms": 1, "s": MS_PER_S, "m": MS_PER_MIN, "h": MS_PER_HOUR, "d": MS_PER_DAY,
          "w": 7 * MS_PER_DAY}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?"
                  r"(Z|[+-]\d{2}:?\d{2})?$")


def parse_duration(text):
    """'30d', '1d2h30m', '90s', '250ms', or a bare number of seconds -> milliseconds."""
    text = text.strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return int(float(text) * MS_PER_S)
    pos, total = 0, 0
    for m in _DURATION.finditer(text):
        if m.start() != pos:
            break
        total += int(float(m.group(1)) * _UNITS[m.group(2)])
        pos = m.end()
    if pos != len(text) or not text:
        raise ValueError(f"'{text}' is not a duration (examples: 24h, 30d, 1d6h30m, 90s)")
    return total


def parse_time(text):
    """ISO 8601 ('2021-03-02T00:00:00Z', '2021-03-02 06:30', '2021-03-02') or 'now' -> ms (UTC;
    a time without a zone is UTC)."""
    if text.strip().lower() == "now":
        return int(time.time()) * MS_PER_S
    m = _ISO.match(text.strip())
    if not m:
        raise ValueError(f"'{text}' is not an ISO 8601 time (example: 2021-03-02T00:00:00Z)")
    y, mo, d, h, mi, s, frac, zone = m.groups()
    secs = _days_from_civil(int(y), int(mo), int(d)) * 86400 + int(h or 0) * 3600 + \
        int(mi or 0) * 60 + int(s or 0)
    ms = secs * MS_PER_S + (int((frac or "0").ljust(3, "0")[:3]))
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        ms -= sign * (int(digits[:2]) * MS_PER_HOUR + int(digits[2:]) * MS_PER_MIN)
    return ms


def _days_from_civil(y, m, d):
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


class Fmt:
    """Timestamp layouts. One instance per writer; not thread-safe (it caches)."""

    def __init__(self):
        self._sec = None
        self._parts = None

    def _split(self, ms):
        sec = ms // MS_PER_S
        if sec != self._sec:
            t = time.gmtime(sec)
            self._sec = sec
            self._parts = (f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}",
                           f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}")
        return self._parts

    def iso_ms(self, ms):
        """2021-03-03T06:49:42.162Z (Exchange CSV logs, Winlogbeat @timestamp)."""
        d, t = self._split(ms)
        return f"{d}T{t}.{ms % MS_PER_S:03d}Z"

    def iis(self, ms):
        """('2021-03-05', '03:06:27'): the W3C date and time fields."""
        return self._split(ms)

    def space(self, ms):
        """2021-03-03 07:49:12 (NXLog EventTime)."""
        d, t = self._split(ms)
        return f"{d} {t}"

    def space_ms(self, ms):
        """2021-03-03 07:49:12.271 (Sysmon UtcTime, CreationUtcTime)."""
        d, t = self._split(ms)
        return f"{d} {t}.{ms % MS_PER_S:03d}"


def hour_of(ms):
    return (ms // MS_PER_HOUR) % 24


def gm(ms):
    return time.gmtime(ms // MS_PER_S)


def iso(ms):
    """Stand-alone ISO time for reports and truth.jsonl."""
    t = gm(ms)
    return (f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T{t.tm_hour:02d}:{t.tm_min:02d}:"
            f"{t.tm_sec:02d}.{ms % MS_PER_S:03d}Z")
