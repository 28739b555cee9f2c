"""Logging in with MitID Erhverv over OpenID Connect (authorization code, PKCE, state, nonce).

The protocol is Authlib's: it reads the provider's discovery document, sends the
person to the authorization endpoint with a PKCE challenge, a state and a nonce kept
in the session, exchanges the code (client secret or private-key JWT), checks the ID
token's signature against the provider's published keys and its issuer, audience,
expiry and nonce, and builds the RP-initiated logout URL. Nothing here names one
broker: the provider, the client and the claim names come from ``settings.MITID``.

This module decides who the person behind a checked token is (``identify``): the
persistent professional id identifies them; the token's CVR number must be their
municipality's. A refusal carries a reason code for the log, never a name, an email
address or an id from the token.
"""

import logging
from dataclasses import dataclass
from pathlib import Path

from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.django_client import OAuth
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from joserfc.errors import ClaimError, JoseError
from requests import RequestException

from network import services
from network.models import Invitation, RoleAssignment, User
from network.services import ROLE_GROUPS

logger = logging.getLogger(__name__)

#: Session keys: the invitation being accepted, the ID token for the logout at the
#: provider, and the page to return to.
INVITATION_SESSION_KEY = "mitid_invitation"
ID_TOKEN_SESSION_KEY = "mitid_id_token"
NEXT_SESSION_KEY = "mitid_next"
#: Seconds of clock difference allowed between the provider and us.
CLOCK_LEEWAY = 60


class Refused(Exception):
    """A login that must not happen. ``reason`` is a code for the log and the page."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


# Reasons, each with its own page text in views/mitid.py.
UNKNOWN_IDENTITY = "unknown_identity"
WRONG_ORGANISATION = "wrong_organisation"
MUNICIPALITY_WITHOUT_CVR = "municipality_without_cvr"
IDENTITY_TAKEN = "identity_taken"
INACTIVE = "inactive"
AGENCY_STAFF = "agency_staff"
INVITATION_GONE = "invitation_gone"
MISSING_CLAIMS = "missing_claims"


def is_configured():
    config = settings.MITID
    return bool(config["DISCOVERY_URL"] and config["CLIENT_ID"])


def password_login_allowed(person):
    """With MITID_ONLY_FOR_MUNICIPAL_STAFF, only agency staff and administrators use a
    password; municipal staff come in through MitID Erhverv. ``person`` may also be an
    invitation: then whether it can be accepted with a password; ``None`` asks whether
    everyone may use a password."""
    if not (settings.MITID_ONLY_FOR_MUNICIPAL_STAFF and is_configured()):
        return True
    if person is None:
        return False
    return bool(getattr(person, "is_superuser", False) or person.is_agency_staff)


class MunicipalPasswordGuard:
    """With MITID_ONLY_FOR_MUNICIPAL_STAFF, refuses municipal staff's password wherever it
    is tried (the site's login, the Wagtail admin's); listed before ModelBackend.

    An authentication backend with ``authenticate`` only: no ``get_user``, so no session
    is ever tied to it (and ``force_login`` passes it by).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None or password_login_allowed(None):
            return None
        person = User.objects.filter(email__iexact=username.strip()).first()
        if person is not None and not password_login_allowed(person):
            raise PermissionDenied
        return None


def start(request, redirect_uri):
    """The redirect to the provider's login, with PKCE, a state and a nonce in the session."""
    try:
        return client().authorize_redirect(request, redirect_uri)
    except (RequestException, ValueError, RuntimeError):
        raise Refused("provider_unreachable") from None


def logout_url(request, id_token, post_logout_redirect_uri):
    """The provider's end-session URL (RP-initiated logout), or None when it has none."""
    try:
        if not client().load_server_metadata().get("end_session_endpoint"):
            return None
        return client().logout_redirect(
            request,
            post_logout_redirect_uri=post_logout_redirect_uri,
            id_token_hint=id_token,
        )["Location"]
    except (RequestException, ValueError):
        logger.warning("MitID Erhverv: the provider could not be reached for the logout.")
        return None


_clients = {}


def client():
    """The Authlib client for the configured provider (one per configuration)."""
    config = settings.MITID
    key = (
        config["DISCOVERY_URL"],
        config["CLIENT_ID"],
        config["CLIENT_SECRET"],
        config["PRIVATE_KEY_FILE"],
        tuple(config["SCOPES"]),
    )
    if key not in _clients:
        _clients[key] = _register(config)
    return _clients[key]


def _register(config):
    scopes = list(config["SCOPES"])
    if "openid" not in scopes:
        # Without it there is no ID token and no nonce: not OpenID Connect.
        scopes.insert(0, "openid")
    client_kwargs = {
        "scope": " ".join(scopes),
        "code_challenge_method": "S256",
        "default_timeout": config["TIMEOUT"],
    }
    secret = config["CLIENT_SECRET"]
    auth_methods = None
    if config["PRIVATE_KEY_FILE"]:
        # private_key_jwt (RFC 7523): the client proves itself with a JWT signed with its
        # own key, whose public half the provider has; NemLog-in asks for this.
        try:
            secret = Path(config["PRIVATE_KEY_FILE"]).read_text()
        except OSError as error:
            raise ImproperlyConfigured(f"MITID_PRIVATE_KEY_FILE cannot be read: {error}") from None
        headers = {"kid": config["PRIVATE_KEY_ID"]} if config["PRIVATE_KEY_ID"] else None
        auth_methods = [PrivateKeyJWT(headers=headers, alg="RS256")]
        client_kwargs["token_endpoint_auth_method"] = "private_key_jwt"
    authorize_params = {"acr_values": config["ACR_VALUES"]} if config["ACR_VALUES"] else None
    oauth = OAuth()
    return oauth.register(
        "mitid",
        client_id=config["CLIENT_ID"],
        client_secret=secret,
        server_metadata_url=config["DISCOVERY_URL"],
        client_kwargs=client_kwargs,
        client_auth_methods=auth_methods,
        authorize_params=authorize_params,
    )


