"""Sign-ups, waiting lists, cancellations, reminders and the organisers' changes.

Seats are guarded by a row lock on the meeting: every step that takes or frees a seat
locks the meeting first and counts inside the lock, so concurrent sign-ups on
PostgreSQL never exceed the seats, and a freed seat goes to the first person waiting.
Emails leave only after the transaction has committed.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from config import limits
from meetings import access
from meetings.calendar import meeting_calendar
from meetings.models import Meeting, Registration
from network import access as network_access
from network import notices
from network.models import NoticeKind
from network.tokens import new_token, token_hash

logger = logging.getLogger(__name__)

Status = Registration.Status


class SignupRefused(Exception):
    """A rule refused the sign-up; the message says which, in the user's language."""


def guard_guest_rate(email, address, now):
    """Guest sign-ups send email to whatever address is typed, so they are limited per
    email address and per visitor address (``config.limits``); raises LimitReached."""
    limits.hit("guest_signups_per_email", email, now)
    if address:
        limits.hit("guest_signups_per_address", address, now)


def find_registration(token):
    return (
        Registration.objects.select_related("meeting").filter(token_hash=token_hash(token)).first()
    )


def check_open_for_signup(meeting, now=None):
    now = now or timezone.now()
    if meeting.is_cancelled:
        raise SignupRefused(_("The meeting has been cancelled."))
    if meeting.is_past(now) or now >= meeting.starts_at:
        raise SignupRefused(_("The meeting has already taken place."))
    if meeting.signup_deadline and now >= meeting.signup_deadline:
        raise SignupRefused(_("The sign-up deadline has passed."))


def _locked(meeting):
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def _place_for(meeting, municipality_id):
    """CONFIRMED if a seat is free (and the municipality is under its cap), else WAITING.

    Call only with the meeting locked.
    """
    confirmed = meeting.registrations.filter(status=Status.CONFIRMED)
    if meeting.seats is not None and confirmed.count() >= meeting.seats:
        return Status.WAITING
    if (
        meeting.seats_per_municipality is not None
        and municipality_id is not None
        and confirmed.filter(municipality_id=municipality_id).count()
        >= meeting.seats_per_municipality
    ):
        return Status.WAITING
    return Status.CONFIRMED


def _refuse_duplicate(meeting, *, person=None, email=""):
    active = meeting.registrations.filter(status__in=Registration.ACTIVE)
    if (person is not None and active.filter(person=person).exists()) or (
        email and active.filter(email__iexact=email).exists()
    ):
        raise SignupRefused(_("You are already signed up for this meeting."))


def register(meeting, person, now=None):
    """A member signs up with one click: a seat if one is free, else the waiting list.

    The sign-up time is taken inside the lock, so the waiting list's order is the order
    in which people got the lock.
    """
    if not getattr(person, "is_authenticated", False):
        raise PermissionDenied
    if not access.is_in_audience(person, meeting):
        raise SignupRefused(_("This meeting is not open to you."))
    token, hashed = new_token()
    try:
        with transaction.atomic():
            meeting = _locked(meeting)
            now = now or timezone.now()
            check_open_for_signup(meeting, now)
            _refuse_duplicate(meeting, person=person, email=person.email)
            if not network_access.is_agency_staff(person):
                limits.hit("signups", person, now)
            status = _place_for(meeting, person.municipality_id)
            registration = Registration.objects.create(
                meeting=meeting,
                person=person,
                name=person.get_full_name() or person.email,
                email=person.email,
                organisation=str(person.municipality or ""),
                municipality_id=person.municipality_id,
                status=status,
                token_hash=hashed,
                created_at=now,
                confirmed_at=now,
            )
            send_registration_email(registration, token)
    except IntegrityError:
        raise SignupRefused(_("You are already signed up for this meeting.")) from None
    return registration


def register_guest(
    meeting, *, name, email, organisation, municipality=None, address=None, now=None
):
    """A guest signs up for a public meeting; the place counts once the email is confirmed.

    ``address`` is the visitor's network address, for the hourly limit.
    """
    now = now or timezone.now()
    if meeting.audience != Meeting.Audience.PUBLIC:
        raise SignupRefused(_("Log in to sign up for this meeting."))
    email = email.strip().lower()
    errors = {}
    if not name.strip():
        errors["name"] = _("Write your name.")
    if not organisation.strip() and municipality is None:
        errors["organisation"] = _("Write your organisation or choose your municipality.")
    if errors:
        raise ValidationError(errors)
    guard_guest_rate(email, address, now)
    fields = {
        "name": name.strip(),
        "email": email,
        "organisation": organisation.strip() or str(municipality),
        "municipality": municipality,
    }
    try:
        return _sign_up_guest(meeting, fields, now)
    except IntegrityError:  # the same address signed up in between: answer as to a repeat
        return _sign_up_guest(meeting, fields, now)


