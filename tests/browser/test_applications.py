"""The application form and the assessment page in a real browser: by keyboard only,
saving as it goes, and accessible (axe-core, WCAG 2.1 AA).

The Danish words come from the translation catalogue, so the tests find things by
URL, id and field name, not by their text.
"""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from network.models import Application, Assessment, BudgetLine, Role
from tests.browser.login import log_in as log_in_to_browser
from tests.network.factories import (
    ApplicationFactory,
    InitiativeFactory,
    agency_editor,
    municipal_person,
    municipality,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def log_in(page, live_server):
    def log_in_as(person):
        log_in_to_browser(page, live_server, person)

    return log_in_as


@pytest.fixture
def pool():
    return InitiativeFactory(pool__deadline=timezone.now() + timedelta(days=10)).pool


def is_autosave(response):
    return response.request.headers.get("x-autosave") == "1"


def type_month(page, month, year):
    """Chromium's month field (da-DK): type the month, Tab to the year, type it, Tab on
    (past the field's own calendar button) to the next field."""
    field = focused(page)
    page.keyboard.type(month)
    page.keyboard.press("Tab")
    page.keyboard.type(year)
    for _segment in range(3):
        page.keyboard.press("Tab")
        if focused(page) != field:
            break


def focused(page):
    return page.evaluate("() => document.activeElement && document.activeElement.id")


def test_fill_in_and_submit_the_application_by_keyboard(page, log_in, pool, assert_accessible):
    person = municipal_person("Randers", Role.PROJECT_LEADER)
    log_in(person)
    page.goto(pool.url)
    apply_url = reverse("network:apply", args=[pool.pk])
    page.locator(f'form[action="{apply_url}"] button[type="submit"]').focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/netvaerk/ansoegninger/\d+/$"))
    application = Application.objects.get(pool=pool, municipality=person.municipality)
    assert_accessible(page)

    page.locator("#id_project_leader_name").focus()
    page.keyboard.type("Anne Projektleder")
    page.keyboard.press("Tab")
    assert focused(page) == "id_project_leader_email"
    page.keyboard.type("anne@randers.example")
    page.keyboard.press("Tab")
    assert focused(page) == "id_centre_chief_name"
    page.keyboard.type("Bo Centerchef")
    page.keyboard.press("Tab")
    assert focused(page) == "id_centre_chief_approved"
    page.keyboard.press("Space")
    # The draft saves itself two seconds after typing stops, and the page says when.
    with page.expect_response(is_autosave, timeout=10_000) as autosave:
        for criterion in pool.award_criteria.all():
            page.keyboard.press("Tab")
            assert focused(page) == f"id_answer_{criterion.pk}"
            page.keyboard.type(f"Vores svar på {criterion.title}.")
    assert autosave.value.status == 200
    message = autosave.value.json()["message"]
    assert re.search(r"\d{2}[.:]\d{2}", message)
    status = page.locator("#autosave-status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_have_text(message)
    expect(status).not_to_have_class(re.compile("autosave-status--error"))
    application.refresh_from_db()
    assert application.project_leader_email == "anne@randers.example"
    assert application.centre_chief_approved

    page.keyboard.press("Tab")
    assert focused(page) == "id_budget-0-month"
    type_month(page, "01", "2020")
    expect(page.locator("#id_budget-0-month")).to_have_value("2020-01")
    assert focused(page) == "id_budget-0-description"
    page.keyboard.type("Projektleder, 20 timer om ugen")
    page.keyboard.press("Tab")
    assert focused(page) == "id_budget-0-amount"
    page.keyboard.type("38.000")
    expect(page.locator("#budget-total")).to_contain_text("38")

    # A lump sum is refused by the background save, visibly, and nothing is lost.
    page.locator("#id_budget-1-month").fill("2020-02")
    page.locator("#id_budget-1-description").focus()
    page.keyboard.type("Overhead")
    page.keyboard.press("Tab")
    with page.expect_response(is_autosave, timeout=10_000) as autosave:
        page.keyboard.type("5000")
    assert autosave.value.status == 400
    expect(status).to_have_class(re.compile("autosave-status--error"))
    expect(page.locator("#id_budget-1-description")).to_have_attribute("aria-invalid", "true")
    assert not BudgetLine.objects.filter(application=application).exists()
    assert_accessible(page)

    page.locator("#id_budget-1-description").fill("")
    page.locator("#id_budget-1-amount").fill("")
    page.locator("#id_budget-1-month").fill("")
    page.locator("#id_budget-0-amount").focus()
    with page.expect_response(is_autosave, timeout=10_000) as autosave:
        page.keyboard.type(",50")
    assert autosave.value.status == 200
    expect(status).not_to_have_class(re.compile("autosave-status--error"))
    expect(page.locator("#id_budget-1-description")).not_to_have_attribute("aria-invalid", "true")

    submit_url = reverse("network:application_submit", args=[application.pk])
    page.locator(f'button[formaction="{submit_url}"]').focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#id_project_leader_name")).to_have_count(0)
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert [(line.description, str(line.amount)) for line in application.budget_lines.all()] == [
        ("Projektleder, 20 timer om ugen", "38000.50")
    ]
    assert_accessible(page)


def test_the_error_summary_takes_keyboard_users_to_the_field(page, log_in, pool, assert_accessible):
    person = municipal_person("Randers")
    application = ApplicationFactory(pool=pool, municipality=person.municipality)
    log_in(person)
    page.goto(reverse("network:application", args=[application.pk]))
    page.locator("#id_project_leader_email").fill("ikke-en-adresse")
    with page.expect_navigation():
        page.locator('button[name="action"][value="save"]').click()
    summary = page.locator("#error-summary")
    expect(summary).to_have_attribute("role", "alert")
    expect(page.locator("#id_project_leader_email")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_project_leader_email")).to_have_value("ikke-en-adresse")
    assert_accessible(page)
    summary.locator('a[href="#id_project_leader_email"]').focus()
    page.keyboard.press("Enter")
    assert focused(page) == "id_project_leader_email"


def test_assessment_pages_are_accessible(page, log_in, assert_accessible):
    initiative = InitiativeFactory(pool__deadline=timezone.now() - timedelta(days=1))
    pool = initiative.pool
    application = ApplicationFactory(
        pool=pool,
        municipality=municipality("Herning"),
        status=Application.Status.SUBMITTED,
        submitted_at=timezone.now() - timedelta(days=2),
        project_leader_name="Anne Projektleder",
        project_leader_email="anne@herning.example",
    )
    BudgetLine.objects.create(
        application=application,
        month=date(2020, 1, 1),
        description="Projektleder, 20 timer om ugen",
        amount=38_000,
    )
    editor = agency_editor()
    log_in(editor)
    page.goto(reverse("network:assessment_list", args=[pool.pk]))
    assert_accessible(page)

    page.goto(reverse("network:assess", args=[application.pk]))
    assert_accessible(page)
    criteria = list(pool.award_criteria.all())
    page.locator(f"#id_score_{criteria[0].pk}_2").focus()  # score 3
    page.keyboard.press("ArrowRight")  # radios move and check with arrow keys: 4
    page.locator(f"#id_note_{criteria[0].pk}").focus()
    page.keyboard.type("Godt beskrevet behov.")
    page.locator('input[name="action"][value="assess"] ~ p button[type="submit"]').focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assessment = Assessment.objects.get(application=application, criterion=criteria[0])
    assert (assessment.score, assessment.note) == (4, "Godt beskrevet behov.")
    assert_accessible(page)
