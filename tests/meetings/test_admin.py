"""Meetings in the Wagtail admin: listing, editing through the services, attendees,
attendance, CSV export and cancellation, for agency editors only."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from meetings import services
from meetings.models import ActionItem, Meeting, Registration
from network import services as network_services
from network.models import Membership, Role
from tests.meetings.factories import MeetingFactory, RegistrationFactory, in_days
from tests.network.factories import (
    InitiativeFactory,
    PersonFactory,
    agency_editor,
    agency_moderator,
    member,
    municipal_person,
    municipality,
)

pytestmark = pytest.mark.django_db

Status = Registration.Status
LIST = reverse("wagtailsnippets_meetings_meeting:list")


def edit_url(meeting):
    return reverse("wagtailsnippets_meetings_meeting:edit", args=[meeting.pk])


def attendees_url(meeting):
    return reverse("meetings_admin:attendees", args=[meeting.pk])


def csv_url(meeting):
    return reverse("meetings_admin:attendees_csv", args=[meeting.pk])


def cancel_url(meeting):
    return reverse("meetings_admin:cancel", args=[meeting.pk])


def rows(response):
    """The rows of the listing's table body."""
    html = response.content.decode()
    table = html[html.index('<table class="listing') :]
    body = table[table.index("<tbody") : table.index("</tbody>")]
    return body.split("<tr")[1:]


def cell_texts(row):
    """The text of each cell of a listing row (the title cell holds buttons too)."""
    return [re.sub(r"<[^>]+>", " ", cell.split(">", 1)[1]).split() for cell in row.split("<td")[1:]]


def form_data(meeting, **changes):
    """The meeting's edit form as posted, with changes."""
    local = timezone.localtime
    data = {
        "kind": meeting.kind,
        "title": meeting.title,
        "description": meeting.description,
        "starts_at": local(meeting.starts_at).strftime("%Y-%m-%d %H:%M"),
        "ends_at": local(meeting.ends_at).strftime("%Y-%m-%d %H:%M"),
        "address": meeting.address,
        "city": meeting.city,
        "online_url": meeting.online_url,
        "organiser": meeting.organiser_id or "",
        "initiative": meeting.initiative_id or "",
        "pool": meeting.pool_id or "",
        "audience": meeting.audience,
        "audience_roles": list(meeting.audience_roles),
        "seats": "" if meeting.seats is None else meeting.seats,
        "seats_per_municipality": meeting.seats_per_municipality or "",
        "signup_deadline": "",
        "agenda": meeting.agenda,
        "minutes": meeting.minutes,
    }
    data.update(changes)
    return data


@pytest.fixture
def editor(client):
    editor = agency_editor()
    client.force_login(editor)
    return editor


@pytest.fixture
def full_meeting():
    """A workshop with 2 seats, both taken (one by a guest), and two people waiting."""
    meeting = MeetingFactory(title="Workshop om recovery", kind=Meeting.Kind.WORKSHOP, seats=2)
    people = [
        municipal_person("Randers", first_name="Anders", last_name="Kjær"),
        None,
        municipal_person("Aarhus", first_name="Søren", last_name="Ærø"),
        municipal_person("Herning", first_name="Åse", last_name="Østergaard"),
    ]
    now = timezone.now()
    for number, person in enumerate(people):
        if person:
            services.register(meeting, person, now=now + timedelta(seconds=number))
        else:
            RegistrationFactory(
                meeting=meeting,
                person=None,
                name="Gitte Gæst",
                email="gitte@region.example",
                organisation="Region Midtjylland",
                created_at=now + timedelta(seconds=number),
            )
    return meeting


# --- Who gets in -----------------------------------------------------------------------------


def has_meetings_menu(response):
    html = response.content.decode()
    return any(word in html for word in ("Møder", "M\\u00f8der", "Meetings"))


def test_an_editor_sees_the_menu_and_the_listing_with_counts(client, editor, full_meeting):
    assert has_meetings_menu(client.get("/admin/"))
    response = client.get(LIST)
    assert response.status_code == 200
    (row,) = rows(response)
    assert "Workshop om recovery" in row
    seats, confirmed, waiting = cell_texts(row)[4:7]
    assert (seats, confirmed, waiting) == (["2"], ["2"], ["2"])
    assert attendees_url(full_meeting) in row and cancel_url(full_meeting) in row


