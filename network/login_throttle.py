"""Login throttling: django-axes with its own limit for each lockout parameter.

Staff of one municipality usually share one outgoing address, so the address alone
is locked only after many failures across accounts, while a single account is locked
after a few failures from one address and, against attempts spread over many
addresses, after more from anywhere. The limits are in ``settings.LOGIN_FAILURE_LIMITS``
in the same order as ``AXES_LOCKOUT_PARAMETERS``.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone

logger = logging.getLogger(__name__)

ACCOUNT_FROM_ADDRESS = ("username", "ip_address")
ACCOUNT = ("username",)
ADDRESS = ("ip_address",)


def username_from_credentials(request, credentials):
    """The address typed at login, in lower case: ``Anne@X.dk`` and ``anne@x.dk`` count
    as one account. Taken from the credentials, else from the posted form."""
    source = credentials if credentials else getattr(request, "POST", {})
    username = source.get("username") or ""
    return username.strip().lower() or None


class LoginThrottle(AxesDatabaseHandler):
    """Locked when any lockout parameter has reached its own failure limit.

    axes compares one number, ``get_failures()``, with one limit, AXES_FAILURE_LIMIT.
    Each parameter's count is therefore scaled to that limit: ``failures * limit //
    own_limit`` reaches AXES_FAILURE_LIMIT exactly when ``failures`` reaches
    ``own_limit``.
    """

    def get_failures(self, request, credentials=None) -> int:
        scale = settings.AXES_FAILURE_LIMIT
        attempts_per_parameter = self.get_user_attempts(request, credentials)
        own_limits = settings.LOGIN_FAILURE_LIMITS.values()
        return max(
            (attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0)
            * scale
            // own_limit
            for attempts, own_limit in zip(attempts_per_parameter, own_limits, strict=True)
        )

    def reset_user_attempts(self, request, credentials=None) -> int:
        """After a successful login, forget that person's own failures only.

        axes would also delete every failure from the address, so anyone with a
        valid login could wipe the count of an attack from the same address.
        """
        username = username_from_credentials(request, credentials)
        deleted, _ = AccessAttempt.objects.filter(username=username).delete()
        return deleted


@dataclass(frozen=True)
class Lockout:
    """An account (from one address, or from anywhere) or an address that cannot log in."""

    username: str
    ip_address: str
    failures: int
    until: datetime


def lockouts(now=None):
    """The accounts and the addresses locked out now, each by its own limit; three
    queries, however many failures there are."""
    now = now or timezone.now()
    cooloff = settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(attempt_time__gte=now - cooloff)
    limits = settings.LOGIN_FAILURE_LIMITS

    def locked(parameters):
        return (
            recent.values(*parameters)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=limits[parameters])
            .order_by("-last")
        )

    accounts = [
        Lockout(row["username"], row["ip_address"], row["failures"], row["last"] + cooloff)
        for row in locked(ACCOUNT_FROM_ADDRESS)
    ] + [
        Lockout(row["username"], "", row["failures"], row["last"] + cooloff)
        for row in locked(ACCOUNT)
    ]
    addresses = [
        Lockout("", row["ip_address"], row["failures"], row["last"] + cooloff)
        for row in locked(ADDRESS)
    ]
    return sorted(accounts, key=lambda lockout: lockout.until, reverse=True), addresses


def lift_account_lockout(username, lifted_by):
    """Forget the account's failures from every address; the number forgotten."""
    forgotten = reset(username=username)
    logger.info("%s lifted the login lockout of the account %s.", lifted_by, username)
    return forgotten


def lift_address_lockout(ip_address, lifted_by):
    """Forget every failure from the address (for any account); the number forgotten."""
    forgotten = reset(ip=ip_address)
    logger.info("%s lifted the login lockout of the address %s.", lifted_by, ip_address)
    return forgotten
