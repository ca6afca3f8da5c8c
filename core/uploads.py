"""Uploaded files checked by what they hold, not by their name or the type the browser claims
(resources' files, the partnership's logo). Pure functions, no database:

    kind = check_upload(upload, allowed_kinds=RESOURCE_KINDS, max_bytes=20 * MB)

returns the kind found ("pdf", "docx", "pptx", "xlsx", "png", "jpeg") or raises a
ValidationError with the GOV.UK file upload messages ("The selected file must be a PDF,
Word (.docx), ...", "The selected file must be smaller than 20 MB", "The selected file is
empty"). Nothing is extracted or written: a Word, PowerPoint or Excel file is read as a ZIP
directory (its member count and uncompressed total bounded, so a zip bomb is refused unread),
a PDF by its first and last bytes, an image by Pillow with its pixel count checked before any
pixel is decoded.

What is served later comes from the same table: `stored_kind(name, head)` gives a stored
file's kind from the extension `upload_name()` gave it and its first bytes, and KINDS[kind]
the content type and whether a browser may show it inline."""

import base64
import functools
import io
import struct
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError

MB = 1024 * 1024


@dataclass(frozen=True)
class Kind:
    label: str  # as the list of kinds in a message names it
    noun: str  # as a message says "save it again as ..."
    content_type: str
    extension: str  # the stored file's extension
    extensions: tuple  # the names a person may give it
    signature: bytes  # how the file starts
    inline: bool  # shown in the browser (PDF, images) or downloaded (office files)


KINDS = {
    "pdf": Kind("PDF", "a PDF", "application/pdf", ".pdf", (".pdf",), b"%PDF-", True),
    "docx": Kind("Word (.docx)", "a Word document (.docx)",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 ".docx", (".docx",), b"PK\x03\x04", False),
    "pptx": Kind("PowerPoint (.pptx)", "a PowerPoint presentation (.pptx)",
                 "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                 ".pptx", (".pptx",), b"PK\x03\x04", False),
    "xlsx": Kind("Excel (.xlsx)", "an Excel workbook (.xlsx)",
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 ".xlsx", (".xlsx",), b"PK\x03\x04", False),
    "png": Kind("PNG", "a PNG image", "image/png", ".png", (".png",),
                b"\x89PNG\r\n\x1a\n", True),
    "jpeg": Kind("JPEG", "a JPEG image", "image/jpeg", ".jpg", (".jpg", ".jpeg"),
                 b"\xff\xd8\xff", True),
}
RESOURCE_KINDS = ("pdf", "docx", "pptx", "xlsx", "png", "jpeg")
IMAGE_KINDS = ("png", "jpeg")

# Office files: the part that makes each one what it is, and its content type in
# [Content_Types].xml.
OFFICE_MAIN_PARTS = {
    "docx": ("word/document.xml", b"wordprocessingml.document.main+xml"),
    "pptx": ("ppt/presentation.xml", b"presentationml.presentation.main+xml"),
    "xlsx": ("xl/workbook.xml", b"spreadsheetml.sheet.main+xml"),
}
MACRO_EXTENSIONS = {".docm": "docx", ".dotm": "docx", ".pptm": "pptx", ".ppsm": "pptx",
                    ".potm": "pptx", ".xlsm": "xlsx", ".xltm": "xlsx", ".xlsb": "xlsx"}
OLD_OFFICE_EXTENSIONS = {".doc": "docx", ".ppt": "pptx", ".xls": "xlsx"}
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Office files, and encrypted new ones

# Not policy, only what keeps a crafted file from costing the server: a real document holds a
# few hundred parts and expands to a few times its size.
ZIP_MAX_MEMBERS = 5000
ZIP_MAX_UNCOMPRESSED = 400 * MB
ZIP_MAX_RATIO = 200  # a part expanding more than this is a zip bomb, not a document
CONTENT_TYPES_MAX_BYTES = 1 * MB
PDF_TAIL_BYTES = 2048  # %%EOF is in the last kilobyte (a few trailing bytes are allowed)
IMAGE_MAX_PIXELS = 50_000_000  # Pillow warns at 89 million; no leaflet image is near it
PDF_IMAGE_BOX = (600, 600)  # a logo is printed at most 60 mm wide: 250 dots an inch


def size_words(max_bytes):
    """20 MB, 1 MB, 500 KB: how the messages and hints say a limit."""
    if max_bytes >= MB:
        return f"{max_bytes / MB:g} MB"
    return f"{max_bytes / 1024:g} KB"


def kinds_words(kinds, *, article=True):
    """"a PDF, Word (.docx), PowerPoint (.pptx), Excel (.xlsx), PNG or JPEG"."""
    labels = list(dict.fromkeys(KINDS[k].label for k in kinds))
    words = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]
    return f"a {words}" if article else words


