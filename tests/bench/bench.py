"""Seatkeeper's sync benchmark (run it through tests/bench/run.sh, which builds the binaries).

Scenarios, each against its own smartsheet-sim:
  1. full sync (subscriptions + activity) with the simulator's rate limit off, by the bench driver
     (the same path as `seatkeeper run`) and by tests/bench/sdk_sync.py (official Python SDK):
     wall time, requests, peak RSS of the syncing process (wait4 ru_maxrss); both results compared.
  2. a smaller org with the simulator's 300/min limit (and the client's own 300/min): wall time
     against the floor.
  3. on scenario 1's org: POST /__sim/clock/advance?days=1, then an incremental run.
Writes a Markdown report (docs/benchmarks.md for the full run). Fails (exit 1) only when a sync
failed or its results are incomplete or inconsistent — never on time.
"""

import argparse
import datetime as dt
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

SYSTEM_USER_IDS = {
    1688855062570884, 2814754969413508, 3377704922834820, 3940654876256132,
    5066554783098756, 5629504736520068, 6192454689941380, 7881304550205316,
}

CONFIGS = {
    # runs: Seatkeeper's full sync is timed this many times (each into a fresh database) and the
    # median is reported; the SDK script, at minutes a run, once.
    # bind_users/bind_events: an organization big enough (> 300 requests) that the 300/min limit
    # binds, to see how close to the token bucket's own floor the client paces itself.
    # reclaim_users/reclaim_count: section 6, reclaiming that many approved candidates at 300/min.
    "full": dict(users=50000, days=60, events=2000000, rl_users=5000, rl_days=60, rl_events=200000, sdk=True, runs=3,
                 bind_users=50000, bind_events=200000, reclaim_users=5000, reclaim_count=1000),
    "small": dict(users=2000, days=60, events=40000, rl_users=300, rl_days=60, rl_events=6000, sdk=True, runs=1,
                  bind_users=None, bind_events=None, reclaim_users=300, reclaim_count=30),
}

problems = []


def check(ok, what):
    if not ok:
        problems.append(what)
        print(f"bench: INCONSISTENT: {what}", file=sys.stderr)


class Sim:
    def __init__(self, binary, *args):
        self.proc = subprocess.Popen([binary, "serve", "--seed", "1", *map(str, args)],
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit("bench: smartsheet-sim printed no start line")
        info = json.loads(line)
        self.base_url = info["base_url"]
        self.token = info["tokens"]["admin"]
        self.control = self.base_url.removesuffix("/2.0") + "/__sim"
        # The control endpoints answer only requests that carry the secret from the start line.
        self.control_headers = {"X-Sim-Control-Secret": info["control_secret"]}

    def state(self):
        req = urllib.request.Request(self.control + "/state", headers=self.control_headers)
        with urllib.request.urlopen(req) as r:
            return json.load(r)

    def advance(self, days):
        req = urllib.request.Request(f"{self.control}/clock/advance?days={days}", data=b"", method="POST",
                                     headers=self.control_headers)
        with urllib.request.urlopen(req) as r:
            assert r.status == 200

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def measured(cmd, env):
    """Runs cmd as a child; returns (stdout, seconds, peak RSS in MiB)."""
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out, err = b"", b""
    # communicate() would reap the child; read the pipes, then wait4 for its rusage.
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - t0
    if proc.returncode != 0:
        raise SystemExit(f"bench: {' '.join(cmd[:2])} failed ({proc.returncode}): {err.decode(errors='replace')}")
    return out.decode(), seconds, usage.ru_maxrss / 1024


def driver_env(token):
    env = dict(os.environ)
    env["SEATKEEPER_BENCH_TOKEN"] = token
    return env


def prepare(driver, db, sim):
    out = subprocess.run([driver, "prepare", "--db", db, "--url", sim.base_url], env=driver_env(sim.token),
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def sync(driver, db, sim, rate_limit):
    out, seconds, rss = measured([driver, "run", "--db", db, "--rate-limit", rate_limit],
                                 driver_env(sim.token))
    results = [json.loads(line) for line in out.splitlines() if line.strip()]
    for r in results:
        check(r["status"] == "succeeded", f"a job failed: {r.get('errorMessage')}")
    return results, seconds, rss


def db_counts(db):
    c = sqlite3.connect(db)
    one = lambda q: c.execute(q).fetchone()[0]
    counts = dict(
        subscriptions=one("SELECT count(*) FROM software_subscriptions"),
        open=one("SELECT count(*) FROM software_subscriptions WHERE closed_at IS NULL"),
        activity=one("SELECT count(*) FROM user_activity WHERE source = 'events'"),
        daily=one("SELECT coalesce(sum(count), 0) FROM user_activity_daily"),
        has_position=one("SELECT count(*) FROM sync_state WHERE events_position IS NOT NULL"),
    )
    last = {uid: at for uid, at in c.execute("SELECT user_id, last_activity_at FROM user_activity WHERE source='events'")}
    c.close()
    return counts, last


def ts(s):
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00"))


def machine():
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    free = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "src-tauri"], capture_output=True,
                           text=True).stdout.strip()
    return dict(nproc=os.cpu_count(), cpu=cpu, free=free, commit=commit + (" (+ uncommitted changes)" if dirty else ""),
                date=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), kernel=platform.release())


