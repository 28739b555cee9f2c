"""Every page type in DKFDS's frame, at a phone's width and a desk's (issue #18).

One browser walk over the demo content (the real pool, meetings, forum and grant cases)
as the people who use each page: for each page type and both widths, the page's `main`
starts within the first screen's top quarter (a third at 320 × 640), nothing scrolls
sideways at 320 px (WCAG 2.1, 1.4.10 reflow), IBM Plex Sans is the font in use, and axe-core
finds nothing. A screenshot of each is left in SCREENSHOTS (not committed; README,
"Screenshots").
"""

import gzip
import os
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from grants.models import GrantCase
from knowledge.models import Space, Topic
from meetings.models import Meeting
from network.models import Application, Initiative, Municipality, User
from tests.browser.login import log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SCREENSHOTS = Path(os.environ.get("SCREENSHOTS", settings.BASE_DIR / "test-screenshots"))
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 900}
WIDTHS = {"phone": (PHONE, 0.25), "small-phone": (SMALL_PHONE, 0.35), "desktop": (DESKTOP, 1)}


@pytest.fixture
def demo():
    call_command("load_demo_content", stdout=StringIO())


def page_types():
    """(name, person's email or None, url) for every kind of page a person meets."""
    meeting = Meeting.objects.filter(audience=Meeting.Audience.PUBLIC).order_by("pk").first()
    space = Space.objects.order_by("pk").first()
    topic = Topic.objects.filter(space=space).order_by("pk").first()
    case = GrantCase.objects.order_by("pk").first()
    application = Application.objects.exclude(submitted_at=None).order_by("pk").first()
    randers = Municipality.objects.get(name="Randers")
    initiative = Initiative.objects.order_by("pk").first()
    leader = "projektleder@randers.example"
    editor = "redaktoer@socialstyrelsen.example"
    return [
        ("front-page", None, "/"),
        ("pool-index", None, "/puljer/"),
        ("pool", None, "/puljer/recovery-og-rehabilitering-2019/"),
        ("news-index", None, "/nyheder/"),
        ("news", None, "/nyheder/22-kommuner-vil-udvikle-socialpsykiatrien/"),
        ("concept", None, "/recovery-konceptet/"),
        ("partnership", None, "/partnerskabet/"),
        ("search", None, "/soeg/?q=recovery"),
        ("meetings", None, reverse("meetings:list")),
        ("meeting", None, reverse("meetings:meeting", args=[meeting.pk])),
        ("forum", None, reverse("knowledge:spaces")),
        ("login", None, reverse("network:login")),
        ("space", leader, reverse("knowledge:space", args=[space.slug])),
        ("topic", leader, reverse("knowledge:topic", args=[topic.pk])),
        ("overview", leader, reverse("network:overview")),
        ("my-page", leader, reverse("network:my_page")),
        ("my-registrations", leader, reverse("meetings:my_registrations")),
        ("progress", leader, reverse("network:progress_overview", args=[initiative.slug])),
        ("municipality", leader, reverse("network:municipality", args=[randers.slug])),
        ("my-grant-cases", leader, reverse("grants:my_cases")),
        ("grant-case", editor, reverse("grants:case", args=[case.pk])),
        ("application", editor, reverse("network:application", args=[application.pk])),
        ("assessment", editor, reverse("network:assessment_list", args=[application.pool_id])),
        ("decision-list", editor, reverse("grants:decision_list", args=[application.pool_id])),
    ]


def log_in_as(page, live_server, email):
    page.context.clear_cookies()
    if email is not None:
        log_in(page, live_server, User.objects.get(email=email))


def measure(page):
    return page.evaluate(
        """() => ({
            mainTop: document.querySelector("main").getBoundingClientRect().top,
            documentWidth: document.documentElement.scrollWidth,
            font: getComputedStyle(document.body).fontFamily,
            plexLoaded: [...document.fonts].some(
                (face) => face.family.includes("IBM Plex Sans") && face.status === "loaded"),
        })"""
    )


