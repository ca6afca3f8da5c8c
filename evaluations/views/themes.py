"""Themes, for officers: the list of themes with their keywords (add, change, delete), pasting
a session's chat comments, and tagging Stage 2 answers and comments of one event or course."""

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import ListView

from core.exceptions import DomainError
from core.permissions import PermissionMixin
from courses.models import Course, Event
from evaluations.forms_themes import SessionCommentsForm, TagActionForm, ThemeForm
from evaluations.models import Theme
from evaluations.selectors import themes as selectors
from evaluations.services import themes as services
from evaluations.views import QUERY_ID

ITEMS_PER_PAGE = 20


def _refused(form, exc):
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


class ThemeMixin(PermissionMixin):
    permission_required = selectors.THEME_PERMISSION

    def get_theme(self):
        theme = selectors.theme_get(pk=self.kwargs["pk"])
        if theme is None:
            raise Http404("No such theme.")
        return theme


class ThemeListView(ThemeMixin, ListView):
    """The themes, with their keywords and how many answers and comments carry each."""

    template_name = "evaluations/theme_list.html"
    paginate_by = 25

    def get_queryset(self):
        return selectors.themes_for_officers()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["courses"] = selectors.tagging_courses()
        return ctx


class ThemeCreateView(ThemeMixin, View):
    def get(self, request):
        return render(request, "evaluations/theme_form.html", {"form": ThemeForm()})

    def post(self, request):
        form = ThemeForm(request.POST)
        if form.is_valid():
            try:
                theme = services.theme_create(by=request.user, **form.cleaned_data)
            except DomainError as exc:
                _refused(form, exc)
            else:
                messages.success(request, f"The theme “{theme.name}” is added.")
                return redirect("evaluations:theme-list")
        return render(request, "evaluations/theme_form.html", {"form": form})


class ThemeUpdateView(ThemeMixin, View):
    def get(self, request, pk):
        theme = self.get_theme()
        return render(request, "evaluations/theme_form.html",
                      {"form": ThemeForm.for_theme(theme), "theme": theme})

    def post(self, request, pk):
        theme = self.get_theme()
        form = ThemeForm.for_theme(theme, request.POST)
        if form.is_valid():
            try:
                theme = services.theme_update(theme=theme, by=request.user, **form.cleaned_data)
            except DomainError as exc:
                _refused(form, exc)
            else:
                messages.success(request, f"The theme “{theme.name}” is saved.")
                return redirect("evaluations:theme-list")
        return render(request, "evaluations/theme_form.html", {"form": form, "theme": theme})


class ThemeDeleteView(ThemeMixin, View):
    def get(self, request, pk):
        theme = self.get_theme()
        confirmed = theme.tags.filter(confirmed_at__isnull=False).count()
        return render(request, "evaluations/theme_confirm_delete.html",
                      {"theme": theme, "confirmed": confirmed})

    def post(self, request, pk):
        theme = self.get_theme()
        services.theme_delete(theme=theme, by=request.user)
        messages.success(request, f"The theme “{theme.name}” is deleted.")
        return redirect("evaluations:theme-list")


# Tagging ----------------------------------------------------------------------------------------

def _scope(params):
    """The event or course named by ?event= or ?course= (ids); (event, course, problem)."""
    event_id, course_id = params.get("event", ""), params.get("course", "")
    if event_id:
        event = (Event.objects.select_related("course").filter(pk=int(event_id)).first()
                 if QUERY_ID.match(event_id) else None)
        if event is None:
            return None, None, "Choose an event from the list."
        return event, event.course, ""
    if course_id:
        course = (Course.objects.filter(pk=int(course_id)).first()
                  if QUERY_ID.match(course_id) else None)
        if course is None:
            return None, None, "Choose a course from the list."
        return None, course, ""
    return None, None, ""


def _page_number(value):
    return value if value and re.match(r"^[0-9]{1,5}$", value) else "1"


def tagging_url(*, event=None, course=None, page="1", comments_page="1", anchor=""):
    params = {"event": event.pk} if event is not None else {"course": course.pk}
    if page != "1":
        params["page"] = page
    if comments_page != "1":
        params["comments_page"] = comments_page
    url = f"{reverse('evaluations:theme-tagging')}?{urlencode(params)}"
    return f"{url}#{anchor}" if anchor else url


