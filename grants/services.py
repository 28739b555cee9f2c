"""The rules of the grant case, each in one place: views, the admin and commands call these.

Deciding: caseworkers (agency editors) write a recommendation per application; the
director approves them (the whole list or one at a time) or sends one back; nobody
approves a recommendation they wrote. On approval the decision is recorded on the
application (``network.services.decide``), the award is booked on the case under a lock
on the pool's row, so that awards never exceed the pool's amount however many approve
at once, and the decision letter is made, filed and emailed.

After the award the case runs the project period: due items (status reports, the final
report, accounts per project year) from the pool's reporting plan, messages both ways,
payments (never more than the award: a row lock and a database constraint), and the
closing. Every step is an event on the case's timeline, and every event emails the
people attached to the application (``access.attached_addresses``) with a link, never with
the content of a message or a private attachment.
"""

import calendar
import logging
import os
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, send_mail
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cms.forms import content_matches_extension
from cms.models import PoolPage
from config import limits
from grants import access, documents
from grants.models import (
    AccountsLine,
    CaseDocument,
    CaseEvent,
    CaseMessage,
    CaseReading,
    DueItem,
    GrantCase,
    Payment,
    Recommendation,
    Reminder,
    ReportingPlan,
    ReportVersion,
)
from network import notices
from network import services as network_services
from network.models import Application, NoticeKind, Role, User

logger = logging.getLogger(__name__)

#: Days before a due date that the reminder goes out.
REMIND_DAYS_BEFORE = 14


class GrantCaseError(Exception):
    """A rule stopped the step; the message says which, in the user's language."""


def case_for(application):
    """The application's case, opened if it has none yet."""
    case, _created = GrantCase.objects.get_or_create(application=application)
    return case


# --- Events and their emails ---------------------------------------------------------------


def add_event(case, kind, text, *, by=None, now=None):
    """Put a line on the case's timeline and email the attached people (queued with it)."""
    event = CaseEvent.objects.create(
        case=case, kind=kind, text=text, by=by, at=now or timezone.now()
    )
    send_event_email(event.pk)
    return event


def case_url(case):
    return settings.WAGTAILADMIN_BASE_URL + reverse("grants:case", args=[case.pk])


def send_event_email(event_id, attachments=()):
    """ "Alle brugere tilknyttet en ansøgning modtager en mail om, at der er ny information
    på sagen": one email per event to each attached person but the one who caused it."""
    event = CaseEvent.objects.select_related("case__application__pool", "by").get(pk=event_id)
    recipients = access.attached_addresses(event.case, except_person=event.by)
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        context = {"event": event, "case": event.case, "url": case_url(event.case)}
        subject = render_to_string("grants/email/event_subject.txt", context).strip()
        body = render_to_string("grants/email/event_body.txt", context)
    for address in recipients:
        if event.kind == CaseEvent.Kind.DECIDED:
            # A decision always goes, with its letter; it cannot be turned off.
            message = EmailMessage(subject, body, None, [address])
            for name, content, mimetype in attachments:
                message.attach(name, content, mimetype)
            message.send()
        else:
            notices.send_notice(NoticeKind.GRANTS, address, subject, body, attachments=attachments)


# --- Submission: the case opens with a receipt ----------------------------------------------


def file_receipt(application, person, now):
    """Open the case of a just-submitted application and file its receipt (a PDF of the
    application as submitted, with the time to the second)."""
    case = case_for(application)
    content = documents.receipt(application)
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M%S")
    CaseDocument.objects.create(
        case=case,
        kind=CaseDocument.Kind.RECEIPT,
        title=_("Receipt for the application"),
        file=ContentFile(content, name=f"kvittering-{application.pk}-{stamp}.pdf"),
        added_by=person,
        created_at=now,
    )
    with translation.override(settings.LANGUAGE_CODE):
        text = _("The application was submitted. The receipt is among the case's documents.")
    add_event(case, CaseEvent.Kind.SUBMITTED, text, by=person, now=now)
    return case


