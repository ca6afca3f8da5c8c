"""The questionnaire engine's writes: the default questionnaires, new versions, and a course's
own questionnaires (overrides).

Versions are never changed: editing makes a new version, so answers already given keep the
questions they answered (issue 9: "editing a questionnaire makes a new version and never
changes answers already given")."""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from core.audit import audit_changes, audit_record
from core.exceptions import DomainError

from ..defaults import DEFAULT_QUESTIONNAIRES, OUTCOMES
from ..models import (
    Questionnaire,
    QuestionnaireKind,
    QuestionnaireQuestion,
    QuestionnaireVersion,
    QuestionType,
)

QUESTION_FIELDS = ("key", "text", "help_text", "type", "required", "scale_max",
                   "scale_min_label", "scale_max_label", "choices")
# Pre and post are one pair: the same learning outcomes rated on the same scale before and
# after, so a course that has its own pre has its own post too, and their scales move together.
PAIRED = {QuestionnaireKind.PRE: QuestionnaireKind.POST,
          QuestionnaireKind.POST: QuestionnaireKind.PRE}
RATING_TYPES = (QuestionType.RATING, QuestionType.OUTCOMES)
CHOICE_TYPES = (QuestionType.SINGLE, QuestionType.MULTIPLE)


OVERRIDE_ANSWERED = ("Delegates have already answered this course's own questionnaire, so it "
                     "stays with their answers.")


def questionnaires_ensure_defaults(*, now=None):
    """Create each default questionnaire (version 1, from evaluations/defaults.py) that does not
    exist yet. Idempotent, and safe when two requests do it at once: the unique constraint on
    one default per kind lets one of them win and the other moves on."""
    existing = set(Questionnaire.objects.filter(course__isnull=True)
                   .values_list("kind", flat=True))
    if len(existing) == len(QuestionnaireKind.choices):
        return
    now = now or timezone.now()
    for kind, content in DEFAULT_QUESTIONNAIRES.items():
        if kind in existing:
            continue
        try:
            with transaction.atomic():
                questionnaire = Questionnaire.objects.create(kind=kind, course=None,
                                                             created_at=now)
                _version_create(questionnaire=questionnaire, number=1, title=content["title"],
                                introduction=content["introduction"],
                                questions=content["questions"], by=None, now=now)
        except IntegrityError:
            continue  # made at the same moment by another request


def _version_create(*, questionnaire, number, title, introduction, questions, by, now):
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=number, title=title, introduction=introduction,
        created_at=now, created_by=by if getattr(by, "pk", None) else None)
    QuestionnaireQuestion.objects.bulk_create([
        QuestionnaireQuestion(version=version, position=position,
                              **{name: question.get(name) for name in QUESTION_FIELDS
                                 if name in question})
        for position, question in enumerate(questions, start=1)
    ])
    return version


def version_questions(version):
    """The questions of a version as plain dicts (what a new version is made from)."""
    return [{name: getattr(q, name) for name in QUESTION_FIELDS}
            for q in version.questions.all()]


def questions_problem(*, kind, questions):
    """What is wrong with a set of questions for a questionnaire of `kind`, or None. The form
    says the same field by field; this is the rule the service holds to whatever calls it."""
    if not questions:
        return "Add at least one question."
    keys = [q["key"] for q in questions]
    if len(set(keys)) != len(keys):
        return "Two questions have the same reference: give each its own."
    for q in questions:
        if not (q.get("text") or "").strip():
            return "Every question needs its words."
        if q["type"] not in QuestionType.values:
            return f"Choose a type for “{q['text']}”."
        if q["type"] in RATING_TYPES:
            if q.get("scale_max") not in (5, 10):
                return f"Choose a scale of 1 to 5 or 1 to 10 for “{q['text']}”."
            if not (q.get("scale_min_label") and q.get("scale_max_label")):
                return f"Label both ends of the scale of “{q['text']}”."
        if q["type"] in CHOICE_TYPES and len(q.get("choices") or []) < 2:
            return f"Give “{q['text']}” at least two choices, one a line."
    outcomes = [q for q in questions if q["type"] == QuestionType.OUTCOMES]
    if kind in PAIRED:
        if len(outcomes) != 1 or outcomes[0]["key"] != OUTCOMES:
            return ("Keep the question on confidence in each learning outcome (and only one): "
                    "learning gain is measured from it.")
    elif outcomes:
        return ("Only the pre- and post-course questionnaires rate each learning outcome: "
                "choose another type.")
    return None


def _outcomes_question(questions):
    return next((q for q in questions if q["type"] == QuestionType.OUTCOMES), None)


def _version_words(*, title, introduction, questions, number):
    """A version as the audit log shows it before and after an edit: each question as its
    words and its type."""
    return {"version": number, "title": title, "introduction": introduction,
            "questions": [f"{q.get('text')} ({QuestionType(q['type']).label.lower()})"
                          for q in questions]}


