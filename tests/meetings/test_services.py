"""The meeting rules, called directly: seats, waiting lists, organisers' changes, reminders,
anonymisation."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from icalendar import Calendar

from meetings import services
from meetings.models import Meeting, Registration
from network.models import Role
from tests.meetings.factories import MeetingFactory, RegistrationFactory
from tests.network.factories import PersonFactory, agency_editor, municipal_person

pytestmark = pytest.mark.django_db

Status = Registration.Status


@pytest.fixture
def editor():
    return agency_editor()


def statuses(meeting):
    """{email: status} of the meeting's sign-ups."""
    return dict(meeting.registrations.values_list("email", "status"))


def sign_up(meeting, people):
    return [services.register(meeting, person) for person in people]


def waiting_list(meeting):
    return list(
        meeting.registrations.filter(status=Status.WAITING)
        .order_by("created_at", "pk")
        .values_list("email", flat=True)
    )


def calendar_of(message):
    """The meeting's VEVENT from the .ics attached to an email."""
    (attachment,) = [a for a in message.attachments if a[0].endswith(".ics")]
    return Calendar.from_ical(attachment[1]).walk("VEVENT")[0]


# --- Seats and the waiting list --------------------------------------------------------------


def test_seats_are_never_exceeded_and_the_rest_wait_in_order():
    meeting = MeetingFactory(seats=3)
    people = PersonFactory.create_batch(6)
    registrations = sign_up(meeting, people)
    assert [r.status for r in registrations] == [Status.CONFIRMED] * 3 + [Status.WAITING] * 3
    assert meeting.registrations.filter(status=Status.CONFIRMED).count() == 3
    assert waiting_list(meeting) == [person.email for person in people[3:]]


