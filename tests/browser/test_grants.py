"""The grant case in a real browser: the director approves the list, the municipality
reads its decision, writes to the agency and submits its report; axe-core (WCAG 2.1 AA)
on every page of the grant case.

The Danish words come from the translation catalogue, so the tests find things by URL,
name and value, not by their text.
"""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from grants import services
from grants.models import CaseMessage, DueItem, ReportVersion
from network.models import Role
from tests.browser.login import log_in as log_in_to_browser
from tests.grants.factories import award, closed_pool, submit
from tests.network.factories import agency_director, agency_editor, municipal_person

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def log_in(page, live_server):
    def log_in_as(person):
        page.context.clear_cookies()
        log_in_to_browser(page, live_server, person)

    return log_in_as


def test_the_director_approves_the_list_by_keyboard(page, log_in, assert_accessible):
    pool = closed_pool()
    editor = agency_editor()
    for name, amount in (("Randers", 3_000_000), ("Herning", 2_500_000)):
        services.recommend(
            submit(pool, name), outcome="partner", amount=amount, reasons="Stærk.", by=editor
        )
    services.recommend(
        submit(pool, "Aarhus"), outcome="reference", reasons="Mindre moden.", by=editor
    )

    log_in(editor)
    page.goto(reverse("grants:my_cases"))
    assert_accessible(page)
    page.goto(reverse("grants:decision_list", args=[pool.pk]))
    assert_accessible(page)
    page.goto(
        reverse("grants:recommend", args=[pool.applications.get(municipality__name="Aarhus").pk])
    )
    assert_accessible(page)
    page.goto(reverse("grants:overview", args=[pool.pk]))
    assert_accessible(page)

    log_in(agency_director())
    page.goto(reverse("grants:decision_list", args=[pool.pk]))
    approve_all = page.locator("button[value=approve_all]")
    approve_all.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('grants:decision_list', args=[pool.pk])}")
    expect(page.locator(".alert-success")).to_be_visible()
    assert_accessible(page)
    assert services.awarded_in_pool(pool) == Decimal("5500000")


def test_the_municipality_reads_its_case_writes_and_reports(page, log_in, assert_accessible):
    pool = closed_pool()
    case = award(pool, "Randers")
    leader = municipal_person("Randers", Role.PROJECT_LEADER)
    log_in(leader)

    page.goto(reverse("grants:my_cases"))
    assert_accessible(page)
    page.locator(f"a[href='{reverse('grants:case', args=[case.pk])}']").click()
    assert_accessible(page)

    # A message with an attachment, sent from the keyboard.
    page.locator("#id_text").fill("Hvornår kommer første udbetaling?")
    page.locator("#id_attachment").set_input_files(
        files=[{"name": "spoergsmaal.txt", "mimeType": "text/plain", "buffer": b"Et bilag"}]
    )
    page.locator("form:has(input[value=message]) button[type=submit]").press("Enter")
    page.wait_for_url("**#beskeder")
    expect(page.locator(".case-message")).to_have_count(1)
    assert CaseMessage.objects.get().attachment.title == "spoergsmaal.txt"

    # The first status report: a draft, then submitted.
    item = case.due_items.filter(kind=DueItem.Kind.STATUS_REPORT).first()
    page.goto(reverse("grants:report", args=[case.pk, item.pk]))
    assert_accessible(page)
    for key in ReportVersion.SECTION_KEYS:
        page.locator(f"#id_{key}").fill(f"Afsnit {key}")
    page.locator("button[value=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert_accessible(page)
    item.refresh_from_db()
    assert item.status == DueItem.Status.SUBMITTED

    accounts = case.due_items.filter(kind=DueItem.Kind.ACCOUNTS).first()
    page.goto(reverse("grants:accounts", args=[case.pk, accounts.pk]))
    assert_accessible(page)
    page.locator("button[value=submit]").click()
    expect(page.locator("#error-summary")).to_be_focused()
    assert_accessible(page)
