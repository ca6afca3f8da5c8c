"""The demo's e-learning modules, content reviews and resources (demo/elearning.py)."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from courses import selectors
from courses.models import Choice, Course, Format, Question
from resources.models import Resource
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def load_demo():
    call_command("load_demo", "--without-history", stdout=io.StringIO())


def rows():
    return {
        "questions": list(Question.objects.order_by("pk").values()),
        "choices": list(Choice.objects.order_by("pk").values()),
        "resources": list(Resource.objects.order_by("pk").values()),
        "courses": list(Course.objects.order_by("pk").values("pk", "module_content",
                                                             "last_reviewed")),
        "prerequisites": list(Course.prerequisites.through.objects.order_by("pk").values()),
    }


def test_three_live_modules_have_content_and_a_knowledge_check_that_can_be_passed():
    load_demo()
    modules = Course.objects.filter(format=Format.E_LEARNING, questions__isnull=False).distinct()
    assert modules.count() == 3
    for module in modules:
        assert module.status == "live" and module.module_content
        questions = list(selectors.knowledge_check_questions(course=module))
        assert 4 <= len(questions) <= 5, module.title
        assert questions == list(module.questions.all())  # every one finished: in the check


def test_the_child_exploitation_module_comes_before_the_level_3_course():
    load_demo()
    level3 = Course.objects.get(title="Child Exploitation: Multi-Agency Response")
    assert [c.title for c in level3.prerequisites.all()] == ["Child Exploitation"]
    check = selectors.prerequisites_check_for(user=UserFactory(), course=level3)
    assert check.reason == "Complete “Child Exploitation” before you book this course."


def test_some_courses_are_overdue_for_review_and_six_resources_are_published():
    load_demo()
    today = timezone.localdate()
    lines = list(selectors.courses_for_review(today=today))
    overdue = [line for line in lines if line.overdue]
    assert len(overdue) >= 2
    assert lines[0].overdue
    assert Resource.objects.count() == 6
    assert Resource.objects.filter(public=True).count() == 3
    assert all(r.url.startswith("https://example.org/") for r in Resource.objects.all())


def test_loading_twice_adds_and_changes_nothing_and_keeps_an_officers_edits():
    load_demo()
    module = Course.objects.get(title="Child Exploitation")
    module.module_content = "Rewritten by the officer."
    module.save()
    first = rows()

    load_demo()

    assert rows() == first

