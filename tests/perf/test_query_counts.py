"""No query that grows with the data (issue 14): each page runs exactly as many SQL queries
for a partnership ten times larger (tests/perf/data.py build(10) against build(1)). A page
whose count differs has a query per row somewhere (an N+1): the failure lists both."""

import difflib
import re
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from .data import build

pytestmark = pytest.mark.django_db

# (name, who: None for anonymous or the namespace attribute, url maker, method)
PAGES = [
    ("home, anonymous", None, lambda d: reverse("home"), "get"),
    ("home, signed in", "delegate", lambda d: reverse("accounts:dashboard"), "get"),
    ("catalogue", None, lambda d: reverse("courses:course-list"), "get"),
    ("catalogue, filtered", None,
     lambda d: reverse("courses:course-list") + "?q=safeguarding&with_places=on&level=2",
     "get"),
    ("catalogue, signed in", "delegate", lambda d: reverse("courses:course-list"), "get"),
    ("course page", None,
     lambda d: reverse("courses:course-detail", kwargs={"slug": d.course.slug}), "get"),
    ("event page, anonymous", None,
     lambda d: reverse("courses:event-detail", kwargs={"pk": d.event.pk}), "get"),
    ("event page, signed in", "delegate",
     lambda d: reverse("courses:event-detail", kwargs={"pk": d.event.pk}), "get"),
    ("My training", "delegate", lambda d: reverse("bookings:my-training"), "get"),
    ("event register", "officer",
     lambda d: reverse("bookings:event-register", kwargs={"event_pk": d.event.pk}), "get"),
    ("facilitator summary", "facilitator",
     lambda d: reverse("evaluations:summary-detail", kwargs={"event_pk": d.summary_event.pk}),
     "get"),
    ("report page", "officer", lambda d: reverse("reports:report-list"), "get"),
    ("booking POST", "booker",
     lambda d: reverse("bookings:booking-create", kwargs={"event_pk": d.event.pk}), "post"),
]


def queries(client, data, who, url, method):
    client.logout()
    if who:
        client.force_login(getattr(data, who))
    path = url(data)
    ContentType.objects.clear_cache()  # a process-wide cache: both scales start without it
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(path, {"access_needs": ""} if method == "post" else {})
    expected = 302 if method == "post" else 200
    assert response.status_code == expected, (path, response.status_code)
    return [shape(q["sql"]) for q in ctx.captured_queries]


def shape(sql):
    """The query without its values, so the same query for other rows compares equal."""
    sql = re.sub(r'"s\d+_x\d+"', "savepoint", sql)
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+(\.\d+)?\b", "?", sql)
    return re.sub(r"\((\?, )+\?\)", "(?...)", sql)[:300]


def pages():
    """The pages that exist (the report page comes with issue 13)."""
    found = []
    for page in PAGES:
        try:
            page[2](SimpleNamespace(course=None, event=None, summary_event=None))
        except NoReverseMatch:
            continue
        except AttributeError:
            pass
        found.append(page)
    return found


def counts_at(scale, client, make_user):
    """{page: [query shapes]} with the data at `scale`, built in a savepoint rolled back after,
    so the scale-10 set does not sit on top of the scale-1 set. The booking POST goes last."""
    with transaction.atomic():
        data = build(scale, make_user=make_user)
        result = {name: queries(client, data, who, url, method)
                  for name, who, url, method in pages()}
        transaction.set_rollback(True)
    return result


def test_every_page_runs_as_many_queries_for_ten_times_the_data(client, make_user):
    small = counts_at(1, client, make_user)
    large = counts_at(10, client, make_user)
    for name in small:
        print(f"{name}: {len(small[name])} queries at scale 1, {len(large[name])} at scale 10")
    differing = {
        name: "\n".join(difflib.unified_diff(small[name], large[name], "scale 1", "scale 10",
                                             lineterm="", n=0))
        for name in small if len(small[name]) != len(large[name])}
    assert differing == {}, "\n\n".join(f"{k}:\n{v}" for k, v in differing.items())
