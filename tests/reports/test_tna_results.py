"""A round's results for the LOD Group: each question's answers across organisations (counts,
shares, a rating's mean with n), written answers beside the organisation that gave them and
never a person, the demand seen on waiting lists and the courses asked for; the CSV holds the
same; the page costs the same queries for 3 returns or 9."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from bookings.models import Booking, BookingStatus
from reports.tna import services
from reports.tna.summaries import round_summary
from tests.factories import CourseFactory, EventFactory, OrganisationFactory, UserFactory

from .tna_helpers import answers_for, lead_make, round_make

pytestmark = pytest.mark.django_db


def _returns(tna_round, specs):
    """specs: [(organisation name, picks, rating, courses asked for)]."""
    leads = []
    for name, picks, rating, asked in specs:
        lead = lead_make(OrganisationFactory(name=name), first_name="Lesley",
                         last_name=f"Lead{len(leads)}")
        services.tna_return_submit(
            tna_round=tna_round, user=lead, now=timezone.now(),
            data=answers_for(tna_round.version, picks=picks, rating=rating,
                             texts={"courses_asked_for": asked}))
        leads.append(lead)
    return leads


@pytest.fixture
def answered():
    tna_round = round_make()
    leads = _returns(tna_round, [
        ("Derby City Council", [1, 2], 5, "Neglect: recognising it early"),
        ("Little Acorns Nursery", [2], 4, "More Level 1 places"),
        ("Derbyshire Police", [2, 3], 2, "Child exploitation for response officers"),
    ])
    # A fourth organisation with a lead, which has not answered; one without a lead.
    lead_make(OrganisationFactory(name="Quiet Academy"))
    OrganisationFactory(name="Nobody to ask")
    return tna_round, leads


def test_each_question_is_summarised_across_organisations(answered):
    tna_round, _ = answered
    summary = round_summary(tna_round, now=timezone.now())

    assert (summary.returned, summary.asked) == (3, 4)
    assert summary.return_percent == "75%"
    by_key = {item.question.key: item for item in summary.questions}
    categories = by_key["categories_needed"]
    assert categories.answered == 3
    counts = [(o.label, o.count, o.percent) for o in categories.options]
    assert counts[:3] == [
        ("Working Together to Safeguard and Protect Children from Harm", 1, "33%"),
        ("Understanding Safeguarding Risks", 3, "100%"),
        ("Contextual Safeguarding – Child on Child Abuse", 1, "33%")]
    assert counts[3][1:] == (0, "0%")
    priority = by_key["priority_exploitation"]
    assert priority.answered == 3
    assert priority.mean == pytest.approx((5 + 4 + 2) / 3)
    assert [(o.label, o.count) for o in priority.options] == [
        ("1", 0), ("2", 1), ("3", 0), ("4", 1), ("5", 1)]
    group_1 = by_key["staff_group_1_need"]
    assert [(o.label, o.count) for o in group_1.options][:2] == [("None", 3), ("1 to 10", 0)]
    assert summary.courses_asked == [
        ("Derby City Council", "Neglect: recognising it early"),
        ("Derbyshire Police", "Child exploitation for response officers"),
        ("Little Acorns Nursery", "More Level 1 places")]


def test_waiting_list_demand_that_found_no_place_is_shown_by_course(answered):
    tna_round, _ = answered
    now = timezone.now()
    neglect = CourseFactory(title="Neglect")
    exploitation = CourseFactory(title="Child exploitation")
    past = EventFactory(course=neglect, start=now - timedelta(days=40))
    other = EventFactory(course=exploitation, start=now - timedelta(days=100))
    old = EventFactory(course=exploitation, start=now - timedelta(days=500))
    for status in (BookingStatus.WAITLISTED, BookingStatus.OFFER_EXPIRED,
                   BookingStatus.LEFT_WAITING_LIST):
        person = UserFactory()
        Booking.objects.create(event=past, delegate=person, organisation=person.organisation,
                               status=status, waitlisted_at=now - timedelta(days=50))
    person = UserFactory()
    Booking.objects.create(event=other, delegate=person, organisation=person.organisation,
                           status=BookingStatus.WAITLISTED, waitlisted_at=now)
    # Found a place (booked from the list), and a year and more ago: not counted.
    Booking.objects.create(event=past, delegate=person, organisation=person.organisation,
                           status=BookingStatus.ATTENDED, waitlisted_at=now)
    Booking.objects.create(event=old, delegate=person, organisation=person.organisation,
                           status=BookingStatus.WAITLISTED, waitlisted_at=now)

    summary = round_summary(tna_round, now=now)
    assert [(row["course"], row["people"]) for row in summary.demand] == [
        ("Neglect", 3), ("Child exploitation", 1)]


def test_the_results_page_names_organisations_never_people(client, make_user, answered):
    tna_round, leads = answered
    client.force_login(make_user(Role.LOD_MEMBER))
    page = client.get(reverse("reports:tna-results", kwargs={"pk": tna_round.pk}))
    assert page.status_code == 200
    html = page.content.decode()
    words = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "3 of 4 organisations answered (75%)" in words
    assert "Derbyshire Police:" in html and "Child exploitation for response officers" in html
    assert "mean rating 3.7 out of 5 (n = 3)" in words
    for lead in leads:
        assert lead.last_name not in html and lead.email not in html


def test_the_csv_holds_the_summary(client, make_user, answered):
    tna_round, leads = answered
    client.force_login(make_user(Role.OFFICER))
    response = client.get(reverse("reports:tna-results-export", kwargs={"pk": tna_round.pk}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Part", "Question", "Answer", "Organisation", "Count"]
    assert rows[1] == ["Returns", "Returns received of organisations asked", "", "", "3",
                       "75%", "", "4"]
    assert ["Answers", "Which kinds of training does your organisation need most?",
            "Understanding Safeguarding Risks", "", "3", "100%", "", "3"] in rows
    mean = next(r for r in rows if r[1].startswith("How much of a priority is training on "
                                                   "child exploitation") and r[2] == "Mean rating")
    assert mean[6] == "3.67"
    assert ["Written answers", "Which courses would you ask us to run?",
            "More Level 1 places", "Little Acorns Nursery", "", "", "", ""] in rows
    text = response.content.decode("utf-8-sig")
    for lead in leads:
        assert lead.email not in text and lead.last_name not in text


def test_results_cost_the_same_queries_for_three_returns_or_nine(client, make_user):
    client.force_login(make_user(Role.LOD_MEMBER))

    def queries(tna_round):
        url = reverse("reports:tna-results", kwargs={"pk": tna_round.pk})
        client.get(url)  # warm the session and the defaults
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    small = round_make(title="Small")
    _returns(small, [(f"Small org {n}", [1], 3, "More places") for n in range(3)])
    large = round_make(title="Large")
    _returns(large, [(f"Large org {n}", [1, 2], 4, "More places") for n in range(9)])
    assert queries(small) == queries(large)
    assert queries(large) <= 20
