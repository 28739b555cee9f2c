"""The partnership's whole lifecycle through the pages, as the people involved click it.

Apply (draft, submit), a late submission refused with the draft kept, assessment,
decision, memberships, an invitation accepted, progress reported and shown on the
overview. Time is set to the seed's real dates.
"""

import re
from datetime import datetime
from unittest import mock
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from network.models import Application, Membership, Role, StatusNote, User
from tests.network.factories import (
    InitiativeFactory,
    agency_director,
    agency_editor,
    municipal_person,
)

pytestmark = pytest.mark.django_db
COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def at(*args):
    return mock.patch.object(timezone, "now", return_value=datetime(*args, tzinfo=COPENHAGEN))


def application_form(application, *, answers=True):
    data = {
        "project_leader_name": "Anders Kjær",
        "project_leader_email": "anders@randers.example",
        "centre_chief_name": "Birgitte Munk",
        "centre_chief_approved": "on",
        "budget-TOTAL_FORMS": "2",
        "budget-INITIAL_FORMS": "0",
        "budget-MIN_NUM_FORMS": "0",
        "budget-MAX_NUM_FORMS": "500",
        "budget-0-month": "2020-01",
        "budget-0-description": "Projektleder, 30 timer om ugen",
        "budget-0-amount": "42.000",
        "budget-1-month": "2020-03",
        "budget-1-description": "Kursus i recovery-orienteret praksis for 15 medarbejdere",
        "budget-1-amount": "60.000",
    }
    for criterion in application.pool.award_criteria.all():
        data[f"answer_{criterion.pk}"] = f"Vores svar om {criterion.title}." if answers else ""
    return data


def test_apply_assess_decide_invite_and_report(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    initiative = InitiativeFactory(
        pool__deadline=datetime(2019, 9, 17, 12, 0, tzinfo=COPENHAGEN),
    )
    pool = initiative.pool

    # Randers applies in good time: the draft is saved, then submitted.
    randers_staff = municipal_person("Randers", Role.PROJECT_OWNER)
    client.force_login(randers_staff)
    with at(2019, 9, 10, 9, 0):
        response = client.post(reverse("network:apply", args=[pool.pk]))
        application = Application.objects.get(municipality__name="Randers")
        assert response["Location"] == reverse("network:application", args=[application.pk])
        client.post(
            reverse("network:application", args=[application.pk]), application_form(application)
        )
        application.refresh_from_db()
        assert application.budget_total() == 102_000
        client.post(
            reverse("network:application_submit", args=[application.pk]),
            application_form(application),
        )
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED

    # Herning is a minute late: refused on the server, the draft kept.
    herning_staff = municipal_person("Herning", Role.PROJECT_LEADER)
    client.force_login(herning_staff)
    with at(2019, 9, 16, 15, 0):
        client.post(reverse("network:apply", args=[pool.pk]))
    late = Application.objects.get(municipality__name="Herning")
    with at(2019, 9, 17, 12, 0):
        response = client.post(
            reverse("network:application_submit", args=[late.pk]),
            application_form(late),
            follow=True,
        )
    late.refresh_from_db()
    assert late.status == Application.Status.DRAFT
    assert late.answers.exclude(text="").count() == pool.award_criteria.count()
    assert "17. september 2019 kl. 12.00" in response.content.decode()

    # The editor assesses every criterion and recommends after the deadline; the
    # director approves the recommendation, and Randers gets its letter.
    editor = agency_editor()
    client.force_login(editor)
    assess_url = reverse("network:assess", args=[application.pk])
    with at(2019, 12, 19, 10, 0):
        scores = {"action": "assess"}
        for criterion in pool.award_criteria.all():
            scores[f"score_{criterion.pk}"] = "5"
            scores[f"note_{criterion.pk}"] = "Langt i omlægningen."
        client.post(assess_url, scores)
        client.post(
            reverse("grants:recommend", args=[application.pk]),
            {"outcome": "partner", "amount": "3250000", "reasons": "Langt i omlægningen."},
        )
        client.force_login(agency_director())
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("grants:decision_list", args=[pool.pk]), {"action": "approve_all"})
    assert application.assessments.count() == pool.award_criteria.count()
    membership = Membership.objects.get(municipality__name="Randers")
    assert membership.status == Membership.Status.PARTNER
    assert [event.status for event in membership.events.all()] == ["applicant", "partner"]
    assert sorted(mail.to[0] for mail in mailoutbox[-2:]) == sorted(
        ["anders@randers.example", randers_staff.email]
    )
    assert mailoutbox[-1].attachments[0][0].endswith(".pdf")
    client.force_login(editor)

    # The editor invites Randers' new project leader, who accepts and lands on Randers' page.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("network:invite"),
            {
                "email": "anders@randers.example",
                "first_name": "Anders",
                "last_name": "Kjær",
                "municipality": membership.municipality.pk,
                "roles": [Role.PROJECT_LEADER],
            },
        )
    link = re.search(r"https?://\S+/invitation/\S+/", mailoutbox[-1].body).group(0)
    client.logout()
    response = client.post(
        urlparse(link).path,
        {
            "first_name": "Anders",
            "last_name": "Kjær",
            "password1": "korrekt-hest-batteri-42",
            "password2": "korrekt-hest-batteri-42",
        },
    )
    assert response["Location"] == reverse("network:overview")
    leader = User.objects.get(email="anders@randers.example")
    assert leader.municipality.name == "Randers"

    # The new project leader reports progress, and the reference network sees it.
    report_url = reverse("network:report_progress", args=[initiative.slug, "randers"])
    client.post(
        report_url,
        {"form": "note", "note-part": "1", "note-text": "Kortlægningen er i gang i bostøtten."},
    )
    assert StatusNote.objects.get().author == leader
    reference_member = municipal_person("Aarhus")
    Membership.objects.create(
        initiative=initiative, municipality=reference_member.municipality, status="reference"
    )
    client.force_login(reference_member)
    overview = client.get(reverse("network:progress_overview", args=[initiative.slug]))
    assert "Kortlægningen er i gang i bostøtten." in overview.content.decode()
