"""Redis stops while people post: posts are saved and answered, live updates come back.

A daphne process uses a Redis server of the test's own (never the shared one) for both
its channel layer and its cache. A reader follows a topic over a WebSocket; Redis is
stopped; two people post over plain HTTP and are answered as usual, and the topic page
shows their posts; the reader's socket is closed, so the browser knows to reconnect.
Redis starts again on the same port: the reader reconnects (retrying, as the page's
script does), a resync brings the posts it missed, and the next post arrives live.
"""

import asyncio
import contextlib
import shutil
import socket
import time
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from knowledge.models import Post, Space
from network.models import Membership
from tests.faults.client import Visitor
from tests.knowledge.factories import SpaceFactory, TopicFactory
from tests.knowledge.live_server import (
    WebSocketClient,
    daphne_process,
    free_port,
    server_process,
    shared_database,
)
from tests.network.factories import member, municipal_person

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

STARTUP_TIMEOUT = 10
ANSWER_TIME = 5  # seconds a post may take to be answered while Redis is down
RECONNECT_TIMEOUT = 20


def redis_server(port, directory):
    """Run Debian's redis-server on a loopback port, without persistence, until the end."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is missing; `make test` installs it (Debian's redis-server)")
    command = [
        binary,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
    ]
    return server_process(
        command,
        Path(directory) / f"redis-{port}.log",
        lambda: _answers_ping(port),
        timeout=STARTUP_TIMEOUT,
    )


def _answers_ping(port):
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5) as s:
        s.sendall(b"PING\r\n")
        return s.recv(16).startswith(b"+PONG")
    return False


def login_cookie(person):
    client = Client()
    client.force_login(person)
    return f"sessionid={client.cookies['sessionid'].value}"


def test_posting_goes_on_while_redis_is_down_and_live_updates_resume(tmp_path):
    with shared_database(tmp_path) as database_url:
        space = SpaceFactory(visibility=Space.Visibility.NETWORK)
        member(space.initiative, "Aarhus", Membership.Status.PARTNER)
        member(space.initiative, "Odense", Membership.Status.REFERENCE)
        reader = municipal_person("Aarhus")
        writer = municipal_person("Odense")
        topic = TopicFactory(space=space, author=writer)
        topic_url = reverse("knowledge:topic", args=[topic.pk])
        socket_path = f"/ws/emner/{topic.pk}/"
        reader_cookie = login_cookie(reader)
        port = free_port()
        environment = {"REDIS_URL": f"redis://127.0.0.1:{port}/0", "DJANGO_DEBUG": "false"}

        with (
            contextlib.ExitStack() as redis,
            daphne_process(database_url, tmp_path / "daphne.log", environment) as address,
        ):
            redis.enter_context(redis_server(port, tmp_path))
            people = {"reader": Visitor(address, reader), "writer": Visitor(address, writer)}

            async def post(who, text):
                """Post over HTTP as the plain form does; the number the answer sends to."""
                started = time.monotonic()
                answer = await asyncio.to_thread(
                    people[who].post, topic_url, {"text": text, "quoted": ""}
                )
                assert answer.status == 302, answer.html[:500]
                assert time.monotonic() - started < ANSWER_TIME
                return int(answer.location.rsplit("#indlaeg-", 1)[1])

            async def scenario():
                listening = await WebSocketClient.connect(address, socket_path, reader_cookie)
                await listening.send_json({"type": "resync", "after": 0})
                await listening.receive_until("resync.done")
                assert await post("writer", "Før udfaldet.") == 1
                live = (await listening.receive_until("post.created"))[-1]
                assert live["sequence"] == 1

                redis.close()  # Redis stops
                assert await post("writer", "Mens Redis er nede.") == 2
                assert await post("reader", "Også mens Redis er nede.") == 3
                page = await asyncio.to_thread(people["reader"].get, topic_url)
                assert page.status == 200
                assert "Mens Redis er nede." in page.html
                assert "Også mens Redis er nede." in page.html
                assert await closed(listening), "the socket stayed open without live updates"

                redis.enter_context(redis_server(port, tmp_path))  # Redis is back
                again = await reconnect(address, socket_path, reader_cookie)
                try:
                    await again.send_json({"type": "resync", "after": live["sequence"]})
                    missed = await again.receive_until("resync.done")
                    assert [m["sequence"] for m in missed if m["type"] == "post.created"] == [2, 3]
                    assert missed[-1]["last"] == 3
                    assert await post("writer", "Efter udfaldet.") == 4
                    arrived = (await again.receive_until("post.created"))[-1]
                    assert arrived["sequence"] == 4
                    assert "Efter udfaldet." in arrived["html"]
                finally:
                    await again.close()

            asyncio.run(asyncio.wait_for(scenario(), 90))

        posts = Post.objects.filter(topic=topic).order_by("sequence")
        assert [(p.sequence, p.source) for p in posts] == [
            (1, "Før udfaldet."),
            (2, "Mens Redis er nede."),
            (3, "Også mens Redis er nede."),
            (4, "Efter udfaldet."),
        ]
        topic.refresh_from_db()
        assert (topic.post_count, topic.last_sequence) == (4, 4)


async def closed(client, timeout=10):
    """Whether the server closes the connection (skipping what it still sends) in time."""
    deadline = time.monotonic() + timeout
    try:
        while (remaining := deadline - time.monotonic()) > 0:
            await client.receive_json(timeout=remaining)
    except (ConnectionError, EOFError):
        return True
    except TimeoutError:
        return False
    finally:
        await client.close()
    return False


async def reconnect(address, path, cookie):
    """Connect again with a short backoff, as live-topic.js does, until the server accepts."""
    deadline = time.monotonic() + RECONNECT_TIMEOUT
    delay = 0.1
    while True:
        try:
            return await WebSocketClient.connect(address, path, cookie)
        except (ConnectionError, OSError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)
