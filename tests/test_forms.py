"""Every form of ours is drawn in DKFDS's markup, through one place: the form renderer.

``config.forms.DKFDSRenderer`` and ``templates/django/forms/`` give ``{{ form }}`` and
``{{ field.as_field_group }}`` DKFDS's form-group, form-label, form-hint and
form-error-message, and the error summary (includes/error_summary.html) at the top.
These tests draw each project form with an error on every field and read the HTML; and
they read the site's templates for fields drawn by hand.
"""

import importlib
import inspect
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from django import forms

from network.models import NoticeKind

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
FORM_MODULES = [
    "grants.forms",
    "knowledge.forms",
    "meetings.forms",
    "network.forms.accounts",
    "network.forms.applications",
    "network.forms.progress",
    "network.views.second_factor",
]
#: Form classes that are not drawn on the site's pages.
NOT_DRAWN = {
    # Bases without fields of their own; their subclasses are drawn.
    "network.forms.progress.ProgressForm",
    "knowledge.forms.TopicFieldsMixin",
}
CRITERIA = [
    SimpleNamespace(pk=1, title="Målgruppe", description="<p>Hvem er borgerne?</p>"),
    SimpleNamespace(pk=2, title="Forankring", description="<p>Hvordan forankres det?</p>"),
]
#: The keyword arguments each form needs besides its data.
ARGUMENTS = {
    "AccountsForm": lambda: {
        "summary": {
            "rows": [{"line": SimpleNamespace(pk=7, description="Projektleder"), "actual": None}]
        }
    },
    "ApplicationForm": lambda: {"criteria": CRITERIA},
    "AssessmentForm": lambda: {"criteria": CRITERIA},
    "ExperienceReportForm": lambda: {"existing_tags": ["recovery"]},
    "MessageForm": lambda: {"from_agency": True},
    "NoticeChoicesForm": lambda: {"initial_choices": {kind: "immediately" for kind in NoticeKind}},
    "TopicForm": lambda: {"existing_tags": ["recovery"]},
}


def project_forms():
    found = []
    for name in FORM_MODULES:
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            qualified = f"{cls.__module__}.{cls.__qualname__}"
            if (
                cls.__module__ == name
                and issubclass(cls, forms.BaseForm)
                and qualified not in NOT_DRAWN
            ):
                found.append(cls)
    return found


def with_an_error_everywhere(cls):
    """The form bound to nothing, with an error on every field and one on the form."""
    form = cls(data={}, files={}, **ARGUMENTS.get(cls.__name__, dict)())
    form.is_valid()
    for name, field in form.fields.items():
        if not field.widget.is_hidden and not form[name].errors:
            form.add_error(name, "Der er noget galt her.")
    form.add_error(None, "Formularen som helhed er forkert.")
    return form


