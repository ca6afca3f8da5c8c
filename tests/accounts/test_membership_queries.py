"""The requests-to-join queue and an organisation's domains page cost the same number of
queries for one row as for a full page, and the queue is paginated."""

import pytest
from django.urls import reverse

from accounts.models import MembershipRequest, OrganisationDomain
from accounts.roles import Role
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def ask(organisation, n):
    for _ in range(n):
        MembershipRequest.objects.create(
            user=UserFactory(),
            organisation=organisation, from_organisation=OrganisationFactory())


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SAFEGUARDING_LEAD])
def test_the_queue_costs_the_same_for_one_request_or_a_full_page(
        client, make_user, role, django_assert_max_num_queries):
    organisation = OrganisationFactory()
    client.force_login(make_user(role, organisation=organisation))
    url = reverse("accounts:membershiprequest-list")
    ask(organisation, 1)
    with django_assert_max_num_queries(30) as one:
        assert client.get(url).status_code == 200
    ask(organisation, 40)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(url)
    assert page.context["is_paginated"] and len(page.context["object_list"]) == 25


def test_the_domains_page_costs_the_same_for_one_domain_or_many(
        client, make_user, django_assert_max_num_queries):
    organisation = OrganisationFactory()
    client.force_login(make_user(Role.OFFICER))
    url = reverse("accounts:organisation-domains", kwargs={"pk": organisation.pk})
    OrganisationDomain.objects.create(organisation=organisation, domain="one.example")
    with django_assert_max_num_queries(30) as one:
        assert client.get(url).status_code == 200
    for i in range(20):
        OrganisationDomain.objects.create(organisation=organisation, domain=f"d{i}.example")
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(url).status_code == 200
