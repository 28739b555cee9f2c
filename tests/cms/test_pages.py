"""Every page type renders; lists paginate with a bounded number of queries."""

from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone

from cms.models import PAGE_SIZE, HomePage, InitiativeProjectPart, PoolContact, SiteSettings
from tests.cms.factories import (
    ConceptPageFactory,
    ContactPersonFactory,
    InitiativePageFactory,
    NewsIndexPageFactory,
    NewsPageFactory,
    PoolIndexPageFactory,
    PoolPageFactory,
    StandardPageFactory,
)

pytestmark = pytest.mark.django_db


def test_pool_page_shows_every_fact_and_the_numbered_criteria(client):
    pool = PoolPageFactory(
        title="Recovery og rehabilitering",
        deadline=timezone.make_aware(timezone.datetime(2019, 9, 17, 12, 0)),
        project_period_start=timezone.datetime(2020, 1, 1).date(),
        project_period_end=timezone.datetime(2022, 9, 30).date(),
        finance_law_account="§ 15.75.55.10",
        contacts=[PoolContact(contact=ContactPersonFactory(name="Julie Tang"))],
    )
    html = client.get(pool.url).content.decode()
    assert "17. september 2019 kl. 12.00" in html
    assert "13.000.000 kr." in html
    assert "1. januar 2020 – 30. september 2022" in html
    assert "§ 15.75.55.10" in html
    assert "Borgere over 18 år med psykiske vanskeligheder." in html
    assert html.index("Relevans") < html.index("Indsats")
    assert '<ol class="criteria">' in html
    assert "Julie Tang" in html
    assert "status--closed" in html


def test_open_pool_says_how_long_is_left(client):
    pool = PoolPageFactory(deadline=timezone.now() + timedelta(days=3, hours=4, minutes=1))
    html = client.get(pool.url).content.decode()
    assert "status--closing_soon" in html
    assert "3\xa0dage, 4\xa0timer" in html


def test_pool_index_lists_open_pools_first_and_filters(client):
    index = PoolIndexPageFactory()
    now = timezone.now()
    closed_old = PoolPageFactory(
        parent=index, title="Lukket 2017", deadline=now - timedelta(days=900)
    )
    closed_new = PoolPageFactory(
        parent=index, title="Lukket 2019", deadline=now - timedelta(days=9)
    )
    open_late = PoolPageFactory(parent=index, title="Åben sent", deadline=now + timedelta(days=60))
    open_soon = PoolPageFactory(parent=index, title="Åben snart", deadline=now + timedelta(days=2))

    html = client.get(index.url).content.decode()
    positions = [html.index(p.title) for p in (open_soon, open_late, closed_new, closed_old)]
    assert positions == sorted(positions)

    open_only = client.get(index.url, {"status": "aabne"}).content.decode()
    assert open_soon.title in open_only and closed_new.title not in open_only
    closed_only = client.get(index.url, {"status": "lukkede"}).content.decode()
    assert closed_new.title in closed_only and open_soon.title not in closed_only


@pytest.mark.parametrize("count", [3, 25])
def test_pool_index_paginates_with_bounded_queries(client, django_assert_max_num_queries, count):
    index = PoolIndexPageFactory()
    for _ in range(count):
        PoolPageFactory(parent=index)
    with django_assert_max_num_queries(15):
        response = client.get(index.url)
    assert response.status_code == 200
    assert len(response.context["pools"].object_list) == min(count, PAGE_SIZE)


def test_news_index_paginates_newest_first_with_bounded_queries(
    client, django_assert_max_num_queries
):
    index = NewsIndexPageFactory()
    today = timezone.localdate()
    for days_ago in range(PAGE_SIZE + 3):
        NewsPageFactory(
            parent=index,
            title=f"Nyhed {days_ago} dage gammel",
            date=today - timedelta(days=days_ago),
        )
    with django_assert_max_num_queries(15):
        first = client.get(index.url)
    titles = [item.title for item in first.context["news_items"]]
    assert titles[0] == "Nyhed 0 dage gammel" and len(titles) == PAGE_SIZE
    second = client.get(index.url, {"side": 2})
    assert [item.title for item in second.context["news_items"]][
        -1
    ] == f"Nyhed {PAGE_SIZE + 2} dage gammel"


def test_news_rss_feed_parses(client):
    index = NewsIndexPageFactory()
    NewsPageFactory(
        parent=index,
        title="22 kommuner vil være med",
        intro="Randers, Rudersdal, Roskilde og Herning.",
    )
    response = client.get(f"{index.url}rss/")
    assert response["Content-Type"].startswith("application/rss+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo
    assert feed.entries[0].title == "22 kommuner vil være med"
    assert "Herning" in feed.entries[0].summary


def test_news_page_shows_date_body_and_last_updated(client):
    item = NewsPageFactory(date=timezone.datetime(2019, 12, 19).date())
    html = client.get(item.url).content.decode()
    assert "19. december 2019" in html
    assert "Brødtekst." in html
    assert 'class="last-updated"' in html


def test_concept_page_renders_its_blocks(client):
    page = ConceptPageFactory()
    html = client.get(page.url).content.decode()
    assert "<h2>Hvad er recovery</h2>" in html
    assert "<blockquote>" in html and "Recovery betyder at komme sig." in html
    assert 'class="numbered-elements__list"' in html and "Fokus på borgerens ressourcer" in html
    assert "callout--info" in html


def test_initiative_page_lists_its_project_parts_in_order(client):
    page = InitiativePageFactory(
        project_parts=[
            InitiativeProjectPart(part=1, summary="<p>Kortlægning.</p>"),
            InitiativeProjectPart(part=2, summary="<p>Udvikling.</p>"),
        ]
    )
    html = client.get(page.url).content.decode()
    assert html.index("Kortlægning.") < html.index("Udvikling.")


def test_every_page_links_the_accessibility_statement(client):
    statement = StandardPageFactory()
    settings = SiteSettings.load()
    settings.accessibility_statement = statement
    settings.save()
    home = HomePage.objects.get()
    html = client.get(home.url).content.decode()
    assert f'href="{statement.url}"' in html


def test_search_finds_a_pool_by_a_word_in_its_text(client):
    PoolPageFactory(
        title="Recovery-puljen", target_group="<p>Socialpsykiatrien og borgerens håb.</p>"
    )
    NewsPageFactory(title="Noget helt andet")
    response = client.get("/soeg/", {"q": "socialpsykiatrien"})
    titles = [result.title for result in response.context["results"]]
    assert titles == ["Recovery-puljen"]


def test_search_without_a_query_shows_the_form(client):
    response = client.get("/soeg/")
    assert response.status_code == 200
    assert response.context["results"] is None


def test_interface_is_danish_by_default_and_english_on_request(client):
    home = HomePage.objects.get()
    assert 'lang="da"' in client.get(home.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get(home.url).content.decode()
