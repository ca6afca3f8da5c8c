"""Reads for themes: the officers' list, the items to tag (Stage 2 free-text answers and
pasted session chat comments) with their tags and suggestions, and the counts the reports use.

A ThemeTag row is in one of three states:
- confirmed (confirmed_at set): counts in reports; `suggested` records that the keywords
  proposed it (False: an officer added it by hand);
- dismissed (confirmed_at empty): an officer removed it, so the keywords never suggest that
  theme for that item again;
- no row: the theme is SUGGESTED, on the page only, when one of its keywords is in the text.
Suggestions are worked out when the page is read (nothing is written by reading), so a new
theme or keyword suggests itself at once on answers already given."""

import re
from datetime import datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from core.calendar import LONDON
from courses.models import Course, Event
from evaluations.models import (
    Answer,
    QuestionnaireKind,
    QuestionType,
    SessionComment,
    Theme,
    ThemeTag,
)

THEME_PERMISSION = "evaluations.change_theme"


# Keywords ---------------------------------------------------------------------------------------

def keywords_parse(text):
    """The keywords of a theme: one keyword or phrase per line (commas separate too), trimmed,
    without repeats (case ignored), in the order written."""
    seen, out = set(), []
    for part in re.split(r"[\n,;]", text or ""):
        phrase = " ".join(part.split())
        if phrase and phrase.casefold() not in seen:
            seen.add(phrase.casefold())
            out.append(phrase)
    return out


def _pattern(phrase):
    words = [re.escape(w) for w in phrase.split()]
    # Whole words or phrases only ("escalate" is not found in "de-escalated"... but
    # "escalation" needs its own keyword), any spacing between the words of a phrase.
    return r"(?<![\w-])" + r"\s+".join(words) + r"(?![\w-])"


def keyword_matches(text, keywords):
    """The keywords found in `text` as whole words or phrases, ignoring case."""
    found = []
    for phrase in keywords:
        if re.search(_pattern(phrase), text or "", flags=re.IGNORECASE):
            found.append(phrase)
    return found


def themes_suggested_for(text, themes):
    """The themes (of those given) with a keyword in `text`, each with the keywords found."""
    out = []
    for theme in themes:
        found = keyword_matches(text, keywords_parse(theme.keywords))
        if found:
            out.append((theme, found))
    return out


# Themes -----------------------------------------------------------------------------------------

def themes_for_officers():
    """Every theme with its confirmed tags counted."""
    return Theme.objects.annotate(
        confirmed=Count("tags", filter=Q(tags__confirmed_at__isnull=False))).order_by("name")


def theme_get(*, pk):
    return Theme.objects.filter(pk=pk).first()


# What is tagged ---------------------------------------------------------------------------------

def _stage_2_texts():
    return Answer.objects.filter(
        response__kind=QuestionnaireKind.STAGE_2, question__type=QuestionType.TEXT,
    ).exclude(value_text="")


def tagging_answers(*, event=None, course=None):
    """Stage 2 free-text answers of one event or one course, newest first, with their question
    (no person: Answer carries none)."""
    answers = _stage_2_texts().select_related("question", "response")
    if event is not None:
        answers = answers.filter(Q(response__event=event)
                                 | Q(response__request__booking__event=event))
    elif course is not None:
        answers = answers.filter(response__course=course)
    else:
        return answers.none()
    return answers.order_by("-response__submitted_at", "-pk").distinct()


def tagging_comments(*, event=None, course=None):
    comments = SessionComment.objects.select_related("event", "event__course")
    if event is not None:
        comments = comments.filter(event=event)
    elif course is not None:
        comments = comments.filter(event__course=course)
    else:
        return comments.none()
    return comments.order_by("-added_at", "-pk")