class ThemeTaggingView(ThemeMixin, View):
    """One event's (or one course's) Stage 2 free-text answers and session comments, each with
    its confirmed themes, the themes its keywords suggest (to confirm or remove) and a choice
    of themes to add by hand."""

    template_name = "evaluations/theme_tagging.html"

    def get(self, request, problem=""):
        event, course, scope_problem = _scope(request.GET)
        problem = problem or scope_problem
        ctx = {"event": event, "course": course, "problem": problem,
               "courses": selectors.tagging_courses()}
        if course is not None:
            themes = list(Theme.objects.order_by("name"))
            answers = Paginator(selectors.tagging_answers(event=event, course=None if event
                                                          else course), ITEMS_PER_PAGE)
            comments = Paginator(selectors.tagging_comments(event=event, course=None if event
                                                            else course), ITEMS_PER_PAGE)
            answers_page = answers.get_page(request.GET.get("page"))
            comments_page = comments.get_page(request.GET.get("comments_page"))
            ctx.update(
                themes=themes, answers_page=answers_page, comments_page=comments_page,
                answer_rows=selectors.tagging_rows(answers_page.object_list, kind="answer",
                                                   themes=themes),
                comment_rows=selectors.tagging_rows(comments_page.object_list, kind="comment",
                                                    themes=themes),
                events=selectors.tagging_events(course=course)[:50] if event is None else [],
                page=str(answers_page.number), comments_page_number=str(comments_page.number),
            )
        return render(request, self.template_name, ctx, status=200)

    def post(self, request):
        event, course, problem = _scope(request.POST)
        if course is None:
            return self._problem(request, problem or "Choose a course or an event.")
        form = TagActionForm(request.POST)
        back = {"event": event, "course": course,
                "page": _page_number(request.POST.get("page")),
                "comments_page": _page_number(request.POST.get("comments_page"))}
        if not form.is_valid():
            return self._problem(request, next(iter(form.errors.values()))[0])
        kind, _, pk = form.cleaned_data["item"].partition("-")
        scope = {"event": event, "course": None if event else course}
        answer = selectors.answer_in_scope(pk=int(pk), **scope) if kind == "answer" else None
        comment = selectors.comment_in_scope(pk=int(pk), **scope) if kind == "comment" else None
        if answer is None and comment is None:
            return self._problem(request, "That answer or comment is not on this page any more.")
        action = form.cleaned_data["action"]
        if action == "delete_comment":
            if comment is None:
                return self._problem(request, "Only a pasted comment can be deleted.")
            services.session_comment_delete(comment=comment, by=request.user)
            messages.success(request, "The comment is deleted.")
            return redirect(tagging_url(**back))
        theme = selectors.theme_get(pk=form.cleaned_data["theme"])
        if theme is None:
            return self._problem(request, "Choose a theme from the list.")
        if action == "confirm":
            services.theme_tag_confirm(theme=theme, by=request.user, now=timezone.now(),
                                       answer=answer, comment=comment)
            messages.success(request, f"Tagged “{theme.name}”.")
        else:
            services.theme_tag_remove(theme=theme, by=request.user, answer=answer,
                                      comment=comment)
            messages.success(request, f"“{theme.name}” is removed.")
        return redirect(tagging_url(**back, anchor=f"{kind}-{pk}"))

    def _problem(self, request, problem):
        request.GET = request.POST.copy()
        for key in list(request.GET):
            if key not in ("event", "course", "page", "comments_page"):
                del request.GET[key]
        return self.get(request, problem=problem)


class SessionCommentCreateView(ThemeMixin, View):
    """Paste the chat of one event's session: each line becomes a comment to tag."""

    def get_event(self):
        event = Event.objects.select_related("course").filter(pk=self.kwargs["event_pk"]).first()
        if event is None:
            raise Http404("No such event.")
        return event

    def get(self, request, event_pk):
        event = self.get_event()
        return render(request, "evaluations/theme_comments_form.html",
                      {"form": SessionCommentsForm(), "event": event})

    def post(self, request, event_pk):
        event = self.get_event()
        form = SessionCommentsForm(request.POST)
        if form.is_valid():
            try:
                comments = services.session_comments_add(
                    event=event, by=request.user, text=form.cleaned_data["text"],
                    now=timezone.now())
            except DomainError as exc:
                _refused(form, exc)
            else:
                n = len(comments)
                messages.success(request, f"{n} comment{'s' if n != 1 else ''} added. Confirm "
                                          "the suggested themes below.")
                return redirect(tagging_url(event=event))
        return render(request, "evaluations/theme_comments_form.html",
                      {"form": form, "event": event})
