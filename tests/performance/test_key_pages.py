"""Every key page runs a bounded number of queries, whatever the amount of data.

Each test asks for a key page with a little data, then again after adding about ten
times the rows the page lists. Each time it counts the queries with an empty cache and
then with a warm one (both held to the issue's ceiling of 15), and checks
that neither count grew: caching must not hide a query per row. ``make bench`` measures
the same pages on the demo content and on a data set of 200,000 posts.
"""

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from wagtail.documents.models import Document

from cms.models import PoolContact, PoolDocument, SiteSettings
from knowledge.models import Space
from meetings.models import ActionItem, Meeting, Registration
from network.models import Membership, Milestone, PartProgress, StatusNote
from tests.cms.factories import (
    ContactPersonFactory,
    NewsIndexPageFactory,
    NewsPageFactory,
    PoolIndexPageFactory,
    PoolPageFactory,
)
from tests.knowledge.factories import SpaceFactory, TopicFactory, numbered_post
from tests.meetings.factories import MeetingFactory, RegistrationFactory
from tests.network.factories import InitiativeFactory, PersonFactory, member, municipal_person

pytestmark = pytest.mark.django_db

MAX_QUERIES = 15
FEW = 2
MANY = 25


def queries(client, url, ceiling, django_assert_max_num_queries):
    """The number of queries of one request for ``url``, which must be at most ``ceiling``."""
    with django_assert_max_num_queries(ceiling) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def assert_bounded(client, url, add_rows, django_assert_max_num_queries):
    """At most 15 queries with an empty cache and with a warm one, and neither count grows
    when ``add_rows`` adds about ten times the rows the page lists."""
    counts = []
    for _ in range(2):
        cache.clear()
        cold = queries(client, url, MAX_QUERIES, django_assert_max_num_queries)
        warm = queries(client, url, MAX_QUERIES, django_assert_max_num_queries)
        counts.append((cold, warm))
        if len(counts) == 1:
            add_rows()
    (cold_before, warm_before), (cold_after, warm_after) = counts
    assert cold_after <= cold_before, f"{url}: {cold_before} queries, then {cold_after}"
    assert warm_after <= warm_before, f"{url}: {warm_before} queries (warm), then {warm_after}"


@pytest.fixture(autouse=True)
def _pages_built(settings):
    """The anonymous visitors' page cache off: these tests count the queries of building a
    page (a cache miss, or anyone logged in); tests/performance/test_page_cache.py holds
    the page cache to no query at all."""
    settings.PAGE_CACHE = False
    # The site settings as on any site that has served a page: the first read creates them.
    SiteSettings.load()


@pytest.fixture
def network():
    """An initiative with a partner (Randers) and a reference municipality (Odense)."""
    initiative = InitiativeFactory()
    partner = member(initiative, "Randers", Membership.Status.PARTNER)
    member(initiative, "Odense", Membership.Status.REFERENCE)
    reader = municipal_person("Randers", first_name="Anna", last_name="Holm")
    return {"initiative": initiative, "partner": partner, "reader": reader}


@pytest.fixture
def reader_client(client, network):
    client.force_login(network["reader"])
    return client


# --- Pages from the page tree --------------------------------------------------------------


def test_home_page(client, django_assert_max_num_queries):
    pools = PoolIndexPageFactory()
    news = NewsIndexPageFactory()

    def add(count):
        for _ in range(count):
            PoolPageFactory(parent=pools)
            NewsPageFactory(parent=news)

    add(FEW)
    assert_bounded(client, "/", lambda: add(MANY), django_assert_max_num_queries)


def test_pool_page(client, django_assert_max_num_queries):
    pool = PoolPageFactory()

    def add(count):
        for number in range(count):
            MeetingFactory(pool=pool)
            document = Document.objects.create(
                title=f"Bilag {number}", file=ContentFile(b"%PDF-1.4", name=f"bilag-{number}.pdf")
            )
            PoolDocument.objects.create(pool=pool, document=document)
            PoolContact.objects.create(page=pool, contact=ContactPersonFactory())

    add(FEW)
    assert_bounded(client, pool.url, lambda: add(MANY), django_assert_max_num_queries)


def test_news_index(client, django_assert_max_num_queries):
    news = NewsIndexPageFactory()

    def add(count):
        for _ in range(count):
            NewsPageFactory(parent=news)

    add(FEW)
    assert_bounded(client, news.url, lambda: add(MANY), django_assert_max_num_queries)


def test_search_results(client, django_assert_max_num_queries):
    news = NewsIndexPageFactory()

    def add(count):
        for _ in range(count):
            NewsPageFactory(parent=news, intro="Recovery i bostøtten.")

    add(FEW)
    assert_bounded(
        client, reverse("search") + "?q=recovery", lambda: add(MANY), django_assert_max_num_queries
    )


# --- Meetings ------------------------------------------------------------------------------


