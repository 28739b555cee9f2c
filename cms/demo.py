"""The demo site's pages, snippets and settings, built from the five seed documents.

``python manage.py load_demo_content`` calls :func:`load` first (cms comes first in
INSTALLED_APPS), then the other apps' demo modules. Everything is looked up by slug,
name, title or email before it is created, so a second run changes nothing: an
existing page is left alone and never gets a second revision.

The seed pages are published and then back-dated to the dates the seeds give
("Senest opdateret"), so the site shows the 2017 to 2019 dates as Socialstyrelsen did.
One pool is made up for the demo so that the site has an open pool: its deadline
is 21 days after the day of the first run.

The moderation demo needs the writer who submitted the draft. This module must not
import ``network`` (cms depends on no app of ours), and it runs before
``network.demo``. So it gets or creates the writer itself, by email, through
``get_user_model()``, and puts them in the cms-owned group "Skribenter". The writer's
identity is defined here once (:data:`WRITER`); ``network.demo`` imports it from here
(network may depend on cms) and finds the same person when it creates the other demo
people, so whichever module runs first creates the writer and the other finds them.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import CommandError
from django.utils import formats, timezone, translation
from wagtail.documents import get_document_model
from wagtail.models import Collection, Page, Revision, Workflow

from cms.models import (
    AwardCriterion,
    ConceptPage,
    ContactPerson,
    HomePage,
    InitiativePage,
    InitiativeProjectPart,
    NewsContact,
    NewsIndexPage,
    NewsPage,
    PoolContact,
    PoolDocument,
    PoolIndexPage,
    PoolPage,
    ProjectPart,
    SiteSettings,
    StandardPage,
)

COPENHAGEN = ZoneInfo("Europe/Copenhagen")

#: The password of every demo login; load_demo_content prints it with the logins.
DEMO_PASSWORD = "partnerskab"

#: Group and workflow names as cms/migrations/0002_editorial_groups.py renamed them.
EDITORS_GROUP = "Redaktører"
WRITERS_GROUP = "Skribenter"
WORKFLOW_NAME = "Redaktionel godkendelse"

#: The writer who drafts the news item waiting for approval (see the module docstring).
WRITER = {"email": "skribent@socialstyrelsen.example", "first_name": "Jonas", "last_name": "Bech"}

DEMO_OPEN_POOL_DAYS = 21
DEMO_SCHEDULED_NEWS_DAYS = 30

POOL_2019_SLUG = "recovery-og-rehabilitering-2019"
POOL_2017_SLUG = "lovende-praksis-2017"
DEMO_POOL_SLUG = "udbredelse-recovery-demo"
DRAFT_NEWS_SLUG = "referencenetvaerket-moedes"
SCHEDULED_NEWS_SLUG = "demo-puljen-ansoegninger-behandles"
ACCESSIBILITY_SLUG = "tilgaengelighedserklaering"

MATERIALS_COLLECTION = "Ansøgningsmateriale: Recovery og rehabilitering 2019"


def copenhagen(day, hour=12, minute=0):
    """An aware datetime at the given time of day in Danish time."""
    return datetime.combine(day, time(hour, minute), tzinfo=COPENHAGEN)


def today_in_copenhagen():
    return timezone.now().astimezone(COPENHAGEN).date()


def paragraphs(*texts):
    return "".join(f"<p>{text}</p>" for text in texts)


def bullets(*items):
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def heading(text, level="h2"):
    return ("heading", {"text": text, "level": level})


def paragraph(*texts):
    return ("paragraph", paragraphs(*texts))


def bullet_list(*items, lead=""):
    return ("paragraph", (paragraphs(lead) if lead else "") + bullets(*items))


def section(title, *items):
    return ("section", {"heading": title, "text": bullets(*items)})


def page_link(page, text):
    return f'<a linktype="page" id="{page.pk}">{text}</a>'


# --- Seed facts -------------------------------------------------------------------------

POOL_2019_TITLE = (
    "Social investeringspulje til recovery og rehabilitering: Partnerskab om strategisk omlægning"
)

TARGET_GROUP_2019 = paragraphs(
    "Målgruppen for ansøgningspuljen er borgere over 18 år, som har psykiske vanskeligheder, "
    "og som enten modtager eller med den rette indsats kan forebygge behovet for at modtage "
    "ydelser efter serviceloven."
)

#: The six award criteria from the information meeting's slides (seed 001), in order.
AWARD_CRITERIA_2019 = [
    (
        "Relevans",
        paragraphs(
            "At ansøger, formål og målgruppe ligger inden for ansøgningspuljens ansøgerkreds, "
            "formål og målgruppe."
        ),
    ),
    (
        "Indsats",
        paragraphs(
            "At ansøger redegør for behovet for støtte til at afholde nogle af de initial- og "
            "udviklingsomkostninger, der kan være ved investering i en strategisk udvikling og "
            "omlægning af socialpsykiatrien.",
            "At ansøger er i gang med strategisk og målrettet at udvikle det rehabiliterende og "
            "recovery-orienterede arbejde.",
            "At ansøger bidrager til udvikling og afprøvning af det koncept for udviklingen og "
            "omstillingen, der udvikles i initiativet.",
        ),
    ),
    (
        "Organisation, samarbejde og dokumentation",
        paragraphs(
            "At ansøger indgår i et samarbejde med Socialstyrelsen og den af Socialstyrelsen "
            "udvalgte eksterne leverandør.",
            "Projektsamarbejdet er godkendt på centerchefniveau hos ansøger.",
            "At ansøger udpeger en projektleder og etablerer et implementeringsteam.",
            "At ansøger bidrager til dokumentation og evaluering af indsatsen og samarbejder med "
            "Socialstyrelsen og den eksterne leverandør herom.",
        ),
    ),
    (
        "Sammenhæng",
        paragraphs(
            "At ansøger beskriver projektets sammenhæng mellem formål, målgruppe, aktiviteter, "
            "målsætninger på borgerniveau, tidsplan, organisering mv."
        ),
    ),
    (
        "Budget",
        paragraphs("At der er overensstemmelse mellem budget og beskrevne aktiviteter."),
    ),
    (
        "Forankring",
        paragraphs(
            "At ansøger beskriver, hvordan de planlægger at videreføre udviklingen og "
            "omstillingen efter tilskudsperiodens ophør."
        ),
    ),
]

#: The criteria the made-up open pool borrows from the 2019 pool.
DEMO_POOL_CRITERIA = ("Relevans", "Sammenhæng", "Budget", "Forankring")

#: (title, file name, kind) of the 2019 pool's application material.
MATERIALS_2019 = [
    ("Bekendtgørelse", "recovery-2019-bekendtgoerelse.txt", PoolDocument.APPLICATION),
    ("Vejledning", "recovery-2019-vejledning.txt", PoolDocument.APPLICATION),
    (
        "Bilag 1: Figurer til vejledning",
        "recovery-2019-bilag-1-figurer-til-vejledning.txt",
        PoolDocument.APPLICATION,
    ),
    (
        "Kopi af ansøgningsskema",
        "recovery-2019-kopi-af-ansoegningsskema.txt",
        PoolDocument.APPLICATION,
    ),
    ("Kopi af budgetskema", "recovery-2019-kopi-af-budgetskema.txt", PoolDocument.APPLICATION),
    ("Regnskabsskema", "recovery-2019-regnskabsskema.txt", PoolDocument.OTHER),
    ("Statusrapport", "recovery-2019-statusrapport.txt", PoolDocument.OTHER),
]

JULIE_TANG = "Julie Tang"
MARIA_LINCKE_LOKKE = "Maria Lincke Løkke"
ANDREAS_BENEDIKTSON = "Andreas Benediktson"
GITTE_BOSSI_ANDRESEN = "Gitte Bossi-Andresen"

CONTACT_PEOPLE = [
    {
        "name": JULIE_TANG,
        "unit": "Center for Økonomi og Tilskudsadministration",
        "email": "jult@socialstyrelsen.dk",
        "phone": "72 42 41 33",
        "phone_hours": "10.00–14.00",
    },
    {"name": MARIA_LINCKE_LOKKE, "job_title": "Chefkonsulent"},
    {"name": ANDREAS_BENEDIKTSON, "job_title": "Specialkonsulent"},
    {"name": GITTE_BOSSI_ANDRESEN, "job_title": "Leder af Opsporing og Tidlig Indsats"},
]

SITE_SETTINGS = {
    "contact_email": "tilskudsforvaltning@socialstyrelsen.dk",
    "contact_phone": "72 42 41 33",
    "address": "Socialstyrelsen, Edisonsvej 18, 1., 5000 Odense C",
}


# --- Helpers ----------------------------------------------------------------------------


class Loader:
    """Creates what is missing and says on stdout what it created or found."""

    def __init__(self, stdout):
        self.stdout = stdout

    def say(self, created, what):
        self.stdout.write(f"  {'oprettet' if created else 'findes   '}  {what}")

    def page(self, parent, slug, build, *, published=None, updated=None, in_menu=False):
        """The child of ``parent`` with ``slug``; built and published if it is missing.

        ``build()`` returns the unsaved page; it is called only when the page is missing,
        so whatever it creates on the side (documents) is created once. ``published`` and
        ``updated`` back-date the first and last publication to the seed's dates.
        """
        existing = parent.get_children().filter(slug=slug).first()
        if existing is not None:
            existing = existing.specific
            self.say(False, f"side {existing.url_path}")
            return existing
        page = build()
        page.slug = slug
        page.live = False
        page.show_in_menus = in_menu
        parent.add_child(instance=page)
        page.save_revision().publish()
        if updated is not None:
            backdate(page, published or updated, updated)
        page.refresh_from_db()
        self.say(True, f"side {page.url_path}")
        return page


def backdate(page, first_published_at, last_published_at):
    """Set the publication dates to what the seed says, without a new revision."""
    Page.objects.filter(pk=page.pk).update(
        first_published_at=first_published_at,
        last_published_at=last_published_at,
        latest_revision_created_at=last_published_at,
    )
    Revision.objects.filter(pk=page.latest_revision_id).update(created_at=last_published_at)


def ensure_writer(loader):
    """The demo writer, found or created by email through the configured user model."""
    User = get_user_model()
    user = User._default_manager.filter(email__iexact=WRITER["email"]).first()
    created = user is None
    if created:
        credentials = {"email": WRITER["email"], User.USERNAME_FIELD: WRITER["email"]}
        user = User._default_manager.create_user(
            **credentials,
            password=DEMO_PASSWORD,
            first_name=WRITER["first_name"],
            last_name=WRITER["last_name"],
        )
    loader.say(created, f"skribent {user.email}")
    user.groups.add(editorial_group(WRITERS_GROUP))
    return user


def editorial_group(name):
    try:
        return Group.objects.get(name=name)
    except Group.DoesNotExist:
        raise CommandError(
            f'The group "{name}" is missing; run "manage.py migrate" first.'
        ) from None


def ensure_contacts(loader):
    people = {}
    for fields in CONTACT_PEOPLE:
        fields = dict(fields)
        name = fields.pop("name")
        person, created = ContactPerson.objects.get_or_create(name=name, defaults=fields)
        loader.say(created, f"kontaktperson {name}")
        people[name] = person
    return people


def ensure_documents(loader):
    """The 2019 pool's application material: small text files standing in for the real ones."""
    Document = get_document_model()
    root = Collection.get_first_root_node()
    collection = root.get_children().filter(name=MATERIALS_COLLECTION).first()
    if collection is None:
        collection = root.add_child(name=MATERIALS_COLLECTION)
    documents = []
    for title, filename, kind in MATERIALS_2019:
        document = Document.objects.filter(collection=collection, title=title).first()
        if document is None:
            text = (
                f"{title}\n\n"
                f"Denne fil står i stedet for det rigtige dokument »{title}« til puljen "
                f"»{POOL_2019_TITLE}«. Den er lavet til demo-udgaven af "
                "Partnerskabsplatformen og har intet juridisk indhold. Det rigtige dokument "
                "blev offentliggjort af Socialstyrelsen på Tilskudsportalen.\n"
            )
            document = Document(
                title=title,
                collection=collection,
                file=ContentFile(text.encode("utf-8"), name=filename),
            )
            document._set_document_file_metadata()
            document.save()
            loader.say(True, f"dokument {title}")
        documents.append((document, kind))
    return documents


