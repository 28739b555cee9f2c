"""Accounts: logging in and out, password reset, accepting an invitation, my page, inviting.

Permissions come from ``network.access`` and the rules from ``network.services``;
these views only show forms and pages and pass on what the person typed.
"""

from axes.utils import reset as reset_login_failures
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from config.limits import LimitReached, answer
from network import access, mitid, notices, overview, services
from network.forms.accounts import (
    AcceptInvitationForm,
    EmailAuthenticationForm,
    EmailPasswordResetForm,
    InviteForm,
    NoticeChoicesForm,
)
from network.models import Application, Invitation, Membership, Role, StatusNote

TEMPLATES = "network/accounts/"
#: How many of the latest invitations the invite page lists.
RECENT_INVITATIONS = 25
#: How many upcoming and how many past meetings my page lists (the rest: "Mine tilmeldinger").
MY_PAGE_MEETINGS = 5
#: meetings.Registration.ACTIVE, by value (network does not import meetings).
ACTIVE_REGISTRATION_STATUSES = ["unconfirmed", "confirmed", "waiting"]


class LoginView(auth_views.LoginView):
    """The password form and, when a provider is configured, "Log in with MitID Erhverv".

    Agency staff who need a second factor are asked for it after the password by
    ``network.second_factor.SecondFactorMiddleware``.
    """

    template_name = TEMPLATES + "login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(mitid_configured=mitid.is_configured(), **kwargs)

    def get_success_url(self):
        """A safe ``next``, but from the public front page Mit overblik (network/overview.py)."""
        return overview.landing_url(self.request, self.get_redirect_url())


class LogoutView(auth_views.LogoutView):
    """Logging out is a POST (a button in the header); afterwards the home page.

    After a login with MitID Erhverv the session at the provider ends too, when the
    provider offers that (RP-initiated logout); it sends the person back to the home page.
    """

    next_page = "/"

    def post(self, request, *args, **kwargs):
        id_token = request.session.get(mitid.ID_TOKEN_SESSION_KEY)
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("You are logged out."))
        if id_token and mitid.is_configured():
            at_provider = mitid.logout_url(request, id_token, request.build_absolute_uri("/"))
            if at_provider:
                return redirect(at_provider)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = TEMPLATES + "password_reset_form.html"
    form_class = EmailPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("network:password_reset_done")

    @property
    def extra_email_context(self):
        # Links in emails use the site's configured address, not the request's Host header.
        return {"base_url": settings.WAGTAILADMIN_BASE_URL}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = TEMPLATES + "password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = TEMPLATES + "password_reset_confirm.html"
    success_url = reverse_lazy("network:password_reset_complete")

    def form_valid(self, form):
        # The emailed link proves the mailbox is theirs: lift a login pause on the account.
        reset_login_failures(username=self.user.email)
        return super().form_valid(form)


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = TEMPLATES + "password_reset_complete.html"


def _invitation_gone(request):
    """The page for a link that is unknown, used or expired: 404, with what to do next."""
    return render(request, TEMPLATES + "invitation_gone.html", status=404)


