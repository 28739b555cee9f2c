"""Accounts: login by email, logout by POST, password reset, invitations, my page, inviting.

The UI is Danish through the catalogue, which the lead merges later; these tests
assert on URLs, status codes, form fields, data and model state, not on wording.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from network import services
from network.models import Invitation, Role, RoleAssignment, User
from tests.cms.factories import PoolPageFactory
from tests.network.factories import (
    DEFAULT_PASSWORD,
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

LOGIN = reverse("network:login")
LOGOUT = reverse("network:logout")
MY_PAGE = reverse("network:my_page")
OVERVIEW = reverse("network:overview")
INVITE = reverse("network:invite")
NEW_PASSWORD = "Grøn-Kaffekande-Ved-Åen-77"
INVITATION_LINK = re.compile(r"/netvaerk/invitation/([^/\s]+)/")
RESET_LINK = re.compile(r"/netvaerk/konto/nulstil-adgangskode/[^/\s]+/[^/\s]+/")


def logged_in_id(client):
    return client.session.get("_auth_user_id")


def invitation_link(token):
    return reverse("network:accept_invitation", args=[token])


def acceptance(**overrides):
    data = {
        "first_name": "Mette",
        "last_name": "Frederiksen",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    return {**data, **overrides}


@pytest.fixture
def editor():
    return agency_editor(email="redaktoer@socialstyrelsen.example")


@pytest.fixture
def randers_invitation(editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = services.invite(
            "Ny.Projektleder@Randers.example",
            invited_by=editor,
            municipality=municipality("Randers"),
            roles=[Role.PROJECT_LEADER, Role.STEERING_GROUP],
            first_name="Mette",
            last_name="Frederiksen",
        )
    return invitation, token


# --- Login and logout ----------------------------------------------------------------------


def test_login_page_has_email_and_password_fields(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.fields) == {"username", "password"}
    content = response.content.decode()
    assert 'type="email"' in content
    assert 'autocomplete="username"' in content
    assert 'autocomplete="current-password"' in content
    assert reverse("network:password_reset") in content


def test_login_by_email_and_password(client):
    person = municipal_person("Randers", Role.PROJECT_LEADER, email="anders@randers.example")
    response = client.post(
        LOGIN, {"username": "Anders@Randers.example", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == OVERVIEW
    assert logged_in_id(client) == str(person.pk)


def test_login_follows_a_safe_next_but_not_another_site(client):
    municipal_person("Randers", email="anders@randers.example")
    data = {"username": "anders@randers.example", "password": DEFAULT_PASSWORD}
    response = client.post(f"{LOGIN}?next={INVITE}", data)
    assert response.url == INVITE
    client.logout()
    response = client.post(f"{LOGIN}?next=https://evil.example/", data)
    assert response.url == OVERVIEW


def test_wrong_password_shows_an_error_and_does_not_log_in(client):
    municipal_person("Randers", email="anders@randers.example")
    response = client.post(LOGIN, {"username": "anders@randers.example", "password": "forkert"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert logged_in_id(client) is None
    content = response.content.decode()
    assert 'role="alert"' in content
    assert 'id="error-summary"' in content


def test_missing_fields_are_marked_invalid_and_described(client):
    response = client.post(LOGIN, {"username": "", "password": ""})
    content = response.content.decode()
    assert 'aria-invalid="true"' in content
    assert 'aria-describedby="id_username_error"' in content
    assert 'id="id_username_error"' in content
    assert 'href="#id_username"' in content


def test_an_inactive_person_cannot_log_in(client):
    municipal_person("Randers", email="gone@randers.example", is_active=False)
    response = client.post(
        LOGIN, {"username": "gone@randers.example", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200
    assert logged_in_id(client) is None


def test_logout_is_a_post(client):
    person = municipal_person("Randers")
    client.force_login(person)
    assert client.get(LOGOUT).status_code == 405
    assert logged_in_id(client) == str(person.pk)
    response = client.post(LOGOUT)
    assert response.status_code == 302
    assert response.url == "/"
    assert logged_in_id(client) is None


def test_header_offers_login_to_the_public_and_a_logout_button_to_people(client):
    content = client.get(LOGIN).content.decode()
    assert f'href="{LOGIN}"' in content
    assert LOGOUT not in content

    client.force_login(municipal_person("Randers"))
    content = client.get(MY_PAGE).content.decode()
    assert f'href="{MY_PAGE}"' in content
    assert re.search(rf'<form[^>]*action="{LOGOUT}"[^>]*method="post"', content)


# --- Password reset ------------------------------------------------------------------------


def test_password_reset_sends_a_link_that_sets_a_new_password(
    client, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAILADMIN_BASE_URL = "https://partnerskab.example.dk"
    person = municipal_person("Randers", email="anders@randers.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("network:password_reset"), {"email": "Anders@Randers.example"}
        )
    assert response.status_code == 302
    assert response.url == reverse("network:password_reset_done")
    assert client.get(response.url).status_code == 200

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["anders@randers.example"]
    link = RESET_LINK.search(message.body).group(0)
    assert f"https://partnerskab.example.dk{link}" in message.body

    response = client.get(link)  # Django swaps the token for a session key and redirects
    assert response.status_code == 302
    form_url = response.url
    response = client.get(form_url)
    assert response.status_code == 200
    assert set(response.context["form"].fields) == {"new_password1", "new_password2"}

    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("network:password_reset_complete")
    assert client.get(response.url).status_code == 200
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)

    # The link works once.
    response = client.get(link)
    assert response.status_code == 200
    assert response.context["validlink"] is False

    response = client.post(LOGIN, {"username": "anders@randers.example", "password": NEW_PASSWORD})
    assert logged_in_id(client) == str(person.pk)


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, mailoutbox):
    response = client.post(reverse("network:password_reset"), {"email": "nobody@nowhere.example"})
    assert response.status_code == 302
    assert response.url == reverse("network:password_reset_done")
    assert mailoutbox == []


def test_password_reset_refuses_a_weak_new_password(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    person = municipal_person("Randers", email="anders@randers.example")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("network:password_reset"), {"email": "anders@randers.example"})
    form_url = client.get(RESET_LINK.search(mailoutbox[0].body).group(0)).url
    response = client.post(form_url, {"new_password1": "123", "new_password2": "123"})
    assert response.status_code == 200
    assert response.context["form"].errors
    person.refresh_from_db()
    assert person.check_password(DEFAULT_PASSWORD)


# --- Inviting ------------------------------------------------------------------------------


def test_agency_editor_invites_and_the_email_carries_the_link(
    client, editor, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.WAGTAILADMIN_BASE_URL = "https://partnerskab.example.dk"
    client.force_login(editor)
    randers = municipality("Randers")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            INVITE,
            {
                "email": "Ny@Randers.example",
                "first_name": "Mette",
                "last_name": "Frederiksen",
                "municipality": randers.pk,
                "roles": [Role.PROJECT_LEADER, Role.IMPLEMENTATION_GROUP],
            },
        )
    assert response.status_code == 302
    assert response.url == INVITE

    invitation = Invitation.objects.get()
    assert invitation.email == "ny@randers.example"
    assert invitation.municipality == randers
    assert not invitation.is_agency_staff
    assert set(invitation.roles) == {Role.PROJECT_LEADER, Role.IMPLEMENTATION_GROUP}
    assert invitation.invited_by == editor

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["ny@randers.example"]
    token = INVITATION_LINK.search(message.body).group(1)
    assert f"https://partnerskab.example.dk{invitation_link(token)}" in message.body
    assert services.find_invitation(token) == invitation

    page = client.get(INVITE)
    assert "ny@randers.example" in page.content.decode()
    assert [row["status"][0] for row in page.context["invitations"]] == ["open"]


def test_invite_form_offers_the_98_municipalities_agency_staff_and_every_role(client, editor):
    client.force_login(editor)
    response = client.get(INVITE)
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.fields) == {
        "email",
        "first_name",
        "last_name",
        "municipality",
        "is_agency_staff",
        "roles",
    }
    assert form.fields["municipality"].queryset.count() == 98
    assert [value for value, _label in form.fields["roles"].choices] == list(Role.values)
    content = response.content.decode()
    assert 'name="is_agency_staff"' in content
    assert content.count('name="roles"') == len(Role.values)


def test_invite_an_agency_moderator(client, editor, mailoutbox, django_capture_on_commit_callbacks):
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            INVITE,
            {
                "email": "ny@socialstyrelsen.example",
                "is_agency_staff": "on",
                "roles": [Role.AGENCY_MODERATOR],
            },
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.is_agency_staff
    assert invitation.municipality is None
    assert invitation.roles == [Role.AGENCY_MODERATOR]
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    "data",
    [
        # Neither a municipality nor the agency.
        {"email": "ny@randers.example"},
        # Both.
        {"email": "ny@randers.example", "municipality": "RANDERS", "is_agency_staff": "on"},
        # A municipal person with an agency role.
        {
            "email": "ny@randers.example",
            "municipality": "RANDERS",
            "roles": [Role.AGENCY_EDITOR],
        },
        # The address already has a login.
        {"email": "redaktoer@socialstyrelsen.example", "is_agency_staff": "on"},
        # Not an email address, not a role.
        {"email": "not-an-address", "municipality": "RANDERS"},
        {"email": "ny@randers.example", "municipality": "RANDERS", "roles": ["king"]},
    ],
)
def test_invite_shows_the_rules_errors_on_the_form_and_sends_nothing(
    client, editor, mailoutbox, django_capture_on_commit_callbacks, data
):
    if data.get("municipality") == "RANDERS":
        data = {**data, "municipality": municipality("Randers").pk}
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(INVITE, data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert 'role="alert"' in response.content.decode()
    assert not Invitation.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize(
    "make_person",
    [
        lambda: municipal_person("Randers", Role.PROJECT_LEADER, Role.PROJECT_OWNER),
        agency_moderator,
        lambda: PersonFactory(is_agency_staff=True),
    ],
    ids=["project-leader", "moderator", "agency-staff-without-role"],
)
def test_only_agency_editors_may_invite(client, make_person, mailoutbox):
    client.force_login(make_person())
    assert client.get(INVITE).status_code == 403
    response = client.post(
        INVITE, {"email": "ny@randers.example", "municipality": municipality("Randers").pk}
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_anonymous_is_sent_to_login_from_the_invite_page(client):
    response = client.get(INVITE)
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next={INVITE}"


@pytest.mark.usefixtures("randers_invitation")  # an open invitation
def test_invite_page_lists_invitations_as_open_used_or_expired(client, editor):
    _used, used_token = services.invite(
        "brugt@herning.example", invited_by=editor, municipality=municipality("Herning")
    )
    services.accept_invitation(
        used_token, password=NEW_PASSWORD, first_name="Brugt", last_name="Person"
    )
    expired, _ = services.invite(
        "udloebet@roskilde.example", invited_by=editor, municipality=municipality("Roskilde")
    )
    Invitation.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    client.force_login(editor)
    response = client.get(INVITE)
    statuses = {
        row["invitation"].email: row["status"][0] for row in response.context["invitations"]
    }
    assert statuses == {
        "ny.projektleder@randers.example": "open",
        "brugt@herning.example": "used",
        "udloebet@roskilde.example": "expired",
    }
    content = response.content.decode()
    for status in ("open", "used", "expired"):
        assert f"invitation-status--{status}" in content


# --- Accepting an invitation ---------------------------------------------------------------


def test_invitation_form_is_prefilled_with_the_names(client, randers_invitation):
    _invitation, token = randers_invitation
    response = client.get(invitation_link(token))
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.fields) == {"first_name", "last_name", "password1", "password2"}
    content = response.content.decode()
    assert 'value="Mette"' in content
    assert 'value="Frederiksen"' in content
    assert 'autocomplete="new-password"' in content
    assert "ny.projektleder@randers.example" in content


def test_accepting_creates_the_person_logs_in_and_lands_on_the_overview(client, randers_invitation):
    invitation, token = randers_invitation
    response = client.post(
        invitation_link(token), acceptance(first_name=" Mette ", last_name="Frederiksen-Holm")
    )
    assert response.status_code == 302
    randers = municipality("Randers")
    assert response.url == OVERVIEW

    person = User.objects.get(email="ny.projektleder@randers.example")
    assert person.first_name == "Mette"
    assert person.last_name == "Frederiksen-Holm"
    assert person.municipality == randers
    assert not person.is_agency_staff
    assert person.check_password(NEW_PASSWORD)
    assert set(person.role_assignments.values_list("role", flat=True)) == {
        Role.PROJECT_LEADER,
        Role.STEERING_GROUP,
    }
    assert logged_in_id(client) == str(person.pk)
    invitation.refresh_from_db()
    assert invitation.accepted_by == person
    assert invitation.accepted_at is not None


def test_agency_staff_land_on_the_overview_with_their_editor_rights(client, editor):
    _invitation, token = services.invite(
        "ny@socialstyrelsen.example",
        invited_by=editor,
        is_agency_staff=True,
        roles=[Role.AGENCY_EDITOR],
    )
    response = client.post(invitation_link(token), acceptance())
    assert response.status_code == 302
    assert response.url == OVERVIEW
    person = User.objects.get(email="ny@socialstyrelsen.example")
    assert person.is_agency_staff and person.municipality is None
    assert person.groups.filter(name=services.EDITORS_GROUP).exists()
    assert client.get(INVITE).status_code == 200


def test_the_invitation_link_works_once(client, randers_invitation):
    _invitation, token = randers_invitation
    client.post(invitation_link(token), acceptance())
    client.post(LOGOUT)

    assert client.get(invitation_link(token)).status_code == 404
    response = client.post(invitation_link(token), acceptance(first_name="Anden"))
    assert response.status_code == 404
    assert User.objects.filter(email="ny.projektleder@randers.example").count() == 1
    assert User.objects.get(email="ny.projektleder@randers.example").first_name == "Mette"
    assert logged_in_id(client) is None


def test_an_expired_link_is_refused(client, randers_invitation):
    invitation, token = randers_invitation
    invitation.expires_at = timezone.now() - timedelta(seconds=1)
    invitation.save()

    response = client.get(invitation_link(token))
    assert response.status_code == 404
    assert reverse("network:login") in response.content.decode()
    assert client.post(invitation_link(token), acceptance()).status_code == 404
    assert not User.objects.filter(email=invitation.email).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_an_unknown_link_is_404(client):
    assert client.get(invitation_link("ikke-et-rigtigt-token")).status_code == 404


def test_a_link_that_expires_while_the_form_is_open_is_refused(client, randers_invitation):
    invitation, token = randers_invitation
    client.get(invitation_link(token))
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    assert client.post(invitation_link(token), acceptance()).status_code == 404
    assert not User.objects.filter(email=invitation.email).exists()


@pytest.mark.parametrize(
    "password",
    ["12345678", "kort", "password123", "ny.projektleder"],
    ids=["numeric", "short", "common", "like-the-email"],
)
def test_weak_passwords_are_refused_and_nothing_is_saved(client, randers_invitation, password):
    invitation, token = randers_invitation
    people, roles = User.objects.count(), RoleAssignment.objects.count()
    response = client.post(
        invitation_link(token), acceptance(password1=password, password2=password)
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["password1"]
    content = response.content.decode()
    assert 'id="id_password1_error"' in content
    assert re.search(r'aria-describedby="[^"]*id_password1_error"', content)
    assert 'href="#id_password1"' in content
    assert (User.objects.count(), RoleAssignment.objects.count()) == (people, roles)
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert logged_in_id(client) is None


def test_the_two_passwords_must_match(client, randers_invitation):
    invitation, token = randers_invitation
    response = client.post(invitation_link(token), acceptance(password2=NEW_PASSWORD + "x"))
    assert response.status_code == 200
    assert response.context["form"].errors["password2"]
    assert not User.objects.filter(email=invitation.email).exists()


def test_names_are_required(client, randers_invitation):
    invitation, token = randers_invitation
    response = client.post(invitation_link(token), acceptance(first_name="", last_name=" "))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"first_name", "last_name"}
    assert not User.objects.filter(email=invitation.email).exists()


def test_an_address_that_got_a_login_meanwhile_gets_a_clear_error(client, randers_invitation):
    invitation, token = randers_invitation
    PersonFactory(email=invitation.email, municipality=municipality("Randers"))
    response = client.post(invitation_link(token), acceptance())
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


# --- My page -------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login_from_my_page(client):
    response = client.get(MY_PAGE)
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next={MY_PAGE}"


def test_my_page_shows_the_person_their_municipality_and_roles(client):
    person = municipal_person(
        "Randers",
        Role.PROJECT_LEADER,
        Role.STEERING_GROUP,
        email="anders@randers.example",
        first_name="Anders",
        last_name="Kjær",
    )
    initiative = InitiativeFactory()
    member(initiative, "Randers", "partner")
    client.force_login(person)
    response = client.get(MY_PAGE)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Anders Kjær" in content
    assert "anders@randers.example" in content
    assert "Randers" in content
    assert reverse("network:municipality", args=["randers"]) in content
    assert {a.role for a in response.context["roles"]} == {
        Role.PROJECT_LEADER,
        Role.STEERING_GROUP,
    }
    memberships = list(response.context["memberships"])
    assert [(m.initiative, m.status) for m in memberships] == [(initiative, "partner")]
    assert initiative.title in content
    assert response.context["can_invite"] is False
    assert INVITE not in content


def test_my_page_shows_own_municipality_applications_never_another_municipalitys(client):
    pool = PoolPageFactory(title="Recovery og rehabilitering")
    other_pool = PoolPageFactory(title="Lovende praksis")
    randers = ApplicationFactory(pool=pool, municipality=municipality("Randers"))
    randers_other = ApplicationFactory(pool=other_pool, municipality=municipality("Randers"))
    herning = ApplicationFactory(pool=pool, municipality=municipality("Herning"))
    client.force_login(municipal_person("Randers"))

    response = client.get(MY_PAGE)
    assert set(response.context["applications"]) == {randers, randers_other}
    content = response.content.decode()
    assert reverse("network:application", args=[randers.pk]) in content
    assert reverse("network:application", args=[randers_other.pk]) in content
    assert reverse("network:application", args=[herning.pk]) not in content


def test_my_page_for_an_agency_editor_links_to_inviting(client, editor):
    ApplicationFactory(pool=PoolPageFactory(), municipality=municipality("Randers"))
    client.force_login(editor)
    response = client.get(MY_PAGE)
    assert response.status_code == 200
    assert response.context["can_invite"] is True
    assert response.context["applications"] == []
    assert INVITE in response.content.decode()


def test_my_page_lists_the_persons_status_notes(client):
    initiative = InitiativeFactory()
    membership = member(initiative, "Randers", "partner")
    leader = municipal_person("Randers", Role.PROJECT_LEADER)
    note = services.add_status_note(membership, 1, "Kortlægningen er i gang.", by=leader)
    colleague = municipal_person("Randers", Role.PROJECT_OWNER)
    services.add_status_note(membership, 2, "Kollegaens note.", by=colleague)
    client.force_login(leader)
    response = client.get(MY_PAGE)
    assert list(response.context["status_notes"]) == [note]
    content = response.content.decode()
    assert "Kortlægningen er i gang." in content
    assert "Kollegaens note." not in content
