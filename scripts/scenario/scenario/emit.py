"""Record builders shared by the benign baseline and the attack timelines.

An Emitter belongs to one host. Each call appends records (time_ms, seq, kind, sub, payload) to
`out`: kind is 'iis', 'hp' (sub: the HttpProxy protocol folder), 'ecp', 'oab' or 'win'
(payload: a formats.WinEvent, rendered at write time); otherwise payload is the finished line.
`seq` keeps records of equal time in creation order, so sorting is stable and deterministic.
"""

import itertools

from . import formats as F
from . import world as W
from .clock import Fmt

SYSMON = "Microsoft-Windows-Sysmon/Operational"
SYSMON_PROVIDER = "Microsoft-Windows-Sysmon"
SYSMON_GUID = "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}"
SECURITY_GUID = "{54849625-5478-4994-A5BA-3E3B0328C30D}"
SCM_GUID = "{555908D1-A6D7-4695-8E1E-26931D2012F4}"
_SYSTEM_ACCOUNT = ("NT AUTHORITY", "SYSTEM")
_INTEGRITY_LABEL = {"Low": "S-1-16-4096", "Medium": "S-1-16-8192", "High": "S-1-16-12288",
                    "System": "S-1-16-16384"}


def _sysmon_message(title, data):
    return title + "\r\n" + "\r\n".join(f"{k}: {v}" for k, v in data.items())


