"""The simulated organisation: one Active Directory domain, its users and client devices, the
Exchange 2016 servers (EXCH01..), their long-running processes, and the binaries they start.

Everything is derived from the scenario seed through random.Random instances seeded with strings
(sha512-based, so the same seed gives the same world on every Python 3 and platform).
"""

import hashlib
import random
import uuid

DOMAIN = "contoso.local"
NETBIOS = "CONTOSO"
SMTP = "contoso.com"
EXTERNAL_HOST = "mail.contoso.com"
AUTODISCOVER_HOST = "autodiscover.contoso.com"
DOMAIN_SID = "S-1-5-21-1004336348-1177238915-682003330"
EXCHANGE_BUILD = "15.1.2176.2"          # Exchange 2016 CU19
EXCHANGE_VERSION = "15.01.2176.002"     # as the #Version directive writes it
EXCHANGE_PATH = "C:\\Program Files\\Microsoft\\Exchange Server\\V15"
FRONTEND = EXCHANGE_PATH + "\\FrontEnd\\HttpProxy"
ASPNET_TEMP = "C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\Temporary ASP.NET Files"
NET_FW = "C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319"
LB_IPS = ("10.0.1.2", "10.0.1.3")
ADMIN_NETS = "10.10.5."
SYSTEM_SID = "S-1-5-18"

_FIRST = ("anna james maria john linda robert sarah michael laura david emma daniel sofia thomas "
          "olivia peter nina mark julia paul eva martin lisa andrew karen steven helen brian "
          "sandra kevin ingrid lars mette ola kari nils hanne erik silje jonas marte").split()
_LAST = ("smith jones berg hansen johansen olsen larsen nilsen pedersen brown wilson taylor "
         "clark lewis walker hall young allen king wright scott green baker adams nelson hill "
         "moore lund dahl strand haugen bakke").split()
_ISP_FIRST_OCTETS = (46, 62, 77, 78, 79, 80, 81, 82, 83, 84, 85, 88, 89, 91, 92, 93, 94, 95,
                     109, 176, 178, 185, 188, 193, 195, 212, 213, 217)


def new_guid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def hexid(rng, n):
    return f"{rng.getrandbits(4 * n):0{n}x}"


class User:
    __slots__ = ("sam", "upn", "rid", "sid", "mailbox_guid", "client", "ip", "device_id",
                 "device_type", "ua_mobile", "ua_browser", "ua_outlook", "admin")


