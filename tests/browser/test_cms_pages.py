"""The public pages in a real browser: accessible (axe-core, WCAG 2.1 AA) and usable by keyboard."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from cms.models import HomePage, PoolContact, SiteSettings
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

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def site_pages():
    pools = PoolIndexPageFactory(show_in_menus=True)
    open_pool = PoolPageFactory(
        parent=pools,
        title="Recovery og rehabilitering",
        deadline=timezone.now() + timedelta(days=5),
        contacts=[PoolContact(contact=ContactPersonFactory(name="Julie Tang"))],
    )
    PoolPageFactory(
        parent=pools, title="Lovende praksis", deadline=timezone.now() - timedelta(days=900)
    )
    news = NewsIndexPageFactory(show_in_menus=True)
    news_item = NewsPageFactory(parent=news, title="22 kommuner vil være med")
    statement = StandardPageFactory()
    settings = SiteSettings.load()
    settings.accessibility_statement = statement
    settings.contact_email = "tilskudsforvaltning@socialstyrelsen.dk"
    settings.save()
    return {
        "home": HomePage.objects.get(),
        "pool_index": pools,
        "pool": open_pool,
        "news_index": news,
        "news": news_item,
        "concept": ConceptPageFactory(show_in_menus=True),
        "initiative": InitiativePageFactory(show_in_menus=True),
        "statement": statement,
    }


@pytest.mark.parametrize(
    "name",
    ["home", "pool_index", "pool", "news_index", "news", "concept", "initiative", "statement"],
)
def test_page_type_has_no_axe_violations(page, site_pages, assert_accessible, name):
    page.goto(site_pages[name].url)
    assert page.locator("h1").count() == 1
    assert_accessible(page)


def test_search_results_have_no_axe_violations(page, site_pages, assert_accessible):
    page.goto("/")
    page.get_by_label("Søg på sitet").fill("Recovery")
    page.get_by_label("Søg på sitet").press("Enter")
    page.wait_for_url("**/soeg/?q=Recovery")
    assert page.get_by_role("link", name="Recovery og rehabilitering").is_visible()
    assert_accessible(page)


def test_skip_link_takes_keyboard_users_to_the_content(page, site_pages):
    page.goto(site_pages["pool"].url)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Gå til indhold")
    assert skip.evaluate("element => element === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_filtering_pools_with_the_keyboard(page, site_pages):
    page.goto(site_pages["pool_index"].url)
    page.get_by_label("Åbne puljer").check()
    page.get_by_role("button", name="Filtrér").press("Enter")
    page.wait_for_url("**status=aabne**")
    assert page.get_by_role("link", name="Recovery og rehabilitering").is_visible()
    assert page.get_by_role("link", name="Lovende praksis").count() == 0


def test_switching_to_english_and_back(page, site_pages):
    page.goto(site_pages["pool"].url)
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Award criteria").is_visible()
    page.get_by_role("button", name="Dansk").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "da"
    assert page.get_by_role("heading", name="Tildelingskriterier").is_visible()


def test_the_demo_site_has_no_axe_violations(page, assert_accessible):
    """The real seeded content, with its lists, tables of facts and long texts."""
    call_command("load_demo_content", stdout=StringIO())
    for url in (
        "/",
        "/puljer/",
        "/puljer/recovery-og-rehabilitering-2019/",
        "/nyheder/",
        "/nyheder/22-kommuner-vil-udvikle-socialpsykiatrien/",
        "/recovery-konceptet/",
        "/partnerskabet/",
        "/tilgaengelighedserklaering/",
    ):
        response = page.goto(url)
        assert response.status == 200, url
        assert_accessible(page)
