from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "bookings"

    def ready(self):
        from . import receivers  # noqa: F401 – connects the signal receivers
