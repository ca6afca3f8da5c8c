"""The resources library (DSPP "additional training resources"). Moved out of the courses app
(migrations courses 0004, resources 0001-0002 keep the rows)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from courses.models import Category


class Resource(models.Model):
    """The DSPP's "additional training resources": leaflets, professional briefings and
    review executive summaries, as a file or a link."""

    class Kind(models.TextChoices):
        LEAFLET = "leaflet", "Leaflet or resource for professionals"
        BRIEFING = "briefing", "Professional briefing"
        REVIEW_SUMMARY = "review_summary", "Case review executive summary"
        OTHER = "other", "Other"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="resources"
    )
    file = models.FileField(upload_to="resources/", blank=True)
    url = models.URLField("link", blank=True)
    public = models.BooleanField(
        "anyone can see it", default=True,
        help_text="Untick to show it to signed-in users only.",
    )
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-published_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(file="") & models.Q(url="")), name="resource_has_file_or_link"
            )
        ]

    def __str__(self):
        return self.title
