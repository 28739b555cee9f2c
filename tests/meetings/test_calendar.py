"""Calendar files: a meeting's .ics and a person's private feed, valid RFC 5545 in Danish time.

Each file is parsed back with the icalendar library; the times must stay at the Danish
wall-clock time on both sides of a daylight-saving change.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from icalendar import Calendar

from meetings.models import Meeting, Registration
from network.models import Membership
from tests.meetings.factories import CalendarFeedFactory, MeetingFactory, RegistrationFactory
from tests.network.factories import InitiativeFactory, PersonFactory, member, municipal_person

pytestmark = pytest.mark.django_db

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
Status = Registration.Status


def copenhagen(*args):
    return datetime(*args, tzinfo=COPENHAGEN)


def ics_of(client, meeting):
    response = client.get(reverse("meetings:meeting_ics", args=[meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return response.content


def test_a_meetings_ics_parses_and_carries_the_copenhagen_time_zone(client):
    meeting = MeetingFactory(
        title="Informationsmøde i Odense",
        starts_at=copenhagen(2019, 8, 19, 15, 30),
        ends_at=copenhagen(2019, 8, 19, 17, 0),
        address="Ørbækvej 100",
        city="Odense",
    )
    raw = ics_of(client, meeting)
    calendar = Calendar.from_ical(raw)
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Informationsmøde i Odense"
    assert "Odense" in str(event["LOCATION"])
    assert event["DTSTART"].params["TZID"] == "Europe/Copenhagen"
    assert event["DTEND"].params["TZID"] == "Europe/Copenhagen"
    assert event.decoded("DTSTART") == copenhagen(2019, 8, 19, 15, 30)
    assert event.decoded("DTEND") == copenhagen(2019, 8, 19, 17, 0)
    assert b"DTSTART;TZID=Europe/Copenhagen:20190819T153000" in raw
    (timezone,) = calendar.walk("VTIMEZONE")
    assert str(timezone["TZID"]) == "Europe/Copenhagen"
    assert str(calendar["VERSION"]) == "2.0"
    assert calendar["PRODID"]
    assert event["UID"] and event["DTSTAMP"]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # Summer time begins on 29 March 2020, 02.00 → 03.00.
        ((2020, 3, 28), (2020, 3, 30)),
        # And ends on 25 October 2020, 03.00 → 02.00.
        ((2020, 10, 24), (2020, 10, 26)),
    ],
)
def test_times_are_right_on_both_sides_of_a_daylight_saving_change(client, before, after):
    first = MeetingFactory(starts_at=copenhagen(*before, 10), ends_at=copenhagen(*before, 12))
    second = MeetingFactory(starts_at=copenhagen(*after, 10), ends_at=copenhagen(*after, 12))
    starts = []
    for meeting in (first, second):
        (event,) = Calendar.from_ical(ics_of(client, meeting)).walk("VEVENT")
        start = event.decoded("DTSTART")
        assert (start.hour, start.minute) == (10, 0)
        assert event["DTSTART"].params["TZID"] == "Europe/Copenhagen"
        starts.append(start.astimezone(UTC).hour)
    # Ten o'clock in Copenhagen is 9 UTC in winter and 8 UTC in summer.
    winter_then_summer = [9, 8] if before[1] == 3 else [8, 9]
    assert starts == winter_then_summer


def test_the_ics_of_a_hidden_meeting_is_not_found(client):
    meeting = MeetingFactory(audience="partners")
    assert client.get(reverse("meetings:meeting_ics", args=[meeting.pk])).status_code == 404


def test_the_feed_lists_exactly_the_persons_meetings(client):
    person = municipal_person("Randers")
    confirmed = RegistrationFactory(person=person).meeting
    waiting = RegistrationFactory(person=person, status=Status.WAITING).meeting
    RegistrationFactory(person=person, status=Status.CANCELLED)  # a place given up
    RegistrationFactory()  # someone else's place
    MeetingFactory()  # nobody's
    feed = CalendarFeedFactory(person=person)

    # No login: the token in the address is the secret.
    response = client.get(reverse("meetings:calendar_feed", args=[feed.token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    uids = {str(event["UID"]) for event in calendar.walk("VEVENT")}
    # Not the cancelled place, not someone else's, not a meeting without the person.
    assert uids == {
        f"meeting-{meeting.pk}@partnerskabsplatformen" for meeting in (confirmed, waiting)
    }
    assert calendar.walk("VTIMEZONE")


def test_the_feed_leaves_out_a_meeting_whose_audience_the_person_has_left(client):
    """A partner signed up for a partner-only meeting; their municipality is a reference
    municipality now, so the feed no longer carries that meeting (nor its details)."""
    initiative = InitiativeFactory()
    membership = member(initiative, "Randers", Membership.Status.PARTNER)
    person = municipal_person("Randers")
    meeting = MeetingFactory(
        title="Styregruppemøde for partnere",
        audience=Meeting.Audience.PARTNERS,
        initiative=initiative,
    )
    RegistrationFactory(meeting=meeting, person=person)
    feed = CalendarFeedFactory(person=person)
    url = reverse("meetings:calendar_feed", args=[feed.token])
    assert "Styregruppemøde for partnere" in client.get(url).content.decode()

    membership.status = Membership.Status.REFERENCE
    membership.save()
    response = client.get(url)
    assert Calendar.from_ical(response.content).walk("VEVENT") == []
    assert "Styregruppemøde for partnere" not in response.content.decode()


def test_an_empty_feed_is_still_a_valid_calendar(client):
    feed = CalendarFeedFactory(person=PersonFactory())
    response = client.get(reverse("meetings:calendar_feed", args=[feed.token]))
    calendar = Calendar.from_ical(response.content)
    assert calendar.walk("VEVENT") == []


def test_the_feed_of_a_closed_login_is_not_found(client):
    feed = CalendarFeedFactory(person=PersonFactory(is_active=False))
    assert client.get(reverse("meetings:calendar_feed", args=[feed.token])).status_code == 404


def test_the_confirmation_emails_ics_parses(client, mailoutbox, django_capture_on_commit_callbacks):
    meeting = MeetingFactory()
    client.force_login(municipal_person("Randers"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("meetings:register", args=[meeting.pk]))
    (mail,) = mailoutbox
    ((filename, content, mimetype),) = mail.attachments
    assert filename.endswith(".ics") and mimetype.startswith("text/calendar")
    (event,) = Calendar.from_ical(content).walk("VEVENT")
    assert event.decoded("DTSTART") == meeting.starts_at
    assert event["DTSTART"].params["TZID"] == "Europe/Copenhagen"
