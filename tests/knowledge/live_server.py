"""Real daphne processes for the live-discussion tests, on loopback, on the test database.

``shared_database()`` makes the test database reachable from another process: on
PostgreSQL it already is (the tests are transactional, so their data is committed); the
in-memory SQLite test database is copied to a file and this process switches to the
file for the duration. ``daphne_process()`` starts ``daphne config.asgi:application``
with ``DATABASE_URL`` pointing at that database (and ``REDIS_URL`` passed on, so
several processes share the channel layer). ``WebSocketClient`` is a minimal client
(RFC 6455 text frames) for talking to a process without a browser.
"""

import asyncio
import base64
import contextlib
import json
import os
import socket
import sqlite3
import struct
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.db import connections

STARTUP_TIMEOUT = 60
ROOT = Path(__file__).resolve().parents[2]
DAPHNE = [sys.executable, "-m", "daphne"]


@contextlib.contextmanager
def shared_database(directory):
    """Yield a DATABASE_URL for the test database that another process can open."""
    connection = connections["default"]
    config = connection.settings_dict
    if connection.vendor == "postgresql":
        credentials = quote(config["USER"] or "", safe="")
        if config.get("PASSWORD"):
            credentials += ":" + quote(config["PASSWORD"], safe="")
        host = config.get("HOST") or "127.0.0.1"
        port = config.get("PORT") or 5432
        at = f"{credentials}@" if credentials else ""
        yield f"postgres://{at}{host}:{port}/{config['NAME']}"
        return
    if connection.vendor != "sqlite":
        raise RuntimeError(f"No shared test database for {connection.vendor}.")
    if not connection.is_in_memory_db():
        yield f"sqlite:///{config['NAME']}"
        return
    path = Path(directory) / "live-test.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    memory_name, memory_connection = config["NAME"], connection.connection
    connection.connection = None
    config["NAME"] = str(path)
    try:
        yield f"sqlite:///{path}"
    finally:
        connection.close()
        config["NAME"] = memory_name
        connection.connection = memory_connection


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listens(port):
    """Whether something accepts connections on the loopback port."""
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
        return True
    return False


@contextlib.contextmanager
def server_process(command, log_path, ready, env=None, timeout=STARTUP_TIMEOUT):
    """Start ``command``, wait until ``ready()`` is true, yield the process, stop it.

    Used for daphne here and by the fault tests (redis-server) and the benchmark.
    """
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while not ready():
                if process.poll() is not None:
                    raise RuntimeError(f"{command[0]} exited:\n{Path(log_path).read_text()}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{command[0]} did not start:\n{Path(log_path).read_text()}")
                time.sleep(0.1)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@contextlib.contextmanager
def daphne_process(database_url, log_path, environment=None):
    """Start daphne on a free loopback port; yield ``127.0.0.1:port``; stop it.

    ``environment`` adds to or overrides the process's environment variables.
    """
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "true",  # static files (live-topic.js) through the finders
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        **(environment or {}),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    command = [*DAPHNE, "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"]
    with server_process(command, log_path, lambda: listens(port), env=env):
        yield f"127.0.0.1:{port}"


PING, PONG = 0x9, 0xA


def masked_frame(payload, opcode=0x1):
    """A client's frame of ``payload`` (bytes; a text frame unless ``opcode`` says
    otherwise), masked as RFC 6455 wants of a client."""
    mask = os.urandom(4)
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
    elif length < 65536:
        header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
    return header + mask + bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))


class WebSocketClient:
    """Just enough WebSocket (RFC 6455) to exchange JSON text frames in tests (and to
    answer the server's pings, or daphne drops the connection after 50 seconds)."""

    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, address, path, cookie="", origin=None, timeout=10):
        host, port = address.rsplit(":", 1)
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: {address}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
            f"Origin: {origin or 'http://' + address}",
        ]
        if cookie:
            lines.append(f"Cookie: {cookie}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        status = head.split(b"\r\n", 1)[0]
        if b" 101 " not in status:
            writer.close()
            raise ConnectionRefusedError(status.decode())
        return cls(reader, writer)

    async def send_json(self, data):
        self.writer.write(masked_frame(json.dumps(data).encode()))
        await self.writer.drain()

    async def receive_json(self, timeout=10):
        """The next text frame as JSON; ConnectionError (with the code) on a close frame.

        ``timeout=None`` waits without a timer, which matters with hundreds of clients.
        """
        while True:
            start = self.reader.readexactly(2)
            first, second = await (start if timeout is None else asyncio.wait_for(start, timeout))
            length = second & 0x7F
            if length == 126:
                (length,) = struct.unpack("!H", await self.reader.readexactly(2))
            elif length == 127:
                (length,) = struct.unpack("!Q", await self.reader.readexactly(8))
            payload = await self.reader.readexactly(length)
            opcode = first & 0x0F
            if opcode == 0x1:
                return json.loads(payload)
            if opcode == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                raise ConnectionError(code)
            if opcode == PING:
                self.writer.write(masked_frame(payload, PONG))

    async def receive_until(self, wanted, timeout=10):
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no {wanted!r} in {seen!r}")
            message = await self.receive_json(timeout=remaining)
            seen.append(message)
            if message.get("type") == wanted:
                return seen

    async def close(self):
        with contextlib.suppress(Exception):
            self.writer.write(struct.pack("!BB", 0x88, 0x80) + os.urandom(4))
            await self.writer.drain()
        self.writer.close()
        with contextlib.suppress(Exception):
            await self.writer.wait_closed()
