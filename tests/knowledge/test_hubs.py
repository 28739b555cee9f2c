"""knowledge/hubs.py: one channel-layer member per topic and process, shared by its tabs.

The tabs are real TopicConsumers behind ``config.asgi.application`` (as in
test_consumers.py); the hub of a topic is looked up in ``hubs._hubs`` by the test's event
loop and the topic's id, and the topic's group is read from the channel layer itself.
"""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from knowledge import hubs, services
from knowledge.consumers import TopicConsumer
from knowledge.models import Space
from tests.knowledge.factories import SpaceFactory, TopicFactory
from tests.knowledge.sockets import (
    TIMEOUT,
    closed_with,
    communicator,
    receive_until,
    session_cookie,
)
from tests.network.factories import agency_moderator

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


async def posts_until(socket, post_id, timeout=TIMEOUT):
    """The ids of the ``post.created`` events up to and including the one for ``post_id``."""
    ids = []
    while not ids or ids[-1] != post_id:
        message = await socket.receive_json_from(timeout=timeout)
        if message["type"] == "post.created":
            ids.append(message["post_id"])
    return ids


async def connected(*sockets):
    """Connect, then resync as a browser does: once answered, the tab has joined its hub
    (which happens after the handshake is accepted)."""
    for socket in sockets:
        assert (await socket.connect(timeout=TIMEOUT))[0]
        await socket.send_json_to({"type": "resync", "after": 0})
        await receive_until(socket, "resync.done")


def hub_of(topic_id):
    return hubs._hubs.get((asyncio.get_running_loop(), topic_id))


async def group_members(layer, group):
    """The channel names in a group of the channel layer (in memory, or Redis in CI)."""
    if hasattr(layer, "groups"):
        return set(layer.groups.get(group, {}))
    connection = layer.connection(layer.consistent_hash(group))
    return {name.decode() for name in await connection.zrange(layer._group_key(group), 0, -1)}


post = database_sync_to_async(services.post_reply)


def test_three_tabs_on_a_topic_are_one_group_member_and_each_gets_a_post_once(world):
    topic, partner = world["topic"], world["partner"]
    # Two people, one of them with two tabs.
    sessions = [session_cookie(world[name])[1] for name in ("partner", "colleague", "partner")]

    async def scenario():
        layer = get_channel_layer()
        tabs = [communicator(topic.pk, session) for session in sessions]
        await connected(*tabs)
        hub = hub_of(topic.pk)
        members = await group_members(layer, services.topic_group(topic.pk))
        tab_channels = {consumer.channel_name for consumer in hub.tabs}
        first = await post(topic, partner, "Til alle tre faner.")
        second = await post(topic, partner, "Og en til.")  # marks the end of what came
        received = [await posts_until(tab, second.pk) for tab in tabs]
        for tab in tabs:
            await tab.disconnect()
        return hub, members, tab_channels, received, [first.pk, second.pk]

    hub, members, tab_channels, received, post_ids = async_to_sync(scenario)()
    assert members == {hub.channel}
    assert len(tab_channels) == 3
    assert hub.channel not in tab_channels
    assert received == [post_ids] * 3  # each post once in each tab


def test_two_topics_have_two_hubs_and_a_post_stays_in_its_topic(world):
    first_topic, partner = world["topic"], world["partner"]
    second_topic = TopicFactory(space=world["space"], author=partner)
    _c1, partner_session = session_cookie(partner)
    _c2, colleague_session = session_cookie(world["colleague"])

    async def scenario():
        layer = get_channel_layer()
        first_tabs = [communicator(first_topic.pk, partner_session) for _ in range(2)]
        second_tab = communicator(second_topic.pk, colleague_session)
        await connected(*first_tabs, second_tab)
        first_hub, second_hub = hub_of(first_topic.pk), hub_of(second_topic.pk)
        members = [
            await group_members(layer, services.topic_group(first_topic.pk)),
            await group_members(layer, services.topic_group(second_topic.pk)),
        ]
        in_first = await post(first_topic, partner, "Kun i det første emne.")
        in_second = await post(second_topic, partner, "Kun i det andet emne.")
        first_again = await post(first_topic, partner, "Igen i det første.")
        second_again = await post(second_topic, partner, "Igen i det andet.")
        first_received = [await posts_until(tab, first_again.pk) for tab in first_tabs]
        second_received = await posts_until(second_tab, second_again.pk)
        for tab in (*first_tabs, second_tab):
            await tab.disconnect()
        expected = ([in_first.pk, first_again.pk], [in_second.pk, second_again.pk])
        return first_hub, second_hub, members, first_received, second_received, expected

    first_hub, second_hub, members, first_received, second_received, expected = async_to_sync(
        scenario
    )()
    assert first_hub is not second_hub
    assert first_hub.channel != second_hub.channel
    assert len(first_hub.tabs) == len(second_hub.tabs) == 0  # all left by now
    assert members == [{first_hub.channel}, {second_hub.channel}]
    assert first_received == [expected[0]] * 2
    assert second_received == expected[1]


