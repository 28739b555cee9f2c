"""Login lockouts in the Wagtail admin: who cannot log in now, and lifting a lockout.

A locked-out person waits out ``AXES_COOLOFF_TIME`` or chooses a new password by the
emailed link; an agency editor can lift the lockout here at once (say, after a phone
call). The limits and what they count are in ``network.login_throttle``.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from network import access, login_throttle


class LockoutsView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "network/admin/lockouts.html"
    page_title = _("Login lockouts")
    header_icon = "lock"

    def dispatch(self, request, *args, **kwargs):
        if not access.is_agency_editor(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        accounts, addresses = login_throttle.lockouts()
        return super().get_context_data(accounts=accounts, addresses=addresses, **kwargs)


@require_POST
def lift_lockout(request):
    """Lift the lockout of the posted account (``username``) or address (``ip_address``)."""
    if not access.is_agency_editor(request.user):
        raise PermissionDenied
    username = request.POST.get("username", "").strip()
    ip_address = request.POST.get("ip_address", "").strip()
    if username:
        login_throttle.lift_account_lockout(username, lifted_by=request.user)
        messages.success(request, gettext("%(account)s can log in again.") % {"account": username})
    elif ip_address:
        login_throttle.lift_address_lockout(ip_address, lifted_by=request.user)
        messages.success(
            request,
            gettext("Logins from %(address)s are possible again.") % {"address": ip_address},
        )
    else:
        messages.error(request, gettext("Choose an account or an address to lift."))
    return redirect("network_lockouts:index")


urlpatterns = [
    path("", LockoutsView.as_view(), name="index"),
    path("ophaev/", lift_lockout, name="lift"),
]
