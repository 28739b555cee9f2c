"""The demo meetings: those of the seeds, and upcoming ones with open sign-up.

``python manage.py load_demo_content`` calls :func:`load` after ``network.demo`` (whose
people, initiative and pools it uses). Meetings are looked up by title and start before
they are created, and their sign-ups are made only with the meeting, so a second run
changes nothing.

The seeds' meetings lie in the past: they and their sign-ups are written as history,
directly, with the statuses they ended with (attended or not; a guest of 2019 long since
anonymised). The upcoming meetings are dated from the day of the first run (the open
demo pool's deadline is 21 days after it, so their dates stay put on later runs), and
their sign-ups go through ``meetings.services`` like anyone's: seats, the cap per
municipality and the waiting list decide who gets a place.
"""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.management.base import CommandError
from wagtail.documents import get_document_model

from cms.demo import (
    DEMO_OPEN_POOL_DAYS,
    DEMO_POOL_SLUG,
    MATERIALS_COLLECTION,
    POOL_2017_SLUG,
    POOL_2019_SLUG,
)
from cms.models import PoolPage
from meetings import services
from meetings.models import ActionItem, Meeting, MeetingDocument, Registration
from network.demo import INITIATIVE_SLUG, PEOPLE, Counter
from network.models import Initiative, Municipality, Role, User

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
EDITOR = "redaktoer@socialstyrelsen.example"
SOCIALSTYRELSEN = {"address": "Socialstyrelsen, Edisonsvej 18", "city": "Odense"}
ONLINE = "https://moede.socialstyrelsen.example/partnerskab"

Kind = Meeting.Kind
Audience = Meeting.Audience
Status = Registration.Status

# Who is who among network.demo's people.
ODENSE = "ansoeger@odense.example"
AARHUS = "medarbejder@aarhus.example"
RANDERS_LEADER = "projektleder@randers.example"
RANDERS_OWNER = "projektejer@randers.example"
RANDERS_GROUP = "implementering@randers.example"
RUDERSDAL = "projektleder@rudersdal.example"
ROSKILDE = "projektleder@roskilde.example"
HERNING = "projektleder@herning.example"


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=COPENHAGEN)


@dataclass(frozen=True)
class Guest:
    name: str
    email: str
    organisation: str = ""
    municipality: str = ""


@dataclass(frozen=True)
class Past:
    """A sign-up to a past meeting: who, and whether they came."""

    who: str | Guest
    attended: bool


@dataclass
class Spec:
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    description: str = ""
    place: dict = field(default_factory=lambda: dict(SOCIALSTYRELSEN))
    online_url: str = ""
    audience: str = Audience.PUBLIC
    audience_roles: tuple = ()
    initiative: bool = False
    pool_slug: str = ""
    seats: int | None = None
    seats_per_municipality: int | None = None
    signup_deadline: datetime | None = None
    agenda: str = ""
    minutes: str = ""


# --- The seeds' meetings ---------------------------------------------------------------------

INFORMATION_2019 = Spec(
    Kind.INFORMATION,
    "Informationsmøde om puljen Recovery og rehabilitering: Partnerskab om strategisk omlægning",
    at(date(2019, 8, 19), 15, 30),
    at(date(2019, 8, 19), 17),
    description=(
        "Socialstyrelsen fortæller om investeringspuljen til recovery og rehabilitering, "
        "og der er mulighed for at stille spørgsmål. For interesserede kommuner."
    ),
    pool_slug=POOL_2019_SLUG,
    agenda=(
        "1. Velkomst og dagens program\n"
        "2. Baggrund for puljen og kort om initiativet\n"
        "3. Om recovery\n"
        "4. Initiativets tilrettelæggelse\n"
        "5. Om ansøgerkommuners forpligtelser og mål\n"
        "6. Om ansøgningsprocessen\n"
        "7. Spørgsmål"
    ),
    minutes=(
        "Socialstyrelsen gennemgik puljen, initiativets fem dele og de seks "
        "tildelingskriterier. Spørgsmålene handlede især om budgettet, om kravet om at "
        "være langt i omlægningen og om referencenetværket for de kommuner, der ikke får "
        "del i puljen. Vejledningen til puljen ligger som materiale til mødet."
    ),
)
INFORMATION_2019_SIGNUPS = [
    Past(ODENSE, True),
    Past(RANDERS_LEADER, True),
    Past(AARHUS, True),
    Past(HERNING, False),
    Past(Guest("", "", organisation="Region Syddanmark"), True),
]

