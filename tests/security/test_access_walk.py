"""Every URL pattern against every role, compared with DESIGN.md's permission table.

The walk collects every pattern of the URL resolver (through every include). ``ACCESS``
says, for each of our patterns, what each role gets for each kind of object it can be
called with; a pattern that neither ``ACCESS`` nor ``NOT_WALKED`` classifies fails
``test_every_pattern_has_an_access_decision``, so no view slips in without a decision.
Wagtail's admin (everything under admin/) is walked as a group.

Outcomes: a status code, or
  login     a redirect to the site's login page,
  redirect  a redirect elsewhere that is the documented answer (e.g. a logged-in person
            on the login page, a change refused with a message on the same page),
  allowed   the happy path of a change (checked only for not being refused or failing;
            the apps' own tests check what it does).
For a POST, every outcome but ``allowed`` must also leave the database as it was.

DESIGN.md: "A person without access gets 404 for a resource whose existence is itself
private, 403 otherwise". Private existence here: network and partner spaces, their topics,
posts and tags; network, partner and role meetings (with their calendar files and
materials); applications; another person's registrations; secret-link tokens.
"""

from collections import namedtuple

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils.regex_helper import normalize

from grants.models import CaseMessage, DueItem, Recommendation, ReportVersion
from knowledge.models import PostReport, Subscription, Topic
from meetings.models import CalendarFeed, Registration
from network import notices
from network.models import Application, Assessment, Invitation, StatusNote
from tests.security import world as build
from tests.security.world import ROLES

pytestmark = pytest.mark.django_db

# --- The table -----------------------------------------------------------------------------

LOGIN, REDIRECT, ALLOWED = "login", "redirect", "allowed"
#: Wagtail's own login form, where a login-restricted page sends anonymous visitors.
EVERYONE = (200,) * 6
LOGGED_IN = (LOGIN, 200, 200, 200, 200, 200)
EDITORS_ONLY = (LOGIN, 403, 403, 403, 200, 403)
# Forum: DESIGN.md's rows for public, network and partner spaces.
READ = {
    "public": EVERYONE,
    "network": (404, 404, 200, 200, 200, 200),
    "partners": (404, 404, 404, 200, 200, 200),
}
# Writing in a space one may read. DESIGN.md gives members "read, post" in network and
# partner spaces and only "read" in public ones; agency staff post everywhere (the editor
# has "all"/"edit"; for the moderator DESIGN.md's first row says "read", but moderating a
# public space needs what "moderate" gives in the others, so they may post there too).
POST = {
    "public": (LOGIN, 403, 403, 403, ALLOWED, ALLOWED),
    "network": (404, 404, ALLOWED, ALLOWED, ALLOWED, ALLOWED),
    "partners": (404, 404, 404, ALLOWED, ALLOWED, ALLOWED),
}
# Another's post: only its author edits it; its author and moderators (editors moderate
# too: "all") delete it. The posts are written by a third person, an agency editor.
EDIT_OTHERS = {
    "public": (LOGIN, 403, 403, 403, 403, 403),
    "network": (404, 404, 403, 403, 403, 403),
    "partners": (404, 404, 404, 403, 403, 403),
}
DELETE_OTHERS_GET = {
    "public": (LOGIN, 403, 403, 403, 200, 200),
    "network": (404, 404, 403, 403, 200, 200),
    "partners": (404, 404, 404, 403, 200, 200),
}
DELETE_OTHERS = {
    vis: tuple(ALLOWED if o == 200 else o for o in row) for vis, row in DELETE_OTHERS_GET.items()
}
REPORT = {
    "public": LOGGED_IN,
    "network": (404, 404, 200, 200, 200, 200),
    "partners": (404, 404, 404, 200, 200, 200),
}
# Meetings: public meetings for all; network and partner-only meetings for their members
# and agency staff; a meeting for given roles only for partner staff holding one (the
# partner here is a project leader, not invited to the kick-off).
MEETING = {
    "public": EVERYONE,
    "network": (404, 404, 200, 200, 200, 200),
    "partners": (404, 404, 404, 200, 200, 200),
    "roles": (404, 404, 404, 404, 200, 200),
}
# Grant cases: the municipality's staff and the agency's caseworkers; to everyone else the
# case does not exist.
CASE = (LOGIN, 404, 404, 200, 200, 404)
CASE_WRITE = (LOGIN, 404, 404, ALLOWED, ALLOWED, 404)
SIGN_UP = {
    "public": (LOGIN, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED),
    "network": (LOGIN, 404, ALLOWED, ALLOWED, ALLOWED, ALLOWED),
    "partners": (LOGIN, 404, 404, ALLOWED, ALLOWED, ALLOWED),
    "roles": (LOGIN, 404, 404, 404, ALLOWED, ALLOWED),
}

