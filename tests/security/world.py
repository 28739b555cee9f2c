"""One small world with something at every visibility level, and one person per role.

The roles are the columns of DESIGN.md's permission table, plus the two it implies: an
applicant municipality's person (the public, logged in, with an application of their own)
and anonymous. Odense applies, Aarhus is a reference municipality and Randers a partner;
their applications are "own municipality's" to one person and another municipality's to
the rest.
"""

from datetime import date, timedelta
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.documents.models import Document
from wagtail.models import PageViewRestriction

from cms.models import PoolDocument
from grants.models import CaseDocument, CaseEvent, CaseMessage, DueItem, GrantCase
from knowledge import services as forum
from knowledge.models import Space
from meetings.models import ActionItem, CalendarFeed, Meeting, MeetingDocument, Registration
from network import services as network
from network.models import Application, Membership, Role
from network.tokens import new_token
from tests.cms.factories import (
    NewsIndexPageFactory,
    NewsPageFactory,
    PoolPageFactory,
    StandardPageFactory,
)
from tests.knowledge.factories import SpaceFactory, numbered_post
from tests.meetings.factories import MeetingFactory, RegistrationFactory
from tests.network.factories import InitiativeFactory, PersonFactory, member, municipal_person

ROLES = ("anonymous", "applicant", "reference", "partner", "editor", "moderator")
SPACES = ("public", "network", "partners")


def agency_person(role, **kwargs):
    """Agency staff with the role granted the way the site grants it (with its admin group)."""
    person = PersonFactory(is_agency_staff=True, **kwargs)
    network.grant_role(person, role)
    return person


def people(initiative):
    member(initiative, "Randers", Membership.Status.PARTNER)
    member(initiative, "Aarhus", Membership.Status.REFERENCE)
    member(initiative, "Odense", Membership.Status.APPLICANT)
    return {
        "anonymous": None,
        "applicant": municipal_person("Odense", Role.PROJECT_LEADER),
        "reference": municipal_person("Aarhus", Role.PROJECT_LEADER),
        "partner": municipal_person("Randers", Role.PROJECT_LEADER),
        "editor": agency_person(Role.AGENCY_EDITOR),
        "moderator": agency_person(Role.AGENCY_MODERATOR),
    }


def forum_world(initiative, author):
    """A space, a topic (tagged with its own and a shared tag) and a reply per visibility."""
    spaces, topics, posts = {}, {}, {}
    for visibility in SPACES:
        space = SpaceFactory(
            slug=f"rum-{visibility}",
            visibility=visibility,
            initiative=None if visibility == Space.Visibility.PUBLIC else initiative,
        )
        topic = forum.start_topic(
            space,
            author,
            title=f"Emne i {visibility}",
            source=f"Det første indlæg i {visibility}.",
            tags=[f"kun-{visibility}"],
        )
        spaces[visibility], topics[visibility] = space, topic
        posts[visibility] = numbered_post(topic, author, f"Et svar fra redaktionen i {visibility}.")
    return spaces, topics, posts


def grant_case(application, editor):
    """Randers' grant case with a letter, a message, a status report and accounts due."""
    case = GrantCase.objects.create(application=application)
    letter = CaseDocument.objects.create(
        case=case,
        kind=CaseDocument.Kind.DECISION_LETTER,
        title="Sagens brev",
        file=ContentFile(b"%PDF-1.4 brev", name="brev.pdf"),
    )
    CaseMessage.objects.create(case=case, author=editor, from_agency=True, text="Sagens besked")
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.MESSAGE, text="Sagens hændelse")
    period = {"period_start": date(2020, 1, 1), "period_end": date(2020, 12, 31)}
    report = DueItem.objects.create(
        case=case, kind=DueItem.Kind.STATUS_REPORT, due_on=date(2021, 1, 31), **period
    )
    accounts = DueItem.objects.create(
        case=case, kind=DueItem.Kind.ACCOUNTS, due_on=date(2021, 4, 30), **period
    )
    return SimpleNamespace(case=case, letter=letter, report=report, accounts=accounts)


