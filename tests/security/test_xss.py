"""Stored cross-site scripting: text people type (a newsletter's subject and introduction, a
course title, a venue name) is shown as text on every page, never as markup. The newsletter
preview shows the email's plain-text part, rendered from a .txt template with autoescape off:
render_to_string returns a SafeString, so the page must escape it itself."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from newsletter import services
from tests.factories import CourseFactory, EventFactory, UserFactory, VenueFactory
from tests.helpers import totp_activate

from .browser import client_sign_in, sign_in_as

SUBJECT = "<script>alert(1)</script>Spring dates"
INTRODUCTION = "New dates.\n<img src=x onerror=alert(2)>"
COURSE_TITLE = "<img src=y onerror=alert(3)> Working Together"
VENUE_NAME = "<svg onload=alert(4)>Council House"
PAYLOADS = [SUBJECT, "<img src=x onerror=alert(2)>", COURSE_TITLE, VENUE_NAME]


class Markup(HTMLParser):
    """The elements of a page, with the text of each <pre> and of the whole page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.pre_text, self.text, self._in_pre = [], [], [], 0

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_pre += tag == "pre"

    def handle_endtag(self, tag):
        self._in_pre -= tag == "pre" and self._in_pre > 0

    def handle_data(self, data):
        self.text.append(data)
        if self._in_pre:
            self.pre_text.append(data)


def markup(content):
    parser = Markup()
    parser.feed(content.decode() if isinstance(content, bytes) else content)
    return parser


def script_markup(parsed):
    """What a browser would run: script elements with inline code, on* handler attributes,
    and svg elements (only the payload brings one here)."""
    found = []
    for tag, attrs in parsed.tags:
        handlers = [name for name in attrs if name.startswith("on")]
        if handlers or tag == "svg" or (tag == "script" and "src" not in attrs
                                        and attrs.get("type") != "application/json"):
            found.append((tag, attrs))
    return found


def hostile_newsletter(by):
    event = EventFactory(course=CourseFactory(title=COURSE_TITLE),
                         venue=VenueFactory(name=VENUE_NAME))
    return services.newsletter_create(by=by, subject=SUBJECT, introduction=INTRODUCTION,
                                      events=[event], now=timezone.now())


@pytest.mark.django_db
def test_the_newsletter_preview_shows_typed_markup_as_text(client, make_user):
    bea = make_user(Role.BUSINESS_SUPPORT, first_name="Bea")
    newsletter = hostile_newsletter(bea)
    client_sign_in(client, bea)

    response = client.get(reverse("courses:newsletter-preview", kwargs={"pk": newsletter.pk}))

    assert response.status_code == 200
    page_markup = markup(response.content)
    assert script_markup(page_markup) == []
    # The plain-text part reads exactly as the email's text, tags and all, as text.
    plain_text = "".join(page_markup.pre_text)
    for payload in PAYLOADS:
        assert payload in plain_text, payload
    body = response.content.decode()
    assert "<img src=x onerror" not in body and "<svg onload" not in body
    assert "&lt;img src=x onerror=alert(2)&gt;" in body


@pytest.mark.django_db
def test_the_email_in_the_preview_shows_typed_markup_as_text(client, make_user):
    """The HTML part is its own document in the preview's frame: escaped there too, and the
    document may run no script at all."""
    bea = make_user(Role.BUSINESS_SUPPORT, first_name="Bea")
    newsletter = hostile_newsletter(bea)
    client_sign_in(client, bea)

    response = client.get(reverse("courses:newsletter-email", kwargs={"pk": newsletter.pk}))

    assert response.status_code == 200
    email = markup(response.content)
    assert script_markup(email) == []
    text = "".join(email.text)
    for payload in PAYLOADS:
        assert payload in text, payload
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert "sandbox" in policy and "allow-scripts" not in policy


@pytest.mark.django_db
def test_the_newsletter_pages_show_typed_markup_as_text(client, make_user):
    """The list, the change form and the send confirmation show the same subject and events."""
    bea = make_user(Role.BUSINESS_SUPPORT, first_name="Bea")
    newsletter = hostile_newsletter(bea)
    client_sign_in(client, bea)

    for name in ("newsletter-list", "newsletter-update", "newsletter-send", "newsletter-create"):
        kwargs = {} if name in ("newsletter-list", "newsletter-create") else {"pk": newsletter.pk}
        response = client.get(reverse(f"courses:{name}", kwargs=kwargs))
        assert response.status_code == 200, name
        assert script_markup(markup(response.content)) == [], name


@pytest.mark.django_db
def test_the_outbox_shows_a_stored_email_as_text(client, make_user):
    """Officers read what an email said on the Emails page: the plain-text part, rendered from
    a .txt template with autoescape off, shown as text."""
    from core.outbox import email_queue
    from newsletter.selectors import newsletter_events

    bea = make_user(Role.BUSINESS_SUPPORT, first_name="Bea")
    newsletter = hostile_newsletter(bea)
    amy = UserFactory(first_name="Amy", email="amy@example.org")
    context = services.newsletter_email_context(
        newsletter=newsletter, events=list(newsletter_events(newsletter=newsletter)), user=amy)
    [row] = email_queue(to=[amy.email], template="newsletter/newsletter", context=context,
                        # Not "newsletter:": the page hides a newsletter's text (its opt-out
                        # link acts for the person); this checks what a readable email shows.
                        purpose=f"test:hostile-text:{newsletter.pk}", nudge=False)
    client_sign_in(client, make_user(Role.OFFICER))

    response = client.get(reverse("core:outgoingemail-detail", kwargs={"pk": row.pk}))

    assert response.status_code == 200
    page_markup = markup(response.content)
    assert script_markup(page_markup) == []
    plain_text = "".join(page_markup.pre_text)
    for payload in PAYLOADS:
        assert payload in plain_text, payload
    listing = client.get(reverse("core:outgoingemail-list"))
    assert script_markup(markup(listing.content)) == []


@pytest.mark.e2e
def test_previewing_a_hostile_newsletter_runs_nothing_in_the_browser(page, live_server):
    bea = UserFactory(roles=[Role.BUSINESS_SUPPORT], first_name="Bea")
    totp_activate(bea)
    newsletter = hostile_newsletter(bea)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    sign_in_as(page, bea)
    page.goto(f"/courses/newsletters/{newsletter.pk}/")
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)  # an onerror handler fires once the broken image fails

    assert dialogs == []
    expect(page.locator("main pre")).to_contain_text("<img src=x onerror=alert(2)>")
    expect(page.locator("main pre")).to_contain_text(VENUE_NAME)
    email = page.frame_locator("#email-preview")
    expect(email.locator("body")).to_contain_text(COURSE_TITLE)
    assert page.locator("main pre img, main pre svg, main pre script").count() == 0
