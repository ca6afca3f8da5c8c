from django.db import transaction

from .audit import audit_record
from .models import Partnership


@transaction.atomic
def partnership_update(*, partnership, by, form):
    """Save the partnership's settings from a validated form, recording what changed."""
    locked = Partnership.objects.select_for_update().get(pk=partnership.pk)
    changes = {
        name: [str(getattr(locked, name)), str(form.cleaned_data[name])]
        for name in form.changed_data
    }
    form.instance.pk = locked.pk
    old_logo = locked.logo.name
    saved = form.save()
    if "logo" in changes:
        # The stored files' names (not the uploaded name, or False for "Remove the logo"); the
        # old file goes once the change is committed (nothing else refers to it).
        changes["logo"] = [old_logo, saved.logo.name]
        if old_logo and old_logo != saved.logo.name:
            storage = locked.logo.storage
            transaction.on_commit(lambda: storage.delete(old_logo))
    audit_record(actor=by, action="partnership.update", target=saved, details=changes)
    return saved