def test_a_cancelled_seat_goes_to_the_first_waiting_with_an_email(
    mailoutbox, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(seats=2)
    people = PersonFactory.create_batch(5)
    registrations = sign_up(meeting, people)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(registrations[0])
    assert statuses(meeting)[people[2].email] == Status.CONFIRMED
    assert waiting_list(meeting) == [people[3].email, people[4].email]
    assert [m.to for m in mailoutbox] == [[people[2].email]]
    assert meeting.title in mailoutbox[0].subject

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(registrations[1])
    assert waiting_list(meeting) == [people[4].email]
    assert meeting.registrations.filter(status=Status.CONFIRMED).count() == 2


def test_cancelling_a_waiting_place_promotes_nobody():
    meeting = MeetingFactory(seats=1)
    first, second, third = sign_up(meeting, PersonFactory.create_batch(3))
    services.cancel(second)
    assert Registration.objects.get(pk=third.pk).status == Status.WAITING
    assert Registration.objects.get(pk=first.pk).status == Status.CONFIRMED


def test_a_municipality_at_its_cap_is_skipped_for_the_next_in_line():
    meeting = MeetingFactory(seats=3, seats_per_municipality=1)
    randers_1 = municipal_person("Randers")
    aarhus = municipal_person("Aarhus")
    randers_2 = municipal_person("Randers")
    odense = municipal_person("Odense")
    herning = municipal_person("Herning")
    r1, a, r2, o, h = sign_up(meeting, [randers_1, aarhus, randers_2, odense, herning])
    # Randers' second person waits although a seat was free: Randers is at its cap.
    assert [x.status for x in (r1, a, r2, o, h)] == [
        Status.CONFIRMED,
        Status.CONFIRMED,
        Status.WAITING,
        Status.CONFIRMED,
        Status.WAITING,
    ]
    services.cancel(a)  # Aarhus frees a seat: Randers is still at its cap, Herning moves up
    assert statuses(meeting)[herning.email] == Status.CONFIRMED
    assert statuses(meeting)[randers_2.email] == Status.WAITING
    services.cancel(r1)  # now Randers has room again
    assert statuses(meeting)[randers_2.email] == Status.CONFIRMED


def test_raising_the_seats_promotes_the_waiting_in_order(editor):
    meeting = MeetingFactory(seats=2)
    people = PersonFactory.create_batch(5)
    sign_up(meeting, people)
    meeting.seats = 3
    services.save_meeting(meeting, changed_by=editor)
    assert statuses(meeting)[people[2].email] == Status.CONFIRMED
    assert waiting_list(meeting) == [people[3].email, people[4].email]
    meeting.seats = None  # no limit: everyone gets a seat
    services.save_meeting(meeting, changed_by=editor)
    assert waiting_list(meeting) == []
    assert meeting.registrations.filter(status=Status.CONFIRMED).count() == 5


def test_lowering_the_seats_takes_no_seat_away(editor):
    meeting = MeetingFactory(seats=3)
    sign_up(meeting, PersonFactory.create_batch(3))
    meeting.seats = 1
    services.save_meeting(meeting, changed_by=editor)
    assert meeting.registrations.filter(status=Status.CONFIRMED).count() == 3


def test_a_second_sign_up_is_refused():
    meeting = MeetingFactory()
    person = PersonFactory()
    services.register(meeting, person)
    with pytest.raises(services.SignupRefused):
        services.register(meeting, person)
    assert meeting.registrations.count() == 1


# --- Organisers' changes ---------------------------------------------------------------------


def test_a_new_time_is_emailed_to_everyone_signed_up_with_the_sequence_raised(
    editor, mailoutbox, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(seats=2)
    people = PersonFactory.create_batch(3)
    cancelled = services.register(meeting, PersonFactory())
    sign_up(meeting, people)  # two confirmed, one waiting
    services.cancel(cancelled)
    mailoutbox.clear()
    assert meeting.sequence == 0

    meeting.refresh_from_db()
    meeting.starts_at += timedelta(days=1, hours=1)
    meeting.ends_at += timedelta(days=1, hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.save_meeting(meeting, changed_by=editor)
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in people)
    for message in mailoutbox:
        event = calendar_of(message)
        assert event["SEQUENCE"] == 1
        assert event.decoded("DTSTART") == meeting.starts_at

    mailoutbox.clear()
    meeting.city = "Vejle"  # a change of place counts too
    with django_capture_on_commit_callbacks(execute=True):
        services.save_meeting(meeting, changed_by=editor)
    assert meeting.sequence == 2 and len(mailoutbox) == 3


def test_a_change_that_is_not_time_or_place_emails_nobody(
    editor, mailoutbox, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory()
    sign_up(meeting, PersonFactory.create_batch(2))
    mailoutbox.clear()
    meeting.description = "Nyt: kaffe fra kl. 11.30."
    meeting.agenda = "1. Velkomst"
    with django_capture_on_commit_callbacks(execute=True):
        services.save_meeting(meeting, changed_by=editor)
    meeting.refresh_from_db()
    assert meeting.sequence == 0 and mailoutbox == []


def test_cancelling_a_meeting_emails_everyone_once(
    editor, mailoutbox, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(seats=1)
    people = PersonFactory.create_batch(2)
    sign_up(meeting, people)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_meeting(meeting, cancelled_by=editor)
    meeting.refresh_from_db()
    assert meeting.is_cancelled and meeting.sequence == 1
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in people)
    assert str(calendar_of(mailoutbox[0])["STATUS"]) == "CANCELLED"
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_meeting(meeting, cancelled_by=editor)
    assert mailoutbox == []


def test_only_organisers_change_cancel_and_mark_attendance():
    meeting = MeetingFactory()
    leader = municipal_person("Randers", Role.PROJECT_LEADER)
    registration = RegistrationFactory(meeting=meeting)
    with pytest.raises(PermissionDenied):
        services.save_meeting(meeting, changed_by=leader)
    with pytest.raises(PermissionDenied):
        services.cancel_meeting(meeting, cancelled_by=leader)
    with pytest.raises(PermissionDenied):
        services.mark_attendance(registration, True, marked_by=leader)


def test_attendance_is_marked(editor):
    registration = RegistrationFactory()
    services.mark_attendance(registration, True, marked_by=editor)
    assert Registration.objects.get(pk=registration.pk).attended is True
    services.mark_attendance(registration, False, marked_by=editor)
    assert Registration.objects.get(pk=registration.pk).attended is False


# --- Reminders -------------------------------------------------------------------------------


def test_reminders_go_to_confirmed_places_at_meetings_within_a_day(
    editor, mailoutbox, django_capture_on_commit_callbacks
):
    now = timezone.now()
    soon = MeetingFactory(seats=1, starts_at=now + timedelta(hours=20))
    confirmed, waiting = sign_up(soon, PersonFactory.create_batch(2))
    cancelled = RegistrationFactory(meeting=soon, status=Status.CANCELLED)
    later = MeetingFactory(starts_at=now + timedelta(days=2))
    RegistrationFactory(meeting=later)
    called_off = MeetingFactory(starts_at=now + timedelta(hours=5))
    RegistrationFactory(meeting=called_off)
    services.cancel_meeting(called_off, cancelled_by=editor)
    started = MeetingFactory(starts_at=now - timedelta(minutes=10))
    RegistrationFactory(meeting=started)
    assert waiting.status == Status.WAITING and cancelled.status == Status.CANCELLED

    assert list(services.registrations_to_remind(now)) == [confirmed]
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders(now) == 1
    assert [m.to for m in mailoutbox] == [[confirmed.email]]
    assert soon.title in mailoutbox[0].subject
    # Not twice.
    assert services.send_reminders(now + timedelta(hours=1)) == 0


def test_a_rescheduled_meeting_gets_a_fresh_reminder(editor):
    now = timezone.now()
    meeting = MeetingFactory(starts_at=now + timedelta(hours=20))
    services.register(meeting, PersonFactory())
    assert services.send_reminders(now) == 1
    meeting.refresh_from_db()
    meeting.starts_at += timedelta(hours=2)
    meeting.ends_at += timedelta(hours=2)
    services.save_meeting(meeting, changed_by=editor)
    assert services.send_reminders(now) == 1
    assert services.send_reminders(now) == 0


def test_a_meeting_moved_further_away_is_reminded_when_its_new_day_comes(editor):
    now = timezone.now()
    meeting = MeetingFactory(starts_at=now + timedelta(hours=20))
    services.register(meeting, PersonFactory())
    assert services.send_reminders(now) == 1
    meeting.refresh_from_db()
    meeting.starts_at += timedelta(days=7)
    meeting.ends_at += timedelta(days=7)
    services.save_meeting(meeting, changed_by=editor)
    assert services.send_reminders(now) == 0  # not yet: a stale reminder would mislead
    assert services.send_reminders(now + timedelta(days=7)) == 1


# --- Anonymisation ---------------------------------------------------------------------------


def guest(meeting, **kwargs):
    return RegistrationFactory(
        meeting=meeting, person=None, name="Gæst Gæstesen", organisation="Region", **kwargs
    )


def test_guests_of_past_meetings_are_anonymised_after_n_days():
    now = timezone.now()
    old = MeetingFactory(starts_at=now - timedelta(days=100, hours=2))
    recent = MeetingFactory(starts_at=now - timedelta(days=10, hours=2))
    upcoming = MeetingFactory()
    old_guest = guest(old)
    old_member = RegistrationFactory(meeting=old)
    recent_guest = guest(recent)
    upcoming_guest = guest(upcoming)

    assert services.anonymise_guests(90, now=now) == 1
    old_guest.refresh_from_db()
    assert old_guest.name != "Gæst Gæstesen" and old_guest.organisation == ""
    assert old_guest.email.endswith("@invalid") and old_guest.anonymised_at == now
    for kept in (old_member, recent_guest, upcoming_guest):
        before = kept.name, kept.email
        kept.refresh_from_db()
        assert (kept.name, kept.email) == before and kept.anonymised_at is None
    assert services.anonymise_guests(90, now=now) == 0  # not counted again
    assert services.anonymise_guests(5, now=now) == 1  # a shorter period reaches the recent


def test_the_anonymised_emails_do_not_clash():
    meeting = MeetingFactory(starts_at=timezone.now() - timedelta(days=200))
    guests = [guest(meeting) for _ in range(3)]
    assert services.anonymise_guests(90) == 3
    emails = {Registration.objects.get(pk=g.pk).email for g in guests}
    assert len(emails) == 3


def test_meeting_check_constraint_is_kept(editor):
    meeting = MeetingFactory.build()
    meeting.ends_at = meeting.starts_at - timedelta(hours=1)
    with pytest.raises(ValidationError):
        services.save_meeting(meeting, changed_by=editor)
    assert not Meeting.objects.exists()
