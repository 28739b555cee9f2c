"""The key pages, measured in-process: ``python -m bench.pages serve|urls``.

Run with ``DATABASE_URL`` pointing at a benchmark database. ``serve`` requests key pages
through Django's test client when the orchestrator asks: the SQL queries of one request
with an empty cache ("cold") and of the next one ("warm"), and the response times of a
batch of requests. ``urls`` prints each page's URL and a session cookie of the reader,
for the load generator, as one line of JSON.

The reader of the pages that need a login is the demo's project leader in Randers, a
partner municipality; the other pages are requested anonymously.
"""

import argparse
import json
import time

from bench.common import setup_django

READER = "projektleder@randers.example"
HOST = "127.0.0.1"
SEARCH_WORD = "recovery"
NETWORK_SPACE_SLUG = "referencenetvaerket"
POOL_SLUG = "recovery-og-rehabilitering-2019"
WARM_UP = 3


def key_pages():
    """[(name, url, logged in)] for the pages the issue names, found in this database."""
    from django.db.models import Count, Q
    from django.urls import reverse
    from django.utils import timezone

    from cms.models import NewsIndexPage, PoolPage
    from knowledge import access as knowledge_access
    from knowledge.models import Topic
    from meetings import access as meeting_access
    from meetings.models import Meeting, Registration
    from network.demo import INITIATIVE_SLUG

    reader = reader_person()
    meeting = (
        meeting_access.visible_meetings(reader, Meeting.objects.filter(ends_at__gt=timezone.now()))
        .annotate(
            registered=Count(
                "registrations", filter=Q(registrations__status__in=Registration.ACTIVE)
            )
        )
        .order_by("-registered", "pk")
        .first()
    )
    topic = (
        Topic.objects.filter(space__in=knowledge_access.visible_spaces(reader))
        .order_by("-post_count", "pk")
        .first()
    )
    return [
        ("home", "/", False),
        ("pool page", PoolPage.objects.get(slug=POOL_SLUG).url, False),
        ("news index", NewsIndexPage.objects.get().url, False),
        ("meeting list", reverse("meetings:list"), True),
        ("meeting page", reverse("meetings:meeting", args=[meeting.pk]), True),
        ("progress overview", reverse("network:progress_overview", args=[INITIATIVE_SLUG]), True),
        ("forum space", reverse("knowledge:space", args=[NETWORK_SPACE_SLUG]), True),
        ("topic page", reverse("knowledge:topic", args=[topic.pk]), True),
        ("my overview", reverse("network:overview"), True),
        ("search results", f"{reverse('search')}?q={SEARCH_WORD}", False),
    ]


def reader_person():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(email=READER)


def clients():
    """An anonymous and a logged-in test client."""
    from django.test import Client

    anonymous = Client(HTTP_HOST=HOST)
    logged_in = Client(HTTP_HOST=HOST)
    logged_in.force_login(reader_person())
    return anonymous, logged_in


def count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, len(queries)


class KeyPages:
    """The key pages of this process's database, ready to be counted and timed."""

    def __init__(self):
        anonymous, logged_in = clients()
        self.pages = {
            name: (url, needs_login, logged_in if needs_login else anonymous)
            for name, url, needs_login in key_pages()
        }

    def count(self, name):
        """The queries of one request with an empty cache and of the next, after a warm-up."""
        from django.core.cache import cache

        url, needs_login, client = self.pages[name]
        cache.clear()
        status, cold = count_queries(client, url)
        _status, warm = count_queries(client, url)
        for _ in range(WARM_UP):
            client.get(url)
        return {
            "page": name,
            "url": url,
            "logged_in": needs_login,
            "status": status,
            "bytes": len(client.get(url).content),
            "queries_cold": cold,
            "queries": warm,
        }

    def time(self, name, requests):
        """The response times in ms of ``requests`` requests for the page."""
        url, _needs_login, client = self.pages[name]
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        return times


def serve():
    """Answer the orchestrator's requests, one JSON line each way (see bench/__main__.py).

    ``{"count": page}`` answers the query counts, ``{"time": page, "requests": n}`` the
    response times. The small and the large data set are served by two such processes
    at once, and the orchestrator takes turns between them, so that whatever else the
    machine does at a moment weighs on both alike.
    """
    import sys

    pages = KeyPages()
    print(json.dumps({"pages": list(pages.pages)}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        if "count" in request:
            answer = pages.count(request["count"])
        else:
            answer = pages.time(request["time"], request["requests"])
        print(json.dumps(answer), flush=True)


def urls():
    """The pages and a session cookie of the reader, for a load generator elsewhere."""
    _anonymous, logged_in = clients()
    return {
        "pages": [
            {"page": name, "url": url, "logged_in": needs_login}
            for name, url, needs_login in key_pages()
        ],
        "cookie": f"sessionid={logged_in.cookies['sessionid'].value}",
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["serve", "urls"])
    args = parser.parse_args(argv)
    setup_django()
    if args.command == "serve":
        serve()
    else:
        print(json.dumps(urls()))


if __name__ == "__main__":
    main()
