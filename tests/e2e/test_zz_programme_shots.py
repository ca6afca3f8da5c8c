import pytest
from datetime import timedelta
from django.conf import settings
from django.test import Client
from django.utils import timezone
from axe_playwright_python.sync_playwright import Axe
from accounts.roles import Role
from courses.models import TrainingPoolMembership, Format, Event
from tests.factories import UserFactory, CourseFactory, EventFactory, VenueFactory, BookingFactory, OrganisationFactory
from tests.helpers import totp_activate

pytestmark = pytest.mark.e2e
axe = Axe()

def signed_in(page, live_server, user):
    client = Client(); client.force_login(user)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}])

def test_shots(page, live_server):
    officer = UserFactory(roles=[Role.OFFICER], first_name="Olive", last_name="Officer"); totp_activate(officer)
    fac = UserFactory(roles=[Role.FACILITATOR], first_name="Priya", last_name="Pool"); totp_activate(fac)
    UserFactory(roles=[Role.FACILITATOR], first_name="Oscar", last_name="Outside")
    c = CourseFactory(title="Neglect: level 2", format=Format.CLASSROOM)
    TrainingPoolMembership.objects.create(course=c, facilitator=fac)
    v = VenueFactory(name="Dudley Council House, Room 4", capacity=24)
    start = timezone.now().replace(hour=9, minute=30) + timedelta(days=3)
    e = EventFactory(course=c, venue=v, capacity=24, facilitators=[fac], officer=officer, start=start, prep_meeting_at=start - timedelta(days=2))
    e2 = EventFactory(course=CourseFactory(title="Working Together", format=Format.VIRTUAL), joining_link="https://teams.example/j/1", facilitators=[fac], start=start + timedelta(days=1))
    org = OrganisationFactory(name="Little Acorns Nursery")
    BookingFactory(event=e, delegate=UserFactory(first_name="Ann", last_name="Able", organisation=org, access_needs="Step-free access; I use a wheelchair."))
    BookingFactory(event=e, delegate=UserFactory(first_name="Bo", last_name="Baker"), access_needs="BSL interpreter")
    Event.objects.filter(pk=e.pk).update(places_taken=2)
    signed_in(page, live_server, officer)
    out = {}
    for name, path in [("course-list", "/courses/manage/courses/"), ("course-form", f"/courses/manage/courses/{c.pk}/edit/"),
                       ("course-create", "/courses/manage/courses/new/"),
                       ("pool", f"/courses/manage/courses/{c.pk}/training-pool/"), ("venues", "/courses/manage/venues/"),
                       ("venue-form", f"/courses/manage/venues/{v.pk}/edit/"), ("cancel", f"/courses/manage/events/{e.pk}/cancel/"),
                       ("duplicate", f"/courses/manage/events/{e.pk}/duplicate/"), ("events", "/courses/manage/events/"),
                       ("choose", "/courses/manage/events/new/"), ("calendar", f"/courses/manage/events/calendar/?month={start:%Y-%m}"),
                       ("edit", f"/courses/manage/events/{e.pk}/edit/")]:
        page.goto(path)
        page.screenshot(path=f"/tmp/programme_shots/o-{name}.png", full_page=True)
        out[name] = axe.run(page).violations_count
    page.context.clear_cookies()
    signed_in(page, live_server, fac)
    for name, path in [("fac-list", "/bookings/facilitator/events/"), ("fac-detail", f"/bookings/facilitator/events/{e.pk}/")]:
        page.goto(path)
        page.screenshot(path=f"/tmp/programme_shots/f-{name}.png", full_page=True)
        out[name] = axe.run(page).violations_count
    print(out)
    assert not any(out.values()), out
