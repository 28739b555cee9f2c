"""Login throttling: per account at one address, per account anywhere, per address.

The limits are settings.LOGIN_FAILURE_LIMITS (5 / 20 / 100 within 15 minutes); the
staff of one municipality share an outgoing address, so one person's typing errors
must not lock out the colleagues.
"""

import re

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from network import login_throttle
from tests.network.factories import agency_editor, agency_moderator, municipal_person

pytestmark = pytest.mark.django_db

LOGIN = reverse("network:login")
ADMIN_LOGIN = reverse("wagtailadmin_login")
PASSWORD = "et-godt-kodeord-2026"
RANDERS_OFFICE = "192.0.2.10"
RESET_LINK = re.compile(r"/netvaerk/konto/nulstil-adgangskode/[^/\s]+/[^/\s]+/")


@pytest.fixture
def anne():
    return municipal_person("Randers", email="anne@randers.example", password=PASSWORD)


@pytest.fixture
def bo():
    return municipal_person("Randers", email="bo@randers.example", password=PASSWORD)


def attempt(client, email, password, address=RANDERS_OFFICE, url=LOGIN):
    client.cookies.clear()
    return client.post(url, {"username": email, "password": password}, REMOTE_ADDR=address)


def logged_in(client):
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_pause_the_account_at_that_address(client, anne):
    for _ in range(4):
        assert attempt(client, "anne@randers.example", "forkert").status_code == 200
    response = attempt(client, "anne@randers.example", "forkert")
    assert response.status_code == 429

    # Even the right password is refused during the pause, with a page that says why.
    response = attempt(client, "anne@randers.example", PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)
    page = response.content.decode()
    assert "For mange mislykkede forsøg på at logge ind" in page
    assert reverse("network:password_reset") in page
    assert 'role="alert"' in page


def test_a_colleague_at_the_same_address_still_logs_in(client, anne, bo):
    for _ in range(5):
        attempt(client, "anne@randers.example", "forkert")
    assert attempt(client, "anne@randers.example", PASSWORD).status_code == 429

    response = attempt(client, "bo@randers.example", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_the_address_typed_in_another_case_counts_as_the_same_account(client, anne):
    for email in ["Anne@Randers.example", "ANNE@randers.example", "anne@RANDERS.example"] * 2:
        attempt(client, email, "forkert")
    assert attempt(client, "anne@randers.example", PASSWORD).status_code == 429


def test_an_account_is_paused_when_attempts_come_from_many_addresses(client, anne):
    for n in range(20):
        attempt(client, "anne@randers.example", "forkert", address=f"198.51.100.{n + 1}")
    response = attempt(client, "anne@randers.example", PASSWORD, address="203.0.113.7")
    assert response.status_code == 429


def test_an_address_is_paused_only_after_many_failures_across_accounts(client, bo):
    for n in range(99):
        response = attempt(client, f"ukendt{n}@example.dk", "forkert")
        assert response.status_code == 200, n
    assert attempt(client, "bo@randers.example", PASSWORD).status_code == 302

    attempt(client, "endnu.en@example.dk", "forkert")
    assert attempt(client, "bo@randers.example", PASSWORD).status_code == 429
    # Another address is not affected.
    assert attempt(client, "bo@randers.example", PASSWORD, address="192.0.2.99").status_code == 302


def test_a_successful_login_clears_the_count(client, anne):
    for _ in range(4):
        attempt(client, "anne@randers.example", "forkert")
    assert attempt(client, "anne@randers.example", PASSWORD).status_code == 302
    for _ in range(4):
        assert attempt(client, "anne@randers.example", "forkert").status_code == 200


def test_choosing_a_new_password_by_the_emailed_link_lifts_the_pause(
    client, anne, mailoutbox, django_capture_on_commit_callbacks
):
    for _ in range(5):
        attempt(client, "anne@randers.example", "forkert")
    assert AccessAttempt.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("network:password_reset"), {"email": "anne@randers.example"})
    link = RESET_LINK.search(mailoutbox[0].body).group(0)
    form_url = client.get(link).url
    new_password = "et-helt-nyt-kodeord-2026"
    response = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302

    assert attempt(client, "anne@randers.example", new_password).status_code == 302


