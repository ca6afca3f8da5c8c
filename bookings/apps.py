from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "bookings"

    def ready(self):
        # The signal receivers; the audit log's words; People pages; the home page's tasks.
        from . import audit_words, home, page_cache, people, receivers  # noqa: F401
