from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self):
        from . import home  # noqa: F401 – tasks on the home page (core.home)
        from .checklist import home as checklist_home  # noqa: F401 – the lead's staff
        from .tna import home as tna_home  # noqa: F401 – the lead's TNA rounds
        from .tna import tasks as tna_tasks  # noqa: F401 – the TNA beat task (Celery)
