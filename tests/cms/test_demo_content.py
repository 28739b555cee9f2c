"""The demo content built by ``manage.py load_demo_content`` from the seed documents."""

import ast
import re
from datetime import date, datetime, time, timedelta
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Collection, Page, Revision, TaskState, WorkflowState

from cms.models import (
    AwardCriterion,
    ContactPerson,
    InitiativeProjectPart,
    NewsPage,
    PoolDocument,
    PoolPage,
    ProjectPart,
    SiteSettings,
)

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")
ROOT = Path(__file__).resolve().parents[2]

CRITERIA_2019 = [
    "Relevans",
    "Indsats",
    "Organisation, samarbejde og dokumentation",
    "Sammenhæng",
    "Budget",
    "Forankring",
]


def load_demo():
    out = StringIO()
    call_command("load_demo_content", stdout=out)
    return out.getvalue()


@pytest.fixture
def demo_output():
    return load_demo()


def page(slug):
    return Page.objects.get(slug=slug).specific


def html(client, slug):
    response = client.get(page(slug).url)
    assert response.status_code == 200
    return response.content.decode()


def noon(year, month, day):
    return datetime.combine(date(year, month, day), time(12, 0), tzinfo=CPH)


def today():
    return timezone.now().astimezone(CPH).date()


def snapshot():
    """Everything the command creates, counted, plus each page's publication state."""
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "documents": get_document_model().objects.count(),
        "collections": Collection.objects.count(),
        "users": get_user_model().objects.count(),
        "memberships": sum(group.user_set.count() for group in Group.objects.all()),
        "contact persons": ContactPerson.objects.count(),
        "award criteria": AwardCriterion.objects.count(),
        "pool documents": PoolDocument.objects.count(),
        "project parts": InitiativeProjectPart.objects.count(),
        "workflow states": WorkflowState.objects.count(),
        "task states": TaskState.objects.count(),
        "page states": list(
            Page.objects.order_by("pk").values_list(
                "pk", "live", "latest_revision_id", "first_published_at", "last_published_at"
            )
        ),
        "site settings": list(SiteSettings.objects.values()),
    }


# --- The command ------------------------------------------------------------------------


def test_second_run_changes_nothing():
    load_demo()
    before = snapshot()
    assert before["pages"] == 2 + 13  # root and home, then the demo pages
    assert before["documents"] == 7
    assert before["contact persons"] == 4
    output = load_demo()
    assert snapshot() == before
    assert "oprettet" not in output


def test_second_run_keeps_an_editors_site_settings():
    load_demo()
    site_settings = SiteSettings.load()
    site_settings.contact_phone = "33 92 93 00"
    site_settings.save()
    load_demo()
    assert SiteSettings.load().contact_phone == "33 92 93 00"


def test_prints_the_demo_logins_as_an_aligned_table(demo_output):
    lines = demo_output.splitlines()
    table = lines[lines.index("Demo-logins") + 1 :]
    assert table[0].split() == ["Rolle", "E-mail", "Adgangskode"]
    expected = [
        ("Redaktør (Socialstyrelsen)", "redaktoer@socialstyrelsen.example"),
        ("Direktør (Socialstyrelsen)", "direktoer@socialstyrelsen.example"),
        ("Skribent (Socialstyrelsen)", "skribent@socialstyrelsen.example"),
        ("Moderator (forum)", "moderator@socialstyrelsen.example"),
        ("Partnerskabskommune: projektleder, Randers", "projektleder@randers.example"),
        ("Partnerskabskommune: projektejer, Randers", "projektejer@randers.example"),
        ("Partnerskabskommune: implementeringsgruppe, Randers", "implementering@randers.example"),
        ("Referencekommune: medarbejder, Aarhus", "medarbejder@aarhus.example"),
        ("Ansøgerkommune: Odense", "ansoeger@odense.example"),
        ("Administrator", "admin@partnerskab.example"),
    ]
    rows = table[1:]
    assert len(rows) == len(expected)
    email_column = table[0].index("E-mail")
    password_column = table[0].index("Adgangskode")
    for row, (role, email) in zip(rows, expected, strict=True):
        assert row.startswith(role)
        assert row[email_column:].startswith(email)
        assert row[password_column:] == "partnerskab"


