"""The facilitator summary report: due `summary_report_days_after_event` days after each
event, emailed (through the outbox) to every facilitator of the event and its L&D officer,
with the PDF attached; the same data makes the page and the PDF."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from core.audit import audit_record
from core.calendar import london_date
from core.models import Partnership
from core.outbox import email_queue
from core.pdf import pdf_render
from courses.models import Event, EventStatus
from evaluations.models import SummaryReport
from evaluations.selectors.summaries import ATTENDANCE_ROWS, event_summary

# An event whose summary fell due more than this many days before a sweep first sees it (the
# feature switched on, or beat down for weeks) is not sent late: old news helps nobody.
CATCH_UP_DAYS = 14
PDF_TEMPLATE = "evaluations/summary_pdf.html"
EMAIL_TEMPLATE = "evaluations/summary_report"


def summary_due_on(*, event_end, days):
    """DOMAIN.md: the summary goes "10 days after the event": the London date on which the
    event ended plus `days` (an event ending Thursday 1 October is summarised on Sunday 11
    October, not on the 10th). The sweep sends it on or after that date."""
    return london_date(event_end) + timedelta(days=days)


def summary_context(*, summary, now):
    """The one context the page, the PDF and the email are drawn from."""
    event = summary.event
    return {"summary": summary, "event": event, "course": event.course,
            "partnership": summary.partnership, "now": now,
            "attendance_rows": [(label, summary.attendance[key])
                                for key, label in ATTENDANCE_ROWS]}


def summary_pdf(*, summary, now):
    """The summary as PDF (WeasyPrint), from the same data as the page. Returns bytes."""
    return pdf_render(PDF_TEMPLATE, summary_context(summary=summary, now=now))


def summary_pdf_filename(event):
    day = timezone.localtime(event.start)
    return f"summary-{event.course.slug[:50]}-{day:%Y-%m-%d}.pdf"


def summary_reports_schedule(*, now, partnership=None):
    """Keep a SummaryReport row (its due date) for every event that has ended recently and is
    not cancelled; an unsent row follows the setting, so changing
    summary_report_days_after_event moves the day of every summary not yet sent. Returns the
    number of rows created or moved."""
    partnership = partnership or Partnership.load()
    days = partnership.summary_report_days_after_event
    oldest_end = now - timedelta(days=days + CATCH_UP_DAYS + 1)
    events = list(Event.objects.filter(end__lte=now, end__gte=oldest_end)
                  .exclude(status=EventStatus.CANCELLED).values_list("pk", "end"))
    existing = {r.event_id: r for r in SummaryReport.objects.filter(
        event_id__in=[pk for pk, _ in events])}
    changed = 0
    for pk, end in events:
        due_on = summary_due_on(event_end=end, days=days)
        row = existing.get(pk)
        if row is None:
            SummaryReport.objects.get_or_create(event_id=pk, defaults={"due_on": due_on})
            changed += 1
        elif row.sent_at is None and row.due_on != due_on:
            SummaryReport.objects.filter(pk=row.pk, sent_at__isnull=True).update(due_on=due_on)
            changed += 1
    return changed


def summary_reports_send(*, now):
    """The beat sweep: schedule the summaries of events that have ended, then send each one
    due today or earlier (but no more than CATCH_UP_DAYS late) to every facilitator of the
    event and its L&D officer. Each is sent once: sent_at is set under the row's lock, in the
    transaction that queues the emails (purpose ``summary:<event id>:sent``), so a second
    sweep, or two at once, send nothing more. Returns the number of summaries sent."""
    partnership = Partnership.load()
    summary_reports_schedule(now=now, partnership=partnership)
    today = london_date(now)
    pks = list(SummaryReport.objects.filter(
        sent_at__isnull=True, due_on__lte=today, due_on__gte=today - timedelta(days=CATCH_UP_DAYS),
    ).order_by("due_on", "pk").values_list("pk", flat=True))
    sent = 0
    for pk in pks:
        with transaction.atomic():
            report = (SummaryReport.objects.select_for_update(skip_locked=True, of=("self",))
                      .select_related("event", "event__course", "event__venue", "event__officer")
                      .filter(pk=pk, sent_at__isnull=True, due_on__lte=today).first())
            if report is None:
                continue
            if report.event.status == EventStatus.CANCELLED:
                continue
            summary_report_send(report=report, now=now, partnership=partnership)
            sent += 1
    return sent


def summary_report_send(*, report, now, partnership):
    """Queue one summary to its event's facilitators and L&D officer, with the PDF, and mark it
    sent (the caller holds the row's lock, inside its transaction)."""
    event = report.event
    people = list(event.facilitators.filter(is_active=True).order_by("pk"))
    if event.officer is not None and event.officer.is_active:
        people.append(event.officer)
    summary = event_summary(event=event, partnership=partnership)
    recipients = sorted({p.email.lower(): p.email for p in people if p.email}.values())
    if recipients:
        pdf = summary_pdf(summary=summary, now=now)
        email_queue(
            to=recipients, template=EMAIL_TEMPLATE,
            context={**summary_context(summary=summary, now=now), "report": report},
            purpose=f"summary:{event.pk}:sent",
            attachments=[(summary_pdf_filename(event), pdf, "application/pdf")],
        )
    report.sent_at = now
    report.save(update_fields=["sent_at"])
    audit_record(actor=None, action="evaluation.summary_sent", target=event,
                 details={"recipients": len(recipients), "due_on": report.due_on.isoformat()})
    return recipients