def test_when_the_last_tab_leaves_the_group_membership_ends(world):
    topic, partner = world["topic"], world["partner"]
    _c1, partner_session = session_cookie(partner)
    _c2, colleague_session = session_cookie(world["colleague"])
    group = services.topic_group(topic.pk)

    async def scenario():
        layer = get_channel_layer()
        tabs = [communicator(topic.pk, s) for s in (partner_session, colleague_session)]
        await connected(*tabs)
        hub = hub_of(topic.pk)
        await tabs[0].disconnect()
        after_one = await group_members(layer, group), hub_of(topic.pk)
        await tabs[1].disconnect()
        after_all = await group_members(layer, group), hub_of(topic.pk)
        group_gone = group not in layer.groups if hasattr(layer, "groups") else True
        # A tab arriving afterwards gets a hub of its own, and the posts.
        latecomer = communicator(topic.pk, partner_session)
        await connected(latecomer)
        new_hub = hub_of(topic.pk)
        new_members = await group_members(layer, group)
        reply = await post(topic, partner, "Til den nye fane.")
        received = await posts_until(latecomer, reply.pk)
        await latecomer.disconnect()
        return hub, after_one, after_all, group_gone, new_hub, new_members, received, reply.pk

    hub, after_one, after_all, group_gone, new_hub, new_members, received, reply_id = async_to_sync(
        scenario
    )()
    assert after_one == ({hub.channel}, hub)  # one tab left: the hub stays
    assert after_all == (set(), None)
    assert group_gone
    assert hub._reader.cancelled()
    assert new_hub is not hub
    assert new_members == {new_hub.channel}
    assert received == [reply_id]


def test_a_tab_that_disconnects_stops_receiving_and_the_others_still_do(world, monkeypatch):
    topic, partner = world["topic"], world["partner"]
    sessions = [session_cookie(world[name])[1] for name in ("partner", "colleague", "partner")]
    forwarded_to = []
    original_forward = TopicConsumer.forward

    async def recording_forward(self, event):
        forwarded_to.append(self)
        await original_forward(self, event)

    async def scenario():
        layer = get_channel_layer()
        *staying, leaving = [communicator(topic.pk, session) for session in sessions]
        await connected(*staying, leaving)
        hub = hub_of(topic.pk)
        before = set(hub.tabs)
        await leaving.disconnect()
        departed = before - hub.tabs
        monkeypatch.setattr(TopicConsumer, "forward", recording_forward)
        reply = await post(topic, partner, "Efter at én fane lukkede.")
        received = [await posts_until(tab, reply.pk) for tab in staying]
        nothing_for_leaving = await leaving.receive_nothing()
        members = await group_members(layer, services.topic_group(topic.pk))
        for tab in staying:
            await tab.disconnect()
        return hub, departed, received, nothing_for_leaving, members, reply.pk

    hub, departed, received, nothing_for_leaving, members, reply_id = async_to_sync(scenario)()
    assert len(departed) == 1
    assert received == [[reply_id]] * 2
    assert nothing_for_leaving
    assert not departed & set(forwarded_to)
    assert len(set(forwarded_to)) == 2
    assert members == {hub.channel}


