"""Live discussion fan-out: a post's way from the writer to 100 and 500 open topic pages.

One daphne process serves the large data set, first with the in-memory channel layer,
then with Redis (``REDIS_URL`` if set, else a Redis on 127.0.0.1:6379 if one answers,
else a ``redis-server`` started here on a free port). ``CLIENTS`` WebSocket clients
connect to one topic with a session cookie and the site's Origin, as browsers do, and
ask to resync (so they have joined the topic's hub, knowledge/hubs.py). Then writers post ``POSTS``
replies over their own sockets, one at a time, after ``WARM_UP_POSTS`` unmeasured posts.
For each, two times to its ``post.created`` event arriving at each client are recorded:

- from the post being saved, the moment its transaction has committed, as the served
  application notes it (``bench/live_app.py``); the target is set on this one;
- from the writer sending it, so the check, the save and the commit are included too.

Both ends are read from the wall clock of this one machine.

Readers are ``READERS`` people of network municipalities with several tabs each. Who is
viewing is gathered into one notice per topic every ``PRESENCE_NOTICE_DELAY`` (see
knowledge/consumers.py), so the connecting crowd does not flood the tabs; the posting
starts once the notices have drained. The reading clients parse frames as the bytes
arrive (``Reader``), so what is measured is the server, not a crowded client.

``python -m bench.live prepare ROUND`` (run with the large DATABASE_URL) makes the topic and
the sessions and prints them as JSON; ``run()`` does the rest without Django.
"""

import asyncio
import base64
import contextlib
import json
import os
import resource
import shutil
import struct
import subprocess
import sys
import time

from bench.common import RESULTS, daphne, free_port, percentile, run_step, server
from tests.knowledge.live_server import PING, PONG, WebSocketClient, masked_frame

CLIENTS = (100, 500)
POSTS = 20
#: Posts sent first and not measured: the first post in a fresh server also loads and
#: compiles what every later one reuses (templates, the Markdown and bleach set-up).
WARM_UP_POSTS = 1
READERS = 20
WRITERS = 4
#: Rounds of posting: each channel layer with each number of clients.
ROUNDS = 2 * len(CLIENTS)
PAUSE = 0.25
CONNECT_BATCH = 25
#: Seconds a post may take to reach every client before the missing ones count as lost.
DELIVERY_TIMEOUT = 10
#: How ``services.post_payload`` as JSON begins for a new post: the readers take the
#: number from there instead of parsing every frame. Should the format change, nothing
#: is recorded and every delivery counts as lost, so it cannot go unnoticed.
POST_CREATED = b'{"type": "post.created", "sequence": '
#: Seconds without any message before the posting starts.
QUIET = 1.0


def prepare(round_number):
    """A fresh topic in the demo network space, and session cookies of readers and writers.

    Each round has writers of its own: the rate limit allows a person 8 posts a minute.
    """
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from bench.pages import HOST, NETWORK_SPACE_SLUG
    from knowledge import services
    from knowledge.models import Space
    from network import access as network_access
    from network.models import Membership

    space = Space.objects.select_related("initiative").get(slug=NETWORK_SPACE_SLUG)
    members = Membership.objects.filter(
        initiative=space.initiative, status__in=network_access.NETWORK_STATUSES
    ).values("municipality")
    people = list(
        get_user_model()
        .objects.filter(municipality__in=members, is_active=True)
        .order_by("pk")[: READERS + WRITERS * ROUNDS]
    )

    def cookie(person):
        client = Client(HTTP_HOST=HOST)
        client.force_login(person)
        return f"sessionid={client.cookies['sessionid'].value}"

    readers = people[:READERS]
    writers = people[READERS + WRITERS * round_number :][:WRITERS]
    topic = services.start_topic(
        space,
        writers[0],
        title=f"Live benchmark {time.strftime('%Y-%m-%d %H:%M:%S')}",
        source="Hvor hurtigt kommer et indlæg frem?",
    )
    return {
        "topic": topic.pk,
        "url": reverse("knowledge:topic", args=[topic.pk]),
        "readers": [cookie(person) for person in readers],
        "writers": [cookie(person) for person in writers],
    }


def raise_open_file_limit(wanted):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))


async def joined(client):
    await client.send_json({"type": "resync", "after": 0})
    await client.receive_until("resync.done", timeout=60)


