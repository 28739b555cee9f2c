"""Notification emails that people control: at once, in a daily digest, or not at all.

Forum notifications, changes to and reminders of meetings, and news on grant cases are
notices (``NoticeKind``). Each goes through ``send_notice``, which follows the address's
choice (``NoticeChoice``, else ``DEFAULTS``): sent now with a one-click
unsubscribe (the List-Unsubscribe and List-Unsubscribe-Post headers of RFC 8058 and a
link in the text), kept for the daily digest (``DigestItem``, ``manage.py send_digests``),
or dropped. Emails that carry a decision, a confirmation link, an invitation or a password
reset do not come here and cannot be turned off.

Forum notifications are asked for (off until a person turns them on); the forum's own
"email me" switch and this choice follow each other (``delivery_changed``).

The unsubscribe link carries the address and the kinds, signed with the secret key: it
turns off exactly those kinds for exactly that address, without a login, and a changed
link is refused.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from network.models import DigestItem, NoticeChoice, NoticeKind

Delivery = NoticeChoice.Delivery
SALT = "network.notices.unsubscribe"
# Forum emails are asked for (on the notifications page or on my page); the rest come
# unless turned off.
DEFAULTS = {
    NoticeKind.FORUM: Delivery.OFF,
    NoticeKind.MEETINGS: Delivery.IMMEDIATELY,
    NoticeKind.GRANTS: Delivery.IMMEDIATELY,
}
#: Sent with ``address``, ``kind`` and ``delivery`` when an address's choice changes, so
#: that an app with a switch of its own (the forum's "email me") can follow.
delivery_changed = Signal()
DIGEST_KEPT = timedelta(days=30)


def unsubscribe_token(address, kinds):
    return signing.dumps([address.lower(), sorted(kinds)], salt=SALT, compress=True)


def read_unsubscribe_token(token):
    """The (address, kinds) a link was made for, or None for a link that was not ours."""
    try:
        address, kinds = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not kinds or any(kind not in NoticeKind.values for kind in kinds):
        return None
    return address, kinds


def unsubscribe_url(address, kinds):
    token = unsubscribe_token(address, kinds)
    return settings.WAGTAILADMIN_BASE_URL + reverse("network:unsubscribe", args=[token])


def delivery_for(address, kind):
    choice = NoticeChoice.objects.filter(address=address.lower(), kind=kind).first()
    return choice.delivery if choice else DEFAULTS[kind]


def deliveries_for(address):
    """The address's choice for every kind, in the order of ``NoticeKind``."""
    chosen = dict(
        NoticeChoice.objects.filter(address=address.lower()).values_list("kind", "delivery")
    )
    return {kind: chosen.get(kind, DEFAULTS[kind]) for kind in NoticeKind.values}


def set_delivery(address, kind, delivery):
    address, kind, delivery = address.lower(), NoticeKind(kind), Delivery(delivery)
    NoticeChoice.objects.update_or_create(
        address=address, kind=kind, defaults={"delivery": delivery}
    )
    delivery_changed.send(sender=NoticeChoice, address=address, kind=kind, delivery=delivery)


def unsubscribe(token):
    """Turn off the kinds a link names for its address; (address, kinds) or None."""
    found = read_unsubscribe_token(token)
    if found is None:
        return None
    address, kinds = found
    with transaction.atomic():
        for kind in kinds:
            set_delivery(address, kind, Delivery.OFF)
    return address, kinds


def send_notice(kind, address, subject, body, *, attachments=()):
    """Email a notice as the address chose; True if it was sent or kept for the digest."""
    delivery = delivery_for(address, kind)
    if delivery == Delivery.OFF:
        return False
    if delivery == Delivery.DAILY:
        DigestItem.objects.create(
            address=address.lower(), kind=kind, subject=subject[:300], text=body
        )
        return True
    _send(address, subject, body, [kind], attachments)
    return True


def _send(address, subject, body, kinds, attachments=()):
    url = unsubscribe_url(address, kinds)
    with translation.override(settings.LANGUAGE_CODE):
        footer = render_to_string(
            "network/email/unsubscribe_footer.txt",
            {
                "kinds": [str(NoticeKind(kind).label) for kind in kinds],
                "unsubscribe_url": url,
                "my_page_url": settings.WAGTAILADMIN_BASE_URL + reverse("network:my_page"),
            },
        )
    message = EmailMessage(
        subject,
        f"{body.rstrip()}\n\n{footer}",
        to=[address],
        headers={
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    message.send()


def send_digests(now=None):
    """One email per address with the notices kept since its last digest; the number sent.

    Each notice is claimed with a conditional UPDATE in the transaction that queues the
    digest, so two runs at once put a notice in one digest only. Notices sent more than
    ``DIGEST_KEPT`` ago are deleted (the emails themselves are in the outbox).
    """
    now = now or timezone.now()
    DigestItem.objects.filter(sent_at__lt=now - DIGEST_KEPT).delete()
    pending = DigestItem.objects.filter(sent_at__isnull=True, created_at__lte=now)
    sent = 0
    for address in sorted(set(pending.values_list("address", flat=True))):
        with transaction.atomic():
            items = [
                item
                for item in pending.filter(address=address)
                if DigestItem.objects.filter(pk=item.pk, sent_at__isnull=True).update(sent_at=now)
            ]
            wanted = deliveries_for(address)
            items = [item for item in items if wanted[item.kind] != Delivery.OFF]
            if not items:
                continue
            with translation.override(settings.LANGUAGE_CODE):
                context = {"items": items}
                subject = render_to_string("network/email/digest_subject.txt", context).strip()
                body = render_to_string("network/email/digest_body.txt", context)
            _send(address, subject, body, sorted({item.kind for item in items}))
            sent += 1
    return sent
