"""The evaluation timeline in Chromium (issue 9): a delegate books and answers the pre-course
questionnaire from its email; once marked attended, the post-course questionnaire with the
Stage 1 evaluation; Stage 2 when it falls due (the sweeps are run with a `now` in the future
rather than waited for); the certificate then arrives and is downloaded from My training, and
the public verification page confirms it. The facilitator gives her feedback and opens the
event's summary: distributions and comments, no names. axe-core finds nothing on the
questionnaire (with and without errors), the summary and the verification pages."""

import re
import subprocess
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from bookings.models import Booking
from bookings.services import attendance_mark
from core.models import Partnership
from courses.models import Event, Format, TrainingPoolMembership
from evaluations.models import Certificate, EvaluationRequest, RequestKind
from evaluations.services.requests import evaluation_requests_send
from evaluations.services.summaries import summary_reports_send
from tests.factories import (
    PASSWORD,
    BookingFactory,
    CourseFactory,
    EventFactory,
    UserFactory,
    VenueFactory,
)
from tests.helpers import totp_activate

from .steps import expect_path, link_in, sign_in, sign_out

pytestmark = pytest.mark.e2e
axe = Axe()
SCREENSHOTS = settings.BASE_DIR / "tests" / "e2e" / "artifacts"
OUTCOMES = ["Recognise the signs of child exploitation",
            "Share information with the right partners",
            "Respond to a child as a victim, not an offender"]


def assert_no_violations(page):
    results = axe.run(page)
    assert results.violations_count == 0, (
        f"axe found {results.violations_count} violation(s) on {page.url}:\n"
        + results.generate_report())


def screenshot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"evaluation-{name}.png"), full_page=True)


