from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts, organisations and roles"

    def ready(self):
        from . import home  # noqa: F401 – tasks on the home page (core.home)
        from .roles import roles_sync

        post_migrate.connect(roles_sync, dispatch_uid="accounts.roles_sync")
