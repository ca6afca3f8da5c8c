"""Found by tests/e2e/test_crawl.py (axe "label", critical): in the Django admin, an
organisation's email domain field had no label a screen reader could announce."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_email_domain_field_of_an_organisation_in_the_admin_has_a_label(client, site_admin):
    client.force_login(site_admin)

    response = client.get("/admin/accounts/organisation/add/")

    assert response.status_code == 200
    assert b'name="domains-0-domain"' in response.content
    assert re.search(rb'<label [^>]*for="id_domains-0-domain"', response.content)
