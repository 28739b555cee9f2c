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


def test_the_2019_history_is_dated_2019_not_the_day_the_demo_was_loaded(demo, client):
    """A decided 2019 application was last saved when it was submitted, not today."""
    from datetime import date

    from django.urls import reverse
    from django.utils import timezone

    from grants.models import Payment
    from network.models import Assessment, StatusNote

    today = timezone.localdate()
    decided = Application.objects.filter(pool__slug="recovery-og-rehabilitering-2019")
    for application in decided:
        assert application.created_at <= application.submitted_at <= application.decided_at
        assert application.updated_at == application.submitted_at
        assert application.updated_at.year == 2019
    assert {a.assessed_at.year for a in Assessment.objects.filter(application__in=decided)} == {
        2019
    }
    assert all(
        timezone.localdate(p.updated_at) < today and p.updated_at.year >= 2020
        for p in PartProgress.objects.all()
    )
    assert all(timezone.localdate(n.created_at) == n.written_on for n in StatusNote.objects.all())
    assert all(timezone.localdate(p.recorded_at) == p.paid_on for p in Payment.objects.all())

    leader = User.objects.get(email="projektleder@randers.example")
    client.force_login(leader)
    html = client.get(reverse("network:my_page")).content.decode()
    randers = decided.get(municipality__name="Randers")
    assert f'datetime="{timezone.localtime(randers.updated_at).isoformat()}"' in html
    assert f'datetime="{today.isoformat()}' not in html
    assert date(2019, 9, 16).isoformat() in html


def test_loading_again_mends_a_demo_loaded_with_today_s_dates(demo):
    from django.utils import timezone

    decided = Application.objects.filter(pool__slug="recovery-og-rehabilitering-2019")
    decided.update(updated_at=timezone.now(), created_at=timezone.now())
    call_command("load_demo_content", stdout=StringIO())
    assert {a.updated_at.year for a in decided} == {2019}
