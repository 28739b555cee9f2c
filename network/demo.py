"""The demo network: the 2019 partnership as in seed 002, its people and their progress.

``python manage.py load_demo_content`` calls :func:`load` after ``cms.demo`` and prints
:func:`logins`. Everything is looked up before it is created, so a second run changes
nothing.

The seed names the four partner municipalities (Randers, Rudersdal, Roskilde and
Herning) and says 18 more applied and were invited to the reference network, without
naming them; the 18 below are illustrative. The writer is defined in ``cms.demo``
(it needs them for the moderation demo and runs first; network may depend on cms,
not the other way round), so both modules mean the same person.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group
from django.core.management.base import CommandError

from cms.demo import (
    DEMO_PASSWORD,
    DEMO_POOL_SLUG,
    EDITORS_GROUP,
    POOL_2019_SLUG,
    WRITER,
    WRITERS_GROUP,
)
from cms.models import InitiativePage, PoolPage
from network.models import (
    Application,
    Assessment,
    BudgetLine,
    CriterionAnswer,
    Initiative,
    Membership,
    MembershipEvent,
    Milestone,
    Municipality,
    PartProgress,
    Role,
    RoleAssignment,
    StatusNote,
    User,
)
from network.services import MODERATORS_GROUP

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
INITIATIVE_SLUG = "strategisk-omlaegning-socialpsykiatrien"
PARTNERS = ["Randers", "Rudersdal", "Roskilde", "Herning"]
REFERENCE = [
    "Aarhus",
    "Aalborg",
    "København",
    "Esbjerg",
    "Vejle",
    "Silkeborg",
    "Viborg",
    "Holbæk",
    "Næstved",
    "Gladsaxe",
    "Frederiksberg",
    "Horsens",
    "Kolding",
    "Hjørring",
    "Svendborg",
    "Slagelse",
    "Helsingør",
    "Middelfart",
]
#: The 2019 applications were started in August, last saved when submitted, scored in
#: November and decided in December 2019.
STARTED = datetime(2019, 8, 19, 9, 30, tzinfo=COPENHAGEN)
SUBMITTED = datetime(2019, 9, 16, 14, 0, tzinfo=COPENHAGEN)
ASSESSED = datetime(2019, 11, 20, 13, 0, tzinfo=COPENHAGEN)
DECIDED = datetime(2019, 12, 19, 10, 0, tzinfo=COPENHAGEN)
PROJECT_PERIOD_START = date(2020, 1, 1)


@dataclass(frozen=True)
class DemoPerson:
    role: str
    email: str
    first_name: str
    last_name: str
    municipality: str = ""
    roles: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    agency: bool = False
    superuser: bool = False
    job_title: str = ""
    login: bool = True


PEOPLE = (
    DemoPerson(
        "Redaktør (Socialstyrelsen)",
        "redaktoer@socialstyrelsen.example",
        "Karen",
        "Holm",
        roles=(Role.AGENCY_EDITOR,),
        groups=(EDITORS_GROUP,),
        agency=True,
        job_title="Chefkonsulent",
    ),
    DemoPerson(
        "Direktør (Socialstyrelsen)",
        "direktoer@socialstyrelsen.example",
        "Jens",
        "Bruun",
        roles=(Role.AGENCY_DIRECTOR,),
        agency=True,
        job_title="Direktør",
    ),
    DemoPerson(
        "Skribent (Socialstyrelsen)",
        WRITER["email"],
        WRITER["first_name"],
        WRITER["last_name"],
        groups=(WRITERS_GROUP,),
        agency=True,
        job_title="Kommunikationsmedarbejder",
    ),
    DemoPerson(
        "Moderator (forum)",
        "moderator@socialstyrelsen.example",
        "Mette",
        "Lund",
        roles=(Role.AGENCY_MODERATOR,),
        groups=(MODERATORS_GROUP,),
        agency=True,
        job_title="Specialkonsulent",
    ),
    DemoPerson(
        "Partnerskabskommune: projektleder, Randers",
        "projektleder@randers.example",
        "Anders",
        "Kjær",
        municipality="Randers",
        roles=(Role.PROJECT_LEADER,),
        job_title="Projektleder, Socialpsykiatri",
    ),
    DemoPerson(
        "Partnerskabskommune: projektejer, Randers",
        "projektejer@randers.example",
        "Birgitte",
        "Munk",
        municipality="Randers",
        roles=(Role.PROJECT_OWNER, Role.STEERING_GROUP),
        job_title="Centerchef",
    ),
    DemoPerson(
        "Partnerskabskommune: implementeringsgruppe, Randers",
        "implementering@randers.example",
        "Camilla",
        "Vestergaard",
        municipality="Randers",
        roles=(Role.IMPLEMENTATION_GROUP,),
        job_title="Afdelingsleder, bostøtte",
    ),
    DemoPerson(
        "Referencekommune: medarbejder, Aarhus",
        "medarbejder@aarhus.example",
        "Sofie",
        "Dahl",
        municipality="Aarhus",
        job_title="Udviklingskonsulent",
    ),
    DemoPerson(
        "Ansøgerkommune: Odense",
        "ansoeger@odense.example",
        "Lars",
        "Friis",
        municipality="Odense",
        job_title="Konsulent, Socialpsykiatri og Udsatte Voksne",
    ),
    DemoPerson(
        "Administrator",
        "admin@partnerskab.example",
        "Admin",
        "",
        agency=True,
        superuser=True,
    ),
    # Project leaders of the other partners: shown on their municipality's pages.
    DemoPerson("", "projektleder@rudersdal.example", "Henrik", "Berg", "Rudersdal",
               (Role.PROJECT_LEADER,), job_title="Projektleder", login=False),
    DemoPerson("", "projektleder@roskilde.example", "Louise", "Krogh", "Roskilde",
               (Role.PROJECT_LEADER,), job_title="Projektleder", login=False),
    DemoPerson("", "projektleder@herning.example", "Jesper", "Skov", "Herning",
               (Role.PROJECT_LEADER,), job_title="Projektleder", login=False),
)  # fmt: skip

# Status per partner and part: (status, started, finished). Kept different so the
# overview shows every state.
PROGRESS = {
    "Randers": {
        1: ("done", date(2020, 1, 15), date(2020, 5, 29)),
        2: ("in_progress", date(2020, 4, 1), None),
        3: ("in_progress", date(2020, 3, 30), None),
        4: ("in_progress", date(2020, 9, 1), None),
        5: ("not_started", None, None),
    },
    "Rudersdal": {
        1: ("done", date(2020, 1, 20), date(2020, 6, 30)),
        2: ("in_progress", date(2020, 6, 1), None),
        3: ("in_progress", date(2020, 3, 30), None),
        4: ("not_started", None, None),
        5: ("not_started", None, None),
    },
    "Roskilde": {
        1: ("done", date(2020, 2, 1), date(2020, 8, 31)),
        2: ("in_progress", date(2020, 9, 1), None),
        3: ("in_progress", date(2020, 3, 30), None),
        4: ("not_started", None, None),
        5: ("not_started", None, None),
    },
    "Herning": {
        1: ("in_progress", date(2020, 2, 15), None),
        2: ("not_started", None, None),
        3: ("in_progress", date(2020, 3, 30), None),
        4: ("not_started", None, None),
        5: ("not_started", None, None),
    },
}
MILESTONES = [
    ("Randers", 1, "Kortlægningsrapport afleveret", date(2020, 5, 29), date(2020, 5, 29)),
    ("Randers", 2, "Udviklingsplan godkendt i styregruppen", date(2020, 9, 15), date(2020, 9, 15)),
    ("Randers", 2, "Kompetenceforløb for bostøtten afsluttet", date(2021, 6, 30), None),
    ("Rudersdal", 1, "Kortlægningsrapport afleveret", date(2020, 6, 30), date(2020, 6, 30)),
    ("Rudersdal", 2, "Fælles mål med borgerne i alle tilbud", date(2021, 3, 31), None),
    ("Roskilde", 1, "Kortlægningsrapport afleveret", date(2020, 8, 31), date(2020, 8, 31)),
    ("Herning", 1, "Kortlægning af tilbudsviften", date(2020, 10, 30), None),
]
NOTES = [
    ("Randers", 1, date(2020, 5, 29), "Kortlægningen er afsluttet. Den viser stor forskel på, "
     "hvor meget borgerne selv sætter mål i bostøtten og på botilbuddene."),
    ("Randers", 2, date(2020, 9, 15), "Udviklingsplanen er godkendt. Vi starter med fælles "
     "recovery-sprog på tværs af myndighed og udfører."),
    ("Rudersdal", 2, date(2020, 8, 20), "Implementeringsgruppen er nedsat med ledere fra alle "
     "tilbud og myndighed; første møde er holdt."),
    ("Roskilde", 1, date(2020, 8, 31), "Kortlægningen er færdig. Vi vil særligt arbejde med "
     "borgerens netværk og samarbejdet med civilsamfundet."),
    ("Herning", 1, date(2020, 10, 1), "Kortlægningen er forsinket på grund af covid-19; vi "
     "forventer at være færdige i slutningen af oktober."),
]  # fmt: skip


# The public CVR numbers of the municipalities whose staff log in to the demo (and of
# the partners), so that MitID Erhverv logins can be tried against a test provider.
CVR_NUMBERS = {
    "Randers": "29189668",
    "Aarhus": "55133018",
    "Odense": "35209115",
    "Rudersdal": "29188548",
    "Roskilde": "29188386",
    "Herning": "29189919",
}


class Counter:
    def __init__(self, stdout):
        self.stdout = stdout

    def report(self, created, what):
        self.stdout.write(f"  {'oprettet' if created else 'findes   '}  {what}")


def load(stdout):
    counter = Counter(stdout)
    ensure_cvr_numbers(counter)
    people = {person.email: ensure_person(person, counter) for person in PEOPLE}
    editor = people["redaktoer@socialstyrelsen.example"]
    # The caseworkers recommended and the director decided (grants.demo files the list).
    director = people["direktoer@socialstyrelsen.example"]
    pool = PoolPage.objects.filter(slug=POOL_2019_SLUG).first()
    if pool is None:
        raise CommandError("The 2019 pool is missing; cms.demo must run first.")
    initiative = ensure_initiative(pool, counter)
    for name in PARTNERS + REFERENCE:
        decision = (
            Application.Decision.PARTNER if name in PARTNERS else Application.Decision.REFERENCE
        )
        ensure_decided_application(pool, initiative, name, decision, editor, director, counter)
    for name, parts in PROGRESS.items():
        ensure_progress(initiative, name, parts, people, counter)
    ensure_demo_pool_draft(people["ansoeger@odense.example"], counter)
    settle_dates(pool)


def settle_dates(pool):
    """History as it happened, not the day the demo was loaded: the timestamps Django
    sets to "now" (created, last saved, scored, updated) put back to when the 2019
    applications and the partners' progress were written. Also mends a demo loaded
    before this was done; a second run changes nothing."""
    applications = Application.objects.filter(pool=pool, status=Application.Status.DECIDED)
    applications.update(created_at=STARTED, updated_at=SUBMITTED)
    Assessment.objects.filter(application__in=applications).update(assessed_at=ASSESSED)
    for progress in PartProgress.objects.filter(membership__initiative__pool=pool):
        when = progress.finished_on or progress.started_on or PROJECT_PERIOD_START
        PartProgress.objects.filter(pk=progress.pk).update(updated_at=_noon(when))
    for note in StatusNote.objects.filter(membership__initiative__pool=pool):
        StatusNote.objects.filter(pk=note.pk).update(created_at=_noon(note.written_on))


def _noon(day):
    return datetime.combine(day, datetime.min.time(), tzinfo=COPENHAGEN) + timedelta(hours=12)


def ensure_cvr_numbers(counter):
    for name, cvr in CVR_NUMBERS.items():
        changed = Municipality.objects.filter(name=name, cvr="").update(cvr=cvr)
        counter.report(bool(changed), f"CVR-nummer for {name}")


def ensure_person(person, counter):
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
    changed = False
    if person.municipality and user.municipality_id is None:
        user.municipality = Municipality.objects.get(name=person.municipality)
        changed = True
    if person.agency and not user.is_agency_staff:
        user.is_agency_staff = True
        changed = True
    if person.job_title and not user.job_title:
        user.job_title = person.job_title
        changed = True
    if changed:
        user.save()
    for role in person.roles:
        RoleAssignment.objects.get_or_create(person=user, role=role)
    for name in person.groups:
        user.groups.add(group(name))
    counter.report(created, f"person {person.email}")
    return user


def group(name):
    try:
        return Group.objects.get(name=name)
    except Group.DoesNotExist:
        raise CommandError(
            f'The group "{name}" is missing; run "manage.py migrate" first.'
        ) from None


def ensure_initiative(pool, counter):
    initiative = Initiative.objects.filter(slug=INITIATIVE_SLUG).first()
    created = initiative is None
    if created:
        initiative = Initiative.objects.create(
            title="Partnerskab om strategisk omlægning af socialpsykiatrien",
            slug=INITIATIVE_SLUG,
            pool=pool,
            page=InitiativePage.objects.filter(slug="partnerskabet").first(),
            project_period_start=PROJECT_PERIOD_START,
            project_period_end=date(2022, 9, 30),
        )
    counter.report(created, f"initiativ {initiative.title}")
    return initiative


def ensure_decided_application(pool, initiative, name, decision, editor, director, counter):
    municipality = Municipality.objects.get(name=name)
    application = Application.objects.filter(pool=pool, municipality=municipality).first()
    created = application is None
    if created:
        slug = municipality.slug
        application = Application.objects.create(
            pool=pool,
            municipality=municipality,
            status=Application.Status.DECIDED,
            project_leader_name=f"Projektleder i {name}",
            project_leader_email=f"projektleder@{slug}.example",
            centre_chief_name=f"Centerchef i {name}",
            centre_chief_approved=True,
            submitted_at=SUBMITTED,
            decision=decision,
            decision_note=(
                "Blandt de kommuner, der er længst i udviklingen og omstillingen af "
                "socialpsykiatrien."
                if decision == Application.Decision.PARTNER
                else "Et stærkt ansøgerfelt; kommunen tilbydes en plads i referencenetværket."
            ),
            decided_at=DECIDED,
            decided_by=director,
        )
        strong = decision == Application.Decision.PARTNER
        for number, criterion in enumerate(pool.award_criteria.all(), start=1):
            CriterionAnswer.objects.create(
                application=application,
                criterion=criterion,
                text=f"{name} Kommunes svar på kriterium {number}, {criterion.title.lower()}.",
            )
            Assessment.objects.create(
                application=application,
                criterion=criterion,
                score=5 if strong else 3 + number % 2,
                note="Overbevisende." if strong else "Godt, men ikke så langt i omlægningen.",
                assessed_by=editor,
            )
        BudgetLine.objects.bulk_create(
            [
                BudgetLine(
                    application=application,
                    month=date(2020, 1, 1),
                    description="Projektleder, 30 timer om ugen",
                    amount=Decimal("42000"),
                ),
                BudgetLine(
                    application=application,
                    month=date(2020, 3, 1),
                    description="Kursus i recovery-orienteret praksis for 15 medarbejdere",
                    amount=Decimal("60000"),
                ),
            ]
        )
        membership, _ = Membership.objects.get_or_create(
            initiative=initiative,
            municipality=municipality,
            defaults={"status": decision, "since": DECIDED.date()},
        )
        MembershipEvent.objects.create(
            membership=membership, status=Membership.Status.APPLICANT, date=SUBMITTED.date()
        )
        MembershipEvent.objects.create(
            membership=membership, status=decision, date=DECIDED.date(), recorded_by=director
        )
    counter.report(created, f"ansøgning og medlemskab {name}")


def ensure_progress(initiative, name, parts, people, counter):
    membership = Membership.objects.get(initiative=initiative, municipality__name=name)
    created = not membership.progress.exists()
    if created:
        for part, (status, started, finished) in parts.items():
            PartProgress.objects.create(
                membership=membership,
                part=part,
                status=status,
                started_on=started,
                finished_on=finished,
            )
        for municipality, part, title, due, reached in MILESTONES:
            if municipality == name:
                Milestone.objects.create(
                    membership=membership, part=part, title=title, due_on=due, reached_on=reached
                )
        author = User.objects.filter(
            municipality=membership.municipality, role_assignments__role=Role.PROJECT_LEADER
        ).first()
        for municipality, part, written_on, text in NOTES:
            if municipality == name:
                StatusNote.objects.create(
                    membership=membership,
                    part=part,
                    text=text,
                    written_on=written_on,
                    author=author,
                )
    counter.report(created, f"fremdrift {name}")


def ensure_demo_pool_draft(applicant, counter):
    """Odense has started (not submitted) an application to the open demo pool."""
    pool = PoolPage.objects.filter(slug=DEMO_POOL_SLUG).first()
    if pool is None:
        return
    _application, created = Application.objects.get_or_create(
        pool=pool,
        municipality=applicant.municipality,
        defaults={"created_by": applicant, "project_leader_name": applicant.get_full_name()},
    )
    counter.report(created, "kladde til demo-puljen, Odense")


def logins():
    """(role in Danish, email, password) for every demo login, for the command to print."""
    return [(person.role, person.email, DEMO_PASSWORD) for person in PEOPLE if person.login]