def test_a_failing_layer_receive_closes_the_tabs_with_1011(world, monkeypatch):
    topic, partner = world["topic"], world["partner"]
    _c1, partner_session = session_cookie(partner)
    _c2, colleague_session = session_cookie(world["colleague"])
    group = services.topic_group(topic.pk)

    async def scenario():
        layer = get_channel_layer()
        tabs = [communicator(topic.pk, s) for s in (partner_session, colleague_session)]
        await connected(*tabs)
        hub = hub_of(topic.pk)
        original_receive = layer.receive

        async def failing_receive(channel):
            if channel == hub.channel:
                raise ConnectionError("Redis er nede")
            return await original_receive(channel)

        monkeypatch.setattr(layer, "receive", failing_receive)
        # The hub is waiting in the receive it started before: the next event wakes it
        # and its next receive fails.
        await post(topic, partner, "Inden forbindelsen røg.")
        codes = [await closed_with(tab) for tab in tabs]
        hub_after = hub_of(topic.pk)
        for tab in tabs:
            await tab.disconnect()
        monkeypatch.setattr(layer, "receive", original_receive)
        # The browsers reconnect and get a new hub.
        again = communicator(topic.pk, partner_session)
        await connected(again)
        new_hub = hub_of(topic.pk)
        reply = await post(topic, partner, "Efter at forbindelsen kom igen.")
        received = await posts_until(again, reply.pk)
        members = await group_members(layer, group)
        await again.disconnect()
        return hub, codes, hub_after, new_hub, received, reply.pk, members

    hub, codes, hub_after, new_hub, received, reply_id, members = async_to_sync(scenario)()
    assert codes == [hubs.CLOSE_LAYER_LOST] * 2 == [1011] * 2
    assert members == {new_hub.channel}, "the lost hub stayed in the group"
    assert hub_after is None  # the hub removed itself
    assert hub.tabs == set()
    assert new_hub is not None and new_hub is not hub
    assert received == [reply_id]


def test_moving_a_topic_out_of_reach_closes_that_tab_through_the_hub(world, monkeypatch):
    """``access.check`` reaches the topic's group; the hub sends it on to each tab's own
    channel, where the tab asks the database again (test_consumers.py has no move)."""
    network_space = SpaceFactory(
        visibility=Space.Visibility.NETWORK, initiative=world["space"].initiative
    )
    topic = TopicFactory(space=network_space, author=world["partner"])
    moderator = agency_moderator()
    _c1, partner_session = session_cookie(world["partner"])
    _c2, reference_session = session_cookie(world["reference"])
    resent = []

    async def scenario():
        layer = get_channel_layer()
        partner_tab = communicator(topic.pk, partner_session)
        reference_tab = communicator(topic.pk, reference_session)
        await connected(partner_tab, reference_tab)
        hub = hub_of(topic.pk)
        tab_channels = {consumer.channel_name for consumer in hub.tabs}
        members = await group_members(layer, services.topic_group(topic.pk))
        original_send = layer.send

        async def recording_send(channel, message):
            resent.append((channel, message))
            return await original_send(channel, message)

        monkeypatch.setattr(layer, "send", recording_send)
        # Only partner members may read the partners' space: the reference member goes.
        await database_sync_to_async(services.move_topic)(topic, moderator, world["space"])
        reference_code = await closed_with(reference_tab)
        await partner_tab.send_json_to({"type": "resync", "after": 0})
        partner_still = (await receive_until(partner_tab, "resync.done"))[-1]
        await partner_tab.disconnect()
        await reference_tab.disconnect()
        return hub, tab_channels, members, reference_code, partner_still

    hub, tab_channels, members, reference_code, partner_still = async_to_sync(scenario)()
    assert members == {hub.channel}  # the tabs themselves are not in the topic's group
    assert reference_code == 4403
    assert partner_still == {"type": "resync.done", "last": 0}
    access_checks = [channel for channel, message in resent if message["type"] == "access.check"]
    assert sorted(access_checks) == sorted(tab_channels)  # once to each tab's own channel


def test_the_writer_hears_posted_before_its_own_post_arrives(world):
    """The tab holds hub events while it answers its browser (``_held``)."""
    topic = world["topic"]
    _c1, writer_session = session_cookie(world["colleague"])
    _c2, reader_session = session_cookie(world["partner"])

    async def scenario():
        writer = communicator(topic.pk, writer_session)
        reader = communicator(topic.pk, reader_session)
        await connected(writer, reader)
        writer_seen = []
        for number in range(1, 4):
            await writer.send_json_to({"type": "post", "text": f"Mit indlæg nr. {number}"})
            seen = await receive_until(writer, "post.created")
            if not any(message["type"] == "posted" for message in seen):
                seen += await receive_until(writer, "posted")
            writer_seen.append([m["type"] for m in seen if m["type"] in ("posted", "post.created")])
        reader_seen = [await receive_until(reader, "post.created") for _ in range(3)]
        await writer.disconnect()
        await reader.disconnect()
        return writer_seen, [messages[-1]["sequence"] for messages in reader_seen]

    writer_seen, reader_sequences = async_to_sync(scenario)()
    assert writer_seen == [["posted", "post.created"]] * 3
    assert reader_sequences == [1, 2, 3]


