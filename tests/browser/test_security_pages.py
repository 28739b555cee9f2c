"""The pages a security measure shows, in a real browser: accessible and helpful."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.network.factories import municipal_person

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "et-godt-kodeord-2026"


@pytest.fixture
def anne():
    return municipal_person("Randers", email="anne@randers.example", password=PASSWORD)


def log_in(page, email, password):
    page.goto(reverse("network:login"))
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_role("button", name="Log ind").click()


def test_too_many_wrong_passwords_show_a_pause_page_with_a_way_out(page, anne, assert_accessible):
    for _ in range(5):
        log_in(page, "anne@randers.example", "forkert")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "For mange mislykkede forsøg på at logge ind"
    )
    expect(page.get_by_role("alert")).to_contain_text("Prøv igen om 15 minutter")
    assert_accessible(page)
    page.get_by_role("link", name="Vælg en ny adgangskode").click()
    expect(page).to_have_url(reverse("network:password_reset"))


def test_a_form_whose_security_check_expired_says_nothing_was_saved(page, anne, assert_accessible):
    page.goto(reverse("network:login"))
    page.context.clear_cookies()
    page.get_by_label("E-mail").fill("anne@randers.example")
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Formularen kunne ikke sendes")
    expect(page.get_by_role("alert")).to_contain_text("Intet blev gemt")
    assert_accessible(page)