def ensure_site_settings(loader, accessibility_statement):
    """Fill in the site settings that are still empty; never overwrite an editor's choice."""
    site_settings = SiteSettings.load()
    changed = []
    if site_settings.accessibility_statement_id is None:
        site_settings.accessibility_statement = accessibility_statement
        changed.append("accessibility_statement")
    for field, value in SITE_SETTINGS.items():
        if not getattr(site_settings, field):
            setattr(site_settings, field, value)
            changed.append(field)
    if changed:
        site_settings.save()
    loader.say(bool(changed), "indstillinger for webstedet")


# --- Pages ------------------------------------------------------------------------------


def build_pool_2019(contacts, documents):
    return PoolPage(
        title=POOL_2019_TITLE,
        intro=(
            "Socialstyrelsen har udmeldt en ansøgningspulje på 13,0 mio. kr. i 2019, hvor "
            "kommuner, der allerede er langt i udviklingen og omlægningen af socialpsykiatrien, "
            "kan få støtte til en yderligere strategisk udvikling og omlægning af indsatsen med "
            "fokus på recovery og rehabilitering."
        ),
        amount=13_000_000,
        deadline=copenhagen(date(2019, 9, 17)),
        project_period_start=date(2020, 1, 1),
        project_period_end=date(2022, 9, 30),
        finance_law_account="§ 15.75.55.10",
        purpose=paragraphs(
            "Formålet med ansøgningspuljen er at støtte kommunernes strategiske udvikling og "
            "omlægning af indsatsen på socialpsykiatriområdet med fokus på recovery og "
            "rehabilitering.",
            "De to til fire kommuner, der opnår tilskud fra ansøgningspuljen, skal indgå i et "
            "partnerskab med Socialstyrelsen og den eksterne leverandør. De skal være med til at "
            "udvikle og afprøve et samlet koncept for udvikling og omlægning af "
            "socialpsykiatriområdet med et større fokus på recovery og rehabilitering. "
            "Kommunerne skal således bidrage med at dele, drøfte og udvikle ny viden og aktivt "
            "omsætte denne viden i praksis og dermed udvikle den kommunale socialpsykiatri.",
            "Ud over at udvikle og omlægge sin egen socialpsykiatri skal kommunen – med "
            "udgangspunkt i egne erfaringer – medvirke i udviklingen af et generisk koncept. "
            "Konceptet skal kunne anvendes af alle landets kommuner, der ønsker en udvikling og "
            "omlægning til en recovery-orienteret og rehabiliterende tilgang.",
            "De kommuner, der måtte søge uden at opnå midler fra puljen, vil blive tilbudt at "
            "blive tilknyttet projektet som referencekommune og kan derved få nytte af de "
            "koncepter og erfaringer, der udvikles i projektet.",
        ),
        target_group=TARGET_GROUP_2019,
        who_can_apply=paragraphs(
            "Ansøgerkredsen er alle landets kommuner.",
            "Ansøgere skal være opmærksomme på, at der skal anvendes en "
            "NemID-medarbejdersignatur ved oprettelse og indsendelse af ansøgninger.",
        ),
        what_can_be_funded=paragraphs("Projektudgifter i relation til projektet."),
        practical_information=[
            section(
                "Informationsmøde",
                "Der afholdes informationsmøde for interesserede kommuner mandag den 19. august "
                "2019 kl. 15.30–17.00 hos Socialstyrelsen i Odense.",
                "På mødet fortælles der mere om investeringspuljen, ligesom der vil være "
                "mulighed for at stille spørgsmål.",
            ),
            section(
                "Bekendtgørelse og ansøgningsvejledning",
                "Bekendtgørelsen er det juridiske grundlag for fordelingen af midler.",
                "Bekendtgørelsens første del (kap. 1–6) handler om krav og kriterier, ansøgere "
                "skal leve op til for at komme i betragtning til støtte. Anden del (kap. 6–13) "
                "regulerer administrationen af tilskuddet.",
                "Ansøgningsvejledningen er en hjælp til udarbejdelse af ansøgningen.",
            ),
            section(
                "Sådan søger I: Tilskudsportalen",
                "Ansøgninger skal indsendes elektronisk via den elektroniske ansøgningsportal, "
                "Tilskudsportalen.",
                "I skal benytte NemID-medarbejdersignatur ved oprettelse af ansøgning. "
                "Organisationer, som er CVR-registreret, skal bruge organisationens "
                "medarbejder-NemID til login.",
                "Begynd i god tid med at udfylde ansøgningsskemaet. Husk at gemme løbende.",
                "Efter kl. 12.00 er det ikke længere muligt at indsende ansøgninger.",
                "Ved tekniske problemer – kontakt os <b>inden</b> ansøgningsfristen!",
            ),
            section(
                "Udfyldelse af ansøgningsskemaet",
                "Læs bekendtgørelsen og vejledningen grundigt igennem med vægt på, hvilke "
                "kriterier der skal være opfyldt for at opnå støtte.",
                "Skriv alene det, som der bliver spurgt om – kort og præcist.",
                "Alle tildelingskriterierne skal besvares.",
            ),
            section(
                "Udfyldelse af budget",
                "Udgifter skal fordeles på måneder i det projektår, hvor projektet har udgifter.",
                "Udgifter skal specificeres i budgettet og kan ikke samles i overordnede "
                "budgetposter som fx løn til medarbejdere, overhead og diverse.",
                "Vær opmærksom på, hvilke udgifter der er støtteberettigede.",
                "Der kan udarbejdes budgetnoter til aktiviteterne.",
            ),
            section(
                "Sagsbehandling og tildeling af tilskud",
                "Ansøgningsfrist: tirsdag den 17. september 2019 kl. 12.00.",
                "Efter ansøgningsfristens udløb igangsættes sagsbehandlingen af indkomne "
                "ansøgninger.",
                "Sagsbehandlingen foretages alene på baggrund af den indsendte ansøgning og "
                "dertilhørende budget samt evt. budgetnoter.",
                "Alle ansøgninger vurderes på samme grundlag og ud fra tildelingskriterierne.",
                "Den endelige afgørelse foretages af styrelsens direktør.",
                "Oversigt over tilskudsmodtagere offentliggøres på Tilskudsportalen, og der "
                "sendes svar til alle ansøgere via Tilskudsportalen – forventeligt i december.",
            ),
            section(
                "Min tilskudsside på Tilskudsportalen",
                "På <i>Mine tilskudssager</i> kan man hele tiden følge status for "
                "ansøgning/tilskudssag.",
                "Når sagsbehandlingen af samtlige ansøgninger er tilendebragt, vil svar på "
                "ansøgning fremgå af <i>Mine tilskudssager</i>.",
                "Alle brugere tilknyttet en ansøgning modtager en mail om, at der er ny "
                "information på sagen.",
                "Henvendelse om en ansøgning/tilskudssag til og fra Socialstyrelsen foretages "
                "via Tilskudsportalen (fx yderligere information, regnskab, rapport mv.).",
            ),
            section(
                "Bilag",
                "Der foretages en vurdering af projektet ud fra oplysningerne i ansøgningen og "
                "budgettet, herunder eventuelle budgetnoter.",
                "Bilag til ansøgningen indgår alene i vurderingen, såfremt det fremgår af "
                "ansøgningsvejledningen, at ansøger skal eller kan indsende specifikke bilag.",
                "Øvrige bilag, som fremsendes, vil således ikke indgå i sagsbehandlingen.",
            ),
            section(
                "Kontaktoplysninger",
                "Henvendelser om tilskudsfaglige og administrative spørgsmål kan rettes til "
                "tilskudsforvaltning@socialstyrelsen.dk eller jult@socialstyrelsen.dk eller pr. "
                "tlf. på 72 42 41 33 i telefontiden kl. 10.00–14.00.",
                "Henvendelser om tekniske spørgsmål kan rettes til portal@socialstyrelsen.dk.",
                "Efter tilsagn om tilskud: projektspecifikke spørgsmål indsendes via "
                "Tilskudsportalen.",
            ),
        ],
        award_criteria=[
            AwardCriterion(title=title, description=description)
            for title, description in AWARD_CRITERIA_2019
        ],
        materials=[PoolDocument(document=document, kind=kind) for document, kind in documents],
        contacts=[PoolContact(contact=contacts[JULIE_TANG])],
    )


