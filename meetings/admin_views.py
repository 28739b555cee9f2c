"""The organisers' extra admin pages for a meeting: attendees, CSV export, cancellation.

Registered under /admin/moeder/ by ``meetings.wagtail_hooks`` (so Wagtail's admin login
and language apply) and linked from the meeting listing and edit page. Only organisers
(``meetings.access.can_organise``: agency editors) get in; the changes go through
``meetings.services``.
"""

import csv

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import HeaderButton

from meetings import access, services
from meetings.models import Meeting, Registration

Status = Registration.Status


def local(moment):
    """Copenhagen time as Danish Excel reads a date and time."""
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M") if moment else ""


def attendee_lists(meeting):
    """The meeting's sign-ups as (confirmed, waiting in order, the others), in one query."""
    registrations = list(
        meeting.registrations.select_related("municipality").order_by("created_at", "pk")
    )
    confirmed = [r for r in registrations if r.status == Status.CONFIRMED]
    waiting = [r for r in registrations if r.status == Status.WAITING]
    others = [r for r in registrations if r.status in (Status.UNCONFIRMED, Status.CANCELLED)]
    return confirmed, waiting, others


class MeetingAdminView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "date"

    def dispatch(self, request, *args, **kwargs):
        if not access.can_organise(request.user):
            raise PermissionDenied
        self.meeting = get_object_or_404(Meeting, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.meeting.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("wagtailsnippets_meetings_meeting:list"), "label": _("Meetings")},
            {
                "url": reverse("wagtailsnippets_meetings_meeting:edit", args=[self.meeting.pk]),
                "label": self.meeting.title,
            },
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(meeting=self.meeting, **kwargs)


class AttendeesView(MeetingAdminView):
    """Who is coming, who waits, attendance on the day (a plain form, works without JS)."""

    template_name = "meetings/admin/attendees.html"
    page_title = _("Attendees")

    def get_header_buttons(self):
        return [
            HeaderButton(
                _("Export CSV"),
                url=reverse("meetings_admin:attendees_csv", args=[self.meeting.pk]),
                icon_name="download",
            ),
            *super().get_header_buttons(),
        ]

    def get_context_data(self, **kwargs):
        confirmed, waiting, others = attendee_lists(self.meeting)
        return super().get_context_data(
            confirmed=confirmed,
            waiting=waiting,
            others=others,
            seats_left=(
                None if self.meeting.seats is None else max(self.meeting.seats - len(confirmed), 0)
            ),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        listed = {int(pk) for pk in request.POST.getlist("listed") if pk.isdigit()}
        attended = {int(pk) for pk in request.POST.getlist("attended") if pk.isdigit()}
        for registration in self.meeting.registrations.filter(
            pk__in=listed, status=Status.CONFIRMED
        ):
            came = registration.pk in attended
            if registration.attended is not came:
                services.mark_attendance(registration, came, marked_by=request.user)
        messages.success(request, gettext("Attendance saved."))
        return redirect("meetings_admin:attendees", self.meeting.pk)


def csv_cell(value):
    """A text cell Excel will not take for a formula."""
    value = "" if value is None else str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def attendees_csv(request, pk):
    """Attendees and waiting list, semicolon-separated UTF-8 with BOM (Danish Excel)."""
    if not access.can_organise(request.user):
        raise PermissionDenied
    meeting = get_object_or_404(Meeting, pk=pk)
    confirmed, waiting, _others = attendee_lists(meeting)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"deltagere-{meeting.pk}-{slugify(meeting.title)[:50]}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            gettext("Status"),
            gettext("Place on the waiting list"),
            gettext("Name"),
            gettext("Email"),
            gettext("Organisation"),
            gettext("Municipality"),
            gettext("Signed up"),
            gettext("Attended"),
        ]
    )
    attended = {True: gettext("Yes"), False: gettext("No"), None: ""}
    rows = [(r, "") for r in confirmed] + [(r, n) for n, r in enumerate(waiting, start=1)]
    for registration, place in rows:
        writer.writerow(
            [
                csv_cell(value)
                for value in (
                    registration.get_status_display(),
                    place,
                    registration.name,
                    registration.email,
                    registration.organisation,
                    registration.municipality.name if registration.municipality else "",
                    local(registration.created_at),
                    attended[registration.attended],
                )
            ]
        )
    return response


class CancelMeetingView(MeetingAdminView):
    """Confirm, then cancel through the service, which emails everyone signed up."""

    template_name = "meetings/admin/cancel.html"
    page_title = _("Cancel meeting")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            notified=self.meeting.registrations.filter(
                status__in=[Status.CONFIRMED, Status.WAITING]
            ).count(),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if self.meeting.is_cancelled:
            messages.warning(request, gettext("The meeting was already cancelled."))
        elif self.meeting.is_past():
            messages.error(request, gettext("The meeting has already taken place."))
        else:
            services.cancel_meeting(self.meeting, cancelled_by=request.user)
            messages.success(
                request,
                gettext("The meeting is cancelled; everyone signed up has been emailed."),
            )
        return redirect("wagtailsnippets_meetings_meeting:edit", self.meeting.pk)


urlpatterns = [
    path("<int:pk>/deltagere/", AttendeesView.as_view(), name="attendees"),
    path("<int:pk>/deltagere.csv", attendees_csv, name="attendees_csv"),
    path("<int:pk>/aflys/", CancelMeetingView.as_view(), name="cancel"),
]