# --- Recommendations and the director's decision --------------------------------------------


def _amount(value):
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise GrantCaseError(_("The amount must be a number of kroner.")) from None


def recommend(application, *, outcome, amount=None, reasons, conditions="", by, now=None):
    """Write (or rewrite) the caseworkers' recommendation for one application."""
    now = now or timezone.now()
    if not access.is_caseworker(by):
        raise PermissionDenied
    outcome = Application.Decision(outcome)
    amount = _amount(amount)
    reasons = reasons.strip()
    with transaction.atomic():
        application = (
            Application.objects.select_for_update().select_related("pool").get(pk=application.pk)
        )
        pool = application.pool
        if application.status == Application.Status.DRAFT:
            raise GrantCaseError(_("Only submitted applications can be recommended."))
        if application.status == Application.Status.DECIDED:
            raise GrantCaseError(_("The application has been decided; the decision is final."))
        if pool.is_open(now):
            raise GrantCaseError(
                _("Applications are recommended after the deadline, when all have been received.")
            )
        if not reasons:
            raise GrantCaseError(_("Write the reasons for the recommendation."))
        if outcome == Application.Decision.PARTNER:
            if amount is None or amount <= 0:
                raise GrantCaseError(_("A partner municipality needs an amount above 0 kr."))
            if pool.amount is not None and amount > pool.amount:
                raise GrantCaseError(
                    _("The amount is more than the pool's whole amount, %(pool)s.")
                    % {"pool": documents.kroner(pool.amount)}
                )
        else:
            amount = None
        recommendation, _created = Recommendation.objects.update_or_create(
            application=application,
            defaults={
                "outcome": outcome,
                "amount": amount,
                "reasons": reasons,
                "conditions": conditions.strip(),
                "status": Recommendation.Status.PROPOSED,
                "written_by": by,
                "written_at": now,
                "approved_by": None,
                "approved_at": None,
            },
        )
        case_for(application)
        undecided = Application.objects.filter(pool=pool, status=Application.Status.SUBMITTED)
        if not undecided.exclude(recommendation__status=Recommendation.Status.PROPOSED).exists():
            _tell_staff("list_ready", pool, directors())
    return recommendation


def directors():
    return User.objects.filter(
        role_assignments__role=Role.AGENCY_DIRECTOR, is_active=True
    ).distinct()


