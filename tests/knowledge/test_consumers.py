"""The topic WebSocket against the real ASGI application (origin check, session, routing)."""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from knowledge import services
from knowledge.consumers import PRESENCE_NOTICE_DELAY
from knowledge.models import Post, Space
from network.models import Membership, Role, RoleAssignment
from tests.knowledge.factories import PostFactory, SpaceFactory, TopicFactory, numbered_post
from tests.knowledge.sockets import (
    TIMEOUT,
    closed_with,
    communicator,
    receive_until,
    session_cookie,
)
from tests.network.factories import agency_moderator, municipal_person

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_refused_without_login(world):
    async def scenario():
        socket = communicator(world["topic"].pk)
        connected, code = await socket.connect(timeout=TIMEOUT)
        await socket.disconnect()
        return connected, code

    assert async_to_sync(scenario)() == (False, 4404)


def test_refused_without_access_to_the_topic(world):
    _client, session = session_cookie(world["reference"])

    async def scenario():
        socket = communicator(world["topic"].pk, session)
        connected, code = await socket.connect(timeout=TIMEOUT)
        await socket.disconnect()
        return connected, code

    assert async_to_sync(scenario)() == (False, 4404)


def test_refused_for_an_unknown_topic(world):
    _client, session = session_cookie(world["partner"])

    async def scenario():
        socket = communicator(999_999, session)
        connected, code = await socket.connect(timeout=TIMEOUT)
        await socket.disconnect()
        return connected, code

    assert async_to_sync(scenario)() == (False, 4404)


def test_refused_from_a_foreign_origin(world):
    _client, session = session_cookie(world["partner"])

    async def scenario():
        socket = communicator(world["topic"].pk, session, origin="https://angriber.example")
        connected, _code = await socket.connect(timeout=TIMEOUT)
        await socket.disconnect()
        return connected

    assert async_to_sync(scenario)() is False


def test_public_topic_is_open_but_shows_no_presence_to_anonymous_readers(world):
    public = TopicFactory(space=SpaceFactory(visibility=Space.Visibility.PUBLIC))

    async def scenario():
        socket = communicator(public.pk)
        connected, _code = await socket.connect(timeout=TIMEOUT)
        await socket.send_json_to({"type": "resync", "after": 0})
        messages = await receive_until(socket, "resync.done")
        await socket.send_json_to({"type": "post", "text": "Hej"})
        refusal = await socket.receive_json_from(timeout=TIMEOUT)
        await socket.disconnect()
        return connected, messages, refusal

    connected, messages, refusal = async_to_sync(scenario)()
    assert connected
    assert messages == [{"type": "resync.done", "last": 0}]
    assert refusal["type"] == "error"
    assert not Post.objects.filter(topic=public).exists()


def test_a_post_made_through_the_service_is_broadcast(world):
    topic, partner = world["topic"], world["partner"]
    _client, session = session_cookie(world["colleague"])

    async def scenario():
        socket = communicator(topic.pk, session)
        connected, _code = await socket.connect(timeout=TIMEOUT)
        assert connected
        await receive_until(socket, "presence")
        post = await database_sync_to_async(services.post_reply)(
            topic, partner, "Vi har **gode** erfaringer med recovery-cafeen."
        )
        messages = await receive_until(socket, "post.created")
        await socket.disconnect()
        return post, messages[-1]

    post, message = async_to_sync(scenario)()
    assert message["sequence"] == post.sequence == 1
    assert message["post_id"] == post.pk
    assert message["visible"] is True
    assert message["author_id"] == partner.pk
    assert "<strong>gode</strong>" in message["html"]
    assert 'id="indlaeg-1"' in message["html"]
    # One fragment for every tab: all actions, hidden until the tab keeps its viewer's.
    assert '<ul class="post__actions" data-live-actions hidden>' in message["html"]
    for action in ("quote", "edit", "delete", "report"):
        assert f'data-action="{action}"' in message["html"]


