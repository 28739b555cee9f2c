"""The email outbox in the Wagtail admin (Settings → Emails not delivered), for agency editors.

Emails the platform has given up on (failed after ``OUTBOX_GIVE_UP_DAYS`` of retries),
with the mail server's last answer, and a button that sends one again; below them the
emails still waiting for their next try. The retries themselves are ``network.outbox``.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from post_office.models import STATUS, Email
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from network import access, outbox

SHOWN = 200


class OutboxView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "network/admin/outbox.html"
    page_title = _("Emails not delivered")
    header_icon = "mail"

    def dispatch(self, request, *args, **kwargs):
        if not access.is_agency_editor(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        failed = list(Email.objects.filter(status=STATUS.failed).order_by("-last_updated")[:SHOWN])
        waiting = list(
            Email.objects.filter(status=STATUS.requeued).order_by("scheduled_time")[:SHOWN]
        )
        for email in [*failed, *waiting]:
            email.reason = outbox.last_error(email)
        return super().get_context_data(failed=failed, waiting=waiting, **kwargs)


@require_POST
def send_again(request, pk):
    if not access.is_agency_editor(request.user):
        raise PermissionDenied
    email = get_object_or_404(Email, pk=pk, status=STATUS.failed)
    outbox.send_again(email)
    messages.success(
        request,
        gettext("The email to %(address)s is being sent again.") % {"address": ", ".join(email.to)},
    )
    return redirect("network_outbox:index")


urlpatterns = [
    path("", OutboxView.as_view(), name="index"),
    path("<int:pk>/send-igen/", send_again, name="send_again"),
]