class Reader(asyncio.Protocol):
    """A reading tab: the WebSocket handshake, one resync, then it only listens.

    Frames are parsed as the bytes arrive (no task, timer or stream per frame): hundreds
    of readers share this process and its core with nothing else to do, so the time a
    ``post.created`` arrives is the time its bytes came off the socket, not the time a
    busy client got round to them.
    """

    def __init__(self, path, cookie, origin, arrivals, last_message):
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: {origin.split('//', 1)[1]}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\n"
            f"Sec-WebSocket-Version: 13\r\nOrigin: {origin}\r\nCookie: {cookie}\r\n\r\n"
        ).encode()
        self.arrivals = arrivals
        self.last_message = last_message
        self.buffer = b""
        self.upgraded = False
        self.synced = asyncio.get_running_loop().create_future()
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data):
        arrived = time.time()
        self.buffer += data
        if not self.upgraded:
            head, separator, rest = self.buffer.partition(b"\r\n\r\n")
            if not separator:
                return
            if b" 101 " not in head.split(b"\r\n", 1)[0]:
                self._fail(ConnectionRefusedError(head.split(b"\r\n", 1)[0].decode()))
                return
            self.upgraded, self.buffer = True, rest
            self.transport.write(masked_frame(json.dumps({"type": "resync", "after": 0}).encode()))
        while len(self.buffer) >= 2:
            length, start = self.buffer[1] & 0x7F, 2
            if length == 126:
                if len(self.buffer) < 4:
                    return
                (length,), start = struct.unpack("!H", self.buffer[2:4]), 4
            elif length == 127:
                if len(self.buffer) < 10:
                    return
                (length,), start = struct.unpack("!Q", self.buffer[2:10]), 10
            if len(self.buffer) < start + length:
                return
            opcode, payload = self.buffer[0] & 0x0F, self.buffer[start : start + length]
            self.buffer = self.buffer[start + length :]
            if opcode == 0x1:
                self._message(payload, arrived)
            elif opcode == PING:  # unanswered, daphne would drop the tab after 50 seconds
                self.transport.write(masked_frame(payload, PONG))
            elif opcode == 0x8:
                self._fail(ConnectionError("closed by the server"))

    def _message(self, payload, arrived):
        self.last_message[0] = arrived
        if payload.startswith(POST_CREATED):
            end = payload.index(b",", len(POST_CREATED))
            self.arrivals.setdefault(int(payload[len(POST_CREATED) : end]), []).append(arrived)
        elif not self.synced.done() and json.loads(payload).get("type") == "resync.done":
            self.synced.set_result(None)

    def _fail(self, error):
        if not self.synced.done():
            self.synced.set_exception(error)
        self.transport.close()

    def connection_lost(self, error):
        if not self.synced.done():
            self.synced.set_exception(error or ConnectionError("connection lost"))

    def close(self):
        self.transport.close()


async def connect_reader(address, path, cookie, arrivals, last_message):
    host, port = address.rsplit(":", 1)
    origin = f"http://{address}"
    loop = asyncio.get_running_loop()
    _transport, reader = await loop.create_connection(
        lambda: Reader(path, cookie, origin, arrivals, last_message), host, int(port)
    )
    await asyncio.wait_for(reader.synced, 60)
    return reader


async def fan_out(address, setup, clients):
    """Connect, post ``POSTS`` times; when each measured post was sent, and when it arrived
    at each client (by sequence number, wall clock)."""
    path = f"/ws/emner/{setup['topic']}/"
    origin = f"http://{address}"
    arrivals = {}
    last_message = [time.time()]
    cookies = setup["readers"]
    readers = []
    for start in range(0, clients, CONNECT_BATCH):
        readers += await asyncio.gather(
            *(
                connect_reader(
                    address, path, cookies[number % len(cookies)], arrivals, last_message
                )
                for number in range(start, min(start + CONNECT_BATCH, clients))
            )
        )
    writers = [
        await WebSocketClient.connect(address, path, cookie, origin, 60)
        for cookie in setup["writers"]
    ]
    for writer in writers:
        await joined(writer)
    sent = {}
    try:
        # Who is viewing is sent to every tab after the arrivals: let those notices pass.
        give_up = time.time() + 60
        while time.time() - last_message[0] < QUIET and time.time() < give_up:
            await asyncio.sleep(0.1)
        for number in range(WARM_UP_POSTS + POSTS):
            writer = writers[number % len(writers)]
            started = time.time()
            await writer.send_json(
                {"type": "post", "text": f"Måling {number} ({time.time()})", "quoted": None}
            )
            posted = (await writer.receive_until("posted", timeout=60))[-1]
            if number >= WARM_UP_POSTS:
                sent[posted["sequence"]] = started
            deadline = time.monotonic() + DELIVERY_TIMEOUT
            while len(arrivals.get(posted["sequence"], [])) < clients:
                if time.monotonic() > deadline:
                    break  # counted as lost below
                await asyncio.sleep(0.002)
            await asyncio.sleep(PAUSE)
    finally:
        for reader in readers:
            reader.close()
        await asyncio.gather(*(writer.close() for writer in writers))
    return sent, arrivals


