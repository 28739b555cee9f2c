"""The visitor's network address, for the login throttle and the guest sign-up limits.

Behind the reverse proxies of the production set-up, ``REMOTE_ADDR`` is the nearest
proxy's address, the same for every visitor: a limit per address would then be one limit
for the whole site. Each trusted proxy appends the address it saw to X-Forwarded-For, so
with ``TRUSTED_PROXY_COUNT`` proxies the visitor's address is that many entries from the
right; what stands further left came from the client and is not to be trusted. Without
proxies (the embedded default) the address is ``REMOTE_ADDR``.
"""

from django.conf import settings


def client_address(request):
    trusted = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR") or None
    if not trusted:
        return remote
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if len(forwarded) < trusted:
        return remote
    return forwarded[-trusted]
