"""Mit overblik (my overview): the start page of a person who logs in, and where a login lands.

The page gathers what waits for the person from the apps that know it: their meetings
(meetings), unread topics and mentions (knowledge), what their municipality must hand in
and what the agency must assess, approve and review (grants), posts reported to the
moderators (knowledge). ``network`` sits below those apps and never imports them
(DESIGN.md), so each of them registers a *provider* here from its ``AppConfig.ready``.

A provider takes the person and the time and returns the sections it has for them
(none for someone without the right role: it asks its own app's ``access`` module). Each
provider runs a fixed, small number of queries whatever the amount of data, and lists at
most ``LIMIT`` rows of a section, saying when there are more.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import CharField, DateTimeField, F, Value
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from network import access
from network.models import Application, Membership

#: Rows shown in one section; one more is read to know whether there are more.
LIMIT = 5

#: Where a section goes on the page: first what the person must do, then what is new.
TO_DO = "to_do"
NEWS = "news"


@dataclass
class Section:
    """One box of the overview: a heading, a few rows (shown by ``template``) and a link on.

    Given up to ``LIMIT + 1`` rows, it keeps ``LIMIT`` and says whether there were more.
    """

    key: str
    title: str
    template: str
    rows: list
    group: str = TO_DO
    order: int = 50
    more_url: str = ""
    more_label: str = ""
    empty_text: str = ""
    extra: dict = field(default_factory=dict)
    has_more: bool = field(init=False)

    def __post_init__(self):
        rows = list(self.rows)
        self.rows, self.has_more = rows[:LIMIT], len(rows) > LIMIT


@dataclass
class Shortcut:
    """A link to something the person's roles let them do."""

    label: str
    url: str
    order: int = 50


@dataclass
class Contribution:
    sections: list[Section] = field(default_factory=list)
    shortcuts: list[Shortcut] = field(default_factory=list)


Provider = Callable[..., Contribution]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add a provider (once, however often the app registry gets ready)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def providers() -> list[Provider]:
    return list(_providers)


def gather(person, now) -> Contribution:
    """Every provider's sections and shortcuts for the person, in page order."""
    gathered = Contribution()
    for provider in _providers:
        contribution = provider(person, now)
        gathered.sections.extend(contribution.sections)
        gathered.shortcuts.extend(contribution.shortcuts)
    gathered.sections.sort(key=lambda section: (section.order, section.key))
    gathered.shortcuts.sort(key=lambda shortcut: (shortcut.order, shortcut.label))
    return gathered


# --- Where a login lands --------------------------------------------------------------------


def landing_url(request, next_url):
    """Where to go after logging in: ``next`` when it is a safe page of this site, except
    the public front page (whose login link carries it along); else Mit overblik."""
    safe = next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if safe and urlsplit(next_url).path not in _front_pages():
        return next_url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _front_pages():
    """The public front page's addresses, and the login page (never a place to land)."""
    return {"", "/", reverse("network:login")}


# --- The network's own part -----------------------------------------------------------------


def _municipality_rows(person, now):
    """In one query: the municipality's drafts to open pools (what it must still submit)
    and the partnerships it is a member of (for the shortcuts), as dictionaries. Both are
    few: a draft per open pool, a membership per initiative."""
    columns = ["row", "pk", "title", "deadline", "slug", "municipality", "municipality_slug"]
    drafts = (
        Application.objects.filter(
            municipality_id=person.municipality_id,
            status=Application.Status.DRAFT,
            pool__deadline__gt=now,
        )
        .order_by()
        .annotate(
            row=Value("draft", output_field=CharField()),
            title=F("pool__title"),
            deadline=F("pool__deadline"),
            slug=Value("", output_field=CharField()),
            municipality_name=F("municipality__name"),
            municipality_slug=F("municipality__slug"),
        )
        .values_list(
            "row", "pk", "title", "deadline", "slug", "municipality_name", "municipality_slug"
        )
    )
    memberships = (
        Membership.objects.filter(
            municipality_id=person.municipality_id, status__in=access.NETWORK_STATUSES
        )
        .order_by()
        .annotate(
            row=Value("member", output_field=CharField()),
            title=F("initiative__title"),
            deadline=Value(None, output_field=DateTimeField()),
            slug=F("initiative__slug"),
            municipality_name=F("municipality__name"),
            municipality_slug=F("municipality__slug"),
        )
        .values_list(
            "row", "pk", "title", "deadline", "slug", "municipality_name", "municipality_slug"
        )
    )
    return [dict(zip(columns, row, strict=True)) for row in drafts.union(memberships, all=True)]


def network_part(person, now) -> Contribution:
    """The municipality's unsubmitted applications to open pools, and the shortcuts the
    person's roles give in the network (their municipality, its partnerships' progress,
    inviting, the editors' pages)."""
    contribution = Contribution()
    shortcuts = contribution.shortcuts
    shortcuts.append(Shortcut(_("My page"), reverse("network:my_page"), order=90))
    if person.municipality_id:
        rows = _municipality_rows(person, now)
        drafts = sorted(
            (row for row in rows if row["row"] == "draft"),
            key=lambda row: (row["deadline"], row["pk"]),
        )
        if drafts:
            contribution.sections.append(
                Section(
                    key="draft_applications",
                    title=_("Applications your municipality has not submitted"),
                    template="network/overview/_draft_applications.html",
                    rows=drafts,
                    order=10,
                    more_url=reverse("network:my_page") + "#applications-heading",
                    more_label=_("All your municipality's applications"),
                )
            )
        memberships = sorted(
            (row for row in rows if row["row"] == "member"), key=lambda row: row["title"]
        )
        for membership in memberships[:LIMIT]:
            shortcuts.append(
                Shortcut(
                    _("Progress in %(initiative)s") % {"initiative": membership["title"]},
                    reverse("network:progress_overview", args=[membership["slug"]]),
                    order=30,
                )
            )
        if memberships:
            shortcuts.append(
                Shortcut(
                    _("%(municipality)s Municipality's page")
                    % {"municipality": memberships[0]["municipality"]},
                    reverse("network:municipality", args=[memberships[0]["municipality_slug"]]),
                    order=31,
                )
            )
    if access.can_invite(person):
        shortcuts.append(Shortcut(_("Invite a person"), reverse("network:invite"), order=70))
    # The permissions are read once per request (the editors' bar of the page reads the same).
    if access.is_agency_staff(person) and person.has_perm("wagtailadmin.access_admin"):
        shortcuts.append(Shortcut(_("Editors' pages"), reverse("wagtailadmin_home"), order=80))
    return contribution