def saved_times(path, topic):
    """When each post of ``topic`` was saved, by sequence number, from ``bench/live_app.py``."""
    saved = {}
    for line in path.read_text().splitlines():
        topic_id, sequence, when = line.split()
        if int(topic_id) == topic:
            saved[int(sequence)] = float(when)
    return saved


def latencies(starts, arrivals):
    """Milliseconds from each post's start to each of its arrivals."""
    return [
        (arrived - starts[sequence]) * 1000
        for sequence, times in arrivals.items()
        if sequence in starts
        for arrived in times
    ]


@contextlib.contextmanager
def redis_url():
    """REDIS_URL, or a Redis answering on 127.0.0.1:6379, or a redis-server of our own."""
    import redis

    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    with contextlib.suppress(redis.RedisError):
        redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_timeout=1).ping()
        yield "redis://127.0.0.1:6379/13"
        return
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("No Redis: set REDIS_URL or install redis-server.")
    port = free_port()
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
    with server(command, port, RESULTS / "redis.log"):
        yield f"redis://127.0.0.1:{port}/0"


def measure(layer, extra_env, first_round):
    rows = []
    saved_log = RESULTS / f"saved-{layer}.log"
    saved_log.write_text("")
    with daphne(
        "large",
        RESULTS / f"daphne-live-{layer}.log",
        application="bench.live_app:application",
        BENCH_SAVED_LOG=str(saved_log),
        **extra_env,
    ) as address:
        for number, clients in enumerate(CLIENTS):
            setup = run_step("live", "large", "prepare", str(first_round + number))
            try:
                sent, arrivals = asyncio.run(fan_out(address, setup, clients))
            except OSError as error:  # a refused or reset connection: the server gave up
                print(f"  {layer}, {clients} clients: failed: {error!r}", file=sys.stderr)
                rows.append({"layer": layer, "clients": clients, "error": repr(error)})
                continue
            saved = {
                sequence: when
                for sequence, when in saved_times(saved_log, setup["topic"]).items()
                if sequence in sent
            }
            if saved.keys() != sent.keys():
                missing = sorted(sent.keys() - saved.keys())
                raise RuntimeError(f"No save time noted for posts {missing}")
            from_save, from_send = latencies(saved, arrivals), latencies(sent, arrivals)
            rows.append(
                {
                    "layer": layer,
                    "clients": clients,
                    "posts": POSTS,
                    "deliveries": len(from_send),
                    "lost": len(sent) * clients - len(from_send),
                    "median_ms": percentile(from_save, 0.5),
                    "p95_ms": percentile(from_save, 0.95),
                    "max_ms": max(from_save, default=float("nan")),
                    "median_from_send_ms": percentile(from_send, 0.5),
                    "p95_from_send_ms": percentile(from_send, 0.95),
                }
            )
            print(
                f"  {layer}, {clients} clients: from save median {rows[-1]['median_ms']:.1f} ms, "
                f"p95 {rows[-1]['p95_ms']:.1f} ms; from send p95 "
                f"{rows[-1]['p95_from_send_ms']:.1f} ms",
                file=sys.stderr,
            )
    return rows


def run():
    raise_open_file_limit(4 * max(CLIENTS) + 256)
    rows = measure("in-memory", {}, 0)
    try:
        with redis_url() as url:
            rows += measure("redis", {"REDIS_URL": url}, len(CLIENTS))
    except (RuntimeError, subprocess.CalledProcessError) as error:
        print(f"  Redis skipped: {error}", file=sys.stderr)
    return rows


def main():
    from bench.common import setup_django

    if len(sys.argv) != 3 or sys.argv[1] != "prepare":
        sys.exit("usage: python -m bench.live prepare ROUND")
    setup_django()
    print(json.dumps(prepare(int(sys.argv[2]))))


if __name__ == "__main__":
    main()
