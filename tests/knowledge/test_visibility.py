"""Visibility matrix: every forum page, the tag page, search results and notifications,
against anonymous, applicant, reference member, partner member, agency editor and
moderator, for a partners', a network and a public space.

A space, topic or post the person may not read answers 404 on every page, so its
existence is not given away; search, tags and notifications never show it.
"""

import pytest
from django.urls import reverse

from knowledge import services
from knowledge.models import Notification, Space
from network.models import Membership
from tests.knowledge.factories import SpaceFactory, numbered_post
from tests.network.factories import (
    InitiativeFactory,
    agency_editor,
    agency_moderator,
    member,
    municipal_person,
)

pytestmark = pytest.mark.django_db

PEOPLE = ["anonymous", "applicant", "reference", "partner", "editor", "moderator"]
SPACES = ["partners", "network", "public"]
READERS = {
    "partners": {"partner", "editor", "moderator"},
    "network": {"reference", "partner", "editor", "moderator"},
    "public": set(PEOPLE),
}
POSTERS = {
    "partners": {"partner", "editor", "moderator"},
    "network": {"reference", "partner", "editor", "moderator"},
    "public": {"editor", "moderator"},
}


@pytest.fixture
def world():
    initiative = InitiativeFactory()
    member(initiative, "Randers", Membership.Status.PARTNER)
    member(initiative, "Odense", Membership.Status.REFERENCE)
    member(initiative, "Aarhus", Membership.Status.APPLICANT)
    people = {
        "anonymous": None,
        "applicant": municipal_person("Aarhus"),
        "reference": municipal_person("Odense"),
        "partner": municipal_person("Randers"),
        "editor": agency_editor(),
        "moderator": agency_moderator(),
    }
    author = agency_editor(first_name="Forfatter", last_name="Redaktør")
    spaces, topics, posts = {}, {}, {}
    for visibility in SPACES:
        space = SpaceFactory(
            title=f"Rummet {visibility}",
            slug=f"rum-{visibility}",
            visibility=visibility,
            initiative=None if visibility == Space.Visibility.PUBLIC else initiative,
        )
        topic = services.start_topic(
            space,
            author,
            title=f"Emnet hemmelig{visibility}",
            source=f"Indholdet ordet{visibility}",
            tags=[f"emneord-{visibility}", "faelles"],
        )
        post = numbered_post(topic, author, f"Svaret svar{visibility}")
        spaces[visibility], topics[visibility], posts[visibility] = space, topic, post
        for person in people.values():
            if person is not None:
                Notification.objects.create(person=person, post=post, kind="mention")
    return {"people": people, "spaces": spaces, "topics": topics, "posts": posts}


def as_person(client, world, who):
    person = world["people"][who]
    if person is not None:
        client.force_login(person)
    return person


def pages(world, visibility):
    space, topic, post = (world[kind][visibility] for kind in ("spaces", "topics", "posts"))
    return {
        "space": reverse("knowledge:space", args=[space.slug]),
        "new_topic": reverse("knowledge:new_topic", args=[space.slug]),
        "new_report": reverse("knowledge:new_experience_report", args=[space.slug]),
        "topic": reverse("knowledge:topic", args=[topic.pk]),
        "quote": reverse("knowledge:topic", args=[topic.pk]) + "?citer=1",
        "history": reverse("knowledge:post_history", args=[post.pk]),
        "edit": reverse("knowledge:edit_post", args=[post.pk]),
        "delete": reverse("knowledge:delete_post", args=[post.pk]),
        "report": reverse("knowledge:report_post", args=[post.pk]),
    }


def expected(page, who, visibility):
    if who not in READERS[visibility]:
        return 404
    if page in {"space", "topic", "quote", "history"}:
        return 200
    if who == "anonymous":
        return 302  # to the login page
    if page in {"new_topic", "new_report"}:
        return 200 if who in POSTERS[visibility] else 403
    if page == "edit":
        return 403  # only the author edits
    if page == "delete":
        return 200 if who in {"editor", "moderator"} else 403
    return 200  # report


