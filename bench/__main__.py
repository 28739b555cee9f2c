"""``python -m bench``: seed (or reuse) the data sets, measure, write and print the results.

See bench/README.md. Every step that needs Django runs in a subprocess on a benchmark
database; this process only orchestrates, runs the load generator and the WebSocket
clients, and writes the report.
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time

from bench import live, report, throughput, topology
from bench.common import (
    DATA,
    DATASETS,
    RESULTS,
    ROOT,
    database_url,
    django_env,
    percentile,
    run_step,
)


def seed_version(scale):
    """Changes when the seeding code or the scale changes, so the data is made again."""
    code = (ROOT / "bench" / "seed.py").read_bytes()
    return hashlib.sha256(code + str(scale).encode()).hexdigest()[:16]


def marker(dataset):
    return DATA / f"{dataset}.seeded.json"


def ensure_seeded(dataset, scale, reseed):
    """The data set's row counts; seeds it first unless a complete earlier seed is there."""
    url = database_url(dataset)
    wanted = {"version": seed_version(scale if dataset == "large" else 1), "database": url}
    if marker(dataset).exists() and not reseed:
        seeded = json.loads(marker(dataset).read_text())
        if {key: seeded.get(key) for key in wanted} == wanted:
            print(f"Reusing the {dataset} data set ({url}).", file=sys.stderr)
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "--no-input", "--verbosity", "0"],
                cwd=ROOT,
                env=django_env(dataset),
                check=True,
            )
            return seeded["counts"]
    marker(dataset).unlink(missing_ok=True)
    print(f"Seeding the {dataset} data set ({url}) ...", file=sys.stderr)
    started = time.monotonic()
    if url.startswith("sqlite:///"):
        for suffix in ("", "-journal", "-wal", "-shm"):
            (DATA / f"{dataset}.sqlite3{suffix}").unlink(missing_ok=True)
        args = []
    else:
        args = ["--reset"]
    counts = run_step("seed", dataset, dataset, "--scale", str(scale), *args)
    print(f"  seeded in {time.monotonic() - started:.0f} s: {counts}", file=sys.stderr)
    marker(dataset).write_text(json.dumps({**wanted, "counts": counts}, indent=2))
    return counts


#: Each page's timed requests are made in this many turns per data set.
TURNS = 6


def measure_pages(requests):
    """Query counts and response times of the key pages on both data sets.

    Both data sets are served at once (``python -m bench.pages serve``), and the timed
    requests alternate between them in ``TURNS`` turns, starting with the other data
    set each turn: the ratio of the medians then compares the two under the same load.
    """
    servers = {
        dataset: subprocess.Popen(
            [sys.executable, "-m", "bench.pages", "serve"],
            cwd=ROOT,
            env=django_env(dataset),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for dataset in DATASETS
    }

    def ask(dataset, request):
        server = servers[dataset]
        server.stdin.write(json.dumps(request) + "\n")
        server.stdin.flush()
        return json.loads(server.stdout.readline())

    try:
        # Each server names its pages once it is ready; both have the same pages.
        names = [json.loads(server.stdout.readline())["pages"] for server in servers.values()][-1]
        rows = {dataset: [] for dataset in DATASETS}
        for name in names:
            times = {dataset: [] for dataset in DATASETS}
            for dataset in DATASETS:
                rows[dataset].append(ask(dataset, {"count": name}))
            for turn in range(TURNS):
                order = DATASETS if turn % 2 == 0 else DATASETS[::-1]
                for dataset in order:
                    batch = -(-requests // TURNS)
                    times[dataset] += ask(dataset, {"time": name, "requests": batch})
            for dataset in DATASETS:
                rows[dataset][-1].update(
                    median_ms=percentile(times[dataset], 0.5),
                    p95_ms=percentile(times[dataset], 0.95),
                    requests=len(times[dataset]),
                )
        return rows
    finally:
        for server in servers.values():
            server.stdin.close()
            server.wait(timeout=60)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--reseed", action="store_true", help="seed the large data set again")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="fraction of the large sizes (for trying out)"
    )
    parser.add_argument(
        "--requests", type=int, default=60, help="timed requests per page and data set"
    )
    parser.add_argument("--seconds", type=int, default=5, help="wrk's duration per page")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-live", action="store_true")
    parser.add_argument(
        "--skip-topology", action="store_true", help="no run behind HAProxy on PostgreSQL"
    )
    args = parser.parse_args(argv)

    DATA.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    small_counts = ensure_seeded("small", 1, reseed=False)
    counts = ensure_seeded("large", args.scale, reseed=args.reseed)
    results = {
        "cpus": os.cpu_count(),
        "database": "PostgreSQL" if os.environ.get("BENCH_DATABASE_URL") else "SQLite",
        "counts": counts,
        "small_counts": small_counts,
        "requests": args.requests,
        "pages": {},
    }
    print("Measuring the key pages on both data sets, taking turns ...", file=sys.stderr)
    results["pages"] = measure_pages(args.requests)
    if not args.skip_throughput:
        print("Throughput (wrk against daphne) ...", file=sys.stderr)
        results["throughput"] = throughput.run(args.seconds)
    if not args.skip_live:
        print("Live fan-out ...", file=sys.stderr)
        try:
            results["live"] = live.run()
        except (OSError, RuntimeError, subprocess.CalledProcessError) as error:
            print(f"  The live fan-out failed: {error}", file=sys.stderr)
            results["live_error"] = str(error)
    if not args.skip_topology:
        print("Production topology (HAProxy, PostgreSQL, Redis) ...", file=sys.stderr)
        try:
            results["topology"] = topology.run(args.seconds)
        except (OSError, RuntimeError, subprocess.CalledProcessError) as error:
            print(f"  The topology run failed: {error}", file=sys.stderr)
            results["topology_error"] = str(error)
    results["finished"] = time.time()
    results["duration_s"] = time.monotonic() - started
    (RESULTS / "results.json").write_text(json.dumps(results, indent=2))
    text = report.markdown(results)
    (RESULTS / "results.md").write_text(text)
    report.plot(results, RESULTS / "latency.png")
    print(text)
    print(
        f"Written to {RESULTS / 'results.md'} and {RESULTS / 'latency.png'} "
        f"in {results['duration_s']:.0f} s.",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
