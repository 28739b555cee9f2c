"""Forms for the application to a pool and for the agency's assessment and decision.

The forms check only the shape of what was typed: a real email address, a month, a
number, a length that fits the database. The rules (no lump sums, months inside the
project period, amounts above 0, the deadline, what is missing before submission)
are in ``network.services``; the views put the services' messages next to the fields.
"""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

#: An answer to one award criterion; the pool asks for answers "kort og præcist".
ANSWER_MAX_LENGTH = 20_000
NOTE_MAX_LENGTH = 5_000
#: More lines than any real budget has; stops a forged form from creating millions.
MAX_BUDGET_LINES = 500
#: Empty budget lines shown after the saved ones, for browsers without JavaScript.
EXTRA_BUDGET_LINES = 3
APPLICANT_FIELDS = (
    "project_leader_name",
    "project_leader_email",
    "centre_chief_name",
    "centre_chief_approved",
)


class ApplicationForm(forms.Form):
    """The applicant's details and one answer per award criterion of the pool."""

    #: The limit that refused the save (``config.limits.LimitReached``), if one did.
    over_limit = None
    #: A draft may leave anything empty, but submission needs it all: no "(optional)".
    hide_optional = True

    project_leader_name = forms.CharField(
        label=_("Project leader's name"), max_length=200, required=False
    )
    project_leader_email = forms.EmailField(
        label=_("Project leader's email address"), max_length=254, required=False
    )
    centre_chief_name = forms.CharField(
        label=_("Centre chief's name"),
        max_length=200,
        required=False,
        help_text=_("The centre chief who approved the project collaboration."),
    )
    centre_chief_approved = forms.BooleanField(
        label=_("The project collaboration is approved at centre-chief level"), required=False
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for number, criterion in enumerate(self.criteria, start=1):
            field = forms.CharField(
                label=_("Award criterion %(number)s: %(title)s")
                % {"number": number, "title": criterion.title},
                required=False,
                max_length=ANSWER_MAX_LENGTH,
                # The criterion's own text is the help; the template renders it as rich text.
                help_text=criterion.description,
                widget=forms.Textarea(attrs={"rows": 8}),
            )
            field.criterion = criterion
            field.number = number
            self.fields[self.answer_name(criterion)] = field

    @staticmethod
    def answer_name(criterion):
        return f"answer_{criterion.pk}"

    @classmethod
    def initial_for(cls, application):
        initial = {name: getattr(application, name) for name in APPLICANT_FIELDS}
        for answer in application.answers.all():
            initial[f"answer_{answer.criterion_id}"] = answer.text
        return initial

    def applicant_fields(self):
        return [self[name] for name in APPLICANT_FIELDS]

    def answer_fields(self):
        return [self[self.answer_name(criterion)] for criterion in self.criteria]

    def fields_data(self):
        return {name: self.cleaned_data[name] for name in APPLICANT_FIELDS}

    def answers_data(self):
        return {
            criterion.pk: self.cleaned_data[self.answer_name(criterion)]
            for criterion in self.criteria
        }


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m")


class MonthField(forms.DateField):
    """A month as the first day of the month.

    Browsers with a month picker send 2020-01; others show a text field, where people
    may also type 01.2020 or 1/2020.
    """

    widget = MonthInput
    input_formats = ["%Y-%m", "%m.%Y", "%m/%Y", "%m-%Y"]
    default_error_messages = {
        "invalid": _("Enter a month as year and month, for example 2020-01."),
    }

    def to_python(self, value):
        value = super().to_python(value.strip() if isinstance(value, str) else value)
        return value.replace(day=1) if value else value


class AmountField(forms.DecimalField):
    """An amount in kroner as people write it: 12.500, 12.500,50, 12500 or 12 500 kr."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        # A text field (not type="number") so Danish separators can be typed.
        return {"inputmode": "decimal", "autocomplete": "off"}

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            decimal_separator = get_format("DECIMAL_SEPARATOR")
            text = f"{value:f}"
            if "." in text:
                text = text.rstrip("0").rstrip(".")
            return text.replace(".", decimal_separator)
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip().lower()
        for noise in ("kr.", "kr", "dkk", " ", "\u00a0", "\u202f"):
            text = text.replace(noise, "")
        thousand, decimal = get_format("THOUSAND_SEPARATOR"), get_format("DECIMAL_SEPARATOR")
        text = text.replace(thousand, "").replace(decimal, ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not number.is_finite():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class BudgetLineForm(forms.Form):
    """One specified expense in one month. A line left completely empty is ignored."""

    #: A line is filled in whole or left empty: no "(optional)" on its fields.
    hide_optional = True

    month = MonthField(label=_("Month"), required=False)
    description = forms.CharField(label=_("Specified expense"), max_length=255, required=False)
    amount = AmountField(label=_("Amount (DKK)"), required=False)

    def __init__(self, *args, pool=None, **kwargs):
        super().__init__(*args, **kwargs)
        attrs = self.fields["month"].widget.attrs
        if pool is not None and pool.project_period_start and pool.project_period_end:
            attrs["min"] = f"{pool.project_period_start:%Y-%m}"
            attrs["max"] = f"{pool.project_period_end:%Y-%m}"
        self.fields["description"].widget.attrs["placeholder"] = _(
            "For example: Project leader, 20 hours a week"
        )

    def clean(self):
        data = super().clean()
        if self.is_empty():
            return data
        if not data.get("month") and "month" not in self.errors:
            self.add_error("month", _("Give the month of the expense."))
        if not (data.get("description") or "").strip() and "description" not in self.errors:
            self.add_error("description", _("Say what the expense is for."))
        if data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", _("Give the amount in kroner."))
        return data

    def is_empty(self):
        """Nothing typed in the line (or only spaces): it is left out of the budget."""
        if not self.is_bound:
            return False
        return not any(
            (self.data.get(self.add_prefix(name)) or "").strip()
            for name in ("month", "description", "amount")
        )

    @property
    def number(self):
        """The line's number as people see it: 1, 2, 3 … (a placeholder in the template line)."""
        index = (self.prefix or "0").rsplit("-", 1)[-1]
        return int(index) + 1 if index.isdigit() else "__number__"

    def line_error_id(self):
        return f"{self.auto_id % self.prefix}_line_error" if self.prefix else "line_error"

    def mark_line_error(self):
        """A problem with the whole line (from the services): every input points to it."""
        for name in ("month", "description", "amount"):
            bound = self[name]
            ids = [self.line_error_id()]
            if bound.errors:
                ids.append(f"{bound.auto_id}_error")
            widget_attrs = self.fields[name].widget.attrs
            widget_attrs["aria-describedby"] = " ".join(ids)
            widget_attrs["aria-invalid"] = "true"


BaseBudgetFormSet = formset_factory(
    BudgetLineForm,
    extra=EXTRA_BUDGET_LINES,
    can_delete=True,
    max_num=MAX_BUDGET_LINES,
    validate_max=True,
    absolute_max=MAX_BUDGET_LINES,
)


class BudgetFormSet(BaseBudgetFormSet):
    """The budget: a line per specified expense per month."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "budget")
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_for(cls, application):
        return [
            {"month": line.month, "description": line.description, "amount": line.amount}
            for line in application.budget_lines.all()
        ]

    def add_fields(self, form, index):
        super().add_fields(form, index)
        number = (index + 1) if index is not None else "__number__"
        form.fields["DELETE"].label = _("Remove line %(number)s") % {"number": number}

    def kept_forms(self):
        """The filled-in lines not marked for removal, in the order they were typed."""
        return [
            form
            for form in self.forms
            if not form.is_empty() and not getattr(form, "cleaned_data", {}).get("DELETE")
        ]

    def total(self):
        """The sum of the lines whose amount could be read (for the page; not a rule)."""
        if not self.is_bound:
            return sum((line["amount"] for line in self.initial or []), Decimal(0))
        total = Decimal(0)
        for form in self.forms:
            form.errors  # noqa: B018 (cleans the line if that has not happened yet)
            amount = getattr(form, "cleaned_data", {}).get("amount")
            if amount is not None and not form.cleaned_data.get("DELETE"):
                total += amount
        return total


class AssessmentForm(forms.Form):
    """The agency's score (1–5) and note for each award criterion of the application."""

    SCORE_CHOICES = [(1, _("1 (weak)")), (2, "2"), (3, "3"), (4, "4"), (5, _("5 (excellent)"))]

    def __init__(self, *args, criteria, assessments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        existing = {assessment.criterion_id: assessment for assessment in assessments}
        for number, criterion in enumerate(self.criteria, start=1):
            assessment = existing.get(criterion.pk)
            score = forms.TypedChoiceField(
                label=_("Score for criterion %(number)s") % {"number": number},
                choices=self.SCORE_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                initial=assessment.score if assessment else None,
            )
            note = forms.CharField(
                label=_("Note on criterion %(number)s") % {"number": number},
                required=False,
                max_length=NOTE_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 3}),
                initial=assessment.note if assessment else "",
            )
            score.criterion = note.criterion = criterion
            score.number = note.number = number
            self.fields[f"score_{criterion.pk}"] = score
            self.fields[f"note_{criterion.pk}"] = note

    def clean(self):
        data = super().clean()
        for criterion in self.criteria:
            score_name, note_name = f"score_{criterion.pk}", f"note_{criterion.pk}"
            has_note = bool((data.get(note_name) or "").strip())
            if has_note and data.get(score_name) is None and score_name not in self.errors:
                self.add_error(score_name, _("Choose a score to save the note."))
        return data

    def scored(self):
        """(criterion, score, note) for every criterion given a score."""
        return [
            (
                criterion,
                self.cleaned_data[f"score_{criterion.pk}"],
                self.cleaned_data[f"note_{criterion.pk}"],
            )
            for criterion in self.criteria
            if self.cleaned_data.get(f"score_{criterion.pk}") is not None
        ]
