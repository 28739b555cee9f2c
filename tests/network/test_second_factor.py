"""The second factor of agency staff and administrators (SECOND_FACTOR_REQUIRED): the app
set up at the first login, a code at every login (site and Wagtail admin alike), wrong
codes refused and throttled, recovery codes that work once, and an administrator's reset
of a lost device, logged."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import ModelLogEntry

from network import second_factor
from tests.network.factories import (
    DEFAULT_PASSWORD,
    PersonFactory,
    agency_editor,
    municipal_person,
    totp_code,
)

pytestmark = pytest.mark.django_db

LOGIN = reverse("network:login")
VERIFY = reverse("network:second_factor_verify")
SETUP = reverse("network:second_factor_setup")
RECOVERY_CODES = reverse("network:second_factor_recovery_codes")


@pytest.fixture(autouse=True)
def _required(settings):
    settings.SECOND_FACTOR_REQUIRED = True
    # After a wrong code the next try waits a minute, so a right code just after is
    # refused however slow the machine is.
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    settings.OTP_STATIC_THROTTLE_FACTOR = 60


def with_app(person):
    device = TOTPDevice.objects.create(user=person, name="app", confirmed=True)
    codes = second_factor.new_recovery_codes(person)
    return device, codes


def password_login(client, person, url=LOGIN, next_url=""):
    data = {"username": person.email, "password": DEFAULT_PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(url, data)


def test_first_login_sets_up_the_app_and_shows_recovery_codes_once(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    editor = agency_editor()

    response = password_login(client, editor)

    assert response["Location"] == SETUP
    assert SESSION_KEY not in client.session
    page = client.get(SETUP).content.decode()
    assert 'src="data:image/svg+xml' in page and 'id="totp-secret"' in page
    device = TOTPDevice.objects.get(user=editor, confirmed=False)

    wrong = client.post(SETUP, {"code": "000000" if totp_code(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and SESSION_KEY not in client.session

    done = client.post(SETUP, {"code": totp_code(device)})

    assert done["Location"] == RECOVERY_CODES
    assert client.session[SESSION_KEY] == str(editor.pk)
    device.refresh_from_db()
    assert device.confirmed
    codes = StaticToken.objects.filter(device__user=editor).values_list("token", flat=True)
    shown = client.get(RECOVERY_CODES).content.decode()
    assert len(codes) == second_factor.RECOVERY_CODE_COUNT
    assert all(code in shown for code in codes)
    assert client.get(RECOVERY_CODES)["Location"] == reverse("network:my_page")


def test_a_login_with_a_code_from_the_app(client):
    editor = agency_editor()
    device, _codes = with_app(editor)

    response = password_login(client, editor, next_url="/netvaerk/inviter/")

    assert response["Location"] == VERIFY and SESSION_KEY not in client.session
    assert client.get(reverse("network:my_page"))["Location"].startswith(LOGIN)
    done = client.post(VERIFY, {"code": totp_code(device)})
    assert done["Location"] == "/netvaerk/inviter/"
    assert client.session[SESSION_KEY] == str(editor.pk)
    assert client.get("/netvaerk/inviter/").status_code == 200


def test_a_wrong_code_is_refused_and_the_next_try_must_wait(client):
    editor = agency_editor()
    device, _codes = with_app(editor)
    password_login(client, editor)
    right = totp_code(device)
    wrong = "000000" if right != "000000" else "111111"

    refused = client.post(VERIFY, {"code": wrong})
    assert refused.status_code == 200 and SESSION_KEY not in client.session
    assert "Koden er ikke rigtig" in refused.content.decode()

    throttled = client.post(VERIFY, {"code": right})
    assert throttled.status_code == 200 and SESSION_KEY not in client.session
    assert "For mange forkerte koder" in throttled.content.decode()


def test_too_many_wrong_codes_end_the_pending_login(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    editor = agency_editor()
    device, _codes = with_app(editor)
    password_login(client, editor)
    wrong = "000000" if totp_code(device) != "000000" else "111111"

    for _ in range(second_factor.MAX_WRONG_CODES - 1):
        assert client.post(VERIFY, {"code": wrong}).status_code == 200
    assert client.post(VERIFY, {"code": wrong})["Location"] == LOGIN
    assert client.post(VERIFY, {"code": totp_code(device)})["Location"] == reverse(
        "network:my_page"
    )
    assert SESSION_KEY not in client.session


def test_a_recovery_code_works_once(client):
    editor = agency_editor()
    _device, codes = with_app(editor)
    password_login(client, editor)

    client.post(VERIFY, {"code": codes[0].upper()})
    assert client.session[SESSION_KEY] == str(editor.pk)
    assert second_factor.people_with_devices().get().recovery_codes_left == len(codes) - 1

    client.post(reverse("network:logout"))
    password_login(client, editor)
    again = client.post(VERIFY, {"code": codes[0]})
    assert again.status_code == 200 and SESSION_KEY not in client.session


def test_the_wagtail_admin_login_asks_for_the_code_too(client):
    editor = agency_editor()
    device, _codes = with_app(editor)

    response = password_login(client, editor, url=reverse("wagtailadmin_login"))

    assert response["Location"] == VERIFY and SESSION_KEY not in client.session
    assert client.post(VERIFY, {"code": totp_code(device)})["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_session_without_a_code_is_turned_into_a_pending_login(client):
    editor = agency_editor()
    with_app(editor)
    client.force_login(editor)

    response = client.get("/admin/")

    assert response["Location"] == VERIFY and SESSION_KEY not in client.session


def test_municipal_staff_and_the_embedded_default_need_no_code(client, settings):
    person = municipal_person("Randers")
    password_login(client, person)
    assert client.session[SESSION_KEY] == str(person.pk)

    client.post(reverse("network:logout"))
    settings.SECOND_FACTOR_REQUIRED = False
    editor = agency_editor()
    password_login(client, editor)
    assert client.session[SESSION_KEY] == str(editor.pk)


def test_an_administrator_resets_a_lost_device_and_the_reset_is_logged(client, settings):
    settings.SECOND_FACTOR_REQUIRED = False
    editor = agency_editor()
    with_app(editor)
    admin = PersonFactory(is_superuser=True, is_staff=True, is_agency_staff=True)
    reset_url = reverse("network_second_factors:reset", args=[editor.pk])

    client.force_login(editor)
    client.post(reset_url)
    assert TOTPDevice.objects.filter(user=editor).exists()
    client.force_login(admin)
    assert editor.email in client.get(reverse("network_second_factors:index")).content.decode()
    client.post(reset_url)

    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert not StaticToken.objects.filter(device__user=editor).exists()
    entry = ModelLogEntry.objects.get(action=second_factor.RESET_ACTION)
    assert (entry.object_id, entry.user_id) == (str(editor.pk), admin.pk)
