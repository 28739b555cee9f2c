"""No email is lost or sent twice across an outage of the mail server.

A real SMTP server (tests/smtp.py) receives the emails. With it stopped, a guest's sign-up,
a forum post that mentions someone and an editor's invitation are answered and saved; their
emails wait in the outbox. When the server is back, ``send_outbox`` delivers each once.
"""

import re
import socket
import threading

import pytest
from django.core.mail import send_mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from post_office.models import STATUS, Email

from knowledge import text
from knowledge.models import Post, Space
from knowledge.services import set_email_notifications, start_topic
from meetings.models import Meeting, Registration
from network import outbox
from network.models import Invitation, Membership, Role
from tests.knowledge.factories import SpaceFactory
from tests.meetings.factories import MeetingFactory
from tests.network.factories import (
    InitiativeFactory,
    agency_editor,
    agency_moderator,
    member,
    municipal_person,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def send_outbox():
    call_command("send_outbox", stdout=open("/dev/null", "w"))  # noqa: SIM115


def a_minute_later():
    """The retries' pause has passed."""
    Email.objects.filter(status=STATUS.requeued).update(scheduled_time=timezone.now())


@pytest.fixture
def forum():
    initiative = InitiativeFactory()
    member(initiative, "Randers", Membership.Status.PARTNER)
    member(initiative, "Odense", Membership.Status.REFERENCE)
    space = SpaceFactory(
        slug="netvaerket", visibility=Space.Visibility.NETWORK, initiative=initiative
    )
    anna = municipal_person("Randers", first_name="Anna", last_name="Holm")
    bo = municipal_person("Odense", first_name="Bo", last_name="Lund", email="bo@odense.example")
    set_email_notifications(bo, True)
    topic = start_topic(space, anna, title="Recovery i bostøtten", source="Hvordan gør I?")
    return {"topic": topic, "anna": anna, "bo": bo}


def test_an_invitation_arrives_with_the_sender_reply_to_and_the_link(smtp, settings, client):
    settings.EMAIL_REPLY_TO = "partnerskab@sm.example"
    client.force_login(agency_editor())
    response = client.post(
        reverse("network:invite"),
        {
            "email": "anders@randers.example",
            "first_name": "Anders",
            "last_name": "Kjær",
            "municipality": municipal_person("Randers").municipality.pk,
            "roles": [Role.PROJECT_LEADER],
        },
    )
    assert response.status_code == 302
    [(recipients, message)] = smtp.messages
    assert recipients == ["anders@randers.example"]
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert message["Reply-To"] == "partnerskab@sm.example"
    assert re.search(r"/invitation/\S+/", message.get_body(("plain",)).get_content())
    assert Email.objects.get().status == STATUS.sent


def test_changes_made_while_the_mail_server_is_down_are_delivered_once_when_it_is_back(
    smtp, client, forum
):
    smtp.stop()

    # A guest signs up for a public meeting.
    meeting = MeetingFactory(seats=5)
    response = client.post(
        reverse("meetings:register_guest", args=[meeting.pk]),
        {"name": "Gitte Gæst", "email": "gitte@example.org", "organisation": "Bostedet"},
    )
    assert response.status_code == 302
    assert Registration.objects.filter(email="gitte@example.org").exists()

    # Anna mentions Bo in a reply.
    client.force_login(forum["anna"])
    handle = text.mention_handle(forum["bo"])
    response = client.post(
        reverse("knowledge:topic", args=[forum["topic"].pk]), {"text": f"Hvad siger du, @{handle}?"}
    )
    assert response.status_code == 302
    assert Post.objects.filter(topic=forum["topic"]).count() == 2

    # An editor invites a new project leader.
    client.force_login(agency_editor())
    response = client.post(
        reverse("network:invite"),
        {
            "email": "anders@randers.example",
            "first_name": "Anders",
            "last_name": "Kjær",
            "municipality": forum["anna"].municipality.pk,
            "roles": [Role.PROJECT_LEADER],
        },
    )
    assert response.status_code == 302
    assert Invitation.objects.filter(email="anders@randers.example").exists()

    # Each email was tried after its commit, failed, and waits for the next try.
    waiting = Email.objects.all()
    assert sorted(email.to[0] for email in waiting) == [
        "anders@randers.example",
        "bo@odense.example",
        "gitte@example.org",
    ]
    assert {(email.status, email.number_of_retries) for email in waiting} == {(STATUS.requeued, 1)}
    assert all(email.logs.filter(status=STATUS.failed).exists() for email in waiting)
    assert smtp.messages == []

    # Not yet due: a run before the pause has passed sends nothing, even with the server up.
    smtp.start()
    send_outbox()
    assert smtp.messages == []

    a_minute_later()
    send_outbox()
    send_outbox()
    assert sorted(smtp.recipients()) == [
        "anders@randers.example",
        "bo@odense.example",
        "gitte@example.org",
    ]
    assert set(Email.objects.values_list("status", flat=True)) == {STATUS.sent}


def test_retries_pause_longer_each_time_and_give_up_only_after_days(smtp, settings):
    settings.OUTBOX_GIVE_UP_DAYS = 3
    smtp.stop()
    send_mail("Emne", "Tekst", None, ["a@example.org"])
    email = Email.objects.get()
    pauses = []
    while True:
        email.refresh_from_db()
        if email.status == STATUS.failed:
            break
        pauses.append(email.scheduled_time - email.last_updated)
        # Jump to the next try.
        Email.objects.filter(pk=email.pk).update(
            scheduled_time=timezone.now(),
            created=email.created - (email.scheduled_time - email.last_updated),
        )
        outbox.deliver()
    assert pauses[:4] == [outbox.pause_after(n) for n in (1, 2, 3, 4)]
    assert pauses[0] < pauses[1] < pauses[2] < pauses[3]
    assert max(pauses) <= outbox.LONGEST_PAUSE
    assert timezone.now() - email.created >= timezone.timedelta(days=3)
    assert email.logs.filter(status=STATUS.failed).count() == email.number_of_retries
    assert smtp.messages == []


def test_editors_see_failed_emails_with_the_reason_and_send_them_again(smtp, client, settings):
    settings.OUTBOX_GIVE_UP_DAYS = 0
    smtp.stop()
    send_mail("Afgørelse om tilskud", "Tekst", None, ["randers@kommune.example"])
    email = Email.objects.get()
    assert email.status == STATUS.failed

    client.force_login(agency_moderator())
    for response in (
        client.get(reverse("network_outbox:index")),
        client.post(reverse("network_outbox:send_again", args=[email.pk])),
    ):
        # Wagtail turns the refusal into a way back to the dashboard.
        assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    email.refresh_from_db()
    assert email.status == STATUS.failed

    client.force_login(agency_editor())
    page = client.get(reverse("network_outbox:index")).content.decode()
    assert "Afgørelse om tilskud" in page and "randers@kommune.example" in page
    assert "Connection refused" in page or "Errno" in page

    smtp.start()
    response = client.post(reverse("network_outbox:send_again", args=[email.pk]))
    assert response.status_code == 302
    assert smtp.recipients() == ["randers@kommune.example"]
    email.refresh_from_db()
    assert email.status == STATUS.sent
    # Sent once: a second press finds nothing failed.
    assert client.post(reverse("network_outbox:send_again", args=[email.pk])).status_code == 404
    assert smtp.recipients() == ["randers@kommune.example"]


def test_a_request_does_not_wait_for_a_mail_server_that_hangs(smtp, settings, client, monkeypatch):
    """The courier thread tries the email while the request has long answered.

    The test follows the courier through the socket and through ``deliver`` returning,
    never by reading the outbox while the courier writes to it, and lets the courier
    start only once the request has answered: the in-memory SQLite test database
    refuses a write that meets another connection's read or write ("table is locked")
    instead of waiting.
    """
    settings.OUTBOX_DELIVERY = "thread"
    # Listens, and never says a word: a mail server that hangs.
    silent = socket.create_server(("127.0.0.1", 0))
    silent.settimeout(30)
    settings.EMAIL_PORT = silent.getsockname()[1]
    settings.EMAIL_TIMEOUT = 120
    tried = threading.Event()
    answered = threading.Event()
    real_deliver = outbox.deliver

    def deliver_and_tell(*args, **kwargs):
        # The courier starts at the commit, while the request still writes its session;
        # the in-memory test database refuses a second writer ("table is locked") where
        # a database file waits for the first.
        answered.wait(timeout=30)
        try:
            return real_deliver(*args, **kwargs)
        finally:
            tried.set()

    monkeypatch.setattr(outbox, "deliver", deliver_and_tell)
    meeting = MeetingFactory(seats=5)
    response = client.post(
        reverse("meetings:register_guest", args=[meeting.pk]),
        {"name": "Gitte Gæst", "email": "gitte@example.org", "organisation": "Bostedet"},
    )
    answered.set()
    assert response.status_code == 302
    # The courier has claimed the email and now waits for the server's greeting.
    conversation, _ = silent.accept()
    assert not tried.is_set()
    assert Registration.objects.filter(email="gitte@example.org").exists()
    email = Email.objects.get()
    assert email.status == STATUS.queued and not email.logs.exists()

    conversation.close()
    silent.close()
    assert tried.wait(timeout=60)
    email.refresh_from_db()
    assert email.status == STATUS.requeued
    assert email.logs.filter(status=STATUS.failed).exists()


def test_an_address_no_server_would_take_is_logged_and_the_change_is_kept(smtp, caplog):
    with transaction.atomic():
        meeting = MeetingFactory(title="Infomøde")
        sent = send_mail("Emne", "Tekst", None, ["anonymiseret-7@invalid"])
        send_mail("Emne", "Tekst", None, ["gitte@example.org"])
    assert sent == 0
    assert Meeting.objects.filter(pk=meeting.pk).exists()
    assert [email.to for email in Email.objects.all()] == [["gitte@example.org"]]
    assert smtp.recipients() == ["gitte@example.org"]
    assert "anonymiseret-7@invalid" in caplog.text
