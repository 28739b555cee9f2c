"""Who may see and do what on a grant case (DESIGN.md's row "grant cases").

A case is its municipality's and the agency's: the municipality's staff and agency
editors and directors open it; everyone else gets 404, since even that a municipality
has a case is private. Caseworkers (agency editors) recommend, record payments and review
reports; the director (direktør) approves recommendations, never their own.
"""

from django.db.models import Q

from network import access as network_access
from network.models import Role, User


def is_director(person) -> bool:
    return network_access.can_decide(person)


def is_caseworker(person) -> bool:
    """Agency editors handle grant cases (assess, recommend, review, pay)."""
    return network_access.is_agency_editor(person)


def is_case_staff(person) -> bool:
    return is_caseworker(person) or is_director(person)


def can_view_case(person, case) -> bool:
    if is_case_staff(person):
        return True
    return bool(
        getattr(person, "is_authenticated", False)
        and person.is_active
        and person.municipality_id is not None
        and person.municipality_id == case.application.municipality_id
    )


def is_municipality_party(person, case) -> bool:
    """The municipality's side of the case (writes reports, accounts, answers)."""
    return (
        getattr(person, "is_authenticated", False)
        and person.is_active
        and person.municipality_id == case.application.municipality_id
    )


def can_see_decision_list(person) -> bool:
    return is_case_staff(person)


def can_approve(person, recommendation) -> bool:
    """The director approves, but never a recommendation they wrote themselves."""
    return is_director(person) and recommendation.written_by_id != person.pk


def attached_addresses(case, *, except_person=None):
    """The email addresses of everyone attached to the application, who are told of
    every new event on it: who created and submitted it, the municipality's project
    owners, and its project leader (by the address on the application, with or without
    an account here)."""
    application = case.application
    attached = Q(pk__in=[application.created_by_id, application.submitted_by_id])
    attached |= Q(role_assignments__role=Role.PROJECT_OWNER)
    people = User.objects.filter(
        attached, municipality_id=application.municipality_id, is_active=True
    )
    if except_person is not None:
        people = people.exclude(pk=except_person.pk)
    addresses = {email.lower() for email in people.values_list("email", flat=True)}
    leader = application.project_leader_email.lower()
    if leader and (except_person is None or except_person.email.lower() != leader):
        addresses.add(leader)
    return sorted(addresses)