@pytest.mark.parametrize(
    "make",
    [
        lambda: municipal_person("Randers", Role.PROJECT_LEADER),
        lambda: agency_moderator(),
    ],
    ids=["partner member", "moderator"],
)
def test_others_are_kept_out(client, full_meeting, make):
    person = make()
    client.force_login(person)
    urls = [
        LIST,
        edit_url(full_meeting),
        attendees_url(full_meeting),
        csv_url(full_meeting),
        cancel_url(full_meeting),
        reverse("wagtailsnippets_meetings_actionitem:list"),
    ]
    for url in urls:
        assert client.get(url).status_code == 302, url  # no admin access: to the login
    # Even with access to the admin and every permission of the editors' group.
    person.groups.add(Group.objects.get(name=network_services.EDITORS_GROUP))
    person.is_staff = True
    person.save()
    assert not has_meetings_menu(client.get("/admin/"))
    for url in urls:
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert "deltagere" not in response.get("Content-Disposition", "")
    registration = full_meeting.registrations.filter(status=Status.CONFIRMED).first()
    client.post(
        attendees_url(full_meeting), {"listed": [registration.pk], "attended": [registration.pk]}
    )
    client.post(cancel_url(full_meeting))
    registration.refresh_from_db()
    full_meeting.refresh_from_db()
    assert registration.attended is None and not full_meeting.is_cancelled


# --- The listing -----------------------------------------------------------------------------


def test_the_listing_filters_by_type_initiative_and_time(client, editor):
    initiative = InitiativeFactory()
    MeetingFactory(title="Kommende informationsmøde")
    MeetingFactory(title="Afholdt informationsmøde", past=True)
    MeetingFactory(
        title="Styregruppemøde",
        kind=Meeting.Kind.STEERING_GROUP,
        audience=Meeting.Audience.PARTNERS,
        initiative=initiative,
    )

    def titles(**query):
        return [
            title
            for row in rows(client.get(LIST, query))
            for title in (
                "Kommende informationsmøde",
                "Afholdt informationsmøde",
                "Styregruppemøde",
            )
            if title in row
        ]

    assert len(titles()) == 3
    assert sorted(titles(when="upcoming")) == ["Kommende informationsmøde", "Styregruppemøde"]
    assert titles(when="past") == ["Afholdt informationsmøde"]
    assert titles(kind="steering_group") == ["Styregruppemøde"]
    assert titles(initiative=initiative.pk) == ["Styregruppemøde"]
    assert titles(q="styregruppe") == ["Styregruppemøde"]


def test_the_listing_takes_as_many_queries_for_many_meetings_as_for_few(
    client, editor, django_assert_num_queries
):
    def count_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as context:
            assert client.get(LIST).status_code == 200
        return len(context.captured_queries)

    meeting = MeetingFactory(seats=1)
    sign_up = [services.register(meeting, person) for person in PersonFactory.create_batch(2)]
    assert sign_up
    count_queries()  # the editor's roles are read once, then kept in the cache
    few = count_queries()
    for _ in range(8):
        extra = MeetingFactory(seats=1)
        for person in PersonFactory.create_batch(2):
            services.register(extra, person)
    assert count_queries() == few


# --- Creating and editing through the services -----------------------------------------------


