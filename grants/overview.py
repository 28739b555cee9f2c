"""The grant cases' part of "Mit overblik" (network/overview.py).

A municipality's staff see what their municipality must hand in (status reports, final
reports and accounts due or returned) and what is new on its cases. The caseworkers
(agency editors) see the applications to assess and the reports and accounts to review;
the director sees the recommendations that wait for their approval. Who is who is asked
of ``grants.access``.
"""

from datetime import timedelta

from django.db.models import CharField, Count, F, OuterRef, Q, Subquery, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from grants import access
from grants.models import CaseEvent, CaseReading, DueItem, Recommendation
from network.models import Application
from network.overview import LIMIT, Contribution, Section, Shortcut

#: Events on a case older than this are history, not news, even if never read.
NEWS_DAYS = 90
#: A due item this close is "soon" (a warning badge).
SOON_DAYS = 30
OPEN = [DueItem.Status.DUE, DueItem.Status.RETURNED]


def municipality_due_items(municipality_id):
    """Reports and accounts the municipality must still hand in, on open cases, soonest first."""
    return (
        DueItem.objects.filter(
            case__application__municipality_id=municipality_id,
            case__closed_at__isnull=True,
            status__in=OPEN,
        )
        .select_related("case__application__pool")
        .order_by("due_on", "pk")
    )


def unread_case_events(person, now):
    """Recent events on the person's municipality's cases that others caused (a decision,
    a message, a review, a payment) and the person has not seen on the case's page."""
    last_read = CaseReading.objects.filter(case=OuterRef("case"), person=person).values("read_at")[
        :1
    ]
    return (
        CaseEvent.objects.filter(
            case__application__municipality_id=person.municipality_id,
            at__gte=now - timedelta(days=NEWS_DAYS),
        )
        .exclude(by__municipality_id=person.municipality_id)
        .annotate(read_at=Subquery(last_read))
        .filter(Q(read_at__isnull=True) | Q(at__gt=F("read_at")))
        .select_related("case__application__pool")
        .order_by("-at", "-pk")
    )


def _due_row(item, today):
    item.is_overdue = item.due_on < today
    item.is_soon = not item.is_overdue and item.due_on <= today + timedelta(days=SOON_DAYS)
    kind = "accounts" if item.kind == DueItem.Kind.ACCOUNTS else "report"
    item.url = reverse(f"grants:{kind}", args=[item.case_id, item.pk])
    return item


def municipality_part(person, now, contribution):
    today = timezone.localdate(now)
    rows = municipality_due_items(person.municipality_id)[: LIMIT + 1]
    contribution.sections.append(
        Section(
            key="due_items",
            title=_("Reports and accounts your municipality must hand in"),
            template="network/overview/_due_items.html",
            rows=[_due_row(item, today) for item in rows],
            order=10,
            more_url=reverse("grants:my_cases"),
            more_label=_("My grant cases"),
            empty_text=_("Your municipality has no reports or accounts to hand in."),
        )
    )
    rows = list(unread_case_events(person, now)[: LIMIT + 1])
    if rows:
        contribution.sections.append(
            Section(
                key="case_events",
                title=_("New on your municipality's grant cases"),
                template="network/overview/_case_events.html",
                rows=rows,
                order=15,
                more_url=reverse("grants:my_cases"),
                more_label=_("My grant cases"),
            )
        )
    contribution.shortcuts.append(
        Shortcut(_("My grant cases"), reverse("grants:my_cases"), order=10)
    )


#: The agency's queues, one row per pool: (section key, heading order, page to go to).
QUEUES = {
    "to_assess": (20, "network:assessment_list"),
    "to_approve": (21, "grants:decision_list"),
    "to_review": (25, "grants:overview"),
}


def _per_pool(queryset, key, pool_path):
    """``queryset`` counted per pool as (key, pool id, pool title, count) rows."""
    return (
        queryset.order_by()
        .values(pool_ref=F(pool_path))
        .annotate(
            key=Value(key, output_field=CharField()),
            title=F(f"{pool_path}__title"),
            count=Count("pk"),
        )
        .values_list("key", "pool_ref", "title", "count")
    )


def agency_queues(person):
    """What waits for the caseworkers and the director, counted per pool, in one query
    (the parts are few rows each: one per pool with something waiting):

    - to assess: submitted applications without a recommendation, or whose recommendation
      the director sent back (caseworkers);
    - to review: status reports, final reports and accounts handed in (caseworkers);
    - to approve: recommendations awaiting the director, except their own (the director).
    """
    parts = []
    if access.is_caseworker(person):
        to_assess = Application.objects.filter(status=Application.Status.SUBMITTED).filter(
            Q(recommendation__isnull=True)
            | Q(recommendation__status=Recommendation.Status.RETURNED)
        )
        parts.append(_per_pool(to_assess, "to_assess", "pool"))
        to_review = DueItem.objects.filter(status=DueItem.Status.SUBMITTED)
        parts.append(_per_pool(to_review, "to_review", "case__application__pool"))
    if access.is_director(person):
        to_approve = Recommendation.objects.filter(status=Recommendation.Status.PROPOSED).exclude(
            written_by=person
        )
        parts.append(_per_pool(to_approve, "to_approve", "application__pool"))
    if not parts:
        return {}
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    queues = {}
    for key, pool_id, title, count in rows:
        queues.setdefault(key, []).append({"pool_id": pool_id, "title": title, "count": count})
    return queues


def agency_part(person, now, contribution):
    queues = agency_queues(person)
    titles = {
        "to_assess": (_("Applications to assess"), _("No applications wait for an assessment.")),
        "to_review": (
            _("Reports and accounts to review"),
            _("No reports or accounts wait for a review."),
        ),
        "to_approve": (
            _("Recommendations awaiting your approval"),
            _("No recommendations wait for your approval."),
        ),
    }
    shown = ["to_assess", "to_review"] if access.is_caseworker(person) else []
    if access.is_director(person):
        shown.append("to_approve")
    for key in shown:
        order, url_name = QUEUES[key]
        rows = sorted(queues.get(key, []), key=lambda row: (-row["count"], row["title"]))
        for row in rows:
            row["url"] = reverse(url_name, args=[row["pool_id"]])
        title, empty_text = titles[key]
        contribution.sections.append(
            Section(
                key=key,
                title=title,
                template=f"network/overview/_{key}.html",
                rows=rows,
                order=order,
                more_url=reverse("grants:my_cases"),
                more_label=_("All pools with grant cases"),
                empty_text=empty_text,
            )
        )


def grants_part(person, now) -> Contribution:
    contribution = Contribution()
    if access.is_case_staff(person):
        agency_part(person, now, contribution)
        contribution.shortcuts.append(
            Shortcut(_("Grant cases"), reverse("grants:my_cases"), order=10)
        )
    elif person.municipality_id:
        municipality_part(person, now, contribution)
    return contribution
