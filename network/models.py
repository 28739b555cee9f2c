"""Municipalities, people and their roles, initiatives, applications and progress.

The rules (who may do what, what a submission or a decision does) live in
``network/access.py`` and ``network/services.py``; the models say what things are.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cms.models import ProjectPart


class PersonManager(UserManager):
    """Creates people with their email address as login; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class Region(models.TextChoices):
    HOVEDSTADEN = "1084", _("Capital Region of Denmark")
    SJAELLAND = "1085", _("Region Zealand")
    SYDDANMARK = "1083", _("Region of Southern Denmark")
    MIDTJYLLAND = "1082", _("Central Denmark Region")
    NORDJYLLAND = "1081", _("North Denmark Region")


class Municipality(models.Model):
    """One of Denmark's 98 municipalities, with its official three-digit code."""

    code = models.CharField(_("municipality code"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), unique=True)
    region = models.CharField(_("region"), max_length=4, choices=Region.choices)
    cvr = models.CharField(
        _("CVR number"),
        max_length=8,
        blank=True,
        validators=[
            RegexValidator(r"^[0-9]{8}$", _("A CVR number is eight digits, e.g. 29189668."))
        ],
        help_text=_(
            "The municipality's CVR number. Its staff log in with MitID Erhverv only when "
            "the CVR number in their login matches this one."
        ),
    )

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cvr"],
                condition=~Q(cvr=""),
                name="unique_municipality_cvr",
                violation_error_message=_("Another municipality has this CVR number."),
            )
        ]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person who logs in: agency staff or staff of one municipality. Logs in with email."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    is_agency_staff = models.BooleanField(
        _("agency staff"),
        default=False,
        help_text=_("Works at Socialstyrelsen rather than in a municipality."),
    )
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    professional_id = models.CharField(
        _("MitID Erhverv identity"),
        max_length=255,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_(
            "The persistent professional id from MitID Erhverv, linked at the first login "
            "with MitID Erhverv; it finds the person at every later login."
        ),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    objects = PersonManager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["first_name", "last_name"]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(is_agency_staff=True) & Q(municipality__isnull=False)),
                name="person_in_agency_or_municipality",
                violation_error_message=_(
                    "A person belongs either to a municipality or to the agency, not both."
                ),
            )
        ]

    def __str__(self):
        return self.get_full_name() or self.email


class Role(models.TextChoices):
    PROJECT_OWNER = "project_owner", _("Project owner")
    PROJECT_LEADER = "project_leader", _("Project leader")
    IMPLEMENTATION_GROUP = "implementation_group", _("Implementation-group member")
    STEERING_GROUP = "steering_group", _("Steering-group member")
    AGENCY_EDITOR = "agency_editor", _("Agency editor")
    AGENCY_MODERATOR = "agency_moderator", _("Agency moderator")
    AGENCY_DIRECTOR = "agency_director", _("Agency director")


AGENCY_ROLES = {Role.AGENCY_EDITOR, Role.AGENCY_MODERATOR, Role.AGENCY_DIRECTOR}


class RoleAssignment(models.Model):
    """A role a person holds. Agency roles need agency staff; the others a municipality."""

    person = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["person", "role"], name="unique_role_per_person")
        ]

    def __str__(self):
        return f"{self.person}: {self.get_role_display()}"