def test_a_meeting_is_created_with_the_editor_as_organiser(client, editor):
    initiative = InitiativeFactory()
    starts = in_days(20, 10)
    data = form_data(
        MeetingFactory.build(
            title="Opstartsmøde",
            kind=Meeting.Kind.KICK_OFF,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            initiative=initiative,
            audience=Meeting.Audience.ROLES,
        ),
        audience_roles=[Role.PROJECT_OWNER, Role.IMPLEMENTATION_GROUP],
        seats="30",
    )
    response = client.post(reverse("wagtailsnippets_meetings_meeting:add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting = Meeting.objects.get(title="Opstartsmøde")
    assert meeting.organiser == editor
    assert meeting.audience_roles == ["project_owner", "implementation_group"]
    assert meeting.starts_at == starts and meeting.seats == 30


def test_the_form_offers_the_roles_as_checkboxes_and_checks_the_audience(client, editor):
    html = client.get(reverse("wagtailsnippets_meetings_meeting:add")).content.decode()
    for role in (Role.PROJECT_OWNER, Role.IMPLEMENTATION_GROUP, Role.STEERING_GROUP):
        assert f'type="checkbox" name="audience_roles" value="{role}"' in html
    assert 'value="agency_editor"' not in html
    meeting = MeetingFactory.build(title="Uden roller", audience=Meeting.Audience.ROLES)
    response = client.post(reverse("wagtailsnippets_meetings_meeting:add"), form_data(meeting))
    assert response.status_code == 200
    assert not Meeting.objects.filter(title="Uden roller").exists()
    # Roles only count with the audience "given roles".
    meeting = MeetingFactory.build(title="Offentligt")
    response = client.post(
        reverse("wagtailsnippets_meetings_meeting:add"),
        form_data(meeting, audience_roles=[Role.PROJECT_OWNER]),
    )
    assert response.status_code == 302
    assert Meeting.objects.get(title="Offentligt").audience_roles == []


def test_a_new_time_set_in_the_admin_emails_everyone_with_a_raised_sequence(
    client, editor, full_meeting, mailoutbox, django_capture_on_commit_callbacks
):
    mailoutbox.clear()
    later = full_meeting.starts_at + timedelta(days=1)
    data = form_data(
        full_meeting,
        starts_at=timezone.localtime(later).strftime("%Y-%m-%d %H:%M"),
        ends_at=timezone.localtime(later + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit_url(full_meeting), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    full_meeting.refresh_from_db()
    assert full_meeting.starts_at == later and full_meeting.sequence == 1
    assert len(mailoutbox) == 4  # two confirmed, two waiting
    ics = next(a for a in mailoutbox[0].attachments if a[0].endswith(".ics"))[1]
    assert Calendar.from_ical(ics).walk("VEVENT")[0]["SEQUENCE"] == 1


def test_more_seats_in_the_admin_promote_the_waiting_list(client, editor, full_meeting):
    response = client.post(edit_url(full_meeting), form_data(full_meeting, seats="3"))
    assert response.status_code == 302
    statuses = dict(full_meeting.registrations.values_list("name", "status"))
    assert statuses["Søren Ærø"] == Status.CONFIRMED
    assert statuses["Åse Østergaard"] == Status.WAITING


def test_a_meeting_people_signed_up_for_is_cancelled_not_deleted(client, editor, full_meeting):
    delete = reverse("wagtailsnippets_meetings_meeting:delete", args=[full_meeting.pk])
    response = client.post(delete)
    assert response.status_code == 302 and response["Location"] == cancel_url(full_meeting)
    assert Meeting.objects.filter(pk=full_meeting.pk).exists()
    empty = MeetingFactory()
    client.post(reverse("wagtailsnippets_meetings_meeting:delete", args=[empty.pk]))
    assert not Meeting.objects.filter(pk=empty.pk).exists()


# --- Attendees, attendance, CSV --------------------------------------------------------------


def test_the_attendee_page_lists_confirmed_and_the_waiting_list_in_order(
    client, editor, full_meeting
):
    response = client.get(attendees_url(full_meeting))
    assert response.status_code == 200
    html = response.content.decode()
    confirmed = html[: html.index('id="waiting-heading"')]
    waiting = html[html.index('id="waiting-heading"') :]
    for text in ("Anders Kjær", "Randers", "Gitte Gæst", "Region Midtjylland"):
        assert text in confirmed
    assert "Søren Ærø" in waiting and "Åse Østergaard" in waiting
    assert waiting.index("Søren Ærø") < waiting.index("Åse Østergaard")
    assert "Aarhus" in waiting


def test_attendance_is_saved_with_a_plain_form(client, editor, full_meeting):
    anders, gitte = full_meeting.registrations.filter(status=Status.CONFIRMED).order_by(
        "created_at"
    )
    waiting = full_meeting.registrations.filter(status=Status.WAITING).first()
    response = client.post(
        attendees_url(full_meeting),
        {"listed": [anders.pk, gitte.pk, waiting.pk], "attended": [anders.pk, waiting.pk]},
    )
    assert response.status_code == 302 and response["Location"] == attendees_url(full_meeting)
    anders.refresh_from_db()
    gitte.refresh_from_db()
    waiting.refresh_from_db()
    assert (anders.attended, gitte.attended, waiting.attended) == (True, False, None)
    html = client.get(attendees_url(full_meeting)).content.decode()
    assert f'name="attended" value="{anders.pk}" checked' in html
    # Unticking is saved too.
    client.post(attendees_url(full_meeting), {"listed": [anders.pk, gitte.pk]})
    anders.refresh_from_db()
    assert anders.attended is False


def test_the_csv_opens_in_danish_excel(client, editor, full_meeting):
    response = client.get(csv_url(full_meeting))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    header, *lines = table
    assert len(header) == 8
    names = [line[2] for line in lines]
    assert names == ["Anders Kjær", "Gitte Gæst", "Søren Ærø", "Åse Østergaard"]
    assert [line[1] for line in lines] == ["", "", "1", "2"]  # place on the waiting list
    assert [line[5] for line in lines] == ["Randers", "", "Aarhus", "Herning"]
    assert lines[1][4] == "Region Midtjylland"


def test_the_csv_does_not_let_a_name_become_a_formula(client, editor):
    meeting = MeetingFactory()
    RegistrationFactory(meeting=meeting, person=None, name="=HYPERLINK(1)", organisation="@x")
    lines = list(
        csv.reader(
            io.StringIO(client.get(csv_url(meeting)).content.decode("utf-8-sig")), delimiter=";"
        )
    )
    assert lines[1][2] == "'=HYPERLINK(1)" and lines[1][4] == "'@x"


# --- Cancelling ------------------------------------------------------------------------------


def test_cancelling_asks_first_then_emails_everyone(
    client, editor, full_meeting, mailoutbox, django_capture_on_commit_callbacks
):
    response = client.get(cancel_url(full_meeting))
    assert response.status_code == 200
    assert 'method="post"' in response.content.decode()
    full_meeting.refresh_from_db()
    assert not full_meeting.is_cancelled
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(cancel_url(full_meeting))
    assert response.status_code == 302 and response["Location"] == edit_url(full_meeting)
    full_meeting.refresh_from_db()
    assert full_meeting.is_cancelled and full_meeting.sequence == 1
    assert len(mailoutbox) == 4
    # The listing says so, and offers no second cancellation.
    (row,) = rows(client.get(LIST))
    assert cancel_url(full_meeting) not in row


def test_the_edit_page_links_attendees_and_cancellation(client, editor, full_meeting):
    html = client.get(edit_url(full_meeting)).content.decode()
    assert attendees_url(full_meeting) in html and cancel_url(full_meeting) in html


# --- Materials and action items --------------------------------------------------------------


def test_action_items_are_added_from_the_meeting(client, editor):
    meeting = MeetingFactory(past=True)
    add = reverse("wagtailsnippets_meetings_actionitem:add")
    html = client.get(add, {"meeting": meeting.pk}).content.decode()
    assert f'name="meeting" value="{meeting.pk}"' in html
    response = client.post(
        add,
        {
            "meeting": meeting.pk,
            "text": "Sende kortlægningen til styregruppen",
            "owner": municipality("Herning").pk,
            "due_on": "2030-01-31",
            "done_on": "",
        },
    )
    assert response.status_code == 302
    item = ActionItem.objects.get()
    assert item.owner.name == "Herning" and item.meeting == meeting
    listing = client.get(
        reverse("wagtailsnippets_meetings_actionitem:list"), {"meeting": meeting.pk, "open": "open"}
    )
    assert "Sende kortlægningen" in listing.content.decode()
    assert client.get(reverse("wagtailsnippets_meetings_meetingdocument:list")).status_code == 200


def test_open_action_items_show_on_the_municipality_page_for_network_members(client):
    initiative = InitiativeFactory()
    member(initiative, "Herning", Membership.Status.PARTNER)
    member(initiative, "Aarhus", Membership.Status.REFERENCE)
    meeting = MeetingFactory(past=True, initiative=initiative, title="Styregruppemøde")
    ActionItem.objects.create(
        meeting=meeting,
        text="Færdiggøre kortlægningen",
        owner=municipality("Herning"),
        due_on=timezone.localdate(),
    )
    ActionItem.objects.create(
        meeting=meeting,
        text="Allerede gjort",
        owner=municipality("Herning"),
        due_on=timezone.localdate(),
        done_on=timezone.localdate(),
    )
    url = reverse("network:municipality", args=[municipality("Herning").slug])
    assert "Færdiggøre kortlægningen" not in client.get(url).content.decode()
    client.force_login(municipal_person("Aarhus"))
    html = client.get(url).content.decode()
    open_item = html.split("Færdiggøre kortlægningen")[1].split("</tr>")[0]
    assert "overdue" not in open_item and ("open" in open_item or "åben" in open_item)
    assert "Allerede gjort" in html  # done, and shown as done


def test_a_past_meeting_is_not_cancelled_and_may_be_deleted(
    client, editor, mailoutbox, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(past=True)
    RegistrationFactory(meeting=meeting)
    assert cancel_url(meeting) not in rows(client.get(LIST))[0]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(cancel_url(meeting))
    meeting.refresh_from_db()
    assert not meeting.is_cancelled and mailoutbox == []
    client.post(reverse("wagtailsnippets_meetings_meeting:delete", args=[meeting.pk]))
    assert not Meeting.objects.filter(pk=meeting.pk).exists()


@pytest.mark.django_db
def test_the_municipality_page_shows_action_items_in_bounded_queries(
    client, django_assert_max_num_queries
):
    from network.models import Municipality
    from tests.network.factories import InitiativeFactory, agency_editor, member

    initiative = InitiativeFactory()
    member(initiative, "Randers", Membership.Status.PARTNER)
    randers = Municipality.objects.get(name="Randers")
    start = timezone.now()
    for number in range(12):
        meeting = Meeting.objects.create(
            kind=Meeting.Kind.STEERING_GROUP,
            title=f"Styregruppemøde {number}",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            initiative=initiative,
            audience=Meeting.Audience.PARTNERS,
        )
        ActionItem.objects.create(
            meeting=meeting, text=f"Opgave {number}", owner=randers, due_on=start.date()
        )
    client.force_login(agency_editor())
    with django_assert_max_num_queries(30):
        response = client.get(f"/netvaerk/kommuner/{randers.slug}/")
    assert "Opgave 11" in response.content.decode()
