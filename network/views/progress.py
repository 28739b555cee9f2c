"""Progress: the network's overview, a page per municipality, and a partner's report page.

Who sees what is asked of ``network.access``; every change goes through
``network.services``. The views only fetch (in a bounded number of queries), ask,
call and render.
"""

from dataclasses import dataclass, field
from datetime import date
from functools import partial

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Prefetch, prefetch_related_objects
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cms.cache import TIMEOUT
from cms.models import ProjectPart
from config.limits import LimitReached, answer
from network import access, services
from network.cache import progress_generation
from network.forms.progress import FORMS
from network.models import (
    Application,
    Initiative,
    Membership,
    MembershipEvent,
    Milestone,
    Municipality,
    PartProgress,
    RoleAssignment,
    StatusNote,
    User,
)

#: How many of the latest status notes the overview lists.
LATEST_NOTES = 20


# --- Progress per partner and part ---------------------------------------------------------


@dataclass
class Cell:
    """One partner's progress in one project part."""

    part: int
    label: str
    status: str = PartProgress.Status.NOT_STARTED
    status_label: str = ""
    started_on: date | None = None
    finished_on: date | None = None
    latest_note: date | None = None
    milestones: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def started(self):
        return self.started_on is not None


@dataclass
class PartnerProgress:
    """A partner municipality with its five parts."""

    membership: Membership
    cells: list[Cell]
    milestones: list
    can_report: bool = False

    @property
    def municipality(self):
        return self.membership.municipality


def progress_memberships(memberships_queryset, *, with_notes=False):
    """The memberships with their progress and milestones, in a fixed number of queries."""
    memberships = list(memberships_queryset.select_related("municipality"))
    return with_progress(memberships, with_notes=with_notes)


def with_progress(memberships, *, with_notes=False):
    """``memberships`` (a list) with their progress and milestones fetched, two queries."""
    prefetches = [
        Prefetch("progress", queryset=PartProgress.objects.order_by("part")),
        Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "pk")),
    ]
    if with_notes:
        prefetches.append(
            Prefetch(
                "status_notes",
                queryset=StatusNote.objects.select_related("author").order_by("-written_on", "-pk"),
            )
        )
    prefetch_related_objects(memberships, *prefetches)
    return memberships


def latest_note_dates(memberships):
    """{(membership id, part): date of the latest status note}, in one query."""
    rows = (
        StatusNote.objects.filter(membership__in=[m.pk for m in memberships])
        .order_by()
        .values_list("membership_id", "part")
        .annotate(latest=Max("written_on"))
    )
    return {(membership_id, part): latest for membership_id, part, latest in rows}


def partner_progress(membership, latest_notes=None, *, with_notes=False):
    progress = {item.part: item for item in membership.progress.all()}
    milestones = list(membership.milestones.all())
    notes = list(membership.status_notes.all()) if with_notes else []
    cells = []
    for part in ProjectPart:
        item = progress.get(part.value)
        status = item.status if item else PartProgress.Status.NOT_STARTED
        cells.append(
            Cell(
                part=part.value,
                label=part.label,
                status=status,
                status_label=PartProgress.Status(status).label,
                started_on=item.started_on if item else None,
                finished_on=item.finished_on if item else None,
                latest_note=(latest_notes or {}).get((membership.pk, part.value)),
                milestones=[m for m in milestones if m.part == part.value],
                notes=[note for note in notes if note.part == part.value],
            )
        )
    return PartnerProgress(membership=membership, cells=cells, milestones=milestones)


# --- The timeline chart, drawn on the server as SVG ----------------------------------------

CHART_WIDTH = 960
LABEL_WIDTH = 210
RIGHT_MARGIN = 20
AXIS_HEIGHT = 44
LANE_HEIGHT = 18
BAR_HEIGHT = 12
GROUP_GAP = 16
MARKER_SIZE = 6


@dataclass
class Tick:
    x: float
    label: str
    major: bool


@dataclass
class Bar:
    x: float
    width: float
    status: str
    title: str


