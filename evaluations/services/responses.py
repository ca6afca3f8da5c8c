"""Answering an evaluation request: every questionnaire it holds (REQUEST_QUESTIONNAIRES), in
one go, once.

What was answered (Response, Answer) carries no person: summaries read answers only. Who was
asked and when they answered stays on the request (DDSCP: "all delegates are required to
complete a pre and post evaluation"; a second submission keeps the first answers)."""

import re

from django.db import transaction

from core.audit import audit_record
from core.exceptions import DomainError

from ..forms import TEXT_ANSWER_MAX, course_outcomes, field_name
from ..models import (
    Answer,
    EvaluationRequest,
    QuestionnaireKind,
    QuestionType,
    RequestKind,
    Response,
)
from ..policies import REQUEST_QUESTIONNAIRES, request_is_closed

ALREADY_ANSWERED = "You have already answered this questionnaire. Your first answers are kept."
TAMPERED = ("Your answers do not match the questions of this questionnaire. Open the page "
            "again and send your answers from it.")


def request_answer_problem(*, kind, completed_at, withdrawn_at, requested_at, due_at,
                           event_start, now):
    """Why a request cannot be answered now, or None. Pure: the page and the service ask it."""
    if completed_at is not None:
        return ALREADY_ANSWERED
    if withdrawn_at is not None:
        return "This evaluation is no longer needed: there is nothing to answer."
    if requested_at is None and due_at > now:
        return "This evaluation is not open yet: we will email you when it is."
    if event_start is not None and request_is_closed(kind=kind, event_start=event_start,
                                                     now=now):
        return ("The pre-course questionnaire closed when the course began: there is nothing "
                "more to answer.")
    return None


def problem_for(request, *, now):
    return request_answer_problem(
        kind=request.kind, completed_at=request.completed_at,
        withdrawn_at=request.withdrawn_at, requested_at=request.requested_at,
        due_at=request.due_at, event_start=request.event.start if request.event_id else None,
        now=now)


def _values(data, name):
    if hasattr(data, "getlist"):
        return [v for v in data.getlist(name)]
    value = data.get(name)
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _one(data, name):
    values = _values(data, name)
    if len(values) > 1:
        raise DomainError(TAMPERED, code="tampered")
    return str(values[0]).strip() if values else ""


def _rating(question, raw, *, field):
    if raw == "":
        return None
    top = question.scale_max or 5
    if not re.fullmatch(r"[0-9]{1,2}", raw) or not 1 <= int(raw) <= top:
        raise DomainError(f"Choose a number from 1 to {top}.", code="out_of_range", field=field)
    return int(raw)


def answers_parse(*, version, course, data):
    """[Answer] (unsaved, no response yet) for `version` from the posted `data` (names as
    evaluations/forms.py writes them, prefixed with the kind). Refuses a missing required
    answer, a rating out of its scale, a choice not offered, and any field that is not a
    question of this version (a tampered or another version's question id)."""
    prefix = f"{version.questionnaire.kind}-"
    if _one(data, f"{prefix}version_id") != str(version.pk):
        raise DomainError("This questionnaire has changed since the page was opened. Check "
                          "your answers and send them again.", code="version_changed")
    questions = list(version.questions.all())
    outcomes = course_outcomes(course)
    expected, answers = {f"{prefix}version_id"}, []
    for question in questions:
        if question.type == QuestionType.OUTCOMES:
            for index, outcome in enumerate(outcomes):
                name = prefix + field_name(question, index)
                expected.add(name)
                value = _rating(question, _one(data, name), field=name)
                if value is None:
                    if question.required:
                        raise DomainError(f"Choose a number from 1 to {question.scale_max} "
                                          f"for “{outcome}”.", code="required", field=name)
                    continue
                answers.append(Answer(question=question, outcome_index=index,
                                      outcome_text=outcome[:500], value_int=value))
            continue
        name = prefix + field_name(question)
        expected.add(name)
        answer = Answer(question=question)
        if question.type == QuestionType.RATING:
            answer.value_int = _rating(question, _one(data, name), field=name)
            given = answer.value_int is not None
        elif question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            raw = ([_one(data, name)] if question.type == QuestionType.SINGLE
                   else [str(v).strip() for v in _values(data, name)])
            raw = [v for v in raw if v != ""]
            offered = {str(i): c for i, c in enumerate(question.choices, start=1)}
            if any(v not in offered for v in raw) or len(set(raw)) != len(raw):
                raise DomainError("Choose only among the answers offered.",
                                  code="unknown_choice", field=name)
            answer.value_choices = [offered[v] for v in sorted(raw, key=int)]
            given = bool(raw)
        else:
            text = _one(data, name)
            if "\x00" in text:
                raise DomainError("Remove the null characters from your answer.",
                                  code="invalid", field=name)
            if len(text) > TEXT_ANSWER_MAX:
                raise DomainError(f"Keep your answer to {TEXT_ANSWER_MAX} characters or fewer.",
                                  code="too_long", field=name)
            answer.value_text = text
            given = bool(text)
        if not given:
            if question.required:
                raise DomainError(f"Answer “{question.text}”.", code="required", field=name)
            continue
        answers.append(answer)
    keys = data.keys() if hasattr(data, "keys") else []
    if any(k.startswith(prefix) and k not in expected for k in keys):
        raise DomainError(TAMPERED, code="tampered")
    return answers