Row = namedtuple("Row", "name target method expected")
#: A target whose MitID Erhverv provider is configured but does not answer.
UNREACHABLE = "provider unreachable"


def rows(name, method, by_target):
    return [Row(name, target, method, expected) for target, expected in by_target.items()]


#   pattern name: {target: (anonymous, applicant, reference, partner, editor, moderator)}
ACCESS = [
    # --- config/urls.py, cms and Wagtail's page serving -------------------------------------
    *rows("search", "GET", {"-": EVERYONE}),
    *rows("set_language", "GET", {"-": (REDIRECT,) * 6}),
    *rows("set_language", "POST", {"-": (REDIRECT,) * 6}),
    *rows(
        "wagtaildocs_serve",
        "GET",
        {
            "pool material": EVERYONE,
            # A meeting's materials are the meeting's: for its audience only.
            "network meeting material": MEETING["network"],
            "partners meeting material": MEETING["partners"],
        },
    ),
    *rows("wagtaildocs_authenticate_with_password", "GET", {"unknown": (404,) * 6}),
    *rows(
        "wagtail_serve",
        "GET",
        {
            "published": EVERYONE,
            # Unpublished pages are previewed in the admin, never served.
            "draft": (404,) * 6,
            "private": (LOGIN, 200, 200, 200, 200, 200),
            "news rss": EVERYONE,
        },
    ),
    *rows("wagtailcore_authenticate_with_password", "GET", {"unknown": (404,) * 6}),
    *rows("wagtailcore_login", "GET", {"-": EVERYONE}),
    # --- network: accounts ---------------------------------------------------------------
    *rows("network:login", "GET", {"-": (200, *(REDIRECT,) * 5)}),
    *rows("network:logout", "GET", {"-": (405,) * 6}),
    *rows("network:logout", "POST", {"-": (REDIRECT,) * 6}),
    *rows("network:password_reset", "GET", {"-": EVERYONE}),
    *rows("network:password_reset_done", "GET", {"-": EVERYONE}),
    # A wrong token shows the "link no longer works" page.
    *rows("network:password_reset_confirm", "GET", {"wrong token": EVERYONE}),
    *rows("network:password_reset_complete", "GET", {"-": EVERYONE}),
    # The link's token is the secret: whoever holds it sees the form.
    *rows("network:accept_invitation", "GET", {"valid": EVERYONE, "unknown": (404,) * 6}),
    # MitID Erhverv: no pages without a provider (the embedded default); with one that
    # cannot be reached, the refusal page. The callback without this browser's state is
    # refused before the provider is asked, and logs nobody in or out.
    *rows("network:mitid_login", "GET", {"no provider": (404,) * 6, UNREACHABLE: (403,) * 6}),
    *rows("network:mitid_callback", "GET", {"no provider": (404,) * 6, UNREACHABLE: (403,) * 6}),
    *rows(
        "network:mitid_accept_invitation",
        "GET",
        {
            "valid": (404,) * 6,
            f"valid, {UNREACHABLE}": (403,) * 6,
            f"unknown, {UNREACHABLE}": (404,) * 6,
        },
    ),
    # The second factor's pages without a password waiting for a code: on to my page.
    *rows("network:second_factor_verify", "GET", {"-": (REDIRECT,) * 6}),
    *rows("network:second_factor_verify", "POST", {"-": (REDIRECT,) * 6}),
    *rows("network:second_factor_setup", "GET", {"-": (REDIRECT,) * 6}),
    *rows("network:second_factor_setup", "POST", {"-": (REDIRECT,) * 6}),
    *rows("network:second_factor_recovery_codes", "GET", {"-": (REDIRECT,) * 6}),
    *rows("network:my_page", "GET", {"-": LOGGED_IN}),
    # Mit overblik: for anyone logged in; what it lists is each person's own (tests/network).
    *rows("network:overview", "GET", {"-": LOGGED_IN}),
    *rows("network:overview", "POST", {"-": (LOGIN, *(405,) * 5)}),
    *rows("network:notice_choices", "GET", {"-": (LOGIN, *(405,) * 5)}),
    *rows("network:notice_choices", "POST", {"-": (LOGIN, *(ALLOWED,) * 5)}),
    # One-click unsubscribe: the signed link is the authority, for whoever holds it.
    *rows("network:unsubscribe", "GET", {"valid": EVERYONE, "unknown": (404,) * 6}),
    *rows("network:unsubscribe", "POST", {"valid": (ALLOWED,) * 6, "unknown": (404,) * 6}),
    *rows("network:invite", "GET", {"-": EDITORS_ONLY}),
    *rows("network:invite", "POST", {"-": (LOGIN, 403, 403, 403, ALLOWED, 403)}),
    # --- network: applications (DESIGN.md: own municipality's; editors assess, decide) ---
    *rows("network:apply", "GET", {"open pool": (405,) * 6}),
    # Any municipality's staff may apply to an open pool; agency staff have no municipality.
    *rows("network:apply", "POST", {"open pool": (LOGIN, ALLOWED, ALLOWED, ALLOWED, 403, 403)}),
    *rows(
        "network:application",
        "GET",
        {
            "Randers (submitted)": (LOGIN, 404, 404, 200, 200, 404),
            "Odense (draft)": (LOGIN, 200, 404, 404, 200, 404),
        },
    ),
    *rows(
        "network:application",
        "POST",
        {
            # Submitted: read-only to everyone, the change refused with a message.
            "Randers (submitted)": (LOGIN, 404, 404, REDIRECT, REDIRECT, 404),
            # A draft is its municipality's to write; the editor reads it but may not write.
            "Odense (draft)": (LOGIN, ALLOWED, 404, 404, 403, 404),
        },
    ),
    *rows("network:application_submit", "GET", {"Odense (draft)": (405,) * 6}),
    *rows(
        "network:application_submit",
        "POST",
        {
            "Randers (submitted)": (LOGIN, 404, 404, REDIRECT, REDIRECT, 404),
            "Odense (draft)": (LOGIN, ALLOWED, 404, 404, 403, 404),
        },
    ),
    # Case handling is refused before the pool or application is looked up, so a 403
    # tells nothing about existence.
    *rows("network:assessment_list", "GET", {"closed pool": EDITORS_ONLY}),
    *rows("network:assess", "GET", {"Randers (submitted)": EDITORS_ONLY}),
    *rows(
        "network:assess",
        "POST",
        {"Randers (submitted)": (LOGIN, 403, 403, 403, ALLOWED, 403)},
    ),
    # --- network: progress (DESIGN.md: progress overview for the network) ---------------
    *rows(
        "network:progress_overview",
        "GET",
        {"initiative": (LOGIN, 403, 200, 200, 200, 200), "unknown": (404,) * 6},
    ),
    # Reported by the partner's own project leader (or owner) and agency editors.
    *rows("network:report_progress", "GET", {"Randers": (LOGIN, 403, 403, 200, 200, 403)}),
    *rows(
        "network:report_progress",
        "POST",
        {"Randers": (LOGIN, 403, 403, ALLOWED, ALLOWED, 403)},
    ),
    # Memberships are public; people and progress on the page are checked in
    # tests/network/test_permission_matrix.py.
    *rows("network:municipality", "GET", {"Randers": EVERYONE, "unknown": (404,) * 6}),
    # --- meetings ------------------------------------------------------------------------
    *rows("meetings:list", "GET", {"-": EVERYONE}),
    *rows("meetings:meeting", "GET", {**MEETING, "unknown": (404,) * 6}),
    *rows("meetings:meeting_ics", "GET", MEETING),
    *rows("meetings:register", "GET", {"public": (405,) * 6}),
    *rows("meetings:register", "POST", SIGN_UP),
    # Guests sign up to public meetings only; other meetings are not found.
    *rows("meetings:register_guest", "GET", {"public": EVERYONE, "partners": (404,) * 6}),
    *rows("meetings:register_guest", "POST", {"partners": (404,) * 6}),
    # The emailed links: the token is the secret.
    *rows("meetings:confirm_guest", "GET", {"guest's token": EVERYONE, "unknown": (404,) * 6}),
    *rows("meetings:cancel_by_link", "GET", {"guest's token": EVERYONE, "unknown": (404,) * 6}),
    *rows("meetings:cancel_by_link", "POST", {"unknown": (404,) * 6}),
    *rows("meetings:cancel", "GET", {"partner's place": (LOGIN, *(405,) * 5)}),
    # A place is cancelled by its owner or an organiser; others do not learn it exists.
    *rows(
        "meetings:cancel",
        "POST",
        {"partner's place": (LOGIN, 404, 404, ALLOWED, ALLOWED, 404)},
    ),
    *rows("meetings:my_registrations", "GET", {"-": LOGGED_IN}),
    # Deleting someone else's sign-up (the guest's): not found for everyone.
    *rows("meetings:my_registrations", "POST", {"guest's place": (LOGIN, *(404,) * 5)}),
    *rows("meetings:my_calendar", "GET", {"-": LOGGED_IN}),
    *rows("meetings:my_calendar", "POST", {"-": (LOGIN, *(ALLOWED,) * 5)}),
    *rows("meetings:calendar_feed", "GET", {"partner's token": EVERYONE, "unknown": (404,) * 6}),
    # --- knowledge (the forum) -----------------------------------------------------------
    *rows("knowledge:spaces", "GET", {"-": EVERYONE}),
    *rows("knowledge:space", "GET", {**READ, "unknown": (404,) * 6}),
    *rows(
        "knowledge:new_topic",
        "GET",
        {
            "public": (LOGIN, 403, 403, 403, 200, 200),
            "network": READ["network"],
            "partners": READ["partners"],
        },
    ),
    *rows("knowledge:new_topic", "POST", POST),
    *rows(
        "knowledge:new_experience_report",
        "GET",
        {
            "public": (LOGIN, 403, 403, 403, 200, 200),
            "network": READ["network"],
            "partners": READ["partners"],
        },
    ),
    *rows("knowledge:new_experience_report", "POST", POST),
    *rows("knowledge:topic", "GET", {**READ, "unknown": (404,) * 6}),
    *rows("knowledge:topic", "POST", POST),
    *rows("knowledge:subscription", "GET", {"public": (405,) * 6}),
    *rows(
        "knowledge:subscription",
        "POST",
        {
            "public": (LOGIN, *(ALLOWED,) * 5),
            "network": (404, 404, ALLOWED, ALLOWED, ALLOWED, ALLOWED),
            "partners": (404, 404, 404, ALLOWED, ALLOWED, ALLOWED),
        },
    ),
    *rows("knowledge:edit_post", "GET", EDIT_OTHERS),
    *rows("knowledge:edit_post", "POST", EDIT_OTHERS),
    *rows("knowledge:post_history", "GET", READ),
    *rows("knowledge:delete_post", "GET", DELETE_OTHERS_GET),
    *rows("knowledge:delete_post", "POST", DELETE_OTHERS),
    *rows("knowledge:report_post", "GET", REPORT),
    *rows(
        "knowledge:report_post",
        "POST",
        {vis: tuple(ALLOWED if o == 200 else o for o in row) for vis, row in REPORT.items()},
    ),
    # A tag used only in spaces one may not read is not found.
    *rows("knowledge:tag", "GET", {**READ, "unknown": (404,) * 6}),
    *rows("knowledge:search", "GET", {"-": EVERYONE}),
    *rows("knowledge:notifications", "GET", {"-": LOGGED_IN}),
    *rows("knowledge:notifications", "POST", {"-": (LOGIN, *(ALLOWED,) * 5)}),
    # --- grants (DESIGN.md: a case is its municipality's; the agency handles it) --------
    # Agency staff with no municipality see the pools they handle; the moderator none.
    *rows("grants:my_cases", "GET", {"-": LOGGED_IN}),
    *rows("grants:case", "GET", {"Randers": CASE, "unknown": (LOGIN, *(404,) * 5)}),
    *rows("grants:case", "POST", {"Randers": CASE_WRITE}),
    *rows("grants:document", "GET", {"Randers": CASE}),
    *rows("grants:report", "GET", {"Randers": CASE}),
    # The municipality writes its report and accounts; the agency reviews them.
    *rows("grants:report", "POST", {"Randers": (LOGIN, 404, 404, ALLOWED, 403, 404)}),
    *rows("grants:accounts", "GET", {"Randers": CASE}),
    *rows("grants:accounts", "POST", {"Randers": (LOGIN, 404, 404, ALLOWED, 403, 404)}),
    *rows("grants:recommend", "GET", {"Randers (submitted)": EDITORS_ONLY}),
    *rows(
        "grants:recommend",
        "POST",
        {"Randers (submitted)": (LOGIN, 403, 403, 403, ALLOWED, 403)},
    ),
    *rows("grants:decision_list", "GET", {"closed pool": EDITORS_ONLY}),
    # Only the director approves (tests/grants has the director's column).
    *rows("grants:decision_list", "POST", {"closed pool": (LOGIN, *(403,) * 5)}),
    *rows("grants:overview", "GET", {"closed pool": EDITORS_ONLY}),
]

