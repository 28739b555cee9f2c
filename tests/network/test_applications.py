"""The application pages: apply, write a draft that saves as it goes, submit before the
deadline, and the agency's assessment list, assessment and decision.

The interface is Danish through the translation catalogue, so these tests look at
URLs, status codes, field names, JSON and the database rather than at the words.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from network import services
from network.models import Application, Assessment, BudgetLine, Membership, Role
from tests.cms.factories import PoolPageFactory
from tests.network.factories import (
    ApplicationFactory,
    InitiativeFactory,
    agency_editor,
    agency_moderator,
    member,
    municipal_person,
    municipality,
)

pytestmark = pytest.mark.django_db
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
DEADLINE = datetime(2019, 9, 17, 12, 0, tzinfo=COPENHAGEN)
AUTOSAVE = {"HTTP_X_AUTOSAVE": "1"}
#: Session, person, roles, pool, three counts, the page of applications, and the site
#: template's own (menu, settings, Wagtail's user bar); the same for 3 and for 30.
MAX_LIST_QUERIES = 20
GOOD_LINES = [
    ("2020-01", "Projektleder, 20 timer om ugen", "38.000"),
    ("2020-02", "Kompetenceudvikling af 12 medarbejdere", "9.500,50"),
]


@pytest.fixture
def initiative():
    return InitiativeFactory(pool__deadline=timezone.now() + timedelta(days=10))


@pytest.fixture
def pool(initiative):
    return initiative.pool


@pytest.fixture
def randers():
    return municipal_person("Randers", Role.PROJECT_LEADER)


@pytest.fixture
def editor():
    return agency_editor()


def url(name, *args):
    return reverse(f"network:{name}", args=args)


def form_data(application, *, lines=GOOD_LINES, answers=None, initial_lines=0, **fields):
    """What the browser sends from the edit page; a field given as None is left out."""
    data = {
        "project_leader_name": "Anne Projektleder",
        "project_leader_email": "anne@randers.example",
        "centre_chief_name": "Bo Centerchef",
        "centre_chief_approved": "on",
        **fields,
    }
    data = {name: value for name, value in data.items() if value is not None}
    answers = answers or {}
    for criterion in application.pool.award_criteria.all():
        data[f"answer_{criterion.pk}"] = answers.get(criterion.title, f"Svar på {criterion.title}")
    data.update(
        {
            "budget-TOTAL_FORMS": str(len(lines)),
            "budget-INITIAL_FORMS": str(initial_lines),
            "budget-MIN_NUM_FORMS": "0",
            "budget-MAX_NUM_FORMS": "500",
        }
    )
    for index, (month, description, amount) in enumerate(lines):
        data[f"budget-{index}-month"] = month
        data[f"budget-{index}-description"] = description
        data[f"budget-{index}-amount"] = amount
    return data


def start(client, person, pool):
    client.force_login(person)
    response = client.post(url("apply", pool.pk))
    application = Application.objects.get(pool=pool, municipality=person.municipality)
    assert response.status_code == 302
    assert response["Location"] == url("application", application.pk)
    return application


def submitted_application(pool, name, *, lines=1, **kwargs):
    application = ApplicationFactory(
        pool=pool,
        municipality=municipality(name),
        status=Application.Status.SUBMITTED,
        submitted_at=timezone.now(),
        project_leader_name="Anne Projektleder",
        project_leader_email=f"projektleder@{name.lower()}.example",
        **kwargs,
    )
    BudgetLine.objects.bulk_create(
        BudgetLine(
            application=application,
            month=date(2020, 1 + index, 1),
            description=f"Specificeret udgift {index}",
            amount=Decimal(1000 * (index + 1)),
        )
        for index in range(lines)
    )
    return application


def messages_of(response):
    return [(message.level, str(message)) for message in get_messages(response.wsgi_request)]


# --- Applying ------------------------------------------------------------------------------


def test_the_whole_lifecycle_apply_save_draft_submit(client, pool, randers):
    application = start(client, randers, pool)
    assert application.is_draft and application.created_by == randers

    page = client.get(url("application", application.pk))
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("project_leader_name", "centre_chief_approved", "budget-0-month"):
        assert f'name="{name}"' in html
    criteria = list(pool.award_criteria.all())
    for criterion in criteria:
        assert f'name="answer_{criterion.pk}"' in html
    assert 'type="month"' in html and 'min="2020-01"' in html and 'max="2022-09"' in html
    assert "application-autosave.js" in html and "defer" in html
    assert url("application_submit", application.pk) in html

    saved = client.post(url("application", application.pk), form_data(application))
    assert saved.status_code == 302
    application.refresh_from_db()
    assert application.project_leader_email == "anne@randers.example"
    assert application.centre_chief_approved is True
    assert {a.text for a in application.answers.all()} == {f"Svar på {c.title}" for c in criteria}
    assert [(line.month, line.amount) for line in application.budget_lines.all()] == [
        (date(2020, 1, 1), Decimal("38000")),
        (date(2020, 2, 1), Decimal("9500.50")),
    ]

    submitted = client.post(
        url("application_submit", application.pk), form_data(application, initial_lines=2)
    )
    assert submitted.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.submitted_by == randers and application.submitted_at is not None
    assert Membership.objects.get(municipality=randers.municipality).status == "applicant"

    read_only = client.get(url("application", application.pk))
    html = read_only.content.decode()
    assert read_only.status_code == 200
    assert 'name="project_leader_name"' not in html
    assert "application-autosave.js" not in html
    assert f'datetime="{timezone.localtime(application.submitted_at):%Y-%m-%dT%H:%M}' in html
    assert "Projektleder, 20 timer om ugen" in html

    # Submitted means final: a forged save changes nothing.
    again = client.post(url("application", application.pk), form_data(application, lines=[]))
    assert again.status_code == 302
    assert application.budget_lines.count() == 2


def test_applying_needs_a_login(client, pool):
    response = client.post(url("apply", pool.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("network:login"))
    assert not Application.objects.exists()


def test_apply_is_a_post(client, pool, randers):
    client.force_login(randers)
    assert client.get(url("apply", pool.pk)).status_code == 405


def test_applying_to_a_closed_pool_says_so_on_the_pool_page(client, randers):
    closed = PoolPageFactory(deadline=timezone.now() - timedelta(minutes=1))
    client.force_login(randers)
    response = client.post(url("apply", closed.pk))
    assert response.status_code == 302
    assert response["Location"] == closed.url
    assert [level for level, _text in messages_of(response)] == [message_levels.ERROR]
    assert not Application.objects.exists()
    pool_page = client.get(closed.url)
    assert b"alert-error" in pool_page.content


def test_agency_staff_cannot_apply(client, pool, editor):
    client.force_login(editor)
    assert client.post(url("apply", pool.pk)).status_code == 403
    assert not Application.objects.exists()


def test_two_colleagues_get_the_same_application(client, pool, randers):
    first = start(client, randers, pool)
    colleague = municipal_person("Randers")
    second = start(client, colleague, pool)
    assert first == second
    assert Application.objects.filter(pool=pool).count() == 1
    assert client.get(url("application", first.pk)).status_code == 200


def test_another_municipalitys_application_does_not_exist_for_them(client, pool, randers):
    application = services.start_application(pool, randers)
    client.force_login(municipal_person("Herning"))
    assert client.get(url("application", application.pk)).status_code == 404
    forged = form_data(application, project_leader_name="Fra Herning")
    assert client.post(url("application", application.pk), forged).status_code == 404
    assert client.post(url("application_submit", application.pk), forged).status_code == 404
    assert client.post(url("application", application.pk), forged, **AUTOSAVE).status_code == 404
    application.refresh_from_db()
    assert application.project_leader_name == ""
    assert client.get(url("application", 999_999)).status_code == 404


def test_anonymous_people_are_sent_to_the_login(client, pool, randers):
    application = services.start_application(pool, randers)
    response = client.get(url("application", application.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("network:login"))


def test_an_agency_editor_reads_a_draft_but_cannot_change_it(client, pool, randers, editor):
    application = services.start_application(pool, randers)
    client.force_login(editor)
    page = client.get(url("application", application.pk))
    assert page.status_code == 200
    assert b'name="project_leader_name"' not in page.content
    forged = form_data(application, project_leader_name="Redaktøren")
    assert client.post(url("application", application.pk), forged).status_code == 403
    application.refresh_from_db()
    assert application.project_leader_name == ""


# --- Bad input: field errors, nothing saved, the typed text kept ---------------------------


@pytest.mark.parametrize("lump_sum", ["Løn", "Overhead", "Diverse"])
def test_a_lump_sum_budget_line_is_refused_and_nothing_is_saved(client, pool, randers, lump_sum):
    application = start(client, randers, pool)
    typed = "Vi er langt i omlægningen og vil gerne dele erfaringerne."
    data = form_data(
        application,
        project_leader_name="Skal ikke gemmes",
        answers={"Relevans": typed},
        lines=[GOOD_LINES[0], ("2020-03", lump_sum, "100.000")],
    )
    response = client.post(url("application", application.pk), data)
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.project_leader_name == ""
    assert not application.answers.exists()
    assert not application.budget_lines.exists()
    html = response.content.decode()
    assert typed in html and 'value="Skal ikke gemmes"' in html
    assert 'role="alert"' in html
    refused_line = response.context["formset"].forms[1]
    assert refused_line.non_field_errors()
    assert not response.context["formset"].forms[0].errors
    # The refused line's inputs point to its error and say they are invalid.
    assert 'id="id_budget-1_line_error"' in html
    assert 'aria-describedby="id_budget-1_line_error"' in html
    assert 'href="#id_budget-1-description"' in html


@pytest.mark.parametrize(
    ("amount", "field_error"),
    [("-5000", False), ("0", False), ("mange penge", True), ("1e400", True)],
)
def test_bad_amounts_are_refused_with_a_field_error(client, pool, randers, amount, field_error):
    application = start(client, randers, pool)
    data = form_data(application, lines=[("2020-01", "Projektleder, 20 timer", amount)])
    response = client.post(url("application", application.pk), data)
    assert response.status_code == 200
    line = response.context["formset"].forms[0]
    if field_error:
        assert line["amount"].errors
        assert 'aria-invalid="true"' in response.content.decode()
    else:
        assert line.non_field_errors()
    assert not application.budget_lines.exists()
    assert not application.answers.exists()


def test_months_outside_the_project_period_are_refused(client, pool, randers):
    application = start(client, randers, pool)
    data = form_data(application, lines=[("2023-01", "Evaluering, ekstern konsulent", "5000")])
    response = client.post(url("application", application.pk), data)
    assert response.status_code == 200
    assert response.context["formset"].forms[0].non_field_errors()
    assert not application.budget_lines.exists()


def test_a_half_filled_budget_line_and_a_bad_email_are_field_errors(client, pool, randers):
    application = start(client, randers, pool)
    data = form_data(
        application, project_leader_email="ikke-en-adresse", lines=[("2020-01", "", "")]
    )
    response = client.post(url("application", application.pk), data)
    assert response.status_code == 200
    assert response.context["form"]["project_leader_email"].errors
    line = response.context["formset"].forms[0]
    assert line["description"].errors and line["amount"].errors
    html = response.content.decode()
    assert 'aria-describedby="id_project_leader_email_error"' in html
    assert 'href="#id_project_leader_email"' in html
    application.refresh_from_db()
    assert application.project_leader_email == ""


def test_oversized_answers_are_refused(client, pool, randers):
    application = start(client, randers, pool)
    data = form_data(application, answers={"Relevans": "x" * 20_001})
    response = client.post(url("application", application.pk), data)
    assert response.status_code == 200
    assert not application.answers.exists()


def test_empty_and_removed_lines_leave_the_budget(client, pool, randers):
    application = start(client, randers, pool)
    client.post(url("application", application.pk), form_data(application))
    assert application.budget_lines.count() == 2
    data = form_data(application, lines=[*GOOD_LINES, ("", " ", "")], initial_lines=2)
    data["budget-0-DELETE"] = "on"
    assert client.post(url("application", application.pk), data).status_code == 302
    assert [line.description for line in application.budget_lines.all()] == [GOOD_LINES[1][1]]


# --- Submission ----------------------------------------------------------------------------


def test_an_incomplete_submission_lists_what_is_missing_and_keeps_the_draft(client, pool, randers):
    application = start(client, randers, pool)
    data = form_data(application, centre_chief_approved=None, answers={"Indsats": " "})
    response = client.post(url("application_submit", application.pk), data)
    assert response.status_code == 200
    missing = response.context["missing"]
    assert len(missing) == 2  # criterion 2 and the centre chief's approval
    assert "Indsats" in missing[0]
    assert 'role="alert"' in response.content.decode()
    application.refresh_from_db()
    assert application.is_draft
    # What was typed is kept as the draft.
    assert application.project_leader_name == "Anne Projektleder"
    assert application.budget_lines.count() == 2


# --- The step indicator ----------------------------------------------------------------------


def steps_of(response):
    """(classes of the li, the step's link, its aria-current) for each step, and the phone text."""
    page = BeautifulSoup(response.content, "html.parser")
    indicator = page.find("ol", class_="step-indicator")
    steps = [
        (set(item.get("class", [])), item.find("a", class_="step"))
        for item in indicator.find_all("li", recursive=False)
    ]
    compact = page.find(class_="step-subheading").get_text(" ", strip=True)
    return steps, compact


def test_the_step_indicator_marks_the_first_step_current_on_a_new_application(
    client, pool, randers
):
    application = start(client, randers, pool)
    steps, compact = steps_of(client.get(url("application", application.pk)))
    assert len(steps) == 4
    (classes, link), *later = steps
    assert "current" in classes and link["aria-current"] == "step"
    assert link["href"] == "#people-heading"
    assert all(step_link.get("aria-current") is None for _, step_link in later)
    assert [step_link.find(class_="step-number").get_text() for _, step_link in steps] == [
        "1",
        "2",
        "3",
        "4",
    ]
    assert compact.startswith("Trin 1 af 4")


def test_the_step_indicator_marks_completed_steps_and_the_next_as_current(client, pool, randers):
    application = start(client, randers, pool)
    client.post(url("application", application.pk), form_data(application, lines=[]))
    steps, compact = steps_of(client.get(url("application", application.pk)))
    for classes, link in steps[:2]:
        assert "current" not in classes and link.get("aria-current") is None
        assert "gennemført" in link.find(class_="step-icon")["aria-label"]
    budget_classes, budget_link = steps[2]
    assert "current" in budget_classes and budget_link["aria-current"] == "step"
    assert budget_link["href"] == "#budget-heading"
    assert compact.startswith("Trin 3 af 4")

    client.post(url("application", application.pk), form_data(application))
    steps, compact = steps_of(client.get(url("application", application.pk)))
    assert steps[3][1]["aria-current"] == "step" and compact.startswith("Trin 4 af 4")


def test_the_step_indicator_marks_a_step_with_errors(client, pool, randers):
    application = start(client, randers, pool)
    data = form_data(application, project_leader_email="ikke-en-adresse")
    steps, _ = steps_of(client.post(url("application", application.pk), data))
    classes, link = steps[0]
    assert {"current", "error"} <= classes and link["aria-current"] == "step"
    assert link.find(class_="step-icon")["aria-label"] == "Fejl i trin 1"


def test_late_submission_at_12_00_is_refused_and_the_draft_kept(client, randers):
    pool = PoolPageFactory(
        deadline=DEADLINE,
        project_period_start=date(2020, 1, 1),
        project_period_end=date(2022, 9, 30),
    )
    with mock.patch("django.utils.timezone.now", return_value=DEADLINE - timedelta(hours=2)):
        application = start(client, randers, pool)
        client.post(url("application", application.pk), form_data(application))

    typed_at_the_last_minute = "Tilføjet lige før fristen."
    data = form_data(application, answers={"Relevans": typed_at_the_last_minute})
    with mock.patch("django.utils.timezone.now", return_value=DEADLINE):
        response = client.post(url("application_submit", application.pk), data)
        assert response.status_code == 302
        assert response["Location"] == url("application", application.pk)
        [text] = [text for level, text in messages_of(response) if level == message_levels.ERROR]
        assert "17. september 2019 kl. 12.00" in text
        # The draft can still be opened and changed, not submitted.
        page = client.get(url("application", application.pk))
        assert b'name="project_leader_name"' in page.content

    application.refresh_from_db()
    assert application.is_draft and application.submitted_at is None
    assert application.answers.filter(text=typed_at_the_last_minute).exists()
    assert application.budget_lines.count() == 2


def test_submission_at_11_59_is_on_time(client, randers):
    pool = PoolPageFactory(
        deadline=DEADLINE,
        project_period_start=date(2020, 1, 1),
        project_period_end=date(2022, 9, 30),
    )
    with mock.patch("django.utils.timezone.now", return_value=DEADLINE - timedelta(seconds=1)):
        application = start(client, randers, pool)
        client.post(url("application_submit", application.pk), form_data(application))
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


# --- Autosave ------------------------------------------------------------------------------


def test_autosave_answers_json_and_saves_the_draft(client, pool, randers):
    application = start(client, randers, pool)
    data = form_data(application, project_leader_name="Gemt i baggrunden")
    response = client.post(url("application", application.pk), data, **AUTOSAVE)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    application.refresh_from_db()
    assert body["errors"] == {}
    assert body["saved_at"] == application.updated_at.isoformat()
    assert f"{timezone.localtime(application.updated_at):%H.%M}" in body["message"]
    assert application.project_leader_name == "Gemt i baggrunden"
    assert application.budget_lines.count() == 2


def test_a_failing_autosave_says_why_and_saves_nothing(client, pool, randers):
    application = start(client, randers, pool)
    data = form_data(
        application,
        project_leader_email="forkert",
        lines=[("2020-01", "Overhead", "1000")],
    )
    response = client.post(url("application", application.pk), data, **AUTOSAVE)
    assert response.status_code == 400
    body = response.json()
    assert body["saved_at"] is None and body["message"]
    assert set(body["errors"]) == {"project_leader_email", "budget-0"}
    assert {item["href"] for item in body["summary"]} == {
        "#id_project_leader_email",
        "#id_budget-0-description",
    }
    application.refresh_from_db()
    assert application.project_leader_email == ""
    assert not application.budget_lines.exists()


def test_autosave_after_logout_or_submission_says_so_in_json(client, pool, randers):
    application = start(client, randers, pool)
    client.post(url("application_submit", application.pk), form_data(application))
    late = client.post(url("application", application.pk), form_data(application), **AUTOSAVE)
    assert late.status_code == 409
    assert late.json()["saved_at"] is None
    client.logout()
    logged_out = client.post(url("application", application.pk), form_data(application), **AUTOSAVE)
    assert logged_out.status_code == 401
    assert logged_out.json()["errors"]


# --- The pool page's apply box -------------------------------------------------------------


def test_the_pool_page_offers_to_apply(client, pool, randers, editor):
    anonymous = client.get(pool.url).content.decode()
    assert reverse("network:login") in anonymous
    assert url("apply", pool.pk) not in anonymous

    client.force_login(randers)
    html = client.get(pool.url).content.decode()
    assert f'action="{url("apply", pool.pk)}"' in html and 'method="post"' in html

    client.force_login(editor)
    html = client.get(pool.url).content.decode()
    assert url("assessment_list", pool.pk) in html
    assert url("apply", pool.pk) not in html


def test_a_closed_pool_page_has_no_apply_button(client, randers):
    closed = PoolPageFactory(deadline=timezone.now() - timedelta(days=1))
    client.force_login(randers)
    assert url("apply", closed.pk) not in client.get(closed.url).content.decode()


# --- Case handling -------------------------------------------------------------------------


@pytest.fixture
def people(initiative):
    """Everyone the permission matrix is about."""
    member(initiative, "Randers", Membership.Status.PARTNER)
    member(initiative, "Aarhus", Membership.Status.REFERENCE)
    return {
        "applicant": municipal_person("Odense", Role.PROJECT_LEADER),
        "reference": municipal_person("Aarhus", Role.PROJECT_LEADER),
        "partner": municipal_person("Randers", Role.PROJECT_OWNER),
        "moderator": agency_moderator(),
        "editor": agency_editor(),
    }


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("applicant", 403),
        ("reference", 403),
        ("partner", 403),
        ("moderator", 403),
        ("editor", 200),
    ],
)
def test_only_agency_editors_handle_cases(client, pool, people, who, status):
    application = submitted_application(pool, "Odense")
    if who != "anonymous":
        client.force_login(people[who])
    for page in (url("assessment_list", pool.pk), url("assess", application.pk)):
        response = client.get(page)
        assert response.status_code == status, page
        if status == 302:
            assert response["Location"].startswith(reverse("network:login"))
    criterion = pool.award_criteria.first()
    forged = {"action": "assess", f"score_{criterion.pk}": "5", f"note_{criterion.pk}": ""}
    posted = client.post(url("assess", application.pk), forged)
    assert posted.status_code == (302 if who == "editor" else status)
    if who != "editor":
        assert not Assessment.objects.exists()
    application.refresh_from_db()
    assert application.decision == ""


