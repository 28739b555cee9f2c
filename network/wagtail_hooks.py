"""The network in the Wagtail admin, under the menu "Netværk", for agency editors only.

Who may do what is decided by ``network.access``: every model here gets a permission
policy that asks ``access.is_agency_editor``, so the menu, the listings and every view
are shown to agency editors and superusers and to nobody else, whatever Django model
permissions a group holds. Changes with rules attached go through ``network.services``
(roles are granted and revoked there, a membership's status changes with an entry in
its history); applications and the status of a part are read-only here, because they
change through the application form, the decision and the partners' report page.
In the settings menu, agency editors also find the login lockouts, and lift them, and the
emails that could not be delivered, and send them again.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import NoReverseMatch, include, path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, PageChooserPanel
from wagtail.permission_policies import BasePermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import snippets
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from network import access, second_factor, services
from network.models import (
    Application,
    Initiative,
    Membership,
    Milestone,
    Municipality,
    PartProgress,
    Role,
    RoleAssignment,
    StatusNote,
)
from network.views import lockouts, outbox_admin, second_factor_admin

ALL_ACTIONS = frozenset({"add", "change", "delete", "view"})


class AgencyEditorPermissionPolicy(BasePermissionPolicy):
    """Agency editors (and superusers) may do the given actions; nobody else anything.

    Subclasses name another ``network.access`` check and the roles that pass it.
    """

    roles = (Role.AGENCY_EDITOR,)

    def __init__(self, model, actions=ALL_ACTIONS):
        super().__init__(model)
        self.actions = frozenset(actions)

    def is_allowed(self, user):
        return access.is_agency_editor(user)

    def user_has_permission(self, user, action):
        return action in self.actions and self.is_allowed(user)

    def user_has_any_permission(self, user, actions):
        return bool(self.actions.intersection(actions)) and self.is_allowed(user)

    def users_with_any_permission(self, actions):
        users = get_user_model().objects.filter(is_active=True)
        if not self.actions.intersection(actions):
            return users.none()
        return users.filter(
            Q(is_superuser=True) | Q(role_assignments__role__in=self.roles)
        ).distinct()


POLICIES = {
    Municipality: {"add", "change", "view"},
    Initiative: ALL_ACTIONS,
    Membership: {"add", "change", "view"},
    Application: {"view"},
    PartProgress: {"view"},
    Milestone: {"change", "delete", "view"},
    StatusNote: {"change", "delete", "view"},
    RoleAssignment: {"add", "delete", "view"},
}
# Registered before any viewset asks for a model's policy (Wagtail requires it).
for model, actions in POLICIES.items():
    register_permission_policy(model, AgencyEditorPermissionPolicy(model, actions))


def index_view(*related):
    """An index view that fetches the related objects its columns show in one query."""

    class IndexView(snippets.IndexView):
        def get_base_queryset(self):
            return super().get_base_queryset().select_related(*related)

    return IndexView


def history_value(membership):
    events = membership.events.select_related("recorded_by").order_by("date", "pk")
    if not events:
        return "–"
    return format_html(
        "<ul>{}</ul>",
        format_html_join(
            "",
            "<li>{}: {}{}</li>",
            (
                (
                    date_format(event.date, "DATE_FORMAT"),
                    event.get_status_display(),
                    f" ({event.note})" if event.note else "",
                )
                for event in events
            ),
        ),
    )


class MembershipInspectView(snippets.InspectView):
    def get_history_display_value(self):
        return history_value(self.object)

    def get_field_label(self, field_name, field):
        if field_name == "history":
            return _("History")
        return super().get_field_label(field_name, field)


class MembershipSaveMixin:
    """Saves the status through the service, so every change is in the history."""

    def save_instance(self):
        membership = self.form.instance
        return services.set_membership_status(
            membership, membership.status, recorded_by=self.request.user
        )


class MembershipCreateView(MembershipSaveMixin, snippets.CreateView):
    pass


class MembershipEditView(MembershipSaveMixin, snippets.EditView):
    pass


class ApplicationInspectView(snippets.InspectView):
    def get_budget_display_value(self):
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} {}: {} kr.</li>",
                (
                    (f"{line.month:%m.%Y}", line.description, line.amount)
                    for line in self.object.budget_lines.all()
                ),
            ),
        )

    def get_assess_display_value(self):
        # The assessment page belongs to the applications views; link it when it exists.
        try:
            url = reverse("network:assess", args=[self.object.pk])
        except NoReverseMatch:  # the page arrives with the applications views
            return "–"
        return format_html('<a href="{}">{}</a>', url, _("Assess and recommend"))

    def get_field_label(self, field_name, field):
        labels = {"budget": _("Budget"), "assess": _("Assessment")}
        if field_name in labels:
            return labels[field_name]
        return super().get_field_label(field_name, field)


class RoleCreateView(snippets.CreateView):
    """Grants the role through the service, which also gives editors their Wagtail group."""

    def save_instance(self):
        instance = self.form.instance
        services.grant_role(instance.person, instance.role, granted_by=self.request.user)
        return RoleAssignment.objects.get(person=instance.person, role=instance.role)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            form.add_error(None, error)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class RoleDeleteView(snippets.DeleteView):
    def delete_action(self):
        services.revoke_role(self.object.person, self.object.role, revoked_by=self.request.user)


class NetworkViewSet(SnippetViewSet):
    copy_view_enabled = False
    search_backend_name = None


class MunicipalityViewSet(NetworkViewSet):
    model = Municipality
    icon = "site"
    list_display = ["name", "code", "cvr", "region"]
    list_filter = ["region"]
    search_fields = ["name", "code", "cvr"]
    panels = [
        FieldPanel("name"),
        FieldPanel("code"),
        FieldPanel("cvr"),
        FieldPanel("slug"),
        FieldPanel("region"),
    ]


class InitiativeViewSet(NetworkViewSet):
    model = Initiative
    icon = "group"
    index_view_class = index_view("pool")
    list_display = ["title", "pool", "project_period_start", "project_period_end"]
    search_fields = ["title"]
    panels = [
        FieldPanel("title"),
        FieldPanel("slug"),
        PageChooserPanel("pool", "cms.PoolPage"),
        PageChooserPanel("page", "cms.InitiativePage"),
        FieldRowPanel([FieldPanel("project_period_start"), FieldPanel("project_period_end")]),
    ]


class MembershipViewSet(NetworkViewSet):
    model = Membership
    icon = "list-ul"
    index_view_class = index_view("municipality", "initiative")
    inspect_view_enabled = True
    inspect_view_class = MembershipInspectView
    add_view_class = MembershipCreateView
    edit_view_class = MembershipEditView
    inspect_view_fields = ["municipality", "initiative", "status", "since", "history"]
    list_display = ["municipality", "initiative", "status", "since"]
    list_filter = ["initiative", "status"]
    search_fields = ["municipality__name"]
    panels = [FieldPanel("initiative"), FieldPanel("municipality"), FieldPanel("status")]


class ApplicationViewSet(NetworkViewSet):
    model = Application
    icon = "doc-full"
    index_view_class = index_view("municipality", "pool")
    inspect_view_enabled = True
    inspect_view_class = ApplicationInspectView
    inspect_view_fields = [
        "municipality",
        "pool",
        "status",
        "decision",
        "decision_note",
        "project_leader_name",
        "project_leader_email",
        "centre_chief_name",
        "centre_chief_approved",
        "submitted_at",
        "decided_at",
        "budget",
        "assess",
    ]
    list_display = [
        "municipality",
        "pool",
        "status",
        "decision",
        "submitted_at",
    ]
    list_filter = ["pool", "status", "decision"]
    search_fields = ["municipality__name"]
    panels = [FieldPanel("status")]


class PartProgressViewSet(NetworkViewSet):
    model = PartProgress
    icon = "tasks"
    index_view_class = index_view("membership__municipality", "membership__initiative")
    inspect_view_enabled = True
    list_display = ["membership", "part", "status", "started_on", "finished_on"]
    list_filter = ["part", "status", "membership__initiative"]
    search_fields = ["membership__municipality__name"]
    panels = [FieldPanel("status")]


class MilestoneViewSet(NetworkViewSet):
    model = Milestone
    icon = "date"
    index_view_class = index_view("membership__municipality", "membership__initiative")
    list_display = ["title", "membership", "part", "due_on", "reached_on"]
    list_filter = ["part", "membership__initiative"]
    search_fields = ["title", "membership__municipality__name"]
    panels = [FieldPanel("title"), FieldPanel("due_on"), FieldPanel("reached_on")]


class StatusNoteViewSet(NetworkViewSet):
    model = StatusNote
    icon = "comment"
    index_view_class = index_view("membership__municipality", "author")
    list_display = ["__str__", "part", "written_on", "author"]
    list_filter = ["part", "membership__initiative"]
    search_fields = ["text", "membership__municipality__name"]
    panels = [FieldPanel("text"), FieldPanel("written_on")]


class RoleAssignmentViewSet(NetworkViewSet):
    model = RoleAssignment
    icon = "key"
    index_view_class = index_view("person")
    add_view_class = RoleCreateView
    delete_view_class = RoleDeleteView
    list_display = ["person", "role", "granted_at"]
    list_filter = ["role"]
    search_fields = ["person__email", "person__first_name", "person__last_name"]
    panels = [FieldPanel("person"), FieldPanel("role")]


class NetworkViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Network")
    menu_icon = "group"
    menu_order = 250
    items = (
        MunicipalityViewSet,
        InitiativeViewSet,
        MembershipViewSet,
        ApplicationViewSet,
        PartProgressViewSet,
        MilestoneViewSet,
        StatusNoteViewSet,
        RoleAssignmentViewSet,
    )


register_snippet(NetworkViewSetGroup)


# --- Login lockouts (network/views/lockouts.py), in the settings menu beside the users -----


class AgencyEditorMenuItem(MenuItem):
    def is_shown(self, request):
        return access.is_agency_editor(request.user)


@hooks.register("register_admin_urls")
def register_lockout_urls():
    return [path("laaste-logins/", include((lockouts.urlpatterns, "network_lockouts")))]


@hooks.register("register_settings_menu_item")
def register_lockouts_menu_item():
    return AgencyEditorMenuItem(
        _("Login lockouts"), reverse("network_lockouts:index"), icon_name="lock", order=610
    )


# --- The email outbox (network/views/outbox_admin.py): failed emails, sent again ------------


@hooks.register("register_admin_urls")
def register_outbox_urls():
    return [path("emails/", include((outbox_admin.urlpatterns, "network_outbox")))]


@hooks.register("register_settings_menu_item")
def register_outbox_menu_item():
    return AgencyEditorMenuItem(
        _("Emails not delivered"), reverse("network_outbox:index"), icon_name="mail", order=615
    )


# --- Second factors (network/views/second_factor_admin.py), for administrators -------------


class SuperuserMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_admin_urls")
def register_second_factor_urls():
    return [
        path(
            "anden-faktor/",
            include((second_factor_admin.urlpatterns, "network_second_factors")),
        )
    ]


@hooks.register("register_settings_menu_item")
def register_second_factors_menu_item():
    return SuperuserMenuItem(
        _("Second factors"), reverse("network_second_factors:index"), icon_name="key", order=620
    )


@hooks.register("register_log_actions")
def register_second_factor_log_actions(actions):
    actions.register_action(
        second_factor.RESET_ACTION, _("Reset second factor"), _("Reset the second factor")
    )
