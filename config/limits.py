"""Per-person limits on writes, counted in the cache so that they hold across processes.

Each kind of write has a size in ``settings.WRITE_LIMITS``: ``"count/period"``, the period
``s``, ``m``, ``h`` or ``d``, optionally with a number (``"10/h"``, ``"5/10m"``). A window
opens with a person's first write of a kind and lasts the period; the writes in it are
counted with ``cache.add`` and ``cache.incr``, which are atomic in Redis (production,
shared by every process) and in the local-memory cache (the embedded default, one
process). The write past the limit raises ``LimitReached``, whose message says when the
person can write again; the window does not grow with refused attempts.

The services call ``hit`` beside the rule it protects, after their own checks and before
anything is saved. If the cache is unreachable the write is let through (the cache logs
the failure): the limits guard against floods, and an outage of Redis must not stop work.
"""

import hashlib
import logging
import math
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

logger = logging.getLogger(__name__)

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
SIZE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")

#: What each kind of write is called in the message of a person over the limit.
KINDS = {
    "topics": gettext_lazy("new topics"),
    "posts": gettext_lazy("posts"),
    "experience_reports": gettext_lazy("experience reports"),
    "edits": gettext_lazy("edits of posts"),
    "post_reports": gettext_lazy("reports of posts"),
    "status_notes": gettext_lazy("status notes"),
    "milestones": gettext_lazy("milestones"),
    "invitations": gettext_lazy("invitations"),
    "application_saves": gettext_lazy("saves of the application"),
    "signups": gettext_lazy("sign-ups for meetings"),
    "guest_signups_per_email": gettext_lazy("sign-ups with this email address"),
    "guest_signups_per_address": gettext_lazy("sign-ups from here"),
    "case_messages": gettext_lazy("messages on grant cases"),
}


@dataclass(frozen=True)
class Limit:
    kind: str
    count: int
    seconds: int


def parse(kind, size) -> Limit:
    """``"8/m"`` → 8 in 60 seconds; ValueError for anything else."""
    match = SIZE.match(str(size))
    if not match:
        raise ValueError(f"{kind}: a limit is written count/period, e.g. 8/m or 10/h: {size!r}")
    count, number, unit = match.groups()
    return Limit(kind, int(count), int(number or 1) * UNITS[unit])


def limit(kind) -> Limit:
    return parse(kind, settings.WRITE_LIMITS[kind])


class LimitReached(Exception):
    """A person is over a limit: ``retry_after`` seconds until the window closes."""

    def __init__(self, limit, retry_after, now):
        super().__init__(limit.kind)
        self.limit = limit
        self.retry_after = retry_after
        self.retry_at = now + timedelta(seconds=retry_after)

    @property
    def message(self):
        """In the language active when it is read (a form or a socket's language)."""
        return _(
            "You have reached the limit of %(count)s %(what)s in %(period)s. Nothing was "
            "saved. You can try again in %(wait)s, at %(time)s."
        ) % {
            "count": self.limit.count,
            "what": KINDS[self.limit.kind],
            "period": period(self.limit.seconds),
            "wait": duration(self.retry_after),
            "time": date_format(timezone.localtime(self.retry_at), "TIME_FORMAT"),
        }

    def __str__(self):
        return str(self.message)


def period(seconds):
    """A limit's period in its largest whole unit: 1 minute, 10 minutes, 1 hour."""
    if seconds % 3600 == 0:
        return ngettext("%(n)s hour", "%(n)s hours", seconds // 3600) % {"n": seconds // 3600}
    if seconds % 60 == 0:
        return ngettext("%(n)s minute", "%(n)s minutes", seconds // 60) % {"n": seconds // 60}
    return ngettext("%(n)s second", "%(n)s seconds", seconds) % {"n": seconds}


def duration(seconds):
    """Seconds up to two minutes, then minutes, hours from two hours (rounded up)."""
    if seconds <= 120:
        return ngettext("%(n)s second", "%(n)s seconds", seconds) % {"n": seconds}
    if seconds < 7200:
        minutes = math.ceil(seconds / 60)
        return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}
    hours = math.ceil(seconds / 3600)
    return ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}


def hit(kind, who, now=None):
    """Count one write of ``kind`` by ``who`` (a person, or a key such as an address),
    raising LimitReached when it is one too many.

    The window's start is kept under a key of the person and kind; when it has passed,
    the next window's start is elected with ``cache.add`` (one winner across processes),
    so every process counts in the same window.
    """
    size = limit(kind)
    now = now or timezone.now()
    moment = now.timestamp()
    key = f"limits:{kind}:{_key_of(who)}"
    timeout = size.seconds * 2
    cache.add(key, moment, timeout=timeout)
    start = cache.get(key)
    if start is None:  # the cache is unreachable: let the write through
        return
    if moment >= start + size.seconds:
        cache.add(f"{key}:after:{start}", moment, timeout=timeout)
        start = cache.get(f"{key}:after:{start}")
        if start is None:
            return
        cache.set(key, start, timeout=timeout)
    counter = f"{key}:{start}"
    cache.add(counter, 0, timeout=timeout)
    try:
        count = cache.incr(counter)
    except ValueError:  # the counter expired between add and incr: a window just ended
        return
    if count is not None and count > size.count:
        if count == size.count + 1:
            logger.warning(
                "Limit reached: %s %s in %s seconds for %s.", size.count, kind, size.seconds, key
            )
        raise LimitReached(size, max(math.ceil(start + size.seconds - moment), 1), now)


def _key_of(who):
    """A person's id; anything else (an email or network address) only as a hash, so the
    cache holds no personal data in its keys."""
    if getattr(who, "pk", None) is not None:
        return f"person-{who.pk}"
    return hashlib.sha256(str(who).encode()).hexdigest()[:32]


def answer(response, refusal=None):
    """The page with the form, as HTTP 429 with Retry-After when a limit refused the write."""
    if refusal is not None:
        response.status_code = 429
        response["Retry-After"] = str(refusal.retry_after)
    return response