def test_the_assessment_list_shows_submitted_applications(client, pool, editor):
    randers = submitted_application(pool, "Randers", lines=3)
    submitted_application(pool, "Herning", lines=1)
    ApplicationFactory(pool=pool, municipality=municipality("Roskilde"))  # a draft
    criteria = list(pool.award_criteria.all())
    Assessment.objects.create(application=randers, criterion=criteria[0], score=4)
    Assessment.objects.create(application=randers, criterion=criteria[1], score=5)
    client.force_login(editor)
    response = client.get(url("assessment_list", pool.pk))
    assert response.status_code == 200
    rows = {
        application.municipality.name: application for application in response.context["page_obj"]
    }
    assert set(rows) == {"Herning", "Randers"}
    assert rows["Randers"].total == Decimal("6000")
    assert rows["Randers"].average_score == pytest.approx(4.5)
    assert rows["Randers"].scored == 2
    assert rows["Herning"].average_score is None
    html = response.content.decode()
    assert url("assess", randers.pk) in html
    assert "6.000 kr." in html


@pytest.mark.parametrize("count", [3, 30])
def test_the_assessment_list_has_a_bounded_number_of_queries(
    client, pool, editor, django_assert_max_num_queries, count
):
    names = [m.name for m in municipality("Randers").__class__.objects.order_by("code")[:count]]
    criteria = list(pool.award_criteria.all())
    for name in names:
        application = submitted_application(pool, name, lines=4)
        for criterion in criteria:
            Assessment.objects.create(application=application, criterion=criterion, score=3)
    client.force_login(editor)
    with django_assert_max_num_queries(MAX_LIST_QUERIES):
        response = client.get(url("assessment_list", pool.pk))
    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == min(count, 25)
    if count > 25:
        with django_assert_max_num_queries(MAX_LIST_QUERIES):
            second = client.get(url("assessment_list", pool.pk), {"side": 2})
        assert len(second.context["page_obj"].object_list) == count - 25