def test_every_page_type_fits_a_phone_and_passes_axe(browser, live_server, demo, assert_accessible):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for width_name, (viewport, top_share) in WIDTHS.items():
        context = browser.new_context(locale="da-DK", base_url=live_server.url, viewport=viewport)
        page = context.new_page()
        current = "nobody"
        for name, email, url in page_types():
            if email != current:
                log_in_as(page, live_server, email)
                current = email
            response = page.goto(url)
            assert response.status == 200, (url, response.status)
            page.evaluate("document.fonts.ready")
            facts = measure(page)
            label = f"{name} at {viewport['width']} px ({url})"
            if facts["mainTop"] > viewport["height"] * top_share:
                problems.append(f"{label}: main starts at {facts['mainTop']:.0f} px")
            if facts["documentWidth"] > viewport["width"]:
                problems.append(f"{label}: {facts['documentWidth']} px wide")
            if not facts["font"].startswith('"IBM Plex Sans"') or not facts["plexLoaded"]:
                problems.append(f"{label}: IBM Plex Sans is not in use ({facts['font']})")
            page.screenshot(path=SCREENSHOTS / f"{name}-{width_name}.png")
            try:
                assert_accessible(page)
            except AssertionError as error:
                problems.append(f"{label}: {error}")
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("viewport", [PHONE, SMALL_PHONE])
def test_the_menu_opens_from_its_button_and_closes_with_escape(
    browser, live_server, demo, viewport
):
    context = browser.new_context(locale="da-DK", base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    page.goto("/")
    drawer = page.locator(".mobile-drawer")
    assert not drawer.is_visible()
    # By keyboard: past the skip link and the agency's name to the menu button.
    menu_button = page.get_by_role("button", name="Menu")
    menu_button.focus()
    page.keyboard.press("Enter")
    assert drawer.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('js-menu-close')")
    assert drawer.get_by_role("link", name="Møder").is_visible()
    page.keyboard.press("Escape")
    assert not drawer.is_visible()
    # And by pointer, through to a page.
    menu_button.click()
    drawer.get_by_role("link", name="Forum").click()
    page.wait_for_url("**/forum/")
    context.close()


def test_without_javascript_the_menu_is_on_the_page(browser, live_server, demo):
    context = browser.new_context(
        locale="da-DK", base_url=live_server.url, viewport=PHONE, java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/")
    assert page.locator(".navigation-menu").get_by_role("link", name="Møder").is_visible()
    assert not page.get_by_role("button", name="Menu").is_visible()
    context.close()


def test_the_front_page_is_light_and_does_not_shift_when_the_fonts_arrive(
    browser, live_server, demo
):
    context = browser.new_context(locale="da-DK", base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    sizes = {}

    def record(response):
        # Bytes over the wire in production, where whitenoise sends the gzip or brotli
        # file it made at collectstatic (the test server sends them as they are).
        body = response.body()
        compressible = not response.url.endswith(".woff2")
        sizes[response.url] = len(gzip.compress(body, 9)) if compressible else len(body)

    page.on("response", record)
    page.add_init_script(
        """window.__shift = 0;
        new PerformanceObserver((list) => {
            for (const entry of list.getEntries()) {
                if (!entry.hadRecentInput) window.__shift += entry.value;
            }
        }).observe({type: "layout-shift", buffered: true});"""
    )
    page.goto("/", wait_until="networkidle")
    page.evaluate("document.fonts.ready")
    fonts = [url for url in sizes if url.endswith(".woff2")]
    assert fonts, "no web font was loaded"
    assert sum(sizes.values()) < 150_000, sizes
    assert page.evaluate("window.__shift") == 0
    preloaded = page.locator('link[rel="preload"][as="font"]').evaluate_all(
        "links => links.map((link) => link.href)"
    )
    assert all(url in preloaded for url in fonts if "Regular-Latin1" in url)
    context.close()


def admin_views():
    """The project's own views inside the editors' admin, as an agency editor meets them."""
    meeting = Meeting.objects.order_by("pk").first()
    topic = Topic.objects.order_by("pk").first()
    return [
        ("admin-attendees", reverse("meetings_admin:attendees", args=[meeting.pk])),
        ("admin-reported-posts", reverse("knowledge_admin:reports")),
        ("admin-topic", reverse("knowledge_admin:topic", args=[topic.pk])),
        ("admin-outbox", reverse("network_outbox:index")),
        ("admin-reporting-plans", reverse("wagtailsnippets_grants_reportingplan:list")),
    ]


def test_the_projects_admin_views_pass_axe_at_both_widths(
    browser, live_server, demo, assert_accessible
):
    problems = []
    for width_name in ("phone", "desktop"):
        viewport = WIDTHS[width_name][0]
        context = browser.new_context(locale="da-DK", base_url=live_server.url, viewport=viewport)
        page = context.new_page()
        log_in_as(page, live_server, "redaktoer@socialstyrelsen.example")
        for name, url in admin_views():
            response = page.goto(url)
            assert response.status == 200, (url, response.status)
            page.screenshot(path=SCREENSHOTS / f"{name}-{width_name}.png")
            try:
                assert_accessible(page)
            except AssertionError as error:
                problems.append(f"{name} at {viewport['width']} px: {error}")
        context.close()
    assert not problems, "\n".join(problems)
