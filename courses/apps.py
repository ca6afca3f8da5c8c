from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"

    def ready(self):
        from . import home  # noqa: F401 – tasks on the home page (core.home)
