"""The grant cases in the Wagtail admin: the reporting plan of each pool, for editors.

The cases themselves are handled on their own pages (/tilskud/), linked from the menu.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from grants import access
from grants.models import ReportingPlan
from network.wagtail_hooks import ALL_ACTIONS, AgencyEditorPermissionPolicy

register_permission_policy(ReportingPlan, AgencyEditorPermissionPolicy(ReportingPlan, ALL_ACTIONS))


class ReportingPlanViewSet(SnippetViewSet):
    model = ReportingPlan
    icon = "date"
    menu_label = _("Reporting plans")
    menu_order = 260
    add_to_admin_menu = True
    copy_view_enabled = False
    search_backend_name = None
    list_display = ["pool", "status_report_every_months", "accounts_months_after_year_end"]
    panels = [
        FieldPanel("pool"),
        FieldPanel("status_report_every_months"),
        FieldPanel("final_report_months_after_end"),
        FieldPanel("accounts_months_after_year_end"),
    ]


register_snippet(ReportingPlanViewSet)


class GrantCasesMenuItem(MenuItem):
    def is_shown(self, request):
        return access.is_case_staff(request.user)


@hooks.register("register_admin_menu_item")
def grant_cases_menu_item():
    return GrantCasesMenuItem(
        _("Grant cases"), reverse("grants:my_cases"), icon_name="folder-open-inverse", order=255
    )
