"""Review (R2) of the training needs analysis, as a user and as an attacker: a lead answers
only for their own organisation (tampered ids, ?organisation=, a posted organisation, another
version), once per round also when two leads send at the same moment, within the round's
dates in Europe/London; leads never reach results, exports or officers' actions; staff pages
need two-factor authentication; user text is escaped on the page and formula-safe in the CSV;
the lead's list is paginated and bounded; emails go once per purpose."""

import csv
import io
import re
import threading
from datetime import date, datetime, time, timedelta
from html import unescape
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from core.exceptions import DomainError
from core.models import OutgoingEmail
from evaluations.models import Response
from reports.models import TnaReturn, TnaRound
from reports.tna import policies, services
from tests.factories import OrganisationFactory, UserFactory

from .tna_helpers import answers_for, lead_make, round_make, tna_version, today

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def words(response):
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def url(name, tna_round=None):
    return reverse(f"reports:{name}", kwargs={"pk": tna_round.pk} if tna_round else {})


@pytest.fixture
def orgs():
    return OrganisationFactory(name="Derby City Council"), OrganisationFactory(
        name="Little Acorns Nursery")


def test_a_lead_answers_only_for_their_own_organisation_whatever_is_posted(client, orgs):
    a, b = orgs
    tna_round = round_make()
    client.force_login(lead_make(a))
    data = answers_for(tna_round.version)
    data.update(organisation=str(b.pk), organisation_id=str(b.pk))
    response = client.post(url("tna-answer", tna_round) + f"?organisation={b.pk}", data)
    assert response.status_code == 302
    assert list(TnaReturn.objects.values_list("organisation_id", flat=True)) == [a.pk]


def test_answers_to_another_version_are_refused_with_a_message(client, orgs):
    tna_round = round_make()
    client.force_login(lead_make(orgs[0]))
    data = answers_for(tna_round.version)
    data["tna-version_id"] = str(tna_round.version.pk + 1000)
    page = client.post(url("tna-answer", tna_round), data)
    assert page.status_code == 200
    assert "This questionnaire has changed since the page was opened." in words(page)
    assert not TnaReturn.objects.exists() and not Response.objects.exists()


def test_a_lead_never_reaches_results_exports_or_officers_actions(client, orgs):
    tna_round = round_make()
    client.force_login(lead_make(orgs[0]))
    for name in ("tna-results", "tna-results-export", "tna-round-close"):
        assert client.get(url(name, tna_round)).status_code == 403, name
    assert client.post(url("tna-round-close", tna_round)).status_code == 403
    assert client.post(url("tna-round-create"), {
        "title": "Mine", "opens_on": today().isoformat(),
        "closes_on": (today() + timedelta(days=3)).isoformat()}).status_code == 403
    tna_round.refresh_from_db()
    assert tna_round.closed_at is None and TnaRound.objects.count() == 1
    # A round that does not exist is not found, not an error.
    gone = TnaRound(pk=tna_round.pk + 999)
    assert client.get(url("tna-answer", gone)).status_code == 404
    assert client.post(url("tna-answer", gone), answers_for(tna_version())).status_code == 404


@pytest.mark.parametrize("role, name", [(Role.LOD_MEMBER, "tna-round-list"),
                                        (Role.OFFICER, "tna-round-create")])
