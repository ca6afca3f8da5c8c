"""The partnership's logo (issue 15, uploads): an officer uploads a PNG or JPEG in the settings,
checked by content (an SVG, a file that does not decode, one too big or too many pixels is
refused with its message on the page); it shows in every page's header, on invoices and on
certificates, and is served by /logo/ with its checked type, never from MEDIA_ROOT."""

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from accounts.roles import Role
from charging.pdf import credit_note_pdf, invoice_pdf
from charging.services.credit_notes import credit_note_issue
from core.models import AuditEntry, Partnership
from evaluations.models import Certificate
from evaluations.pdf import certificate_pdf
from tests.charging.invoice_pages import issued_invoice
from tests.core.test_partnership_settings import form_data
from tests.upload_files import SVG, broken_png, jpeg, office, pdf_images, png, upload

pytestmark = pytest.mark.django_db

SETTINGS_URL = reverse("core:partnership-update")
LOGO_URL = "/logo/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def officer_client(client, make_user):
    client.force_login(make_user(Role.OFFICER))
    return client


def post_logo(client, logo=None, **extra):
    data = form_data(Partnership.load(), **extra)
    if logo is not None:
        data["logo"] = logo
    return client.post(SETTINGS_URL, data)


def with_logo(content=None, name="logo.png"):
    partnership = Partnership.load()
    partnership.logo.save(name, _content(content or png((120, 40))), save=True)
    return Partnership.load()


def _content(data):
    from django.core.files.base import ContentFile

    return ContentFile(data)


def header(html):
    return re.search(r"<header>.*?</header>", html, re.S).group(0)


def test_the_url():
    assert reverse("partnership-logo") == LOGO_URL


def test_an_officer_uploads_a_logo_and_everyone_sees_it_in_the_header(officer_client, client,
                                                                     media_root):
    logo = png((120, 40))
    response = post_logo(officer_client, upload("Our logo.PNG", logo, "image/png"))
    assert response.status_code == 302

    partnership = Partnership.load()
    assert partnership.logo.name.startswith("partnership/") and partnership.logo.name.endswith(
        ".png")
    assert Path(media_root, partnership.logo.name).read_bytes() == logo
    entry = AuditEntry.objects.get(action="partnership.update")
    assert entry.details == {"logo": ["", partnership.logo.name]}

    client.logout()
    home = client.get(reverse("home")).content.decode()
    assert re.search(r'<img src="/logo/\?v=\d+" alt="" height="40" class="brand-logo',
                     header(home))
    assert "/media/" not in home

    served = client.get(LOGO_URL)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == logo
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Disposition"] == 'inline; filename="logo.png"'
    assert "public" in served["Cache-Control"]
    assert served["Last-Modified"] == http_date(partnership.updated_at.timestamp())
    assert served["ETag"]


def test_without_a_logo_the_header_has_no_image_and_the_address_is_not_found(client):
    assert "<img" not in header(client.get(reverse("home")).content.decode())
    assert client.get(LOGO_URL).status_code == 404


