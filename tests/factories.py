import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from accounts.models import Organisation, Sector, StaffGroup, User
from accounts.roles import Role, group_name
from courses.models import Audience, Category, Course, Format, Length, Level

PASSWORD = "correct-horse-battery-7"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    sector = Sector.STATUTORY
    kind = "Council"


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