def _tell_staff(template, pool, people, **context):
    """An email to agency staff about a pool's list (no case's content in it), queued in
    the outbox with the change that caused it."""
    addresses = sorted({person.email for person in people if person.email})
    if not addresses:
        return
    url = settings.WAGTAILADMIN_BASE_URL + reverse("grants:decision_list", args=[pool.pk])
    with translation.override(settings.LANGUAGE_CODE):
        context = {"pool": pool, "url": url, **context}
        subject = render_to_string(f"grants/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"grants/email/{template}_body.txt", context)
    send_mail(subject, body, None, addresses)


def decision_list(pool):
    """The pool's recommendation list (indstilling): every submitted application with its
    scores per criterion, total score, recommendation and amount, best first."""
    criteria = list(pool.award_criteria.all())
    applications = list(
        Application.objects.filter(pool=pool)
        .exclude(status=Application.Status.DRAFT)
        .select_related("municipality", "recommendation__written_by", "recommendation__approved_by")
        .prefetch_related("assessments")
    )
    order = {
        Application.Decision.PARTNER: 0,
        Application.Decision.REFERENCE: 1,
        Application.Decision.REJECTED: 2,
    }
    rows = []
    for application in applications:
        scores = {a.criterion_id: a.score for a in application.assessments.all()}
        recommendation = getattr(application, "recommendation", None)
        rows.append(
            {
                "application": application,
                "scores": [scores.get(criterion.pk) for criterion in criteria],
                "total": sum(score for score in scores.values()),
                "recommendation": recommendation,
            }
        )
    rows.sort(
        key=lambda row: (
            order.get(row["recommendation"].outcome, 3) if row["recommendation"] else 4,
            -row["total"],
            row["application"].municipality.name,
        )
    )
    proposed = sum(
        (
            row["recommendation"].amount
            for row in rows
            if row["recommendation"] and row["recommendation"].amount
        ),
        Decimal(0),
    )
    return {
        "criteria": criteria,
        "rows": rows,
        "proposed_total": proposed,
        "pool_amount": pool.amount,
        "over_pool": pool.amount is not None and proposed > pool.amount,
        "awaiting": [
            row
            for row in rows
            if row["recommendation"]
            and row["recommendation"].status == Recommendation.Status.PROPOSED
        ],
    }


def awarded_in_pool(pool):
    return GrantCase.objects.filter(application__pool=pool).aggregate(total=Sum("awarded_amount"))[
        "total"
    ] or Decimal(0)


def _approve_locked(recommendation, director, now):
    """Approve one recommendation; the caller holds the lock on the pool's row."""
    if not access.is_director(director):
        raise PermissionDenied
    if recommendation.written_by_id == director.pk:
        raise GrantCaseError(
            _(
                "You wrote the recommendation for %(municipality)s, so another person must "
                "approve it (four eyes)."
            )
            % {"municipality": recommendation.application.municipality.name}
        )
    if recommendation.status != Recommendation.Status.PROPOSED:
        raise GrantCaseError(
            _("The recommendation for %(municipality)s is not awaiting approval.")
            % {"municipality": recommendation.application.municipality.name}
        )
    application = recommendation.application
    pool = application.pool
    if recommendation.amount:
        awarded = awarded_in_pool(pool)
        if pool.amount is not None and awarded + recommendation.amount > pool.amount:
            raise GrantCaseError(
                _(
                    "Approving %(amount)s to %(municipality)s would award more than the pool's "
                    "%(pool)s (%(awarded)s is already awarded). Nothing was approved."
                )
                % {
                    "amount": documents.kroner(recommendation.amount),
                    "municipality": application.municipality.name,
                    "pool": documents.kroner(pool.amount),
                    "awarded": documents.kroner(awarded),
                }
            )
    try:
        application = network_services.decide(
            application,
            recommendation.outcome,
            note=recommendation.reasons,
            decided_by=director,
            now=now,
        )
    except network_services.ApplicationError as error:
        raise GrantCaseError(str(error)) from None
    recommendation.status = Recommendation.Status.APPROVED
    recommendation.approved_by = director
    recommendation.approved_at = now
    recommendation.save()
    case = GrantCase.objects.select_for_update().get(pk=case_for(application).pk)
    case.awarded_amount = recommendation.amount or Decimal(0)
    case.save(update_fields=["awarded_amount"])
    if recommendation.amount:
        create_due_items(case)
    letter = documents.decision_letter(application, recommendation)
    name = f"afgoerelse-{application.pk}.pdf"
    CaseDocument.objects.create(
        case=case,
        kind=CaseDocument.Kind.DECISION_LETTER,
        title=_("Decision letter"),
        file=ContentFile(letter, name=name),
        added_by=director,
        created_at=now,
    )
    with translation.override(settings.LANGUAGE_CODE):
        if recommendation.amount:
            text = _(
                "A grant of %(amount)s is awarded; the award letter is attached to the email."
            ) % {"amount": documents.kroner(recommendation.amount)}
        else:
            text = _("The application was refused. The letter is attached to the email.")
    event = CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.DECIDED, text=text, by=None, at=now
    )
    send_event_email(event.pk, attachments=[(name, letter, "application/pdf")])
    return recommendation


def _lock_pool(pool):
    return PoolPage.objects.select_for_update().get(pk=pool.pk)


