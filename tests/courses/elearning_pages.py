"""Who may open the e-learning, training record, content review and resources pages, and how
to build each page's address (tests/accounts/test_roles.py reads both)."""

from django.urls import reverse

from accounts.roles import Role

SITE_ADMIN = "site_admin"
EVERYONE = frozenset([*Role, SITE_ADMIN])

ELEARNING_PAGES = {
    # Every account is at least a delegate: anyone signed in takes e-learning.
    "courses:elearning-module": EVERYONE,
    "courses:elearning-check": EVERYONE,
    "courses:elearning-result": EVERYONE,
    "courses:training-record": EVERYONE,
    # A file for signed-in users only (a public file downloads for anyone).
    "courses:resource-download": EVERYONE,
    "courses:manage-review": {Role.OFFICER, SITE_ADMIN},
    "courses:manage-resource-list": {Role.OFFICER, SITE_ADMIN},
    "courses:manage-resource-create": {Role.OFFICER, SITE_ADMIN},
    "courses:manage-resource-update": {Role.OFFICER, SITE_ADMIN},
    "courses:manage-resource-delete": {Role.OFFICER, SITE_ADMIN},
}
ELEARNING_PUBLIC_PAGES = ["courses:resource-list"]


def elearning_page_url(name, request):
    """The address of one of ELEARNING_PAGES, creating what it shows (`request`: pytest's, for
    a temporary MEDIA_ROOT when the page serves a file)."""
    from django.core.files.base import ContentFile

    from courses.models import Format
    from resources.models import Resource
    from tests.factories import CourseFactory

    if name in ("courses:elearning-module", "courses:elearning-check",
                "courses:elearning-result"):
        return reverse(name, kwargs={"slug": CourseFactory(format=Format.E_LEARNING).slug})
    if name in ("courses:manage-resource-update", "courses:manage-resource-delete"):
        resource = Resource.objects.create(title="Neglect leaflet", kind=Resource.Kind.LEAFLET,
                                           url="https://example.org/neglect")
        return reverse(name, kwargs={"pk": resource.pk})
    if name == "courses:resource-download":
        request.getfixturevalue("settings").MEDIA_ROOT = request.getfixturevalue("tmp_path")
        resource = Resource(title="SAR Adult A executive summary", public=False,
                            kind=Resource.Kind.REVIEW_SUMMARY)
        resource.file.save("sar-adult-a.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"))
        return reverse(name, kwargs={"pk": resource.pk})
    return reverse(name)