def build_pool_2017():
    """The 2017 pool from the news item (seed 004); what the seed does not say stays blank."""
    return PoolPage(
        title="Udvikling af lovende praksis på børne- og ungeområdet",
        intro=(
            "En ansøgningspulje for kommuner, der har en lovende praksis på børne- og "
            "ungeområdet, og som ønsker at videreudvikle og evaluere deres praksis i samarbejde "
            "med Socialstyrelsen og en ekstern leverandør."
        ),
        deadline=copenhagen(date(2017, 5, 1)),
        purpose=paragraphs(
            "I løbet af projektperioden skal man som kommune indgå i et tæt samarbejde med en "
            "ekstern leverandør og Socialstyrelsen om at udvikle den lovende praksis. Det sker "
            "gennem et forløb, hvor kommunens praksis analyseres og derefter suppleres og "
            "kvalificeres ud fra aktuel bedste viden på området. Den lovende praksis skal "
            "derudover beskrives, og resultaterne skal dokumenteres for at få mere viden om, "
            "hvordan praksis virker for borgerne.",
            "Både medarbejdere og ledelse i kommunen vil spille en aktiv rolle gennem hele "
            "projektet. Projektperioden løber fra 2017–19, og det forventes, at 7–8 kommuner "
            "vil kunne deltage i projektet.",
        ),
        target_group=paragraphs(
            "Ansøgningspuljens målgruppe er udsatte børn og unge og deres familier, der har "
            "behov for særlig støtte, eller er i risiko for at udvikle behov for særlig støtte."
        ),
        who_can_apply=paragraphs(
            "Ansøgerkredsen til puljen er landets kommuner. Man kan eventuelt søge i samarbejde "
            "med sociale tilbud eller organisationer.",
            "Kommunerne skal have en lovende praksis i den forebyggende indsatsvifte for at kunne "
            "søge om at deltage i projektet.",
        ),
        practical_information=[
            section(
                "Informationsmøder",
                "Vejle, tirsdag den 28. marts 2017 kl. 12–16.",
                "København, torsdag den 30. marts 2017 kl. 12–16.",
                "Her kan man høre mere om projektets formål og aktiviteter samt blive klogere på "
                "selve ansøgningsprocessen. Alle interesserede kommuner er velkomne.",
            ),
        ],
    )