def _sign_up_guest(meeting, fields, now):
    """An unconfirmed place for a new address; for an address already signed up, an email
    to that address instead, and the same answer as for a new one.

    The form is open to anyone, so its answer must not tell whether an address is signed
    up: the person behind the address learns it from the email (with a fresh link to
    confirm or cancel; the links of earlier emails stop working).
    """
    token, hashed = new_token()
    with transaction.atomic():
        meeting = _locked(meeting)
        check_open_for_signup(meeting, now)
        registration = meeting.registrations.filter(
            status__in=Registration.ACTIVE, email__iexact=fields["email"]
        ).first()
        if registration is None:
            registration = Registration.objects.create(
                meeting=meeting,
                status=Status.UNCONFIRMED,
                token_hash=hashed,
                created_at=now,
                **fields,
            )
            send_guest_confirmation_email(registration, token)
        else:
            registration.token_hash = hashed
            registration.save(update_fields=["token_hash"])
            send_repeated_sign_up_email(registration, token)
    return registration


def confirm_guest(token, now=None):
    """The guest clicked the emailed link: now the place counts (a seat or the waiting list)."""
    now = now or timezone.now()
    with transaction.atomic():
        registration = find_registration(token)
        if registration is None:
            raise SignupRefused(_("The link is not valid."))
        meeting = _locked(registration.meeting)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status != Status.UNCONFIRMED:
            return registration
        check_open_for_signup(meeting, now)
        registration.status = _place_for(meeting, registration.municipality_id)
        registration.confirmed_at = now
        registration.save(update_fields=["status", "confirmed_at"])
        send_registration_email(registration, token)
    return registration


def cancel(registration, now=None):
    """Cancel a place (by its owner, by link, or by an organiser); the first waiting moves up."""
    now = now or timezone.now()
    with transaction.atomic():
        meeting = _locked(registration.meeting)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == Status.CANCELLED:
            return registration
        freed_seat = registration.status == Status.CONFIRMED
        registration.status = Status.CANCELLED
        registration.cancelled_at = now
        registration.save(update_fields=["status", "cancelled_at"])
        if freed_seat and not meeting.is_past(now):
            promote_waiting(meeting)
    return registration


def cancel_by_person(registration, person, now=None):
    if registration.person_id != person.pk and not access.can_organise(person):
        raise PermissionDenied
    return cancel(registration, now)


def promote_waiting(meeting):
    """Move people from the waiting list into free seats, in order. Meeting must be locked.

    A place in the queue counts from when it was confirmed (a guest's from the emailed
    link), else from the sign-up.
    """
    promoted = []
    waiting_list = meeting.registrations.filter(status=Status.WAITING).order_by(
        Coalesce("confirmed_at", "created_at"), "pk"
    )
    for waiting in waiting_list:
        if _place_for(meeting, waiting.municipality_id) != Status.CONFIRMED:
            if meeting.seats is not None and (
                meeting.registrations.filter(status=Status.CONFIRMED).count() >= meeting.seats
            ):
                break
            continue  # this municipality is at its cap; the next in line may not be
        waiting.status = Status.CONFIRMED
        waiting.save(update_fields=["status"])
        promoted.append(waiting)
    for registration in promoted:
        send_promotion_email(registration)
    return promoted


def delete_own_registration(registration, person, now=None):
    """A person deletes their sign-up and its personal data; a seat it held is passed on."""
    if registration.person_id != person.pk:
        raise PermissionDenied
    with transaction.atomic():
        cancel(registration, now)
        registration.delete()


# --- Organisers ----------------------------------------------------------------------------

SCHEDULE_FIELDS = ("starts_at", "ends_at", "address", "city", "online_url")


def save_meeting(meeting, *, changed_by, now=None):
    """Save an organiser's meeting; a change of time or place is emailed to everyone signed up.

    Raising the seats promotes people from the waiting list.
    """
    if not access.can_organise(changed_by):
        raise PermissionDenied
    with transaction.atomic():
        before = Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        changed = before is not None and any(
            getattr(before, name) != getattr(meeting, name) for name in SCHEDULE_FIELDS
        )
        if changed:
            meeting.sequence = before.sequence + 1
        meeting.full_clean()
        meeting.save()
        if before is not None and (
            (meeting.seats, meeting.seats_per_municipality)
            != (before.seats, before.seats_per_municipality)
        ):
            promote_waiting(meeting)
        if changed:
            send_change_emails(meeting)
    return meeting


def cancel_meeting(meeting, *, cancelled_by, now=None):
    if not access.can_organise(cancelled_by):
        raise PermissionDenied
    with transaction.atomic():
        meeting = _locked(meeting)
        if meeting.is_cancelled:
            return meeting
        meeting.cancelled_at = now or timezone.now()
        meeting.sequence += 1
        meeting.save(update_fields=["cancelled_at", "sequence", "updated_at"])
        send_change_emails(meeting)
    return meeting


