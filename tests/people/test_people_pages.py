"""People (issue 11): officers find a person, see everything about them on one page and give
roles there. Everyone else is refused."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role, user_roles
from courses.models import Completion
from tests.factories import BookingFactory, EventFactory, OrganisationFactory, UserFactory


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER)


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def _page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


# Search ------------------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("search", ["Priyanka", "priyanka.zed@", "Little Acorns", "acorns zed"],
                         ids=["first name", "email", "organisation", "two words"])
def test_people_are_found_by_name_email_or_organisation(officer_client, search):
    acorns = OrganisationFactory(name="Little Acorns Nursery")
    UserFactory(first_name="Priyanka", last_name="Zed", email="priyanka.zed@example.org",
                organisation=acorns)
    UserFactory(first_name="Olu", last_name="Other", email="olu@example.org")
    page = _page(officer_client, reverse("accounts:person-list"), q=search)
    assert "priyanka.zed@example.org" in page
    assert "olu@example.org" not in page
    assert "1 person matching" in page


@pytest.mark.django_db
def test_a_search_that_finds_nobody_says_so(officer_client):
    page = _page(officer_client, reverse("accounts:person-list"), q="Nobody-by-this-name")
    assert "Nobody matches “Nobody-by-this-name”" in page


@pytest.mark.django_db
def test_a_search_with_a_nul_byte_or_too_long_is_answered_not_a_500(officer_client):
    url = reverse("accounts:person-list")
    assert officer_client.get(url, {"q": "Pat\x00el"}).status_code == 200
    page = _page(officer_client, url, q="x" * 300)
    assert "Enter a search of 200 characters or fewer" in page


@pytest.mark.django_db
def test_the_people_list_is_paginated_with_bounded_queries(officer_client, officer,
                                                           django_assert_max_num_queries):
    for n in range(30):
        UserFactory(last_name=f"Surname{n:02d}", roles=[Role.DELEGATE, Role.FACILITATOR])
    url = reverse("accounts:person-list")
    with django_assert_max_num_queries(12):
        page = _page(officer_client, url)
    assert "Showing 1 to 25 of 31" in page
    assert "Facilitator (Training Pool)" in page
    page2 = _page(officer_client, url, page=2)
    assert "Showing 26 to 31 of 31" in page2


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.DELEGATE, Role.FACILITATOR, Role.BUSINESS_SUPPORT,
                                  Role.LOD_MEMBER, Role.SAFEGUARDING_LEAD, Role.FINANCE_CONTACT])
def test_nobody_but_an_officer_reaches_people(client, make_user, role):
    someone = UserFactory()
    client.force_login(make_user(role))
    for url in (reverse("accounts:person-list"),
                reverse("accounts:person-detail", args=[someone.pk]),
                reverse("accounts:person-roles", args=[someone.pk])):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("accounts:person-roles", args=[someone.pk]),
                       {"roles": [Role.OFFICER.value]}).status_code == 403
    assert Role.OFFICER not in user_roles(someone)


@pytest.mark.django_db
def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("accounts:person-list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# A person's page -------------------------------------------------------------------------------

@pytest.fixture
def person(db):
    return UserFactory(first_name="Dana", last_name="Delegate", email="dana@example.org",
                       job_title="Family support worker", access_needs="A hearing loop",
                       organisation=OrganisationFactory(name="Derby Family Hub"))


def _section(page, key):
    """The HTML of one section of the person's page, from its heading to the next section."""
    start = page.index(f'id="{key}"')
    end = page.find("<section", start)
    return page[start:end if end != -1 else None]


