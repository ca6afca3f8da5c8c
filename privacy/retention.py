"""The retention sweep (Celery beat, daily; UK GDPR storage limitation). Three parts, each
idempotent (what it did is no longer a candidate, so a second run finds nothing and audits
nothing) and in bounded batches:

a. access needs shared for an event are deleted once `access_needs_retention_days` days have
   passed since the event's last day (London dates): kept on day 30, gone on day 31; with
   them, the text and attachments of the booking's confirmation and "moved" emails, which
   copy them;
b. delegates with no activity for `inactive_account_years` years are anonymised
   (privacy.anonymise), except those privacy.policies refuses (an unpaid charge, a place
   still held, an unmarked register), who are listed in the result and the log instead;
   staff are not candidates at all;
c. the text and attachments of sent emails older than `email_body_retention_days` are
   deleted; the subject, recipient and status stay (the Emails page still says what went).

Activity, for (b): signing in, joining, a booking made, confirmed, cancelled or its
attendance marked, an evaluation answered, a knowledge check tried, a completion recorded.
A place still held on a future event is not activity but a refusal (privacy.policies), so
such a person is listed, not anonymised."""

import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from core.audit import audit_record
from core.calendar import LONDON, london_date
from core.exceptions import DomainError
from core.models import OutgoingEmail, Partnership

from .policies import email_body_cutoff, inactive_since

logger = logging.getLogger(__name__)
BATCH = 500
# People anonymised per run at most: the first run on old data spreads over a few days.
ANONYMISE_PER_RUN = 200


@dataclass
class SweepResult:
    access_needs_cleared: int = 0
    anonymised: list = field(default_factory=list)  # user ids
    refused: list = field(default_factory=list)  # (user id, [reasons])
    email_bodies_cleared: int = 0

    def as_dict(self):
        return {"access_needs_cleared": self.access_needs_cleared,
                "anonymised": self.anonymised,
                "refused": [{"user": pk, "reasons": reasons} for pk, reasons in self.refused],
                "email_bodies_cleared": self.email_bodies_cleared}


def _in_batches(queryset, update):
    """Apply `update` (a dict) to the rows of `queryset`, BATCH primary keys at a time, each
    batch its own short transaction. Returns how many rows changed."""
    done = 0
    while True:
        with transaction.atomic():
            pks = list(queryset.order_by("pk").values_list("pk", flat=True)[:BATCH])
            if not pks:
                return done
            done += queryset.model.objects.filter(pk__in=pks).update(**update)


# The booking emails that copy the delegate's access needs into their text (bookings.emails:
# purpose "booking:<uid>:<template>:<sequence>"; templates/email/bookings/).
ACCESS_NEEDS_TEMPLATES = ("booking_confirmed", "booking_moved")


def access_needs_sweep(*, now, days):
    """Bookings' access needs, once `days` days have passed since the event's last day, and
    the text and attachments of the booking's emails that copied them (otherwise kept for
    `email_body_retention_days`)."""
    from bookings.models import Booking

    # The first London midnight after which the event's last day is more than `days` ago:
    # an event ending on day D is kept while today <= D + days
    # (bookings.policies.access_needs_kept, the same rule for one event).
    boundary = datetime.combine(london_date(now) - timedelta(days=days), time(0), tzinfo=LONDON)
    candidates = Booking.objects.filter(event__end__lt=boundary).exclude(access_needs="")
    done = emails = 0
    while True:
        with transaction.atomic():
            batch = list(candidates.order_by("pk").values_list("pk", "uid")[:BATCH])
            if not batch:
                break
            copies = Q()
            for _, uid in batch:
                for template in ACCESS_NEEDS_TEMPLATES:
                    copies |= Q(purpose__startswith=f"booking:{uid}:{template}:")
            emails += (OutgoingEmail.objects.filter(copies)
                       .filter(~Q(body_text="") | ~Q(body_html="") | ~Q(attachments=[]))
                       .update(body_text="", body_html="", attachments=[]))
            done += Booking.objects.filter(pk__in=[pk for pk, _ in batch]).update(
                access_needs="")
    if done:
        audit_record(actor=None, action="retention.access_needs",
                     details={"bookings": done, "emails": emails, "days": days})
    return done


def email_bodies_sweep(*, now, days):
    """Sent emails' text and attachments, after `days` days."""
    cutoff = email_body_cutoff(now=now, days=days)
    rows = (OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENT, sent_at__lt=cutoff)
            .filter(~Q(body_text="") | ~Q(body_html="") | ~Q(attachments=[])))
    done = _in_batches(rows, {"body_text": "", "body_html": "", "attachments": []})
    if done:
        audit_record(actor=None, action="retention.email_bodies",
                     details={"emails": done, "days": days})
    return done


def inactive_people(*, now, years):
    """Ids of delegates (not staff) not yet anonymised with no activity since `years` years
    ago."""
    from accounts.roles import Role
    from bookings.models import Booking
    from courses.models import Completion, KnowledgeCheckAttempt
    from evaluations.models import EvaluationRequest

    since = inactive_since(now=now, years=years)
    person = OuterRef("pk")
    User = get_user_model()
    # Staff (a role but Delegate, staff or site administration) are refused until an officer
    # removes their roles (privacy.policies): not candidates, so not refused every night.
    staff_groups = [r.label for r in Role if r != Role.DELEGATE]
    return (User.objects.filter(anonymised_at__isnull=True, date_joined__lt=since,
                                is_staff=False, is_superuser=False)
            .exclude(Exists(User.groups.through.objects.filter(
                user=person, group__name__in=staff_groups)))
            .filter(Q(last_login__isnull=True) | Q(last_login__lt=since))
            .exclude(Exists(Booking.objects.filter(delegate=person).filter(
                Q(created_at__gte=since) | Q(booked_at__gte=since)
                | Q(cancelled_at__gte=since) | Q(attendance_marked_at__gte=since))))
            .exclude(Exists(EvaluationRequest.objects.filter(user=person,
                                                             completed_at__gte=since)))
            .exclude(Exists(KnowledgeCheckAttempt.objects.filter(user=person, at__gte=since)))
            .exclude(Exists(Completion.objects.filter(user=person, created_at__gte=since)))
            .order_by("pk").values_list("pk", flat=True))


def inactive_people_sweep(*, now, years, result, limit=ANONYMISE_PER_RUN):
    from .anonymise import person_anonymise

    User = get_user_model()
    for pk in inactive_people(now=now, years=years).iterator(chunk_size=BATCH):
        if len(result.anonymised) >= limit:
            break
        person = User.objects.get(pk=pk)
        try:
            person_anonymise(person, actor=None, now=now,
                             reason=f"No activity for {years} years")
        except DomainError as refused:
            result.refused.append((pk, [refused.message]))
            logger.info("Retention: person %s inactive but not anonymised: %s", pk,
                        refused.message)
        else:
            result.anonymised.append(pk)


def retention_sweep(*, now):
    """The daily retention sweep (privacy.tasks.retention_sweep): (a), (b) and (c) above,
    with the periods of the partnership settings."""
    partnership = Partnership.load()
    result = SweepResult()
    result.access_needs_cleared = access_needs_sweep(
        now=now, days=partnership.access_needs_retention_days)
    inactive_people_sweep(now=now, years=partnership.inactive_account_years, result=result)
    result.email_bodies_cleared = email_bodies_sweep(
        now=now, days=partnership.email_body_retention_days)
    logger.info("Retention sweep: %s", result.as_dict())
    return result
