"""Tiny files made in the test, for the upload checks (core.uploads): real ones that open, and
the tricks an upload must refuse. Nothing is read from disk."""

import io
import subprocess
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

OFFICE = {
    # kind: (main part, its content type in [Content_Types].xml)
    "docx": ("word/document.xml",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    "pptx": ("ppt/presentation.xml",
             "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"),
    "xlsx": ("xl/workbook.xml",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
}


def office(kind="docx", *, extra=None, content_type=None, main_part=True):
    """A minimal Word, PowerPoint or Excel file (a ZIP with [Content_Types].xml and its main
    part), with `extra` members {name: bytes} added."""
    part, declared = OFFICE[kind]
    declared = content_type or declared
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml",
                         f'<?xml version="1.0"?><Types><Override PartName="/{part}" '
                         f'ContentType="{declared}"/></Types>')
        archive.writestr("_rels/.rels", "<Relationships/>")
        if main_part:
            archive.writestr(part, "<document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def macro_docx():
    """A Word file carrying a VBA project (what .docm holds), renamed .docx."""
    return office("docx", extra={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"},
                  content_type="application/vnd.ms-word.document.macroEnabled.main+xml")


def zip_bomb_docx():
    """A Word file with a part that expands a thousand times: 2 MB of zeros in a few KB."""
    return office("docx", extra={"word/media/huge.xml": b"0" * (2 * 1024 * 1024)})


def image(kind="PNG", size=(8, 8), colour="red"):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, kind)
    return buffer.getvalue()


def png(size=(8, 8)):
    return image("PNG", size)


def jpeg(size=(8, 8)):
    return image("JPEG", size)


def broken_png():
    """Starts like a PNG, but its pixels are cut off: it does not decode."""
    whole = image("PNG", (64, 64), "blue")
    return whole[:len(whole) // 2]


SVG = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" '
       b'height="10"><script>alert(document.cookie)</script></svg>')


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def pdf_images(content, tmp_path):
    """The (width, height) in pixels of each raster image a PDF holds (pdfimages -list, from
    poppler-utils: pdftotext cannot see images)."""
    path = tmp_path / "read-back.pdf"
    path.write_bytes(content)
    result = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, check=True,
                            timeout=60)
    rows = [row.split() for row in result.stdout.decode().splitlines()[2:] if row.strip()]
    # page num type width height ...; a PNG's transparency is a second image of type "smask"
    return [(int(row[3]), int(row[4])) for row in rows if row[2] == "image"]