def test_cms_demo_imports_none_of_the_apps_that_depend_on_cms():
    for path in ["cms/demo.py", "cms/management/commands/load_demo_content.py"]:
        tree = ast.parse((ROOT / path).read_text())
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
        top_level = {name.split(".")[0] for name in imported}
        assert not top_level & {"network", "meetings", "knowledge"}, path


# --- The people -------------------------------------------------------------------------


def test_every_demo_person_logs_in_with_the_demo_password(client, demo_output):
    emails = re.findall(r"\S+@\S+", demo_output.split("Demo-logins")[1])
    assert len(emails) == 10
    for email in emails:
        client.post(reverse("network:login"), {"username": email, "password": "partnerskab"})
        assert "_auth_user_id" in client.session, email
        client.logout()


def test_editors_and_writers_reach_the_wagtail_admin_through_their_groups(client, demo_output):
    User = get_user_model()
    editor = User.objects.get(email="redaktoer@socialstyrelsen.example")
    writer = User.objects.get(email="skribent@socialstyrelsen.example")
    assert list(editor.groups.values_list("name", flat=True)) == ["Redaktører"]
    assert list(writer.groups.values_list("name", flat=True)) == ["Skribenter"]
    assert not editor.is_staff and not editor.is_superuser
    assert User.objects.get(email="admin@partnerskab.example").is_superuser
    for user in (editor, writer):
        client.force_login(user)
        assert client.get("/admin/").status_code == 200
    client.force_login(User.objects.get(email="ansoeger@odense.example"))
    assert client.get("/admin/").status_code == 302


# --- The 2019 pool (seeds 000 and 001) --------------------------------------------------


def test_2019_pool_facts(demo_output):
    pool = page("recovery-og-rehabilitering-2019")
    assert pool.title == (
        "Social investeringspulje til recovery og rehabilitering: "
        "Partnerskab om strategisk omlægning"
    )
    assert pool.amount == 13_000_000
    assert pool.deadline == noon(2019, 9, 17)
    assert (pool.project_period_start, pool.project_period_end) == (
        date(2020, 1, 1),
        date(2022, 9, 30),
    )
    assert pool.finance_law_account == "§ 15.75.55.10"
    assert [c.title for c in pool.award_criteria.all()] == CRITERIA_2019
    assert [c.contact.name for c in pool.contacts.all()] == ["Julie Tang"]
    assert pool.first_published_at == noon(2019, 7, 3)
    assert pool.last_published_at == noon(2019, 9, 11)
    assert pool.status() == PoolPage.CLOSED
    assert pool.revisions.count() == 1


def test_2019_pool_page_shows_every_seed_fact(client, demo_output):
    content = html(client, "recovery-og-rehabilitering-2019")
    for text in [
        "17. september 2019 kl. 12.00",
        "13.000.000 kr.",
        "§ 15.75.55.10",
        "1. januar 2020",
        "30. september 2022",
        "13,0 mio. kr.",
        "borgere over 18 år, som har psykiske vanskeligheder",
        "Ansøgerkredsen er alle landets kommuner.",
        "NemID-medarbejdersignatur",
        "Projektudgifter i relation til projektet.",
        "De to til fire kommuner",
        "referencekommune",
        "At ansøger udpeger en projektleder og etablerer et implementeringsteam.",
        "Tilskudsportalen",
        "Udfyldelse af ansøgningsskemaet",
        "Udfyldelse af budget",
        "Sagsbehandling og tildeling af tilskud",
        "Den endelige afgørelse foretages af styrelsens direktør.",
        "19. august 2019 kl. 15.30–17.00",
        "Julie Tang",
        "Center for Økonomi og Tilskudsadministration",
        "mailto:jult@socialstyrelsen.dk",
        "72 42 41 33",
        "10.00–14.00",
        "11. september 2019",  # Senest opdateret
    ]:
        assert text in content, text
    positions = [
        content.index(f'<h3 class="criteria__title">{title}</h3>') for title in CRITERIA_2019
    ]
    assert positions == sorted(positions)
    assert "<li>Alle tildelingskriterierne skal besvares.</li>" in content


