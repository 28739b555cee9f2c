"""The second factor of agency staff: codes from an authenticator app (TOTP) and recovery codes.

Agency editors, moderators and directors, and administrators, can assess and decide
grants and see every municipality's data. With ``settings.SECOND_FACTOR_REQUIRED`` (on
in production) a right password does not log them in: the person is *pending* in the
session until they give a code from their authenticator app (set up at their first
login) or one of their recovery codes, and only then logged in, for the site and the
Wagtail admin alike, since both share the session. The devices are django-otp's
(``TOTPDevice``, ``StaticDevice``), which also throttle wrong codes: after each wrong
code the next try must wait twice as long, whatever code it brings. A recovery code
works once. An administrator resets a lost device in the admin; the reset is logged.
"""

import base64
import logging
import time

import django_otp
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model, login, logout
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import redirect, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.log_actions import log

from network import access

logger = logging.getLogger(__name__)

PENDING_SESSION_KEY = "second_factor_pending"
NEW_RECOVERY_CODES_SESSION_KEY = "second_factor_new_recovery_codes"
#: How long a right password waits for the code, in seconds.
PENDING_SECONDS = 10 * 60
#: Wrong codes in one pending login before the password must be given again.
MAX_WRONG_CODES = 10
RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Godkendelses-app"
RECOVERY_DEVICE_NAME = "Gendannelseskoder"
RESET_ACTION = "network.second_factor_reset"
TOTP_DIGITS = 6


def is_required_for(person):
    """Agency staff and administrators need the second factor when the setting is on."""
    if not settings.SECOND_FACTOR_REQUIRED or not person.is_active:
        return False
    return bool(person.is_superuser or person.is_agency_staff or access.is_agency_staff(person))


def app_device(person, confirmed=True):
    return TOTPDevice.objects.filter(user=person, confirmed=confirmed).order_by("pk").first()


# --- Pending logins ---------------------------------------------------------------------


def begin(request, person, next_url, backend):
    """The password was right: keep the person pending and ask for the code."""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    request.session.cycle_key()
    request.session[PENDING_SESSION_KEY] = {
        "person": person.pk,
        "backend": backend,
        "next": next_url or resolve_url(settings.LOGIN_REDIRECT_URL),
        "since": time.time(),
        "wrong": 0,
    }
    if app_device(person) is None:
        return redirect("network:second_factor_setup")
    return redirect("network:second_factor_verify")


def pending_person(request):
    """The person waiting to give their code, or None (none, or waited too long)."""
    pending = request.session.get(PENDING_SESSION_KEY)
    if not pending:
        return None
    if time.time() - pending["since"] > PENDING_SECONDS:
        del request.session[PENDING_SESSION_KEY]
        return None
    return get_user_model().objects.filter(pk=pending["person"], is_active=True).first()


def count_wrong_code(request):
    """Count a wrong code; True when the pending login is ended for too many."""
    pending = request.session[PENDING_SESSION_KEY]
    pending["wrong"] += 1
    request.session.modified = True
    if pending["wrong"] >= MAX_WRONG_CODES:
        del request.session[PENDING_SESSION_KEY]
        logger.warning("A pending login ended after %s wrong codes.", MAX_WRONG_CODES)
        return True
    return False


def complete(request, person, device):
    """Log the person in, verified by the device; the page they wanted next."""
    pending = request.session.pop(PENDING_SESSION_KEY)
    login(request, person, backend=pending["backend"])
    django_otp.login(request, device)
    return pending["next"]


# --- Devices ------------------------------------------------------------------------------


def unconfirmed_app_device(person):
    """The app device being set up: one per person, kept until it is confirmed."""
    device = app_device(person, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=person, name=APP_DEVICE_NAME, confirmed=False)
    return device


def readable_secret(device):
    """The app's secret for typing in by hand: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


class Throttled(Exception):
    """Too many wrong codes just now: wait until ``until``."""

    def __init__(self, until):
        super().__init__(until)
        self.until = until


def _check_allowed(device):
    allowed, details = device.verify_is_allowed()
    if not allowed:
        raise Throttled((details or {}).get("locked_until"))


def confirm_app_device(device, code):
    """Confirm the new app device with a code from it; then new recovery codes.

    Returns the recovery codes (shown once), or None for a wrong code.
    """
    _check_allowed(device)
    if not device.verify_token(code):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return new_recovery_codes(device.user)


def new_recovery_codes(person):
    """Replace the person's recovery codes with new ones; each works once."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=person).delete()
        device = StaticDevice.objects.create(user=person, name=RECOVERY_DEVICE_NAME)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def verify(person, code):
    """The device that accepts the code (app code, or a recovery code used up), or None.

    Raises Throttled while the device that would check the code is waiting after a
    wrong one, so that waiting cannot be skipped by trying many codes.
    """
    code = "".join(code.split()).lower()
    device = app_device(person)
    if code.isdigit() and len(code) == TOTP_DIGITS:
        if device is None:
            return None
        _check_allowed(device)
        return device if device.verify_token(code) else None
    recovery = StaticDevice.objects.filter(user=person).first()
    if recovery is None or not code:
        return None
    _check_allowed(recovery)
    return recovery if recovery.verify_token(code) else None


def people_with_devices():
    """People with an app or recovery codes, each with ``recovery_codes_left``."""
    return (
        get_user_model()
        .objects.filter(Q(totpdevice__confirmed=True) | Q(staticdevice__isnull=False))
        .annotate(recovery_codes_left=Count("staticdevice__token_set", distinct=True))
        .order_by("first_name", "last_name", "email")
        .distinct()
    )


def reset(person, *, reset_by):
    """Remove the person's app and recovery codes (a lost phone): set up anew at next login.

    Logged in Wagtail's history of actions and in the server log.
    """
    if not reset_by.is_superuser:
        raise PermissionError("Only administrators reset a second factor.")
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=person).delete()[0]
        removed += StaticDevice.objects.filter(user=person).delete()[0]
        log(person, RESET_ACTION, user=reset_by)
    logger.info("Administrator %s reset the second factor of person %s.", reset_by.pk, person.pk)
    return removed


# --- The guard ------------------------------------------------------------------------------


def needs_code(request):
    """Whether the session's person must still give a code: staff not verified by a device."""
    user = getattr(request, "user", None)
    if not (user is not None and user.is_authenticated and is_required_for(user)):
        return False
    device_id = request.session.get(django_otp.DEVICE_ID_SESSION_KEY)
    device = Device.from_persistent_id(device_id) if device_id else None
    return device is None or device.user_id != user.pk


class SecondFactorMiddleware:
    """Turns a session of agency staff without a code into a pending login.

    Checked before the view (a session from before the setting was turned on) and after
    it (a password just accepted, by the site's login or by the Wagtail admin's), so a
    session of staff is never sent back logged in without a code.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if needs_code(request):
            next_url = request.get_full_path() if request.method == "GET" else ""
            return self._pending(request, next_url)
        response = self.get_response(request)
        if needs_code(request):
            return self._pending(request, response.get("Location", ""))
        return response

    def _pending(self, request, next_url):
        person = request.user
        backend = request.session.get(BACKEND_SESSION_KEY, settings.AUTHENTICATION_BACKENDS[-1])
        logout(request)
        return begin(request, person, next_url, backend)
