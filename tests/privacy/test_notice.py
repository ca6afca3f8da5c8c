"""The privacy notice: public, written from the partnership's settings (so it cannot disagree
with what the retention sweeps and the session timeout do), and linked from sign-up, the
profile and every page's footer."""

import html
import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from itertools import pairwise

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from core.audit import audit_entry
from core.dates import day
from core.models import Partnership
from privacy import views_notice
from tests.core.test_partnership_settings import form_data

URL = reverse("privacy:notice")


def main_text(response):
    """The words of the page's <main>, as a reader meets them (tags out, spaces collapsed)."""
    source = response.content.decode()
    main = source[source.index("<main"):source.index("</main>")]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


class Headings(HTMLParser):
    def __init__(self):
        super().__init__()
        self.levels = []

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))


def heading_levels(response):
    parser = Headings()
    parser.feed(response.content.decode())
    return parser.levels


def set_partnership(**values):
    partnership = Partnership.load()
    for name, value in values.items():
        setattr(partnership, name, value)
    partnership.save()


@pytest.mark.django_db
def test_anyone_can_read_the_notice_with_the_partnership_named_as_controller(client):
    set_partnership(name="Dudley Safeguarding People Partnership",
                    contact_email="privacy@dudley.example", contact_phone="01384 000000",
                    address="Council House\nDudley DY1 1HF", website="https://dudley.example/")

    response = client.get(URL)

    assert response.status_code == 200
    text = main_text(response)
    assert "This site is run by Dudley Safeguarding People Partnership" in text
    assert "‘data controller’" in text
    assert "email privacy@dudley.example" in text
    assert "phone 01384 000000" in text
    assert "write to Council House Dudley DY1 1HF" in text
    assert 'href="mailto:privacy@dudley.example"' in response.content.decode()


@pytest.mark.django_db
def test_the_notice_says_what_is_kept_why_who_sees_it_and_the_rights(client):
    text = main_text(client.get(URL))
    for kept in ("Your account and profile:", "Access needs:", "Bookings:", "Attendance:",
                 "Evaluation answers:", "Certificates:", "Charges to your organisation:",
                 "Emails we send you:", "Audit records:"):
        assert kept in text
    for basis in ("‘public task’", "‘contract’", "‘legal obligation’", "‘explicit consent’",
                  "‘consent’"):
        assert basis in text
    assert ("Facilitators of the events you book see your name, organisation, job title and "
            "the access needs you shared for that event or on your profile") in text
    assert "Your organisation’s safeguarding lead sees" in text
    assert "They do not see your access needs or your evaluation answers" in text
    assert "Your organisation’s finance contact sees the charges for your place" in text
    # The two refusals of a deletion request (privacy.policies), in the delegate's words.
    assert ("a charge for your place is waiting for the training team’s decision, or your "
            "organisation has not paid it yet") in text
    assert "a place on a waiting list for an event that has not happened yet" in text
    assert "you have a staff role" in text
    assert "helpline 0303 123 1113" in text
    assert 'href="https://ico.org.uk/make-a-complaint/"' in client.get(URL).content.decode()


