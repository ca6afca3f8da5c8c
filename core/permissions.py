"""Who may use a view. Every view of the site states it with one of these mixins.

Roles are groups carrying permissions (accounts.roles); views ask for permissions, never for
group names, so an officer can reshape a role in the admin without touching code. Anonymous
visitors are sent to the login page; a signed-in user without the permission gets a 403."""

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin


class SignedInMixin(LoginRequiredMixin):
    """Any signed-in user (every account is at least a delegate)."""


class PermissionMixin(PermissionRequiredMixin):
    """Requires every permission in `permission_required` (a string or a tuple)."""

    raise_exception = False  # anonymous -> login page; signed in without permission -> 403


class AnyPermissionMixin(PermissionMixin):
    """Requires at least one of the permissions in `permission_required`."""

    def has_permission(self):
        user = self.request.user
        return user.is_authenticated and any(
            user.has_perm(p) for p in self.get_permission_required()
        )
