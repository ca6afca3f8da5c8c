"""Evaluations: one questionnaire engine (versioned), the requests of the evaluation timeline
(DOMAIN.md), anonymous answers, themes, facilitator summaries and certificates.

Who was asked and when lives on EvaluationRequest; what was answered lives on Response and
Answer, which carry no person (Indico's surveys): summaries read answers only, so they cannot
put a name beside an answer by construction."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class QuestionnaireKind(models.TextChoices):
    PRE = "pre", "Pre-course questionnaire"
    POST = "post", "Post-course questionnaire"
    STAGE_1 = "stage_1", "Stage 1 evaluation"
    STAGE_2 = "stage_2", "Stage 2 evaluation"
    FACILITATOR = "facilitator", "Facilitator feedback"
    # Answered by an organisation's safeguarding lead for a training needs analysis round
    # (reports.TnaRound): no request, no course.
    TNA = "tna", "Training needs analysis"


class Questionnaire(models.Model):
    """A questionnaire of one kind: the partnership's default (course empty) or a course's own
    override. Its questions live on versions; the newest version is the one asked."""

    kind = models.CharField(max_length=12, choices=QuestionnaireKind.choices)
    course = models.ForeignKey(
        "courses.Course", null=True, blank=True, on_delete=models.CASCADE,
        related_name="questionnaires",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "course_id"]
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=models.Q(course__isnull=True),
                                    name="one_default_questionnaire_per_kind"),
            models.UniqueConstraint(fields=["kind", "course"],
                                    condition=models.Q(course__isnull=False),
                                    name="one_course_questionnaire_per_kind"),
        ]
        permissions = [
            ("view_evaluation_results", "Can see evaluation results and response rates"),
        ]

    def __str__(self):
        label = QuestionnaireKind(self.kind).label
        return f"{label} ({self.course.title})" if self.course_id else label


class QuestionnaireVersion(models.Model):
    """An immutable set of questions. Editing a questionnaire makes a new version; answers
    keep pointing at the version they answered, so they never change."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE,
                                      related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    introduction = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["questionnaire", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "number"],
                                    name="questionnaire_version_number_unique"),
        ]

    def __str__(self):
        return f"{self.questionnaire}, version {self.number}"


class QuestionType(models.TextChoices):
    RATING = "rating", "Rating scale"
    SINGLE = "single", "Single choice"
    MULTIPLE = "multiple", "Multiple choice"
    TEXT = "text", "Free text"
    # Pre/post only: one rating (same scale) per learning outcome of the course, expanded
    # when the questionnaire is shown; each answer records the outcome it rated.
    OUTCOMES = "outcomes", "Confidence on each learning outcome"


class QuestionnaireQuestion(models.Model):
    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.CASCADE,
                                related_name="questions")
    position = models.PositiveIntegerField(default=0)
    # Stable across versions ("satisfaction", "relevance", "impact_practice"...) so reports
    # and summaries find the same question in every version.
    key = models.SlugField(max_length=60)
    text = models.CharField(max_length=500)
    help_text = models.CharField(max_length=500, blank=True)
    type = models.CharField(max_length=10, choices=QuestionType.choices)
    required = models.BooleanField(default=True)
    scale_max = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="5 or 10 for a rating scale (it runs from 1)."
    )
    scale_min_label = models.CharField(max_length=60, blank=True)
    scale_max_label = models.CharField(max_length=60, blank=True)
    choices = models.JSONField(default=list, blank=True,
                               help_text="The options of a single or multiple choice question.")

    class Meta:
        ordering = ["version", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"],
                                    name="questionnaire_question_key_unique"),
            models.CheckConstraint(
                condition=~models.Q(type__in=["rating", "outcomes"])
                | models.Q(scale_max__in=[5, 10]),
                name="rating_scale_is_5_or_10",
            ),
        ]

    def __str__(self):
        return self.text