def tagging_rows(items, *, kind, themes):
    """For one page of answers or comments: each item with its confirmed themes, its suggested
    themes (keywords found, no tag row yet) and the themes an officer may still add by hand.
    One query for the tags of the whole page."""
    field = "answer_id" if kind == "answer" else "comment_id"
    items = list(items)
    tags = ThemeTag.objects.filter(**{f"{field}__in": [i.pk for i in items]}).select_related(
        "theme")
    by_item = {}
    for tag in tags:
        by_item.setdefault(getattr(tag, field), []).append(tag)
    active = [t for t in themes if t.active]
    rows = []
    for item in items:
        text = item.value_text if kind == "answer" else item.text
        item_tags = by_item.get(item.pk, [])
        with_row = {t.theme_id for t in item_tags}
        confirmed = sorted((t for t in item_tags if t.confirmed_at is not None),
                           key=lambda t: t.theme.name.casefold())
        confirmed_ids = {t.theme_id for t in confirmed}
        suggested = [(theme, found) for theme, found in themes_suggested_for(text, active)
                     if theme.pk not in with_row]
        rows.append({
            "kind": kind, "item": item, "text": text, "confirmed": confirmed,
            "suggested": suggested,
            "addable": [t for t in active if t.pk not in confirmed_ids],
        })
    return rows


def tagging_courses():
    """Courses that have events or Stage 2 answers, for the course chooser."""
    return Course.objects.filter(events__isnull=False).distinct().order_by("title").only(
        "pk", "title")


def tagging_events(*, course):
    """A course's events that have taken place, latest first (for the event chooser)."""
    return Event.objects.filter(course=course, start__lte=timezone.now()).order_by("-start")


# Counts for the reports -------------------------------------------------------------------------

def _start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min), LONDON)


def theme_counts(*, start, end, course=None):
    """Confirmed theme tags per theme in a period: [{"theme", "answers", "comments", "total"}],
    every theme listed (zeros too), by name. `start` and `end` are London dates, both included.
    A Stage 2 answer counts on the day it was given; a session comment on the day of its
    event. `course` (optional) keeps only that course's answers and comments. Unconfirmed
    suggestions never count. Three queries, whatever the number of themes."""
    since, until = _start_of(start), _start_of(end + timedelta(days=1))
    answer_q = Q(answer__response__submitted_at__gte=since,
                 answer__response__submitted_at__lt=until)
    comment_q = Q(comment__event__start__gte=since, comment__event__start__lt=until)
    if course is not None:
        answer_q &= Q(answer__response__course=course)
        comment_q &= Q(comment__event__course=course)
    confirmed = ThemeTag.objects.filter(confirmed_at__isnull=False)
    answers = dict(confirmed.filter(answer_q).values("theme").annotate(n=Count("pk"))
                   .values_list("theme", "n"))
    comments = dict(confirmed.filter(comment_q).values("theme").annotate(n=Count("pk"))
                    .values_list("theme", "n"))
    return [{"theme": t, "answers": answers.get(t.pk, 0), "comments": comments.get(t.pk, 0),
             "total": answers.get(t.pk, 0) + comments.get(t.pk, 0)}
            for t in Theme.objects.order_by("name")]


def theme_counts_by_course(*, start, end):
    """Confirmed theme tags per (course, theme) in a period (same rules as theme_counts):
    [{"course_id", "course_title", "theme_id", "theme_name", "total"}], by course then theme."""
    since, until = _start_of(start), _start_of(end + timedelta(days=1))
    totals = {}
    confirmed = ThemeTag.objects.filter(confirmed_at__isnull=False)
    for course_id, title, theme_id, name, n in (
            confirmed.filter(answer__response__submitted_at__gte=since,
                             answer__response__submitted_at__lt=until)
            .values_list("answer__response__course_id", "answer__response__course__title",
                         "theme_id", "theme__name").annotate(n=Count("pk"))):
        totals[(course_id, title, theme_id, name)] = n
    for course_id, title, theme_id, name, n in (
            confirmed.filter(comment__event__start__gte=since, comment__event__start__lt=until)
            .values_list("comment__event__course_id", "comment__event__course__title",
                         "theme_id", "theme__name").annotate(n=Count("pk"))):
        key = (course_id, title, theme_id, name)
        totals[key] = totals.get(key, 0) + n
    return [{"course_id": c, "course_title": ct, "theme_id": t, "theme_name": tn, "total": n}
            for (c, ct, t, tn), n in sorted(totals.items(),
                                            key=lambda kv: (kv[0][1].casefold(),
                                                            kv[0][3].casefold()))]


def answer_in_scope(*, pk, event=None, course=None):
    return tagging_answers(event=event, course=course).filter(pk=pk).first()


def comment_in_scope(*, pk, event=None, course=None):
    return tagging_comments(event=event, course=course).filter(pk=pk).first()