def build_demo_pool(first_run):
    criteria = dict(AWARD_CRITERIA_2019)
    return PoolPage(
        title="Udbredelse af recovery-orienteret socialpsykiatri (demo)",
        intro=(
            "Demo: en opdigtet pulje, der viser, hvordan en åben ansøgningspulje ser ud på "
            "platformen. Kommuner kan søge støtte til at udbrede erfaringerne fra partnerskabet "
            "om recovery-orienteret og rehabiliterende socialpsykiatri."
        ),
        amount=5_000_000,
        deadline=copenhagen(first_run + timedelta(days=DEMO_OPEN_POOL_DAYS)),
        project_period_start=date(first_run.year + 1, 1, 1),
        project_period_end=date(first_run.year + 2, 12, 31),
        purpose=paragraphs(
            "Puljen er opdigtet til demonstration af platformen og findes ikke i virkeligheden.",
            "Formålet er at støtte kommuner, der vil bruge konceptet for strategisk udvikling og "
            "omlægning af socialpsykiatrien, som partnerskabskommunerne har været med til at "
            "udvikle, i deres egen socialpsykiatri.",
        ),
        target_group=TARGET_GROUP_2019,
        who_can_apply=paragraphs("Ansøgerkredsen er alle landets kommuner."),
        what_can_be_funded=paragraphs("Projektudgifter i relation til projektet."),
        practical_information=[
            (
                "callout",
                {
                    "variant": "important",
                    "title": "Demo-pulje",
                    "text": paragraphs(
                        "Puljen er en del af demo-indholdet. Ansøgninger til den bliver ikke "
                        "behandlet."
                    ),
                },
            ),
            section(
                "Sagsbehandling",
                "Efter kl. 12.00 på fristdagen er det ikke længere muligt at indsende ansøgninger.",
                "Alle ansøgninger vurderes på samme grundlag og ud fra tildelingskriterierne.",
            ),
        ],
        award_criteria=[
            AwardCriterion(title=title, description=criteria[title]) for title in DEMO_POOL_CRITERIA
        ],
    )


def build_news_2019_12_19(contacts, pool_2019):
    """Seed 002: the four partner municipalities and the reference network."""
    return NewsPage(
        title="22 kommuner vil være med til at udvikle socialpsykiatrien",
        date=date(2019, 12, 19),
        intro=(
            "Hele 22 kommuner har ønsket at samarbejde med Socialstyrelsen om at udvikle et "
            "koncept for en strategisk udvikling og omlægning af socialpsykiatrien. Randers, "
            "Rudersdal, Roskilde og Herning kommuner bliver partnerskabskommuner, og de øvrige "
            "kommuner inviteres til at indgå i et referencenetværk."
        ),
        body=[
            paragraph(
                "Socialstyrelsen udmeldte tidligere på året en "
                + page_link(pool_2019, "investeringspulje")
                + ", der gav alle landets kommuner mulighed for at søge om at blive en af de "
                "to-fire partnerskabskommuner, som skal arbejde med at udvikle og afprøve et "
                "koncept for en strategisk udvikling og omlægning til recovery-orientering i "
                "socialpsykiatrien. Sigtet er en socialpsykiatri, der i endnu højere grad tager "
                "udgangspunkt i borgerens ønsker, behov og ressourcer.",
                "Der var rigtig mange gode ansøgninger, og Socialstyrelsen har nu valgt fire "
                "kommuner. De øvrige ansøgerkommuner tilbydes at deltage i et referencenetværk "
                "for initiativet.",
            ),
            heading("Partnerskabskommunerne"),
            paragraph(
                "Socialstyrelsen har på baggrund af ansøgningerne vurderet, at Randers, "
                "Rudersdal, Roskilde og Herning kommuner er de kommuner blandt ansøgerne, der er "
                "længst i udviklingen og omstillingen af socialpsykiatrien.",
                "Det vurderes derfor også, at de fire kommuner vil kunne bidrage med vigtig viden "
                "og erfaring i det fælles udviklingsarbejde, der skal pågå i perioden frem til "
                "2022.",
            ),
            heading("Referencekommuner"),
            paragraph(
                "Men det var et særdeles stærkt ansøgerfelt, og der er blandt de 18 kommuner, som "
                "ikke har fået del i puljen, en stor viden og erfaring, som kan bidrage til at "
                "tegne retningen for fremtidens socialpsykiatri. De vil derfor blive inviteret "
                "til at være en del af et referencenetværk. Referencenetværket vil følge arbejdet "
                "i partnerskabet tæt og både få inspiration og viden fra arbejdet og mulighed for "
                "at dele deres erfaringer."
            ),
            heading("Praktiske oplysninger"),
            paragraph(
                "Det første styregruppemøde med de nye partnerskabskommuner finder sted den "
                "7. januar 2020 kl. 12–14 i Socialstyrelsen.",
                "Opstartsmødet for projektejere og implementeringsgrupperne i "
                "partnerskabskommunerne afholdes den 28. januar 2020 kl. 10–12 i "
                "Socialstyrelsen.",
                "Det første møde i referencenetværket afholdes den 30. marts 2020.",
                "Alle mødedeltagere får direkte besked.",
            ),
            paragraph(
                "Initiativet til omlægning og udvikling af socialpsykiatrien er ét ud af seks "
                "initiativer, der har til formål at styrke det socialpsykiatriske område."
            ),
        ],
        contacts=[NewsContact(contact=contacts[MARIA_LINCKE_LOKKE])],
    )


