"""In-process timing of the anonymous catalogue, course and event pages with the page cache
off and on (issue 14), printed, never asserted (speed is measured in bench/, not in tests):

    .venv/bin/pytest -q -s tests/perf/measure_pages.py -p no:randomly

Not collected by `make test` (the file name does not start with test_)."""

import time

import pytest
from django.core.cache import caches
from django.urls import reverse

from .data import build

pytestmark = pytest.mark.django_db
ROUNDS = 300


def per_second(client, url):
    client.get(url)
    start = time.perf_counter()
    for _ in range(ROUNDS):
        assert client.get(url).status_code == 200
    elapsed = time.perf_counter() - start
    return ROUNDS / elapsed, elapsed / ROUNDS * 1000


def test_measure(client, make_user, settings):
    data = build(10, make_user=make_user)
    pages = {
        "catalogue": reverse("courses:course-list"),
        "catalogue, filtered": reverse("courses:course-list") + "?q=safeguarding&level=2",
        "course page": reverse("courses:course-detail", kwargs={"slug": data.course.slug}),
        "event page": reverse("courses:event-detail", kwargs={"pk": data.event.pk}),
    }
    caches[settings.PAGE_CACHE_ALIAS].clear()
    floor, floor_ms = per_second(client, reverse("healthz-live"))
    print(f"floor (healthz/live, no database, no template): {floor:.0f}/s ({floor_ms:.2f} ms)")
    for name, url in pages.items():
        settings.PAGE_CACHE_ENABLED = False
        off, off_ms = per_second(client, url)
        settings.PAGE_CACHE_ENABLED = True
        on, on_ms = per_second(client, url)
        print(f"{name}: cache off {off:.0f}/s ({off_ms:.2f} ms, {off / floor:.3f} of the floor), "
              f"on {on:.0f}/s ({on_ms:.2f} ms, {on / floor:.3f}), x{on / off:.1f}")
    caches[settings.PAGE_CACHE_ALIAS].clear()
