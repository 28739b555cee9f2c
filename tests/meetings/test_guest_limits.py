"""Guest sign-ups send email to any typed address, so they are limited per hour."""

import pytest
from django.urls import reverse

from config import limits
from meetings.models import Registration
from tests.meetings.factories import MeetingFactory

pytestmark = pytest.mark.django_db

PER_ADDRESS = "Du har nået grænsen på 20 tilmeldinger herfra på 1 time."
PER_EMAIL = "Du har nået grænsen på 5 tilmeldinger med denne e-mailadresse på 1 time."


def guest_url(meeting):
    return reverse("meetings:register_guest", args=[meeting.pk])


def sign_up(client, meeting, email, address="192.0.2.10"):
    return client.post(
        guest_url(meeting),
        {"name": "Gitte Gæst", "email": email, "organisation": "Foreningen"},
        REMOTE_ADDR=address,
    )


def test_one_email_address_gets_at_most_five_sign_ups_an_hour(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    meetings = [MeetingFactory() for _ in range(6)]
    for meeting in meetings[:5]:
        with django_capture_on_commit_callbacks(execute=True):
            assert sign_up(client, meeting, "gitte@example.org").status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, meetings[5], "Gitte@Example.org", address="198.51.100.1")
    assert response.status_code == 429
    page = response.content.decode()
    assert PER_EMAIL in page and "Gitte@Example.org" in page
    assert not meetings[5].registrations.exists()
    assert len(mailoutbox) == 5


def test_asking_again_for_the_same_meeting_counts_too(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    """An address already signed up gets an email each time, so each time counts."""
    meeting = MeetingFactory()
    for _ in range(6):
        with django_capture_on_commit_callbacks(execute=True):
            answer = sign_up(client, meeting, "gitte@example.org")
    assert answer.status_code == 429
    assert len(mailoutbox) == 5
    assert meeting.registrations.count() == 1


def test_one_visitor_address_gets_at_most_twenty_sign_ups_an_hour(client):
    meeting = MeetingFactory(seats=100)
    allowed = limits.limit("guest_signups_per_address").count
    for n in range(allowed):
        assert sign_up(client, meeting, f"gaest{n}@example.org").status_code == 302
    response = sign_up(client, meeting, "en.til@example.org")
    assert response.status_code == 429
    assert PER_ADDRESS in response.content.decode()
    assert meeting.registrations.count() == allowed

    # Someone else, elsewhere, is not affected.
    assert sign_up(client, meeting, "en.til@example.org", address="203.0.113.5").status_code == 302


def test_refused_and_invalid_attempts_do_not_count(client):
    meeting = MeetingFactory()
    for _ in range(limits.limit("guest_signups_per_address").count):
        client.post(guest_url(meeting), {"name": "", "email": "ikke-en-adresse"})
    assert sign_up(client, meeting, "gitte@example.org").status_code == 302
    assert Registration.objects.count() == 1
