"""Wagtail's user editing carries the person's municipality and roles."""

import pytest

from network import access
from network.models import Municipality, Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("admin@example.dk", "x"))
    return client


def new_person(**extra):
    return {
        "email": "ny@randers.example",
        "first_name": "Ny",
        "last_name": "Leder",
        "password1": "korrekt-hest-batteri-42",
        "password2": "korrekt-hest-batteri-42",
        "is_active": "on",
        "job_title": "Projektleder",
        **extra,
    }


def test_the_add_form_is_danish_and_has_municipality_and_roles(admin_client):
    html = admin_client.get("/admin/users/new/").content.decode()
    for label in ("Kommune", "Ansat i Socialstyrelsen", "Roller", "Projektleder"):
        assert label in html, label


def test_adding_a_project_leader_of_randers(admin_client):
    randers = Municipality.objects.get(name="Randers")
    response = admin_client.post(
        "/admin/users/new/", new_person(municipality=randers.pk, roles=[Role.PROJECT_LEADER])
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person = User.objects.get(email="ny@randers.example")
    assert person.municipality == randers
    assert access.roles_of(person) == {Role.PROJECT_LEADER}


def test_an_agency_role_for_municipal_staff_is_refused_and_nothing_saved(admin_client):
    randers = Municipality.objects.get(name="Randers")
    response = admin_client.post(
        "/admin/users/new/", new_person(municipality=randers.pk, roles=[Role.AGENCY_EDITOR])
    )
    assert response.status_code == 200
    assert "Kun ansatte i Socialstyrelsen kan have rollen" in response.content.decode()
    assert not User.objects.filter(email="ny@randers.example").exists()


def test_editing_roles_moves_the_editor_group(admin_client):
    staff = User.objects.create_user(
        "k@socialstyrelsen.example", "x", first_name="K", last_name="H", is_agency_staff=True
    )
    data = {
        "email": staff.email,
        "first_name": "K",
        "last_name": "H",
        "is_active": "on",
        "is_agency_staff": "on",
        "roles": [Role.AGENCY_EDITOR],
    }
    response = admin_client.post(f"/admin/users/edit/{staff.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    staff = User.objects.get(pk=staff.pk)
    assert access.is_agency_editor(staff)
    assert staff.groups.filter(name="Redaktører").exists()


def test_editing_a_membership_in_the_admin_records_its_history(client):
    from network.models import Membership
    from tests.network.factories import InitiativeFactory, agency_editor, member

    initiative = InitiativeFactory()
    membership = member(initiative, "Aarhus", Membership.Status.REFERENCE)
    client.force_login(agency_editor())
    response = client.post(
        f"/admin/snippets/network/membership/edit/{membership.pk}/",
        {"initiative": initiative.pk, "municipality": membership.municipality.pk, "status": "left"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    membership.refresh_from_db()
    assert membership.status == Membership.Status.LEFT
    assert [event.status for event in membership.events.all()] == ["reference", "left"]
