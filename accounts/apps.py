from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts, organisations and roles"

    def ready(self):
        from .roles import roles_sync

        post_migrate.connect(roles_sync, dispatch_uid="accounts.roles_sync")
