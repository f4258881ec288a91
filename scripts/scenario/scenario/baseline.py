"""The benign baseline of one host, hour by hour.

Rate model: `rate` is the mean number of benign log records per second on the host (all files
together). 70% of it follows the working day (user traffic, busiest 08:00-16:00 UTC), 30% is
flat (Managed Availability probes, load-balancer checks, service activity). Each hour draws its
actions as a Poisson process from its own random stream (seeded by seed, host and hour), so an
hour's content does not depend on the others. Daily jobs (ASP.NET compiles after the nightly
application pool recycle, administrators' virtual-directory changes and shell sessions, the log
archive task, Defender driver updates, Microsoft's nmap probe, OAB generation cycles) come on
top, a handful per day, independent of the rate.
"""

import random

from . import benign_web as web
from . import benign_windows as win
from .clock import MS_PER_DAY, MS_PER_HOUR, MS_PER_MIN, gm, hour_of

# (action, weight, log records it writes on average)
USER_ACTIONS = (
    (web.owa_service, 30, 2), (web.owa_notification, 8, 2), (web.owa_static, 6, 2),
    (web.owa_logon, 2.5, 14), (web.owa_auth_pages, 0.3, 2), (web.activesync, 16, 2),
    (web.ews, 8, 2), (web.mapi, 20, 2), (web.autodiscover, 4, 2), (web.oab_download, 1.5, 2),
    (web.rpc_http, 1.5, 2), (web.ecp_user_options, 1, 3), (web.ecp_admin, 0.6, 3),
)
MACHINE_ACTIONS = (
    (web.health_probe, 20, 1.6), (web.lb_check, 10, 1), (web.powershell_remote, 2, 2),
    (win.network, 10, 1), (win.system_cmdlet, 5, 1), (win.file_write, 5, 1),
    (win.process_tree, 4, 2), (win.lsass_access, 1, 1), (win.um_event, 0.6, 1),
)
USER_SHARE = 0.7
# Relative user activity per UTC hour (a Central European working day), mean 1.
_PROFILE = (0.25, 0.2, 0.2, 0.2, 0.25, 0.4, 0.8, 1.4, 1.9, 2.0, 1.9, 1.8, 1.6, 1.8, 1.9, 1.8,
            1.5, 1.0, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3)
PROFILE = tuple(p * 24 / sum(_PROFILE) for p in _PROFILE)


def _table(actions):
    funcs = [a[0] for a in actions]
    cum, total, records = [], 0.0, 0.0
    for _, w, r in actions:
        total += w
        cum.append(total)
        records += w * r
    return funcs, cum, records / total


class Baseline:
    def __init__(self, seed, host, org, rate, start_ms, end_ms, emitter):
        self.seed, self.host, self.org = seed, host, org
        self.start, self.end, self.em = start_ms, end_ms, emitter
        self.user = _table(USER_ACTIONS)
        self.machine = _table(MACHINE_ACTIONS)
        # actions per ms
        self.user_rate = rate * USER_SHARE / self.user[2] / 1000.0
        self.machine_rate = rate * (1 - USER_SHARE) / self.machine[2] / 1000.0
        self._days = {}

    def hour(self, h0):
        """Records of the actions that start in [h0, h0 + 1h) within the scenario window
        (some end a little later: long polls, multi-request logons)."""
        em = self.em
        lo, hi = max(h0, self.start), min(h0 + MS_PER_HOUR, self.end)
        em.out = []
        if lo >= hi:
            return em.out
        rng = random.Random(f"{self.seed}/{self.host.name}/hour/{h0}")
        em.rng = rng
        for (funcs, cum, _), per_ms in ((self.user, self.user_rate * PROFILE[hour_of(h0)]),
                                        (self.machine, self.machine_rate)):
            if per_ms <= 0:
                continue
            times = []
            t = lo + rng.expovariate(per_ms)
            while t < hi:
                times.append(int(t))
                t += rng.expovariate(per_ms)
            for t, f in zip(times, rng.choices(funcs, cum_weights=cum, k=len(times))):
                f(em, t, rng)
        day = h0 // MS_PER_DAY
        for i, (t, job, args) in enumerate(self._day_jobs(day)):
            if lo <= t < hi:
                em.rng = random.Random(f"{self.seed}/{self.host.name}/job/{day}/{i}")
                job(em, t, em.rng, *args)
        em.rng = rng
        return em.out

    def _day_jobs(self, day):
        jobs = self._days.get(day)
        if jobs is not None:
            return jobs
        rng = random.Random(f"{self.seed}/{self.host.name}/day/{day}")
        d0 = day * MS_PER_DAY

        def at(h_lo, h_hi):
            return d0 + int(rng.uniform(h_lo, h_hi) * MS_PER_HOUR)

        jobs = []
        for _ in range(rng.randint(1, 3)):
            jobs.append((at(0.9, 1.6) if not jobs else at(0, 24), win.compile_burst, ()))
        if rng.random() < 0.35:
            jobs.append((at(7, 17), win.admin_set_vdir, ()))
        if rng.random() < 0.6:
            jobs.append((at(7, 17), win.admin_shell_session, ()))
        if rng.random() < 0.95:
            y = gm(d0 - MS_PER_DAY)
            label = f"{y.tm_year % 100:02d}{y.tm_mon:02d}{y.tm_mday:02d}"
            jobs.append((d0 + 2 * MS_PER_HOUR + rng.randint(0, 15 * MS_PER_MIN),
                         win.log_archive, (label,)))
        if rng.random() < 0.3:
            jobs.append((at(0, 24), win.defender_driver, ()))
        if rng.random() < 0.15:
            jobs.append((at(8, 16), win.nmap_probe, ()))
        phase = rng.uniform(0, 8)
        for k in range(3):
            jobs.append((d0 + int((phase + 8 * k) * MS_PER_HOUR), win.oab_cycle, ()))
        jobs.sort(key=lambda j: j[0])
        if len(self._days) > 4:
            self._days.clear()
        self._days[day] = jobs
        return jobs
