"""The anonymous visitors' page cache: whole public pages, kept until what they show changes.

Most of the traffic is the public reading pools, news, the concept, public meetings and
public forum spaces: the same page for everyone who is not logged in. This middleware
keeps such a page (its status, headers and body) in Django's cache and hands it to the
next anonymous visitor without touching the session, the database or a template.

What is kept, and for whom:

- Only pages of the views in ``PUBLIC_VIEWS`` (Wagtail's page tree, search, the meetings'
  lists, pages and calendar files, the forum's public pages): an opt-in list, so that a
  new view, a personal one (grant cases, my sign-ups, a calendar feed) or one reached by a
  secret link (a guest's confirmation) is never cached by accident.
- Only requests without a session cookie and without a pending message: a logged-in
  person always gets a page built for them, and so does anyone with a session.
- Only a 200 answer to GET that sets no cookie and is not marked private or no-store: a
  page that renders a CSRF token sets the CSRF cookie, so a token never reaches the
  cache; neither does a message (showing one deletes its cookie) nor a session.

The key is the address (host and query string included), the language chosen through
the language switch, and the generations of everything public pages show: published
content, snippets and settings (``cms.cache``), municipalities, memberships and names
(``network.cache``), meetings and sign-ups (``meetings.cache``), forum spaces, topics,
posts and tags (``knowledge.cards``). A change replaces its generation, so the next
request builds the page afresh; nothing has to know which pages showed what. An entry
also ends with the current minute: pools close at their deadline minute and meetings
become past ones, which no save announces.

A cached page carries an ETag (and a feed its Last-Modified): a conditional request
with it gets 304.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.http import parse_http_date_safe

from cms.cache import GENERATION_KEY, generations
from config.middleware import chosen_language
from knowledge.cards import PAGES_KEY as FORUM_KEY
from knowledge.cards import TAGS_KEY
from meetings.cache import PAGES_KEY as MEETINGS_KEY
from network.cache import PROGRESS_KEY

#: The views whose pages are the same for every anonymous visitor (URL names).
PUBLIC_VIEWS = frozenset(
    {
        "wagtail_serve",
        "search",
        "meetings:list",
        "meetings:meeting",
        "meetings:meeting_ics",
        "knowledge:spaces",
        "knowledge:space",
        "knowledge:topic",
        "knowledge:tag",
        "knowledge:search",
    }
)
#: The generations that are part of every key (see the module docstring).
GENERATION_KEYS = (GENERATION_KEY, PROGRESS_KEY, MEETINGS_KEY, FORUM_KEY, TAGS_KEY)
#: Headers a cached page never carries: they belong to one answer only.
PER_ANSWER_HEADERS = frozenset({"set-cookie", "date"})
PUBLIC = "page_cache.public"


def _key(request):
    address = f"{request.get_host()}{request.get_full_path()}"
    current = repr((address, chosen_language(request), generations(GENERATION_KEYS)))
    return "page:" + hashlib.sha256(current.encode()).hexdigest()


def _seconds_left_in_minute():
    return max(1, int(60 - time.time() % 60))


def _anonymous(request):
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and "messages" not in request.COOKIES


def _storable(request, response):
    cache_control = response.get("Cache-Control", "")
    return (
        request.method == "GET"
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and "private" not in cache_control
        and "no-store" not in cache_control
        and "no-cache" not in cache_control
    )


class PageCacheMiddleware:
    """Serve anonymous visitors' public pages from the cache (see the module docstring).

    Sits above the session, CSRF, authentication and message middleware, so that a page
    from the cache costs none of them, and so that it sees the cookies they set.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not (settings.PAGE_CACHE and request.method in ("GET", "HEAD") and _anonymous(request)):
            return self.get_response(request)
        key = _key(request)
        stored = cache.get(key)
        if stored is not None:
            return self._from_cache(request, stored)
        response = self.get_response(request)
        if request.META.get(PUBLIC) and _storable(request, response):
            set_response_etag(response)
            headers = [
                (name, value)
                for name, value in response.items()
                if name.lower() not in PER_ANSWER_HEADERS
            ]
            cache.set(
                key,
                (response.status_code, headers, response.content),
                _seconds_left_in_minute(),
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Only the views in PUBLIC_VIEWS may be kept."""
        request.META[PUBLIC] = request.resolver_match.view_name in PUBLIC_VIEWS

    @staticmethod
    def _from_cache(request, stored):
        status, headers, content = stored
        named = {name.lower(): value for name, value in headers}
        conditional = get_conditional_response(
            request,
            etag=named.get("etag"),
            last_modified=parse_http_date_safe(named.get("last-modified")),
        )
        if conditional is not None:
            return conditional
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        return response
