"""The partnership's logo in the header, in Chromium: it loads through /logo/ under the
site's Content-Security-Policy, the header stays within 320 pixels, and axe finds nothing."""

import io

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.files.base import ContentFile
from PIL import Image

from core.models import Partnership

pytestmark = pytest.mark.e2e


@pytest.fixture
def logo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (1800, 300), "navy").save(buffer, "PNG")  # a wide one: the hard case
    partnership = Partnership.load()
    partnership.logo.save("logo.png", ContentFile(buffer.getvalue()), save=True)


@pytest.mark.parametrize("width", [1280, 320], ids=["desktop", "320px"])
def test_the_logo_shows_in_the_header_and_fits(page, logo, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/")
    image = page.locator("header img.brand-logo")
    assert image.evaluate("img => img.complete && img.naturalWidth") == 1800
    box = image.bounding_box()
    assert box["height"] <= 41 and box["x"] + box["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
