"""What the WebSocket tests share: session cookies, and ``WebsocketCommunicator``
against the real ASGI application (origin check, session, routing). The fixtures (a
partners' space to talk in, a fresh channel layer) are in conftest.py."""

from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application

HOST = "localhost"
TIMEOUT = 3


def session_cookie(person):
    client = Client()
    client.force_login(person)
    return client, client.cookies["sessionid"].value


def communicator(topic_id, session=None, origin=f"http://{HOST}"):
    headers = [(b"host", HOST.encode()), (b"origin", origin.encode())]
    if session:
        headers.append((b"cookie", f"sessionid={session}".encode()))
    return WebsocketCommunicator(application, f"/ws/emner/{topic_id}/", headers=headers)


async def receive_until(socket, wanted, timeout=TIMEOUT):
    """Messages up to and including the first of type ``wanted`` (others are collected)."""
    seen = []
    while True:
        message = await socket.receive_json_from(timeout=timeout)
        seen.append(message)
        if message["type"] == wanted:
            return seen


async def closed_with(socket, timeout=TIMEOUT):
    """Skip data frames until the server closes; return the close code."""
    while True:
        output = await socket.receive_output(timeout)
        if output["type"] == "websocket.close":
            return output.get("code")
