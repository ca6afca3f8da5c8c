"""Uploads checked by what they hold (core.uploads.check_upload): each kind a resource or a logo
may be is accepted when it is whole, and every trick is refused with its own GOV.UK-style
message. No database: the checks are pure functions of the file."""

import io
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError

from core.uploads import (
    IMAGE_KINDS,
    MB,
    RESOURCE_KINDS,
    ZIP_MAX_MEMBERS,
    check_upload,
    stored_kind,
    upload_name,
)
from tests.upload_files import (
    PDF,
    SVG,
    broken_png,
    jpeg,
    macro_docx,
    office,
    png,
    upload,
    zip_bomb_docx,
)

MUST_BE = ("The selected file must be a PDF, Word (.docx), PowerPoint (.pptx), Excel (.xlsx), "
           "PNG or JPEG")


def refusal(name, content, kinds=RESOURCE_KINDS, max_bytes=20 * MB, **kwargs):
    with pytest.raises(ValidationError) as caught:
        check_upload(upload(name, content), kinds, max_bytes, **kwargs)
    return caught.value.messages[0]


@pytest.mark.parametrize(
    "name, content, kind",
    [("briefing.pdf", PDF, "pdf"), ("leaflet.docx", office("docx"), "docx"),
     ("slides.pptx", office("pptx"), "pptx"), ("figures.xlsx", office("xlsx"), "xlsx"),
     ("poster.png", png(), "png"), ("photo.jpg", jpeg(), "jpeg"), ("photo.JPEG", jpeg(), "jpeg"),
     ("trailing.pdf", PDF + b"\r\n" * 10, "pdf")],
    ids=["pdf", "docx", "pptx", "xlsx", "png", "jpeg", "jpeg-capitals", "pdf-trailing-lines"],
)
def test_whole_files_of_each_kind_are_accepted(name, content, kind):
    assert check_upload(upload(name, content), RESOURCE_KINDS, 20 * MB) == kind


def test_the_kind_comes_from_the_content_not_the_name_or_the_claimed_type():
    word = upload("leaflet.pdf", office("docx"), content_type="application/pdf")
    assert check_upload(word, RESOURCE_KINDS, 20 * MB) == "docx"
    assert upload_name("leaflet.pdf", "docx") == "leaflet.docx"
    assert upload_name("photo.JPEG", "jpeg") == "photo.jpg"


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("notes.pdf", b"Minutes of the meeting, typed in Notepad\n",
         "The selected file is named .pdf but is not a PDF: save it again as a PDF and upload it"),
        ("cut-short.pdf", PDF[:20],
         "The selected file is not a complete PDF: save it again as a PDF and upload it"),
        ("run.exe", b"MZ\x90\x00" + b"\x00" * 60, MUST_BE),
        ("page.html", b"<html><script>alert(1)</script></html>", MUST_BE),
        ("leaflet.docm", office("docx"),
         "The selected file contains macros: save it as a Word document (.docx) without "
         "macros and upload it"),
        ("figures.xlsm", office("xlsx"),
         "The selected file contains macros: save it as an Excel workbook (.xlsx) without "
         "macros and upload it"),
        ("leaflet.docx", macro_docx(),
         "The selected file contains macros: save it as a Word document (.docx) without "
         "macros and upload it"),
        ("leaflet.docx", office("docx", extra={"word/vbaProject.bin": b"vba"}),
         "The selected file contains macros"),
        ("leaflet.docx", zip_bomb_docx(),
         "The selected file is too large when uncompressed: save it again without embedded "
         "files and upload it"),
        ("leaflet.docx", b"PK\x03\x04" + b"\x00" * 40,
         "The selected file is damaged: save it again as a Word document (.docx) and upload it"),
        ("leaflet.docx", office("docx", main_part=False),
         "The selected file is damaged: save it again as a Word document (.docx) and upload it"),
        ("archive.zip", office("docx", main_part=False), MUST_BE),
        ("leaflet.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
         "The selected file is password protected or in an old format: save it as a Word "
         "document (.docx) without a password and upload it"),
        ("poster.png", broken_png(),
         "The selected file is not a PNG image that can be opened: save it again as a PNG "
         "image and upload it"),
        ("poster.png", b"\x89PNG\r\n\x1a\n" + b"not a png at all",
         "The selected file is not a PNG image that can be opened"),
        ("photo.jpg", jpeg((64, 64))[:200],
         "The selected file is not a JPEG image that can be opened"),
        ("drawing.svg", SVG,
         "The selected file is an SVG image: save it as a PNG or JPEG and upload it"),
        ("empty.pdf", b"", "The selected file is empty"),
    ],
    ids=["text-renamed-pdf", "pdf-cut-short", "exe", "html", "docm", "xlsm",
         "docx-with-macros", "docx-with-vba-project", "zip-bomb", "zip-damaged",
         "zip-without-main-part", "zip-not-office", "old-or-password-word", "png-cut-short",
         "png-garbage", "jpeg-cut-short", "svg", "empty"],
)
def test_each_trick_is_refused_with_its_message(name, content, message):
    assert refusal(name, content).startswith(message)


