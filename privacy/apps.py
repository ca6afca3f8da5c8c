from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """UK GDPR: the privacy notice, a person's own data (export, deletion requests) and
    retention. The top app: it reads every other app's data about a person."""

    name = "privacy"
