from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "evaluations"

    def ready(self):
        # The signal receivers; the tasks on the home page (core.home).
        from . import home, receivers  # noqa: F401
