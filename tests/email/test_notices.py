"""Notices people control: multipart emails with a one-click unsubscribe, and the digest.

The emails go through the outbox to a real SMTP server (tests/smtp.py). Unsubscribing
needs no login and turns off one kind of notice for one address; a daily digest gathers
the day's notices into one email; decisions, invitations and password resets always go.
"""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from grants.models import CaseDocument
from knowledge import text
from knowledge.models import NotificationPreference, Space
from knowledge.services import post_reply, set_email_notifications, start_topic
from meetings import services as meetings
from network import notices
from network.models import DigestItem, Membership, NoticeKind, Role
from tests.grants.factories import award, closed_pool
from tests.knowledge.factories import SpaceFactory
from tests.meetings.factories import MeetingFactory, RegistrationFactory
from tests.network.factories import InitiativeFactory, agency_editor, member, municipal_person

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ONE_CLICK = "List-Unsubscribe=One-Click"


def plain(message):
    return message.get_body(("plain",)).get_content()


def html(message):
    return message.get_body(("html",)).get_content()


def unsubscribe_path(message):
    url = re.fullmatch(r"<(\S+)>", message["List-Unsubscribe"].strip()).group(1)
    assert url in plain(message)
    return url.removeprefix("http://127.0.0.1:8000")


@pytest.fixture
def people():
    initiative = InitiativeFactory()
    member(initiative, "Randers", Membership.Status.PARTNER)
    member(initiative, "Odense", Membership.Status.PARTNER)
    space = SpaceFactory(visibility=Space.Visibility.NETWORK, initiative=initiative)
    anna = municipal_person("Randers", first_name="Anna", last_name="Holm")
    bo = municipal_person("Odense", first_name="Bo", last_name="Lund")
    for person in (anna, bo):
        set_email_notifications(person, True)
    topic = start_topic(space, anna, title="Recovery i bostøtten", source="Hvordan gør I?")
    return {"anna": anna, "bo": bo, "topic": topic}


def mention(topic, author, person, words="hvad siger du?"):
    return post_reply(topic, author, f"@{text.mention_handle(person)} {words}")


def move(meeting, hours=2):
    meeting.refresh_from_db()
    meeting.starts_at += timedelta(hours=hours)
    meeting.ends_at += timedelta(hours=hours)
    meetings.save_meeting(meeting, changed_by=agency_editor())


def test_a_notice_arrives_as_text_and_html_with_a_one_click_unsubscribe(smtp, settings, people):
    settings.EMAIL_REPLY_TO = "partnerskab@sm.example"
    meeting = MeetingFactory(title="Styregruppemøde")
    RegistrationFactory(meeting=meeting, person=people["bo"])
    smtp.messages.clear()
    move(meeting)

    [(recipients, message)] = smtp.messages
    assert recipients == [people["bo"].email]
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert message["Reply-To"] == "partnerskab@sm.example"
    assert message["List-Unsubscribe-Post"] == ONE_CLICK
    assert message.get_content_type() == "multipart/mixed"
    assert "Styregruppemøde" in plain(message)
    page = html(message)
    assert '<html lang="da">' in page and "<h1>" in page and "Styregruppemøde" in page
    path = unsubscribe_path(message)
    assert f'href="http://127.0.0.1:8000{path}"' in page
    [calendar] = [part for part in message.iter_attachments()]
    assert calendar.get_content_type() == "text/calendar"