def test_2019_pool_application_material_is_small_utf8_text_documents(client, demo_output):
    pool = page("recovery-og-rehabilitering-2019")
    materials = [(m.link_text, m.kind) for m in pool.materials.all()]
    assert materials == [
        ("Bekendtgørelse", "application"),
        ("Vejledning", "application"),
        ("Bilag 1: Figurer til vejledning", "application"),
        ("Kopi af ansøgningsskema", "application"),
        ("Kopi af budgetskema", "application"),
        ("Regnskabsskema", "other"),
        ("Statusrapport", "other"),
    ]
    content = html(client, "recovery-og-rehabilitering-2019")
    for material in pool.materials.all():
        document = material.document
        assert document.file_extension == "txt"
        assert document.file_size > 0
        with document.open_file() as f:
            text = f.read().decode("utf-8")
        assert "står i stedet for det rigtige dokument" in text
        assert document.title in text
        assert document.url in content


# --- The 2017 pool and the demo pool ----------------------------------------------------


def test_2017_pool_has_the_seed_facts_and_nothing_more(client, demo_output):
    pool = page("lovende-praksis-2017")
    assert pool.deadline == noon(2017, 5, 1)
    assert pool.amount is None
    assert pool.project_period_start is None and pool.project_period_end is None
    assert pool.finance_law_account == ""
    assert pool.last_published_at == noon(2017, 3, 13)
    content = html(client, "lovende-praksis-2017")
    for text in [
        "1. maj 2017 kl. 12.00",
        "udsatte børn og unge og deres familier",
        "Ansøgerkredsen til puljen er landets kommuner.",
        "lovende praksis i den forebyggende indsatsvifte",
        "7–8 kommuner",
        "Vejle",
        "København",
        "13. marts 2017",
    ]:
        assert text in content, text


def test_the_demo_pool_is_open_and_says_it_is_a_demo(client, demo_output):
    pool = page("udbredelse-recovery-demo")
    assert pool.title == "Udbredelse af recovery-orienteret socialpsykiatri (demo)"
    assert pool.intro.startswith("Demo:")
    assert pool.deadline == noon(*(today() + timedelta(days=21)).timetuple()[:3])
    assert pool.status() == PoolPage.OPEN
    assert [c.title for c in pool.award_criteria.all()] == [
        "Relevans",
        "Sammenhæng",
        "Budget",
        "Forankring",
    ]
    assert list(PoolPage.objects.live().open()) == [pool]
    assert pool.title in html(client, "home")
    open_only = client.get(page("puljer").url, {"status": "aabne"}).content.decode()
    assert pool.title in open_only
    assert "lovende praksis" not in open_only


# --- News (seeds 002, 003, 004) ---------------------------------------------------------


def test_news_items_with_their_dates_and_contacts(client, demo_output):
    news = {item.slug: item for item in NewsPage.objects.live()}
    assert {slug: item.date for slug, item in news.items()} == {
        "22-kommuner-vil-udvikle-socialpsykiatrien": date(2019, 12, 19),
        "90-mio-kr-til-nye-virksomme-indsatser": date(2019, 12, 15),
        "lovende-praksis-boerne-og-ungeomraadet": date(2017, 3, 13),
    }
    contacts = {
        slug: [str(link.contact) for link in item.contacts.all()] for slug, item in news.items()
    }
    assert contacts == {
        "22-kommuner-vil-udvikle-socialpsykiatrien": ["Maria Lincke Løkke, Chefkonsulent"],
        "90-mio-kr-til-nye-virksomme-indsatser": [
            "Andreas Benediktson, Specialkonsulent",
            "Gitte Bossi-Andresen, Leder af Opsporing og Tidlig Indsats",
        ],
        "lovende-praksis-boerne-og-ungeomraadet": [],
    }
    assert [block.block_type for block in news["90-mio-kr-til-nye-virksomme-indsatser"].body] == [
        "paragraph",
        "heading",
        "paragraph",
        "heading",
        "paragraph",
    ]
    assert news["90-mio-kr-til-nye-virksomme-indsatser"].first_published_at == noon(2019, 12, 15)
    assert news["90-mio-kr-til-nye-virksomme-indsatser"].last_published_at == noon(2019, 12, 20)
    assert news["22-kommuner-vil-udvikle-socialpsykiatrien"].last_published_at == noon(2019, 12, 19)


