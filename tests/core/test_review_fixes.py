"""Fixes from the code review (core): a partnership number too large for date arithmetic is
refused on the form (it used to be saved, then break the training record, the content review
and the sweeps with a 500); the audit log survives a NUL byte in its filter."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from core.models import Partnership
from courses.models import Completion
from tests.core.test_partnership_settings import form_data
from tests.factories import CourseFactory

URL = reverse("core:partnership-update")

# Each number is used in date arithmetic (a date plus that many hours, days, months or years);
# a huge value overflowed Python's dates wherever it was used.
HUGE = [
    ("refresher_years", "9000"),
    ("refresher_reminder_days", "2000000000"),
    ("waiting_list_offer_hours", "2000000000"),
    ("event_reminder_days", "2000000000"),
    ("joining_link_reminder_days", "2000000000"),
    ("content_review_months", "2000000000"),
    ("summary_report_days_after_event", "2000000000"),
    ("stage_2_days_after_stage_1", "2000000000"),
    ("evaluation_reminder_days", "2000000000"),
    ("invoice_overdue_months", "2000000000"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("name, value", HUGE, ids=[n for n, _ in HUGE])
def test_a_number_too_large_for_the_calendar_is_refused(client, make_user, name, value):
    partnership = Partnership.load()
    before = getattr(partnership, name)
    client.force_login(make_user(Role.OFFICER))

    response = client.post(URL, form_data(partnership, **{name: value}))

    assert response.status_code == 200
    assert response.context["form"].errors[name]
    assert getattr(Partnership.load(), name) == before


@pytest.mark.django_db
def test_a_long_but_sensible_refresher_period_is_still_accepted(client, make_user):
    partnership = Partnership.load()
    client.force_login(make_user(Role.OFFICER))

    response = client.post(URL, form_data(partnership, refresher_years="10",
                                          waiting_list_offer_hours="168"))

    assert response.status_code == 302
    assert (Partnership.load().refresher_years, Partnership.load().waiting_list_offer_hours) \
        == (10, 168)


@pytest.mark.django_db
def test_the_training_record_and_review_pages_stay_up_after_a_refused_value(client, make_user):
    officer = make_user(Role.OFFICER)
    Completion.objects.create(user=officer, course=CourseFactory(), completed_on=date(2026, 3, 2),
                              source=Completion.Source.RECORDED)
    client.force_login(officer)
    client.post(URL, form_data(Partnership.load(), refresher_years="9000",
                               content_review_months="2000000000"))

    for page in ("courses:training-record", "courses:manage-review", "bookings:my-training"):
        assert client.get(reverse(page)).status_code == 200, page
    from bookings.services import refresher_reminders_send

    refresher_reminders_send(now=timezone.now())


@pytest.mark.django_db
def test_the_audit_log_ignores_a_nul_byte_in_its_filter(client, make_user):
    client.force_login(make_user(Role.OFFICER))

    response = client.get(reverse("core:auditentry-list") + "?action=partner%00ship")

    assert response.status_code == 200
