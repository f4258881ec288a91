"""What follows the exploitation, through the web shell: its use days later, mailbox theft,
LSASS dumping with staging and download, and other actors scanning for published shell names
(../shared/reference/hafnium-detection.md §1 step 7, §4)."""

from . import world as W
from .clock import MS_PER_MIN
from .timeline import CHROME88, S32, Timeline

SCANNED = ("/owa/auth/Current/themes/errorFS.aspx", "/owa/auth/RedirSuiteServerProxy.aspx",
           "/owa/auth/ErrorAA.aspx", "/owa/auth/OutlookEN.aspx", "/owa/auth/zntwv.aspx",
           "/owa/auth/Current/scripts/premium/fexppw.aspx", "/owa/auth/getpp.aspx",
           "/owa/auth/Err0r.aspx", "/owa/auth/Currentthemes/resources/win.ashx",
           "/owa/auth/928ccfacbe.aspx")


# ---- webshell_use ---------------------------------------------------------------------------

def webshell_use(em, t, rng, ctx, truth):
    tl = Timeline(em, rng, ctx, truth)
    shell = ctx["shell"]
    origin = "dropped by " + shell["dropped_by"]
    tl.shell_request(t, "GET")
    tl.step(t, "webshell_request", f"GET {shell['url']} answered 200 from {ctx['ip']} "
            f"(shell {origin})", "IIS W3SVC1, HttpProxy/Owa", "", "T1505.003")
    t += tl.jitter(3000)
    t, _ = tl.via_shell(t, "whoami", S32 + "whoami.exe", "whoami")
    tl.step(t, "webshell_cmd_whoami", f"w3wp ({shell['pool']}) -> cmd -> whoami.exe",
            "Sysmon 1, Security 4688", "", "T1059.003, T1033")
    t += tl.jitter(25000)
    net = 'net group "Exchange Organization administrators" administrator /del /domain'
    t, _ = tl.via_shell(t, net, S32 + "net.exe", net)
    tl.step(t, "webshell_cmd_net", "w3wp -> cmd -> net group \"Exchange Organization "
            "administrators\" administrator /del /domain", "Sysmon 1, Security 4688", "",
            "T1059.003, T1531")
    t += tl.jitter(40000)
    host = em.host
    w3wp = host.procs[shell["pool"]]
    tl.shell_request(t)
    t += rng.randint(400, 1500)
    ps = host.spawn(rng, w3wp, S32 + "WindowsPowerShell\\v1.0\\powershell.exe",
                    "powershell.exe -nop -ep bypass -c \"Get-WmiObject Win32_ComputerSystem | "
                    "Select-Object Name,Domain; Get-Process | Where-Object {$_.Name -match "
                    "'csfalconservice|xagt|MsSense'}\"", cwd=S32 + "inetsrv\\")
    em.process_start(t, w3wp, ps)
    tl.step(t, "webshell_powershell", "w3wp -> powershell.exe (host and security product "
            "discovery)", "Sysmon 1, Security 4688", "", "T1059.001, T1518.001")


# ---- mailbox_theft ----------------------------------------------------------------------------

def _powershell_via_shell(tl, t, script):
    cmdline = f"powershell.exe -command \"{script}\""
    tl.via_shell(t, cmdline, S32 + "WindowsPowerShell\\v1.0\\powershell.exe", cmdline)


