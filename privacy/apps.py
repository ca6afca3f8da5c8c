from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """UK GDPR: the privacy notice, a person's own data (export, deletion requests) and
    retention. The top app: it reads every other app's data about a person."""

    name = "privacy"

    def ready(self):
        # The officer's home page task: deletion requests waiting (privacy.home).
        from . import home  # noqa: F401
