"""The production topology, measured: daphne processes behind HAProxy, on PostgreSQL and Redis.

As README.md's production section describes it: several daphne processes
(``--proxy-headers``, DEBUG off) behind a reverse proxy that forwards HTTP and WebSocket
upgrades and sets ``X-Forwarded-For`` and ``X-Forwarded-Proto``; all processes share one
PostgreSQL database and one Redis (channel layer, cache, sessions). The proxy is
Debian's HAProxy, its configuration written into a temporary folder; everything listens
on 127.0.0.1 only.

For 1 process and for as many as the machine has cores (and, with ``--processes``,
any other count: the scaling table of a bigger machine comes from the same script):

1. wrk through the proxy, ``CONNECTIONS`` connections for ``seconds`` per page: the
   static style sheet (the ceiling), the anonymous key pages (from the page cache) and
   the logged-in ones (the demo's project leader in Randers).
2. On the largest topology, the mixed workload (``bench/locustfile.py``) with locust,
   headless: ``USERS`` users for ``MIXED_SECONDS`` seconds; afterwards the database is
   asked for meetings with more confirmed places than seats.
3. Then the live fan-out of ``bench/live.py`` through the proxy: ``FANOUT_CLIENTS`` tabs
   on one topic, spread over the processes, which reach each other through Redis.

The data is the demo content (``load_demo_content``) in its own database,
``BENCH_TOPOLOGY_DATABASE_URL`` (default ``partnerskab_bench`` on 127.0.0.1:5432, user
postgres), and Redis database 5 (``BENCH_TOPOLOGY_REDIS_URL``).

``python -m bench.topology`` runs it alone; ``python -m bench`` runs it after the rest.
"""

import argparse
import asyncio
import contextlib
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import live
from bench.common import RESULTS, ROOT, STATIC_ROOT, percentile, run_step, server
from bench.throughput import parse_wrk, warm_up
from tests.knowledge.live_server import free_port

DATABASE_URL = os.environ.get(
    "BENCH_TOPOLOGY_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/partnerskab_bench"
)
REDIS_URL = os.environ.get("BENCH_TOPOLOGY_REDIS_URL", "redis://127.0.0.1:6379/5")
CONNECTIONS = 16
USERS = 32
#: Visitors arriving per second until all USERS are there: people log in over a few
#: seconds, not all in the same one (each login is a deliberately slow password check).
SPAWN_RATE = 8
MIXED_SECONDS = 30
FANOUT_CLIENTS = 1000
#: Tabs open on the topic the mixed workload's writers reply in, for the whole run.
HELD_TABS = 500
#: Seconds the held tabs wait after the load for posts still on their way.
HELD_GRACE = 3
STATIC = {"page": "static file (ceiling)", "url": "/static/css/site.css", "logged_in": False}
#: The people of the mixed workload: the demo's municipal staff with the demo password.
PEOPLE = [
    "projektleder@randers.example",
    "projektejer@randers.example",
    "implementering@randers.example",
    "medarbejder@aarhus.example",
    "projektleder@rudersdal.example",
    "projektleder@roskilde.example",
    "projektleder@herning.example",
]

HAPROXY_CONFIG = """\
global
    maxconn 4096
defaults
    mode http
    option forwardfor
    option http-server-close
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout tunnel 1h
frontend site
    bind 127.0.0.1:{port}
    http-request set-header X-Forwarded-Proto http
    default_backend daphne
backend daphne
    balance leastconn
{servers}
"""


def environment(**extra):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "DJANGO_DEBUG": "false",
        "STATIC_ROOT": str(STATIC_ROOT),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TRUSTED_PROXY_COUNT": "1",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def manage(*args):
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment(),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def prepare():
    """The database (made if missing), its demo content, the static files."""
    import psycopg

    name = DATABASE_URL.rsplit("/", 1)[1]
    server_url = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server_url, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
    manage("migrate", "--no-input", "--verbosity", "0")
    manage("load_demo_content")
    manage("collectstatic", "--no-input", "--verbosity", "0")
    flush = "import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()"
    subprocess.run([sys.executable, "-c", flush, REDIS_URL], check=True)