def test_a_post_made_through_the_socket_is_saved_and_broadcast_to_everyone(world):
    topic = world["topic"]
    first = PostFactory(topic=topic, author=world["partner"], source="Hvem har prøvet peer-støtte?")
    _c1, writer_session = session_cookie(world["colleague"])
    _c2, reader_session = session_cookie(world["partner"])

    async def scenario():
        writer = communicator(topic.pk, writer_session)
        reader = communicator(topic.pk, reader_session)
        assert (await writer.connect(timeout=TIMEOUT))[0]
        assert (await reader.connect(timeout=TIMEOUT))[0]
        await writer.send_json_to(
            {"type": "post", "text": "Det har vi i Randers.", "quoted": first.sequence}
        )
        writer_messages = await receive_until(writer, "posted")
        writer_messages += await receive_until(writer, "post.created")
        reader_messages = await receive_until(reader, "post.created")
        await writer.disconnect()
        await reader.disconnect()
        return writer_messages, reader_messages

    writer_messages, reader_messages = async_to_sync(scenario)()
    saved = Post.objects.get(topic=topic, sequence=2)
    assert saved.author == world["colleague"]
    assert saved.quoted == first
    assert {"type": "posted", "sequence": 2} in writer_messages
    assert reader_messages[-1]["post_id"] == saved.pk
    assert "Det har vi i Randers." in reader_messages[-1]["html"]


def test_resync_after_a_gap_returns_exactly_the_missed_posts_in_order(world):
    topic, partner = world["topic"], world["partner"]
    for number in range(1, 4):
        numbered_post(topic, partner, f"Set før afbrydelsen {number}")
    missed = [numbered_post(topic, partner, f"Gik tabt {number}") for number in range(4, 8)]
    hidden = missed[1]
    services.hide_post(hidden, agency_moderator())
    _client, session = session_cookie(world["colleague"])

    async def scenario():
        socket = communicator(topic.pk, session)
        assert (await socket.connect(timeout=TIMEOUT))[0]
        await socket.send_json_to({"type": "resync", "after": 3})
        messages = await receive_until(socket, "resync.done")
        await socket.disconnect()
        return [m for m in messages if m["type"] not in ("presence", "typing")]

    messages = async_to_sync(scenario)()
    assert [m["sequence"] for m in messages[:-1]] == [4, 5, 6, 7]
    assert [m["post_id"] for m in messages[:-1]] == [post.pk for post in missed]
    assert messages[1]["type"] == "post.removed" and messages[1]["visible"] is False
    assert "Gik tabt 5" not in messages[1]["html"]
    assert messages[-1] == {"type": "resync.done", "last": 7}


def test_a_cpr_number_over_the_socket_is_refused_and_nothing_saved(world):
    topic = world["topic"]
    _client, session = session_cookie(world["partner"])

    async def scenario():
        socket = communicator(topic.pk, session)
        assert (await socket.connect(timeout=TIMEOUT))[0]
        await socket.send_json_to(
            {"type": "post", "text": "Borgeren har cpr 010190-1234.", "quoted": None}
        )
        messages = await receive_until(socket, "error")
        await socket.disconnect()
        return messages[-1]

    error = async_to_sync(scenario)()
    assert "CPR" in error["message"]
    assert "010190" not in error["message"]
    assert not Post.objects.filter(topic=topic).exists()


def test_rate_limit_over_the_socket_is_an_error_message(world, settings):
    settings.WRITE_LIMITS = {**settings.WRITE_LIMITS, "posts": "1/m"}
    topic = world["topic"]
    _client, session = session_cookie(world["partner"])

    async def scenario():
        socket = communicator(topic.pk, session)
        assert (await socket.connect(timeout=TIMEOUT))[0]
        await socket.send_json_to({"type": "post", "text": "Første"})
        await receive_until(socket, "posted")
        await socket.send_json_to({"type": "post", "text": "Anden"})
        messages = await receive_until(socket, "error")
        await socket.disconnect()
        return messages[-1]

    error = async_to_sync(scenario)()
    assert error["message"].startswith("Du har nået grænsen på 1 indlæg på 1 minut.")
    assert 0 < error["retry_after"] <= 60
    assert Post.objects.filter(topic=topic).count() == 1


def test_a_crowd_arriving_at_once_gets_one_list_not_one_per_arrival(world):
    """Presence notices are gathered: 20 tabs joining at once do not send 20 lists
    to every tab (which grows with the square of the crowd and crowds out posts)."""
    people = [world["partner"]] + [
        municipal_person("Randers", first_name=f"Person{n:02d}", last_name="Hansen")
        for n in range(19)
    ]
    sessions = [session_cookie(person)[1] for person in people]

    async def scenario():
        sockets = [communicator(world["topic"].pk, session) for session in sessions]
        results = await asyncio.gather(*(socket.connect(timeout=TIMEOUT) for socket in sockets))
        assert all(connected for connected, _code in results)
        notices = []
        while not await sockets[0].receive_nothing(timeout=2 * PRESENCE_NOTICE_DELAY + 0.5):
            message = await sockets[0].receive_json_from()
            if message["type"] == "presence":
                notices.append(message["viewers"])
        for socket in sockets:
            await socket.disconnect()
        return notices

    notices = async_to_sync(scenario)()
    assert 1 <= len(notices) <= 3
    assert len(notices[-1]) == 20


