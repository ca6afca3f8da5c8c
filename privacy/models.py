from django.conf import settings
from django.db import models
from django.utils import timezone


class DeletionRequest(models.Model):
    """A person's request that their account be deleted (UK GDPR art. 17), carried out by an
    officer as anonymisation (privacy.anonymise). As pretix's data shredder, the officer first
    downloads the person's data; the export's fingerprint is kept, and the deletion is refused
    if anything about the person changed since."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for the training team"
        DONE = "done", "Deleted"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="deletion_requests")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    requested_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The person themselves, or an officer recording a request made by phone or letter.
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    exported_at = models.DateTimeField(null=True, blank=True)
    exported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    export_fingerprint = models.CharField(max_length=128, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=models.Q(status="open"),
                                    name="one_open_deletion_request_per_user"),
        ]
        indexes = [models.Index(fields=["status", "requested_at"])]

    def __str__(self):
        return f"Deletion request {self.pk} ({self.get_status_display().lower()})"
