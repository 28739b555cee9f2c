"""Second factors in the Wagtail admin: who has one, and resetting a lost one.

Only administrators (superusers) reset: the person then sets up the app anew at their
next login. The rule and the log entry are in ``network.second_factor.reset``.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from network import second_factor


class SecondFactorsView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "network/admin/second_factors.html"
    page_title = _("Second factors")
    header_icon = "key"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        return super().get_context_data(people=second_factor.people_with_devices(), **kwargs)


@require_POST
def reset(request, pk):
    if not request.user.is_superuser:
        raise PermissionDenied
    person = get_object_or_404(get_user_model(), pk=pk)
    second_factor.reset(person, reset_by=request.user)
    messages.success(
        request,
        gettext("The second factor of %(person)s is reset; they set it up at their next login.")
        % {"person": person},
    )
    return redirect("network_second_factors:index")


urlpatterns = [
    path("", SecondFactorsView.as_view(), name="index"),
    path("<int:pk>/nulstil/", reset, name="reset"),
]
