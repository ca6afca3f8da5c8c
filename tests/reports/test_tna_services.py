"""Training needs analysis rounds: opening one tells every organisation's safeguarding lead
(once), the reminder before it closes (once, only to organisations that have not answered),
one return per organisation and round (also under a race), and no return outside the dates."""

from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from accounts.roles import Role
from core.exceptions import DomainError
from core.models import AuditEntry, OutgoingEmail, Partnership
from evaluations.models import Answer, QuestionnaireKind, Response
from reports.models import TnaReturn, TnaRound
from reports.tna import policies, services
from tests.factories import OrganisationFactory, UserFactory

from .tna_helpers import answers_for, lead_make, round_make, tna_version, today

pytestmark = pytest.mark.django_db


def _at(day, hour=10):
    from zoneinfo import ZoneInfo

    return datetime.combine(day, time(hour), tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def world():
    a = OrganisationFactory(name="Derby City Council")
    b = OrganisationFactory(name="Little Acorns Nursery")
    closed = OrganisationFactory(name="Closed Charity", active=False)
    return {
        "a": a, "b": b,
        "lead_a": lead_make(a, email="lead.a@derby.example"),
        "lead_b": lead_make(b, email="lead.b@acorns.example"),
        "lead_closed": lead_make(closed, email="lead@closed.example"),
        "delegate": UserFactory(organisation=a, email="delegate@derby.example"),
        "officer": UserFactory(roles=[Role.OFFICER], email="officer@ddscp.example"),
    }


def test_opening_a_round_today_emails_each_active_organisations_lead_once(world):
    now = _at(today())
    tna_round, told = services.tna_round_open(
        title="Training needs analysis 2027", opens_on=today(),
        closes_on=today() + timedelta(days=30), by=world["officer"], now=now)

    assert told == 2
    assert tna_round.version == tna_version()
    sent = sorted(m.to[0] for m in mail.outbox)
    assert sent == ["lead.a@derby.example", "lead.b@acorns.example"]
    email = next(m for m in mail.outbox if m.to == ["lead.a@derby.example"])
    assert "Derby City Council" in email.subject
    assert f"/reports/training-needs/{tna_round.pk}/answer/" in email.body
    assert set(OutgoingEmail.objects.values_list("purpose", flat=True)) == {
        f"tna:{tna_round.pk}:open:{world['lead_a'].pk}",
        f"tna:{tna_round.pk}:open:{world['lead_b'].pk}"}
    entry = AuditEntry.objects.get(action="reports.tna_round_opened")
    assert entry.actor == world["officer"] and entry.details["leads_told"] == 2

    # The sweep the same day (twice) sends nobody anything more.
    assert services.tna_rounds_notify(now=now)["opened"] == 0
    assert services.tna_rounds_notify(now=now)["opened"] == 0
    assert OutgoingEmail.objects.count() == 2


def test_a_round_opening_later_is_announced_by_the_sweep_on_its_day(world):
    opens = today() + timedelta(days=5)
    tna_round, told = services.tna_round_open(
        title="Next year", opens_on=opens, closes_on=opens + timedelta(days=30),
        by=world["officer"], now=_at(today()))
    assert told == 0 and OutgoingEmail.objects.count() == 0
    assert services.tna_rounds_notify(now=_at(opens - timedelta(days=1)))["rounds"] == 0
    assert OutgoingEmail.objects.count() == 0

    assert services.tna_rounds_notify(now=_at(opens))["opened"] == 2
    assert services.tna_rounds_notify(now=_at(opens, 15))["opened"] == 0
    opened = OutgoingEmail.objects.filter(purpose__startswith=f"tna:{tna_round.pk}:open:")
    assert opened.count() == 2


def test_the_reminder_goes_once_to_leads_whose_organisation_has_not_answered(world):
    reminder_days = Partnership.load().evaluation_reminder_days  # 7
    start = today()
    closes = start + timedelta(days=20)
    tna_round, _ = services.tna_round_open(title="TNA", opens_on=start, closes_on=closes,
                                           by=world["officer"], now=_at(start))
    services.tna_return_submit(tna_round=tna_round, user=world["lead_a"],
                               data=answers_for(tna_round.version), now=_at(start, 11))
    # A day too early: nobody reminded.
    early = closes - timedelta(days=reminder_days + 1)
    assert services.tna_rounds_notify(now=_at(early))["reminded"] == 0
    due = closes - timedelta(days=reminder_days)
    assert services.tna_rounds_notify(now=_at(due))["reminded"] == 1
    assert services.tna_rounds_notify(now=_at(due + timedelta(days=1)))["reminded"] == 0
    reminders = OutgoingEmail.objects.filter(purpose__contains=":reminder:")
    assert [r.recipient for r in reminders] == ["lead.b@acorns.example"]
    assert reminders[0].purpose == f"tna:{tna_round.pk}:reminder:{world['lead_b'].pk}"
    assert "closes on" in reminders[0].subject
    # Closed early: no more reminders, nor emails to new leads.
    services.tna_round_close(tna_round=tna_round, by=world["officer"], now=_at(due))
    lead_make(OrganisationFactory(name="New Academy"), email="new@academy.example")
    assert services.tna_rounds_notify(now=_at(due + timedelta(days=1))) == {
        "rounds": 0, "opened": 0, "reminded": 0}


def test_a_lead_answers_once_for_their_organisation(world):
    tna_round = round_make()
    version = tna_round.version
    tna_return = services.tna_return_submit(
        tna_round=tna_round, user=world["lead_a"],
        data=answers_for(version, texts={"courses_asked_for": "Neglect, Level 2"}),
        now=_at(today()))

    response = tna_return.response
    assert (response.kind, response.request, response.course) == (
        QuestionnaireKind.TNA, None, None)
    assert tna_return.organisation == world["a"] and tna_return.submitted_by == world["lead_a"]
    assert response.answers.get(question__key="courses_asked_for").value_text == \
        "Neglect, Level 2"
    entry = AuditEntry.objects.get(action="reports.tna_returned")
    assert entry.actor == world["lead_a"] and entry.details["organisation"] == world["a"].pk

    # Another lead of the same organisation: refused, the first answers kept.
    colleague = lead_make(world["a"], email="deputy@derby.example")
    with pytest.raises(DomainError) as refused:
        services.tna_return_submit(tna_round=tna_round, user=colleague,
                                   data=answers_for(version, rating=1), now=_at(today()))
    assert refused.value.message == policies.ALREADY_RETURNED
    assert (TnaReturn.objects.count(), Response.objects.count()) == (1, 1)


def test_two_returns_at_the_same_moment_keep_one(world, monkeypatch):
    """The second lead's check ran before the first return was saved: the unique constraint
    refuses the second, with the same message, and nothing of it is saved."""
    tna_round = round_make()
    services.tna_return_submit(tna_round=tna_round, user=world["lead_a"],
                               data=answers_for(tna_round.version), now=_at(today()))
    answers = Answer.objects.count()
    monkeypatch.setattr(services, "_returned", lambda **kwargs: False)
    colleague = lead_make(world["a"], email="deputy@derby.example")
    with pytest.raises(DomainError) as refused:
        services.tna_return_submit(tna_round=tna_round, user=colleague,
                                   data=answers_for(tna_round.version), now=_at(today()))
    assert refused.value.message == policies.ALREADY_RETURNED
    assert (TnaReturn.objects.count(), Response.objects.count(), Answer.objects.count()) == (
        1, 1, answers)


def test_the_database_refuses_a_second_return_whatever_calls_it(world):
    tna_round = round_make()
    first = services.tna_return_submit(tna_round=tna_round, user=world["lead_a"],
                                       data=answers_for(tna_round.version), now=_at(today()))
    with pytest.raises(IntegrityError), transaction.atomic():
        TnaReturn.objects.create(round=tna_round, organisation=world["a"],
                                 response=Response.objects.create(
                                     version=first.response.version, kind="tna"))


@pytest.mark.parametrize("opens, closes, closed, message", [
    (3, 20, False, "This training needs analysis opens on"),
    (-20, -1, False, "This training needs analysis has closed"),
    (-2, 20, True, "This training needs analysis has closed"),
])
def test_no_answers_outside_the_rounds_dates(world, opens, closes, closed, message):
    tna_round = round_make(opens=opens, closes=closes, closed=closed)
    with pytest.raises(DomainError) as refused:
        services.tna_return_submit(tna_round=tna_round, user=world["lead_a"],
                                   data=answers_for(tna_round.version), now=_at(today()))
    assert refused.value.message.startswith(message)
    assert not TnaReturn.objects.exists() and not Response.objects.exists()


def test_a_missing_answer_saves_nothing_and_only_leads_answer(world):
    tna_round = round_make()
    data = answers_for(tna_round.version)
    data.pop(next(k for k in data if k != "tna-version_id"))
    with pytest.raises(DomainError) as refused:
        services.tna_return_submit(tna_round=tna_round, user=world["lead_a"], data=data,
                                   now=_at(today()))
    assert refused.value.message.startswith("Answer “How many of your staff in Group 1")
    with pytest.raises(DomainError):
        services.tna_return_submit(tna_round=tna_round, user=world["delegate"],
                                   data=answers_for(tna_round.version), now=_at(today()))
    assert not Response.objects.exists() and not TnaReturn.objects.exists()


def test_closing_early_stops_answers_and_is_audited(world):
    tna_round = round_make()
    services.tna_round_close(tna_round=tna_round, by=world["officer"], now=_at(today()))
    tna_round.refresh_from_db()
    assert tna_round.closed_at is not None
    assert AuditEntry.objects.filter(action="reports.tna_round_closed",
                                     actor=world["officer"]).count() == 1
    with pytest.raises(DomainError, match="already closed"):
        services.tna_round_close(tna_round=tna_round, by=world["officer"], now=_at(today()))


def test_round_dates_that_cannot_work_are_refused(world):
    with pytest.raises(DomainError) as refused:
        services.tna_round_open(title="Backwards", opens_on=today(),
                                closes_on=today() - timedelta(days=1), by=world["officer"],
                                now=_at(today()))
    assert refused.value.field == "closes_on"
    assert not TnaRound.objects.exists()


def test_policies():
    day = today()
    assert policies.round_state(opens_on=day, closes_on=day, closed_at=None, today=day) == "open"
    assert policies.round_state(opens_on=day, closes_on=day, closed_at=None,
                                today=day + timedelta(days=1)) == "closed"
    assert policies.reminder_due(closes_on=day + timedelta(days=7), today=day, reminder_days=7)
    assert not policies.reminder_due(closes_on=day + timedelta(days=8), today=day,
                                     reminder_days=7)
    assert policies.answer_problem(opens_on=day, closes_on=day, closed_at=None, today=day,
                                   has_organisation=False, returned=False) == \
        policies.NO_ORGANISATION
