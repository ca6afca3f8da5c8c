from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self):
        from . import home  # noqa: F401 – tasks on the home page (core.home)
