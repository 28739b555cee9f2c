"""Who may see a meeting and who may sign up: the meeting's audience, through network.access."""

from functools import reduce
from operator import or_

from django.db.models import Q

from meetings.models import Meeting
from network import access as network_access
from network.models import Membership


def is_in_audience(person, meeting) -> bool:
    """Whether the person belongs to the meeting's audience (agency staff always do)."""
    if meeting.audience == Meeting.Audience.PUBLIC:
        return True
    if not getattr(person, "is_authenticated", False):
        return False
    if network_access.is_agency_staff(person):
        return True
    if meeting.initiative is None:
        return False
    status = network_access.municipality_status(person, meeting.initiative)
    if meeting.audience == Meeting.Audience.NETWORK:
        return status in network_access.NETWORK_STATUSES
    if status != Membership.Status.PARTNER:
        return False
    if meeting.audience == Meeting.Audience.PARTNERS:
        return True
    return bool(network_access.roles_of(person) & set(meeting.audience_roles))


def can_view(person, meeting) -> bool:
    """A meeting's page, agenda, minutes and materials are for its audience only."""
    return is_in_audience(person, meeting)


def can_organise(person) -> bool:
    return network_access.is_agency_editor(person)


def visible_meetings(person, queryset):
    """The meetings of the queryset the person may see, as a queryset (lists, feeds).

    The same rules as ``is_in_audience``, said as one database filter.
    """
    if network_access.is_agency_staff(person):
        return queryset
    visible = Q(audience=Meeting.Audience.PUBLIC)
    if getattr(person, "is_authenticated", False) and person.municipality_id:
        memberships = Membership.objects.filter(municipality_id=person.municipality_id)
        network_ids = memberships.filter(status__in=network_access.NETWORK_STATUSES).values(
            "initiative"
        )
        partner_ids = memberships.filter(status=Membership.Status.PARTNER).values("initiative")
        visible |= Q(audience=Meeting.Audience.NETWORK, initiative__in=network_ids)
        visible |= Q(audience=Meeting.Audience.PARTNERS, initiative__in=partner_ids)
        roles = network_access.roles_of(person)
        if roles:
            holds_a_role = reduce(or_, [Q(audience_roles__icontains=f'"{role}"') for role in roles])
            visible |= Q(audience=Meeting.Audience.ROLES, initiative__in=partner_ids) & holds_a_role
    return queryset.filter(visible)
