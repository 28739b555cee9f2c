"""The demo forum: spaces of each visibility, the partners' topics and experience reports,
replies from the reference network, tags, mentions, one report waiting; twice is once."""

from io import StringIO

import pytest
from django.core.management import call_command

from knowledge import access
from knowledge.models import Notification, Post, PostReport, Space, Subscription, Topic
from network.models import User

pytestmark = pytest.mark.django_db

PARTNER_LEADERS = {
    "Randers": "projektleder@randers.example",
    "Rudersdal": "projektleder@rudersdal.example",
    "Roskilde": "projektleder@roskilde.example",
    "Herning": "projektleder@herning.example",
}


@pytest.fixture
def demo():
    call_command("load_demo_content", stdout=StringIO())


def snapshot():
    return {
        "spaces": sorted(Space.objects.values_list("slug", "title", "visibility", "position")),
        "topics": sorted(
            Topic.objects.values_list(
                "space__slug", "title", "kind", "post_count", "last_sequence", "locked"
            )
        ),
        "posts": sorted(
            Post.objects.values_list("topic__title", "sequence", "author__email", "created_at")
        ),
        "tags": sorted(Topic.tags.through.objects.values_list("tag__name", "object_id")),
        "reports": sorted(PostReport.objects.values_list("post_id", "reason", "handled_at")),
        "notifications": sorted(
            Notification.objects.values_list("person__email", "post_id", "kind")
        ),
        "subscriptions": sorted(
            Subscription.objects.values_list("person__email", "topic_id", "mode")
        ),
        "people": User.objects.count(),
    }


def test_spaces_of_each_visibility(demo):
    spaces = {space.slug: space for space in Space.objects.select_related("initiative")}
    assert spaces["partnerskabskommunerne"].visibility == Space.Visibility.PARTNERS
    assert spaces["referencenetvaerket"].visibility == Space.Visibility.NETWORK
    assert spaces["aabent-forum-om-recovery"].visibility == Space.Visibility.PUBLIC
    for space in spaces.values():
        assert space.initiative.slug == "strategisk-omlaegning-socialpsykiatrien"
        assert space.topics.exists()


def test_the_partners_write_and_the_reference_network_answers(demo):
    for name, email in PARTNER_LEADERS.items():
        topics = Topic.objects.filter(author__email=email)
        assert topics.exists(), name
        assert topics.first().municipality.name == name
    reports = Topic.objects.filter(kind=Topic.Kind.EXPERIENCE)
    assert reports.count() >= 2
    for report in reports:
        assert report.context_html and report.results_html and report.project_part
        assert report.concept_element
    network = Topic.objects.filter(space__slug="referencenetvaerket")
    answering = set(
        Post.objects.filter(topic__in=network).values_list("author__municipality__name", flat=True)
    )
    assert {"Aarhus", "Aalborg", "Vejle", "Gladsaxe"} <= answering
    assert (
        Topic.objects.filter(project_part__isnull=False).values("project_part").distinct().count()
        >= 3
    )


def test_dates_tags_mentions_and_numbers(demo):
    years = {post.created_at.year for post in Post.objects.all()}
    assert years == {2020, 2021}
    names = set(Topic.tags.through.objects.values_list("tag__name", flat=True))
    assert {"bostøtte", "netværk", "fælles sprog", "beskæftigelse"} <= names
    mentioned = set(
        Notification.objects.filter(kind=Notification.Kind.MENTION).values_list(
            "person__email", flat=True
        )
    )
    assert {"projektleder@randers.example", "medarbejder@aarhus.example"} <= mentioned
    for notification in Notification.objects.select_related("person", "post__topic__space"):
        assert access.can_read_topic(notification.person, notification.post.topic)
    assert Notification.objects.filter(kind=Notification.Kind.REPLY).exists()
    for topic in Topic.objects.all():
        sequences = list(topic.posts.values_list("sequence", flat=True))
        assert sequences == list(range(1, topic.last_sequence + 1)) and topic.post_count == len(
            sequences
        )
    assert Post.objects.filter(quoted__isnull=False).count() >= 3


def test_one_report_waits_for_the_moderators(demo):
    waiting = PostReport.objects.filter(handled_at__isnull=True)
    assert waiting.count() == 1
    report = waiting.get()
    assert report.post.is_visible
    assert report.reporter.email == "projektleder@rudersdal.example"


def test_the_demo_moderator_reaches_the_queue(demo, client):
    client.force_login(User.objects.get(email="moderator@socialstyrelsen.example"))
    response = client.get("/admin/forum/anmeldelser/")
    assert response.status_code == 200
    assert "Bakkevej" in response.content.decode()


def test_loading_twice_changes_nothing(demo):
    before = snapshot()
    call_command("load_demo_content", stdout=StringIO())
    assert snapshot() == before