class RequestKind(models.TextChoices):
    """What a delegate (or facilitator) is asked for. Stage 1 carries the post-course
    questionnaire with it (DOMAIN.md: "post-course questionnaire ... and Stage 1")."""

    PRE = "pre", "Pre-course questionnaire"
    STAGE_1 = "stage_1", "Post-course questionnaire and Stage 1 evaluation"
    STAGE_2 = "stage_2", "Stage 2 evaluation"
    FACILITATOR = "facilitator", "Facilitator feedback"


class EvaluationRequest(models.Model):
    """One person asked for one evaluation. Due dates live here, so a beat sweep finds what
    is due and queues it through the outbox (purpose key per request), idempotently."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=12, choices=RequestKind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="evaluation_requests")
    course = models.ForeignKey("courses.Course", on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey("courses.Event", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="evaluation_requests")
    booking = models.ForeignKey("bookings.Booking", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="evaluation_requests")
    # An e-learning module's knowledge check passed (no booking, no event).
    completion = models.ForeignKey("courses.Completion", null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="evaluation_requests")
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(db_index=True, help_text="When the request is sent.")
    requested_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    # Stage 2 only: copy the delegate's line manager (a partnership setting), recorded.
    copied_to = models.EmailField(blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "booking"],
                                    condition=models.Q(booking__isnull=False),
                                    name="one_request_per_kind_and_booking"),
            models.UniqueConstraint(fields=["kind", "completion"],
                                    condition=models.Q(completion__isnull=False),
                                    name="one_request_per_kind_and_completion"),
            models.UniqueConstraint(fields=["kind", "event", "user"],
                                    condition=models.Q(kind="facilitator"),
                                    name="one_facilitator_feedback_per_event_and_facilitator"),
        ]
        indexes = [
            models.Index(fields=["user", "completed_at"]),
            models.Index(fields=["event", "kind"]),
            # The sweeps read only open requests (years of answered ones stay in the table):
            # those due to be sent, and those sent and not answered (reminders).
            models.Index(fields=["due_at"], name="evalrequest_due_unsent",
                         condition=models.Q(requested_at__isnull=True, completed_at__isnull=True,
                                            withdrawn_at__isnull=True)),
            models.Index(fields=["requested_at"], name="evalrequest_open",
                         condition=models.Q(requested_at__isnull=False,
                                            completed_at__isnull=True,
                                            withdrawn_at__isnull=True)),
        ]

    def __str__(self):
        return f"{RequestKind(self.kind).label} for {self.user} ({self.course})"

    @property
    def is_open(self):
        return self.completed_at is None and self.withdrawn_at is None


class Response(models.Model):
    """The answers to one questionnaire version, given for one request. No person here:
    summaries read responses and answers only."""

    # Empty only for a training needs analysis return (reports.TnaReturn points here).
    request = models.ForeignKey(EvaluationRequest, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="responses")
    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.PROTECT,
                                related_name="responses")
    kind = models.CharField(max_length=12, choices=QuestionnaireKind.choices)
    course = models.ForeignKey("courses.Course", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey("courses.Event", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            # A second submission of the same questionnaire for the same request is refused.
            models.UniqueConstraint(fields=["request", "kind"],
                                    name="one_response_per_request_and_kind"),
        ]
        indexes = [models.Index(fields=["event", "kind"]), models.Index(fields=["course", "kind"])]

    def __str__(self):
        return f"{QuestionnaireKind(self.kind).label} response {self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(QuestionnaireQuestion, on_delete=models.PROTECT,
                                 related_name="answers")
    # OUTCOMES questions: which learning outcome (index and the words rated).
    outcome_index = models.PositiveSmallIntegerField(null=True, blank=True)
    outcome_text = models.CharField(max_length=500, blank=True)
    value_int = models.PositiveSmallIntegerField(null=True, blank=True)
    value_choices = models.JSONField(default=list, blank=True)
    value_text = models.TextField(blank=True)

    class Meta:
        ordering = ["response", "question__position", "outcome_index", "id"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"],
                                    condition=models.Q(outcome_index__isnull=True),
                                    name="one_answer_per_question"),
            models.UniqueConstraint(fields=["response", "question", "outcome_index"],
                                    condition=models.Q(outcome_index__isnull=False),
                                    name="one_answer_per_question_and_outcome"),
        ]

    def __str__(self):
        return f"Answer to {self.question_id}"


class SummaryReport(models.Model):
    """The facilitator summary of one event, due `summary_report_days_after_event` days after
    it (10: sent on day 10, not day 9). sent_at set under a lock: a second sweep sends nothing."""

    event = models.OneToOneField("courses.Event", on_delete=models.CASCADE,
                                 related_name="summary_report")
    due_on = models.DateField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Summary of {self.event}"


class Theme(models.Model):
    """A theme officers tag Stage 2 answers and session comments with (information sharing,
    professional curiosity, escalation, voice of the child...)."""

    name = models.CharField(max_length=100, unique=True)
    keywords = models.TextField(blank=True, help_text="One keyword or phrase per line.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class SessionComment(models.Model):
    """A comment from a session's chat that an officer pasted in, to be tagged with themes."""

    event = models.ForeignKey("courses.Event", on_delete=models.CASCADE,
                              related_name="session_comments")
    text = models.TextField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                 related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]

    def __str__(self):
        return self.text[:60]