class Org:
    """Users, admins and address pools shared by all hosts of one scenario."""

    def __init__(self, seed, user_count=400):
        rng = random.Random(f"{seed}/org")
        self.users = []
        seen = set()
        for i in range(user_count):
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            sam = f"{first[0]}{last}"
            while sam in seen:
                sam = f"{first[:2]}{last}{rng.randint(1, 99)}"
            seen.add(sam)
            self.users.append(self._user(rng, sam, 1100 + i, admin=False))
        self.admins = [self._user(rng, f"adm-{rng.choice(_LAST)}{i}", 600 + i, admin=True)
                       for i in range(3)]
        for a in self.admins:
            a.ip = f"{ADMIN_NETS}{rng.randint(20, 60)}"
            a.client = "windows"
        self.app_servers = [f"10.30.2.{rng.randint(10, 90)}" for _ in range(3)]
        self.partner_mx = [f"{rng.choice(_ISP_FIRST_OCTETS)}.{rng.randint(1, 254)}."
                           f"{rng.randint(1, 254)}.{rng.randint(1, 254)}" for _ in range(40)]
        self.databases = [f"MDB0{i}" for i in range(1, 5)]

    @staticmethod
    def _user(rng, sam, rid, admin):
        u = User()
        u.sam = sam
        u.upn = f"{sam}@{SMTP}"
        u.rid = rid
        u.sid = f"{DOMAIN_SID}-{rid}"
        u.mailbox_guid = new_guid(rng)
        u.admin = admin
        u.client = rng.choices(("windows", "mac", "mobile_only"), (70, 15, 15))[0]
        if rng.random() < 0.65:
            u.ip = f"10.20.{rng.randint(1, 40)}.{rng.randint(10, 250)}"
        else:
            u.ip = (f"{rng.choice(_ISP_FIRST_OCTETS)}.{rng.randint(1, 254)}."
                    f"{rng.randint(1, 254)}.{rng.randint(2, 254)}")
        kind = rng.choices(("iphone", "android", "outlook_mobile"), (45, 25, 30))[0]
        if kind == "iphone":
            u.device_type, u.device_id = "iPhone", "Appl" + hexid(rng, 20).upper()
            u.ua_mobile = rng.choice(("Apple-iPhone12C1/1805.212", "Apple-iPhone13C2/1805.212",
                                      "Apple-iPhone11C8/1804.305", "Apple-iPhone12C3/1805.212"))
        elif kind == "android":
            u.device_type, u.device_id = "Android", "androidc" + str(rng.getrandbits(40))
            u.ua_mobile = rng.choice(("Android-SAMSUNG-SM-G981B/101.100", "Android-Mail/2021.01.10",
                                      "Android-SAMSUNG-SM-A515F/100.50102"))
        else:
            u.device_type, u.device_id = "Outlook", hexid(rng, 32).upper()
            u.ua_mobile = "Outlook-iOS-Android/1.0"
        u.ua_browser = rng.choice(BROWSERS)
        u.ua_outlook = rng.choice(OUTLOOK_MAC if u.client == "mac" else OUTLOOK_WIN)
        return u

    @staticmethod
    def public_ip(rng):
        return (f"{rng.choice(_ISP_FIRST_OCTETS)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}."
                f"{rng.randint(2, 254)}")


BROWSERS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/88.0.4324.190 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/89.0.4389.72 Safari/537.36 Edg/89.0.774.45",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:86.0) Gecko/20100101 Firefox/86.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 11_2_2) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/14.0.3 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko",
)
OUTLOOK_WIN = (
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.13801; Pro)",
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.13628; Pro)",
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.5122; Pro)",
)
OUTLOOK_MAC = ("MacOutlook/16.46.21021202 (Intelx64 Mac OS X 11.2.1 (Build 20D74))",)


class Binary:
    __slots__ = ("image", "original", "description", "product", "company", "version", "hashes")


def _binary(image, original, description, product="Microsoft\u00ae Windows\u00ae Operating System",
            company="Microsoft Corporation", version="10.0.14393.0 (rs1_release.160715-1616)"):
    b = Binary()
    b.image, b.original, b.description = image, original, description
    b.product, b.company, b.version = product, company, version
    h = hashlib.sha256(image.lower().encode()).hexdigest().upper()
    h2 = hashlib.sha1(image.lower().encode()).hexdigest().upper()
    md5 = hashlib.md5(image.lower().encode()).hexdigest().upper()
    imp = hashlib.md5(b"imp" + image.lower().encode()).hexdigest().upper()
    b.hashes = f"SHA1={h2},MD5={md5},SHA256={h},IMPHASH={imp}"
    return b