def test_the_wagtail_admin_login_is_throttled_too(client, anne):
    for _ in range(5):
        attempt(client, "anne@randers.example", "forkert", url=ADMIN_LOGIN)
    assert attempt(client, "anne@randers.example", PASSWORD, url=LOGIN).status_code == 429


def test_failed_attempts_keep_no_password(client, anne):
    attempt(client, "anne@randers.example", "mit-hemmelige-forsoeg")
    stored = AccessAttempt.objects.get()
    assert "mit-hemmelige-forsoeg" not in stored.post_data


# --- Lifting a lockout in the admin (network/views/lockouts.py) -----------------------------

LOCKOUTS = reverse("network_lockouts:index")
LIFT = reverse("network_lockouts:lift")
ATTACKER = "203.0.113.50"


def attack_from(address, failures=100):
    """One failure each for many made-up accounts from one address, as axes records them."""
    AccessAttempt.objects.bulk_create(
        AccessAttempt(
            username=f"gaet{n}.{address}@example.dk",
            ip_address=address,
            user_agent="",
            get_data="",
            post_data="",
            http_accept="",
            path_info=LOGIN,
            failures_since_start=1,
        )
        for n in range(failures)
    )


def test_an_agency_editor_sees_who_is_locked_out_and_lifts_it(client, anne, bo):
    for _ in range(5):
        attempt(client, "anne@randers.example", "forkert")
    attempt(client, "bo@randers.example", "forkert")  # one typing error: not locked
    attack_from(ATTACKER)
    editor = Client()
    editor.force_login(agency_editor())

    page = editor.get(LOCKOUTS)
    assert page.status_code == 200
    html = page.content.decode()
    assert "anne@randers.example" in html and RANDERS_OFFICE in html and ATTACKER in html
    assert "bo@randers.example" not in html
    assert LOCKOUTS in editor.get(reverse("wagtailadmin_home")).content.decode()  # the menu

    response = editor.post(LIFT, {"username": "anne@randers.example"}, follow=True)
    assert "anne@randers.example kan logge ind igen." in response.content.decode()
    assert attempt(client, "anne@randers.example", PASSWORD).status_code == 302
    assert AccessAttempt.objects.filter(ip_address=ATTACKER).count() == 100  # untouched

    editor.post(LIFT, {"ip_address": ATTACKER})
    assert not AccessAttempt.objects.filter(ip_address=ATTACKER).exists()
    assert attempt(client, "bo@randers.example", PASSWORD, address=ATTACKER).status_code == 302
    html = editor.get(LOCKOUTS).content.decode()
    assert "Ingen konto er låst ude." in html and "Ingen adresse er låst ude." in html


def test_only_agency_editors_see_or_lift_lockouts(client, anne):
    for _ in range(5):
        attempt(client, "anne@randers.example", "forkert")
    moderator = Client()
    moderator.force_login(agency_moderator())
    # Wagtail answers a refusal in its admin with a redirect to the admin's home page.
    for response in (
        moderator.get(LOCKOUTS),
        moderator.post(LIFT, {"username": "anne@randers.example"}),
    ):
        assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    assert LOCKOUTS not in moderator.get(reverse("wagtailadmin_home")).content.decode()
    colleague = Client()
    colleague.force_login(municipal_person("Randers"))
    assert colleague.post(LIFT, {"username": "anne@randers.example"}).status_code == 302
    assert colleague.get(LOCKOUTS)["Location"].startswith(ADMIN_LOGIN)
    assert AccessAttempt.objects.filter(username="anne@randers.example").exists()


def test_the_lockout_list_takes_three_queries_however_many_failures(
    django_assert_num_queries,
):
    for n in range(30):
        attack_from(f"198.51.100.{n}")
    with django_assert_num_queries(3):
        accounts, addresses = login_throttle.lockouts()
    assert accounts == [] and len(addresses) == 30