#: Patterns deliberately not walked, with the reason.
NOT_WALKED = {
    # Django's static() adds it only with DEBUG on, for development, and for images
    # only; production serves images from the proxy (see README.md) and documents
    # through wagtaildocs_serve.
    "media/images/(?P<path>.*)$": "development only, images",
}

# --- How each pattern is called with each target -------------------------------------------


def _url(name, *args):
    return reverse(name, args=args)


def url_for(world, name, target):
    """The URL of the pattern called with the target's object."""
    space = world.spaces.get(target)
    topic = world.topics.get(target)
    post = world.posts.get(target)
    meeting = getattr(world, "meetings", {}).get(target)
    application = world.applications.get(target)
    unknown = target == "unknown"
    builders = {
        "search": lambda: _url("search") + "?q=platformen",
        "knowledge:search": lambda: _url(name) + "?q=Emne",
        "set_language": lambda: _url("set_language") + "?next=/",
        "wagtaildocs_serve": lambda: world.documents[target].url,
        "wagtaildocs_authenticate_with_password": lambda: _url(name, 999_999),
        "wagtail_serve": lambda: (
            world.pages["news index"].url + "rss/"
            if target == "news rss"
            else world.pages[target].url
        ),
        "wagtailcore_authenticate_with_password": lambda: _url(name, 999_999, 999_999),
        "network:password_reset_confirm": lambda: _url(name, "MQ", "forkert-token"),
        "network:accept_invitation": lambda: _url(
            name, "ukendt-token" if unknown else world.invitation_token
        ),
        "network:mitid_accept_invitation": lambda: _url(
            name, "ukendt-token" if target.startswith("unknown") else world.invitation_token
        ),
        "network:unsubscribe": lambda: _url(
            name, "ukendt-token" if unknown else notices.unsubscribe_token("a@x.example", ["forum"])
        ),
        "network:apply": lambda: _url(name, world.pools["open"].pk),
        "network:application": lambda: _url(name, application.pk),
        "network:application_submit": lambda: _url(name, application.pk),
        "network:assessment_list": lambda: _url(name, world.pools["closed"].pk),
        "network:assess": lambda: _url(name, application.pk),
        "network:progress_overview": lambda: _url(
            name, "ukendt" if unknown else world.initiative.slug
        ),
        "network:report_progress": lambda: _url(name, world.initiative.slug, "randers"),
        "network:municipality": lambda: _url(name, "ukendt" if unknown else "randers"),
        "meetings:meeting": lambda: _url(name, 999_999 if unknown else meeting.pk),
        "meetings:meeting_ics": lambda: _url(name, meeting.pk),
        "meetings:register": lambda: _url(name, meeting.pk),
        "meetings:register_guest": lambda: _url(name, meeting.pk),
        "meetings:confirm_guest": lambda: _url(
            name, "ukendt-token" if unknown else world.guest_token
        ),
        "meetings:cancel_by_link": lambda: _url(
            name, "ukendt-token" if unknown else world.guest_token
        ),
        "meetings:cancel": lambda: _url(name, world.own_registration.pk),
        "meetings:calendar_feed": lambda: _url(name, "ukendt" if unknown else world.feed.token),
        "knowledge:space": lambda: _url(name, "ukendt" if unknown else space.slug),
        "knowledge:new_topic": lambda: _url(name, space.slug),
        "knowledge:new_experience_report": lambda: _url(name, space.slug),
        "knowledge:topic": lambda: _url(name, 999_999 if unknown else topic.pk),
        "knowledge:subscription": lambda: _url(name, topic.pk),
        "knowledge:edit_post": lambda: _url(name, post.pk),
        "knowledge:post_history": lambda: _url(name, post.pk),
        "knowledge:delete_post": lambda: _url(name, post.pk),
        "knowledge:report_post": lambda: _url(name, post.pk),
        "knowledge:tag": lambda: _url(name, "ukendt" if unknown else f"kun-{target}"),
        "grants:case": lambda: _url(name, 999_999 if unknown else world.grant_case.case.pk),
        "grants:document": lambda: _url(name, world.grant_case.case.pk, world.grant_case.letter.pk),
        "grants:report": lambda: _url(name, world.grant_case.case.pk, world.grant_case.report.pk),
        "grants:accounts": lambda: _url(
            name, world.grant_case.case.pk, world.grant_case.accounts.pk
        ),
        "grants:recommend": lambda: _url(name, application.pk),
        "grants:decision_list": lambda: _url(name, world.pools["closed"].pk),
        "grants:overview": lambda: _url(name, world.pools["closed"].pk),
    }
    return builders[name]() if name in builders else _url(name)