@pytest.mark.parametrize("visibility", SPACES)
@pytest.mark.parametrize("who", PEOPLE)
def test_every_page_answers_by_role(client, world, who, visibility):
    as_person(client, world, who)
    title = world["topics"][visibility].title
    for page, url in pages(world, visibility).items():
        response = client.get(url)
        assert response.status_code == expected(page, who, visibility), (page, url)
        if response.status_code == 404:
            assert title not in response.content.decode()
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("network:login"))


@pytest.mark.parametrize("visibility", SPACES)
@pytest.mark.parametrize("who", PEOPLE)
def test_writes_to_unreadable_topics_are_not_found(client, world, who, visibility):
    as_person(client, world, who)
    topic, post = world["topics"][visibility], world["posts"][visibility]
    before = topic.posts.count()
    writes = [
        (reverse("knowledge:topic", args=[topic.pk]), {"text": "Et nyt svar"}),
        (reverse("knowledge:subscription", args=[topic.pk]), {"mode": "following"}),
        (reverse("knowledge:delete_post", args=[post.pk]), {}),
        (reverse("knowledge:report_post", args=[post.pk]), {"reason": "Grund"}),
        (reverse("knowledge:new_topic", args=[topic.space.slug]), {"title": "T", "text": "x"}),
    ]
    for url, data in writes:
        status = client.post(url, data).status_code
        if who not in READERS[visibility]:
            assert status == 404, url
        else:
            assert status != 404, url
    if who not in POSTERS[visibility]:
        assert topic.posts.count() == before


@pytest.mark.parametrize("who", PEOPLE)
def test_the_spaces_list_shows_only_readable_spaces(client, world, who):
    as_person(client, world, who)
    page = client.get(reverse("knowledge:spaces")).content.decode()
    for visibility in SPACES:
        assert (f"Rummet {visibility}" in page) == (who in READERS[visibility])


@pytest.mark.parametrize("who", PEOPLE)
def test_tag_pages_show_only_readable_topics(client, world, who):
    as_person(client, world, who)
    shared = client.get(reverse("knowledge:tag", args=["faelles"])).content.decode()
    for visibility in SPACES:
        readable = who in READERS[visibility]
        assert (f"hemmelig{visibility}" in shared) == readable
        own_tag = client.get(reverse("knowledge:tag", args=[f"emneord-{visibility}"]))
        assert own_tag.status_code == (200 if readable else 404)


@pytest.mark.parametrize("who", PEOPLE)
def test_search_never_shows_unreadable_topics_or_posts(client, world, who):
    as_person(client, world, who)
    url = reverse("knowledge:search")
    for visibility in SPACES:
        readable = who in READERS[visibility]
        for word in (f"hemmelig{visibility}", f"ordet{visibility}", f"svar{visibility}"):
            page = client.get(url, {"q": word}).content.decode()
            assert (f"Emnet hemmelig{visibility}" in page) == readable, word
        broad = client.get(url, {"q": "Svaret"}).content.decode()
        assert (f"svar{visibility}" in broad) == readable


def test_search_leaves_out_hidden_and_deleted_posts(client, world):
    url = reverse("knowledge:search")
    services.hide_post(world["posts"]["public"], world["people"]["moderator"])
    page = client.get(url, {"q": "svarpublic"}).content.decode()
    assert "Emnet hemmeligpublic" not in page and "Svaret svarpublic" not in page
    client.force_login(world["people"]["editor"])
    services.delete_post(world["posts"]["network"], world["people"]["editor"])
    page = client.get(url, {"q": "svarnetwork"}).content.decode()
    assert "Emnet hemmelignetwork" not in page and "Svaret svarnetwork" not in page


@pytest.mark.parametrize("who", PEOPLE)
def test_notifications_show_only_readable_topics(client, world, who):
    as_person(client, world, who)
    response = client.get(reverse("knowledge:notifications"))
    if who == "anonymous":
        assert response.status_code == 302
        return
    page = response.content.decode()
    for visibility in SPACES:
        assert (f"Emnet hemmelig{visibility}" in page) == (who in READERS[visibility])


def test_a_notification_for_a_space_no_longer_readable_is_left_out(client, world):
    reference = world["people"]["reference"]
    Membership.objects.filter(municipality=reference.municipality).update(
        status=Membership.Status.LEFT
    )
    client.force_login(reference)
    page = client.get(reverse("knowledge:notifications")).content.decode()
    assert "hemmeligpublic" in page and "hemmelignetwork" not in page
