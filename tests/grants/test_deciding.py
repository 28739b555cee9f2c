"""Recommending and deciding: the caseworkers' list, the director's approval, the letters."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from grants import services
from grants.models import CaseDocument, CaseEvent, Recommendation
from network import services as network
from network.models import Application, Membership, Role
from tests.grants.factories import closed_pool, submit
from tests.network.factories import (
    PersonFactory,
    agency_director,
    agency_editor,
    municipal_person,
)

pytestmark = pytest.mark.django_db


def pdf_text(document):
    with document.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def pool():
    return closed_pool(amount=13_000_000)


@pytest.fixture
def editor():
    return agency_editor(first_name="Karen", last_name="Holm")


@pytest.fixture
def director():
    return agency_director(first_name="Jens", last_name="Bruun")


def recommend(application, outcome, amount=None, *, by, reasons="Begrundelse."):
    return services.recommend(application, outcome=outcome, amount=amount, reasons=reasons, by=by)


def test_the_list_shows_scores_totals_and_sums_best_first(client, pool, editor, director):
    criteria = list(pool.award_criteria.all())
    randers, herning, aarhus = (submit(pool, name) for name in ("Randers", "Herning", "Aarhus"))
    for application, scores in ((randers, (5, 4)), (herning, (3, 3)), (aarhus, (4, 4))):
        for criterion, score in zip(criteria, scores, strict=True):
            network.assess(application, criterion, score=score, note="", assessor=editor)
    recommend(randers, "partner", 4_000_000, by=editor)
    recommend(aarhus, "partner", 3_500_000, by=editor)
    recommend(herning, "reference", by=editor)

    listing = services.decision_list(pool)
    assert [row["application"].municipality.name for row in listing["rows"]] == [
        "Randers",
        "Aarhus",
        "Herning",
    ]
    assert [row["scores"] for row in listing["rows"]] == [[5, 4], [4, 4], [3, 3]]
    assert [row["total"] for row in listing["rows"]] == [9, 8, 6]
    assert listing["proposed_total"] == Decimal("7500000")
    assert not listing["over_pool"]

    client.force_login(director)
    html = client.get(reverse("grants:decision_list", args=[pool.pk])).content.decode()
    assert "7.500.000 kr." in html and "13.000.000 kr." in html
    assert 'value="approve_all"' in html


def test_applicants_learn_nothing_before_the_director_approves(
    client, pool, editor, director, mailoutbox, django_capture_on_commit_callbacks
):
    leader = municipal_person("Randers", Role.PROJECT_LEADER)
    owner = municipal_person("Randers", Role.PROJECT_OWNER)
    application = submit(pool, "Randers", person=leader)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        recommend(application, "partner", 3_250_000, by=editor, reasons="Langt i omlægningen.")
    # Only the director hears of it (the list is ready), nobody in the municipality.
    assert [mail.to for mail in mailoutbox] == [[director.email]]
    application.refresh_from_db()
    assert (application.status, application.decision) == ("submitted", "")
    client.force_login(owner)
    case = services.case_for(application)
    page = client.get(reverse("grants:case", args=[case.pk])).content.decode()
    assert "Under behandling" in page
    assert "3.250.000" not in page and "Langt i omlægningen" not in page
    assert (
        "Langt i omlægningen"
        not in client.get(reverse("network:application", args=[application.pk])).content.decode()
    )

    client.force_login(director)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("grants:decision_list", args=[pool.pk]), {"action": "approve_all"}
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.decision, application.decided_by) == ("partner", director)
    assert Membership.objects.get(municipality__name="Randers").status == "partner"
    case.refresh_from_db()
    assert case.awarded_amount == Decimal("3250000")

    letter = case.documents.get(kind=CaseDocument.Kind.DECISION_LETTER)
    text = pdf_text(letter)
    assert "Tilsagn om tilskud" in text
    assert "3.250.000,00 kr." in text
    assert "1. januar 2020 – 30. september 2022" in text
    assert "Langt i omlægningen." in text
    assert "Betingelser" in text
    # Everyone attached gets the letter, each in an email of their own.
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted([leader.email, owner.email])
    for mail in mailoutbox:
        assert mail.subject.startswith("Ny information på jeres tilskudssag")
        (_name, content, mimetype) = mail.attachments[0]
        assert mimetype == "application/pdf" and content.startswith(b"%PDF")
        assert reverse("grants:case", args=[case.pk]) in mail.body
    assert CaseEvent.objects.filter(case=case, kind="decided").count() == 1


def test_a_refusal_letter_gives_the_reasons_and_offers_the_reference_network(
    pool, editor, director
):
    application = submit(pool, "Herning")
    recommendation = recommend(
        application, "reference", by=editor, reasons="Ansøgningen er mindre moden."
    )
    services.approve(recommendation, director)
    case = services.case_for(application)
    text = pdf_text(case.documents.get(kind=CaseDocument.Kind.DECISION_LETTER))
    assert "Afslag på tilskud" in text
    assert "referencekommuner" in text
    assert "Ansøgningen er mindre moden." in text
    assert case.awarded_amount == 0
    assert case.status == case.Status.REFUSED
    assert not case.due_items.exists()


def test_four_eyes_nobody_approves_what_they_wrote(pool, mailoutbox):
    both = PersonFactory(is_agency_staff=True, roles=[Role.AGENCY_EDITOR, Role.AGENCY_DIRECTOR])
    application = submit(pool, "Randers")
    recommendation = recommend(application, "partner", 1_000_000, by=both)
    with pytest.raises(services.GrantCaseError, match="en anden"):
        services.approve(recommendation, both)
    with pytest.raises(services.GrantCaseError, match="en anden"):
        services.approve_list(pool, both)
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    services.approve(recommendation, agency_director())
    application.refresh_from_db()
    assert application.status == Application.Status.DECIDED


def test_only_the_director_approves(pool, editor):
    recommendation = recommend(submit(pool, "Randers"), "partner", 1_000_000, by=editor)
    for someone in (agency_editor(), municipal_person("Randers")):
        with pytest.raises(PermissionDenied):
            services.approve(recommendation, someone)


def test_the_director_sends_one_back_and_the_caseworkers_rewrite_it(client, pool, editor, director):
    application = submit(pool, "Randers")
    recommendation = recommend(application, "partner", 9_000_000, by=editor)
    client.force_login(director)
    url = reverse("grants:decision_list", args=[pool.pk])
    response = client.post(
        url,
        {
            "action": "send_back",
            "recommendation": recommendation.pk,
            "comment": "Beløbet er for højt.",
        },
    )
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.status == Recommendation.Status.RETURNED
    assert recommendation.director_comment == "Beløbet er for højt."
    with pytest.raises(services.GrantCaseError):
        services.approve(recommendation, director)

    client.force_login(editor)
    page = client.get(reverse("grants:recommend", args=[application.pk])).content.decode()
    assert "Beløbet er for højt." in page
    client.post(
        reverse("grants:recommend", args=[application.pk]),
        {"outcome": "partner", "amount": "4000000", "reasons": "Justeret beløb."},
    )
    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.amount) == ("proposed", Decimal("4000000"))


def test_an_amount_over_the_pool_is_refused_with_a_message(client, pool, editor):
    application = submit(pool, "Randers")
    client.force_login(editor)
    response = client.post(
        reverse("grants:recommend", args=[application.pk]),
        {"outcome": "partner", "amount": "13000001", "reasons": "For meget."},
    )
    assert response.status_code == 200
    assert "mere end puljens samlede beløb, 13.000.000,00 kr." in response.content.decode()
    assert not Recommendation.objects.exists()


def test_approvals_never_award_more_than_the_pool(pool, editor, director):
    first = recommend(submit(pool, "Randers"), "partner", 8_000_000, by=editor)
    second = recommend(submit(pool, "Herning"), "partner", 6_000_000, by=editor)
    services.approve(first, director)
    with pytest.raises(services.GrantCaseError, match="mere end puljens"):
        services.approve(second, director)
    second.refresh_from_db()
    assert second.status == Recommendation.Status.PROPOSED
    assert services.awarded_in_pool(pool) == Decimal("8000000")
    # The whole list is all or nothing.
    third = recommend(submit(pool, "Aarhus"), "reference", by=editor)
    with pytest.raises(services.GrantCaseError):
        services.approve_list(pool, director)
    third.refresh_from_db()
    assert third.status == Recommendation.Status.PROPOSED


def test_recommending_needs_a_submitted_application_after_the_deadline(editor):
    open_pool = closed_pool(pool__deadline=timezone.now() + timedelta(days=30))
    application = submit(open_pool, "Randers")
    with pytest.raises(services.GrantCaseError, match="efter ansøgningsfristen"):
        recommend(application, "partner", 1_000_000, by=editor)


def test_the_director_reads_the_applications_on_the_list(client, pool, editor, director):
    application = submit(pool, "Randers")
    recommend(application, "partner", 1_000_000, by=editor)
    client.force_login(director)
    listing = client.get(reverse("grants:decision_list", args=[pool.pk])).content.decode()
    url = reverse("network:application", args=[application.pk])
    assert url in listing
    assert client.get(url).status_code == 200
    # The municipality finds its case from the application.
    client.force_login(municipal_person("Randers"))
    page = client.get(url).content.decode()
    assert reverse("grants:case", args=[services.case_for(application).pk]) in page


def test_the_director_hears_when_the_list_is_complete_and_the_writer_when_sent_back(
    pool, editor, director, mailoutbox, django_capture_on_commit_callbacks
):
    randers, herning = submit(pool, "Randers"), submit(pool, "Herning")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = recommend(randers, "partner", 2_000_000, by=editor)
    assert mailoutbox == []  # Herning has none yet: the list is not complete
    with django_capture_on_commit_callbacks(execute=True):
        recommend(herning, "reference", by=editor)
    (ready,) = mailoutbox
    assert ready.to == [director.email]
    assert reverse("grants:decision_list", args=[pool.pk]) in ready.body
    assert "Randers" not in ready.body  # no case's content, only the link

    with django_capture_on_commit_callbacks(execute=True):
        services.send_back(first, director, "Beløbet er for lavt.")
    assert mailoutbox[-1].to == [editor.email]
    assert "Randers" in mailoutbox[-1].subject
