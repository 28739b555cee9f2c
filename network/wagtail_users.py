"""Wagtail's user editing with the person's municipality, agency flag and roles.

Wagtail finds this viewset through ``network.apps.UsersAppConfig``, which replaces
``wagtail.users`` in INSTALLED_APPS. Roles are saved through ``services.set_roles``,
so the Wagtail group of agency editors follows the role as everywhere else.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from network import services
from network.models import Role

PERSON_FIELDS = {"municipality", "is_agency_staff", "job_title"}


class PersonFormMixin(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["roles"] = list(
                self.instance.role_assignments.values_list("role", flat=True)
            )

    def clean(self):
        cleaned = super().clean()
        for problem in services.role_problems(
            cleaned.get("roles", []),
            municipality=cleaned.get("municipality"),
            is_agency_staff=cleaned.get("is_agency_staff", False),
        ):
            self.add_error("roles", problem)
        return cleaned

    def save(self, commit=True):
        person = super().save(commit=commit)
        if commit:
            services.set_roles(person, self.cleaned_data.get("roles", []), changed_by=None)
        return person


class PersonCreationForm(PersonFormMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = UserCreationForm.Meta.fields | PERSON_FIELDS


class PersonEditForm(PersonFormMixin, UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = UserEditForm.Meta.fields | PERSON_FIELDS


class UserViewSet(WagtailUserViewSet):
    def get_form_class(self, for_update=False):
        return PersonEditForm if for_update else PersonCreationForm
