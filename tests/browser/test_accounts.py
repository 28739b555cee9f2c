"""Accounts in a real browser: an invitation accepted by keyboard alone, and axe-core
(WCAG 2.1 AA) on the invitation, login, my-page and invite pages, with and without errors,
and the one-click unsubscribe page."""

import re

import pytest
from django.urls import reverse

from network import notices, services
from network.models import NoticeKind, Role, User
from tests.cms.factories import PoolPageFactory
from tests.network.factories import (
    DEFAULT_PASSWORD,
    ApplicationFactory,
    InitiativeFactory,
    agency_editor,
    member,
    municipal_person,
    municipality,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NEW_PASSWORD = "Grøn-Kaffekande-Ved-Åen-77"


def focused_id(page):
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_accept_an_invitation_by_keyboard(page, assert_accessible):
    editor = agency_editor()
    _invitation, token = services.invite(
        "ny@socialstyrelsen.example",
        invited_by=editor,
        is_agency_staff=True,
        roles=[Role.AGENCY_EDITOR],
        first_name="Mette",
    )
    page.goto(reverse("network:accept_invitation", args=[token]))
    assert_accessible(page)

    # From the top of the page: the skip link, then through the header to the form.
    page.keyboard.press("Tab")
    assert focused_id(page) == "" and page.evaluate(
        "document.activeElement.classList.contains('skipnav')"
    )
    page.keyboard.press("Enter")
    for _ in range(20):
        page.keyboard.press("Tab")
        if focused_id(page) == "id_first_name":
            break
    assert focused_id(page) == "id_first_name"
    assert page.input_value("#id_first_name") == "Mette"
    page.keyboard.press("Tab")
    assert focused_id(page) == "id_last_name"
    page.keyboard.type("Frederiksen")
    page.keyboard.press("Tab")
    assert focused_id(page) == "id_password1"
    page.keyboard.type("kort")
    page.keyboard.press("Tab")
    assert focused_id(page) == "id_password2"
    page.keyboard.type("kort")
    page.keyboard.press("Enter")

    # A weak password: the error summary takes the focus and links to the field.
    page.wait_for_selector("#error-summary")
    assert focused_id(page) == "error-summary"
    assert page.get_attribute("#id_password1", "aria-invalid") == "true"
    assert "id_password1_error" in page.get_attribute("#id_password1", "aria-describedby")
    assert not User.objects.filter(email="ny@socialstyrelsen.example").exists()
    assert_accessible(page)

    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # follows the summary's link to the password field
    page.wait_for_function("() => document.activeElement.id === 'id_password1'")
    page.keyboard.type(NEW_PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.type(NEW_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.url.endswith(reverse("network:overview"))
    person = User.objects.get(email="ny@socialstyrelsen.example")
    assert person.get_full_name() == "Mette Frederiksen"
    assert person.check_password(NEW_PASSWORD)
    assert_accessible(page)


def test_login_and_my_page_are_accessible(page, assert_accessible):
    initiative = InitiativeFactory()
    member(initiative, "Randers", "partner")
    ApplicationFactory(pool=PoolPageFactory(), municipality=municipality("Randers"))
    municipal_person(
        "Randers", Role.PROJECT_LEADER, email="anders@randers.example", first_name="Anders"
    )

    page.goto(reverse("network:my_page"))
    assert re.search(r"/konto/log-ind/\?next=", page.url)
    assert_accessible(page)

    page.fill("#id_username", "anders@randers.example")
    page.fill("#id_password", "forkert")
    page.keyboard.press("Enter")
    page.wait_for_selector("#error-summary")
    assert_accessible(page)

    page.fill("#id_password", DEFAULT_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(reverse("network:my_page"))
    assert page.locator("table").count() == 2
    assert_accessible(page)

    # Logging out is a button in the header.
    with page.expect_navigation():
        page.locator(f".portal-user form[action='{reverse('network:logout')}'] button").click()
    assert page.locator(f".portal-user a[href='{reverse('network:login')}']").count() == 1


def test_one_click_unsubscribe_by_keyboard_is_accessible(page, assert_accessible):
    token = notices.unsubscribe_token("anders@randers.example", [NoticeKind.MEETINGS])
    page.goto(reverse("network:unsubscribe", args=[token]))
    assert_accessible(page)
    button = page.get_by_role("button", name="Slå disse mails fra")
    button.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("status").count() == 1
    assert_accessible(page)
    assert notices.delivery_for("anders@randers.example", NoticeKind.MEETINGS) == "off"


def test_invite_page_is_accessible(page, assert_accessible):
    agency_editor(email="redaktoer@socialstyrelsen.example")
    page.goto(reverse("network:login"))
    page.fill("#id_username", "redaktoer@socialstyrelsen.example")
    page.fill("#id_password", DEFAULT_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.goto(reverse("network:invite"))
    assert_accessible(page)

    page.fill("#id_email", "ny@randers.example")
    page.select_option("#id_municipality", label="Randers")
    page.check("#id_roles_0")
    with page.expect_navigation():
        page.locator("form.account-form button[type=submit]").click()
    assert page.locator("td .invitation-status--open").count() == 1
    assert_accessible(page)

    # A rule broken: an agency role for a municipal person; the error is on the form.
    page.fill("#id_email", "anden@randers.example")
    page.select_option("#id_municipality", label="Randers")
    page.check(f"input[name=roles][value={Role.AGENCY_EDITOR.value}]")
    with page.expect_navigation():
        page.locator("form.account-form button[type=submit]").click()
    page.wait_for_selector("#error-summary")
    assert_accessible(page)
