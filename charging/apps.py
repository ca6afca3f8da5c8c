from django.apps import AppConfig


class ChargingConfig(AppConfig):
    name = "charging"

    def ready(self):
        # The overdue-invoice booking check; receivers; the tasks on the home page (core.home).
        from . import checks, home, receivers  # noqa: F401
