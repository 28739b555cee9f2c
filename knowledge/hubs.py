"""One channel-layer subscription per topic per process, shared by the topic's open tabs.

Without it, every open tab of a topic is a member of the topic's group: a post to a topic
with 500 tabs in one process is 500 messages through the channel layer (500 Redis
entries with channels_redis), 500 consumer tasks woken and 500 dispatches before the
first byte leaves for the last tab. Here the process joins the group once, through a
``TopicHub``; the hub receives each event once and hands it to its tabs in turn.

The database stays the record (DESIGN.md): the hub only tells open tabs that something
changed. When the channel layer fails under a hub (Redis gone), the hub closes its tabs;
browsers reconnect with backoff and catch up from the database (``resync``).

Events and what the hub does with them:

- ``topic.event`` (a post created, edited or removed), ``typing.notice`` and
  ``presence.changed`` only pass text on: each tab's ``forward`` sends them.
- Anything else (``access.check`` when a topic moves) needs the database per tab, so it
  is sent on to each tab's own channel and handled there, concurrently, by the tab.
"""

import asyncio
import contextlib
import logging

from channels.layers import get_channel_layer

from knowledge import services

logger = logging.getLogger(__name__)

#: Close code for tabs whose hub lost the channel layer (the browser reconnects).
CLOSE_LAYER_LOST = 1011

#: Events a tab passes on to its browser without touching the database.
FORWARDED_EVENTS = frozenset({"topic.event", "typing.notice", "presence.changed"})

#: The hubs of this process, per event loop and topic.
_hubs = {}


class TopicHub:
    """This process's membership of one topic's group; see the module docstring."""

    def __init__(self, layer, topic_id):
        self.layer = layer
        self.topic_id = topic_id
        self.group = services.topic_group(topic_id)
        self.tabs = set()
        self.channel = None
        self._reader = None
        self.started = asyncio.ensure_future(self._start())

    async def _start(self):
        self.channel = await self.layer.new_channel()
        await self.layer.group_add(self.group, self.channel)
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self):
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning(
                    "Lost the channel layer for topic %s; closing its tabs.",
                    self.topic_id,
                    exc_info=True,
                )
                await self._lost()
                return
            await self._deliver(message)

    async def _deliver(self, message):
        forwarded = message.get("type") in FORWARDED_EVENTS
        for tab in list(self.tabs):
            try:
                if forwarded:
                    await tab.forward(message)
                else:
                    await self.layer.send(tab.channel_name, message)
            except Exception:  # one broken tab must not keep the event from the others
                logger.warning("Could not pass an event to a tab.", exc_info=True)

    async def _lost(self):
        if _hubs.get(_key(self.topic_id)) is self:
            del _hubs[_key(self.topic_id)]
        with contextlib.suppress(Exception):  # the layer may be back after a blip
            await self.layer.group_discard(self.group, self.channel)
        tabs, self.tabs = list(self.tabs), set()
        for tab in tabs:
            with contextlib.suppress(Exception):
                await tab.close(code=CLOSE_LAYER_LOST)

    async def _stop(self):
        with contextlib.suppress(Exception):
            await self.started  # a hub left while still joining must not stay joined
        if self._reader is not None:
            self._reader.cancel()
        if self.channel is not None:
            with contextlib.suppress(Exception):
                await self.layer.group_discard(self.group, self.channel)


def _key(topic_id):
    return (asyncio.get_running_loop(), topic_id)


async def join(tab, topic_id):
    """Let ``tab`` (a TopicConsumer) receive the topic's events; raises if the layer fails."""
    key = _key(topic_id)
    hub = _hubs.get(key)
    if hub is None:
        hub = _hubs[key] = TopicHub(get_channel_layer(), topic_id)
    hub.tabs.add(tab)
    try:
        await hub.started
    except Exception:
        if _hubs.get(key) is hub:
            del _hubs[key]
        hub.tabs.discard(tab)
        raise


async def leave(tab, topic_id):
    """``tab`` has closed; the last tab to leave ends the process's group membership."""
    key = _key(topic_id)
    hub = _hubs.get(key)
    if hub is None:
        return
    hub.tabs.discard(tab)
    if not hub.tabs:
        del _hubs[key]
        await hub._stop()
