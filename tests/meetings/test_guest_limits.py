"""Guest sign-ups send email to any typed address, so they are limited per hour."""

import pytest
from django.urls import reverse

from meetings import services
from meetings.models import Registration
from tests.meetings.factories import MeetingFactory

pytestmark = pytest.mark.django_db


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
    assert response.status_code == 200
    assert "for mange tilmeldinger herfra" in response.content.decode()
    assert not meetings[5].registrations.exists()
    assert len(mailoutbox) == 5


def test_one_visitor_address_gets_at_most_twenty_sign_ups_an_hour(client):
    meeting = MeetingFactory(seats=100)
    for n in range(services.GUEST_SIGNUPS_PER_ADDRESS):
        assert sign_up(client, meeting, f"gaest{n}@example.org").status_code == 302
    response = sign_up(client, meeting, "en.til@example.org")
    assert response.status_code == 200
    assert "for mange tilmeldinger herfra" in response.content.decode()
    assert meeting.registrations.count() == services.GUEST_SIGNUPS_PER_ADDRESS

    # Someone else, elsewhere, is not affected.
    assert sign_up(client, meeting, "en.til@example.org", address="203.0.113.5").status_code == 302


def test_refused_and_invalid_attempts_do_not_count(client):
    meeting = MeetingFactory()
    for _ in range(services.GUEST_SIGNUPS_PER_ADDRESS):
        client.post(guest_url(meeting), {"name": "", "email": "ikke-en-adresse"})
    assert sign_up(client, meeting, "gitte@example.org").status_code == 302
    assert Registration.objects.count() == 1
