"""ASGI entry point: HTTP through Django, WebSockets through Channels.

WebSocket connections pass the origin check (AllowedHostsOriginValidator) and
carry the Django session and user (channels' AuthMiddlewareStack, with the session
middleware below) before they reach a consumer.
"""

import gc
import os
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import django
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)


class OneThreadASGIHandler(ASGIHandler):
    """Django's ASGI handler, with the middleware and the view in one worker thread.

    Django's own runs the middleware in async mode as far as each one allows and changes
    mode wherever a sync-only middleware meets an async-capable one: ours ran the upper
    middleware in a worker thread, went back to the event loop for the lower ones (each
    of their hooks, and each ``process_view``, again in a thread), and went to a thread
    once more for the view. Every change is a trip through the event loop, which under
    load waits behind every other request and WebSocket frame. Every view and
    middleware of the site is synchronous, so the whole chain now runs as under WSGI,
    in one thread: one trip per request.

    The thread comes from a pool of ``ASGI_WORKER_THREADS`` that lives as long as the
    process. Django's handler opens a new thread for every request (a
    ``ThreadSensitiveContext`` each), and with it a new database connection: on SQLite a
    connection opened, set up and closed per request, and threads that contend for the
    interpreter as many as there are requests in flight. In the pool each thread keeps
    its connection (SQLite) or hands it back to the connection pool after each request
    (PostgreSQL), as a WSGI server's threads do.
    """

    def __init__(self):
        self.workers = ThreadPoolExecutor(
            max_workers=settings.ASGI_WORKER_THREADS, thread_name_prefix="request"
        )
        super().__init__()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django serves HTTP only, not {scope['type']}.")
        await self.handle(scope, receive, send)

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)
        self._middleware_chain = sync_to_async(
            partial(serve_in_worker, self._middleware_chain),
            thread_sensitive=False,
            executor=self.workers,
        )


def serve_in_worker(chain, request):
    """One request in a worker thread, between the connection checks that Django's
    request_started and request_finished signals make (they run in another thread here,
    where they would not see this thread's connection): a connection too old or broken
    is closed before the request and after it, and one given by a pool goes back."""
    close_old_connections()
    try:
        return chain(request)
    finally:
        close_old_connections()


django_asgi_app = OneThreadASGIHandler()

from channels.auth import AuthMiddleware  # noqa: E402  (needs Django set up first)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from channels.sessions import (  # noqa: E402
    CookieMiddleware,
    InstanceSessionWrapper,
    SessionMiddleware,
)

from config.routing import websocket_urlpatterns  # noqa: E402


class WebSocketSessionMiddleware(SessionMiddleware):
    """channels' SessionMiddleware without its check on every message sent.

    Its wrapper around ``send`` saves a changed session and sets the cookie on an HTTP
    response. A WebSocket sends neither, yet the check ran for every frame: about a
    fifth of the cost of passing a post to each of hundreds of open tabs.
    """

    async def __call__(self, scope, receive, send):
        wrapper = InstanceSessionWrapper(scope, send)
        await wrapper.resolve_session()
        return await self.inner(wrapper.scope, receive, send)


application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            CookieMiddleware(
                WebSocketSessionMiddleware(AuthMiddleware(URLRouter(websocket_urlpatterns)))
            )
        ),
    }
)

# The garbage collector stops the process while it walks objects, and every open socket
# waits. Everything loaded so far (Django, Wagtail, our code) lives as long as the
# process: frozen, it is no longer walked at each full collection (200-300 ms with 500
# open sockets on the team's 2-core machine, 30-120 ms after). Collecting the youngest
# objects after 20,000 allocations instead of 700 makes the full collections, which
# follow from the young ones, rarer too (bench/README.md, "Live discussion").
gc.freeze()
gc.set_threshold(20_000, 10, 10)
