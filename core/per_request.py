"""Request-wide state that core keeps for every app."""

from .models import partnership_per_request


class PartnershipPerRequestMiddleware:
    """Partnership.load() reads the settings row once per request instead of once per call
    (a booking called it seven times). The copy lives for this request only, so the next
    request, in any process, sees what an officer saved; a request that saves the row reads
    it afresh from then on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with partnership_per_request():
            return self.get_response(request)
