"""Serving benchmark: a 100,000-petition PostgreSQL archive behind gunicorn, loaded by wrk.

Usage:
    .venv/bin/python -m scripts.bench_serve [--petitions 100000] [--duration 10]
        [--connections 16] [--workers N] [--database postgres://postgres@127.0.0.1:5432/petition_bench]
        [--cache-url redis://127.0.0.1:6379/1] [--no-cache]

It creates the database if needed, builds the synthetic archive once (generate_archive;
run again, it reuses it), loads the sample petition, starts gunicorn as in production
(DEBUG off, WhiteNoise), then loads each page from a second process (wrk, Debian's
package) on loopback with 16 connections, and prints requests per second, p50 and p99
latency, and each page's ratio to a trivial view served by the same stack (/healthz).
It measures twice: without a shared cache (every request renders its page) and with the
shared page cache of production (CACHE_URL, Redis), where a request costs one validator
query and a cache read.
Not a test: it asserts nothing, it prints figures.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PORT = 8123


def database_ready(url: str, petitions: int, env: dict) -> None:
    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    manage("migrate", "--noinput", "-v0", env=env)
    manage("loaddata", "sample_petition", "-v0", env=env)
    with psycopg.connect(url) as conn:
        have = conn.execute(
            "SELECT count(*) FROM petitions_petition WHERE id >= 900000000"
        ).fetchone()[0]
    if have < petitions:
        print(f"building the synthetic archive: {petitions - have:,} petitions to add…")
        started = time.perf_counter()
        manage("generate_archive", "--petitions", str(petitions - have), env=env)
        print(f"  built in {time.perf_counter() - started:.0f} s")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def manage(*args, env):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def explain_search(url: str) -> None:
    """Show that full-text search uses its GIN index at this size."""
    with psycopg.connect(url) as conn:
        plan = conn.execute(
            "EXPLAIN ANALYZE SELECT id FROM petitions_petition "
            "WHERE search_vector @@ websearch_to_tsquery('english', 'air quality') "
            "AND state IN ('open', 'closed', 'rejected')"
        ).fetchall()
    print("\nEXPLAIN ANALYZE of a search for “air quality”:")
    for (line,) in plan:
        print("  " + line)


def pick_pages(url: str) -> dict[str, str]:
    with psycopg.connect(url) as conn:
        (mapped,) = conn.execute(
            "SELECT p.id FROM petitions_petition p WHERE p.id >= 900000000 AND EXISTS "
            "(SELECT 1 FROM petitions_constituencysignatures c WHERE c.petition_id = p.id) "
            "ORDER BY p.signature_count DESC LIMIT 1"
        ).fetchone()
        (answered,) = conn.execute(
            "SELECT petition_id FROM responses_governmentresponse "
            "WHERE petition_id >= 900000000 ORDER BY petition_id LIMIT 1"
        ).fetchone()
    return {
        "trivial view (/healthz)": "/healthz",
        "petition page": f"/petitions/{answered}/",
        "list, first page": "/petitions/",
        "list, filtered (debated)": "/petitions/?state=debated&parliament=2019-2024",
        "search (air quality)": "/petitions/?q=air+quality",
        "map page (650 constituencies)": f"/petitions/{mapped}/map/",
        "JSON detail": f"/petitions/{mapped}.json",
        "JSON list": "/petitions.json",
    }


def wrk(url: str, duration: int, connections: int) -> tuple[float, float, float, int]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = to_ms(re.search(r"\s50%\s+([\d.]+\w+)", out).group(1))
    p99 = to_ms(re.search(r"\s99%\s+([\d.]+\w+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p50, p99, int(errors.group(1)) if errors else 0


def to_ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--petitions", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/petition_bench")
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/1")
    parser.add_argument("--no-cache", action="store_true", help="measure without a cache only")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")

    env = {
        **os.environ,
        "DATABASE_URL": args.database,
        "DEBUG": "0",
        "WEB_CONCURRENCY": str(args.workers),
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CONN_MAX_AGE": "600",
    }
    database_ready(args.database, args.petitions, env)
    explain_search(args.database)
    pages = pick_pages(args.database)

    setups = [("no shared cache", "")]
    if not args.no_cache:
        setups.append((f"shared page cache ({args.cache_url})", args.cache_url))
    for title, cache_url in setups:
        measure(args, {**env, "CACHE_URL": cache_url}, pages, title)


def measure(args, env, pages, title):
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "petitions_site.wsgi", "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{PORT}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        for path in pages.values():  # warm every worker's connections and templates
            for _ in range(args.workers * 2):
                urllib.request.urlopen(base + path, timeout=10).read()

        print(
            f"\n{args.petitions:,} synthetic petitions on PostgreSQL, {title}; gunicorn, "
            f"{args.workers} workers; wrk, {args.connections} connections, "
            f"{args.duration} s a page; {os.cpu_count()} cores\n"
        )
        print(f"{'page':32} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>6}  errors")
        ceiling = None
        for name, path in pages.items():
            rps, p50, p99, errors = wrk(base + path, args.duration, args.connections)
            ceiling = ceiling or rps
            print(f"{name:32} {rps:8.0f} {p50:8.1f} {p99:8.1f} {rps / ceiling:6.2f}  {errors}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