@contextlib.contextmanager
def topology(processes, folder):
    """``processes`` daphne processes behind HAProxy; yields the proxy's address.

    The processes serve ``bench.live_app``: the site's application, which also notes when
    each post is saved (in ``saved.log``, all processes alike) for the live fan-out.
    """
    with contextlib.ExitStack() as stack:
        ports = []
        for number in range(processes):
            port = free_port()
            command = [sys.executable, "-m", "daphne", "--proxy-headers", "-b", "127.0.0.1"]
            stack.enter_context(
                server(
                    [*command, "-p", str(port), "bench.live_app:application"],
                    port,
                    folder / f"daphne-{number}.log",
                    env=environment(BENCH_SAVED_LOG=str(folder / "saved.log")),
                )
            )
            ports.append(port)
        port = free_port()
        config = folder / f"haproxy-{processes}.cfg"
        config.write_text(
            HAPROXY_CONFIG.format(
                port=port,
                servers="\n".join(
                    f"    server daphne{number} 127.0.0.1:{backend}"
                    for number, backend in enumerate(ports)
                ),
            )
        )
        stack.enter_context(
            server(
                [shutil.which("haproxy"), "-db", "-f", str(config)],
                port,
                folder / f"haproxy-{processes}.log",
            )
        )
        yield f"127.0.0.1:{port}"


def wrk(address, page, cookie, seconds):
    command = [shutil.which("wrk"), "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s"]
    command += ["-H", "Host: 127.0.0.1"]
    if page["logged_in"]:
        command += ["-H", f"Cookie: {cookie}"]
    warm_up(command, f"http://{address}{page['url']}")
    output = subprocess.run(
        [*command, f"http://{address}{page['url']}"], capture_output=True, text=True, check=True
    ).stdout
    return {"page": page["page"], "logged_in": page["logged_in"], **parse_wrk(output)}


def mixed(address, targets, folder):
    """The locust run; its figures per kind of request (from locust's CSV)."""
    prefix = folder / "locust"
    env = {
        **os.environ,
        "BENCH_TARGETS": json.dumps(targets),
        "BENCH_PEOPLE": json.dumps(PEOPLE),
    }
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py")]
    command += ["--headless", "--users", str(USERS), "--spawn-rate", str(SPAWN_RATE)]
    command += ["--run-time", f"{MIXED_SECONDS}s", "--stop-timeout", "10"]
    command += ["--host", f"http://{address}", "--csv", str(prefix), "--only-summary"]
    subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        timeout=MIXED_SECONDS + 120,
        stdout=subprocess.DEVNULL,
        stderr=(folder / "locust.log").open("w"),
        check=False,
    )
    rows = []
    with open(f"{prefix}_stats.csv", newline="") as stats:
        for row in csv.DictReader(stats):
            rows.append(
                {
                    "name": row["Name"],
                    "method": row["Type"],
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "rps": float(row["Requests/s"]),
                    "p50_ms": float(row["50%"] or 0),
                    "p95_ms": float(row["95%"] or 0),
                    "p99_ms": float(row["99%"] or 0),
                }
            )
    return rows


class HeldTabs:
    """``count`` reading tabs on one topic, through the proxy, while the mixed workload
    runs: an event loop in a thread of its own connects them, notes every post that
    reaches each (``live.Reader``) and closes them when the block ends."""

    def __init__(self, address, setup, count):
        self.address, self.setup, self.count = address, setup, count
        self.arrivals = {}
        self.readers = []
        self.error = None
        self.connected = threading.Event()
        self.thread = threading.Thread(target=asyncio.run, args=(self._hold(),), daemon=True)

    async def _hold(self):
        self.loop = asyncio.get_running_loop()
        self.done = asyncio.Event()
        path = f"/ws/emner/{self.setup['topic']}/"
        cookies = self.setup["readers"]
        last_message = [time.time()]
        try:
            for start in range(0, self.count, live.CONNECT_BATCH):
                self.readers += await asyncio.gather(
                    *(
                        live.connect_reader(
                            self.address,
                            path,
                            cookies[number % len(cookies)],
                            self.arrivals,
                            last_message,
                        )
                        for number in range(start, min(start + live.CONNECT_BATCH, self.count))
                    )
                )
        except (TimeoutError, OSError) as error:
            self.error = error
        self.connected.set()
        await self.done.wait()
        for reader in self.readers:
            reader.close()

    def __enter__(self):
        self.thread.start()
        self.connected.wait(timeout=120)
        return self

    def __exit__(self, *exc):
        time.sleep(HELD_GRACE)
        self.loop.call_soon_threadsafe(self.done.set)
        self.thread.join(timeout=30)

    def deliveries(self, saved):
        """Posts saved during the run (``{sequence: save time}``), delivered and lost."""
        from_save = live.latencies(saved, self.arrivals)
        return {
            "tabs": len(self.readers),
            "error": repr(self.error) if self.error else None,
            "posts": len(saved),
            "deliveries": len(from_save),
            "lost": len(saved) * len(self.readers) - len(from_save),
            "median_ms": percentile(from_save, 0.5),
            "p95_ms": percentile(from_save, 0.95),
        }


