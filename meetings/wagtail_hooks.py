"""Meetings in the Wagtail admin, under the menu "Møder", for agency editors only.

Who may organise is decided by ``meetings.access.can_organise`` (agency editors), through
the same permission policy as the network's admin. Everything with rules attached goes
through ``meetings.services``: a meeting is saved by ``save_meeting`` (a change of time or
place emails everyone signed up and raises the iCalendar SEQUENCE; more seats promote the
waiting list), cancelled by ``cancel_meeting``, and attendance is marked by
``mark_attendance``. The attendee page, the CSV export and the cancellation are extra admin
views (``meetings/admin_views.py``), linked from the listing and the edit page.
"""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    MultiFieldPanel,
    ObjectList,
    PageChooserPanel,
    TabbedInterface,
)
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets import Button, ListingButton
from wagtail.log_actions import log
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import snippets
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from cms.models import PoolDocument
from meetings import access, admin_views, services
from meetings.models import ActionItem, Meeting, MeetingDocument, Registration
from network.models import AGENCY_ROLES, Role
from network.wagtail_hooks import ALL_ACTIONS, AgencyEditorPermissionPolicy

for model in (Meeting, MeetingDocument, ActionItem):
    register_permission_policy(model, AgencyEditorPermissionPolicy(model, ALL_ACTIONS))

#: The roles a meeting can be for: those held in the partner municipalities.
AUDIENCE_ROLE_CHOICES = [(role.value, role.label) for role in Role if role not in AGENCY_ROLES]


# --- Meeting form ----------------------------------------------------------------------------


