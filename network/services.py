"""The network's rules and transactions: applying, assessing, deciding, inviting, progress.

Every function checks permission through ``network.access``, validates, and either
saves everything or nothing. Views and forms call these; they hold no rules themselves.
The writes a member makes have a per-person limit (``config.limits``, sizes in
``settings.WRITE_LIMITS``), counted after validation and before anything is saved.
"""

import logging
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from config import limits
from network import access, signals
from network.models import (
    AGENCY_ROLES,
    Application,
    Assessment,
    BudgetLine,
    CriterionAnswer,
    Invitation,
    Membership,
    MembershipEvent,
    Milestone,
    PartProgress,
    Role,
    RoleAssignment,
    StatusNote,
    User,
)
from network.tokens import new_token, token_hash

logger = logging.getLogger(__name__)

INVITATION_VALIDITY = timedelta(days=14)
#: The Wagtail group that gives agency editors the admin and publishing rights.
EDITORS_GROUP = "Redaktører"
#: The group that lets forum moderators into the Wagtail admin (migration network 0004).
MODERATORS_GROUP = "Moderatorer"
#: The Wagtail group each agency role brings with it, so the admin's rights follow roles.
ROLE_GROUPS = {Role.AGENCY_EDITOR: EDITORS_GROUP, Role.AGENCY_MODERATOR: MODERATORS_GROUP}

#: Words of the budget posts the pool's rules forbid as lump sums: "Udgifter skal
#: specificeres i budgettet og kan ikke samles i overordnede budgetposter som fx løn til
#: medarbejdere, overhead og diverse" (the information meeting's slides). A line made of
#: nothing but these words (and numbers) says what kind of money, not what it is for.
GENERIC_BUDGET_WORDS = {
    "løn",
    "lønninger",
    "lønudgifter",
    "til",
    "og",
    "for",
    "medarbejdere",
    "medarbejder",
    "personale",
    "personaleudgifter",
    "overhead",
    "diverse",
    "andet",
    "andre",
    "øvrige",
    "øvrigt",
    "udgifter",
    "administration",
    "administrative",
    "drift",
    "driftsudgifter",
    "projektudgifter",
    "kr",
    "pct",
}


def is_lump_sum(description: str) -> bool:
    words = re.findall(r"[^\W\d_]+", description.lower())
    return all(word in GENERIC_BUDGET_WORDS for word in words)


class ApplicationError(Exception):
    """A rule stopped the application step; the message says which, in the user's language."""


def guard_limit(person, kind):
    """Count one write of ``kind`` against the person's limit, raising
    ``limits.LimitReached`` past it; agency staff are not limited (they enter progress
    for partners in bursts, e.g. after a steering-group meeting)."""
    if not access.is_agency_staff(person):
        limits.hit(kind, person)


# --- Applications --------------------------------------------------------------------------


def start_application(pool, person):
    """The municipality's application to the pool, created as a draft if it has none yet."""
    if not access.can_apply(person):
        raise PermissionDenied
    existing = Application.objects.filter(pool=pool, municipality_id=person.municipality_id).first()
    if existing:
        return existing
    if not pool.is_open():
        raise ApplicationError(_("The application deadline has passed; the pool is closed."))
    try:
        with transaction.atomic():
            return Application.objects.create(
                pool=pool, municipality_id=person.municipality_id, created_by=person
            )
    except IntegrityError:
        # A colleague started the same application at the same moment: use theirs.
        return Application.objects.get(pool=pool, municipality_id=person.municipality_id)


@dataclass
class BudgetLineData:
    month: date
    description: str
    amount: Decimal


def check_budget_line(line: BudgetLineData, pool) -> list[str]:
    """What is wrong with one budget line, as messages; empty when it is fine."""
    problems = []
    description = " ".join(line.description.split())
    if is_lump_sum(description):
        problems.append(
            _(
                "“%(description)s” is a lump sum. Specify what the money is for, for example "
                "“Projektleder, 20 timer om ugen”."
            )
            % {"description": description}
        )
    if line.amount is None or line.amount <= 0:
        problems.append(_("The amount must be more than 0 kr."))
    start, end = pool.project_period_start, pool.project_period_end
    if start and end and not (start.replace(day=1) <= line.month <= end):
        problems.append(
            _("%(month)s is outside the project period.") % {"month": f"{line.month:%m.%Y}"}
        )
    return problems


