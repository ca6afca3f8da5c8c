"""Certificates (issue 9): issued per the partnership's certificate_trigger, once per booking,
emailed with the PDF (read back with pdftotext), verified on a public page that confirms
name, course and date and nothing more; made-up and revoked codes are "not found" alike;
officers issue by hand and revoke, with a reason; nobody else can."""

import re
import subprocess
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from bookings.models import BookingStatus
from core.dates import short_date
from core.exceptions import DomainError
from core.models import AuditEntry, OutgoingEmail, Partnership
from courses.models import Completion, Format, Length
from evaluations.models import Certificate, EvaluationRequest, RequestKind
from evaluations.services.certificates import (
    certificate_hours,
    certificate_issue,
    certificate_issue_by_officer,
    certificate_revoke,
)
from tests.factories import BookingFactory, CourseFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def pdf_text(content, tmp_path):
    assert content.startswith(b"%PDF")
    path = tmp_path / "certificate.pdf"
    path.write_bytes(content)
    result = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                            check=True, timeout=60)
    return " ".join(result.stdout.decode().split())


def text(response):
    body = re.sub(r"<script.*?</script>|<style.*?</style>", " ", response.content.decode(),
                  flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def set_trigger(value):
    Partnership.objects.filter(pk=Partnership.load().pk).update(certificate_trigger=value)


@pytest.fixture
def attended(db):
    """Ann Archer attended Working Together (level 2) on a past day, 9:30am to 4:30pm."""
    delegate = UserFactory(first_name="Ann", last_name="Archer", email="ann@council.example",
                           roles=[Role.DELEGATE])
    start = timezone.now() - timedelta(days=70)
    event = EventFactory(course=CourseFactory(title="Working Together to Safeguard Children",
                                              level="2"),
                         start=start, end=start + timedelta(hours=7))
    return BookingFactory(event=event, delegate=delegate, status=BookingStatus.ATTENDED)


def request_for(booking, kind, *, completed=True):
    now = timezone.now()
    return EvaluationRequest.objects.create(
        kind=kind, user=booking.delegate, course=booking.event.course, event=booking.event,
        booking=booking, due_at=now - timedelta(days=1), requested_at=now - timedelta(days=1),
        completed_at=now if completed else None)


# The trigger ---------------------------------------------------------------------------------

def test_stage_2_completed_issues_the_certificate_and_emails_the_pdf(attended, tmp_path):
    now = timezone.now()
    assert certificate_issue(request=request_for(attended, RequestKind.STAGE_1), now=now) is None
    assert not Certificate.objects.exists()

    certificate = certificate_issue(request=request_for(attended, RequestKind.STAGE_2), now=now)

    assert certificate.delegate_name == "Ann Archer"
    assert certificate.course_title == "Working Together to Safeguard Children"
    assert certificate.course_level == "Level 2"
    assert certificate.hours == Decimal("7.00")
    assert certificate.completed_on == timezone.localdate(attended.event.start)
    [email] = [m for m in mail.outbox if "certificate" in m.subject.lower()]
    assert email.to == ["ann@council.example"]
    assert email.subject == "Your certificate: Working Together to Safeguard Children"
    [(filename, content, mimetype)] = email.attachments
    assert filename == f"certificate-{certificate.code}.pdf" and mimetype == "application/pdf"
    words = pdf_text(content, tmp_path)
    assert "Ann Archer" in words and "Working Together to Safeguard Children" in words
    assert certificate.code in words and "Level 2" in words and "7 hours" in words
    assert Partnership.load().name in words
    assert timezone.localdate(attended.event.start).strftime("%-d %B %Y") in words
    assert AuditEntry.objects.filter(action="certificate.issued",
                                     target_id=str(certificate.pk)).exists()


def test_the_email_has_text_and_html_and_a_pdf_that_cannot_be_drawn_loses_nothing(
        attended, monkeypatch):
    def broken(**kwargs):
        raise OSError("no fonts today")

    monkeypatch.setattr("evaluations.pdf.certificate_pdf", broken)
    certificate = certificate_issue(request=request_for(attended, RequestKind.STAGE_2),
                                    now=timezone.now())
    assert Certificate.objects.filter(pk=certificate.pk, revoked_at__isnull=True).exists()
    [email] = [m for m in mail.outbox if "certificate" in m.subject.lower()]
    assert email.attachments == []
    assert "download it from My training" in email.body and certificate.code in email.body
    [html] = [c for c, mimetype in email.alternatives if mimetype == "text/html"]
    assert "ready to download from your training record" in html and "<html" in html


def test_with_the_stage_1_setting_stage_1_issues_it_and_stage_2_does_not(attended):
    set_trigger("stage_1")
    now = timezone.now()
    first = certificate_issue(request=request_for(attended, RequestKind.STAGE_1), now=now)
    assert first is not None
    # Stage 2 later gives nothing new: the trigger was Stage 1, and one per booking.
    assert certificate_issue(request=request_for(attended, RequestKind.STAGE_2), now=now) == first
    assert Certificate.objects.count() == 1


def test_issuing_twice_gives_the_same_certificate_and_one_email(attended):
    request = request_for(attended, RequestKind.STAGE_2)
    first = certificate_issue(request=request, now=timezone.now())
    second = certificate_issue(request=request, now=timezone.now())
    assert first == second and Certificate.objects.count() == 1
    assert OutgoingEmail.objects.filter(purpose__startswith="certificate:").count() == 1


def test_no_certificate_for_a_booking_not_attended_nor_for_facilitator_feedback(attended):
    attended.status = BookingStatus.NO_SHOW
    attended.save(update_fields=["status"])
    assert certificate_issue(request=request_for(attended, RequestKind.STAGE_2),
                             now=timezone.now()) is None
    assert certificate_issue(request=request_for(attended, RequestKind.FACILITATOR),
                             now=timezone.now()) is None
    assert not Certificate.objects.exists()


def test_an_e_learning_certificate_takes_the_completion_date_and_the_course_length():
    delegate = UserFactory(first_name="Bea", last_name="Bell")
    module = CourseFactory(title="Child Exploitation e-learning", format=Format.E_LEARNING,
                           length=Length.HALF_DAY, level="1")
    completion = Completion.objects.create(user=delegate, course=module,
                                           completed_on=timezone.localdate() - timedelta(days=3),
                                           source=Completion.Source.E_LEARNING)
    request = EvaluationRequest.objects.create(
        kind=RequestKind.STAGE_2, user=delegate, course=module, completion=completion,
        due_at=timezone.now(), completed_at=timezone.now())
    certificate = certificate_issue(request=request, now=timezone.now())
    assert certificate.completed_on == completion.completed_on
    assert certificate.hours == Decimal("3") and certificate.completion == completion


@pytest.mark.parametrize(("minutes", "hours"), [(420, "7"), (195, "3.25"), (200, "3.25"),
                                                 (203, "3.5"), (5, "0.25")],
                         ids=["full-day", "quarter", "rounds-down", "rounds-up", "at-least"])
def test_hours_are_the_event_length_to_the_nearest_quarter(minutes, hours):
    start = timezone.now()
    event = EventFactory.build(start=start, end=start + timedelta(minutes=minutes))
    assert certificate_hours(event=event) == Decimal(hours)


# Verification --------------------------------------------------------------------------------

def verify(client, code):
    return client.get(reverse("evaluations:certificate-verify-code", kwargs={"code": code}))


def test_the_verification_page_confirms_name_course_and_date_and_nothing_more(client, attended):
    certificate = certificate_issue(request=request_for(attended, RequestKind.STAGE_2),
                                    now=timezone.now())
    response = verify(client, certificate.code)
    assert response.status_code == 200
    page = text(response)
    assert "Certificate verified" in page
    assert "Ann Archer" in page and "Working Together to Safeguard Children" in page
    assert timezone.localdate(attended.event.start).strftime("%-d %B %Y") in page
    assert "ann@council.example" not in page and "Level 2" not in page
    assert attended.organisation.name not in page


def test_the_code_form_accepts_spaces_dashes_and_lower_case(client, attended):
    certificate = certificate_issue(request=request_for(attended, RequestKind.STAGE_2),
                                    now=timezone.now())
    typed = f"{certificate.code[:4].lower()} {certificate.code[4:8]}-{certificate.code[8:]}"
    response = client.get(reverse("evaluations:certificate-verify"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == reverse("evaluations:certificate-verify-code",
                                           kwargs={"code": certificate.code})


def test_a_made_up_and_a_revoked_code_get_the_same_not_found(client, attended, make_user):
    officer = make_user(Role.OFFICER)
    certificate = certificate_issue(request=request_for(attended, RequestKind.STAGE_2),
                                    now=timezone.now())
    certificate_revoke(certificate=certificate, by=officer, reason="Issued in error",
                       now=timezone.now())

    made_up, revoked = verify(client, "ABCDEFGHJKLM"), verify(client, certificate.code)

    assert made_up.status_code == revoked.status_code == 404
    assert "Certificate not found" in text(made_up)
    assert text(made_up) == text(revoked)
    assert "Ann Archer" not in text(revoked) and "revoked" not in text(revoked).lower()


def test_a_code_that_is_not_a_code_is_a_clear_message(client):
    response = client.get(reverse("evaluations:certificate-verify"), {"code": "<script>"})
    assert response.status_code == 200
    assert "Enter the verification code as it is printed on the certificate" in text(response)


def test_guessing_codes_is_stopped_after_twenty_misses(client, attended):
    certificate = certificate_issue(request=request_for(attended, RequestKind.STAGE_2),
                                    now=timezone.now())
    for n in range(20):
        assert verify(client, f"ABCDEFGH{n:04d}").status_code == 404
    assert verify(client, "ABCDEFGHJKLM").status_code == 429
    assert verify(client, certificate.code).status_code == 429


# Downloads and My training -------------------------------------------------------------------

def test_the_delegate_downloads_their_own_certificate_and_not_anothers(client, attended,
                                                                        tmp_path):
    certificate = certificate_issue(request=request_for(attended, RequestKind.STAGE_2),
                                    now=timezone.now())
    url = reverse("evaluations:certificate-download", kwargs={"code": certificate.code})
    client.force_login(UserFactory(roles=[Role.DELEGATE]))
    assert client.get(url).status_code == 404

    client.force_login(attended.delegate)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "Ann Archer" in pdf_text(response.content, tmp_path)

    page = text(client.get(reverse("bookings:my-training")))
    assert (f"Working Together to Safeguard Children, "
            f"{short_date(certificate.completed_on)} certificate (PDF)") in page
    assert f"verification code {certificate.code}" in page


def test_a_revoked_certificate_leaves_my_training_and_cannot_be_downloaded(client, attended,
                                                                           make_user):
    certificate = certificate_issue(request=request_for(attended, RequestKind.STAGE_2),
                                    now=timezone.now())
    certificate_revoke(certificate=certificate, by=make_user(Role.OFFICER), reason="Error",
                       now=timezone.now())
    url = reverse("evaluations:certificate-download", kwargs={"code": certificate.code})
    client.force_login(attended.delegate)
    assert certificate.code not in text(client.get(reverse("bookings:my-training")))
    assert client.get(url).status_code == 404
    # Nor by an officer: a revoked certificate's PDF would look genuine.
    client.force_login(make_user(Role.OFFICER))
    assert client.get(url).status_code == 404
    assert "Revoked" in text(client.get(reverse("evaluations:certificate-list")))


# Officers: by hand, revoke -------------------------------------------------------------------

def test_an_officer_issues_one_by_hand_with_a_reason(client, attended, make_user):
    officer = make_user(Role.OFFICER)
    client.force_login(officer)
    url = reverse("evaluations:certificate-issue")
    page = text(client.get(url, {"delegate": "ANN@council.example"}))
    assert "Working Together to Safeguard Children, attended" in page

    refused = client.post(f"{url}?delegate=ann@council.example",
                          {"training": f"b{attended.pk}", "reason": "  "})
    assert "Enter why you are issuing this certificate by hand." in text(refused)
    assert not Certificate.objects.exists()

    response = client.post(f"{url}?delegate=ann@council.example",
                           {"training": f"b{attended.pk}",
                            "reason": "Stage 2 sent on paper"})
    certificate = Certificate.objects.get()
    assert response.status_code == 302
    assert certificate.issued_by == officer and certificate.issue_reason == "Stage 2 sent on paper"
    assert OutgoingEmail.objects.filter(purpose=f"certificate:{certificate.code}:issued",
                                        recipient="ann@council.example").exists()
    # The booking now has one: it is no longer offered, and the service refuses a second.
    assert "Working Together" not in text(client.get(url, {"delegate": "ann@council.example"}))
    with pytest.raises(DomainError, match="already has a valid certificate"):
        certificate_issue_by_officer(booking=attended, by=officer, reason="again",
                                     now=timezone.now())


def test_a_tampered_training_choice_is_refused(client, attended, make_user):
    other = BookingFactory(status=BookingStatus.ATTENDED)  # someone else's booking
    client.force_login(make_user(Role.OFFICER))
    url = reverse("evaluations:certificate-issue") + "?delegate=ann@council.example"
    response = client.post(url, {"training": f"b{other.pk}", "reason": "Because"})
    assert response.status_code == 200
    assert "Choose the training the certificate is for." in text(response)
    assert not Certificate.objects.exists()


def test_an_unknown_delegate_email_says_so(client, make_user):
    client.force_login(make_user(Role.OFFICER))
    response = client.get(reverse("evaluations:certificate-issue"),
                          {"delegate": "nobody@example.org"})
    assert "No one has an account with that email address." in text(response)


def test_an_officer_revokes_one_with_a_reason(client, attended, make_user):
    officer = make_user(Role.OFFICER)
    certificate = certificate_issue(request=request_for(attended, RequestKind.STAGE_2),
                                    now=timezone.now())
    client.force_login(officer)
    url = reverse("evaluations:certificate-revoke", kwargs={"code": certificate.code})
    assert "Enter why you are revoking this certificate." in text(client.post(url, {}))
    certificate.refresh_from_db()
    assert certificate.revoked_at is None

    assert client.post(url, {"reason": "Attendance was recorded in error"}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_by == officer and certificate.revoked_at is not None
    assert AuditEntry.objects.filter(action="certificate.revoked").exists()
    with pytest.raises(DomainError, match="already revoked"):
        certificate_revoke(certificate=certificate, by=officer, reason="x", now=timezone.now())
    # A new one can then be issued by hand (one VALID certificate per booking).
    again = certificate_issue_by_officer(booking=attended, by=officer, reason="Corrected",
                                         now=timezone.now())
    assert again.code != certificate.code


@pytest.mark.parametrize("role", [Role.DELEGATE, Role.FACILITATOR, Role.BUSINESS_SUPPORT])
def test_nobody_else_issues_or_revokes(client, attended, make_user, role):
    person = make_user(role)
    certificate = certificate_issue(request=request_for(attended, RequestKind.STAGE_2),
                                    now=timezone.now())
    with pytest.raises(DomainError):
        certificate_issue_by_officer(booking=attended, by=person, reason="x", now=timezone.now())
    with pytest.raises(DomainError):
        certificate_revoke(certificate=certificate, by=person, reason="x", now=timezone.now())
    client.force_login(person)
    for name, kwargs in (("certificate-issue", {}), ("certificate-list", {}),
                         ("certificate-revoke", {"code": certificate.code})):
        url = reverse(f"evaluations:{name}", kwargs=kwargs)
        assert client.get(url).status_code == 403
        assert client.post(url, {"reason": "x"}).status_code in (403, 405)
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_the_officers_list_searches_and_costs_the_same_for_many(client, make_user,
                                                               django_assert_max_num_queries):
    officer = make_user(Role.OFFICER)
    for n in range(30):
        booking = BookingFactory(status=BookingStatus.ATTENDED,
                                 delegate=UserFactory(first_name=f"Person{n:02}",
                                                      last_name="Smith"))
        certificate_issue(request=request_for(booking, RequestKind.STAGE_2), now=timezone.now())
    client.force_login(officer)
    url = reverse("evaluations:certificate-list")
    with django_assert_max_num_queries(20):
        page = text(client.get(url))
    assert "30 certificates" in page and "Showing 1 to 25 of 30" in page
    wanted = Certificate.objects.get(delegate_name="Person07 Smith")
    found = text(client.get(url, {"q": wanted.code.lower()}))
    assert "1 certificate matching" in found and "Person07 Smith" in found
    assert "Person08" not in found
    assert "Person12 Smith" in text(client.get(url, {"q": "person12"}))


def test_the_qr_code_opens_the_certificates_public_page(attended, monkeypatch, settings):
    settings.SITE_URL = "https://training.partnership.example/"
    encoded = []
    from evaluations import pdf

    real = pdf.qr_code_data_uri
    monkeypatch.setattr(pdf, "qr_code_data_uri",
                        lambda text: encoded.append(text) or real(text))
    certificate = certificate_issue(request=request_for(attended, RequestKind.STAGE_2),
                                    now=timezone.now())
    assert encoded == [f"https://training.partnership.example/evaluations/certificates/verify/"
                       f"{certificate.code}/"]
    assert real(encoded[0]).startswith("data:image/svg+xml;base64,")


def test_the_verification_page_costs_a_few_queries(client, attended,
                                                   django_assert_max_num_queries):
    certificate = certificate_issue(request=request_for(attended, RequestKind.STAGE_2),
                                    now=timezone.now())
    with django_assert_max_num_queries(10):
        assert verify(client, certificate.code).status_code == 200
    with django_assert_max_num_queries(10):
        assert verify(client, "ABCDEFGHJKLM").status_code == 404