def build_news_2019_12_15(contacts):
    """Seed 003: 90 mio. kr. for five new initiatives.

    The seed's list of the five initiatives ("Initiativerne er:") was lost when the
    page was copied; the item says only what the seed says.
    """
    return NewsPage(
        title="90 mio. kr. til nye virksomme indsatser på vej",
        date=date(2019, 12, 15),
        intro=(
            "Social- og indenrigsministeren og ordførerkredsen bag Udviklings- og "
            "investeringsprogrammerne har fordelt 90 mio. kr. til fem store initiativer. De nye "
            "initiativer skal bl.a. styrke indsatsen over for børn og unge med bekymrende "
            "skolefravær, unge og voksne med opmærksomhedsforstyrrelser og mennesker med "
            "psykiske vanskeligheder og samtidigt misbrug."
        ),
        body=[
            paragraph(
                "Socialstyrelsen inviterer i 2020 kommuner, regioner og andre aktører ind i et "
                "fælles arbejde med de nye initiativer i Udviklings- og investeringsprogrammerne.",
                "Med aftalen for Udviklings- og investeringsprogrammerne i 2020 har social- og "
                "indenrigsministeren og ordførerkredsen bag programmerne fordelt 90 mio. kr. til "
                "fem nye initiativer, som skal imødegå nogle af de aktuelle store udfordringer på "
                "socialområdet.",
            ),
            heading("Nye ansøgningsmuligheder i 2020"),
            paragraph(
                "Kommuner, regioner og andre aktører får via initiativerne mulighed for at "
                "deltage i et udviklingsrum med Socialstyrelsen. Gennem deltagelse i "
                "initiativerne styrkes det lokale arbejde, og den nationale udvikling af "
                "socialpolitiske løsninger præges af lokal viden og erfaringer fra praksis.",
                "Der bliver i 2020 mulighed for at søge om deltagelse i udviklingsprojekterne "
                "gennem ansøgningspuljer, som udmeldes i løbet af året.",
                "Udbredelsen af mestringsindsatsen til unge og voksne med "
                "opmærksomhedsforstyrrelser sker gennem uddannelse af medarbejdere og rådgivning "
                "fra Socialstyrelsen om den lokale implementering. Der kan søges støtte til dette "
                "i løbet af 2020.",
                "Ansøgningsmulighederne bliver annonceret på Socialstyrelsen.dk og i styrelsens "
                "nyhedsbrev.",
            ),
            heading("Baggrunden for programmerne"),
            paragraph(
                "Udviklings- og investeringsprogrammerne er etableret for at understøtte en "
                "vidensbaseret og effektfuld socialpolitik.",
                "Forligskredsen bag Udviklings- og investeringsprogrammerne tager årligt politisk "
                "stilling til udmøntningen af midlerne under programmerne. Det sker efter "
                "indstilling fra en faglig styregruppe med deltagelse af kommuner, faglige "
                "organisationer og vidensinstitutioner.",
                "Forarbejdet for aftalen for 2020 tager bl.a. afsæt i en systematisk indsamling "
                "af viden om udfordringerne på socialområdet, jf. Socialpolitisk Redegørelse og "
                "to kortlægninger af kommunernes største faglige udfordringer på voksenområdet "
                "(VIVE, 2018) og børne- og ungeområdet (VIVE, 2019).",
                "Pressemeddelelsen og aftalen om initiativerne findes på Social- og "
                "Indenrigsministeriets hjemmeside.",
            ),
        ],
        contacts=[
            NewsContact(contact=contacts[ANDREAS_BENEDIKTSON]),
            NewsContact(contact=contacts[GITTE_BOSSI_ANDRESEN]),
        ],
    )


def build_news_2017_03_13(pool_2017):
    """Seed 004: the 2017 pool for promising practice; it names no contact person."""
    return NewsPage(
        title="Vil I være med til at udvikle lovende praksis på børne- og ungeområdet?",
        date=date(2017, 3, 13),
        intro=(
            "Socialstyrelsen udmelder i marts 2017 en pulje om udvikling af lovende praksis på "
            "børne- og ungeområdet. Der er informationsmøde 28. marts i Vejle og 30. marts i "
            "København. Alle interesserede er velkomne."
        ),
        body=[
            paragraph(
                "Socialstyrelsen udmelder i marts 2017 en ansøgningspulje, som kan søges af "
                "kommuner, der har en lovende praksis på børne- og ungeområdet, og som ønsker at "
                "videreudvikle og evaluere deres praksis i samarbejde med Socialstyrelsen og en "
                "ekstern leverandør.",
                "Socialstyrelsen inviterer i den forbindelse alle interesserede kommuner til at "
                "deltage i et af de to informationsmøder, der afholdes om puljen. Møderne "
                "afholdes i Vejle den 28. marts og i København den 30. marts – begge dage fra "
                "kl. 12–16. Her kan man høre mere om projektets formål og aktiviteter samt blive "
                "klogere på selve ansøgningsprocessen.",
            ),
            heading("Projektet om lovende praksis"),
            paragraph(
                "I løbet af projektperioden skal man som kommune indgå i et tæt samarbejde med en "
                "ekstern leverandør og Socialstyrelsen om at udvikle den lovende praksis. Det sker "
                "gennem et forløb, hvor kommunens praksis analyseres og derefter suppleres og "
                "kvalificeres ud fra aktuel bedste viden på området. Den lovende praksis skal "
                "derudover beskrives, og resultaterne skal dokumenteres for at få mere viden om, "
                "hvordan praksis virker for borgerne.",
                "Både medarbejdere og ledelse i kommunen vil spille en aktiv rolle gennem hele "
                "projektet. Projektperioden løber fra 2017–19, og det forventes, at 7–8 kommuner "
                "vil kunne deltage i projektet.",
            ),
            heading("Praktiske oplysninger om puljen og projektet"),
            paragraph(
                "Ansøgningspuljens målgruppe er udsatte børn og unge og deres familier, der har "
                "behov for særlig støtte, eller er i risiko for at udvikle behov for særlig "
                "støtte.",
                "Ansøgerkredsen til puljen er landets kommuner. Man kan eventuelt søge i "
                "samarbejde med sociale tilbud eller organisationer. Kommunerne skal have en "
                "lovende praksis i den forebyggende indsatsvifte for at kunne søge om at deltage "
                "i projektet.",
                "Der er ansøgningsfrist for "
                + page_link(pool_2017, "puljen")
                + " den 1. maj 2017 kl. 12.00.",
                "Du kan finde yderligere information om projektet på Socialstyrelsens hjemmeside "
                "og på Tilskudsportalen, når puljen er udmeldt.",
            ),
        ],
    )