class MeetingForm(WagtailAdminModelForm):
    audience_roles = forms.MultipleChoiceField(
        label=_("Roles invited"),
        choices=AUDIENCE_ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("With the audience “given roles”: which roles in the partner municipalities."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "organiser" in self.fields:
            self.fields["organiser"].queryset = get_user_model().objects.filter(
                Q(is_agency_staff=True) | Q(pk=self.instance.organiser_id)
            )

    def clean(self):
        cleaned = super().clean()
        audience = cleaned.get("audience")
        if audience == Meeting.Audience.ROLES:
            if not cleaned.get("audience_roles"):
                self.add_error("audience_roles", _("Choose the roles the meeting is for."))
        else:
            cleaned["audience_roles"] = []
        if audience and audience != Meeting.Audience.PUBLIC and not cleaned.get("initiative"):
            self.add_error(
                "initiative",
                _("A meeting that is not public is for the members of an initiative: choose it."),
            )
        if not (cleaned.get("city") or cleaned.get("address") or cleaned.get("online_url")):
            self.add_error("city", _("Give a place, an online link, or both."))
        return cleaned


# --- Meeting views ---------------------------------------------------------------------------


def start_display(meeting):
    return date_format(timezone.localtime(meeting.starts_at), "SHORT_DATETIME_FORMAT")


def seats_display(meeting):
    return "–" if meeting.seats is None else meeting.seats


def state_display(meeting):
    if meeting.is_cancelled:
        return gettext("Cancelled")
    if meeting.is_past():
        return gettext("Held")
    return gettext("Upcoming")


class MeetingFilterSet(WagtailFilterSet):
    when = django_filters.ChoiceFilter(
        label=_("When"),
        choices=[("upcoming", _("Upcoming")), ("past", _("Past"))],
        method="filter_when",
        empty_label=_("All"),
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Meeting
        fields = ["when", "kind", "initiative"]

    def filter_when(self, queryset, name, value):
        now = timezone.now()
        if value == "upcoming":
            return queryset.filter(ends_at__gt=now)
        if value == "past":
            return queryset.filter(ends_at__lte=now)
        return queryset


def meeting_links(meeting):
    """(label, url, icon) of the organiser's pages for a meeting, for listing and edit page."""
    links = [
        (_("Attendees"), reverse("meetings_admin:attendees", args=[meeting.pk]), "group"),
        (_("Export CSV"), reverse("meetings_admin:attendees_csv", args=[meeting.pk]), "download"),
        (
            _("Materials"),
            reverse("wagtailsnippets_meetings_meetingdocument:list") + f"?meeting={meeting.pk}",
            "doc-full",
        ),
        (
            _("Action items"),
            reverse("wagtailsnippets_meetings_actionitem:list") + f"?meeting={meeting.pk}",
            "tasks",
        ),
    ]
    if not meeting.is_cancelled and not meeting.is_past():
        links.append(
            (_("Cancel meeting"), reverse("meetings_admin:cancel", args=[meeting.pk]), "cross")
        )
    return links


class MeetingIndexView(snippets.IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        (label, url, icon), *more = meeting_links(instance)
        buttons.append(ListingButton(label, url=url, icon_name=icon, priority=5))
        for priority, (label, url, icon) in enumerate(more, start=11):
            buttons.append(Button(label, url=url, icon_name=icon, priority=priority))
        return buttons


class MeetingSaveMixin:
    """Saves through ``services.save_meeting``, so the rules about changes always apply."""

    log_action = None

    def save_instance(self):
        meeting = self.form.save(commit=False)
        if meeting.pk is None and meeting.organiser_id is None:
            meeting.organiser = self.request.user
        sequence_before = meeting.sequence
        services.save_meeting(meeting, changed_by=self.request.user)
        self.participants_notified = meeting.pk and meeting.sequence > sequence_before
        log(instance=meeting, action=self.log_action, user=self.request.user, content_changed=True)
        return meeting

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            form.add_error(None, error)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class MeetingCreateView(MeetingSaveMixin, snippets.CreateView):
    log_action = "wagtail.create"


class MeetingEditView(MeetingSaveMixin, snippets.EditView):
    log_action = "wagtail.edit"

    def get_success_message(self):
        message = super().get_success_message()
        if getattr(self, "participants_notified", False):
            message = f"{message} " + gettext(
                "The time or place changed: everyone signed up has been emailed."
            )
        return message

    @property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        for priority, (label, url, icon) in enumerate(meeting_links(self.object), start=40):
            buttons.append(Button(label, url=url, icon_name=icon, priority=priority))
        return buttons


class MeetingDeleteView(snippets.DeleteView):
    """A meeting people are signed up for is cancelled (and they are told), not deleted."""

    def has_signups(self):
        """Only an upcoming meeting's people need telling; a past meeting is history."""
        return (
            not self.object.is_past()
            and self.object.registrations.filter(status__in=Registration.ACTIVE).exists()
        )

    @property
    def confirmation_message(self):
        if self.has_signups():
            return gettext(
                "People are signed up for this meeting. Cancel it instead, so they are told."
            )
        return super().confirmation_message

    def form_valid(self, form):
        if self.has_signups():
            messages.error(
                self.request,
                gettext(
                    "People are signed up for this meeting. Cancel it instead, so they are told."
                ),
            )
            return redirect("meetings_admin:cancel", self.object.pk)
        return super().form_valid(form)


class MeetingsViewSet(SnippetViewSet):
    copy_view_enabled = False
    search_backend_name = None


class MeetingViewSet(MeetingsViewSet):
    model = Meeting
    icon = "date"
    index_view_class = MeetingIndexView
    add_view_class = MeetingCreateView
    edit_view_class = MeetingEditView
    delete_view_class = MeetingDeleteView
    filterset_class = MeetingFilterSet
    ordering = "-starts_at"
    search_fields = ["title", "city"]
    list_display = [
        "title",
        "kind",
        Column("starts_at", label=_("Starts"), accessor=start_display, sort_key="starts_at"),
        Column("seats", label=_("Seats"), accessor=seats_display, sort_key="seats"),
        Column("confirmed_count", label=_("Confirmed places"), sort_key="confirmed_count"),
        Column("waiting_count", label=_("Waiting list"), sort_key="waiting_count"),
        Column("state", label=_("Status"), accessor=state_display),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("kind"),
                    FieldPanel("title"),
                    FieldPanel("description"),
                    FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
                    MultiFieldPanel(
                        [
                            FieldRowPanel([FieldPanel("address"), FieldPanel("city")]),
                            FieldPanel("online_url"),
                        ],
                        heading=_("Place"),
                    ),
                    FieldPanel("organiser"),
                    FieldPanel("initiative"),
                    PageChooserPanel("pool", "cms.PoolPage"),
                ],
                heading=_("Meeting"),
            ),
            ObjectList(
                [
                    FieldPanel("audience"),
                    FieldPanel("audience_roles"),
                    FieldRowPanel([FieldPanel("seats"), FieldPanel("seats_per_municipality")]),
                    FieldPanel("signup_deadline"),
                ],
                heading=_("Sign-up"),
            ),
            ObjectList(
                [FieldPanel("agenda"), FieldPanel("minutes")],
                heading=_("Agenda and minutes"),
            ),
        ],
        base_form_class=MeetingForm,
    )

    def get_queryset(self, request):
        return Meeting.objects.annotate(
            confirmed_count=Count(
                "registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)
            ),
            waiting_count=Count(
                "registrations", filter=Q(registrations__status=Registration.Status.WAITING)
            ),
        )


# --- Materials and action items --------------------------------------------------------------


class MeetingChildCreateView(snippets.CreateView):
    """Reached from a meeting's menu with ?meeting=<pk>: the meeting is filled in."""

    def get_initial(self):
        initial = super().get_initial()
        meeting = self.request.GET.get("meeting", "")
        if meeting.isdigit():
            initial["meeting"] = meeting
        return initial


def child_index_view(*related):
    class IndexView(snippets.IndexView):
        def get_base_queryset(self):
            return super().get_base_queryset().select_related(*related)

        def get_add_url(self):
            url = super().get_add_url()
            meeting = self.request.GET.get("meeting", "")
            if url and meeting.isdigit():
                url += f"?meeting={meeting}"
            return url

    return IndexView


class ActionItemFilterSet(WagtailFilterSet):
    open = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[("open", _("Open")), ("done", _("Done"))],
        method="filter_open",
        empty_label=_("All"),
        widget=forms.RadioSelect,
    )

    class Meta:
        model = ActionItem
        fields = ["meeting", "owner", "open"]

    def filter_open(self, queryset, name, value):
        if value == "open":
            return queryset.filter(done_on__isnull=True)
        if value == "done":
            return queryset.filter(done_on__isnull=False)
        return queryset