def response_submit(*, request, user, data, now):
    """A delegate (or a facilitator, for their feedback) answers every questionnaire of one
    request. Refused when the request is not theirs, already answered (the first answers are
    kept), withdrawn, closed or not open yet, and when any answer is missing, out of range or
    not a question of the versions asked: then nothing is saved. On success the request is
    completed (evaluations.services.requests.request_complete: what follows on the timeline).

    `data` holds the answering page's fields (a QueryDict or a dict of values/lists)."""
    from ..selectors.questionnaires import questionnaire_version_for
    from .requests import request_complete

    with transaction.atomic():
        locked = (EvaluationRequest.objects.select_for_update(of=("self",))
                  .select_related("course", "event").filter(pk=request.pk).first())
        if locked is None or locked.user_id != getattr(user, "pk", None):
            raise DomainError("This evaluation is not yours to answer.", code="not_yours")
        problem = problem_for(locked, now=now)
        if problem is None and Response.objects.filter(request=locked).exists():
            problem = ALREADY_ANSWERED
        if problem:
            raise DomainError(problem, code="closed")
        responses = []
        for kind in REQUEST_QUESTIONNAIRES[RequestKind(locked.kind)]:
            # The version asked now: answers to an older one (the questionnaire was edited
            # while the page was open) are refused by answers_parse, to be given again.
            version = questionnaire_version_for(kind=kind, course=locked.course)
            answers = answers_parse(version=version, course=locked.course, data=data)
            responses.append((kind, version, answers))
        for kind, version, answers in responses:
            response = Response.objects.create(request=locked, version=version, kind=kind,
                                               course=locked.course, event_id=locked.event_id,
                                               submitted_at=now)
            for answer in answers:
                answer.response = response
            Answer.objects.bulk_create(answers)
        audit_record(actor=user, action="evaluations.request_answered", target=locked,
                     details={"kind": locked.kind,
                              "versions": {kind: v.pk for kind, v, _ in responses},
                              "answers": sum(len(a) for _, _, a in responses)})
        request_complete(request=locked, now=now)
    return locked


def response_record_unrequested(*, version, data, now):
    """The answers to `version` given without an evaluation request (a training needs
    analysis return: no request, no course, no person). Checked as answers_parse checks
    them; the caller holds the transaction, its lock and its audit entry. Returns the
    Response."""
    if version.questionnaire.kind != QuestionnaireKind.TNA:
        raise DomainError("Only a training needs analysis is answered without a request.",
                          code="not_unrequested")
    answers = answers_parse(version=version, course=None, data=data)
    response = Response.objects.create(request=None, version=version, kind=QuestionnaireKind.TNA,
                                       course=None, event=None, submitted_at=now)
    for answer in answers:
        answer.response = response
    Answer.objects.bulk_create(answers)
    return response
