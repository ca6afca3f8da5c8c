from django.apps import AppConfig


class ChargingConfig(AppConfig):
    name = "charging"

    def ready(self):
        from . import checks, receivers  # noqa: F401 – the overdue-invoice booking check; receivers