def post_data(world, name, target):
    """What a person would send; enough to change something if they were allowed to."""
    application = {
        "project_leader_name": "Ny projektleder",
        "budget-TOTAL_FORMS": "0",
        "budget-INITIAL_FORMS": "0",
    }
    return {
        "set_language": {"language": "en", "next": "/"},
        "network:notice_choices": {"forum": "daily", "meetings": "off", "grants": "immediately"},
        "network:invite": {
            "email": "ny@aarhus.example",
            "municipality": world.people["reference"].municipality_id,
        },
        "network:application": application,
        "network:application_submit": application,
        "network:assess": {"action": "decide", "decision": "partner", "decision_note": "Ja"},
        "network:report_progress": {"form": "note", "note-part": "1", "note-text": "Fremdrift"},
        "meetings:register_guest": {
            "name": "Gæst",
            "email": "gaest2@example.org",
            "organisation": "Borger",
        },
        "meetings:my_registrations": {"slet": str(world.guest_registration.pk)},
        "knowledge:new_topic": {"title": "Nyt emne", "text": "Et nyt emne.", "tags": ""},
        "knowledge:new_experience_report": {
            "title": "Ny erfaring",
            **dict.fromkeys(
                ["context", "what_we_did", "what_worked", "barriers", "results"], "Tekst"
            ),
        },
        "knowledge:topic": {"text": "Et nyt svar."},
        "knowledge:subscription": {"mode": "following"},
        "knowledge:edit_post": {"text": "Ændret svar."},
        "knowledge:report_post": {"reason": "Upassende"},
        "grants:case": {"action": "message", "text": "Et spørgsmål til sagen."},
        "grants:report": {"action": "save", "1": "Kortlægningen er i gang."},
        "grants:accounts": {"action": "save"},
        "grants:recommend": {"outcome": "reference", "reasons": "Begrundelse."},
        "grants:decision_list": {"action": "approve_all"},
    }.get(name, {})


