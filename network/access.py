"""Who may do what: the one place that turns roles into permissions (DESIGN.md).

Views, forms, services, templates and (later) WebSocket consumers ask these
functions; none of them checks roles or memberships on its own.

A person without access gets 404 where the existence of the thing is itself
private (an application, a municipality's people) and 403 otherwise.
"""

from django.core.cache import cache

from network.cache import roles_generation
from network.models import AGENCY_ROLES, Membership, Role

NETWORK_STATUSES = {Membership.Status.PARTNER, Membership.Status.REFERENCE}
#: Cached roles expire after an hour even if none changes.
ROLES_TIMEOUT = 60 * 60


def roles_of(user) -> frozenset[str]:
    """The person's roles, kept on the user object for the request.

    Every page a logged-in person opens asks for them, and they seldom change: they are
    read from the cache, under a generation that every granted or revoked role replaces
    (network/cache.py), so a change counts from the next request.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_roles_cache", None)
    if cached is None:
        key = f"network:roles:{roles_generation()}:{user.pk}"
        stored = cache.get(key)
        if stored is None:
            stored = sorted(user.role_assignments.values_list("role", flat=True))
            cache.set(key, stored, ROLES_TIMEOUT)
        cached = frozenset(stored)
        user._roles_cache = cached
    return cached


def is_agency_editor(user) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active) or (
        Role.AGENCY_EDITOR in roles_of(user)
    )


def is_agency_moderator(user) -> bool:
    return Role.AGENCY_MODERATOR in roles_of(user) or is_agency_editor(user)


def is_agency_staff(user) -> bool:
    return is_agency_editor(user) or bool(roles_of(user) & AGENCY_ROLES)


def municipality_status(user, initiative):
    """The membership status of the person's municipality in the initiative, or None."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.municipality_id is None:
        return None
    cache = user.__dict__.setdefault("_membership_cache", {})
    if initiative.pk not in cache:
        cache[initiative.pk] = (
            Membership.objects.filter(initiative=initiative, municipality_id=user.municipality_id)
            .values_list("status", flat=True)
            .first()
        )
    return cache[initiative.pk]


def is_partner_member(user, initiative) -> bool:
    return municipality_status(user, initiative) == Membership.Status.PARTNER


def is_network_member(user, initiative) -> bool:
    """Staff of a partner or reference municipality of the initiative."""
    return municipality_status(user, initiative) in NETWORK_STATUSES


def is_in_any_network(user) -> bool:
    if not getattr(user, "is_authenticated", False) or user.municipality_id is None:
        return False
    return Membership.objects.filter(
        municipality_id=user.municipality_id, status__in=NETWORK_STATUSES
    ).exists()


def can_view_progress(user, initiative) -> bool:
    """The progress overview and status notes: network members and agency staff."""
    return is_agency_staff(user) or is_network_member(user, initiative)


def can_report_progress(user, membership) -> bool:
    """A partner's own project leader (or project owner) and agency editors write progress.

    Only partners report progress; reference municipalities follow it.
    """
    if membership.status != Membership.Status.PARTNER:
        return False
    if is_agency_editor(user):
        return True
    return user.is_authenticated and (
        user.municipality_id == membership.municipality_id
        and bool(roles_of(user) & {Role.PROJECT_LEADER, Role.PROJECT_OWNER})
    )


def can_view_people(user, municipality) -> bool:
    """Names and roles of a municipality's people: for network members and agency staff."""
    if is_agency_staff(user):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return user.municipality_id == municipality.pk or is_in_any_network(user)


def can_apply(user) -> bool:
    """Staff of any municipality may apply to an open pool on their municipality's behalf."""
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.municipality_id
    )


def can_view_application(user, application) -> bool:
    """The municipality's staff, the caseworkers, and the director who decides."""
    if is_agency_editor(user) or can_decide(user):
        return True
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.municipality_id == application.municipality_id
    )


def can_edit_application(user, application) -> bool:
    return (
        application.is_draft
        and can_apply(user)
        and user.municipality_id == application.municipality_id
    )


def can_assess(user) -> bool:
    """Only agency editors assess applications and recommend a decision."""
    return is_agency_editor(user)


def can_decide(user) -> bool:
    """ "Den endelige afgørelse foretages af styrelsens direktør": the director decides."""
    return Role.AGENCY_DIRECTOR in roles_of(user)


def can_invite(user) -> bool:
    return is_agency_editor(user)