def test_staff_pages_need_two_factor_authentication(client, make_user, role, name):
    client.force_login(make_user(role, mfa=False))
    response = client.get(url(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_a_lead_without_two_factor_authentication_is_sent_to_set_it_up(client, orgs):
    lead = UserFactory(roles=[Role.DELEGATE, Role.SAFEGUARDING_LEAD], organisation=orgs[0])
    client.force_login(lead)
    response = client.get(url("tna-mine"))
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def _london(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


@pytest.mark.parametrize("at, accepted", [
    (_london(date(2026, 6, 30), 23, 30), True),  # 22:30 UTC on the closing day: still open
    (_london(date(2026, 7, 1), 0, 30), False),   # 23:30 UTC on the closing day, but in London
    (_london(date(2026, 6, 1), 0, 15), True),     # the opening day, just after midnight
    (_london(date(2026, 5, 31), 23, 45), False),  # the evening before it opens
])
def test_the_rounds_days_are_london_days(orgs, at, accepted):
    tna_round = TnaRound.objects.create(title="Summer", version=tna_version(),
                                        opens_on=date(2026, 6, 1), closes_on=date(2026, 6, 30))
    lead = lead_make(orgs[0])
    if accepted:
        services.tna_return_submit(tna_round=tna_round, user=lead,
                                   data=answers_for(tna_round.version), now=at)
        assert TnaReturn.objects.count() == 1
    else:
        with pytest.raises(DomainError):
            services.tna_return_submit(tna_round=tna_round, user=lead,
                                       data=answers_for(tna_round.version), now=at)
        assert not TnaReturn.objects.exists() and not Response.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_leads_of_one_organisation_sending_at_the_same_moment_keep_one_return(orgs):
    """Two threads, two connections: the round lock makes the second wait, then refuses it."""
    tna_round = round_make()
    first, second = lead_make(orgs[0]), lead_make(orgs[0])
    data = answers_for(tna_round.version)
    barrier, outcomes = threading.Barrier(2), []

    def send(lead):
        try:
            barrier.wait(timeout=10)
            services.tna_return_submit(tna_round=tna_round, user=lead, data=data,
                                       now=timezone.now())
            outcomes.append("saved")
        except DomainError as error:
            outcomes.append(error.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(lead,)) for lead in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == sorted(["saved", policies.ALREADY_RETURNED])
    assert TnaReturn.objects.count() == 1 and Response.objects.count() == 1


def test_user_text_is_escaped_on_the_page_and_formula_safe_in_the_csv(client, make_user):
    tna_round = round_make()
    hostile = OrganisationFactory(name="<script>alert('org')</script> Trust")
    services.tna_return_submit(
        tna_round=tna_round, user=lead_make(hostile), now=timezone.now(),
        data=answers_for(tna_round.version, texts={
            "courses_asked_for": '=HYPERLINK("http://evil.example","Click")',
            "anything_else": "<img src=x onerror=alert(1)>"}))
    client.force_login(make_user(Role.LOD_MEMBER))
    page = client.get(url("tna-results", tna_round)).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#x27;org&#x27;)&lt;/script&gt; Trust" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page

    export = client.get(url("tna-results-export", tna_round))
    body = export.content.decode("utf-8")
    assert body.startswith("\ufeff")
    cells = [c for row in csv.reader(io.StringIO(body.lstrip("\ufeff"))) for c in row]
    assert "'=HYPERLINK(\"http://evil.example\",\"Click\")" in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)


def test_the_leads_list_is_paginated_and_bounded(client, orgs):
    lead = lead_make(orgs[0])
    client.force_login(lead)
    for n in range(3):
        round_make(title=f"Round {n:02}", opens=-n - 1)
    client.get(url("tna-mine"))  # the first page of a session warms its caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(url("tna-mine")).status_code == 200
    for n in range(3, 30):
        round_make(title=f"Round {n:02}", opens=-n - 1)
    with CaptureQueriesContext(connection) as many:
        first = client.get(url("tna-mine"))
    assert len(many) == len(few)
    assert "Round 19" in words(first) and "Round 20" not in words(first)
    second = client.get(url("tna-mine") + "?page=2")
    assert "Round 20" in words(second) and "Round 29" in words(second)
    assert client.get(url("tna-mine") + "?page=abc").status_code == 200


def test_a_lead_without_an_organisation_is_told_why_there_is_nothing_to_answer(client):
    round_make()
    client.force_login(lead_make(None))
    page = client.get(url("tna-mine"))
    assert page.status_code == 200
    assert policies.NO_ORGANISATION in words(page)


def test_a_new_lead_of_an_organisation_that_has_answered_is_not_asked_to_answer(orgs):
    a, b = orgs
    tna_round = round_make()
    lead_a, lead_b = lead_make(a), lead_make(b)
    services.tna_rounds_notify(now=timezone.now())
    services.tna_return_submit(tna_round=tna_round, user=lead_a,
                               data=answers_for(tna_round.version), now=timezone.now())
    deputy = lead_make(a, email="deputy@derby.example")
    newcomer = lead_make(b, email="newcomer@acorns.example")
    services.tna_rounds_notify(now=timezone.now())
    asked = set(OutgoingEmail.objects.filter(purpose__contains=":open:")
                .values_list("recipient", flat=True))
    assert asked == {lead_a.email, lead_b.email, newcomer.email}
    assert deputy.email not in asked


def test_an_inactive_lead_is_never_emailed_and_a_sweep_twice_sends_once(orgs):
    a, b = orgs
    lead_a = lead_make(a)
    lead_make(b, is_active=False)
    tna_round = round_make(opens=0, closes=2)  # inside the reminder days from the start
    first = services.tna_rounds_notify(now=timezone.now())
    again = services.tna_rounds_notify(now=timezone.now())
    assert first == {"rounds": 1, "opened": 1, "reminded": 0}
    assert again == {"rounds": 1, "opened": 0, "reminded": 1}
    assert services.tna_rounds_notify(now=timezone.now()) == {
        "rounds": 1, "opened": 0, "reminded": 0}
    assert sorted(OutgoingEmail.objects.values_list("purpose", flat=True)) == [
        f"tna:{tna_round.pk}:open:{lead_a.pk}", f"tna:{tna_round.pk}:reminder:{lead_a.pk}"]


NEW_TEMPLATES = ["reports/tna", "reports/checklist", "reports/organisation"]


@pytest.mark.parametrize("folder", NEW_TEMPLATES)
def test_new_templates_keep_the_csp_the_date_style_and_escape_user_text(folder):
    root = Path(settings.BASE_DIR) / "templates" / folder
    files = sorted(root.glob("*.html"))
    assert files
    for path in files:
        text = path.read_text()
        for banned in ("<script", "style=", "|safe", "autoescape off", "|date:",
                       " onclick="):
            assert banned not in text, f"{path.name}: {banned}"
