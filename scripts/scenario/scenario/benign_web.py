"""Benign front-end traffic: OWA, ActiveSync, EWS, MAPI, Autodiscover, OAB, RPC/HTTP, ECP,
Remote PowerShell, Managed Availability probes (HealthMailbox, AMProbe) and load-balancer
health checks. Each function writes one user or machine action (one or more requests) through
an emit.Emitter at time t (ms) with the hour's rng.
"""

from . import world as W

EXT = W.EXTERNAL_HOST
OWA_ACTIONS = ("GetFolderChangeDigest", "FindItem", "GetItem", "GetConversationItems",
               "FindConversation", "GetAttachment", "CreateItem", "UpdateItem",
               "GetCalendarView", "GetOwaUserConfiguration", "LogDatapoint",
               "SubscribeToNotification", "GetComplianceConfiguration", "FindPeople")
OWA_STATIC = ("/owa/prem/15.1.2176.2/resources/styles/0/boot.worldwide.0.mouse.css",
              "/owa/prem/15.1.2176.2/scripts/boot.worldwide.0.mouse.js",
              "/owa/prem/15.1.2176.2/scripts/boot.worldwide.1.mouse.js",
              "/owa/prem/15.1.2176.2/resources/images/0/sprite1.mouse.png",
              "/owa/prem/15.1.2176.2/resources/themes/base/0/fabric.color.theme.css")
EAS_COMMANDS = (("Ping", 40), ("Sync", 35), ("FolderSync", 6), ("SendMail", 4),
                ("ItemOperations", 5), ("GetItemEstimate", 4), ("MeetingResponse", 1),
                ("Search", 1), ("Provision", 1))
MAPI_ACTIONS = (("Execute", 60), ("NotificationWait", 25), ("Connect", 5), ("Disconnect", 3),
                ("Bind", 4), ("QueryRows", 3))


def backend(em, user):
    """The mailbox server of a user: the front end proxies there (port 444)."""
    n = len(em.host.peers)
    return f"exch{(user.rid % n) + 1:02d}.{W.DOMAIN}"


def owa_cookie(rng, user):
    return (f"ClientId={W.hexid(rng, 32).upper()}; X-BackEndCookie={user.sid}="
            f"{W.hexid(rng, 48)}; X-OWA-CANARY={W.hexid(rng, 40)}; "
            f"PrivateComputer=true; PBack=0")


def _user(rng, em, mobile_ok=False):
    users = em.org.users
    while True:
        u = users[rng.randrange(len(users))]
        if mobile_ok or u.client != "mobile_only":
            return u


def _routing(em, u, rng, hint="Smtp-UrlParameter"):
    return {"AnchorMailbox": f"Smtp~{u.upn}", "TargetServer": backend(em, u),
            "RoutingType": "DatabaseGuid", "RoutingHint": hint,
            "BackEndCookie": f"Database~{W.new_guid(rng)}~~2021-03-02T00:00:00",
            "DatabaseGuid": W.new_guid(rng) if rng.random() < 0.2 else "",
            "GenericInfo": f"RoutingDB={rng.choice(em.org.databases)};"}


def owa_service(em, t, rng):
    u = _user(rng, em)
    action = rng.choice(OWA_ACTIONS)
    hp = _routing(em, u, rng)
    hp["ProtocolAction"] = action
    hp["AuthenticationType"] = "Cafe"
    em.web(t, "POST", "/owa/service.svc", f"action={action}&EP=1&ID=-{rng.randint(10, 400)}&AC=1",
           u.upn, u.ip, u.ua_browser, 200, "Owa", hp, cookie=owa_cookie(rng, u),
           referer=f"https://{EXT}/owa/")


