"""The 403, 404 and 500 pages are in the site's style and say what to do next."""

import pytest
from django.test import Client, override_settings
from django.urls import path

from core import views as core_views


def boom(request):
    raise RuntimeError("simulated failure")


urlpatterns = [
    path("boom/", boom),
    path("manage/partnership/", core_views.PartnershipUpdateView.as_view()),
]
handler403 = "core.views.error_403"
handler404 = "core.views.error_404"
handler500 = "core.views.error_500"


@pytest.mark.django_db
def test_404_page_is_in_the_site_style_and_offers_a_way_on(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert 'href="/courses/"' in html
    assert "Skip to main content" in html


@pytest.mark.django_db
def test_403_page_names_who_to_contact(client, delegate):
    client.force_login(delegate)
    response = client.get("/manage/partnership/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "You cannot see this page" in html
    assert "mailto:" in html


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_500_page_is_friendly_and_standalone():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Sorry, there is a problem with the service" in html
    assert "Nothing you had already saved has been lost" in html
    assert "simulated failure" not in html