def test_news_pages_show_the_seed_text(client, demo_output):
    expected = {
        "22-kommuner-vil-udvikle-socialpsykiatrien": [
            "19. december 2019",
            "Randers, Rudersdal, Roskilde og Herning",
            "de 18 kommuner",
            "7. januar 2020 kl. 12–14",
            "28. januar 2020 kl. 10–12",
            "30. marts 2020",
            "Maria Lincke Løkke",
            "Chefkonsulent",
            "<h2>Partnerskabskommunerne</h2>",
            # the news links the pool it was about
            f'href="{page("recovery-og-rehabilitering-2019").url}"',
        ],
        "90-mio-kr-til-nye-virksomme-indsatser": [
            "15. december 2019",
            "20. december 2019",  # Senest opdateret
            "90 mio. kr.",
            "Udviklings- og investeringsprogrammerne",
            "(VIVE, 2018)",
            "Andreas Benediktson",
            "Gitte Bossi-Andresen",
            "Leder af Opsporing og Tidlig Indsats",
        ],
        "lovende-praksis-boerne-og-ungeomraadet": [
            "13. marts 2017",
            "28. marts i Vejle og 30. marts i København",
            "1. maj 2017 kl. 12.00",
            "7–8 kommuner",
        ],
    }
    for slug, texts in expected.items():
        content = html(client, slug)
        for text in texts:
            assert text in content, (slug, text)
    index = html(client, "nyheder")
    assert index.index("22 kommuner vil være med") < index.index("90 mio. kr. til nye")
    assert index.index("90 mio. kr. til nye") < index.index("lovende praksis på børne")


# --- The concept, the initiative, the accessibility statement ---------------------------


def test_concept_page_has_the_recovery_slides(client, demo_output):
    concept = page("recovery-konceptet")
    assert [block.block_type for block in concept.body].count("numbered_elements") == 3
    numbered = [block.value for block in concept.body if block.block_type == "numbered_elements"]
    assert [len(block["elements"]) for block in numbered] == [3, 4, 5]
    assert [element["text"].source for element in numbered[1]["elements"]] == [
        "<p>Håb smitter.</p>",
        "<p>Medejerskab virker.</p>",
        "<p>Empowerment.</p>",
        "<p>Trivsel.</p>",
    ]
    content = html(client, "recovery-konceptet")
    for text in [
        "Recovery betyder at komme sig",
        "indefra-perspektiv (personligt recovery)",
        "klinisk recovery og social recovery",
        "Hvornår virker recovery?",
        "<b>socialt netværk</b>",
        "Forskning viser, at recovery-processer har fire elementer:",
        "Mindshift: Mange kommuner er på vej",
        "Benspænd i systemland",
        "Benspænd i fagland",
        "Benspænd i borgerland",
        "Virkeligheden mange steder",
        "Meget få mennesker med psykiske vanskeligheder er i job.",
        "Hvilken forandring vil vi skabe for borgerne?",
        "Flere borgere kommer i uddannelse og i beskæftigelse",
    ]:
        assert text in content, text
    assert '<figure class="quote">' in content
    assert 'class="callout callout--info"' in content


