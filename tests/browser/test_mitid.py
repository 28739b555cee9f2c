"""MitID Erhverv and the second factor in a real browser, against the test provider
(tests/oidc_provider, its own process): invited, accepted, logged in, applying and logged
out with MitID Erhverv; a refusal page; the second factor's pages. axe-core (WCAG 2.1 AA)
on every new page of ours (not on the provider's stand-in login form).

The Danish words come from the translation catalogue, so the tests find things by URL,
id and field name where they can.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from network import services
from network.models import Application, Role, User
from tests.network.factories import (
    DEFAULT_PASSWORD,
    InitiativeFactory,
    agency_editor,
    municipal_person,
    municipality_with_cvr,
    nemlogin_claims,
    totp_code,
)
from tests.oidc_provider.process import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

RANDERS_CVR = "29189668"


def log_in_at_provider(page, username):
    page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:\d+/login/"))
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


def test_invited_logged_in_applying_and_logged_out_with_mitid_erhverv(
    page, live_server, mitid_provider, assert_accessible
):
    randers = municipality_with_cvr("Randers")
    pool = InitiativeFactory(pool__deadline=timezone.now() + timedelta(days=10)).pool
    _invitation, token = services.invite(
        "ny@randers.example",
        invited_by=agency_editor(),
        municipality=randers,
        roles=[Role.PROJECT_LEADER],
    )
    mitid_provider.person(
        "ny-medarbejder",
        nemlogin_claims("pid-browser", RANDERS_CVR, "ny@randers.example", name="Ida Holm"),
    )

    page.goto(reverse("network:accept_invitation", args=[token]))
    assert_accessible(page)
    page.click(f"a[href='{reverse('network:mitid_accept_invitation', args=[token])}']")
    log_in_at_provider(page, "ny-medarbejder")

    page.wait_for_url(live_server.url + reverse("network:overview"))
    person = User.objects.get(professional_id="pid-browser")
    assert person.email == "ny@randers.example" and not person.has_usable_password()
    assert "Ida Holm" in page.content()
    assert_accessible(page)

    # Apply to the open pool.
    page.goto(pool.url)
    page.click(f'form[action="{reverse("network:apply", args=[pool.pk])}"] button[type="submit"]')
    page.wait_for_url(re.compile(r"/netvaerk/ansoegninger/\d+/$"))
    assert Application.objects.filter(pool=pool, municipality=randers).exists()

    # Log out: here, and at the provider, which sends the browser back to the home page.
    page.locator(f".portal-user form[action='{reverse('network:logout')}'] button").click()
    page.wait_for_url(re.compile(re.escape(live_server.url) + r"/(\?state=[\w-]+)?$"))
    assert page.locator(f".portal-user a[href='{reverse('network:login')}']").count() == 1

    # Logging in again starts at the provider's login form: its session ended too.
    page.goto(reverse("network:login"))
    page.click(f"a[href='{reverse('network:mitid_login')}']")
    log_in_at_provider(page, "ny-medarbejder")
    page.wait_for_url(live_server.url + reverse("network:overview"))


def test_log_in_with_mitid_erhverv_from_the_login_page(
    page, live_server, mitid_provider, assert_accessible
):
    municipality_with_cvr("Randers")
    municipal_person("Randers", professional_id="pid-anne", first_name="Anne")
    mitid_provider.person("anne", nemlogin_claims("pid-anne", RANDERS_CVR))

    page.goto(reverse("network:my_page"))
    assert_accessible(page)
    page.click(f"a[href^='{reverse('network:mitid_login')}']")
    log_in_at_provider(page, "anne")

    page.wait_for_url(live_server.url + reverse("network:my_page"))
    assert page.locator(f".portal-user form[action='{reverse('network:logout')}']").count() == 1


def test_the_refusal_page_for_an_unknown_identity(page, mitid_provider, assert_accessible):
    municipality_with_cvr("Randers")
    mitid_provider.person("ukendt", nemlogin_claims("pid-ukendt", RANDERS_CVR))

    page.goto(reverse("network:login"))
    page.click(f"a[href='{reverse('network:mitid_login')}']")
    log_in_at_provider(page, "ukendt")

    page.wait_for_url(re.compile(re.escape(reverse("network:mitid_callback"))))
    assert page.locator("[role=alert]").count() == 1
    assert page.locator(f"form[action='{reverse('network:logout')}']").count() == 0
    assert not User.objects.filter(professional_id="pid-ukendt").exists()
    assert_accessible(page)


def test_the_second_factor_pages_are_accessible(page, settings, assert_accessible):
    settings.SECOND_FACTOR_REQUIRED = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    editor = agency_editor(email="redaktoer@socialstyrelsen.example")

    page.goto(reverse("network:login"))
    page.fill("#id_username", editor.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("form.account-form button[type=submit]")
    page.wait_for_url(re.compile(re.escape(reverse("network:second_factor_setup"))))
    assert_accessible(page)

    page.fill("#id_code", "12")
    page.click("form.account-form button[type=submit]")
    page.wait_for_selector("#error-summary")
    assert_accessible(page)

    device = TOTPDevice.objects.get(user=editor)
    page.fill("#id_code", totp_code(device))
    page.click("form.account-form button[type=submit]")
    page.wait_for_url(re.compile(re.escape(reverse("network:second_factor_recovery_codes"))))
    assert page.locator(".recovery-codes li").count() == 10
    assert_accessible(page)

    page.click("a.button")
    page.wait_for_url(re.compile(re.escape(reverse("network:overview"))))
    page.locator(f".portal-user form[action='{reverse('network:logout')}'] button").click()
    page.wait_for_url(re.compile(r"/$"))
    page.goto(reverse("network:login"))
    page.fill("#id_username", editor.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("form.account-form button[type=submit]")
    page.wait_for_url(re.compile(re.escape(reverse("network:second_factor_verify"))))
    assert_accessible(page)