def approve(recommendation, director, now=None):
    """The director approves one recommendation: the decision on that application."""
    now = now or timezone.now()
    with transaction.atomic():
        recommendation = Recommendation.objects.select_related("application").get(
            pk=recommendation.pk
        )
        _lock_pool(recommendation.application.pool)
        recommendation = (
            Recommendation.objects.select_for_update()
            .select_related("application__pool", "application__municipality")
            .get(pk=recommendation.pk)
        )
        return _approve_locked(recommendation, director, now)


def approve_list(pool, director, now=None):
    """The director approves the pool's whole list at once, or nothing of it.

    The list must be complete (a recommendation awaiting approval for every application
    not yet decided) and hold none the director wrote.
    """
    now = now or timezone.now()
    if not access.is_director(director):
        raise PermissionDenied
    with transaction.atomic():
        pool = _lock_pool(pool)
        undecided = Application.objects.filter(pool=pool, status=Application.Status.SUBMITTED)
        missing = undecided.exclude(recommendation__status=Recommendation.Status.PROPOSED)
        if missing.exists():
            names = ", ".join(missing.values_list("municipality__name", flat=True))
            raise GrantCaseError(
                _("The list is not complete: %(names)s have no recommendation awaiting approval.")
                % {"names": names}
            )
        recommendations = list(
            Recommendation.objects.select_for_update()
            .filter(application__in=undecided)
            .select_related("application__pool", "application__municipality")
            .order_by("application__municipality__name")
        )
        if not recommendations:
            raise GrantCaseError(_("There is nothing on the list awaiting approval."))
        return [_approve_locked(item, director, now) for item in recommendations]


def send_back(recommendation, director, comment, now=None):
    """The director returns one recommendation to the caseworkers with a comment."""
    if not access.is_director(director):
        raise PermissionDenied
    comment = comment.strip()
    if not comment:
        raise GrantCaseError(_("Write a comment saying what the caseworkers should look at."))
    with transaction.atomic():
        recommendation = (
            Recommendation.objects.select_for_update(of=("self",))
            .select_related("application__pool", "application__municipality", "written_by")
            .get(pk=recommendation.pk)
        )
        if recommendation.status != Recommendation.Status.PROPOSED:
            raise GrantCaseError(_("Only a recommendation awaiting approval can be sent back."))
        recommendation.status = Recommendation.Status.RETURNED
        recommendation.director_comment = comment
        recommendation.save(update_fields=["status", "director_comment"])
        application = recommendation.application
        writer = [recommendation.written_by] if recommendation.written_by else []
        _tell_staff("sent_back", application.pool, writer, municipality=application.municipality)
    return recommendation


# --- Due items from the pool's reporting plan -----------------------------------------------


def add_months(day, months):
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def plan_for(pool):
    return ReportingPlan.objects.filter(pool=pool).first() or ReportingPlan(pool=pool)


def create_due_items(case):
    """The case's status reports, final report and yearly accounts, from the pool's plan
    and project period. Nothing is due for a pool without a project period."""
    pool = case.application.pool
    start, end = pool.project_period_start, pool.project_period_end
    if not (start and end) or case.due_items.exists():
        return []
    plan = plan_for(pool)
    items = []
    period_start = start
    step = plan.status_report_every_months
    while step:
        period_end = add_months(period_start, step) - timedelta(days=1)
        if period_end >= end:
            break
        items.append(
            DueItem(
                case=case,
                kind=DueItem.Kind.STATUS_REPORT,
                period_start=period_start,
                period_end=period_end,
                due_on=add_months(period_end, 1),
            )
        )
        period_start = period_end + timedelta(days=1)
    items.append(
        DueItem(
            case=case,
            kind=DueItem.Kind.FINAL_REPORT,
            period_start=start,
            period_end=end,
            due_on=add_months(end, plan.final_report_months_after_end),
        )
    )
    year_start = start
    while year_start <= end:
        year_end = min(add_months(year_start, 12) - timedelta(days=1), end)
        items.append(
            DueItem(
                case=case,
                kind=DueItem.Kind.ACCOUNTS,
                period_start=year_start,
                period_end=year_end,
                due_on=add_months(year_end, plan.accounts_months_after_year_end),
            )
        )
        year_start = year_end + timedelta(days=1)
    return DueItem.objects.bulk_create(items)


