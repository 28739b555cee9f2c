"""config/channel_layers.py: channels' in-memory layer, with its expiry sweep amortised.

It must behave like upstream (send and receive, groups, capacity, message and group
expiry) while sweeping for expired entries at most once per ``CLEAN_INTERVAL`` seconds,
and a group send must put the message straight into each member's queue.

The clock is faked in the two modules that read it (``config.channel_layers`` and
``channels.layers``) rather than in ``time`` itself, so asyncio's own clock is untouched.
"""

import asyncio
import json
import time

import channels.layers
import pytest
from channels.exceptions import ChannelFull

from config import channel_layers
from config.channel_layers import CLEAN_INTERVAL, InMemoryChannelLayer
from tests.test_settings import run

UpstreamLayer = channels.layers.InMemoryChannelLayer
MARKER = {"type": "test.marker"}


class Clock:
    """Wall-clock and monotonic time that only move when told to."""

    def __init__(self):
        self.wall = time.time()
        self.mono = time.monotonic()

    def time(self):
        return self.wall

    def monotonic(self):
        return self.mono

    def advance(self, seconds):
        self.wall += seconds
        self.mono += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(channel_layers, "time", fake)
    monkeypatch.setattr(channels.layers, "time", fake)
    return fake


@pytest.fixture
def sweeps(monkeypatch):
    """Calls of upstream's sweep (the walk over every channel and group membership)."""
    calls = []
    original = UpstreamLayer._clean_expired

    def counting(self):
        calls.append(self)
        return original(self)

    monkeypatch.setattr(UpstreamLayer, "_clean_expired", counting)
    return calls


async def nothing_waiting(layer, channel):
    """True when ``channel`` holds no message: a marker sent now is the next one out."""
    await layer.send(channel, MARKER)
    return await layer.receive(channel) == MARKER


async def channels_named(layer, count):
    return [await layer.new_channel() for _ in range(count)]


def test_it_is_a_subclass_of_the_upstream_layer():
    assert issubclass(InMemoryChannelLayer, UpstreamLayer)
    assert InMemoryChannelLayer.extensions == ["groups", "flush"]


def test_send_and_receive_as_upstream():
    async def scenario():
        layer = InMemoryChannelLayer()
        first, second = await channels_named(layer, 2)
        message = {"type": "test.message", "text": "Hej", "items": [1]}
        await layer.send(first, message)
        await layer.send(first, {"type": "test.message", "text": "igen"})
        message["items"].append(2)  # the layer keeps a copy of what was sent
        received = [await layer.receive(first), await layer.receive(first)]
        return first, second, received, await nothing_waiting(layer, first)

    first, second, received, empty = asyncio.run(scenario())
    assert first != second
    assert received == [
        {"type": "test.message", "text": "Hej", "items": [1]},
        {"type": "test.message", "text": "igen"},
    ]
    assert empty


def test_group_send_reaches_every_member_once_and_nobody_else():
    async def scenario():
        layer = InMemoryChannelLayer()
        *members, outsider = await channels_named(layer, 4)
        for channel in members:
            await layer.group_add("emne", channel)
        await layer.group_send("emne", {"type": "topic.event", "text": "nyt"})
        received = [await layer.receive(channel) for channel in members]
        received[0]["text"] = "ændret"  # each member has its own copy
        others = received[1:]
        once = [await nothing_waiting(layer, channel) for channel in members]
        return others, once, await nothing_waiting(layer, outsider)

    others, once, outsider_empty = asyncio.run(scenario())
    assert others == [{"type": "topic.event", "text": "nyt"}] * 2
    assert once == [True, True, True]
    assert outsider_empty


def test_group_discard_as_upstream():
    async def scenario():
        layer = InMemoryChannelLayer()
        staying, leaving = await channels_named(layer, 2)
        await layer.group_add("emne", staying)
        await layer.group_add("emne", leaving)
        await layer.group_discard("emne", leaving)
        await layer.group_discard("emne", "specific.aldrig-medlem")  # no error
        await layer.group_send("emne", {"type": "topic.event"})
        got = await layer.receive(staying)
        left_empty = await nothing_waiting(layer, leaving)
        await layer.group_discard("emne", staying)
        return got, left_empty, "emne" in layer.groups

    got, left_empty, group_remains = asyncio.run(scenario())
    assert got == {"type": "topic.event"}
    assert left_empty
    assert not group_remains  # the last member gone, the group goes (as upstream)


def test_a_full_channel_misses_the_group_message_and_the_others_still_get_it():
    async def scenario():
        layer = InMemoryChannelLayer(capacity=2)
        full, before, after = await channels_named(layer, 3)
        for channel in (before, full, after):  # the full one in the middle
            await layer.group_add("emne", channel)
        await layer.send(full, {"type": "egen", "n": 1})
        await layer.send(full, {"type": "egen", "n": 2})
        with pytest.raises(ChannelFull):
            await layer.send(full, {"type": "egen", "n": 3})
        await layer.group_send("emne", {"type": "topic.event"})  # does not raise
        others = [await layer.receive(before), await layer.receive(after)]
        own = [await layer.receive(full), await layer.receive(full)]
        return others, own, await nothing_waiting(layer, full)

    others, own, full_empty = asyncio.run(scenario())
    assert others == [{"type": "topic.event"}] * 2
    assert own == [{"type": "egen", "n": 1}, {"type": "egen", "n": 2}]
    assert full_empty  # the group message was dropped for the full channel


