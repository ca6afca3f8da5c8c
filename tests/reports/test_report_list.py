"""The reports page: headline figures of the programme's reach today, and the reports."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import Sector
from accounts.roles import Role
from courses.models import CourseStatus
from reports.models import Report
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
    assert "Being prepared" in page  # no file yet