def test_initiative_page_has_the_partnership_and_its_five_parts(client, demo_output):
    initiative = page("partnerskabet")
    assert initiative.pool == page("recovery-og-rehabilitering-2019")
    assert (initiative.project_period_start, initiative.project_period_end) == (
        date(2020, 1, 1),
        date(2022, 9, 30),
    )
    assert [p.part for p in initiative.project_parts.all()] == list(ProjectPart.values)
    content = html(client, "partnerskabet")
    for text in [
        "1. januar 2020",
        "30. september 2022",
        "PwC",
        "Randers, Rudersdal, Roskilde og Herning",
        "De 18 ansøgerkommuner",
        "<i>implementeringsgrupper</i>",
        "7. januar 2020 kl. 12–14",
        "Kortlægning af recovery- og rehabiliterende praksis.",
        "Praksisfællesskab for den strategiske udvikling",
        "op til 1/3 af landets kommuner",
        "Hvilke resultater er opnået på borgerniveau, fagligt og organisatorisk?",
        "Omfattende formidlingsmateriale til alle kommuner ved projektets afslutning.",
        initiative.pool.title,
    ]:
        assert text in content, text


def test_accessibility_statement_is_linked_from_every_footer_but_not_the_menu(client, demo_output):
    statement = page("tilgaengelighedserklaering")
    assert SiteSettings.load().accessibility_statement_id == statement.pk
    assert not statement.show_in_menus
    content = html(client, "tilgaengelighedserklaering")
    for text in [
        "Partnerskabsplatformen",
        "WCAG 2.1 på niveau AA",
        "EN 301 549",
        "Indhold, der ikke er tilgængeligt",
        "mailto:tilskudsforvaltning@socialstyrelsen.dk",
        "72 42 41 33",
        "Digitaliseringsstyrelsen",
        "10 arbejdsdage",
    ]:
        assert text in content, text
    for slug in ["home", "puljer", "recovery-og-rehabilitering-2019", "nyheder"]:
        content = html(client, slug)
        footer = content[content.index("<footer>") :]
        menu_start = content.index('<nav class="nav"')
        menu = content[menu_start : content.index("</nav>", menu_start)]
        assert f'href="{statement.url}"' in footer
        assert statement.url not in menu
        for title in ["Ansøgningspuljer", "Nyheder", "Recovery-konceptet", "Partnerskab om"]:
            assert title in menu


def test_site_settings(demo_output):
    site_settings = SiteSettings.load()
    assert site_settings.contact_email == "tilskudsforvaltning@socialstyrelsen.dk"
    assert site_settings.contact_phone == "72 42 41 33"
    assert site_settings.address == "Socialstyrelsen, Edisonsvej 18, 1., 5000 Odense C"


# --- Moderation and scheduled publishing ------------------------------------------------


def test_the_writers_draft_waits_for_an_editor(client, demo_output):
    draft = page("referencenetvaerket-moedes")
    writer = get_user_model().objects.get(email="skribent@socialstyrelsen.example")
    assert draft.title == "Referencenetværket mødes for første gang"
    assert draft.live is False
    assert draft.first_published_at is None
    assert draft.owner == writer
    assert draft.get_latest_revision().user == writer
    state = draft.current_workflow_state
    assert state is not None
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.requested_by == writer
    assert state.workflow.name == "Redaktionel godkendelse"
    assert draft.current_workflow_task.name == "Godkendelse af redaktør"
    assert client.get(draft.url).status_code == 404
    assert draft.title not in html(client, "nyheder")


def test_the_scheduled_news_item_is_approved_but_not_live_yet(client, demo_output):
    scheduled = page("demo-puljen-ansoegninger-behandles")
    go_live_at = datetime.combine(today() + timedelta(days=30), time(9, 0), tzinfo=CPH)
    assert scheduled.live is False
    assert scheduled.go_live_at == go_live_at
    assert scheduled.revisions.filter(approved_go_live_at=go_live_at).exists()
    assert scheduled.current_workflow_state is None
    assert client.get(scheduled.url).status_code == 404
    assert scheduled.title not in html(client, "nyheder")
