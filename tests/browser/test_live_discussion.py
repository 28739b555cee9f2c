"""Two real browsers on one topic, served by a real daphne process (WebSockets).

The topic page is served by ``daphne config.asgi:application`` on loopback against the
test database (see tests/knowledge/live_server.py), because Django's live server
speaks no WebSocket.
"""

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from knowledge.models import Post, Space
from network.models import Membership
from tests.browser.conftest import watch_csp_violations
from tests.knowledge.factories import SpaceFactory, TopicFactory, numbered_post
from tests.knowledge.live_server import daphne_process, shared_database
from tests.network.factories import member, municipal_person

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

OPEN = "() => document.getElementById('posts').dataset.liveState === 'open'"
NOT_OPEN = "() => document.getElementById('posts').dataset.liveState !== 'open'"


def open_topic(browser, base_url, person, topic):
    client = Client()
    client.force_login(person)
    context = browser.new_context(locale="da-DK", base_url=base_url)
    watch_csp_violations(context)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"/forum/emner/{topic.pk}/")
    expect(page.locator("#posts")).to_be_attached()
    page.wait_for_function(OPEN)
    return context, page


def partners_topic():
    """Anna and Bo of partner Randers, and Anna's topic in the partners' space."""
    space = SpaceFactory(visibility=Space.Visibility.PARTNERS)
    member(space.initiative, "Randers", Membership.Status.PARTNER)
    anna = municipal_person("Randers", first_name="Anna", last_name="Andersen")
    bo = municipal_person("Randers", first_name="Bo", last_name="Bech")
    topic = TopicFactory(space=space, author=anna, title="Recovery-caféen")
    numbered_post(topic, anna, "Hvordan kom I i gang?")
    return anna, bo, topic


def write(page, text):
    page.fill("#reply-form textarea[name=text]", text)
    page.click("#reply-form [type=submit]")


def sequences(page):
    return [
        int(n)
        for n in page.eval_on_selector_all(
            "#posts > article", "a => a.map(e => e.dataset.sequence)"
        )
    ]


def actions(page, sequence):
    """The actions a live post offers in this tab, once they are shown."""
    expect(page.locator(f"#indlaeg-{sequence} .post__actions")).to_be_visible()
    return page.eval_on_selector_all(
        f"#indlaeg-{sequence} .post__actions li", "l => l.map(e => e.dataset.action)"
    )


def test_live_discussion_between_two_browsers(browser, tmp_path):
    with shared_database(tmp_path) as database_url:
        anna, bo, topic = partners_topic()

        with daphne_process(database_url, tmp_path / "daphne.log") as address:
            base_url = f"http://{address}"
            context_a, page_a = open_topic(browser, base_url, anna, topic)
            context_b, page_b = open_topic(browser, base_url, bo, topic)
            try:
                # What one writes appears in the other without reload, announced politely.
                write(page_a, "Vi startede med en **fælles** workshop.")
                expect(page_b.locator("#indlaeg-2")).to_contain_text(
                    "Vi startede med en fælles workshop."
                )
                expect(page_b.locator("#live-status")).to_contain_text("Anna Andersen")
                # Each tab keeps the actions open to its viewer, as on a reloaded page.
                assert actions(page_b, 2) == ["quote", "report"]
                assert actions(page_a, 2) == ["quote", "edit", "delete"]
                post = Post.objects.get(topic=topic, sequence=2)
                expect(
                    page_b.locator("#indlaeg-2 .post__actions a", has_text="Anmeld")
                ).to_have_attribute("href", f"/forum/indlaeg/{post.pk}/anmeld/")
                expect(page_a.locator("#reply-form textarea[name=text]")).to_have_value("")
                expect(page_a.locator("#indlaeg-2")).to_have_count(1)
                assert page_b.evaluate("document.activeElement === document.body")

                # Who is viewing.
                expect(page_a.locator("#live-presence")).to_contain_text("Bo Bech, Randers")

                # The other drops its connection; a post is made meanwhile; after the
                # reconnect it is shown, once, in order.
                context_b.set_offline(True)
                page_b.evaluate("window.liveTopic.drop()")
                page_b.wait_for_function(NOT_OPEN)
                write(page_a, "Skrevet mens Bo var væk.")
                expect(page_a.locator("#indlaeg-3")).to_be_visible()
                page_b.wait_for_timeout(1500)  # past the first reconnect attempt
                expect(page_b.locator("#indlaeg-3")).to_have_count(0)
                context_b.set_offline(False)
                expect(page_b.locator("#indlaeg-3")).to_contain_text("Skrevet mens Bo var væk.")
                page_b.wait_for_function(OPEN)
                assert sequences(page_b) == [1, 2, 3]

                # Paused, the feed queues; resumed, it shows what came meanwhile.
                pause = page_b.locator("#live-pause")
                expect(pause).to_be_visible()
                pause.click()
                expect(pause).to_have_attribute("aria-pressed", "true")
                write(page_a, "Et indlæg under pausen.")
                expect(page_a.locator("#indlaeg-4")).to_be_visible()
                page_b.wait_for_timeout(500)
                expect(page_b.locator("#indlaeg-4")).to_have_count(0)
                pause.click()
                expect(pause).to_have_attribute("aria-pressed", "false")
                expect(page_b.locator("#indlaeg-4")).to_contain_text("Et indlæg under pausen.")
                assert sequences(page_b) == [1, 2, 3, 4]

                # A refusal keeps the text and says why, next to the form.
                write(page_b, "Borgerens nummer er 010190-1234.")
                expect(page_b.locator("#reply-errors[role=alert]")).to_contain_text(
                    re.compile("CPR", re.IGNORECASE)
                )
                expect(page_b.locator("#reply-form textarea[name=text]")).to_have_value(
                    "Borgerens nummer er 010190-1234."
                )
                # The live script and its WebSocket run under the site's CSP.
                assert context_a.csp_violations + context_b.csp_violations == []
            finally:
                context_a.close()
                context_b.close()

        assert list(Post.objects.filter(topic=topic).values_list("sequence", flat=True)) == [
            1,
            2,
            3,
            4,
        ]


def test_a_post_lost_on_the_way_is_fetched_when_the_next_one_arrives(browser, tmp_path):
    with shared_database(tmp_path) as database_url:
        anna, bo, topic = partners_topic()

        with daphne_process(database_url, tmp_path / "daphne.log") as address:
            base_url = f"http://{address}"
            context_a, page_a = open_topic(browser, base_url, anna, topic)
            context_b, page_b = open_topic(browser, base_url, bo, topic)
            try:
                # Saved, but its broadcast never reaches Anna (as when a channel is full).
                numbered_post(topic, bo, "Et indlæg, der blev væk på vejen.")
                write(page_b, "Og et indlæg, der kom frem.")
                expect(page_a.locator("#indlaeg-3")).to_contain_text("kom frem")
                expect(page_a.locator("#indlaeg-2")).to_contain_text("blev væk på vejen")
                assert sequences(page_a) == [1, 2, 3]
            finally:
                context_a.close()
                context_b.close()