def build_concept():
    """The recovery concept from the information meeting's slides (seed 001)."""
    return ConceptPage(
        title="Recovery-konceptet",
        intro=(
            "Her kan du læse, hvad recovery er, hvornår det virker, og hvordan kommunerne kan "
            "arbejde recovery-orienteret og rehabiliterende i socialpsykiatrien."
        ),
        body=[
            ("quote", {"quote": "Recovery betyder at komme sig", "attribution": ""}),
            heading("Hvad er recovery?"),
            bullet_list(
                "Recovery i et indefra-perspektiv (personligt recovery)",
                "Recovery i et udefra-perspektiv (fagprofessionel vinkel): klinisk recovery og "
                "social recovery",
                lead="Recovery kan betragtes fra forskellige perspektiver:",
            ),
            (
                "numbered_elements",
                {
                    "heading": "Hvornår virker recovery?",
                    "intro": "",
                    "elements": [
                        {
                            "title": "Socialt netværk",
                            "text": paragraphs(
                                "Borgere med et <b>socialt netværk</b> uden for ”systemet” har "
                                "lettest ved at opnå øget trivsel."
                            ),
                        },
                        {
                            "title": "Adgang til fællesskaber og en velfungerende økonomi",
                            "text": paragraphs(
                                "<b>Adgang til fællesskaber</b>, som eksempelvis uddannelse, "
                                "arbejde og lokalsamfund, og en <b>velfungerende økonomi</b> "
                                "understøtter trivsel (recovery)."
                            ),
                        },
                        {
                            "title": "Håb om bedring",
                            "text": paragraphs(
                                "<b>Håb om bedring</b> er en central betydningsfuld enkeltfaktor "
                                "for trivsel."
                            ),
                        },
                    ],
                },
            ),
            (
                "numbered_elements",
                {
                    "heading": "Hvordan arbejder man recovery-orienteret?",
                    "intro": paragraphs(
                        "Forskning viser, at recovery-processer har fire elementer:"
                    ),
                    "elements": [
                        {
                            "title": "Fokus på borgerens ressourcer",
                            "text": paragraphs("Håb smitter."),
                        },
                        {
                            "title": "Fokus på borgerens indefra-perspektiv",
                            "text": paragraphs("Medejerskab virker."),
                        },
                        {
                            "title": "Fagprofessionelle lader borgerens mål styre",
                            "text": paragraphs("Empowerment."),
                        },
                        {
                            "title": "Fokus på borgerens inklusion og deltagelse",
                            "text": paragraphs("Trivsel."),
                        },
                    ],
                },
            ),
            (
                "callout",
                {
                    "variant": "info",
                    "title": "Mindshift: Mange kommuner er på vej",
                    "text": paragraphs(
                        "Særligt udviklingsorienterede kommuner drives af lokale lokomotiver. De "
                        "færreste kommuner er langt i bredden."
                    ),
                },
            ),
            heading("Barrierer for recovery og deltagelse"),
            heading("Benspænd i systemland", "h3"),
            bullet_list(
                "Søjleorganiseringer, som hver for sig lukker sig om sig selv.",
                "Problemfokus som adgang til (fortsat) hjælp. Negativ incitamentstruktur.",
            ),
            heading("Benspænd i fagland", "h3"),
            bullet_list(
                "Problemfokus. Stigmatisering som pessimisme på borgerens vegne. "
                "Kronicitetsparadigmet: en-gang-psykisk-syg = altid-psykisk-syg.",
                "Netværket afkobles fra start.",
            ),
            heading("Benspænd i borgerland", "h3"),
            bullet_list(
                "Tillært hjælpeløshed. Selvstigmatisering.",
                "Pleaser-adfærd, underdog i eget liv.",
            ),
            (
                "numbered_elements",
                {
                    "heading": "Virkeligheden mange steder",
                    "intro": "",
                    "elements": [
                        {
                            "title": "Lave forventninger",
                            "text": paragraphs(
                                "Fagprofessionelles lave forventninger eroderer håb og reducerer "
                                "borgernes muligheder for at få job."
                            ),
                        },
                        {
                            "title": "Eksperterne tvivler",
                            "text": paragraphs(
                                "Faglige eksperter siger, at mennesker med svære psykiske "
                                "vanskeligheder sandsynligvis ikke er i stand til at passe et "
                                "arbejde."
                            ),
                        },
                        {
                            "title": "Arbejdsgiverne ansætter ikke",
                            "text": paragraphs(
                                "Arbejdsgivere tror derfor, at mennesker med svære psykiske "
                                "vanskeligheder ikke kan arbejde, og ansætter dem derfor ikke."
                            ),
                        },
                        {
                            "title": "Borgerne opgiver",
                            "text": paragraphs(
                                "Mennesker med svære psykiske vanskeligheder tror på, at de ikke "
                                "magter et arbejde – og opgiver at søge job."
                            ),
                        },
                        {
                            "title": "Resultat",
                            "text": paragraphs(
                                "Meget få mennesker med psykiske vanskeligheder er i job."
                            ),
                        },
                    ],
                },
            ),
            heading("Hvilken forandring vil vi skabe for borgerne?"),
            bullet_list(
                "Bedre trivsel, sundhed og mestring blandt borgerne",
                "Flere borgere er aktive deltagere i lokalsamfundets almene fællesskaber",
                "Større tilfredshed med indsatsen blandt borgerne samt deres familie og netværk",
                "Flere borgere oplever et mindre behov for indgribende indsatser",
                "Flere borgere kommer i uddannelse og i beskæftigelse",
            ),
        ],
    )


#: The five parts of the project from the slides (seed 001): the slide's title where it says
#: more than the part's label ("Del 1: Kortlægning"), then the slide's bullets.
PROJECT_PARTS = [
    (
        ProjectPart.MAPPING,
        "Kortlægning af recovery- og rehabiliterende praksis",
        [
            "Solid viden om igangværende omlægning og afsæt for fokuseret projekttilrettelæggelse "
            "og støtte",
        ],
    ),
    (
        ProjectPart.DEVELOPMENT,
        None,
        [
            "Ambitiøs strategisk omlægning med afsæt i konkret udviklingsplan",
            "Omfattende proces- og implementeringsstøtte og kompetenceudviklingsforløb",
            "Lokal forankring på alle niveauer i kommunen og tværgående læring i partnerskabet",
        ],
    ),
    (
        ProjectPart.REFERENCE_NETWORK,
        None,
        [
            "Praksisfællesskab for den strategiske udvikling og omlægning af socialpsykiatrien",
            "Gennemgående forum for vidensudveksling med deltagelse af op til 1/3 af landets "
            "kommuner",
        ],
    ),
    (
        ProjectPart.EVALUATION,
        "Evaluering af implementering og resultater",
        [
            "Grundig evaluering, der understøtter projektets strategiske mål om omlægning af "
            "socialpsykiatrien",
            "I hvilket omfang er omlægningen gennemført? Drivkræfter og barrierer i "
            "implementeringen?",
            "Hvilke resultater er opnået på borgerniveau, fagligt og organisatorisk?",
        ],
    ),
    (
        ProjectPart.DISSEMINATION,
        "Formidling af viden og erfaringer",
        [
            "Løbende formidling til projektdeltagere – bl.a. designkoncept, måling af foreløbige "
            "resultater m.v.",
            "Omfattende formidlingsmateriale til alle kommuner ved projektets afslutning",
        ],
    ),
]