def accept_attribute(kinds):
    """The file input's accept="": the extensions of the kinds, for the browser's picker."""
    return ",".join(ext for k in kinds for ext in KINDS[k].extensions)


def _refuse(message, code):
    raise ValidationError(message, code=code)


def _extension(name):
    return PurePosixPath(name or "").suffix.lower()


def _read_all(upload):
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def check_upload(upload, allowed_kinds, max_bytes, *, max_image_size=None):
    """The kind of `upload` (a Django UploadedFile, or any file with .name, .size, .read and
    .seek) when it is one of `allowed_kinds`, whole and harmless, else a ValidationError with
    a message for the person who chose it. `max_image_size` (width, height) bounds an image's
    pixels (a logo); every image's pixel count is bounded by IMAGE_MAX_PIXELS anyway."""
    allowed = tuple(allowed_kinds)
    must_be = f"The selected file must be {kinds_words(allowed)}"
    size = upload.size
    if not size:
        _refuse("The selected file is empty", "empty")
    if size > max_bytes:
        _refuse(f"The selected file must be smaller than {size_words(max_bytes)}", "too_big")

    extension = _extension(upload.name)
    if extension in MACRO_EXTENSIONS and MACRO_EXTENSIONS[extension] in allowed:
        _refuse(_macro_message(MACRO_EXTENSIONS[extension]), "macros")

    data = _read_all(upload)
    kind = _sniff(data)
    if kind is None:
        office = OLD_OFFICE_EXTENSIONS.get(extension) or _claimed(extension, allowed)
        if data.startswith(OLE_SIGNATURE) and office in OFFICE_MAIN_PARTS and office in allowed:
            # An old Word, PowerPoint or Excel file, or a new one saved with a password (it is
            # then wrapped the old way).
            _refuse(f"The selected file is password protected or in an old format: save it as "
                    f"{_a(office)} without a password and upload it", "ole")
        if _looks_like_svg(data):
            # An SVG can hold scripts that run when it is opened from the site.
            images = [k for k in allowed if k in IMAGE_KINDS] or allowed
            _refuse(f"The selected file is an SVG image: save it as "
                    f"{kinds_words(images)} and upload it", "svg")
        claimed = _claimed(extension, allowed)
        if claimed:
            _refuse(f"The selected file is named {extension} but is not {_a(claimed)}: save it "
                    f"again as {_a(claimed)} and upload it", "not_what_it_says")
        _refuse(must_be, "type")

    if kind == "zip":
        kind = _check_office(data, allowed, extension, must_be)
    elif kind not in allowed:
        _refuse(must_be, "type")
    elif kind == "pdf":
        _check_pdf(data)
    else:
        _check_image(data, kind, max_image_size)
    return kind


def upload_name(name, kind):
    """The name to store an upload under: its own stem, the extension of what it holds (a
    Word file named .pdf is stored as .docx), so the name alone tells a download its kind."""
    stem = PurePosixPath(name or "file").stem or "file"
    return f"{stem}{KINDS[kind].extension}"


def stored_kind(name, head):
    """The kind of a stored file from its name's extension (given by upload_name after
    check_upload) when its first bytes agree, else None: a file stored before the checks, or
    changed on disk, is downloaded as plain bytes, never shown by the browser."""
    extension = _extension(name)
    for key, kind in KINDS.items():
        if extension in kind.extensions and head.startswith(kind.signature):
            return key
    return None


def image_data_uri(file, *, max_bytes=2 * MB, box=PDF_IMAGE_BOX):
    """A stored PNG or JPEG (the logo) as a data: URI for a PDF (WeasyPrint reads it without
    a file path or a request), made to fit `box` pixels, or None when there is none, it is
    missing, larger than `max_bytes` or not an image."""
    if not file:
        return None
    try:
        with file.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except (OSError, ValueError):
        return None
    kind = stored_kind(file.name, data[:16])
    if kind not in IMAGE_KINDS or len(data) > max_bytes:
        return None
    fitted = _fitted(data, kind, box)
    if fitted is None:
        return None
    return f"data:{KINDS[kind].content_type};base64,{base64.b64encode(fitted).decode('ascii')}"


