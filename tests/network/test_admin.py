"""The network in the Wagtail admin: in Danish, for agency editors only."""

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from network import services
from network.models import (
    Application,
    Membership,
    Municipality,
    Role,
    RoleAssignment,
)
from tests.network.factories import (
    ApplicationFactory,
    InitiativeFactory,
    PersonFactory,
    agency_editor,
    agency_moderator,
    member,
    municipal_person,
    municipality,
)

pytestmark = pytest.mark.django_db

LISTS = [
    "municipality",
    "initiative",
    "membership",
    "application",
    "partprogress",
    "milestone",
    "statusnote",
    "roleassignment",
]


def has_network_menu(response):
    """The sidebar menu is JSON inside the page, so "æ" may be escaped."""
    html = response.content.decode()
    return "Netværk" in html or "Netv\\u00e6rk" in html


def admin_url(model_name, view="list", *args):
    return reverse(f"wagtailsnippets_network_{model_name}:{view}", args=args)


def list_url(model_name):
    return admin_url(model_name)


@pytest.fixture
def data():
    initiative = InitiativeFactory()
    editor = agency_editor()
    randers = member(initiative, "Randers", Membership.Status.PARTNER)
    member(initiative, "Aarhus", Membership.Status.REFERENCE)
    services.set_part_status(randers, 1, "in_progress", by=editor, on=date(2020, 2, 1))
    services.add_milestone(
        randers, 1, title="Kortlægning færdig", due_on=date(2020, 6, 1), by=editor
    )
    services.add_status_note(randers, 1, "Godt i gang.", by=editor)
    ApplicationFactory(pool=initiative.pool, municipality=municipality("Randers"))
    return {"initiative": initiative, "randers": randers, "editor": editor}


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("admin@example.dk", "hemmelig-kode")


def test_superuser_sees_the_network_menu_in_danish_and_every_list_loads(client, superuser, data):
    assert list_url("municipality") == "/admin/snippets/network/municipality/"
    client.force_login(superuser)
    assert has_network_menu(client.get("/admin/"))
    for name in LISTS:
        response = client.get(list_url(name))
        assert response.status_code == 200, name
    municipalities = client.get(list_url("municipality"), {"q": "Randers"}).content.decode()
    assert "730" in municipalities and "Randers" in municipalities


def test_agency_editor_sees_the_lists(client, data):
    client.force_login(data["editor"])
    assert has_network_menu(client.get("/admin/"))
    for name in LISTS:
        assert client.get(list_url(name)).status_code == 200, name


@pytest.mark.parametrize(
    "person",
    [
        lambda: agency_moderator(),
        lambda: municipal_person("Randers", Role.PROJECT_LEADER),
    ],
    ids=["moderator", "project leader"],
)
def test_others_do_not_see_the_network_admin(client, data, person):
    person = person()
    # Even with access to the admin and every Django permission of the editors' group.
    person.groups.add(Group.objects.get(name=services.EDITORS_GROUP))
    person.is_staff = True
    person.save()
    client.force_login(person)
    assert not has_network_menu(client.get("/admin/"))
    for name in LISTS:
        response = client.get(list_url(name))
        assert response.status_code in (302, 403), name


def test_municipalities_can_be_searched_and_filtered_by_region(client, superuser):
    client.force_login(superuser)
    page = client.get(list_url("municipality"), {"q": "Herning"}).content.decode()
    assert "Herning" in page and "Randers" not in page
    page = client.get(list_url("municipality"), {"region": "1084", "q": "Ruder"}).content.decode()
    assert "Rudersdal" in page
    page = client.get(list_url("municipality"), {"region": "1082", "q": "Ruder"}).content.decode()
    assert "Rudersdal" not in page


def test_applications_are_read_only_and_filterable(client, superuser, data):
    client.force_login(superuser)
    application = Application.objects.get()
    response = client.get(list_url("application"), {"status": "draft"})
    assert response.status_code == 200 and "Randers" in response.content.decode()
    response = client.get(list_url("application"), {"status": "submitted"})
    assert "Randers" not in response.content.decode().split("<tbody")[-1]
    assert client.get(admin_url("application", "inspect", application.pk)).status_code == 200
    assert client.get(admin_url("application", "edit", application.pk)).status_code in (302, 403)


def test_membership_shows_its_history(client, superuser, data):
    client.force_login(superuser)
    page = client.get(admin_url("membership", "inspect", data["randers"].pk)).content.decode()
    assert "Historik" in page or "History" in page
    assert "Partnerskabskommune" in page


def test_roles_are_granted_and_revoked_through_the_service(client, data):
    client.force_login(data["editor"])
    person = PersonFactory(is_agency_staff=True)
    response = client.post(
        admin_url("roleassignment", "add"), {"person": person.pk, "role": Role.AGENCY_EDITOR}
    )
    assert response.status_code == 302
    assert person.groups.filter(name=services.EDITORS_GROUP).exists()
    assignment = RoleAssignment.objects.get(person=person, role=Role.AGENCY_EDITOR)
    response = client.post(admin_url("roleassignment", "delete", assignment.pk))
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(person=person).exists()
    assert not person.groups.filter(name=services.EDITORS_GROUP).exists()


def test_a_role_that_does_not_fit_is_refused_with_a_message(client, data):
    client.force_login(data["editor"])
    person = municipal_person("Randers")
    response = client.post(
        admin_url("roleassignment", "add"), {"person": person.pk, "role": Role.AGENCY_EDITOR}
    )
    assert response.status_code == 200
    assert not RoleAssignment.objects.filter(person=person).exists()


def test_municipalities_cannot_be_deleted(client, superuser):
    client.force_login(superuser)
    randers = Municipality.objects.get(name="Randers")
    assert client.get(admin_url("municipality", "delete", randers.pk)).status_code in (302, 403)


def test_edit_and_add_forms_load_and_save(client, superuser, data):
    client.force_login(superuser)
    randers = data["randers"]
    milestone = randers.milestones.get()
    note = randers.status_notes.get()
    for model_name, view, args in [
        ("municipality", "edit", [randers.municipality.pk]),
        ("initiative", "add", []),
        ("initiative", "edit", [data["initiative"].pk]),
        ("milestone", "edit", [milestone.pk]),
        ("statusnote", "edit", [note.pk]),
        ("roleassignment", "add", []),
        ("partprogress", "inspect", [randers.progress.first().pk]),
    ]:
        assert client.get(admin_url(model_name, view, *args)).status_code == 200, model_name
    response = client.post(
        admin_url("statusnote", "edit", note.pk),
        {"text": "Rettet af redaktionen.", "written_on": "2020-03-01"},
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.text == "Rettet af redaktionen." and note.written_on == date(2020, 3, 1)


def test_an_agency_editor_sets_a_municipality_s_cvr_number(client, data):
    client.force_login(agency_editor())
    randers = Municipality.objects.get(name="Randers")
    edit_url = admin_url("municipality", "edit", randers.pk)
    fields = {
        "name": "Randers",
        "code": randers.code,
        "slug": randers.slug,
        "region": randers.region,
    }

    wrong = client.post(edit_url, {**fields, "cvr": "2918966"})
    assert wrong.status_code == 200 and "otte cifre" in wrong.content.decode()
    Municipality.objects.filter(name="Aarhus").update(cvr="55133018")
    taken = client.post(edit_url, {**fields, "cvr": "55133018"})
    assert taken.status_code == 200 and "En anden kommune" in taken.content.decode()

    saved = client.post(edit_url, {**fields, "cvr": "29189668"})
    assert saved.status_code == 302
    randers.refresh_from_db()
    assert randers.cvr == "29189668"