def state(world):
    """What a refused change must leave as it was."""
    return {
        "applications": list(Application.objects.order_by("pk").values()),
        "assessments": Assessment.objects.count(),
        "invitations": Invitation.objects.count(),
        "notes": StatusNote.objects.count(),
        "registrations": list(Registration.objects.order_by("pk").values("pk", "status")),
        "feeds": list(CalendarFeed.objects.order_by("pk").values_list("token", flat=True)),
        "topics": Topic.objects.count(),
        "posts": [
            (p.pk, p.source, p.deleted_at)
            for topic in world.topics.values()
            for p in topic.posts.order_by("pk")
        ],
        "subscriptions": Subscription.objects.filter(mode="following").count(),
        "reports": PostReport.objects.count(),
        "case messages": CaseMessage.objects.count(),
        "report versions": ReportVersion.objects.count(),
        "due items": list(DueItem.objects.order_by("pk").values("pk", "status")),
        "recommendations": list(Recommendation.objects.order_by("pk").values()),
    }


# --- Walking the resolver ------------------------------------------------------------------

Pattern = namedtuple("Pattern", "route name parts")


def _join(route, more):
    return route + (more[1:] if more.startswith("^") else more)


def walk(patterns=None, route="", namespace="", parts=()):
    """Every URL pattern with its full route (as ResolverMatch.route has it) and name."""
    for item in get_resolver().url_patterns if patterns is None else patterns:
        here = _join(route, str(item.pattern))
        if isinstance(item, URLResolver):
            prefix = f"{namespace}{item.namespace}:" if item.namespace else namespace
            yield from walk(item.url_patterns, here, prefix, (*parts, item.pattern))
        elif isinstance(item, URLPattern):
            name = f"{namespace}{item.name}" if item.name else None
            yield Pattern(here, name, (*parts, item.pattern))