def test_typing_and_presence_reach_the_others(world):
    topic = world["topic"]
    _c1, partner_session = session_cookie(world["partner"])
    _c2, colleague_session = session_cookie(world["colleague"])

    async def scenario():
        partner = communicator(topic.pk, partner_session)
        colleague = communicator(topic.pk, colleague_session)
        assert (await partner.connect(timeout=TIMEOUT))[0]
        await receive_until(partner, "presence")
        assert (await colleague.connect(timeout=TIMEOUT))[0]
        presence = (await receive_until(partner, "presence"))[-1]
        await colleague.send_json_to({"type": "typing"})
        typing = (await receive_until(partner, "typing"))[-1]
        # The writer does not hear their own typing.
        colleague_seen = []
        while not await colleague.receive_nothing(timeout=0.3):
            colleague_seen.append(await colleague.receive_json_from())
        await colleague.disconnect()
        after_leaving = (await receive_until(partner, "presence"))[-1]
        await partner.disconnect()
        return presence, typing, colleague_seen, after_leaving

    presence, typing, colleague_seen, after_leaving = async_to_sync(scenario)()
    assert presence["viewers"] == ["Carl Clausen, Randers", "Rikke Rasmussen, Randers"]
    assert typing == {"type": "typing", "name": "Carl Clausen, Randers"}
    assert all(message["type"] != "typing" for message in colleague_seen)
    assert after_leaving["viewers"] == ["Rikke Rasmussen, Randers"]


def test_read_marker(world):
    topic = world["topic"]
    numbered_post(topic, world["partner"], "Et")
    numbered_post(topic, world["partner"], "To")
    _client, session = session_cookie(world["colleague"])

    async def scenario():
        socket = communicator(topic.pk, session)
        assert (await socket.connect(timeout=TIMEOUT))[0]
        await socket.send_json_to({"type": "read", "sequence": 2})
        await socket.send_json_to({"type": "resync", "after": 2})
        await receive_until(socket, "resync.done")
        await socket.disconnect()

    async_to_sync(scenario)()
    subscription = world["colleague"].topic_subscriptions.get(topic=topic)
    assert subscription.last_read_sequence == 2


@pytest.mark.parametrize(
    "change", ["membership_revoked", "membership_deleted", "deactivated", "logged_out"]
)
def test_losing_access_closes_the_connection(world, change):
    topic, partner = world["topic"], world["partner"]
    client, session = session_cookie(partner)

    def revoke():
        if change == "membership_revoked":
            membership = world["membership"]
            membership.status = Membership.Status.LEFT
            membership.save()
        elif change == "membership_deleted":
            world["membership"].delete()
        elif change == "deactivated":
            partner.is_active = False
            partner.save()
        else:
            client.logout()

    async def scenario():
        socket = communicator(topic.pk, session)
        assert (await socket.connect(timeout=TIMEOUT))[0]
        await receive_until(socket, "presence")
        await database_sync_to_async(revoke)()
        code = await closed_with(socket)
        await socket.disconnect()
        return code

    assert async_to_sync(scenario)() == 4403


def test_a_change_that_keeps_access_keeps_the_connection(world):
    topic, partner = world["topic"], world["partner"]
    _client, session = session_cookie(partner)
    other = municipal_person("Randers", first_name="Anden", last_name="Kollega")

    async def scenario():
        socket = communicator(topic.pk, session)
        assert (await socket.connect(timeout=TIMEOUT))[0]
        await receive_until(socket, "presence")

        def unrelated_changes():
            RoleAssignment.objects.create(person=partner, role=Role.PROJECT_LEADER).delete()
            other.is_active = False
            other.save()

        await database_sync_to_async(unrelated_changes)()
        await socket.send_json_to({"type": "resync", "after": 0})
        messages = await receive_until(socket, "resync.done")
        await socket.disconnect()
        return messages

    assert async_to_sync(scenario)()[-1] == {"type": "resync.done", "last": 0}


def test_posting_saves_when_the_channel_layer_is_down(world, monkeypatch):
    class BrokenLayer:
        async def group_send(self, group, message):
            raise ConnectionError("Redis er nede")

    monkeypatch.setattr(services, "get_channel_layer", lambda: BrokenLayer())
    post = services.post_reply(world["topic"], world["partner"], "Gemmes alligevel.")
    assert Post.objects.get(pk=post.pk).sequence == 1
    world["topic"].refresh_from_db()
    assert world["topic"].last_sequence == 1
