"""The forum's part of "Mit overblik" (network/overview.py): unread mentions and replies,
topics with posts the person has not read, and, for moderators, reported posts."""

from django.db.models import CharField, F, Value
from django.urls import reverse
from django.utils.translation import gettext as _

from knowledge import access
from knowledge.models import Notification, PostReport, Subscription, post_url
from network.overview import LIMIT, Contribution, Section, Shortcut


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


COLUMNS = ["row", "pk", "topic_id", "title", "sequence", "last_sequence"]
COLUMNS += ["first_name", "last_name", "kind", "at", "space"]


def _first(queryset):
    """The first ``LIMIT + 1`` rows of the ordered queryset, as a filter that can take
    part in a union (whose parts may not be sliced themselves)."""
    return queryset.model.objects.filter(pk__in=queryset.values("pk")[: LIMIT + 1]).order_by()


def forum_rows(person):
    """In one query: the first unread mentions and replies and the first topics with
    unread posts, as dictionaries with their links, latest first."""
    text = CharField()
    notifications = _first(unread_notifications(person)).values_list(
        Value("notification", output_field=text),
        "pk",
        "post__topic_id",
        "post__topic__title",
        "post__sequence",
        "post__topic__last_sequence",
        "post__author__first_name",
        "post__author__last_name",
        "kind",
        "created_at",
        "post__topic__space__title",
    )
    topics = _first(unread_topics(person)).values_list(
        Value("topic", output_field=text),
        "pk",
        "topic_id",
        "topic__title",
        "last_read_sequence",
        "topic__last_sequence",
        Value("", output_field=text),
        Value("", output_field=text),
        Value("", output_field=text),
        "topic__last_post_at",
        "topic__space__title",
    )
    rows = [dict(zip(COLUMNS, row, strict=True)) for row in notifications.union(topics, all=True)]
    rows.sort(key=lambda row: (row["at"], row["pk"]), reverse=True)
    for row in rows:
        if row["row"] == "notification":
            row["url"] = post_url(row["topic_id"], row["sequence"])
            row["author"] = f"{row['first_name'] or ''} {row['last_name'] or ''}".strip()
        else:
            row["unread_count"] = row["last_sequence"] - row["sequence"]
            row["url"] = post_url(row["topic_id"], row["sequence"] + 1)
    return (
        [row for row in rows if row["row"] == "notification"],
        [row for row in rows if row["row"] == "topic"],
    )


def knowledge_part(person, now) -> Contribution:
    contribution = Contribution()
    notifications, topics = forum_rows(person)
    contribution.sections.append(
        Section(
            key="notifications",
            title=_("Mentions and replies"),
            template="network/overview/_notifications.html",
            rows=notifications,
            group="news",
            order=40,
            more_url=reverse("knowledge:notifications"),
            more_label=_("All my notifications"),
            empty_text=_("No unread mentions or replies."),
        )
    )
    contribution.sections.append(
        Section(
            key="unread_topics",
            title=_("Topics with new posts"),
            template="network/overview/_unread_topics.html",
            rows=topics,
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
        rows = list(reports)
        for report in rows:
            report.url = report.post.get_absolute_url()
        contribution.sections.append(
            Section(
                key="reported_posts",
                title=_("Posts reported to the moderators"),
                template="network/overview/_reported_posts.html",
                rows=rows,
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
