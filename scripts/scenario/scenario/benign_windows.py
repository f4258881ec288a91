"""Benign host activity: Sysmon 1/3/10/11, Security 4688, System 7045, MSExchange Management
cmdlets, MSExchange Unified Messaging and OAB generator entries, and the daily jobs of an
Exchange server (ASP.NET compiling pages with csc and cvtres after an application pool recycle,
administrators setting virtual directory URLs, log archiving with 7-Zip, Defender updates,
Microsoft's CVE-2021-26855 nmap probe run by the administrators).
"""

from . import benign_web as web
from . import world as W
from .formats import ecp_command

S32 = W.S32


def _proc(em, key):
    return em.host.procs[key]


def network(em, t, rng):
    host = em.host
    kind = rng.random()
    if kind < 0.5:
        pool = rng.choice(("MSExchangeOWAAppPool", "MSExchangeSyncAppPool",
                           "MSExchangeServicesAppPool", "MSExchangeMapiFrontEndAppPool"))
        peer = rng.choice(host.peers)
        em.network(t, _proc(em, pool), host.ip, rng.randint(49152, 65535), peer, 444,
                   f"exch{host.peers.index(peer) + 1:02d}.{W.DOMAIN}")
    elif kind < 0.8:
        mx = rng.choice(em.org.partner_mx)
        em.network(t, _proc(em, "transport"), host.ip, rng.randint(49152, 65535), mx, 25)
    else:
        em.network(t, _proc(em, "svchost_schedule"), host.ip, rng.randint(49152, 65535),
                   "10.0.0.10", rng.choice((88, 389, 135, 445)), f"dc01.{W.DOMAIN}")


SYSTEM_CMDLETS = (
    ("Get-MailboxDatabaseCopyStatus", '-Server "{host}"'),
    ("Get-ExchangeServer", '-Identity "{host}"'),
    ("Get-MailboxDatabase", '-Server "{host}" -Status "True"'),
    ("Get-Mailbox", '-Arbitration "True" -Database "{db}"'),
    ("Test-ServiceHealth", '-Server "{host}"'),
    ("Get-Queue", '-Server "{host}"'),
    ("Get-ServerComponentState", '-Identity "{host}"'),
)


def system_cmdlet(em, t, rng):
    name, params = rng.choice(SYSTEM_CMDLETS)
    em.cmdlet(t, name, params.format(host=em.host.name, db=rng.choice(em.org.databases)),
              "NT AUTHORITY\\SYSTEM", origin="Local-PowerShell", process="MSExchangeHMWorker",
              duration=f"00:00:00.{rng.randint(1000000, 9999999)}")


def file_write(em, t, rng):
    host = em.host
    kind = rng.random()
    if kind < 0.4:
        em.file_create(t, _proc(em, "assistants"),
                       f"{W.EXCHANGE_PATH}\\ClientAccess\\OAB\\{host.oab_guid}\\"
                       f"{W.new_guid(rng)}-data-{rng.randint(1, 400)}.lzx")
    elif kind < 0.7:
        em.file_create(t, _proc(em, "transport"),
                       f"{W.EXCHANGE_PATH}\\TransportRoles\\data\\Temp\\"
                       f"{W.hexid(rng, 8).upper()}.tmp")
    else:
        em.file_create(t, _proc(em, "msmpeng"),
                       f"C:\\ProgramData\\Microsoft\\Windows Defender\\Scans\\History\\Service\\"
                       f"DetectionHistory\\{W.hexid(rng, 2)}\\{W.new_guid(rng).upper()}")