def save_draft(application, person, *, fields=None, answers=None, budget_lines=None):
    """Save what the applicant has written so far; everything or nothing.

    ``answers`` maps award-criterion ids to text; ``budget_lines`` replaces the budget.
    Raises ValidationError with a message per problem, saving nothing.
    """
    if not access.can_view_application(person, application):
        raise PermissionDenied
    if not access.can_edit_application(person, application):
        raise ApplicationError(
            _("The application has been submitted and can no longer be changed.")
        )
    errors = {}
    criteria = {criterion.pk: criterion for criterion in application.pool.award_criteria.all()}
    for criterion_id in answers or {}:
        if int(criterion_id) not in criteria:
            errors.setdefault("answers", []).append(_("Unknown award criterion."))
    for index, line in enumerate(budget_lines or [], start=1):
        for problem in check_budget_line(line, application.pool):
            errors.setdefault(f"budget_lines-{index}", []).append(problem)
    if errors:
        raise ValidationError(errors)

    allowed_fields = {
        "project_leader_name",
        "project_leader_email",
        "centre_chief_name",
        "centre_chief_approved",
    }
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if not application.is_draft:
            raise ApplicationError(
                _("The application has been submitted and can no longer be changed.")
            )
        guard_limit(person, "application_saves")
        for name, value in (fields or {}).items():
            if name not in allowed_fields:
                raise ValueError(f"{name} is not an applicant's field")
            setattr(application, name, value)
        application.save()
        for criterion_id, text in (answers or {}).items():
            CriterionAnswer.objects.update_or_create(
                application=application,
                criterion_id=int(criterion_id),
                defaults={"text": text.strip()},
            )
        if budget_lines is not None:
            application.budget_lines.all().delete()
            BudgetLine.objects.bulk_create(
                BudgetLine(
                    application=application,
                    month=line.month,
                    description=" ".join(line.description.split()),
                    amount=line.amount,
                )
                for line in budget_lines
            )
    return application


#: The parts of the application form, in the order the form asks for them.
APPLICATION_SECTIONS = ("people", "answers", "budget")


def missing_by_section(application) -> dict[str, list[str]]:
    """What is still missing in each part of the application form (see APPLICATION_SECTIONS)."""
    missing = {section: [] for section in APPLICATION_SECTIONS}
    answered = {answer.criterion_id for answer in application.answers.all() if answer.text.strip()}
    for number, criterion in enumerate(application.pool.award_criteria.all(), start=1):
        if criterion.pk not in answered:
            missing["answers"].append(
                _("Answer award criterion %(number)s: %(title)s.")
                % {"number": number, "title": criterion.title}
            )
    if not application.project_leader_name or not application.project_leader_email:
        missing["people"].append(_("Name the project leader and give their email address."))
    if not application.centre_chief_name or not application.centre_chief_approved:
        missing["people"].append(
            _("Confirm the approval at centre-chief level and name the centre chief.")
        )
    if not application.budget_lines.exists():
        missing["budget"].append(_("Add the budget: at least one specified expense."))
    return missing


def missing_for_submission(application) -> list[str]:
    """What the applicant still has to fill in before the application can be submitted."""
    missing = missing_by_section(application)
    # The award criteria first: they are most of the work.
    return [*missing["answers"], *missing["people"], *missing["budget"]]