def test_assess_after_the_deadline(client, editor):
    initiative = InitiativeFactory(pool__deadline=timezone.now() - timedelta(days=1))
    pool = initiative.pool
    application = submitted_application(pool, "Randers")
    criteria = list(pool.award_criteria.all())
    client.force_login(editor)
    page = client.get(url("assess", application.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'name="score_{criteria[0].pk}"' in html
    # The decision is the director's, on the caseworkers' recommendation (grants/).
    assert reverse("grants:recommend", args=[application.pk]) in html

    scores = {"action": "assess"}
    for criterion, score in zip(criteria, (4, 5), strict=True):
        scores[f"score_{criterion.pk}"] = str(score)
        scores[f"note_{criterion.pk}"] = f"Note om {criterion.title}"
    assert client.post(url("assess", application.pk), scores).status_code == 302
    assert sorted(application.assessments.values_list("score", flat=True)) == [4, 5]
    assert application.assessments.get(criterion=criteria[0]).assessed_by == editor
    assert client.post(url("assess", application.pk), {"action": "decide"}).status_code == 400


def test_a_note_without_a_score_is_a_field_error(client, pool, editor):
    application = submitted_application(pool, "Randers")
    criterion = pool.award_criteria.first()
    client.force_login(editor)
    response = client.post(
        url("assess", application.pk),
        {"action": "assess", f"note_{criterion.pk}": "Mangler score", f"score_{criterion.pk}": ""},
    )
    assert response.status_code == 200
    assert response.context["assessment_form"][f"score_{criterion.pk}"].errors
    assert not Assessment.objects.exists()


def test_drafts_cannot_be_assessed(client, pool, randers, editor):
    application = services.start_application(pool, randers)
    criterion = pool.award_criteria.first()
    client.force_login(editor)
    response = client.post(
        url("assess", application.pk), {"action": "assess", f"score_{criterion.pk}": "3"}
    )
    assert response.status_code == 200
    assert response.context["assessment_form"].non_field_errors()
    assert not Assessment.objects.exists()


def test_editors_see_the_scores_on_the_application(client, pool, editor):
    application = submitted_application(pool, "Randers")
    criterion = pool.award_criteria.first()
    Assessment.objects.create(
        application=application, criterion=criterion, score=2, note="Svag", assessed_by=editor
    )
    client.force_login(editor)
    html = client.get(url("application", application.pk)).content.decode()
    assert "Svag" in html and url("assess", application.pk) in html
    client.force_login(municipal_person("Randers"))
    html = client.get(url("application", application.pk)).content.decode()
    assert "Svag" not in html and url("assess", application.pk) not in html