def process_tree(em, t, rng):
    host = em.host
    kind = rng.randrange(6)
    if kind == 0:
        parent = _proc(em, "svchost_schedule")
        child = host.spawn(rng, parent, S32 + "taskhostw.exe", "taskhostw.exe NGCKeyPregen")
    elif kind == 1:
        parent = _proc(em, "svchost_dcom")
        child = host.spawn(rng, parent, S32 + "wbem\\WmiPrvSE.exe",
                           "C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding",
                           user="NT AUTHORITY\\NETWORK SERVICE")
    elif kind == 2:
        parent = _proc(em, "msmpeng")
        image = "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.2102.4-0\\MpCmdRun.exe"
        child = host.spawn(rng, parent, image,
                           f"\"{image}\" SignaturesUpdateService -ScheduleJob -UnmanagedUpdate")
    elif kind == 3:
        parent = _proc(em, "hmhost")
        child = host.spawn(rng, parent, W.EXBIN + "MSExchangeHMWorker.exe",
                           f"\"{W.EXBIN}MSExchangeHMWorker.exe\" -wp:{parent.pid}")
    elif kind == 4:
        parent = _proc(em, "hostcontroller")
        child = host.spawn(rng, parent, W.EXBIN + "Search\\Ceres\\Runtime\\1.0\\noderunner.exe",
                           f"\"{W.EXBIN}Search\\Ceres\\Runtime\\1.0\\noderunner.exe\" "
                           f"-addressfile \"{W.EXBIN}Search\\Ceres\\HostController\\Data\\Nodes\\"
                           f"Fsis\\IndexNode1.addresses\" -tracelog -nodename IndexNode1")
    else:
        # The UM service restarting its worker: a UM "child" the CVE-2021-26857 rules leave out.
        parent = _proc(em, "umservice")
        child = host.spawn(rng, parent, W.EXBIN + "UMWorkerProcess.exe",
                           host.procs["umworker"].cmdline)
    em.process_start(t, parent, child)


def lsass_access(em, t, rng):
    """Routine LSASS handles (Defender, svchost): the LSASS rule filters these sources."""
    src = _proc(em, rng.choice(("msmpeng", "svchost_dcom")))
    em.process_access(t, src, _proc(em, "lsass"), rng.choice(("0x1010", "0x1410", "0x1000")),
                      "C:\\Windows\\SYSTEM32\\ntdll.dll+9f5d4|C:\\Windows\\System32\\KERNELBASE.dll+2bb3e")


UM_INFO = (
    (1004, 4, "The Unified Messaging service has started.", "UMService"),
    (1041, 4, "The UM worker process with process ID {pid} has been started.", "UMWorkerProcess"),
    (1117, 4, "The Unified Messaging server successfully registered with dial plan 'DP-Main'.",
     "UMService"),
    (1400, 3, "The Unified Messaging server was unable to reach the SIP peer "
              "'sbc01.contoso.local:5061'. System.Net.Sockets.SocketException: A connection "
              "attempt failed because the connected party did not properly respond.", "UMCore"),
)


def um_event(em, t, rng):
    eid, level, text, category = rng.choices(UM_INFO, (30, 30, 30, 10))[0]
    em.application(t, "MSExchange Unified Messaging", eid, level,
                   text.format(pid=em.host.procs["umworker"].pid), category=category)


# ---- daily jobs -------------------------------------------------------------------------------

def compile_burst(em, t, rng):
    """First request after an application pool recycle: ASP.NET compiles the pages with csc.exe,
    which runs cvtres.exe; the App_Web_*.dll and .compiled files land in Temporary ASP.NET Files."""
    host = em.host
    pool, app = rng.choice((("MSExchangeOWAAppPool", "owa"), ("MSExchangeECPAppPool", "ecp")))
    w3wp = host.procs[pool]
    folder = f"{W.ASPNET_TEMP}\\{app}\\{W.hexid(rng, 8)}\\{W.hexid(rng, 8)}"
    for _ in range(rng.randint(1, 3)):
        name = W.hexid(rng, 8)
        csc = host.spawn(rng, w3wp, W.NET_FW + "\\csc.exe",
                         f"\"{W.NET_FW}\\csc.exe\" /noconfig /fullpaths @\"{folder}\\{name}.cmdline\"")
        em.process_start(t, w3wp, csc)
        t += rng.randint(200, 700)
        cvt = host.spawn(rng, csc, W.NET_FW + "\\cvtres.exe",
                         f"{W.NET_FW}\\cvtres.exe /NOLOGO /READONLY /MACHINE:IX86 "
                         f"\"/OUT:C:\\Windows\\TEMP\\RES{W.hexid(rng, 4).upper()}.tmp\" "
                         f"\"{folder}\\CSC{W.hexid(rng, 32).upper()}.TMP\"")
        em.process_start(t, csc, cvt)
        t += rng.randint(300, 1500)
        page = rng.choice(("logon.aspx", "default.aspx", "errorFE.aspx", "languageselection.aspx")
                          if app == "owa" else ("default.aspx", "main.aspx", "reportingwebservice.svc"))
        em.file_create(t, csc, f"{folder}\\App_Web_{name}.dll")
        em.file_create(t + 15, w3wp, f"{folder}\\{page}.{W.hexid(rng, 8)}.compiled")
        t += rng.randint(500, 4000)


