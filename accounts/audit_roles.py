"""Every change of a person's roles is audited, whichever way it is made (issue 15).

A role is a group (accounts.roles). Officers change roles on the person's page (People) and
site administrators in the Django admin: both go through `user_roles_set`, which records one
"user.roles_set" entry with the roles before and after. Any other path (the admin's group page
adding people to a group, a shell) is caught by the m2m_changed receiver below, which records
the same entry, by the person `roles_audit_by` names (the admin sets it) or else by the system.

Not recorded by the receiver: the first roles of a new account (sign-up, an invitation and the
test factories give the delegate role to an account that had none: creating the account is
what happened), and changes made inside `user_roles_set`, which records its own entry."""

import contextlib
import contextvars

from django.db.models.signals import m2m_changed

_quiet = contextvars.ContextVar("roles_audit_quiet", default=False)
_acting = contextvars.ContextVar("roles_audit_by", default=None)


@contextlib.contextmanager
def roles_audit_quiet():
    """The changes inside are audited by the caller (user_roles_set)."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


@contextlib.contextmanager
def roles_audit_by(user):
    """Who is changing roles inside (the admin's signed-in user)."""
    token = _acting.set(user)
    try:
        yield
    finally:
        _acting.reset(token)


def role_values(group_names):
    """Group names as the audit log records roles: a role's code ("officer"), or the name of a
    group that is not a role. Sorted."""
    from .roles import Role

    codes = {r.label: r.value for r in Role}
    return sorted(codes.get(name, name) for name in group_names)


def roles_of(user_ids):
    """{user id: [role codes]} in one query."""
    from .models import User

    held = {pk: [] for pk in user_ids}
    for user_id, name in (User.groups.through.objects.filter(user_id__in=list(held))
                          .values_list("user_id", "group__name")):
        held[user_id].append(name)
    return {pk: role_values(names) for pk, names in held.items()}


def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if _quiet.get() or action not in ("pre_add", "pre_remove", "pre_clear", "post_add",
                                      "post_remove", "post_clear"):
        return
    if action.startswith("pre_"):
        if reverse:  # group.user_set.add(...): the people are pk_set (all of them to clear)
            ids = set(pk_set) if pk_set is not None else set(
                instance.user_set.values_list("pk", flat=True))
        else:
            ids = {instance.pk}
        instance.__dict__.setdefault("_roles_audit_before", {}).update(roles_of(ids))
        return
    before = instance.__dict__.pop("_roles_audit_before", {})
    if not before:
        return
    after = roles_of(before)
    changed = [pk for pk in before if before[pk] and before[pk] != after[pk]]
    if not changed:
        return
    from core.audit import audit_record

    from .models import User

    people = [instance] if not reverse else list(User.objects.filter(pk__in=changed))
    by = _acting.get()
    for person in people:
        audit_record(actor=by, action="user.roles_set", target=person,
                     details={"roles": after[person.pk]},
                     changes={"roles": [before[person.pk], after[person.pk]]})


def connect():
    from .models import User

    m2m_changed.connect(_groups_changed, sender=User.groups.through,
                        dispatch_uid="accounts.audit_roles.groups_changed")

