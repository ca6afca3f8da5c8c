from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "evaluations"

    def ready(self):
        from . import receivers  # noqa: F401 – connects the signal receivers
