"""The demo's grant cases: the 2019 pool's 22 applications as decided in December 2019.

network.demo has made the applications, assessed and decided (by the demo director);
here the caseworkers' recommendation list behind those decisions is filed as the director
approved it, with the four partners' awards (together the pool's 13,0 mio. kr.), every
applicant's receipt and decision letter, and for the partners the project period's
status reports and accounts in every state (approved, returned, submitted, overdue),
messages and payments. Randers, whose staff have demo logins, has the fullest case.
Nothing here sends email.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.core.management.base import CommandError
from fpdf import FPDF

from cms.models import PoolPage
from grants import documents, services
from grants.models import (
    AccountsLine,
    CaseDocument,
    CaseEvent,
    CaseMessage,
    DueItem,
    GrantCase,
    Payment,
    Recommendation,
    ReportVersion,
)
from network.demo import PARTNERS, POOL_2019_SLUG
from network.models import Application, User

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
RECOMMENDED = datetime(2019, 12, 2, 10, 0, tzinfo=COPENHAGEN)
#: Together 13.000.000 kr., the pool's amount.
AWARDS = {
    "Randers": Decimal("3400000"),
    "Rudersdal": Decimal("3200000"),
    "Roskilde": Decimal("3150000"),
    "Herning": Decimal("3250000"),
}
SECTIONS = {
    "1": "Kortlægningen af borgernes forløb og kommunens tilbud er gennemført.",
    "2": "Implementeringsgruppen har holdt workshops med medarbejderne i bostøtten.",
    "3": "Vi har fortalt referencenetværket om vores erfaringer med recovery-planer.",
    "4": "Evalueringens første måling er gennemført sammen med evaluator.",
    "5": "Projektet er beskrevet i kommunens nyhedsbrev og på et temamøde.",
    "outcomes": "Flere borgere har en recovery-plan, de selv har været med til at lave.",
}


def load(stdout):
    pool = PoolPage.objects.filter(slug=POOL_2019_SLUG).first()
    if pool is None:
        raise CommandError("The 2019 pool is missing; cms.demo must run first.")
    editor = User.objects.get(email="redaktoer@socialstyrelsen.example")
    director = User.objects.get(email="direktoer@socialstyrelsen.example")
    applications = Application.objects.filter(pool=pool).select_related("municipality", "pool")
    created = 0
    for application in applications:
        if hasattr(application, "recommendation"):
            continue
        file_decision(application, editor, director)
        created += 1
    stdout.write(f"  {created} tilskudssager oprettet" if created else "  tilskudssager findes")


def file_decision(application, editor, director):
    name = application.municipality.name
    amount = AWARDS.get(name)
    recommendation = Recommendation.objects.create(
        application=application,
        outcome=application.decision,
        amount=amount,
        reasons=application.decision_note,
        status=Recommendation.Status.APPROVED,
        written_by=editor,
        written_at=RECOMMENDED,
        approved_by=director,
        approved_at=application.decided_at,
    )
    case = GrantCase.objects.create(application=application, awarded_amount=amount or 0)
    _document(
        case,
        CaseDocument.Kind.RECEIPT,
        "Kvittering for ansøgningen",
        documents.receipt(application),
        application.submitted_at,
    )
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.SUBMITTED,
        text="Ansøgningen er indsendt. Kvitteringen ligger blandt sagens dokumenter.",
        at=application.submitted_at,
    )
    _document(
        case,
        CaseDocument.Kind.DECISION_LETTER,
        "Afgørelsesbrev",
        documents.decision_letter(application, recommendation),
        application.decided_at,
    )
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.DECIDED,
        text=(
            f"Der er givet tilsagn om tilskud på {documents.kroner(amount)}; tilsagnsbrevet er "
            "vedhæftet mailen."
            if amount
            else "Ansøgningen har fået afslag. Brevet er vedhæftet mailen."
        ),
        at=application.decided_at,
    )
    if name in PARTNERS:
        services.create_due_items(case)
        project_period(case, editor, fullest=name == "Randers")


def _document(case, kind, title, content, when):
    CaseDocument.objects.create(
        case=case,
        kind=kind,
        title=title,
        file=ContentFile(content, name=f"{kind}-{case.application_id}.pdf"),
        created_at=when,
    )


def _at(day):
    return datetime.combine(day, datetime.min.time(), tzinfo=COPENHAGEN) + timedelta(hours=10)


def project_period(case, editor, fullest):
    """The partners' reports and accounts: the earlier ones approved, then one returned,
    one submitted and the rest overdue (the project period ended in 2022)."""
    leader = User.objects.filter(email=case.application.project_leader_email).first()
    reports = list(case.due_items.exclude(kind=DueItem.Kind.ACCOUNTS).order_by("due_on"))
    accounts = list(case.due_items.filter(kind=DueItem.Kind.ACCOUNTS).order_by("due_on"))
    approved_reports = 3 if fullest else 2
    for number, item in enumerate(reports):
        if number < approved_reports:
            _report(item, leader, editor, comment="")
        elif number == approved_reports:
            _report(item, leader, editor, comment="Uddyb venligst evalueringen (del 4).")
    _accounts(case, accounts[0], leader, editor, approve=True)
    _accounts(case, accounts[1], leader, editor, approve=None)
    _payment(case, date(2020, 1, 15), case.awarded_amount / 2, "Tilsagnet", editor)
    _payment(case, date(2021, 5, 20), case.awarded_amount / 4, "Godkendt regnskab for 2020", editor)
    if fullest:
        question = CaseMessage.objects.create(
            case=case,
            author=editor,
            from_agency=True,
            text="Kan I sende budgetnoterne til projektår 2021? Vi bruger dem til regnskabet.",
            reply_by=date(2021, 6, 15),
            created_at=_at(date(2021, 6, 1)),
        )
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.MESSAGE,
            text="Ny besked fra Socialstyrelsen, der beder om svar senest 15. juni 2021.",
            at=question.created_at,
            by=editor,
        )
        answer = CaseMessage.objects.create(
            case=case,
            author=leader,
            text="Budgetnoterne kommer i denne uge. Projektlederen er på kursus til fredag.",
            created_at=_at(date(2021, 6, 8)),
        )
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.MESSAGE,
            text="Ny besked fra kommunen.",
            at=answer.created_at,
            by=leader,
        )


def _report(item, leader, editor, comment):
    submitted = _at(item.due_on - timedelta(days=5))
    ReportVersion.objects.create(
        due_item=item,
        number=1,
        sections=SECTIONS,
        saved_at=submitted,
        saved_by=leader,
        submitted_at=submitted,
        reviewed_at=submitted + timedelta(days=14),
        reviewed_by=editor,
        review_comment=comment,
    )
    item.status = DueItem.Status.RETURNED if comment else DueItem.Status.APPROVED
    item.save(update_fields=["status"])
    verdict = "sendt tilbage til rettelse" if comment else "godkendt"
    CaseEvent.objects.create(
        case=item.case,
        kind=CaseEvent.Kind.REPORT,
        text=f"{item.get_kind_display()} {verdict}.",
        at=submitted + timedelta(days=14),
        by=editor,
    )


def _accounts(case, item, leader, editor, approve):
    for line in services.accounts_budget_lines(item):
        AccountsLine.objects.create(
            due_item=item, budget_line=line, actual=line.amount - Decimal("1500")
        )
    statement = CaseDocument.objects.create(
        case=case,
        kind=CaseDocument.Kind.AUDITOR_STATEMENT,
        title=f"Revisorpåtegning {item.period_start.year}.pdf",
        file=ContentFile(
            _auditor_statement(case.application, item),
            name=f"revisor-{case.application_id}-{item.period_start.year}.pdf",
        ),
        added_by=leader,
        created_at=_at(item.due_on - timedelta(days=3)),
    )
    item.auditor_statement = statement
    item.submitted_at = statement.created_at
    item.status = DueItem.Status.APPROVED if approve else DueItem.Status.SUBMITTED
    item.save()


def _auditor_statement(application, item):
    """A one-page statement as the municipality's auditor would sign it."""
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.multi_cell(
        0,
        6,
        f"Revisorpåtegning\n\nVi har revideret regnskabet for {application.municipality.name} "
        f"Kommunes projekt under puljen {application.pool.title}, projektåret "
        f"{item.period_start:%d.%m.%Y} til {item.period_end:%d.%m.%Y}. Regnskabet giver et "
        "retvisende billede af projektets udgifter.\n\nKommunens revision",
    )
    return bytes(pdf.output())


def _payment(case, paid_on, amount, released_by, editor):
    Payment.objects.create(
        case=case,
        paid_on=paid_on,
        amount=amount,
        released_by=released_by,
        recorded_by=editor,
        recorded_at=_at(paid_on),
    )
    case.paid_amount += amount
    case.save(update_fields=["paid_amount"])
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.PAYMENT,
        text=f"Udbetaling af {documents.kroner(amount)} den {paid_on:%d.%m.%Y}.",
        at=_at(paid_on),
        by=editor,
    )