def mailbox_theft(em, t, rng, ctx, truth):
    tl = Timeline(em, rng, ctx, truth)
    host = em.host
    victim = ctx["victim"]
    pst = ctx["pst_name"]
    snapin = "Add-PSSnapin Microsoft.Exchange.Management.PowerShell.SnapIn"
    _powershell_via_shell(tl, t, f"{snapin}; New-ManagementRoleAssignment -Role 'Mailbox Import "
                                 f"Export' -User 'Administrator'")
    t += 2500
    em.cmdlet(t, "New-ManagementRoleAssignment", '-Role "Mailbox Import Export" -User "Administrator"',
              "NT AUTHORITY\\SYSTEM", origin="Local-PowerShell", process="powershell")
    tl.step(t, "role_assigned", "New-ManagementRoleAssignment -Role \"Mailbox Import Export\" "
            "(snap-in loaded by powershell under w3wp)", "MSExchange Management 1, Sysmon 1",
            "", "T1098")
    t += tl.jitter(45000)
    unc = f"\\\\127.0.0.1\\c$\\inetpub\\wwwroot\\aspnet_client\\{pst}"
    _powershell_via_shell(tl, t, f"{snapin}; New-MailboxExportRequest -Mailbox '{victim}' "
                                 f"-FilePath '{unc}'")
    t += 2600
    em.cmdlet(t, "New-MailboxExportRequest", f'-Mailbox "{victim}" -FilePath "{unc}"',
              "NT AUTHORITY\\SYSTEM", origin="Local-PowerShell", process="powershell")
    tl.step(t, "export_requested", f"New-MailboxExportRequest -Mailbox {victim} -FilePath {unc}",
            "MSExchange Management 1, Sysmon 1, Security 4688", "", "T1114.001, T1059.001")
    t += tl.jitter(6 * MS_PER_MIN)
    path = f"C:\\inetpub\\wwwroot\\aspnet_client\\{pst}"
    em.file_create(t, host.procs["mrs"], path)
    tl.step(t, "pst_written", f"{path} written by MSExchangeMailboxReplication.exe",
            "Sysmon 11", "", "T1074.001")
    t += tl.jitter(25 * MS_PER_MIN)
    size = rng.randint(200, 900) * 1024 * 1024
    em.web(t, "GET", f"/aspnet_client/{pst}", "", "", ctx["exfil_ip"], CHROME88, 200, None,
           exchange_module=False, sc_bytes=size, cs_bytes=rng.randint(300, 500),
           time_taken=rng.randint(60000, 400000))
    tl.step(t, "pst_downloaded", f"GET /aspnet_client/{pst} 200 ({size // 1048576} MiB) from "
            f"{ctx['exfil_ip']}", "IIS W3SVC1", "", "T1048, T1114.001")
    t += tl.jitter(10 * MS_PER_MIN)
    _powershell_via_shell(tl, t, f"{snapin}; Get-MailboxExportRequest | "
                                 f"Remove-MailboxExportRequest -Confirm:$false")
    t += 2400
    em.cmdlet(t, "Remove-MailboxExportRequest", f'-Identity "{victim}\\MailboxExport" -Confirm "False"',
              "NT AUTHORITY\\SYSTEM", origin="Local-PowerShell", process="powershell")
    tl.step(t, "export_request_removed", "Remove-MailboxExportRequest -Confirm:$false",
            "MSExchange Management 1, Sysmon 1", "", "T1070")


# ---- lsass_dump -------------------------------------------------------------------------------

