"""The rows migrations seed (the Partnership settings, the site's domain) exist again after
the tables were emptied: `manage.py flush`, or a test in transactions (pytest-django flushes
after each). Under pytest-xdist such a test can run before another file's tests in the same
process; those tests then found no settings row, and Partnership.load() created it with an
INSERT inside their request (one query more, settings back at their defaults)."""

import pytest
from django.conf import settings
from django.contrib.sites.models import Site
from django.core.management import call_command

from core.models import Partnership


@pytest.mark.django_db(transaction=True)
def test_after_a_flush_the_settings_row_and_the_sites_domain_are_there():
    Partnership.objects.update(name="Dudley Safeguarding People Partnership")
    call_command("flush", "--noinput", verbosity=0)

    assert Partnership.objects.filter(pk=1, name="Safeguarding Partnership").exists()
    assert Site.objects.get(pk=settings.SITE_ID).domain != "example.com"


@pytest.mark.django_db(transaction=True)
def test_a_domain_an_administrator_chose_is_kept():
    Site.objects.filter(pk=settings.SITE_ID).update(domain="training.partnership.example")
    call_command("migrate", "--noinput", verbosity=0)
    assert Site.objects.get(pk=settings.SITE_ID).domain == "training.partnership.example"
