"""Forms on a partner's progress page. They only collect and clean input; the rules
(who may report, what a status change dates) are in ``network.services``."""

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cms.models import ProjectPart
from network.models import Milestone, PartProgress

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y"]


class DateInput(forms.DateInput):
    """The browser's date picker; the value travels as ISO 8601 (YYYY-MM-DD)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def date_field(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUT_FORMATS,
        widget=DateInput(),
        help_text=help_text,
        error_messages={"invalid": _("Enter a date, for example 17.09.2020.")},
    )


def part_field():
    return forms.TypedChoiceField(
        label=_("Project part"), choices=ProjectPart.choices, coerce=int, empty_value=None
    )


class ProgressForm(forms.Form):
    """Every progress form says which form it is, so one page can hold several."""

    #: The value of the hidden "form" field that tells the view which form was posted.
    name = ""
    #: The error summary (includes/error_summary.html) under the page's h2 sections.
    error_summary_heading_level = 3
    error_summary_nothing_saved = True

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", self.name)
        super().__init__(*args, **kwargs)

    def add_service_errors(self, error):
        """Show a service's ValidationError on the form, by field where it names one."""
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)


class PartStatusForm(ProgressForm):
    """The status of each of the five parts, with the date the change took effect."""

    name = "status"

    def __init__(self, *args, progress=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = {item.part: item.status for item in progress or ()}
        for part in ProjectPart:
            self.fields[f"part_{part.value}"] = forms.ChoiceField(
                label=part.label,
                choices=PartProgress.Status.choices,
                initial=current.get(part.value, PartProgress.Status.NOT_STARTED),
            )
        self.fields["on"] = date_field(
            _("Date of the change"),
            required=False,
            help_text=_("Leave empty for today. Used as the start or end date of a part."),
        )
        self.order_fields([*(f"part_{part.value}" for part in ProjectPart), "on"])

    def part_fields(self):
        return [self[f"part_{part.value}"] for part in ProjectPart]

    def statuses(self):
        """{part number: status} as posted."""
        return {part.value: self.cleaned_data[f"part_{part.value}"] for part in ProjectPart}


class MilestoneForm(ProgressForm):
    name = "milestone"

    part = part_field()
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_on = date_field(_("Date"))


class MilestoneReachedForm(ProgressForm):
    name = "reached"

    milestone = forms.ModelChoiceField(label=_("Milestone"), queryset=Milestone.objects.none())
    reached_on = date_field(_("Reached on"), required=False, help_text=_("Leave empty for today."))

    def __init__(self, *args, membership=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["milestone"]
        field.queryset = Milestone.objects.filter(membership=membership, reached_on__isnull=True)
        field.label_from_instance = lambda milestone: (
            _("%(title)s (%(date)s)")
            % {
                "title": milestone.title,
                "date": date_format(milestone.due_on, "SHORT_DATE_FORMAT"),
            }
        )


class StatusNoteForm(ProgressForm):
    name = "note"

    part = part_field()
    text = forms.CharField(
        label=_("Status note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("A few lines on how the part is going; at most 2,000 characters."),
    )
    written_on = date_field(_("Date"), required=False, help_text=_("Leave empty for today."))


FORMS = {
    form.name: form
    for form in (PartStatusForm, MilestoneForm, MilestoneReachedForm, StatusNoteForm)
}
