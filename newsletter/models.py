"""The training newsletter: business support's email promoting new events, and who it went
to. Moved out of the courses app (migrations courses 0004, newsletter 0001-0002 keep the rows)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from courses.models import Event


class Newsletter(models.Model):
    """Business support's email promoting new events (DDSCP "regular emails promoting all new
    events"), sent in batches to delegates who opted in, never twice to anyone."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    subject = models.CharField(max_length=200)
    introduction = models.TextField(blank=True)
    events = models.ManyToManyField(Event, related_name="newsletters")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    send_requested_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("send_newsletter", "Can compose and send the newsletter")]

    def __str__(self):
        return self.subject


class NewsletterDelivery(models.Model):
    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["newsletter", "user"], name="newsletter_once_per_person")
        ]
