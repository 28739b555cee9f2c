"""Paths, databases and subprocesses shared by the benchmark's steps.

The orchestrator (``python -m bench``) never sets Django up itself: every step that
touches a database runs as ``python -m bench.<step>`` in a subprocess whose
``DATABASE_URL`` points at the small or the large benchmark database, so the developer's
own ``db.sqlite3`` is never opened.
"""

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.knowledge.live_server import free_port, listens, server_process

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DATA = BENCH / "data"
RESULTS = BENCH / "results"
STATIC_ROOT = DATA / "static"
STARTUP_TIMEOUT = 90

DATASETS = ("small", "large")


def setup_django():
    """For the steps that run in a subprocess with the benchmark's DATABASE_URL."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def database_url(dataset):
    """The small data set is always a SQLite file; the large one may be PostgreSQL."""
    if dataset == "large" and os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    return f"sqlite:///{DATA / f'{dataset}.sqlite3'}"


def django_env(dataset, **extra):
    """The environment of a step or server that works on ``dataset``'s database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(dataset),
        "DJANGO_DEBUG": "false",
        "STATIC_ROOT": str(STATIC_ROOT),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env


def run_step(module, dataset, *args, env=None):
    """Run ``python -m bench.<module>`` on a data set; its JSON answer (last line of stdout)."""
    process = subprocess.run(
        [sys.executable, "-m", f"bench.{module}", *args],
        cwd=ROOT,
        env=env or django_env(dataset),
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    lines = [line for line in process.stdout.splitlines() if line.strip()]
    return json.loads(lines[-1]) if lines else None


@contextlib.contextmanager
def server(command, port, log_path, env=None):
    """Start a server process, wait until it listens on ``port``, stop it afterwards."""
    with server_process(
        command, log_path, lambda: listens(port), env=env, timeout=STARTUP_TIMEOUT
    ) as process:
        yield process


@contextlib.contextmanager
def daphne(dataset, log_path, application="config.asgi:application", **extra_env):
    """daphne serving ``dataset`` on a free loopback port; yields ``127.0.0.1:port``."""
    port = free_port()
    command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    with server([*command, application], port, log_path, env=django_env(dataset, **extra_env)):
        yield f"127.0.0.1:{port}"


def percentile(values, fraction):
    """The ``fraction`` percentile of ``values`` by linear interpolation (0.5 is the median)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