def test_group_send_puts_the_message_straight_into_each_queue(monkeypatch):
    """Not one ``send`` (upstream: one task each) per member."""
    sends = []

    async def scenario():
        layer = InMemoryChannelLayer()
        original_send = layer.send

        async def counting_send(channel, message):
            sends.append(channel)
            return await original_send(channel, message)

        members = await channels_named(layer, 50)
        for channel in members:
            await layer.group_add("emne", channel)
        monkeypatch.setattr(layer, "send", counting_send)
        await layer.group_send("emne", {"type": "topic.event"})
        monkeypatch.undo()
        # Everything is queued by the time group_send returns.
        waiting = sum(layer.channels[channel].qsize() for channel in members)
        received = [await layer.receive(channel) for channel in members]
        return waiting, received

    waiting, received = asyncio.run(scenario())
    assert sends == []
    assert waiting == 50
    assert received == [{"type": "topic.event"}] * 50


def test_expired_messages_are_still_dropped_and_their_channel_leaves_its_groups(clock):
    async def scenario():
        layer = InMemoryChannelLayer(expiry=60)
        stale, fresh = await channels_named(layer, 2)
        await layer.group_add("emne", stale)
        await layer.group_add("emne", fresh)
        await layer.send(stale, {"type": "gammel"})
        assert await nothing_waiting(layer, fresh)  # a receive: the first sweep
        clock.advance(61)  # past the expiry and past CLEAN_INTERVAL
        await layer.send(stale, MARKER)
        first_out = await layer.receive(stale)  # sweeps first: "gammel" expired
        await layer.group_send("emne", {"type": "topic.event"})
        return first_out, await layer.receive(fresh), await nothing_waiting(layer, stale)

    first_out, fresh_got, stale_empty = asyncio.run(scenario())
    assert first_out == MARKER
    assert fresh_got == {"type": "topic.event"}
    assert stale_empty  # an expired message removed its channel from every group


def test_group_memberships_still_expire(clock):
    async def scenario():
        layer = InMemoryChannelLayer(group_expiry=100)
        old, new = await channels_named(layer, 2)
        await layer.group_add("emne", old)
        clock.advance(50)
        await layer.group_add("emne", new)
        clock.advance(60)  # old joined 110 s ago, new 60 s ago
        await layer.group_send("emne", {"type": "topic.event"})
        members = set(layer.groups["emne"])
        return await layer.receive(new), await nothing_waiting(layer, old), members == {new}

    new_got, old_empty, only_new_left = asyncio.run(scenario())
    assert new_got == {"type": "topic.event"}
    assert old_empty
    assert only_new_left


def test_the_sweep_runs_at_most_once_per_interval_however_many_receives(clock, sweeps):
    """500 channels in 100 groups: receives and group sends within one interval sweep
    (walk every channel and membership) once, not once each."""

    async def scenario():
        layer = InMemoryChannelLayer()
        tabs = await channels_named(layer, 500)
        for number, channel in enumerate(tabs):
            await layer.group_add(f"emne-{number % 100}", channel)
            await layer.group_add(f"person-{number}", channel)
        for group in range(100):
            await layer.group_send(f"emne-{group}", {"type": "topic.event"})
        received = [await layer.receive(channel) for channel in tabs]
        within_interval = len(sweeps)
        clock.advance(CLEAN_INTERVAL + 0.01)
        await layer.group_send("emne-0", {"type": "topic.event"})
        received += [await layer.receive(channel) for channel in tabs[::100]]
        after_interval = len(sweeps)
        return received, within_interval, after_interval

    received, within_interval, after_interval = asyncio.run(scenario())
    assert received == [{"type": "topic.event"}] * 505
    assert within_interval == 1  # 100 group sends and 500 receives
    assert after_interval == 2  # and the next interval sweeps again


def test_the_sweep_interval_is_short():
    """Expiry is measured in a minute (messages) and a day (groups)."""
    assert 0 < CLEAN_INTERVAL <= 5


def test_flush_empties_the_layer_and_lets_the_next_receive_sweep(clock, sweeps):
    async def scenario():
        layer = InMemoryChannelLayer()
        channel = await layer.new_channel()
        await layer.group_add("emne", channel)
        await layer.send(channel, {"type": "glemt"})
        assert await nothing_waiting(layer, await layer.new_channel())  # first sweep
        await layer.flush()
        emptied = (layer.channels, layer.groups)
        assert await nothing_waiting(layer, channel)  # sweeps again at once
        return emptied

    assert asyncio.run(scenario()) == ({}, {})
    assert len(sweeps) == 2


def test_the_embedded_settings_use_this_layer():
    """Without REDIS_URL (removed from the environment, as in tests/test_settings.py)."""
    script = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        "from channels.layers import get_channel_layer; layer = get_channel_layer();"
        "print(json.dumps([s.CHANNEL_LAYERS['default']['BACKEND'],"
        " type(layer).__module__ + '.' + type(layer).__qualname__,"
        " layer.capacity == s.CHANNEL_CAPACITY]))"
    )
    result = run(["-c", script])
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        "config.channel_layers.InMemoryChannelLayer",
        "config.channel_layers.InMemoryChannelLayer",
        True,
    ]
