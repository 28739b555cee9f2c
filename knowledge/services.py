"""Posting and moderating: one path for the plain forms and the live page alike.

Every write checks permission, the personal-data guard and the per-person limits
(``config.limits``, sizes in ``settings.WRITE_LIMITS``), sanitises, saves in a
transaction, and broadcasts to open browsers only after the commit. The database is the
record: if the channel layer is down, the post is saved and answered, and a reload (or a
reconnecting browser asking for what it missed) shows it.
"""

import json
import logging
from datetime import timedelta

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from config import limits
from knowledge import access, cards, text
from knowledge.models import (
    Notification,
    NotificationPreference,
    Post,
    PostReport,
    PostRevision,
    Subscription,
    Topic,
)
from network import access as network_access
from network import notices
from network.models import NoticeKind

logger = logging.getLogger(__name__)

DUPLICATE_WINDOW = timedelta(minutes=2)
REPORT_FIELDS = ("context", "what_we_did", "what_worked", "barriers", "results")


class PostingRefused(Exception):
    """A rule refused the post; the message says which, in the writer's language."""


def topic_group(topic_id) -> str:
    return f"topic-{topic_id}"


def person_group(person_id) -> str:
    return f"person-{person_id}"


# --- Guards --------------------------------------------------------------------------------


def guard_personal_data(*texts, field="text", who=None):
    """Refuse text that looks like it holds a CPR number; log the refusal, not the number."""
    if text.contains_cpr(*texts):
        logger.warning(
            "Refused forum text that looks like it holds a CPR number (person %s, field %s).",
            getattr(who, "pk", None),
            field,
        )
        raise ValidationError(
            {
                field: _(
                    "The text looks like it holds a CPR number. The forum must never hold "
                    "citizens' personal identification numbers: remove the number and post "
                    "again. Nothing was saved."
                )
            }
        )


def guard_limit(person, kind, now=None):
    """Count one write of ``kind`` against the person's limit (``config.limits``), raising
    LimitReached past it. Agency staff are not limited: moderating comes in bursts."""
    if not network_access.is_agency_staff(person):
        limits.hit(kind, person, now)


def guard_rate(author, source, topic=None, now=None):
    """No identical post twice in a row in a topic; then the person's limit of posts."""
    now = now or timezone.now()
    if (
        topic is not None
        and Post.objects.filter(
            author=author,
            topic=topic,
            source=source.strip(),
            created_at__gte=now - DUPLICATE_WINDOW,
        ).exists()
    ):
        raise PostingRefused(_("You have just posted the same text in this topic."))
    guard_limit(author, "posts", now)


def guard_duplicate_topic(author, space, title, now):
    """No second topic with the same title from the same person just after the first."""
    if Topic.objects.filter(
        author=author, space=space, title=title, created_at__gte=now - DUPLICATE_WINDOW
    ).exists():
        raise PostingRefused(_("You have just started a topic with this title in this space."))


def _lock_author(author):
    """One person's writes queue behind each other (inside a transaction), so the rate
    limit and the duplicate checks see every earlier post, even from a double click.

    FOR NO KEY UPDATE: rows that merely refer to the person (a notification to them
    from someone else's post) must not wait for it, or two posts could deadlock.
    """
    people = get_user_model().objects.select_for_update(no_key=True)
    list(people.filter(pk=author.pk).values_list("pk", flat=True))


def _clean_source(source, field="text"):
    source = (source or "").strip()
    if not source:
        raise ValidationError({field: _("Write something before posting.")})
    if len(source) > 20_000:
        raise ValidationError({field: _("Keep the post under 20,000 characters.")})
    return source


# --- Writing -------------------------------------------------------------------------------


