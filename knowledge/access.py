"""Who may read, post in and moderate forum spaces (DESIGN.md's permission table).

Pages, feeds, search and the WebSocket consumer all ask these functions.
"""

from django.db.models import Q

from knowledge.models import Space
from network import access as network_access
from network.models import AGENCY_ROLES, Membership, RoleAssignment


def can_read_space(person, space) -> bool:
    if space.visibility == Space.Visibility.PUBLIC:
        return True
    if network_access.is_agency_staff(person):
        return True
    if space.initiative is None:
        return False
    if space.visibility == Space.Visibility.NETWORK:
        return network_access.is_network_member(person, space.initiative)
    return network_access.is_partner_member(person, space.initiative)


def can_read_topic(person, topic) -> bool:
    return can_read_space(person, topic.space)


def can_post(person, space) -> bool:
    """Network and partner spaces: their members post; public spaces: agency staff only."""
    if not getattr(person, "is_authenticated", False) or not person.is_active:
        return False
    if network_access.is_agency_staff(person):
        return True
    if space.visibility == Space.Visibility.PUBLIC:
        return False
    return can_read_space(person, space)


def can_moderate(person) -> bool:
    return network_access.is_agency_moderator(person)


def can_change_post(person, post) -> bool:
    """The author edits and deletes their own post; moderators delete any."""
    return getattr(person, "is_authenticated", False) and (
        post.author_id == person.pk or can_moderate(person)
    )


def visible_spaces(person, queryset=None):
    """The spaces the person may read, as a queryset (for lists, search and feeds)."""
    queryset = Space.objects.all() if queryset is None else queryset
    if network_access.is_agency_staff(person):
        return queryset
    visible = Q(visibility=Space.Visibility.PUBLIC)
    if getattr(person, "is_authenticated", False) and person.municipality_id:
        memberships = Membership.objects.filter(municipality_id=person.municipality_id)
        visible |= Q(
            visibility=Space.Visibility.NETWORK,
            initiative__in=memberships.filter(status__in=network_access.NETWORK_STATUSES).values(
                "initiative"
            ),
        )
        visible |= Q(
            visibility=Space.Visibility.PARTNERS,
            initiative__in=memberships.filter(status=Membership.Status.PARTNER).values(
                "initiative"
            ),
        )
    return queryset.filter(visible)


def readers(space, people):
    """Of ``people`` (a queryset of persons), those who may read the space: the rules of
    ``can_read_space`` as one database filter, for notifying a topic's followers (a
    follower whose municipality has since left the partnership hears nothing more)."""
    people = people.filter(is_active=True)
    if space.visibility == Space.Visibility.PUBLIC:
        return people
    staff = Q(is_superuser=True) | Q(
        pk__in=RoleAssignment.objects.filter(role__in=AGENCY_ROLES).values("person")
    )
    if space.initiative_id is None:
        return people.filter(staff)
    if space.visibility == Space.Visibility.NETWORK:
        statuses = network_access.NETWORK_STATUSES
    else:
        statuses = {Membership.Status.PARTNER}
    members = Membership.objects.filter(initiative_id=space.initiative_id, status__in=statuses)
    return people.filter(staff | Q(municipality_id__in=members.values("municipality")))
