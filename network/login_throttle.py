"""Login throttling: django-axes with its own limit for each lockout parameter.

Staff of one municipality usually share one outgoing address, so the address alone
is locked only after many failures across accounts, while a single account is locked
after a few failures from one address and, against attempts spread over many
addresses, after more from anywhere. The limits are in ``settings.LOGIN_FAILURE_LIMITS``
in the same order as ``AXES_LOCKOUT_PARAMETERS``.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


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
