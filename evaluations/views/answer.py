"""The answering page: a delegate (or a facilitator, for their feedback) answers the
questionnaires one evaluation request holds, from the link in its email or from My training.
Only the person asked reaches it: anyone else's link is a 404."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import TemplateView

from core.exceptions import DomainError
from core.models import Partnership
from core.permissions import SignedInMixin
from core.words import plural

from ..forms import AnswerForm
from ..models import RequestKind
from ..policies import REQUEST_QUESTIONNAIRES
from ..selectors.questionnaires import (
    evaluation_request_for_answering,
    questionnaire_versions_for,
    request_responses,
)
from ..services.responses import ALREADY_ANSWERED, problem_for, response_submit


def what_happens_next(request, partnership):
    """The sentence the confirmation shows, per kind of request (the evaluation timeline)."""
    if request.kind == RequestKind.PRE:
        return ("After the course we will ask you the same questions again, with a short "
                "Stage 1 evaluation, so that we can see what you gained from it.")
    if request.kind == RequestKind.STAGE_1:
        text = (f"In {partnership.stage_2_days_after_stage_1} days we will email you a short "
                "Stage 2 evaluation on the difference the course has made to your practice.")
        if partnership.certificate_trigger == "stage_1":
            text += " Your certificate of completion will be in your training record."
        else:
            text += " When you have answered it, your certificate of completion will be in " \
                    "your training record."
        return text
    if request.kind == RequestKind.STAGE_2:
        return ("Your answers help the partnership show the difference training makes. Your "
                "certificate of completion is in your training record.")
    return (f"Your feedback goes into the summary evaluation report sent to every facilitator "
            f"of the event {plural(partnership.summary_report_days_after_event, 'day')} after it.")


class RequestAnswerView(SignedInMixin, TemplateView):
    """GET: the questionnaires of the request (or, once answered, the confirmation). POST:
    every questionnaire's answers, checked and saved together by response_submit."""

    template_name = "evaluations/answer_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.evaluation = evaluation_request_for_answering(user=request.user,
                                                               uid=kwargs["uid"])
            if self.evaluation is None:
                raise Http404("No evaluation of yours here.")
        return super().dispatch(request, *args, **kwargs)

    def _forms(self, data=None):
        versions = questionnaire_versions_for(
            kinds=REQUEST_QUESTIONNAIRES[RequestKind(self.evaluation.kind)],
            course=self.evaluation.course)
        return [AnswerForm(data, version=version, course=self.evaluation.course)
                for version in versions.values()]

    def get(self, request, *args, **kwargs):
        problem = problem_for(self.evaluation, now=timezone.now())
        if problem:
            return self._closed(problem)
        return self.render_to_response(self.get_context_data(forms=self._forms()))

    def post(self, request, *args, **kwargs):
        problem = problem_for(self.evaluation, now=timezone.now())
        if problem:
            if problem == ALREADY_ANSWERED:
                messages.error(request, problem)
            return self._closed(problem)
        forms = self._forms(request.POST)
        if all([form.is_valid() for form in forms]):
            try:
                response_submit(request=self.evaluation, user=request.user, data=request.POST,
                                now=timezone.now())
            except DomainError as error:
                if error.code == "closed":
                    if error.message == ALREADY_ANSWERED:
                        messages.error(request, error.message)
                    return self._closed(error.message)
                self._add_error(forms, error)
            else:
                messages.success(request, "Thank you: your answers are saved.")
                return redirect("evaluations:request-answer", uid=self.evaluation.uid)
        return self.render_to_response(self.get_context_data(forms=forms))

    @staticmethod
    def _add_error(forms, error):
        for form in forms:
            name = (error.field or "").removeprefix(f"{form.prefix}-")
            if name in form.fields:
                form.add_error(name, error.message)
                return
        forms[0].add_error(None, error.message)

    def _closed(self, problem):
        evaluation = self.evaluation
        answered = request_responses(request=evaluation) if evaluation.completed_at else {}
        return self.render_to_response(self.get_context_data(
            problem=problem, answered=bool(evaluation.completed_at),
            next_steps=what_happens_next(evaluation, Partnership.load()),
            responses=answered), template_name="evaluations/answer_done.html")

    def render_to_response(self, context, template_name=None, **kwargs):
        if template_name:
            self.template_name = template_name
        return super().render_to_response(context, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        forms = context.get("forms") or []
        context.update(
            evaluation=self.evaluation, course=self.evaluation.course,
            event=self.evaluation.event, has_errors=any(f.errors for f in forms))
        return context