def start_topic(
    space,
    author,
    *,
    title,
    source,
    kind=Topic.Kind.DISCUSSION,
    report=None,
    tags=(),
    project_part=None,
    concept_element="",
    now=None,
):
    """Open a topic with its first post; an experience report also has its five sections."""
    now = now or timezone.now()
    if not access.can_post(author, space):
        raise PermissionDenied
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the topic a title.")})
    report = report or {}
    if kind == Topic.Kind.EXPERIENCE:
        missing = [name for name in REPORT_FIELDS if not (report.get(name) or "").strip()]
        if missing:
            raise ValidationError({name: _("Fill in this section.") for name in missing})
    else:
        source = _clean_source(source)
    guard_personal_data(title, field="title", who=author)
    guard_personal_data(*tags, field="tags", who=author)
    guard_personal_data(source or "", who=author)
    for name in REPORT_FIELDS:
        guard_personal_data(report.get(name, ""), field=name, who=author)
    with transaction.atomic():
        _lock_author(author)
        guard_duplicate_topic(author, space, title, now)
        if kind == Topic.Kind.EXPERIENCE:
            guard_limit(author, "experience_reports", now)
        else:
            guard_limit(author, "topics", now)
        if source:
            guard_rate(author, source, now=now)
        topic = Topic.objects.create(
            space=space,
            kind=kind,
            title=title,
            author=author,
            municipality=author.municipality,
            project_part=project_part,
            concept_element=concept_element or "",
            created_at=now,
            last_post_at=now,
            **{f"{name}_html": text.render(report.get(name, "")) for name in REPORT_FIELDS},
        )
        if tags:
            topic.tags.set([tag.strip().lower()[:100] for tag in tags if tag.strip()])
        if source:
            _create_post(topic, author, source, now=now)
        Subscription.objects.update_or_create(
            person=author, topic=topic, defaults={"mode": Subscription.Mode.FOLLOWING}
        )
    return topic


def post_reply(topic, author, source, *, quoted=None, now=None):
    """Post in a topic: checked, sanitised, saved, then broadcast after the commit."""
    now = now or timezone.now()
    if not access.can_post(author, topic.space):
        raise PermissionDenied
    source = _clean_source(source)
    guard_personal_data(source, who=author)
    with transaction.atomic():
        _lock_author(author)
        topic = Topic.objects.select_for_update().get(pk=topic.pk)
        if topic.locked:
            raise PostingRefused(_("The topic is locked; no new posts can be added."))
        guard_rate(author, source, topic=topic, now=now)
        if quoted is not None and quoted.topic_id != topic.pk:
            quoted = None
        post = _create_post(topic, author, source, quoted=quoted, now=now)
    return post


def _create_post(topic, author, source, *, quoted=None, now):
    """Number and save a post in a topic read under lock (or made) in this transaction,
    notify, and broadcast on commit."""
    sequence = topic.last_sequence + 1
    Topic.objects.filter(pk=topic.pk).update(
        last_sequence=sequence, post_count=F("post_count") + 1, last_post_at=now
    )
    topic.last_sequence, topic.post_count, topic.last_post_at = (
        sequence,
        topic.post_count + 1,
        now,
    )
    post = Post.objects.create(
        topic=topic,
        sequence=sequence,
        author=author,
        source=source,
        html=text.render(source),
        quoted=quoted,
        created_at=now,
    )
    # The writer has read up to their own post; a first post in a topic also follows it
    # (an existing choice, following or muted, is kept). The author's lock keeps a
    # second post of theirs from creating the subscription at the same time.
    subscription = Subscription.objects.filter(person=author, topic=topic)
    if not subscription.update(last_read_sequence=sequence):
        Subscription.objects.create(
            person=author,
            topic=topic,
            mode=Subscription.Mode.FOLLOWING,
            last_read_sequence=sequence,
        )
    # Open tabs hear of the post first; the notification emails go out after that.
    transaction.on_commit(lambda: broadcast_post(post, "post.created", read_back=False))
    _notify(post)
    return post


def set_email_notifications(person, wanted: bool):
    """The notifications page's "email me": on means each at once unless the person chose a
    daily digest on their page; off turns forum notices off there too."""
    NotificationPreference.objects.update_or_create(person=person, defaults={"email": wanted})
    current = notices.delivery_for(person.email, NoticeKind.FORUM)
    if wanted and current == notices.Delivery.OFF:
        notices.set_delivery(person.email, NoticeKind.FORUM, notices.Delivery.IMMEDIATELY)
    elif not wanted and current != notices.Delivery.OFF:
        notices.set_delivery(person.email, NoticeKind.FORUM, notices.Delivery.OFF)


def follow_notice_choice(sender, address, kind, delivery, **kwargs):
    """My page's choice or a one-click unsubscribe moves the forum's "email me" along."""
    if kind != NoticeKind.FORUM:
        return
    wanted = delivery != notices.Delivery.OFF
    for person in get_user_model().objects.filter(email__iexact=address):
        NotificationPreference.objects.update_or_create(person=person, defaults={"email": wanted})


def send_notification_emails(notification_ids):
    """Email the notifications whose person asked for it (queued in the post's transaction)."""
    notifications = Notification.objects.filter(
        pk__in=notification_ids, person__forum_preference__email=True, person__is_active=True
    ).select_related("person", "post", "post__topic", "post__author")
    for notification in notifications:
        with translation.override(settings.LANGUAGE_CODE):
            context = {
                "notification": notification,
                "url": settings.WAGTAILADMIN_BASE_URL + notification.post.get_absolute_url(),
                "fold_minutes": settings.NOTIFICATION_FOLD_MINUTES,
            }
            subject = render_to_string("knowledge/email/notification_subject.txt", context)
            body = render_to_string("knowledge/email/notification_body.txt", context)
        notices.send_notice(NoticeKind.FORUM, notification.person.email, subject.strip(), body)


