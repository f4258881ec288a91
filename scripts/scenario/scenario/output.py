"""Where records go: the folder layout of an Exchange 2016 server, per host.

  <out>/<host>/inetpub/logs/LogFiles/W3SVC1/u_exYYMMDD.log   (u_exYYMMDDHH.log with hourly rollover)
  <out>/<host>/Exchange/Logging/HttpProxy/<Protocol>/HttpProxy_YYYYMMDDHH-1.LOG
  <out>/<host>/Exchange/Logging/ECP/Server/ECPServerYYYYMMDD-1.LOG
  <out>/<host>/Exchange/Logging/OABGeneratorLog/OABGeneratorLog_YYYYMMDD-1.LOG
  <out>/<host>/windows/events.jsonl

File names follow record times (UTC, as IIS and Exchange name them). A file gets its header
block when it is created; the #Date directive is the time of its first record.
"""

import os

from . import formats as F
from . import world as W
from .clock import Fmt, gm

_KIND_ORDER = ("iis", "hp", "ecp", "oab", "win")


class HostWriter:
    """Writes one host's records, in time order, to its files. Owned by one thread; `flush()`
    makes everything written so far visible (live mode)."""

    def __init__(self, root, host, win_layout, iis_fields, iis_hourly):
        self.root = os.path.join(root, host.name)
        self.host = host
        self.render_win = F.WIN_LAYOUTS[win_layout]
        self.iis_fields = iis_fields
        self.iis_hourly = iis_hourly
        self.open = {}       # sink key -> (path, file)
        self.created = set()
        self.counts = dict.fromkeys(_KIND_ORDER, 0)
        self.fmt = Fmt()
        self.win_hostname = f"{host.name}.{W.DOMAIN}"  # as Windows reports its FQDN

    def _path(self, kind, sub, t):
        g = gm(t)
        if kind == "iis":
            name = f"u_ex{g.tm_year % 100:02d}{g.tm_mon:02d}{g.tm_mday:02d}"
            if self.iis_hourly:
                name += f"{g.tm_hour:02d}"
            return ("iis",), os.path.join("inetpub", "logs", "LogFiles", "W3SVC1", name + ".log")
        day = f"{g.tm_year:04d}{g.tm_mon:02d}{g.tm_mday:02d}"
        if kind == "hp":
            return ("hp", sub), os.path.join("Exchange", "Logging", "HttpProxy", sub,
                                             f"HttpProxy_{day}{g.tm_hour:02d}-1.LOG")
        if kind == "ecp":
            return ("ecp",), os.path.join("Exchange", "Logging", "ECP", "Server",
                                          f"ECPServer{day}-1.LOG")
        if kind == "oab":
            return ("oab",), os.path.join("Exchange", "Logging", "OABGeneratorLog",
                                          f"OABGeneratorLog_{day}-1.LOG")
        return ("win",), os.path.join("windows", "events.jsonl")

    def _header(self, kind, t):
        if kind == "iis":
            return F.iis_header(self.fmt.space(t), self.iis_fields)
        if kind == "hp":
            return F.exchange_header("HttpProxy Logs", self.fmt.iso_ms(t), F.HTTPPROXY_FIELDS)
        if kind == "ecp":
            return F.exchange_header("ECP Server Log", self.fmt.iso_ms(t), F.ECP_FIELDS)
        if kind == "oab":
            return F.exchange_header("OABGenerator Log", self.fmt.iso_ms(t), F.OAB_FIELDS)
        return ""

    def _file(self, kind, sub, t):
        key, rel = self._path(kind, sub, t)
        current = self.open.get(key)
        if current is not None and current[0] == rel:
            return current[1]
        if current is not None:
            current[1].close()
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        new = rel not in self.created
        f = open(path, "w" if new else "a", encoding="utf-8", newline="", buffering=1 << 16)
        if new:
            self.created.add(rel)
            f.write(self._header(kind, t))
        self.open[key] = (rel, f)
        return f

    def write(self, record):
        t, _, kind, sub, payload = record
        f = self._file(kind, sub, t)
        if kind == "win":
            received = t + 400 + (t % 1700)
            line = self.render_win(payload, t, received, self.fmt, self.win_hostname,
                                   self.host.record_number(payload.channel))
            f.write(line + "\n")
        else:
            f.write(payload + F.CRLF)
        self.counts[kind] += 1

    def flush(self):
        for _, f in self.open.values():
            f.flush()

    def close(self):
        for _, f in self.open.values():
            f.close()
        self.open.clear()