def submit_application(application, person, now=None):
    """Submit a complete draft before the deadline; after the deadline the draft is kept.

    The deadline is checked on the server, to the minute, inside the transaction that
    submits, so a submission that arrives at 12.00 is refused however the form was sent.
    """
    now = now or timezone.now()
    if not access.can_view_application(person, application):
        raise PermissionDenied
    with transaction.atomic():
        application = (
            Application.objects.select_for_update().select_related("pool").get(pk=application.pk)
        )
        if not application.is_draft:
            raise ApplicationError(_("The application has already been submitted."))
        if not access.can_edit_application(person, application):
            raise PermissionDenied
        if not application.pool.is_open(now):
            deadline = timezone.localtime(application.pool.deadline)
            raise ApplicationError(
                _(
                    "The application deadline passed on %(deadline)s. The application was not "
                    "submitted; your draft is kept."
                )
                % {"deadline": date_format(deadline, "DATETIME_FORMAT")}
            )
        missing = missing_for_submission(application)
        if missing:
            raise ValidationError(missing)
        application.status = Application.Status.SUBMITTED
        application.submitted_at = now
        application.submitted_by = person
        application.save()
        initiative = getattr(application.pool, "initiative", None)
        if initiative is not None:
            membership, created = Membership.objects.get_or_create(
                initiative=initiative,
                municipality=application.municipality,
                defaults={"status": Membership.Status.APPLICANT, "since": timezone.localdate(now)},
            )
            if created:
                MembershipEvent.objects.create(
                    membership=membership,
                    status=Membership.Status.APPLICANT,
                    date=timezone.localdate(now),
                    recorded_by=person,
                )
        signals.application_submitted.send(
            sender=Application, application=application, person=person, now=now
        )
    return application


def assess(application, criterion, *, score, note, assessor):
    """Record the agency's score (1–5) and note for one award criterion."""
    if not access.can_assess(assessor):
        raise PermissionDenied
    application = Application.objects.get(pk=application.pk)
    if application.status == Application.Status.DRAFT:
        raise ApplicationError(_("Only submitted applications can be assessed."))
    if criterion.pool_id != application.pool_id:
        raise ValidationError(_("The criterion belongs to another pool."))
    if score not in range(1, 6):
        raise ValidationError(_("The score must be from 1 to 5."))
    assessment, _created = Assessment.objects.update_or_create(
        application=application,
        criterion=criterion,
        defaults={"score": score, "note": note.strip(), "assessed_by": assessor},
    )
    return assessment


DECISION_TO_STATUS = {
    Application.Decision.PARTNER: Membership.Status.PARTNER,
    Application.Decision.REFERENCE: Membership.Status.REFERENCE,
    Application.Decision.REJECTED: Membership.Status.REJECTED,
}


def decide(application, decision, *, note="", decided_by, now=None):
    """Record the final decision on a submitted application: partner, reference or rejected.

    Called by the director's approval of the caseworkers' recommendation (grants/), which
    also writes and sends the letter. Creates or updates the municipality's membership of
    the pool's initiative and records the step in its history and who decided when.
    """
    now = now or timezone.now()
    if not access.can_decide(decided_by):
        raise PermissionDenied
    decision = Application.Decision(decision)
    with transaction.atomic():
        application = (
            Application.objects.select_for_update()
            .select_related("pool", "municipality")
            .get(pk=application.pk)
        )
        if application.status == Application.Status.DRAFT:
            raise ApplicationError(_("Only submitted applications can be decided."))
        if application.status == Application.Status.DECIDED:
            raise ApplicationError(_("The application has been decided; the decision is final."))
        if application.pool.is_open(now):
            raise ApplicationError(
                _("Applications are decided after the deadline, when all have been received.")
            )
        initiative = getattr(application.pool, "initiative", None)
        if initiative is None:
            raise ApplicationError(
                _("The pool has no initiative yet. Create the initiative before deciding.")
            )
        application.status = Application.Status.DECIDED
        application.decision = decision
        application.decision_note = note.strip()
        application.decided_at = now
        application.decided_by = decided_by
        application.save()
        membership = Membership.objects.filter(
            initiative=initiative, municipality=application.municipality
        ).first() or Membership(initiative=initiative, municipality=application.municipality)
        set_membership_status(
            membership,
            DECISION_TO_STATUS[decision],
            recorded_by=decided_by,
            on=timezone.localdate(now),
        )
    return application


