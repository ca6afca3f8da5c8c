"""The training needs analysis questionnaire is one of the evaluations engine's defaults:
officers list, preview and edit it like the others (a new version each time), a new round asks
the newest version while a round already open keeps its own, and a course cannot have its own
TNA questionnaire. The demo makes a closed round with returns and an open one, once."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from core.exceptions import DomainError
from evaluations.defaults import DEFAULT_QUESTIONNAIRES, TNA_COURSES_ASKED_FOR
from evaluations.forms import OverrideCreateForm
from evaluations.models import Questionnaire, QuestionnaireKind, Response
from evaluations.services.questionnaires import (
    questionnaire_override_create,
    questionnaire_version_save,
    version_questions,
)
from reports.models import TnaReturn, TnaRound
from reports.tna import services
from reports.tna.demo import tna_demo_load
from tests.factories import CourseFactory, OrganisationFactory

from .tna_helpers import round_make, tna_version, today

pytestmark = pytest.mark.django_db


def test_the_default_tna_questionnaire_asks_what_the_brief_needs():
    version = tna_version()
    questions = list(version.questions.all())
    types = {q.key: q.type for q in questions}
    assert version.title == "Training needs analysis"
    assert [types[k] for k in ("staff_group_1_need", "staff_group_2_need",
                               "staff_group_3_need")] == ["single"] * 3
    assert types["categories_needed"] == types["barriers"] == "multiple"
    assert sum(1 for t in types.values() if t == "rating") == 4
    assert types[TNA_COURSES_ASKED_FOR] == "text"
    assert len(questions) == len(DEFAULT_QUESTIONNAIRES[QuestionnaireKind.TNA]["questions"])


def test_officers_list_preview_and_edit_it_like_the_others(client, make_user):
    officer = make_user(Role.OFFICER)
    client.force_login(officer)
    listing = client.get(reverse("evaluations:questionnaire-list")).content.decode()
    tna = Questionnaire.objects.get(kind=QuestionnaireKind.TNA, course=None)
    assert "Training needs analysis" in listing
    assert reverse("evaluations:questionnaire-update", args=[tna.pk]) in listing
    preview = client.get(reverse("evaluations:questionnaire-preview", args=[tna.pk]))
    assert preview.status_code == 200
    assert "safeguarding lead sees" in preview.content.decode()
    edit = client.get(reverse("evaluations:questionnaire-update", args=[tna.pk]))
    assert edit.status_code == 200
    assert "training needs analysis round" in edit.content.decode()

    open_round = round_make()
    questions = version_questions(tna_version())
    questions[0]["text"] = "How many in Group 1 need training in the coming year?"
    v2 = questionnaire_version_save(questionnaire=tna, title="Training needs analysis",
                                    introduction="", questions=questions, by=officer,
                                    now=timezone.now())
    assert v2.number == 2
    new_round, _ = services.tna_round_open(title="Next", opens_on=today(),
                                           closes_on=today() + timedelta(days=10),
                                           by=officer, now=timezone.now())
    open_round.refresh_from_db()
    assert (open_round.version.number, new_round.version.number) == (1, 2)


def test_a_course_cannot_have_its_own_tna_questionnaire():
    form = OverrideCreateForm()
    assert QuestionnaireKind.TNA not in [value for value, _ in form.fields["kind"].choices]
    with pytest.raises(DomainError):
        questionnaire_override_create(kind=QuestionnaireKind.TNA, course=CourseFactory(),
                                      by=None, now=timezone.now())


def test_the_demo_makes_a_closed_round_with_returns_and_an_open_round_once():
    for n in range(7):
        OrganisationFactory(name=f"Demo organisation {n}")
    made = tna_demo_load()
    assert made == {"rounds": 2, "returns": 6}
    assert tna_demo_load() == {"rounds": 0, "returns": 0}
    closed, open_round = TnaRound.objects.order_by("opens_on")
    assert closed.closes_on < today() <= open_round.closes_on
    assert closed.returns.count() == 6 and not open_round.returns.exists()
    assert Response.objects.filter(kind="tna", request__isnull=True).count() == 6
    # Their answers are what a lead could have sent: the service accepts the same shape.
    assert TnaReturn.objects.filter(response__answers__question__key=TNA_COURSES_ASKED_FOR
                                    ).exists()