STEERING_GROUP_2020 = Spec(
    Kind.STEERING_GROUP,
    "Første styregruppemøde i partnerskabet",
    at(date(2020, 1, 7), 12),
    at(date(2020, 1, 7), 14),
    description="Det første styregruppemøde med de nye partnerskabskommuner.",
    audience=Audience.ROLES,
    audience_roles=(Role.STEERING_GROUP,),
    initiative=True,
    agenda=(
        "1. Velkomst og præsentation\n"
        "2. Partnerskabets organisering og styregruppens rolle\n"
        "3. Tidsplan for Del 1: kortlægning\n"
        "4. Opstartsmødet 28. januar for projektejere og implementeringsgrupper\n"
        "5. Eventuelt"
    ),
    minutes=(
        "Styregruppen drøftede partnerskabets organisering. Hver partnerskabskommune nedsætter "
        "en implementeringsgruppe med ledere fra myndighed og udfører. Kortlægningen (Del 1) "
        "begynder i januar; Socialstyrelsen og den eksterne leverandør sender en plan for "
        "interviews. Opstartsmødet 28. januar blev aftalt. Opfølgningspunkterne står "
        "nedenfor."
    ),
)
STEERING_GROUP_SIGNUPS = [Past(RANDERS_OWNER, True)]
#: (owner, text, due, done) agreed at the steering-group meeting.
STEERING_GROUP_ACTIONS = [
    (
        "Randers",
        "Nedsætte implementeringsgruppen og sende navnene til Socialstyrelsen",
        date(2020, 1, 21),
        date(2020, 1, 20),
    ),
    (
        "Randers",
        "Dele erfaringerne med et fælles recovery-sprog i referencenetværket",
        date(2020, 3, 30),
        None,
    ),
    (
        "Herning",
        "Færdiggøre kortlægningen af tilbudsviften og sende den til styregruppen",
        date(2020, 10, 30),
        None,
    ),
]

KICK_OFF_2020 = Spec(
    Kind.KICK_OFF,
    "Opstartsmøde for projektejere og implementeringsgrupper",
    at(date(2020, 1, 28), 10),
    at(date(2020, 1, 28), 12),
    description=(
        "Opstartsmødet for projektejere og implementeringsgrupperne i partnerskabskommunerne."
    ),
    audience=Audience.ROLES,
    audience_roles=(Role.PROJECT_OWNER, Role.IMPLEMENTATION_GROUP),
    initiative=True,
    agenda=(
        "1. Velkomst\n"
        "2. Konceptet for strategisk omlægning: de fem dele\n"
        "3. Kortlægningen i praksis\n"
        "4. Implementeringsgruppens rolle\n"
        "5. Næste skridt"
    ),
)
KICK_OFF_SIGNUPS = [Past(RANDERS_OWNER, True), Past(RANDERS_GROUP, True)]

REFERENCE_NETWORK_2020 = Spec(
    Kind.REFERENCE_NETWORK,
    "Første møde i referencenetværket",
    at(date(2020, 3, 30), 10),
    at(date(2020, 3, 30), 15),
    description=("Det første møde i referencenetværket for de kommuner, der følger partnerskabet."),
    audience=Audience.NETWORK,
    initiative=True,
    agenda=(
        "1. Velkomst og præsentation af kommunerne\n"
        "2. Partnerskabet og de fire partnerskabskommuner\n"
        "3. Sådan følger referencenetværket arbejdet\n"
        "4. Erfaringsudveksling i grupper"
    ),
)
REFERENCE_NETWORK_SIGNUPS = [Past(AARHUS, True), Past(RANDERS_LEADER, True)]

INFORMATION_2017 = [
    Spec(
        Kind.INFORMATION,
        f"Informationsmøde om puljen til lovende praksis på børne- og ungeområdet, {city}",
        at(day, 12),
        at(day, 16),
        description=(
            "Hør mere om projektets formål og aktiviteter, og bliv klogere på selve "
            "ansøgningsprocessen. Alle interesserede kommuner er velkomne."
        ),
        place={"address": "", "city": city},
        pool_slug=POOL_2017_SLUG,
    )
    for city, day in (("Vejle", date(2017, 3, 28)), ("København", date(2017, 3, 30)))
]


# --- Upcoming meetings ---------------------------------------------------------------------


