"""The email outbox: every email is a row in the database before anyone tries to send it.

``OutboxBackend`` is ``EMAIL_BACKEND``: Django's ``send_mail`` and ``EmailMessage.send``
hand it the message, and django-post-office's backend writes it to its ``Email`` table,
in the caller's transaction. If the change that caused the email rolls back, so does
the email; if it commits, so does the email, whatever the mail server is doing.

After the commit the email is tried at once, by the process's courier thread
(``OUTBOX_DELIVERY``), so no request waits for the mail server. What that try cannot
deliver stays queued, and ``manage.py send_outbox`` (cron, every minute) tries again with
a growing pause until it goes, marking an email failed only when it is
``OUTBOX_GIVE_UP_DAYS`` old; the agency's editors see those in the admin with the reason
and can send them again.

An email is delivered once, also when two senders look at it at the same time (two cron
runs, the after-commit thread of another process): before a try, the sender claims the
email with one conditional UPDATE that moves its scheduled time a lease ahead, so it is no
longer due for anyone else. Only the sender whose UPDATE changed the row sends it. The
databases both make that UPDATE atomic (PostgreSQL re-reads the row after a competing
UPDATE commits; SQLite has one writer at a time). A sender that dies between sending and
recording the result leaves the email to come back after the lease: a crash at that very
moment is the one case in which an email may go twice, never one in which it is lost.
"""

import contextlib
import logging
import queue
import threading
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils import timezone, translation
from post_office.backends import EmailBackend as PostOfficeBackend
from post_office.connections import connections as transports
from post_office.models import STATUS, Email, Log
from post_office.signals import email_queued

logger = logging.getLogger(__name__)

# Longer than one try can take (EMAIL_TIMEOUT for each step of the SMTP dialogue).
LEASE = timedelta(minutes=10)
LONGEST_PAUSE = timedelta(hours=6)
BATCH = 200


class OutboxBackend(PostOfficeBackend):
    """post_office's queueing backend with the platform's Reply-To and an HTML part.

    The senders write plain text; every email also gets a simple HTML version of that
    text in the site's look (templates/email/message.html), so it arrives as
    multipart/alternative.
    """

    def send_messages(self, email_messages):
        queued = 0
        for message in email_messages:
            if not message.reply_to and settings.EMAIL_REPLY_TO:
                message.reply_to = [settings.EMAIL_REPLY_TO]
            alternatives = getattr(message, "alternatives", [])
            if not any(mimetype == "text/html" for _content, mimetype in alternatives):
                # post_office reads the HTML part from ``alternatives``, on any message.
                message.alternatives = [*alternatives, (html_version(message), "text/html")]
            try:
                super().send_messages([message])
            except ValidationError as error:
                # post_office refuses an address no server would take (say, an anonymised
                # guest's); that must not undo the change the email was about.
                logger.error("Email %r to %s not queued: %s", message.subject, message.to, error)
                continue
            queued += 1
        return queued


def html_version(message):
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            "email/message.html",
            {"subject": message.subject, "body": message.body, "language": settings.LANGUAGE_CODE},
        )


@receiver(email_queued)
def _try_after_commit(sender, emails, **kwargs):
    deliver_after_commit([email.pk for email in emails])


def deliver_after_commit(email_ids):
    """Try these emails once the current transaction has committed (at once outside one)."""
    if not email_ids or settings.OUTBOX_DELIVERY == "off":
        return
    ids = list(email_ids)
    if settings.OUTBOX_DELIVERY == "inline":
        transaction.on_commit(lambda: deliver(ids))
    else:
        transaction.on_commit(lambda: _hand_to_courier(ids))


_waiting = queue.SimpleQueue()
_courier_lock = threading.Lock()
_courier = None


def _hand_to_courier(ids):
    """Hand the emails to the process's one courier thread, started when first needed.

    One thread, not one per commit: a burst of sign-ups then takes at most one more
    database connection from the process's pool, and the emails go one after another.
    """
    global _courier
    _waiting.put(ids)
    with _courier_lock:
        if _courier is None or not _courier.is_alive():
            _courier = threading.Thread(target=_carry, name="outbox-courier", daemon=True)
            _courier.start()


