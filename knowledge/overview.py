"""The forum's part of "Mit overblik" (network/overview.py): unread mentions and replies,
topics with posts the person has not read, and, for moderators, reported posts."""

from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from knowledge import access
from knowledge.models import Notification, PostReport, Subscription, post_url
from network.overview import LIMIT, Contribution, Section, Shortcut, limited


def unread_notifications(person):
    """Mentions of the person and replies in topics they follow, not yet read, in spaces
    they may still read, of posts still shown."""
    return (
        Notification.objects.filter(
            person=person,
            read_at__isnull=True,
            post__topic__space__in=access.visible_spaces(person),
            post__hidden_at__isnull=True,
            post__deleted_at__isnull=True,
        )
        .select_related("post__topic", "post__author")
        .order_by("-created_at", "-pk")
    )


def unread_topics(person):
    """Topics the person has read or follows (not muted) with posts after the last they
    read, in spaces they may still read, latest first."""
    return (
        Subscription.objects.filter(
            person=person,
            topic__last_sequence__gt=F("last_read_sequence"),
            topic__space__in=access.visible_spaces(person),
        )
        .exclude(mode=Subscription.Mode.MUTED)
        .select_related("topic__space")
        .order_by("-topic__last_post_at", "-topic_id")
    )


def knowledge_part(person, now) -> Contribution:
    contribution = Contribution()
    rows, more = limited(unread_notifications(person)[: LIMIT + 1])
    for notification in rows:
        notification.url = notification.post.get_absolute_url()
    contribution.sections.append(
        Section(
            key="notifications",
            title=_("Mentions and replies"),
            template="network/overview/_notifications.html",
            rows=rows,
            has_more=more,
            group="news",
            order=40,
            more_url=reverse("knowledge:notifications"),
            more_label=_("All my notifications"),
            empty_text=_("No unread mentions or replies."),
        )
    )
    rows, more = limited(unread_topics(person)[: LIMIT + 1])
    for subscription in rows:
        subscription.unread_count = subscription.topic.last_sequence - (
            subscription.last_read_sequence
        )
        subscription.url = post_url(subscription.topic_id, subscription.last_read_sequence + 1)
    contribution.sections.append(
        Section(
            key="unread_topics",
            title=_("Topics with new posts"),
            template="network/overview/_unread_topics.html",
            rows=rows,
            has_more=more,
            group="news",
            order=41,
            more_url=reverse("knowledge:spaces"),
            more_label=_("Go to the forum"),
            empty_text=_("No new posts in the topics you have read or follow."),
        )
    )
    if access.can_moderate(person):
        reports = (
            PostReport.objects.filter(handled_at__isnull=True)
            .select_related("post__topic")
            .order_by("-created_at", "-pk")[: LIMIT + 1]
        )
        rows, more = limited(reports)
        for report in rows:
            report.url = report.post.get_absolute_url()
        contribution.sections.append(
            Section(
                key="reported_posts",
                title=_("Posts reported to the moderators"),
                template="network/overview/_reported_posts.html",
                rows=rows,
                has_more=more,
                order=60,
                more_url=reverse("knowledge_admin:reports"),
                more_label=_("The queue of reported posts"),
                empty_text=_("No reported posts wait for a moderator."),
            )
        )
        contribution.shortcuts.append(
            Shortcut(_("Reported posts"), reverse("knowledge_admin:reports"), order=60)
        )
    contribution.shortcuts += [
        Shortcut(_("Forum"), reverse("knowledge:spaces"), order=40),
        Shortcut(_("My notifications"), reverse("knowledge:notifications"), order=41),
    ]
    return contribution
