"""The cron commands: reminders the day before, anonymising old guest sign-ups."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from meetings import services
from meetings.models import Registration
from tests.meetings.factories import MeetingFactory, RegistrationFactory
from tests.network.factories import PersonFactory, agency_editor

pytestmark = pytest.mark.django_db


def run(name, *args):
    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def test_reminders_are_sent_once_and_again_after_a_reschedule(
    mailoutbox, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(starts_at=timezone.now() + timedelta(hours=6))
    RegistrationFactory.create_batch(2, meeting=meeting)
    RegistrationFactory(meeting=meeting, status=Registration.Status.WAITING)
    MeetingFactory(starts_at=timezone.now() + timedelta(days=3))  # too early to remind
    with django_capture_on_commit_callbacks(execute=True):
        assert run("send_meeting_reminders").startswith("2 ")
    assert len(mailoutbox) == 2
    assert run("send_meeting_reminders").startswith("0 ")

    meeting.refresh_from_db()
    meeting.starts_at += timedelta(hours=3)
    meeting.ends_at += timedelta(hours=3)
    services.save_meeting(meeting, changed_by=agency_editor())
    assert run("send_meeting_reminders").startswith("2 ")
    assert run("send_meeting_reminders").startswith("0 ")


def test_guests_are_anonymised_after_the_configured_days(settings):
    settings.MEETINGS_GUEST_RETENTION_DAYS = 30
    now = timezone.now()
    old = MeetingFactory(starts_at=now - timedelta(days=40))
    older = MeetingFactory(starts_at=now - timedelta(days=400))
    guest = RegistrationFactory(meeting=old, person=None, name="Gæst")
    older_guest = RegistrationFactory(meeting=older, person=None, name="Gæst")
    member = RegistrationFactory(meeting=older, person=PersonFactory())

    assert run("anonymise_guest_registrations", "--days", "365").startswith("1 ")
    older_guest.refresh_from_db()
    guest.refresh_from_db()
    assert older_guest.anonymised_at and not guest.anonymised_at
    assert run("anonymise_guest_registrations").startswith("1 ")  # the setting: 30 days
    guest.refresh_from_db()
    member.refresh_from_db()
    assert guest.anonymised_at and guest.name != "Gæst"
    assert member.anonymised_at is None
    assert run("anonymise_guest_registrations").startswith("0 ")


def test_negative_days_are_refused():
    with pytest.raises(CommandError):
        run("anonymise_guest_registrations", "--days", "-1")