def test_a_browser_that_has_the_logo_gets_not_modified(client):
    with_logo()
    first = client.get(LOGO_URL)
    again = client.get(LOGO_URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    since = client.get(LOGO_URL, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304

    # A new logo is a new ETag: the browser's copy is not reused.
    post_changes = Partnership.load()
    post_changes.logo.save("new.jpg", _content(jpeg((30, 30))), save=True)
    fresh = client.get(LOGO_URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert fresh.status_code == 200 and fresh["Content-Type"] == "image/jpeg"


def test_the_logo_is_only_read(client):
    with_logo()
    assert client.post(LOGO_URL).status_code == 405


def test_a_stored_logo_that_is_not_an_image_is_not_served(client):
    # Put there by hand (never through the form): named .png, holding a web page.
    with_logo(b"<html><script>alert(1)</script></html>", name="logo.png")
    assert client.get(LOGO_URL).status_code == 404


@pytest.mark.parametrize(
    "logo, message",
    [
        (upload("logo.svg", SVG, "image/svg+xml"),
         "The selected file is an SVG image: save it as a PNG or JPEG and upload it"),
        (upload("logo.png", broken_png(), "image/png"),
         "The selected file is not a PNG image that can be opened: save it again as a PNG "
         "image and upload it"),
        (upload("logo.png", png((2500, 100)), "image/png"),
         "The selected image must be at most 2000 by 2000 pixels: it is 2500 by 100"),
        (upload("logo.pdf", b"%PDF-1.7\n%%EOF\n", "application/pdf"),
         "The selected file must be a PNG or JPEG"),
        (upload("logo.png", office("docx"), "image/png"),
         "The selected file must be a PNG or JPEG"),
        (upload("logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (1024 * 1024), "image/png"),
         "The selected file must be smaller than 1 MB"),
    ],
    ids=["svg", "png-that-does-not-decode", "too-many-pixels", "pdf", "word-named-png",
         "over-1-mb"],
)
def test_a_bad_logo_is_refused_on_the_page_and_nothing_changes(officer_client, logo, message):
    response = post_logo(officer_client, logo, notice_working_days="6")

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert f'<a href="#id_logo">Logo: {message}' in page
    assert 'aria-describedby="id_logo_helptext id_logo_error"' in page
    partnership = Partnership.load()
    assert not partnership.logo and partnership.notice_working_days == 5


def test_the_settings_page_shows_the_logo_through_the_site_and_removes_it(
        officer_client, media_root, client, django_capture_on_commit_callbacks):
    stored = with_logo()
    path = Path(media_root, stored.logo.name)

    page = officer_client.get(SETTINGS_URL).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert re.search(r'<img src="/logo/\?v=\d+" alt="The partnership&#x27;s current logo"', page) \
        or re.search(r'<img src="/logo/\?v=\d+" alt="The partnership\'s current logo"', page)
    assert "/media/" not in page and stored.logo.name not in page
    assert '<label class="form-check-label" for="id_logo-clear">Remove the logo</label>' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = post_logo(officer_client, **{"logo-clear": "on"})
    assert response.status_code == 302
    assert not Partnership.load().logo
    assert not path.exists()  # nothing left of it once removed
    entry = AuditEntry.objects.get(action="partnership.update")
    assert entry.details == {"logo": [stored.logo.name, ""]}
    assert "<img" not in header(client.get(reverse("home")).content.decode())


def test_replacing_the_logo_deletes_the_old_file(officer_client, media_root,
                                                 django_capture_on_commit_callbacks):
    old = Path(media_root, with_logo().logo.name)
    with django_capture_on_commit_callbacks(execute=True):
        post_logo(officer_client, upload("new.jpeg", jpeg((50, 50)), "image/jpeg"))
    partnership = Partnership.load()
    assert partnership.logo.name.endswith(".jpg") and not old.exists()


def test_choosing_a_logo_and_removing_it_at_once_is_explained(officer_client):
    with_logo()
    response = post_logo(officer_client, upload("new.png", png(), "image/png"),
                         **{"logo-clear": "on"})
    assert "Choose a new logo or tick “Remove the logo”, not both" in response.content.decode()


def test_the_logo_file_is_never_served_from_its_storage_address(client):
    stored = with_logo()
    assert client.get(f"/media/{stored.logo.name}").status_code == 404


# PDFs ----------------------------------------------------------------------------------------

def test_invoices_and_credit_notes_carry_the_logo(tmp_path):
    invoice = issued_invoice()
    assert pdf_images(invoice_pdf(invoice=invoice), tmp_path) == []

    # A large logo is scaled down for print (it is at most 60 mm wide): small, quick PDFs.
    with_logo(png((1500, 500)))
    assert pdf_images(invoice_pdf(invoice=invoice), tmp_path) == [(600, 200)]

    note = credit_note_issue(invoice=invoice, lines={invoice.lines.first().pk: "1.00"},
                             reason="Cancelled in time", by=None, now=timezone.now())
    assert pdf_images(credit_note_pdf(credit_note=note), tmp_path) == [(600, 200)]


def test_a_certificate_carries_the_logo(tmp_path):
    certificate = Certificate(code="ABCD2345", delegate_name="Ann Archer",
                              course_title="Working Together", course_level="2",
                              completed_on=date(2026, 11, 3), hours=Decimal("6.5"))
    assert pdf_images(certificate_pdf(certificate=certificate), tmp_path) == []  # the QR is SVG
    with_logo(jpeg((200, 80)), name="logo.jpg")
    assert pdf_images(certificate_pdf(certificate=certificate), tmp_path) == [(200, 80)]


def test_serving_the_logo_reads_the_settings_once(client, django_assert_max_num_queries):
    with_logo()
    with django_assert_max_num_queries(1):
        response = client.get(LOGO_URL)
    assert response.status_code == 200