def upcoming(first_run):
    information = Spec(
        Kind.INFORMATION,
        "Informationsmøde om puljen Udbredelse af recovery-orienteret socialpsykiatri (demo)",
        at(first_run + timedelta(days=10), 13),
        at(first_run + timedelta(days=10), 15),
        description=(
            "Demo: hør om den opdigtede pulje, og stil spørgsmål. Alle interesserede er "
            "velkomne; højst to fra hver kommune, så flest mulige kommuner kan komme."
        ),
        online_url=ONLINE,
        pool_slug=DEMO_POOL_SLUG,
        seats=40,
        seats_per_municipality=2,
        signup_deadline=at(first_run + timedelta(days=8), 12),
        agenda=(
            "1. Velkomst\n"
            "2. Puljens formål og målgruppe\n"
            "3. Tildelingskriterierne\n"
            "4. Ansøgningsprocessen og budgettet\n"
            "5. Spørgsmål"
        ),
    )
    workshop = Spec(
        Kind.WORKSHOP,
        "Workshop: Et fælles recovery-sprog på tværs af myndighed og udfører",
        at(first_run + timedelta(days=17), 9, 30),
        at(first_run + timedelta(days=17), 15),
        description=(
            "En dag med øvelser og erfaringer fra partnerskabskommunerne om at tale om "
            "borgerens egne mål på samme måde i myndighed, bostøtte og botilbud. "
            "Pladserne er få, så der kan arbejdes i små grupper."
        ),
        place={"address": "Randers Kommune, Laksetorvet 1", "city": "Randers"},
        seats=8,
        signup_deadline=at(first_run + timedelta(days=14), 12),
    )
    reference_network = Spec(
        Kind.REFERENCE_NETWORK,
        "Møde i referencenetværket: borgerens egne mål i bostøtten",
        at(first_run + timedelta(days=24), 10),
        at(first_run + timedelta(days=24), 15),
        description=(
            "Partnerskabskommunerne fortæller om deres erfaringer med borgerens egne mål i "
            "bostøtten, og referencekommunerne deler deres. Man kan også deltage online."
        ),
        online_url=ONLINE,
        audience=Audience.NETWORK,
        initiative=True,
        agenda=(
            "1. Velkomst\n"
            "2. Erfaringer fra Randers og Rudersdal\n"
            "3. Gruppedrøftelser\n"
            "4. Opsamling og næste møde"
        ),
    )
    return information, workshop, reference_network


INFORMATION_SIGNUPS = [
    ODENSE,
    AARHUS,
    Guest("Mads Nørgaard", "mads.noergaard@odense.example", municipality="Odense"),
    Guest("Helle Bak", "helle.bak@vejle.example", municipality="Vejle"),
]
#: In order: the first eight get the seats, the rest wait.
WORKSHOP_SIGNUPS = [
    RANDERS_LEADER,
    RANDERS_GROUP,
    AARHUS,
    ODENSE,
    RUDERSDAL,
    ROSKILDE,
    Guest("Pia Holst", "pia.holst@region.example", organisation="Region Midtjylland"),
    Guest("Ole Dam", "ole.dam@sind.example", organisation="Brugerforeningen i Randers"),
    HERNING,
    Guest("Trine Lauridsen", "trine.lauridsen@kolding.example", municipality="Kolding"),
    RANDERS_OWNER,
]
REFERENCE_NETWORK_SIGNUPS_UPCOMING = [AARHUS, RANDERS_LEADER]


# --- Loading ----------------------------------------------------------------------------------


def load(stdout):
    counter = Counter(stdout)
    people = {
        person.email: User.objects.filter(email__iexact=person.email).first() for person in PEOPLE
    }
    if people[EDITOR] is None:
        raise CommandError("The demo people are missing; network.demo must run first.")
    context = {
        "counter": counter,
        "people": people,
        "editor": people[EDITOR],
        "initiative": Initiative.objects.filter(slug=INITIATIVE_SLUG).first(),
    }

    meeting = ensure_meeting(INFORMATION_2019, context, INFORMATION_2019_SIGNUPS)
    ensure_material(meeting, counter)
    meeting = ensure_meeting(STEERING_GROUP_2020, context, STEERING_GROUP_SIGNUPS)
    ensure_action_items(meeting, STEERING_GROUP_ACTIONS, counter)
    ensure_meeting(KICK_OFF_2020, context, KICK_OFF_SIGNUPS)
    ensure_meeting(REFERENCE_NETWORK_2020, context, REFERENCE_NETWORK_SIGNUPS)
    for spec in INFORMATION_2017:
        ensure_meeting(spec, context, [])

    information, workshop, reference_network = upcoming(first_run_day())
    for spec, signups in (
        (information, INFORMATION_SIGNUPS),
        (workshop, WORKSHOP_SIGNUPS),
        (reference_network, REFERENCE_NETWORK_SIGNUPS_UPCOMING),
    ):
        meeting, created = get_or_create_meeting(spec, context)
        if created:
            for who in signups:
                sign_up(meeting, who, people)
        counter.report(created, f"møde {meeting.title}")


def first_run_day():
    """The day the demo was first loaded: the open demo pool's deadline tells it."""
    pool = PoolPage.objects.filter(slug=DEMO_POOL_SLUG).first()
    if pool is None:
        raise CommandError("The open demo pool is missing; cms.demo must run first.")
    return pool.deadline.astimezone(COPENHAGEN).date() - timedelta(days=DEMO_OPEN_POOL_DAYS)


