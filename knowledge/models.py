"""Forum spaces, topics and posts, experience reports, and who follows and has read what.

The rules (visibility, the personal-data guard, sanitising, rate limits, broadcasting)
live in ``knowledge/access.py`` and ``knowledge/services.py``.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from cms.models import ProjectPart

#: Posts per page of a topic. Post numbers are gapless, so a post's page follows from its
#: number and a page is a range of numbers (an index lookup, however long the topic).
POSTS_PER_PAGE = 20


def post_page_number(sequence) -> int:
    return (max(sequence, 1) - 1) // POSTS_PER_PAGE + 1


def post_url(topic_id, sequence) -> str:
    """The link to post number ``sequence`` of a topic, on the topic's page that shows it."""
    url = reverse("knowledge:topic", args=[topic_id])
    page = post_page_number(sequence)
    return f"{url}{f'?side={page}' if page > 1 else ''}#indlaeg-{sequence}"


class ConceptElement(models.TextChoices):
    """The four elements of recovery-oriented work (the information meeting's slides)."""

    RESOURCES = "resources", _("Focus on the citizen's resources")
    INSIDE_PERSPECTIVE = "inside_perspective", _("Focus on the citizen's inside perspective")
    CITIZENS_GOALS = "citizens_goals", _("Professionals let the citizen's goals lead")
    INCLUSION = "inclusion", _("Focus on the citizen's inclusion and participation")


class Space(models.Model):
    """A forum area with a visibility: partners only, the whole network, or public."""

    class Visibility(models.TextChoices):
        PARTNERS = "partners", _("Partner municipalities")
        NETWORK = "network", _("The whole network (partners and reference)")
        PUBLIC = "public", _("Public")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    description = models.TextField(_("description"), blank=True)
    visibility = models.CharField(_("visibility"), max_length=20, choices=Visibility.choices)
    initiative = models.ForeignKey(
        "network.Initiative",
        verbose_name=_("initiative"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="spaces",
        help_text=_("Whose network may read a partners' or network space."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("space")
        verbose_name_plural = _("spaces")
        ordering = ["position", "title"]

    def __str__(self):
        return self.title


class Topic(models.Model):
    """A thread in a space; an experience report is a topic with a structured account."""

    class Kind(models.TextChoices):
        DISCUSSION = "discussion", _("Discussion")
        EXPERIENCE = "experience", _("Experience report")

    space = models.ForeignKey(
        Space, on_delete=models.PROTECT, related_name="topics", verbose_name=_("space")
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.DISCUSSION)
    title = models.CharField(_("title"), max_length=200)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="topics",
        verbose_name=_("author"),
    )
    municipality = models.ForeignKey(
        "network.Municipality",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="topics",
        verbose_name=_("municipality"),
    )
    project_part = models.PositiveSmallIntegerField(
        _("project part"), choices=ProjectPart.choices, null=True, blank=True
    )
    concept_element = models.CharField(
        _("concept element"), max_length=30, choices=ConceptElement.choices, blank=True
    )
    # The structured account of an experience report, sanitised HTML like a post.
    context_html = models.TextField(_("context"), blank=True)
    what_we_did_html = models.TextField(_("what we did"), blank=True)
    what_worked_html = models.TextField(_("what worked"), blank=True)
    barriers_html = models.TextField(_("barriers"), blank=True)
    results_html = models.TextField(_("results for the citizens"), blank=True)
    tags = TaggableManager(_("tags"), blank=True)
    locked = models.BooleanField(_("locked"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_post_at = models.DateTimeField(_("last post"), default=timezone.now, db_index=True)
    post_count = models.PositiveIntegerField(_("posts"), default=0)
    last_sequence = models.PositiveIntegerField(
        default=0, editable=False, help_text="The highest post sequence number in the topic."
    )

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["-last_post_at", "-pk"]
        # A space's page lists its topics latest first, a page at a time.
        indexes = [
            models.Index(fields=["space", "-last_post_at", "-id"], name="topic_space_latest")
        ]

    def __str__(self):
        return self.title

    @property
    def is_experience_report(self):
        return self.kind == self.Kind.EXPERIENCE


class Post(models.Model):
    """A message in a topic, numbered per topic so live browsers can ask for what they missed."""

    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="posts", verbose_name=_("topic")
    )
    sequence = models.PositiveIntegerField(_("number"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="posts",
        verbose_name=_("author"),
    )
    source = models.TextField(_("text"))
    html = models.TextField(editable=False)
    quoted = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("hidden by a moderator"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["sequence"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "sequence"], name="one_post_per_sequence")
        ]

    def __str__(self):
        return f"{self.topic} #{self.sequence}"

    def get_absolute_url(self):
        return post_url(self.topic_id, self.sequence)

    @property
    def is_visible(self):
        return self.hidden_at is None and self.deleted_at is None


class PostRevision(models.Model):
    """An earlier wording of an edited post, so the edit history is visible."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    source = models.TextField()
    html = models.TextField()
    written_at = models.DateTimeField()

    class Meta:
        ordering = ["-written_at", "-pk"]

    def __str__(self):
        return f"{self.post} ({self.written_at})"


class PostReport(models.Model):
    """A member's report of a post to the moderators, with a reason."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"), max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["handled_at", "-created_at"]

    def __str__(self):
        return f"{self.post}: {self.reason[:40]}"


class Subscription(models.Model):
    """A person following or muting a topic, and how far they have read."""

    class Mode(models.TextChoices):
        FOLLOWING = "following", _("Following")
        MUTED = "muted", _("Muted")
        NONE = "none", _("Neither")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="topic_subscriptions"
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="subscriptions")
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.NONE)
    last_read_sequence = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "topic"], name="one_subscription_per_topic")
        ]

    def __str__(self):
        return f"{self.person}: {self.topic} ({self.mode})"


class Notification(models.Model):
    """Something for a person: a mention of them, or a reply in a topic they follow.

    Further posts from the same author soon after are folded into it (``more``), so a
    burst from one person is one notification and at most one email.
    """

    class Kind(models.TextChoices):
        MENTION = "mention", _("Mention")
        REPLY = "reply", _("Reply in a topic you follow")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="notifications")
    more = models.PositiveIntegerField(
        _("further posts by the same author"),
        default=0,
        help_text=_("Posts by the same author folded into this notification."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "post", "kind"], name="one_notification_per_post_and_kind"
            )
        ]

    def __str__(self):
        return f"{self.person}: {self.get_kind_display()} {self.post}"


class NotificationPreference(models.Model):
    """Whether a person also wants their forum notifications by email (off by default)."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_preference"
    )
    email = models.BooleanField(_("email me my notifications"), default=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return f"{self.person}: {'email' if self.email else '-'}"
