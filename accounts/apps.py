from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts, organisations and roles"

    def ready(self):
        from . import audit_roles, home  # noqa: F401 – home: tasks on the home page (core.home)
        from .roles import roles_sync
        from .sessions import connect_receivers

        connect_receivers()  # staff sessions; other sessions ended on a password change

        post_migrate.connect(roles_sync, dispatch_uid="accounts.roles_sync")
        audit_roles.connect()  # every change of roles is audited, whichever way it is made
