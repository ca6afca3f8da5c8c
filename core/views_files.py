"""Files the site shows to everyone, served by a view (never from MEDIA_ROOT, which nothing
serves): the partnership's logo, in the header of every page."""

from django.http import FileResponse, Http404
from django.views.decorators.http import condition, require_safe

from .models import Partnership
from .uploads import IMAGE_KINDS, KINDS, stored_kind

# The header asks for /logo/?v=<when the settings changed>, so a new logo is a new address and
# a day in a browser's cache costs nothing; the ETag answers a revalidation with a 304.
LOGO_CACHE_SECONDS = 24 * 60 * 60


def _logo_etag(request):
    partnership = Partnership.load()
    if not partnership.logo:
        return None
    return f"logo-{partnership.updated_at.timestamp():.6f}"


def _logo_last_modified(request):
    partnership = Partnership.load()
    return partnership.updated_at if partnership.logo else None


@require_safe
@condition(etag_func=_logo_etag, last_modified_func=_logo_last_modified)
def partnership_logo(request):
    """The logo, to anyone (it is on every public page), with the type it was checked as when
    an officer uploaded it (core.uploads): a stored file that is not a PNG or JPEG is not
    served at all."""
    partnership = Partnership.load()
    if not partnership.logo:
        raise Http404("There is no logo.")
    try:
        handle = partnership.logo.open("rb")
    except OSError:
        raise Http404("The logo's file is missing.") from None
    kind = stored_kind(partnership.logo.name, handle.read(16))
    if kind not in IMAGE_KINDS:
        handle.close()
        raise Http404("The logo is not an image.")
    handle.seek(0)
    response = FileResponse(handle, content_type=KINDS[kind].content_type,
                            filename=f"logo{KINDS[kind].extension}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = f"public, max-age={LOGO_CACHE_SECONDS}"
    return response