class MeetingDocumentViewSet(MeetingsViewSet):
    model = MeetingDocument
    icon = "doc-full"
    index_view_class = child_index_view("meeting", "document")
    add_view_class = MeetingChildCreateView
    list_display = ["__str__", "meeting", "document"]
    list_filter = ["meeting"]
    search_fields = ["title", "meeting__title"]
    panels = [FieldPanel("meeting"), FieldPanel("document"), FieldPanel("title")]


class ActionItemViewSet(MeetingsViewSet):
    model = ActionItem
    icon = "tasks"
    index_view_class = child_index_view("meeting", "owner")
    add_view_class = MeetingChildCreateView
    filterset_class = ActionItemFilterSet
    list_display = ["text", "owner", "meeting", "due_on", "done_on"]
    search_fields = ["text", "owner__name", "meeting__title"]
    panels = [
        FieldPanel("meeting"),
        FieldPanel("text"),
        FieldPanel("owner"),
        FieldRowPanel([FieldPanel("due_on"), FieldPanel("done_on")]),
    ]


class MeetingsViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Meetings")
    menu_icon = "date"
    menu_order = 260
    items = (MeetingViewSet, MeetingDocumentViewSet, ActionItemViewSet)


register_snippet(MeetingsViewSetGroup)


@hooks.register("register_admin_urls")
def register_meeting_admin_urls():
    return [path("moeder/", include((admin_views.urlpatterns, "meetings_admin")))]


@hooks.register("before_serve_document")
def meeting_materials_for_the_audience_only(document, request):
    """A meeting's materials are as private as the meeting (/dokumenter/ serves any
    document by its id): not found for those outside every audience it is shared with,
    unless it is also a pool's published application material."""
    meetings = Meeting.objects.filter(documents__document=document).select_related("initiative")
    if not meetings or PoolDocument.objects.filter(document=document, pool__live=True).exists():
        return
    if not any(access.can_view(request.user, meeting) for meeting in meetings):
        raise Http404
