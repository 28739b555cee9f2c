"""The meetings' pages under /moeder/: lists, a meeting's page, sign-ups, cancelling, calendars.

Who may see a meeting is asked of ``meetings.access``; every sign-up, confirmation and
cancellation goes through ``meetings.services``. The views only fetch (in a bounded
number of queries), ask, call and render. Links from emails (confirm, cancel) show a
page with a button on GET and act only on POST: mail scanners follow links.
"""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, OuterRef, Q, Subquery, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import conditional_page, require_http_methods, require_POST

from cms.cache import attach_rendered
from config.addresses import client_address
from config.limits import LimitReached, answer
from meetings import access, services
from meetings.calendar import meeting_calendar
from meetings.forms import PAST, GuestSignupForm, MeetingFilterForm
from meetings.models import CalendarFeed, Meeting, Registration

TEMPLATES = "meetings/"
#: Meetings per page in the lists.
PAGE_SIZE = 20
#: Past sign-ups per page of "Mine tilmeldinger" (the upcoming ones are all shown).
PAST_PAGE_SIZE = 20
#: The session key that remembers where a guest's confirmation email went.
GUEST_EMAIL_SESSION_KEY = "meetings_guest_email"

Status = Registration.Status


# --- Helpers -------------------------------------------------------------------------------


def _visible_meeting(request, pk):
    """The meeting if the person may see it, else None (the caller answers 404)."""
    meeting = (
        Meeting.objects.select_related("initiative", "organiser", "pool").filter(pk=pk).first()
    )
    if meeting is None or not access.can_view(request.user, meeting):
        return None
    return meeting


def _not_found(request):
    """404 for a meeting that does not exist or is not for this person: the same page for
    both, so a meeting's existence is not given away; it tells a guest how to log in."""
    return render(request, TEMPLATES + "not_found.html", status=404)


def _meeting_or_404(request, pk):
    meeting = _visible_meeting(request, pk)
    if meeting is None:
        raise Http404
    return meeting


def _waiting_at(meeting):
    """The waiting places at a meeting (its id, or an OuterRef to one)."""
    return Registration.objects.filter(meeting=meeting, status=Status.WAITING)


def waiting_position(registration):
    """The registration's number in the meeting's waiting list (1 is next in line)."""
    return (
        _waiting_at(registration.meeting_id)
        .filter(
            Q(created_at__lt=registration.created_at)
            | Q(created_at=registration.created_at, pk__lte=registration.pk)
        )
        .count()
    )