def mark_attendance(registration, attended, *, marked_by):
    if not access.can_organise(marked_by):
        raise PermissionDenied
    registration.attended = attended
    registration.save(update_fields=["attended"])
    return registration


# --- Reminders and privacy -----------------------------------------------------------------


def registrations_to_remind(now=None):
    """Confirmed places at meetings starting within the next day, not yet reminded for that start.

    A meeting that moved has a new start, so its earlier reminder does not count.
    """
    now = now or timezone.now()
    return (
        Registration.objects.filter(
            status=Status.CONFIRMED,
            meeting__cancelled_at__isnull=True,
            meeting__starts_at__gt=now,
            meeting__starts_at__lte=now + timedelta(days=1),
        )
        .exclude(reminded_for=F("meeting__starts_at"))
        .select_related("meeting")
    )


def send_reminders(now=None):
    sent = 0
    for registration in registrations_to_remind(now):
        # The reminder is queued in the transaction that records it, and only by the run
        # whose update marked it: never twice, also with two runs at once.
        starts_at = registration.meeting.starts_at
        with transaction.atomic():
            marked = (
                Registration.objects.filter(pk=registration.pk)
                .exclude(reminded_for=starts_at)
                .update(reminded_for=starts_at)
            )
            if not marked:
                continue
            send_meeting_email(registration, "reminder")
        sent += 1
    return sent


def anonymise_guests(older_than_days, now=None):
    """Blank the personal data of guest sign-ups to meetings that ended long enough ago."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=older_than_days)
    guests = Registration.objects.filter(
        person__isnull=True, anonymised_at__isnull=True, meeting__ends_at__lt=cutoff
    )
    count = 0
    for registration in guests:
        registration.name = _("Anonymised guest")
        registration.email = f"anonymiseret-{registration.pk}@invalid"
        registration.organisation = ""
        registration.anonymised_at = now
        registration.save(update_fields=["name", "email", "organisation", "anonymised_at"])
        count += 1
    return count


def meetings_of(person):
    """The meetings a person has a place at or is waiting for, for their calendar feed."""
    return Meeting.objects.filter(
        Q(registrations__person=person)
        & Q(registrations__status__in=[Status.CONFIRMED, Status.WAITING])
    ).distinct()


# --- Emails --------------------------------------------------------------------------------


def _links(registration, token):
    base = settings.WAGTAILADMIN_BASE_URL
    return {
        "meeting_url": base + reverse("meetings:meeting", args=[registration.meeting_id]),
        "cancel_url": base + reverse("meetings:cancel_by_link", args=[token]) if token else "",
        "confirm_url": base + reverse("meetings:confirm_guest", args=[token]) if token else "",
    }


# Changes and reminders are notices the person may turn off or gather in a daily digest;
# confirmations, links and a place from the waiting list always go.
NOTICES = {"changed", "cancelled", "reminder"}


def send_meeting_email(registration, template, token="", attach_calendar=True):
    meeting = registration.meeting
    with translation.override(settings.LANGUAGE_CODE):
        context = {"registration": registration, "meeting": meeting, **_links(registration, token)}
        subject = render_to_string(f"meetings/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"meetings/email/{template}_body.txt", context)
    attachments = []
    if attach_calendar:
        attachments.append(("moede.ics", meeting_calendar([meeting]).to_ical(), "text/calendar"))
    if template in NOTICES:
        notices.send_notice(
            NoticeKind.MEETINGS, registration.email, subject, body, attachments=attachments
        )
        return
    message = EmailMessage(subject, body, to=[registration.email])
    for attachment in attachments:
        message.attach(*attachment)
    message.send()


def send_registration_email(registration, token):
    template = "confirmed" if registration.status == Status.CONFIRMED else "waiting"
    send_meeting_email(registration, template, token, attach_calendar=template == "confirmed")


def send_guest_confirmation_email(registration, token):
    send_meeting_email(registration, "confirm_guest", token, attach_calendar=False)


def send_repeated_sign_up_email(registration, token):
    """Someone signed up again with an address that has a place or is waiting for one."""
    if registration.status == Status.UNCONFIRMED:
        send_guest_confirmation_email(registration, token)
    else:
        send_meeting_email(
            registration,
            "signed_up_already",
            token,
            attach_calendar=registration.status == Status.CONFIRMED,
        )


def send_promotion_email(registration):
    send_meeting_email(registration, "promoted")


def send_change_emails(meeting):
    template = "cancelled" if meeting.is_cancelled else "changed"
    for registration in meeting.registrations.filter(status__in=[Status.CONFIRMED, Status.WAITING]):
        send_meeting_email(registration, template)
