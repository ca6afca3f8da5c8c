"""The certificate of completion as PDF (WeasyPrint), from
evaluations/templates/evaluations/certificate_pdf.html, with a QR code (the `qrcode` package,
drawn as SVG and embedded as a data URI) that opens the public verification page."""

import base64
import io

from django.conf import settings
from django.urls import reverse

from core.models import Partnership
from core.pdf import pdf_render
from core.uploads import image_data_uri


def qr_code_data_uri(text):
    """A QR code of `text` as an SVG data URI (no file, no network: WeasyPrint reads it)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=2,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def certificate_pdf(*, certificate):
    """The PDF's bytes: partnership, delegate, course, level, date, hours, the verification
    code and its QR code."""
    from .services.certificates import certificate_verify_url

    verify_url = certificate_verify_url(certificate)
    partnership = Partnership.load()
    return pdf_render("evaluations/certificate_pdf.html", {
        "certificate": certificate, "partnership": partnership,
        "logo": image_data_uri(partnership.logo),
        "verify_url": verify_url, "qr_code": qr_code_data_uri(verify_url),
        "verify_page": settings.SITE_URL.rstrip("/") + reverse("evaluations:certificate-verify"),
    })