def _carry():
    while True:
        ids = list(_waiting.get())
        with contextlib.suppress(queue.Empty):
            while True:
                ids.extend(_waiting.get_nowait())
        try:
            close_old_connections()
            for start in range(0, len(ids), BATCH):
                deliver(ids[start : start + BATCH])
        except Exception:
            # send_outbox tries again; the courier must not stop for one bad batch.
            logger.exception("Trying queued emails after the commit failed")
        finally:
            connection.close()


def due(now=None):
    """Emails waiting to be sent whose time has come."""
    now = now or timezone.now()
    return Email.objects.filter(status__in=[STATUS.queued, STATUS.requeued]).filter(
        Q(scheduled_time__isnull=True) | Q(scheduled_time__lte=now)
    )


def pause_after(tries):
    """1, 2, 4, 8 ... minutes after the 1st, 2nd, 3rd ... failed try, at most 6 hours."""
    return min(timedelta(minutes=2 ** min(tries - 1, 20)), LONGEST_PAUSE)


def deliver(email_ids=None):
    """Try every due email (or the due ones among ``email_ids``) once; a count per outcome."""
    outcomes = {"sent": 0, "requeued": 0, "failed": 0, "taken": 0}
    candidates = due().order_by("created", "pk")
    if email_ids is not None:
        candidates = candidates.filter(pk__in=email_ids)
    try:
        for pk in list(candidates.values_list("pk", flat=True)[:BATCH]):
            outcomes[_try(pk)] += 1
    finally:
        transports.close()
    return outcomes


def _claim(pk, now):
    """Take the email for one try: True for the one sender whose UPDATE changed the row."""
    return due(now).filter(pk=pk).update(scheduled_time=now + LEASE, last_updated=now) == 1


def _try(pk):
    now = timezone.now()
    if not _claim(pk, now):
        return "taken"
    email = Email.objects.get(pk=pk)
    try:
        email.dispatch(log_level=0, commit=False, disconnect_after_delivery=False)
    except Exception as error:
        # A connection that broke half-way is not used for the next email.
        transports.close()
        return _record_failure(email, error)
    Email.objects.filter(pk=pk).update(status=STATUS.sent, last_updated=timezone.now())
    Log.objects.create(email_id=pk, status=STATUS.sent, message="")
    return "sent"


def _record_failure(email, error):
    now = timezone.now()
    tries = (email.number_of_retries or 0) + 1
    give_up = email.created + timedelta(days=settings.OUTBOX_GIVE_UP_DAYS)
    if now >= give_up:
        status, scheduled = STATUS.failed, None
    else:
        status, scheduled = STATUS.requeued, min(now + pause_after(tries), give_up)
    Email.objects.filter(pk=email.pk).update(
        status=status, scheduled_time=scheduled, number_of_retries=tries, last_updated=now
    )
    Log.objects.create(
        email_id=email.pk,
        status=STATUS.failed,
        message=str(error)[:2000] or type(error).__name__,
        exception_type=type(error).__name__,
    )
    logger.warning("Email %s to %s not delivered (%s): %s", email.pk, email.to, tries, error)
    return "failed" if status == STATUS.failed else "requeued"


def send_again(email):
    """An editor's "send again" for a failed email: queued anew and tried after the commit.

    Its days of retries are over, so a try that fails again marks it failed again, with the
    new reason: the editor sees at once whether the cause was dealt with."""
    Email.objects.filter(pk=email.pk).update(
        status=STATUS.queued, scheduled_time=None, number_of_retries=0, last_updated=timezone.now()
    )
    deliver_after_commit([email.pk])


def last_error(email):
    log = email.logs.filter(status=STATUS.failed).order_by("-date", "-pk").first()
    return log.message if log else ""
