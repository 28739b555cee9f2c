"""Moderation in the Wagtail admin ("Forum"): the report queue, hiding and restoring,
locking and moving topics, curating tags, and nobody but moderators getting in."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from taggit.models import Tag

from knowledge import services, tags
from knowledge.models import Post, PostReport, Space, Topic
from network.models import Membership
from tests.knowledge.factories import PostFactory, SpaceFactory, TopicFactory, numbered_post
from tests.network.factories import (
    InitiativeFactory,
    agency_editor,
    agency_moderator,
    member,
    municipal_person,
)

pytestmark = pytest.mark.django_db

REPORTS = reverse("knowledge_admin:reports")
HIDDEN = reverse("knowledge_admin:hidden")
TAGS = reverse("knowledge_admin:tags")
TOPICS = reverse("wagtailsnippets_knowledge_topic:list")
SPACES = reverse("wagtailsnippets_knowledge_space:list")


def admin_access(person):
    """Wagtail's own "may enter the admin" right, which agency staff have from the group
    of their role (``network.services.ROLE_GROUPS``); given here to others, to show that
    it alone does not let them moderate."""
    person.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return person


@pytest.fixture
def initiative():
    initiative = InitiativeFactory()
    member(initiative, "Randers", Membership.Status.PARTNER)
    member(initiative, "Aarhus", Membership.Status.REFERENCE)
    return initiative


@pytest.fixture
def space(initiative):
    return SpaceFactory(visibility=Space.Visibility.NETWORK, initiative=initiative)


@pytest.fixture
def partner():
    return municipal_person("Randers", first_name="Anders", last_name="Kjær")


@pytest.fixture
def reference():
    return municipal_person("Aarhus", first_name="Sofie", last_name="Dahl")


@pytest.fixture
def moderator(client):
    moderator = agency_moderator()
    client.force_login(moderator)
    return moderator


@pytest.fixture
def topic(space, partner):
    return services.start_topic(
        space, partner, title="Bostøtte og netværk", source="Hvordan gør I?", tags=["netværk"]
    )


@pytest.fixture
def post(topic, reference):
    return PostFactory(topic=topic, author=reference, source="Vi bruger netværkskort.")


def as_shown(post):
    """The post as the topic page and the live feed render it."""
    post = Post.objects.select_related("author", "author__municipality", "quoted").get(pk=post.pk)
    return render_to_string("knowledge/_post.html", {"post": post})


# --- The report queue ------------------------------------------------------------------------


def test_report_hide_restore(client, moderator, topic, post, partner):
    report = services.report_post(post, partner, "Indlægget nævner en borger ved navn.")

    queue = client.get(REPORTS)
    assert queue.status_code == 200
    html = queue.content.decode()
    assert "Vi bruger netværkskort." in html
    assert "Indlægget nævner en borger ved navn." in html
    assert partner.get_full_name() in html
    assert reverse("knowledge_admin:topic", args=[topic.pk]) in html
    assert reverse("knowledge_admin:hide_reported", args=[report.pk]) in html

    response = client.post(reverse("knowledge_admin:hide_reported", args=[report.pk]))
    assert response.status_code == 302
    post.refresh_from_db()
    report.refresh_from_db()
    assert post.hidden_at is not None and post.hidden_by == moderator
    assert report.handled_at is not None and report.handled_by == moderator
    assert "Vi bruger netværkskort." not in as_shown(post)
    assert client.get(HIDDEN).content.decode().count("Vi bruger netværkskort.") == 1

    response = client.post(reverse("knowledge_admin:restore", args=[post.pk]), {"next": HIDDEN})
    assert response.status_code == 302 and response["Location"] == HIDDEN
    post.refresh_from_db()
    assert post.hidden_at is None
    assert "Vi bruger netværkskort." in as_shown(post)
    assert "Vi bruger netværkskort." not in client.get(HIDDEN).content.decode()


def test_unhandled_reports_come_first(client, moderator, topic, post, partner, reference):
    own = PostFactory(topic=topic, author=partner, source="Det andet indlæg.")
    handled = services.report_post(own, reference, "Gammel anmeldelse.")
    client.post(reverse("knowledge_admin:report_handled", args=[handled.pk]))
    services.report_post(post, partner, "Ny anmeldelse.")
    html = client.get(REPORTS).content.decode()
    assert html.index("Ny anmeldelse.") < html.index("Gammel anmeldelse.")


def test_mark_handled_keeps_the_post(client, moderator, post, partner):
    report = services.report_post(post, partner, "Er det ok?")
    client.post(reverse("knowledge_admin:report_handled", args=[report.pk]))
    report.refresh_from_db()
    post.refresh_from_db()
    assert report.handled_at is not None and report.handled_by == moderator
    assert post.is_visible
    assert "Vi bruger netværkskort." in as_shown(post)


def test_the_queue_reads_in_a_bounded_number_of_queries(
    client, moderator, topic, partner, reference, django_assert_max_num_queries
):
    for number in range(12):
        target = numbered_post(topic, reference, f"Indlæg {number}")
        PostReport.objects.create(post=target, reporter=partner, reason=f"Grund {number}")
    with django_assert_max_num_queries(15):
        response = client.get(REPORTS)
    assert response.content.decode().count("Grund ") == 12


# --- Topics: lock, move ----------------------------------------------------------------------


def test_lock_stops_posting_and_unlock_allows_it(client, moderator, topic, reference):
    url = reverse("knowledge_admin:topic", args=[topic.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"action": "lock"})
    topic.refresh_from_db()
    assert topic.locked
    with pytest.raises(services.PostingRefused):
        services.post_reply(topic, reference, "Må jeg svare?")
    client.post(url, {"action": "unlock"})
    topic.refresh_from_db()
    assert not topic.locked
    assert services.post_reply(topic, reference, "Nu kan jeg svare.").sequence == 2


def test_move_to_another_space(client, moderator, topic, initiative):
    partners = SpaceFactory(visibility=Space.Visibility.PARTNERS, initiative=initiative)
    url = reverse("knowledge_admin:topic", args=[topic.pk])
    response = client.post(url, {"action": "move", "move-space": partners.pk})
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.space == partners


def test_move_to_a_missing_space_shows_the_form_again(client, moderator, topic, space):
    url = reverse("knowledge_admin:topic", args=[topic.pk])
    response = client.post(url, {"action": "move", "move-space": 999999})
    assert response.status_code == 200
    topic.refresh_from_db()
    assert topic.space == space


def test_topic_and_space_listings(client, moderator, topic, space, post):
    html = client.get(TOPICS).content.decode()
    assert topic.title in html and space.title in html
    assert reverse("knowledge_admin:topic", args=[topic.pk]) in html
    assert reverse("knowledge:topic", args=[topic.pk]) in html
    assert client.get(SPACES).status_code == 200
    assert client.get(reverse("wagtailsnippets_knowledge_space:add")).status_code == 200
    # Topics change only through the services: no add or edit form.
    assert client.get(reverse("wagtailsnippets_knowledge_topic:add")).status_code != 200


def test_space_added_in_the_admin(client, moderator, initiative):
    response = client.post(
        reverse("wagtailsnippets_knowledge_space:add"),
        {
            "title": "Ledernetværket",
            "slug": "ledernetvaerket",
            "description": "For ledere.",
            "visibility": Space.Visibility.PARTNERS,
            "initiative": initiative.pk,
            "position": 4,
        },
    )
    assert response.status_code == 302
    assert Space.objects.get(slug="ledernetvaerket").visibility == Space.Visibility.PARTNERS


def test_the_forum_menu_for_moderators(client, moderator):
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Forum" in html
    assert REPORTS in html and TAGS in html and HIDDEN in html


# --- Who gets in -----------------------------------------------------------------------------


def moderation_urls(topic, post, report, tag):
    return {
        "get": [
            REPORTS,
            HIDDEN,
            TAGS,
            TOPICS,
            SPACES,
            reverse("knowledge_admin:topic", args=[topic.pk]),
        ],
        "post": [
            (reverse("knowledge_admin:hide_reported", args=[report.pk]), {}),
            (reverse("knowledge_admin:report_handled", args=[report.pk]), {}),
            (reverse("knowledge_admin:restore", args=[post.pk]), {}),
            (reverse("knowledge_admin:topic", args=[topic.pk]), {"action": "lock"}),
            (reverse("knowledge_admin:rename_tag", args=[tag.pk]), {"name": "andet"}),
            (reverse("knowledge_admin:merge_tag", args=[tag.pk]), {"target": "andet"}),
        ],
    }


@pytest.mark.parametrize(
    "make_person",
    [
        lambda: municipal_person("Randers"),
        lambda: admin_access(municipal_person("Randers")),
    ],
    ids=["partner member", "partner member with admin access"],
)
def test_others_are_turned_away(client, make_person, topic, post, partner):
    report = services.report_post(post, partner, "Se venligst på det.")
    Tag.objects.create(name="andet", slug="andet")
    tag = Tag.objects.get(name="netværk")
    client.force_login(make_person())
    urls = moderation_urls(topic, post, report, tag)
    for url in urls["get"]:
        assert client.get(url).status_code in (302, 403), url
    for url, data in urls["post"]:
        assert client.post(url, data).status_code in (302, 403), url
    post.refresh_from_db()
    report.refresh_from_db()
    topic.refresh_from_db()
    assert post.is_visible and report.handled_at is None and not topic.locked
    assert Tag.objects.filter(name="netværk").exists()
    assert "Forum" not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_agency_editors_moderate_too(client, topic, post, partner):
    client.force_login(agency_editor())
    report = services.report_post(post, partner, "Se venligst på det.")
    assert client.get(REPORTS).status_code == 200
    client.post(reverse("knowledge_admin:hide_reported", args=[report.pk]))
    post.refresh_from_db()
    assert post.hidden_at is not None


def test_the_services_refuse_non_moderators(topic, post, partner):
    for call in (
        lambda: services.hide_post(post, partner),
        lambda: services.restore_post(post, partner),
        lambda: services.lock_topic(topic, partner),
        lambda: services.move_topic(topic, partner, topic.space),
    ):
        with pytest.raises(PermissionDenied):
            call()


# --- Tags ------------------------------------------------------------------------------------


@pytest.fixture
def tagged(space, partner):
    first = TopicFactory(space=space, author=partner, tags=["netværk", "bostøtte"])
    second = TopicFactory(space=space, author=partner, tags=["netvaerk"])
    third = TopicFactory(space=space, author=partner, tags=["netvaerk", "netværk"])
    return first, second, third


def test_counts(tagged):
    counts = {tag.name: tag.topic_count for tag in tags.tags_with_counts()}
    assert counts == {"bostøtte": 1, "netværk": 2, "netvaerk": 2}


def test_merge_moves_topics_and_deletes_the_tag(tagged):
    third = tagged[2]
    source, target = Tag.objects.get(name="netvaerk"), Tag.objects.get(name="netværk")
    assert tags.merge_tags(source, target) == 2
    assert not Tag.objects.filter(name="netvaerk").exists()
    for topic in tagged:
        assert "netværk" in topic.tags.names()
    assert list(third.tags.names()) == ["netværk"]  # once, not twice
    assert {tag.name: tag.topic_count for tag in tags.tags_with_counts()}["netværk"] == 3


def test_merge_into_itself_is_refused(tagged):
    tag = Tag.objects.get(name="netværk")
    with pytest.raises(ValidationError):
        tags.merge_tags(tag, tag)


def test_rename(tagged):
    tag = Tag.objects.get(name="bostøtte")
    tags.rename_tag(tag, "  Bostøtte i  eget hjem ")
    tag.refresh_from_db()
    assert tag.name == "bostøtte i eget hjem" and tag.slug == "bostøtte-i-eget-hjem"
    assert tagged[0].tags.filter(pk=tag.pk).exists()
    with pytest.raises(ValidationError):
        tags.rename_tag(tag, "Netværk")  # taken: merge instead
    with pytest.raises(ValidationError):
        tags.rename_tag(tag, "  ")


def test_tag_pages_in_the_admin(client, moderator, tagged):
    html = client.get(TAGS).content.decode()
    assert "netvaerk" in html and "bostøtte" in html
    source = Tag.objects.get(name="netvaerk")
    response = client.post(
        reverse("knowledge_admin:merge_tag", args=[source.pk]), {"target": "Netværk"}
    )
    assert response.status_code == 302
    assert not Tag.objects.filter(pk=source.pk).exists()
    tag = Tag.objects.get(name="bostøtte")
    client.post(reverse("knowledge_admin:rename_tag", args=[tag.pk]), {"name": "bolig"})
    tag.refresh_from_db()
    assert tag.name == "bolig"
    response = client.post(
        reverse("knowledge_admin:merge_tag", args=[tag.pk]), {"target": "findes ikke"}, follow=True
    )
    assert Tag.objects.filter(pk=tag.pk).exists()
    assert Topic.objects.filter(tags__name="bolig").count() == 1