# Each setting the notice quotes, a value other than its default, and the words that value
# must produce (and the default's words, which must then be gone).
SETTING_WORDS = [
    ("access_needs_retention_days", 45, "we delete those you shared for an event 45 days after "
     "it ends", "for an event 30 days after it ends"),
    ("access_needs_retention_days", 1, "Access needs you shared for an event: 1 day after the "
     "event ends", "30 days after the event ends"),
    ("inactive_account_years", 9, "booked or done any training for 9 years, we remove",
     "booked or done any training for 6 years"),
    ("email_body_retention_days", 400, "we delete their text and attachments 400 days after "
     "sending", "365 days after sending"),
    ("staff_session_idle_minutes", 15, "we sign you out after 15 minutes without activity",
     "after 30 minutes without activity"),
    ("report_small_count_threshold", 5, "is shown as ‘fewer than 5’", "‘fewer than 3’"),
    ("summary_min_responses", 1, "only once at least 1 person has answered it",
     "at least 3 people have answered it"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field, value, words, default_words", SETTING_WORDS,
    ids=["access-needs-days", "access-needs-one-day", "inactive-years", "email-body-days",
         "staff-idle-minutes", "report-threshold", "summary-minimum"],
)
def test_changing_a_setting_changes_the_words_on_the_notice(client, field, value, words,
                                                          default_words):
    assert default_words in main_text(client.get(URL))

    set_partnership(**{field: value})

    text = main_text(client.get(URL))
    assert words in text
    assert default_words not in text


@pytest.mark.django_db
def test_line_manager_sentence_follows_the_approval_and_stage_2_settings(client):
    text = main_text(client.get(URL))
    assert "Your line manager gets an email when you book or cancel a place." in text

    set_partnership(line_manager_approval_required=True, stage_2_copy_line_manager=True)

    assert ("Your line manager gets an email when you book or cancel a place, and is asked to "
            "agree to each booking, and a copy of your Stage 2 evaluation request.") in main_text(
        client.get(URL))


@pytest.mark.django_db
def test_last_updated_is_the_text_revision_date(client):
    text = main_text(client.get(URL))
    assert f"Last updated: {day(views_notice.NOTICE_REVISED)}" in text


@pytest.mark.django_db
def test_a_setting_the_notice_quotes_changed_on_the_settings_page_moves_last_updated(
        client, make_user, monkeypatch):
    monkeypatch.setattr(views_notice, "NOTICE_REVISED", date(2026, 1, 6))
    officer = make_user(Role.OFFICER)
    client.force_login(officer)
    settings_url = reverse("core:partnership-update")
    # A fee is not in the notice: changing it leaves the date alone.
    client.post(settings_url, form_data(Partnership.load(), fee_no_show_full_day="120.00"))
    assert "Last updated: Tuesday 6 January 2026" in main_text(client.get(URL))

    response = client.post(settings_url, form_data(Partnership.load(),
                                                   inactive_account_years="7"))
    assert response.status_code == 302

    text = main_text(client.get(URL))
    assert f"Last updated: {day(timezone.localdate())}" in text
    assert "if you have not signed in, booked or done any training for 7 years" in text


@pytest.mark.django_db
def test_last_updated_uses_the_london_day_of_the_latest_quoted_change(client):
    partnership = Partnership.load()
    for at, details in [
        (datetime(2027, 3, 2, 23, 30, tzinfo=UTC), {"name": ["A", "B"]}),
        # Later, but a setting the notice does not quote.
        (datetime(2027, 5, 4, 10, 0, tzinfo=UTC), {"capacity_virtual": ["30", "25"]}),
    ]:
        entry = audit_entry(actor=None, action="partnership.update", target=partnership,
                            details=details)
        entry.at = at
        entry.save(force_insert=True)

    # 11:30pm UTC on 2 March is still 2 March in London (GMT); the May change is not quoted.
    assert "Last updated: Tuesday 2 March 2027" in main_text(client.get(URL))


@pytest.mark.django_db
def test_rights_link_to_your_data_and_the_profile(client):
    source = client.get(URL).content.decode()
    your_data = reverse("privacy:your-data")
    assert source.count(f'href="{your_data}"') == 2  # seeing it, and asking for deletion
    assert f'href="{reverse("accounts:profile")}"' in source
    assert f'href="{reverse("charging:policy")}"' in source


@pytest.mark.django_db
def test_headings_are_in_order(client):
    levels = heading_levels(client.get(URL))
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b <= a + 1 for a, b in pairwise(levels)), levels


@pytest.mark.django_db
def test_the_notice_reads_the_settings_in_a_bounded_number_of_queries(
        client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # the settings row, the last change, a session
        assert client.get(URL).status_code == 200


# --- links to the notice -----------------------------------------------------------------


@pytest.mark.django_db
def test_sign_up_links_to_the_notice_beside_the_register_button(client):
    source = client.get(reverse("account_signup")).content.decode()
    form = source[source.index('<form method="post"'):source.index("</form>")]
    link = form.index(f'<a href="{URL}" id="privacy-notice-link">How we use your information</a>')
    assert link < form.index(">Register</button>")
    # Why the sign-up asks for a name and an email address, above the fields.
    assert source.index("your name goes on registers and certificates") < source.index(
        '<form method="post"')


@pytest.mark.django_db
def test_profile_links_to_the_notice_beside_access_needs(client, make_user):
    set_partnership(access_needs_retention_days=21)
    client.force_login(make_user(Role.DELEGATE))

    response = client.get(reverse("accounts:profile"))

    source = response.content.decode()
    assert f'<a href="{URL}" id="privacy-notice-link">How we use your information</a>' in source
    assert "We delete what you shared for an event 21 days after it." in main_text(response)


@pytest.mark.django_db
def test_every_page_footer_links_to_privacy_and_accessibility(client):
    for page in (reverse("home"), URL, reverse("accessibility"), reverse("account_login")):
        source = client.get(page).content.decode()
        footer = source[source.index("<footer"):source.index("</footer>")]
        assert f'href="{URL}">Privacy</a>' in footer, page
        assert f'href="{reverse("accessibility")}">Accessibility</a>' in footer, page
