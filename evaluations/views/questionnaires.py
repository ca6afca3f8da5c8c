"""Officers' pages of the questionnaire engine: the default questionnaires and courses' own,
editing one (a new version each time), previewing it as a delegate sees it, and a course's
own questionnaire made from the default or removed (back to the default)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import TemplateView

from core.exceptions import DomainError
from core.permissions import PermissionMixin

from ..forms import AnswerForm, OverrideCreateForm, PreviewCourseForm, QuestionFormSet, VersionForm
from ..models import QuestionnaireKind
from ..selectors.questionnaires import (
    questionnaire_for_officer,
    questionnaire_latest_version,
    questionnaire_override_answered,
    questionnaires_default,
    questionnaires_overridden,
)
from ..services.questionnaires import (
    PAIRED,
    questionnaire_override_create,
    questionnaire_override_remove,
    questionnaire_override_reset,
    questionnaire_version_save,
    version_questions,
)

PERMISSION = "evaluations.change_questionnaire"
OVERRIDES_PAGE_SIZE = 25


class QuestionnaireListView(PermissionMixin, TemplateView):
    """The default questionnaires (one per kind) and, paginated, the courses that have their own."""

    permission_required = PERMISSION
    template_name = "evaluations/questionnaire_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(questionnaires_overridden(), OVERRIDES_PAGE_SIZE).get_page(
            self.request.GET.get("page"))
        context.update(defaults=questionnaires_default(), page_obj=page,
                       overrides=page.object_list, paginator=page.paginator,
                       is_paginated=page.paginator.num_pages > 1)
        return context


class QuestionnaireMixin(PermissionMixin):
    permission_required = PERMISSION

    def dispatch(self, request, *args, **kwargs):
        self.questionnaire = None
        if request.user.is_authenticated:
            self.questionnaire = questionnaire_for_officer(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_questionnaire(self):
        if self.questionnaire is None:
            raise Http404("No questionnaire here.")
        return self.questionnaire


class QuestionnaireUpdateView(QuestionnaireMixin, TemplateView):
    """Edit the questions: add, remove, reorder, change their words, hint, type, whether an
    answer is required, the scale (1 to 5 or 1 to 10, with its ends labelled) and the choices.
    Saving makes a new version; answers already given keep theirs."""

    template_name = "evaluations/questionnaire_form.html"

    def _forms(self, data=None):
        version = self.version
        initial = version_questions(version) if version else []
        for position, question in enumerate(initial, start=1):
            question["choices"] = "\n".join(question["choices"] or [])
            question["ORDER"] = position
        version_form = VersionForm(data, initial={
            "title": version.title if version else "",
            "introduction": version.introduction if version else ""})
        formset = QuestionFormSet(data, initial=initial, prefix="questions")
        return version_form, formset

    def get(self, request, *args, **kwargs):
        self.version = questionnaire_latest_version(questionnaire=self.get_questionnaire())
        version_form, formset = self._forms()
        return self.render_to_response(self.get_context_data(version_form=version_form,
                                                             formset=formset))

    def post(self, request, *args, **kwargs):
        questionnaire = self.get_questionnaire()
        self.version = questionnaire_latest_version(questionnaire=questionnaire)
        version_form, formset = self._forms(request.POST)
        if version_form.is_valid() and formset.is_valid():
            try:
                version = questionnaire_version_save(
                    questionnaire=questionnaire, title=version_form.cleaned_data["title"],
                    introduction=version_form.cleaned_data["introduction"],
                    questions=formset.questions(), by=request.user, now=timezone.now())
            except DomainError as error:
                version_form.add_error(None, error.message)
            else:
                text = f"Saved as version {version.number} of the {questionnaire}."
                if questionnaire.kind in PAIRED:
                    text += (" The outcome scale of the "
                             f"{QuestionnaireKind(PAIRED[questionnaire.kind]).label.lower()} "
                             "follows it.")
                messages.success(request, text)
                return redirect("evaluations:questionnaire-update", pk=questionnaire.pk)
        return self.render_to_response(self.get_context_data(version_form=version_form,
                                                             formset=formset))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        forms = [context["version_form"], *context["formset"].forms]
        context.update(questionnaire=self.questionnaire, version=self.version,
                       has_errors=any(f.errors for f in forms)
                       or bool(context["formset"].non_form_errors()))
        return context


class QuestionnairePreviewView(QuestionnaireMixin, TemplateView):
    """The newest version as a delegate sees it; the learning outcomes of a chosen course (or
    of the course the questionnaire belongs to)."""

    template_name = "evaluations/questionnaire_preview.html"

    def get_context_data(self, **kwargs):
        from courses.models import Course

        context = super().get_context_data(**kwargs)
        questionnaire = self.get_questionnaire()
        version = questionnaire_latest_version(questionnaire=questionnaire)
        chooser = PreviewCourseForm(self.request.GET or None,
                                    initial={"course": questionnaire.course_id})
        course = questionnaire.course
        if chooser.is_bound and chooser.is_valid() and chooser.cleaned_data["course"]:
            course = chooser.cleaned_data["course"]
        if course is None:
            course = Course(title="Example course", learning_outcomes=[
                "Recognise the signs of abuse and neglect",
                "Know how to share a concern and with whom"])
        form = AnswerForm(version=version, course=course, auto_id="preview_%s")
        context.update(questionnaire=questionnaire, version=version, form=form, course=course,
                       chooser=chooser)
        return context


class OverrideCreateView(PermissionMixin, TemplateView):
    """A course's own questionnaire: a copy of the default for the officer to edit."""

    permission_required = PERMISSION
    template_name = "evaluations/questionnaire_override_create.html"

    def get(self, request, *args, **kwargs):
        form = OverrideCreateForm(initial={"kind": request.GET.get("kind")}
                                  if request.GET.get("kind") in QuestionnaireKind.values else None)
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = OverrideCreateForm(request.POST)
        if form.is_valid():
            try:
                questionnaire = questionnaire_override_create(
                    kind=form.cleaned_data["kind"], course=form.cleaned_data["course"],
                    by=request.user, now=timezone.now())
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None,
                               error.message)
            else:
                text = f"Made the {questionnaire} from the default: edit it here."
                if questionnaire.kind in PAIRED:
                    text += (" Its "
                             f"{QuestionnaireKind(PAIRED[questionnaire.kind]).label.lower()} "
                             "was made with it, so that both rate the outcomes on one scale.")
                messages.success(request, text)
                return redirect("evaluations:questionnaire-update", pk=questionnaire.pk)
        return self.render_to_response(self.get_context_data(form=form))