def test_the_project_forms_are_found():
    names = {cls.__name__ for cls in project_forms()}
    assert {"ApplicationForm", "GuestSignupForm", "TopicForm", "RecommendationForm"} <= names
    assert {"CodeForm", "EmailAuthenticationForm", "StatusNoteForm"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize("cls", project_forms(), ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_a_form_with_errors_is_drawn_in_dkfds_markup(cls):
    form = with_an_error_everywhere(cls)
    page = BeautifulSoup(str(form), "html.parser")

    # The error summary first: a DKFDS error alert, focused on load, with a link per field.
    summary = page.find(attrs={"data-module": "error-summary"})
    assert summary is not None and page.find(True) is summary
    assert {"alert", "alert-error"} <= set(summary["class"])
    assert summary["tabindex"] == "-1" and summary["role"] == "alert"
    assert summary.find(class_="alert-heading").get_text(strip=True)
    assert "Formularen som helhed er forkert." in summary.get_text()
    links = {link["href"] for link in summary.find_all("a")}

    visible = [form[name] for name, field in form.fields.items() if not field.widget.is_hidden]
    assert visible
    for field in visible:
        target = field.id_for_label or f"{field.auto_id}_0"
        assert f"#{target}" in links, field.name
        assert page.find(id=target) is not None, field.name

        message = page.find(id=f"{field.auto_id}_error")
        assert message is not None and "form-error-message" in message["class"], field.name
        assert message.find(class_="sr-only") is not None
        group = message.find_parent(class_="form-group")
        assert group is not None and "form-error" in group["class"], field.name

        inputs = group.find_all(["input", "select", "textarea"])
        assert inputs, field.name
        for element in inputs:
            assert element.get("aria-invalid") == "true", field.name
        if field.field.widget.use_fieldset:
            described = group.find("fieldset")
            assert described.find("legend", class_="form-label") is not None, field.name
        elif isinstance(field.field.widget, forms.CheckboxInput):
            described = inputs[0]
            label = group.find("label", attrs={"for": field.id_for_label})
            assert "form-label" in label["class"]
            assert inputs[0].find_next_sibling("label") is label, "DKFDS: the label after the box"
        else:
            described = inputs[0]
            label = group.find("label", attrs={"for": field.id_for_label})
            assert label is not None and "form-label" in label["class"], field.name
        ids = described.get("aria-describedby", "").split()
        assert f"{field.auto_id}_error" in ids, field.name
        if field.help_text:
            assert f"{field.auto_id}_helptext" in ids, field.name
            assert "form-hint" in page.find(id=f"{field.auto_id}_helptext")["class"]


@pytest.mark.django_db
def test_inputs_carry_dkfds_classes():
    form = with_an_error_everywhere(importlib.import_module("network.forms.accounts").InviteForm)
    page = BeautifulSoup(str(form), "html.parser")
    assert "form-input" in page.find("input", attrs={"name": "email"})["class"]
    assert "form-select" in page.find("select", attrs={"name": "municipality"})["class"]
    box = page.find("input", attrs={"name": "is_agency_staff"})
    assert "form-checkbox" in box["class"]
    assert "form-group-checkbox" in box.parent["class"]
    role = page.find("input", attrs={"name": "roles"})
    assert "form-checkbox" in role["class"] and role.find_next_sibling("label")


# --- Templates ---------------------------------------------------------------------------

#: Templates outside this check: the renderer's own, Wagtail admin and staff pages, email.
OUTSIDE = ("django/forms/", "admin/", "email/", "wagtailusers/")
#: A form object's field printed as a bare widget: {{ field }}, {{ form.x }}, {{ row.field }}.
BARE_WIDGET = re.compile(
    r"\{\{\s*((?:\w+\.)*field|\w*form\.\w+|\w+_form\.\w+|line\.[A-Z]\w*)\s*\}\}"
)
#: Hidden fields and a formset's management form are fine as they are.
HIDDEN = {"form.quoted", "form.tid", "formset.management_form"}
#: Django's own error lists and labels, not DKFDS's.
DJANGO_MARKUP = re.compile(r"\{\{\s*[\w.]+\.(errors|non_field_errors|label_tag|legend_tag)\s*\}\}")
#: Fields written as HTML because no form object stands behind them: (template, name).
HAND_WRITTEN = {
    ("cms/pool_index_page.html", "status"),  # the page's filter, read by PoolIndexPage
    ("cms/search_results.html", "q"),
    ("knowledge/_forum_tools.html", "q"),
    ("includes/site_search.html", "q"),  # the site search in the header
}
FIELD_TAG = re.compile(r"<(input|textarea|select)\b([^>]*)>", re.IGNORECASE)


def site_templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        relative = path.relative_to(TEMPLATES).as_posix()
        if not any(part in relative for part in OUTSIDE):
            yield relative, path.read_text(encoding="utf-8")


def test_no_template_draws_a_form_field_by_hand():
    problems = []
    for name, text in site_templates():
        for match in DJANGO_MARKUP.finditer(text):
            problems.append(f"{name}: {match.group(0)} (use as_field_group or {{{{ form }}}})")
        for match in BARE_WIDGET.finditer(text):
            if match.group(1) in HIDDEN:
                continue
            # A bare widget only inside DKFDS's frame drawn with the renderer's pieces.
            if "django/forms/_error.html" not in text and "_hint_and_error.html" not in text:
                problems.append(f"{name}: {match.group(0)} without the DKFDS field frame")
        for match in FIELD_TAG.finditer(text):
            attributes = match.group(2)
            if re.search(r'type="(hidden|submit)"|\bhidden\b', attributes):
                continue
            field_name = re.search(r'name="([^"]+)"', attributes)
            if field_name and (name, field_name.group(1)) not in HAND_WRITTEN:
                problems.append(f"{name}: <{match.group(1)} name={field_name.group(1)}> by hand")
    assert not problems, "\n".join(problems)
