from datetime import timedelta
import pytest
from django.utils import timezone
from accounts.roles import Role
from evaluations.models import EvaluationRequest, RequestKind
from tests.factories import PASSWORD, BookingFactory, CourseFactory, EventFactory, UserFactory
from tests.helpers import TOTP_SECRET, totp_activate
from tests.e2e.steps import sign_in, sign_in_with_code

pytestmark = pytest.mark.e2e

def test_screens(page, transactional_db):
    now = timezone.now()
    delegate = UserFactory(email="dee@example.org", first_name="Dee", last_name="Delegate", roles=[Role.DELEGATE])
    officer = UserFactory(email="off@example.org", roles=[Role.OFFICER]); totp_activate(officer)
    course = CourseFactory(title="Working Together to Safeguard Children")
    start = now - timedelta(days=12)
    event = EventFactory(course=course, start=start, end=start + timedelta(hours=7))
    fac = UserFactory(first_name="Fran", last_name="Facilitator"); event.facilitators.add(fac)
    for n in range(5):
        d = delegate if n == 0 else UserFactory(first_name=f"Alex{n}", last_name="Morgan")
        b = BookingFactory(event=event, delegate=d, status="attended")
        EvaluationRequest.objects.create(kind=RequestKind.STAGE_1, user=d, course=course, event=event, booking=b,
            due_at=start, requested_at=start + timedelta(hours=8), completed_at=now if n > 2 else None, reminders_sent=1 if n == 1 else 0)
    EvaluationRequest.objects.create(kind=RequestKind.FACILITATOR, user=fac, course=course, event=event, due_at=event.end, requested_at=event.end)
    up = EventFactory(course=CourseFactory(title="Domestic Abuse: Recognising the Signs"))
    b = BookingFactory(event=up, delegate=delegate)
    EvaluationRequest.objects.create(kind=RequestKind.PRE, user=delegate, course=up.course, event=up, booking=b, due_at=now, requested_at=now)
    sign_in(page, "dee@example.org", PASSWORD)
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/bookings/my-training/"); page.screenshot(path=f"/tmp/h1_mytraining_{width}.png", full_page=True)
        page.goto("/evaluations/"); page.screenshot(path=f"/tmp/h1_list_{width}.png", full_page=True)
    page.context.clear_cookies()
    sign_in_with_code(page, "off@example.org", PASSWORD, TOTP_SECRET)
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/evaluations/responses/"); page.screenshot(path=f"/tmp/h1_rates_{width}.png", full_page=True)
        page.goto(f"/evaluations/responses/events/{event.pk}/"); page.screenshot(path=f"/tmp/h1_event_{width}.png", full_page=True)
    page.get_by_role("button", name="Send one more reminder").first.click()
    page.wait_for_load_state()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path="/tmp/h1_reminded.png", full_page=True)
