"""Response headers and cookies: the Content-Security-Policy, session and CSRF cookies."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.network.factories import agency_editor, municipal_person

pytestmark = pytest.mark.django_db

PASSWORD = "et-godt-kodeord-2026"


def directives(response):
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def test_site_pages_get_a_strict_policy(client):
    policy = directives(client.get(reverse("network:login")))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'", settings.NO_JS_SWITCH_HASH]
    assert policy["style-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"]
    assert not any("unsafe" in value for values in policy.values() for value in values)


def test_forms_may_lead_on_to_the_mitid_provider_only_when_one_is_configured(client, settings):
    """The logout form ends the session at the provider too (RP-initiated logout)."""
    settings.MITID = {
        **settings.MITID,
        "DISCOVERY_URL": "https://broker.example:8443/oidc/.well-known/openid-configuration",
        "CLIENT_ID": "partnerskab",
    }
    policy = directives(client.get(reverse("network:login")))
    assert policy["form-action"] == ["'self'", "https://broker.example:8443"]


def test_only_the_wagtail_admin_may_run_inline_scripts_and_styles(client):
    client.force_login(agency_editor())
    policy = directives(client.get(reverse("wagtailadmin_home")))
    assert "'unsafe-inline'" in policy["script-src"]
    # No hash beside it: a browser would then ignore 'unsafe-inline'.
    assert not any(source.startswith("'sha256-") for source in policy["script-src"])
    assert "'unsafe-inline'" in policy["style-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"]


def test_session_and_csrf_cookies_are_not_readable_by_scripts(client):
    municipal_person("Randers", email="anne@randers.example", password=PASSWORD)
    client.get(reverse("network:login"))
    csrf = client.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"

    client.post(
        reverse("network:login"), {"username": "anne@randers.example", "password": PASSWORD}
    )
    session = client.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert 0 < int(session["max-age"]) <= 60 * 60 * 12


def test_a_login_rotates_the_session_key(client):
    municipal_person("Randers", email="anne@randers.example", password=PASSWORD)
    client.get(reverse("network:login"))
    client.session["note"] = "før login"
    client.session.save()
    before = client.session.session_key
    client.post(
        reverse("network:login"), {"username": "anne@randers.example", "password": PASSWORD}
    )
    assert client.session.session_key != before


def test_pages_refuse_framing_and_sniffing(client):
    response = client.get(reverse("network:login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_a_form_sent_without_a_valid_security_token_says_nothing_was_saved():
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("network:login"), {"username": "anne@randers.example", "password": "x"}
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "Formularen kunne ikke sendes" in page
    assert "Intet blev gemt" in page
    assert 'role="alert"' in page
