"""load_demo's evaluations (demo/evaluations.py): the past demo course with pre/post and Stage 1
answers, the facilitator's feedback, its summary and a certificate; the demo delegate with a
Stage 2 to complete, which issues their certificate; loaded once."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from evaluations.models import (
    Certificate,
    EvaluationRequest,
    QuestionnaireKind,
    RequestKind,
    Response,
    SummaryReport,
)

pytestmark = pytest.mark.django_db
DEMO_DELEGATE = "delegate@demo.example"


def load_demo():
    out = io.StringIO()
    call_command("load_demo", "--without-history", stdout=out)
    return out.getvalue()


def snapshot():
    return (sorted(EvaluationRequest.objects.values_list("uid", "kind", "user__email", "due_at",
                                                         "requested_at", "completed_at")),
            Response.objects.count(), sorted(Certificate.objects.values_list("code", flat=True)),
            list(SummaryReport.objects.values_list("event_id", "due_on", "sent_at")))


def test_the_past_demo_course_has_its_evaluations_summary_and_a_certificate(client):
    from demo.bookings import CE, _event

    load_demo()
    # The story's course: the last Child Exploitation course (the history before it, for the
    # reports, has summaries of its own: demo/history.py).
    event = _event(CE, upcoming=False, now=timezone.now())
    summary = SummaryReport.objects.get(event=event)
    assert summary.event == event
    answered = Response.objects.filter(event=event)
    assert answered.filter(kind=QuestionnaireKind.PRE).count() == 4  # one not admitted after
    assert answered.filter(kind=QuestionnaireKind.POST).count() == 3
    assert answered.filter(kind=QuestionnaireKind.STAGE_1).count() == 3
    assert answered.filter(kind=QuestionnaireKind.FACILITATOR).count() == 1
    post = answered.get(kind=QuestionnaireKind.POST, request__user__email=DEMO_DELEGATE)
    assert [a.outcome_text for a in post.answers.all()] == event.course.learning_outcomes

    [certificate] = Certificate.objects.all()
    assert certificate.delegate_name == "James Whitehouse" and certificate.event == event
    page = client.get(reverse("evaluations:certificate-verify-code",
                              kwargs={"code": certificate.code}))
    assert page.status_code == 200 and "James Whitehouse" in page.content.decode()


def test_the_demo_delegate_has_a_stage_2_to_complete_and_completing_it_issues_a_certificate():
    from evaluations.selectors.requests import requests_open_for
    from evaluations.services.responses import response_submit

    load_demo()
    delegate_open = requests_open_for(user=EvaluationRequest.objects.filter(
        user__email=DEMO_DELEGATE).first().user, now=timezone.now())
    stage_2 = delegate_open.get(kind=RequestKind.STAGE_2)
    assert stage_2.requested_at is not None and stage_2.event.summary_report
    assert delegate_open.filter(kind=RequestKind.PRE).exists()  # the next course's

    from evaluations.forms import field_name
    from evaluations.selectors.questionnaires import questionnaire_version_for

    version = questionnaire_version_for(kind=QuestionnaireKind.STAGE_2, course=stage_2.course)
    data = {f"{QuestionnaireKind.STAGE_2}-version_id": str(version.pk)}
    for question in version.questions.all():
        data[f"{QuestionnaireKind.STAGE_2}-{field_name(question)}"] = (
            "4" if question.type == "rating" else "I escalated a concern sooner.")
    response_submit(request=stage_2, user=stage_2.user, data=data, now=timezone.now())

    assert Certificate.objects.filter(user__email=DEMO_DELEGATE, booking=stage_2.booking,
                                      revoked_at__isnull=True).exists()


def test_loading_the_demo_again_adds_and_changes_no_evaluation():
    load_demo()
    before = snapshot()
    assert "Demo data already loaded: nothing changed." in load_demo()
    assert snapshot() == before