def test_a_zip_with_too_many_parts_is_refused_without_reading_them():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(ZIP_MAX_MEMBERS + 1):
            archive.writestr(f"word/p{n}.xml", b"")
    assert refusal("leaflet.docx", buffer.getvalue()).startswith(
        f"The selected file has too many parts ({ZIP_MAX_MEMBERS + 1})")


def test_a_file_over_the_limit_is_refused_before_it_is_read():
    class Huge:  # what a form field hands over: name and size, a file that must not be read
        name, size = "annual-report.pdf", 20 * MB + 1

        def read(self, *args):
            raise AssertionError("read a file that was too big")

    with pytest.raises(ValidationError) as caught:
        check_upload(Huge(), RESOURCE_KINDS, 20 * MB)
    assert caught.value.messages == ["The selected file must be smaller than 20 MB"]
    assert refusal("logo.png", png((400, 400)), IMAGE_KINDS, max_bytes=512) == (
        "The selected file must be smaller than 0.5 KB")


def test_a_logo_is_an_image_within_its_pixels():
    assert check_upload(upload("logo.png", png((2000, 10))), IMAGE_KINDS, MB,
                        max_image_size=(2000, 2000)) == "png"
    assert refusal("logo.png", png((2001, 10)), IMAGE_KINDS, MB,
                   max_image_size=(2000, 2000)) == (
        "The selected image must be at most 2000 by 2000 pixels: it is 2001 by 10")
    assert refusal("logo.pdf", PDF, IMAGE_KINDS, MB) == "The selected file must be a PNG or JPEG"
    assert refusal("logo.docx", office("docx"), IMAGE_KINDS, MB) == (
        "The selected file must be a PNG or JPEG")
    assert refusal("logo.svg", SVG, IMAGE_KINDS, MB) == (
        "The selected file is an SVG image: save it as a PNG or JPEG and upload it")


def test_a_huge_image_is_refused_from_its_header_before_decoding():
    # A PNG whose header says 10000 x 10000 pixels (100 million, 400 MB decoded), with a few
    # bytes behind it: refused from the header, nothing decoded.
    data = bytearray(png((1, 1)))
    data[16:24] = (10000).to_bytes(4, "big") * 2
    data[29:33] = zlib.crc32(bytes(data[12:29])).to_bytes(4, "big")  # the header's checksum
    assert refusal("bomb.png", bytes(data)) == (
        "The selected image is too large: it is 10000 by 10000 pixels")
    assert refusal("bomb.png", bytes(data), IMAGE_KINDS, MB, max_image_size=(2000, 2000)) == (
        "The selected image must be at most 2000 by 2000 pixels: it is 10000 by 10000")


@pytest.mark.parametrize(
    "name, head, kind",
    [("resources/a.pdf", PDF[:16], "pdf"), ("resources/a.docx", b"PK\x03\x04", "docx"),
     ("resources/a.pdf", b"<html>", None), ("resources/a.html", b"<html>", None),
     ("partnership/logo.png", png()[:16], "png"), ("partnership/logo.png", jpeg()[:16], None)],
    ids=["pdf", "docx", "pdf-that-is-html", "html", "png", "png-that-is-jpeg"],
)
def test_a_stored_file_is_served_as_its_kind_only_when_its_bytes_agree(name, head, kind):
    assert stored_kind(name, head) == kind