def set_membership_status(membership, status, *, recorded_by, note="", on=None):
    """Give a municipality a new status in an initiative and record it in the history.

    A new partner gets its five project parts, not started. Setting the status it
    already has changes nothing. Agency editors set it, and the director through a decision.
    """
    if not (access.is_agency_editor(recorded_by) or access.can_decide(recorded_by)):
        raise PermissionDenied
    status = Membership.Status(status)
    on = on or timezone.localdate()
    with transaction.atomic():
        if membership.pk is not None:
            current = Membership.objects.select_for_update().get(pk=membership.pk).status
            if current == status:
                return membership
        membership.status = status
        membership.since = on
        membership.save()
        MembershipEvent.objects.create(
            membership=membership, status=status, date=on, note=note, recorded_by=recorded_by
        )
        if status == Membership.Status.PARTNER:
            PartProgress.objects.bulk_create(
                [PartProgress(membership=membership, part=part) for part in range(1, 6)],
                ignore_conflicts=True,
            )
    return membership


# --- People, roles, invitations ------------------------------------------------------------


def role_problems(roles, *, municipality, is_agency_staff) -> list[str]:
    """Why these roles do not fit where the person works; empty when they fit.

    A person belongs to a municipality or to the agency; agency roles need agency
    staff, the municipal roles a municipality.
    """
    problems = []
    if municipality is not None and is_agency_staff:
        problems.append(_("A person belongs either to a municipality or to the agency, not both."))
    for role in map(Role, roles):
        if role in AGENCY_ROLES and not is_agency_staff:
            problems.append(
                _("Only agency staff can have the role %(role)s.") % {"role": role.label}
            )
        if role not in AGENCY_ROLES and municipality is None:
            problems.append(_("The role %(role)s needs a municipality.") % {"role": role.label})
    return problems


def grant_role(person, role, *, granted_by=None):
    """Give a person a role; agency roles need agency staff, the others a municipality.

    The agency roles also put the person in their Wagtail group (editors publish pages,
    moderators enter the admin's moderation pages), so the admin's rights follow the role.
    """
    role = Role(role)
    if granted_by is not None and not access.is_agency_editor(granted_by):
        raise PermissionDenied
    problems = role_problems(
        [role], municipality=person.municipality, is_agency_staff=person.is_agency_staff
    )
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        RoleAssignment.objects.get_or_create(person=person, role=role)
        if role in ROLE_GROUPS:
            person.groups.add(Group.objects.get(name=ROLE_GROUPS[role]))
    person.__dict__.pop("_roles_cache", None)


def set_roles(person, roles, *, changed_by):
    """Make the person's roles exactly these, through grant_role and revoke_role."""
    wanted = {Role(role) for role in roles}
    current = {Role(role) for role in person.role_assignments.values_list("role", flat=True)}
    with transaction.atomic():
        for role in current - wanted:
            revoke_role(person, role, revoked_by=changed_by)
        for role in wanted - current:
            grant_role(person, role, granted_by=changed_by)


def revoke_role(person, role, *, revoked_by=None):
    if revoked_by is not None and not access.is_agency_editor(revoked_by):
        raise PermissionDenied
    with transaction.atomic():
        RoleAssignment.objects.filter(person=person, role=role).delete()
        if role in ROLE_GROUPS:
            person.groups.remove(*Group.objects.filter(name=ROLE_GROUPS[role]))
    person.__dict__.pop("_roles_cache", None)