def fan_out(address, folder):
    """A post's way to ``FANOUT_CLIENTS`` open tabs spread over the processes (by the
    proxy) on Redis: from its save, and from the writer sending it (``bench/live.py``)."""
    live.raise_open_file_limit(4 * FANOUT_CLIENTS + 256)
    run_step("topology_check", "topology", "people", "40", env=environment())
    setup = run_step("live", "topology", "prepare", "0", env=environment())
    sent, arrivals = asyncio.run(live.fan_out(address, setup, FANOUT_CLIENTS))
    saved = {
        sequence: when
        for sequence, when in live.saved_times(folder / "saved.log", setup["topic"]).items()
        if sequence in sent
    }
    from_save, from_send = live.latencies(saved, arrivals), live.latencies(sent, arrivals)
    return {
        "clients": FANOUT_CLIENTS,
        "posts": len(sent),
        "deliveries": len(from_send),
        "lost": len(sent) * FANOUT_CLIENTS - len(from_send),
        "median_ms": percentile(from_save, 0.5),
        "p95_ms": percentile(from_save, 0.95),
        "p95_from_send_ms": percentile(from_send, 0.95),
    }


def run(seconds, process_counts=None):
    if shutil.which("haproxy") is None or shutil.which("wrk") is None:
        raise RuntimeError("HAProxy or wrk is missing: make bench installs them with apt-get.")
    counts = process_counts or sorted({1, os.cpu_count() or 1})
    print(f"  preparing {DATABASE_URL} and {REDIS_URL} ...", file=sys.stderr)
    prepare()
    found = run_step("pages", "topology", "urls", env=environment())
    anonymous = [page for page in found["pages"] if not page["logged_in"]]
    logged_in = [page for page in found["pages"] if page["logged_in"]]
    targets = {
        "login": "/netvaerk/konto/log-ind/",
        "anonymous": anonymous,
        "logged_in": [page for page in logged_in if page["page"] != "meeting page"],
        "meeting": next(page["url"] for page in logged_in if page["page"] == "meeting page"),
    }
    results = {
        "processes": counts,
        "connections": CONNECTIONS,
        "seconds": seconds,
        "database": "PostgreSQL",
        "scaling": {},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-topology-") as temporary:
        folder = Path(temporary)
        for processes in counts:
            print(f"  {processes} daphne process(es) behind HAProxy ...", file=sys.stderr)
            with topology(processes, folder) as address:
                rows = [
                    wrk(address, page, found["cookie"], seconds)
                    for page in [STATIC, *anonymous, *logged_in]
                ]
                results["scaling"][str(processes)] = rows
                if processes == counts[-1]:
                    print(
                        f"  mixed workload, {USERS} users, {HELD_TABS} tabs open ...",
                        file=sys.stderr,
                    )
                    run_step("topology_check", "topology", "people", "40", env=environment())
                    setup = run_step("live", "topology", "prepare", "0", env=environment())
                    targets["topic"] = setup["url"]
                    with HeldTabs(address, setup, HELD_TABS) as tabs:
                        results["mixed"] = mixed(address, targets, folder)
                    saved = live.saved_times(folder / "saved.log", setup["topic"])
                    results["mixed_live"] = tabs.deliveries(
                        {sequence: when for sequence, when in saved.items() if sequence > 1}
                    )
                    results["mixed_users"] = USERS
                    results["mixed_seconds"] = MIXED_SECONDS
                    print(f"  live fan-out to {FANOUT_CLIENTS} tabs ...", file=sys.stderr)
                    try:
                        results["fanout"] = fan_out(address, folder)
                    except (OSError, RuntimeError, subprocess.CalledProcessError) as error:
                        results["fanout"] = {"clients": FANOUT_CLIENTS, "error": repr(error)}
        for log in folder.glob("*.log"):
            shutil.copy(log, RESULTS / f"topology-{log.name}")
    results["overbooked"] = run_step("topology_check", "topology", "overbooked", env=environment())
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.topology", description=__doc__)
    parser.add_argument("--seconds", type=int, default=5, help="wrk's duration per page")
    parser.add_argument(
        "--processes", type=int, nargs="*", help="process counts (default: 1 and the cores)"
    )
    args = parser.parse_args(argv)
    from bench import report

    results = run(args.seconds, args.processes)
    (RESULTS / "topology.json").write_text(json.dumps(results, indent=2))
    text = report.topology_markdown(results)
    (RESULTS / "topology.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