S32 = "C:\\Windows\\System32\\"
EXBIN = EXCHANGE_PATH + "\\Bin\\"
_EXPROD = "Microsoft\u00ae Exchange"
_EXVER = "15.01.2176.002"
BINARIES = {b.image.lower(): b for b in (
    _binary(S32 + "cmd.exe", "Cmd.Exe", "Windows Command Processor"),
    _binary(S32 + "whoami.exe", "whoami.exe", "whoami - displays logged on user information"),
    _binary(S32 + "net.exe", "net.exe", "Net Command"),
    _binary(S32 + "net1.exe", "net1.exe", "Net Command"),
    _binary(S32 + "ipconfig.exe", "ipconfig.exe", "IP Configuration Utility"),
    _binary(S32 + "tasklist.exe", "tasklist.exe", "Lists the current running tasks"),
    _binary(S32 + "findstr.exe", "FINDSTR.EXE", "Find String (QGREP) Utility"),
    _binary(S32 + "rundll32.exe", "RUNDLL32.EXE", "Windows host process (Rundll32)"),
    _binary(S32 + "conhost.exe", "CONHOST.EXE", "Console Window Host"),
    _binary(S32 + "svchost.exe", "svchost.exe", "Host Process for Windows Services"),
    _binary(S32 + "taskhostw.exe", "taskhostw.exe", "Host Process for Windows Tasks"),
    _binary(S32 + "wbem\\WmiPrvSE.exe", "Wmiprvse.exe", "WMI Provider Host"),
    _binary(S32 + "mmc.exe", "MMC.EXE", "Microsoft Management Console"),
    _binary(S32 + "notepad.exe", "NOTEPAD.EXE", "Notepad"),
    _binary(S32 + "inetsrv\\w3wp.exe", "w3wp.exe", "IIS Worker Process",
            product="Internet Information Services"),
    _binary(S32 + "WindowsPowerShell\\v1.0\\powershell.exe", "PowerShell.EXE",
            "Windows PowerShell"),
    _binary(NET_FW + "\\csc.exe", "csc.exe", "Visual C# Command Line Compiler",
            product="Microsoft\u00ae .NET Framework", version="4.7.3190.0 built by: NET472REL1LAST_C"),
    _binary(NET_FW + "\\cvtres.exe", "CVTRES.EXE", "Microsoft\u00ae Resource File To COFF Object Conversion Utility",
            product="Microsoft\u00ae .NET Framework", version="14.10.25028.0"),
    _binary("C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.2102.4-0\\MpCmdRun.exe",
            "MpCmdRun.exe", "Microsoft Malware Protection Command Line Utility",
            product="Microsoft\u00ae Windows\u00ae Operating System", version="4.18.2102.4"),
    _binary("C:\\Program Files\\7-Zip\\7z.exe", "7z.exe", "7-Zip Console", product="7-Zip",
            company="Igor Pavlov", version="19.00"),
    _binary("C:\\ProgramData\\7z.exe", "7z.exe", "7-Zip Console", product="7-Zip",
            company="Igor Pavlov", version="19.00"),
    _binary("C:\\ProgramData\\rar.exe", "Rar.exe", "Command line RAR", product="WinRAR",
            company="Alexander Roshal", version="6.00.0"),
    _binary("C:\\Windows\\Temp\\procdump64.exe", "procdump", "Sysinternals process dump utility",
            product="ProcDump", company="Sysinternals - www.sysinternals.com", version="10.0"),
    _binary(EXBIN + "UMWorkerProcess.exe", "UMWorkerProcess.exe", "UMWorkerProcess",
            product=_EXPROD, version=_EXVER),
    _binary(EXBIN + "MSExchangeHMWorker.exe", "MSExchangeHMWorker.exe", "MSExchangeHMWorker",
            product=_EXPROD, version=_EXVER),
    _binary(EXBIN + "Search\\Ceres\\Runtime\\1.0\\noderunner.exe", "noderunner.exe",
            "noderunner", product=_EXPROD, version=_EXVER),
)}


def binary(image):
    b = BINARIES.get(image.lower())
    if b is None:
        name = image.rsplit("\\", 1)[-1]
        b = _binary(image, name, name.rsplit(".", 1)[0])
        BINARIES[image.lower()] = b
    return b


class Proc:
    __slots__ = ("pid", "guid", "image", "cmdline", "user", "integrity", "cwd", "logon_id")

    def __init__(self, pid, guid, image, cmdline, user, integrity="System", cwd=S32,
                 logon_id="0x3e7"):
        self.pid, self.guid, self.image, self.cmdline = pid, guid, image, cmdline
        self.user, self.integrity, self.cwd, self.logon_id = user, integrity, cwd, logon_id


