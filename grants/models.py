"""The grant case (tilskudssag): an application from submission to closing.

The caseworkers' recommendation (indstilling) and the director's decision (afgørelse),
the award (tilsagn) or refusal (afslag) with its letter, the case's timeline, documents
and messages, the status reports and accounts due in the project period, and the
payments (udbetalinger). The rules are in ``grants/services.py``; who may see what in
``grants/access.py``.

Two sums are guarded by the database itself, so that no interleaving of requests can
break them: a case's payments never exceed its award (``paid_amount <= awarded_amount``,
kept in the same transaction as each payment, under a row lock), and a pool's awards
never exceed the pool's amount (checked under a lock on the pool's row).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cms.models import ProjectPart
from grants.storage import get_private_storage
from network.models import Application, BudgetLine


class Recommendation(models.Model):
    """The caseworkers' proposed decision on one application; the director approves it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Awaiting the director")
        RETURNED = "returned", _("Sent back")
        APPROVED = "approved", _("Approved")

    application = models.OneToOneField(
        Application,
        on_delete=models.CASCADE,
        related_name="recommendation",
        verbose_name=_("application"),
    )
    outcome = models.CharField(
        _("recommendation"), max_length=20, choices=Application.Decision.choices
    )
    amount = models.DecimalField(
        _("amount (DKK)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    reasons = models.TextField(_("reasons"))
    conditions = models.TextField(_("conditions of the award"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    written_at = models.DateTimeField(_("written"), default=timezone.now)
    director_comment = models.TextField(_("the director's comment"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.CheckConstraint(
                condition=(Q(outcome="partner") & Q(amount__gt=0))
                | (~Q(outcome="partner") & Q(amount__isnull=True)),
                name="recommendation_amount_only_for_partners",
            )
        ]

    def __str__(self):
        return f"{self.application}: {self.get_outcome_display()}"


class GrantCase(models.Model):
    """An application's case: its award, payments and closing. One per application."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        IN_PROGRESS = "in_progress", _("Being processed")
        AWARDED = "awarded", _("Grant awarded")
        REFUSED = "refused", _("Refused")
        CLOSED = "closed", _("Closed")

    application = models.OneToOneField(
        Application,
        on_delete=models.CASCADE,
        related_name="grant_case",
        verbose_name=_("application"),
    )
    awarded_amount = models.DecimalField(
        _("awarded (DKK)"), max_digits=14, decimal_places=2, default=0
    )
    paid_amount = models.DecimalField(_("paid (DKK)"), max_digits=14, decimal_places=2, default=0)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("grant case")
        verbose_name_plural = _("grant cases")
        constraints = [
            models.CheckConstraint(
                condition=Q(paid_amount__gte=0) & Q(paid_amount__lte=F("awarded_amount")),
                name="paid_never_exceeds_awarded",
            )
        ]

    def __str__(self):
        return str(self.application)

    @property
    def status(self):
        application = self.application
        if self.closed_at:
            return self.Status.CLOSED
        if application.status == Application.Status.DRAFT:
            return self.Status.DRAFT
        if application.status == Application.Status.DECIDED:
            if application.decision == Application.Decision.PARTNER:
                return self.Status.AWARDED
            return self.Status.REFUSED
        if application.pool.is_open():
            return self.Status.SUBMITTED
        return self.Status.IN_PROGRESS

    def get_status_display(self):
        return self.Status(self.status).label

    @property
    def remaining_amount(self):
        return self.awarded_amount - self.paid_amount

    @property
    def is_awarded(self):
        return self.application.decision == Application.Decision.PARTNER

    @property
    def is_closed(self):
        return self.closed_at is not None


class CaseDocument(models.Model):
    """A file on the case, kept in private storage and served only to the case's parties."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Receipt")
        DECISION_LETTER = "decision_letter", _("Decision letter")
        ATTACHMENT = "attachment", _("Attachment")
        AUDITOR_STATEMENT = "auditor_statement", _("Auditor's statement")

    case = models.ForeignKey(
        GrantCase, on_delete=models.CASCADE, related_name="documents", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=255)
    file = models.FileField(_("file"), storage=get_private_storage, upload_to="grants/%Y/%m/")
    created_at = models.DateTimeField(_("added"), default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("case document")
        verbose_name_plural = _("case documents")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.title


class CaseEvent(models.Model):
    """A line on the case's timeline; each one tells the case's parties by email.

    ``text`` is what the parties see and what the email says: never the content of a
    message or a private attachment, only that there is something new.
    """

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Application submitted")
        DECIDED = "decided", _("Decision")
        MESSAGE = "message", _("Message")
        REPORT = "report", _("Status report")
        ACCOUNTS = "accounts", pgettext_lazy("grant case", "Accounts")
        PAYMENT = "payment", _("Payment")
        CLOSED = "closed", _("Case closed")

    case = models.ForeignKey(
        GrantCase, on_delete=models.CASCADE, related_name="events", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.CharField(_("text"), max_length=500)
    at = models.DateTimeField(_("time"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "pk"]

    def __str__(self):
        return self.text


class CaseMessage(models.Model):
    """A message on the case between the municipality and the agency."""

    case = models.ForeignKey(
        GrantCase, on_delete=models.CASCADE, related_name="messages", verbose_name=_("case")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_agency = models.BooleanField(_("from Socialstyrelsen"), default=False)
    text = models.TextField(_("message"), max_length=10_000)
    reply_by = models.DateField(_("reply by"), null=True, blank=True)
    attachment = models.OneToOneField(
        CaseDocument,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="message",
        verbose_name=_("attachment"),
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("case message")
        verbose_name_plural = _("case messages")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text[:60]


class CaseReading(models.Model):
    """When a person last read a case's messages (for the unread markers)."""

    case = models.ForeignKey(GrantCase, on_delete=models.CASCADE, related_name="readings")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_readings"
    )
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="one_reading_per_case_person")
        ]

    def __str__(self):
        return f"{self.person} {self.read_at:%Y-%m-%d %H:%M}"


class ReportingPlan(models.Model):
    """What a pool asks of its grant cases: status reports, a final report, accounts."""

    pool = models.OneToOneField(
        "cms.PoolPage",
        on_delete=models.CASCADE,
        related_name="reporting_plan",
        verbose_name=_("pool"),
    )
    status_report_every_months = models.PositiveSmallIntegerField(
        _("a status report every … months"), default=6
    )
    final_report_months_after_end = models.PositiveSmallIntegerField(
        _("final report … months after the project period"), default=3
    )
    accounts_months_after_year_end = models.PositiveSmallIntegerField(
        _("accounts … months after each project year"), default=4
    )

    class Meta:
        verbose_name = _("reporting plan")
        verbose_name_plural = _("reporting plans")

    def __str__(self):
        return str(self.pool)


class DueItem(models.Model):
    """A status report, the final report or a project year's accounts, due on a date."""

    class Kind(models.TextChoices):
        STATUS_REPORT = "status_report", _("Status report")
        FINAL_REPORT = "final_report", _("Final report")
        ACCOUNTS = "accounts", pgettext_lazy("grant case", "Accounts")

    class Status(models.TextChoices):
        DUE = "due", _("Not submitted")
        SUBMITTED = "submitted", _("Submitted, being reviewed")
        RETURNED = "returned", _("Returned for correction")
        APPROVED = "approved", _("Approved")

    case = models.ForeignKey(
        GrantCase, on_delete=models.CASCADE, related_name="due_items", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    due_on = models.DateField(_("due"))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default="due")
    # For accounts (a report keeps these on its versions):
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    auditor_statement = models.ForeignKey(
        CaseDocument,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("auditor's statement"),
    )
    review_comment = models.TextField(_("comment from Socialstyrelsen"), blank=True)

    class Meta:
        verbose_name = _("due item")
        verbose_name_plural = _("due items")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period_start:%d.%m.%Y}–{self.period_end:%d.%m.%Y}"

    @property
    def is_open(self):
        return self.status in (self.Status.DUE, self.Status.RETURNED)

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.is_open and self.due_on < today


class Reminder(models.Model):
    """A reminder sent for a due item: once per item, kind and due date (the constraint)."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("Before the due date")
        OVERDUE = "overdue", _("The day after the due date")

    due_item = models.ForeignKey(DueItem, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    due_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["due_item", "kind", "due_on"], name="one_reminder_per_item_kind_date"
            )
        ]

    def __str__(self):
        return f"{self.due_item} ({self.kind}, {self.due_on:%d.%m.%Y})"


class ReportVersion(models.Model):
    """A status report (or the final report): the working draft, or a submitted version.

    The draft is the version without ``submitted_at``; submitting freezes it, and a
    returned report is corrected in a new draft, so every submitted version is kept.
    ``sections`` maps a project part's number (and ``outcomes``) to the text.
    """

    due_item = models.ForeignKey(DueItem, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    sections = models.JSONField(_("sections"), default=dict)
    saved_at = models.DateTimeField(_("saved"), default=timezone.now)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_comment = models.TextField(_("comment from Socialstyrelsen"), blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["due_item", "number"], name="one_report_version_number")
        ]

    def __str__(self):
        return f"{self.due_item}, version {self.number}"

    #: The sections of a status report: one per project part, then the change for citizens.
    SECTION_KEYS = [str(part.value) for part in ProjectPart] + ["outcomes"]


class AccountsLine(models.Model):
    """A budget line's actual spending in the accounts of its project year."""

    due_item = models.ForeignKey(DueItem, on_delete=models.CASCADE, related_name="accounts_lines")
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="+")
    actual = models.DecimalField(_("actual spending (DKK)"), max_digits=12, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["due_item", "budget_line"], name="one_accounts_line"),
            models.CheckConstraint(condition=Q(actual__gte=0), name="accounts_actual_not_negative"),
        ]

    def __str__(self):
        return f"{self.budget_line}: {self.actual}"

    @property
    def difference(self):
        return self.actual - self.budget_line.amount


class Payment(models.Model):
    """An amount paid out on an award; the case's paid total moves with it."""

    case = models.ForeignKey(
        GrantCase, on_delete=models.PROTECT, related_name="payments", verbose_name=_("case")
    )
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount (DKK)"), max_digits=14, decimal_places=2)
    released_by = models.CharField(
        _("released by"),
        max_length=255,
        help_text=_("What released the payment, e.g. “the award” or “approved status report”."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["paid_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")
        ]

    def __str__(self):
        return f"{self.amount} kr. {self.paid_on:%d.%m.%Y}"
