"""A person with a row in every app, for the export tests (tests/privacy/test_export*.py).

Every free-text value carries the person's `tag`, so a test can find each row in the ZIP by
its values as well as by its id, and can tell that none of another person's is there."""
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.apps import apps
from django.utils import timezone

from accounts.models import MembershipRequest, OrganisationRequest, Sector
from accounts.roles import Role
from bookings.models import BookingStatus, Substitution
from charging.models import Charge, ChargeStatus, Invoice, InvoiceLine
from core.audit import audit_record
from core.models import OutgoingEmail
from courses.models import Completion, KnowledgeCheckAttempt, TrainingPoolMembership
from evaluations.models import (
    Answer,
    Certificate,
    EvaluationRequest,
    Questionnaire,
    QuestionnaireQuestion,
    QuestionnaireVersion,
    RequestKind,
    Response,
)
from newsletter.models import Newsletter, NewsletterDelivery
from reports.models import TnaReturn, TnaRound
from tests.factories import (
    BookingFactory,
    CourseFactory,
    EventFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.helpers import totp_activate


@dataclass
class Person:
    user: object
    tag: str
    ids: dict = field(default_factory=dict)  # section -> ids expected in the export
    values: list = field(default_factory=list)  # strings the export must hold


def _version(kind, title):
    # A course's own questionnaire: the default one of each kind is unique.
    questionnaire = Questionnaire.objects.create(kind=kind, course=CourseFactory())
    version = QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=1,
                                                  title=title)
    question = QuestionnaireQuestion.objects.create(version=version, position=0, key="comment",
                                                    text=f"What did you think? ({title})",
                                                    type="text")
    return version, question


