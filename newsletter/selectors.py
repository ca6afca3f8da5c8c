"""Reads of the newsletter: querysets scoped to what the caller may see."""

from django.db.models import Count, Exists, F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from courses.models import Event, EventStatus


def newsletters_visible_to(*, user):
    """Business support's newsletters, newest first, each with `event_count`,
    `recipient_count` (deliveries created when it was sent) and `sent_count` (emails gone),
    counted by subqueries so a page costs the same whatever the number of rows."""
    from django.db.models import IntegerField

    from .models import Newsletter, NewsletterDelivery

    if not user.has_perm("newsletter.view_newsletter"):
        return Newsletter.objects.none()

    def count(queryset):
        return Coalesce(
            Subquery(queryset.order_by().values("newsletter").annotate(n=Count("pk"))
                     .values("n"), output_field=IntegerField()),
            0,
        )

    deliveries = NewsletterDelivery.objects.filter(newsletter=OuterRef("pk"))
    chosen = Newsletter.events.through.objects.filter(newsletter=OuterRef("pk"))
    return (
        Newsletter.objects.select_related("created_by")
        .annotate(event_count=count(chosen), recipient_count=count(deliveries),
                  sent_count=count(deliveries.filter(sent_at__isnull=False)))
        .order_by("-created_at", "-pk")
    )


def newsletter_event_choices(*, now):
    """Events a newsletter may promote: scheduled, of an active course, starting after `now`,
    soonest first."""
    return (
        Event.objects.filter(status=EventStatus.SCHEDULED, start__gt=now, course__active=True)
        .select_related("course", "venue")
        .order_by("start", "pk")
    )


def newsletter_new_events(*, now):
    """Upcoming events created since the last newsletter was sent (DDSCP: "regular emails
    promoting all new events"); every upcoming event if none has been sent."""
    from .models import Newsletter

    last = (Newsletter.objects.exclude(status=Newsletter.Status.DRAFT)
            .exclude(send_requested_at=None).order_by("-send_requested_at")
            .values_list("send_requested_at", flat=True).first())
    events = newsletter_event_choices(now=now)
    if last is not None:
        events = events.filter(created_at__gt=last)
    return events


def newsletter_new_event_ids(*, now):
    """The events to tick by default: the new ones (newsletter_new_events)."""
    return list(newsletter_new_events(now=now).values_list("pk", flat=True))


def newsletter_default_event_ids(*, now):
    """The events ticked on a new newsletter: the new ones (newsletter_new_event_ids) that
    still have places. A full event stays in the list, unticked and marked "Full": business
    support may still tick it (the email then says it is full)."""
    new = newsletter_new_event_ids(now=now)
    return list(newsletter_event_choices(now=now).filter(pk__in=new)
                .filter(places_taken__lt=F("capacity")).values_list("pk", flat=True))


def newsletter_events(*, newsletter):
    """The events a newsletter promotes, soonest first, with what the email shows of each."""
    return newsletter.events.select_related("course", "venue").order_by("start", "pk")


def newsletter_recipients():
    """Who gets the newsletter: active people who asked for it (newsletter_opt_in) and whose
    email address is verified, so it never goes to an address nobody has confirmed."""
    from allauth.account.models import EmailAddress

    from accounts.models import User

    verified = EmailAddress.objects.filter(
        user=OuterRef("pk"), email__iexact=OuterRef("email"), verified=True
    )
    return User.objects.filter(is_active=True, newsletter_opt_in=True).filter(Exists(verified))


def newsletter_subscriber(*, user_id):
    """The person an opt-out link names, if their account still exists and is active."""
    from accounts.models import User

    return User.objects.filter(pk=user_id, is_active=True).first()


def newsletters_sending_ids():
    """Newsletters whose sending has started and not finished (for the sweep that resumes
    them after a worker stopped)."""
    from .models import Newsletter

    return list(Newsletter.objects.filter(status=Newsletter.Status.SENDING)
                .order_by("pk").values_list("pk", flat=True))