def _lock_open_item(due_item, person, kinds):
    """The due item, locked, if the person may still write it; else a refusal."""
    due_item = (
        DueItem.objects.select_for_update().select_related("case__application").get(pk=due_item.pk)
    )
    case = due_item.case
    if not access.is_municipality_party(person, case):
        raise PermissionDenied
    if due_item.kind not in kinds:
        raise GrantCaseError(_("This item is not of that kind."))
    if case.is_closed:
        raise GrantCaseError(_("The case is closed; nothing more can be submitted on it."))
    if not due_item.is_open:
        raise GrantCaseError(
            _("It has been submitted (%(status)s) and cannot be changed now.")
            % {"status": due_item.get_status_display().lower()}
        )
    return due_item


REPORT_KINDS = (DueItem.Kind.STATUS_REPORT, DueItem.Kind.FINAL_REPORT)


def report_draft(due_item):
    """The version being written, or None (nothing written since the last submission)."""
    return due_item.versions.filter(submitted_at__isnull=True).order_by("-number").first()


def save_report(due_item, person, sections, now=None):
    """Save the report's draft (a new draft after a returned version; every version kept)."""
    now = now or timezone.now()
    with transaction.atomic():
        due_item = _lock_open_item(due_item, person, REPORT_KINDS)
        cleaned = {
            key: str(sections.get(key, "")).strip()[:10_000] for key in ReportVersion.SECTION_KEYS
        }
        draft = report_draft(due_item)
        if draft is None:
            latest = due_item.versions.order_by("-number").first()
            draft = ReportVersion(due_item=due_item, number=(latest.number + 1) if latest else 1)
        draft.sections = cleaned
        draft.saved_at = now
        draft.saved_by = person
        draft.save()
    return draft


def submit_report(due_item, person, now=None):
    now = now or timezone.now()
    with transaction.atomic():
        due_item = _lock_open_item(due_item, person, REPORT_KINDS)
        draft = report_draft(due_item)
        if draft is None:
            raise GrantCaseError(_("Write the report before you submit it."))
        empty = [key for key in ReportVersion.SECTION_KEYS if not draft.sections.get(key)]
        if empty:
            raise GrantCaseError(
                _("Every section must be filled in before the report is submitted.")
            )
        draft.submitted_at = now
        draft.save(update_fields=["submitted_at"])
        due_item.status = DueItem.Status.SUBMITTED
        due_item.save(update_fields=["status"])
        with translation.override(settings.LANGUAGE_CODE):
            text = _("%(item)s submitted (version %(number)s).") % {
                "item": due_item.get_kind_display(),
                "number": draft.number,
            }
        add_event(due_item.case, CaseEvent.Kind.REPORT, text, by=person, now=now)
    return draft


def _review(due_item, reviewer, *, approve, comment, kinds):
    if not access.is_caseworker(reviewer):
        raise PermissionDenied
    comment = comment.strip()
    due_item = (
        DueItem.objects.select_for_update().select_related("case__application").get(pk=due_item.pk)
    )
    if due_item.kind not in kinds:
        raise GrantCaseError(_("This item is not of that kind."))
    if due_item.status != DueItem.Status.SUBMITTED:
        raise GrantCaseError(_("Only a submitted item can be reviewed."))
    if not approve and not comment:
        raise GrantCaseError(_("Write what the municipality must correct."))
    due_item.status = DueItem.Status.APPROVED if approve else DueItem.Status.RETURNED
    return due_item, comment


