from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.text import slugify


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
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            base = slugify(self.title)[:190] or "course"
            slug, n = base, 2
            while Course.objects.filter(slug=slug).exclude(pk=self.pk).exists():
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
