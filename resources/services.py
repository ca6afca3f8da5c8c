"""Writes of the resources library (STYLE.md: one function per user-visible action,
keyword-only, atomic, audited)."""

from django.db import transaction

from core.audit import audit_record
from core.exceptions import DomainError

RESOURCE_FIELDS = ("title", "description", "kind", "category", "url", "public")


def _file_delete_on_commit(file):
    """Remove a replaced or deleted resource's file once the change is saved for good."""
    if file:
        storage, name = file.storage, file.name
        transaction.on_commit(lambda: storage.delete(name))


def resource_publish(*, by, now, title, kind, description="", category=None, file=None, url="",
                     public=True):
    """Publish one of the DSPP's "additional training resources" (a leaflet, a professional
    briefing, a case review executive summary) as a file or a link."""
    from .models import Resource

    with transaction.atomic():
        resource = Resource(
            title=title, kind=kind, description=description, category=category, url=url,
            public=public, published_at=now, published_by=by,
        )
        if file:
            resource.file = file
        resource.save()
        audit_record(actor=by, action="resource.publish", target=resource,
                     details={"public": public, "file": resource.file.name, "link": url})
    return resource


def resource_update(*, resource, by, data):
    """Change a resource. `data["file"]`: a new upload replaces the file, False removes it,
    None keeps it; the old file is deleted after the change is saved."""
    from .models import Resource

    with transaction.atomic():
        locked = Resource.objects.select_for_update().get(pk=resource.pk)
        changes = {}
        for name in RESOURCE_FIELDS:
            if name in data and getattr(locked, name) != data[name]:
                changes[name] = [str(getattr(locked, name) or ""), str(data[name] or "")]
                setattr(locked, name, data[name])
        new_file, old_file = data.get("file"), locked.file
        if new_file is False or new_file:
            changes["file"] = [old_file.name, getattr(new_file, "name", "") or ""]
            locked.file = new_file or ""
        if not locked.file and not locked.url:
            raise DomainError("Upload a file or give a link: a resource needs one of them.")
        locked.save()
        if (new_file is False or new_file) and old_file:
            _file_delete_on_commit(old_file)
        audit_record(actor=by, action="resource.update", target=locked, details=changes)
    return locked


def resource_delete(*, resource, by):
    from .models import Resource

    with transaction.atomic():
        locked = Resource.objects.select_for_update().get(pk=resource.pk)
        audit_record(actor=by, action="resource.delete", target=locked,
                     details={"title": locked.title, "file": locked.file.name, "link": locked.url})
        old_file = locked.file
        locked.delete()
        _file_delete_on_commit(old_file)
