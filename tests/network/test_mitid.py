"""Logging in with MitID Erhverv against a real OpenID Connect provider (its own process,
tests/oidc_provider): the person found by the professional id, linked through an
invitation, and every refusal (unknown identity, wrong organisation, a token expired,
changed, for another audience or issuer, with another nonce, a state used twice or made
up), each logged without personal data and with nobody logged in."""

from urllib.parse import parse_qs, urlencode, urljoin, urlparse

import pytest
import requests
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import ImproperlyConfigured
from django.test import Client as client_class
from django.urls import reverse
from joserfc import jwt
from joserfc.jwk import RSAKey

from cms.models import SiteSettings
from network import mitid, services
from network.models import Invitation, Role, User
from tests.network.factories import (
    DEFAULT_PASSWORD,
    agency_editor,
    municipal_person,
    municipality_with_cvr,
    nemlogin_claims,
)
from tests.oidc_provider.process import PASSWORD, private_key_pem

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

RANDERS_CVR = "29189668"
AARHUS_CVR = "55133018"


def at_provider(client, start_url, username, browser=None):
    """Start at ``start_url`` here, log in at the provider as ``username``; the URL the
    provider sends the browser back to (our callback with code and state).

    ``browser`` (a requests session) stands for the browser's cookies at the provider."""
    response = client.get(start_url)
    assert response.status_code == 302, response
    authorize = response["Location"]
    assert authorize.startswith(mitid.client().load_server_metadata()["authorization_endpoint"])
    query = parse_qs(urlparse(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
    browser = browser if browser is not None else requests.Session()
    login_page = browser.get(authorize, allow_redirects=False)
    assert login_page.status_code == 302
    login_url = urljoin(authorize, login_page.headers["Location"])
    next_url = parse_qs(urlparse(login_url).query)["next"][0]
    logged_in = browser.post(
        login_url,
        data={"username": username, "password": PASSWORD, "next": next_url},
        allow_redirects=False,
    )
    assert logged_in.status_code == 302, logged_in.text
    back = browser.get(urljoin(login_url, logged_in.headers["Location"]), allow_redirects=False)
    assert back.status_code == 302, back.text
    return back.headers["Location"]


def log_in(client, username, start_url=None, browser=None):
    start_url = start_url or reverse("network:mitid_login")
    callback = at_provider(client, start_url, username, browser)
    return client.get(callback), callback


def logged_in_person(client):
    return client.session.get(SESSION_KEY)


def test_a_linked_person_logs_in_and_lands_on_the_overview(client, mitid_provider):
    municipality_with_cvr("Randers")
    person = municipal_person("Randers", Role.PROJECT_LEADER, professional_id="pid-anne")
    username = mitid_provider.person(
        "anne", nemlogin_claims("pid-anne", RANDERS_CVR, email="ny-adresse@randers.example")
    )

    response, _callback = log_in(client, username)

    assert response.status_code == 302 and response["Location"] == reverse("network:overview")
    assert logged_in_person(client) == str(person.pk)


def test_a_later_login_with_a_new_email_still_finds_the_person_by_the_professional_id(
    client, mitid_provider
):
    municipality_with_cvr("Randers")
    person = municipal_person("Randers", email="gammel@randers.example", professional_id="pid-1")
    other = municipal_person("Randers", email="ny@randers.example")
    mitid_provider.person("ny-mail", nemlogin_claims("pid-1", RANDERS_CVR, "ny@randers.example"))

    log_in(client, "ny-mail")

    assert logged_in_person(client) == str(person.pk)
    other.refresh_from_db()
    assert other.professional_id is None


def test_an_existing_person_is_linked_by_email_at_the_first_login(client, mitid_provider):
    municipality_with_cvr("Randers")
    person = municipal_person("Randers", email="bo@randers.example")
    mitid_provider.person("bo", nemlogin_claims("pid-bo", RANDERS_CVR, "BO@randers.example"))

    log_in(client, "bo")

    assert logged_in_person(client) == str(person.pk)
    person.refresh_from_db()
    assert person.professional_id == "pid-bo"


def test_an_invitation_is_accepted_with_mitid_erhverv_instead_of_a_password(client, mitid_provider):
    randers = municipality_with_cvr("Randers")
    _invitation, token = services.invite(
        "invitation@randers.example",
        invited_by=agency_editor(),
        municipality=randers,
        roles=[Role.PROJECT_LEADER],
    )
    page = client.get(reverse("network:accept_invitation", args=[token]))
    accept_url = reverse("network:mitid_accept_invitation", args=[token])
    assert accept_url in page.content.decode()
    # The token's email differs from the invitation's: the invitation link decides.
    mitid_provider.person(
        "inviteret",
        nemlogin_claims("pid-ny", RANDERS_CVR, "privat@example.com", name="Ida Marie Holm"),
    )

    response, _callback = log_in(client, "inviteret", start_url=accept_url)

    assert response["Location"] == reverse("network:overview")
    person = User.objects.get(professional_id="pid-ny")
    assert logged_in_person(client) == str(person.pk)
    assert (person.email, person.municipality, person.get_full_name()) == (
        "invitation@randers.example",
        randers,
        "Ida Marie Holm",
    )
    assert not person.has_usable_password()
    assert list(person.role_assignments.values_list("role", flat=True)) == [Role.PROJECT_LEADER]
    assert Invitation.objects.get().accepted_by == person
    assert services.find_invitation(token) is None


def assert_refused(response, client, caplog, reason, *personal, logged_in=None):
    """Refused with ``reason`` in the log (and none of ``personal``); the session's person
    is still ``logged_in`` (nobody, unless someone was logged in before)."""
    assert response.status_code == 403
    assert client.session.get(SESSION_KEY) == logged_in
    logged = [r.getMessage() for r in caplog.records if r.name == "network.mitid"]
    assert len(logged) == 1 and reason in logged[0], logged
    for value in personal:
        assert value not in logged[0]
    return response.content.decode()


def test_an_unknown_identity_gets_whom_to_contact_and_no_account(client, mitid_provider, caplog):
    municipality_with_cvr("Randers")
    site_settings = SiteSettings.load()
    site_settings.contact_email = "tilskud@socialstyrelsen.example"
    site_settings.save()
    mitid_provider.person(
        "ukendt", nemlogin_claims("pid-ukendt", RANDERS_CVR, "ukendt@randers.example")
    )
    people = User.objects.count()

    response, _callback = log_in(client, "ukendt")

    page = assert_refused(
        response, client, caplog, "unknown_identity", "pid-ukendt", "ukendt@randers.example"
    )
    assert "ikke kendt på partnerskabsplatformen" in page
    assert "Der er ikke oprettet noget login" in page
    assert 'href="mailto:tilskud@socialstyrelsen.example"' in page
    assert User.objects.count() == people


def test_an_invitation_to_another_municipality_is_refused(client, mitid_provider, caplog):
    randers = municipality_with_cvr("Randers")
    municipality_with_cvr("Aarhus")
    _invitation, token = services.invite(
        "skift@randers.example", invited_by=agency_editor(), municipality=randers
    )
    mitid_provider.person("aarhus", nemlogin_claims("pid-aarhus", AARHUS_CVR))

    response, _callback = log_in(
        client, "aarhus", start_url=reverse("network:mitid_accept_invitation", args=[token])
    )

    assert_refused(response, client, caplog, "wrong_organisation", "pid-aarhus", AARHUS_CVR)
    assert not User.objects.filter(email="skift@randers.example").exists()
    assert services.find_invitation(token) is not None


def test_a_person_whose_token_names_another_organisation_is_refused(client, mitid_provider, caplog):
    municipality_with_cvr("Randers")
    municipality_with_cvr("Aarhus")
    municipal_person("Randers", professional_id="pid-skiftet-job")
    mitid_provider.person("skiftet", nemlogin_claims("pid-skiftet-job", AARHUS_CVR))

    response, _callback = log_in(client, "skiftet")

    page = assert_refused(response, client, caplog, "wrong_organisation", "pid-skiftet-job")
    assert "ny invitation" in page


def test_agency_staff_are_sent_to_the_password_login(client, mitid_provider, caplog):
    agency_editor(email="redaktoer@socialstyrelsen.example")
    mitid_provider.person(
        "styrelse", nemlogin_claims("pid-s", "26144381", "redaktoer@socialstyrelsen.example")
    )

    response, _callback = log_in(client, "styrelse")

    assert_refused(response, client, caplog, "agency_staff")


@pytest.mark.parametrize(
    ("wrong", "reason"),
    [
        ({"tamper": {"nemlogin.cvr": RANDERS_CVR}}, "bad_signature"),
        ({"id_token": {"exp_in": -3600}}, "expired_token"),
        ({"id_token": {"aud": "another-client"}}, "missing_claim:azp"),
        ({"id_token": {"iss": "http://127.0.0.1:1/o"}}, "invalid_claim:iss"),
        ({"id_token": {"nonce": "another-nonce"}}, "invalid_claim:nonce"),
    ],
    ids=["changed after signing", "expired", "audience", "issuer", "nonce"],
)
def test_a_token_that_fails_a_check_is_refused(client, mitid_provider, caplog, wrong, reason):
    municipality_with_cvr("Randers")
    municipality_with_cvr("Aarhus")
    municipal_person("Randers", professional_id="pid-tjek")
    # The changed token claims Randers, which the signed one did not.
    cvr = AARHUS_CVR if "tamper" in wrong else RANDERS_CVR
    mitid_provider.person("tjek", nemlogin_claims("pid-tjek", cvr), **wrong)

    response, _callback = log_in(client, "tjek")

    page = assert_refused(response, client, caplog, reason, "pid-tjek")
    assert "kunne ikke bekræftes" in page


def test_a_used_state_is_refused_the_second_time(client, mitid_provider, caplog):
    municipality_with_cvr("Randers")
    municipal_person("Randers", professional_id="pid-igen")
    mitid_provider.person("igen", nemlogin_claims("pid-igen", RANDERS_CVR))
    _response, callback = log_in(client, "igen")
    person = client.session[SESSION_KEY]
    caplog.clear()

    # Replayed in the same browser (the person stays logged in), and in another one.
    assert_refused(client.get(callback), client, caplog, "state_mismatch", logged_in=person)
    caplog.clear()
    other = client_class()
    assert_refused(other.get(callback), other, caplog, "state_mismatch")


def test_a_made_up_state_is_refused(client, mitid_provider, caplog):
    municipality_with_cvr("Randers")
    municipal_person("Randers", professional_id="pid-falsk")
    mitid_provider.person("falsk", nemlogin_claims("pid-falsk", RANDERS_CVR))
    callback = at_provider(client, reverse("network:mitid_login"), "falsk")
    query = parse_qs(urlparse(callback).query)

    response = client.get(
        reverse("network:mitid_callback"), {"code": query["code"][0], "state": "opdigtet"}
    )

    assert_refused(response, client, caplog, "state_mismatch")


def test_logging_out_ends_the_session_at_the_provider_too(client, mitid_provider):
    municipality_with_cvr("Randers")
    municipal_person("Randers", professional_id="pid-ud")
    mitid_provider.person("ud", nemlogin_claims("pid-ud", RANDERS_CVR))
    browser = requests.Session()
    log_in(client, "ud", browser=browser)

    response = client.post(reverse("network:logout"))

    assert SESSION_KEY not in client.session
    end_session = response["Location"]
    metadata = mitid.client().load_server_metadata()
    assert end_session.startswith(metadata["end_session_endpoint"])
    assert "id_token_hint=" in end_session
    back = browser.get(end_session, allow_redirects=False)
    assert back.status_code == 302 and back.headers["Location"].startswith("http://testserver/")
    # Logged out there: the next login asks for the password again.
    again = browser.get(
        client.get(reverse("network:mitid_login"))["Location"], allow_redirects=False
    )
    assert urlparse(again.headers["Location"]).path == "/login/"


def test_without_a_provider_the_mitid_pages_do_not_exist_and_passwords_work(client, settings):
    settings.MITID_ONLY_FOR_MUNICIPAL_STAFF = True
    assert not mitid.is_configured()
    person = municipal_person("Randers")
    page = client.get(reverse("network:login")).content.decode()
    assert reverse("network:mitid_login") not in page
    assert client.get(reverse("network:mitid_login")).status_code == 404
    assert client.get(reverse("network:mitid_callback")).status_code == 404

    client.post(reverse("network:login"), {"username": person.email, "password": DEFAULT_PASSWORD})

    assert client.session[SESSION_KEY] == str(person.pk)


def test_with_mitid_only_municipal_staff_cannot_use_a_password(client, mitid_provider, settings):
    settings.MITID_ONLY_FOR_MUNICIPAL_STAFF = True
    person = municipal_person("Randers")
    editor = agency_editor()
    page = client.get(reverse("network:login")).content.decode()
    assert reverse("network:mitid_login") in page

    refused = client.post(
        reverse("network:login"), {"username": person.email, "password": DEFAULT_PASSWORD}
    )
    assert refused.status_code == 200 and SESSION_KEY not in client.session
    assert "logger ind med MitID Erhverv" in refused.content.decode()
    # Nor through the Wagtail admin's login form.
    client.post(
        reverse("wagtailadmin_login"), {"username": person.email, "password": DEFAULT_PASSWORD}
    )
    assert SESSION_KEY not in client.session

    client.post(reverse("network:login"), {"username": editor.email, "password": DEFAULT_PASSWORD})
    assert client.session[SESSION_KEY] == str(editor.pk)


def test_with_mitid_only_a_municipal_invitation_has_no_password_form(
    client, mitid_provider, settings
):
    settings.MITID_ONLY_FOR_MUNICIPAL_STAFF = True
    _invitation, token = services.invite(
        "kun-mitid@randers.example",
        invited_by=agency_editor(),
        municipality=municipality_with_cvr("Randers"),
    )
    url = reverse("network:accept_invitation", args=[token])

    page = client.get(url).content.decode()
    posted = client.post(
        url,
        {
            "first_name": "A",
            "last_name": "B",
            "password1": "Lang-Kode-99!",
            "password2": "Lang-Kode-99!",
        },
    )

    assert 'name="password1"' not in page
    assert posted["Location"] == reverse("network:mitid_accept_invitation", args=[token])
    assert not User.objects.filter(email="kun-mitid@randers.example").exists()


@pytest.mark.parametrize(
    ("situation", "reason"),
    [
        ("no cvr claim", mitid.MISSING_CLAIMS),
        ("municipality without cvr", mitid.MUNICIPALITY_WITHOUT_CVR),
        ("closed login", mitid.INACTIVE),
    ],
)
def test_the_other_refusals_about_the_person(client, mitid_provider, caplog, situation, reason):
    municipality_with_cvr("Randers")
    place = "Odense" if situation == "municipality without cvr" else "Randers"
    municipal_person(place, professional_id="pid-x", is_active=situation != "closed login")
    claims = nemlogin_claims("pid-x", RANDERS_CVR)
    if situation == "no cvr claim":
        del claims["nemlogin.cvr"]
    mitid_provider.person("x", claims)

    response, _callback = log_in(client, "x")

    assert_refused(response, client, caplog, reason, "pid-x")


def test_private_key_jwt_signs_the_token_request_with_our_key(settings, tmp_path, mitid_provider):
    """NemLog-in's client authentication (RFC 7523): no secret, a JWT signed with our key.

    django-oauth-toolkit does not take it, so the request Authlib would send is checked."""
    pem = private_key_pem()
    key_file = tmp_path / "client-key.pem"
    key_file.write_text(pem)
    settings.MITID = {
        **mitid_provider.settings(),
        "CLIENT_SECRET": "",
        "PRIVATE_KEY_FILE": str(key_file),
        "PRIVATE_KEY_ID": "partnerskab-1",
    }
    app = mitid.client()
    metadata = app.load_server_metadata()
    with app._get_oauth_client(**metadata) as session:
        auth = session.client_auth(session.token_endpoint_auth_method)
        _url, _headers, body = auth.prepare(
            "POST", metadata["token_endpoint"], {}, "grant_type=authorization_code&code=c"
        )

    sent = parse_qs(body)
    assert "client_secret" not in sent
    token = jwt.decode(sent["client_assertion"][0], RSAKey.import_key(pem))
    assert token.header["kid"] == "partnerskab-1"
    assert token.claims["iss"] == token.claims["sub"] == mitid_provider.settings()["CLIENT_ID"]
    assert token.claims["aud"] == metadata["token_endpoint"]

    settings.MITID = {**settings.MITID, "PRIVATE_KEY_FILE": str(tmp_path / "missing.pem")}
    with pytest.raises(ImproperlyConfigured):
        mitid.client()


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        ("/netvaerk/kommuner/randers/", "/netvaerk/kommuner/randers/"),
        ("https://andetsted.example/", "/netvaerk/overblik/"),
        ("/", "/netvaerk/overblik/"),
    ],
)
def test_the_login_returns_to_the_page_asked_for_on_this_site_only(
    client, mitid_provider, next_url, lands_on
):
    municipality_with_cvr("Randers")
    municipal_person("Randers", professional_id="pid-videre")
    mitid_provider.person("videre", nemlogin_claims("pid-videre", RANDERS_CVR))
    start = reverse("network:mitid_login") + "?" + urlencode({"next": next_url})

    response, _callback = log_in(client, "videre", start_url=start)

    assert response["Location"] == lands_on
