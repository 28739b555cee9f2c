"""Factories for people, initiatives, applications and memberships."""

from datetime import date

import factory
from django.contrib.auth.models import Group
from django_otp.oath import TOTP

from network import services
from network.demo import CVR_NUMBERS
from network.models import (
    Application,
    Initiative,
    Membership,
    MembershipEvent,
    Municipality,
    Role,
    RoleAssignment,
    User,
)
from tests.cms.factories import PoolPageFactory

DEFAULT_PASSWORD = "korrekt-hest-batteri-42"


def municipality(name):
    """One of the 98 municipalities loaded by the data migration."""
    return Municipality.objects.get(name=name)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@kommune.example")
    first_name = factory.Faker("first_name", locale="da_DK")
    last_name = factory.Faker("last_name", locale="da_DK")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def roles(self, create, roles, **kwargs):
        for role in roles or ():
            RoleAssignment.objects.create(person=self, role=role)
            if role in services.ROLE_GROUPS:  # as services.set_roles does
                self.groups.add(Group.objects.get(name=services.ROLE_GROUPS[role]))
        self.save()


def municipal_person(name, *roles, **kwargs):
    return PersonFactory(municipality=municipality(name), roles=roles, **kwargs)


def agency_editor(**kwargs):
    return PersonFactory(is_agency_staff=True, roles=[Role.AGENCY_EDITOR], **kwargs)


def agency_director(**kwargs):
    return PersonFactory(is_agency_staff=True, roles=[Role.AGENCY_DIRECTOR], **kwargs)


def agency_moderator(**kwargs):
    return PersonFactory(is_agency_staff=True, roles=[Role.AGENCY_MODERATOR], **kwargs)


class InitiativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Initiative

    title = "Partnerskab om strategisk omlægning af socialpsykiatrien"
    slug = factory.Sequence(lambda n: f"partnerskab-{n}")
    pool = factory.SubFactory(
        PoolPageFactory, project_period_start=date(2020, 1, 1), project_period_end=date(2022, 9, 30)
    )
    project_period_start = date(2020, 1, 1)
    project_period_end = date(2022, 9, 30)


def member(initiative, name, status):
    """Make the municipality a member of the initiative with the given status."""
    membership = Membership.objects.create(
        initiative=initiative, municipality=municipality(name), status=status
    )
    MembershipEvent.objects.create(membership=membership, status=status)
    return membership


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    pool = factory.SubFactory(PoolPageFactory)
    municipality = factory.LazyFunction(lambda: municipality("Randers"))


def municipality_with_cvr(name):
    """A municipality with its (demo) CVR number, for logins with MitID Erhverv."""
    place = municipality(name)
    place.cvr = CVR_NUMBERS[name]
    place.save(update_fields=["cvr"])
    return place


def nemlogin_claims(professional_id, cvr, email="", name="Mette Frederiksen", org="Kommune"):
    """The claims a MitID Erhverv login brings, with NemLog-in's claim names."""
    return {
        "nemlogin.persistent_professional_id": professional_id,
        "nemlogin.cvr": cvr,
        "nemlogin.org_name": org,
        "nemlogin.name": name,
        "nemlogin.email": email,
    }


def totp_code(device):
    """The code the authenticator app shows now for this device."""
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"