VDIRS = (("Set-OwaVirtualDirectory", "owa"), ("Set-EcpVirtualDirectory", "ecp"),
         ("Set-OabVirtualDirectory", "OAB"), ("Set-WebServicesVirtualDirectory", "EWS/Exchange.asmx"),
         ("Set-ActiveSyncVirtualDirectory", "Microsoft-Server-ActiveSync"),
         ("Set-MapiVirtualDirectory", "mapi"))


def admin_set_vdir(em, t, rng):
    """An administrator setting a virtual directory's URLs to ordinary https addresses, from the
    Exchange Management Shell or the Exchange admin center (ECP)."""
    host = em.host
    a = rng.choice(em.org.admins)
    cmdlet, path = rng.choice(VDIRS)
    vdir = path.split("/")[0]
    ident = f"{host.name}\\{vdir} (Default Web Site)"
    ext, internal = f"https://{W.EXTERNAL_HOST}/{path}", f"https://{host.fqdn}/{path}"
    if rng.random() < 0.5:
        web.powershell_remote(em, t, rng, user=a.upn, ip=a.ip)
        em.cmdlet(t + 400, cmdlet, f'-Identity "{ident}" -ExternalUrl "{ext}" -InternalUrl "{internal}"',
                  f"{W.DOMAIN}/Users/{a.sam}", origin="Remote-PowerShell-Unknown")
        return
    canary = web.ecp_canary(rng)
    schema = cmdlet[4:]
    url = f"/ecp/DDI/DDIService.svc/SetObject?schema={schema}&msExchEcpCanary={canary}"
    em.web(t, "POST", "/ecp/DDI/DDIService.svc/SetObject",
           f"schema={schema}&msExchEcpCanary={canary}", a.upn, a.ip, web.BROWSER_ADMIN, 200, "Ecp",
           {"AnchorMailbox": f"Smtp~{a.upn}", "RoutingHint": "Smtp"},
           referer=f"https://{W.EXTERNAL_HOST}/ecp/", cookie=web.owa_cookie(rng, a))
    vdir_id = W.new_guid(rng)
    cmd = ecp_command(cmdlet, [("ExternalUrl", ext), ("InternalUrl", internal),
                                 ("Identity", vdir_id)])
    em.ecp(t + 350, web.ecp_pairs(rng, a.sid, cmd, url, millis=rng.randint(300, 1500)))
    em.cmdlet(t + 360, cmdlet, f'-ExternalUrl "{ext}" -InternalUrl "{internal}" -Identity "{vdir_id}"',
              f"{W.DOMAIN}/Users/{a.sam}", origin="ECP", process="w3wp#MSExchangeECPAppPool")


def admin_shell_session(em, t, rng):
    """An administrator opens the Exchange Management Shell on the server and runs a few Get-*
    cmdlets over Remote PowerShell (port 80)."""
    host = em.host
    a = rng.choice(em.org.admins)
    explorer = host.procs["explorer"]
    explorer.user = f"{W.NETBIOS}\\{a.sam}"
    ps = host.spawn(rng, explorer, S32 + "WindowsPowerShell\\v1.0\\powershell.exe",
                    f"\"{S32}WindowsPowerShell\\v1.0\\powershell.exe\" -noexit -command \". "
                    f"'{W.EXCHANGE_PATH}\\bin\\RemoteExchange.ps1'; Connect-ExchangeServer -auto "
                    f"-ClientApplication:ManagementShell \"", integrity="High",
                    cwd=f"{W.EXCHANGE_PATH}\\bin\\")
    em.process_start(t, explorer, ps)
    conhost = host.spawn(rng, ps, S32 + "conhost.exe", "\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1")
    em.process_start(t + 30, ps, conhost)
    t += rng.randint(2000, 6000)
    em.network(t, ps, host.ip, rng.randint(49152, 65535), host.ip, 80, host.fqdn)
    for _ in range(rng.randint(2, 6)):
        web.powershell_remote(em, t, rng, user=a.upn, ip=host.ip)
        name, params = rng.choice((("Get-Mailbox", '-ResultSize "Unlimited"'),
                                   ("Get-MailboxDatabaseCopyStatus", '-Server "{h}"'),
                                   ("Get-Queue", '-Server "{h}"'),
                                   ("Get-MessageTrackingLog", '-Start "03/01/2021 00:00:00" -Sender "{u}"'),
                                   ("Get-ExchangeCertificate", '-Server "{h}"')))
        em.cmdlet(t + 300, name, params.format(h=host.name, u=rng.choice(em.org.users).upn),
                  f"{W.DOMAIN}/Users/{a.sam}")
        t += rng.randint(20000, 240000)


