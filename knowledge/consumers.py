"""Live discussion: one WebSocket consumer per topic (``/ws/emner/<topic_id>/``).

The database is the record; the socket only tells an open browser that something
changed, and lets it catch up. Every decision about who may read or post is made by
``knowledge.access`` and every write goes through ``knowledge.services`` — the same
code the plain pages and forms use.

Connecting
    The connection passes the origin check (AllowedHostsOriginValidator) and carries
    the session and the person (channels' cookie, session and auth middleware), see
    ``config/asgi.py``. It is refused before the handshake completes with close code
    4404 for an unknown topic and when ``access.can_read_topic`` says no, alike: the
    topic's page answers 404 for both, so its existence is not given away (DESIGN.md).
    An accepted connection joins its topic's hub (``knowledge/hubs.py``: the process's
    one member of the topic's group, ``services.topic_group``, which hands each event
    to the topic's tabs) and, when logged in, the person's group
    (``services.person_group``), where ``access.check`` events arrive.

Client → server (JSON text frames)
    ``{"type": "resync", "after": N}``
        Send every post with a sequence number above N, in order (as ``post.*``
        events), then ``{"type": "resync.done", "last": M}`` with the topic's highest
        sequence number. Sent by the browser on every (re)connect.
    ``{"type": "post", "text": "...", "quoted": N | null}``
        Post a reply through ``services.post_reply``; ``quoted`` is the *sequence
        number* of the quoted post in this topic. Answered by ``{"type": "posted",
        "sequence": N}``; the post itself arrives like everyone else's, as a
        ``post.created`` event. A refusal (permission, CPR guard, locked topic, empty
        text) is answered by ``{"type": "error", "message": "..."}`` and nothing is
        saved; a person over their limit of posts (``config.limits``) gets the same, with
        ``"retry_after"`` in seconds, as the plain form gets HTTP 429.
    ``{"type": "typing"}``
        The person is writing; the others get ``{"type": "typing", "name": "..."}``.
        Throttled on both sides.
    ``{"type": "read", "sequence": N}``
        The person has seen the posts up to N (``services.mark_read``).

Server → client
    ``services.post_payload``: ``{"type": "post.created" | "post.edited" |
    "post.removed", "sequence", "post_id", "visible", "author_id", "html"}`` —
    the browser inserts by sequence number, replaces an article it already has,
    and never shows one twice.
    ``{"type": "resync.done", "last": N}``, ``{"type": "posted", "sequence": N}``,
    ``{"type": "error", "message": "..."}``,
    ``{"type": "typing", "name": "Name, Municipality"}`` and
    ``{"type": "presence", "viewers": ["Name, Municipality", ...]}``.
    Typing and presence go to logged-in people only: a public topic may be read
    anonymously, but who is reading it is not for the public.

Access changes
    ``knowledge/signals.py`` sends ``access.check`` to a person's group when their
    roles, membership, activity or session change (and ``services.move_topic`` to a
    topic's group). Each connection then reloads its session and the person from the
    database, asks ``access.can_read_topic`` again, and closes with code 4403 if the
    answer is no or the session no longer belongs to the person.

Presence
    Viewers are kept per topic in the Django cache (locmem in one process, Redis
    across several), keyed by channel name with a timestamp refreshed every
    ``PRESENCE_HEARTBEAT`` seconds, so entries of a crashed process expire. Arrivals
    and departures within ``PRESENCE_NOTICE_DELAY`` are announced in one notice.
"""

import asyncio
import json
import logging
import time
import weakref
from importlib import import_module
from types import SimpleNamespace

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import get_user, get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from config.limits import LimitReached
from knowledge import access, hubs, services
from knowledge.models import Post, Topic

logger = logging.getLogger(__name__)

CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
MAX_MESSAGE = 64_000
RESYNC_PAGE = 500
TYPING_INTERVAL = 2.0
PRESENCE_HEARTBEAT = 60
PRESENCE_TTL = 3 * PRESENCE_HEARTBEAT
#: Changes in who is viewing a topic are gathered for this many seconds into one notice:
#: a crowd arriving at once gets a few lists, not one per arrival to every tab (which
#: grows with the square of the crowd and would crowd out the posts).
PRESENCE_NOTICE_DELAY = 0.5

#: The presence notices waiting to be sent, and the locks that keep one topic's changes
#: in order, per event loop and topic (this process); a lock goes when nobody holds it.
_pending_notices = {}
_presence_locks = weakref.WeakValueDictionary()


def _presence_key(topic_id):
    return f"knowledge:presence:{topic_id}"


def display_name(person):
    """``Name, Municipality`` as shown next to posts."""
    name = person.get_full_name() or person.email
    municipality = getattr(person, "municipality", None)
    return f"{name}, {municipality.name}" if municipality else name