def review_report(due_item, reviewer, *, approve, comment="", now=None):
    """Approve the submitted report, or return it with comments for correction."""
    now = now or timezone.now()
    with transaction.atomic():
        due_item, comment = _review(
            due_item, reviewer, approve=approve, comment=comment, kinds=REPORT_KINDS
        )
        version = due_item.versions.filter(submitted_at__isnull=False).order_by("-number").first()
        version.reviewed_at, version.reviewed_by, version.review_comment = now, reviewer, comment
        version.save(update_fields=["reviewed_at", "reviewed_by", "review_comment"])
        due_item.save(update_fields=["status"])
        with translation.override(settings.LANGUAGE_CODE):
            if approve:
                text = _("%(item)s approved.") % {"item": due_item.get_kind_display()}
            else:
                text = _("%(item)s returned for correction; see the comments on the report.") % {
                    "item": due_item.get_kind_display()
                }
        add_event(due_item.case, CaseEvent.Kind.REPORT, text, by=reviewer, now=now)
    return due_item


# --- Accounts -------------------------------------------------------------------------------


def accounts_budget_lines(due_item):
    """The approved budget's lines in the accounts' project year."""
    return due_item.case.application.budget_lines.filter(
        month__gte=due_item.period_start, month__lte=due_item.period_end
    ).order_by("month", "pk")