def checked_claims(request):
    """Exchange the code in the callback; the ID token's checked claims, and the token.

    Authlib takes the state (and with it the PKCE verifier and the nonce) out of the
    session, so a callback can be used once; then it checks the token. Any failure
    is a ``Refused`` with a reason code that names what failed, nothing else.
    """
    try:
        token = client().authorize_access_token(request, leeway=CLOCK_LEEWAY)
    except MismatchingStateError:
        raise Refused("state_mismatch") from None
    except OAuthError as error:
        raise Refused(f"provider_error:{error.error or 'unknown'}") from None
    except ClaimError as error:
        raise Refused(f"{error.error}:{error.claim}") from None
    except JoseError as error:
        raise Refused(error.error or "invalid_token") from None
    except (RequestException, ValueError):
        raise Refused("provider_unreachable") from None
    claims = token.get("userinfo")
    if not claims:
        raise Refused("no_id_token")
    return dict(claims), token["id_token"]


@dataclass(frozen=True)
class Identity:
    """What the platform uses from a checked token; the CPR number is never asked for."""

    professional_id: str
    cvr: str
    organisation: str
    name: str
    email: str

    @classmethod
    def from_claims(cls, claims):
        names = settings.MITID["CLAIMS"]

        def claim(what):
            value = claims.get(names[what])
            return str(value).strip() if value is not None else ""

        identity = cls(
            professional_id=claim("professional_id"),
            cvr=claim("cvr"),
            organisation=claim("org_name"),
            name=claim("name"),
            email=claim("email").lower(),
        )
        if not identity.professional_id or not identity.cvr:
            raise Refused(MISSING_CLAIMS)
        return identity

    def split_name(self):
        first, _, last = self.name.rpartition(" ")
        return (first, last) if first else (last, "")


def identify(identity, *, invitation_token=None):
    """The person this identity logs in as, linking it on the first login.

    In this order: the person already linked to the professional id; the invitation
    being accepted; an existing person or an open invitation with the token's email
    address, not yet linked. Each must be in the municipality with the token's CVR
    number. Anything else is refused, and no account is created.
    """
    person = (
        User.objects.select_related("municipality")
        .filter(professional_id=identity.professional_id)
        .first()
    )
    if person is not None:
        _check_person(person, identity)
        return person
    if invitation_token:
        return _accept_invitation(identity, services.find_invitation(invitation_token))
    if identity.email:
        person = (
            User.objects.select_related("municipality")
            .filter(email__iexact=identity.email, professional_id__isnull=True)
            .first()
        )
        if person is not None:
            _check_person(person, identity)
            return _link(person, identity)
        now = timezone.now()
        invitation = (
            Invitation.objects.select_related("municipality")
            .filter(email__iexact=identity.email, accepted_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        if invitation is not None:
            return _accept_invitation(identity, invitation)
    raise Refused(UNKNOWN_IDENTITY)


def _check_municipality(municipality, identity):
    if municipality is None:
        raise Refused(AGENCY_STAFF)
    if not municipality.cvr:
        raise Refused(MUNICIPALITY_WITHOUT_CVR)
    if municipality.cvr != identity.cvr:
        raise Refused(WRONG_ORGANISATION)


def _check_person(person, identity):
    if not person.is_active:
        raise Refused(INACTIVE)
    _check_municipality(person.municipality, identity)


def _link(person, identity):
    with transaction.atomic():
        taken = User.objects.filter(professional_id=identity.professional_id).exists()
        if taken:
            raise Refused(IDENTITY_TAKEN)
        person.professional_id = identity.professional_id
        person.save(update_fields=["professional_id"])
    return person


def _accept_invitation(identity, invitation):
    """Create the invited person with this identity instead of a password."""
    if invitation is None:
        raise Refused(INVITATION_GONE)
    _check_municipality(invitation.municipality, identity)
    first_name, last_name = identity.split_name()
    try:
        with transaction.atomic():
            invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
            if not invitation.is_usable():
                raise Refused(INVITATION_GONE)
            if User.objects.filter(professional_id=identity.professional_id).exists():
                raise Refused(IDENTITY_TAKEN)
            if User.objects.filter(email__iexact=invitation.email).exists():
                raise Refused(IDENTITY_TAKEN)
            person = User(
                email=invitation.email,
                first_name=invitation.first_name or first_name,
                last_name=invitation.last_name or last_name,
                municipality=invitation.municipality,
                professional_id=identity.professional_id,
            )
            person.set_unusable_password()
            person.save()
            for role in invitation.roles:
                RoleAssignment.objects.create(person=person, role=role)
                if role in ROLE_GROUPS:
                    person.groups.add(Group.objects.get(name=ROLE_GROUPS[role]))
            invitation.accepted_at = timezone.now()
            invitation.accepted_by = person
            invitation.save(update_fields=["accepted_at", "accepted_by"])
    except IntegrityError:
        raise Refused(IDENTITY_TAKEN) from None
    return person


def log_refusal(reason):
    """Log a refused login by its reason code only: no names, addresses or ids."""
    logger.warning("MitID Erhverv login refused: %s", reason)