class ThemeTag(models.Model):
    """A theme on a free-text answer or a session comment: suggested from keywords, then
    confirmed (or removed) by an officer. Only confirmed tags count in reports."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="tags")
    answer = models.ForeignKey(Answer, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="theme_tags")
    comment = models.ForeignKey(SessionComment, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="theme_tags")
    suggested = models.BooleanField(default=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(answer__isnull=False, comment__isnull=True)
                           | models.Q(answer__isnull=True, comment__isnull=False)),
                name="theme_tag_on_answer_or_comment",
            ),
            models.UniqueConstraint(fields=["theme", "answer"],
                                    condition=models.Q(answer__isnull=False),
                                    name="one_tag_per_theme_and_answer"),
            models.UniqueConstraint(fields=["theme", "comment"],
                                    condition=models.Q(comment__isnull=False),
                                    name="one_tag_per_theme_and_comment"),
        ]

    def __str__(self):
        return f"{self.theme}"


def certificate_code():
    """A random verification code (Moodle customcert): 12 characters, no look-alikes."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


class Certificate(models.Model):
    """Proof of completion. The public verification page confirms name, course and date for
    a valid code and nothing more; a made-up or revoked code is "not found"."""

    code = models.CharField(max_length=16, unique=True, default=certificate_code)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="certificates")
    course = models.ForeignKey("courses.Course", on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey("courses.Event", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    booking = models.ForeignKey("bookings.Booking", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="certificates")
    completion = models.ForeignKey("courses.Completion", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="certificates")
    # What the certificate says, fixed when issued.
    delegate_name = models.CharField(max_length=300)
    course_title = models.CharField(max_length=200)
    course_level = models.CharField(max_length=40)
    completed_on = models.DateField()
    hours = models.DecimalField(max_digits=5, decimal_places=2)
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+",
                                  help_text="Empty when issued by the evaluation timeline.")
    issue_reason = models.TextField(blank=True, help_text="Why an officer issued it by hand.")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    revoke_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["booking"],
                                    condition=models.Q(booking__isnull=False,
                                                       revoked_at__isnull=True),
                                    name="one_valid_certificate_per_booking"),
            models.UniqueConstraint(fields=["completion"],
                                    condition=models.Q(completion__isnull=False,
                                                       revoked_at__isnull=True),
                                    name="one_valid_certificate_per_completion"),
        ]
        permissions = [("issue_certificate", "Can issue and revoke certificates by hand")]

    def __str__(self):
        return f"Certificate {self.code}"
