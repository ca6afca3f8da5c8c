from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.text import slugify

from core.dates import clock, short_date


class Level(models.TextChoices):
    LEVEL_1 = "1", "Level 1"
    LEVEL_2 = "2", "Level 2"
    LEVEL_3 = "3", "Level 3"
    ALL = "all", "All levels"


class Audience(models.TextChoices):
    CHILDREN = "children", "Children"
    ADULTS = "adults", "Adults"
    JOINT = "joint", "Joint (children and adults)"


class Format(models.TextChoices):
    E_LEARNING = "e_learning", "E-learning"
    VIRTUAL = "virtual", "Virtual live event"
    CLASSROOM = "classroom", "Classroom"
    CONFERENCE = "conference", "Conference"


class Length(models.TextChoices):
    FULL_DAY = "full_day", "Full day"
    HALF_DAY = "half_day", "Half day or less"


class CourseStatus(models.TextChoices):
    LIVE = "live", "Live"
    COMING_SOON = "coming_soon", "Coming soon"


class Category(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:200]
        super().save(*args, **kwargs)


# First path segments under /courses/ that belong to other pages: a course page at
# /courses/<slug>/ must never take one of them.
RESERVED_COURSE_SLUGS = frozenset({
    "manage", "events", "resources", "my-record", "newsletters", "training-pool", "calendar-ics",
})


class Course(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    learning_outcomes = models.JSONField(default=list, blank=True)
    level = models.CharField(max_length=5, choices=Level.choices)
    audience = models.CharField(max_length=10, choices=Audience.choices)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="courses"
    )
    format = models.CharField(max_length=12, choices=Format.choices)
    length = models.CharField(max_length=10, choices=Length.choices, default=Length.FULL_DAY)
    status = models.CharField(max_length=12, choices=CourseStatus.choices, default=CourseStatus.LIVE)
    expected = models.CharField(
        "expected", max_length=40, blank=True,
        help_text='For a course coming soon: a date or month as you would say it, e.g. '
        '"26/06/2020", "August 2020", "Imminent", "TBC".',
    )
    prerequisites = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="required_for",
        help_text="Courses (usually e-learning modules) a delegate must complete before booking "
        "this one, e.g. the child exploitation e-learning before a level 3 course.",
    )
    refresher_years = models.PositiveSmallIntegerField(
        null=True, blank=True,
        help_text="Years before this training falls due again; empty uses the partnership's "
        "setting (3 years).",
    )
    last_reviewed = models.DateField(
        "content last reviewed", null=True, blank=True,
        help_text="The content of every course is reviewed at least annually (DSPP).",
    )
    # E-learning: a module is an external link or content written on the site, followed by
    # a short knowledge check with a pass mark.
    module_url = models.URLField("link to the e-learning module", blank=True)
    module_content = models.TextField("e-learning content", blank=True)
    pass_mark = models.PositiveSmallIntegerField(
        "knowledge check pass mark (%)", default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    @property
    def is_e_learning(self):
        return self.format == Format.E_LEARNING

    def save(self, *args, **kwargs):
        if not self.slug:
            base = slugify(self.title)[:190] or "course"
            slug, n = base, 2
            while slug in RESERVED_COURSE_SLUGS or (
                Course.objects.filter(slug=slug).exclude(pk=self.pk).exists()
            ):
                slug, n = f"{base}-{n}", n + 1
            self.slug = slug
        super().save(*args, **kwargs)


class TrainingPoolMembership(models.Model):
    """Which facilitator of the Training Pool may deliver which course."""

    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_pool"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="training_pool")
    since = models.DateField(default=timezone.localdate)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["facilitator", "course"], name="pool_member_once")
        ]
        permissions = [("facilitate", "Can deliver training as a member of the Training Pool")]

    def __str__(self):
        return f"{self.facilitator} – {self.course}"


class Venue(models.Model):
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    capacity = models.PositiveIntegerField(
        "room capacity", validators=[MinValueValidator(1)],
        help_text="The most people the room holds: a classroom event cannot have more places.",
    )
    access_information = models.TextField(
        blank=True, help_text="Step-free access, hearing loop, parking, public transport."
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"
    COMPLETED = "completed", "Completed"


class Event(models.Model):
    """One dated delivery of a course."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="events")
    start = models.DateTimeField(db_index=True)
    end = models.DateTimeField()
    venue = models.ForeignKey(
        Venue, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    joining_link = models.URLField(
        "online joining link", blank=True,
        help_text="Released to booked delegates only.",
    )
    capacity = models.PositiveIntegerField("places", validators=[MinValueValidator(1)])
    # Maintained by the bookings app under a row lock; the constraint below is the backstop
    # that makes overbooking impossible whatever the code does.
    places_taken = models.PositiveIntegerField(default=0, editable=False)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="facilitated_events"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="supported_events", verbose_name="L&D officer",
    )
    prep_meeting_at = models.DateTimeField("prep meeting", null=True, blank=True)
    notes_for_delegates = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=EventStatus.choices, default=EventStatus.SCHEDULED, db_index=True
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")),
                                   name="event_ends_after_start"),
            models.CheckConstraint(condition=models.Q(capacity__gte=1),
                                   name="event_capacity_positive"),
            models.CheckConstraint(condition=models.Q(places_taken__lte=models.F("capacity")),
                                   name="event_never_overbooked"),
        ]
        # The catalogue and the reminder sweeps (scheduled, starting between two moments);
        # the sweeps of events that ended (completion, summaries, facilitator feedback).
        indexes = [models.Index(fields=["status", "start"], name="event_status_start"),
                   models.Index(fields=["end"], name="event_end")]

    def __str__(self):
        return f"{self.course.title}, {short_date(self.start)}, {clock(self.start)}"

    @property
    def places_left(self):
        return max(self.capacity - self.places_taken, 0)

    @property
    def is_online(self):
        return self.course.format in (Format.VIRTUAL,) or (not self.venue_id and bool(self.joining_link))


class Completion(models.Model):
    """A line of a delegate's training record: a course completed (an e-learning module's
    knowledge check passed, or an event attended)."""

    class Source(models.TextChoices):
        E_LEARNING = "e_learning", "E-learning knowledge check passed"
        ATTENDANCE = "attendance", "Attended the event"
        RECORDED = "recorded", "Recorded by the training team"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="completions"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="completions")
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="completions")
    completed_on = models.DateField()
    source = models.CharField(max_length=12, choices=Source.choices)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The refresher reminder (Partnership.refresher_reminder_days before it falls due) goes
    # once per completion: the sweep checks this under a row lock.
    refresher_reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-completed_on", "-id"]
        indexes = [models.Index(fields=["user", "course"])]

    def __str__(self):
        return f"{self.user} completed {self.course} on {short_date(self.completed_on)}"


class Question(models.Model):
    """A multiple-choice question of an e-learning module's knowledge check."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(max_length=500)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.text


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=300)
    correct = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.text


class KnowledgeCheckAttempt(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="knowledge_checks"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="attempts")
    score = models.PositiveSmallIntegerField()
    passed = models.BooleanField()
    answers = models.JSONField(default=dict)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]