class OverrideRemoveView(QuestionnaireMixin, TemplateView):
    """Remove a course's own questionnaire: the course goes back to the default."""

    template_name = "evaluations/questionnaire_override_remove.html"

    def get(self, request, *args, **kwargs):
        questionnaire = self.get_questionnaire()
        if questionnaire.course_id is None:
            raise Http404("A default questionnaire cannot be removed.")
        answered = questionnaire_override_answered(questionnaire=questionnaire)
        return self.render_to_response(self.get_context_data(
            questionnaire=questionnaire, answered=answered))

    def post(self, request, *args, **kwargs):
        questionnaire = self.get_questionnaire()
        if questionnaire.course_id is None:
            raise Http404("A default questionnaire cannot be removed.")
        if request.POST.get("action") == "reset":
            version = questionnaire_override_reset(questionnaire=questionnaire, by=request.user,
                                                   now=timezone.now())
            messages.success(request, f"Version {version.number} of the {questionnaire} has the "
                                      "default's questions again.")
            return redirect("evaluations:questionnaire-update", pk=questionnaire.pk)
        try:
            questionnaire_override_remove(questionnaire=questionnaire, by=request.user,
                                          now=timezone.now())
        except DomainError as error:
            return self.render_to_response(self.get_context_data(
                questionnaire=questionnaire, problem=error.message, answered=True))
        messages.success(request, f"Removed: {questionnaire.course.title} now uses the default "
                                  f"{QuestionnaireKind(questionnaire.kind).label.lower()}.")
        return redirect("evaluations:questionnaire-list")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["paired"] = (QuestionnaireKind(PAIRED[self.questionnaire.kind]).label
                             if self.questionnaire.kind in PAIRED else None)
        return context
