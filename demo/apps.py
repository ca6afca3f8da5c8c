from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for `make run` (manage.py load_demo, demo_logins, demo_totp). It sits above
    every other app, so it may import from all of them."""

    name = "demo"
    verbose_name = "Demo data"