def key(pattern):
    return pattern.name or pattern.route


SAMPLES = ("1", "x", "00000000-0000-0000-0000-000000000001")


def sample_path(pattern):
    """A path that resolves to the pattern, with made-up arguments (for the admin walk)."""
    path = "/"
    for part in pattern.parts:
        template, params = normalize(part.regex.pattern)[0]
        for sample in SAMPLES:
            piece = template % dict.fromkeys(params, sample)
            match = part.regex.match(piece)
            if match and match.end() == len(piece):
                break
        path += piece
    return path


# --- Fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _media(settings, media_root):
    """The module's world keeps its documents in one folder for all its tests."""
    settings.MEDIA_ROOT = media_root
    settings.PRIVATE_MEDIA_ROOT = media_root / "private"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, media_root):
    """Built once for the module inside a transaction rolled back at its end; each test
    runs in its own savepoint, so a change made by one test is gone for the next."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media_root, PRIVATE_MEDIA_ROOT=media_root / "private"),
        transaction.atomic(),
    ):
        yield build.build()
        transaction.set_rollback(True)


def log_in(client, world, role):
    person = world.people[role]
    if person is not None:
        client.force_login(person)


def check(response, expected, where):
    status = response.status_code
    location = response.get("Location", "")
    login_url = reverse("network:login")
    page_login_url = reverse("wagtailcore_login")
    if expected == ALLOWED:
        assert status < 500 and status not in (401, 403, 404, 405), (where, status)
        assert not location.startswith((login_url, page_login_url)), (where, location)
    elif expected == LOGIN:
        assert status == 302 and location.startswith(login_url + "?next="), (where, status)
    elif expected == REDIRECT:
        assert status in (301, 302, 303), (where, status)
        assert not location.startswith((login_url, page_login_url)), (where, location)
    else:
        assert status == expected, (where, status, location)


#: Pages reached by a secret link: they show what the token's owner may see, to whoever
#: holds the token.
BY_TOKEN = {"meetings:calendar_feed", "meetings:confirm_guest", "meetings:cancel_by_link"}


def unreadable_titles(world, role):
    """What the table says the role may not read, as it would show on a page: the titles
    and posts of topics, the titles of meetings and the tasks agreed at them, and what is
    on a grant case."""
    column = ROLES.index(role)
    shown = []
    for vis, row in READ.items():
        if row[column] != 200:
            topic = world.topics[vis]
            shown += [topic.title, *topic.posts.values_list("source", flat=True)]
    for audience, row in MEETING.items():
        if row[column] != 200:
            shown += [world.meetings[audience].title, world.action_items[audience].text]
    if CASE[column] != 200:
        shown += ["Sagens besked", "Sagens hændelse", "Sagens brev"]
    return shown


def walk_cases():
    for row in ACCESS:
        for role, expected in zip(ROLES, row.expected, strict=True):
            case_id = f"{row.method} {row.name} [{row.target}] as {role}"
            yield pytest.param(row, role, expected, id=case_id)


# --- Tests ---------------------------------------------------------------------------------


def test_every_pattern_has_an_access_decision():
    """A new view without a row in ACCESS (or a reason in NOT_WALKED) fails here."""
    ours = {key(p) for p in walk() if not p.route.startswith("admin/")}
    classified = {row.name for row in ACCESS} | set(NOT_WALKED)
    assert sorted(ours - classified) == [], "URL patterns without an access decision"
    assert sorted(classified - ours) == [], "rows for URL patterns that no longer exist"


@pytest.mark.parametrize(("row", "role", "expected"), list(walk_cases()))
def test_access(client, world, settings, row, role, expected):
    if UNREACHABLE in row.target:
        settings.MITID = {
            **settings.MITID,
            "DISCOVERY_URL": "http://127.0.0.1:9/.well-known/openid-configuration",
            "CLIENT_ID": "walk",
        }
    url = url_for(world, row.name, row.target)
    assert resolve(url.split("?")[0]).view_name == row.name, url
    log_in(client, world, role)
    where = f"{row.method} {url} ({row.name} [{row.target}]) as {role}"
    if row.method == "GET":
        response = client.get(url)
        check(response, expected, where)
        if response.status_code == 200 and not response.streaming and row.name not in BY_TOKEN:
            page = response.content.decode()
            shown = [title for title in unreadable_titles(world, role) if title in page]
            assert shown == [], f"{where} shows what {role} may not see"
        return
    before = state(world)
    check(client.post(url, post_data(world, row.name, row.target)), expected, where)
    if expected != ALLOWED:
        assert state(world) == before, f"{where} changed something"


# --- Wagtail's admin, as a group -----------------------------------------------------------

ADMIN_PATTERNS = [p for p in walk() if p.route.startswith("admin/")]
#: Admin pages that are open to all: logging in, resetting a password, and the icons and
#: translations the login page needs.
ADMIN_OPEN = {
    "wagtailadmin_login",
    "wagtailadmin_password_reset",
    "wagtailadmin_password_reset_done",
    "wagtailadmin_password_reset_confirm",
    "wagtailadmin_password_reset_complete",
    "wagtailadmin_sprite",
    "wagtailadmin_javascript_catalog",
}


@pytest.mark.parametrize("role", ["anonymous", "applicant", "partner"])
def test_the_admin_is_closed_to_the_public_and_the_municipalities(client, world, role):
    """Every admin pattern (with made-up arguments: access is checked before the object is
    looked up) sends the person to the admin's login page, except the open few."""
    log_in(client, world, role)
    login_url = reverse("wagtailadmin_login")
    wrong = []
    for pattern in ADMIN_PATTERNS:
        path = sample_path(pattern)
        assert resolve(path).route == pattern.route, path
        response = client.get(path)
        if pattern.name in ADMIN_OPEN:
            answered_as_expected = response.status_code == 200
        else:
            answered_as_expected = response.status_code in (403, 404) or (
                response.status_code == 302 and response["Location"].startswith(login_url)
            )
        if not answered_as_expected:
            wrong.append(f"{pattern.name or pattern.route} ({path}): {response.status_code}")
    assert wrong == [], f"admin pages open to {role}"


@pytest.mark.parametrize("role", ["editor", "moderator"])
def test_agency_staff_reach_the_admin(client, world, role):
    log_in(client, world, role)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


@pytest.mark.parametrize(("role", "allowed"), [("editor", True), ("moderator", False)])
def test_only_editors_edit_pages_and_meetings(client, world, role, allowed):
    """DESIGN.md: published pages and public meetings are the editor's to edit; the
    moderator reads them."""
    log_in(client, world, role)
    urls = [
        reverse("wagtailadmin_pages:edit", args=[world.pages["published"].pk]),
        reverse("wagtailsnippets_meetings_meeting:edit", args=[world.meetings["public"].pk]),
    ]
    for url in urls:
        status = client.get(url).status_code
        assert (status == 200) == allowed, (url, status)