def invite(email, *, invited_by, municipality=None, is_agency_staff=False, roles=(), **names):
    """Invite someone by email; returns the invitation and the link's secret token.

    The link is single-use and expires after 14 days; only its hash is stored.
    """
    if not access.can_invite(invited_by):
        raise PermissionDenied
    email = User.objects.normalize_email(email).lower()
    if bool(municipality) == bool(is_agency_staff):
        raise ValidationError(_("Choose either a municipality or the agency."))
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("%(email)s already has a login.") % {"email": email})
    roles = [Role(role).value for role in roles]
    for role in roles:
        if (role in AGENCY_ROLES) != bool(is_agency_staff):
            raise ValidationError(
                _("The role %(role)s does not fit where the person works.")
                % {"role": Role(role).label}
            )
    # Every invitation emails an address typed in, so the editors have a limit too.
    limits.hit("invitations", invited_by)
    token, hashed = new_token()
    invitation = Invitation.objects.create(
        email=email,
        municipality=municipality,
        is_agency_staff=is_agency_staff,
        roles=roles,
        token_hash=hashed,
        invited_by=invited_by,
        expires_at=timezone.now() + INVITATION_VALIDITY,
        first_name=names.get("first_name", ""),
        last_name=names.get("last_name", ""),
    )
    link = settings.WAGTAILADMIN_BASE_URL + reverse("network:accept_invitation", args=[token])
    with translation.override(settings.LANGUAGE_CODE):
        context = {"invitation": invitation, "link": link}
        subject = render_to_string("network/email/invitation_subject.txt", context).strip()
        body = render_to_string("network/email/invitation_body.txt", context)
    send_mail(subject, body, None, [email])
    return invitation, token


def find_invitation(token):
    """The usable invitation behind a link's token, or None (unknown, used or expired)."""
    invitation = Invitation.objects.filter(token_hash=token_hash(token)).first()
    if invitation is None or not invitation.is_usable():
        return None
    return invitation


def accept_invitation(token, *, password, first_name, last_name):
    """Create the invited person with their municipality and roles; the link is used up."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update().filter(token_hash=token_hash(token)).first()
        )
        if invitation is None or not invitation.is_usable():
            raise ApplicationError(
                _("The invitation link has been used or has expired. Ask for a new invitation.")
            )
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError(
                _("%(email)s already has a login. Log in or reset the password instead.")
                % {"email": invitation.email},
                code="email_taken",
            )
        person = User(
            email=invitation.email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            municipality=invitation.municipality,
            is_agency_staff=invitation.is_agency_staff,
        )
        validate_password(password, person)
        person.set_password(password)
        person.save()
        for role in invitation.roles:
            RoleAssignment.objects.create(person=person, role=role)
            if role in ROLE_GROUPS:
                person.groups.add(Group.objects.get(name=ROLE_GROUPS[role]))
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = person
        invitation.save()
    return person


# --- Progress ------------------------------------------------------------------------------


def _check_reporter(person, membership):
    if not access.can_report_progress(person, membership):
        raise PermissionDenied


def set_part_status(membership, part, status, *, by, on=None):
    """Set a partner's status in a project part, dating when it started or finished."""
    _check_reporter(by, membership)
    status = PartProgress.Status(status)
    on = on or timezone.localdate()
    with transaction.atomic():
        progress, _created = PartProgress.objects.select_for_update().get_or_create(
            membership=membership, part=part
        )
        if status != PartProgress.Status.NOT_STARTED and progress.started_on is None:
            progress.started_on = on
        if status == PartProgress.Status.NOT_STARTED:
            progress.started_on = None
        progress.finished_on = on if status == PartProgress.Status.DONE else None
        progress.status = status
        progress.updated_by = by
        progress.save()
    return progress


def add_milestone(membership, part, *, title, due_on, by):
    _check_reporter(by, membership)
    if not title.strip():
        raise ValidationError({"title": _("Give the milestone a title.")})
    guard_limit(by, "milestones")
    return Milestone.objects.create(
        membership=membership, part=part, title=title.strip(), due_on=due_on
    )


def mark_milestone_reached(milestone, *, on=None, by):
    _check_reporter(by, milestone.membership)
    milestone.reached_on = on or timezone.localdate()
    milestone.save(update_fields=["reached_on"])
    return milestone


def add_status_note(membership, part, text, *, by, written_on=None):
    _check_reporter(by, membership)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write the note before saving it.")})
    if len(text) > 2000:
        raise ValidationError({"text": _("Keep the note under 2,000 characters.")})
    guard_limit(by, "status_notes")
    return StatusNote.objects.create(
        membership=membership,
        part=part,
        text=text,
        author=by,
        written_on=written_on or timezone.localdate(),
    )
