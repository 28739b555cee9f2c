"""Topic cards in the forum's lists and the posts of a topic page are cached, and every
change they show shows at once."""

import re
from unittest import mock

import pytest
from django.template import loader
from django.urls import reverse

from knowledge import services
from knowledge.models import Space
from knowledge.tags import merge_tags, rename_tag
from network.models import Membership
from tests.knowledge.factories import SpaceFactory, TopicFactory, numbered_post
from tests.network.factories import agency_moderator, member, municipal_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def forum(client):
    space = SpaceFactory(visibility=Space.Visibility.NETWORK)
    member(space.initiative, "Randers", Membership.Status.PARTNER)
    member(space.initiative, "Odense", Membership.Status.REFERENCE)
    writer = municipal_person("Randers", first_name="Rikke", last_name="Rasmussen")
    reader = municipal_person("Odense", first_name="Ole", last_name="Olsen")
    topic = TopicFactory(space=space, author=writer, title="Peer-støtte", tags=["recovery"])
    numbered_post(topic, writer, "Hvem har prøvet peer-støtte?")
    client.force_login(reader)
    return {"space": space, "topic": topic, "writer": writer, "reader": reader}


def space_page(client, forum):
    response = client.get(reverse("knowledge:space", args=[forum["space"].slug]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def renders():
    """How often a template has been rendered: ``renders("knowledge/_post.html")``."""
    template_class = type(loader.get_template("knowledge/_topic_card.html"))
    with mock.patch.object(
        template_class, "render", autospec=True, side_effect=template_class.render
    ) as render:
        yield lambda name: sum(
            1 for call in render.call_args_list if call.args[0].origin.template_name == name
        )


@pytest.fixture
def card_renders(renders):
    return lambda: renders("knowledge/_topic_card.html")


def topic_list(page):
    return page[page.index('<ul class="card-list topic-list">') :].split("</ul>", 1)[0]


def test_a_card_is_rendered_once_and_then_comes_from_the_cache(client, forum, card_renders):
    first = topic_list(space_page(client, forum))
    assert "Peer-støtte" in first
    assert card_renders() == 1
    assert topic_list(space_page(client, forum)) == first
    assert card_renders() == 1


def test_a_new_post_shows_in_the_card_at_once(client, forum):
    assert "1 ny" in space_page(client, forum)
    services.post_reply(forum["topic"], forum["writer"], "Det har vi prøvet i Randers.")
    page = space_page(client, forum)
    assert "2 nye" in page
    assert "<dd>2</dd>" in page


def test_the_unread_count_is_the_readers_own(client, forum):
    space_page(client, forum)
    client.force_login(forum["writer"])
    assert "ny</span>" not in space_page(client, forum)


def test_changed_tags_show_at_once(client, forum):
    assert ">recovery</a>" in space_page(client, forum)
    forum["topic"].tags.add("netværk")
    assert ">netværk</a>" in space_page(client, forum)
    tag = forum["topic"].tags.get(name="recovery")
    rename_tag(tag, "recovery-orientering")
    page = space_page(client, forum)
    assert ">recovery-orientering</a>" in page and ">recovery</a>" not in page
    merge_tags(
        forum["topic"].tags.get(name="netværk"),
        forum["topic"].tags.get(name="recovery-orientering"),
    )
    page = space_page(client, forum)
    assert ">netværk</a>" not in page
    forum["topic"].tags.clear()
    assert "recovery-orientering" not in space_page(client, forum)


def test_a_renamed_author_and_a_locked_topic_show_at_once(client, forum):
    space_page(client, forum)
    forum["writer"].last_name = "Rasmussen-Holm"
    forum["writer"].save()
    forum["topic"].locked = True
    forum["topic"].save()
    page = space_page(client, forum)
    assert "Rikke Rasmussen-Holm" in page and "Låst" in page


# --- The posts of a topic page ---------------------------------------------------------------


def topic_page(client, forum):
    response = client.get(reverse("knowledge:topic", args=[forum["topic"].pk]))
    assert response.status_code == 200
    return "".join(
        re.findall(r'<article class="post.*?</article>', response.content.decode(), re.S)
    )


def test_a_post_is_rendered_once_and_then_comes_from_the_cache(client, forum, renders):
    first = topic_page(client, forum)
    assert "Hvem har prøvet peer-støtte?" in first
    assert renders("knowledge/_post.html") == 1
    assert topic_page(client, forum) == first
    assert renders("knowledge/_post.html") == 1


def test_a_change_to_a_post_shows_at_once(client, forum):
    post = forum["topic"].posts.get()
    assert "Rikke Rasmussen" in topic_page(client, forum)
    services.edit_post(post, forum["writer"], "Hvem har prøvet peer-støtte i bostøtten?")
    page = topic_page(client, forum)
    assert "i bostøtten?" in page and "redigeret" in page
    forum["writer"].first_name = "Rikke Marie"
    forum["writer"].save()
    assert "Rikke Marie Rasmussen" in topic_page(client, forum)
    services.hide_post(post, agency_moderator())
    page = topic_page(client, forum)
    assert "i bostøtten?" not in page and "skjult af en moderator" in page


def test_the_actions_on_a_post_are_the_readers_own(client, forum):
    page = topic_page(client, forum)
    assert "Anmeld" in page and "Rediger" not in page
    client.force_login(forum["writer"])
    page = topic_page(client, forum)
    assert "Rediger" in page and "Anmeld" not in page
