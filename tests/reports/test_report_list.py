"""The reports page: headline figures of the programme's reach today, and the reports."""

from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from accounts.models import Sector
from accounts.roles import Role
from courses.models import CourseStatus
from reports.models import Report, ReportKind, ReportStatus
from reports.selectors import headline_figures
from tests.factories import CourseFactory, OrganisationFactory, UserFactory


@pytest.mark.django_db
def test_headline_figures_count_delegates_and_organisations_by_sector():
    council = OrganisationFactory(sector=Sector.STATUTORY)
    nursery = OrganisationFactory(sector=Sector.PRIVATE)
    OrganisationFactory(sector=Sector.PRIVATE, active=False)  # closed: not counted
    UserFactory.create_batch(3, organisation=council)
    UserFactory(organisation=nursery)
    UserFactory(organisation=nursery, is_active=False)  # left: not counted
    UserFactory(organisation=None)  # no organisation yet: not in any sector
    CourseFactory.create_batch(2)
    CourseFactory(status=CourseStatus.COMING_SOON)
    CourseFactory(active=False)

    figures = headline_figures()

    rows = {row["sector"]: row for row in figures["by_sector"]}
    assert [r["sector"] for r in figures["by_sector"]] == [label for _, label in Sector.choices]
    assert rows[Sector.STATUTORY.label] == {
        "sector": Sector.STATUTORY.label, "delegates": 3, "organisations": 1}
    assert rows[Sector.PRIVATE.label] == {
        "sector": Sector.PRIVATE.label, "delegates": 1, "organisations": 1}
    assert rows[Sector.VOLUNTARY.label]["delegates"] == 0
    assert (figures["courses_live"], figures["courses_coming_soon"]) == (2, 1)


@pytest.mark.django_db
def test_lod_member_sees_the_reports_newest_first(client, make_user):
    older = Report.objects.create(kind=Report.Kind.QUARTERLY, period_start=date(2026, 1, 1),
                                  period_end=date(2026, 3, 31))
    newer = Report.objects.create(kind=Report.Kind.QUARTERLY, period_start=date(2026, 4, 1),
                                  period_end=date(2026, 6, 30))
    client.force_login(make_user(Role.LOD_MEMBER))

    response = client.get(reverse("reports:report-list"))

    assert response.status_code == 200
    assert list(response.context["object_list"]) == [newer, older]
    page = response.content.decode()
    assert "Wed 1 Apr 2026 to Tue 30 Jun 2026" in page
    assert "Waiting to start" in page  # no file yet
    assert "Not ready" in page


# Asking for a report -------------------------------------------------------------------------

NOW = timezone.make_aware(datetime(2026, 11, 30, 10, 0))


@pytest.fixture
def lod_client(client, make_user, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    client.force_login(make_user(Role.LOD_MEMBER))
    return client


@pytest.fixture
def nudged(monkeypatch):
    from reports import services

    found = []
    monkeypatch.setattr(services, "_nudge", found.append)
    return found


def test_the_form_offers_the_quarters_and_financial_years_that_have_ended(lod_client):
    form = lod_client.get(reverse("reports:report-list")).context["form"]
    quarters = [label for value, label in form.fields["quarter"].choices if value]
    years = [label for value, label in form.fields["year"].choices if value]
    # 30 November 2026, financial year from April: July to September is the last quarter ended.
    assert quarters[:3] == ["July to September 2026", "April to June 2026",
                            "January to March 2026"]
    assert years[:2] == ["April 2025 to March 2026", "April 2024 to March 2025"]


def test_the_financial_year_setting_moves_the_quarters(lod_client):
    from core.models import Partnership

    Partnership.objects.filter(pk=Partnership.load().pk).update(financial_year_start_month=1)
    form = lod_client.get(reverse("reports:report-list")).context["form"]
    quarters = [label for value, label in form.fields["quarter"].choices if value]
    assert quarters[0] == "July to September 2026"
    assert [label for value, label in form.fields["year"].choices if value][0] == (
        "January to December 2025")


def test_asking_for_a_quarter_queues_its_report_and_opens_its_page(
        lod_client, nudged, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = lod_client.post(reverse("reports:report-list"),
                                   {"kind": "quarterly", "quarter": "2026-07-01"})
    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:report-detail", kwargs={"pk": report.pk})
    assert (report.kind, report.period_start, report.period_end, report.status) == (
        ReportKind.QUARTERLY, date(2026, 7, 1), date(2026, 9, 30), ReportStatus.QUEUED)
    assert nudged == [report.pk]


@pytest.mark.parametrize("posted, field, message", [
    ({}, "kind", "Select which report you want"),
    ({"kind": "quarterly"}, "quarter", "Select a quarter"),
    ({"kind": "quarterly", "quarter": "2026-10-01"}, "quarter",
     "Select a quarter that has ended"),
    ({"kind": "annual"}, "year", "Select a financial year"),
    ({"kind": "custom"}, "start", "Enter the first day of the period"),
    ({"kind": "custom", "start": "2026-09-30", "end": "2026-07-01"}, "end",
     "The end date must be the same as or after the start date"),
    ({"kind": "custom", "start": "2026-11-01", "end": "2026-12-31"}, "end",
     "The period must have ended: choose an end date before today"),
    ({"kind": "custom", "start": "2019-01-01", "end": "2025-12-31"}, "end",
     "The period must be 5 years or shorter"),
    ({"kind": "custom", "start": "2026-02-30", "end": "2026-03-31"}, "start",
     "Enter a real date, for example 17/03/2027."),
], ids=["no-kind", "no-quarter", "quarter-not-ended", "no-year", "no-dates",
        "end-before-start", "in-the-future", "too-long", "no-such-date"])
def test_bad_input_shows_the_form_again_with_a_message(lod_client, nudged, posted, field,
                                                       message):
    response = lod_client.post(reverse("reports:report-list"), posted)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert "There is a problem" in response.content.decode()
    assert not Report.objects.exists() and nudged == []


def test_a_reader_who_may_not_ask_sees_no_form_and_cannot_post(client, make_user):
    from tests.helpers import totp_activate

    reader = make_user(Role.DELEGATE)
    reader.user_permissions.add(Permission.objects.get(codename="view_report"))
    totp_activate(reader)  # a permission of their own: two-factor like any staff
    client.force_login(reader)
    response = client.get(reverse("reports:report-list"))
    assert response.status_code == 200
    assert "form" not in response.context
    assert "Ask for the report" not in response.content.decode()
    assert client.post(reverse("reports:report-list"),
                       {"kind": "quarterly", "quarter": "2026-07-01"}).status_code == 403
    assert not Report.objects.exists()


def test_the_list_is_paginated_and_its_queries_bounded(client, make_user,
                                                       django_assert_max_num_queries):
    client.force_login(make_user(Role.OFFICER))
    start = date(2020, 1, 1)
    Report.objects.bulk_create([
        Report(kind=ReportKind.CUSTOM, period_start=start + timedelta(days=n),
               period_end=start + timedelta(days=n + 6), status=ReportStatus.READY,
               generated_at=timezone.now(), data={"big": "x" * 10_000})
        for n in range(25)])
    url = reverse("reports:report-list")
    client.get(url)
    with django_assert_max_num_queries(16):
        response = client.get(url)
    assert len(response.context["object_list"]) == 20
    assert response.context["page_obj"].paginator.num_pages == 2
    assert "data" not in response.context["object_list"][0].__dict__  # the snapshot stays put
