"""Every paginated list page runs the same number of queries for 1 row as for a full page (no
query per row), and is paginated: page 2 exists when there are more rows than a page holds."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import OrganisationRequest, Sector
from accounts.roles import Role
from core.audit import audit_record
from courses.models import TrainingPoolMembership
from reports.models import Report
from tests.factories import CategoryFactory, CourseFactory, OrganisationFactory, UserFactory

MANY = 40


def _organisations(n, viewer):
    for _ in range(n):
        OrganisationFactory(sector=Sector.PRIVATE, invoice_email="invoices@example.org")


def _organisation_requests(n, viewer):
    for i in range(n):
        OrganisationRequest.objects.create(
            name=f"Requested agency {i}", sector=Sector.VOLUNTARY,
            requested_by=UserFactory(job_title="Youth worker"))


def _staff(n, viewer):
    UserFactory.create_batch(n, organisation=viewer.organisation)


def _audit_entries(n, viewer):
    for i in range(n):
        actor = UserFactory()
        # Different kinds of target, so a per-row content type lookup would show.
        target = actor if i % 2 else actor.organisation
        audit_record(actor=actor, action="profile.update" if i % 2 else "organisation.create",
                     target=target, details={"note": f"entry {i}"})


def _courses(n, viewer):
    for _ in range(n):
        CourseFactory(category=CategoryFactory())  # one category each


def _training_pool(n, viewer):
    for _ in range(n):
        TrainingPoolMembership.objects.create(facilitator=viewer,
                                              course=CourseFactory(category=CategoryFactory()))


def _reports(n, viewer):
    start = Report.objects.count()
    for i in range(start, start + n):
        year, quarter = 2000 + i // 4, i % 4
        Report.objects.create(
            kind=Report.Kind.QUARTERLY, period_start=date(year, 1 + 3 * quarter, 1),
            period_end=date(year, 3 + 3 * quarter, 28), requested_by=UserFactory())


# url name, who looks (None: anonymous), how to add n rows
PAGES = [
    ("accounts:organisation-list", Role.OFFICER, _organisations),
    ("accounts:organisationrequest-list", Role.OFFICER, _organisation_requests),
    ("accounts:organisation-staff", Role.SAFEGUARDING_LEAD, _staff),
    ("core:auditentry-list", Role.OFFICER, _audit_entries),
    ("courses:course-list", None, _courses),
    ("courses:trainingpool-list", Role.FACILITATOR, _training_pool),
    ("reports:report-list", Role.LOD_MEMBER, _reports),
]
IDS = [name.split(":")[1] for name, _, _ in PAGES]


def get_counting(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response, len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


@pytest.fixture
def viewer(client, make_user, request):
    def sign_in(role):
        if role is None:
            return None
        user = make_user(role)
        client.force_login(user)
        return user

    return sign_in


@pytest.mark.django_db
@pytest.mark.parametrize("name, role, add_rows", PAGES, ids=IDS)
def test_list_page_queries_do_not_grow_with_rows(client, viewer, name, role, add_rows):
    user = viewer(role)
    url = reverse(name)
    add_rows(1, user)
    client.get(url)  # warm up: session, content types, the partnership row

    response, one_row, _ = get_counting(client, url)
    assert response.context["paginator"].count >= 1

    add_rows(MANY, user)
    response, many_rows, sql = get_counting(client, url)
    assert len(response.context["object_list"]) > 1

    assert many_rows == one_row, "\n".join(sql)


@pytest.mark.django_db
@pytest.mark.parametrize("name, role, add_rows", PAGES, ids=IDS)
def test_list_page_is_paginated(client, viewer, name, role, add_rows):
    user = viewer(role)
    url = reverse(name)
    per_page = client.get(url).context["paginator"].per_page
    assert per_page <= 50, "a list page shows a page at a time"
    add_rows(max(MANY, per_page + 1), user)

    first = client.get(url)
    total = first.context["paginator"].count
    assert total > per_page
    assert len(first.context["object_list"]) == per_page
    assert first.context["is_paginated"]

    second = client.get(url, {"page": 2})
    assert second.status_code == 200
    rest = min(per_page, total - per_page)
    assert len(second.context["object_list"]) == rest
    shown = {o.pk for o in first.context["object_list"]} | {
        o.pk for o in second.context["object_list"]}
    assert len(shown) == per_page + rest  # no row on both pages
    assert "page=2" in first.content.decode()  # the page links to the next one

    assert client.get(url, {"page": 99}).status_code == 404
