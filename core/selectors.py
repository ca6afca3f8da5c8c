from .models import AuditEntry

# The records that are about one person, and the way from each to them: searching the log for
# a person finds the entries about these too (their account, a booking of theirs, its charge).
PERSON_RECORDS = (
    ("accounts", "user", "pk"),
    ("accounts", "membershiprequest", "user"),
    ("bookings", "booking", "delegate"),
    ("charging", "charge", "booking__delegate"),
    ("evaluations", "evaluationrequest", "user"),
    ("evaluations", "certificate", "user"),
)


def _about_people(people):
    """Entries whose record is one of PERSON_RECORDS belonging to one of `people` (subqueries:
    no extra query)."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import CharField, Q
    from django.db.models.functions import Cast

    about = Q(pk__in=[])
    for app_label, model_name, path in PERSON_RECORDS:
        model = apps.get_model(app_label, model_name)
        ids = (model._base_manager.filter(**{f"{path}__in": people})
               .annotate(audit_target=Cast("pk", CharField())).values("audit_target"))
        about |= Q(target_type=ContentType.objects.get_for_model(model), target_id__in=ids)
    return about


def audit_entries(*, action="", person="", object_type=None, object="", date_from=None,
                  date_to=None):
    """The audit log, newest first. `person`: the words of a name or an email address (each
    word found in the one person's name or address); the entries where that person acted,
    was acted for, or is what the entry is about (their account, a booking of theirs, its
    charge, their evaluation requests and certificates); a person whose account is gone by
    the address recorded at the time. `object`: part of the record's name; dates: London days."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    qs = (AuditEntry.objects.select_related("target_type", "actor", "on_behalf_of")
          .order_by("-at", "-id"))
    if action:
        qs = qs.filter(action__startswith=action)
    words = person.split()[:6]
    if words:
        people = get_user_model()._base_manager.all()
        actor_label = on_behalf_label = Q()
        for word in words:
            people = people.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word)
                                   | Q(email__icontains=word))
            actor_label &= Q(actor_label__icontains=word)
            on_behalf_label &= Q(on_behalf_of_label__icontains=word)
        people = people.values("pk")
        qs = qs.filter(Q(actor__in=people) | Q(on_behalf_of__in=people) | actor_label
                       | on_behalf_label | _about_people(people))
    if object_type:
        qs = qs.filter(target_type_id=object_type)
    if object:
        qs = qs.filter(target_label__icontains=object)
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    return qs


def outgoing_emails(*, status="", purpose="", recipient=""):
    """The outbox for the officers' Emails page, newest first, filtered."""
    from .models import OutgoingEmail

    qs = OutgoingEmail.objects.defer("body_text", "body_html", "attachments").order_by(
        "-created_at", "-id")
    if status in OutgoingEmail.Status.values:
        qs = qs.filter(status=status)
    if purpose:
        qs = qs.filter(purpose__startswith=purpose)
    if recipient:
        qs = qs.filter(recipient__icontains=recipient)
    return qs


def outgoing_email_counts():
    """How many emails are in each status (one query)."""
    from django.db.models import Count

    from .models import OutgoingEmail

    counts = dict(OutgoingEmail.objects.values_list("status").annotate(n=Count("id")))
    return [(value, label, counts.get(value, 0)) for value, label in OutgoingEmail.Status.choices]