@dataclass
class Marker:
    x: float
    points: str
    reached: bool
    title: str


@dataclass
class Lane:
    part: int
    y: float
    label: str
    bar: Bar | None
    markers: list

    @property
    def centre(self):
        return self.y + LANE_HEIGHT / 2

    @property
    def bar_y(self):
        return self.y + (LANE_HEIGHT - BAR_HEIGHT) / 2

    @property
    def text_y(self):
        return self.y + LANE_HEIGHT - 4


@dataclass
class Group:
    y: float
    name: str
    slug: str
    lanes: list[Lane]

    @property
    def text_y(self):
        return self.y + LANE_HEIGHT - 3


@dataclass
class Timeline:
    start: date
    end: date
    width: int
    height: int
    plot_left: int
    plot_right: int
    ticks: list[Tick]
    groups: list[Group]
    today_x: float | None
    bar_height: int = BAR_HEIGHT


def short_date(value):
    return date_format(value, "SHORT_DATE_FORMAT")


def month_starts(start, end):
    current = date(start.year, start.month, 1)
    if current < start:
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    while current <= end:
        yield current
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)


def build_timeline(initiative, partners, today=None):
    """Geometry for the chart: a group of five lanes per partner, a bar from the day a
    part started to the day it finished (or today), a diamond per milestone."""
    today = today or timezone.localdate()
    start, end = initiative.project_period_start, initiative.project_period_end
    if end <= start:
        end = date(start.year + 1, start.month, start.day)
    plot_left, plot_right = LABEL_WIDTH, CHART_WIDTH - RIGHT_MARGIN
    days = (end - start).days

    def x(day):
        day = min(max(day, start), end)
        return round(plot_left + (day - start).days / days * (plot_right - plot_left), 1)

    ticks = []
    for month in month_starts(start, end):
        if month.month == 1 or month == start:
            ticks.append(Tick(x(month), str(month.year), True))
        elif month.month in (4, 7, 10):
            ticks.append(
                Tick(x(month), _("Q%(quarter)s") % {"quarter": (month.month + 2) // 3}, False)
            )

    groups = []
    y = AXIS_HEIGHT
    for partner in partners:
        name = partner.municipality.name
        lanes = []
        for index, cell in enumerate(partner.cells):
            lane_y = y + index * LANE_HEIGHT
            centre = lane_y + LANE_HEIGHT / 2
            bar = None
            if cell.started_on:
                until = cell.finished_on or today
                bar_x = x(cell.started_on)
                until_text = short_date(cell.finished_on) if cell.finished_on else _("today")
                bar = Bar(
                    x=bar_x,
                    width=max(x(until) - bar_x, 3),
                    status=cell.status,
                    title=f"{name}, {cell.label}: {cell.status_label}, "
                    f"{short_date(cell.started_on)}–{until_text}",
                )
            markers = []
            for milestone in cell.milestones:
                if not start <= milestone.due_on <= end:
                    continue
                mx = x(milestone.due_on)
                s = MARKER_SIZE
                state = (
                    _("reached %(date)s") % {"date": short_date(milestone.reached_on)}
                    if milestone.reached_on
                    else _("not reached yet")
                )
                markers.append(
                    Marker(
                        x=mx,
                        points=f"{mx},{centre - s} {mx + s},{centre} {mx},{centre + s} "
                        f"{mx - s},{centre}",
                        reached=milestone.reached_on is not None,
                        title=f"{name}, {cell.label}: {milestone.title}, "
                        f"{short_date(milestone.due_on)} ({state})",
                    )
                )
            lanes.append(
                Lane(
                    part=cell.part,
                    y=lane_y,
                    label=_("Part %(number)s") % {"number": cell.part},
                    bar=bar,
                    markers=markers,
                )
            )
        groups.append(Group(y=y, name=name, slug=partner.municipality.slug, lanes=lanes))
        y += len(ProjectPart) * LANE_HEIGHT + GROUP_GAP
    return Timeline(
        start=start,
        end=end,
        width=CHART_WIDTH,
        height=max(y, AXIS_HEIGHT + GROUP_GAP),
        plot_left=plot_left,
        plot_right=plot_right,
        ticks=ticks,
        groups=groups,
        today_x=x(today) if start <= today <= end else None,
    )


# --- Views ---------------------------------------------------------------------------------


def _login_required(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


def progress_overview(request, initiative_slug):
    """All partners side by side per project part, a timeline, and the latest notes.

    The three parts are kept in the cache until progress changes (network/cache.py), the
    status table once for each combination of the rows the reader may report on. The
    progress itself is read only when one of them has gone stale.
    """
    initiative = get_object_or_404(Initiative, slug=initiative_slug)
    if response := _login_required(request):
        return response
    if not access.can_view_progress(request.user, initiative):
        raise PermissionDenied
    memberships = cache.get_or_set(
        f"network:progress:partners:{initiative.pk}:{progress_generation()}",
        lambda: list(initiative.partners()),
        TIMEOUT,
    )
    reports = "".join(
        "1" if access.can_report_progress(request.user, membership) else "0"
        for membership in memberships
    )
    notes = (
        StatusNote.objects.filter(membership__initiative=initiative)
        .select_related("membership__municipality", "author")
        .order_by("-written_on", "-pk")[:LATEST_NOTES]
    )
    partners = SimpleLazyObject(partial(overview_progress, memberships, request.user))
    return render(
        request,
        "network/progress/overview.html",
        {
            "initiative": initiative,
            "parts": ProjectPart,
            "has_partners": bool(memberships),
            "reports": reports,
            "partners": partners,
            "timeline": SimpleLazyObject(partial(build_timeline, initiative, partners)),
            "notes": notes,
            "today": timezone.localdate(),
        },
    )


def overview_progress(memberships, user):
    """The partners' progress, with whether ``user`` may report it (the overview's rows)."""
    with_progress(memberships)
    latest = latest_note_dates(memberships)
    partners = []
    for membership in memberships:
        partner = partner_progress(membership, latest)
        partner.can_report = access.can_report_progress(user, membership)
        partners.append(partner)
    return partners


@dataclass
class MembershipView:
    """A membership as the municipality page shows it to this visitor."""

    membership: Membership
    events: list
    progress: PartnerProgress | None = None
    can_view_progress: bool = False
    can_report: bool = False


def municipality(request, slug):
    """A municipality: its memberships for all; people, progress and activity by access."""
    municipality = get_object_or_404(Municipality, slug=slug)
    user = request.user
    applications = list(
        Application.objects.filter(municipality=municipality).select_related("pool")
    )
    visible_applications = [a for a in applications if access.can_view_application(user, a)]
    decisions_visible = {a.pool_id for a in visible_applications}

    memberships = progress_memberships(
        municipality.memberships.select_related("initiative").prefetch_related(
            Prefetch("events", queryset=MembershipEvent.objects.order_by("date", "pk"))
        ),
        with_notes=True,
    )
    rows = []
    for membership in memberships:
        # Not being selected is part of an application's decision: only those who may see
        # the municipality's application for the pool see it.
        may_see_decision = membership.initiative.pool_id in decisions_visible
        if membership.status == Membership.Status.REJECTED and not may_see_decision:
            continue
        events = [
            event
            for event in membership.events.all()
            if event.status != Membership.Status.REJECTED or may_see_decision
        ]
        row = MembershipView(membership=membership, events=events)
        row.can_view_progress = access.can_view_progress(user, membership.initiative)
        has_progress = membership.status == Membership.Status.PARTNER or membership.progress.all()
        if row.can_view_progress and has_progress:
            row.progress = partner_progress(membership, with_notes=True)
            row.can_report = (
                membership.status == Membership.Status.PARTNER
                and access.can_report_progress(user, membership)
            )
        rows.append(row)

    can_view_people = access.can_view_people(user, municipality)
    people = []
    if can_view_people:
        people = list(
            User.objects.filter(municipality=municipality, is_active=True)
            .prefetch_related(Prefetch("role_assignments", queryset=RoleAssignment.objects.all()))
            .order_by("first_name", "last_name")
        )
    notes = sorted(
        (note for row in rows if row.progress for note in row.membership.status_notes.all()),
        key=lambda note: (note.written_on, note.pk),
        reverse=True,
    )[:10]
    return render(
        request,
        "network/progress/municipality.html",
        {
            "municipality": municipality,
            "memberships": rows,
            "can_view_people": can_view_people,
            "people": people,
            "applications": visible_applications,
            "notes": notes,
        },
    )


def _handle(name, form, membership, user):
    """Call the service for a valid form; returns the success message."""
    data = form.cleaned_data
    if name == "status":
        current = {item.part: item.status for item in membership.progress.all()}
        changed = {
            part: status
            for part, status in form.statuses().items()
            if status != current.get(part, PartProgress.Status.NOT_STARTED)
        }
        with transaction.atomic():
            for part, status in changed.items():
                services.set_part_status(membership, part, status, by=user, on=data["on"])
        if not changed:
            return _("No status was changed.")
        return _("The status of the project parts was saved.")
    if name == "milestone":
        services.add_milestone(
            membership, data["part"], title=data["title"], due_on=data["due_on"], by=user
        )
        return _("The milestone was added.")
    if name == "reached":
        services.mark_milestone_reached(data["milestone"], on=data["reached_on"], by=user)
        return _("The milestone was marked as reached.")
    services.add_status_note(
        membership, data["part"], data["text"], by=user, written_on=data["written_on"]
    )
    return _("The status note was saved.")


def _form(name, membership, progress, data=None):
    form_class = FORMS[name]
    kwargs = {}
    if name == "status":
        kwargs["progress"] = progress
    if name == "reached":
        kwargs["membership"] = membership
    return form_class(data, **kwargs)


@require_http_methods(["GET", "POST"])
def report_progress(request, initiative_slug, municipality_slug):
    """The partner's project leader (or an agency editor) reports progress in the parts."""
    membership = get_object_or_404(
        Membership.objects.select_related("initiative", "municipality"),
        initiative__slug=initiative_slug,
        municipality__slug=municipality_slug,
        status=Membership.Status.PARTNER,
    )
    if response := _login_required(request):
        return response
    if not access.can_report_progress(request.user, membership):
        raise PermissionDenied
    progress = list(membership.progress.order_by("part"))
    forms = {}
    over_limit = None
    if request.method == "POST":
        name = request.POST.get("form")
        if name not in FORMS:
            return HttpResponseBadRequest()
        form = _form(name, membership, progress, request.POST)
        if form.is_valid():
            try:
                message = _handle(name, form, membership, request.user)
            except ValidationError as error:
                form.add_service_errors(error)
            except LimitReached as refusal:
                form.add_error(None, str(refusal))
                over_limit = refusal
            else:
                messages.success(request, message)
                return redirect(request.path)
        forms[name] = form
    for name in FORMS:
        forms.setdefault(name, _form(name, membership, progress))

    partner = partner_progress(
        progress_memberships(Membership.objects.filter(pk=membership.pk), with_notes=True)[0]
    )
    page = render(
        request,
        "network/progress/report.html",
        {
            "membership": membership,
            "initiative": membership.initiative,
            "municipality": membership.municipality,
            "partner": partner,
            "forms": forms,
            "status_rows": list(zip(partner.cells, forms["status"].part_fields(), strict=True)),
            "notes": partner.membership.status_notes.all(),
        },
    )
    return answer(page, over_limit)


urlpatterns = [
    path(
        "initiativer/<slug:initiative_slug>/fremdrift/",
        progress_overview,
        name="progress_overview",
    ),
    path(
        "initiativer/<slug:initiative_slug>/fremdrift/<slug:municipality_slug>/",
        report_progress,
        name="report_progress",
    ),
    path("kommuner/<slug:slug>/", municipality, name="municipality"),
]
