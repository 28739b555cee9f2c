"""The case's PDF documents: the receipt of a submitted application and the decision letter.

Made with fpdf2, a maintained pure-Python PDF library: WeasyPrint would let the letters
be HTML templates, but it needs Pango from the operating system, and the embedded
default must run with nothing but Python. The font (DejaVu Sans, in ``grants/fonts/``)
covers every Danish letter and the typographic dashes and quotes of the texts. The
documents are always in Danish, whatever language the person who caused them reads.
"""

from decimal import Decimal
from pathlib import Path

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from network.models import Application

FONTS = Path(__file__).resolve().parent / "fonts"
AGENCY = "Socialstyrelsen"
AGENCY_ADDRESS = "Edisonsvej 1, 5000 Odense C · tilskudsforvaltning@socialstyrelsen.dk"


def kroner(amount) -> str:
    """12345678.5 → '12.345.678,50 kr.' (Danish grouping, always two decimals)."""
    text = formats.number_format(Decimal(amount), decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"{text} kr."


def danish_date(value) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def danish_datetime_seconds(value) -> str:
    """'17. september 2019 kl. 11.58.03', Copenhagen time."""
    local = timezone.localtime(value)
    return f"{formats.date_format(local, 'DATE_FORMAT')} kl. {local:%H.%M.%S}"


def _name_of(person):
    return (person.get_full_name() or person.email) if person else "–"


class _Document(FPDF):
    """An A4 page with the agency's letterhead and page numbers."""

    def __init__(self, title):
        super().__init__(format="A4")
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_title(title)
        self.set_author(AGENCY)
        self.set_lang("da")
        self.set_margins(20, 20, 20)
        self.set_auto_page_break(True, margin=20)
        self.add_page()

    def header(self):
        self.set_font("DejaVu", "B", 11)
        self.cell(0, 6, AGENCY, new_x="LMARGIN", new_y="NEXT")
        self.set_font("DejaVu", "", 8)
        self.cell(0, 5, AGENCY_ADDRESS, new_x="LMARGIN", new_y="NEXT")
        self.ln(6)

    def footer(self):
        self.set_y(-15)
        self.set_font("DejaVu", "", 8)
        self.cell(0, 5, _("Page %(page)s") % {"page": self.page_no()}, align="R")

    def heading(self, text, size=15):
        self.set_font("DejaVu", "B", size)
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(3)

    def paragraph(self, text):
        self.set_font("DejaVu", "", 10)
        self.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def facts(self, rows):
        self.set_font("DejaVu", "", 10)
        with self.table(col_widths=(55, 115), first_row_as_headings=False) as table:
            for label, value in rows:
                row = table.row()
                row.cell(label)
                row.cell(value)
        self.ln(4)

    def bytes(self):
        return bytes(self.output())


def receipt(application) -> bytes:
    """The application as submitted, with the time of submission to the second."""
    with translation.override("da"):
        pool = application.pool
        pdf = _Document(_("Receipt for your application"))
        pdf.heading(_("Receipt for your application"))
        pdf.paragraph(_("Socialstyrelsen has received the application below. Keep this receipt."))
        pdf.facts(
            [
                (_("Pool"), pool.title),
                (_("Municipality"), application.municipality.name),
                (_("Submitted"), danish_datetime_seconds(application.submitted_at)),
                (_("Submitted by"), _name_of(application.submitted_by)),
                (_("Case number"), str(application.pk)),
                (_("Project leader"), application.project_leader_name or "–"),
                (_("Centre chief"), application.centre_chief_name or "–"),
            ]
        )
        answers = {answer.criterion_id: answer.text for answer in application.answers.all()}
        for number, criterion in enumerate(pool.award_criteria.all(), start=1):
            pdf.heading(f"{number}. {criterion.title}", size=11)
            pdf.paragraph(answers.get(criterion.pk) or _("Not answered."))
        lines = list(application.budget_lines.all())
        pdf.heading(_("Budget"), size=12)
        pdf.set_font("DejaVu", "", 9)
        with pdf.table(col_widths=(30, 105, 35), text_align=("LEFT", "LEFT", "RIGHT")) as table:
            table.row([_("Month"), _("Specified expense"), _("Amount")])
            for line in lines:
                table.row(
                    [
                        formats.date_format(line.month, "YEAR_MONTH_FORMAT"),
                        line.description,
                        kroner(line.amount),
                    ]
                )
            table.row(["", _("Total"), kroner(sum((line.amount for line in lines), 0))])
        return pdf.bytes()


def decision_letter(application, recommendation) -> bytes:
    """The award letter (tilsagnsbrev) or refusal (afslag), with amount, conditions,
    reasons and project period."""
    with translation.override("da"):
        pool = application.pool
        awarded = application.decision == Application.Decision.PARTNER
        title = _("Award of grant") if awarded else _("Refusal of grant")
        pdf = _Document(title)
        pdf.paragraph(
            f"{application.municipality.name} Kommune\n"
            + _("Attn. %(name)s") % {"name": application.project_leader_name or "–"}
        )
        pdf.paragraph(danish_date(timezone.localdate(application.decided_at)))
        pdf.heading(f"{title}: {pool.title}")
        if awarded:
            pdf.paragraph(
                _(
                    "Socialstyrelsen hereby awards %(municipality)s Municipality a grant of "
                    "%(amount)s from the pool “%(pool)s”. The municipality takes part in the "
                    "partnership as a partner municipality."
                )
                % {
                    "municipality": application.municipality.name,
                    "amount": kroner(recommendation.amount),
                    "pool": pool.title,
                }
            )
        else:
            pdf.paragraph(
                _(
                    "Socialstyrelsen has decided not to award %(municipality)s Municipality a "
                    "grant from the pool “%(pool)s”."
                )
                % {"municipality": application.municipality.name, "pool": pool.title}
            )
            if application.decision == Application.Decision.REFERENCE:
                pdf.paragraph(
                    _(
                        "The municipality is instead offered a place in the network of "
                        "reference municipalities, which follows the partners' work and meets "
                        "regularly."
                    )
                )
        rows = [(_("Decision"), application.get_decision_display())]
        if awarded:
            rows.append((_("Amount awarded"), kroner(recommendation.amount)))
        if pool.project_period_start and pool.project_period_end:
            rows.append(
                (
                    _("Project period"),
                    f"{danish_date(pool.project_period_start)} – "
                    f"{danish_date(pool.project_period_end)}",
                )
            )
        rows.append((_("Case number"), str(application.pk)))
        pdf.facts(rows)
        pdf.heading(_("Reasons"), size=12)
        pdf.paragraph(recommendation.reasons)
        if awarded:
            pdf.heading(_("Conditions"), size=12)
            pdf.paragraph(
                recommendation.conditions
                or _(
                    "The grant may only be used for the purposes described in the application "
                    "and its budget. The municipality submits status reports and accounts as "
                    "set out under “My grant cases”, and informs Socialstyrelsen at once of "
                    "changes to the project."
                )
            )
        pdf.heading(_("Complaints"), size=12)
        pdf.paragraph(
            _(
                "The decision is final at the administrative level and cannot be appealed to "
                "another administrative authority. Questions about the decision are sent as a "
                "message on the case."
            )
        )
        pdf.paragraph(_("Yours sincerely,\nSocialstyrelsen"))
        return pdf.bytes()