def signed_in_staff(page, live_server, user):
    """Staff sign in with an authenticator code (tests/e2e/test_staff_mfa.py walks that); here
    the session is made directly, so the test is about the summary, not the login."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        totp_activate(user)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value,
                               "url": live_server.url}])


def the_email(mailoutbox, *, to, subject):
    found = [m for m in mailoutbox if to in m.to and re.search(subject, m.subject, re.I)]
    assert found, (f"no email to {to} matching {subject!r}; sent: "
                   + "; ".join(f"{m.to} {m.subject}" for m in mailoutbox))
    return found[-1]


def answer_everything(page, *, rating, words):
    """Every rating scale at `rating`, every free-text box with `words`, then send."""
    main = page.locator("main")
    names = main.locator("input[type=radio]").evaluate_all(
        "inputs => [...new Set(inputs.map(i => i.name))]")
    assert names, "no rating scale on the questionnaire"
    for name in names:
        option = main.locator(f"input[type=radio][name='{name}'][value='{rating}']")
        option.check()
    for box in main.locator("textarea").all():
        box.fill(words)
    main.get_by_role("button", name="Send your answers").click()
    page.wait_for_load_state()


def answered_by_service(request, *, rating, words):
    """Another delegate answers every questionnaire of their request (not the browser's
    business here: they make the summary big enough to show distributions and comments)."""
    from evaluations.forms import field_name
    from evaluations.policies import REQUEST_QUESTIONNAIRES
    from evaluations.selectors.questionnaires import questionnaire_version_for
    from evaluations.services.responses import response_submit

    data = {}
    for kind in REQUEST_QUESTIONNAIRES[RequestKind(request.kind)]:
        version = questionnaire_version_for(kind=kind, course=request.course)
        data[f"{kind}-version_id"] = str(version.pk)
        for question in version.questions.all():
            if question.type == "outcomes":
                for index in range(len(request.course.learning_outcomes)):
                    data[f"{kind}-{field_name(question, index)}"] = str(rating)
            elif question.type == "rating":
                data[f"{kind}-{field_name(question)}"] = str(rating)
            else:
                data[f"{kind}-{field_name(question)}"] = words
    response_submit(request=request, user=request.user, data=data, now=timezone.now())


def pdf_words(path):
    result = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                            check=True, timeout=60)
    return " ".join(result.stdout.decode().split())


def test_a_delegate_answers_every_stage_and_downloads_the_certificate(page, live_server,
                                                                     mailoutbox, tmp_path):
    partnership = Partnership.load()
    assert partnership.certificate_trigger == "stage_2"
    facilitator = UserFactory(first_name="Fiona", last_name="Facilitator",
                              email="fiona@partnership.example", roles=[Role.FACILITATOR])
    course = CourseFactory(title="Child Exploitation: Multi-Agency Response", level="3",
                           format=Format.CLASSROOM, learning_outcomes=OUTCOMES)
    TrainingPoolMembership.objects.create(facilitator=facilitator, course=course)
    start = (timezone.now() + timedelta(days=14)).replace(microsecond=0)
    event = EventFactory(course=course, venue=VenueFactory(name="Dudley Council House"),
                         start=start, end=start + timedelta(hours=7), facilitators=[facilitator])
    ann = UserFactory(first_name="Ann", last_name="Archer", email="ann@example.org")

    # Ann books a place: the pre-course questionnaire is asked at once, by email.
    sign_in(page, ann.email, PASSWORD)
    page.goto(f"/courses/events/{event.pk}/")
    page.locator("main section[aria-labelledby=booking-panel-title]").get_by_role(
        "button", name="Book a place").click()
    page.wait_for_load_state()
    booking = Booking.objects.get(event=event, delegate=ann)
    evaluation_requests_send(now=timezone.now())
    email = the_email(mailoutbox, to=ann.email, subject="Before your course")
    page.goto(link_in(email, "/evaluations/"))
    expect(page.locator("h1")).to_have_text(re.compile("Pre-course questionnaire"))
    for outcome in OUTCOMES:
        expect(page.locator("main").get_by_role("group", name=outcome)).to_be_visible()
    assert_no_violations(page)
    screenshot(page, "pre-course")
    answer_everything(page, rating="2", words="")
    assert EvaluationRequest.objects.get(booking=booking, kind=RequestKind.PRE).completed_at

    # The course takes place (moved to today, rather than waited for) and Fiona marks Ann
    # attended: the post-course questionnaire and Stage 1 come by email.
    day_start = timezone.now() - timedelta(hours=8)
    Event.objects.filter(pk=event.pk).update(start=day_start,
                                             end=day_start + timedelta(hours=7))
    event.refresh_from_db()
    attendance_mark(booking=booking, by=facilitator, outcome="attended", now=timezone.now())
    # Two colleagues attended too, and answer on their own (so the summary has 3 answers).
    colleagues = {}
    for first, last, rating, words in (("Bea", "Baker", 3, "Check the screening tool first."),
                                       ("Cal", "Cole", 5, "The case study hit home.")):
        person = UserFactory(first_name=first, last_name=last)
        place = BookingFactory(event=event, delegate=person)
        attendance_mark(booking=place, by=facilitator, outcome="attended", now=timezone.now())
        colleagues[f"{first} {last}"] = words
        answered_by_service(EvaluationRequest.objects.get(booking=place,
                                                          kind=RequestKind.STAGE_1),
                            rating=rating, words=words)
    evaluation_requests_send(now=timezone.now())
    email = the_email(mailoutbox, to=ann.email, subject="Stage 1")
    page.goto(link_in(email, "/evaluations/"))
    main = page.locator("main")
    expect(main.get_by_role("heading", name="Post-course questionnaire",
                            exact=True)).to_be_visible()
    expect(main.get_by_role("heading", name="Stage 1 evaluation", exact=True)).to_be_visible()
    # Sending nothing first: the page says what is missing, and nothing is saved.
    main.get_by_role("button", name="Send your answers").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("There is a problem")
    assert_no_violations(page)  # the questionnaire with its errors
    answer_everything(page, rating="4", words="Share information with the police sooner.")
    stage_1 = EvaluationRequest.objects.get(booking=booking, kind=RequestKind.STAGE_1)
    assert stage_1.completed_at is not None
    assert not Certificate.objects.exists()  # the certificate waits for Stage 2

    # Stage 2 falls due stage_2_days_after_stage_1 days after Stage 1 was completed: the
    # sweep is run as on that day.
    stage_2 = EvaluationRequest.objects.get(booking=booking, kind=RequestKind.STAGE_2)
    evaluation_requests_send(now=stage_2.due_at + timedelta(minutes=1))
    email = the_email(mailoutbox, to=ann.email, subject="Stage 2")
    page.goto(link_in(email, "/evaluations/"))
    expect(page.locator("h1")).to_have_text(re.compile("Stage 2 evaluation"))
    answer_everything(page, rating="5", words="I escalated a concern to the exploitation hub.")

    # The certificate: emailed with the PDF, and in the training record on My training.
    certificate = Certificate.objects.get(booking=booking)
    email = the_email(mailoutbox, to=ann.email, subject="Your certificate")
    assert email.attachments[0][0] == f"certificate-{certificate.code}.pdf"
    page.goto("/bookings/my-training/")
    link = page.locator("main").get_by_role("link", name=re.compile(
        r"Child Exploitation: Multi-Agency Response, .* certificate \(PDF\)"))
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / "certificate.pdf"
    download.value.save_as(saved)
    words = pdf_words(saved)
    assert "Ann Archer" in words and "Child Exploitation: Multi-Agency Response" in words
    assert certificate.code in words and "Level 3" in words and "7 hours" in words
    sign_out(page)

    # Anyone checks the code on the public verification page.
    page.goto("/")
    page.locator("footer").get_by_role("link", name="Check a certificate").click()
    assert_no_violations(page)
    page.locator("main").get_by_label("Verification code").fill(
        certificate.code[:6].lower() + " " + certificate.code[6:])
    page.locator("main").get_by_role("button", name="Check the certificate").click()
    expect(page.locator("h1")).to_have_text("Certificate verified")
    expect(page.locator("main")).to_contain_text("Ann Archer")
    expect(page.locator("main")).to_contain_text("Child Exploitation: Multi-Agency Response")
    assert "ann@example.org" not in page.locator("main").inner_text()
    assert_no_violations(page)
    screenshot(page, "certificate-verified")
    page.goto("/evaluations/certificates/verify/ABCDEFGHJKLM/")
    expect(page.locator("h1")).to_have_text("Certificate not found")
    assert_no_violations(page)

    # The facilitator summary goes out on its day; Fiona opens it on the site.
    summary_reports_send(now=event.end + timedelta(
        days=partnership.summary_report_days_after_event, hours=1))
    the_email(mailoutbox, to=facilitator.email, subject="summary")
    signed_in_staff(page, live_server, facilitator)
    # Her own feedback on the session was asked at the end of the event.
    page.goto(link_in(the_email(mailoutbox, to=facilitator.email, subject="Facilitator feedback"),
                      "/evaluations/"))
    expect(page.locator("h1")).to_have_text(re.compile("Facilitator feedback"))
    answer_everything(page, rating="4", words="More time for the disruption exercise.")
    page.goto(f"/evaluations/events/{event.pk}/summary/")
    expect_path(page, f"/evaluations/events/{event.pk}/summary/")
    main = page.locator("main")
    expect(main).to_contain_text("Child Exploitation: Multi-Agency Response")
    expect(main).to_contain_text("3 delegates have answered the Stage 1 evaluation")
    for name, words in colleagues.items():
        expect(main).to_contain_text(words)  # the comment, without the name beside it
        expect(main).not_to_contain_text(name)
    expect(main).not_to_contain_text("Ann Archer")
    expect(main).to_contain_text("More time for the disruption exercise.")
    assert_no_violations(page)
    screenshot(page, "summary")