def with_waiting_positions(registrations):
    """Annotate each registration with its number in its meeting's waiting list, in one query."""
    ahead = (
        _waiting_at(OuterRef("meeting"))
        .filter(
            Q(created_at__lt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__lte=OuterRef("pk"))
        )
        .order_by()
        .values("meeting")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return registrations.annotate(
        waiting_position=Case(
            When(status=Status.WAITING, then=Subquery(ahead)), default=Value(None)
        )
    )


def _closed_reason(meeting):
    """Why sign-up is closed, in the person's language, or "" when it is open."""
    try:
        services.check_open_for_signup(meeting)
    except services.SignupRefused as refusal:
        return str(refusal)
    return ""


def _signed_up_message(registration):
    if registration.status == Status.CONFIRMED:
        return _(
            "You are signed up and your place is confirmed. We have emailed you a "
            "confirmation with a calendar file."
        )
    if registration.status == Status.WAITING:
        return _(
            "The meeting is full, so you are on the waiting list as number %(position)s. "
            "If a seat becomes free, it is yours and we email you."
        ) % {"position": waiting_position(registration)}
    return _("We have emailed you a link. Your place counts once you have clicked it.")


def _safe_next(request, default):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _calendar_response(meetings, filename, name=None):
    response = HttpResponse(
        meeting_calendar(meetings, name=name).to_ical(), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Lists and a meeting's page ------------------------------------------------------------


def _card_shows(meeting, now):
    """Everything a meeting's card shows, for its cache key (cms.cache.attach_rendered)."""
    return (
        meeting.pk,
        meeting.kind,
        meeting.title,
        meeting.cancelled_at,
        meeting.starts_at,
        meeting.ends_at,
        meeting.address,
        meeting.city,
        bool(meeting.online_url),
        meeting.initiative.title if meeting.initiative else None,
        meeting.seats_left,
        meeting.is_past(now),
        meeting.own_status,
    )


def meeting_list(request):
    """Upcoming or past meetings the person may see, filtered by type and initiative."""
    form = MeetingFilterForm(request.GET or None)
    period = form.period
    now = timezone.now()
    meetings = access.visible_meetings(request.user, Meeting.objects.all())
    meetings = form.filter(meetings)
    if period == PAST:
        meetings = meetings.filter(ends_at__lte=now).order_by("-starts_at", "-pk")
    else:
        meetings = meetings.filter(ends_at__gt=now).order_by("starts_at", "pk")
    page_obj = Paginator(meetings.select_related("initiative"), PAGE_SIZE).get_page(
        request.GET.get("side")
    )
    # Confirmed places of this page's meetings only: counting them for every meeting
    # before paginating would read all registrations.
    confirmed = dict(
        Registration.objects.filter(
            meeting__in=[meeting.pk for meeting in page_obj], status=Status.CONFIRMED
        )
        .order_by()
        .values_list("meeting")
        .annotate(count=Count("pk"))
    )
    own = {}
    if request.user.is_authenticated:
        own = dict(
            Registration.objects.filter(
                person=request.user,
                status__in=Registration.ACTIVE,
                meeting__in=[meeting.pk for meeting in page_obj],
            ).values_list("meeting_id", "status")
        )
    for meeting in page_obj:
        meeting.confirmed_count = confirmed.get(meeting.pk, 0)
        meeting.seats_left = (
            max(meeting.seats - meeting.confirmed_count, 0) if meeting.seats is not None else None
        )
        meeting.own_status = own.get(meeting.pk)
        meeting.own_status_label = Status(own[meeting.pk]).label if meeting.pk in own else ""
    attach_rendered(
        page_obj,
        template="meetings/_meeting_card.html",
        context=lambda meeting: {"meeting": meeting, "heading_level": 3},
        shown=lambda meeting: _card_shows(meeting, now),
    )
    context = {
        "form": form,
        "period": period,
        "page_obj": page_obj,
        "upcoming_query": form.query_string(tid="", side=""),
        "past_query": form.query_string(tid=PAST, side=""),
        "page_query": form.query_string(side=""),
    }
    return render(request, TEMPLATES + "meeting_list.html", context)


def meeting_detail(request, pk):
    meeting = _visible_meeting(request, pk)
    if meeting is None:
        return _not_found(request)
    counts = meeting.registrations.aggregate(
        confirmed=Count("pk", filter=Q(status=Status.CONFIRMED)),
        waiting=Count("pk", filter=Q(status=Status.WAITING)),
    )
    own = None
    own_position = None
    if request.user.is_authenticated:
        own = meeting.registrations.filter(
            person=request.user, status__in=Registration.ACTIVE
        ).first()
        if own is not None and own.status == Status.WAITING:
            own_position = waiting_position(own)
    seats_left = None
    if meeting.seats is not None:
        seats_left = max(meeting.seats - counts["confirmed"], 0)
    context = {
        "meeting": meeting,
        "confirmed_count": counts["confirmed"],
        "waiting_count": counts["waiting"],
        "seats_left": seats_left,
        "is_full": seats_left == 0,
        "own": own,
        "own_position": own_position,
        "closed_reason": _closed_reason(meeting),
        "is_past": meeting.is_past(),
        "is_public": meeting.audience == Meeting.Audience.PUBLIC,
        "documents": meeting.documents.select_related("document"),
        "action_items": meeting.action_items.select_related("owner"),
        "can_organise": access.can_organise(request.user),
    }
    return render(request, TEMPLATES + "meeting_detail.html", context)


# --- Signing up ----------------------------------------------------------------------------


@require_POST
def register(request, pk):
    """A member signs up with one click; the answer is shown on the meeting's page."""
    meeting_url = reverse("meetings:meeting", args=[pk])
    if not request.user.is_authenticated:
        return redirect_to_login(meeting_url)
    meeting = _meeting_or_404(request, pk)
    try:
        registration = services.register(meeting, request.user)
    except (services.SignupRefused, LimitReached) as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _signed_up_message(registration))
    return redirect(meeting_url)


@never_cache
@require_http_methods(["GET", "POST"])
def register_guest(request, pk):
    """A guest signs up for a public meeting with name, email and organisation."""
    meeting = _visible_meeting(request, pk)
    if meeting is None or meeting.audience != Meeting.Audience.PUBLIC:
        return _not_found(request)
    if request.GET.get("sendt"):
        return render(
            request,
            TEMPLATES + "guest_check_email.html",
            {"meeting": meeting, "email": request.session.get(GUEST_EMAIL_SESSION_KEY, "")},
        )
    closed_reason = _closed_reason(meeting)
    form = GuestSignupForm(request.POST or None)
    over_limit = None
    if request.method == "POST" and not closed_reason and form.is_valid():
        data = form.cleaned_data
        try:
            services.register_guest(
                meeting,
                name=data["name"],
                email=data["email"],
                organisation=data["organisation"],
                municipality=data["municipality"],
                address=client_address(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        except services.SignupRefused as refusal:
            form.add_error(None, str(refusal))
        except LimitReached as refusal:
            form.add_error(None, str(refusal))
            over_limit = refusal
        else:
            # The address as typed: the answer is the same whether it was signed up before.
            request.session[GUEST_EMAIL_SESSION_KEY] = data["email"].strip().lower()
            return redirect(reverse("meetings:register_guest", args=[meeting.pk]) + "?sendt=1")
    page = render(
        request,
        TEMPLATES + "guest_signup.html",
        {"meeting": meeting, "form": form, "closed_reason": closed_reason},
    )
    return answer(page, over_limit)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm_guest(request, token):
    """The link in a guest's email: GET shows a button, POST confirms the place."""
    registration = services.find_registration(token)
    if registration is None:
        return render(request, TEMPLATES + "link_gone.html", status=404)
    if request.method == "POST":
        try:
            registration = services.confirm_guest(token)
        except services.SignupRefused as refusal:
            messages.error(request, str(refusal))
        else:
            request.session.pop(GUEST_EMAIL_SESSION_KEY, None)
            messages.success(request, _signed_up_message(registration))
        return redirect("meetings:confirm_guest", token=token)
    return render(
        request,
        TEMPLATES + "guest_confirm.html",
        {
            "registration": registration,
            "meeting": registration.meeting,
            "closed_reason": _closed_reason(registration.meeting),
            "position": (
                waiting_position(registration) if registration.status == Status.WAITING else None
            ),
        },
    )


# --- Cancelling ----------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def cancel_by_link(request, token):
    """The cancel link in an email: GET shows what will be cancelled, POST cancels."""
    registration = services.find_registration(token)
    if registration is None:
        return render(request, TEMPLATES + "link_gone.html", status=404)
    if request.method == "POST":
        if registration.status != Status.CANCELLED:
            services.cancel(registration)
            messages.success(request, _("Your place has been cancelled. Thank you for telling us."))
        return redirect("meetings:cancel_by_link", token=token)
    return render(
        request,
        TEMPLATES + "cancel_by_link.html",
        {
            "registration": registration,
            "meeting": registration.meeting,
            "is_past": registration.meeting.is_past(),
        },
    )


@login_required
@require_POST
def cancel(request, pk):
    """Cancel a place by a button: its owner, or an organiser."""
    registration = get_object_or_404(Registration.objects.select_related("meeting"), pk=pk)
    try:
        services.cancel_by_person(registration, request.user)
    except PermissionDenied:
        raise Http404 from None
    messages.success(
        request,
        _("The place at “%(meeting)s” has been cancelled.") % {"meeting": registration.meeting},
    )
    return redirect(
        _safe_next(request, reverse("meetings:meeting", args=[registration.meeting_id]))
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_registrations(request):
    """A person's own sign-ups: their status, cancel, and delete (with the personal data)."""
    registrations = request.user.registrations.select_related("meeting")
    if request.method == "POST":
        pk = request.POST.get("slet", "")
        registration = get_object_or_404(registrations, pk=int(pk) if pk.isdigit() else 0)
        title = registration.meeting.title
        services.delete_own_registration(registration, request.user)
        messages.success(
            request, _("Your sign-up for “%(meeting)s” has been deleted.") % {"meeting": title}
        )
        return redirect("meetings:my_registrations")
    to_delete = None
    if request.GET.get("slet", "").isdigit():
        to_delete = registrations.filter(pk=request.GET["slet"]).first()
    now = timezone.now()
    upcoming = list(
        with_waiting_positions(registrations.filter(meeting__ends_at__gt=now)).order_by(
            "meeting__starts_at", "pk"
        )
    )
    for row in upcoming:
        row.is_active = row.status in Registration.ACTIVE
    past = Paginator(
        registrations.filter(meeting__ends_at__lte=now).order_by("-meeting__starts_at", "-pk"),
        PAST_PAGE_SIZE,
    ).get_page(request.GET.get("side"))
    context = {"upcoming": upcoming, "past": past, "to_delete": to_delete}
    return render(request, TEMPLATES + "my_registrations.html", context)


# --- Calendars -----------------------------------------------------------------------------


@conditional_page
def meeting_ics(request, pk):
    meeting = _meeting_or_404(request, pk)
    return _calendar_response([meeting], f"moede-{meeting.pk}.ics")


@cache_control(private=True, max_age=900)
@conditional_page
def calendar_feed(request, token):
    """A person's subscription feed; the token in the address is the secret, no login."""
    feed = CalendarFeed.objects.select_related("person").filter(token=token).first()
    if feed is None or not feed.person.is_active:
        raise Http404
    # A place at a meeting whose audience the person has since left shows no more.
    meetings = access.visible_meetings(feed.person, services.meetings_of(feed.person))
    meetings = meetings.order_by("starts_at", "pk")
    return _calendar_response(meetings, "moeder.ics", name=_("My meetings – Partnership platform"))


def _new_feed_token():
    return secrets.token_urlsafe(32)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def my_calendar(request):
    """Shows the person's private feed address; POST makes one, or a new one."""
    feed = CalendarFeed.objects.filter(person=request.user).first()
    if request.method == "POST":
        if feed is None:
            CalendarFeed.objects.create(person=request.user, token=_new_feed_token())
            messages.success(request, _("Your calendar address is ready."))
        else:
            feed.token = _new_feed_token()
            feed.save(update_fields=["token"])
            messages.success(
                request, _("You have a new calendar address. The old one no longer works.")
            )
        return redirect("meetings:my_calendar")
    feed_url = webcal_url = ""
    if feed is not None:
        feed_url = request.build_absolute_uri(reverse("meetings:calendar_feed", args=[feed.token]))
        webcal_url = "webcal://" + feed_url.split("://", 1)[1]
    return render(
        request,
        TEMPLATES + "my_calendar.html",
        {"feed": feed, "feed_url": feed_url, "webcal_url": webcal_url},
    )


urlpatterns = [
    path("", meeting_list, name="list"),
    path("<int:pk>/", meeting_detail, name="meeting"),
    path("<int:pk>/tilmeld/", register, name="register"),
    path("<int:pk>/tilmeld-gaest/", register_guest, name="register_guest"),
    path("<int:pk>/kalender.ics", meeting_ics, name="meeting_ics"),
    path("bekraeft/<str:token>/", confirm_guest, name="confirm_guest"),
    path("afmeld/<str:token>/", cancel_by_link, name="cancel_by_link"),
    path("tilmeldinger/<int:pk>/afmeld/", cancel, name="cancel"),
    path("mine-tilmeldinger/", my_registrations, name="my_registrations"),
    path("kalender/", my_calendar, name="my_calendar"),
    path("kalender/<str:token>.ics", calendar_feed, name="calendar_feed"),
]
