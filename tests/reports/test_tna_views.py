"""The pages of training needs analysis rounds as each person meets them: an officer opens,
lists and closes rounds (clear messages for dates that cannot work); a safeguarding lead finds
the open round on their home page, answers once for their organisation and reads what it
answered; nobody sees another organisation's return; delegates, facilitators and business
support are refused every page."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from reports.models import TnaReturn, TnaRound
from reports.tna import policies, services
from tests.factories import OrganisationFactory

from .tna_helpers import answers_for, lead_make, round_make, today

pytestmark = pytest.mark.django_db


def words(response):
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def org_a():
    return OrganisationFactory(name="Derby City Council")


@pytest.fixture
def org_b():
    return OrganisationFactory(name="Little Acorns Nursery")


def test_an_officer_opens_a_round_with_clear_messages(client, make_user, org_a):
    lead_make(org_a)
    client.force_login(make_user(Role.OFFICER))
    url = reverse("reports:tna-round-create")
    assert client.get(url).status_code == 200

    empty = client.post(url, {})
    assert empty.status_code == 200
    assert "Enter a title for the round." in words(empty)
    assert "Enter the date the round closes." in words(empty)

    day = today()
    backwards = client.post(url, {"title": "TNA 2027", "opens_on": day.isoformat(),
                                  "closes_on": (day - timedelta(days=1)).isoformat()})
    assert "The closing date must be the same as or after the opening date." in words(backwards)
    nonsense = client.post(url, {"title": "TNA 2027", "opens_on": "2027-02-30",
                                 "closes_on": "9999-12-31"})
    assert "Enter a real date, for example 17/03/2027." in words(nonsense)
    assert "Enter a date no more than 5 years ahead" in words(nonsense)
    assert not TnaRound.objects.exists()

    done = client.post(url, {"title": "TNA 2027", "opens_on": day.isoformat(),
                             "closes_on": (day + timedelta(days=28)).isoformat()}, follow=True)
    assert "“TNA 2027” is open. 1 safeguarding lead is being emailed." in words(done)
    assert "TNA 2027" in words(done) and "0 of 1" in words(done)


def test_a_lead_finds_answers_and_reads_back_their_organisations_return(client, org_a):
    tna_round = round_make(title="TNA 2027")
    lead = lead_make(org_a)
    client.force_login(lead)

    home = client.get(reverse("accounts:dashboard"))
    assert "training needs analysis to answer for your organisation" in words(home)
    assert reverse("reports:tna-mine") in home.content.decode()
    mine = client.get(reverse("reports:tna-mine"))
    answer_url = reverse("reports:tna-answer", kwargs={"pk": tna_round.pk})
    assert answer_url in mine.content.decode()

    page = client.get(answer_url)
    assert page.status_code == 200
    assert "How many of your staff in Group 1" in words(page)
    data = answers_for(tna_round.version, texts={"courses_asked_for": "Neglect, Level 2"})
    missing = {k: v for k, v in data.items() if "courses" not in k}
    missing.pop(next(k for k in missing if k != "tna-version_id"))
    refused = client.post(answer_url, missing)
    assert refused.status_code == 200 and "There is a problem" in words(refused)
    assert not TnaReturn.objects.exists()

    sent = client.post(answer_url, data, follow=True)
    assert "Thank you: your organisation's answers are saved." in words(sent)
    assert "Neglect, Level 2" in words(sent)
    assert TnaReturn.objects.get().organisation == org_a

    # Once answered: the answering page shows the answers, a second POST is refused.
    again = client.get(answer_url)
    assert again["Location"] == reverse("reports:tna-return", kwargs={"pk": tna_round.pk})
    second = client.post(answer_url, answers_for(tna_round.version, rating=1), follow=True)
    assert policies.ALREADY_RETURNED in words(second)
    assert TnaReturn.objects.count() == 1
    home = client.get(reverse("accounts:dashboard"))
    assert "training needs analysis to answer" not in words(home)


def test_another_organisations_return_is_never_shown(client, org_a, org_b):
    tna_round = round_make()
    services.tna_return_submit(tna_round=tna_round, user=lead_make(org_a),
                               data=answers_for(tna_round.version,
                                                texts={"courses_asked_for": "Secret of A"}),
                               now=timezone.now())
    client.force_login(lead_make(org_b))
    response = client.get(reverse("reports:tna-return", kwargs={"pk": tna_round.pk}))
    assert response.status_code == 404
    mine = client.get(reverse("reports:tna-mine"))
    assert "Secret of A" not in mine.content.decode()
    # B may still answer for B.
    assert client.get(reverse("reports:tna-answer", kwargs={"pk": tna_round.pk})).status_code \
        == 200


def test_a_round_not_open_yet_is_not_found_and_a_closed_one_says_so(client, org_a):
    later = round_make(opens=5, closes=30)
    closed = round_make(closed=True, title="Closed")
    client.force_login(lead_make(org_a))
    assert client.get(reverse("reports:tna-answer", kwargs={"pk": later.pk})).status_code == 404
    page = client.get(reverse("reports:tna-answer", kwargs={"pk": closed.pk}))
    assert "has closed: answers can no longer be sent" in words(page)
    post = client.post(reverse("reports:tna-answer", kwargs={"pk": closed.pk}),
                       answers_for(closed.version))
    assert post.status_code == 200 and not TnaReturn.objects.exists()


def test_an_officer_closes_a_round_early(client, make_user, org_a):
    tna_round = round_make()
    client.force_login(make_user(Role.OFFICER))
    url = reverse("reports:tna-round-close", kwargs={"pk": tna_round.pk})
    assert "Close “Training needs analysis 2027” early?" in words(client.get(url))
    done = client.post(url, follow=True)
    assert "is closed: no more answers are taken" in words(done)
    tna_round.refresh_from_db()
    assert tna_round.closed_at is not None


def test_lod_members_read_results_but_do_not_open_or_close_rounds(client, make_user):
    tna_round = round_make()
    client.force_login(make_user(Role.LOD_MEMBER))
    listing = client.get(reverse("reports:tna-round-list"))
    assert listing.status_code == 200
    assert reverse("reports:tna-round-create") not in listing.content.decode()
    assert client.get(reverse("reports:tna-results", kwargs={"pk": tna_round.pk})).status_code \
        == 200
    assert client.get(reverse("reports:tna-round-create")).status_code == 403
    assert client.post(reverse("reports:tna-round-close", kwargs={"pk": tna_round.pk})
                       ).status_code == 403


PAGES = ["tna-round-list", "tna-round-create", "tna-round-close", "tna-results",
         "tna-results-export", "tna-mine", "tna-answer", "tna-return"]


@pytest.mark.parametrize("role", [Role.DELEGATE, Role.FACILITATOR, Role.BUSINESS_SUPPORT,
                                  Role.FINANCE_CONTACT])
def test_others_are_refused_every_page(client, make_user, role):
    tna_round = round_make()
    client.force_login(make_user(role))
    for name in PAGES:
        kwargs = {} if name in ("tna-round-list", "tna-round-create", "tna-mine") else {
            "pk": tna_round.pk}
        url = reverse(f"reports:{name}", kwargs=kwargs)
        assert client.get(url).status_code == 403, name
        assert client.post(url).status_code == 403, name


def test_the_round_list_costs_the_same_queries_for_many_rounds(client, make_user,
                                                               django_assert_max_num_queries):
    client.force_login(make_user(Role.OFFICER))
    for n in range(25):
        round_make(title=f"Round {n}")
    with django_assert_max_num_queries(14):
        assert client.get(reverse("reports:tna-round-list")).status_code == 200