def get_or_create_meeting(spec, context):
    meeting = Meeting.objects.filter(title=spec.title, starts_at=spec.starts_at).first()
    if meeting is not None:
        return meeting, False
    pool = PoolPage.objects.filter(slug=spec.pool_slug).first() if spec.pool_slug else None
    meeting = Meeting(
        kind=spec.kind,
        title=spec.title,
        description=spec.description,
        starts_at=spec.starts_at,
        ends_at=spec.ends_at,
        online_url=spec.online_url,
        organiser=context["editor"],
        initiative=context["initiative"] if spec.initiative else None,
        pool=pool,
        seats=spec.seats,
        seats_per_municipality=spec.seats_per_municipality,
        signup_deadline=spec.signup_deadline,
        audience=spec.audience,
        audience_roles=[str(role) for role in spec.audience_roles],
        agenda=spec.agenda,
        minutes=spec.minutes,
        **spec.place,
    )
    services.save_meeting(meeting, changed_by=context["editor"])
    return meeting, True


def ensure_meeting(spec, context, signups):
    """A past meeting and, when it is new, its sign-ups as they ended."""
    meeting, created = get_or_create_meeting(spec, context)
    if created:
        for number, signup in enumerate(signups):
            past_registration(meeting, signup, context["people"], number)
    date_as_history(meeting)
    context["counter"].report(created, f"møde {meeting.title}")
    return meeting


def date_as_history(meeting):
    """A past meeting was planned a month before it and last changed when its minutes
    were written, a week after it (or when planned, without minutes): not on the day the
    demo was loaded (its calendar's LAST-MODIFIED says so). Also mends an older demo."""
    planned = meeting.starts_at - timedelta(days=30)
    changed = meeting.ends_at + timedelta(days=7) if meeting.minutes else planned
    Meeting.objects.filter(pk=meeting.pk).update(created_at=planned, updated_at=changed)


def new_token():
    token = secrets.token_urlsafe(24)
    return token, hashlib.sha256(token.encode()).hexdigest()


def past_registration(meeting, signup, people, number):
    """A confirmed place at a past meeting, written as history (no emails, no rules)."""
    signed_up = meeting.starts_at - timedelta(days=12 - number)
    fields = {
        "meeting": meeting,
        "status": Status.CONFIRMED,
        "token_hash": new_token()[1],
        "created_at": signed_up,
        "confirmed_at": signed_up,
        "attended": signup.attended,
    }
    if isinstance(signup.who, Guest):
        # Guests of meetings this old were anonymised long ago (anonymise_guest_registrations).
        registration = Registration.objects.create(
            name="Anonymiseret gæst",
            email=f"anonymiseret-{meeting.pk}-{number}@invalid",
            anonymised_at=meeting.ends_at + timedelta(days=90),
            **fields,
        )
        registration.email = f"anonymiseret-{registration.pk}@invalid"
        registration.save(update_fields=["email"])
        return registration
    person = people[signup.who]
    return Registration.objects.create(
        person=person,
        name=person.get_full_name() or person.email,
        email=person.email,
        organisation=str(person.municipality or ""),
        municipality=person.municipality,
        **fields,
    )


def sign_up(meeting, who, people):
    """Sign up for an upcoming meeting through the services, as a member or as a guest."""
    if not isinstance(who, Guest):
        return services.register(meeting, people[who])
    # A guest's place counts once they confirm by the emailed link: create the unconfirmed
    # sign-up with a token we know, then confirm it through the service.
    token, token_hash = new_token()
    municipality = Municipality.objects.get(name=who.municipality) if who.municipality else None
    registration = Registration.objects.create(
        meeting=meeting,
        name=who.name,
        email=who.email,
        organisation=who.organisation or str(municipality or ""),
        municipality=municipality,
        status=Status.UNCONFIRMED,
        token_hash=token_hash,
    )
    services.confirm_guest(token)
    return registration


def ensure_action_items(meeting, actions, counter):
    for owner, text, due_on, done_on in actions:
        _item, created = ActionItem.objects.get_or_create(
            meeting=meeting,
            text=text,
            defaults={
                "owner": Municipality.objects.get(name=owner),
                "due_on": due_on,
                "done_on": done_on,
            },
        )
        counter.report(created, f"opfølgningspunkt {owner}: {text}")


def ensure_material(meeting, counter):
    """The pool's guidance, which the information meeting went through, as its material.

    The document is the one ``cms.demo`` made for the pool (no second copy).
    """
    title = "Vejledning til puljen, gennemgået på mødet"
    if MeetingDocument.objects.filter(meeting=meeting, title=title).exists():
        counter.report(False, f"materiale {title}")
        return
    document = (
        get_document_model()
        .objects.filter(collection__name=MATERIALS_COLLECTION, title="Vejledning")
        .first()
    )
    if document is None:
        return
    MeetingDocument.objects.create(meeting=meeting, document=document, title=title)
    counter.report(True, f"materiale {title}")