def owa_notification(em, t, rng):
    u = _user(rng, em)
    hp = _routing(em, u, rng)
    hp["ProtocolAction"] = "PendingRequest"
    em.web(t, "POST", "/owa/ev.owa2",
           f"ns=PendingRequest&ev=PendingNotificationRequest&UA=0&cid={W.new_guid(rng)}",
           u.upn, u.ip, u.ua_browser, 200, "Owa", hp, cookie=owa_cookie(rng, u),
           referer=f"https://{EXT}/owa/", time_taken=int(rng.lognormvariate(10.6, 0.6)))


def owa_static(em, t, rng):
    u = _user(rng, em)
    stem = rng.choice(OWA_STATIC)
    status = 304 if rng.random() < 0.6 else 200
    em.web(t, "GET", stem, "", u.upn, u.ip, u.ua_browser, status, "Owa", _routing(em, u, rng),
           cookie=owa_cookie(rng, u), referer=f"https://{EXT}/owa/", owa_encoding=True)


def owa_logon(em, t, rng):
    """The forms-based logon: redirect to logon.aspx, theme files (GET), POST auth.owa, /owa/."""
    u = _user(rng, em)
    ua, ip = u.ua_browser, u.ip
    back = f"url=https%3a%2f%2f{EXT}%2fowa%2f&reason=0"
    em.web(t, "GET", "/owa/", "", "", ip, ua, 302, "Owa", {"ProxyAction": "", "TargetServer": ""},
           owa_encoding=True)
    t += rng.randint(80, 400)
    em.web(t, "GET", "/owa/auth/logon.aspx", back, "", ip, ua, 200, "Owa",
           {"ProxyAction": "", "TargetServer": ""}, owa_encoding=True)
    for res in ("/owa/auth/15.1.2176/themes/resources/logon.css",
                "/owa/auth/15.1.2176/themes/resources/favicon.ico",
                "/owa/auth/15.1.2176/scripts/premium/flogon.js"):
        t += rng.randint(20, 200)
        em.web(t, "GET", res, "", "", ip, ua, 200 if rng.random() < 0.5 else 304, None,
               referer=f"https://{EXT}/owa/auth/logon.aspx?{back}", owa_encoding=True)
    t += rng.randint(3000, 15000)
    failed = rng.random() < 0.05
    em.web(t, "POST", "/owa/auth.owa", "", u.upn, ip, ua, 302, "Owa",
           {"ProxyAction": "", "TargetServer": "", "AuthenticationType": "Fba"},
           referer=f"https://{EXT}/owa/auth/logon.aspx?{back}", owa_encoding=True)
    t += rng.randint(50, 300)
    if failed:
        em.web(t, "GET", "/owa/auth/logon.aspx", back.replace("reason=0", "reason=2"), "", ip,
               ua, 200, "Owa", {"ProxyAction": "", "TargetServer": ""}, owa_encoding=True)
        return
    em.web(t, "GET", "/owa/", "", u.upn, ip, ua, 200, "Owa", _routing(em, u, rng),
           cookie=owa_cookie(rng, u), referer=f"https://{EXT}/owa/auth/logon.aspx?{back}",
           owa_encoding=True)


def owa_auth_pages(em, t, rng):
    """Rare requests for pages Exchange ships in /owa/auth/ (log-off, the genuine
    RedirSuiteServiceProxy.aspx, expired password): near misses for the web-shell rules."""
    u = _user(rng, em)
    stem, query = rng.choice((("/owa/auth/logoff.aspx", "Cmd=logoff&src=exch"),
                              ("/owa/auth/RedirSuiteServiceProxy.aspx", ""),
                              ("/owa/auth/expiredpassword.aspx", "url=/owa/auth.owa"),
                              ("/owa/auth/signout.aspx", "")))
    em.web(t, "GET", stem, query, "", u.ip, u.ua_browser, 200, "Owa",
           {"ProxyAction": "", "TargetServer": ""}, owa_encoding=True)