@functools.lru_cache(maxsize=2)
def _fitted(data, kind, box):
    """`data` scaled down to fit `box` (WeasyPrint decodes and recompresses a PNG's every
    pixel for each PDF: a 2000-pixel logo cost a second an invoice), or as it is when it
    fits; None when it does not decode. Kept for the next PDF of the same logo."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data), formats=["PNG" if kind == "png" else "JPEG"]) as image:
            if image.width <= box[0] and image.height <= box[1]:
                image.load()
                return data
            image.thumbnail(box)
            out = io.BytesIO()
            if kind == "png":
                image.save(out, "PNG", optimize=False)
            else:
                image.save(out, "JPEG", quality=90)
            return out.getvalue()
    except (OSError, SyntaxError, ValueError, EOFError, ZeroDivisionError, struct.error,
            Image.DecompressionBombError):
        return None


# What a file holds -------------------------------------------------------------------------

def _sniff(data):
    if data.startswith(KINDS["pdf"].signature):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    for key in IMAGE_KINDS:
        if data.startswith(KINDS[key].signature):
            return key
    return None


def _claimed(extension, allowed):
    for key in allowed:
        if extension in KINDS[key].extensions:
            return key
    return None


def _a(kind):
    return KINDS[kind].noun


def _looks_like_svg(data):
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<svg", b"<?xml", b"<!doctype svg")) and b"<svg" in head


def _macro_message(kind):
    return (f"The selected file contains macros: save it as {_a(kind)} without "
            f"macros and upload it")


def _check_pdf(data):
    # Not a parser: a PDF that was cut short (an interrupted download, a renamed fragment)
    # has no end-of-file marker, and nothing else begins %PDF- by accident.
    if b"%%EOF" not in data[-PDF_TAIL_BYTES:]:
        _refuse("The selected file is not a complete PDF: save it again as a PDF and upload it",
                "pdf_incomplete")


def _check_office(data, allowed, extension, must_be):
    office = [k for k in allowed if k in OFFICE_MAIN_PARTS]
    if not office:
        _refuse(must_be, "type")
    claimed = _claimed(extension, office)
    damaged = (f"The selected file is damaged: save it again as "
               f"{_a(claimed) if claimed else kinds_words(office)} and upload it")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        _refuse(damaged, "zip_damaged")
    if len(members) > ZIP_MAX_MEMBERS:
        _refuse(f"The selected file has too many parts ({len(members)}): save it again and "
                f"upload it", "zip_members")
    total = sum(m.file_size for m in members)
    if total > ZIP_MAX_UNCOMPRESSED or any(
            m.file_size > MB and m.file_size > ZIP_MAX_RATIO * max(m.compress_size, 1)
            for m in members):
        _refuse("The selected file is too large when uncompressed: save it again without "
                "embedded files and upload it", "zip_bomb")
    names = {m.filename for m in members}
    if any(m.flag_bits & 0x1 for m in members):
        _refuse("The selected file is password protected: save it without a password and "
                "upload it", "encrypted")
    kind = next((k for k, (part, _) in OFFICE_MAIN_PARTS.items() if part in names), None)
    if any(PurePosixPath(n).name.lower() == "vbaproject.bin" for n in names):
        _refuse(_macro_message(kind or claimed or office[0]), "macros")
    if "[Content_Types].xml" not in names or kind is None:
        _refuse(damaged if claimed else must_be, "not_office")
    content_types = archive.getinfo("[Content_Types].xml")
    if content_types.file_size > CONTENT_TYPES_MAX_BYTES:
        _refuse(damaged, "zip_damaged")
    try:
        with archive.open(content_types) as handle:
            declared = handle.read(CONTENT_TYPES_MAX_BYTES + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        _refuse(damaged, "zip_damaged")
    if b"macroenabled" in declared.lower():
        _refuse(_macro_message(kind), "macros")
    if OFFICE_MAIN_PARTS[kind][1] not in declared:
        _refuse(damaged, "not_office")
    if kind not in allowed:
        _refuse(must_be, "type")
    return kind


def _check_image(data, kind, max_image_size):
    from PIL import Image, UnidentifiedImageError

    image_format = {"png": "PNG", "jpeg": "JPEG"}[kind]
    broken = (f"The selected file is not {_a(kind)} that can be opened: save it again as "
              f"{_a(kind)} and upload it")
    try:
        with warnings.catch_warnings():
            # Pillow warns past 89 million pixels; the limits below decide instead.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data), formats=[image_format])
        with opened as image:
            width, height = image.size  # read from the header: nothing decoded yet
            if max_image_size and (width > max_image_size[0] or height > max_image_size[1]):
                _refuse(f"The selected image must be at most {max_image_size[0]} by "
                        f"{max_image_size[1]} pixels: it is {width} by {height}", "image_size")
            if width * height > IMAGE_MAX_PIXELS:
                _refuse(f"The selected image is too large: it is {width} by {height} pixels",
                        "image_pixels")
            image.verify()  # checksums (PNG chunks), structure
        with Image.open(io.BytesIO(data), formats=[image_format]) as image:
            image.load()  # every pixel decodes: a cut-short or corrupt image fails here
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        _refuse("The selected image is too large: save it smaller and upload it", "image_pixels")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError,
            ZeroDivisionError, struct.error):
        # What Pillow's decoders raise on a damaged file.
        _refuse(broken, "image_broken")