@sensitive_post_parameters("password1", "password2")
@never_cache
@require_http_methods(["GET", "POST"])
def accept_invitation(request, token):
    invitation = services.find_invitation(token)
    if invitation is None:
        return _invitation_gone(request)
    password_allowed = mitid.password_login_allowed(invitation)
    if request.method == "POST" and not password_allowed:
        return redirect("network:mitid_accept_invitation", token)
    if request.method == "POST":
        form = AcceptInvitationForm(request.POST)
        if form.is_valid():
            try:
                person = services.accept_invitation(
                    token,
                    password=form.cleaned_data["password1"],
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                )
            except services.ApplicationError:
                # Used or expired between showing the form and sending it.
                return _invitation_gone(request)
            except ValidationError as error:
                taken = getattr(error, "code", None) == "email_taken"
                form.add_error(None if taken else "password1", error)
            else:
                login(request, person, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(
                    request,
                    _("Welcome, %(name)s. Your login is ready and you are logged in.")
                    % {"name": person.get_full_name() or person.email},
                )
                return redirect("network:overview")
    else:
        form = AcceptInvitationForm(
            initial={"first_name": invitation.first_name, "last_name": invitation.last_name}
        )
    return render(
        request,
        TEMPLATES + "accept_invitation.html",
        {
            "form": form,
            "invitation": invitation,
            "roles": _role_labels(invitation.roles),
            "mitid_configured": mitid.is_configured() and invitation.municipality_id,
            "password_allowed": password_allowed,
        },
    )


def _role_labels(roles):
    return [Role(role).label for role in roles if role in Role.values]


@login_required
def my_page(request):
    person = request.user
    memberships = []
    applications = []
    if person.municipality_id:
        memberships = (
            Membership.objects.filter(municipality_id=person.municipality_id)
            .select_related("initiative")
            .order_by("-initiative__project_period_start")
        )
        applications = [
            application
            for application in Application.objects.filter(municipality_id=person.municipality_id)
            .select_related("pool")
            .order_by("-created_at")
            if access.can_view_application(person, application)
        ]
    status_notes = StatusNote.objects.filter(author=person).select_related(
        "membership__municipality", "membership__initiative"
    )[:20]
    # Meetings through the reverse relation (network sits below meetings): the next few
    # places, and the latest past meetings with what happened there.
    now = timezone.now()
    registrations = person.registrations.select_related("meeting")
    upcoming_registrations = registrations.filter(
        meeting__ends_at__gt=now, status__in=ACTIVE_REGISTRATION_STATUSES
    ).order_by("meeting__starts_at", "pk")[:MY_PAGE_MEETINGS]
    past_registrations = registrations.filter(meeting__ends_at__lte=now).order_by(
        "-meeting__starts_at", "-pk"
    )[:MY_PAGE_MEETINGS]
    context = {
        "person": person,
        "upcoming_registrations": upcoming_registrations,
        "past_registrations": past_registrations,
        "roles": person.role_assignments.order_by("role"),
        "memberships": memberships,
        "applications": applications,
        "status_notes": status_notes,
        "can_invite": access.can_invite(person),
        "handles_grant_cases": access.is_agency_editor(person) or access.can_decide(person),
        "notice_form": NoticeChoicesForm(initial_choices=notices.deliveries_for(person.email)),
    }
    return render(request, TEMPLATES + "my_page.html", context)


@login_required
@require_http_methods(["POST"])
def notice_choices(request):
    """My page's choice, per kind of notice, between each at once, a daily digest and none."""
    person = request.user
    form = NoticeChoicesForm(request.POST, initial_choices=notices.deliveries_for(person.email))
    if form.is_valid():
        for kind, delivery in form.cleaned_data.items():
            notices.set_delivery(person.email, kind, delivery)
        messages.success(request, _("Your choices for email notices are saved."))
    else:
        messages.error(request, _("Choose how you want each kind of notice."))
    return redirect(reverse("network:my_page") + "#notices-heading")


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """One-click unsubscribe from a notice email, without a login (RFC 8058).

    The signed token is the authority, so the mail client's POST needs no CSRF token. A
    GET only shows the button: link checkers that open every link turn nothing off.
    """
    found = notices.read_unsubscribe_token(token)
    if found is None:
        return render(request, TEMPLATES + "unsubscribe.html", {"invalid": True}, status=404)
    address, kinds = found
    done = False
    if request.method == "POST":
        notices.unsubscribe(token)
        done = True
    labels = [notices.NoticeKind(kind).label for kind in kinds]
    context = {"address": address, "labels": labels, "done": done}
    return render(request, TEMPLATES + "unsubscribe.html", context)


def _invitation_status(invitation, now):
    if invitation.accepted_at:
        return "used", gettext_lazy("Used")
    if not invitation.is_usable(now):
        return "expired", gettext_lazy("Expired")
    return "open", gettext_lazy("Open")


@login_required
@require_http_methods(["GET", "POST"])
def invite(request):
    if not access.can_invite(request.user):
        raise PermissionDenied
    over_limit = None
    if request.method == "POST":
        form = InviteForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                invitation, _token = services.invite(
                    data["email"],
                    invited_by=request.user,
                    municipality=data["municipality"],
                    is_agency_staff=data["is_agency_staff"],
                    roles=data["roles"],
                    first_name=data["first_name"].strip(),
                    last_name=data["last_name"].strip(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            except LimitReached as refusal:
                form.add_error(None, str(refusal))
                over_limit = refusal
            else:
                messages.success(
                    request,
                    _("The invitation has been sent to %(email)s.") % {"email": invitation.email},
                )
                return redirect("network:invite")
    else:
        form = InviteForm()
    now = timezone.now()
    invitations = [
        {
            "invitation": invitation,
            "status": _invitation_status(invitation, now),
            "roles": _role_labels(invitation.roles),
        }
        for invitation in Invitation.objects.select_related("municipality", "invited_by")[
            :RECENT_INVITATIONS
        ]
    ]
    page = render(request, TEMPLATES + "invite.html", {"form": form, "invitations": invitations})
    return answer(page, over_limit)


RESET = "konto/nulstil-adgangskode/"

urlpatterns = [
    path("konto/log-ind/", LoginView.as_view(), name="login"),
    path("konto/log-ud/", LogoutView.as_view(), name="logout"),
    path(RESET, PasswordResetView.as_view(), name="password_reset"),
    path(RESET + "sendt/", PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        RESET + "<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(RESET + "faerdig/", PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("invitation/<str:token>/", accept_invitation, name="accept_invitation"),
    path("min-side/", my_page, name="my_page"),
    path("min-side/mails/", notice_choices, name="notice_choices"),
    path("afmeld-mails/<str:token>/", unsubscribe, name="unsubscribe"),
    path("inviter/", invite, name="invite"),
]
