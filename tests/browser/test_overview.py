"""Mit overblik in a real browser: a login started on the front page lands there; axe-core
(WCAG 2.1 AA) finds nothing; every shortcut is reached with the keyboard and opens."""

import pytest
from django.urls import reverse
from django.utils import timezone

from knowledge.models import Notification, Subscription
from meetings.models import Meeting, Registration
from network.models import Membership
from tests.grants.factories import award, closed_pool
from tests.knowledge.factories import SpaceFactory, TopicFactory, numbered_post
from tests.meetings.factories import ActionItemFactory, MeetingFactory, RegistrationFactory
from tests.network.factories import DEFAULT_PASSWORD, agency_editor, member, municipal_person

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

OVERVIEW = reverse("network:overview")


@pytest.fixture
def leader():
    """Randers' project leader, with a grant case, a meeting, an action item and a mention."""
    case = award(closed_pool(), "Randers")
    leader = case.application.created_by
    leader.first_name = "Anders"
    leader.save(update_fields=["first_name"])
    initiative = case.application.pool.initiative
    assert Membership.objects.get(municipality=leader.municipality).status == "partner"
    member(initiative, "Odense", Membership.Status.REFERENCE)
    steering = MeetingFactory(
        title="Styregruppemøde",
        audience=Meeting.Audience.NETWORK,
        initiative=initiative,
    )
    RegistrationFactory(meeting=steering, person=leader)
    RegistrationFactory(person=leader, status=Registration.Status.WAITING)
    ActionItemFactory(
        meeting=MeetingFactory(past=True, audience=Meeting.Audience.NETWORK, initiative=initiative),
        text="Send implementeringsplanen",
        due_on=timezone.localdate(),
    )
    writer = municipal_person("Odense", first_name="Ole", last_name="Hansen")
    topic = TopicFactory(
        space=SpaceFactory(initiative=initiative), title="Recovery i bostøtten", author=writer
    )
    numbered_post(topic, writer)
    Subscription.objects.create(person=leader, topic=topic, last_read_sequence=1)
    mention = numbered_post(topic, writer, "Hvad siger @anders?")
    Notification.objects.create(person=leader, kind=Notification.Kind.MENTION, post=mention)
    return leader


def shortcut_hrefs(page):
    return page.eval_on_selector_all(
        ".overview-shortcuts a", "links => links.map(link => link.getAttribute('href'))"
    )


def tab_through_shortcuts(page, hrefs, limit=120):
    """Tab from the top of the page; every shortcut must take the focus, in order."""
    reached = []
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for _ in range(limit):
        page.keyboard.press("Tab")
        href = page.evaluate(
            "(el => el && el.closest('.overview-shortcuts') ? el.getAttribute('href') : null)"
            "(document.activeElement)"
        )
        if href:
            reached.append(href)
        if reached == hrefs:
            return reached
    return reached


def test_a_login_from_the_front_page_lands_on_the_overview(
    page, live_server, leader, assert_accessible
):
    page.goto("/")
    with page.expect_navigation():
        page.locator(".portal-user a.log-on").click()
    page.fill("#id_username", leader.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.url == live_server.url + OVERVIEW
    assert page.locator("h1").inner_text() == "Mit overblik"
    content = page.content()
    for shown in (
        "Styregruppemøde",
        "Send implementeringsplanen",
        "Recovery i bostøtten",
        "Ole Hansen nævnte dig",
        "Rapporter og regnskaber, jeres kommune skal aflevere",
    ):
        assert shown in content, shown
    assert_accessible(page)

    # Every shortcut is reached with Tab, in the order shown, and Enter follows it.
    hrefs = shortcut_hrefs(page)
    assert reverse("grants:my_cases") in hrefs and reverse("meetings:list") in hrefs
    assert tab_through_shortcuts(page, hrefs) == hrefs
    page.evaluate("document.activeElement.blur()")
    tab_through_shortcuts(page, hrefs[:1])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == live_server.url + hrefs[0]


def test_a_login_link_that_carries_the_front_page_still_lands_on_the_overview(
    page, live_server, leader
):
    """As the header's login link does when it carries ``next``: the front page is no
    place to return to after logging in."""
    page.goto(reverse("network:login") + "?next=/")
    page.fill("#id_username", leader.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == live_server.url + OVERVIEW


def test_an_editor_s_overview_is_accessible(page, live_server, assert_accessible):
    editor = agency_editor(first_name="Eva")
    award(closed_pool(), "Randers", editor=editor)
    page.goto(reverse("network:login") + "?next=" + reverse("meetings:my_registrations"))
    page.fill("#id_username", editor.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # A login started from a page that needs it returns there.
    assert page.url == live_server.url + reverse("meetings:my_registrations")
    page.goto(OVERVIEW)
    assert "Rapporter og regnskaber til gennemsyn" in page.content()
    assert_accessible(page)
    hrefs = shortcut_hrefs(page)
    assert reverse("network:invite") in hrefs
    assert tab_through_shortcuts(page, hrefs) == hrefs
