"""The second factor's pages: setting up the authenticator app, giving a code, the
recovery codes shown once.

The person is pending (right password, no code yet) on the first two; the rules, the
devices and the throttling are in ``network.second_factor``.
"""

import segno
from django import forms
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from network import second_factor

TEMPLATES = "network/accounts/"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


def _throttled_error(form, throttled):
    until = throttled.until
    if until:
        moment = formats.time_format(timezone.localtime(until), "H:i:s")
        form.add_error(
            "code",
            _("Too many wrong codes. Wait until %(time)s and try again.") % {"time": moment},
        )
    else:
        form.add_error("code", _("Too many wrong codes. Wait a moment and try again."))


def _wrong_code(request, form):
    """A wrong code: say so, or end the pending login after too many."""
    if second_factor.count_wrong_code(request):
        return redirect("network:login")
    form.add_error("code", _("The code is not right. Check it and try again."))
    return None


def _not_pending():
    """No password waits for a code (none given, or too long ago): my page, which asks
    for a login when there is none."""
    return redirect("network:my_page")


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request):
    person = second_factor.pending_person(request)
    if person is None:
        return _not_pending()
    if second_factor.app_device(person) is None:
        return redirect("network:second_factor_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = second_factor.verify(person, form.cleaned_data["code"])
        except second_factor.Throttled as throttled:
            _throttled_error(form, throttled)
        else:
            if device is not None:
                return redirect(second_factor.complete(request, person, device))
            ended = _wrong_code(request, form)
            if ended:
                return ended
    return render(request, TEMPLATES + "second_factor_verify.html", {"form": form})


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def setup(request):
    person = second_factor.pending_person(request)
    if person is None:
        return _not_pending()
    if second_factor.app_device(person) is not None:
        return redirect("network:second_factor_verify")
    device = second_factor.unconfirmed_app_device(person)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = second_factor.confirm_app_device(device, form.cleaned_data["code"])
        except second_factor.Throttled as throttled:
            _throttled_error(form, throttled)
        else:
            if codes is not None:
                next_url = second_factor.complete(request, person, device)
                request.session[second_factor.NEW_RECOVERY_CODES_SESSION_KEY] = {
                    "codes": codes,
                    "next": next_url,
                }
                return redirect("network:second_factor_recovery_codes")
            ended = _wrong_code(request, form)
            if ended:
                return ended
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "qr_code": qr.svg_data_uri(scale=4, border=2),
        "secret": second_factor.readable_secret(device),
    }
    return render(request, TEMPLATES + "second_factor_setup.html", context)


@never_cache
def recovery_codes(request):
    """The new recovery codes, shown once right after the app was set up."""
    shown = request.session.pop(second_factor.NEW_RECOVERY_CODES_SESSION_KEY, None)
    if shown is None or not request.user.is_authenticated:
        return redirect("network:my_page")
    return render(request, TEMPLATES + "second_factor_recovery_codes.html", shown)


urlpatterns = [
    path("konto/kode/", verify, name="second_factor_verify"),
    path("konto/kode/opsaet/", setup, name="second_factor_setup"),
    path("konto/kode/gendannelseskoder/", recovery_codes, name="second_factor_recovery_codes"),
]
