"""Writes of training needs analysis rounds: an officer opens or closes a round; a safeguarding
lead sends their organisation's answers; the beat sweep tells the leads that a round is open
and reminds them before it closes. Each write is one transaction, audited; emails go through
the outbox with one purpose key per round, kind and person, so a sweep run twice sends
nothing twice."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from core.audit import audit_record
from core.audit_words import register_action_words
from core.calendar import london_date
from core.exceptions import DomainError
from core.models import OutgoingEmail, Partnership
from core.outbox import email_queue
from evaluations.models import QuestionnaireKind
from evaluations.selectors.questionnaires import questionnaire_default_version
from evaluations.services.responses import response_record_unrequested

from ..models import TnaReturn, TnaRound
from . import policies, selectors

register_action_words({
    "reports.tna_round_opened": "Training needs analysis round opened",
    "reports.tna_round_closed": "Training needs analysis round closed early",
    "reports.tna_returned": "Training needs analysis answered for an organisation",
})

OPEN_EMAIL = "reports/tna_open"
REMINDER_EMAIL = "reports/tna_reminder"


def purpose(tna_round, what, user):
    return f"tna:{tna_round.pk}:{what}:{user.pk}"


def tna_round_open(*, title, opens_on, closes_on, by, now):
    """A new round asking the newest version of the TNA questionnaire. Opening today tells
    every safeguarding lead at once; a later opening date, the sweep on that day."""
    today = london_date(now)
    problem = policies.round_dates_problem(opens_on=opens_on, closes_on=closes_on, today=today)
    if problem:
        field, message = problem
        raise DomainError(message, field=field)
    version = questionnaire_default_version(kind=QuestionnaireKind.TNA)
    with transaction.atomic():
        tna_round = TnaRound.objects.create(title=title, version=version, opens_on=opens_on,
                                            closes_on=closes_on, created_at=now,
                                            created_by=by if getattr(by, "pk", None) else None)
        told = 0
        if opens_on <= today:
            told = _round_notify(tna_round, today=today)["opened"]
        audit_record(actor=by, action="reports.tna_round_opened", target=tna_round,
                     details={"opens_on": opens_on.isoformat(),
                              "closes_on": closes_on.isoformat(),
                              "version": version.number, "leads_told": told})
    return tna_round, told


def tna_round_close(*, tna_round, by, now):
    """Close a round before its closing date: no more answers are taken."""
    today = london_date(now)
    with transaction.atomic():
        locked = TnaRound.objects.select_for_update().get(pk=tna_round.pk)
        state = policies.round_state(opens_on=locked.opens_on, closes_on=locked.closes_on,
                                     closed_at=locked.closed_at, today=today)
        if state == policies.CLOSED:
            raise DomainError("This training needs analysis has already closed.")
        locked.closed_at = now
        locked.save(update_fields=["closed_at"])
        audit_record(actor=by, action="reports.tna_round_closed", target=locked,
                     details={"closes_on": locked.closes_on.isoformat(),
                              "returns": locked.returns.count()})
    return locked


def _returned(*, tna_round, organisation_id):
    return TnaReturn.objects.filter(round=tna_round, organisation_id=organisation_id).exists()


def tna_return_submit(*, tna_round, user, data, now):
    """A safeguarding lead's answers for their organisation, once per round. Refused when the
    round is not open, when the organisation has already answered (also when two leads send
    at the same moment: the round is locked, and the unique constraint holds behind it), and
    when an answer is missing or not one offered: then nothing is saved."""
    if not user.has_perm("reports.answer_tna"):
        raise DomainError("Only an organisation's safeguarding lead answers a training needs "
                          "analysis.", code="not_yours")
    today = london_date(now)
    try:
        with transaction.atomic():
            locked = (TnaRound.objects.select_for_update(of=("self",))
                      .select_related("version", "version__questionnaire")
                      .get(pk=tna_round.pk))
            organisation_id = user.organisation_id
            problem = policies.answer_problem(
                opens_on=locked.opens_on, closes_on=locked.closes_on,
                closed_at=locked.closed_at, today=today,
                has_organisation=organisation_id is not None,
                returned=organisation_id is not None and _returned(
                    tna_round=locked, organisation_id=organisation_id))
            if problem:
                raise DomainError(problem, code="closed")
            response = response_record_unrequested(version=locked.version, data=data, now=now)
            tna_return = TnaReturn.objects.create(round=locked, organisation_id=organisation_id,
                                                  response=response, submitted_by=user,
                                                  submitted_at=now)
            audit_record(actor=user, action="reports.tna_returned", target=tna_return,
                         details={"round": locked.pk, "organisation": organisation_id,
                                  "version": locked.version.number,
                                  "answers": response.answers.count()})
    except IntegrityError:
        raise DomainError(policies.ALREADY_RETURNED, code="closed") from None
    return tna_return


# Telling the leads -------------------------------------------------------------------------

def _already_emailed(tna_round, what):
    prefix = f"tna:{tna_round.pk}:{what}:"
    return {p.removeprefix(prefix) for p in OutgoingEmail.objects.filter(
        purpose__startswith=prefix).values_list("purpose", flat=True)}


def _context(tna_round, lead):
    site = settings.SITE_URL.rstrip("/")
    return {"round": tna_round, "person": lead, "organisation": lead.organisation,
            "answer_url": site + reverse("reports:tna-answer", kwargs={"pk": tna_round.pk}),
            "rounds_url": site + reverse("reports:tna-mine")}


def _round_notify(tna_round, *, today, partnership=None):
    """Inside a transaction: queue the opening email to every lead not told yet and, when the
    round closes within the reminder days, a reminder to each lead whose organisation has not
    answered. {"opened": n, "reminded": n}."""
    partnership = partnership or Partnership.load()
    leads = list(selectors.leads().select_related("organisation").order_by("pk"))
    told = _already_emailed(tna_round, "open")
    answered = set(tna_round.returns.values_list("organisation_id", flat=True))
    counts = {"opened": 0, "reminded": 0}
    for lead in leads:
        # A lead whose organisation has already answered (a deputy added later) is not
        # asked to answer again.
        if str(lead.pk) in told or lead.organisation_id in answered:
            continue
        if email_queue(to=[lead.email], template=OPEN_EMAIL, context=_context(tna_round, lead),
                       purpose=purpose(tna_round, "open", lead)):
            counts["opened"] += 1
    if policies.reminder_due(closes_on=tna_round.closes_on, today=today,
                             reminder_days=partnership.evaluation_reminder_days):
        reminded = _already_emailed(tna_round, "reminder")
        for lead in leads:
            if lead.organisation_id in answered or str(lead.pk) in reminded:
                continue
            # A lead told of the round today is not reminded of it the same day.
            if str(lead.pk) not in told:
                continue
            if email_queue(to=[lead.email], template=REMINDER_EMAIL,
                           context=_context(tna_round, lead),
                           purpose=purpose(tna_round, "reminder", lead)):
                counts["reminded"] += 1
    return counts


def tna_rounds_notify(*, now):
    """Beat: for each open round, tell the leads not told yet that it is open, and remind
    those who have not answered when it closes within Partnership.evaluation_reminder_days.
    Run twice, sends once (purpose keys)."""
    today = london_date(now)
    partnership = Partnership.load()
    totals = {"rounds": 0, "opened": 0, "reminded": 0}
    rounds = TnaRound.objects.filter(opens_on__lte=today, closes_on__gte=today,
                                     closed_at__isnull=True).order_by("pk")
    for tna_round in rounds:
        with transaction.atomic():
            counts = _round_notify(tna_round, today=today, partnership=partnership)
        totals["rounds"] += 1
        totals["opened"] += counts["opened"]
        totals["reminded"] += counts["reminded"]
    return totals