@pytest.mark.django_db
def test_a_persons_page_shows_profile_roles_bookings_in_groups_and_training_record(
        officer_client, person):
    now = timezone.now()
    BookingFactory(delegate=person, event=EventFactory(course__title="Coming course"))
    BookingFactory(delegate=person, event=EventFactory(course__title="Waiting course"),
                   status="waitlisted", waitlisted_at=now, booked_at=None)
    past = EventFactory(course__title="Past course", start=now - timedelta(days=20))
    BookingFactory(delegate=person, event=past, status="attended")
    # Cancelled, though the event is still to come: its own group, not "past" (issue 12).
    BookingFactory(delegate=person, event=EventFactory(course__title="Cancelled course"),
                   status="cancelled", cancelled_at=now)
    Completion.objects.create(user=person, course=past.course, event=past,
                              completed_on=date(2026, 3, 4), source=Completion.Source.ATTENDANCE)
    person.groups.add(*__import__("django.contrib.auth.models", fromlist=["Group"]).Group
                      .objects.filter(name="Facilitator (Training Pool)"))

    page = _page(officer_client, reverse("accounts:person-detail", args=[person.pk]))
    assert "Family support worker" in page and "Derby Family Hub" in page
    assert "A hearing loop" in page and "dana@example.org" in page
    assert "Facilitator (Training Pool)" in _section(page, "roles")
    assert "Coming course" in _section(page, "upcoming")
    assert "Waiting course" in _section(page, "waiting")
    assert "Number 1 in the queue" in _section(page, "waiting")
    assert "Past course" in _section(page, "past")
    assert "Cancelled course" not in _section(page, "past")
    assert "Cancelled course" in _section(page, "cancelled")
    record = _section(page, "record")
    assert "Past course" in record and "Wed 4 Mar 2026" in record
    assert reverse("courses:person-training-record-export", args=[person.pk, "xlsx"]) in record


@pytest.mark.django_db
def test_an_empty_persons_page_says_what_is_missing(officer_client):
    newcomer = UserFactory(job_title="", organisation=None)
    page = _page(officer_client, reverse("accounts:person-detail", args=[newcomer.pk]))
    assert "No places on events coming up." in page
    assert "Nothing completed yet" in page
    assert ("Their profile is not complete: it needs their job title and organisation before "
            "they can book.") in page
    assert "Delegate only" in page


@pytest.mark.django_db
def test_a_persons_page_for_nobody_is_a_404(officer_client):
    assert officer_client.get(reverse("accounts:person-detail", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_a_persons_page_escapes_what_they_typed(officer_client):
    person = UserFactory(first_name="<script>alert(1)</script>", job_title="<b>boss</b>")
    page = _page(officer_client, reverse("accounts:person-detail", args=[person.pk]))
    assert "<script>alert(1)</script>" not in page and "&lt;b&gt;boss&lt;/b&gt;" in page


@pytest.mark.django_db
def test_a_persons_page_costs_the_same_for_one_booking_or_many(officer_client, person,
                                                                django_assert_max_num_queries):
    now = timezone.now()
    for n in range(25):
        BookingFactory(delegate=person, event=EventFactory(start=now + timedelta(days=n + 2)))
        BookingFactory(delegate=person, status="cancelled", cancelled_at=now)
        course = EventFactory().course
        Completion.objects.create(user=person, course=course, completed_on=date(2026, 1, 1),
                                  source=Completion.Source.RECORDED)
    with django_assert_max_num_queries(24):  # the acting actions included
        page = _page(officer_client, reverse("accounts:person-detail", args=[person.pk]))
    assert "Showing 1 to 10 of 25" in _section(page, "upcoming")
    page2 = _page(officer_client, reverse("accounts:person-detail", args=[person.pk]),
                  upcoming=2)
    assert "Showing 11 to 20 of 25" in _section(page2, "upcoming")


@pytest.mark.django_db
def test_the_page_holds_the_acting_for_a_delegate_actions(officer_client, person, settings):
    page = _page(officer_client, reverse("accounts:person-detail", args=[person.pk]))
    assert 'id="actions"' in page


@pytest.mark.django_db
def test_the_page_stands_without_the_acting_actions(officer_client, person, monkeypatch):
    from accounts import views_people

    monkeypatch.setattr(views_people, "ACTIONS_TEMPLATE", "bookings/acting/not-there.html")
    page = _page(officer_client, reverse("accounts:person-detail", args=[person.pk]))
    assert 'id="actions"' not in page and 'id="profile"' in page


@pytest.mark.django_db
def test_people_is_in_the_officers_menu_only(client, officer, make_user):
    client.force_login(officer)
    assert reverse("accounts:person-list") in _page(client, reverse("accounts:dashboard"))
    client.force_login(make_user(Role.BUSINESS_SUPPORT))
    assert reverse("accounts:person-list") not in _page(client, reverse("accounts:dashboard"))
