"""Logging in with MitID Erhverv: the way to the provider, the way back, the refusal page.

The protocol and the rules (who the identity is, whether its organisation fits) are in
``network.mitid``; these views only move the person between us and the provider.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from network import mitid, overview, services

TEMPLATE = "network/accounts/mitid_refused.html"
#: Reasons about the person, each with its own text on the refusal page; every other
#: reason (state, nonce, signature, expiry, issuer, audience, the provider) is a failed
#: check of the login itself.
PERSON_REASONS = {
    mitid.UNKNOWN_IDENTITY,
    mitid.WRONG_ORGANISATION,
    mitid.MUNICIPALITY_WITHOUT_CVR,
    mitid.IDENTITY_TAKEN,
    mitid.INACTIVE,
    mitid.AGENCY_STAFF,
    mitid.INVITATION_GONE,
    mitid.MISSING_CLAIMS,
}


def _configured():
    if not mitid.is_configured():
        raise Http404


def _callback_uri(request):
    return request.build_absolute_uri(reverse("network:mitid_callback"))


def _refused(request, reason):
    """The refusal page; whoever was logged in before stays so (no one else is logged in)."""
    mitid.log_refusal(reason)
    shown = reason if reason in PERSON_REASONS else "failed_check"
    return render(request, TEMPLATE, {"reason": shown}, status=403)


@never_cache
@require_GET
def mitid_login(request):
    """Off to the provider; ``next`` is kept for the way back."""
    _configured()
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    request.session.pop(mitid.INVITATION_SESSION_KEY, None)
    request.session[mitid.NEXT_SESSION_KEY] = next_url
    try:
        return mitid.start(request, _callback_uri(request))
    except mitid.Refused as refusal:
        return _refused(request, refusal.reason)


@never_cache
@require_GET
def mitid_accept_invitation(request, token):
    """Accept the invitation with MitID Erhverv instead of choosing a password."""
    _configured()
    if services.find_invitation(token) is None:
        return render(request, "network/accounts/invitation_gone.html", status=404)
    request.session[mitid.INVITATION_SESSION_KEY] = token
    request.session[mitid.NEXT_SESSION_KEY] = ""
    try:
        return mitid.start(request, _callback_uri(request))
    except mitid.Refused as refusal:
        return _refused(request, refusal.reason)


@never_cache
@require_GET
def mitid_callback(request):
    """Back from the provider: check the token, find the person, log them in."""
    _configured()
    invitation_token = request.session.pop(mitid.INVITATION_SESSION_KEY, None)
    next_url = request.session.pop(mitid.NEXT_SESSION_KEY, "")
    try:
        claims, id_token = mitid.checked_claims(request)
        identity = mitid.Identity.from_claims(claims)
        person = mitid.identify(identity, invitation_token=invitation_token)
    except mitid.Refused as refusal:
        return _refused(request, refusal.reason)
    login(request, person, backend="django.contrib.auth.backends.ModelBackend")
    # The ID token ends the session at the provider when the person logs out.
    request.session[mitid.ID_TOKEN_SESSION_KEY] = id_token
    if invitation_token:
        messages.success(
            request,
            _("Welcome, %(name)s. Your login is ready and you are logged in.")
            % {"name": person.get_full_name() or person.email},
        )
    return redirect(overview.landing_url(request, next_url))


urlpatterns = [
    path("konto/mitid/", mitid_login, name="mitid_login"),
    path("konto/mitid/retur/", mitid_callback, name="mitid_callback"),
    path(
        "invitation/<str:token>/mitid/",
        mitid_accept_invitation,
        name="mitid_accept_invitation",
    ),
]
