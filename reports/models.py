from django.conf import settings
from django.db import models
from django.utils import timezone

from core.dates import short_date


class Report(models.Model):
    """A generated report for the LOD Group (quarterly) or the Executive Board (annual)."""

    class Kind(models.TextChoices):
        QUARTERLY = "quarterly", "Quarterly training report (LOD Group)"
        ANNUAL = "annual", "Annual report (LOD Group and Executive Board)"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    file = models.FileField(upload_to="reports/", blank=True)
    generated_at = models.DateTimeField(default=timezone.now)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-period_end", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "period_start"], name="one_report_per_period")
        ]

    def __str__(self):
        period = f"{short_date(self.period_start)} to {short_date(self.period_end)}"
        return f"{self.get_kind_display()} {period}"