def build_initiative(pool_2019):
    """The partnership from the slides (seed 001) and the selection news (seed 002)."""
    return InitiativePage(
        title="Partnerskab om strategisk omlægning af socialpsykiatrien",
        intro=(
            "Socialstyrelsen og PwC udvikler og afprøver sammen med partnerskabskommunerne "
            "Randers, Rudersdal, Roskilde og Herning et koncept for strategisk udvikling og "
            "omlægning af socialpsykiatrien med fokus på recovery og rehabilitering."
        ),
        pool=pool_2019,
        project_period_start=date(2020, 1, 1),
        project_period_end=date(2022, 9, 30),
        body=[
            heading("Baggrund for initiativet"),
            bullet_list(
                "Stigende antal unge med psykiske vanskeligheder samt et stigende antal borgere "
                "med komplekse psykiske problemstillinger.",
                "Borgere i socialpsykiatrien har forskellige og skiftende støttebehov, men ofte "
                "gode udviklingsmuligheder.",
                "Der mangler viden om, hvad der virker, og den viden, der findes, udbredes og "
                "anvendes ikke i tilstrækkeligt omfang.",
                "Der vurderes at være et stort udviklings-, omlægnings- og investeringspotentiale "
                "i kommunernes samlede socialpsykiatriske indsatser.",
                "I flere kommuner ses et skift i tilgangen til samarbejdet med borgeren, der har "
                "betydning for arbejdet på både myndighedsområdet og i tilbuddene, samt i "
                "samarbejdet på tværs af sektorer og med civilsamfundet.",
            ),
            heading("Om initiativet"),
            bullet_list(
                "Kvalitets- og kompetenceløft inden for socialpsykiatrien.",
                "Et af seks delinitiativer, der har til formål at styrke det socialpsykiatriske "
                "område.",
                "Gennemføres i 2–4 partnerskabskommuner i samarbejde med Socialstyrelsen og PwC.",
                "Partnerskabskommunerne skal være langt fremme i en omlægningsproces af "
                "socialpsykiatrien.",
                "Et strategisk projekt på alle niveauer i kommunerne.",
                "Erfaringer fra projektet skal udbredes til andre kommuner.",
                "Fokus for initiativet er at omlægge til en mere recovery-orienteret og "
                "rehabiliterende tilgang med fokus på borgerens egne ønsker, håb og drømme.",
            ),
            heading("Partnerskabskommunerne"),
            paragraph(
                "22 kommuner søgte om at blive partnerskabskommune. Socialstyrelsen vurderede, at "
                "Randers, Rudersdal, Roskilde og Herning kommuner er de kommuner blandt "
                "ansøgerne, der er længst i udviklingen og omstillingen af socialpsykiatrien, og "
                "at de kan bidrage med vigtig viden og erfaring i det fælles udviklingsarbejde "
                "frem til 2022."
            ),
            heading("Referencekommunerne"),
            paragraph(
                "De 18 ansøgerkommuner, som ikke fik del i puljen, er inviteret til at være en del "
                "af et referencenetværk. Referencenetværket følger arbejdet i partnerskabet tæt og "
                "får både inspiration og viden fra arbejdet og mulighed for at dele deres egne "
                "erfaringer."
            ),
            heading("Kommunernes forpligtelser"),
            bullet_list(
                "Et stærkere og gennemgående borgerperspektiv på både politisk, ledelsesmæssigt, "
                "myndigheds- samt tilbudsniveau.",
                "Øget politisk og ledelsesmæssigt fokus på recovery og rehabilitering, "
                "forebyggelse og tidlig indsats samt helhed og sammenhæng.",
                "At borgerne oplever, at der er klare mål for den indsats, der er igangsat, og at "
                "kommunale medarbejdere følger tæt op.",
                "At borgerne oplever at blive støttet i selv at definere egne mål.",
                "En styrket kommunal tilbudsvifte, så den både rummer tidlige forebyggende tilbud "
                "og mere specialiserede tilbud.",
                "At der anvendes veldokumenterede og effektive recovery- og "
                "rehabiliteringsunderstøttende metoder og indsatser.",
                "Opbygningen af et fælles fagligt sprog og fælles mål for borgerne på tværs af "
                "ledelse, sagsbehandlere, de sociale tilbud og samarbejdspartnere.",
                "Mere sammenhængende forløb for borgerne på tværs af forvaltninger, sektorer og "
                "civilsamfund, så de enkelte tilbud aktivt understøtter hinanden med udgangspunkt "
                "i fælles mål.",
                "Øget samarbejde mellem borger, kommune og civilsamfund om at styrke borgerens "
                "netværk og inkludere borgeren i samfundets almene fællesskaber.",
                lead="Kommuner, der vil være med, forpligter sig til:",
            ),
            bullet_list(
                "At være <i>medudviklere</i> på et koncept for strategisk udvikling og omlægning "
                "af socialpsykiatrien.",
                "At skabe en <i>strategisk ramme</i>, der muliggør udvikling og omlægning til "
                "recovery-orientering og rehabilitering.",
                "At etablere <i>implementeringsgrupper</i>, der varetager den interne koordinering "
                "og udrulning af konceptet.",
                "At deltage i <i>initiativets interne og eksterne aktiviteter</i>.",
                lead="Derudover forpligter kommunerne sig til:",
            ),
            heading("De første møder"),
            bullet_list(
                "Det første styregruppemøde med partnerskabskommunerne: 7. januar 2020 kl. 12–14 "
                "i Socialstyrelsen.",
                "Opstartsmøde for projektejere og implementeringsgrupperne i "
                "partnerskabskommunerne: 28. januar 2020 kl. 10–12 i Socialstyrelsen.",
                "Det første møde i referencenetværket: 30. marts 2020.",
            ),
        ],
        project_parts=[
            InitiativeProjectPart(
                part=part,
                sort_order=part,
                summary=(paragraphs(f"{title}.") if title else "")
                + bullets(*(f"{i}." for i in items)),
            )
            for part, title, items in PROJECT_PARTS
        ],
    )


def build_accessibility_statement(first_run):
    """The accessibility statement in the form Digitaliseringsstyrelsen prescribes (WAS)."""
    with translation.override("da"):
        prepared = formats.date_format(first_run, "DATE_FORMAT")
    email = SITE_SETTINGS["contact_email"]
    return StandardPage(
        title="Tilgængelighedserklæring",
        intro=(
            "Socialstyrelsen er forpligtet til at gøre sine websteder tilgængelige i "
            "overensstemmelse med lov om tilgængelighed af offentlige organers websteder og "
            "mobilapplikationer. Denne tilgængelighedserklæring gælder for "
            "Partnerskabsplatformen, hvor Socialstyrelsen og kommunerne samarbejder om puljer, "
            "partnerskaber, møder og erfaringer."
        ),
        body=[
            heading("Overholdelsesstatus"),
            paragraph(
                "Partnerskabsplatformen er delvist i overensstemmelse med den harmoniserede "
                "europæiske standard EN 301 549, som svarer til WCAG 2.1 på niveau AA, på grund "
                "af de manglende overholdelser, der er beskrevet nedenfor."
            ),
            heading("Indhold, der ikke er tilgængeligt"),
            bullet_list(
                "Dokumenter, som redaktionen lægger på siderne (fx bekendtgørelser, vejledninger "
                "og skemaer i PDF- eller Word-format), er ikke alle gennemgået for "
                "tilgængelighed. Har du brug for et dokument i et tilgængeligt format, sender vi "
                "det gerne.",
                "Tilskudsportalen, hvor ansøgninger til puljerne indsendes, er et andet websted og "
                "er ikke omfattet af denne erklæring. Tilskudsportalen har sin egen "
                "tilgængelighedserklæring.",
                lead="Følgende indhold er ikke fuldt tilgængeligt:",
            ),
            heading("Udarbejdelse af denne tilgængelighedserklæring"),
            paragraph(
                f"Erklæringen blev udarbejdet den {prepared} på grundlag af en selvevaluering af "
                "platformen. Den ajourføres, når der sker ændringer på platformen, som har "
                "betydning for erklæringen, og mindst én gang om året."
            ),
            heading("Feedback og kontaktoplysninger"),
            paragraph(
                "Oplever du indhold, der ikke er tilgængeligt, eller har du brug for indholdet i "
                "et andet format, så kontakt Socialstyrelsen. Skriv til "
                f'<a href="mailto:{email}">{email}</a>, eller ring på '
                f"{SITE_SETTINGS['contact_phone']} i telefontiden kl. 10.00–14.00. Vi bestræber "
                "os på at svare inden for 10 arbejdsdage."
            ),
            heading("Håndhævelsesprocedure"),
            paragraph(
                "Digitaliseringsstyrelsen fører tilsyn med, at offentlige myndigheder overholder "
                "webtilgængelighedsloven. Du skal altid kontakte os først. Får du ikke et "
                "tilfredsstillende svar, eller har du ikke fået svar inden for 10 arbejdsdage, "
                "kan du rette henvendelse til Digitaliseringsstyrelsen.",
                "Læs mere på Digitaliseringsstyrelsens side "
                '<a href="https://digst.dk/digital-inklusion/webtilgaengelighed/'
                'oplever-du-ikke-tilgaengeligt-indhold/">Oplever du ikke-tilgængeligt '
                "indhold?</a>",
            ),
        ],
    )


