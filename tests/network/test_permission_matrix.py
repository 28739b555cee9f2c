"""Every network page against every kind of person, as DESIGN.md's permission table says.

Rows are views; columns are: anonymous, applicant (a municipality outside the
network), reference member, partner member of this municipality (Randers), partner
member of another municipality (Herning), agency editor. "login" means a redirect to
the login page; a number is the status code.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from network.models import Application, Membership, Role
from tests.network.factories import (
    InitiativeFactory,
    agency_editor,
    member,
    municipal_person,
)

pytestmark = pytest.mark.django_db

PEOPLE = ["anonymous", "applicant", "reference", "partner", "other_partner", "editor"]


@pytest.fixture
def world():
    initiative = InitiativeFactory(pool__deadline=timezone.now() - timedelta(days=1))
    randers = member(initiative, "Randers", Membership.Status.PARTNER)
    member(initiative, "Herning", Membership.Status.PARTNER)
    member(initiative, "Aarhus", Membership.Status.REFERENCE)
    application = Application.objects.create(
        pool=initiative.pool,
        municipality=randers.municipality,
        status=Application.Status.SUBMITTED,
        submitted_at=timezone.now() - timedelta(days=2),
    )
    people = {
        "anonymous": None,
        "applicant": municipal_person("Odense", Role.PROJECT_LEADER),
        "reference": municipal_person("Aarhus", Role.PROJECT_LEADER),
        "partner": municipal_person("Randers", Role.PROJECT_LEADER),
        "other_partner": municipal_person("Herning", Role.PROJECT_LEADER),
        "editor": agency_editor(),
    }
    return {
        "initiative": initiative,
        "randers": randers,
        "application": application,
        "people": people,
    }


def url_for(view, world):
    initiative, randers = world["initiative"], world["randers"]
    return {
        "progress_overview": reverse("network:progress_overview", args=[initiative.slug]),
        "report_progress": reverse(
            "network:report_progress", args=[initiative.slug, randers.municipality.slug]
        ),
        "application": reverse("network:application", args=[world["application"].pk]),
        "assessment_list": reverse("network:assessment_list", args=[initiative.pool.pk]),
        "assess": reverse("network:assess", args=[world["application"].pk]),
        "invite": reverse("network:invite"),
        "my_page": reverse("network:my_page"),
        "municipality": reverse("network:municipality", args=[randers.municipality.slug]),
    }[view]


MATRIX = {
    #                    anonymous  applicant reference partner other_partner editor
    "progress_overview": ["login", 403, 200, 200, 200, 200],
    "report_progress": ["login", 403, 403, 200, 403, 200],
    "application": ["login", 404, 404, 200, 404, 200],
    "assessment_list": ["login", 403, 403, 403, 403, 200],
    "assess": ["login", 403, 403, 403, 403, 200],
    "invite": ["login", 403, 403, 403, 403, 200],
    "my_page": ["login", 200, 200, 200, 200, 200],
    "municipality": [200, 200, 200, 200, 200, 200],
}


@pytest.mark.parametrize("view", MATRIX)
def test_permission_matrix(client, world, view):
    url = url_for(view, world)
    for who, expected in zip(PEOPLE, MATRIX[view], strict=True):
        client.logout()
        if world["people"][who]:
            client.force_login(world["people"][who])
        response = client.get(url)
        if expected == "login":
            assert response.status_code == 302, (view, who, response.status_code)
            assert response["Location"].startswith(reverse("network:login")), (view, who)
        else:
            assert response.status_code == expected, (view, who, response.status_code)


def test_people_on_a_municipality_page_are_for_network_members_only(client, world):
    leader = world["people"]["partner"]
    url = url_for("municipality", world)
    can_see = {"reference", "partner", "other_partner", "editor"}
    for who in PEOPLE:
        client.logout()
        if world["people"][who]:
            client.force_login(world["people"][who])
        html = client.get(url).content.decode()
        assert (leader.last_name in html) == (who in can_see), who
        assert (leader.email in html) == (who in can_see) or leader.email not in html, who


def test_status_notes_are_for_network_members_only(client, world):
    from network import services

    services.add_status_note(
        world["randers"], 1, "Hemmelig fremdrift i kortlægningen", by=world["people"]["editor"]
    )
    url = url_for("municipality", world)
    for who in PEOPLE:
        client.logout()
        if world["people"][who]:
            client.force_login(world["people"][who])
        html = client.get(url).content.decode()
        visible = who in {"reference", "partner", "other_partner", "editor"}
        assert ("Hemmelig fremdrift" in html) == visible, who


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("applicant", False), ("reference", False), ("partner", False), ("editor", True)],
)
def test_network_admin_is_for_agency_editors(client, world, who, allowed):
    client.force_login(world["people"][who])
    response = client.get("/admin/snippets/network/municipality/")
    if allowed:
        assert response.status_code == 200
    else:
        assert response.status_code in (302, 403)
