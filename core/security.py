"""Response headers that Django does not send itself.

Permissions-Policy: the site uses no camera, microphone, location, payment or USB device,
so it says so, and nothing on a page (nor a frame inside it) can ask the browser for them.
Django's own middleware sends the Content-Security-Policy (SECURE_CSP in settings)."""

from django.conf import settings


def permissions_policy_header(policy):
    """`{"camera": [], "fullscreen": ["self"]}` -> 'camera=(), fullscreen=(self)'."""
    return ", ".join(
        f"{feature}=({' '.join(allowed)})" for feature, allowed in policy.items()
    )


class PermissionsPolicyMiddleware:
    """Adds the PERMISSIONS_POLICY setting as a Permissions-Policy header to every response
    that has none (a view may send its own)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        header = permissions_policy_header(getattr(settings, "PERMISSIONS_POLICY", {}))
        if header and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = header
        return response
