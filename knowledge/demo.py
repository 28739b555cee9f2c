"""The demo forum: three spaces, topics and experience reports from the partners.

``python manage.py load_demo_content`` calls :func:`load` after ``meetings.demo``. The
spaces belong to the initiative of ``network.demo``: one for the four partner
municipalities only, one for the whole network (partners and reference municipalities),
and a public one. The partners' project leaders open topics and write experience reports
in 2020 and 2021, people from reference municipalities answer and mention each other, and
one answer waits in the moderators' queue of reported posts.

Everything is written through ``knowledge.services`` (with ``now=`` set to the day it
happened), so sequence numbers, counters, subscriptions and notifications are as the site
makes them. Spaces are looked up by slug and topics by space and title; a topic's posts
and report are written only with the topic, so a second run changes nothing.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.management.base import CommandError

from knowledge import services
from knowledge.models import ConceptElement, PostReport, Space, Topic
from network.demo import INITIATIVE_SLUG, Counter, DemoPerson, ensure_person
from network.models import Initiative, User

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
Visibility = Space.Visibility
Element = ConceptElement

# network.demo's people
EDITOR = "redaktoer@socialstyrelsen.example"  # Karen Holm
MODERATOR = "moderator@socialstyrelsen.example"  # Mette Lund
RANDERS = "projektleder@randers.example"  # Anders Kjær
RANDERS_GROUP = "implementering@randers.example"  # Camilla Vestergaard
RUDERSDAL = "projektleder@rudersdal.example"  # Henrik Berg
ROSKILDE = "projektleder@roskilde.example"  # Louise Krogh
HERNING = "projektleder@herning.example"  # Jesper Skov
AARHUS = "medarbejder@aarhus.example"  # Sofie Dahl
# Demo people of the forum, in reference municipalities.
AALBORG = "medarbejder@aalborg.example"
VEJLE = "medarbejder@vejle.example"
GLADSAXE = "medarbejder@gladsaxe.example"

PEOPLE = (
    DemoPerson("", AALBORG, "Mads", "Thomsen", "Aalborg",
               job_title="Socialfaglig konsulent", login=False),
    DemoPerson("", VEJLE, "Rikke", "Lauridsen", "Vejle",
               job_title="Teamleder, bostøtte", login=False),
    DemoPerson("", GLADSAXE, "Nanna", "Bech", "Gladsaxe",
               job_title="Recoverymentor", login=False),
)  # fmt: skip

PARTNERS_SPACE = "partnerskabskommunerne"
NETWORK_SPACE = "referencenetvaerket"
PUBLIC_SPACE = "aabent-forum-om-recovery"

SPACES = (
    (
        PARTNERS_SPACE,
        "Partnerskabskommunerne",
        Visibility.PARTNERS,
        "De fire partnerskabskommuners eget rum: implementeringen undervejs, "
        "styregruppens spørgsmål og det, der ikke er klar til hele netværket endnu.",
        1,
    ),
    (
        NETWORK_SPACE,
        "Referencenetværket",
        Visibility.NETWORK,
        "Partnerskabskommunerne og referencekommunerne deler erfaringer med den "
        "recovery-orienterede omlægning: hvad virker, hvad driller, og hvordan gør I?",
        2,
    ),
    (
        PUBLIC_SPACE,
        "Åbent forum om recovery",
        Visibility.PUBLIC,
        "Socialstyrelsen fortæller om partnerskabet og recovery-orienteret praksis. "
        "Alle kan læse med.",
        3,
    ),
)


def at(year, month, day, hour=10, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=COPENHAGEN)


@dataclass(frozen=True)
class Reply:
    who: str
    text: str
    when: datetime
    quote: int | None = None  # the sequence number of the post it quotes
    # (an experience report has no first post: its replies start at 1)
    reported_by: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Spec:
    space: str
    who: str
    title: str
    when: datetime
    text: str = ""
    report: dict = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    part: int | None = None
    element: str = ""
    replies: tuple[Reply, ...] = ()

    @property
    def kind(self):
        return Topic.Kind.EXPERIENCE if self.report else Topic.Kind.DISCUSSION


TOPICS = (
    Spec(
        NETWORK_SPACE,
        RANDERS,
        "Erfaring fra Randers: borgerens egne mål i bostøtten",
        at(2020, 10, 5, 9, 30),
        report={
            "context": (
                "Randers har omkring 300 borgere i socialpædagogisk bostøtte efter § 85. "
                "Kortlægningen i del 1 viste, at målene i handleplanerne oftest var "
                "formuleret af myndighed og medarbejdere, og at kun hver tredje borger "
                "kunne genkende sine egne mål."
            ),
            "what_we_did": (
                "Vi har indført en **fælles samtaleguide**, hvor borgeren selv formulerer "
                "sit mål med egne ord, før vi taler om indsatsen. Alle bostøttemedarbejdere "
                "har været på et tredages forløb i recovery-orienteret praksis, og "
                "myndighedsrådgiverne har været med på den sidste dag.\n\n"
                "- Målet skrives i borgerens ord i handleplanen\n"
                "- Opfølgning hver tredje måned med borgeren som ordstyrer\n"
                "- Recoverymentorer deltager i introduktionen af nye borgere"
            ),
            "what_worked": (
                "Samtaleguiden giver medarbejderne et sprog for at spørge ind til håb og "
                "drømme og ikke kun til problemer. Opfølgningsmøderne er blevet kortere, "
                "fordi borgeren kommer forberedt."
            ),
            "barriers": (
                "Dokumentationssystemet har faste felter, der ikke passer til borgerens egne "
                "formuleringer. Under nedlukningen i foråret måtte mange samtaler foregå i "
                "telefonen, og det var svært at bevare kontinuiteten."
            ),
            "results": (
                "I vores opfølgning i september kunne 7 ud af 10 borgere genkende deres "
                "egne mål i handleplanen. Flere borgere fortæller, at de oplever at blive "
                "taget alvorligt."
            ),
        },
        tags=("bostøtte", "fælles sprog"),
        part=2,
        element=Element.CITIZENS_GOALS,
        replies=(
            Reply(
                AARHUS,
                "Tak for en meget konkret erfaring! Hvordan har I fået myndighed med på, at "
                "målene står i borgerens egne ord? Hos os er det netop dér, det går i stå. "
                "@anders.kjær, vil du dele samtaleguiden?",
                at(2020, 10, 6, 13, 15),
            ),
            Reply(
                RANDERS,
                "@sofie.dahl Ja, den kommer her i tråden i næste uge. Det, der rykkede "
                "myndighed, var, at rådgiverne var med på sidste kursusdag og selv prøvede "
                "guiden i rollespil.",
                at(2020, 10, 7, 8, 45),
                quote=1,
            ),
            Reply(
                VEJLE,
                "Vi kæmper med det samme med dokumentationssystemet. Vi har fået lov til at "
                "bruge fritekstfeltet til borgerens egne ord og skriver den faglige "
                "vurdering bagefter. Det er ikke elegant, men det virker.",
                at(2020, 10, 9, 14, 0),
            ),
            Reply(
                AALBORG,
                "Spændende. Har I målt på, om borgerne når de mål, de selv har sat, eller "
                "er det for tidligt at sige noget om?",
                at(2020, 10, 14, 10, 20),
            ),
            Reply(
                RANDERS,
                "For tidligt endnu, men det indgår i evalueringen (del 4). Vi vender "
                "tilbage i foråret.",
                at(2020, 10, 15, 9, 5),
                quote=4,
            ),
        ),
    ),
    Spec(
        NETWORK_SPACE,
        RUDERSDAL,
        "Hvordan inddrager I borgerens netværk fra starten?",
        at(2020, 11, 12, 11, 0),
        text=(
            "I Rudersdal vil vi gerne blive bedre til at inddrage borgerens netværk allerede "
            "ved visitationen, men vi oplever, at mange borgere ikke ønsker, at familien "
            "blandes ind.\n\n"
            "Hvordan griber I det an? Bruger I netværkskort, netværksmøder eller noget "
            "helt tredje?"
        ),
        tags=("netværk", "visitation"),
        part=2,
        element=Element.INCLUSION,
        replies=(
            Reply(
                ROSKILDE,
                "Vi bruger netværkskort i de første samtaler, men vi har lært at spørge "
                "bredt: *hvem betyder noget for dig?* i stedet for *hvem er din familie?* "
                "Så kommer naboen, træneren og kollegaen fra værkstedet med.",
                at(2020, 11, 12, 15, 30),
            ),
            Reply(
                GLADSAXE,
                "Som recoverymentor kan jeg sige, at det for mange handler om tid. Det "
                "første halve år ville jeg heller ikke have min familie ind over. Spørg "
                "igen senere, og spørg på en måde, hvor man kan sige nej.",
                at(2020, 11, 13, 9, 10),
            ),
            Reply(
                AARHUS,
                "Enig med @nanna.bech. Vi har også gode erfaringer med at invitere "
                "frivillige fra civilsamfundet ind som en del af netværket, fx "
                "besøgsvenner og idrætsforeninger.",
                at(2020, 11, 16, 12, 0),
            ),
            Reply(
                AALBORG,
                "Vi havde en borger i sidste uge, hvor moren ringede hver dag til "
                "bostøtten og ville vide alt. Jeg skriver lige hendes navn og adresse, "
                "så I kan se, hvor svært det er: hun bor på Bakkevej i ...",
                at(2020, 11, 18, 16, 40),
                reported_by=RUDERSDAL,
                reason=(
                    "Indlægget er på vej til at nævne en borgers pårørende ved navn og "
                    "adresse. Kan en moderator se på det?"
                ),
            ),
        ),
    ),
    Spec(
        PARTNERS_SPACE,
        HERNING,
        "Kortlægningen i Herning er forsinket – hvordan holdt I tidsplanen?",
        at(2020, 9, 28, 14, 0),
        text=(
            "Covid-19 har sat vores kortlægning (del 1) et par måneder tilbage, og vi "
            "forventer først at være færdige i slutningen af oktober. Hvordan fik I "
            "interviewene med borgerne gennemført under nedlukningen?"
        ),
        tags=("kortlægning", "covid-19"),
        part=1,
        replies=(
            Reply(
                RANDERS,
                "Vi lavede en del interviews over telefon og video. Borgerne var faktisk "
                "mere villige, end vi havde troet, men vi skulle give dem valget. "
                "@jesper.skov, ring endelig, hvis du vil høre mere.",
                at(2020, 9, 29, 8, 30),
            ),
            Reply(
                ROSKILDE,
                "Vi udskød fokusgrupperne med medarbejderne og tog dem digitalt i august. "
                "Det gik fint. Vi kan dele vores interviewguide på næste styregruppemøde.",
                at(2020, 9, 30, 10, 0),
            ),
        ),
    ),
    Spec(
        PARTNERS_SPACE,
        ROSKILDE,
        "Erfaring fra Roskilde: samarbejde med civilsamfundet om beskæftigelse",
        at(2021, 2, 22, 10, 0),
        report={
            "context": (
                "Kortlægningen viste, at mange borgere i vores botilbud ønsker et arbejde "
                "eller en meningsfuld hverdag uden for tilbuddet, men at vi sjældent "
                "samarbejdede med jobcentret og de lokale foreninger."
            ),
            "what_we_did": (
                "Vi har indgået et samarbejde med jobcentret om IPS (individuelt planlagt "
                "job med støtte) og med tre lokale foreninger, der tager imod borgere som "
                "frivillige. En medarbejder fra botilbuddet er fast kontaktperson."
            ),
            "what_worked": (
                "Den faste kontaktperson: foreningerne ved, hvem de skal ringe til, og "
                "borgerne møder en kendt person, når de starter."
            ),
            "barriers": (
                "Nedlukningen har sat mange foreninger på pause. Samarbejdet med jobcentret "
                "krævede, at lederne på begge sider blev enige om målgruppen først."
            ),
            "results": (
                "Elleve borgere er i gang med frivilligt arbejde eller praktik, og tre har "
                "fået et fleksjob. Borgerne fortæller om mere struktur i hverdagen og nye "
                "relationer."
            ),
        },
        tags=("beskæftigelse", "netværk", "civilsamfund"),
        part=2,
        element=Element.INCLUSION,
        replies=(
            Reply(
                RUDERSDAL,
                "Meget inspirerende, @louise.krogh! Hvem tog initiativ til samarbejdet med "
                "jobcentret, og sidder I i en fælles styregruppe?",
                at(2021, 2, 23, 9, 0),
            ),
            Reply(
                ROSKILDE,
                "Det var vores centerchef, der tog det op med jobcentrets leder. Vi har "
                "ikke en fælles styregruppe, men et kvartalsmøde mellem lederne.",
                at(2021, 2, 23, 13, 20),
                quote=1,
            ),
            Reply(
                HERNING,
                "Det vil vi gerne lære af. Må vi besøge jer efter nedlukningen?",
                at(2021, 2, 25, 11, 0),
            ),
        ),
    ),
    Spec(
        NETWORK_SPACE,
        HERNING,
        "Fælles sprog på tværs af myndighed og udfører",
        at(2021, 4, 14, 13, 0),
        text=(
            "Vi oplever, at myndighed og udfører bruger ordet *recovery* om ret forskellige "
            "ting. Har nogen af jer lavet en fælles ordliste eller et fælles grundlag, der "
            "virker i praksis?"
        ),
        tags=("fælles sprog", "myndighed"),
        part=2,
        element=Element.INSIDE_PERSPECTIVE,
        replies=(
            Reply(
                VEJLE,
                "Vi skrev en fælles ordliste i 2019, men den blev ikke brugt. Det, der "
                "virkede bedre, var fælles sagsgennemgange, hvor borgeren var med.",
                at(2021, 4, 14, 15, 45),
            ),
            Reply(
                RANDERS,
                "Samme erfaring i Randers. Vi har desuden lavet tre korte film med borgere, "
                "der fortæller, hvad recovery betyder for dem. De bruges på alle "
                "personalemøder, og det har gjort mere end nogen ordliste.",
                at(2021, 4, 15, 9, 30),
            ),
            Reply(
                GLADSAXE,
                "Filmene lyder rigtig godt. @anders.kjær, kan de deles i netværket?",
                at(2021, 4, 16, 10, 10),
            ),
        ),
    ),
    Spec(
        NETWORK_SPACE,
        AARHUS,
        "Spørgsmål fra Aarhus: hvordan måler I på recovery?",
        at(2021, 6, 2, 10, 30),
        text=(
            "Vi skal i gang med at følge op på vores indsatser og overvejer at bruge et "
            "redskab som *Recovery Assessment Scale* eller *Outcome Star*. Hvad bruger "
            "partnerskabskommunerne i evalueringen?"
        ),
        tags=("evaluering", "redskaber"),
        part=4,
        element=Element.RESOURCES,
        replies=(
            Reply(
                RANDERS,
                "Vi bruger Outcome Star i bostøtten sammen med borgeren, og evalueringen i "
                "partnerskabet supplerer med interviews. Det vigtigste for os er, at "
                "redskabet bruges *med* borgeren og ikke *om* borgeren.",
                at(2021, 6, 2, 14, 0),
            ),
            Reply(
                AALBORG,
                "Vi har gode erfaringer med RAS, men det kræver, at medarbejderne er "
                "trænet i at bruge det som en samtale.",
                at(2021, 6, 3, 9, 0),
            ),
        ),
    ),
    Spec(
        PUBLIC_SPACE,
        EDITOR,
        "Velkommen til det åbne forum om recovery",
        at(2020, 3, 2, 9, 0),
        text=(
            "Her fortæller Socialstyrelsen om partnerskabet om strategisk omlægning af "
            "socialpsykiatrien og om recovery-orienteret praksis. Partnerskabskommunerne "
            "er **Randers**, **Rudersdal**, **Roskilde** og **Herning**, og 18 kommuner "
            "er med i referencenetværket.\n\n"
            "Læs mere om konceptets fire elementer på siden om partnerskabet."
        ),
        tags=("partnerskabet",),
        part=5,
        replies=(
            Reply(
                MODERATOR,
                "Forummet er modereret. Skriv aldrig personoplysninger om borgere, og "
                "anmeld et indlæg, hvis du ser noget, der ikke hører hjemme her.",
                at(2020, 3, 2, 9, 30),
            ),
        ),
    ),
    Spec(
        PUBLIC_SPACE,
        EDITOR,
        "Midtvejsstatus: hvad har partnerskabet lært indtil nu?",
        at(2021, 9, 20, 10, 0),
        text=(
            "Halvvejs i partnerskabet peger erfaringerne på tre ting:\n\n"
            "1. Borgerens egne mål skal stå i borgerens egne ord\n"
            "2. Netværket er mere end familien\n"
            "3. Et fælles sprog opstår i fælles praksis, ikke i en ordliste\n\n"
            "Evalueringen (del 4) følger op i 2022."
        ),
        tags=("partnerskabet", "evaluering"),
        part=5,
    ),
)


def load(stdout):
    counter = Counter(stdout)
    initiative = Initiative.objects.filter(slug=INITIATIVE_SLUG).first()
    if initiative is None:
        raise CommandError("The initiative is missing; network.demo must run first.")
    for person in PEOPLE:
        ensure_person(person, counter)
    spaces = {
        slug: ensure_space(initiative, slug, title, visibility, description, position, counter)
        for slug, title, visibility, description, position in SPACES
    }
    emails = {spec.who for spec in TOPICS} | {
        email
        for spec in TOPICS
        for reply in spec.replies
        for email in (reply.who, reply.reported_by)
    }
    people = {person.email: person for person in User.objects.filter(email__in=emails - {""})}
    for spec in TOPICS:
        ensure_topic(spaces[spec.space], spec, people, counter)


def ensure_space(initiative, slug, title, visibility, description, position, counter):
    space, created = Space.objects.get_or_create(
        slug=slug,
        defaults={
            "title": title,
            "visibility": visibility,
            "description": description,
            "initiative": initiative,
            "position": position,
        },
    )
    counter.report(created, f"forumrum {title}")
    return space


def ensure_topic(space, spec, people, counter):
    topic = Topic.objects.filter(space=space, title=spec.title).first()
    created = topic is None
    if created:
        topic = services.start_topic(
            space,
            people[spec.who],
            title=spec.title,
            source=spec.text,
            kind=spec.kind,
            report=spec.report,
            tags=spec.tags,
            project_part=spec.part,
            concept_element=spec.element,
            now=spec.when,
        )
        posts = {post.sequence: post for post in topic.posts.all()}
        for reply in spec.replies:
            post = services.post_reply(
                topic,
                people[reply.who],
                reply.text,
                quoted=posts.get(reply.quote),
                now=reply.when,
            )
            posts[post.sequence] = post
            if reply.reported_by:
                report = services.report_post(post, people[reply.reported_by], reply.reason)
                PostReport.objects.filter(pk=report.pk).update(
                    created_at=reply.when + timedelta(hours=2)
                )
    counter.report(created, f"forumemne {spec.title}")
    return topic
