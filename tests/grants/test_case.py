"""The grant case from submission to closing, over HTTP as its people click through it."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from grants import services
from grants.models import (
    CaseDocument,
    CaseMessage,
    DueItem,
    GrantCase,
    Payment,
    Reminder,
    ReportingPlan,
    ReportVersion,
)
from network.models import Municipality, Role
from tests.grants.factories import award, closed_pool, submit
from tests.network.factories import agency_director, agency_editor, municipal_person

pytestmark = pytest.mark.django_db


def pdf(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def case_url(case):
    return reverse("grants:case", args=[case.pk])


def report_url(item):
    return reverse("grants:report", args=[item.case_id, item.pk])


def accounts_url(item):
    return reverse("grants:accounts", args=[item.case_id, item.pk])


SECTIONS = {
    "1": "Kortlægningen af borgernes forløb er færdig.",
    "2": "Implementeringsgruppen har afholdt tre workshops.",
    "3": "Vi har delt vores erfaringer med referencekommunerne.",
    "4": "Evalueringen er planlagt med VIVE.",
    "5": "Vi har skrevet om projektet i nyhedsbrevet.",
    "outcomes": "Flere borgere har fået en recovery-plan.",
}


@pytest.fixture
def pool():
    return closed_pool()


def test_the_receipt_is_filed_at_once_with_the_time_to_the_second(
    client, pool, mailoutbox, django_capture_on_commit_callbacks
):
    leader = municipal_person("Randers", Role.PROJECT_LEADER)
    moment = pool.deadline - timedelta(days=1, seconds=-7)
    with django_capture_on_commit_callbacks(execute=True):
        application = submit(pool, "Randers", person=leader, now=moment)
    case = services.case_for(application)
    receipt = case.documents.get(kind=CaseDocument.Kind.RECEIPT)
    client.force_login(leader)
    response = client.get(reverse("grants:document", args=[case.pk, receipt.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    text = pdf(b"".join(response.streaming_content))
    local = timezone.localtime(moment)
    assert f"kl. {local:%H.%M.%S}" in text
    assert "Kvittering for jeres ansøgning" in text
    assert "Randerss svar på Relevans" in text
    assert "120.000,00 kr." in text  # the budget's total
    # The others attached are told (here nobody: the project leader submitted it herself).
    assert mailoutbox == []
    page = client.get(case_url(case)).content.decode()
    assert "Indsendt" in page and "Kvittering for ansøgningen" in page


def test_mine_tilskudssager_lists_the_municipalitys_cases_with_status_and_next_due(
    client, pool, django_assert_max_num_queries
):
    case = award(pool, "Randers")
    colleague = municipal_person("Randers")
    other_pool = closed_pool(pool__title="Anden pulje")
    submit(other_pool, "Randers")
    submit(pool, "Herning")
    client.force_login(colleague)
    client.get(reverse("network:my_page"))  # the first page of a login makes its profile
    with django_assert_max_num_queries(15):
        response = client.get(reverse("grants:my_cases"))
    rows = response.context["rows"]
    assert {row["application"].pool.title for row in rows} == {pool.title, "Anden pulje"}
    awarded = next(row for row in rows if row["case"] == case)
    assert awarded["status"] == "Tilsagn"
    assert awarded["next_due_kind"] == "Statusrapport"
    assert awarded["next_due_on"] == date(2020, 7, 30)
    assert awarded["overdue"]
    html = response.content.decode()
    assert "Herning" not in html


def test_a_case_is_not_found_for_other_municipalities_and_the_public(client, pool):
    case = award(pool, "Randers")
    letter = case.documents.get(kind=CaseDocument.Kind.DECISION_LETTER)
    urls = [
        case_url(case),
        reverse("grants:document", args=[case.pk, letter.pk]),
        report_url(case.due_items.first()),
    ]
    for person in (municipal_person("Aarhus"), municipal_person("Herning")):
        client.force_login(person)
        for url in urls:
            assert client.get(url).status_code == 404, url
    client.logout()
    for url in urls:
        assert client.get(url)["Location"].startswith(reverse("network:login"))


def test_a_project_period_of_status_reports_final_report_and_yearly_accounts(pool):
    case = award(pool, "Randers")
    items = [
        (item.kind, item.period_start, item.period_end, item.due_on)
        for item in case.due_items.all()
    ]
    reports = [item for item in items if item[0] == DueItem.Kind.STATUS_REPORT]
    # 1 January 2020 to 30 September 2022, every six months: five half-years before the end,
    # each due a month after its period.
    assert reports[0][1:] == (
        date(2020, 1, 1),
        date(2020, 6, 30),
        date(2020, 7, 30),
    )
    assert [(start, end) for _kind, start, end, _due in reports] == [
        (date(2020, 1, 1), date(2020, 6, 30)),
        (date(2020, 7, 1), date(2020, 12, 31)),
        (date(2021, 1, 1), date(2021, 6, 30)),
        (date(2021, 7, 1), date(2021, 12, 31)),
        (date(2022, 1, 1), date(2022, 6, 30)),
    ]
    assert (
        DueItem.Kind.FINAL_REPORT,
        date(2020, 1, 1),
        date(2022, 9, 30),
        date(2022, 12, 30),
    ) in items
    accounts = [
        (start, end, due) for kind, start, end, due in items if kind == DueItem.Kind.ACCOUNTS
    ]
    assert accounts == [
        (date(2020, 1, 1), date(2020, 12, 31), date(2021, 4, 30)),
        (date(2021, 1, 1), date(2021, 12, 31), date(2022, 4, 30)),
        (date(2022, 1, 1), date(2022, 9, 30), date(2023, 1, 30)),
    ]


def test_the_whole_life_cycle(client, pool, mailoutbox, django_capture_on_commit_callbacks):
    """Submit → receipt → recommend → approve → letter → report → returned → resubmitted →
    approved → accounts → payment → closed, each step told to the people attached."""
    leader = municipal_person("Randers", Role.PROJECT_LEADER, email="leder@randers.example")
    municipal_person("Randers", Role.PROJECT_OWNER, email="ejer@randers.example")
    editor, director = agency_editor(), agency_director()
    with django_capture_on_commit_callbacks(execute=True):
        application = submit(pool, "Randers", person=leader, months=3)
    case = services.case_for(application)

    client.force_login(editor)
    client.post(
        reverse("grants:recommend", args=[application.pk]),
        {"outcome": "partner", "amount": "3000000", "reasons": "Stærk ansøgning."},
    )
    client.force_login(director)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("grants:decision_list", args=[pool.pk]), {"action": "approve_all"})
    assert sorted(m.to[0] for m in mailoutbox) == ["ejer@randers.example", "leder@randers.example"]
    case.refresh_from_db()
    assert case.status == case.Status.AWARDED

    # The leader writes the first status report, saves a draft and submits it.
    first = case.due_items.filter(kind=DueItem.Kind.STATUS_REPORT).first()
    client.force_login(leader)
    response = client.post(report_url(first), {"action": "save", "1": SECTIONS["1"]})
    assert response.status_code == 302
    refused = client.post(
        report_url(first), {"action": "submit", "1": SECTIONS["1"], "2": "Halvt skrevet"}
    )
    assert refused.status_code == 200
    assert "Alle afsnit skal udfyldes" in refused.content.decode()
    # Nothing of the refused submission is saved; what was typed stays in the form.
    assert "Halvt skrevet</textarea>" in refused.content.decode()
    assert services.report_draft(first).sections["2"] == ""
    first.refresh_from_db()
    assert first.status == DueItem.Status.DUE
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(report_url(first), {"action": "submit", **SECTIONS})
    first.refresh_from_db()
    assert first.status == DueItem.Status.SUBMITTED
    assert [m.to for m in mailoutbox] == [["ejer@randers.example"]]  # not the leader herself
    assert SECTIONS["1"] not in mailoutbox[0].body  # a link, not the content

    # The caseworker returns it; the leader corrects and resubmits; both versions are kept.
    client.force_login(editor)
    no_comment = client.post(report_url(first), {"action": "return", "comment": ""})
    assert "Skriv, hvad kommunen skal rette." in no_comment.content.decode()
    client.post(report_url(first), {"action": "return", "comment": "Uddyb del 4."})
    first.refresh_from_db()
    assert first.status == DueItem.Status.RETURNED
    client.force_login(leader)
    page = client.get(report_url(first)).content.decode()
    assert "Uddyb del 4." in page
    corrected = {**SECTIONS, "4": "Evalueringen er i gang; første måling er lavet."}
    client.post(report_url(first), {"action": "submit", **corrected})
    versions = list(ReportVersion.objects.filter(due_item=first).order_by("number"))
    assert [(v.number, v.sections["4"]) for v in versions] == [
        (1, SECTIONS["4"]),
        (2, corrected["4"]),
    ]
    assert versions[0].review_comment == "Uddyb del 4."
    client.force_login(editor)
    client.post(report_url(first), {"action": "approve", "comment": ""})
    first.refresh_from_db()
    assert first.status == DueItem.Status.APPROVED

    # The first year's accounts: actual spending per budget line, the auditor's statement.
    accounts = case.due_items.filter(kind=DueItem.Kind.ACCOUNTS).first()
    lines = list(application.budget_lines.order_by("month"))
    client.force_login(leader)
    data = {"action": "submit", **{f"line_{line.pk}": "38000" for line in lines}}
    missing = client.post(accounts_url(accounts), data)
    assert "Upload revisorpåtegningen" in missing.content.decode()
    statement = SimpleUploadedFile("revisor.pdf", b"%PDF-1.4 revisorpaategning", "application/pdf")
    client.post(accounts_url(accounts), {**data, "auditor_statement": statement})
    accounts.refresh_from_db()
    assert accounts.status == DueItem.Status.SUBMITTED
    summary = services.accounts_summary(accounts)
    assert (summary["budget"], summary["actual"], summary["difference"]) == (
        Decimal("120000"),
        Decimal("114000"),
        Decimal("-6000"),
    )
    client.force_login(editor)
    page = client.get(accounts_url(accounts)).content.decode()
    assert "-6.000 kr." in page and "revisor.pdf" in page
    client.post(accounts_url(accounts), {"action": "approve"})

    # Payments: never more than the award.
    client.post(
        case_url(case),
        {
            "action": "payment",
            "amount": "2000000",
            "paid_on": "2020-02-01",
            "released_by": "Tilsagnet",
        },
    )
    over = client.post(
        case_url(case),
        {
            "action": "payment",
            "amount": "1000000.01",
            "paid_on": "2021-02-01",
            "released_by": "Rest",
        },
    )
    assert "mere end det, der er tilbage af tilsagnet, 1.000.000,00 kr." in over.content.decode()
    negative = client.post(
        case_url(case),
        {"action": "payment", "amount": "-5", "paid_on": "2021-02-01", "released_by": "Fejl"},
    )
    assert "En udbetaling skal være mere end 0 kr." in negative.content.decode()
    case.refresh_from_db()
    assert (case.paid_amount, case.remaining_amount) == (Decimal("2000000"), Decimal("1000000"))
    assert Payment.objects.count() == 1

    # Closing waits for every item; then nothing more can be submitted.
    client.post(case_url(case), {"action": "close"})
    case.refresh_from_db()
    assert not case.is_closed
    for item in case.due_items.exclude(status=DueItem.Status.APPROVED):
        item.status = DueItem.Status.APPROVED
        item.save()
    client.post(case_url(case), {"action": "close"})
    case.refresh_from_db()
    assert case.status == case.Status.CLOSED
    final = case.due_items.get(kind=DueItem.Kind.FINAL_REPORT)
    final.status = DueItem.Status.DUE
    final.save()
    client.force_login(leader)
    late = client.post(report_url(final), {"action": "save", **SECTIONS})
    assert late.status_code == 200
    assert "Sagen er afsluttet" in late.content.decode()
    assert not ReportVersion.objects.filter(due_item=final).exists()

    timeline = [event.kind for event in case.events.all()]
    assert timeline[:2] == ["submitted", "decided"]
    assert timeline[-1] == "closed"


def test_messages_both_ways_with_attachments_and_unread_markers(
    client, pool, mailoutbox, django_capture_on_commit_callbacks
):
    case = award(pool, "Randers")
    leader = municipal_person("Randers", Role.PROJECT_LEADER)
    case.application.project_leader_email = leader.email
    case.application.save()
    editor = agency_editor()
    client.force_login(editor)
    attachment = SimpleUploadedFile("skema.pdf", b"%PDF-1.4 skema", "application/pdf")
    reply_by = timezone.localdate() + timedelta(days=14)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            case_url(case),
            {
                "action": "message",
                "text": "Vi mangler budgetnoterne.",
                "reply_by": reply_by.isoformat(),
                "attachment": attachment,
            },
        )
    assert response.status_code == 302
    message = CaseMessage.objects.get()
    assert message.from_agency and message.reply_by == reply_by
    assert message.attachment.file.storage.location.endswith("private")
    assert leader.email in [mail.to[0] for mail in mailoutbox]
    for mail in mailoutbox:
        assert "Vi mangler budgetnoterne." not in mail.body
        assert not mail.attachments

    client.force_login(leader)
    assert client.get(reverse("grants:my_cases")).context["rows"][0]["unread"] == 1
    page = client.get(case_url(case)).content.decode()
    assert "case-message--unread" in page and "Vi mangler budgetnoterne." in page
    assert client.get(reverse("grants:my_cases")).context["rows"][0]["unread"] == 0
    download = client.get(reverse("grants:document", args=[case.pk, message.attachment.pk]))
    assert b"".join(download.streaming_content) == b"%PDF-1.4 skema"

    # The municipality cannot set a reply-by date, and a wrong file is refused whole.
    disguised = SimpleUploadedFile("noter.pdf", b"<html>ikke en pdf</html>", "application/pdf")
    refused = client.post(
        case_url(case), {"action": "message", "text": "Her er noterne.", "attachment": disguised}
    )
    assert refused.status_code == 200
    assert "Filens indhold er ikke en .pdf-fil" in refused.content.decode()
    program = SimpleUploadedFile("noter.exe", b"MZ", "application/octet-stream")
    refused = client.post(
        case_url(case), {"action": "message", "text": "Her er noterne.", "attachment": program}
    )
    assert "Filer af typen .exe kan ikke vedhæftes" in refused.content.decode()
    assert CaseMessage.objects.count() == 1
    assert CaseDocument.objects.filter(kind="attachment").count() == 1


def test_an_oversized_attachment_is_refused(client, pool, settings):
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 1024
    case = award(pool, "Randers")
    client.force_login(municipal_person("Randers"))
    big = SimpleUploadedFile("stor.pdf", b"%PDF-1.4" + b"x" * 2048, "application/pdf")
    response = client.post(
        case_url(case), {"action": "message", "text": "Stor fil.", "attachment": big}
    )
    assert "Filen er større end" in response.content.decode()
    assert not CaseMessage.objects.exists()


def test_reminders_before_and_after_a_due_date_go_once(
    pool, mailoutbox, django_capture_on_commit_callbacks
):
    case = award(pool, "Randers")
    item = case.due_items.order_by("due_on").first()
    item.due_on = timezone.localdate() + timedelta(days=10)
    item.save()
    for other in case.due_items.exclude(pk=item.pk):
        other.status = DueItem.Status.APPROVED
        other.save()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_grant_reminders", stdout=io.StringIO())
        call_command("send_grant_reminders", stdout=io.StringIO())
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject.startswith("Påmindelse: Statusrapport senest")

    later = timezone.localdate() + timedelta(days=11)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_reminders(today=later)
        services.send_reminders(today=later + timedelta(days=3))
    assert len(mailoutbox) == 2
    assert mailoutbox[1].subject.startswith("Fristen er overskredet")
    assert Reminder.objects.filter(due_item=item).count() == 2

    # A new due date is a new date to be reminded of; a submitted item none.
    item.due_on = later + timedelta(days=30)
    item.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_reminders(today=later + timedelta(days=20))
    assert len(mailoutbox) == 3
    item.status = DueItem.Status.SUBMITTED
    item.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_reminders(today=item.due_on + timedelta(days=1))
    assert len(mailoutbox) == 3


def test_the_agency_overview_and_its_csv(client, pool):
    case = award(pool, "Randers")
    services.record_payment(
        case, amount=500_000, paid_on=date(2020, 2, 1), released_by="Tilsagnet", by=agency_editor()
    )
    submit(pool, "Herning")
    client.force_login(agency_editor())
    page = client.get(reverse("grants:overview", args=[pool.pk]))
    rows = {c.application.municipality.name: c for c in page.context["page_obj"]}
    assert set(rows) == {"Randers", "Herning"}
    assert rows["Randers"].overdue_count == len(
        [i for i in case.due_items.all() if i.due_on < timezone.localdate()]
    )
    csv = client.get(reverse("grants:overview", args=[pool.pk]), {"format": "csv"})
    text = csv.content.decode("utf-8-sig")
    assert csv["Content-Type"].startswith("text/csv")
    assert text.splitlines()[0].startswith("Kommune;Status;Næste frist")
    assert "Randers;Tilsagn;Statusrapport;2020-07-30;" in text
    assert "3000000,00;500000,00;2500000,00" in text


def test_the_overview_has_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    """98 cases with hundreds of due items: the same handful of queries."""
    pool = closed_pool()
    editor, director = agency_editor(), agency_director()
    names = list(Municipality.objects.order_by("code").values_list("name", flat=True))
    for name in names[:98]:
        award(pool, name, amount=Decimal("100000"), editor=editor, director=director)
    assert DueItem.objects.count() >= 98 * 9
    client.force_login(editor)
    client.get(reverse("grants:my_cases"))  # the first page of a login makes its profile
    with django_assert_max_num_queries(15):
        response = client.get(reverse("grants:overview", args=[pool.pk]))
    assert len(response.context["page_obj"].object_list) == 50
    with django_assert_max_num_queries(15):
        client.get(reverse("grants:overview", args=[pool.pk]), {"format": "csv"})


def test_the_database_itself_refuses_a_paid_total_above_the_award(pool):
    case = award(pool, "Randers", amount=Decimal("100000"))
    with pytest.raises(IntegrityError), transaction.atomic():
        GrantCase.objects.filter(pk=case.pk).update(paid_amount=Decimal("100000.01"))


def test_a_flood_of_messages_from_one_person_is_stopped_with_the_text_kept(client, pool):
    case = award(pool, "Randers")
    client.force_login(municipal_person("Randers"))
    for number in range(10):
        sent = client.post(case_url(case), {"action": "message", "text": f"Besked {number}"})
        assert sent.status_code == 302
    refused = client.post(case_url(case), {"action": "message", "text": "Den ellevte besked"})
    assert refused.status_code == 429
    assert refused["Retry-After"]
    html = refused.content.decode()
    assert "Den ellevte besked</textarea>" in html
    assert "Du har nået grænsen på 10 beskeder på tilskudssager" in html
    assert CaseMessage.objects.count() == 10


def test_the_pools_reporting_plan_sets_the_due_items(pool):
    ReportingPlan.objects.create(
        pool=pool,
        status_report_every_months=12,
        final_report_months_after_end=1,
        accounts_months_after_year_end=2,
    )
    case = award(pool, "Randers")
    items = [(i.kind, i.period_end, i.due_on) for i in case.due_items.order_by("due_on", "kind")]
    assert items == [
        ("status_report", date(2020, 12, 31), date(2021, 1, 31)),
        ("accounts", date(2020, 12, 31), date(2021, 2, 28)),
        ("status_report", date(2021, 12, 31), date(2022, 1, 31)),
        ("accounts", date(2021, 12, 31), date(2022, 2, 28)),
        ("final_report", date(2022, 9, 30), date(2022, 10, 30)),
        ("accounts", date(2022, 9, 30), date(2022, 11, 30)),
    ]
