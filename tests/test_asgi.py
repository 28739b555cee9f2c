"""config/asgi.py routes HTTP through Django and WebSockets through the origin check."""

import threading

import pytest
from asgiref.sync import async_to_sync
from channels.auth import AuthMiddleware
from channels.sessions import CookieMiddleware, InstanceSessionWrapper, SessionMiddleware
from channels.testing import HttpCommunicator, WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.db.backends.signals import connection_created
from django.test import Client

from config.asgi import OneThreadASGIHandler, WebSocketSessionMiddleware, application
from knowledge.consumers import TopicConsumer
from knowledge.models import Space
from network.models import Membership
from tests.knowledge.factories import SpaceFactory, TopicFactory
from tests.network.factories import member, municipal_person


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_http_is_served_by_django_through_the_asgi_application():
    async def get_home():
        communicator = HttpCommunicator(application, "GET", "/", headers=[(b"host", b"127.0.0.1")])
        return await communicator.get_response(timeout=10)

    response = async_to_sync(get_home)()
    assert response["status"] == 200
    assert "Partnerskabsplatformen" in response["body"].decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_websocket_from_a_foreign_origin_is_refused():
    async def connect():
        communicator = WebsocketCommunicator(
            application,
            "/ws/emner/1/",
            headers=[(b"origin", b"https://evil.example"), (b"host", b"127.0.0.1")],
        )
        connected, _subprotocol = await communicator.connect(timeout=5)
        await communicator.disconnect()
        return connected

    assert async_to_sync(connect)() is False


# --- The session on WebSockets (WebSocketSessionMiddleware) -------------------------------


def _session_of(person):
    client = Client()
    client.force_login(person)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _socket(path, session=None):
    headers = [(b"host", b"localhost"), (b"origin", b"http://localhost")]
    if session:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={session}".encode()))
    return WebsocketCommunicator(application, path, headers=headers)


@pytest.fixture
def partners_topic():
    """A topic in a partners' space; Randers is the partner, Rikke from Randers may read it."""
    space = SpaceFactory(visibility=Space.Visibility.PARTNERS)
    member(space.initiative, "Randers", Membership.Status.PARTNER)
    reader = municipal_person("Randers", first_name="Rikke", last_name="Rasmussen")
    return TopicFactory(space=space, author=reader), reader


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_websocket_carries_the_session_and_the_logged_in_person(partners_topic, monkeypatch):
    topic, reader = partners_topic
    session = _session_of(reader)
    seen = []
    original_connect = TopicConsumer.connect

    async def recording_connect(self):
        user, session = self.scope["user"], self.scope["session"]
        seen.append({"user": user.pk, "session": session.session_key, "send": self.base_send})
        await original_connect(self)

    monkeypatch.setattr(TopicConsumer, "connect", recording_connect)

    async def scenario():
        socket = _socket(f"/ws/emner/{topic.pk}/", session)
        connected, _subprotocol = await socket.connect(timeout=5)
        raw_send = socket.output_queue.put
        await socket.disconnect()
        anonymous = _socket(f"/ws/emner/{topic.pk}/")
        refused = await anonymous.connect(timeout=5)
        await anonymous.disconnect()
        return connected, raw_send, refused

    connected, raw_send, refused = async_to_sync(scenario)()
    logged_in, anonymous = seen
    assert connected
    assert logged_in["user"] == reader.pk
    assert logged_in["session"] == session
    # The consumer sends straight to the server, not through the session wrapper.
    assert logged_in["send"] == raw_send
    assert getattr(logged_in["send"], "__func__", None) is not InstanceSessionWrapper.send
    assert refused == (False, 4404)
    assert anonymous["user"] is None and anonymous["session"] is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_websocket_session_middleware_resolves_the_session_and_passes_send_on():
    reader = municipal_person("Randers")
    session = _session_of(reader)
    seen = {}

    async def inner(scope, receive, send):
        seen.update(scope=scope, send=send)
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        await receive()  # websocket.disconnect

    async def scenario():
        socket = WebsocketCommunicator(
            CookieMiddleware(WebSocketSessionMiddleware(inner)),
            "/",
            headers=[(b"cookie", f"{settings.SESSION_COOKIE_NAME}={session}".encode())],
        )
        connected, _subprotocol = await socket.connect(timeout=5)
        raw_send = socket.output_queue.put
        await socket.disconnect()
        return connected, raw_send

    connected, raw_send = async_to_sync(scenario)()
    assert connected
    assert seen["send"] == raw_send
    assert not isinstance(getattr(seen["send"], "__self__", None), InstanceSessionWrapper)
    session_store = seen["scope"]["session"]
    assert session_store.session_key == session
    assert session_store[SESSION_KEY] == str(reader.pk)  # read from the database


def test_the_websocket_stack_uses_the_session_middleware_without_the_send_wrapper():
    layer = application.application_mapping["websocket"]
    stack = []
    while layer is not None:
        stack.append(type(layer))
        layer = getattr(layer, "application", None) or getattr(layer, "inner", None)
    assert WebSocketSessionMiddleware in stack
    assert SessionMiddleware not in stack  # channels' own, whose send wraps every frame
    assert stack.index(CookieMiddleware) < stack.index(WebSocketSessionMiddleware)
    assert stack.index(WebSocketSessionMiddleware) < stack.index(AuthMiddleware)


# --- Requests in the process's worker threads (OneThreadASGIHandler) -----------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_requests_run_in_the_worker_threads_which_keep_their_database_connections():
    """Django's own handler starts a thread, and with it a database connection, for every
    request; ours runs them in ASGI_WORKER_THREADS threads that keep theirs."""
    cookie = f"{settings.SESSION_COOKIE_NAME}={_session_of(municipal_person('Randers'))}"
    handler = OneThreadASGIHandler()  # threads of its own, which hold no connection yet
    opened = []

    def note(sender, connection, **kwargs):
        opened.append(threading.current_thread().name)

    async def get_meetings():
        communicator = HttpCommunicator(
            handler,
            "GET",
            "/moeder/",
            headers=[(b"host", b"127.0.0.1"), (b"cookie", cookie.encode())],
        )
        return await communicator.get_response(timeout=10)

    connection_created.connect(note)
    try:
        statuses = [async_to_sync(get_meetings)()["status"] for _ in range(6)]
    finally:
        connection_created.disconnect(note)
        handler.workers.shutdown()
    assert statuses == [200] * 6
    assert opened, "no request opened a connection of its own"
    assert all(name.startswith("request") for name in opened), opened
    if connection.vendor == "sqlite":
        # On PostgreSQL each request takes a connection from the pool and hands it back.
        assert len(opened) <= settings.ASGI_WORKER_THREADS
