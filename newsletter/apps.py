from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = "Training newsletter"

    def ready(self):
        from . import home  # noqa: F401 – tasks on the home page (core.home)