APP_POOLS = ("MSExchangeOWAAppPool", "MSExchangeECPAppPool", "MSExchangeSyncAppPool",
             "MSExchangeServicesAppPool", "MSExchangeMapiFrontEndAppPool",
             "MSExchangePowerShellFrontEndAppPool", "MSExchangeAutodiscoverAppPool",
             "MSExchangeOABAppPool", "MSExchangeRpcProxyFrontEndAppPool", "DefaultAppPool")


def w3wp_cmdline(pool, pipe):
    if pool == "DefaultAppPool":
        return (f"c:\\windows\\system32\\inetsrv\\w3wp.exe -ap \"DefaultAppPool\" -v \"v4.0\" -l "
                f"\"webengine4.dll\" -a \\\\.\\pipe\\iisipm{pipe} -h "
                f"\"C:\\inetpub\\temp\\apppools\\DefaultAppPool\\DefaultAppPool.config\" -w \"\" -m 0 -t 20")
    return (f"c:\\windows\\system32\\inetsrv\\w3wp.exe -ap \"{pool}\" -v \"v4.0\" -c "
            f"\"{EXCHANGE_PATH}\\bin\\GenericAppPoolConfigWithGCServerEnabledFalse.config\" -a "
            f"\\\\.\\pipe\\iisipm{pipe} -h \"C:\\inetpub\\temp\\apppools\\{pool}\\{pool}.config\" "
            f"-w \"\" -m 0")


