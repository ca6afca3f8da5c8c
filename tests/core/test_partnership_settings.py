"""An officer changes the partnership's policy numbers: saved, audited, and bad input refused
with a message while the old value stays in force."""

from datetime import date
from decimal import Decimal

import pytest
from django import forms
from django.urls import reverse

from accounts.roles import Role
from core.calendar import cancellation_notice
from core.forms import PartnershipForm
from core.models import AuditEntry, Partnership

URL = reverse("core:partnership-update")


def form_data(partnership, **changes):
    """What the page posts when the officer changes only `changes`."""
    form = PartnershipForm(instance=partnership)
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name)
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
            continue
        data[name] = "" if value is None else str(value)
    data.update(changes)
    return data


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER, email="lnd.officer@partnership.example")


@pytest.mark.django_db
def test_officer_changes_the_notice_period_and_it_is_audited(client, officer):
    partnership = Partnership.load()
    assert partnership.notice_working_days == 5
    client.force_login(officer)

    page = client.get(URL)
    assert page.status_code == 200
    response = client.post(URL, form_data(partnership, notice_working_days="6"))

    assert response.status_code == 302
    assert response["Location"] == URL
    partnership = Partnership.load()
    assert partnership.notice_working_days == 6
    entry = AuditEntry.objects.get(action="partnership.update")
    assert entry.actor == officer
    assert entry.actor_label == "lnd.officer@partnership.example"
    assert entry.target_id == str(partnership.pk)
    assert entry.details == {"notice_working_days": ["5", "6"]}
    followed = client.get(URL)
    assert "The partnership settings are saved." in [str(m) for m in followed.context["messages"]]

    # The new number is the one the rules use: 5 working days is now late.
    notice = cancellation_notice(cancelled_on=date(2026, 12, 18),
                                 event_starts=date(2026, 12, 29),
                                 required=partnership.notice_working_days)
    assert not notice.in_time


@pytest.mark.django_db
def test_changing_a_fee_and_the_short_name_records_both(client, officer):
    partnership = Partnership.load()
    client.force_login(officer)
    client.post(URL, form_data(partnership, fee_late_cancellation_full_day="120.00",
                               short_name="dspp"))
    partnership = Partnership.load()
    assert partnership.fee_late_cancellation_full_day == Decimal("120.00")
    assert partnership.short_name == "DSPP"  # invoice numbers use capitals
    details = AuditEntry.objects.get(action="partnership.update").details
    assert details["fee_late_cancellation_full_day"] == ["100.00", "120.00"]
    assert details["short_name"] == ["SP", "DSPP"]
    assert set(details) == {"fee_late_cancellation_full_day", "short_name"}


@pytest.mark.django_db
def test_saving_without_changes_records_no_changes(client, officer):
    partnership = Partnership.load()
    client.force_login(officer)
    client.post(URL, form_data(partnership))
    assert AuditEntry.objects.get(action="partnership.update").details == {}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field, bad, message",
    [
        ("fee_attendance_full_day", "-75.00", "greater than or equal to 0"),
        ("fee_no_show_half_day", "fifty", "Enter a number."),
        ("notice_working_days", "0", "greater than or equal to 1"),
        ("notice_working_days", "-5", "greater than or equal to"),
        ("stage_2_days_after_stage_1", "", "Enter the days after Stage 1 that Stage 2 is"),
        ("short_name", "DS-PP", "Use letters and numbers only"),
        ("short_name", "DS PP", "Use letters and numbers only"),
        ("short_name", "DSPP/2026", "Use letters and numbers only"),
        ("contact_email", "training at dspp", "Enter a valid email address."),
    ],
    ids=["negative-fee", "fee-not-a-number", "zero-days", "negative-days", "days-empty",
         "short-name-hyphen", "short-name-space", "short-name-slash", "bad-email"],
)
def test_bad_input_is_explained_and_the_old_value_kept(client, officer, field, bad, message):
    partnership = Partnership.load()
    before = getattr(partnership, field)
    client.force_login(officer)

    response = client.post(URL, form_data(partnership, **{field: bad, "name": "Renamed"}))

    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in e for e in errors), errors
    assert "There is a problem" in response.content.decode()
    partnership = Partnership.load()
    assert getattr(partnership, field) == before
    assert partnership.name != "Renamed"  # nothing of a refused form is saved
    assert not AuditEntry.objects.filter(action="partnership.update").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.BUSINESS_SUPPORT, Role.LOD_MEMBER, Role.FACILITATOR],
                         ids=["business-support", "lod-member", "facilitator"])
def test_only_officers_change_the_settings(client, make_user, role):
    partnership = Partnership.load()
    client.force_login(make_user(role))
    response = client.post(URL, form_data(partnership, notice_working_days="2"))
    assert response.status_code == 403
    assert Partnership.load().notice_working_days == 5