def build_draft_news(writer):
    return NewsPage(
        title="Referencenetværket mødes for første gang",
        date=date(2020, 3, 2),
        intro=(
            "De 18 ansøgerkommuner, som ikke fik del i puljen, mødes den 30. marts 2020 for "
            "første gang i referencenetværket for partnerskabet om strategisk omlægning af "
            "socialpsykiatrien."
        ),
        body=[
            paragraph(
                "Referencenetværket er et praksisfællesskab for den strategiske udvikling og "
                "omlægning af socialpsykiatrien og et gennemgående forum for vidensudveksling med "
                "deltagelse af op til 1/3 af landets kommuner.",
                "Netværket følger arbejdet i partnerskabet tæt og får både inspiration og viden "
                "fra arbejdet og mulighed for at dele egne erfaringer.",
                "Alle mødedeltagere får direkte besked.",
            ),
        ],
        owner=writer,
    )


def build_scheduled_news(go_live_at):
    return NewsPage(
        title="Ansøgningerne til demo-puljen bliver nu behandlet (demo)",
        date=go_live_at.date(),
        go_live_at=go_live_at,
        intro=(
            "Demo: en nyhed, der er planlagt til at blive offentliggjort automatisk. "
            "Ansøgningsfristen for demo-puljen om udbredelse af recovery-orienteret "
            "socialpsykiatri er udløbet, og sagsbehandlingen er i gang."
        ),
        body=[
            paragraph(
                "Denne nyhed er en del af demo-indholdet og viser planlagt udgivelse: "
                "redaktionen har godkendt den, og den bliver offentliggjort på den planlagte dato.",
                "Efter ansøgningsfristens udløb igangsættes sagsbehandlingen af indkomne "
                "ansøgninger. Alle ansøgninger vurderes på samme grundlag og ud fra "
                "tildelingskriterierne, og den endelige afgørelse træffes af styrelsens direktør.",
            ),
        ],
    )


# --- Loading ----------------------------------------------------------------------------


def load(stdout):
    """Build the public site under the home page; a second run changes nothing."""
    home = HomePage.objects.first()
    if home is None:
        raise CommandError('There is no home page; run "manage.py migrate" first.')
    loader = Loader(stdout)
    first_run = today_in_copenhagen()

    contacts = ensure_contacts(loader)

    pools = loader.page(
        home,
        "puljer",
        lambda: PoolIndexPage(
            title="Ansøgningspuljer",
            intro=paragraphs(
                "Socialstyrelsen udmelder ansøgningspuljer, som kommuner kan søge tilskud fra. "
                "Her kan du se, hvilke puljer der er åbne, hvem der kan søge, hvad der kan "
                "søges støtte til, og hvornår ansøgningsfristen er."
            ),
        ),
        in_menu=True,
    )
    pool_2019 = loader.page(
        pools,
        POOL_2019_SLUG,
        lambda: build_pool_2019(contacts, ensure_documents(loader)),
        published=copenhagen(date(2019, 7, 3)),
        updated=copenhagen(date(2019, 9, 11)),
    )
    pool_2017 = loader.page(
        pools, POOL_2017_SLUG, build_pool_2017, updated=copenhagen(date(2017, 3, 13))
    )
    loader.page(pools, DEMO_POOL_SLUG, lambda: build_demo_pool(first_run))

    news = loader.page(
        home,
        "nyheder",
        lambda: NewsIndexPage(
            title="Nyheder",
            intro=paragraphs(
                "Nyheder fra Socialstyrelsen om puljer, partnerskaber og udviklingen af "
                "socialpsykiatrien."
            ),
        ),
        in_menu=True,
    )
    loader.page(
        news,
        "22-kommuner-vil-udvikle-socialpsykiatrien",
        lambda: build_news_2019_12_19(contacts, pool_2019),
        updated=copenhagen(date(2019, 12, 19)),
    )
    loader.page(
        news,
        "90-mio-kr-til-nye-virksomme-indsatser",
        lambda: build_news_2019_12_15(contacts),
        published=copenhagen(date(2019, 12, 15)),
        updated=copenhagen(date(2019, 12, 20)),
    )
    loader.page(
        news,
        "lovende-praksis-boerne-og-ungeomraadet",
        lambda: build_news_2017_03_13(pool_2017),
        updated=copenhagen(date(2017, 3, 13)),
    )

    loader.page(home, "recovery-konceptet", build_concept, in_menu=True)
    loader.page(home, "partnerskabet", lambda: build_initiative(pool_2019), in_menu=True)
    statement = loader.page(
        home, ACCESSIBILITY_SLUG, lambda: build_accessibility_statement(first_run)
    )
    ensure_site_settings(loader, statement)

    writer = ensure_writer(loader)
    submit_draft_for_review(loader, news, writer)
    schedule_news(loader, news, first_run)


def submit_draft_for_review(loader, news, writer):
    """A writer's draft waiting in the editorial workflow: saved, submitted, not live."""
    existing = news.get_children().filter(slug=DRAFT_NEWS_SLUG).first()
    if existing is not None:
        loader.say(False, f"kladde i godkendelse {existing.url_path}")
        return existing.specific
    try:
        workflow = Workflow.objects.get(name=WORKFLOW_NAME)
    except Workflow.DoesNotExist:
        raise CommandError(
            f'The workflow "{WORKFLOW_NAME}" is missing; run "manage.py migrate" first.'
        ) from None
    page = build_draft_news(writer)
    page.slug = DRAFT_NEWS_SLUG
    page.live = False
    news.add_child(instance=page)
    page.save_revision(user=writer)
    workflow.start(page, writer)
    loader.say(True, f"kladde i godkendelse {page.url_path}")
    return page


def schedule_news(loader, news, first_run):
    """An approved news item that Wagtail publishes by itself 30 days after the first run.

    ``revision.publish()`` on a page whose go_live_at is in the future schedules the
    revision (approved_go_live_at) and leaves the page unpublished; the
    ``publish_scheduled`` management command makes it live when the time comes.
    """
    existing = news.get_children().filter(slug=SCHEDULED_NEWS_SLUG).first()
    if existing is not None:
        loader.say(False, f"planlagt nyhed {existing.url_path}")
        return existing.specific
    go_live_at = copenhagen(first_run + timedelta(days=DEMO_SCHEDULED_NEWS_DAYS), hour=9)
    page = build_scheduled_news(go_live_at)
    page.slug = SCHEDULED_NEWS_SLUG
    page.live = False
    news.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    loader.say(True, f"planlagt nyhed {page.url_path} (udgives {go_live_at:%Y-%m-%d %H:%M})")
    return page