class Host:
    """One Exchange server: names, addresses, its long-running processes and the per-channel
    record numbers. Owned by the one generator that writes this host's files."""

    def __init__(self, seed, index, count):
        self.index = index
        self.name = f"EXCH{index:02d}"
        self.fqdn = f"{self.name.lower()}.{DOMAIN}"
        self.ip = f"10.0.1.{10 + index}"
        self.peers = [f"10.0.1.{10 + i}" for i in range(1, count + 1)]
        self.machine_account = f"{self.name}$"
        rng = random.Random(f"{seed}/host/{self.name}")
        self.rng_ids = rng
        self.guid_prefix = hexid(rng, 8).upper()
        self.health_mailboxes = [f"HealthMailbox{hexid(rng, 32)}" for _ in range(3)]
        self.oab_guid = new_guid(rng)
        self.oab_vdir_id = new_guid(rng)
        self.procs = {}
        self._proc("system", 4, "System", "", "NT AUTHORITY\\SYSTEM")
        self._proc("lsass", rng.randrange(600, 800, 4), S32 + "lsass.exe",
                   "C:\\Windows\\system32\\lsass.exe", "NT AUTHORITY\\SYSTEM")
        self._proc("services", rng.randrange(560, 600, 4), S32 + "services.exe",
                   "C:\\Windows\\system32\\services.exe", "NT AUTHORITY\\SYSTEM")
        self._proc("svchost_was", rng.randrange(1800, 2600, 4), S32 + "svchost.exe",
                   "C:\\Windows\\system32\\svchost.exe -k iissvcs", "NT AUTHORITY\\SYSTEM")
        self._proc("svchost_schedule", rng.randrange(900, 1400, 4), S32 + "svchost.exe",
                   "C:\\Windows\\system32\\svchost.exe -k netsvcs", "NT AUTHORITY\\SYSTEM")
        self._proc("svchost_dcom", rng.randrange(700, 900, 4), S32 + "svchost.exe",
                   "C:\\Windows\\system32\\svchost.exe -k DcomLaunch", "NT AUTHORITY\\SYSTEM")
        self._proc("msmpeng", rng.randrange(2600, 3200, 4),
                   "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.2102.4-0\\MsMpEng.exe",
                   "\"C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.2102.4-0\\MsMpEng.exe\"",
                   "NT AUTHORITY\\SYSTEM")
        for pool in APP_POOLS:
            cmd = w3wp_cmdline(pool, new_guid(rng))
            self._proc(pool, rng.randrange(3000, 16000, 4), S32 + "inetsrv\\w3wp.exe", cmd,
                       "NT AUTHORITY\\SYSTEM", cwd=S32 + "inetsrv\\")
        self._proc("umservice", rng.randrange(3000, 9000, 4), EXBIN + "UMService.exe",
                   f"\"{EXBIN}UMService.exe\"", "NT AUTHORITY\\SYSTEM")
        self._proc("umworker", rng.randrange(3000, 9000, 4), EXBIN + "UMWorkerProcess.exe",
                   f"\"{EXBIN}UMWorkerProcess.exe\" -perfenum:MSExchangeUMWorkerProcess "
                   f"-UMWorkerProcessType:Worker", "NT AUTHORITY\\SYSTEM")
        self._proc("hmhost", rng.randrange(2000, 3000, 4), EXBIN + "MSExchangeHMHost.exe",
                   f"\"{EXBIN}MSExchangeHMHost.exe\"", "NT AUTHORITY\\SYSTEM")
        self._proc("transport", rng.randrange(3000, 9000, 4), EXBIN + "EdgeTransport.exe",
                   f"\"{EXBIN}EdgeTransport.exe\"", "NT AUTHORITY\\NETWORK SERVICE")
        self._proc("assistants", rng.randrange(3000, 9000, 4),
                   EXBIN + "MSExchangeMailboxAssistants.exe",
                   f"\"{EXBIN}MSExchangeMailboxAssistants.exe\"", "NT AUTHORITY\\SYSTEM")
        self._proc("mrs", rng.randrange(3000, 9000, 4), EXBIN + "MSExchangeMailboxReplication.exe",
                   f"\"{EXBIN}MSExchangeMailboxReplication.exe\"", "NT AUTHORITY\\SYSTEM")
        self._proc("hostcontroller", rng.randrange(2000, 3000, 4),
                   EXBIN + "Search\\Ceres\\HostController\\hostcontrollerservice.exe",
                   f"\"{EXBIN}Search\\Ceres\\HostController\\hostcontrollerservice.exe\"",
                   "NT AUTHORITY\\SYSTEM")
        self._proc("explorer", rng.randrange(5000, 9000, 4), "C:\\Windows\\explorer.exe",
                   "C:\\Windows\\Explorer.EXE", f"{NETBIOS}\\adm-admin", integrity="High",
                   logon_id=f"0x{rng.randrange(0x100000, 0x9fffff):x}")
        self.record_numbers = {}
        self._next_pid = rng.randrange(9000, 12000, 4)

    def _proc(self, key, pid, image, cmdline, user, integrity="System", cwd=S32,
              logon_id="0x3e7"):
        p = Proc(pid, self.process_guid(self.rng_ids), image, cmdline, user, integrity, cwd,
                 logon_id)
        self.procs[key] = p
        return p

    def process_guid(self, rng):
        return (f"{{{self.guid_prefix}-{hexid(rng, 4).upper()}-{hexid(rng, 4).upper()}-"
                f"{hexid(rng, 4).upper()}-{hexid(rng, 12).upper()}}}")

    def new_pid(self, rng):
        self._next_pid = 1000 + (self._next_pid + rng.randrange(4, 400, 4)) % 30000
        return self._next_pid

    def spawn(self, rng, parent, image, cmdline, user=None, integrity=None, cwd=None):
        """A child process of `parent` (a Proc): new pid and Sysmon process GUID."""
        return Proc(self.new_pid(rng), self.process_guid(rng), image, cmdline,
                    user or parent.user, integrity or parent.integrity, cwd or parent.cwd,
                    parent.logon_id)

    def record_number(self, channel):
        n = self.record_numbers.get(channel)
        if n is None:
            n = 10000 + (int(hashlib.md5((self.name + channel).encode()).hexdigest()[:6], 16)
                         % 900000)
        self.record_numbers[channel] = n + 1
        return n