class Initiative(models.Model):
    """The partnership a pool funds, with its project period and its five project parts."""

    title = models.CharField(_("title"), max_length=255)
    slug = models.SlugField(_("slug"), unique=True)
    pool = models.OneToOneField(
        "cms.PoolPage",
        verbose_name=_("pool"),
        on_delete=models.PROTECT,
        related_name="initiative",
    )
    page = models.ForeignKey(
        "cms.InitiativePage",
        verbose_name=_("initiative page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="initiatives",
        help_text=_("The public page that presents the initiative and its municipalities."),
    )
    project_period_start = models.DateField(_("project period from"))
    project_period_end = models.DateField(_("project period to"))

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["-project_period_start"]

    def __str__(self):
        return self.title

    def partners(self):
        return self.memberships.filter(status=Membership.Status.PARTNER).select_related(
            "municipality"
        )

    def reference_municipalities(self):
        return self.memberships.filter(status=Membership.Status.REFERENCE).select_related(
            "municipality"
        )


class Membership(models.Model):
    """A municipality's role in an initiative; its history is in MembershipEvent."""

    class Status(models.TextChoices):
        APPLICANT = "applicant", _("Applicant")
        PARTNER = "partner", _("Partner municipality")
        REFERENCE = "reference", _("Reference municipality")
        REJECTED = "rejected", _("Not selected")
        LEFT = "left", _("Left")

    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("initiative"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("municipality"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    since = models.DateField(_("since"), default=timezone.localdate)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["municipality__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "municipality"], name="one_membership_per_initiative"
            )
        ]

    def __str__(self):
        return f"{self.municipality.name}: {self.get_status_display()} ({self.initiative})"


class MembershipEvent(models.Model):
    """One step in a membership's history: applied, became partner or reference, left."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="events", verbose_name=_("membership")
    )
    status = models.CharField(_("status"), max_length=20, choices=Membership.Status.choices)
    date = models.DateField(_("date"), default=timezone.localdate)
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("membership event")
        verbose_name_plural = _("membership history")
        ordering = ["date", "pk"]

    def __str__(self):
        return f"{self.membership.municipality.name}: {self.get_status_display()} {self.date}"


class Application(models.Model):
    """A municipality's application to a pool: a draft until submitted, then decided."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        DECIDED = "decided", _("Decided")

    class Decision(models.TextChoices):
        PARTNER = "partner", _("Partner municipality")
        REFERENCE = "reference", _("Offered the reference network")
        REJECTED = "rejected", _("Rejected")

    pool = models.ForeignKey(
        "cms.PoolPage",
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("pool"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("municipality"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    project_leader_name = models.CharField(_("project leader"), max_length=200, blank=True)
    project_leader_email = models.EmailField(_("project leader's email"), blank=True)
    centre_chief_name = models.CharField(
        _("centre chief"),
        max_length=200,
        blank=True,
        help_text=_("The centre chief who approved the project collaboration."),
    )
    centre_chief_approved = models.BooleanField(
        _("approved at centre-chief level"),
        default=False,
        help_text=_("The project collaboration is approved at centre-chief level."),
    )
    created_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices, blank=True)
    decision_note = models.TextField(_("reasons for the decision"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["municipality__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["pool", "municipality"], name="one_application_per_municipality_and_pool"
            )
        ]

    def __str__(self):
        return f"{self.municipality.name}: {self.pool.title}"

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    def budget_total(self):
        return sum((line.amount for line in self.budget_lines.all()), 0)


class CriterionAnswer(models.Model):
    """The applicant's answer to one of the pool's award criteria."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="answers", verbose_name=_("application")
    )
    criterion = models.ForeignKey(
        "cms.AwardCriterion",
        on_delete=models.PROTECT,
        related_name="answers",
        verbose_name=_("award criterion"),
    )
    text = models.TextField(_("answer"), blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion"], name="one_answer_per_criterion"
            )
        ]

    def __str__(self):
        return f"{self.application}: {self.criterion}"


class BudgetLine(models.Model):
    """A specified expense in a month of the project period. Lump sums are not allowed."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="budget_lines",
        verbose_name=_("application"),
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    description = models.CharField(_("specified expense"), max_length=255)
    amount = models.DecimalField(_("amount (DKK)"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["month", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="budget_line_amount_positive")
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.description}: {self.amount} kr."


class Assessment(models.Model):
    """An agency editor's score and note for one application on one award criterion."""

    SCORES = [(score, str(score)) for score in range(1, 6)]

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("application"),
    )
    criterion = models.ForeignKey(
        "cms.AwardCriterion",
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("award criterion"),
    )
    score = models.PositiveSmallIntegerField(
        _("score"), choices=SCORES, help_text=_("1 (weak) to 5 (excellent).")
    )
    note = models.TextField(_("note"), blank=True)
    assessed_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("assessed by")
    )
    assessed_at = models.DateTimeField(_("assessed"), auto_now=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion"], name="one_assessment_per_criterion"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1) & Q(score__lte=5), name="assessment_score_1_to_5"
            ),
        ]

    def __str__(self):
        return f"{self.application}: {self.criterion} = {self.score}"


class Invitation(models.Model):
    """A single-use, expiring invitation by email to join the platform.

    Only a hash of the token is stored, so a leaked database does not leak usable links.
    """

    email = models.EmailField(_("email address"))
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("municipality"),
    )
    is_agency_staff = models.BooleanField(_("agency staff"), default=False)
    roles = models.JSONField(_("roles"), default=list, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return self.email

    def is_usable(self, now=None):
        return self.accepted_at is None and (now or timezone.now()) < self.expires_at


class PartProgress(models.Model):
    """How far a partner municipality has come in one project part."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="progress", verbose_name=_("membership")
    )
    part = models.PositiveSmallIntegerField(_("project part"), choices=ProjectPart.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED
    )
    started_on = models.DateField(_("started"), null=True, blank=True)
    finished_on = models.DateField(_("finished"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("progress in a project part")
        verbose_name_plural = _("progress in project parts")
        ordering = ["membership__municipality__name", "part"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "part"], name="one_progress_per_part")
        ]

    def __str__(self):
        municipality = self.membership.municipality.name
        return f"{municipality}, {self.get_part_display()}: {self.get_status_display()}"


class Milestone(models.Model):
    """A dated milestone of a partner in a project part."""

    membership = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        related_name="milestones",
        verbose_name=_("membership"),
    )
    part = models.PositiveSmallIntegerField(_("project part"), choices=ProjectPart.choices)
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("date"))
    reached_on = models.DateField(_("reached"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.title


class StatusNote(models.Model):
    """A short dated note on a partner's progress, by its project leader or agency staff."""

    membership = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        related_name="status_notes",
        verbose_name=_("membership"),
    )
    part = models.PositiveSmallIntegerField(_("project part"), choices=ProjectPart.choices)
    text = models.TextField(_("note"), max_length=2000)
    written_on = models.DateField(_("date"), default=timezone.localdate)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="status_notes",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("status note")
        verbose_name_plural = _("status notes")
        ordering = ["-written_on", "-pk"]

    def __str__(self):
        return f"{self.membership.municipality.name}, {self.written_on}: {self.text[:40]}"


class NoticeKind(models.TextChoices):
    """The kinds of notification email a person can turn off or gather in a daily digest.

    Emails that carry a decision, a confirmation link, an invitation or a password reset
    are not notices: they always go, at once.
    """

    FORUM = "forum", _("Forum notifications")
    MEETINGS = "meetings", _("Changes to and reminders of meetings")
    GRANTS = "grants", _("News on grant cases")


class NoticeChoice(models.Model):
    """How an address wants one kind of notice: each at once (no row), in a daily digest,
    or not at all. Kept by address, so that one-click unsubscribe also works for people
    without a login (a guest at a meeting, a project leader named on an application)."""

    class Delivery(models.TextChoices):
        IMMEDIATELY = "immediately", _("Each notice at once")
        DAILY = "daily", _("A daily digest")
        OFF = "off", _("No emails")

    address = models.EmailField(_("email address"))
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    delivery = models.CharField(
        _("delivery"), max_length=20, choices=Delivery.choices, default=Delivery.IMMEDIATELY
    )
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("notice choice")
        verbose_name_plural = _("notice choices")
        constraints = [
            models.UniqueConstraint(fields=["address", "kind"], name="one_choice_per_kind")
        ]

    def __str__(self):
        return f"{self.address}: {self.kind} {self.delivery}"


class DigestItem(models.Model):
    """A notice kept for the address's next daily digest (``manage.py send_digests``)."""

    address = models.EmailField(_("email address"), db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    subject = models.CharField(_("subject"), max_length=300)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("digest item")
        verbose_name_plural = _("digest items")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.address}: {self.subject}"
