"""Shared pieces of the training needs analysis tests: a round, a lead, answers to post."""

from datetime import timedelta

from django.utils import timezone

from accounts.roles import Role
from core.calendar import london_date
from evaluations.forms import field_name
from evaluations.models import QuestionnaireKind, QuestionType
from evaluations.selectors.questionnaires import questionnaire_default_version
from reports.models import TnaRound
from tests.factories import UserFactory
from tests.helpers import totp_activate


def today():
    return london_date(timezone.now())


def tna_version():
    return questionnaire_default_version(kind=QuestionnaireKind.TNA)


def round_make(*, opens=-2, closes=20, title="Training needs analysis 2027", closed=False):
    day = today()
    return TnaRound.objects.create(
        title=title, version=tna_version(), opens_on=day + timedelta(days=opens),
        closes_on=day + timedelta(days=closes),
        closed_at=timezone.now() if closed else None)


def lead_make(organisation, **kwargs):
    user = UserFactory(roles=[Role.DELEGATE, Role.SAFEGUARDING_LEAD],
                       organisation=organisation, **kwargs)
    totp_activate(user)
    return user


def answers_for(version, *, picks=None, rating=4, texts=None):
    """Posted fields answering every question of `version`: the first choice of each single
    choice, `picks` (choice numbers) of each multiple choice, `rating` for each rating and
    `texts` ({key: text}) for the free-text questions."""
    picks = picks or [1]
    texts = texts or {}
    data = {"tna-version_id": str(version.pk)}
    for q in version.questions.all():
        name = "tna-" + field_name(q)
        if q.type == QuestionType.RATING:
            data[name] = str(rating)
        elif q.type == QuestionType.SINGLE:
            data[name] = "1"
        elif q.type == QuestionType.MULTIPLE:
            data[name] = [str(p) for p in picks]
        elif q.key in texts:
            data[name] = texts[q.key]
        elif q.required:
            data[name] = "Some words"
    return data
