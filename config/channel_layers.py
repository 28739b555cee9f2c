"""The embedded (one-process) channel layer, fit for a crowded topic.

Channels' ``InMemoryChannelLayer`` walks every channel and every group membership
looking for expired entries on *each* ``receive`` and ``group_send``. When a post goes
to a topic with 500 open tabs, each of the 500 receives walks all 1,000 memberships (a
tab is in its topic's group and its person's group): half a million steps per post, which
grew with the square of the crowd and held a post up for hundreds of milliseconds. It
also made one task per tab to put the message in the tab's queue.

``InMemoryChannelLayer`` here keeps the upstream behaviour (expiry, capacity, group
expiry; tests/test_channel_layers.py holds it to that) but cleans up at most once every
``CLEAN_INTERVAL`` seconds, and a group send puts the message straight into each
member's queue.
"""

import asyncio
import time
from copy import deepcopy

from channels.layers import InMemoryChannelLayer as UpstreamInMemoryChannelLayer

#: Seconds between two sweeps for expired messages and group memberships. Expiry is
#: measured in a minute (messages) and a day (groups), so a second's delay is harmless.
CLEAN_INTERVAL = 1.0


class InMemoryChannelLayer(UpstreamInMemoryChannelLayer):
    """channels' in-memory layer with its expiry sweep amortised; see the module docstring."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._next_clean = 0.0

    def _clean_expired(self):
        now = time.monotonic()
        if now < self._next_clean:
            return
        self._next_clean = now + CLEAN_INTERVAL
        super()._clean_expired()

    async def group_send(self, group, message):
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        expires = time.time() + self.expiry
        for channel in list(self.groups.get(group, {})):
            queue = self.channels.setdefault(
                channel, asyncio.Queue(maxsize=self.get_capacity(channel))
            )
            try:
                queue.put_nowait((expires, deepcopy(message)))
            except asyncio.QueueFull:
                # As upstream: a full channel (a tab that stopped reading) misses the
                # message; the browser catches up from the database when it resyncs.
                continue

    async def flush(self):
        await super().flush()
        self._next_clean = 0.0
