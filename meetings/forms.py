"""Forms for the meetings' pages: the list's filter and a guest's sign-up.

The forms only check what the person typed; whether a sign-up is allowed (audience,
deadline, seats, duplicates) is decided by ``meetings.services``, which the views call.
"""

from django import forms
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from cms.cache import generation
from config.forms import FilterForm
from meetings.models import Meeting
from network.cache import INITIATIVES_KEY
from network.models import Initiative, Municipality

#: The list's two tabs, as they appear in the address (?tid=…).
UPCOMING, PAST = "kommende", "tidligere"


class MeetingFilterForm(FilterForm):
    """Filter the list of meetings by type and initiative."""

    tid = forms.ChoiceField(
        choices=[(UPCOMING, UPCOMING), (PAST, PAST)], required=False, widget=forms.HiddenInput
    )
    type = forms.ChoiceField(label=_("Type of meeting"), required=False)
    initiativ = forms.ModelChoiceField(
        label=_("Initiative"),
        queryset=Initiative.objects.order_by("-project_period_start", "title"),
        required=False,
        empty_label=_("All initiatives"),
        to_field_name="slug",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", _("All types")), *Meeting.Kind.choices]

    @property
    def period(self):
        if self.is_bound and self.is_valid() and self.cleaned_data["tid"] == PAST:
            return PAST
        return UPCOMING

    def filter(self, queryset):
        if not (self.is_bound and self.is_valid()):
            return queryset
        if self.cleaned_data["type"]:
            queryset = queryset.filter(kind=self.cleaned_data["type"])
        if self.cleaned_data["initiativ"]:
            queryset = queryset.filter(initiative=self.cleaned_data["initiativ"])
        return queryset

    def rendering_key(self):
        return f"{super().rendering_key()}:{generation(INITIATIVES_KEY)}"

    def query_string(self, **changes):
        """The filter as a query string, for tabs and pagination links."""
        values = {}
        if self.is_bound and self.is_valid():
            values = {
                "tid": self.cleaned_data["tid"],
                "type": self.cleaned_data["type"],
                "initiativ": getattr(self.cleaned_data["initiativ"], "slug", ""),
            }
        values.update(changes)
        return urlencode({key: value for key, value in values.items() if value})


class GuestSignupForm(forms.Form):
    """A guest's name, email and organisation or municipality, for a public meeting."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("We send a link to this address. Your place counts once you have clicked it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        required=False,
        help_text=_("Where you work. You can choose your municipality instead."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.order_by("name"),
        required=False,
        empty_label=_("Choose a municipality"),
        help_text=_("If you work in a municipality. Some meetings have a limit per municipality."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One of the two is needed (services.register_guest): no "(optional)" on either.
        for name in ("organisation", "municipality"):
            self.fields[name].hide_optional = True
