"""Display helpers for the resources library (templates/resources/*.html)."""

from pathlib import PurePosixPath

from django import template

register = template.Library()

FILE_KINDS = {
    ".pdf": "PDF", ".docx": "Word document", ".pptx": "PowerPoint presentation",
    ".xlsx": "Excel spreadsheet", ".png": "PNG image", ".jpg": "JPEG image", ".jpeg": "JPEG image",
}


@register.filter
def file_kind(file):
    """What kind of file a resource is, in words: "PDF", "Word document"."""
    if not file:
        return ""
    return FILE_KINDS.get(PurePosixPath(str(file.name)).suffix.lower(), "File")
