"""The anonymous visitors' page cache (config/page_cache.py): a page comes from the cache
(no query at all) until what it shows changes, and then the next request shows the
change; nobody logged in ever gets a cached page, and no cached page holds a CSRF token,
a message or a person's name."""

import pickle
import time
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from cms.models import PoolContact, SiteSettings
from config.page_cache import PUBLIC_VIEWS
from knowledge import services as forum
from knowledge.models import Space
from meetings import services as seats
from tests.cms.factories import (
    ContactPersonFactory,
    NewsIndexPageFactory,
    NewsPageFactory,
    PoolIndexPageFactory,
    PoolPageFactory,
)
from tests.knowledge.factories import SpaceFactory, TopicFactory, numbered_post
from tests.meetings.factories import MeetingFactory
from tests.network.factories import agency_moderator, municipal_person

pytestmark = pytest.mark.django_db


def cached(client, url, django_assert_num_queries, **headers):
    """The page at ``url``, asserting that it came from the page cache: no query at all."""
    with django_assert_num_queries(0):
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def fresh(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def cached_pages():
    """Every page in the cache, as bytes (local memory or Redis)."""
    if hasattr(cache, "_cache"):  # local memory: pickled values under made keys
        prefix = cache.make_key("page:")
        values = [
            pickle.loads(value) for key, value in cache._cache.items() if key.startswith(prefix)
        ]
    else:  # django-redis
        values = cache.get_many(list(cache.keys("page:*"))).values()
    return [content for _status, _headers, content in values]


# --- A change shows on the next anonymous request ------------------------------------------


def test_a_page_comes_from_the_cache_until_something_is_published(
    client, django_assert_num_queries
):
    news = NewsIndexPageFactory()
    NewsPageFactory(parent=news, title="Første nyhed")
    assert "Første nyhed" in fresh(client, news.url)
    assert "Første nyhed" in cached(client, news.url, django_assert_num_queries)
    second = NewsPageFactory(parent=news, title="Anden nyhed")
    assert "Anden nyhed" in fresh(client, news.url)
    second.unpublish()
    assert "Anden nyhed" not in fresh(client, news.url)
    assert "Anden nyhed" not in cached(client, news.url, django_assert_num_queries)


def test_a_moved_page_shows_in_its_new_place_at_once(client, django_assert_num_queries):
    pools = PoolIndexPageFactory()
    pool = PoolPageFactory(title="Flyttepuljen")
    assert "Flyttepuljen" not in fresh(client, pools.url)
    cached(client, pools.url, django_assert_num_queries)
    pool.move(pools, pos="last-child")
    assert "Flyttepuljen" in fresh(client, pools.url)


def test_a_page_made_private_leaves_the_cache_at_once(client, django_assert_num_queries):
    from wagtail.models import PageViewRestriction

    pool = PoolPageFactory()
    fresh(client, pool.url)
    cached(client, pool.url, django_assert_num_queries)
    PageViewRestriction.objects.create(page=pool, restriction_type=PageViewRestriction.LOGIN)
    assert client.get(pool.url).status_code == 302


def test_a_snippet_and_the_site_settings_show_at_once(client, django_assert_num_queries):
    pool = PoolPageFactory()
    contact = ContactPersonFactory(name="Karen Kontakt")
    PoolContact.objects.create(page=pool, contact=contact)
    assert "Karen Kontakt" in fresh(client, pool.url)
    cached(client, pool.url, django_assert_num_queries)
    contact.name = "Karen Nyt-Navn"
    contact.save()
    assert "Karen Nyt-Navn" in fresh(client, pool.url)
    site_settings = SiteSettings.load()
    site_settings.address = "Edisonsvej 18, 5000 Odense C"
    site_settings.save()
    assert "Edisonsvej 18, 5000 Odense C" in fresh(client, pool.url)


def test_a_sign_up_shows_in_the_seats_left_at_once(client, django_assert_num_queries):
    meeting = MeetingFactory(seats=3)
    url = reverse("meetings:meeting", args=[meeting.pk])
    for page in (url, reverse("meetings:list")):
        fresh(client, page)
        cached(client, page, django_assert_num_queries)
    assert "3 af 3 pladser ledige" in cached(client, url, django_assert_num_queries)
    registration = seats.register(meeting, municipal_person("Randers"))
    assert "2 af 3 pladser ledige" in fresh(client, url)
    seats.cancel(registration)
    assert "3 af 3 pladser ledige" in fresh(client, url)


def test_a_public_post_and_a_locked_topic_show_at_once(client, django_assert_num_queries):
    space = SpaceFactory(visibility=Space.Visibility.PUBLIC)
    topic = TopicFactory(space=space, title="Recovery i praksis")
    numbered_post(topic, topic.author, "Det første indlæg.")
    url = reverse("knowledge:topic", args=[topic.pk])
    space_url = reverse("knowledge:space", args=[space.slug])
    for page in (url, space_url):
        fresh(client, page)
        cached(client, page, django_assert_num_queries)
    numbered_post(topic, topic.author, "Et nyt svar fra Randers.")
    assert "Et nyt svar fra Randers." in fresh(client, url)
    assert "Recovery i praksis" in fresh(client, space_url)
    forum.lock_topic(topic, agency_moderator())
    assert "forum-locked" in fresh(client, url)


def test_a_cached_page_ends_with_the_minute(client):
    """Pools close at their deadline minute and meetings pass: no save announces it."""
    meeting = MeetingFactory(seats=3)
    url = reverse("meetings:meeting", args=[meeting.pk])
    minute = (time.time() // 60 + 1) * 60
    with (
        mock.patch("time.time", return_value=minute - 7.5),
        mock.patch.object(cache, "set", wraps=cache.set) as storing,
    ):
        fresh(client, url)
    timeouts = [call.args[2] for call in storing.call_args_list if call.args[0].startswith("page:")]
    assert timeouts == [7]


# --- Never for a logged-in person, never anything personal -----------------------------------


def test_a_logged_in_person_never_gets_a_cached_page(client, django_assert_num_queries):
    pool = PoolPageFactory()
    person = municipal_person("Randers", first_name="Birgitte", last_name="Bøgh")
    fresh(client, pool.url)
    cached(client, pool.url, django_assert_num_queries)
    client.force_login(person)
    for _ in range(2):
        text = fresh(client, pool.url)
        assert ">Log ud</button>" in text and ">Log ind</a>" not in text
    client.logout()
    text = cached(client, pool.url, django_assert_num_queries)
    assert ">Log ind</a>" in text and ">Log ud</button>" not in text


def test_no_cached_page_holds_a_csrf_token_a_message_or_a_name(client):
    person = municipal_person("Randers", first_name="Birgitte", last_name="Bøgh")
    pool = PoolPageFactory()
    meeting = MeetingFactory()
    space = SpaceFactory(visibility=Space.Visibility.PUBLIC)
    topic = TopicFactory(space=space)
    urls = [
        "/",
        pool.url,
        reverse("meetings:list"),
        reverse("meetings:meeting", args=[meeting.pk]),
        reverse("knowledge:topic", args=[topic.pk]),
        reverse("network:login"),
        reverse("meetings:register_guest", args=[meeting.pk]),
    ]
    for url in urls:  # anonymous: the login page and the guest form render a CSRF token
        fresh(client, url)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    client.force_login(person)
    for url in urls:
        client.get(url)
    pages = cached_pages()
    assert len(pages) == 5, "the public pages are cached, the forms are not"
    for page in pages:
        assert b"csrfmiddlewaretoken" not in page and token.encode() not in page
        assert "Bøgh".encode() not in page and b"Birgitte" not in page
        assert b'class="messages"' not in page


def test_a_page_with_a_message_is_not_cached(client, django_assert_max_num_queries):
    meeting = MeetingFactory()
    url = reverse("meetings:meeting", args=[meeting.pk])
    person = municipal_person("Randers")
    client.force_login(person)
    response = client.post(reverse("meetings:register", args=[meeting.pk]), follow=True)
    assert b'class="messages"' in response.content
    assert not cached_pages()
    client.logout()
    fresh(client, url)
    assert all(b'class="messages"' not in page for page in cached_pages())


def test_personal_views_are_never_cached():
    assert not {"meetings:calendar_feed", "meetings:my_registrations", "meetings:confirm_guest"} & (
        PUBLIC_VIEWS
    )
    assert not any(name.startswith(("grants:", "network:")) for name in PUBLIC_VIEWS)


# --- Languages -------------------------------------------------------------------------------


def test_the_language_switch_gives_each_language_its_page(client, django_assert_num_queries):
    pool = PoolPageFactory()
    assert "Log ind" in fresh(client, pool.url)
    cached(client, pool.url, django_assert_num_queries)
    response = client.post(reverse("set_language"), {"language": "en", "next": pool.url})
    assert response.status_code == 302
    assert "Log in" in fresh(client, pool.url)
    assert "Log in" in cached(client, pool.url, django_assert_num_queries)
    client.post(reverse("set_language"), {"language": "da", "next": pool.url})
    assert "Log ind" in cached(client, pool.url, django_assert_num_queries)


def test_the_language_switch_needs_no_csrf_token(client):
    client = client.__class__(enforce_csrf_checks=True)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


# --- Conditional requests --------------------------------------------------------------------


def test_a_cached_page_answers_its_etag_with_304(client):
    pool = PoolPageFactory()
    etag = client.get(pool.url)["ETag"]
    assert client.get(pool.url, headers={"if-none-match": etag}).status_code == 304
    assert client.get(pool.url, headers={"if-none-match": '"other"'}).status_code == 200


def test_the_news_feed_and_calendars_answer_conditional_requests(client):
    from tests.meetings.factories import CalendarFeedFactory

    news = NewsIndexPageFactory()
    NewsPageFactory(parent=news)
    feed_url = news.url + "rss/"
    meeting = MeetingFactory()
    person = municipal_person("Randers")
    seats.register(meeting, person)
    urls = [
        feed_url,
        reverse("meetings:meeting_ics", args=[meeting.pk]),
        reverse("meetings:calendar_feed", args=[CalendarFeedFactory(person=person).token]),
    ]
    for url in urls:
        for login in (False, True):
            if login:
                client.force_login(person)
            first = client.get(url)
            assert first.status_code == 200 and first["ETag"]
            again = client.get(url, headers={"if-none-match": first["ETag"]})
            assert again.status_code == 304, url
            client.logout()
    modified = client.get(feed_url)["Last-Modified"]
    assert client.get(feed_url, headers={"if-modified-since": modified}).status_code == 304