def test_one_click_unsubscribe_turns_off_that_kind_for_that_person_only(smtp, client, people):
    anna, bo, topic = people["anna"], people["bo"], people["topic"]
    meeting = MeetingFactory()
    RegistrationFactory(meeting=meeting, person=bo)
    mention(topic, anna, bo)
    [(_to, forum_email)] = smtp.messages
    path = unsubscribe_path(forum_email)

    # Opening the link (as a link checker would) turns nothing off.
    page = client.get(path)
    assert page.status_code == 200 and bo.email in page.content.decode()
    assert notices.delivery_for(bo.email, NoticeKind.FORUM) == "immediately"
    # A changed link is refused.
    assert (
        client.post(path[:-6] + "abcde/", ONE_CLICK, content_type="text/plain").status_code == 404
    )

    # The mail client's one-click POST, without a login or a CSRF token.
    client.handler.enforce_csrf_checks = True
    response = client.post(path, ONE_CLICK, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert notices.delivery_for(bo.email, NoticeKind.FORUM) == "off"
    # The forum's own "email me" follows.
    assert not NotificationPreference.objects.get(person=bo).email
    assert notices.delivery_for(bo.email, NoticeKind.MEETINGS) == "immediately"
    assert notices.delivery_for(anna.email, NoticeKind.FORUM) == "immediately"

    smtp.messages.clear()
    mention(topic, anna, bo, "endnu en gang")  # Bo: no more forum emails
    mention(topic, bo, anna)  # Anna still gets hers
    move(meeting)  # Bo still hears of meetings
    assert sorted(smtp.recipients()) == sorted([anna.email, bo.email])
    [(_to, to_bo)] = [(to, message) for to, message in smtp.messages if to == [bo.email]]
    assert meeting.title in plain(to_bo)


def test_decisions_invitations_and_password_resets_cannot_be_turned_off(smtp, client):
    pool = closed_pool()
    owner = municipal_person("Randers", Role.PROJECT_OWNER)
    for kind in NoticeKind.values:
        notices.set_delivery(owner.email, kind, "off")
    smtp.messages.clear()

    case = award(pool, "Randers")
    [(_to, decision)] = [(to, message) for to, message in smtp.messages if to == [owner.email]]
    assert decision["List-Unsubscribe"] is None
    [letter] = list(decision.iter_attachments())
    assert letter.get_content_type() == "application/pdf"
    assert case.documents.filter(kind=CaseDocument.Kind.DECISION_LETTER).exists()

    smtp.messages.clear()
    client.post(reverse("network:password_reset"), {"email": owner.email})
    client.force_login(agency_editor())
    client.post(
        reverse("network:invite"),
        {
            "email": "ny@randers.example",
            "municipality": owner.municipality.pk,
            "roles": [Role.PROJECT_LEADER],
        },
    )
    assert sorted(smtp.recipients()) == sorted([owner.email, "ny@randers.example"])
    assert all(message["List-Unsubscribe"] is None for _to, message in smtp.messages)


def test_the_daily_digest_gathers_a_days_notices_into_one_email(smtp, client, people):
    anna, bo, topic = people["anna"], people["bo"], people["topic"]
    meeting = MeetingFactory(title="Referencenetværksmøde")
    RegistrationFactory(meeting=meeting, person=bo)

    client.force_login(bo)
    page = client.get(reverse("network:my_page")).content.decode()
    assert 'name="forum" value="daily"' in page
    response = client.post(
        reverse("network:notice_choices"),
        {"forum": "daily", "meetings": "daily", "grants": "immediately"},
    )
    assert response.status_code == 302
    assert notices.deliveries_for(bo.email) == {
        "forum": "daily",
        "meetings": "daily",
        "grants": "immediately",
    }

    smtp.messages.clear()
    mention(topic, anna, bo, "første spørgsmål")
    move(meeting)
    assert smtp.messages == []
    assert DigestItem.objects.filter(address=bo.email.lower()).count() == 2

    call_command("send_digests", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("send_digests", stdout=open("/dev/null", "w"))  # noqa: SIM115
    [(recipients, digest)] = smtp.messages
    assert recipients == [bo.email]
    body = plain(digest)
    assert topic.title in body and "Referencenetværksmøde" in body
    assert digest["List-Unsubscribe-Post"] == ONE_CLICK
    assert digest["Subject"] == "Dit daglige overblik fra Partnerskabsplatformen"
    assert not DigestItem.objects.filter(sent_at__isnull=True).exists()

    # A month on, the sent notices are cleared away.
    DigestItem.objects.update(sent_at=timezone.now() - timedelta(days=31))
    call_command("send_digests", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not DigestItem.objects.exists()


def test_forum_emails_are_asked_for_and_the_forum_switch_follows_my_page(client):
    person = municipal_person("Randers")
    assert notices.delivery_for(person.email, NoticeKind.FORUM) == "off"
    assert notices.delivery_for(person.email, NoticeKind.MEETINGS) == "immediately"

    client.force_login(person)
    client.post(
        reverse("network:notice_choices"),
        {"forum": "daily", "meetings": "immediately", "grants": "immediately"},
    )
    assert NotificationPreference.objects.get(person=person).email
    # Turning "email me" off on the notifications page turns forum notices off.
    client.post(reverse("knowledge:notifications"), {"email": "off"})
    assert notices.delivery_for(person.email, NoticeKind.FORUM) == "off"
    client.post(reverse("knowledge:notifications"), {"email": "on"})
    assert notices.delivery_for(person.email, NoticeKind.FORUM) == "immediately"
