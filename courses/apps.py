from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"

    def ready(self):
        # Tasks on the home page (core.home); changes that alter the public pages.
        from . import home, page_cache  # noqa: F401