def document(title):
    return Document.objects.create(
        title=title, file=ContentFile(b"%PDF-1.4 test", name=f"{title.lower()}.pdf")
    )


def build(with_content=True):
    """The world; ``with_content=False`` makes only people and the forum (for sockets)."""
    initiative = InitiativeFactory(pool__deadline=timezone.now() - timedelta(days=30))
    who = people(initiative)
    author = agency_person(Role.AGENCY_EDITOR, first_name="Forfatter")
    spaces, topics, posts = forum_world(initiative, author)
    world = SimpleNamespace(
        initiative=initiative, people=who, spaces=spaces, topics=topics, posts=posts
    )
    if not with_content:
        return world

    open_pool = PoolPageFactory()
    world.pools = {"closed": initiative.pool, "open": open_pool}
    world.applications = {
        "Randers (submitted)": Application.objects.create(
            pool=initiative.pool,
            municipality=who["partner"].municipality,
            status=Application.Status.SUBMITTED,
            submitted_at=timezone.now() - timedelta(days=40),
            submitted_by=who["partner"],
        ),
        "Odense (draft)": Application.objects.create(
            pool=open_pool, municipality=who["applicant"].municipality, created_by=who["applicant"]
        ),
    }

    world.meetings = {
        "public": MeetingFactory(title="Mødet public", pool=open_pool),
        "network": MeetingFactory(
            title="Mødet network",
            kind=Meeting.Kind.REFERENCE_NETWORK,
            audience=Meeting.Audience.NETWORK,
            initiative=initiative,
        ),
        "partners": MeetingFactory(
            title="Mødet partners",
            kind=Meeting.Kind.STEERING_GROUP,
            audience=Meeting.Audience.PARTNERS,
            initiative=initiative,
        ),
        # The kick-off: project owners and implementation groups, not project leaders.
        "roles": MeetingFactory(
            title="Mødet roles",
            kind=Meeting.Kind.KICK_OFF,
            audience=Meeting.Audience.ROLES,
            audience_roles=[Role.PROJECT_OWNER, Role.IMPLEMENTATION_GROUP],
            initiative=initiative,
        ),
    }
    # Each meeting gave the partner a task: shown on Randers' page to the meeting's audience.
    world.action_items = {
        audience: ActionItem.objects.create(
            meeting=meeting,
            owner=who["partner"].municipality,
            text=f"Opgave fra mødet {audience}",
            due_on=timezone.localdate() + timedelta(days=14),
        )
        for audience, meeting in world.meetings.items()
    }
    world.own_registration = RegistrationFactory(
        meeting=world.meetings["partners"], person=who["partner"]
    )
    guest_token, guest_hash = new_token()
    world.guest_token = guest_token
    world.guest_registration = RegistrationFactory(
        meeting=world.meetings["public"],
        person=None,
        name="Gæst Gæstesen",
        email="gaest@example.org",
        status=Registration.Status.UNCONFIRMED,
        token_hash=guest_hash,
    )
    world.feed = CalendarFeed.objects.create(person=who["partner"], token="feed-" + "x" * 40)
    _invitation, world.invitation_token = network.invite(
        "ny@randers.example", invited_by=who["editor"], municipality=who["partner"].municipality
    )

    world.grant_case = grant_case(world.applications["Randers (submitted)"], who["editor"])

    world.documents = {"pool material": document("Vejledning")}
    PoolDocument.objects.create(pool=open_pool, document=world.documents["pool material"])
    for audience in ("network", "partners"):
        world.documents[f"{audience} meeting material"] = document(f"Referat-{audience}")
        MeetingDocument.objects.create(
            meeting=world.meetings[audience],
            document=world.documents[f"{audience} meeting material"],
        )

    private = StandardPageFactory(title="Kun for indloggede", slug="kun-indloggede")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    news_index = NewsIndexPageFactory()
    world.pages = {
        "published": StandardPageFactory(title="Om platformen", slug="om"),
        "draft": StandardPageFactory(title="Kladde", slug="kladde", publish=False, live=False),
        "private": private,
        "news index": news_index,
    }
    NewsPageFactory(parent=news_index)
    return world
