"""Every form on the site is drawn in the Danish state design system (DKFDS).

``FORM_RENDERER`` points here. The templates under ``templates/django/forms/`` give
``{{ form }}`` and ``{{ field.as_field_group }}`` DKFDS's markup (form-group, form-label,
form-hint, form-error-message and the error summary); the bound field below puts
DKFDS's class on each input, so a widget needs no attrs of its own for it. Django
itself marks an invalid input ``aria-invalid="true"`` and points ``aria-describedby``
at the hint (``<id>_helptext``) and the error message (``<id>_error``).
"""

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting

from cms.cache import TIMEOUT


def dkfds_class(widget):
    """The DKFDS class for the inputs a widget draws, or '' (hidden inputs, files)."""
    if isinstance(widget, forms.HiddenInput | forms.MultipleHiddenInput | forms.FileInput):
        return ""
    # Before RadioSelect: CheckboxSelectMultiple is one.
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
        return "form-checkbox"
    if isinstance(widget, forms.RadioSelect):
        return "form-radio"
    if isinstance(widget, forms.Select):
        return "form-select"
    if isinstance(widget, forms.widgets.Input | forms.Textarea):
        return "form-input"
    return ""


class DKFDSBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        css = dkfds_class(widget)
        if css:
            classes = " ".join(
                filter(None, [css, widget.attrs.get("class", ""), attrs.get("class", "")])
            )
            # One class once, in the order written.
            attrs["class"] = " ".join(dict.fromkeys(classes.split()))
        return attrs

    @property
    def is_checkbox(self):
        """A single checkbox: DKFDS draws its label after the box."""
        return isinstance(self.field.widget, forms.CheckboxInput)


class DKFDSRenderer(TemplatesSetting):
    """Django's own renderer on the project's templates, with DKFDS's bound field."""

    bound_field_class = DKFDSBoundField


class FilterForm(forms.Form):
    """A list's filter (a GET form, every field optional).

    Drawing its fields is the dearest part of the list's page (a template per field),
    yet it depends only on what was typed, the choices and the language: the page keeps
    it in the cache for ``cache_timeout`` under ``rendering_key`` and the language.
    """

    #: Every filter is optional; "(optional)" after each label would be noise.
    hide_optional = True
    cache_timeout = TIMEOUT

    def rendering_key(self):
        """What was typed into the fields; a subclass whose choices change adds their
        generation."""
        return "&".join(f"{name}={self.data.get(name, '')}" for name in self.fields)
