"""Page-speed benchmark: prints the median and 90th-percentile time of the main pages
against a floor measured in the same run (a trivial Django view), with query counts.

    make bench                 # SQLite under var/bench/, demo data loaded
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ddscp_bench make bench

Figures, not a test: nothing here passes or fails."""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ddscp_training.settings.local")
if "DATABASE_URL" not in os.environ:
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench' / 'bench.sqlite3'}"
os.environ.setdefault("DEBUG", "false")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "40"))


def measure(client, url):
    client.get(url)  # warm caches and templates
    times = []
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    queries = len(ctx.captured_queries)
    for _ in range(ROUNDS):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return response.status_code, statistics.median(times), times[int(len(times) * 0.9) - 1], queries


def main():
    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)
    from accounts.models import User
    from courses.models import Course

    anonymous = Client(HTTP_HOST="127.0.0.1")
    delegate = Client(HTTP_HOST="127.0.0.1")
    delegate.force_login(User.objects.get(email="delegate@demo.example"))
    course = Course.objects.filter(active=True, events__isnull=False).first() or Course.objects.first()
    pages = [
        ("floor: /healthz/live/ (trivial view)", anonymous, "/healthz/live/"),
        ("health page (database, outbox)", anonymous, "/healthz/"),
        ("home", anonymous, "/"),
        ("catalogue", anonymous, "/courses/"),
        ("catalogue, filtered", anonymous, "/courses/?level=2&audience=joint&q=safe"),
        ("course page", anonymous, f"/courses/{course.slug}/"),
        ("delegate dashboard", delegate, "/account/"),
    ]
    for extra in ("/bookings/my-training/",):
        pages.append((f"delegate {extra}", delegate, extra))
    floor = None
    print(f"{'page':40} {'status':>6} {'median ms':>10} {'p90 ms':>8} {'x floor':>8} {'queries':>8}")
    for name, client, url in pages:
        status, median, p90, queries = measure(client, url)
        floor = floor or median
        print(f"{name:40} {status:>6} {median:>10.2f} {p90:>8.2f} {median / floor:>8.1f} {queries:>8}")
    print(f"\n{ROUNDS} requests a page, in-process test client, database: {connection.vendor}")


if __name__ == "__main__":
    main()