def activesync(em, t, rng):
    u = _user(rng, em, mobile_ok=True)
    cmd = rng.choices([c for c, _ in EAS_COMMANDS], [w for _, w in EAS_COMMANDS])[0]
    taken = int(rng.lognormvariate(12.4, 0.5)) if cmd == "Ping" else None
    name = u.upn if rng.random() < 0.7 else f"{W.NETBIOS}\\{u.sam}"
    hp = _routing(em, u, rng, "Url-UserParameter")
    hp.update({"ProtocolAction": cmd, "AuthenticationType": "Basic"})
    em.web(t, "POST", "/Microsoft-Server-ActiveSync/default.eas",
           f"Cmd={cmd}&User={u.sam}&DeviceId={u.device_id}&DeviceType={u.device_type}",
           name, u.ip, u.ua_mobile, 200, "Eas", hp, time_taken=taken)


def ews(em, t, rng):
    if rng.random() < 0.2:  # an internal application with the EWS managed API
        ip = rng.choice(em.org.app_servers)
        user, ua, hint, target = (f"svc-crm@{W.SMTP}", "ExchangeServicesClient/15.01.2176.002",
                                  "Smtp", em.host.fqdn)
    else:
        u = _user(rng, em)
        ip, user, ua, hint, target = u.ip, u.upn, u.ua_outlook, "Smtp-Header", backend(em, u)
    hp = {"AnchorMailbox": f"Smtp~{user}", "TargetServer": target, "RoutingType": "DatabaseGuid",
          "RoutingHint": hint, "AuthenticationType": "NTLM"}
    em.web(t, "POST", "/EWS/Exchange.asmx", "", user, ip, ua, 200, "Ews", hp)


def mapi(em, t, rng):
    u = _user(rng, em)
    action = rng.choices([a for a, _ in MAPI_ACTIONS], [w for _, w in MAPI_ACTIONS])[0]
    stem = "/mapi/nspi/" if action in ("Bind", "QueryRows") else "/mapi/emsmdb/"
    taken = int(rng.lognormvariate(12.0, 0.4)) if action == "NotificationWait" else None
    hp = _routing(em, u, rng, "MailboxGuidWithDomain")
    hp.update({"ProtocolAction": action, "AnchorMailbox": f"MailboxGuid~{u.mailbox_guid}@{W.SMTP}"})
    em.web(t, "POST", stem, f"MailboxId={u.mailbox_guid}@{W.SMTP}", u.upn, u.ip, u.ua_outlook,
           200, "Mapi", hp, time_taken=taken)


def autodiscover(em, t, rng):
    u = _user(rng, em, mobile_ok=True)
    if u.client == "mobile_only" or rng.random() < 0.2:
        em.web(t, "GET", "/autodiscover/autodiscover.json",
               f"Email={u.upn}&Protocol=ActiveSync&RedirectCount=1", "", u.ip, u.ua_mobile, 200,
               "Autodiscover", {"AnchorMailbox": f"Smtp~{u.upn}", "RoutingHint": "Smtp-Url"},
               url_host=W.AUTODISCOVER_HOST)
        return
    hp = _routing(em, u, rng, "Smtp")
    em.web(t, "POST", "/Autodiscover/Autodiscover.xml", "", u.upn, u.ip, u.ua_outlook, 200,
           "Autodiscover", hp, url_host=W.AUTODISCOVER_HOST)


def oab_download(em, t, rng):
    u = _user(rng, em)
    stem = f"/OAB/{em.host.oab_guid}/oab.xml"
    if rng.random() < 0.2:
        stem = f"/OAB/{em.host.oab_guid}/{W.new_guid(rng)}-lng{rng.randint(1, 9)}.lzx"
    em.web(t, "GET", stem, "", u.upn, u.ip, u.ua_outlook, 200 if rng.random() < 0.7 else 304,
           "Oab", {"AnchorMailbox": f"OAB~{em.host.oab_guid}", "RoutingHint": "Url"})


