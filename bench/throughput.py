"""Requests per second under concurrent load: wrk against daphne on 127.0.0.1.

daphne serves the large data set in one process (as ``make run`` does) with DEBUG off;
wrk, in a process of its own, keeps ``CONNECTIONS`` connections busy on one page at a
time for ``seconds``. Pages that need a login carry the reader's session cookie. The
static style sheet, served by whitenoise through the same daphne, is the ceiling: the
most this server answers when Django's views do no work.
"""

import re
import shutil
import subprocess
import sys

from bench.common import RESULTS, ROOT, daphne, django_env, run_step

CONNECTIONS = 8
THREADS = 2
STATIC_PAGE = {"page": "static file (ceiling)", "url": "/static/css/site.css", "logged_in": False}


def collect_static():
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=ROOT,
        env=django_env("large"),
        check=True,
    )


def parse_wrk(output):
    """Requests per second, mean latency (ms) and the count of non-2xx/3xx answers."""
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    latency = re.search(r"Latency\s+([\d.]+)(us|ms|s)\b", output)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors:.*?timeout (\d+)", output)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    return {
        "rps": float(rate.group(1)) if rate else 0.0,
        "mean_ms": float(latency.group(1)) * scale[latency.group(2)] if latency else None,
        "errors": int(errors.group(1)) if errors else 0,
        "timeouts": int(socket_errors.group(1)) if socket_errors else 0,
    }


#: A run of wrk before each measured one, not counted: the page's cached parts are made
#: and the process has served it before the clock starts.
WARM_UP_SECONDS = 1


def warm_up(command, url):
    """``command`` (wrk with its options) for WARM_UP_SECONDS on ``url``, its figures unused."""
    duration = next(option for option in command if option.startswith("-d"))
    warm = [f"-d{WARM_UP_SECONDS}s" if option == duration else option for option in command]
    subprocess.run([*warm, url], capture_output=True, check=True)


def run(seconds):
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is missing: make bench installs Debian's wrk with apt-get.")
    collect_static()
    targets = run_step("pages", "large", "urls")
    results = []
    with daphne("large", RESULTS / "daphne-throughput.log") as address:
        for page in [STATIC_PAGE, *targets["pages"]]:
            command = [
                wrk,
                f"-t{THREADS}",
                f"-c{CONNECTIONS}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-H",
                "Host: 127.0.0.1",
            ]
            if page["logged_in"]:
                command += ["-H", f"Cookie: {targets['cookie']}"]
            warm_up(command, f"http://{address}{page['url']}")
            output = subprocess.run(
                [*command, f"http://{address}{page['url']}"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            results.append(
                {
                    "page": page["page"],
                    "url": page["url"],
                    "logged_in": page["logged_in"],
                    **parse_wrk(output),
                }
            )
            print(f"  {page['page']}: {results[-1]['rps']:.1f} requests/s", file=sys.stderr)
    return {"connections": CONNECTIONS, "seconds": seconds, "pages": results}