def _notify(post):
    """Mentions notify the people named, followers get replies, each only while they may
    read the topic. Nobody hears from a topic they have muted.

    A person with an unread notification of a post by the same author from the last
    ``NOTIFICATION_FOLD_MINUTES`` gets that one counted up instead of a new one (and so
    no new email): a burst from one person is one notification per reader.
    """
    muted = Subscription.objects.filter(topic=post.topic, mode=Subscription.Mode.MUTED)
    kinds = {}
    for handle in text.mentioned_handles(post.source):
        first, _dot, last = handle.partition(".")
        # SQLite compares only ASCII letters case-insensitively ("ærø" is not "Ærø"), so
        # the query finds candidates by either name and the handle itself decides.
        names = Q()
        for field, name in (("first_name", first), ("last_name", last)):
            for written in (name, name.replace("-", " ")):
                names |= Q(**{f"{field}__iexact": written}) | Q(
                    **{f"{field}__in": _spellings(written)}
                )
        people = (
            get_user_model()
            .objects.filter(names, is_active=True)
            .exclude(pk=post.author_id)
            .exclude(pk__in=muted.values("person"))
        )
        for person in people:
            if text.mention_handle(person) != handle:
                continue
            if access.can_read_topic(person, post.topic):
                kinds[person.pk] = Notification.Kind.MENTION
    following = Subscription.objects.filter(topic=post.topic, mode=Subscription.Mode.FOLLOWING)
    followers = (
        access.readers(
            post.topic.space,
            get_user_model().objects.filter(pk__in=following.values("person")),
        )
        .exclude(pk=post.author_id)
        .values_list("pk", flat=True)
    )
    for person_id in followers:
        kinds.setdefault(person_id, Notification.Kind.REPLY)
    if not kinds:
        return
    # The author's lock (_lock_author) keeps their next post from folding in between.
    since = post.created_at - timedelta(minutes=settings.NOTIFICATION_FOLD_MINUTES)
    folding = Notification.objects.filter(
        person_id__in=kinds,
        post__author_id=post.author_id,
        created_at__gte=since,
        read_at__isnull=True,
    )
    folded = set(folding.values_list("person_id", flat=True))
    if folded:
        folding.update(more=F("more") + 1)
    Notification.objects.bulk_create(
        [
            Notification(person_id=person_id, post=post, kind=kind, created_at=post.created_at)
            for person_id, kind in kinds.items()
            if person_id not in folded
        ],
        ignore_conflicts=True,
    )
    notified = Notification.objects.filter(post=post)
    wants_email = NotificationPreference.objects.filter(
        person__in=notified.values("person"), email=True
    )
    if wants_email.exists():
        ids = list(notified.values_list("pk", flat=True))
        send_notification_emails(ids)


def _spellings(name):
    """How a lower-case name from a handle may be written: as is, capitalised, upper case."""
    capitalised = " ".join(part[:1].upper() + part[1:] for part in name.split(" "))
    return {name, capitalised, name.upper(), name.capitalize()}


def edit_post(post, editor, source, now=None):
    """The author rewrites their post; the earlier wording is kept as its edit history."""
    now = now or timezone.now()
    if post.author_id != editor.pk:
        raise PermissionDenied
    if not post.is_visible:
        raise PostingRefused(_("The post has been removed and cannot be edited."))
    source = _clean_source(source)
    guard_personal_data(source, who=editor)
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        guard_limit(editor, "edits", now)
        PostRevision.objects.create(
            post=post,
            source=post.source,
            html=post.html,
            written_at=post.edited_at or post.created_at,
        )
        post.source = source
        post.html = text.render(source)
        post.edited_at = now
        post.save(update_fields=["source", "html", "edited_at"])
        transaction.on_commit(lambda: broadcast_post(post, "post.edited"))
    return post


def delete_post(post, person, now=None):
    """Soft delete by the author or a moderator: the number stays, the text goes."""
    if not access.can_change_post(person, post):
        raise PermissionDenied
    post.deleted_at = now or timezone.now()
    post.save(update_fields=["deleted_at"])
    transaction.on_commit(lambda: broadcast_post(post, "post.removed"))
    return post