def rpc_http(em, t, rng):
    u = _user(rng, em)
    method = rng.choice(("RPC_IN_DATA", "RPC_OUT_DATA"))
    em.web(t, method, "/rpc/rpcproxy.dll", f"{u.mailbox_guid}@{W.SMTP}:6001",
           f"{W.NETBIOS}\\{u.sam}", u.ip, "MSRPC", 200, "RpcHttp",
           {"AnchorMailbox": f"MailboxGuid~{u.mailbox_guid}@{W.SMTP}",
            "RoutingHint": "RpcHttpServer", "TargetServer": backend(em, u)},
           time_taken=int(rng.lognormvariate(10.0, 1.0)))


_CANARY = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def ecp_canary(rng):
    """msExchEcpCanary: 76 URL-safe base64 characters and a dot."""
    return "".join(rng.choice(_CANARY) for _ in range(76)) + "."


def ecp_user_options(em, t, rng):
    """A user on the OWA options pages: ECP requests and the cmdlets they run."""
    u = _user(rng, em)
    cmd, svc = rng.choice((("Get-InboxRule", "RulesEditor/InboxRules.svc/GetList"),
                           ("Get-MailboxAutoReplyConfiguration",
                            "Organize/AutomaticReplies.svc/GetObject"),
                           ("Get-MailboxRegionalConfiguration",
                            "RegionalSettings/RegionalSettings.svc/GetObject"),
                           ("Get-MobileDeviceStatistics", "Organize/MobileDevices.svc/GetList")))
    canary = ecp_canary(rng)
    hp = _routing(em, u, rng, "Smtp")
    em.web(t, "POST", f"/ecp/{svc}", f"msExchEcpCanary={canary}", u.upn, u.ip, u.ua_browser, 200,
           "Ecp", hp, cookie=owa_cookie(rng, u), referer=f"https://{EXT}/ecp/?rfr=owa")
    em.ecp(t + rng.randint(5, 60), ecp_pairs(rng, u.sid, cmd, f"/ecp/{svc}?msExchEcpCanary={canary}"))


def ecp_pairs(rng, sid, cmd, url, ex="", millis=None):
    return [("TIME", millis if millis is not None else rng.randint(4, 400)), ("SID", sid),
            ("CMD", cmd), ("REQID", ""), ("URL", url), ("REFERRER", ""), ("EX", ex),
            ("ACTID", W.new_guid(rng)), ("RS", "0"), ("BLD", W.EXCHANGE_BUILD),
            ("TNAME", ""), ("TID", str(rng.randint(10, 120))), ("USID", sid)]


def ecp_admin(em, t, rng):
    """An administrator browsing the Exchange admin center: list views and their cmdlets."""
    a = rng.choice(em.org.admins)
    schema, cmd = rng.choice((("Mailboxes", "Get-Recipient.PropertySet='ConsoleSmallSet'"
                                             ".RecipientTypeDetails='UserMailbox'.ResultSize='500'"),
                              ("MailboxDatabases", "Get-MailboxDatabase.Status=$true"),
                              ("VirtualDirectories", "Get-OwaVirtualDirectory.ADPropertiesOnly=$true"),
                              ("Servers", "Get-ExchangeServer"),
                              ("Queues", "Pipeline.1|Get-Queue")))
    canary = ecp_canary(rng)
    url = f"/ecp/DDI/DDIService.svc/GetList?schema={schema}&msExchEcpCanary={canary}"
    em.web(t, "POST", "/ecp/DDI/DDIService.svc/GetList", f"schema={schema}&msExchEcpCanary={canary}",
           a.upn, a.ip, BROWSER_ADMIN, 200, "Ecp", {"AnchorMailbox": f"Smtp~{a.upn}",
                                                    "RoutingHint": "Smtp"},
           referer=f"https://{EXT}/ecp/", cookie=owa_cookie(rng, a))
    em.ecp(t + rng.randint(10, 300), ecp_pairs(rng, a.sid, cmd, url))


BROWSER_ADMIN = W.BROWSERS[1]


