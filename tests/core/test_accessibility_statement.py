"""The accessibility statement: public, in the form of GOV.UK's sample statement (the
sections the Public Sector Bodies Accessibility Regulations 2018 expect), with the
partnership's contacts and the real staff sign-out time."""

import re
from itertools import pairwise

import pytest
from django.urls import reverse

from core import views_pages
from core.dates import day
from core.models import Partnership
from tests.privacy.test_notice import heading_levels, main_text

URL = reverse("accessibility")

# GOV.UK's sample statement's sections, in its order.
SECTIONS = [
    "How accessible this website is",
    "Feedback and contact information",
    "Reporting accessibility problems with this website",
    "Enforcement procedure",
    "Technical information about this website’s accessibility",
    "Compliance status",
    "Non-accessible content",
    "Non-compliance with the accessibility regulations",
    "Disproportionate burden",
    "Content that’s not within the scope of the accessibility regulations",
    "What we’re doing to improve accessibility",
    "Preparation of this accessibility statement",
]


def headings(response):
    return [" ".join(re.sub(r"<[^>]+>", "", h).split())
            for h in re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", response.content.decode(), re.S)]


@pytest.mark.django_db
def test_anyone_can_read_the_statement_with_the_sample_sections_in_order(client):
    partnership = Partnership.load()
    partnership.name = "Dudley Safeguarding People Partnership"
    partnership.save()

    response = client.get(URL)

    assert response.status_code == 200
    found = headings(response)
    assert "Accessibility statement for Dudley Safeguarding People Partnership training" in found
    assert [h for h in found if h in SECTIONS] == SECTIONS
    levels = heading_levels(response)
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b <= a + 1 for a, b in pairwise(levels)), levels


@pytest.mark.django_db
def test_it_states_partial_compliance_with_each_non_compliance_and_its_criterion(client):
    text = main_text(client.get(URL))
    assert ("This website is partially compliant with the Web Content Accessibility Guidelines "
            "version 2.2 AA standard, due to the non-compliances listed below.") in text
    assert "zoom in up to 400% without the text spilling off the screen" in text
    assert "navigate most of the website using just a keyboard" in text
    assert "screen reader" in text
    # The known non-compliances, each with the success criterion it fails.
    assert "PDF documents the site makes are not tagged" in text
    assert "1.3.1 (info and relationships)" in text
    assert "2.2.1 (timing adjustable)" in text


@pytest.mark.django_db
def test_the_staff_sign_out_time_is_the_setting(client):
    assert "signed out after 30 minutes without activity" in main_text(client.get(URL))
    partnership = Partnership.load()
    partnership.staff_session_idle_minutes = 20
    partnership.save()

    text = main_text(client.get(URL))
    assert "signed out after 20 minutes without activity" in text
    assert "30 minutes" not in text


@pytest.mark.django_db
def test_contacts_are_the_partnerships_and_the_reply_time_is_stated(client):
    partnership = Partnership.load()
    partnership.contact_email = "access@dudley.example"
    partnership.contact_phone = "01384 111111"
    partnership.save()

    response = client.get(URL)

    text = main_text(response)
    assert text.count("email access@dudley.example") == 2  # other formats; reporting a problem
    assert text.count("call 01384 111111") == 2
    assert (f"get back to you within {views_pages.REPLY_WORKING_DAYS} working days") in text
    assert 'href="mailto:access@dudley.example"' in response.content.decode()


@pytest.mark.django_db
def test_without_a_phone_number_no_empty_call_line(client):
    partnership = Partnership.load()
    partnership.contact_phone = ""
    partnership.save()

    source = client.get(URL).content.decode()
    assert not re.search(r"<li>\s*call", source)
    assert source.count("<li>email <a href=") == 2


@pytest.mark.django_db
def test_the_enforcement_procedure_names_the_ehrc_eass_and_ecni(client):
    response = client.get(URL)
    text = main_text(response)
    assert ("The Equality and Human Rights Commission (EHRC) is responsible for enforcing the "
            "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility "
            "Regulations 2018") in text
    assert "Equality Commission for Northern Ireland" in text
    source = response.content.decode()
    assert 'href="https://www.equalityadvisoryservice.com/"' in source
    assert 'href="https://www.equalityni.org/Home"' in source


@pytest.mark.django_db
def test_preparation_dates_are_in_the_sites_date_style(client):
    text = main_text(client.get(URL))
    assert f"This statement was prepared on {day(views_pages.STATEMENT_PREPARED)}." in text
    assert f"It was last reviewed on {day(views_pages.STATEMENT_REVIEWED)}." in text
    assert f"This website was last tested on {day(views_pages.SITE_LAST_TESTED)}." in text
    assert "axe-core" in text and "320 pixels wide" in text and "keyboard alone" in text


@pytest.mark.django_db
def test_the_statement_reads_the_settings_in_a_bounded_number_of_queries(
        client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        assert client.get(URL).status_code == 200
