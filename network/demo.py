"""The demo people: one login for each role on the platform, all with the demo password.

``python manage.py load_demo_content`` calls :func:`load` after ``cms.demo`` and prints
:func:`logins`. People are looked up by email and created only when missing; an
existing person keeps their password and details, and is only added to their group.

The writer is defined in ``cms.demo`` (it needs them for the moderation demo and
runs first; network may depend on cms, not the other way round), so both modules
mean the same person. Municipalities and roles in the partnership come later; for
now the people say in their email address where they work.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.core.management.base import CommandError

from cms.demo import DEMO_PASSWORD, EDITORS_GROUP, WRITER, WRITERS_GROUP
from network.models import User


@dataclass(frozen=True)
class DemoPerson:
    role: str
    email: str
    first_name: str
    last_name: str
    groups: tuple[str, ...] = ()
    superuser: bool = False


PEOPLE = (
    DemoPerson(
        "Redaktør (Socialstyrelsen)",
        "redaktoer@socialstyrelsen.example",
        "Karen",
        "Holm",
        groups=(EDITORS_GROUP,),
    ),
    DemoPerson(
        "Skribent (Socialstyrelsen)",
        WRITER["email"],
        WRITER["first_name"],
        WRITER["last_name"],
        groups=(WRITERS_GROUP,),
    ),
    DemoPerson("Moderator (forum)", "moderator@socialstyrelsen.example", "Mette", "Lund"),
    DemoPerson(
        "Partnerskabskommune: projektleder, Randers",
        "projektleder@randers.example",
        "Anders",
        "Kjær",
    ),
    DemoPerson(
        "Referencekommune: medarbejder, Aarhus", "medarbejder@aarhus.example", "Sofie", "Dahl"
    ),
    DemoPerson("Ansøgerkommune: Odense", "ansoeger@odense.example", "Lars", "Friis"),
    DemoPerson("Administrator", "admin@partnerskab.example", "Admin", "", superuser=True),
)


def load(stdout):
    for person in PEOPLE:
        user = User.objects.filter(email__iexact=person.email).first()
        created = user is None
        if created:
            create = User.objects.create_superuser if person.superuser else User.objects.create_user
            user = create(
                person.email,
                DEMO_PASSWORD,
                first_name=person.first_name,
                last_name=person.last_name,
            )
        for name in person.groups:
            user.groups.add(group(name))
        stdout.write(f"  {'oprettet' if created else 'findes   '}  person {person.email}")


def group(name):
    try:
        return Group.objects.get(name=name)
    except Group.DoesNotExist:
        raise CommandError(
            f'The group "{name}" is missing; run "manage.py migrate" first.'
        ) from None


def logins():
    """(role in Danish, email, password) for every demo person, for the command to print."""
    return [(person.role, person.email, DEMO_PASSWORD) for person in PEOPLE]
