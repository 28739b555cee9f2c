"""The demo's grant cases: the 2019 pool's list approved by the director, letters, and the
partners' reports, accounts, messages and payments in every state."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse

from grants.models import CaseDocument, CaseMessage, DueItem, GrantCase, Payment, Recommendation
from network.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_demo_content", stdout=StringIO())


def test_the_22_decisions_came_from_a_list_the_director_approved(demo):
    director = User.objects.get(email="direktoer@socialstyrelsen.example")
    recommendations = Recommendation.objects.select_related("application")
    assert recommendations.count() == 22
    assert {r.status for r in recommendations} == {Recommendation.Status.APPROVED}
    assert {r.approved_by for r in recommendations} == {director}
    assert all(r.written_by != r.approved_by for r in recommendations)
    assert all(r.application.decided_by == director for r in recommendations)
    awarded = GrantCase.objects.aggregate(total=Sum("awarded_amount"))["total"]
    assert 0 < awarded <= Decimal("13000000")
    assert GrantCase.objects.filter(awarded_amount__gt=0).count() == 4
    assert CaseDocument.objects.filter(kind=CaseDocument.Kind.DECISION_LETTER).count() == 22
    assert CaseDocument.objects.filter(kind=CaseDocument.Kind.RECEIPT).count() == 22


def test_the_partners_have_reports_and_accounts_in_every_state(demo):
    for case in GrantCase.objects.filter(awarded_amount__gt=0):
        statuses = set(case.due_items.values_list("status", flat=True))
        assert {"approved", "returned", "submitted", "due"} <= statuses, case
        assert 0 < case.paid_amount < case.awarded_amount
    randers = GrantCase.objects.get(application__municipality__name="Randers")
    assert CaseMessage.objects.filter(case=randers).count() == 2
    assert Payment.objects.filter(case=randers).count() == 2
    assert any(item.is_overdue() for item in DueItem.objects.filter(case=randers))


def test_the_demo_project_leader_sees_the_case(demo, client):
    client.force_login(User.objects.get(email="projektleder@randers.example"))
    randers = GrantCase.objects.get(application__municipality__name="Randers")
    response = client.get(reverse("grants:my_cases"))
    assert [row["case"] for row in response.context["rows"]] == [randers]
    page = client.get(reverse("grants:case", args=[randers.pk])).content.decode()
    assert "3.400.000 kr." in page and "Kan I sende budgetnoterne" in page


def test_loading_twice_changes_nothing_in_the_grant_cases(demo):
    counts = [GrantCase.objects.count(), CaseDocument.objects.count(), Payment.objects.count()]
    call_command("load_demo_content", stdout=StringIO())
    assert [
        GrantCase.objects.count(),
        CaseDocument.objects.count(),
        Payment.objects.count(),
    ] == counts