def questionnaire_version_save(*, questionnaire, title, introduction, questions, by, now):
    """Save an officer's edit of a questionnaire as its next version. Answers already given
    keep pointing at the version they answered. Pre and post keep the same outcome scale: a
    change of it on one makes a new version of the other with the same scale."""
    problem = questions_problem(kind=questionnaire.kind, questions=questions)
    if problem:
        raise DomainError(problem)
    with transaction.atomic():
        questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        number = (questionnaire.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        previous = questionnaire.versions.filter(number=number - 1).first()
        before = _version_words(title=previous.title, introduction=previous.introduction,
                                questions=version_questions(previous), number=previous.number
                                ) if previous else {}
        version = _version_create(questionnaire=questionnaire, number=number, title=title,
                                  introduction=introduction, questions=questions, by=by, now=now)
        details = {"version": number, "questions": len(questions)}
        partner_kind = PAIRED.get(questionnaire.kind)
        if partner_kind:
            details["paired"] = _pair_scale_follow(questionnaire=questionnaire,
                                                   kind=partner_kind,
                                                   outcomes=_outcomes_question(questions),
                                                   by=by, now=now)
        audit_record(actor=by, action="evaluations.questionnaire_version_saved",
                     target=questionnaire, details=details,
                     changes=audit_changes(before, _version_words(
                         title=title, introduction=introduction, questions=questions,
                         number=number)))
    return version


def _pair_scale_follow(*, questionnaire, kind, outcomes, by, now):
    """The other questionnaire of the pre/post pair (same course, or the defaults) takes the
    outcome scale just saved, in a new version of its own; the number of that version, or
    None when it already matched."""
    partner = (Questionnaire.objects.select_for_update()
               .filter(kind=kind, course=questionnaire.course_id).first())
    if partner is None:
        return None
    latest = partner.versions.order_by("-number").first()
    if latest is None:
        return None
    questions = version_questions(latest)
    theirs = _outcomes_question(questions)
    scale = ("scale_max", "scale_min_label", "scale_max_label")
    if theirs is None or all(theirs[f] == outcomes[f] for f in scale):
        return None
    for field in scale:
        theirs[field] = outcomes[field]
    version = _version_create(questionnaire=partner, number=latest.number + 1,
                              title=latest.title, introduction=latest.introduction,
                              questions=questions, by=by, now=now)
    return version.number


def questionnaire_override_create(*, kind, course, by, now):
    """A course's own questionnaire of `kind`: a copy of the default's newest version, for the
    officer to edit. Pre and post are made together (their outcome scales must match)."""
    from ..selectors.questionnaires import questionnaire_default_version

    if kind == QuestionnaireKind.TNA:
        raise DomainError("A training needs analysis is answered for an organisation, not for "
                          "a course: edit the default one.", field="kind")
    kinds = [kind] + ([PAIRED[kind]] if kind in PAIRED else [])
    made = []
    with transaction.atomic():
        for each in kinds:
            if Questionnaire.objects.filter(kind=each, course=course).exists():
                if each == kind:
                    raise DomainError(
                        f"{course.title} already has its own "
                        f"{QuestionnaireKind(kind).label.lower()}: edit that one.",
                        field="course")
                continue
            default = questionnaire_default_version(kind=each)
            try:
                with transaction.atomic():
                    questionnaire = Questionnaire.objects.create(kind=each, course=course,
                                                                 created_at=now)
            except IntegrityError:
                raise DomainError(f"{course.title} already has its own "
                                  f"{QuestionnaireKind(each).label.lower()}.",
                                  field="course") from None
            _version_create(questionnaire=questionnaire, number=1, title=default.title,
                            introduction=default.introduction,
                            questions=version_questions(default), by=by, now=now)
            audit_record(actor=by, action="evaluations.questionnaire_override_created",
                         target=questionnaire, details={"kind": each, "course": course.pk})
            made.append(questionnaire)
    return made[0] if made else None


def questionnaire_override_remove(*, questionnaire, by, now):
    """Remove a course's own questionnaire: the course falls back to the default. Pre and post
    go together. Refused once delegates have answered it: their answers keep their questions."""
    if questionnaire.course_id is None:
        raise DomainError("The default questionnaires cannot be removed: edit them instead.")
    kinds = [questionnaire.kind] + ([PAIRED[questionnaire.kind]]
                                    if questionnaire.kind in PAIRED else [])
    with transaction.atomic():
        locked = list(Questionnaire.objects.select_for_update()
                      .filter(course=questionnaire.course_id, kind__in=kinds))
        if any(QuestionnaireVersion.objects.filter(questionnaire=q, responses__isnull=False)
               .exists() for q in locked):
            raise DomainError(OVERRIDE_ANSWERED)
        for q in locked:
            audit_record(actor=by, action="evaluations.questionnaire_override_removed",
                         target=q, details={"kind": q.kind, "course": q.course_id})
        Questionnaire.objects.filter(pk__in=[q.pk for q in locked]).delete()
    return len(locked)


def questionnaire_override_reset(*, questionnaire, by, now):
    """A course's own questionnaire that delegates answered cannot be removed; instead its next
    version takes the default's questions again (the answers keep theirs)."""
    from ..selectors.questionnaires import questionnaire_default_version

    if questionnaire.course_id is None:
        raise DomainError("This is the default questionnaire already.")
    default = questionnaire_default_version(kind=questionnaire.kind)
    return questionnaire_version_save(
        questionnaire=questionnaire, title=default.title, introduction=default.introduction,
        questions=version_questions(default), by=by, now=now)
