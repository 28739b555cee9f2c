"""The ID token's claims from the test's people.json, and tokens wrong on purpose.

An entry: ``{"password": ..., "claims": {...}, "id_token": {...}, "tamper": {...}}``.
``id_token`` overrides claims the provider and oauthlib set (``aud``, ``iss``,
``nonce``; ``exp_in`` is seconds from now, negative for an expired token); ``tamper`` changes
claims after the token was signed, so its signature no longer fits.
"""

import base64
import json
import os
import time
from pathlib import Path

from oauth2_provider.oauth2_validators import OAuth2Validator


def person(username):
    people = json.loads(Path(os.environ["OIDC_PROVIDER_PEOPLE"]).read_text())
    return people.get(username)


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class ClaimsFromFile(OAuth2Validator):
    # Every claim of the entry goes into the ID token, whatever its name.
    oidc_claim_scope = None

    def get_additional_claims(self, request):
        return dict((person(request.user.username) or {}).get("claims", {}))

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        overrides = dict((person(request.user.username) or {}).get("id_token", {}))
        if "exp_in" in overrides:
            claims["exp"] = int(time.time()) + overrides.pop("exp_in")
        claims.update(overrides)
        return claims, expiration_time

    def finalize_id_token(self, id_token, token, token_handler, request):
        signed = super().finalize_id_token(id_token, token, token_handler, request)
        tamper = (person(request.user.username) or {}).get("tamper")
        if tamper:
            header, payload, signature = signed.split(".")
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            claims.update(tamper)
            signed = ".".join([header, _b64(json.dumps(claims).encode()), signature])
        return signed