def person_with_everything(tag, *, officer, bookings=1, invoice=None):
    """`tag` (one word) names the person; `bookings` attended bookings, each with a charge,
    an invoice line, a Stage 1 request, a response, an answer and a certificate."""
    organisation = OrganisationFactory(name=f"{tag} Trust", sector=Sector.PRIVATE)
    user = UserFactory(
        first_name=tag, last_name=f"{tag}son", email=f"{tag.lower()}@example.org",
        job_title=f"{tag} job", organisation=organisation,
        line_manager_name=f"{tag} Manager", line_manager_email=f"{tag.lower()}.boss@example.org",
        access_needs=f"{tag} needs a hearing loop", newsletter_opt_in=True,
        roles=[Role.DELEGATE, Role.SAFEGUARDING_LEAD, Role.FACILITATOR])
    person = Person(user=user, tag=tag)
    person.values += [user.email, f"{tag} job", f"{tag} needs a hearing loop", f"{tag} Trust",
                      f"{tag.lower()}.boss@example.org"]
    now = timezone.now()

    second = EmailAddress.objects.create(user=user, email=f"{tag.lower()}@home.example.org",
                                         verified=False, primary=False)
    person.ids["email_addresses"] = list(
        EmailAddress.objects.filter(user=user).values_list("id", flat=True))
    person.values.append(second.email)
    totp_activate(user)
    person.ids["authenticators"] = list(user.authenticator_set.values_list("id", flat=True))

    org_request = OrganisationRequest.objects.create(name=f"{tag} Nursery", sector=Sector.PRIVATE,
                                                     requested_by=user)
    person.ids["organisation_requests"] = [org_request.pk]
    person.values.append(f"{tag} Nursery")
    other_org = OrganisationFactory(name=f"{tag} Council")
    membership = MembershipRequest.objects.create(user=user, organisation=other_org,
                                                  from_organisation=organisation)
    person.ids["membership_requests"] = [membership.pk]

    version, question = _version("stage_1", f"{tag} Stage 1")
    booking_ids, charge_ids, line_ids, request_ids, response_ids = [], [], [], [], []
    answer_ids, certificate_ids = [], []
    for n in range(bookings):
        event = EventFactory(start=now - timedelta(days=10 + n),
                             end=now - timedelta(days=10 + n) + timedelta(hours=7))
        booking = BookingFactory(event=event, delegate=user, status=BookingStatus.ATTENDED,
                                 access_needs=f"{tag} booking access need {n}",
                                 attendance_marked_at=now, minutes_late=5)
        booking_ids.append(booking.pk)
        person.values += [str(booking.uid), f"{tag} booking access need {n}"]
        charge = Charge.objects.create(booking=booking, organisation=organisation,
                                       sector=Sector.PRIVATE, kind="attendance",
                                       amount=Decimal("55.00"), reason=f"{tag} attendance fee",
                                       status=ChargeStatus.APPLIED)
        charge_ids.append(charge.pk)
        if invoice is not None:
            line = InvoiceLine.objects.create(
                invoice=invoice, charge=charge, position=n, delegate_name=f"{tag} {tag}son",
                course_title=event.course.title, event_date=event.start.date(),
                reason=f"{tag} invoice line", amount=Decimal("55.00"))
            line_ids.append(line.pk)
        request = EvaluationRequest.objects.create(kind=RequestKind.STAGE_1, user=user,
                                                   course=event.course, event=event,
                                                   booking=booking, due_at=now, completed_at=now)
        request_ids.append(request.pk)
        response = Response.objects.create(request=request, version=version, kind="stage_1",
                                           course=event.course, event=event)
        response_ids.append(response.pk)
        answer = Answer.objects.create(response=response, question=question,
                                       value_text=f"{tag} found it useful {n}")
        answer_ids.append(answer.pk)
        person.values.append(f"{tag} found it useful {n}")
        certificate = Certificate.objects.create(
            user=user, course=event.course, event=event, booking=booking,
            delegate_name=f"{tag} {tag}son", course_title=event.course.title,
            course_level="Level 2", completed_on=event.start.date(), hours=Decimal("6.5"))
        certificate_ids.append(certificate.pk)
        person.values.append(certificate.code)

    # A late cancellation whose charge was waived, a waiting-list place, a place moved on.
    late = BookingFactory(delegate=user, status=BookingStatus.LATE_CANCELLED, cancelled_at=now,
                          late_cancellation_reason="other",
                          late_cancellation_detail=f"{tag} was called to a child protection case")
    waived = Charge.objects.create(booking=late, organisation=organisation,
                                   sector=Sector.PRIVATE, kind="late_cancellation",
                                   amount=Decimal("40.00"), reason=f"{tag} late fee",
                                   status=ChargeStatus.WAIVED, waiver_reason="service_users",
                                   decision_note=f"{tag} waiver note", decided_by=officer,
                                   decided_at=now)
    waiting = BookingFactory(delegate=user, status=BookingStatus.WAITLISTED, waitlisted_at=now,
                             booked_at=None)
    handed = BookingFactory(delegate=user, status=BookingStatus.BOOKED)
    substitution = Substitution.objects.create(booking=handed, from_delegate=user,
                                               to_email=f"{tag.lower()}.colleague@example.org",
                                               by=user)
    booking_ids += [late.pk, waiting.pk, handed.pk]
    charge_ids.append(waived.pk)
    person.values += [f"{tag} was called to a child protection case", f"{tag} waiver note",
                      str(late.uid), str(waiting.uid)]
    person.ids.update(bookings=booking_ids, charges=charge_ids, invoice_lines=line_ids,
                      evaluation_requests=request_ids, answers=answer_ids,
                      certificates=certificate_ids, substitutions=[substitution.pk])

    completion = Completion.objects.create(user=user, course=late.event.course,
                                           completed_on=date.today(), source="recorded")
    attempt = KnowledgeCheckAttempt.objects.create(user=user, course=late.event.course, score=80,
                                                   passed=True, answers={"q1": f"{tag} answer"})
    person.ids.update(completions=[completion.pk], knowledge_checks=[attempt.pk])

    # A training needs analysis return for their organisation, as its safeguarding lead.
    tna_version, tna_question = _version("tna", f"{tag} TNA")
    tna_round = TnaRound.objects.create(title=f"{tag} TNA round", version=tna_version,
                                        opens_on=date.today(), closes_on=date.today())
    tna_response = Response.objects.create(version=tna_version, kind="tna")
    tna_answer = Answer.objects.create(response=tna_response, question=tna_question,
                                       value_text=f"{tag} needs neglect training")
    tna_return = TnaReturn.objects.create(round=tna_round, organisation=organisation,
                                          response=tna_response, submitted_by=user)
    person.ids["tna_returns"] = [tna_return.pk]
    person.ids["responses"] = response_ids + [tna_response.pk]
    person.ids["answers"].append(tna_answer.pk)
    person.values.append(f"{tag} needs neglect training")

    newsletter = Newsletter.objects.create(subject=f"{tag} newsletter", created_by=officer)
    delivery = NewsletterDelivery.objects.create(newsletter=newsletter, user=user,
                                                 email=user.email, sent_at=now)
    person.ids["newsletter_deliveries"] = [delivery.pk]

    pool = TrainingPoolMembership.objects.create(facilitator=user, course=late.event.course)
    facilitated = EventFactory(facilitators=[user])
    person.ids.update(training_pool=[pool.pk], events_facilitated=[facilitated.pk])

    by_account = OutgoingEmail.objects.create(
        purpose=f"test:{tag}:1", recipient=user.email, user=user, from_email="t@example.org",
        subject=f"{tag} your booking", body_text=f"Dear {tag}, your place is booked.")
    by_address = OutgoingEmail.objects.create(
        purpose=f"test:{tag}:2", recipient=user.email.upper(), from_email="t@example.org",
        subject=f"{tag} newsletter email", body_text=f"{tag}: new events.")
    person.ids["emails"] = [by_account.pk, by_address.pk]
    person.values += [f"Dear {tag}, your place is booked.", f"{tag} newsletter email"]

    about_booking = audit_record(actor=officer, action="booking.cancel", target=late,
                                 details={"note": f"{tag} audit detail"})
    about_person = audit_record(actor=officer, action="profile.update", target=user)
    by_person = audit_record(actor=user, action="membership_request.create", target=membership)
    person.ids["audit_entries"] = [about_booking.pk, about_person.pk, by_person.pk]
    person.values.append(f"{tag} audit detail")

    DeletionRequest = _model("privacy.DeletionRequest")
    if DeletionRequest is not None:
        person.ids["deletion_requests"] = [DeletionRequest.objects.create(user=user).pk]
    return person


def an_invoice(organisation_name="Shared invoice organisation"):
    organisation = OrganisationFactory(name=organisation_name, sector=Sector.PRIVATE)
    return Invoice.objects.create(
        number=f"TEST-{organisation.pk}", organisation=organisation, issued_on=date.today(),
        due_on=date.today() + timedelta(days=30), organisation_name=organisation.name,
        partnership_name="Partnership", total=Decimal("110.00"))


def _model(label):
    try:
        return apps.get_model(label)
    except LookupError:
        return None
