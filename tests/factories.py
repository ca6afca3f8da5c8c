from datetime import datetime, timedelta

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Organisation, OrganisationDomain, Sector, StaffGroup, User
from accounts.roles import Role, group_name
from courses.models import (
    Audience,
    Category,
    Course,
    Event,
    EventStatus,
    Format,
    Length,
    Level,
    Venue,
)

PASSWORD = "correct-horse-battery-7"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organisation {n}")
    sector = Sector.STATUTORY
    kind = "Council"

    @factory.post_generation
    def domains(self, create, extracted, **kwargs):
        """OrganisationFactory(domains=["derby.gov.uk"]): delegates at them join at once."""
        for domain in (extracted or []) if create else []:
            OrganisationDomain.objects.get_or_create(organisation=self, domain=domain)


class UserFactory(factory.django.DjangoModelFactory):
    """A delegate with a complete profile and a verified email address."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    job_title = "Social worker"
    organisation = factory.SubFactory(OrganisationFactory)
    staff_group = StaffGroup.GROUP_2
    line_manager_name = "Morgan Manager"
    line_manager_email = factory.Sequence(lambda n: f"manager{n}@example.org")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save()

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.update_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create:
            return
        roles = extracted if extracted is not None else [Role.DELEGATE]
        self.groups.set([Group.objects.get(name=group_name(r)) for r in roles])
        if Role.OFFICER in roles and not self.is_staff:
            self.is_staff = True
            self.save(update_fields=["is_staff"])


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Category {n}")


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"Safeguarding course {n}")
    summary = "What every practitioner needs to know."
    level = Level.LEVEL_2
    audience = Audience.JOINT
    category = factory.SubFactory(CategoryFactory)
    format = Format.VIRTUAL
    length = Length.FULL_DAY


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Training Room {n}")
    address = "Council House, Priory Road, Dudley"
    postcode = "DY1 1HF"
    capacity = 30


def _next_morning(days):
    """09:30 London time, `days` days from today: a whole number of minutes, like real events."""
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime(day.year, day.month, day.day, 9, 30))


class EventFactory(factory.django.DjangoModelFactory):
    """A scheduled event a month ahead, 9:30am to 4:30pm, with 30 places and none taken.
    Pass `start` (and `end` if it is not 7 hours later) for another date; places_taken is
    maintained by the bookings app, so set it after creation when a test needs a full event."""

    class Meta:
        model = Event
        skip_postgeneration_save = True

    course = factory.SubFactory(CourseFactory)
    start = factory.LazyFunction(lambda: _next_morning(30))
    end = factory.LazyAttribute(lambda o: o.start + timedelta(hours=7))
    capacity = 30
    status = EventStatus.SCHEDULED

    @factory.post_generation
    def facilitators(self, create, extracted, **kwargs):
        if create and extracted:
            self.facilitators.set(extracted)


class BookingFactory(factory.django.DjangoModelFactory):
    """A booked place for a delegate of an organisation. It does not touch
    Event.places_taken (the bookings app keeps that count): set it when a test needs it."""

    class Meta:
        model = "bookings.Booking"

    event = factory.SubFactory(EventFactory)
    delegate = factory.SubFactory(UserFactory)
    organisation = factory.LazyAttribute(lambda o: o.delegate.organisation)
    status = "booked"
    booked_at = factory.LazyFunction(timezone.now)