class TopicConsumer(AsyncJsonWebsocketConsumer):
    """The live feed of one topic; see the module docstring for the protocol."""

    topic_id = None
    user = None
    joined = False
    #: Hub events held back while the tab answers a message from its browser.
    _held = None

    # --- Connection ----------------------------------------------------------------------

    async def connect(self):
        self.topic_id = self.scope["url_route"]["kwargs"]["topic_id"]
        self.user = self.scope.get("user")
        self.language = self._language()
        self._last_typing = 0.0
        self._heartbeat = None
        allowed = await self._may_read(self.user)
        if allowed and self.authenticated:
            self.viewer_name = await database_sync_to_async(display_name)(self.user)
        if not allowed:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        if self.authenticated:
            await self.channel_layer.group_add(
                services.person_group(self.user.pk), self.channel_name
            )
        self.joined = True
        await self.accept()
        # Only an accepted socket may be sent events; what comes before the hub is joined
        # reaches the browser through the resync it sends first thing.
        await hubs.join(self, self.topic_id)
        if self.authenticated:
            await self._presence_update(add=True)
            self._heartbeat = asyncio.ensure_future(self._presence_heartbeat())

    async def disconnect(self, code):
        if not self.joined:
            return
        self.joined = False
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        await hubs.leave(self, self.topic_id)
        if self.authenticated:
            await self.channel_layer.group_discard(
                services.person_group(self.user.pk), self.channel_name
            )
            await self._presence_update(add=False)

    @property
    def authenticated(self):
        return bool(getattr(self.user, "is_authenticated", False))

    def _language(self):
        """The person's chosen language (the language cookie), else the site's."""
        chosen = (self.scope.get("cookies") or {}).get(settings.LANGUAGE_COOKIE_NAME)
        try:
            return translation.get_supported_language_variant(chosen or settings.LANGUAGE_CODE)
        except LookupError:
            return settings.LANGUAGE_CODE

    @database_sync_to_async
    def _may_read(self, person):
        topic = Topic.objects.select_related("space").filter(pk=self.topic_id).first()
        return topic is not None and access.can_read_topic(person, topic)

    @database_sync_to_async
    def _still_allowed(self):
        """Ask again, with the session and the person fresh from the database."""
        person = self.user
        if self.authenticated:
            session_key = getattr(self.scope.get("session"), "session_key", None)
            engine = import_module(settings.SESSION_ENGINE)
            person = get_user(SimpleNamespace(session=engine.SessionStore(session_key)))
            if person.pk != self.user.pk:
                return False  # logged out, deactivated, or someone else now
        topic = Topic.objects.select_related("space").filter(pk=self.topic_id).first()
        return topic is not None and access.can_read_topic(person, topic)

    # --- Messages from the browser -------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        content = None
        if text_data is not None and len(text_data) <= MAX_MESSAGE:
            try:
                content = json.loads(text_data)
            except ValueError:
                content = None
        if not isinstance(content, dict):
            with translation.override(self.language):
                await self.send_json(
                    {"type": "error", "message": _("The message was not understood.")}
                )
            return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        handler = {
            "resync": self.on_resync,
            "post": self.on_post,
            "typing": self.on_typing,
            "read": self.on_read,
        }.get(content.get("type"))
        if handler is None:
            return
        # Events from the hub wait while the tab answers its browser, as they did when
        # each tab read them from its own channel: the writer hears "posted" before its
        # own post arrives, and a resync's posts are not interleaved with live ones.
        self._held = []
        try:
            await handler(content)
        finally:
            while self._held:
                await self._pass_on(self._held.pop(0))
            self._held = None

    async def on_resync(self, content):
        after = _as_number(content.get("after"))
        if after is None:
            after = 0
        while True:
            payloads, last = await self._posts_after(after)
            for payload in payloads:
                await self.send_json(payload)
            if len(payloads) < RESYNC_PAGE:
                break
            after = payloads[-1]["sequence"]
        await self.send_json({"type": "resync.done", "last": last})

    @database_sync_to_async
    def _posts_after(self, after):
        topic = Topic.objects.get(pk=self.topic_id)
        with translation.override(self.language):
            payloads = [
                services.post_payload(post, _event_of(post))
                for post in services.posts_after(topic, after, limit=RESYNC_PAGE)
            ]
        return payloads, topic.last_sequence

    async def on_post(self, content):
        with translation.override(self.language):
            if not self.authenticated:
                await self.send_json({"type": "error", "message": _("Log in to post.")})
                return
            try:
                sequence = await self._post(content.get("text"), _as_number(content.get("quoted")))
            except ValidationError as error:
                message = " ".join(error.messages)
            except PostingRefused as error:
                message = str(error)
            except LimitReached as error:
                await self.send_json(
                    {"type": "error", "message": str(error), "retry_after": error.retry_after}
                )
                return
            except PermissionDenied:
                message = _("You may not post in this topic.")
            else:
                await self.send_json({"type": "posted", "sequence": sequence})
                return
            await self.send_json({"type": "error", "message": message})

    @database_sync_to_async
    def _post(self, source, quoted_sequence):
        with translation.override(self.language):
            person = get_user_model().objects.select_related("municipality").get(pk=self.user.pk)
            topic = Topic.objects.select_related("space__initiative").get(pk=self.topic_id)
            quoted = None
            if quoted_sequence is not None:
                quoted = Post.objects.filter(topic=topic, sequence=quoted_sequence).first()
            if not isinstance(source, str):
                source = ""
            post = services.post_reply(topic, person, source, quoted=quoted)
            return post.sequence

    async def on_typing(self, content):
        if not self.authenticated:
            return
        now = time.monotonic()
        if now - self._last_typing < TYPING_INTERVAL:
            return
        self._last_typing = now
        await self.channel_layer.group_send(
            services.topic_group(self.topic_id),
            {"type": "typing.notice", "name": self.viewer_name, "sender": self.channel_name},
        )

    async def on_read(self, content):
        sequence = _as_number(content.get("sequence"))
        if not self.authenticated or sequence is None:
            return
        await self._mark_read(sequence)

    @database_sync_to_async
    def _mark_read(self, sequence):
        topic = Topic.objects.get(pk=self.topic_id)
        services.mark_read(topic, self.user, min(sequence, topic.last_sequence))

    # --- Events from the channel layer ---------------------------------------------------

    async def forward(self, event):
        """An event from the topic's hub (knowledge/hubs.py) that only passes text on."""
        if self._held is not None:
            self._held.append(event)
        else:
            await self._pass_on(event)

    async def _pass_on(self, event):
        await getattr(self, get_handler_name(event))(event)

    async def topic_event(self, event):
        """A post was created, edited or removed: pass it on (the browser dedupes)."""
        await self.send(text_data=event["text"])

    async def access_check(self, event):
        """Someone's access may have changed: ask again, close if it is gone."""
        if not await self._still_allowed():
            await self.close(code=CLOSE_FORBIDDEN)

    async def typing_notice(self, event):
        if self.authenticated and event.get("sender") != self.channel_name:
            await self.send_json({"type": "typing", "name": event["name"]})

    async def presence_changed(self, event):
        if self.authenticated:
            await self.send_json({"type": "presence", "viewers": event["viewers"]})

    # --- Presence ------------------------------------------------------------------------

    async def _presence_update(self, add):
        async with self._presence_lock():
            try:
                await self._change_viewers(add)
            except Exception:  # presence is a courtesy; never let it break the feed
                logger.warning(
                    "Could not update who is viewing topic %s.", self.topic_id, exc_info=True
                )
        pending = (asyncio.get_running_loop(), self.topic_id)
        if pending not in _pending_notices:
            _pending_notices[pending] = asyncio.ensure_future(
                _send_presence_notice(self.channel_layer, self.topic_id, pending)
            )

    def _presence_lock(self):
        """One change at a time per topic in this process: the list is read, changed and
        written back, and arrivals at the same moment must not overwrite each other."""
        key = (asyncio.get_running_loop(), self.topic_id)
        lock = _presence_locks.get(key)
        if lock is None:
            lock = _presence_locks[key] = asyncio.Lock()
        return lock

    async def _change_viewers(self, add):
        key = _presence_key(self.topic_id)
        viewers = await cache.aget(key) or {}
        now = time.time()
        viewers = {
            channel: entry
            for channel, entry in viewers.items()
            if now - entry.get("at", 0) < PRESENCE_TTL
        }
        if add:
            viewers[self.channel_name] = {"name": self.viewer_name, "at": now}
        else:
            viewers.pop(self.channel_name, None)
        await cache.aset(key, viewers, PRESENCE_TTL)

    async def _presence_heartbeat(self):
        while True:
            await asyncio.sleep(PRESENCE_HEARTBEAT)
            async with self._presence_lock():
                try:
                    await self._change_viewers(add=True)
                except Exception:
                    logger.warning("Could not refresh presence.", exc_info=True)


async def _send_presence_notice(channel_layer, topic_id, pending):
    """After PRESENCE_NOTICE_DELAY, tell the topic's tabs who is viewing now."""
    try:
        await asyncio.sleep(PRESENCE_NOTICE_DELAY)
    finally:
        _pending_notices.pop(pending, None)
    try:
        viewers = await cache.aget(_presence_key(topic_id)) or {}
        now = time.time()
        names = sorted(
            {entry["name"] for entry in viewers.values() if now - entry.get("at", 0) < PRESENCE_TTL}
        )
        await channel_layer.group_send(
            services.topic_group(topic_id), {"type": "presence.changed", "viewers": names}
        )
    except Exception:
        logger.warning("Could not tell who is viewing topic %s.", topic_id, exc_info=True)


PostingRefused = services.PostingRefused


def _event_of(post):
    if not post.is_visible:
        return "post.removed"
    if post.edited_at:
        return "post.edited"
    return "post.created"


def _as_number(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value >= 0:
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None
