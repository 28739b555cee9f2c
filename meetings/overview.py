"""The meetings' part of "Mit overblik" (network/overview.py): the person's next meetings
and the action items their municipality owes, from meetings they may see."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings import access
from meetings.models import ActionItem, Meeting, Registration
from network.overview import LIMIT, Contribution, Section, Shortcut


def next_registrations(person, now):
    """The person's places at coming meetings (confirmed or waiting), soonest first, each
    with its number on the waiting list; meetings whose audience they left show no more."""
    from meetings.views import with_waiting_positions

    registrations = Registration.objects.filter(
        person=person,
        status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITING],
        meeting__ends_at__gt=now,
        meeting__in=access.visible_meetings(person, Meeting.objects.all()),
    ).select_related("meeting")
    return with_waiting_positions(registrations).order_by("meeting__starts_at", "pk")


def meetings_part(person, now) -> Contribution:
    contribution = Contribution()
    rows = next_registrations(person, now)[: LIMIT + 1]
    contribution.sections.append(
        Section(
            key="meetings",
            title=_("Your next meetings"),
            template="network/overview/_meetings.html",
            rows=rows,
            group="news",
            order=20,
            more_url=reverse("meetings:my_registrations"),
            more_label=_("All my sign-ups"),
            empty_text=_("You have not signed up for an upcoming meeting."),
        )
    )
    if person.municipality_id:
        items = (
            ActionItem.objects.filter(
                owner_id=person.municipality_id,
                done_on__isnull=True,
                meeting__in=access.visible_meetings(person, Meeting.objects.all()),
            )
            .select_related("meeting", "owner")
            .order_by("due_on", "pk")[: LIMIT + 1]
        )
        rows = list(items)
        if rows:
            contribution.sections.append(
                Section(
                    key="action_items",
                    title=_("Action items for your municipality"),
                    template="network/overview/_action_items.html",
                    rows=rows,
                    order=30,
                    more_url=reverse("network:municipality", args=[rows[0].owner.slug]),
                    more_label=_("Your municipality's page"),
                    extra={"today": timezone.localdate(now)},
                )
            )
    contribution.shortcuts += [
        Shortcut(_("Find meetings"), reverse("meetings:list"), order=20),
        Shortcut(_("My sign-ups"), reverse("meetings:my_registrations"), order=21),
    ]
    return contribution
