"""`make bench` (issue 14): the benchmark suite, figures beside floors measured in the same run.

Against PostgreSQL and Redis on 127.0.0.1 with the production settings under gunicorn (2 sync
workers, loopback ports), on databases of their own built by `manage.py seed_bench`
(ddscp_bench_s1, ddscp_bench_s10: built once, kept between runs):

1. pages: wrk (-t2 -c8) on each page, rounds alternating with the floor (/healthz/live/, a
   view returning "ok" through the same gunicorn and middleware): req/s, p50, p95, ratio;
2. SQL queries per page at each scale (in-process, CaptureQueriesContext);
3. the last-place storm: 500 signed-in delegates post a booking at once for the 250 places of
   a conference, spread over two gunicorn instances sharing the database;
4. reports: the quarterly and annual snapshot, PDF and workbook: time and peak memory;
5. documents: certificate PDFs, an invoicing batch for 500 organisations (rolled back);
6. email: 10,000 due Stage 1 requests swept into the outbox and delivered by a Celery worker
   to an aiosmtpd server on loopback, beside a bare smtplib loop to the same server.

Writes bench/results.md and bench/results.json. Environment:

    BENCH_SCALES="1 10"   scales to run (pages, queries, reports at each; the rest at the first)
    BENCH_SECONDS=5       seconds per wrk round;  BENCH_ROUNDS=3 rounds per page
    BENCH_ONLY="pages queries storm reports documents email"   a subset
    BENCH_EMAILS=10000    emails in the email test;  BENCH_STORM=500 delegates in the storm

Time on 2 cores: scale 1 about 40 minutes (seeding it first: 2 more), of which the email
step about 16 and the reports up to 20 (each report is stopped after BENCH_REPORT_TIMEOUT,
600 s); scale 10 adds about 30 (seeding it first: about 20 more).

Figures, not a test: nothing here passes or fails. Steps that need Django run in their own
process (bench/inproc.py) with the production settings and one bench database."""

import json
import os
import platform
import re
import smtplib
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.stats import median, ratio, results_write  # noqa: E402

PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
BIN = Path(PY).parent
VAR = ROOT / "var" / "bench"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SCALES = os.environ.get("BENCH_SCALES", "1 10").split()
ONLY = set(os.environ.get("BENCH_ONLY", "pages queries storm reports documents email").split())
EMAILS = int(os.environ.get("BENCH_EMAILS", "10000"))
STORM = int(os.environ.get("BENCH_STORM", "500"))
REPORT_TIMEOUT = int(os.environ.get("BENCH_REPORT_TIMEOUT", "600"))
PORTS = (8101, 8102)
SMTP_PORT = 8125

# Targets of issue 14 (ratios to the floor, same run).
ANONYMOUS, SIGNED_IN, POST = (">=", 0.5), (">=", 0.1), (">=", 0.05)


def say(message):
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def db_name(scale):
    return f"ddscp_bench_s{scale.replace('.', '_')}"


def env_for(scale, **extra):
    """The production settings' environment for one bench database."""
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "ddscp_training.settings.production",
        "DATABASE_URL": f"{PG}/{db_name(scale)}",
        "REDIS_URL": REDIS,
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "CACHE_KEY_PREFIX": f"bench-{db_name(scale)}",
        "STATIC_ROOT": str(VAR / "static"),
        "MEDIA_ROOT": str(VAR / "media"),
        "CELERY_TASK_DEFAULT_QUEUE": "bench",
        "SITE_URL": f"http://127.0.0.1:{PORTS[0]}",
        "LOG_LEVEL": "WARNING",
    })
    env.update(extra)
    return env