def hide_post(post, moderator, now=None):
    if not access.can_moderate(moderator):
        raise PermissionDenied
    with transaction.atomic():
        post.hidden_at = now or timezone.now()
        post.hidden_by = moderator
        post.save(update_fields=["hidden_at", "hidden_by"])
        mark_reports_handled(PostReport.objects.filter(post=post), moderator, now=post.hidden_at)
        transaction.on_commit(lambda: broadcast_post(post, "post.removed"))
    return post


def mark_reports_handled(reports, moderator, now=None):
    """Mark the unhandled reports among ``reports`` as handled by the moderator."""
    if not access.can_moderate(moderator):
        raise PermissionDenied
    return reports.filter(handled_at__isnull=True).update(
        handled_at=now or timezone.now(), handled_by=moderator
    )


def restore_post(post, moderator):
    if not access.can_moderate(moderator):
        raise PermissionDenied
    post.hidden_at = None
    post.hidden_by = None
    post.save(update_fields=["hidden_at", "hidden_by"])
    transaction.on_commit(lambda: broadcast_post(post, "post.edited"))
    return post


def report_post(post, reporter, reason, now=None):
    """A reader asks the moderators to look at a post; each report lands in their queue,
    so a person has a limit of reports (``post_reports``)."""
    if not access.can_read_topic(reporter, post.topic) or not reporter.is_authenticated:
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the post should be looked at.")})
    guard_personal_data(reason, field="reason", who=reporter)
    guard_limit(reporter, "post_reports", now)
    return PostReport.objects.create(post=post, reporter=reporter, reason=reason[:1000])


def lock_topic(topic, moderator, locked=True):
    if not access.can_moderate(moderator):
        raise PermissionDenied
    Topic.objects.filter(pk=topic.pk).update(locked=locked)
    cards.invalidate_pages()
    topic.locked = locked
    return topic


def move_topic(topic, moderator, space):
    if not access.can_moderate(moderator):
        raise PermissionDenied
    Topic.objects.filter(pk=topic.pk).update(space=space)
    cards.invalidate_pages()
    topic.space = space
    transaction.on_commit(lambda: broadcast_access_check(topic))
    return topic


def set_subscription(topic, person, mode):
    subscription, _created = Subscription.objects.update_or_create(
        person=person, topic=topic, defaults={"mode": Subscription.Mode(mode)}
    )
    return subscription


def mark_read(topic, person, sequence):
    """The person has read the topic up to ``sequence``: one UPDATE when they read it before,
    and one INSERT that yields to a row made meanwhile (no savepoint) when they did not."""
    moved = Subscription.objects.filter(
        person=person, topic=topic, last_read_sequence__lt=sequence
    ).update(last_read_sequence=sequence)
    if not moved:
        Subscription.objects.bulk_create(
            [Subscription(person=person, topic=topic, last_read_sequence=sequence)],
            ignore_conflicts=True,
        )


# --- Reading and broadcasting --------------------------------------------------------------


def posts_after(topic, sequence, limit=500):
    """The posts after a sequence number, for a browser catching up after a gap."""
    return list(
        Post.objects.filter(topic=topic, sequence__gt=sequence)
        .select_related("author", "author__municipality", "quoted")
        .order_by("sequence")[:limit]
    )


def post_payload(post, event="post.created"):
    """What open browsers get: the post's number, state and rendered fragment."""
    return {
        "type": event,
        "sequence": post.sequence,
        "post_id": post.pk,
        "visible": post.is_visible,
        "author_id": post.author_id,
        "html": render_to_string("knowledge/_post.html", {"post": post, "live": True}),
    }


def _send(group, message):
    """Send to a channel-layer group; a layer that is down is logged, never raised."""
    try:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(group, message)
    except Exception:  # the layer is a notifier only: the database already holds the post
        logger.warning("Could not broadcast to %s; browsers will catch up.", group, exc_info=True)


def broadcast_post(post, event, *, read_back=True):
    """Tell the topic's open tabs about the post as it now is in the database; a post
    just saved, with its author and quote at hand, need not be read back."""
    if read_back:
        post = Post.objects.select_related("author", "author__municipality", "quoted").get(
            pk=post.pk
        )
    payload = post_payload(post, event)
    # Serialised once here rather than once per open tab.
    _send(topic_group(post.topic_id), {"type": "topic.event", "text": json.dumps(payload)})


def broadcast_access_check(topic=None, person_id=None):
    """Ask open connections (of a topic or of a person) to check their access again."""
    group = topic_group(topic.pk) if topic is not None else person_group(person_id)
    _send(group, {"type": "access.check"})
