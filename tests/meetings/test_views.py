"""The meetings' pages: who sees what, signing up (members and guests), cancelling, my sign-ups.

The rules themselves are in meetings/services.py; these tests drive them through the
pages, as people do, and look at status codes, URLs, emails and the saved state.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from meetings.models import CalendarFeed, Meeting, Registration
from network.models import Membership, Role
from tests.meetings.factories import MeetingFactory, RegistrationFactory, in_days
from tests.network.factories import (
    InitiativeFactory,
    PersonFactory,
    agency_editor,
    member,
    municipal_person,
    municipality,
)

pytestmark = pytest.mark.django_db

Status = Registration.Status
Audience = Meeting.Audience


def meeting_url(meeting):
    return reverse("meetings:meeting", args=[meeting.pk])


def register_url(meeting):
    return reverse("meetings:register", args=[meeting.pk])


def guest_url(meeting):
    return reverse("meetings:register_guest", args=[meeting.pk])


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def link_in(mail, name):
    """The path of the confirm or cancel link in an email."""
    word = {"confirm_guest": "bekraeft", "cancel_by_link": "afmeld"}[name]
    match = re.search(rf"https?://[^/\s]+(/moeder/{word}/[^/\s]+/)", mail.body)
    assert match, mail.body
    return match.group(1)


# --- Who sees which meeting ----------------------------------------------------------------

PEOPLE = [
    "anonymous",
    "applicant",
    "reference",
    "reference_owner",
    "partner_leader",
    "partner_owner",
    "partner_implementation",
    "editor",
]


@pytest.fixture
def world():
    initiative = InitiativeFactory()
    member(initiative, "Randers", Membership.Status.PARTNER)
    member(initiative, "Herning", Membership.Status.PARTNER)
    member(initiative, "Aarhus", Membership.Status.REFERENCE)
    member(initiative, "Odense", Membership.Status.APPLICANT)
    people = {
        "anonymous": None,
        "applicant": municipal_person("Odense", Role.PROJECT_LEADER),
        "reference": municipal_person("Aarhus"),
        # A reference municipality's project owner: the role, but not a partner.
        "reference_owner": municipal_person("Aarhus", Role.PROJECT_OWNER),
        "partner_leader": municipal_person("Randers", Role.PROJECT_LEADER),
        "partner_owner": municipal_person("Randers", Role.PROJECT_OWNER),
        "partner_implementation": municipal_person("Herning", Role.IMPLEMENTATION_GROUP),
        "editor": agency_editor(),
    }
    meetings = {
        "public": MeetingFactory(title="Informationsmøde i Odense", initiative=initiative),
        "network": MeetingFactory(
            title="Referencenetværksmøde",
            kind=Meeting.Kind.REFERENCE_NETWORK,
            audience=Audience.NETWORK,
            initiative=initiative,
        ),
        "partners": MeetingFactory(
            title="Workshop for partnerne",
            kind=Meeting.Kind.WORKSHOP,
            audience=Audience.PARTNERS,
            initiative=initiative,
        ),
        "kick_off": MeetingFactory(
            title="Opstartsmøde",
            kind=Meeting.Kind.KICK_OFF,
            audience=Audience.ROLES,
            audience_roles=[Role.PROJECT_OWNER, Role.IMPLEMENTATION_GROUP],
            initiative=initiative,
        ),
    }
    return {"initiative": initiative, "people": people, "meetings": meetings}


# Which meetings each person may see, and so open, download and sign up for.
AUDIENCE = {
    #                          public network partners kick_off
    "anonymous": [True, False, False, False],
    "applicant": [True, False, False, False],
    "reference": [True, True, False, False],
    "reference_owner": [True, True, False, False],
    "partner_leader": [True, True, True, False],
    "partner_owner": [True, True, True, True],
    "partner_implementation": [True, True, True, True],
    "editor": [True, True, True, True],
}
MEETINGS = ["public", "network", "partners", "kick_off"]


def log_in(client, world, who):
    client.logout()
    if world["people"][who]:
        client.force_login(world["people"][who])


@pytest.mark.parametrize("who", PEOPLE)
def test_meeting_pages_and_calendar_files_follow_the_audience(client, world, who):
    log_in(client, world, who)
    for name, allowed in zip(MEETINGS, AUDIENCE[who], strict=True):
        meeting = world["meetings"][name]
        page = client.get(meeting_url(meeting))
        assert page.status_code == (200 if allowed else 404), (who, name)
        if allowed:
            assert meeting.title in page.content.decode()
        else:
            assert meeting.title not in page.content.decode()
        ics = client.get(reverse("meetings:meeting_ics", args=[meeting.pk]))
        assert ics.status_code == (200 if allowed else 404), (who, name)


@pytest.mark.parametrize("who", PEOPLE)
def test_the_list_shows_only_the_meetings_open_to_the_person(client, world, who):
    log_in(client, world, who)
    listed = list(client.get(reverse("meetings:list")).context["page_obj"])
    expected = {
        world["meetings"][name].pk
        for name, allowed in zip(MEETINGS, AUDIENCE[who], strict=True)
        if allowed
    }
    assert {meeting.pk for meeting in listed} == expected, who


@pytest.mark.parametrize("who", [who for who in PEOPLE if who != "anonymous"])
def test_members_sign_up_only_for_meetings_open_to_them(client, world, who):
    log_in(client, world, who)
    person = world["people"][who]
    for name, allowed in zip(MEETINGS, AUDIENCE[who], strict=True):
        meeting = world["meetings"][name]
        response = client.post(register_url(meeting))
        saved = Registration.objects.filter(meeting=meeting, person=person)
        if allowed:
            assert response.status_code == 302
            assert response["Location"] == meeting_url(meeting)
            assert saved.get().status == Status.CONFIRMED
        else:
            assert response.status_code == 404, (who, name)
            assert not saved.exists(), (who, name)


def test_kick_off_refuses_a_reference_member_and_a_partner_without_the_roles(client, world):
    kick_off = world["meetings"]["kick_off"]
    for who in ["reference_owner", "partner_leader"]:
        log_in(client, world, who)
        assert client.get(meeting_url(kick_off)).status_code == 404
        assert client.post(register_url(kick_off)).status_code == 404
    assert not kick_off.registrations.exists()


def test_an_anonymous_sign_up_is_sent_to_log_in_first(client, world):
    meeting = world["meetings"]["public"]
    response = client.post(register_url(meeting))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("network:login"))
    assert "next=" + meeting_url(meeting) in response["Location"].replace("%2F", "/")
    assert not meeting.registrations.exists()


def test_signing_up_is_a_post(client, world):
    log_in(client, world, "partner_leader")
    response = client.get(register_url(world["meetings"]["public"]))
    assert response.status_code == 405
    assert not Registration.objects.exists()


def test_a_hidden_meeting_and_a_missing_one_look_the_same(client, world):
    hidden = client.get(meeting_url(world["meetings"]["partners"]))
    missing = client.get(reverse("meetings:meeting", args=[999_999]))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.templates[0].name == missing.templates[0].name == "meetings/not_found.html"


def test_minutes_materials_and_action_items_are_for_the_audience(client, world):
    from tests.meetings.factories import ActionItemFactory

    meeting = world["meetings"]["partners"]
    Meeting.objects.filter(pk=meeting.pk).update(minutes="Beslutning: vi går i gang i marts.")
    ActionItemFactory(meeting=meeting, text="Send implementeringsplanen")
    log_in(client, world, "partner_leader")
    html = client.get(meeting_url(meeting)).content.decode()
    assert "Beslutning: vi går i gang i marts." in html
    assert "Send implementeringsplanen" in html
    log_in(client, world, "reference")
    assert client.get(meeting_url(meeting)).status_code == 404


# --- The list ------------------------------------------------------------------------------


def test_the_list_has_upcoming_and_past_meetings(client):
    upcoming = MeetingFactory(title="Kommende møde")
    past = MeetingFactory(title="Tidligere møde", past=True)
    listed = client.get(reverse("meetings:list")).context["page_obj"]
    assert [meeting.pk for meeting in listed] == [upcoming.pk]
    listed = client.get(reverse("meetings:list"), {"tid": "tidligere"}).context["page_obj"]
    assert [meeting.pk for meeting in listed] == [past.pk]


def test_the_list_filters_by_type_and_initiative(client):
    initiative = InitiativeFactory()
    information = MeetingFactory(initiative=initiative)
    workshop = MeetingFactory(kind=Meeting.Kind.WORKSHOP, initiative=initiative)
    other = MeetingFactory(kind=Meeting.Kind.WORKSHOP)
    url = reverse("meetings:list")

    def listed(**query):
        return {meeting.pk for meeting in client.get(url, query).context["page_obj"]}

    assert listed() == {information.pk, workshop.pk, other.pk}
    assert listed(type="workshop") == {workshop.pk, other.pk}
    assert listed(initiativ=initiative.slug) == {information.pk, workshop.pk}
    assert listed(type="workshop", initiativ=initiative.slug) == {workshop.pk}
    # An unknown value is ignored rather than an error.
    assert client.get(url, {"type": "picnic"}).status_code == 200


def test_the_list_is_paginated_and_keeps_the_filter(client):
    for day in range(25):
        MeetingFactory(kind=Meeting.Kind.WORKSHOP, starts_at=in_days(day + 1))
    response = client.get(reverse("meetings:list"), {"type": "workshop"})
    assert len(response.context["page_obj"]) == 20
    assert "type=workshop&amp;side=2" in response.content.decode()
    second = client.get(reverse("meetings:list"), {"type": "workshop", "side": 2})
    assert len(second.context["page_obj"]) == 5


def _list_queries(client, django_assert_max_num_queries, count, person):
    initiative = InitiativeFactory()
    member(initiative, "Randers", Membership.Status.PARTNER)
    for index in range(count):
        meeting = MeetingFactory(
            audience=[Audience.PUBLIC, Audience.NETWORK, Audience.PARTNERS][index % 3],
            initiative=initiative,
            seats=10,
        )
        RegistrationFactory(meeting=meeting, person=person)
        RegistrationFactory(meeting=meeting)
    client.force_login(person)
    client.get(reverse("meetings:list"))  # the first request makes the site's settings
    with django_assert_max_num_queries(16) as captured:
        response = client.get(reverse("meetings:list"))
    assert response.status_code == 200
    assert len(response.context["page_obj"]) == min(count, 20)
    return len(captured)


def test_the_list_takes_as_many_queries_for_30_meetings_as_for_3(
    client, django_assert_max_num_queries
):
    person = municipal_person("Randers", Role.PROJECT_LEADER)
    few = _list_queries(client, django_assert_max_num_queries, 3, person)
    Meeting.objects.all().delete()
    many = _list_queries(client, django_assert_max_num_queries, 30, person)
    assert few == many


def test_the_meeting_page_takes_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    from tests.meetings.factories import ActionItemFactory

    meeting = MeetingFactory(seats=5, agenda="1. Velkomst")
    for _ in range(10):
        RegistrationFactory(meeting=meeting)
        ActionItemFactory(meeting=meeting)
    person = municipal_person("Randers")
    client.force_login(person)
    with django_assert_max_num_queries(14):
        assert client.get(meeting_url(meeting)).status_code == 200


# --- A meeting's page ----------------------------------------------------------------------


def test_the_meeting_page_has_what_a_participant_needs(client):
    meeting = MeetingFactory(
        title="Informationsmøde om puljen",
        starts_at=in_days(20, 12),
        ends_at=in_days(20, 14),
        online_url="https://moede.example/123",
        agenda="1. Velkomst\n2. Puljens formål",
        seats=10,
        seats_per_municipality=2,
        signup_deadline=in_days(18, 12),
        organiser=agency_editor(first_name="Karen", last_name="Holm"),
    )
    for _ in range(3):
        RegistrationFactory(meeting=meeting)
    response = client.get(meeting_url(meeting))
    html = response.content.decode()
    assert response.context["seats_left"] == 7
    assert response.context["waiting_count"] == 0
    start = timezone.localtime(meeting.starts_at)
    months = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august"]
    months += ["september", "oktober", "november", "december"]
    assert f"{start.day}. {months[start.month - 1]} {start.year} kl. 12.00" in html
    assert "Vestergade 1, Odense" in html
    assert 'href="https://moede.example/123"' in html
    assert "Karen Holm" in html
    assert "Puljens formål" in html
    assert reverse("meetings:meeting_ics", args=[meeting.pk]) in html
    # Anonymous visitors of a public meeting are offered the guest form.
    assert guest_url(meeting) in html
    assert register_url(meeting) not in html


def test_a_member_sees_a_sign_up_button_and_then_their_status_and_a_cancel_button(client):
    meeting = MeetingFactory(seats=1)
    person = municipal_person("Randers")
    client.force_login(person)
    assert f'action="{register_url(meeting)}"' in client.get(meeting_url(meeting)).content.decode()
    client.post(register_url(meeting))
    registration = meeting.registrations.get()
    response = client.get(meeting_url(meeting))
    assert response.context["own"] == registration
    html = response.content.decode()
    assert f'action="{reverse("meetings:cancel", args=[registration.pk])}"' in html
    assert f'action="{register_url(meeting)}"' not in html
    assert response.context["seats_left"] == 0


# --- Sign-up rules through the pages -------------------------------------------------------


def test_a_member_signs_up_and_gets_a_confirmation_with_the_calendar_file(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory()
    person = municipal_person("Randers", email="anna@randers.example")
    client.force_login(person)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(register_url(meeting))
    assert response["Location"] == meeting_url(meeting)
    registration = meeting.registrations.get()
    assert registration.status == Status.CONFIRMED
    assert registration.person == person
    assert registration.municipality == municipality("Randers")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["anna@randers.example"]
    (attachment,) = mailoutbox[0].attachments
    filename, content, mimetype = attachment
    assert filename.endswith(".ics")
    assert mimetype.startswith("text/calendar")
    assert b"BEGIN:VEVENT" in (content if isinstance(content, bytes) else content.encode())
    assert link_in(mailoutbox[0], "cancel_by_link")


def test_sign_up_after_the_deadline_is_refused_with_a_message(client):
    meeting = MeetingFactory(signup_deadline=timezone.now() - timedelta(minutes=1))
    client.force_login(municipal_person("Randers"))
    response = client.post(register_url(meeting), follow=True)
    assert response.redirect_chain[-1][0] == meeting_url(meeting)
    assert len(message_texts(response)) == 1
    assert response.context["closed_reason"]
    assert not meeting.registrations.exists()
    assert f'action="{register_url(meeting)}"' not in response.content.decode()


def test_sign_up_for_a_past_meeting_is_refused(client):
    meeting = MeetingFactory(past=True)
    client.force_login(municipal_person("Randers"))
    response = client.post(register_url(meeting), follow=True)
    assert response.status_code == 200
    assert len(message_texts(response)) == 1
    assert not meeting.registrations.exists()


def test_sign_up_for_a_cancelled_meeting_is_refused(client):
    meeting = MeetingFactory(cancelled_at=timezone.now())
    client.force_login(municipal_person("Randers"))
    client.post(register_url(meeting))
    assert not meeting.registrations.exists()


def test_a_second_sign_up_is_refused_politely(client):
    meeting = MeetingFactory()
    client.force_login(municipal_person("Randers"))
    client.post(register_url(meeting), follow=True)
    response = client.post(register_url(meeting), follow=True)
    assert response.status_code == 200
    (text,) = message_texts(response)
    assert text  # the service's polite refusal, in Danish
    assert meeting.registrations.count() == 1


def test_the_third_from_a_municipality_goes_to_the_waiting_list(client):
    meeting = MeetingFactory(seats=10, seats_per_municipality=2)
    randers = [municipal_person("Randers") for _ in range(3)]
    for person in randers:
        client.force_login(person)
        client.post(register_url(meeting))
    client.force_login(municipal_person("Aarhus"))
    client.post(register_url(meeting))
    statuses = [
        registration.status
        for registration in meeting.registrations.filter(municipality__name="Randers")
    ]
    assert statuses == [Status.CONFIRMED, Status.CONFIRMED, Status.WAITING]
    assert meeting.registrations.get(municipality__name="Aarhus").status == Status.CONFIRMED


def test_a_full_meeting_puts_members_on_the_waiting_list_with_their_position(client):
    meeting = MeetingFactory(seats=1)
    RegistrationFactory(meeting=meeting)
    RegistrationFactory(meeting=meeting, status=Status.WAITING)
    client.force_login(municipal_person("Randers"))
    html = client.get(meeting_url(meeting)).content.decode()
    assert f'action="{register_url(meeting)}"' in html
    response = client.post(register_url(meeting), follow=True)
    mine = meeting.registrations.get(person=response.wsgi_request.user)
    assert mine.status == Status.WAITING
    assert response.context["own_position"] == 2
    assert "2" in message_texts(response)[0]


# --- Guests --------------------------------------------------------------------------------


def test_a_guest_signs_up_confirms_by_email_and_then_the_seat_counts(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(seats=2)
    assert client.get(guest_url(meeting)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            guest_url(meeting),
            {"name": "Gitte Gæst", "email": "Gitte@Example.org", "organisation": "Bostedet"},
        )
    assert response.status_code == 302
    assert response["Location"] == guest_url(meeting) + "?sendt=1"
    check = client.get(response["Location"])
    assert check.templates[0].name == "meetings/guest_check_email.html"
    assert "gitte@example.org" in check.content.decode()

    guest = meeting.registrations.get()
    assert guest.status == Status.UNCONFIRMED
    assert guest.person is None
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["gitte@example.org"]
    assert mailoutbox[0].attachments == []
    confirm = link_in(mailoutbox[0], "confirm_guest")

    # Before the guest confirms, the seat is free for others.
    client.force_login(municipal_person("Randers"))
    client.post(register_url(meeting))
    assert meeting.registrations.get(person__isnull=False).status == Status.CONFIRMED
    client.logout()

    # A GET (a mail scanner following the link) changes nothing; it shows a button.
    page = client.get(confirm)
    assert page.status_code == 200
    assert f'action="{confirm}"' in page.content.decode()
    guest.refresh_from_db()
    assert guest.status == Status.UNCONFIRMED

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm)
    assert response.status_code == 302
    guest.refresh_from_db()
    assert guest.status == Status.CONFIRMED
    assert guest.confirmed_at is not None
    assert len(mailoutbox) == 2
    assert mailoutbox[1].to == ["gitte@example.org"]
    assert mailoutbox[1].attachments  # the confirmation carries the .ics
    # The seat counts now: the meeting is full.
    assert client.get(meeting_url(meeting)).context["seats_left"] == 0

    # Confirming again changes nothing.
    client.post(confirm)
    guest.refresh_from_db()
    assert guest.status == Status.CONFIRMED


def test_a_guest_who_confirms_after_the_seats_are_gone_is_on_the_waiting_list(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(seats=1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            guest_url(meeting), {"name": "Gitte", "email": "g@example.org", "organisation": "X"}
        )
    RegistrationFactory(meeting=meeting)
    client.post(link_in(mailoutbox[0], "confirm_guest"))
    assert meeting.registrations.get(person__isnull=True).status == Status.WAITING


def test_the_guest_form_checks_each_field(client):
    meeting = MeetingFactory()
    response = client.post(guest_url(meeting), {"name": "", "email": "ikke-en-adresse"})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"name", "email"}
    html = response.content.decode()
    assert 'role="alert"' in html
    assert 'aria-invalid="true"' in html

    # Neither organisation nor municipality: the service says which field.
    response = client.post(guest_url(meeting), {"name": "Gitte", "email": "g@example.org"})
    assert set(response.context["form"].errors) == {"organisation"}
    assert not meeting.registrations.exists()


def test_a_guest_may_choose_a_municipality_instead_of_an_organisation(client):
    meeting = MeetingFactory()
    vejle = municipality("Vejle")
    form = client.get(guest_url(meeting)).context["form"]
    assert form.fields["municipality"].queryset.count() == 98
    client.post(
        guest_url(meeting), {"name": "Gitte", "email": "g@example.org", "municipality": vejle.pk}
    )
    registration = meeting.registrations.get()
    assert registration.municipality == vejle
    assert registration.organisation == "Vejle"


GITTE = {"name": "Gitte", "email": "g@example.org", "organisation": "X"}


def test_a_guest_signing_up_twice_gets_a_new_confirmation_link_and_one_place(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(guest_url(meeting), GITTE)
        response = client.post(guest_url(meeting), {**GITTE, "email": "G@EXAMPLE.ORG"})
    assert response.status_code == 302
    assert response["Location"] == guest_url(meeting) + "?sendt=1"
    assert meeting.registrations.count() == 1
    assert [mail.to for mail in mailoutbox] == [["g@example.org"]] * 2
    first, second = (link_in(mail, "confirm_guest") for mail in mailoutbox)
    assert client.get(first).status_code == 404  # only the newest link works
    client.post(second)
    assert meeting.registrations.get().status == Status.CONFIRMED


@pytest.mark.parametrize("status", [Status.CONFIRMED, Status.WAITING])
def test_the_guest_form_does_not_tell_a_stranger_who_is_signed_up(
    client, mailoutbox, django_capture_on_commit_callbacks, status
):
    """Typing a signed-up person's address answers as for a new one; the email goes to them."""
    meeting = MeetingFactory()
    anna = municipal_person("Randers", email="Anna.Holm@randers.dk")
    registration = RegistrationFactory(meeting=meeting, person=anna, status=status)
    fresh = client.post(guest_url(meeting), {**GITTE, "email": "ny@example.org"})
    with django_capture_on_commit_callbacks(execute=True):
        repeat = client.post(guest_url(meeting), {**GITTE, "email": "anna.holm@RANDERS.dk"})
    assert repeat.status_code == fresh.status_code == 302
    assert repeat["Location"] == fresh["Location"]
    page = client.get(repeat["Location"]).content.decode()
    assert "anna.holm@randers.dk" in page and "Anna.Holm" not in page

    assert meeting.registrations.filter(email__iexact=anna.email).count() == 1
    registration.refresh_from_db()
    assert registration.status == status and registration.name == anna.get_full_name()
    (mail,) = mailoutbox
    assert mail.to == [registration.email]
    assert "allerede tilmeldt" in mail.subject
    assert bool(mail.attachments) == (status == Status.CONFIRMED)
    cancel = link_in(mail, "cancel_by_link")
    assert client.get(cancel).status_code == 200


