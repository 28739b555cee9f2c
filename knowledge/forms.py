"""Forms for the forum's pages: they only check what the person typed.

Whether a post is allowed (permission, the personal-data guard, rate limits, a locked
topic) is decided by ``knowledge.services``; the views call it and put its refusals
back on these forms, field by field, with the typed text kept.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.http import urlencode
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cms.models import ProjectPart
from config.forms import FilterForm
from knowledge.models import ConceptElement, Topic
from knowledge.services import REPORT_FIELDS

MARKDOWN_HELP = _(
    "You can use Markdown: **bold**, *italic*, a line starting with - for a list, "
    "> for a quote, and [text](https://…) for a link. Mention someone with "
    "@firstname.lastname. Never write citizens' CPR numbers."
)


class DescribedErrorsMixin:
    """Point every field with an error to its message (aria-describedby, aria-invalid)."""

    #: The error summary (includes/error_summary.html) says that nothing was saved.
    error_summary_nothing_saved = True

    def describe_errors(self):
        for name, field in self.fields.items():
            bound = self[name]
            ids = []
            if bound.errors:
                ids.append(f"{bound.auto_id}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if field.help_text:
                ids.append(f"{bound.auto_id}_helptext")
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)

    def add_refusal(self, error):
        """Put a service's ValidationError on the fields it names (others on the form)."""
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                target = field if field in self.fields else None
                for message in messages:
                    self.add_error(target, message)
        else:
            self.add_error(None, error)


def _part_choices():
    return [("", _("No particular part")), *ProjectPart.choices]


def _element_choices():
    return [("", _("No particular element")), *ConceptElement.choices]


def split_tags(value):
    return [tag.strip() for tag in (value or "").split(",") if tag.strip()]


class TopicFieldsMixin(forms.Form):
    """Tags, project part and concept element, shared by discussions and experience reports."""

    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Separate tags with commas. Use existing tags where they fit."),
    )
    project_part = forms.TypedChoiceField(
        label=_("Project part"), required=False, coerce=int, empty_value=None
    )
    concept_element = forms.ChoiceField(label=_("Concept element"), required=False)

    def __init__(self, *args, existing_tags=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project_part"].choices = _part_choices()
        self.fields["concept_element"].choices = _element_choices()
        self.existing_tags = list(existing_tags)
        if self.existing_tags:
            # The hint says which tags are in use, so people reuse them.
            field = self.fields["tags"]
            field.help_text = format_lazy(
                "{} {} {}", field.help_text, _("Tags in use:"), ", ".join(self.existing_tags)
            )

    def clean_tags(self):
        tags = split_tags(self.cleaned_data["tags"])
        if any(len(tag) > 100 for tag in tags):
            raise ValidationError(_("Keep each tag under 100 characters."))
        if len(tags) > 10:
            raise ValidationError(_("Use at most 10 tags."))
        return tags


class TopicForm(DescribedErrorsMixin, TopicFieldsMixin):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("Text"),
        help_text=MARKDOWN_HELP,
        widget=forms.Textarea(attrs={"rows": 10}),
        strip=False,
    )
    field_order = ["title", "text", "tags", "project_part", "concept_element"]


class ExperienceReportForm(DescribedErrorsMixin, TopicFieldsMixin):
    title = forms.CharField(label=_("Title"), max_length=200)
    context = forms.CharField(
        label=_("Context"),
        help_text=_("Where and with whom: the municipality, the service, the citizens."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    what_we_did = forms.CharField(label=_("What we did"), widget=forms.Textarea(attrs={"rows": 5}))
    what_worked = forms.CharField(label=_("What worked"), widget=forms.Textarea(attrs={"rows": 5}))
    barriers = forms.CharField(label=_("Barriers"), widget=forms.Textarea(attrs={"rows": 5}))
    results = forms.CharField(
        label=_("Results for the citizens"), widget=forms.Textarea(attrs={"rows": 5})
    )
    field_order = [
        "title",
        "context",
        "what_we_did",
        "what_worked",
        "barriers",
        "results",
        "project_part",
        "concept_element",
        "tags",
    ]

    def report(self):
        return {name: self.cleaned_data[name] for name in REPORT_FIELDS}


class ReplyForm(DescribedErrorsMixin, forms.Form):
    text = forms.CharField(
        label=_("Your reply"),
        help_text=MARKDOWN_HELP,
        widget=forms.Textarea(attrs={"rows": 6}),
        strip=False,
    )
    quoted = forms.IntegerField(required=False, widget=forms.HiddenInput)


class EditPostForm(DescribedErrorsMixin, forms.Form):
    text = forms.CharField(
        label=_("Text"),
        help_text=MARKDOWN_HELP,
        widget=forms.Textarea(attrs={"rows": 10}),
        strip=False,
    )


class ReportForm(DescribedErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why should a moderator look at the post?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class SpaceFilterForm(FilterForm):
    """Filter a space's topics: type, project part, concept element."""

    type = forms.ChoiceField(label=_("Type"), required=False)
    part = forms.TypedChoiceField(
        label=_("Project part"), required=False, coerce=int, empty_value=None
    )
    element = forms.ChoiceField(label=_("Concept element"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", _("All types")), *Topic.Kind.choices]
        self.fields["part"].choices = [("", _("All parts")), *ProjectPart.choices]
        self.fields["element"].choices = [("", _("All elements")), *ConceptElement.choices]

    def filter(self, topics):
        if not (self.is_bound and self.is_valid()):
            return topics
        data = self.cleaned_data
        if data["type"]:
            topics = topics.filter(kind=data["type"])
        if data["part"]:
            topics = topics.filter(project_part=data["part"])
        if data["element"]:
            topics = topics.filter(concept_element=data["element"])
        return topics

    def query_string(self):
        if not (self.is_bound and self.is_valid()):
            return ""
        values = {key: value for key, value in self.cleaned_data.items() if value}
        return urlencode(values)