def splice_ui(report, ui):
    """Replaces section 4 of an existing report with a UI benchmark run alone (`run.sh --ui-only`),
    and says so under the report's date and commit; the other sections stay those of their run."""
    with open(report) as f:
        text = f.read()
    start, end = text.index("## 4. "), text.index("## 5. ")
    m = machine()
    text = text[:start] + "\n".join(ui_section(ui)) + "\n" + text[end:]
    lines = [line for line in text.split("\n") if not line.startswith("- section 4 run alone: ")]
    at = next(i for i, line in enumerate(lines) if line.startswith("- date: "))
    lines.insert(at + 1, f"- section 4 run alone: {m['date']}; commit {m['commit']}")
    with open(report, "w") as f:
        f.write("\n".join(lines))
    print(f"bench: section 4 of {report} replaced")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", choices=CONFIGS, default="full")
    ap.add_argument("--splice-ui", action="store_true",
                    help="only replace section 4 of --report with --ui (run.sh --ui-only)")
    ap.add_argument("--sim")
    ap.add_argument("--driver")
    ap.add_argument("--python", help="the SDK venv's python (no SDK comparison without it)")
    ap.add_argument("--profile", default="release")
    ap.add_argument("--report", required=True)
    ap.add_argument("--ui", help="the UI benchmark's JSON (tests/e2e/scroll.bench.mjs), reported as section 4")
    a = ap.parse_args()
    if a.splice_ui:
        if not a.ui:
            ap.error("--splice-ui needs --ui")
        return splice_ui(a.report, a.ui)
    if not (a.sim and a.driver):
        ap.error("--sim and --driver are required")
    cfg = CONFIGS[a.config]
    here = os.path.dirname(os.path.abspath(__file__))
    work = tempfile.mkdtemp(prefix="seatkeeper-bench-")
    rows = {}

    # 1. full sync, rate limit off ----------------------------------------------------------
    print(f"bench: 1. full sync of {cfg['users']} users / {cfg['events']} events (rate limit off)", flush=True)
    sim = Sim(a.sim, "--users", cfg["users"], "--days", cfg["days"], "--events", cfg["events"], "--rate-limit", "off")
    try:
        st0 = sim.state()
        timed = []
        for run in range(cfg["runs"]):
            db = os.path.join(work, f"s1-{run}.db")
            prep = prepare(a.driver, db, sim)
            since = prep["analyzeActivityFrom"]
            req0 = sim.state()["requests"]
            results, seconds, rss = sync(a.driver, db, sim, "off")
            timed.append(dict(seconds=seconds, rss=rss, results=results, db=db, sim_requests=sim.state()["requests"] - req0))
            if cfg["runs"] > 1:
                print(f"bench:    run {run + 1}: {seconds:.2f} s", flush=True)
        median = sorted(timed, key=lambda t: t["seconds"])[len(timed) // 2]
        results, seconds, db, sim_requests = median["results"], median["seconds"], median["db"], median["sim_requests"]
        rss = max(t["rss"] for t in timed)
        subs, events = results[0], results[1]
        counts, last = db_counts(db)
        check(subs["usersRead"] == counts["subscriptions"] == subs["subscriptionsCreated"],
              f"users read {subs['usersRead']} vs subscriptions stored {counts['subscriptions']}")
        check(events["eventsRead"] > 0 and counts["has_position"] == 1, "no events read or no stream position")
        s1 = dict(seconds=seconds, rss=rss, requests=subs["requests"] + events["requests"], sim_requests=sim_requests,
                  users=subs["usersRead"], events=events["eventsRead"], sim_events=st0["events"],
                  subs_seconds=(ts(subs["finishedAt"]) - ts(subs["startedAt"])).total_seconds(),
                  events_seconds=(ts(events["finishedAt"]) - ts(events["startedAt"])).total_seconds(),
                  retries=subs["retries"] + events["retries"], all_seconds=sorted(t["seconds"] for t in timed))
        print(f"bench:    seatkeeper {seconds:.1f} s, {s1['requests']} requests, peak RSS {rss:.0f} MiB, "
              f"{s1['users']} users, {s1['events']} events", flush=True)

        if a.python and cfg["sdk"]:
            sdk_db = os.path.join(work, "sdk.db")
            req0 = sim.state()["requests"]
            out, sdk_seconds, sdk_rss = measured([a.python, os.path.join(here, "sdk_sync.py"), sim.base_url, since, sdk_db],
                                                 driver_env(sim.token))
            sdk = json.loads(out.strip().splitlines()[-1])
            sdk.update(seconds=sdk_seconds, rss=sdk_rss, sim_requests=sim.state()["requests"] - req0)
            print(f"bench:    python SDK {sdk_seconds:.1f} s, {sdk['requests']} requests, peak RSS {sdk_rss:.0f} MiB",
                  flush=True)
            check(sdk["users"] == s1["users"], f"SDK read {sdk['users']} users, Seatkeeper {s1['users']}")
            check(sdk["events"] == s1["events"], f"SDK read {sdk['events']} events, Seatkeeper {s1['events']}")
            c = sqlite3.connect(sdk_db)
            sdk_last = {u: ts(at) for u, at in c.execute("SELECT user_id, last_activity FROM activity")}
            c.close()
            ours = {u: ts(at) for u, at in last.items()}
            check(sdk_last == ours, f"last activity differs for {len(set(sdk_last.items()) ^ set(ours.items()))} users "
                                    f"(SDK {len(sdk_last)} users, Seatkeeper {len(ours)})")
            s1["sdk"] = sdk
        rows["s1"] = s1

        # 3. incremental run after one simulated day ---------------------------------------
        print("bench: 3. incremental run after one simulated day", flush=True)
        before = sim.state()["events"]
        sim.advance(1)
        new_events = sim.state()["events"] - before
        req0 = sim.state()["requests"]
        results, seconds, rss = sync(a.driver, db, sim, "off")
        subs, events = results[0], results[1]
        check(events["eventsRead"] == new_events,
              f"incremental run read {events['eventsRead']} events; {new_events} were new")
        counts2, _ = db_counts(db)
        rows["s3"] = dict(seconds=seconds, rss=rss, new_events=new_events, events_read=events["eventsRead"],
                          events_requests=events["requests"], subs_requests=subs["requests"],
                          sim_requests=sim.state()["requests"] - req0, users=subs["usersRead"],
                          created=subs["subscriptionsCreated"], updated=subs["subscriptionsUpdated"],
                          daily_before=counts["daily"], daily_after=counts2["daily"],
                          events_seconds=(ts(events["finishedAt"]) - ts(events["startedAt"])).total_seconds())
        print(f"bench:    {seconds:.1f} s, events job: {events['requests']} requests for {events['eventsRead']} "
              f"events ({new_events} new)", flush=True)

        # 5. computing the removal candidates of scenario 1's organization ---------------------
        print("bench: 5. computing the removal candidates", flush=True)
        out = subprocess.run([a.driver, "candidates", "--db", db], env=driver_env(sim.token), check=True,
                             capture_output=True, text=True).stdout
        rows["s5"] = json.loads(out)
        s5 = rows["s5"]
        check(s5["subscriptions"] == counts2["subscriptions"], "candidates computed on another database")
        print(f"bench:    {s5['open']} candidates of {s5['subscriptions']} subscriptions: from none "
              f"{sorted(s5['warmFromNoneMs'])[2]:.1f} ms (first, cache cold: {s5['fromNoneMs']:.1f} ms), "
              f"again {sorted(s5['againMs'])[2]:.1f} ms (medians of 5)", flush=True)
    finally:
        sim.stop()

    # 2. rate limited ------------------------------------------------------------------------
    print(f"bench: 2. {cfg['rl_users']} users / {cfg['rl_events']} events with the 300/min rate limit", flush=True)
    rows["s2"] = rate_limited_sync(a, work, "s2", cfg["rl_users"], cfg["rl_days"], cfg["rl_events"])
    s2 = rows["s2"]
    print(f"bench:    {s2['seconds']:.1f} s for {s2['requests']} requests (floor {s2['floor']:.1f} s; "
          f"token-bucket floor {s2['bucket_floor']:.1f} s), {s2['retries']} retries", flush=True)

    # 2b. rate limited, and the limit binds ----------------------------------------------------
    if cfg["bind_users"]:
        print(f"bench: 2b. {cfg['bind_users']} users / {cfg['bind_events']} events with the 300/min rate limit "
              "(more than the burst of 300 requests)", flush=True)
        rows["s2b"] = rate_limited_sync(a, work, "s2b", cfg["bind_users"], cfg["rl_days"], cfg["bind_events"])
        s2b = rows["s2b"]
        print(f"bench:    {s2b['seconds']:.1f} s for {s2b['requests']} requests (token-bucket floor "
              f"{s2b['bucket_floor']:.1f} s), {s2b['retries']} retries", flush=True)

    # 6. reclaiming approved candidates at 300/min ----------------------------------------------
    print(f"bench: 6. reclaiming {cfg['reclaim_count']} approved candidates with the 300/min rate limit", flush=True)
    rows["s6"] = rate_limited_reclaim(a, work, cfg)
    s6 = rows["s6"]
    print(f"bench:    {s6['seconds']:.1f} s for {s6['requests']} requests (token-bucket floor {s6['bucket_floor']:.1f} s), "
          f"{s6['reclaimed']} reclaimed", flush=True)

    write_report(a, cfg, rows)
    if problems:
        print("bench: FAILED: " + "; ".join(problems), file=sys.stderr)
        sys.exit(1)
    print(f"bench: ok, report in {a.report}")


def rate_limited_sync(a, work, name, users, days, events):
    """A fresh organization with the simulator's 300/min limit and the client's own (the default):
    prepare a profile, time its sync, and check that every user was stored."""
    sim = Sim(a.sim, "--users", users, "--days", days, "--events", events, "--rate-limit", "300")
    try:
        db = os.path.join(work, f"{name}.db")
        prepare(a.driver, db, sim)
        prep_requests = sim.state()["requests"]
        results, seconds, rss = sync(a.driver, db, sim, "300")
        total = sim.state()["requests"]
        subs, events_job = results[0], results[1]
        counts, _ = db_counts(db)
        check(subs["usersRead"] == counts["subscriptions"], f"rate-limited run {name}: users read vs stored")
        # The limit is a token bucket with a burst of 300 that starts full (the simulator's and the
        # client's): only what exceeds the burst, the validation's requests included, has to wait.
        return dict(seconds=seconds, requests=total - prep_requests, prep_requests=prep_requests,
                    floor=(total - prep_requests) / 300 * 60, bucket_floor=max(0, total - 300) / 300 * 60,
                    retries=subs["retries"] + events_job["retries"], rss=rss, users=subs["usersRead"],
                    events=events_job["eventsRead"])
    finally:
        sim.stop()


def rate_limited_reclaim(a, work, cfg):
    """A fresh organization with the simulator's 300/min limit: sync it, then reclaim the first N Ready
    candidates (the paid rules' threshold set to 7 days so that there are enough) as `seatkeeper
    reclaim --candidate … --yes` does. In the full configuration the bucket is let to fill up (61 s)
    before the reclaim, so that its floor is its own: the first 300 requests free, then 5 a second."""
    users, count = cfg["reclaim_users"], cfg["reclaim_count"]
    sim = Sim(a.sim, "--users", users, "--days", 60, "--events", users * 8, "--rate-limit", "300")
    try:
        db = os.path.join(work, "s6.db")
        prepare(a.driver, db, sim)
        sync(a.driver, db, sim, "300")
        if a.config == "full":
            time.sleep(61)
        before = sim.state()["requests"]
        out, seconds, rss = measured([a.driver, "reclaim", "--db", db, "--count", str(count), "--rate-limit", "300"],
                                     driver_env(sim.token))
        requests = sim.state()["requests"] - before
        r = json.loads(out.strip().splitlines()[-1])["result"]
        check(r["status"] == "succeeded", f"the reclaim failed: {r.get('errorMessage')}")
        check(r["candidatesReclaimed"] + r["candidatesCanceled"] + r["candidatesFailed"] == count,
              f"the reclaim settled {r['candidatesReclaimed']}+{r['candidatesCanceled']}+{r['candidatesFailed']} of {count}")
        check(r["candidatesFailed"] == 0, f"{r['candidatesFailed']} candidates need attention")
        c = sqlite3.connect(db)
        audited = c.execute("SELECT count(*) FROM audit_log l JOIN audit_outcomes o ON o.audit_id = l.id "
                            "WHERE o.outcome IN ('succeeded', 'applied')").fetchone()[0]
        c.close()
        check(audited == r["candidatesReclaimed"], f"{audited} audited writes for {r['candidatesReclaimed']} reclaimed")
        return dict(seconds=seconds, requests=requests, bucket_floor=max(0, requests - 300) / 300 * 60, rss=rss,
                    reclaimed=r["candidatesReclaimed"], canceled=r["candidatesCanceled"], count=count, users=users,
                    job_seconds=(ts(r["finishedAt"]) - ts(r["startedAt"])).total_seconds(), retries=r["retries"])
    finally:
        sim.stop()


def ui_section(path):
    """Section 4: the Software Subscriptions list, the Removal Candidates and the License Usage view in
    the real app window (tests/e2e/scroll.bench.mjs)."""
    with open(path) as f:
        u = json.load(f)
    fm, idle, plain = u["frameMs"], u["idleFrameMs"], u["plainFrameMs"]
    c = u["candidates"]
    screen, related = c["screen"], c["related"]
    w = u["ipcWindowMs"]

    def ms(value):
        return "—" if value is None else f"{value} ms"

    settled = u.get("settled")
    first_ok = u["firstRowsMs"] < 300
    ss, sc = (settled["subscriptions"], settled["candidates"]) if settled else (None, None)
    settled_ok = settled is not None and ss["firstRowsMs"] < 300
    related_ok = related["firstRowsMs"] is not None and related["firstRowsMs"] < 300
    # None: the organization had no candidate yet, so there were no rows to time.
    screen_verdict = "not timed (no candidate yet)" if screen["firstRowsMs"] is None else met(screen["firstRowsMs"] < 300)
    related_settled_ok = settled is not None and sc["firstRowsMs"] < 300
    lu = u["licenseUsage"]
    # The page may show data its query read earlier (the profile page shows the same view), so the
    # view is judged on its data's own time through IPC too.
    usage_ok = lu["allMs"] is not None and lu["allMs"] < 500 and lu["ipcMs"] < 500
    return [
        f"## 4. The Software Subscriptions list with {u['users']:,} rows, the Removal Candidates and the License "
        "Usage view, in the app's window",
        "",
        "The app binary in a real WebKitGTK window under Xvfb (software rendering, no GPU), driven through "
        "tauri-driver (`tests/e2e/scroll.bench.mjs`): a profile on a simulator of that size"
        + (f" with {u['events']:,} events over 60 days" if u.get("events") else "")
        + ", published; once its "
        "first refreshes (subscriptions, then events) are over, the list is opened and scrolled, then the Removal "
        "Candidates and the License Usage view are opened. Both lists read windows of rows from SQLite as they scroll (filters and sort in the "
        "core); times to the first rows are measured in the page, from the click to the first frame painted after "
        "the first row is in the document.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| open the list: click on the tab → first rows shown (the first window read from SQLite, rendered) | "
        f"{u['firstRowsMs']} ms |",
        f"| open the list: click on the tab → \"{u['users']:,} rows\" | {u['openMs']} ms |",
        f"| open the list: click on the tab → the first rows put in the document (before their layout and paint) | "
        f"{u['rowsInDocumentMs']} ms |",
        f"| open the list: click on the tab → its first paint (the loading skeleton, or the list) | {u['panelMs']} ms |",
    ] + ([
        f"| the list opened again on a settled page (the profile page reloaded, its License Usage view drawn, the "
        f"page scrolled to the related lists' tabs, then {settled['settleMs'] / 1000:g} s left alone), median of "
        f"{settled['samples']}: click on the tab → first rows (→ put in the document; → the tab's first paint); each "
        f"opening's first rows | {ss['firstRowsMs']} ms ({ss['rowsInDocumentMs']} ms; {ss['panelMs']} ms); "
        f"{' / '.join(str(v) for v in ss['allFirstRowsMs'])} ms |",
    ] if settled else []) + [

        f"| scroll, {u['stepPx']} px per animation frame, {u['frames']} frames: frame time median / 95th pct / worst | "
        f"{fm['median']:.0f} / {fm['p95']:.0f} / {fm['worst']:.0f} ms |",
        f"| the floor: a plain static HTML list of one-line rows over the same area, scrolled the same way: "
        f"median / 95th pct | {plain['median']:.0f} / {plain['p95']:.0f} ms |",
        f"| the same window with nothing changing: frame time median / 95th pct | {idle['median']:.0f} / {idle['p95']:.0f} ms |",
        f"| frames where the middle of the list showed no row (rendering fell behind) | {u['blankFrames']} |",
        f"| frames where the middle of the list showed a row still being read (its window not there yet) | "
        f"{u['loadingFrames']} |",
        f"| most table rows in the DOM at once | {u['maxRowsInDom']} |",
        f"| jump to the end: until the last row is rendered (its window read) | {ms(u['jumpToEndMs'])} |",
        f"| one window of 200 rows through IPC from the page (the core's query, the answer), median of 5: "
        f"Software Subscriptions by e-mail / by last activity / not excluded and matching \"a\" / the last window; "
        f"Removal Candidates | {w['subscriptions']} / {w['subscriptionsByLastActivity']} / {w['subscriptionsFiltered']} / "
        f"{w['subscriptionsLast']} ms; {w['candidates']} ms |",
        f"| the same, Software Subscriptions by e-mail: a window of 20 rows; a profile without subscriptions (the IPC "
        f"round trip) | {w['subscriptions20']} ms; {w['floor']} ms |",
        f"| Removal Candidates screen, first opened, rules as the sync made them: {screen['candidates']:,} candidates; "
        f"click → first rows (→ the screen's first paint) | {ms(screen['firstRowsMs'])} ({ms(screen['panelMs'])}) |",
        f"| the profile's Removal Candidates, the paid rule's threshold lowered to {c['thresholdDays']} day(s) and no "
        f"grace period: {related['candidates']:,} candidates; click on the tab → first rows (→ the tab's first paint) | "
        f"{ms(related['firstRowsMs'])} ({ms(related['panelMs'])}) |",
    ] + ([
        f"| the same, on a settled page as above, median of {settled['samples']}: click on the tab → first rows (→ "
        f"put in the document; → the tab's first paint); each opening's first rows | {sc['firstRowsMs']} ms "
        f"({sc['rowsInDocumentMs']} ms; {sc['panelMs']} ms); {' / '.join(str(v) for v in sc['allFirstRowsMs'])} ms |",
    ] if settled else []) + [
        f"| the License Usage view, first opened from the navigation: click → headline figures / the table per model "
        f"/ everything shown ({lu['charts']} charts drawn) | {ms(lu['figuresMs'])} / {ms(lu['tableMs'])} / "
        f"{ms(lu['allMs'])} |",
        f"| the License Usage view's data through IPC (the core's aggregation over every user, event and kept "
        f"reconciliation, and the answer), median of 5 | {lu['ipcMs']} ms |",
        "",
        "Time to the first rows under 300 ms: the Software Subscriptions list "
        + (f"right after the refreshes {met(first_ok)}, on a settled page {met(settled_ok)}" if settled else met(first_ok))
        + f"; the Removal Candidates screen first opened ({screen['candidates']:,}) {screen_verdict}"
        + f"; the profile's Removal Candidates ({related['candidates']:,}) "
        + (f"after another screen {met(related_ok)}, on a settled page {met(related_settled_ok)}" if settled else met(related_ok))
        + ". The License Usage view shown whole, and its "
        f"data read, under 500 ms: {met(usage_ok)}.",
        "",
        f"Virtualization keeps the DOM to the rows in view whatever the list's length "
        f"({'no frame showed an empty list' if u['blankFrames'] == 0 else 'but some frames showed an empty list'}). "
        f"Frame times here are the software renderer's, so they say little about a desktop with a GPU; what this "
        f"machine can say is the list's cost over the plain list's: **{fm['median'] / plain['median']:.2f}×** "
        "(median frame).",
        "",
    ]


def met(ok):
    return "**met**" if ok else "**not met**"


def write_report(a, cfg, rows):
    m = machine()
    s1, s2, s3 = rows["s1"], rows["s2"], rows["s3"]
    sdk = s1.get("sdk")
    lines = [
        "# Benchmarks",
        "",
        f"Written by `tests/bench/run.sh{' --small' if a.config == 'small' else ''}` — do not edit by hand; "
        "run `npm run bench` to refresh.",
        "",
        f"- date: {m['date']}; commit {m['commit']}; {a.profile} build",
        f"- machine: {m['nproc']} CPUs (`nproc`), {m['cpu']}, Linux {m['kernel']}",
        "- memory (`free -h`):",
        "",
        "```",
        m["free"],
        "```",
        "",
        "The simulator runs on the same machine (same 2 cores) as the syncing process. Seatkeeper is measured "
        "through `examples/bench_sync.rs`, which calls the same `seatkeeper_cli::run_jobs` as `seatkeeper run` "
        "(the core's subscriptions and activity jobs, SQLite in WAL mode on disk); only the API key comes from the "
        "environment instead of the keychain. Peak RSS is the child's `ru_maxrss` (wait4).",
        "",
        f"## 1. Full sync: {cfg['users']:,} users / {cfg['events']:,} events, rate limit off",
        "",
        f"`smartsheet-sim serve --users {cfg['users']} --days {cfg['days']} --events {cfg['events']} --rate-limit off`. "
        f"\"Analyze user activity from\" is at most 60 days back, so the history is generated over {cfg['days']} days "
        "and the whole stream is read (with `--days 120` only the last 60 days — about half — would be).",
        "",
        (f"Seatkeeper's sync was timed {len(s1['all_seconds'])} times, each into a fresh database: "
         + ", ".join(f"{x:.2f} s" for x in s1["all_seconds"])
         + "; the table shows the median run (peak RSS: the highest of the runs). The SDK script ran once."
         if len(s1["all_seconds"]) > 1 else "One timed run each."),
        "",
        "| | Seatkeeper | Python SDK 4.4.0 script |",
        "|---|---|---|",
        f"| wall time | {s1['seconds']:.2f} s (subscriptions {s1['subs_seconds']:.2f} s, events {s1['events_seconds']:.2f} s) "
        f"| {sdk['seconds']:.2f} s |" if sdk else f"| wall time | {s1['seconds']:.2f} s | (not run) |",
        f"| requests | {s1['requests']} ({s1['retries']} retries) | {sdk['requests']} |" if sdk else
        f"| requests | {s1['requests']} | |",
        f"| peak RSS | {s1['rss']:.0f} MiB | {sdk['rss']:.0f} MiB |" if sdk else f"| peak RSS | {s1['rss']:.0f} MiB | |",
        f"| users / events read | {s1['users']:,} / {s1['events']:,} | {sdk['users']:,} / {sdk['events']:,} |" if sdk else
        f"| users / events read | {s1['users']:,} / {s1['events']:,} | |",
        "",
    ]
    if sdk:
        ratio = sdk["seconds"] / s1["seconds"]
        lines += [f"Ratio: Seatkeeper is **{ratio:.1f}×** faster than the SDK script. "
                  f"Target ≥ 30×: {met(ratio >= 30)}. Peak RSS {s1['rss']:.0f} MiB, target ≤ 150 MB: "
                  f"{met(s1['rss'] * 1.048576 <= 150)}.", ""]
    else:
        lines += [f"Peak RSS {s1['rss']:.0f} MiB, target ≤ 150 MB: {met(s1['rss'] * 1.048576 <= 150)}.", ""]
    lines += [
        "Both stores agree: same users, same events, same last activity per user (checked by the harness).",
        "",
        f"## 2. Rate limited: {cfg['rl_users']:,} users / {cfg['rl_events']:,} events, 300 requests/min",
        "",
        f"Simulator `--rate-limit 300` (token bucket, burst 300) and the client's own 300/min limit (the default). "
        f"{s2['requests']} requests for the sync (after {s2['prep_requests']} for validation), {s2['retries']} retries.",
        "",
        "| wall time | floor (requests ÷ 300/min) | ratio | token-bucket floor (burst 300 first) |",
        "|---|---|---|---|",
        f"| {s2['seconds']:.2f} s | {s2['floor']:.2f} s | {s2['seconds'] / s2['floor']:.2f}× | {s2['bucket_floor']:.2f} s |",
        "",
        f"Target ≤ 1.1× the floor: {met(s2['seconds'] <= 1.1 * s2['floor'])}. "
        + ("Note: the whole sync fits in the limiter's initial burst of 300, so it runs at full speed and the "
           "\"floor\" does not bind; an org needs more than ~300 requests (≈ 25,000 users, or more events) before "
           "the limit paces the run." if s2["requests"] + s2["prep_requests"] <= 300 else ""),
        "",
        *([
            f"### 2b. The limit binding: {cfg['bind_users']:,} users / {cfg['bind_events']:,} events, 300 requests/min",
            "",
            f"The same limits on an organization that needs more than the burst: {rows['s2b']['requests']} requests "
            f"for the sync after {rows['s2b']['prep_requests']} for validation, {rows['s2b']['retries']} retries. "
            "The best any client can do is the token bucket's floor: the first 300 requests are free, each later "
            "one waits 1/300 of a minute.",
            "",
            "| wall time | token-bucket floor | ratio |",
            "|---|---|---|",
            f"| {rows['s2b']['seconds']:.2f} s | {rows['s2b']['bucket_floor']:.2f} s | "
            f"{rows['s2b']['seconds'] / rows['s2b']['bucket_floor']:.2f}× |",
            "",
            f"Within 1.1× of the floor: {met(rows['s2b']['seconds'] <= 1.1 * rows['s2b']['bucket_floor'])}.",
            "",
        ] if "s2b" in rows else []),
        "## 3. Incremental run after one simulated day",
        "",
        f"On scenario 1's organization after `POST /__sim/clock/advance?days=1`: {s3['seconds']:.2f} s in all; "
        f"the events job read **{s3['events_read']:,}** events in {s3['events_requests']} requests "
        f"({s3['new_events']:,} new events appeared), {s3['events_seconds']:.2f} s; the subscriptions job re-read "
        f"{s3['users']:,} users in {s3['subs_requests']} requests (Smartsheet has no incremental user list) "
        f"and changed {s3['created']} / {s3['updated']} (created / updated).",
        "",
        f"Target: reads only the new events: {met(s3['events_read'] == s3['new_events'])}.",
        "",
    ]
    if a.ui:
        lines += ui_section(a.ui)
    s5, s6 = rows["s5"], rows["s6"]
    again = sorted(s5["againMs"])[len(s5["againMs"]) // 2]
    warm = sorted(s5["warmFromNoneMs"])[len(s5["warmFromNoneMs"]) // 2]
    lines += [
        f"## 5. Computing the removal candidates of {s5['subscriptions']:,} subscriptions",
        "",
        "On scenario 1's organization after its incremental run, through `examples/bench_sync.rs candidates` "
        "(the core's `reclaim::compute`, one transaction, as at the end of every refresh): with no candidate yet "
        "(every one is opened) and again (each follows the activity of the open ones), five times each. A refresh "
        "computes them on the connection that has just read and written the same rows; the first computation of "
        "this process, on a database just opened (its pages not yet in SQLite's cache), is shown apart.",
        "",
        "| open candidates | from none (median of 5) | again (median of 5) | first, cache cold |",
        "|---|---|---|---|",
        f"| {s5['open']:,} | {warm:.1f} ms | {again:.1f} ms | {s5['fromNoneMs']:.1f} ms |",
        "",
        f"Target under 100 ms: {met(max(warm, again) < 100)}.",
        "",
        f"## 6. Reclaiming {s6['count']:,} approved candidates at 300 requests/min",
        "",
        f"A {s6['users']:,}-user organization with the simulator's `--rate-limit 300` and the client's own 300/min; "
        "the paid rules' threshold set to 7 days so that enough seats are candidates; the first "
        f"{s6['count']:,} Ready ones confirmed and reclaimed by the reclaim job (`seatkeeper reclaim --candidate … "
        "--yes`'s path). Each candidate takes a fresh read of the user (`GET /users?email=…` with the plan and last login) "
        "and the write; the floor is the token bucket's for the requests the run made "
        + ("(the bucket was let to fill for 61 s first)." if a.config == "full" else
           "(small configuration: the run fits in the burst, so the floor does not bind)."),
        "",
        "| wall time | job | requests | token-bucket floor | ratio | reclaimed / canceled (active) | retries |",
        "|---|---|---|---|---|---|---|",
        f"| {s6['seconds']:.2f} s | {s6['job_seconds']:.2f} s | {s6['requests']} | {s6['bucket_floor']:.2f} s | "
        + (f"{s6['seconds'] / s6['bucket_floor']:.2f}× | " if s6["bucket_floor"] > 0 else "— | ")
        + f"{s6['reclaimed']} / {s6['canceled']} | {s6['retries']} |",
        "",
        (f"Within 1.1× of the floor: {met(s6['seconds'] <= 1.1 * s6['bucket_floor'])}."
         if s6["bucket_floor"] > 0 else ""),
        "",
    ]
    os.makedirs(os.path.dirname(os.path.abspath(a.report)), exist_ok=True)
    with open(a.report, "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
