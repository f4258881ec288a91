"""Injectable attack timelines, after the real traces in
../shared/reference/hafnium-detection.md §1 and §4 (helsecert incident 2021-03-03: SSRF to
Set-OabVirtualDirectory in 11 s, reset 2.4 s later; OTRF PoC: .aspx written 0.7 s after the reset,
compiled 1.6 s later, `cmd /c whoami` 40 ms after that; shells used again days later).

Each timeline is a function (em, t, rng, ctx, truth): it writes its records through the host's
Emitter and appends one truth entry per step (what happened, where it shows, CVE / ATT&CK).
ctx carries what the plan decided: attacker addresses, the web shell (its URL path, file path and
application pool), the attack's index.
"""

from . import exploits as X
from . import postex as P
from .timeline import ATTACKER_IPS, CHROME65, CHROME88, EXFIL_IPS, plan_shell  # noqa: F401

VARIANTS = {"lsass_dump": ("comsvcs", "procdump")}
NAMES = ("proxylogon", "webshell_use", "mailbox_theft", "lsass_dump", "um_exploit", "oab_write",
         "webshell_scan")
DESCRIPTIONS = {
    "proxylogon": "CVE-2021-26855 SSRF (HttpProxy ServerInfo~ / X-BEResource) -> CVE-2021-27065 "
                  "Set-OabVirtualDirectory with a <script> URL -> reset -> .aspx written by "
                  "System -> first request -> w3wp spawning cmd.exe",
    "webshell_use": "a request for an earlier-dropped web shell -> w3wp -> cmd (whoami, net) and "
                    "powershell",
    "mailbox_theft": "via the shell: Mailbox Import Export role, New-MailboxExportRequest into "
                     "a web folder -> .pst written -> GET of the .pst from outside -> "
                     "Remove-MailboxExportRequest",
    "lsass_dump": "via the shell: comsvcs MiniDump or procdump -ma of LSASS -> 7-Zip/RAR of the "
                  ".dmp into a web folder -> GET of the archive from outside",
    "um_exploit": "CVE-2021-26857 UM InvalidCastException -> UMWorkerProcess spawning cmd.exe "
                  "-> UMWorkerProcess writing help.aspx (CVE-2021-26858)",
    "oab_write": "CVE-2021-26858 through the OAB generator: temporary file outside "
                 "ClientAccess\\OAB -> .aspx in aspnet_client -> request for it",
    "webshell_scan": "another actor probing published web-shell names (helsecert, March 6 and "
                     "8): ~10 names x 3 host names in ~20 s, 302 for absent pages, 200 for a "
                     "shell that is there",
}

TIMELINES = {"proxylogon": X.proxylogon, "webshell_use": P.webshell_use,
             "mailbox_theft": P.mailbox_theft, "lsass_dump": P.lsass_dump,
             "um_exploit": X.um_exploit, "oab_write": X.oab_write,
             "webshell_scan": P.webshell_scan}
