"""Line layouts of the logs an Exchange server writes, as the real ones look
(../shared/reference/hafnium-detection.md §3 and the real lines in ../shared/data/samples/):

* IIS W3C extended (`u_exYYMMDD.log`): space separated, spaces inside values written as '+',
  '-' for empty; the Exchange front end appends `&CorrelationID=<empty>;&cafeReqId=<guid>;` to
  cs-uri-query.
* HttpProxy (`HttpProxy_YYYYMMDDHH-N.LOG`): the 74-column CSV of Exchange 2016 CU19, commas in
  user agents replaced by spaces as Exchange does.
* ECP Server (`ECPServerYYYYMMDD-N.LOG`): TimeStamp,ServerName,EventId,EventData with
  `S:KEY=value` pairs; a pair holding a quote or ';' is wrapped in '...' with '' inside, and the
  whole EventData is CSV-quoted when it holds a comma or a double quote.
* OAB generator log: DateTime,ThreadId,Level,Message (no public sample of this layout exists; the
  same assumption as tests/testdata/exchange/oab_generator.LOG).
* Windows events as JSON lines: NXLog im_msvistalog (flat) or Winlogbeat 7 (winlog.*).
Exchange and IIS files use CRLF; Exchange CSV logs start with a UTF-8 byte order mark.
"""

import json

from . import world

CRLF = "\r\n"
BOM = "\ufeff"

IIS_FIELDS_DEFAULT = ("date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
                      "cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status "
                      "time-taken").split()
# IIS's own order for the optional fields (learn.microsoft.com/windows/win32/http/w3c-logging):
# adds the site and server name (so every line names its host), the Cookie header (which is where
# the CVE-2021-26855 X-BEResource cookie shows), cs-host and byte counts.
IIS_FIELDS_EXTENDED = ("date time s-sitename s-computername s-ip cs-method cs-uri-stem "
                       "cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Cookie) "
                       "cs(Referer) cs-host sc-status sc-substatus sc-win32-status sc-bytes "
                       "cs-bytes time-taken").split()

HTTPPROXY_FIELDS = (
    "DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ClientRequestId,"
    "Protocol,UrlHost,UrlStem,ProtocolAction,AuthenticationType,IsAuthenticated,AuthenticatedUser,"
    "Organization,AnchorMailbox,UserAgent,ClientIpAddress,ServerHostName,HttpStatus,BackEndStatus,"
    "ErrorCode,Method,ProxyAction,TargetServer,TargetServerVersion,RoutingType,RoutingHint,"
    "BackEndCookie,ServerLocatorHost,ServerLocatorLatency,RequestBytes,ResponseBytes,"
    "TargetOutstandingRequests,AuthModulePerfContext,HttpPipelineLatency,"
    "CalculateTargetBackEndLatency,GlsLatencyBreakup,TotalGlsLatency,AccountForestLatencyBreakup,"
    "TotalAccountForestLatency,ResourceForestLatencyBreakup,TotalResourceForestLatency,ADLatency,"
    "SharedCacheLatencyBreakup,TotalSharedCacheLatency,ActivityContextLifeTime,"
    "ModuleToHandlerSwitchingLatency,ClientReqStreamLatency,BackendReqInitLatency,"
    "BackendReqStreamLatency,BackendProcessingLatency,BackendRespInitLatency,"
    "BackendRespStreamLatency,ClientRespStreamLatency,KerberosAuthHeaderLatency,"
    "HandlerCompletionLatency,RequestHandlerLatency,HandlerToModuleSwitchingLatency,ProxyTime,"
    "CoreLatency,RoutingLatency,HttpProxyOverhead,TotalRequestTime,RouteRefresherLatency,UrlQuery,"
    "BackEndGenericInfo,GenericInfo,GenericErrors,EdgeTraceId,DatabaseGuid,UserADObjectGuid,"
    "PartitionEndpointLookupLatency,RoutingStatus").split(",")
HTTPPROXY_PROTOCOLS = ("Autodiscover", "Eas", "Ecp", "Ews", "Mapi", "Oab", "Owa", "OwaCalendar",
                       "PowerShell", "RpcHttp")

ECP_FIELDS = ("TimeStamp", "ServerName", "EventId", "EventData")
OAB_FIELDS = ("DateTime", "ThreadId", "Level", "Message")


def exchange_header(log_type, date_iso, fields):
    return (f"{BOM}#Software: Microsoft Exchange Server{CRLF}#Version: {world.EXCHANGE_VERSION}{CRLF}"
            f"#Log-type: {log_type}{CRLF}#Date: {date_iso}{CRLF}#Fields: {','.join(fields)}{CRLF}")


def iis_header(date_time, fields):
    return (f"#Software: Microsoft Internet Information Services 10.0{CRLF}#Version: 1.0{CRLF}"
            f"#Date: {date_time}{CRLF}#Fields: {' '.join(fields)}{CRLF}")


def w3c_value(v):
    if v is None or v == "":
        return "-"
    v = str(v)
    return v.replace(" ", "+") if " " in v else v


def iis_line(fields, values):
    """values: W3C field name -> value (missing: '-')."""
    return " ".join([w3c_value(values.get(f)) for f in fields])


def csv_value(v):
    if v is None:
        return ""
    v = str(v)
    if "," in v or '"' in v or "\n" in v or "\r" in v:
        return '"' + v.replace('"', '""') + '"'
    return v


