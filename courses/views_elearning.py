"""E-learning modules and their knowledge checks, the delegate's training record, and the
officers' annual content review (DDSCP: "e-learning modules, designed for delegates to
complete before attending level 3 courses"; DSPP: "The content of all safeguarding courses is
reviewed at least annually")."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, ListView, TemplateView

from core.dates import long_date
from core.exceptions import DomainError
from core.models import Partnership
from core.permissions import PermissionMixin, SignedInMixin

from . import selectors, services
from .forms import CourseReviewForm, KnowledgeCheckForm


class ElearningCourseMixin:
    """The live e-learning module named in the URL (any other course: page not found)."""

    def modules(self):
        return selectors.elearning_modules_open()

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.course = get_object_or_404(self.modules(), slug=kwargs["slug"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["course"] = self.course
        return ctx

    def record_line(self):
        """The delegate's latest completion of this module with its refresher date, or None."""
        completion = selectors.completion_latest(user=self.request.user, course=self.course)
        if completion is None:
            return None
        from .policies import refresher_due_on

        years = selectors.refresher_years_for(course=self.course, partnership=Partnership.load())
        return {"completion": completion,
                "refresher_due_on": refresher_due_on(completed_on=completion.completed_on,
                                                     years=years)}


class ElearningModuleView(SignedInMixin, ElearningCourseMixin, TemplateView):
    """The module itself: a link to where it is hosted, or the content written on this site,
    then the way to its knowledge check."""

    template_name = "courses/elearning/elearning_module.html"

    def modules(self):
        # A module coming soon has a page that says so (the catalogue links to it).
        return selectors.elearning_modules_listed()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["question_count"] = selectors.knowledge_check_questions(course=self.course).count()
        ctx["required_for"] = list(selectors.courses_requiring(course=self.course))
        ctx["record"] = self.record_line()
        ctx["today"] = timezone.localdate()
        return ctx


class KnowledgeCheckView(SignedInMixin, ElearningCourseMixin, FormView):
    """The module's knowledge check: one radio group per question. Unanswered questions are
    listed in an error summary and the answers given so far are kept."""

    template_name = "courses/elearning/knowledgecheck_form.html"

    def get_form(self, form_class=None):
        questions = selectors.knowledge_check_questions(course=self.course)
        return KnowledgeCheckForm(questions=questions, **self.get_form_kwargs())

    def form_valid(self, form):
        try:
            services.knowledge_check_submit(user=self.request.user, course=self.course,
                                            answers=form.answers(), now=timezone.now())
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self.form_invalid(form)
        return HttpResponseRedirect(
            reverse("courses:elearning-result", kwargs={"slug": self.course.slug})
        )


class KnowledgeCheckResultView(SignedInMixin, ElearningCourseMixin, TemplateView):
    """The delegate's latest attempt: passed (the training record shows it; the courses it
    unlocks) or not (the score, the pass mark and which questions to think again about,
    without giving the right answers away)."""

    template_name = "courses/elearning/knowledgecheck_result.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        attempt = selectors.knowledge_check_latest_attempt(user=self.request.user,
                                                           course=self.course)
        ctx["attempt"] = attempt
        if attempt is None:
            return ctx
        if attempt.passed:
            ctx["record"] = self.record_line()
            ctx["unlocked"] = [
                course for course in selectors.courses_requiring(course=self.course)
                if selectors.prerequisites_check_for(user=self.request.user, course=course).met
            ]
        else:
            ctx["wrong"] = selectors.knowledge_check_wrong_answers(attempt=attempt)
        return ctx


class TrainingRecordView(SignedInMixin, ListView):
    """A delegate's training record: what they completed and when it falls due again
    (DSPP: safeguarding training is refreshed every three years)."""

    template_name = "courses/elearning/training_record.html"
    paginate_by = 25

    def get_queryset(self):
        return selectors.training_record_of(user=self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["today"] = timezone.localdate()
        return ctx


class CourseReviewView(PermissionMixin, ListView):
    """Officers: every active course with the date its content is next due for review, the
    most overdue first, each with a "mark reviewed today" button."""

    permission_required = "courses.change_course"
    template_name = "courses/review/course_review_list.html"
    paginate_by = 25

    def get_queryset(self):
        return selectors.courses_for_review(today=timezone.localdate())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today = timezone.localdate()
        ctx["today"] = today
        ctx["overdue_count"] = selectors.courses_overdue_for_review_count(today=today)
        ctx["review_months"] = Partnership.load().content_review_months
        return ctx

    def post(self, request, *args, **kwargs):
        form = CourseReviewForm(request.POST, courses=selectors.courses_active())
        back = reverse("courses:manage-review")
        page = request.POST.get("page", "")
        if page.isdigit():
            back += f"?page={page}"
        if not form.is_valid():
            messages.error(request, " ".join(form.errors.get("course", ["Choose a course."])))
            return redirect(back)
        today = timezone.localdate()
        course = services.course_mark_reviewed(course=form.cleaned_data["course"],
                                               by=request.user, today=today)
        messages.success(request, f"“{course.title}” is marked as reviewed on "
                                  f"{long_date(today)}.")
        return redirect(f"{back}#course-{course.pk}")
