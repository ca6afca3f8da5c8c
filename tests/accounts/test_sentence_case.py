"""allauth's pages speak in sentence case (GOV.UK style), not allauth's Title Case: the
catalogue in locale/en_GB replaces its headings, buttons and labels. The email addresses page
offers no "Remove" for the only address. Every page links the site's own favicon."""

import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import translation

from tests.factories import UserFactory

PO = Path(settings.BASE_DIR) / "locale" / "en_GB" / "LC_MESSAGES" / "django.po"


def catalogue():
    text = PO.read_text(encoding="utf-8")
    pairs = re.findall(r'^msgid "(.+)"\nmsgstr "(.*)"$', text, re.M)
    return [(a.replace('\\"', '"'), b.replace('\\"', '"')) for a, b in pairs]


def test_the_compiled_catalogue_says_what_the_po_file_says():
    """django.mo is compiled from django.po: a line added to one and not the other fails."""
    pairs = catalogue()
    assert len(pairs) > 50
    with translation.override("en-gb"):
        wrong = [(a, translation.gettext(a), b) for a, b in pairs if translation.gettext(a) != b]
    assert wrong == []


def test_each_replacement_is_in_sentence_case():
    for _, text in catalogue():
        later = [w for w in text.split()[1:] if w[:1].isupper()]
        assert later == [], text


@pytest.mark.django_db
def test_the_sign_in_page_says_remember_me_in_sentence_case(client):
    page = client.get(reverse("account_login")).content.decode()
    assert "Remember me" in page and "Remember Me" not in page


@pytest.mark.django_db
def test_the_email_addresses_page_is_in_sentence_case_without_remove_for_one_address(client):
    amy = UserFactory(email="amy@example.org")
    client.force_login(amy)

    page = client.get(reverse("account_email")).content.decode()

    assert "Email addresses" in page and "Make primary" in page
    assert "Email Addresses" not in page and "Make Primary" not in page
    assert 'name="action_remove"' not in page


@pytest.mark.django_db
def test_a_second_address_can_be_removed(client):
    amy = UserFactory(email="amy@example.org")
    EmailAddress.objects.create(user=amy, email="amy.home@example.org", verified=False)
    client.force_login(amy)

    page = client.get(reverse("account_email")).content.decode()

    assert 'name="action_remove"' in page


@pytest.mark.django_db
def test_every_page_links_the_sites_favicon(client):
    page = client.get(reverse("home")).content.decode()
    link = re.search(r'<link rel="icon" href="([^"]+)"', page)
    assert link and link.group(1).endswith("/img/favicon.svg")
    assert finders.find("img/favicon.svg")
    assert client.get(link.group(1)).status_code == 200
