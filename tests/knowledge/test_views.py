"""The forum's pages as people use them: topics, replies, quotes, edits with history, soft
deletes, reports, following and muting, unread markers, the experience-report filter, tags
and the rate-limit message. Every write goes through the plain forms (no JavaScript)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from knowledge import services
from knowledge.models import (
    POSTS_PER_PAGE,
    Notification,
    Post,
    PostReport,
    Space,
    Subscription,
    Topic,
)
from network.models import Membership
from tests.knowledge.factories import PostFactory, SpaceFactory, TopicFactory, numbered_post
from tests.network.factories import InitiativeFactory, agency_moderator, member, municipal_person

pytestmark = pytest.mark.django_db

REPORT = {
    "context": "Socialpsykiatrien i Randers, bostøtten.",
    "what_we_did": "Vi indførte recovery-samtaler.",
    "what_worked": "Borgerens egne mål styrede.",
    "barriers": "Tid og vagtplaner.",
    "results": "Flere borgere i job og uddannelse.",
}


@pytest.fixture
def forum():
    initiative = InitiativeFactory()
    member(initiative, "Randers", Membership.Status.PARTNER)
    member(initiative, "Odense", Membership.Status.REFERENCE)
    space = SpaceFactory(
        title="Netværket",
        slug="netvaerket",
        visibility=Space.Visibility.NETWORK,
        initiative=initiative,
    )
    partner = municipal_person("Randers", first_name="Anna", last_name="Holm")
    reference = municipal_person("Odense", first_name="Bo", last_name="Lund")
    return {"initiative": initiative, "space": space, "partner": partner, "reference": reference}


def topic_url(topic):
    return reverse("knowledge:topic", args=[topic.pk])


def start(space, author, title="Recovery i bostøtten", source="Hvordan gør I?", **kwargs):
    return services.start_topic(space, author, title=title, source=source, **kwargs)


# --- Topics --------------------------------------------------------------------------------


def test_a_member_starts_a_topic_with_tags_part_and_element(client, forum):
    client.force_login(forum["partner"])
    url = reverse("knowledge:new_topic", args=["netvaerket"])
    page = client.get(url)
    assert page.status_code == 200
    assert 'for="id_title"' in page.content.decode()
    response = client.post(
        url,
        {
            "title": "Recovery-samtaler",
            "text": "Vi har **gode** erfaringer.",
            "tags": "Recovery, bostøtte , ",
            "project_part": "2",
            "concept_element": "citizens_goals",
        },
    )
    topic = Topic.objects.get()
    assert response.status_code == 302
    assert response["Location"] == topic_url(topic)
    assert topic.author == forum["partner"]
    assert topic.project_part == 2 and topic.concept_element == "citizens_goals"
    assert sorted(topic.tags.names()) == ["bostøtte", "recovery"]
    page = client.get(topic_url(topic)).content.decode()
    assert "<strong>gode</strong>" in page
    assert f'id="posts" data-topic="{topic.pk}" data-last-sequence="1"' in page
    assert f'data-ws-path="/ws/emner/{topic.pk}/"' in page
    viewer = f'data-viewer="{forum["partner"].pk}" data-may-reply="true" data-moderator="false"'
    assert viewer in page
    assert 'id="reply-form"' in page and 'id="reply-errors" role="alert"' in page
    assert 'id="live-status" role="status" aria-live="polite"' in page
    assert "js/live-topic.js" in page


def test_the_topic_form_keeps_the_text_when_a_title_is_missing(client, forum):
    client.force_login(forum["partner"])
    response = client.post(
        reverse("knowledge:new_topic", args=["netvaerket"]), {"title": "", "text": "Min tekst"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "error-summary" in page and "Min tekst" in page
    assert 'aria-describedby="id_title_error"' in page
    assert not Topic.objects.exists()


def test_the_topic_form_suggests_tags_in_use(client, forum):
    start(forum["space"], forum["partner"], tags=["recovery"])
    client.force_login(forum["reference"])
    page = client.get(reverse("knowledge:new_topic", args=["netvaerket"])).content.decode()
    assert "recovery" in page


def test_anonymous_is_sent_to_log_in_and_a_public_space_refuses_members(client, forum):
    SpaceFactory(slug="offentligt", visibility=Space.Visibility.PUBLIC)
    public_url = reverse("knowledge:new_topic", args=["offentligt"])
    assert client.get(public_url)["Location"].startswith(reverse("network:login"))
    # A members' space is not found, with a way to log in.
    response = client.get(reverse("knowledge:new_topic", args=["netvaerket"]))
    assert response.status_code == 404
    assert reverse("network:login") in response.content.decode()
    client.force_login(forum["partner"])
    assert client.get(public_url).status_code == 403


def test_an_experience_report_with_its_five_sections(client, forum):
    client.force_login(forum["partner"])
    url = reverse("knowledge:new_experience_report", args=["netvaerket"])
    response = client.post(
        url,
        {
            "title": "Erfaringer fra Randers",
            "project_part": "1",
            "concept_element": "resources",
            "tags": "kortlægning",
            **REPORT,
        },
    )
    topic = Topic.objects.get()
    assert response["Location"] == topic_url(topic)
    assert topic.kind == Topic.Kind.EXPERIENCE
    page = client.get(topic_url(topic)).content.decode()
    for text in REPORT.values():
        assert text in page


def test_an_experience_report_missing_a_section_says_which(client, forum):
    client.force_login(forum["partner"])
    data = {"title": "Erfaringer", **REPORT, "barriers": ""}
    response = client.post(reverse("knowledge:new_experience_report", args=["netvaerket"]), data)
    assert response.status_code == 200
    assert 'href="#id_barriers"' in response.content.decode()
    assert REPORT["context"] in response.content.decode()
    assert not Topic.objects.exists()


def test_experience_reports_filter_by_part_and_element(client, forum):
    space, partner = forum["space"], forum["partner"]
    mapping = start(
        space,
        partner,
        "Erfaring A1",
        "",
        kind=Topic.Kind.EXPERIENCE,
        report=REPORT,
        project_part=1,
        concept_element="resources",
    )
    later = timezone.now() + timedelta(minutes=5)
    dissemination = start(
        space,
        partner,
        "Erfaring B5",
        "",
        kind=Topic.Kind.EXPERIENCE,
        report=REPORT,
        project_part=5,
        concept_element="inclusion",
        now=later,
    )
    discussion = start(space, forum["reference"], "Et spørgsmål", "Hvordan?", project_part=1)
    client.force_login(forum["reference"])
    url = reverse("knowledge:space", args=["netvaerket"])
    page = client.get(url, {"type": "experience", "part": "1"}).content.decode()
    assert mapping.title in page
    assert dissemination.title not in page and discussion.title not in page
    page = client.get(url, {"element": "inclusion"}).content.decode()
    assert dissemination.title in page and mapping.title not in page
    page = client.get(url).content.decode()
    # Newest activity first.
    assert page.index(discussion.title) < page.index(mapping.title)


def test_space_page_queries_are_bounded(client, forum, django_assert_max_num_queries):
    for number in range(12):
        topic = TopicFactory(space=forum["space"], author=forum["partner"], tags=["a", "b"])
        numbered_post(topic, forum["partner"], f"Indlæg {number}")
    client.force_login(forum["reference"])
    with django_assert_max_num_queries(16):
        response = client.get(reverse("knowledge:space", args=["netvaerket"]))
    assert response.status_code == 200
    with django_assert_max_num_queries(10):
        client.get(reverse("knowledge:spaces"))


def test_topic_page_queries_do_not_grow_with_the_posts(
    client, forum, django_assert_max_num_queries
):
    topic = start(forum["space"], forum["partner"], tags=["recovery"])
    first = topic.posts.get()
    for number in range(25):
        author = forum["reference"] if number % 2 else forum["partner"]
        numbered_post(topic, author, f"Svar {number}", quoted=first)
    client.force_login(forum["reference"])
    with django_assert_max_num_queries(24):
        response = client.get(topic_url(topic))
    assert response.content.decode().count('class="post') >= 26


def test_search_keeps_the_query_in_the_page_links(client, forum):
    for number in range(25):
        TopicFactory(space=forum["space"], author=forum["partner"], title=f"Job & bolig {number}")
    client.force_login(forum["reference"])
    page = client.get(reverse("knowledge:search"), {"q": "job & bolig"}).content.decode()
    assert "?q=job+%26+bolig&amp;side=2" in page


# --- Replies, quotes, edits, deletes, reports ----------------------------------------------


def test_reply_and_reply_with_quote(client, forum):
    topic = start(forum["space"], forum["partner"], source="Første indlæg")
    client.force_login(forum["reference"])
    page = client.get(topic_url(topic), {"citer": "1"}).content.decode()
    assert "Første indlæg" in page and 'name="quoted" value="1"' in page
    response = client.post(topic_url(topic), {"text": "Enig!", "quoted": "1"})
    assert response["Location"] == topic_url(topic) + "#indlaeg-2"
    reply = Post.objects.get(sequence=2)
    assert reply.quoted.sequence == 1 and reply.author == forum["reference"]
    page = client.get(topic_url(topic)).content.decode()
    assert "Enig!" in page and "post__quote" in page


def test_reply_with_quote_shows_the_page_of_the_quoted_post(client, forum):
    topic = start(forum["space"], forum["partner"], source="Første indlæg")
    for number in range(2, 2 * POSTS_PER_PAGE + 2):
        numbered_post(topic, forum["partner"], f"Indlæg {number}")
    quoted = POSTS_PER_PAGE + 3
    client.force_login(forum["reference"])
    response = client.get(topic_url(topic), {"citer": str(quoted)})
    assert response.context["page_obj"].number == 2
    page = response.content.decode()
    assert f'id="indlaeg-{quoted}"' in page and f'name="quoted" value="{quoted}"' in page
    # A page asked for is kept.
    assert client.get(topic_url(topic), {"citer": "1", "side": "3"}).context["page_obj"].number == 3


def test_a_refused_reply_keeps_the_text_and_explains(client, forum):
    topic = start(forum["space"], forum["partner"])
    client.force_login(forum["reference"])
    response = client.post(topic_url(topic), {"text": "Borgeren 010203-1234 siger"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Borgeren 010203-1234 siger" in page
    assert "CPR" in page and 'href="#id_text"' in page
    assert topic.posts.count() == 1


def test_the_rate_limit_message(client, forum):
    topic = start(forum["space"], forum["partner"])
    for number in range(8):
        services.post_reply(topic, forum["reference"], f"Hurtigt {number}")
    client.force_login(forum["reference"])
    response = client.post(topic_url(topic), {"text": "En til"})
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    page = response.content.decode()
    assert "Du har nået grænsen på 8 indlæg på 1 minut. Intet blev gemt." in page
    assert "En til" in page
    assert topic.posts.count() == 9
    duplicate = client.post(topic_url(topic), {"text": "Hurtigt 0"})
    assert duplicate.status_code == 200
    assert "samme tekst" in duplicate.content.decode()


def test_a_locked_topic_shows_a_notice_and_takes_no_replies(client, forum):
    topic = start(forum["space"], forum["partner"])
    services.lock_topic(topic, agency_moderator())
    client.force_login(forum["reference"])
    page = client.get(topic_url(topic)).content.decode()
    assert "forum-locked" in page and 'id="reply-form"' not in page
    response = client.post(topic_url(topic), {"text": "Alligevel"})
    assert "låst" in response.content.decode()
    assert topic.posts.count() == 1


def test_edit_with_visible_history(client, forum):
    topic = start(forum["space"], forum["partner"], source="Første udgave")
    post = topic.posts.get()
    edit_url = reverse("knowledge:edit_post", args=[post.pk])
    client.force_login(forum["reference"])
    assert client.get(edit_url).status_code == 403
    client.force_login(forum["partner"])
    assert "Første udgave" in client.get(edit_url).content.decode()
    response = client.post(edit_url, {"text": "Anden udgave"})
    assert response["Location"] == topic_url(topic) + "#indlaeg-1"
    page = client.get(topic_url(topic)).content.decode()
    history_url = reverse("knowledge:post_history", args=[post.pk])
    assert "Anden udgave" in page and history_url in page
    history = client.get(history_url).content.decode()
    assert "Første udgave" in history and "Anden udgave" in history


def test_an_edit_with_a_cpr_number_saves_nothing(client, forum):
    topic = start(forum["space"], forum["partner"], source="Første udgave")
    post = topic.posts.get()
    client.force_login(forum["partner"])
    response = client.post(
        reverse("knowledge:edit_post", args=[post.pk]), {"text": "Se 311299 1234"}
    )
    assert response.status_code == 200 and "Se 311299 1234" in response.content.decode()
    post.refresh_from_db()
    assert post.source == "Første udgave" and not post.revisions.exists()


def test_delete_is_soft_by_author_or_moderator(client, forum):
    topic = start(forum["space"], forum["partner"], source="Skal væk")
    reply = PostFactory(topic=topic, author=forum["partner"], source="Også væk")
    first = topic.posts.get(sequence=1)
    client.force_login(forum["reference"])
    assert client.post(reverse("knowledge:delete_post", args=[first.pk])).status_code == 403
    client.force_login(forum["partner"])
    assert client.get(reverse("knowledge:delete_post", args=[first.pk])).status_code == 200
    client.post(reverse("knowledge:delete_post", args=[first.pk]))
    client.force_login(agency_moderator())
    client.post(reverse("knowledge:delete_post", args=[reply.pk]))
    page = client.get(topic_url(topic)).content.decode()
    assert "Skal væk" not in page and "Også væk" not in page
    assert page.count('class="post__removed"') == 2
    assert Post.objects.filter(deleted_at__isnull=False).count() == 2


def test_report_a_post(client, forum):
    topic = start(forum["space"], forum["partner"])
    post = topic.posts.get()
    client.force_login(forum["reference"])
    url = reverse("knowledge:report_post", args=[post.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "error-summary" in response.content.decode()
    response = client.post(url, {"reason": "Personfølsomt indhold"})
    assert response.status_code == 302
    assert PostReport.objects.get().reason == "Personfølsomt indhold"


def test_actions_are_shown_only_to_those_allowed(client, forum):
    topic = start(forum["space"], forum["partner"])
    post = topic.posts.get()
    edit = reverse("knowledge:edit_post", args=[post.pk])
    delete = reverse("knowledge:delete_post", args=[post.pk])
    report = reverse("knowledge:report_post", args=[post.pk])
    client.force_login(forum["partner"])
    page = client.get(topic_url(topic)).content.decode()
    assert edit in page and delete in page and report not in page
    client.force_login(forum["reference"])
    page = client.get(topic_url(topic)).content.decode()
    assert edit not in page and delete not in page and report in page and "?citer=1" in page
    client.force_login(agency_moderator())
    page = client.get(topic_url(topic)).content.decode()
    assert edit not in page and delete in page
    client.logout()
    SpaceFactory(slug="aaben", visibility=Space.Visibility.PUBLIC)


# --- Following, unread markers, notifications, tags ----------------------------------------


def test_follow_and_mute(client, forum):
    topic = start(forum["space"], forum["partner"])
    reference = forum["reference"]
    client.force_login(reference)
    url = reverse("knowledge:subscription", args=[topic.pk])
    client.post(url, {"mode": "following"})
    assert Subscription.objects.get(person=reference, topic=topic).mode == "following"
    PostFactory(topic=topic, author=forum["partner"], source="Nyt svar")
    assert Notification.objects.filter(person=reference, kind="reply").count() == 1
    client.post(url, {"mode": "muted"})
    assert Subscription.objects.get(person=reference, topic=topic).mode == "muted"
    PostFactory(topic=topic, author=forum["partner"], source="Endnu et svar")
    assert Notification.objects.filter(person=reference).count() == 1
    assert client.post(url, {"mode": "bogus"}).status_code == 302


def test_unread_markers_per_person(client, forum):
    topic = start(forum["space"], forum["partner"])
    space_url = reverse("knowledge:space", args=["netvaerket"])
    client.force_login(forum["reference"])
    assert "forum-badge" in client.get(space_url).content.decode()
    client.get(topic_url(topic))
    assert "forum-badge" not in client.get(space_url).content.decode()
    PostFactory(topic=topic, author=forum["partner"], source="Nyt")
    PostFactory(topic=topic, author=forum["partner"], source="Nyere")
    page = client.get(space_url).content.decode()
    assert '<span class="badge badge-info forum-badge">2 ' in page
    assert "#indlaeg-2" in client.get(topic_url(topic)).content.decode()
    # The author has read their own posts.
    client.force_login(forum["partner"])
    assert "forum-badge" not in client.get(space_url).content.decode()


def test_notifications_list_and_mark_read(client, forum):
    topic = start(forum["space"], forum["partner"])
    PostFactory(topic=topic, author=forum["reference"], source="Hej @anna.holm")
    client.force_login(forum["partner"])
    url = reverse("knowledge:notifications")
    page = client.get(url).content.decode()
    assert topic.title in page and "notification--unread" in page
    client.post(url)
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert "notification--unread" not in client.get(url).content.decode()


def test_tag_page_lists_the_topics(client, forum):
    tagged = start(forum["space"], forum["partner"], "Med emneord", tags=["recovery"])
    start(forum["space"], forum["partner"], "Uden", "Andet indhold")
    client.force_login(forum["reference"])
    page = client.get(topic_url(tagged)).content.decode()
    tag_url = reverse("knowledge:tag", args=["recovery"])
    assert tag_url in page
    page = client.get(tag_url).content.decode()
    assert "Med emneord" in page and "Uden" not in page
    assert client.get(reverse("knowledge:tag", args=["findes-ikke"])).status_code == 404


def test_search_finds_topics_and_posts(client, forum):
    topic = start(forum["space"], forum["partner"], "Bostøtte og job", "Recovery-samtaler")
    PostFactory(topic=topic, author=forum["reference"], source="Vi prøver IPS-metoden")
    client.force_login(forum["reference"])
    url = reverse("knowledge:search")
    assert "Bostøtte og job" in client.get(url, {"q": "bostøtte"}).content.decode()
    page = client.get(url, {"q": "IPS-metoden"}).content.decode()
    assert "Bostøtte og job" in page and "#indlaeg-2" in page
    assert "Bostøtte" not in client.get(url, {"q": "ukendtord"}).content.decode()
    assert client.get(url).status_code == 200