# --- The hub on its own, with stand-in tabs ----------------------------------------------


class StandInTab:
    """What the hub needs of a tab: a channel of its own, ``forward`` and ``close``."""

    def __init__(self, channel_name, broken=False):
        self.channel_name = channel_name
        self.broken = broken
        self.forwarded = asyncio.Queue()
        self.closed = []

    async def forward(self, event):
        if self.broken:
            raise RuntimeError("this tab is gone")
        await self.forwarded.put(event)

    async def close(self, code=None):
        self.closed.append(code)


def test_a_broken_tab_does_not_keep_events_from_the_others_and_others_go_to_own_channels():
    topic_id = 987_654  # no database needed: the hub only knows the topic's id
    group = services.topic_group(topic_id)

    async def scenario():
        layer = get_channel_layer()
        tabs = [StandInTab(await layer.new_channel(), broken=n == 1) for n in range(3)]
        for tab in tabs:
            await hubs.join(tab, topic_id)
        hub = hub_of(topic_id)
        members_joined = await group_members(layer, group)
        await layer.group_send(group, {"type": "topic.event", "text": "{}"})
        await layer.group_send(group, {"type": "access.check"})
        healthy = [tab for tab in tabs if not tab.broken]
        forwarded = [await asyncio.wait_for(tab.forwarded.get(), TIMEOUT) for tab in healthy]
        resent = [await asyncio.wait_for(layer.receive(tab.channel_name), TIMEOUT) for tab in tabs]
        for tab in tabs:
            await hubs.leave(tab, topic_id)
        members_left = await group_members(layer, group)
        return hub, members_joined, forwarded, resent, members_left, hub_of(topic_id)

    hub, members_joined, forwarded, resent, members_after, hub_after = async_to_sync(scenario)()
    assert members_joined == {hub.channel}
    assert forwarded == [{"type": "topic.event", "text": "{}"}] * 2
    assert resent == [{"type": "access.check"}] * 3  # the broken tab's own channel too
    assert members_after == set()
    assert hub_after is None


def test_a_hub_left_while_it_is_still_joining_does_not_stay_in_the_group():
    topic_id = 987_655
    group = services.topic_group(topic_id)

    async def scenario():
        layer = get_channel_layer()
        tab = StandInTab(await layer.new_channel())
        joining = asyncio.ensure_future(hubs.join(tab, topic_id))
        await asyncio.sleep(0)  # the hub exists, its group_add not yet done
        hub = hub_of(topic_id)
        await hubs.leave(tab, topic_id)
        await joining
        return hub, await group_members(layer, group), hub_of(topic_id)

    hub, members, hub_after = async_to_sync(scenario)()
    assert hub is not None
    assert hub.channel is not None  # it did join ...
    assert members == set()  # ... and left again
    assert hub_after is None


def test_no_event_reaches_a_tab_before_its_handshake_is_accepted(world, monkeypatch):
    topic, partner = world["topic"], world["partner"]
    _c1, partner_session = session_cookie(partner)
    _c2, colleague_session = session_cookie(world["colleague"])

    async def scenario():
        layer = get_channel_layer()
        first = communicator(topic.pk, partner_session)
        await connected(first)
        hub = hub_of(topic.pk)
        gate = asyncio.Event()
        original_group_add = layer.group_add

        async def slow_group_add(group, channel):
            if group.startswith("person-"):
                await gate.wait()  # a slow round trip to Redis
            return await original_group_add(group, channel)

        monkeypatch.setattr(layer, "group_add", slow_group_add)
        second = communicator(topic.pk, colleague_session)
        await second.send_input({"type": "websocket.connect"})
        await asyncio.sleep(0.2)
        await post(topic, partner, "Mens den anden fane forbinder.")
        gate.set()
        first_output = await second.receive_output(TIMEOUT)
        tabs = len(hub.tabs)
        await first.disconnect()
        await second.disconnect()
        return first_output, tabs

    first_output, tabs = async_to_sync(scenario)()
    assert first_output["type"] == "websocket.accept"
    assert tabs == 2