def test_meeting_list(reader_client, network, django_assert_max_num_queries):
    def add(count):
        for number in range(count):
            audience = [Meeting.Audience.PUBLIC, Meeting.Audience.NETWORK][number % 2]
            meeting = MeetingFactory(audience=audience, initiative=network["initiative"], seats=10)
            RegistrationFactory(meeting=meeting, person=network["reader"])
            RegistrationFactory(meeting=meeting)

    add(FEW)
    assert_bounded(
        reader_client, reverse("meetings:list"), lambda: add(MANY), django_assert_max_num_queries
    )


def test_meeting_page(reader_client, network, django_assert_max_num_queries):
    meeting = MeetingFactory(
        audience=Meeting.Audience.NETWORK, initiative=network["initiative"], seats=100
    )
    RegistrationFactory(meeting=meeting, person=network["reader"])

    def add(count):
        for number in range(count):
            RegistrationFactory(meeting=meeting)
            RegistrationFactory(meeting=meeting, status=Registration.Status.WAITING)
            ActionItem.objects.create(
                meeting=meeting,
                text=f"Opgave {number}",
                owner=network["partner"].municipality,
                due_on=timezone.localdate(),
            )

    add(FEW)
    url = reverse("meetings:meeting", args=[meeting.pk])
    assert_bounded(reader_client, url, lambda: add(MANY), django_assert_max_num_queries)


# --- Progress ------------------------------------------------------------------------------


def test_progress_overview(reader_client, network, django_assert_max_num_queries):
    def add(count):
        for number in range(count):
            for membership in Membership.objects.filter(status=Membership.Status.PARTNER):
                StatusNote.objects.create(
                    membership=membership, part=1 + number % 5, text=f"Status {number}"
                )
                Milestone.objects.create(
                    membership=membership,
                    part=1 + number % 5,
                    title=f"Milepæl {number}",
                    due_on=timezone.localdate(),
                )

    def add_partners():
        for name in ["Aarhus", "Herning", "Roskilde", "Rudersdal", "Vejle", "Aalborg"]:
            membership = member(network["initiative"], name, Membership.Status.PARTNER)
            PartProgress.objects.create(
                membership=membership, part=1, status=PartProgress.Status.IN_PROGRESS
            )
        add(MANY)

    add(FEW)
    url = reverse("network:progress_overview", args=[network["initiative"].slug])
    assert_bounded(reader_client, url, add_partners, django_assert_max_num_queries)


# --- Forum ---------------------------------------------------------------------------------


@pytest.fixture
def space(network):
    return SpaceFactory(visibility=Space.Visibility.NETWORK, initiative=network["initiative"])


def test_forum_space(reader_client, network, space, django_assert_max_num_queries):
    writer = municipal_person("Odense")

    def add(count):
        for number in range(count):
            topic = TopicFactory(space=space, author=writer, tags=[f"emne-{number}", "fælles"])
            numbered_post(topic, writer, f"Indlæg {number}")

    add(FEW)
    url = reverse("knowledge:space", args=[space.slug])
    assert_bounded(reader_client, url, lambda: add(MANY * 2), django_assert_max_num_queries)


def test_topic_page(reader_client, network, space, django_assert_max_num_queries):
    topic = TopicFactory(space=space, author=network["reader"], tags=["recovery"])
    writers = [municipal_person("Odense"), PersonFactory(municipality=None)]

    def add(count):
        previous = None
        for number in range(count):
            previous = numbered_post(
                topic, writers[number % 2], f"Indlæg {number}", quoted=previous
            )

    add(FEW)
    url = reverse("knowledge:topic", args=[topic.pk])
    # More posts than one page holds: the first page and the last are both bounded.
    assert_bounded(reader_client, url, lambda: add(MANY * 5), django_assert_max_num_queries)
    assert queries(reader_client, url + "?side=3", MAX_QUERIES, django_assert_max_num_queries)


# --- Mit overblik --------------------------------------------------------------------------


def test_my_overview(reader_client, network, space, django_assert_max_num_queries):
    """The reader's start page after logging in (make bench's "my overview")."""
    from knowledge.models import Notification, Subscription

    writer = municipal_person("Odense")
    reader = network["reader"]

    def add(count):
        for number in range(count):
            meeting = MeetingFactory(
                audience=Meeting.Audience.NETWORK, initiative=network["initiative"]
            )
            RegistrationFactory(meeting=meeting, person=reader)
            ActionItem.objects.create(
                meeting=meeting,
                text=f"Opgave {number}",
                owner=network["partner"].municipality,
                due_on=timezone.localdate(),
            )
            topic = TopicFactory(space=space, author=writer)
            post = numbered_post(topic, writer, f"Indlæg {number}")
            numbered_post(topic, writer, f"Svar {number}")
            Subscription.objects.create(person=reader, topic=topic, last_read_sequence=1)
            Notification.objects.create(person=reader, kind="mention", post=post)

    add(FEW)
    url = reverse("network:overview")
    assert_bounded(reader_client, url, lambda: add(MANY), django_assert_max_num_queries)
