"""Review of issue 12's house items (newsletter and resources apps, "send a test to me") as a
user and as an attacker: edges the builders' own tests do not walk."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from core.models import OutgoingEmail
from newsletter import services
from newsletter.models import Newsletter
from tests.courses.test_app_split_migration import BEFORE, migrate
from tests.factories import EventFactory, UserFactory


@pytest.fixture
def bea(make_user):
    return make_user(Role.BUSINESS_SUPPORT, first_name="Bea", email="bea@partnership.example")


@pytest.fixture
def draft(bea):
    return services.newsletter_create(by=bea, subject="Spring dates", introduction="",
                                      events=[EventFactory()], now=timezone.now())


def send_test_url(newsletter):
    return reverse("courses:newsletter-test", kwargs={"pk": newsletter.pk})


@pytest.mark.django_db
def test_a_test_send_without_the_csrf_token_is_refused(bea, draft):
    """A page elsewhere cannot make business support's browser send tests."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(bea)

    response = client.post(send_test_url(draft))

    assert response.status_code == 403
    assert not OutgoingEmail.objects.filter(purpose__contains=":test:").exists()


@pytest.mark.django_db
def test_seeing_newsletters_is_not_enough_to_send_a_test(client, make_user, draft):
    from django.contrib.auth.models import Permission

    viewer = make_user(Role.OFFICER)
    viewer.user_permissions.add(Permission.objects.get(codename="view_newsletter",
                                                       content_type__app_label="newsletter"))
    client.force_login(viewer)

    preview = client.get(reverse("courses:newsletter-preview", kwargs={"pk": draft.pk}))
    refused = client.post(send_test_url(draft))

    assert preview.status_code == 200 and "Send a test to me" not in preview.content.decode()
    assert refused.status_code == 403
    assert not OutgoingEmail.objects.filter(purpose__contains=":test:").exists()


@pytest.mark.django_db
def test_a_test_of_a_sent_newsletter_leaves_it_sent_and_sends_nobody_else(client, bea, draft):
    UserFactory(newsletter_opt_in=True, email="amy@example.org")
    sent = services.newsletter_send(newsletter=draft, by=bea, now=timezone.now())
    deliveries = sent.deliveries.count()
    client.force_login(bea)

    client.post(send_test_url(sent))

    sent.refresh_from_db()
    assert sent.status != Newsletter.Status.DRAFT and sent.deliveries.count() == deliveries
    tests = OutgoingEmail.objects.filter(purpose__contains=":test:")
    assert [r.recipient for r in tests] == ["bea@partnership.example"]


pg_only = pytest.mark.skipif(connection.vendor != "postgresql",
                             reason="the move is tested on the database it runs on")


@pg_only
def test_admin_history_survives_when_the_new_content_type_already_exists(transactional_db):
    """The content type move has a branch for a database where post_migrate already made the
    new app's content type (migrating app by app, or back and forward again): the old type is
    deleted there, and everything still pointing at it went with it (the admin's history)."""
    try:
        old = migrate(BEFORE)
        ContentType = old.get_model("contenttypes", "ContentType")
        LogEntry = old.get_model("admin", "LogEntry")
        Resource = old.get_model("courses", "Resource")
        bea = UserFactory()
        resource = Resource.objects.create(title="Neglect briefing", kind="briefing",
                                           url="https://example.org/neglect")
        source, _ = ContentType.objects.get_or_create(app_label="courses", model="resource")
        ContentType.objects.get_or_create(app_label="resources", model="resource")
        LogEntry.objects.create(user_id=bea.pk, content_type=source,
                                object_id=str(resource.pk), object_repr="Neglect briefing",
                                action_flag=2, change_message="[]",
                                action_time=timezone.now())
    finally:
        migrate(None)

    from django.contrib.admin.models import LogEntry as CurrentLogEntry
    from django.contrib.contenttypes.models import ContentType as CurrentContentType

    CurrentContentType.objects.clear_cache()
    kept = CurrentLogEntry.objects.filter(object_id=str(resource.pk),
                                          object_repr="Neglect briefing")
    assert [(e.content_type.app_label, e.content_type.model) for e in kept] == [
        ("resources", "resource")]


def _allauth_title_case_strings():
    """allauth's own English strings with two capitalised words in a row ("Email Addresses",
    "Make Primary", "Two-Factor Authentication"), read from its catalogue."""
    import re
    from pathlib import Path

    import allauth

    po = Path(allauth.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
    found = set()
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        lines = re.findall(r'^(?:msgid )?"(.*)"$', block.split("msgstr")[0], re.M)
        text = "".join(lines).replace('\\"', '"')
        if text and re.search(r"\b[A-Z][a-z]+[ -][A-Z][a-z]+", text):
            found.add(text)
    assert "Email Addresses" in found and "Make Primary" in found
    return found


@pytest.mark.django_db
def test_allauth_pages_have_no_title_case_left(client):
    """Sign in, sign up, password reset, email addresses, password change, and every MFA page
    a person reaches (set up, recovery codes, turn off, confirm it is you)."""
    import html
    import re

    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    from tests.factories import PASSWORD
    from tests.helpers import totp_activate

    leftovers = _allauth_title_case_strings()
    amy = UserFactory(email="amy@example.org")

    def words(url):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        text = html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
        return re.sub(r"\s+", " ", text)

    pages = {}
    for name in ("account_login", "account_signup", "account_reset_password",
                 "account_reset_password_done"):
        pages[name] = words(reverse(name))
    client.post(reverse("account_login"), {"login": amy.email, "password": PASSWORD})
    for name in ("account_email", "account_change_password", "mfa_index",
                 "mfa_activate_totp", "account_logout"):
        pages[name] = words(reverse(name))
    totp_activate(amy)
    RecoveryCodes.activate(amy)
    for name in ("mfa_index", "mfa_generate_recovery_codes", "mfa_view_recovery_codes",
                 "mfa_deactivate_totp", "account_reauthenticate"):
        pages[name] = words(reverse(name))

    found = {name: sorted(s for s in leftovers if s in text) for name, text in pages.items()}
    assert {name: s for name, s in found.items() if s} == {}


@pytest.mark.parametrize("argv", [
    ["manage.py", "runserver", "--settings", "ddscp_training.settings.local", "8794"],
    ["manage.py", "runserver", "-v", "2", "8794"],
    ["manage.py", "runserver", "--pythonpath", "/srv/app", "127.0.0.1:8794"],
], ids=["settings", "verbosity", "pythonpath"])
def test_an_option_value_is_not_taken_for_the_port(argv):
    """`manage.py runserver --settings x 8794`: emailed links name port 8794, not "x"."""
    from ddscp_training.devserver import runserver_site_url

    assert runserver_site_url(argv) == "http://127.0.0.1:8794"


@pytest.mark.django_db
def test_removing_the_only_address_by_hand_is_refused(client):
    """The button is hidden; a hand-made POST must not leave the account without an address."""
    from allauth.account.models import EmailAddress

    amy = UserFactory(email="amy@example.org")
    client.force_login(amy)

    client.post(reverse("account_email"), {"action_remove": "", "email": "amy@example.org"})

    assert EmailAddress.objects.filter(user=amy, email="amy@example.org").exists()