def lsass_dump(em, t, rng, ctx, truth):
    tl = Timeline(em, rng, ctx, truth)
    host, shell = em.host, ctx["shell"]
    lsass = host.procs["lsass"]
    w3wp = host.procs[shell["pool"]]
    dump = "C:\\Windows\\Temp\\lsass.dmp"
    if ctx["variant"] == "comsvcs":
        line = f"rundll32.exe C:\\windows\\system32\\comsvcs.dll, MiniDump {lsass.pid} {dump} full"
        image, access = S32 + "rundll32.exe", "0x1FFFFF"
        trace = ("C:\\Windows\\SYSTEM32\\ntdll.dll+9f5d4|C:\\Windows\\System32\\KERNELBASE.dll+2bb3e|"
                 "C:\\Windows\\System32\\dbgcore.DLL+6f1a|C:\\Windows\\System32\\comsvcs.dll+3b5a1")
    else:
        tool = "C:\\Windows\\Temp\\procdump64.exe"
        tl.shell_request(t)
        em.file_create(t + 300, w3wp, tool)
        tl.step(t + 300, "tool_uploaded", f"{tool} written by w3wp (upload through the shell)",
                "Sysmon 11, IIS W3SVC1", "", "T1105")
        t += tl.jitter(20000)
        line = f"{tool} -accepteula -ma lsass.exe {dump}"
        image, access = tool, "0x1FFFFF"
        trace = ("C:\\Windows\\SYSTEM32\\ntdll.dll+9f5d4|C:\\Windows\\System32\\KERNELBASE.dll+2bb3e|"
                 "C:\\Windows\\System32\\dbghelp.dll+1f4c2|C:\\Windows\\Temp\\procdump64.exe+4e2b1")
    t, dumper = tl.via_shell(t, line, image, line)
    em.process_access(t + 200, dumper, lsass, access, trace)
    em.file_create(t + rng.randint(1500, 4000), dumper, dump)
    tl.step(t, "lsass_dumped", f"{line} (w3wp -> cmd -> {image.rsplit(chr(92), 1)[1]}); "
            f"{dump} written", "Sysmon 1, Sysmon 10, Sysmon 11, Security 4688", "", "T1003.001")
    t += tl.jitter(70000)
    archive_dir = "C:\\inetpub\\wwwroot\\aspnet_client\\system_web"
    if ctx["archiver"] == "7z":
        archive = f"{archive_dir}\\{ctx['archive_name']}.zip"
        tool = "C:\\ProgramData\\7z.exe"
        line = f"C:\\ProgramData\\7z.exe a -tzip -p{ctx['archive_password']} {archive} {dump}"
    else:
        archive = f"{archive_dir}\\{ctx['archive_name']}.rar"
        tool = "C:\\ProgramData\\rar.exe"
        line = f"C:\\ProgramData\\rar.exe a -hp{ctx['archive_password']} {archive} {dump}"
    t, zipper = tl.via_shell(t, line, tool, line)
    em.file_create(t + rng.randint(3000, 9000), zipper, archive)
    tl.step(t, "archive_staged", f"{line} (archive in a web folder)",
            "Sysmon 1, Sysmon 11, Security 4688", "", "T1560.001, T1074.001")
    t += tl.jitter(12 * MS_PER_MIN)
    url = "/aspnet_client/system_web/" + archive.rsplit("\\", 1)[1]
    size = rng.randint(8, 30) * 1024 * 1024
    em.web(t, "GET", url, "", "", ctx["exfil_ip"], CHROME88, 200, None, exchange_module=False,
           sc_bytes=size, cs_bytes=rng.randint(300, 500), time_taken=rng.randint(3000, 30000))
    tl.step(t, "archive_downloaded", f"GET {url} 200 ({size // 1048576} MiB) from "
            f"{ctx['exfil_ip']}", "IIS W3SVC1", "", "T1048")
    t += tl.jitter(90000)
    tl.via_shell(t, f"del {dump} {archive}", None)
    tl.step(t, "cleanup", f"del {dump} {archive}", "Sysmon 1, Security 4688", "", "T1070.004")


# ---- webshell_scan -----------------------------------------------------------------------------

def webshell_scan(em, t, rng, ctx, truth):
    tl = Timeline(em, rng, ctx, truth)
    host = em.host
    present = set(ctx.get("present_shells", ()))
    names = list(SCANNED)
    if rng.random() < 0.5:
        names.remove("/owa/auth/928ccfacbe.aspx")
    tl.step(t, "shell_scan", f"{ctx['ip']} requests {len(names)} published web-shell names under "
            f"3 host names", "IIS W3SVC1, HttpProxy/Owa", "", "T1595.003")
    for url in names:
        for url_host in (host.ip, W.EXTERNAL_HOST, W.AUTODISCOVER_HOST):
            status = 200 if url in present else 302
            em.web(t, "GET", url, "", "", ctx["ip"], CHROME88, status, "Owa",
                   {"ProxyAction": "", "TargetServer": "", "AuthenticationType": "Anonymous"},
                   url_host=url_host, owa_encoding=True, time_taken=rng.randint(30, 160))
            if status == 200 and url_host == host.ip:
                tl.step(t, "shell_found", f"GET {url} answered 200: the shell is there",
                        "IIS W3SVC1, HttpProxy/Owa", "", "T1505.003")
            t += rng.randint(60, 900)
