"""Demo data of training needs analysis: last year's round, closed, answered by several
organisations, and this year's round, open. Idempotent: rounds are found by their title, and
a round's returns are made only once (a second load writes nothing).

Called by the demo loader (demo/services.py) with the demo's `now`."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation
from core.calendar import london_date
from evaluations.forms import field_name
from evaluations.models import QuestionnaireKind, QuestionType
from evaluations.selectors.questionnaires import questionnaire_default_version
from evaluations.services.responses import response_record_unrequested

from ..models import TnaReturn, TnaRound

CLOSED_TITLE = "Training needs analysis {year}"
RETURNS_IN_CLOSED_ROUND = 6
COURSES_ASKED = [
    "More places on Working Together to Safeguard Children (Level 2)",
    "A course on child exploitation for our youth workers",
    "Domestic abuse and its impact on children, in the evening",
    "Safeguarding adults at risk: Level 2 for our care staff",
    "Professional curiosity, for newly qualified staff",
    "Neglect: recognising it early",
]


def _answers(version, rng, n):
    """The posted fields of one plausible return (as the answering form names them)."""
    prefix = f"{version.questionnaire.kind}-"
    data = {f"{prefix}version_id": str(version.pk)}
    for question in version.questions.all():
        name = prefix + field_name(question)
        if question.type == QuestionType.RATING:
            data[name] = str(rng.randint(2, question.scale_max or 5))
        elif question.type == QuestionType.SINGLE:
            data[name] = str(rng.randint(1, len(question.choices)))
        elif question.type == QuestionType.MULTIPLE:
            picked = rng.sample(range(1, len(question.choices) + 1),
                                k=rng.randint(1, min(3, len(question.choices))))
            data[name] = [str(i) for i in sorted(picked)]
        elif question.required or n % 2 == 0:
            data[name] = (COURSES_ASKED[n % len(COURSES_ASKED)] if "course" in question.key
                          else "New staff joined in the spring: they need Level 1 first.")
    return data


def tna_demo_load(*, now=None):
    """{"rounds": made, "returns": made}."""
    now = now or timezone.now()
    today = london_date(now)
    version = questionnaire_default_version(kind=QuestionnaireKind.TNA)
    made = {"rounds": 0, "returns": 0}
    with transaction.atomic():
        last_year = CLOSED_TITLE.format(year=f"{today.year - 1} to {today.year}")
        closed, created = TnaRound.objects.get_or_create(
            title=last_year, defaults={
                "version": version, "opens_on": today - timedelta(days=300),
                "closes_on": today - timedelta(days=270),
                "created_at": now - timedelta(days=300)})
        made["rounds"] += created
        if not closed.returns.exists():
            rng = random.Random(2026)
            organisations = list(Organisation.objects.filter(active=True)
                                 .order_by("name")[:RETURNS_IN_CLOSED_ROUND])
            for n, organisation in enumerate(organisations):
                submitted = now - timedelta(days=290 - n)
                response = response_record_unrequested(
                    version=version, data=_answers(version, rng, n), now=submitted)
                TnaReturn.objects.create(round=closed, organisation=organisation,
                                         response=response, submitted_at=submitted)
                made["returns"] += 1
        this_year = CLOSED_TITLE.format(year=f"{today.year} to {today.year + 1}")
        _, created = TnaRound.objects.get_or_create(
            title=this_year, defaults={
                "version": version, "opens_on": today - timedelta(days=3),
                "closes_on": today + timedelta(days=25), "created_at": now - timedelta(days=3)})
        made["rounds"] += created
    return made
