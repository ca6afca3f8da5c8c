"""Themes (issue 9): officers keep a list of themes with keywords, paste in a session's chat
comments, and tag Stage 2 answers and comments with themes, confirming the tags the keywords
suggest or adding their own. Only confirmed tags count in the reports (see
evaluations.selectors.themes for the states of a tag)."""

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower

from core.audit import audit_record
from core.exceptions import DomainError
from evaluations.models import SessionComment, Theme, ThemeTag
from evaluations.selectors.themes import keyword_matches, keywords_parse

MAX_COMMENTS_AT_ONCE = 200
MAX_COMMENT_LENGTH = 2000


def _clean_theme(*, name, keywords, theme=None):
    name = " ".join((name or "").split())
    if not name:
        raise DomainError("Enter the theme's name.", field="name")
    clash = Theme.objects.annotate(lower=Lower("name")).filter(lower=name.lower())
    if theme is not None:
        clash = clash.exclude(pk=theme.pk)
    if clash.exists():
        raise DomainError(f"There is already a theme called “{name}”.", field="name")
    words = keywords_parse(keywords)
    if any(len(w) > 100 for w in words):
        raise DomainError("Each keyword or phrase must be 100 characters or fewer.",
                          field="keywords")
    return name, "\n".join(words)


def theme_create(*, by, name, keywords="", active=True):
    """An officer adds a theme (e.g. "Voice of the child") with its keywords."""
    name, keywords = _clean_theme(name=name, keywords=keywords)
    try:
        with transaction.atomic():
            theme = Theme.objects.create(name=name, keywords=keywords, active=active)
            audit_record(actor=by, action="theme.create", target=theme,
                         details={"keywords": keywords.splitlines()})
    except IntegrityError as exc:  # a theme of that name added at the same moment
        raise DomainError(f"There is already a theme called “{name}”.", field="name") from exc
    return theme


def theme_update(*, theme, by, name, keywords="", active=True):
    """An officer renames a theme, changes its keywords or stops suggesting it (inactive).
    Tags already confirmed stay: they were an officer's decision."""
    name, keywords = _clean_theme(name=name, keywords=keywords, theme=theme)
    with transaction.atomic():
        theme = Theme.objects.select_for_update().get(pk=theme.pk)
        before = {"name": theme.name, "keywords": theme.keywords, "active": theme.active}
        theme.name, theme.keywords, theme.active = name, keywords, active
        try:
            with transaction.atomic():
                theme.save(update_fields=["name", "keywords", "active"])
        except IntegrityError as exc:
            raise DomainError(f"There is already a theme called “{name}”.",
                              field="name") from exc
        audit_record(actor=by, action="theme.update", target=theme,
                     details={k: [v, getattr(theme, k)] for k, v in before.items()
                              if v != getattr(theme, k)})
    return theme


def theme_delete(*, theme, by):
    """An officer deletes a theme, and with it its tags (the reports stop counting them)."""
    with transaction.atomic():
        theme = Theme.objects.select_for_update().filter(pk=theme.pk).first()
        if theme is None:
            return 0
        confirmed = theme.tags.filter(confirmed_at__isnull=False).count()
        audit_record(actor=by, action="theme.delete", target=theme,
                     details={"name": theme.name, "confirmed_tags": confirmed})
        theme.delete()
    return confirmed


def session_comments_add(*, event, by, text, now):
    """An officer pastes in the chat of a session: each non-empty line becomes one comment of
    the event (names typed in the chat are the officer's to remove before pasting)."""
    lines = [" ".join(line.split()) for line in (text or "").splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise DomainError("Paste at least one comment.", field="text")
    if len(lines) > MAX_COMMENTS_AT_ONCE:
        raise DomainError(f"Paste {MAX_COMMENTS_AT_ONCE} comments or fewer at a time.",
                          field="text")
    if any(len(line) > MAX_COMMENT_LENGTH for line in lines):
        raise DomainError(f"Each comment must be {MAX_COMMENT_LENGTH} characters or fewer.",
                          field="text")
    with transaction.atomic():
        comments = SessionComment.objects.bulk_create(
            [SessionComment(event=event, text=line, added_by=by, added_at=now)
             for line in lines])
        audit_record(actor=by, action="session_comment.add", target=event,
                     details={"comments": len(comments)})
    return comments


def session_comment_delete(*, comment, by):
    with transaction.atomic():
        audit_record(actor=by, action="session_comment.delete", target=comment.event,
                     details={"comment": comment.pk})
        comment.delete()


def _item(answer, comment):
    if (answer is None) == (comment is None):
        raise ValueError("Tag an answer or a comment.")
    return ({"answer": answer, "comment": None} if answer is not None
            else {"answer": None, "comment": comment})


def theme_tag_confirm(*, theme, by, now, answer=None, comment=None):
    """Tag an answer or a comment with a theme: confirming a suggestion, or adding a theme by
    hand (`suggested` records which: whether the theme's keywords are in the text)."""
    item = _item(answer, comment)
    text = answer.value_text if answer is not None else comment.text
    suggested = bool(keyword_matches(text, keywords_parse(theme.keywords)))
    with transaction.atomic():
        tag = ThemeTag.objects.select_for_update().filter(theme=theme, **item).first()
        if tag is None:
            try:
                with transaction.atomic():
                    tag = ThemeTag.objects.create(theme=theme, suggested=suggested,
                                                  confirmed_at=now, confirmed_by=by, **item)
            except IntegrityError:  # tagged at the same moment by another officer
                return ThemeTag.objects.get(theme=theme, **item)
        elif tag.confirmed_at is None:
            tag.confirmed_at, tag.confirmed_by, tag.suggested = now, by, suggested
            tag.save(update_fields=["confirmed_at", "confirmed_by", "suggested"])
        else:
            return tag
        audit_record(actor=by, action="theme_tag.confirm", target=theme,
                     details={"answer": getattr(answer, "pk", None),
                              "comment": getattr(comment, "pk", None)})
    return tag


def theme_tag_remove(*, theme, by, answer=None, comment=None):
    """Remove a theme from an answer or a comment, or turn a suggestion down: the tag is kept
    as dismissed (not confirmed), so the keywords do not suggest it for that item again, and
    it no longer counts."""
    item = _item(answer, comment)
    with transaction.atomic():
        tag = ThemeTag.objects.select_for_update().filter(theme=theme, **item).first()
        if tag is None:
            try:
                with transaction.atomic():
                    tag = ThemeTag.objects.create(theme=theme, suggested=True, **item)
            except IntegrityError:
                tag = ThemeTag.objects.select_for_update().get(theme=theme, **item)
        if tag.confirmed_at is not None:
            tag.confirmed_at, tag.confirmed_by = None, None
            tag.save(update_fields=["confirmed_at", "confirmed_by"])
        audit_record(actor=by, action="theme_tag.remove", target=theme,
                     details={"answer": getattr(answer, "pk", None),
                              "comment": getattr(comment, "pk", None)})
    return tag