def health_probe(em, t, rng):
    """Managed Availability: AMProbe requests and the HealthMailbox logons of the local server."""
    host = em.host
    ip = rng.choice(("127.0.0.1", host.ip))
    kind = rng.randrange(9)
    if kind < 4:
        stem = rng.choice(("/owa/exhealth.check", "/ecp/exhealth.check", "/EWS/exhealth.check",
                           "/Microsoft-Server-ActiveSync/exhealth.check", "/mapi/exhealth.check",
                           "/OAB/exhealth.check", "/Autodiscover/exhealth.check",
                           "/rpc/exhealth.check", "/powershell/exhealth.check"))
        em.web(t, "GET", stem, "", "", ip, "AMProbe/Local/ClientAccess", 200, None,
               url_host="localhost", time_taken=rng.randint(1, 15))
        return
    hm = rng.choice(host.health_mailboxes)
    upn = f"{hm}@{W.DOMAIN}"
    hp = {"AnchorMailbox": f"Smtp~{upn}", "RoutingHint": "Smtp", "TargetServer": host.fqdn,
          "AuthenticationType": "Basic"}
    if kind == 4:
        em.web(t, "POST", "/Microsoft-Server-ActiveSync/Proxy/default.eas",
               f"Cmd=FolderSync&User={hm}&DeviceId=Probe{W.hexid(rng, 8)}&DeviceType=AMProbe",
               upn, ip, "AMProbe/Local/ClientAccess", 200, "Eas", hp, url_host="localhost")
    elif kind == 5:
        em.web(t, "POST", "/EWS/Exchange.asmx", "", upn, ip, "AMProbe/Local/ClientAccess", 200,
               "Ews", hp, url_host="localhost")
    elif kind == 6:
        em.web(t, "POST", "/mapi/emsmdb/", f"MailboxId={W.new_guid(rng)}@{W.SMTP}", upn, ip,
               "MapiHttpClient", 200, "Mapi", hp, url_host=host.fqdn)
    elif kind == 7:
        em.web(t, "POST", "/owa/auth.owa", "", upn, ip, "AMProbe/Local/ClientAccess", 302, "Owa",
               hp, url_host="localhost", owa_encoding=True)
    else:
        em.web(t, "GET", "/ecp/ReportingWebService/", "", upn, ip, "AMProbe/Local/ClientAccess",
               200, "Ecp", hp, url_host="localhost")


def lb_check(em, t, rng):
    """The load balancer's monitor: healthcheck.htm on every virtual directory, no user agent."""
    stem = rng.choice(("/owa/healthcheck.htm", "/ecp/healthcheck.htm", "/EWS/healthcheck.htm",
                       "/Microsoft-Server-ActiveSync/healthcheck.htm", "/mapi/healthcheck.htm",
                       "/OAB/healthcheck.htm", "/Autodiscover/healthcheck.htm",
                       "/rpc/healthcheck.htm"))
    em.web(t, "GET", stem, "", "", rng.choice(W.LB_IPS), "", 200, None,
           exchange_module=False, time_taken=rng.randint(0, 3), sc_bytes=rng.randint(300, 400),
           cs_bytes=rng.randint(120, 200))


def powershell_remote(em, t, rng, user=None, ip=None):
    """Remote PowerShell on port 80: Managed Availability and the Exchange Management Shell."""
    host = em.host
    if user is None:
        user = f"{rng.choice(host.health_mailboxes)}@{W.DOMAIN}"
        ip, app = host.ip, "ActiveMonitoring"
    else:
        app = "ManagementShell"
    query = f"serializationLevel=Full;clientApplication={app};PSVersion=5.1.14393.4104"
    em.web(t, "POST", "/powershell", query, user, ip, "Microsoft WinRM Client", 200,
           "PowerShell", {"AnchorMailbox": f"Smtp~{user}", "RoutingHint": "ExplicitLogon-SMTP",
                          "TargetServer": host.fqdn, "AuthenticationType": "Kerberos"},
           port=80, url_host=host.fqdn, time_taken=int(rng.lognormvariate(5.0, 1.0)))
