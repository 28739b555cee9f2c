"""The demo meetings: the seeds' meetings as history, upcoming ones with open sign-up."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from meetings.models import ActionItem, Meeting, MeetingDocument, Registration

pytestmark = pytest.mark.django_db

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
Status = Registration.Status


@pytest.fixture
def demo():
    call_command("load_demo_content", stdout=StringIO())


def snapshot():
    return {
        "meetings": sorted(
            Meeting.objects.values_list("title", "starts_at", "sequence", "seats", "cancelled_at")
        ),
        "registrations": sorted(
            Registration.objects.values_list(
                "meeting__title", "email", "status", "created_at", "attended"
            )
        ),
        "action_items": sorted(ActionItem.objects.values_list("text", "owner__name", "done_on")),
        "documents": sorted(MeetingDocument.objects.values_list("meeting__title", "title")),
    }


def local(meeting):
    return (
        meeting.starts_at.astimezone(COPENHAGEN).replace(tzinfo=None),
        meeting.ends_at.astimezone(COPENHAGEN).replace(tzinfo=None),
    )


def test_the_seeds_meetings(demo):
    odense = Meeting.objects.get(starts_at__date="2019-08-19")
    assert local(odense) == (datetime(2019, 8, 19, 15, 30), datetime(2019, 8, 19, 17, 0))
    assert odense.kind == Meeting.Kind.INFORMATION
    assert odense.audience == Meeting.Audience.PUBLIC
    assert "Edisonsvej 18" in odense.address and odense.city == "Odense"
    assert odense.pool.slug == "recovery-og-rehabilitering-2019"
    assert odense.registrations.filter(status=Status.CONFIRMED).count() >= 3
    assert odense.documents.exists()
    # A guest of 2019 has long since been anonymised; members keep their sign-ups.
    guest = odense.registrations.get(person__isnull=True)
    assert guest.anonymised_at and "@invalid" in guest.email

    steering = Meeting.objects.get(kind=Meeting.Kind.STEERING_GROUP, starts_at__year=2020)
    assert local(steering) == (datetime(2020, 1, 7, 12), datetime(2020, 1, 7, 14))
    assert steering.audience == Meeting.Audience.ROLES
    assert steering.audience_roles == ["steering_group"]
    assert steering.initiative.slug == "strategisk-omlaegning-socialpsykiatrien"
    assert steering.minutes
    owners = set(steering.action_items.values_list("owner__name", flat=True))
    assert owners == {"Randers", "Herning"}
    assert steering.action_items.filter(done_on__isnull=True).exists()

    kick_off = Meeting.objects.get(kind=Meeting.Kind.KICK_OFF)
    assert local(kick_off) == (datetime(2020, 1, 28, 10), datetime(2020, 1, 28, 12))
    assert sorted(kick_off.audience_roles) == ["implementation_group", "project_owner"]

    reference = Meeting.objects.get(
        kind=Meeting.Kind.REFERENCE_NETWORK, starts_at__date="2020-03-30"
    )
    assert reference.audience == Meeting.Audience.NETWORK
    assert reference.initiative is not None
    assert 10 <= reference.starts_at.astimezone(COPENHAGEN).hour < 15

    for city, day in (("Vejle", 28), ("København", 30)):
        meeting = Meeting.objects.get(city=city, starts_at__year=2017)
        assert local(meeting) == (datetime(2017, 3, day, 12), datetime(2017, 3, day, 16))
        assert meeting.pool.slug == "lovende-praksis-2017"


def test_upcoming_meetings_with_open_signup_one_of_them_full(demo):
    upcoming = Meeting.objects.filter(starts_at__gt=datetime.now(COPENHAGEN))
    assert upcoming.count() == 3
    information = upcoming.get(kind=Meeting.Kind.INFORMATION)
    assert information.pool.slug == "udbredelse-recovery-demo"
    assert information.audience == Meeting.Audience.PUBLIC
    assert information.seats and information.seats_per_municipality == 2
    assert upcoming.filter(kind=Meeting.Kind.REFERENCE_NETWORK).exists()

    workshop = upcoming.get(kind=Meeting.Kind.WORKSHOP)
    confirmed = workshop.registrations.filter(status=Status.CONFIRMED)
    waiting = workshop.registrations.filter(status=Status.WAITING)
    assert confirmed.count() == workshop.seats
    assert confirmed.filter(person__isnull=True).exists()  # guests too
    assert 2 <= waiting.count() <= 3


def test_loading_twice_changes_nothing(demo):
    before = snapshot()
    call_command("load_demo_content", stdout=StringIO())
    assert snapshot() == before


def test_past_meetings_are_dated_as_history_not_the_day_the_demo_was_loaded(demo):
    from datetime import timedelta

    from django.utils import timezone

    past = Meeting.objects.filter(ends_at__lt=timezone.now() - timedelta(days=365))
    assert past.count() >= 4
    for meeting in past:
        assert meeting.created_at < meeting.starts_at
        assert meeting.updated_at <= meeting.ends_at + timedelta(days=7)
        assert timezone.now() - meeting.updated_at > timedelta(days=365)
