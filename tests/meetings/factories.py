"""Factories for meetings, registrations, documents, action items and calendar feeds."""

from datetime import timedelta

import factory
from django.utils import timezone

from meetings.models import ActionItem, CalendarFeed, Meeting, Registration
from network.tokens import new_token
from tests.network.factories import PersonFactory, municipality


def in_days(days, hour=10, minute=0):
    """A time ``days`` from now at the given Copenhagen wall-clock time."""
    moment = timezone.localtime() + timedelta(days=days)
    return moment.replace(hour=hour, minute=minute, second=0, microsecond=0)


class MeetingFactory(factory.django.DjangoModelFactory):
    """A public information meeting in two weeks, 12–14 in Odense, without seat limits."""

    class Meta:
        model = Meeting

    kind = Meeting.Kind.INFORMATION
    title = factory.Sequence(lambda n: f"Informationsmøde {n}")
    description = "Hør om puljen og stil spørgsmål."
    starts_at = factory.LazyFunction(lambda: in_days(14, 12))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    address = "Vestergade 1"
    city = "Odense"
    audience = Meeting.Audience.PUBLIC

    class Params:
        past = factory.Trait(
            starts_at=factory.LazyFunction(lambda: in_days(-14, 12)),
        )


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A member's confirmed place, made directly (no rules, no email). Use the services
    in tests of the rules; this is for setting up a state."""

    class Meta:
        model = Registration

    meeting = factory.SubFactory(MeetingFactory)
    person = factory.SubFactory(PersonFactory)
    name = factory.LazyAttribute(lambda o: o.person.get_full_name() if o.person else "Gæst")
    email = factory.LazyAttribute(
        lambda o: o.person.email if o.person else f"gaest{o.token_hash[:8]}@example.org"
    )
    municipality = factory.LazyAttribute(lambda o: o.person.municipality if o.person else None)
    status = Registration.Status.CONFIRMED
    token_hash = factory.LazyFunction(lambda: new_token()[1])
    confirmed_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == Registration.Status.CONFIRMED else None
    )


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    meeting = factory.SubFactory(MeetingFactory, past=True)
    text = "Send udkast til implementeringsplan"
    owner = factory.LazyFunction(lambda: municipality("Randers"))
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))


class CalendarFeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarFeed

    person = factory.SubFactory(PersonFactory)
    token = factory.Sequence(lambda n: f"feed-token-{n:04d}-abcdefghijklmnopqrstuvwxyz")