def inproc(scale, *args, timeout=1800, **extra):
    """Run a bench/inproc.py step; its JSON answer."""
    out = subprocess.run([PY, str(ROOT / "bench" / "inproc.py"), *map(str, args)],
                         env=env_for(scale, **extra), cwd=ROOT, capture_output=True,
                         text=True, timeout=timeout)
    if out.returncode:
        raise RuntimeError(f"inproc {args[0]} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def manage(scale, *args, settings="ddscp_training.settings.production", timeout=3600):
    subprocess.run([PY, "manage.py", *args], env=env_for(
        scale, DJANGO_SETTINGS_MODULE=settings), cwd=ROOT, check=True, timeout=timeout)


def psql(sql, db="postgres"):
    out = subprocess.run(["psql", f"{PG}/{db}", "-tAc", sql], capture_output=True, text=True)
    return out.stdout.strip() if out.returncode == 0 else None


def prepare(scale):
    """The bench database of `scale`: created, migrated, seeded once (seed_bench refuses the
    production settings, so it runs with the local ones on the same database)."""
    from demo.bench_data import counts_for

    name = db_name(scale)
    if psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") != "1":
        psql(f'CREATE DATABASE "{name}"')
    manage(scale, "migrate", "--noinput", "-v0")
    users = psql("SELECT count(*) FROM accounts_user", db=name)
    want = counts_for(float(scale))["users"]
    if users != str(want):
        say(f"seeding scale {scale} ({want:,} users)")
        started = time.monotonic()
        manage(scale, "seed_bench", "--scale", scale, *(["--flush"] if users != "0" else []),
               settings="ddscp_training.settings.local")
        psql("VACUUM ANALYZE", db=name)
        return time.monotonic() - started
    return None


class Gunicorn:
    def __init__(self, scale, port):
        self.port = port
        self.proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "ddscp_training.wsgi:application", "--workers", "2",
             "--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "--log-level",
             "warning", "--timeout", "120"],
            env=env_for(scale), cwd=ROOT, stdout=subprocess.DEVNULL,
            stderr=open(VAR / f"gunicorn-{port}.log", "w"))  # noqa: SIM115
        for _ in range(120):
            try:
                urllib.request.urlopen(self.url("/healthz/live/"), timeout=2)
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.5)
        raise RuntimeError(f"gunicorn on {port} did not start: see {VAR}/gunicorn-{port}.log")

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def wrk(url, *, cookie=None, post_file=None, seconds=SECONDS):
    """One wrk round: req/s, p50 and p95 in ms, errors (connect/read/write/timeout) and
    non-2xx/3xx answers."""
    cmd = ["wrk", "-t2", "-c8", f"-d{seconds}s", "-s", str(ROOT / "bench" / "wrk.lua")]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    cmd.append(url)
    if post_file:
        cmd += ["--", str(post_file), "2"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    line = next((x for x in out.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no figures: {out.stdout}\n{out.stderr}")
    req, dur, p50, p95, conn, read, write, status, tout = map(int, line.split()[1:])
    return {"rps": req / (dur / 1e6), "p50_ms": p50 / 1000, "p95_ms": p95 / 1000,
            "errors": conn + read + write + tout, "bad_status": status, "requests": req}


def status_of(url, cookie=None):
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None

    try:
        return urllib.request.build_opener(NoRedirect).open(request, timeout=30).status
    except urllib.error.HTTPError as exc:
        return exc.code


def target_for(page):
    name = page["name"]
    if page["kind"] == "anonymous":
        return ANONYMOUS
    if name in ("My training", "an event page, signed in", "an event register"):
        return SIGNED_IN
    return None


def measure(server, name, *, cookie=None, post_file=None, target=None, status=None):
    """Rounds alternating floor / page; medians of each."""
    floors, pages = [], []
    for _ in range(ROUNDS):
        floors.append(wrk(server.url("/healthz/live/")))
        pages.append(wrk(server.url(name[1]), cookie=cookie, post_file=post_file))
    row = {"name": name[0], "url": name[1], "status": status,
           "rps": median([p["rps"] for p in pages]),
           "p50_ms": median([p["p50_ms"] for p in pages]),
           "p95_ms": median([p["p95_ms"] for p in pages]),
           "floor_rps": median([f["rps"] for f in floors]),
           "floor_p50_ms": median([f["p50_ms"] for f in floors]),
           "errors": sum(p["errors"] for p in pages),
           "bad_status": sum(p["bad_status"] for p in pages),
           "rounds": pages, "floor_rounds": floors, "target": target}
    row["ratio"] = ratio(row["rps"], row["floor_rps"])
    say(f"  {name[0]}: {row['rps']:.0f} req/s, floor {row['floor_rps']:.0f}, "
        f"ratio {row['ratio']:.3f}")
    return row


def pages(scale, targets):
    server = Gunicorn(scale, PORTS[0])
    rows = []
    try:
        for page in targets["pages"]:
            cookie = targets["cookies"].get(page["who"]) if page["who"] else None
            status = status_of(server.url(page["url"]), cookie)
            rows.append(measure(server, (page["name"], page["url"]), cookie=cookie,
                                target=target_for(page), status=status))
        rows.append(measure(server, ("the booking POST", "/bookings/"),
                            post_file=targets["post_file"], target=POST, status="302/200"))
    finally:
        server.stop()
    return rows


def storm(scale):
    """500 delegates, 250 places, two gunicorn instances; every answer classified."""
    setup = inproc(scale, "storm-setup", STORM)
    servers = [Gunicorn(scale, port) for port in PORTS]
    answers = [None] * len(setup["requests"])
    barrier = threading.Barrier(len(setup["requests"]) + 1)

    def post(i, item):
        port = PORTS[i % 2]
        barrier.wait()
        t0 = time.perf_counter()
        sock = None
        try:
            import http.client

            sock = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            sock.request("POST", setup["path"], body=item["body"], headers={
                "Cookie": item["cookie"], "Content-Type": "application/x-www-form-urlencoded"})
            response = sock.getresponse()
            body = response.read().decode("utf-8", "replace")
            answers[i] = {"status": response.status, "location": response.getheader("Location"),
                          "body": body, "at": time.perf_counter() - start[0], "user": item["user"],
                          "took": time.perf_counter() - t0}
        except Exception as exc:  # noqa: BLE001 - every failure is a figure here
            answers[i] = {"status": None, "error": repr(exc), "at": time.perf_counter() - start[0],
                          "user": item["user"]}
        finally:
            if sock:
                sock.close()

    start = [0.0]
    threads = [threading.Thread(target=post, args=(i, item))
               for i, item in enumerate(setup["requests"])]
    for t in threads:
        t.start()
    start[0] = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join()
    for server in servers:
        server.stop()
    check = inproc(scale, "storm-check", setup["event"])
    outcomes = {}
    booked = set(check["booked_users"])
    booked_times = []
    for a in answers:
        kind = storm_outcome(a, booked)
        a["outcome"] = kind
        outcomes[kind] = outcomes.get(kind, 0) + 1
        if kind == "booked":
            booked_times.append(a["at"])
    server_errors = sum(1 for a in answers if a["status"] and a["status"] >= 500)
    oversold = max(0, check["holding"] - check["capacity"])
    filled = check["holding"] >= check["capacity"]
    fill_s = max(booked_times) if filled and booked_times else None
    return {
        "rows": [
            {"name": "requests", "value": len(answers)},
            {"name": "places", "value": check["capacity"]},
            {"name": "places held afterwards", "value": check["holding"]},
            {"name": "oversold", "value": oversold, "target": ("==", 0)},
            {"name": "server errors (5xx) or no answer",
             "value": server_errors + outcomes.get("no answer", 0), "target": ("==", 0)},
            {"name": "seconds to fill the 250 places", "value": fill_s, "target": ("<", 10)},
            {"name": "seconds to answer all 500", "value": max(a["at"] for a in answers)},
            *[{"name": f"answered: {k}", "value": v} for k, v in sorted(outcomes.items())],
        ],
        "detail": "Two gunicorn instances (2 sync workers each) on one PostgreSQL; requests "
                  "alternate between them and start together (a barrier). An answer is "
                  "'booked' when the delegate holds a place afterwards, 'full' when the page "
                  "says the event is full, 'waiting list' when it offers the waiting list.",
        "by_status": check["by_status"],
        "requests": [{"status": a["status"], "outcome": a["outcome"], "at_s": a["at"],
                      "took_s": a.get("took"), "error": a.get("error")} for a in answers],
    }


def storm_outcome(answer, booked):
    if answer["status"] is None:
        return "no answer"
    if answer["status"] >= 500:
        return "server error"
    if answer["user"] in booked and answer["status"] in (200, 302):
        return "booked"
    text = re.sub(r"\s+", " ", answer.get("body", "")).lower()
    if answer["status"] == 200 and "waiting list" in text and "full" in text:
        return "full (waiting list offered)"
    if answer["status"] == 200 and ("full" in text or "no places" in text):
        return "full"
    where = re.sub(r"[0-9a-f-]{36}|\d+", "N", answer.get("location") or "")
    return f"other ({answer['status']}{' to ' + where if where else ''})"


def reports(scale):
    rows = []
    for kind in ("quarterly", "annual"):
        try:
            r = inproc(scale, "report", kind, timeout=REPORT_TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")
            last = (err.strip().splitlines() or ["starting"])[-1]
            rows.append({"name": f"{kind}: did not finish in {REPORT_TIMEOUT} s "
                                 f"(last step: {last})", "value": None,
                         "target": ("<", 5) if kind == "quarterly" and scale == "1" else None})
            continue
        except RuntimeError as exc:
            if "ModuleNotFoundError" in str(exc) or "ImportError" in str(exc):
                return {"not_measured": "reports not landed"}
            raise
        rows += [
            {"name": f"{kind} ({r['period']}): snapshot s", "value": r["snapshot_s"]},
            {"name": f"{kind}: PDF s", "value": r["pdf_s"]},
            {"name": f"{kind}: XLSX s", "value": r["xlsx_s"]},
            {"name": f"{kind}: page + PDF + XLSX s", "value": r["total_s"],
             "target": ("<", 5) if kind == "quarterly" and scale == "1" else None},
            {"name": f"{kind}: peak memory MB (process; {r['base_mb']:.0f} before)",
             "value": r["peak_mb"]},
        ]
    return rows


def documents(scale):
    d = inproc(scale, "documents")
    return {"rows": [
        {"name": "certificate PDF, seconds each", "value": d["certificate_s"],
         "target": ("<", 0.3)},
        {"name": "certificate PDFs per second", "value": d["certificates_per_s"]},
        {"name": f"invoicing batch, {d.get('invoicing_organisations')} organisations, s",
         "value": d.get("invoicing_s")},
        {"name": "invoices issued by it", "value": d.get("invoices")},
    ]}


def email(scale):
    sink = subprocess.Popen([PY, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{SMTP_PORT}",
                             "-c", "aiosmtpd.handlers.Sink"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", SMTP_PORT), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        subprocess.run([str(BIN / "celery"), "-A", "ddscp_training", "purge", "-f", "-Q",
                        "bench"], env=env_for(scale), cwd=ROOT, capture_output=True)
        q = inproc(scale, "email-queue", EMAILS)
        say(f"  {q['swept']} requests swept into the outbox in {q['sweep_s']:.1f} s")
        mail = {"EMAIL_URL": f"smtp://127.0.0.1:{SMTP_PORT}"}
        worker = subprocess.Popen(
            [str(BIN / "celery"), "-A", "ddscp_training", "worker", "-Q", "bench", "-c", "2",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning"],
            env=env_for(scale, **mail), cwd=ROOT, stdout=subprocess.DEVNULL,
            stderr=open(VAR / "celery.log", "w"))  # noqa: SIM115
        try:
            done, last_sent, still = None, -1, time.monotonic()
            deadline = time.monotonic() + 900
            while time.monotonic() < deadline:
                time.sleep(3)
                done = inproc(scale, "email-done", q["since"])
                if not done["left"]:
                    break
                if done["sent"] == last_sent and time.monotonic() - still > 15:
                    # No nudge left: the beat's outbox sweep, as production would run it.
                    subprocess.run([str(BIN / "celery"), "-A", "ddscp_training", "call",
                                    "core.tasks.outbox_sweep", "--queue", "bench"],
                                   env=env_for(scale), cwd=ROOT, capture_output=True)
                    still = time.monotonic()
                elif done["sent"] != last_sent:
                    last_sent, still = done["sent"], time.monotonic()
        finally:
            worker.terminate()
            worker.wait(timeout=30)
        rate = ((done["sent"] - 1) / (done["last"] - done["first"])
                if done and done["sent"] > 1 and done["last"] > done["first"] else None)
        sample = inproc(scale, "email-sample", q["since"], min(EMAILS, 2000))
        t0 = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", SMTP_PORT) as smtp:
            for m in sample:
                msg = EmailMessage()
                msg["Subject"], msg["From"], msg["To"] = m["subject"], m["from"], m["to"]
                msg.set_content(m["text"])
                if m["html"]:
                    msg.add_alternative(m["html"], subtype="html")
                smtp.send_message(msg)
        floor = len(sample) / (time.perf_counter() - t0) if sample else None
    finally:
        sink.terminate()
    return {"rows": [
        {"name": f"due requests swept into the outbox ({q['swept']:,} sent, "
                 f"{q['requests']:,} Stage 1 made due), s", "value": q["sweep_s"]},
        {"name": "due Stage 1 requests still not swept when the sweep time ran out",
         "value": q.get("not_swept")},
        {"name": "requests swept per second",
         "value": q["swept"] / q["sweep_s"] if q["sweep_s"] else None},
        {"name": "emails delivered by the Celery worker", "value": done and done["sent"]},
        {"name": "emails not delivered in 15 minutes", "value": done and done["left"]},
        {"name": "emails per second (outbox, 1 worker, 2 processes) / bare smtplib",
         "value": rate, "floor": floor, "ratio": ratio(rate, floor), "target": (">=", 0.5)},
    ], "detail": "The floor: the same messages (text and HTML) sent by one smtplib "
                 "connection in a loop to the same aiosmtpd server (it discards them)."}


def machine():
    mem = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.machine())
    redis = subprocess.run(["redis-cli", "-u", REDIS, "INFO", "server"], capture_output=True,
                           text=True).stdout
    return {"cores": os.cpu_count(), "ram_gb": round(int(mem) / 1024 / 1024, 1), "cpu": cpu,
            "python": platform.python_version(),
            "postgresql": psql("SHOW server_version"),
            "redis": next((x.split(":")[1].strip() for x in redis.splitlines()
                           if x.startswith("redis_version")), "-"),
            "os": platform.platform()}


def commit():
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True, cwd=ROOT).stdout.strip() or "-"
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True, cwd=ROOT).stdout.strip()
    return head + (" with uncommitted changes" if dirty else "")


def guarded(results, key, step, *args):
    """Run one section; a failure is recorded as "not measured" with its reason, and the
    other sections still run."""
    try:
        return step(*args)
    except Exception as exc:  # noqa: BLE001 - the report says what failed
        reason = str(exc).strip().splitlines()[-1][:300] if str(exc).strip() else repr(exc)
        say(f"  {key} not measured: {reason}")
        results["notes"].append(f"{key}: not measured ({reason})")
        return {"not_measured": f"failed: {reason}"}


def main():
    started = time.monotonic()
    VAR.mkdir(parents=True, exist_ok=True)
    results = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "commit": commit(),
        "machine": machine(),
        "method": f"gunicorn, production settings, 2 sync workers, loopback; wrk -t2 -c8, "
                  f"{ROUNDS} rounds of {SECONDS} s per page alternating with the floor "
                  "(/healthz/live/: HttpResponse('ok') through the same gunicorn and "
                  "middleware); figures are medians of the rounds; ratio = page req/s / "
                  "floor req/s. Data: manage.py seed_bench at each scale.",
        "pages": {}, "queries": [], "query_scales": [], "notes": [],
    }
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"],
                   env=env_for(SCALES[0]), cwd=ROOT, check=True)
    query_counts = {}
    for n, scale in enumerate(SCALES):
        seeded = prepare(scale)
        if seeded:
            results["notes"].append(f"seed_bench --scale {scale} took {seeded:.0f} s.")
        inproc(scale, "begin")
        try:
            if "reports" in ONLY:
                say(f"scale {scale}: reports")
                results.setdefault("reports_by_scale", {})[scale] = guarded(
                    results, f"reports at scale {scale}", reports, scale)
            # Email first: the other steps book places, and each booking owes a pre-course
            # questionnaire the sweep would send too.
            if n == 0 and "email" in ONLY:
                say(f"scale {scale}: email")
                results["email"] = guarded(results, "email", email, scale)
            if n == 0 and "documents" in ONLY:
                say(f"scale {scale}: documents")
                results["documents"] = guarded(results, "documents", documents, scale)
            if {"pages", "queries"} & ONLY:
                targets = inproc(scale, "targets")
                (VAR / f"targets-{scale}.json").write_text(json.dumps(targets))
            if "queries" in ONLY:
                say(f"scale {scale}: queries")
                counts = guarded(results, f"queries at scale {scale}", inproc, scale,
                                 "queries", VAR / f"targets-{scale}.json")
                if "not_measured" not in counts:
                    query_counts[scale] = counts
            if "pages" in ONLY:
                say(f"scale {scale}: pages")
                got = guarded(results, f"pages at scale {scale}", pages, scale, targets)
                if isinstance(got, list):
                    results["pages"][scale] = got
            if n == 0 and "storm" in ONLY:
                say(f"scale {scale}: last-place storm")
                results["storm"] = guarded(results, "storm", storm, scale)
        finally:
            inproc(scale, "cleanup")
    if query_counts:
        results["query_scales"] = list(query_counts)
        names = list(next(iter(query_counts.values())))
        results["queries"] = [
            {"name": name, "counts": {s: c[name]["queries"] for s, c in query_counts.items()},
             "status": {s: c[name]["status"] for s, c in query_counts.items()},
             "equal": len({c[name]["queries"] for c in query_counts.values()}) == 1}
            for name in names]
    if "reports_by_scale" in results:
        rows = []
        for scale, section in results["reports_by_scale"].items():
            if isinstance(section, dict):
                results["reports"] = section
                break
            rows += [{**r, "name": f"scale {scale}: {r['name']}"} for r in section]
        else:
            by = {r["name"]: r.get("value") for r in rows}
            for kind in ("quarterly", "annual"):
                one = by.get(f"scale 1: {kind}: page + PDF + XLSX s")
                ten = by.get(f"scale 10: {kind}: page + PDF + XLSX s")
                if one and ten:
                    rows.append({"name": f"{kind}: time at scale 10 / time at scale 1 (the "
                                         "data grew 10 times)", "value": ten / one,
                                 "target": ("<=", 10)})
            results["reports"] = {"rows": rows}
    if "1" in results["pages"] and "10" in results["pages"]:
        ten = {p["name"]: p for p in results["pages"]["10"]}
        results["scaling"] = [
            {"name": p["name"], "ratio_1": p["ratio"], "ratio_10": ten[p["name"]]["ratio"],
             "ratio": ratio(ten[p["name"]]["ratio"], p["ratio"])}
            for p in results["pages"]["1"] if p["name"] in ten]
    results["seconds"] = time.monotonic() - started
    results_write(results, ROOT / "bench")
    say(f"done in {results['seconds']:.0f} s: bench/results.md")


if __name__ == "__main__":
    main()
