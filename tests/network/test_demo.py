"""The demo network is the 2019 partnership of seed 002."""

from io import StringIO

import pytest
from django.core.management import call_command

from network import access
from network.models import Application, Membership, Municipality, PartProgress, Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_demo_content", stdout=StringIO())


def test_22_applicants_4_partners_and_18_reference_municipalities(demo):
    applications = Application.objects.filter(pool__slug="recovery-og-rehabilitering-2019")
    assert applications.count() == 22
    assert all(a.assessments.count() == 6 and a.decided_by for a in applications)
    partners = Membership.objects.filter(status=Membership.Status.PARTNER)
    assert sorted(partners.values_list("municipality__name", flat=True)) == [
        "Herning",
        "Randers",
        "Roskilde",
        "Rudersdal",
    ]
    assert Membership.objects.filter(status=Membership.Status.REFERENCE).count() == 18
    randers = partners.get(municipality__name="Randers")
    assert [event.status for event in randers.events.all()] == ["applicant", "partner"]


def test_progress_in_every_state_and_people_in_every_role(demo):
    assert set(PartProgress.objects.values_list("status", flat=True)) == {
        "not_started",
        "in_progress",
        "done",
    }
    held = set(User.objects.values_list("role_assignments__role", flat=True))
    assert held >= set(Role.values)
    leader = User.objects.get(email="projektleder@randers.example")
    randers = Membership.objects.get(municipality__name="Randers")
    assert access.can_report_progress(leader, randers)
    assert access.is_network_member(
        User.objects.get(email="medarbejder@aarhus.example"), randers.initiative
    )
    assert access.is_agency_editor(User.objects.get(email="redaktoer@socialstyrelsen.example"))


def test_the_demo_s_municipalities_have_their_cvr_numbers(demo):
    """So that MitID Erhverv logins can be tried against a test provider."""
    randers = User.objects.get(email="projektleder@randers.example").municipality
    assert randers.cvr == "29189668"
    assert Municipality.objects.exclude(cvr="").count() == 6


def test_loading_twice_changes_nothing_in_the_network(demo):
    counts = [Application.objects.count(), Membership.objects.count(), PartProgress.objects.count()]
    call_command("load_demo_content", stdout=StringIO())
    assert [
        Application.objects.count(),
        Membership.objects.count(),
        PartProgress.objects.count(),
    ] == counts
