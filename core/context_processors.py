from .models import Partnership


def partnership(request):
    return {"partnership": Partnership.load()}
