"""Reads of training needs analysis rounds, scoped to who asks: officers and the LOD Group
see every round's results; a safeguarding lead sees only rounds that have opened and only
their own organisation's return (another organisation's is never found: a 404)."""

from django.contrib.auth.models import Permission
from django.db.models import Count, Exists, OuterRef, Q

from accounts.models import User
from evaluations.models import QuestionnaireQuestion

from ..models import TnaReturn, TnaRound

ANSWER_PERMISSION = ("reports", "answer_tna")


def leads():
    """Active safeguarding leads of active organisations: people holding reports.answer_tna
    (through their role or given to them), not site administrators who merely could."""
    app_label, codename = ANSWER_PERMISSION
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return (User.objects.filter(Q(groups__permissions__in=permission)
                                | Q(user_permissions__in=permission),
                                is_active=True, organisation__active=True)
            .distinct())


def organisations_asked_ids():
    """The organisations a round asks: active ones with a safeguarding lead to answer."""
    return set(leads().values_list("organisation_id", flat=True))


def rounds_list():
    return (TnaRound.objects.select_related("version", "created_by")
            .annotate(returns_count=Count("returns")).order_by("-opens_on", "-id"))


def rounds_returned_organisations(rounds):
    """{round id: {organisation ids that returned}} for some rounds, in one query."""
    found = {r.pk: set() for r in rounds}
    for round_id, organisation_id in (TnaReturn.objects.filter(round__in=list(found))
                                      .values_list("round_id", "organisation_id")):
        found[round_id].add(organisation_id)
    return found


def round_for_results(*, user, pk):
    """One round for its results (officers and the LOD Group), or None."""
    if not user.has_perm("reports.view_tna_results"):
        return None
    return TnaRound.objects.select_related("version", "created_by").filter(pk=pk).first()


def round_for_change(*, user, pk):
    if not user.has_perm("reports.change_tnaround"):
        return None
    return TnaRound.objects.select_related("version").filter(pk=pk).first()


# A safeguarding lead -----------------------------------------------------------------------

def _lead_scope(user):
    if not user.has_perm("reports.answer_tna") or not user.organisation_id:
        return None
    return user.organisation_id


def rounds_for_lead(*, user, today):
    """Rounds that have opened, newest first, each with `returned` (their organisation's
    return, or None): open ones to answer and past ones to look back at. Paginate."""
    organisation_id = _lead_scope(user)
    if organisation_id is None:
        return TnaRound.objects.none()
    own = TnaReturn.objects.filter(round=OuterRef("pk"), organisation_id=organisation_id)
    return (TnaRound.objects.filter(opens_on__lte=today)
            .annotate(returned=Exists(own)).order_by("-opens_on", "-id"))


def rounds_to_answer_count(*, user, today):
    """Open rounds the lead's organisation has not answered (the home page's count)."""
    organisation_id = _lead_scope(user)
    if organisation_id is None:
        return 0
    return (TnaRound.objects.filter(opens_on__lte=today, closes_on__gte=today,
                                    closed_at__isnull=True)
            .exclude(returns__organisation_id=organisation_id).count())


def round_for_lead(*, user, pk, today):
    """A round the lead may open (it has opened), with its questions; None otherwise."""
    organisation_id = _lead_scope(user)
    if organisation_id is None:
        return None
    return (TnaRound.objects.select_related("version", "version__questionnaire")
            .filter(pk=pk, opens_on__lte=today).first())


def return_of_lead(*, user, tna_round):
    """The lead's own organisation's return to `tna_round`, or None: never another's."""
    organisation_id = _lead_scope(user)
    if organisation_id is None or tna_round is None:
        return None
    return (TnaReturn.objects.select_related("organisation", "submitted_by", "response")
            .filter(round=tna_round, organisation_id=organisation_id).first())


def return_answers(tna_return):
    """The answers of one return in question order: [(question, answer)]."""
    answers = {a.question_id: a for a in tna_return.response.answers.all()}
    questions = (QuestionnaireQuestion.objects.filter(version_id=tna_return.response.version_id)
                 .order_by("position", "id"))
    return [(q, answers.get(q.pk)) for q in questions]

