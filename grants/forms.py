"""The grant case's forms. They check the shape of the input; the rules are in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cms.models import ProjectPart
from grants.models import Recommendation, ReportVersion
from network.models import Application


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class RecommendationForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Recommendation"), choices=Application.Decision.choices, widget=forms.RadioSelect
    )
    amount = forms.DecimalField(
        label=_("Amount (DKK)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("Only for a partner municipality: the amount proposed for the award."),
    )
    reasons = forms.CharField(
        label=_("Reasons"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Stated in the decision letter. Refer to the award criteria."),
    )
    conditions = forms.CharField(
        label=_("Conditions of the award"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For an award: leave empty for the pool's standard conditions."),
    )

    @classmethod
    def for_recommendation(cls, recommendation, data=None):
        initial = {}
        if recommendation is not None:
            initial = {
                "outcome": recommendation.outcome,
                "amount": recommendation.amount,
                "reasons": recommendation.reasons,
                "conditions": recommendation.conditions,
            }
        return cls(data, initial=initial)


class SendBackForm(forms.Form):
    recommendation = forms.ModelChoiceField(
        queryset=Recommendation.objects.all(), widget=forms.HiddenInput
    )
    comment = forms.CharField(
        label=_("Comment to the caseworkers"), widget=forms.Textarea(attrs={"rows": 3})
    )

    @classmethod
    def for_row(cls, recommendation, data=None):
        """The form in one row of the decision list: its own ids, named by the municipality."""
        form = cls(
            data,
            initial={"recommendation": recommendation.pk},
            auto_id=f"id_%s_{recommendation.pk}",
        )
        form.error_summary_id = f"send-back-{recommendation.pk}-errors"
        form.error_summary_heading_level = 3
        form.fields["comment"].label = _("Comment on %(municipality)s") % {
            "municipality": recommendation.application.municipality.name
        }
        return form


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Message"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 5})
    )
    attachment = forms.FileField(
        label=_("Attachment"),
        required=False,
        help_text=_("Optional. PDF, Word, Excel, ODT, RTF, CSV or text, at most 20 MB."),
    )

    def __init__(self, *args, from_agency=False, **kwargs):
        super().__init__(*args, **kwargs)
        if from_agency:
            self.fields["reply_by"] = forms.DateField(
                label=_("Reply by"),
                required=False,
                widget=DateInput(),
                help_text=_("When you ask for more information: the date of the reply."),
            )


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount (DKK)"), max_digits=14, decimal_places=2)
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput())
    released_by = forms.CharField(
        label=_("Released by"),
        max_length=255,
        help_text=_("For example “the award” or “approved status report”."),
    )


class ReportForm(forms.Form):
    """One text per project part, then the change for citizens (seed 001)."""

    def __init__(self, *args, sections=None, **kwargs):
        super().__init__(*args, **kwargs)
        sections = sections or {}
        for part in ProjectPart:
            self.fields[str(part.value)] = forms.CharField(
                label=part.label,
                required=False,
                max_length=10_000,
                initial=sections.get(str(part.value), ""),
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        self.fields["outcomes"] = forms.CharField(
            label=_("What change are we creating for citizens?"),
            help_text=_("The concept's outcome goals: what has changed for the citizens so far."),
            required=False,
            max_length=10_000,
            initial=sections.get("outcomes", ""),
            widget=forms.Textarea(attrs={"rows": 4}),
        )

    def sections(self):
        return {key: self.cleaned_data.get(key, "") for key in ReportVersion.SECTION_KEYS}


class AccountsForm(forms.Form):
    """The actual spending per budget line of the year, and the auditor's statement."""

    def __init__(self, *args, summary, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = []
        for row in summary["rows"]:
            line = row["line"]
            name = f"line_{line.pk}"
            self.fields[name] = forms.DecimalField(
                label=line.description,
                required=False,
                min_value=0,
                max_digits=12,
                decimal_places=2,
                initial=row["actual"],
            )
            self.lines.append((line, name))
        self.fields["auditor_statement"] = forms.FileField(
            label=_("Auditor's statement"),
            required=False,
            help_text=_("The auditor's signed statement (revisorpåtegning), e.g. as PDF."),
        )

    def actuals(self):
        return {line.pk: self.cleaned_data.get(name) for line, name in self.lines}

    def rows(self, summary):
        """The summary's rows, each with its input field."""
        return [{**row, "field": self[f"line_{row['line'].pk}"]} for row in summary["rows"]]


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment to the municipality"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you return it: what must be corrected."),
    )