def log_archive(em, t, rng, day_label):
    """A scheduled task zips yesterday's IIS log with 7-Zip (into D:\\LogArchive, not a web
    folder): a near miss for the archive-staging rules."""
    host = em.host
    sched = host.procs["svchost_schedule"]
    cmd = host.spawn(rng, sched, S32 + "cmd.exe",
                     "C:\\Windows\\system32\\cmd.exe /c \"C:\\Scripts\\ArchiveIISLogs.cmd\"",
                     cwd="C:\\Scripts\\")
    em.process_start(t, sched, cmd)
    zipper = host.spawn(rng, cmd, "C:\\Program Files\\7-Zip\\7z.exe",
                        f"\"C:\\Program Files\\7-Zip\\7z.exe\" a -tzip "
                        f"\"D:\\LogArchive\\{host.name}\\u_ex{day_label}.zip\" "
                        f"\"C:\\inetpub\\logs\\LogFiles\\W3SVC1\\u_ex{day_label}.log\"")
    em.process_start(t + rng.randint(100, 400), cmd, zipper)
    em.file_create(t + rng.randint(2000, 9000), zipper,
                   f"D:\\LogArchive\\{host.name}\\u_ex{day_label}.zip")


def defender_driver(em, t, rng):
    """Defender's definition update installs its MpKsl driver as a service (System 7045)."""
    name = f"MpKsl{W.hexid(rng, 8)}"
    path = (f"C:\\ProgramData\\Microsoft\\Windows Defender\\Definition Updates\\"
            f"{{{W.new_guid(rng).upper()}}}\\MpKslDrv.sys")
    em.service_install(t, name, path, "kernel mode driver", "demand start", "", W.SYSTEM_SID)


def nmap_probe(em, t, rng):
    """Microsoft's http-vuln-cve2021-26855.nse run by the administrators: GET /owa/auth/x.js
    with localhost X-AnonResource-Backend / X-BEResource cookies. The rules leave it out
    (ServerInfo~localhost, both localhost cookies, GET)."""
    a = rng.choice(em.org.admins)
    cookie = ("X-AnonResource=true; X-AnonResource-Backend=localhost/ecp/default.flt?~3; "
              "X-BEResource=localhost/owa/auth/logon.aspx?~3;")
    em.web(t, "GET", "/owa/auth/x.js", "", "", a.ip,
           "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)", 200,
           "Owa", {"AnchorMailbox": "ServerInfo~localhost/owa/auth/logon.aspx?",
                   "RoutingHint": "X-BEResource-Cookie", "RoutingType": "BackEndCookie",
                   "TargetServer": "localhost"}, cookie=cookie, owa_encoding=True)


def oab_cycle(em, t, rng):
    """An OAB generation work cycle; now and then a temporary file in ClientAccess\\OAB\\Temp
    cannot be removed (the legitimate form of the CVE-2021-26858 message)."""
    thread = rng.randint(20, 90)
    em.oab(t, thread, "Information", "OABGeneratorAssistant: processing OAB '\\OAB (Ex2013)', "
                                     "version 'E15'")
    t += rng.randint(500, 3000)
    em.oab(t, thread, "Information", f"Downloading OAB files to '{W.EXCHANGE_PATH}\\ClientAccess"
                                     f"\\OAB\\Temp' for OAB '\\OAB (Ex2013)'")
    if rng.random() < 0.2:
        t += rng.randint(100, 900)
        em.oab(t, thread, "Warning",
               f"Download failed and temporary file '{W.EXCHANGE_PATH}\\ClientAccess\\OAB\\Temp\\"
               f"{W.new_guid(rng)}.tmp' needs to be removed")
    t += rng.randint(5000, 60000)
    em.oab(t, thread, "Information", f"Finished generating OAB '\\OAB (Ex2013)', "
                                     f"{rng.randint(400, 4000)} addresses, {rng.randint(1, 9)} "
                                     f"files, elapsed {rng.randint(3, 90)} s")