def check_upload(upload):
    """The site's upload rules (the admin's documents): extension, size and content."""
    extension = os.path.splitext(upload.name)[1].lower().lstrip(".")
    allowed = settings.WAGTAILDOCS_EXTENSIONS
    if extension not in allowed:
        raise GrantCaseError(
            _("Files of type .%(extension)s cannot be attached. Allowed: %(allowed)s.")
            % {"extension": extension or "?", "allowed": ", ".join(allowed)}
        )
    limit = settings.WAGTAILDOCS_MAX_UPLOAD_SIZE
    if upload.size > limit:
        raise GrantCaseError(
            _("The file is larger than %(megabytes)s MB.") % {"megabytes": limit // (1024 * 1024)}
        )
    if not content_matches_extension(upload, extension):
        raise GrantCaseError(
            _("The file's content is not a .%(extension)s file. Save it again as .%(extension)s.")
            % {"extension": extension}
        )


def _file(case, upload, kind, person, now):
    check_upload(upload)
    return CaseDocument.objects.create(
        case=case,
        kind=kind,
        title=os.path.basename(upload.name)[:255],
        file=upload,
        added_by=person,
        created_at=now,
    )


def save_accounts(due_item, person, actuals, auditor_statement=None, now=None):
    """Save the year's actual spending per budget line (and the auditor's statement)."""
    now = now or timezone.now()
    with transaction.atomic():
        due_item = _lock_open_item(due_item, person, (DueItem.Kind.ACCOUNTS,))
        lines = {line.pk: line for line in accounts_budget_lines(due_item)}
        for line_id, value in actuals.items():
            if line_id not in lines or value in (None, ""):
                continue
            actual = _amount(value)
            if actual < 0:
                raise GrantCaseError(_("Actual spending cannot be negative."))
            AccountsLine.objects.update_or_create(
                due_item=due_item, budget_line=lines[line_id], defaults={"actual": actual}
            )
        if auditor_statement is not None:
            document = _file(
                due_item.case, auditor_statement, CaseDocument.Kind.AUDITOR_STATEMENT, person, now
            )
            due_item.auditor_statement = document
            due_item.save(update_fields=["auditor_statement"])
    return due_item


def accounts_summary(due_item):
    """Budget against actual spending per line and in total, with the differences."""
    actual = {line.budget_line_id: line.actual for line in due_item.accounts_lines.all()}
    rows = []
    for line in accounts_budget_lines(due_item):
        spent = actual.get(line.pk)
        rows.append(
            {
                "line": line,
                "actual": spent,
                "difference": None if spent is None else spent - line.amount,
            }
        )
    budget = sum((row["line"].amount for row in rows), Decimal(0))
    spent = sum((row["actual"] or 0 for row in rows), Decimal(0))
    return {
        "rows": rows,
        "budget": budget,
        "actual": spent,
        "difference": spent - budget,
        "complete": all(row["actual"] is not None for row in rows),
    }


def submit_accounts(due_item, person, now=None):
    now = now or timezone.now()
    with transaction.atomic():
        due_item = _lock_open_item(due_item, person, (DueItem.Kind.ACCOUNTS,))
        if not accounts_summary(due_item)["complete"]:
            raise GrantCaseError(_("Enter the actual spending for every budget line."))
        if due_item.auditor_statement_id is None:
            raise GrantCaseError(_("Upload the auditor's statement before you submit."))
        due_item.status = DueItem.Status.SUBMITTED
        due_item.submitted_at = now
        due_item.save(update_fields=["status", "submitted_at"])
        with translation.override(settings.LANGUAGE_CODE):
            text = _("Accounts for %(start)s–%(end)s submitted.") % {
                "start": date_format(due_item.period_start, "SHORT_DATE_FORMAT"),
                "end": date_format(due_item.period_end, "SHORT_DATE_FORMAT"),
            }
        add_event(due_item.case, CaseEvent.Kind.ACCOUNTS, text, by=person, now=now)
    return due_item


def review_accounts(due_item, reviewer, *, approve, comment="", now=None):
    now = now or timezone.now()
    with transaction.atomic():
        due_item, comment = _review(
            due_item,
            reviewer,
            approve=approve,
            comment=comment,
            kinds=(DueItem.Kind.ACCOUNTS,),
        )
        due_item.review_comment = comment
        due_item.save(update_fields=["status", "review_comment"])
        with translation.override(settings.LANGUAGE_CODE):
            text = (
                _("Accounts approved.")
                if approve
                else _("Accounts returned for correction; see the comment on the accounts.")
            )
        add_event(due_item.case, CaseEvent.Kind.ACCOUNTS, text, by=reviewer, now=now)
    return due_item


# --- Payments and closing -------------------------------------------------------------------


def record_payment(case, *, amount, paid_on, released_by, by, now=None):
    """Record a payment; the paid total can never pass the award (lock and constraint)."""
    now = now or timezone.now()
    if not access.is_caseworker(by):
        raise PermissionDenied
    amount = _amount(amount)
    if amount is None or amount <= 0:
        raise GrantCaseError(_("A payment must be more than 0 kr."))
    released_by = released_by.strip()
    if not released_by:
        raise GrantCaseError(_("Say what released the payment."))
    with transaction.atomic():
        case = GrantCase.objects.select_for_update().select_related("application").get(pk=case.pk)
        if not case.is_awarded:
            raise GrantCaseError(_("Payments are made only on an award."))
        if case.is_closed:
            raise GrantCaseError(_("The case is closed; no more payments can be recorded."))
        if case.paid_amount + amount > case.awarded_amount:
            raise GrantCaseError(
                _("The payment is more than what remains of the award, %(remaining)s.")
                % {"remaining": documents.kroner(case.remaining_amount)}
            )
        payment = Payment.objects.create(
            case=case,
            amount=amount,
            paid_on=paid_on,
            released_by=released_by,
            recorded_by=by,
            recorded_at=now,
        )
        case.paid_amount += amount
        case.save(update_fields=["paid_amount"])
        with translation.override(settings.LANGUAGE_CODE):
            text = _("Payment of %(amount)s on %(date)s.") % {
                "amount": documents.kroner(amount),
                "date": date_format(paid_on, "DATE_FORMAT"),
            }
        add_event(case, CaseEvent.Kind.PAYMENT, text, by=by, now=now)
    return payment


def close_case(case, by, now=None):
    """Close an awarded case once every report and the accounts are approved."""
    now = now or timezone.now()
    if not access.is_caseworker(by):
        raise PermissionDenied
    with transaction.atomic():
        case = GrantCase.objects.select_for_update().select_related("application").get(pk=case.pk)
        if case.is_closed:
            raise GrantCaseError(_("The case is already closed."))
        if not case.is_awarded:
            raise GrantCaseError(_("Only a case with an award is closed here."))
        open_items = case.due_items.exclude(status=DueItem.Status.APPROVED).count()
        if open_items:
            raise GrantCaseError(
                _("%(count)s reports or accounts are not approved yet.") % {"count": open_items}
            )
        case.closed_at, case.closed_by = now, by
        case.save(update_fields=["closed_at", "closed_by"])
        with translation.override(settings.LANGUAGE_CODE):
            text = _("The case was closed. Thank you for the collaboration.")
        add_event(case, CaseEvent.Kind.CLOSED, text, by=by, now=now)
    return case


# --- Messages -------------------------------------------------------------------------------


def send_message(case, author, text, *, reply_by=None, attachment=None, now=None):
    """A message on the case, from the municipality or from the agency."""
    now = now or timezone.now()
    if not access.can_view_case(author, case):
        raise PermissionDenied
    from_agency = access.is_case_staff(author)
    text = text.strip()
    if not text:
        raise GrantCaseError(_("Write the message."))
    if reply_by is not None:
        if not from_agency:
            raise GrantCaseError(_("Only Socialstyrelsen asks for a reply by a date."))
        if reply_by <= timezone.localdate(now):
            raise GrantCaseError(_("The reply-by date must be after today."))
    if not from_agency:
        # Each message emails the case's people and Socialstyrelsen's caseworkers read
        # them all: a flood from one account is stopped (config/limits.py).
        limits.hit("case_messages", author, now)
    with transaction.atomic():
        document = None
        if attachment is not None:
            document = _file(case, attachment, CaseDocument.Kind.ATTACHMENT, author, now)
        message = CaseMessage.objects.create(
            case=case,
            author=author,
            from_agency=from_agency,
            text=text[:10_000],
            reply_by=reply_by,
            attachment=document,
            created_at=now,
        )
        mark_read(case, author, now)
        with translation.override(settings.LANGUAGE_CODE):
            if from_agency and reply_by:
                event_text = _(
                    "New message from Socialstyrelsen, asking for a reply by %(date)s."
                ) % {"date": date_format(reply_by, "DATE_FORMAT")}
            elif from_agency:
                event_text = _("New message from Socialstyrelsen.")
            else:
                event_text = _("New message from the municipality.")
        add_event(case, CaseEvent.Kind.MESSAGE, event_text, by=author, now=now)
    return message


def mark_read(case, person, now=None):
    CaseReading.objects.update_or_create(
        case=case, person=person, defaults={"read_at": now or timezone.now()}
    )


# --- Reminders ------------------------------------------------------------------------------


def send_reminders(today=None):
    """Email the attached people before a due date and the day after it passed, once per
    item, kind and date (a unique row per reminder, so two runs cannot both send)."""
    today = today or timezone.localdate()
    open_items = (
        DueItem.objects.filter(
            status__in=[DueItem.Status.DUE, DueItem.Status.RETURNED],
            case__closed_at__isnull=True,
        )
        .select_related("case__application__pool", "case__application__municipality")
        .order_by("due_on", "pk")
    )
    before = open_items.filter(due_on__gte=today, due_on__lte=today + timedelta(REMIND_DAYS_BEFORE))
    overdue = open_items.filter(due_on__lt=today)
    sent = 0
    for kind, items in ((Reminder.Kind.BEFORE, before), (Reminder.Kind.OVERDUE, overdue)):
        for item in items:
            try:
                with transaction.atomic():
                    Reminder.objects.create(due_item=item, kind=kind, due_on=item.due_on)
                    _send_reminder(item, kind)
            except IntegrityError:
                continue  # sent before, by this command or another run of it
            sent += 1
    return sent


def _send_reminder(item, kind):
    recipients = access.attached_addresses(item.case)
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        context = {"item": item, "kind": kind, "case": item.case, "url": case_url(item.case)}
        subject = render_to_string("grants/email/reminder_subject.txt", context).strip()
        body = render_to_string("grants/email/reminder_body.txt", context)
    for address in recipients:
        notices.send_notice(NoticeKind.GRANTS, address, subject, body)
