"""The error pages in a real browser: 404, 403 and the 500 page a person sees when the
database fails while their reply is saved, all without axe violations."""

import pytest
from django.urls import reverse

from knowledge import services
from knowledge.models import Post, Space
from network.models import Membership
from tests.browser.login import log_in
from tests.browser.test_forum import NO_WEBSOCKET
from tests.faults.test_database_errors import fail_after
from tests.knowledge.factories import SpaceFactory, TopicFactory, numbered_post
from tests.network.factories import member, municipal_person

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def topic():
    space = SpaceFactory(visibility=Space.Visibility.NETWORK)
    member(space.initiative, "Randers", Membership.Status.PARTNER)
    author = municipal_person("Randers")
    topic = TopicFactory(space=space, author=author)
    numbered_post(topic, author, "Det første indlæg.")
    return topic


def test_the_404_and_403_pages_have_no_axe_violations(page, live_server, topic, assert_accessible):
    response = page.goto("/findes-ikke-her/")
    assert response.status == 404
    assert page.locator("h1").count() == 1
    assert_accessible(page)

    log_in(page, live_server, municipal_person("Randers"))
    post = topic.posts.get()
    response = page.goto(reverse("knowledge:edit_post", args=[post.pk]))
    assert response.status == 403
    assert page.locator("h1").count() == 1
    assert_accessible(page)


def test_a_reply_the_database_drops_shows_the_error_page(
    page, live_server, topic, monkeypatch, assert_accessible
):
    page.add_init_script(NO_WEBSOCKET)
    log_in(page, live_server, municipal_person("Randers"))
    page.goto(reverse("knowledge:topic", args=[topic.pk]))
    fail_after(monkeypatch, services, "_create_post")

    page.fill("#id_text", "Et svar der ikke bliver gemt.")
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.locator("#reply-form [type=submit]").click()

    assert answer.value.status == 500
    assert page.locator(".error-page--500 h1").is_visible()
    assert_accessible(page)
    assert list(Post.objects.filter(topic=topic).values_list("source", flat=True)) == [
        "Det første indlæg."
    ]
