"""Reads of the questionnaire engine: which version a delegate is asked, the officers' list,
and the requests a person may answer (their own only)."""

from django.db.models import Count, F, Max, Prefetch, Q

from ..models import (
    EvaluationRequest,
    Questionnaire,
    QuestionnaireKind,
    QuestionnaireQuestion,
    QuestionnaireVersion,
    Response,
)


def _with_questions(versions):
    return versions.select_related("questionnaire", "questionnaire__course").prefetch_related(
        Prefetch("questions", queryset=QuestionnaireQuestion.objects.order_by("position", "id")))


def questionnaire_version_for(*, kind, course):
    """The version a delegate is asked for `kind` on `course`: the newest version of the
    course's own questionnaire if it has one, else the newest of the default (made on first
    use, evaluations/defaults.py). Questions prefetched in order."""
    from ..services.questionnaires import questionnaires_ensure_defaults

    questionnaires_ensure_defaults()
    scope = Q(questionnaire__course__isnull=True)
    if course is not None:
        scope |= Q(questionnaire__course=course)
    return (_with_questions(QuestionnaireVersion.objects.filter(scope, questionnaire__kind=kind))
            .order_by(F("questionnaire__course").asc(nulls_last=True), "-number").first())


def questionnaire_default_version(*, kind):
    return questionnaire_version_for(kind=kind, course=None)


def questionnaire_versions_for(*, kinds, course):
    """{kind: version} for several kinds at once (the questionnaires one request holds)."""
    return {kind: questionnaire_version_for(kind=kind, course=course) for kind in kinds}


# Officers ------------------------------------------------------------------------------------

def _annotated(questionnaires):
    return (questionnaires.select_related("course")
            .annotate(latest_number=Max("versions__number"),
                      answered=Count("versions__responses", distinct=True)))


def questionnaires_default():
    """The default questionnaires (one per kind) in the order of the timeline, with their
    newest version number."""
    from ..services.questionnaires import questionnaires_ensure_defaults

    questionnaires_ensure_defaults()
    order = {kind: i for i, kind in enumerate(QuestionnaireKind.values)}
    return sorted(_annotated(Questionnaire.objects.filter(course__isnull=True)),
                  key=lambda q: order[q.kind])


def questionnaires_overridden():
    """Courses' own questionnaires, by course title then kind (paginate the result)."""
    return _annotated(Questionnaire.objects.filter(course__isnull=False)).order_by(
        "course__title", "course_id", "kind")


def questionnaire_for_officer(*, user, pk):
    """One questionnaire for the editing pages, or None (the view gives a 404)."""
    if not user.has_perm("evaluations.change_questionnaire"):
        return None
    return Questionnaire.objects.select_related("course").filter(pk=pk).first()


def questionnaire_override_answered(*, questionnaire):
    """Whether anyone answered a course's own questionnaire (or its pre/post partner)."""
    from ..services.questionnaires import PAIRED

    kinds = [questionnaire.kind, *([PAIRED[questionnaire.kind]]
                                   if questionnaire.kind in PAIRED else [])]
    return Response.objects.filter(version__questionnaire__course=questionnaire.course_id,
                                   version__questionnaire__kind__in=kinds).exists()


def questionnaire_latest_version(*, questionnaire):
    return _with_questions(questionnaire.versions.all()).order_by("-number").first()


# Answering -----------------------------------------------------------------------------------

def evaluation_request_for_answering(*, user, uid):
    """One request by its uid if it is the person's own (a delegate's, or a facilitator's
    feedback): anyone else's uid finds nothing, whatever their role (a 404)."""
    if not user.is_authenticated:
        return None
    return (EvaluationRequest.objects.select_related("course", "event", "event__venue")
            .filter(user=user, uid=uid).first())


def request_responses(*, request):
    """{kind: response} already given for the request."""
    return {r.kind: r for r in Response.objects.filter(request=request).select_related("version")}