def test_guests_cannot_sign_up_for_meetings_that_are_not_public(client, world):
    meeting = world["meetings"]["network"]
    assert client.get(guest_url(meeting)).status_code == 404
    response = client.post(
        guest_url(meeting), {"name": "G", "email": "g@example.org", "organisation": "X"}
    )
    assert response.status_code == 404
    # Not even a logged-in member of the audience signs up others for it as guests.
    log_in(client, world, "reference")
    assert client.get(guest_url(meeting)).status_code == 404
    assert not meeting.registrations.exists()


def test_the_guest_form_of_a_closed_meeting_says_why_and_saves_nothing(client):
    meeting = MeetingFactory(signup_deadline=timezone.now() - timedelta(hours=1))
    response = client.get(guest_url(meeting))
    assert response.context["closed_reason"]
    assert '<form class="account-form"' not in response.content.decode()
    client.post(guest_url(meeting), {"name": "G", "email": "g@example.org", "organisation": "X"})
    assert not meeting.registrations.exists()


def test_an_unknown_link_is_not_found(client):
    for name in ["confirm_guest", "cancel_by_link"]:
        url = reverse(f"meetings:{name}", args=["ikke-et-rigtigt-token"])
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404


# --- Cancelling ----------------------------------------------------------------------------


def test_the_cancel_link_promotes_the_first_waiting_and_emails_them(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(seats=1)
    first, second, third = (municipal_person(name) for name in ["Randers", "Aarhus", "Vejle"])
    for person in (first, second, third):
        client.force_login(person)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(register_url(meeting))
    client.logout()
    assert [r.status for r in meeting.registrations.all()] == [
        Status.CONFIRMED,
        Status.WAITING,
        Status.WAITING,
    ]
    cancel = link_in(mailoutbox[0], "cancel_by_link")
    mailoutbox.clear()

    page = client.get(cancel)
    assert page.status_code == 200
    assert f'action="{cancel}"' in page.content.decode()
    assert meeting.registrations.get(person=first).status == Status.CONFIRMED

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(cancel)
    assert response.status_code == 302
    assert meeting.registrations.get(person=first).status == Status.CANCELLED
    assert meeting.registrations.get(person=second).status == Status.CONFIRMED
    assert meeting.registrations.get(person=third).status == Status.WAITING
    assert [mail.to for mail in mailoutbox] == [[second.email]]
    assert mailoutbox[0].attachments

    # The page now says it is cancelled; posting again changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(cancel)
    assert meeting.registrations.get(person=third).status == Status.WAITING
    assert len(mailoutbox) == 1
    assert f'action="{cancel}"' not in client.get(cancel).content.decode()


def test_the_owner_cancels_with_the_button_and_others_cannot(client):
    meeting = MeetingFactory()
    owner = municipal_person("Randers")
    registration = RegistrationFactory(meeting=meeting, person=owner)
    url = reverse("meetings:cancel", args=[registration.pk])

    client.force_login(municipal_person("Randers"))
    assert client.post(url).status_code == 404
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED

    client.force_login(owner)
    assert client.get(url).status_code == 405
    response = client.post(url, {"next": reverse("meetings:my_registrations")})
    assert response["Location"] == reverse("meetings:my_registrations")
    registration.refresh_from_db()
    assert registration.status == Status.CANCELLED


def test_an_organiser_cancels_anyones_place(client):
    registration = RegistrationFactory()
    client.force_login(agency_editor())
    response = client.post(reverse("meetings:cancel", args=[registration.pk]))
    assert response["Location"] == meeting_url(registration.meeting)
    registration.refresh_from_db()
    assert registration.status == Status.CANCELLED


def test_cancel_ignores_a_next_address_on_another_site(client):
    registration = RegistrationFactory()
    client.force_login(registration.person)
    response = client.post(
        reverse("meetings:cancel", args=[registration.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == meeting_url(registration.meeting)


def test_cancelling_needs_a_login(client):
    registration = RegistrationFactory()
    response = client.post(reverse("meetings:cancel", args=[registration.pk]))
    assert response["Location"].startswith(reverse("network:login"))
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED


# --- My sign-ups ---------------------------------------------------------------------------


def test_my_registrations_lists_mine_only(client):
    person = municipal_person("Randers")
    mine = RegistrationFactory(person=person)
    past = RegistrationFactory(person=person, meeting=MeetingFactory(past=True))
    RegistrationFactory()  # someone else's
    client.force_login(person)
    response = client.get(reverse("meetings:my_registrations"))
    assert [row.pk for row in response.context["upcoming"]] == [mine.pk]
    assert [row.pk for row in response.context["past"]] == [past.pk]


def test_a_person_deletes_their_own_sign_up(client, mailoutbox, django_capture_on_commit_callbacks):
    meeting = MeetingFactory(seats=1)
    person = municipal_person("Randers")
    mine = RegistrationFactory(meeting=meeting, person=person)
    waiting = RegistrationFactory(meeting=meeting, status=Status.WAITING)
    url = reverse("meetings:my_registrations")
    client.force_login(person)

    # The link asks first; the GET deletes nothing.
    page = client.get(url, {"slet": mine.pk})
    assert page.context["to_delete"] == mine
    assert Registration.objects.filter(pk=mine.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"slet": mine.pk})
    assert response["Location"] == url
    assert not Registration.objects.filter(pk=mine.pk).exists()
    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED
    assert [mail.to for mail in mailoutbox] == [[waiting.email]]


def test_nobody_deletes_someone_elses_sign_up(client):
    other = RegistrationFactory()
    client.force_login(municipal_person("Randers"))
    url = reverse("meetings:my_registrations")
    assert client.post(url, {"slet": other.pk}).status_code == 404
    assert client.post(url, {"slet": "nonsense"}).status_code == 404
    assert client.get(url, {"slet": other.pk}).context["to_delete"] is None
    assert Registration.objects.filter(pk=other.pk).exists()


def test_my_pages_need_a_login(client):
    for name in ["my_registrations", "my_calendar"]:
        response = client.get(reverse(f"meetings:{name}"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("network:login"))


# --- My calendar ---------------------------------------------------------------------------


def test_my_calendar_makes_a_private_address_and_a_new_one_replaces_it(client):
    person = PersonFactory()
    client.force_login(person)
    url = reverse("meetings:my_calendar")
    page = client.get(url)
    assert page.context["feed"] is None
    assert not CalendarFeed.objects.exists()  # a GET makes nothing

    client.post(url)
    feed = CalendarFeed.objects.get(person=person)
    assert len(feed.token) >= 40
    page = client.get(url)
    feed_path = reverse("meetings:calendar_feed", args=[feed.token])
    assert page.context["feed_url"].endswith(feed_path)
    assert page.context["webcal_url"].startswith("webcal://")
    client.logout()
    assert client.get(feed_path).status_code == 200

    client.force_login(person)
    client.post(url)
    feed.refresh_from_db()
    client.logout()
    assert client.get(feed_path).status_code == 404
    assert client.get(reverse("meetings:calendar_feed", args=[feed.token])).status_code == 200


def test_an_unknown_feed_token_is_not_found(client):
    assert client.get(reverse("meetings:calendar_feed", args=["gaet-ikke"])).status_code == 404


# --- Meetings on other pages ---------------------------------------------------------------


def test_a_pool_page_lists_its_public_information_meetings(client):
    from tests.cms.factories import PoolPageFactory

    pool = PoolPageFactory()
    upcoming = MeetingFactory(pool=pool, title="Informationsmøde i Vejle", city="Vejle")
    held = MeetingFactory(pool=pool, title="Informationsmøde i København", past=True)
    hidden = MeetingFactory(pool=pool, title="Internt formøde", audience=Audience.NETWORK)
    MeetingFactory(title="Et andet møde")
    html = client.get(pool.url).content.decode()
    assert meeting_url(upcoming) in html
    assert meeting_url(held) in html
    assert meeting_url(hidden) not in html
    assert "Et andet møde" not in html


def test_a_pool_page_without_meetings_has_no_meetings_section(client):
    from tests.cms.factories import PoolPageFactory

    pool = PoolPageFactory()
    assert 'id="pool-meetings-heading"' not in client.get(pool.url).content.decode()


def test_my_page_shows_my_latest_sign_ups(client):
    person = municipal_person("Randers")
    mine = RegistrationFactory(person=person, meeting=MeetingFactory(title="Mit møde"))
    RegistrationFactory(meeting=MeetingFactory(title="Andres møde"))
    client.force_login(person)
    html = client.get(reverse("network:my_page")).content.decode()
    assert meeting_url(mine.meeting) in html
    assert "Andres møde" not in html
    assert reverse("meetings:my_registrations") in html
    assert reverse("meetings:my_calendar") in html


def test_the_main_menu_links_to_the_meetings(client):
    html = client.get(reverse("meetings:list")).content.decode()
    assert f'<a class="nav-link" href="{reverse("meetings:list")}" aria-current="page">' in html


def test_my_registrations_shows_each_waiting_place_in_line_in_bounded_queries(
    client, django_assert_max_num_queries
):
    person = municipal_person("Randers")
    for ahead in range(5):
        meeting = MeetingFactory(seats=1)
        RegistrationFactory(meeting=meeting)
        for _ in range(ahead):
            RegistrationFactory(meeting=meeting, status=Status.WAITING)
        RegistrationFactory(meeting=meeting, person=person, status=Status.WAITING)
    RegistrationFactory(person=person)
    client.force_login(person)
    client.get(reverse("meetings:my_registrations"))
    with django_assert_max_num_queries(14):
        response = client.get(reverse("meetings:my_registrations"))
    positions = [row.waiting_position for row in response.context["upcoming"]]
    assert positions == [1, 2, 3, 4, 5, None]


def test_organisers_find_the_attendee_list_from_the_meeting_page(client):
    meeting = MeetingFactory()
    attendees = reverse("meetings_admin:attendees", args=[meeting.pk])
    client.force_login(municipal_person("Randers"))
    assert attendees not in client.get(meeting_url(meeting)).content.decode()
    client.force_login(agency_editor())
    assert attendees in client.get(meeting_url(meeting)).content.decode()
