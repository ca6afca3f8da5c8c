"""Themes: keywords suggest tags (whole words and phrases, any case), officers confirm, remove
or add them, paste session chat comments, and the reports count confirmed tags per theme,
course and period."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from evaluations import defaults
from evaluations.models import (
    Answer,
    EvaluationRequest,
    RequestKind,
    Response,
    SessionComment,
    Theme,
    ThemeTag,
)
from evaluations.selectors.themes import (
    keyword_matches,
    keywords_parse,
    theme_counts,
    theme_counts_by_course,
)
from evaluations.services.themes import theme_tag_confirm, theme_tag_remove
from tests.evaluations.test_summaries import version
from tests.factories import BookingFactory, CourseFactory, EventFactory

LONDON = ZoneInfo("Europe/London")


# Suggestions (no database) -------------------------------------------------------------------

@pytest.mark.parametrize("text, found", [
    ("We ESCALATE concerns to the manager", ["escalate"]),
    ("The situation de-escalated quickly", []),
    ("Concerns escalated", []),  # a whole word only: "escalated" needs its own keyword
    ("Listening to the Voice   of the\nChild", ["voice of the child"]),
    ("the voice of the children's guardian", []),
    ("Information sharing, and escalate.", ["escalate", "information sharing"]),
], ids=["any-case", "not-inside-a-word", "whole-word", "phrase-any-spacing", "phrase-whole",
        "two-keywords"])
def test_keyword_matches(text, found):
    keywords = ["escalate", "voice of the child", "information sharing"]
    assert sorted(keyword_matches(text, keywords)) == sorted(found)


def test_keywords_are_one_per_line_without_repeats():
    assert keywords_parse("  Escalate \n\nescalate\nvoice  of the child, curiosity") == [
        "Escalate", "voice of the child", "curiosity"]


def test_keywords_with_regex_characters_are_taken_literally():
    assert keyword_matches("Use the C++ (advanced) guide", ["c++ (advanced)"]) == [
        "c++ (advanced)"]
    assert keyword_matches("anything", [".*"]) == []


# With a database -------------------------------------------------------------------------------

def stage_2_answer(event, text, *, submitted_at=None):
    booking = BookingFactory(event=event, status="attended")
    request = EvaluationRequest.objects.create(
        kind=RequestKind.STAGE_2, user=booking.delegate, course=event.course, event=event,
        booking=booking, due_at=timezone.now())
    v = version("stage_2")
    response = Response.objects.create(request=request, version=v, kind="stage_2",
                                       course=event.course, event=event,
                                       submitted_at=submitted_at or timezone.now())
    Answer.objects.create(response=response, question=v.questions.get(key=defaults.IMPACT_PRACTICE),
                          value_int=4)
    return Answer.objects.create(response=response,
                                 question=v.questions.get(key=defaults.EXAMPLES),
                                 value_text=text)


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER)


@pytest.fixture
def world(db):
    course = CourseFactory(title="Escalation and professional curiosity")
    start = timezone.now() - timedelta(days=70)
    event = EventFactory(course=course, start=start, end=start + timedelta(hours=7))
    themes = {
        "escalation": Theme.objects.create(name="Escalation", keywords="escalate\nescalation"),
        "voice": Theme.objects.create(name="Voice of the child", keywords="voice of the child"),
        "curiosity": Theme.objects.create(name="Professional curiosity",
                                          keywords="curious\nprofessional curiosity"),
    }
    answer = stage_2_answer(event, "I now escalate sooner and record the voice of the child.")
    return {"course": course, "event": event, "themes": themes, "answer": answer}


def tagging(client, **params):
    return client.get(reverse("evaluations:theme-tagging"), params)


def post_tag(client, *, event, item, action, theme=None):
    data = {"event": event.pk, "item": item, "action": action}
    if theme is not None:
        data["theme"] = theme.pk
    return client.post(reverse("evaluations:theme-tagging"), data)


def test_officer_confirms_a_suggestion_and_removes_another(client, officer, world):
    client.force_login(officer)
    event, answer, themes = world["event"], world["answer"], world["themes"]
    page = tagging(client, event=event.pk).content.decode()
    assert "Suggested: Escalation" in page
    assert "Suggested: Voice of the child" in page
    assert "Suggested: Professional curiosity" not in page
    assert not ThemeTag.objects.exists()  # reading the page writes nothing

    response = post_tag(client, event=event, item=f"answer-{answer.pk}", action="confirm",
                        theme=themes["escalation"])
    assert response.status_code == 302
    tag = ThemeTag.objects.get(theme=themes["escalation"], answer=answer)
    assert tag.suggested and tag.confirmed_at is not None and tag.confirmed_by == officer

    post_tag(client, event=event, item=f"answer-{answer.pk}", action="remove",
             theme=themes["voice"])
    dismissed = ThemeTag.objects.get(theme=themes["voice"], answer=answer)
    assert dismissed.confirmed_at is None
    page = tagging(client, event=event.pk).content.decode()
    assert "Suggested: Voice of the child" not in page  # turned down: not suggested again
    assert "Suggested: Escalation" not in page  # confirmed: shown as a tag
    assert ">Escalation</strong>" in page

    # A theme added by hand (no keyword in the text) is recorded as not suggested.
    post_tag(client, event=event, item=f"answer-{answer.pk}", action="confirm",
             theme=themes["curiosity"])
    manual = ThemeTag.objects.get(theme=themes["curiosity"], answer=answer)
    assert not manual.suggested and manual.confirmed_at is not None


def test_session_comments_are_pasted_one_per_line_and_suggested(client, officer, world):
    client.force_login(officer)
    event = world["event"]
    url = reverse("evaluations:sessioncomment-create", args=[event.pk])
    response = client.post(url, {"text": "Be more CURIOUS about home life\n\n  \nGreat session"})
    assert response.status_code == 302
    assert list(SessionComment.objects.filter(event=event).order_by("pk")
                .values_list("text", flat=True)) == ["Be more CURIOUS about home life",
                                                     "Great session"]
    page = tagging(client, event=event.pk).content.decode()
    assert "Suggested: Professional curiosity" in page

    # Nothing to paste, or too much at once: a clear message, nothing saved.
    for text, message in (("   \n  ", "Paste at least one comment."),
                          ("x\n" * 201, "Paste 200 comments or fewer at a time.")):
        response = client.post(url, {"text": text})
        assert response.status_code == 200
        assert message in response.content.decode()
    assert SessionComment.objects.filter(event=event).count() == 2


def test_an_item_of_another_event_is_refused(client, officer, world):
    client.force_login(officer)
    elsewhere = EventFactory()
    other_answer = stage_2_answer(elsewhere, "We escalate everything")
    response = post_tag(client, event=world["event"], item=f"answer-{other_answer.pk}",
                        action="confirm", theme=world["themes"]["escalation"])
    assert response.status_code == 200
    assert "That answer or comment is not on this page any more." in response.content.decode()
    for item, message in ((f"answer-{world['answer'].pk}", "Choose a theme from the list."),
                          ("nonsense", "Choose an answer or a comment.")):
        response = client.post(reverse("evaluations:theme-tagging"), {
            "event": world["event"].pk, "item": item, "action": "confirm", "theme": "999999"})
        assert message in response.content.decode()
    assert not ThemeTag.objects.exists()


def test_a_bad_course_or_event_id_is_explained(client, officer, world):
    client.force_login(officer)
    for params, message in (({"course": "²"}, "Choose a course from the list."),
                            ({"event": "9" * 30}, "Choose an event from the list."),
                            ({"event": "١٢"}, "Choose an event from the list.")):
        response = tagging(client, **params)
        assert response.status_code == 200
        assert message in response.content.decode()
    response = client.post(reverse("evaluations:theme-tagging"), {"course": "²", "page": "²"})
    assert "Choose a course from the list." in response.content.decode()


def test_theme_pages_are_for_officers_only(client, make_user, world):
    client.force_login(make_user(Role.FACILITATOR))
    assert client.get(reverse("evaluations:theme-list")).status_code == 403
    assert tagging(client, event=world["event"].pk).status_code == 403


def test_theme_crud(client, officer, world):
    client.force_login(officer)
    response = client.post(reverse("evaluations:theme-create"),
                           {"name": "  escalation ", "keywords": "x", "active": "on"})
    assert response.status_code == 200
    assert "There is already a theme called “escalation”." in response.content.decode()
    response = client.post(reverse("evaluations:theme-create"), {
        "name": "Information sharing", "keywords": "share information\nInformation sharing\n"
        "share information", "active": "on"})
    assert response.status_code == 302
    theme = Theme.objects.get(name="Information sharing")
    assert theme.keywords == "share information\nInformation sharing"
    response = client.post(reverse("evaluations:theme-update", args=[theme.pk]),
                           {"name": "Information sharing", "keywords": "share"})
    assert response.status_code == 302
    theme.refresh_from_db()
    assert (theme.keywords, theme.active) == ("share", False)
    # An inactive theme is no longer suggested.
    stage_2_answer(world["event"], "We share more now")
    assert "Suggested: Information sharing" not in tagging(
        client, event=world["event"].pk).content.decode()
    response = client.post(reverse("evaluations:theme-delete", args=[theme.pk]))
    assert response.status_code == 302
    assert not Theme.objects.filter(pk=theme.pk).exists()
    assert client.get(reverse("evaluations:theme-update", args=[theme.pk])).status_code == 404


def test_theme_counts_confirmed_tags_per_theme_course_and_period(officer, world):
    themes, event = world["themes"], world["event"]
    now = timezone.now()
    in_q3 = datetime(2026, 8, 10, 12, 0, tzinfo=LONDON)
    in_q4 = datetime(2026, 10, 5, 12, 0, tzinfo=LONDON)
    a1 = stage_2_answer(event, "escalate", submitted_at=in_q3)
    a2 = stage_2_answer(event, "escalate again", submitted_at=in_q4)
    other_course_event = EventFactory(start=in_q3, end=in_q3 + timedelta(hours=3))
    a3 = stage_2_answer(other_course_event, "escalation", submitted_at=in_q3)
    comment = SessionComment.objects.create(event=other_course_event, text="voice of the child")
    for answer in (a1, a2, a3):
        theme_tag_confirm(theme=themes["escalation"], by=officer, now=now, answer=answer)
    theme_tag_confirm(theme=themes["voice"], by=officer, now=now, comment=comment)
    theme_tag_confirm(theme=themes["voice"], by=officer, now=now, answer=a1)
    theme_tag_remove(theme=themes["voice"], by=officer, answer=a1)  # removed: not counted
    # A suggestion turned down is not counted either.
    theme_tag_remove(theme=themes["curiosity"], by=officer, answer=a2)

    q3 = {row["theme"].name: (row["answers"], row["comments"], row["total"])
          for row in theme_counts(start=date(2026, 7, 1), end=date(2026, 9, 30))}
    assert q3 == {"Escalation": (2, 0, 2), "Professional curiosity": (0, 0, 0),
                  "Voice of the child": (0, 1, 1)}
    q3_course = {row["theme"].name: row["total"] for row in theme_counts(
        start=date(2026, 7, 1), end=date(2026, 9, 30), course=world["course"])}
    assert q3_course == {"Escalation": 1, "Professional curiosity": 0, "Voice of the child": 0}
    # The last day of the period is included; the day after is not.
    assert theme_counts(start=date(2026, 10, 5), end=date(2026, 10, 5))[0]["total"] == 1
    assert theme_counts(start=date(2026, 10, 6), end=date(2026, 12, 31))[0]["total"] == 0
    by_course = theme_counts_by_course(start=date(2026, 7, 1), end=date(2026, 12, 31))
    assert {(r["course_id"], r["theme_name"], r["total"]) for r in by_course} == {
        (world["course"].pk, "Escalation", 2),
        (other_course_event.course_id, "Escalation", 1),
        (other_course_event.course_id, "Voice of the child", 1)}


def test_tagging_page_queries_are_bounded(client, officer, world,
                                          django_assert_max_num_queries):
    for i in range(15):
        stage_2_answer(world["event"], f"Answer {i}: escalate and be curious")
        SessionComment.objects.create(event=world["event"], text=f"Comment {i} escalate")
    client.force_login(officer)
    with django_assert_max_num_queries(20):
        response = tagging(client, event=world["event"].pk)
    assert response.content.decode().count("Suggested: Escalation") == 16 + 15
    with django_assert_max_num_queries(20):
        assert tagging(client, course=world["course"].pk).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(reverse("evaluations:theme-list")).status_code == 200
