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
    saved = form.save()
    audit_record(actor=by, action="partnership.update", target=saved, details=changes)
    return saved
