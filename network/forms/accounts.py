"""Forms for logging in, resetting a password, accepting an invitation and inviting people.

The forms only check what the person typed (an email address, two equal passwords);
the rules (who may invite whom, which roles fit, whether a link is still usable, how
strong a password must be) are in ``network.services``, which the views call.
"""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from network import mitid
from network.models import Municipality, NoticeChoice, NoticeKind, Role


class EmailAuthenticationForm(AuthenticationForm):
    """Django's login form, with the email address as the login."""

    username = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The email address or the password is wrong. Check both and try again, or "
            "choose a new password if you have forgotten it."
        ),
        "inactive": _("This login has been closed. Contact Socialstyrelsen."),
    }

    def clean_username(self):
        # People are stored with lower-case addresses (see PersonManager).
        return self.cleaned_data["username"].strip().lower()

    def get_invalid_login_error(self):
        if mitid.password_login_allowed(None):
            return super().get_invalid_login_error()
        # Municipal staff's passwords are refused (network.mitid.MunicipalPasswordGuard);
        # the same words for every refusal say nothing about whose address it was.
        return forms.ValidationError(
            _(
                "The email address or the password is wrong. Municipal staff log in with "
                "MitID Erhverv: use the button above."
            ),
            code="invalid_login",
        )


class EmailPasswordResetForm(PasswordResetForm):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class AcceptInvitationForm(forms.Form):
    """Name and password of the invited person; the service validates the password."""

    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Type the same password again, so we know it is what you meant."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "password1"
        ].help_text = password_validation.password_validators_help_text_html()

    def clean_password2(self):
        password1 = self.cleaned_data.get("password1")
        password2 = self.cleaned_data.get("password2")
        if password1 and password2 and password1 != password2:
            raise forms.ValidationError(
                _("The two passwords are not the same."), code="password_mismatch"
            )
        return password2


class InviteForm(forms.Form):
    """Whom to invite: a person in one municipality or at the agency, with their roles."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.order_by("name"),
        required=False,
        empty_label=_("– No municipality –"),
        help_text=_("Choose the municipality the person works in, or tick agency staff below."),
    )
    is_agency_staff = forms.BooleanField(
        label=_("Works at Socialstyrelsen (agency staff)"),
        required=False,
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Agency editor and agency moderator are for agency staff; the other roles for "
            "municipal staff."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Either a municipality or agency staff: "(optional)" would mislead.
        self.fields["municipality"].hide_optional = True


class NoticeChoicesForm(forms.Form):
    """How the person wants each kind of notice: one radio group per kind."""

    #: Every kind has a choice already; no "(optional)" after the groups' legends.
    hide_optional = True

    def __init__(self, *args, initial_choices, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in NoticeKind.choices:
            self.fields[kind] = forms.ChoiceField(
                label=label,
                choices=NoticeChoice.Delivery.choices,
                initial=initial_choices[kind],
                widget=forms.RadioSelect,
            )