def httpproxy_row(values):
    """values: HttpProxy column name -> value (missing: empty)."""
    get = values.get
    return ",".join([csv_value(get(f)) for f in HTTPPROXY_FIELDS])


def ecp_pair(key, value):
    pair = f"S:{key}={value}"
    if "'" in pair or ";" in pair:
        return "'" + pair.replace("'", "''") + "'"
    return pair


def ecp_line(time_iso, server, event_id, pairs):
    """pairs: [(key, value)] in log order, keys without the S: prefix."""
    data = ";".join([ecp_pair(k, v) for k, v in pairs])
    return f"{time_iso},{server},{event_id},{csv_value(data)}"


def ecp_arg(value):
    """A cmdlet parameter value as S:CMD renders it: quoted with '' for '."""
    if value in ("$true", "$false", "$null"):
        return value
    return "'" + str(value).replace("'", "''") + "'"


def ecp_command(cmdlet, params):
    """Set-OabVirtualDirectory.ExternalUrl='...'.Identity='...'"""
    return cmdlet + "".join(f".{k}={ecp_arg(v)}" for k, v in params)


def oab_line(time_iso, thread, level, message):
    return f"{time_iso},{thread},{level},{csv_value(message)}"


# ---- Windows events ------------------------------------------------------------------------

class WinEvent:
    """A Windows event before it is rendered as a JSON line (the record number is given at write
    time, in file order)."""
    __slots__ = ("channel", "provider", "provider_guid", "event_id", "level", "data", "message",
                 "user_sid", "account", "category", "task", "keywords", "audit", "version")

    def __init__(self, channel, provider, event_id, data, message, level=4, user_sid=None,
                 account=None, category="", task=0, keywords="-9223372036854775808",
                 provider_guid=None, audit=False, version=0):
        self.channel, self.provider, self.event_id = channel, provider, event_id
        self.data, self.message, self.level = data, message, level
        self.user_sid, self.account, self.category, self.task = user_sid, account, category, task
        self.keywords, self.provider_guid, self.audit = keywords, provider_guid, audit
        self.version = version


_SEVERITY = {1: ("CRITICAL", 5), 2: ("ERROR", 4), 3: ("WARNING", 3), 4: ("INFO", 2),
             0: ("INFO", 2), 5: ("DEBUG", 1)}
_LEVEL_WORD = {1: "critical", 2: "error", 3: "warning", 4: "information", 0: "information",
               5: "verbose"}


def nxlog_json(ev, time_ms, received_ms, fmt, hostname, record_number):
    """NXLog im_msvistalog + to_json(): flat, EventData fields as top-level keys."""
    sev, sev_value = _SEVERITY.get(ev.level, ("INFO", 2))
    out = {"EventTime": fmt.space(time_ms), "EventReceivedTime": fmt.space(received_ms),
           "Hostname": hostname, "SourceModuleName": "eventlog",
           "SourceModuleType": "im_msvistalog", "RecordNumber": record_number,
           "EventID": ev.event_id, "Channel": ev.channel, "SourceName": ev.provider}
    if ev.provider_guid:
        out["ProviderGuid"] = ev.provider_guid
    if ev.user_sid:
        out["UserID"] = ev.user_sid
        if ev.account:
            out["AccountName"], out["Domain"] = ev.account[1], ev.account[0]
            out["AccountType"] = "User"
    out["Version"] = ev.version
    out["Task"] = ev.task
    out["Keywords"] = ev.keywords
    out["EventType"] = ("AUDIT_SUCCESS" if ev.audit else sev)
    out["Severity"] = sev
    out["SeverityValue"] = sev_value
    if ev.category:
        out["Category"] = ev.category
    out["Message"] = ev.message
    for k, v in ev.data.items():
        # Unnamed (positional) event data, which NXLog does not turn into fields; Winlogbeat
        # names them param1.. .
        if k.startswith("param") and k[5:].isdigit():
            continue
        if k not in out:
            out[k] = v
    return json.dumps(out, ensure_ascii=False)


def winlogbeat_json(ev, time_ms, received_ms, fmt, hostname, record_number):
    """Winlogbeat 7.x (ECS): winlog.* with event_data; positional data as param1.. keys."""
    winlog = {"api": "wineventlog", "channel": ev.channel, "computer_name": hostname,
              "event_id": str(ev.event_id), "provider_name": ev.provider,
              "record_id": record_number, "event_data": ev.data}
    if ev.provider_guid:
        winlog["provider_guid"] = ev.provider_guid
    if ev.user_sid:
        winlog["user"] = {"identifier": ev.user_sid}
        if ev.account:
            winlog["user"].update({"domain": ev.account[0], "name": ev.account[1],
                                   "type": "User"})
    out = {"@timestamp": fmt.iso_ms(time_ms),
           "agent": {"type": "winlogbeat", "version": "7.17.9"}, "ecs": {"version": "1.12.0"},
           "event": {"code": str(ev.event_id), "kind": "event", "provider": ev.provider,
                     "created": fmt.iso_ms(received_ms)},
           "host": {"name": hostname.lower()}, "log": {"level": _LEVEL_WORD.get(ev.level, "information")},
           "message": ev.message, "winlog": winlog}
    return json.dumps(out, ensure_ascii=False)


WIN_LAYOUTS = {"nxlog": nxlog_json, "winlogbeat": winlogbeat_json}