class Emitter:
    def __init__(self, host, org, rng, iis_fields, out=None, seq=None):
        """seq: the host's record counter, shared by every Emitter of the host."""
        self.host, self.org, self.rng = host, org, rng
        self.iis_fields = iis_fields
        self.fmt = Fmt()
        self.out = [] if out is None else out
        self._seq = itertools.count() if seq is None else seq

    def add(self, t, kind, sub, payload):
        self.out.append((t, next(self._seq), kind, sub, payload))

    # ---- web --------------------------------------------------------------------------------

    def web(self, t, method, stem, query="", user="", cip="", ua="", status=200, protocol=None,
            hp=None, cookie=None, referer=None, port=443, url_host=W.EXTERNAL_HOST,
            time_taken=None, sc_bytes=None, cs_bytes=None, substatus=0, win32=0,
            exchange_module=True, owa_encoding=False):
        """One request to the front end: its IIS W3SVC1 line and, when `protocol` is given, the
        HttpProxy row Exchange writes for it (hp: extra or overriding HttpProxy columns)."""
        rng = self.rng
        if time_taken is None:
            time_taken = int(rng.lognormvariate(3.3, 0.9)) + 1
        if sc_bytes is None:
            sc_bytes = int(rng.lognormvariate(7.5, 1.0)) + 200
        if cs_bytes is None:
            cs_bytes = int(rng.lognormvariate(6.6, 0.6)) + 150
        req_id = W.new_guid(rng)
        iis_query = query
        if exchange_module:
            tail = "&CorrelationID=<empty>;&cafeReqId=" + req_id + ";"
            if owa_encoding:
                tail += "&encoding=;"
            iis_query = (query + tail) if query else tail
        date, tod = self.fmt.iis(t)
        host = self.host
        values = {"date": date, "time": tod, "s-sitename": "W3SVC1",
                  "s-computername": host.name, "s-ip": host.ip, "cs-method": method,
                  "cs-uri-stem": stem, "cs-uri-query": iis_query, "s-port": port,
                  "cs-username": user, "c-ip": cip, "cs(User-Agent)": ua, "cs(Cookie)": cookie,
                  "cs(Referer)": referer, "cs-host": url_host if port == 443 else host.fqdn,
                  "sc-status": status, "sc-substatus": substatus, "sc-win32-status": win32,
                  "sc-bytes": sc_bytes, "cs-bytes": cs_bytes, "time-taken": time_taken}
        # IIS writes the line when the response is done.
        self.add(t + time_taken, "iis", None, F.iis_line(self.iis_fields, values))
        if protocol is None:
            return
        row = {"DateTime": self.fmt.iso_ms(t), "RequestId": req_id, "MajorVersion": 15,
               "MinorVersion": 1, "BuildVersion": 2176, "RevisionVersion": 2,
               "Protocol": protocol, "UrlHost": url_host if port == 443 else host.fqdn,
               "UrlStem": stem, "AuthenticationType": "Negotiate" if user else "Anonymous",
               "IsAuthenticated": "true" if user else "false", "AuthenticatedUser": user,
               "UserAgent": ua.replace(",", " "), "ClientIpAddress": cip,
               "ServerHostName": host.name, "HttpStatus": status, "BackEndStatus": status,
               "Method": method, "ProxyAction": "Proxy",
               "TargetServerVersion": W.EXCHANGE_VERSION, "ServerLocatorHost": host.fqdn,
               "ServerLocatorLatency": rng.randint(0, 3), "RequestBytes": cs_bytes,
               "ResponseBytes": sc_bytes, "TargetOutstandingRequests": 0,
               "HttpPipelineLatency": rng.randint(0, 4),
               "CalculateTargetBackEndLatency": rng.randint(0, 3),
               "ADLatency": rng.randint(0, 6), "ActivityContextLifeTime": time_taken,
               "ModuleToHandlerSwitchingLatency": 0, "ClientReqStreamLatency": 0,
               "BackendReqInitLatency": rng.randint(0, 2),
               "BackendProcessingLatency": max(1, time_taken - rng.randint(1, 5)),
               "BackendRespInitLatency": rng.randint(1, 9), "ClientRespStreamLatency": 0,
               "ProxyTime": max(1, time_taken - 2), "CoreLatency": rng.randint(2, 9),
               "RoutingLatency": rng.randint(0, 3), "HttpProxyOverhead": rng.randint(2, 12),
               "TotalRequestTime": time_taken,
               "UrlQuery": ("?" + query) if query else ""}
        if hp:
            row.update(hp)
        self.add(t, "hp", protocol, F.httpproxy_row(row))

    def ecp(self, t, pairs, event_id="ECP.Request"):
        self.add(t, "ecp", None, F.ecp_line(self.fmt.iso_ms(t), self.host.name, event_id, pairs))

    def oab(self, t, thread, level, message):
        self.add(t, "oab", None, F.oab_line(self.fmt.iso_ms(t), thread, level, message))

    # ---- Windows ----------------------------------------------------------------------------

    def win(self, t, event):
        self.add(t, "win", None, event)

    def process_start(self, t, parent, child, sysmon=True, security=True):
        """Sysmon 1 and Security 4688 for `child` started by `parent` (world.Proc)."""
        b = W.binary(child.image)
        if sysmon:
            data = {"RuleName": "-", "UtcTime": self.fmt.space_ms(t), "ProcessGuid": child.guid,
                    "ProcessId": str(child.pid), "Image": child.image,
                    "FileVersion": b.version, "Description": b.description,
                    "Product": b.product, "Company": b.company, "OriginalFileName": b.original,
                    "CommandLine": child.cmdline, "CurrentDirectory": child.cwd,
                    "User": child.user, "LogonGuid": f"{{{self.host.guid_prefix}-0000-0000-"
                                                     f"0000-0000000003E7}}",
                    "LogonId": child.logon_id, "TerminalSessionId": "0",
                    "IntegrityLevel": child.integrity, "Hashes": b.hashes,
                    "ParentProcessGuid": parent.guid, "ParentProcessId": str(parent.pid),
                    "ParentImage": parent.image, "ParentCommandLine": parent.cmdline}
            self.win(t, F.WinEvent(SYSMON, SYSMON_PROVIDER, 1, data,
                                   _sysmon_message("Process Create:", data), user_sid=W.SYSTEM_SID,
                                   account=_SYSTEM_ACCOUNT, provider_guid=SYSMON_GUID, task=1,
                                   version=5, category="Process Create (rule: ProcessCreate)"))
        if security:
            domain, _, name = child.user.partition("\\")
            system = child.user.upper().startswith("NT AUTHORITY")
            data = {"SubjectUserSid": W.SYSTEM_SID if system else W.DOMAIN_SID + "-500",
                    "SubjectUserName": self.host.machine_account if system else name,
                    "SubjectDomainName": W.NETBIOS if system else domain,
                    "SubjectLogonId": child.logon_id, "NewProcessId": hex(child.pid),
                    "NewProcessName": child.image, "TokenElevationType": "%%1936",
                    "ProcessId": hex(parent.pid), "CommandLine": child.cmdline,
                    "TargetUserSid": "S-1-0-0", "TargetUserName": "-", "TargetDomainName": "-",
                    "TargetLogonId": "0x0", "ParentProcessName": parent.image,
                    "MandatoryLabel": _INTEGRITY_LABEL.get(child.integrity, "S-1-16-16384")}
            self.win(t + 1, F.WinEvent("Security", "Microsoft-Windows-Security-Auditing", 4688,
                                       data, "A new process has been created.",
                                       provider_guid=SECURITY_GUID, task=13312,
                                       keywords="-9214364837600034816", audit=True, version=2,
                                       category="Process Creation"))

    def file_create(self, t, proc, path):
        """Sysmon 11."""
        ts = self.fmt.space_ms(t)
        data = {"RuleName": "-", "UtcTime": ts, "ProcessGuid": proc.guid,
                "ProcessId": str(proc.pid), "Image": proc.image, "TargetFilename": path,
                "CreationUtcTime": ts, "User": proc.user}
        self.win(t, F.WinEvent(SYSMON, SYSMON_PROVIDER, 11, data,
                               _sysmon_message("File created:", data), user_sid=W.SYSTEM_SID,
                               account=_SYSTEM_ACCOUNT, provider_guid=SYSMON_GUID, task=11,
                               version=2, category="File created (rule: FileCreate)"))

    def network(self, t, proc, src_ip, src_port, dst_ip, dst_port, dst_host="", initiated=True):
        """Sysmon 3."""
        data = {"RuleName": "-", "UtcTime": self.fmt.space_ms(t), "ProcessGuid": proc.guid,
                "ProcessId": str(proc.pid), "Image": proc.image, "User": proc.user,
                "Protocol": "tcp", "Initiated": "true" if initiated else "false",
                "SourceIsIpv6": "false", "SourceIp": src_ip,
                "SourceHostname": self.host.fqdn if src_ip == self.host.ip else "-",
                "SourcePort": str(src_port), "SourcePortName": "-", "DestinationIsIpv6": "false",
                "DestinationIp": dst_ip, "DestinationHostname": dst_host or "-",
                "DestinationPort": str(dst_port), "DestinationPortName": "-"}
        self.win(t, F.WinEvent(SYSMON, SYSMON_PROVIDER, 3, data,
                               _sysmon_message("Network connection detected:", data),
                               user_sid=W.SYSTEM_SID, account=_SYSTEM_ACCOUNT,
                               provider_guid=SYSMON_GUID, task=3, version=5,
                               category="Network connection detected (rule: NetworkConnect)"))

    def process_access(self, t, source, target, access, calltrace):
        """Sysmon 10."""
        data = {"RuleName": "-", "UtcTime": self.fmt.space_ms(t),
                "SourceProcessGUID": source.guid, "SourceProcessId": str(source.pid),
                "SourceThreadId": str(self.rng.randrange(1000, 9000, 4)),
                "SourceImage": source.image, "TargetProcessGUID": target.guid,
                "TargetProcessId": str(target.pid), "TargetImage": target.image,
                "GrantedAccess": access, "CallTrace": calltrace,
                "SourceUser": source.user, "TargetUser": target.user}
        self.win(t, F.WinEvent(SYSMON, SYSMON_PROVIDER, 10, data,
                               _sysmon_message("Process accessed:", data), user_sid=W.SYSTEM_SID,
                               account=_SYSTEM_ACCOUNT, provider_guid=SYSMON_GUID, task=10,
                               version=3, category="Process accessed (rule: ProcessAccess)"))

    def cmdlet(self, t, name, params_text, user, ok=True, origin="Remote-PowerShell-Unknown",
               process="w3wp#MSExchangePowerShellAppPool", duration="00:00:00.4687611"):
        """MSExchange Management event 1 (6 when it failed), provider MSExchange CmdletLogs."""
        verb = "suceeded" if ok else "failed"  # sic, as Exchange writes it
        message = f"Cmdlet {verb}. Cmdlet {name}, parameters {params_text}."
        pid = self.host.procs["MSExchangePowerShellFrontEndAppPool"].pid
        data = {"param1": name, "param2": params_text, "param3": user,
                "param4": W.DOMAIN_SID + "-500", "param5": W.DOMAIN_SID + "-500",
                "param6": origin, "param7": f"{pid} {process}", "param8": "",
                "param9": "1", "param10": duration}
        self.win(t, F.WinEvent("MSExchange Management", "MSExchange CmdletLogs", 1 if ok else 6,
                               data, message, level=4 if ok else 2, category="General", task=1,
                               keywords="36028797018963968"))

    def service_install(self, t, name, path, service_type, start_type, account, user_sid):
        """System 7045."""
        data = {"ServiceName": name, "ImagePath": path, "ServiceType": service_type,
                "StartType": start_type, "AccountName": account}
        message = (f"A service was installed in the system.\r\n\r\nService Name:  {name}\r\n"
                   f"Service File Name:  {path}\r\nService Type:  {service_type}\r\n"
                   f"Service Start Type:  {start_type}\r\nService Account:  {account}")
        self.win(t, F.WinEvent("System", "Service Control Manager", 7045, data, message,
                               user_sid=user_sid, provider_guid=SCM_GUID,
                               keywords="-9187343239835811840"))

    def application(self, t, provider, event_id, level, message, category="", params=None):
        """Application log event of a classic provider (message plus positional strings)."""
        data = {f"param{i + 1}": v for i, v in enumerate(params or [message])}
        self.win(t, F.WinEvent("Application", provider, event_id, data, message, level=level,
                               category=category, task=1, keywords="36028797018963968"))

    def security(self, t, event_id, data, message, task):
        self.win(t, F.WinEvent("Security", "Microsoft-Windows-Security-Auditing", event_id, data,
                               message, provider_guid=SECURITY_GUID, task=task,
                               keywords="-9214364837600034816", audit=True, version=1))
