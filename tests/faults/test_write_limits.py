"""Every write a member can make has a per-person limit that holds across processes.

Two daphne processes on the test database share a Redis server of the test's own (the
production topology: the limits are counted in the cache, config/limits.py). For each
kind of write, one person sends the limit's worth of forms, alternating between the
processes, and all are saved; the next one is refused with HTTP 429, the Danish message
saying when to try again, and the form with what was typed; the database holds exactly
the limit. The sizes are the defaults of config/settings.py (WRITE_LIMIT_DEFAULTS).
"""

import asyncio
import json
from contextlib import ExitStack, contextmanager

import pytest
from django.urls import reverse

from config import limits
from knowledge import services as forum
from knowledge.models import Post, PostReport, PostRevision, Space, Topic
from meetings.models import Registration
from network.models import Application, Invitation, Membership, Milestone, Role, StatusNote
from tests.cms.factories import PoolPageFactory
from tests.faults.client import Visitor
from tests.faults.test_redis_outage import login_cookie, redis_server
from tests.knowledge.factories import SpaceFactory, TopicFactory
from tests.knowledge.live_server import (
    WebSocketClient,
    daphne_process,
    free_port,
    shared_database,
)
from tests.meetings.factories import MeetingFactory
from tests.network.factories import (
    InitiativeFactory,
    agency_editor,
    member,
    municipal_person,
    municipality,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REPORT = {
    "context": "Bostøtten i Aarhus.",
    "what_we_did": "Recovery-samtaler.",
    "what_worked": "Borgerens egne mål.",
    "barriers": "Travlhed.",
    "results": "Flere i job.",
}


@contextmanager
def two_processes(tmp_path):
    """Two daphne processes on the test database and one Redis; yields their addresses.

    On SQLite the test reads the shared database only inside the block (afterwards it is
    back on its in-memory database), so the assertions are made there.
    """
    port = free_port()
    with (
        redis_server(port, tmp_path),
        shared_database(tmp_path) as database_url,
        ExitStack() as stack,
    ):
        environment = {
            "REDIS_URL": f"redis://127.0.0.1:{port}/0",
            "DJANGO_DEBUG": "false",
            "TRUSTED_PROXY_COUNT": "1",
        }
        yield [
            stack.enter_context(
                daphne_process(database_url, tmp_path / f"daphne-{n}.log", environment)
            )
            for n in range(2)
        ]


def refusal(kind, what, period):
    count = limits.limit(kind).count
    return (
        f"Du har nået grænsen på {count} {what} på {period}. Intet blev gemt. Du kan prøve igen om"
    )


def fill_up(visitor, addresses, path, data, kind, **request):
    """The limit's worth of forms, alternating between the processes, all accepted; then
    one more, which is returned."""
    allowed = limits.limit(kind).count
    for n in range(allowed):
        answer = visitor.request("POST", path, data(n), address=addresses[n % 2], **request)
        assert answer.status == 302, (n, answer.status, answer.html[:2000])
    return visitor.request("POST", path, data(allowed), address=addresses[allowed % 2], **request)


def assert_refused(answer, message, *typed):
    assert answer.status == 429, (answer.status, answer.html[:2000])
    assert 0 < int(answer.retry_after) <= 3600
    assert message in answer.html
    for text in typed:
        assert text in answer.html, text


@pytest.fixture
def forum_world():
    space = SpaceFactory(visibility=Space.Visibility.NETWORK)
    member(space.initiative, "Aarhus", Membership.Status.PARTNER)
    writer = municipal_person("Aarhus")
    topic = TopicFactory(space=space, author=municipal_person("Aarhus"))
    return space, writer, topic


def test_new_topics(tmp_path, forum_world):
    space, writer, _topic = forum_world
    with two_processes(tmp_path) as addresses:
        answer = fill_up(
            Visitor(addresses[0], writer),
            addresses,
            reverse("knowledge:new_topic", args=[space.slug]),
            lambda n: {"title": f"Spørgsmål nummer {n}", "text": f"Hvordan gør I med {n}?"},
            "topics",
        )
        allowed = limits.limit("topics").count
        assert_refused(
            answer,
            refusal("topics", "nye emner", "1 minut"),
            f"Spørgsmål nummer {allowed}",
            f"Hvordan gør I med {allowed}?",
        )
        assert Topic.objects.filter(author=writer).count() == allowed


def test_experience_reports(tmp_path, forum_world):
    space, writer, _topic = forum_world
    with two_processes(tmp_path) as addresses:
        answer = fill_up(
            Visitor(addresses[0], writer),
            addresses,
            reverse("knowledge:new_experience_report", args=[space.slug]),
            lambda n: {"title": f"Erfaring nummer {n}", **REPORT},
            "experience_reports",
        )
        allowed = limits.limit("experience_reports").count
        assert_refused(
            answer,
            refusal("experience_reports", "erfaringer", "1 minut"),
            f"Erfaring nummer {allowed}",
            REPORT["what_we_did"],
        )
        assert Topic.objects.filter(author=writer, kind=Topic.Kind.EXPERIENCE).count() == allowed


def test_replies_through_the_form_and_the_socket_share_one_limit(tmp_path, forum_world):
    """Switching between the plain form and the live page's socket, and between the
    processes, does not dodge the limit."""
    _space, writer, topic = forum_world
    path = reverse("knowledge:topic", args=[topic.pk])
    allowed = limits.limit("posts").count
    cookie = login_cookie(writer)

    async def by_socket(address, text):
        socket = await WebSocketClient.connect(address, f"/ws/emner/{topic.pk}/", cookie=cookie)
        try:
            await socket.send_json({"type": "post", "text": text})
            while True:
                message = await socket.receive_json()
                if message["type"] in ("posted", "error"):
                    return message
        finally:
            await socket.close()

    with two_processes(tmp_path) as addresses:
        visitor = Visitor(addresses[0], writer)
        for n in range(allowed - 1):
            answer = visitor.post(path, {"text": f"Svar nummer {n}"})
            assert answer.status == 302, answer.html[:2000]
        last = asyncio.run(by_socket(addresses[1], f"Svar nummer {allowed - 1}"))
        assert last["type"] == "posted"
        answer = visitor.post(path, {"text": "Et svar for meget"})
        over = asyncio.run(by_socket(addresses[1], "Et svar for meget over nettet"))

        assert_refused(answer, refusal("posts", "indlæg", "1 minut"), "Et svar for meget")
        assert over["type"] == "error"
        assert over["message"].startswith(refusal("posts", "indlæg", "1 minut"))
        assert 0 < over["retry_after"] <= 60
        assert Post.objects.filter(author=writer).count() == allowed


def test_edits(tmp_path, forum_world):
    _space, writer, topic = forum_world
    post = forum.post_reply(topic, writer, "Første udgave")
    with two_processes(tmp_path) as addresses:
        answer = fill_up(
            Visitor(addresses[0], writer),
            addresses,
            reverse("knowledge:edit_post", args=[post.pk]),
            lambda n: {"text": f"Rettet udgave {n}"},
            "edits",
        )
        allowed = limits.limit("edits").count
        assert_refused(
            answer, refusal("edits", "rettelser af indlæg", "1 minut"), f"Rettet udgave {allowed}"
        )
        assert PostRevision.objects.filter(post=post).count() == allowed
        post.refresh_from_db()
        assert post.source == f"Rettet udgave {allowed - 1}"


def test_post_reports(tmp_path, forum_world):
    _space, writer, topic = forum_world
    post = forum.post_reply(topic, topic.author, "Et indlæg")
    with two_processes(tmp_path) as addresses:
        answer = fill_up(
            Visitor(addresses[0], writer),
            addresses,
            reverse("knowledge:report_post", args=[post.pk]),
            lambda n: {"reason": f"Grund nummer {n}"},
            "post_reports",
        )
        allowed = limits.limit("post_reports").count
        assert_refused(
            answer,
            refusal("post_reports", "anmeldelser af indlæg", "1 time"),
            f"Grund nummer {allowed}",
        )
        assert PostReport.objects.filter(reporter=writer).count() == allowed


@pytest.fixture
def partner():
    initiative = InitiativeFactory()
    membership = member(initiative, "Randers", Membership.Status.PARTNER)
    leader = municipal_person("Randers", Role.PROJECT_LEADER)
    path = reverse("network:report_progress", args=[initiative.slug, membership.municipality.slug])
    return membership, leader, path


def test_status_notes(tmp_path, partner):
    membership, leader, path = partner
    with two_processes(tmp_path) as addresses:
        answer = fill_up(
            Visitor(addresses[0], leader),
            addresses,
            path,
            lambda n: {"form": "note", "note-part": "1", "note-text": f"Status nummer {n}"},
            "status_notes",
        )
        allowed = limits.limit("status_notes").count
        assert_refused(
            answer, refusal("status_notes", "statusnoter", "1 minut"), f"Status nummer {allowed}"
        )
        assert StatusNote.objects.filter(membership=membership).count() == allowed


def test_milestones(tmp_path, partner):
    membership, leader, path = partner
    with two_processes(tmp_path) as addresses:
        answer = fill_up(
            Visitor(addresses[0], leader),
            addresses,
            path,
            lambda n: {
                "form": "milestone",
                "milestone-part": "2",
                "milestone-title": f"Milepæl nummer {n}",
                "milestone-due_on": "2027-05-01",
            },
            "milestones",
        )
        allowed = limits.limit("milestones").count
        assert_refused(
            answer, refusal("milestones", "milepæle", "1 minut"), f"Milepæl nummer {allowed}"
        )
        assert Milestone.objects.filter(membership=membership).count() == allowed


def test_invitations(tmp_path):
    """Invitations email addresses typed in, so even agency editors have a limit."""
    editor = agency_editor()
    aarhus = municipality("Aarhus")
    with two_processes(tmp_path) as addresses:
        answer = fill_up(
            Visitor(addresses[0], editor),
            addresses,
            reverse("network:invite"),
            lambda n: {"email": f"ny{n}@aarhus.example", "municipality": str(aarhus.pk)},
            "invitations",
        )
        allowed = limits.limit("invitations").count
        assert_refused(
            answer, refusal("invitations", "invitationer", "1 time"), f"ny{allowed}@aarhus.example"
        )
        assert Invitation.objects.count() == allowed


def test_application_saves_by_form_and_in_the_background(tmp_path):
    applicant = municipal_person("Odense")
    application = Application.objects.create(
        pool=PoolPageFactory(), municipality=applicant.municipality, created_by=applicant
    )
    path = reverse("network:application", args=[application.pk])

    def draft(n):
        return {
            "project_leader_name": f"Projektleder {n}",
            "budget-TOTAL_FORMS": "0",
            "budget-INITIAL_FORMS": "0",
        }

    allowed = limits.limit("application_saves").count
    with two_processes(tmp_path) as addresses:
        visitor = Visitor(addresses[0], applicant)
        answer = fill_up(visitor, addresses, path, draft, "application_saves")
        autosave = visitor.request(
            "POST",
            path,
            draft(allowed + 1),
            address=addresses[1],
            headers={"X-Autosave": "1", "Accept": "application/json"},
        )
        message = refusal("application_saves", "lagringer af ansøgningen", "1 minut")
        assert_refused(answer, message, f"Projektleder {allowed}")
        assert autosave.status == 429
        assert 0 < int(autosave.retry_after) <= 60
        answered = json.loads(autosave.html)
        assert answered["saved_at"] is None and answered["message"].startswith(message)
        application.refresh_from_db()
        assert application.project_leader_name == f"Projektleder {allowed - 1}"


def test_member_sign_ups(tmp_path):
    person = municipal_person("Aarhus")
    allowed = limits.limit("signups").count
    meetings = MeetingFactory.create_batch(allowed + 1)
    with two_processes(tmp_path) as addresses:
        visitor = Visitor(addresses[0], person)
        for n, meeting in enumerate(meetings):
            answer = visitor.request(
                "POST",
                reverse("meetings:register", args=[meeting.pk]),
                {},
                address=addresses[n % 2],
            )
            assert answer.status == 302
        # One click, no typing: the refusal is told on the meeting's page, like any other.
        page = visitor.get(answer.location, cookies=answer.cookies)
        assert refusal("signups", "tilmeldinger til møder", "1 time") in page.html
        assert Registration.objects.filter(person=person).count() == allowed
        assert not meetings[-1].registrations.exists()


def test_guest_sign_ups_per_visitor_address_and_per_email_address(tmp_path):
    meeting = MeetingFactory(seats=100)
    path = reverse("meetings:register_guest", args=[meeting.pk])
    others = MeetingFactory.create_batch(limits.limit("guest_signups_per_email").count + 1)

    def guest(n):
        return {"name": f"Gæst nummer {n}", "email": f"gaest{n}@example.org", "organisation": "X"}

    with two_processes(tmp_path) as addresses:
        visitor = Visitor(addresses[0])
        from_one_address = fill_up(
            visitor, addresses, path, guest, "guest_signups_per_address",
            headers={"X-Forwarded-For": "192.0.2.10"},
        )  # fmt: skip
        for n, other in enumerate(others):
            same_email = visitor.request(
                "POST",
                reverse("meetings:register_guest", args=[other.pk]),
                {"name": "Gitte", "email": "gitte@example.org", "organisation": "Foreningen"},
                address=addresses[n % 2],
                headers={"X-Forwarded-For": f"198.51.100.{n + 1}"},
            )
            assert same_email.status == (302 if other != others[-1] else 429)

        allowed = limits.limit("guest_signups_per_address").count
        assert_refused(
            from_one_address,
            refusal("guest_signups_per_address", "tilmeldinger herfra", "1 time"),
            f"Gæst nummer {allowed}",
            f"gaest{allowed}@example.org",
        )
        assert meeting.registrations.count() == allowed
        assert_refused(
            same_email,
            refusal("guest_signups_per_email", "tilmeldinger med denne e-mailadresse", "1 time"),
            "gitte@example.org",
        )
        assert Registration.objects.filter(email="gitte@example.org").count() == len(others) - 1
