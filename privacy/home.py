"""The privacy app's task on the officer's home page (core.home): deletion requests waiting.
One count query."""

from django.urls import reverse

from accounts.home import holds
from accounts.roles import Role
from core.home import OFFICER, HomeItem, home_section

from .models import DeletionRequest


@home_section(OFFICER)
def officer_deletion_requests(user, now):
    if not holds(user, Role.OFFICER) or not user.has_perm("accounts.change_user"):
        return None
    return [HomeItem(
        url=reverse("privacy:deletion-request-list"),
        count=DeletionRequest.objects.filter(status=DeletionRequest.Status.OPEN).count(),
        singular="request to delete an account", plural="requests to delete an account",
        order=22)]
