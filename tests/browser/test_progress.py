"""Progress in a real browser: reported by keyboard alone, and accessible (axe-core)."""

from datetime import date

import pytest
from django.urls import reverse

from network import services
from network.models import Membership, Role
from tests.browser.login import log_in
from tests.cms.factories import InitiativePageFactory
from tests.network.factories import (
    InitiativeFactory,
    agency_editor,
    member,
    municipal_person,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def network():
    initiative = InitiativeFactory(page=InitiativePageFactory())
    editor = agency_editor()
    partners = {}
    for name in ["Randers", "Rudersdal", "Roskilde", "Herning"]:
        partners[name] = member(initiative, name, Membership.Status.PARTNER)
    for name in ["Aarhus", "Odense"]:
        member(initiative, name, Membership.Status.REFERENCE)
    randers = partners["Randers"]
    services.set_part_status(randers, 1, "done", by=editor, on=date(2020, 4, 1))
    services.set_part_status(randers, 2, "in_progress", by=editor, on=date(2020, 5, 1))
    services.set_part_status(partners["Herning"], 1, "in_progress", by=editor, on=date(2020, 2, 1))
    services.add_milestone(randers, 2, title="Kick-off", due_on=date(2020, 9, 1), by=editor)
    services.add_status_note(randers, 1, "Kortlægningen er færdig.", by=editor)
    leader = municipal_person("Randers", Role.PROJECT_LEADER, first_name="Anders", last_name="Kjær")
    return {"initiative": initiative, "randers": randers, "leader": leader, "editor": editor}


def focused_id(page):
    return page.evaluate("document.activeElement && document.activeElement.id")


def tab_to(page, predicate, limit=80):
    """Press Tab until the focused element satisfies the JavaScript predicate."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(element => {predicate})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached an element where {predicate}")


def report_url(membership):
    return reverse(
        "network:report_progress",
        args=[membership.initiative.slug, membership.municipality.slug],
    )


def overview_url(initiative):
    return reverse("network:progress_overview", args=[initiative.slug])


def test_project_leader_reports_a_status_note_by_keyboard(page, live_server, network):
    log_in(page, live_server, network["leader"])
    page.goto(report_url(network["randers"]))

    tab_to(page, "element.id === 'id_note-part'")
    page.keyboard.press("ArrowDown")  # Part 2
    assert page.locator("#id_note-part").input_value() == "2"
    page.keyboard.press("Tab")
    assert focused_id(page) == "id_note-text"
    page.keyboard.type("Implementeringsgruppen har holdt sit første møde.")
    tab_to(page, "element.matches('form:has(input[value=note]) button[type=submit]')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(report_url(network["randers"]))
    assert page.locator(".messages .alert-success").count() == 1

    page.goto(overview_url(network["initiative"]))
    note = page.locator(".status-note", has_text="Implementeringsgruppen har holdt")
    assert note.count() == 1
    assert "Anders Kjær" in note.inner_text()


def test_an_empty_note_shows_an_error_summary_reachable_by_keyboard(page, live_server, network):
    log_in(page, live_server, network["leader"])
    page.goto(report_url(network["randers"]))
    tab_to(page, "element.matches('form:has(input[value=note]) button[type=submit]')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator("#note-errors")
    assert summary.get_attribute("role") == "alert"
    link = summary.locator('a[href="#id_note-text"]')
    assert link.count() == 1
    link.focus()
    page.keyboard.press("Enter")
    assert focused_id(page) == "id_note-text"


@pytest.mark.parametrize("who", ["leader", "editor"])
def test_progress_pages_have_no_axe_violations(page, live_server, network, assert_accessible, who):
    log_in(page, live_server, network[who])
    for url in [
        overview_url(network["initiative"]),
        reverse("network:municipality", args=[network["randers"].municipality.slug]),
        report_url(network["randers"]),
        network["initiative"].page.url,
    ]:
        page.goto(url)
        assert page.locator("h1").count() == 1, url
        assert_accessible(page)


def test_report_page_with_errors_has_no_axe_violations(
    page, live_server, network, assert_accessible
):
    log_in(page, live_server, network["leader"])
    page.goto(report_url(network["randers"]))
    with page.expect_navigation():
        page.locator("form:has(input[value=milestone]) button[type=submit]").click()
    assert page.locator("#milestone-errors").count() == 1
    assert_accessible(page)


def test_public_municipality_and_initiative_pages_have_no_axe_violations(
    page, live_server, network, assert_accessible
):
    for url in [
        reverse("network:municipality", args=[network["randers"].municipality.slug]),
        network["initiative"].page.url,
    ]:
        page.goto(url)
        assert_accessible(page)
