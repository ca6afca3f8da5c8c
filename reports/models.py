"""Reports for the LOD Group and the Executive Board, the organisation view's Training
Checklist, and training needs analysis rounds.

A Report is a stored snapshot: `data` holds every table of the report as counts (never a
name), computed once in the background (reports.build); the page, the PDF, the XLSX and the
CSV files are all drawn from that one snapshot, so they always agree and the page costs the
same few queries whatever the size of the data."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import StaffGroup
from core.dates import short_date
from courses.models import Audience, Level


class ReportKind(models.TextChoices):
    QUARTERLY = "quarterly", "Quarterly training report (LOD Group)"
    ANNUAL = "annual", "Annual report (LOD Group and Executive Board)"
    CUSTOM = "custom", "Training report for chosen dates"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being prepared"
    READY = "ready", "Ready"
    FAILED = "failed", "Could not be produced"


def report_file_path(report, filename):
    return f"reports/{report.pk or 'new'}/{filename}"


class Report(models.Model):
    """One generated report for one period. Files are served only through
    reports.views' permission-checked downloads, never from MEDIA_URL."""

    Kind = ReportKind  # older code says Report.Kind
    Status = ReportStatus

    kind = models.CharField(max_length=10, choices=ReportKind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=10, choices=ReportStatus.choices,
                              default=ReportStatus.QUEUED, db_index=True)
    # 0 to 100, and what the background job is doing now ("Counting attendance").
    progress = models.PositiveSmallIntegerField(default=0)
    progress_label = models.CharField(max_length=200, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Made by the beat schedule (one per period), not asked for by a person.
    scheduled = models.BooleanField(default=False)
    started_at = models.DateTimeField(null=True, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    # The snapshot: see reports/tables.py for its shape.
    data = models.JSONField(default=dict, blank=True)
    pdf = models.FileField(upload_to=report_file_path, blank=True, max_length=300)
    xlsx = models.FileField(upload_to=report_file_path, blank=True, max_length=300)
    # Annual report: the short narrative an officer writes before it is issued.
    narrative = models.TextField(blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When the LOD Group were told it is ready (the outbox purpose key is per report too).
    announced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_end", "kind", "-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "period_start", "period_end"],
                                    condition=models.Q(scheduled=True),
                                    name="one_scheduled_report_per_period"),
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")),
                                   name="report_period_ends_after_it_starts"),
        ]
        permissions = [
            ("request_report", "Can ask for a report for any period"),
            ("issue_report", "Can write an annual report's narrative and issue it"),
        ]

    def __str__(self):
        period = f"{short_date(self.period_start)} to {short_date(self.period_end)}"
        return f"{self.get_kind_display()} {period}"

    @property
    def is_ready(self):
        return self.status == ReportStatus.READY


class ChecklistRequirement(models.Model):
    """The DDSCP Training Checklist, kept by officers: a staff group needs a course, or any
    course at a level (optionally for an audience). Completed training counts until it falls
    due again (the course's refresher years, else the partnership's)."""

    staff_group = models.CharField(max_length=20, choices=StaffGroup.choices)
    course = models.ForeignKey("courses.Course", null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=5, choices=Level.choices, blank=True)
    audience = models.CharField(max_length=10, choices=Audience.choices, blank=True)
    note = models.CharField(max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["staff_group", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(course__isnull=False) | ~models.Q(level=""),
                name="checklist_requirement_names_a_course_or_a_level"),
        ]
        permissions = [
            ("view_own_organisation_training",
             "Can see their own organisation's training records against the checklist"),
        ]

    def __str__(self):
        what = self.course.title if self.course_id else f"Level {self.level}"
        return f"{StaffGroup(self.staff_group).label}: {what}"


class TnaRound(models.Model):
    """A training needs analysis round: one questionnaire version (the evaluations engine,
    kind TNA) answered once per organisation by its safeguarding lead."""

    title = models.CharField(max_length=200)
    version = models.ForeignKey("evaluations.QuestionnaireVersion", on_delete=models.PROTECT,
                                related_name="+")
    opens_on = models.DateField()
    closes_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_on__gte=models.F("opens_on")),
                                   name="tna_round_closes_after_it_opens"),
        ]
        permissions = [
            ("answer_tna", "Can answer a training needs analysis for their own organisation"),
            ("view_tna_results", "Can see training needs analysis results"),
        ]

    def __str__(self):
        return self.title


class TnaReturn(models.Model):
    """One organisation's answers to one round (the answers themselves are an
    evaluations.Response of kind TNA, with no request and no course)."""

    round = models.ForeignKey(TnaRound, on_delete=models.CASCADE, related_name="returns")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     related_name="+")
    response = models.OneToOneField("evaluations.Response", on_delete=models.PROTECT,
                                    related_name="tna_return")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["round", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "organisation"],
                                    name="one_tna_return_per_round_and_organisation"),
        ]

    def __str__(self):
        return f"{self.round}: {self.organisation}"
