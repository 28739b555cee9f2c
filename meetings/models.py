"""Meetings, registrations and waiting lists, agendas, minutes and materials.

The rules (who may sign up, seats, waiting lists, emails) live in ``meetings/services.py``
and ``meetings/access.py``; the models say what things are.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from network.models import Role


class Meeting(models.Model):
    class Kind(models.TextChoices):
        INFORMATION = "information", _("Information meeting")
        STEERING_GROUP = "steering_group", _("Steering-group meeting")
        KICK_OFF = "kick_off", _("Kick-off meeting")
        REFERENCE_NETWORK = "reference_network", _("Reference-network meeting")
        WORKSHOP = "workshop", _("Workshop")

    class Audience(models.TextChoices):
        PUBLIC = "public", _("Everyone (public)")
        NETWORK = "network", _("Network members (partner and reference municipalities)")
        PARTNERS = "partners", _("Partner municipalities")
        ROLES = "roles", _("Given roles in the partner municipalities")

    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    address = models.CharField(_("address"), max_length=255, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organiser"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organised_meetings",
    )
    initiative = models.ForeignKey(
        "network.Initiative",
        verbose_name=_("initiative"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
    )
    pool = models.ForeignKey(
        "cms.PoolPage",
        verbose_name=_("pool"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
        help_text=_("For an information meeting about a pool: shown on the pool's page."),
    )
    seats = models.PositiveIntegerField(
        _("seats"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    seats_per_municipality = models.PositiveIntegerField(
        _("seats per municipality"),
        null=True,
        blank=True,
        help_text=_("For example 2 at an information meeting. Leave empty for no limit."),
    )
    signup_deadline = models.DateTimeField(_("sign-up deadline"), null=True, blank=True)
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.PUBLIC
    )
    audience_roles = models.JSONField(
        _("roles invited"),
        default=list,
        blank=True,
        help_text=_("With the audience “given roles”: which roles in the partner municipalities."),
    )
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    sequence = models.PositiveIntegerField(
        default=0, editable=False, help_text="The iCalendar SEQUENCE, raised on every change."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at", "pk"]
        # The lists read meetings in time order, a page at a time.
        indexes = [models.Index(fields=["starts_at", "id"], name="meeting_starts_at")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_it_starts",
                violation_error_message=_("The meeting must end after it starts."),
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_cancelled(self):
        return self.cancelled_at is not None

    def is_past(self, now=None):
        return self.ends_at <= (now or timezone.now())

    def signup_closes_at(self):
        """Sign-up closes at the deadline, or when the meeting starts."""
        return min(self.signup_deadline, self.starts_at) if self.signup_deadline else self.starts_at

    def audience_role_labels(self):
        return [Role(role).label for role in self.audience_roles]


class Registration(models.Model):
    """A person's place at a meeting: confirmed, on the waiting list, or cancelled.

    Members register with their login; guests of public meetings with name, email and
    organisation, and their place counts only once they confirm by the emailed link.
    """

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("Awaiting email confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", pgettext_lazy("registration status", "Cancelled")

    ACTIVE = [Status.UNCONFIRMED, Status.CONFIRMED, Status.WAITING]

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("meeting")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="registrations",
        verbose_name=_("person"),
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    municipality = models.ForeignKey(
        "network.Municipality",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registrations",
        verbose_name=_("municipality"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("signed up"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    reminded_for = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="The meeting start the reminder was sent for; a moved meeting gets a new one.",
    )
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                condition=Q(status__in=["unconfirmed", "confirmed", "waiting"]),
                name="one_active_registration_per_person",
            ),
            models.UniqueConstraint(
                fields=["meeting", "email"],
                condition=Q(status__in=["unconfirmed", "confirmed", "waiting"]),
                name="one_active_registration_per_email",
            ),
        ]

    def __str__(self):
        return f"{self.name}: {self.meeting}"

    @property
    def is_guest(self):
        return self.person_id is None

    #: What became of a place at a meeting that has ended: (key, label). A past place is
    #: never "confirmed": the person came, did not come (attendance taken by the
    #: organiser), cancelled, or the organiser never took attendance.
    OUTCOMES = {
        "meeting_cancelled": _("Meeting cancelled"),
        "attended": _("Attended"),
        "no_show": _("Did not attend"),
        "cancelled": pgettext_lazy("registration status", "Cancelled"),
        "not_recorded": _("Signed up, attendance not recorded"),
        "no_place": _("Did not get a place (waiting list)"),
        "unconfirmed": _("Never confirmed"),
    }

    def outcome(self):
        """What happened at the (past) meeting, as a key of ``OUTCOMES``."""
        if self.status == self.Status.CANCELLED:
            return "cancelled"
        if self.meeting.is_cancelled:
            return "meeting_cancelled"
        if self.status == self.Status.WAITING:
            return "no_place"
        if self.status == self.Status.UNCONFIRMED:
            return "unconfirmed"
        if self.attended is True:
            return "attended"
        if self.attended is False:
            return "no_show"
        return "not_recorded"

    def outcome_label(self):
        return self.OUTCOMES[self.outcome()]


class MeetingDocument(models.Model):
    """A document for a meeting's audience: material before, or minutes' appendices after."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="documents", verbose_name=_("meeting")
    )
    document = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("document"),
    )
    title = models.CharField(_("title"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self):
        return self.title or self.document.title


class ActionItem(models.Model):
    """A task agreed at a meeting, owned by a municipality, shown on its page."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="action_items", verbose_name=_("meeting")
    )
    text = models.CharField(_("action"), max_length=500)
    owner = models.ForeignKey(
        "network.Municipality",
        on_delete=models.CASCADE,
        related_name="action_items",
        verbose_name=_("owner municipality"),
    )
    due_on = models.DateField(_("due"))
    done_on = models.DateField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.text


class CalendarFeed(models.Model):
    """A person's private subscription feed of their meetings, behind a secret token."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return str(self.person)
