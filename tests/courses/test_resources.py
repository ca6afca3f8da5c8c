"""The resources library (DSPP "Additional Training Resources"): who sees what, downloads that
check it, and the officers' pages to publish, edit and delete."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from core.models import AuditEntry
from resources import selectors
from resources.models import Resource
from tests.factories import CategoryFactory, UserFactory
from tests.upload_files import broken_png, macro_docx, office, png, zip_bomb_docx

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
DOCX = office("docx")
MUST_BE = ("The selected file must be a PDF, Word (.docx), PowerPoint (.pptx), Excel (.xlsx), "
           "PNG or JPEG")
LIST_URL = "/courses/resources/"
MANAGE_URL = "/courses/manage/resources/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def officer_client(client, make_user):
    client.force_login(make_user(Role.OFFICER))
    return client


def resource(title, *, public=True, kind=Resource.Kind.LEAFLET, category=None, file=None,
             url="", days_ago=0):
    obj = Resource(title=title, public=public, kind=kind, category=category, url=url,
                   published_at=timezone.now() - timedelta(days=days_ago))
    if file is not None:
        obj.file.save(f"{title[:20]}.pdf", ContentFile(file), save=False)
    obj.save()
    return obj


def upload(name="briefing.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def form_data(**extra):
    data = {"title": "Neglect: a briefing for professionals", "description": "Two pages.",
            "kind": Resource.Kind.BRIEFING, "category": "", "url": "", "public": "on"}
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


# Who sees what -------------------------------------------------------------------------------

def test_the_urls():
    assert reverse("courses:resource-list") == LIST_URL
    assert reverse("courses:manage-resource-list") == MANAGE_URL


def test_a_visitor_sees_public_resources_and_a_signed_in_user_sees_all(client):
    everyone = resource("Spotting neglect leaflet", url="https://example.org/neglect")
    members = resource("SAR Adult A executive summary", public=False,
                       kind=Resource.Kind.REVIEW_SUMMARY, url="https://example.org/sar-a")

    page = client.get(LIST_URL).content.decode()
    assert everyone.title in page and members.title not in page
    assert "sign in</a> to see them too" in page

    client.force_login(UserFactory())
    page = client.get(LIST_URL).content.decode()
    assert everyone.title in page and members.title in page
    assert "Signed-in users only" in page


def test_resources_are_grouped_by_category_and_filtered(client):
    risks = CategoryFactory(name="Understanding Safeguarding Risks", position=2)
    together = CategoryFactory(name="Working Together", position=1)
    resource("County lines leaflet", category=risks, url="https://example.org/a")
    resource("Thresholds briefing", category=together, kind=Resource.Kind.BRIEFING,
             url="https://example.org/b")
    resource("Exploitation briefing", category=risks, kind=Resource.Kind.BRIEFING,
             url="https://example.org/c")
    resource("Uncategorised leaflet", url="https://example.org/d")

    page = client.get(LIST_URL).content.decode()
    order = [page.index(t) for t in ("Working Together</h2>", "Thresholds briefing",
                                     "Understanding Safeguarding Risks</h2>",
                                     "Other resources</h2>", "Uncategorised leaflet")]
    assert order == sorted(order)

    response = client.get(LIST_URL, {"category": risks.pk, "kind": Resource.Kind.BRIEFING})
    assert [r.title for r in response.context["object_list"]] == ["Exploitation briefing"]
    assert "1 resource matches your filters" in response.content.decode()

    response = client.get(LIST_URL, {"kind": Resource.Kind.LEAFLET})
    assert {r.title for r in response.context["object_list"]} == {
        "County lines leaflet", "Uncategorised leaflet"}


@pytest.mark.parametrize(
    "query",
    [{"category": "abc"}, {"kind": "<script>"}, {"category": "99999", "kind": "nope"},
     {"page": "abc"}],
    ids=["category-text", "kind-script", "unknown-both", "page-text"],
)
def test_bad_filters_are_ignored_politely(client, query):
    resource("Spotting neglect leaflet", url="https://example.org/neglect")
    response = client.get(LIST_URL, query)
    assert response.status_code in (200, 404)
    if "page" not in query:
        assert response.status_code == 200
        assert [r.title for r in response.context["object_list"]] == ["Spotting neglect leaflet"]


def test_a_signed_in_only_category_is_not_offered_to_visitors(client):
    secret = CategoryFactory(name="Case reviews")
    resource("CSPR Child B summary", public=False, category=secret, url="https://example.org/b")
    page = client.get(LIST_URL).content.decode()
    assert "Case reviews" not in page


def test_the_page_never_links_to_a_stored_file(client, media_root):
    members = resource("Professional briefing", public=False, file=PDF)
    client.force_login(UserFactory())
    page = client.get(LIST_URL).content.decode()
    assert reverse("courses:resource-download", args=[members.pk]) in page
    assert "/media/" not in page and members.file.name not in page


def test_the_list_costs_the_same_for_one_resource_or_a_full_page(client):
    client.force_login(UserFactory())
    resource("First", url="https://example.org/1", category=CategoryFactory())
    client.get(LIST_URL)
    with CaptureQueriesContext(connection) as one:
        client.get(LIST_URL)
    for n in range(30):
        resource(f"Resource {n}", public=bool(n % 2), url=f"https://example.org/{n}",
                 category=CategoryFactory(name=f"Category {n % 4}"),
                 kind=Resource.Kind.values[n % 4])
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST_URL)
    assert len(many) == len(one)
    assert len(response.context["object_list"]) == 20


# Downloads -----------------------------------------------------------------------------------

def test_a_public_file_downloads_for_anyone(client):
    leaflet = resource("Spotting neglect", file=PDF)
    response = client.get(reverse("courses:resource-download", args=[leaflet.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="spotting-neglect.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_signed_in_only_file_asks_a_visitor_to_sign_in(client):
    summary = resource("SAR Adult A", public=False, file=PDF)
    url = reverse("courses:resource-download", args=[summary.pk])

    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))

    client.force_login(UserFactory())
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "private" in response["Cache-Control"]


def test_a_link_resource_download_goes_to_the_link(client):
    link = resource("NSPCC guidance", url="https://example.org/guidance")
    response = client.get(reverse("courses:resource-download", args=[link.pk]))
    assert response.status_code == 302 and response["Location"] == "https://example.org/guidance"


def test_an_unknown_or_missing_file_is_page_not_found(client, media_root):
    assert client.get(reverse("courses:resource-download", args=[999999])).status_code == 404
    gone = resource("Deleted from disk", file=PDF)
    Path(media_root, gone.file.name).unlink()
    assert client.get(reverse("courses:resource-download", args=[gone.pk])).status_code == 404


# Publishing ----------------------------------------------------------------------------------

def test_an_officer_publishes_a_file(officer_client, media_root):
    category = CategoryFactory(name="Working Together")
    response = officer_client.post(reverse("courses:manage-resource-create"),
                                   form_data(category=category.pk, file=upload()))

    assert response.status_code == 302 and response["Location"] == MANAGE_URL
    published = Resource.objects.get()
    assert published.category == category and published.public
    assert Path(media_root, published.file.name).read_bytes() == PDF
    assert AuditEntry.objects.get(action="resource.publish").target_id == str(published.pk)
    page = officer_client.get(MANAGE_URL).content.decode()
    assert "“Neglect: a briefing for professionals” is published." in page
    assert '<th scope="row">Neglect: a briefing for professionals' in page


def test_an_officer_publishes_a_link_for_signed_in_users_only(officer_client):
    data = form_data(url="https://example.org/cspr-child-b")
    del data["public"]
    officer_client.post(reverse("courses:manage-resource-create"), data)
    published = Resource.objects.get()
    assert not published.public and published.url == "https://example.org/cspr-child-b"


@pytest.mark.parametrize(
    "extra, field, message",
    [
        ({}, "file", "Upload a file or give a link: a resource needs one of them."),
        ({"file": upload(), "url": "https://example.org/x"}, "url",
         "Give a file or a link, not both"),
        ({"file": upload("run.exe", b"MZ\x90\x00", "application/octet-stream")}, "file",
         MUST_BE),
        ({"file": upload("leaflet.pdf", b"<html>not a pdf</html>")}, "file",
         "The selected file is named .pdf but is not a PDF: save it again as a PDF and upload "
         "it"),
        ({"file": upload("minutes.pdf", b"Minutes typed in a text editor", "text/plain")},
         "file", "The selected file is named .pdf but is not a PDF"),
        ({"file": upload("leaflet.docm", DOCX, "application/vnd.ms-word")}, "file",
         "The selected file contains macros: save it as a Word document (.docx) without macros "
         "and upload it"),
        ({"file": upload("leaflet.docx", macro_docx(), "application/msword")}, "file",
         "The selected file contains macros"),
        ({"file": upload("leaflet.docx", zip_bomb_docx(), "application/msword")}, "file",
         "The selected file is too large when uncompressed"),
        ({"file": upload("poster.png", broken_png(), "image/png")}, "file",
         "The selected file is not a PNG image that can be opened: save it again as a PNG "
         "image and upload it"),
        ({"file": upload("empty.pdf", b"")}, "file", "The selected file is empty"),
        ({"url": "not a link"}, "url", "Enter a valid URL."),
        ({"title": ""}, "title", "Enter a title for the resource"),
    ],
    ids=["neither", "both", "wrong-type", "pretends-to-be-pdf", "text-renamed-pdf", "docm",
         "docx-with-macros", "zip-bomb", "png-that-does-not-decode", "empty", "bad-link",
         "no-title"],
)
def test_bad_input_is_explained_on_the_form_and_nothing_is_saved(officer_client, extra, field,
                                                                 message):
    response = officer_client.post(reverse("courses:manage-resource-create"), form_data(**extra))

    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors[field])
    page = response.content.decode()
    assert "There is a problem" in page and message in page
    assert not Resource.objects.exists()


def test_a_file_over_20_mb_is_refused_with_its_size(officer_client):
    big = upload("annual-report.pdf", PDF + b"0" * (20 * 1024 * 1024))
    response = officer_client.post(reverse("courses:manage-resource-create"),
                                   form_data(file=big))
    assert response.status_code == 200
    assert "The selected file must be smaller than 20 MB" in response.content.decode()
    assert not Resource.objects.exists()


def test_a_word_document_is_accepted_and_downloaded_as_an_attachment(officer_client):
    officer_client.post(reverse("courses:manage-resource-create"),
                        form_data(file=upload("leaflet.docx", DOCX, "application/msword")))
    published = Resource.objects.get()
    response = officer_client.get(reverse("courses:resource-download", args=[published.pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == DOCX


def test_the_type_served_is_the_one_the_content_was_checked_as(officer_client, media_root):
    # A Word file named .pdf, which the browser said was a PDF: stored and served as Word.
    officer_client.post(reverse("courses:manage-resource-create"),
                        form_data(file=upload("leaflet.pdf", DOCX, "application/pdf")))
    published = Resource.objects.get()
    assert published.file.name.endswith(".docx")
    response = officer_client.get(reverse("courses:resource-download", args=[published.pk]))
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert response["Content-Disposition"] == (
        'attachment; filename="neglect-a-briefing-for-professionals.docx"')


def test_an_image_is_shown_inline_with_nosniff(officer_client):
    officer_client.post(reverse("courses:manage-resource-create"),
                        form_data(file=upload("poster.png", png(), "text/html")))
    published = Resource.objects.get()
    response = officer_client.get(reverse("courses:resource-download", args=[published.pk]))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_stored_file_whose_bytes_disagree_with_its_name_is_only_downloaded(client):
    # Stored before the checks (or changed on disk): named .pdf, holding a web page.
    legacy = resource("Old upload", file=b"<html><script>alert(1)</script></html>")
    response = client.get(reverse("courses:resource-download", args=[legacy.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="old-upload.bin"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_stored_files_are_never_served_from_their_storage_address(client, media_root):
    leaflet = resource("Spotting neglect", file=PDF)
    members = resource("SAR Adult A", public=False, file=PDF)
    for stored in (leaflet, members):
        assert Path(media_root, stored.file.name).exists()
        assert client.get(f"/media/{stored.file.name}").status_code == 404
    client.force_login(UserFactory())
    assert client.get(f"/media/{members.file.name}").status_code == 404


def test_replacing_a_file_deletes_the_old_one(officer_client, media_root,
                                              django_capture_on_commit_callbacks):
    briefing = resource("Old briefing", file=PDF)
    old_path = Path(media_root, briefing.file.name)
    new_pdf = PDF + b"% second edition\n"

    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(
            reverse("courses:manage-resource-update", args=[briefing.pk]),
            form_data(title="New briefing", file=upload("new.pdf", new_pdf)))

    assert response.status_code == 302
    briefing.refresh_from_db()
    assert briefing.title == "New briefing"
    assert Path(media_root, briefing.file.name).read_bytes() == new_pdf
    assert not old_path.exists()
    entry = AuditEntry.objects.get(action="resource.update")
    assert entry.details["title"] == ["Old briefing", "New briefing"]


def test_a_file_can_be_swapped_for_a_link(officer_client, media_root,
                                          django_capture_on_commit_callbacks):
    briefing = resource("Briefing", file=PDF)
    old_path = Path(media_root, briefing.file.name)

    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(reverse("courses:manage-resource-update", args=[briefing.pk]),
                            form_data(title="Briefing", **{"file-clear": "on"},
                                      url="https://example.org/briefing"))

    briefing.refresh_from_db()
    assert not briefing.file and briefing.url == "https://example.org/briefing"
    assert not old_path.exists()


def test_an_edit_that_leaves_neither_keeps_what_was_saved(officer_client, media_root):
    briefing = resource("Briefing", file=PDF)
    response = officer_client.post(
        reverse("courses:manage-resource-update", args=[briefing.pk]),
        form_data(title="Changed", **{"file-clear": "on"}))
    assert response.status_code == 200
    assert "Upload a file or give a link" in response.content.decode()
    assert "Edit “Briefing”" in response.content.decode()
    briefing.refresh_from_db()
    assert briefing.title == "Briefing" and Path(media_root, briefing.file.name).exists()


def test_an_officer_deletes_a_resource_and_its_file(officer_client, media_root,
                                                    django_capture_on_commit_callbacks):
    leaflet = resource("Leaflet", file=PDF)
    path = Path(media_root, leaflet.file.name)
    url = reverse("courses:manage-resource-delete", args=[leaflet.pk])

    assert "Delete “Leaflet”?" in officer_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(url)

    assert response.status_code == 302
    assert not Resource.objects.exists() and not path.exists()
    assert AuditEntry.objects.get(action="resource.delete").details["title"] == "Leaflet"


@pytest.mark.parametrize("role", [Role.DELEGATE, Role.BUSINESS_SUPPORT, Role.FACILITATOR],
                         ids=["delegate", "business-support", "facilitator"])
def test_only_officers_publish_edit_or_delete(client, make_user, role):
    leaflet = resource("Leaflet", url="https://example.org/leaflet")
    client.force_login(make_user(role))

    assert client.post(reverse("courses:manage-resource-create"),
                       form_data(url="https://example.org/x")).status_code == 403
    assert client.post(reverse("courses:manage-resource-update", args=[leaflet.pk]),
                       form_data(title="Hacked", url="https://example.org/x")).status_code == 403
    assert client.post(reverse("courses:manage-resource-delete", args=[leaflet.pk])
                       ).status_code == 403
    leaflet.refresh_from_db()
    assert leaflet.title == "Leaflet" and Resource.objects.count() == 1


def test_editing_an_unknown_resource_is_page_not_found(officer_client):
    assert officer_client.get(reverse("courses:manage-resource-update", args=[999])
                              ).status_code == 404


def test_the_management_list_costs_the_same_for_one_or_many(officer_client):
    resource("First", url="https://example.org/1")
    officer_client.get(MANAGE_URL)
    with CaptureQueriesContext(connection) as one:
        officer_client.get(MANAGE_URL)
    officer = UserFactory()
    for n in range(30):
        r = resource(f"Resource {n}", url=f"https://example.org/{n}",
                     category=CategoryFactory(name=f"Category {n % 3}"))
        r.published_by = officer
        r.save()
    with CaptureQueriesContext(connection) as many:
        officer_client.get(MANAGE_URL)
    assert len(many) == len(one)


def test_resources_visible_to_a_visitor_are_the_public_ones():
    from django.contrib.auth.models import AnonymousUser

    public = resource("Public", url="https://example.org/p")
    resource("Members", public=False, url="https://example.org/m")
    assert list(selectors.resources_visible_to(user=AnonymousUser())) == [public]


def test_the_edit_page_links_the_current_file_through_the_permission_checked_download(
        officer_client, media_root):
    """The stored /media/ address is never served (it would be a dead link): the edit page
    links the file through the download view, and offers to remove it."""
    briefing = resource("Briefing", file=PDF)
    page = officer_client.get(reverse("courses:manage-resource-update", args=[briefing.pk]))
    html = page.content.decode()
    download = reverse("courses:resource-download", args=[briefing.pk])
    assert f'href="{download}"' in html
    assert "/media/" not in html
    assert 'name="file-clear"' in html and "Remove the file" in html
    assert officer_client.get(download).status_code == 200
