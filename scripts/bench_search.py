"""Search benchmark (not a test): where a search's time goes, and the least PostgreSQL's part
of it can be on this design.

Usage:
    .venv/bin/python -m scripts.bench_search [--searches 300] [--healthz 2836]
        [--database postgres://postgres@127.0.0.1:5432/petition_bench]

On the 100,000-petition archive that `scripts.bench_serve` builds (run it first), in one
process with DEBUG off, for searches of 1 to 3 words drawn as bench_serve draws them:

1. The search page as a reader gets it (through Django's test client; every search is a
   new one, as under bench_serve): the whole request, and how much of it was spent waiting
   on PostgreSQL.
2. PostgreSQL's part, piece by piece:
   - finding a search's best candidates (the passes of `petitions/search.py`) as the list
     does, with each one's rank and the tabs it is in; then without the tabs; then only
     their numbers, neither ranked nor sorted into tabs, which any search that ranks its
     candidates must at least find;
   - reading the page's 25 petitions with their snippets, and the archive's version, which
     every search page reads too.
   The ways of one search are run in turn, starting from a different one each time, so that
   none is always the one that meets the search's pages cold.

With `--healthz`, the rate of `/healthz` that `bench_serve` printed on this machine, it also
prints how many milliseconds of the machine's cores a search may take, in all, to be served
at a tenth of that rate. It prints figures and asserts nothing.
"""

import argparse
import os
import random
import statistics
import time
from contextlib import contextmanager


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p90 = ordered[int(len(ordered) * 0.9)]
    return f"{statistics.mean(times):6.2f} | {statistics.median(times):6.2f} | {p90:6.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/petition_bench")
    parser.add_argument("--healthz", type=float, help="/healthz's requests a second (bench_serve)")
    args = parser.parse_args()
    os.environ.update(DATABASE_URL=args.database, DEBUG="0", ALLOWED_HOSTS="testserver")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "petitions_site.settings")
    import django

    django.setup()

    from django.db import DatabaseError, connection
    from django.test import Client

    from petitions import search
    from petitions.caching import archive_version
    from petitions.models import FACETS, Petition, today_facets
    from scripts.bench_serve import search_words

    spent = []  # seconds waiting on PostgreSQL, while `waited()` counts

    def counted(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append(time.perf_counter() - started)

    @contextmanager
    def waited():
        spent.clear()
        with connection.execute_wrapper(counted):
            yield

    build_first = "Build the benchmark archive first: python -m scripts.bench_serve"
    try:
        actions = list(Petition.objects.values_list("action", flat=True))
    except DatabaseError as error:
        raise SystemExit(f"{build_first} ({error})") from None
    if len(actions) < 10_000:
        raise SystemExit(build_first)
    rng = random.Random(args.seed)
    texts = [" ".join(words) for words in search_words(actions, rng, args.searches + 10)]
    warm, texts = texts[:10], texts[10:]

    # 1. The page, as served.
    client = Client()
    for text in warm:
        client.get("/petitions/", {"q": text})
    whole, database = [], []
    for text in texts:
        with waited():
            started = time.perf_counter()
            response = client.get("/petitions/", {"q": text})
            whole.append((time.perf_counter() - started) * 1000)
            database.append(sum(spent) * 1000)
        assert response.status_code == 200, (text, response.status_code)

    # 2. PostgreSQL's part, piece by piece.
    public = Petition.objects.visible()
    conditions = today_facets()
    tabs = {name: conditions[name] for name in FACETS if name != "all"}
    served = search.compile_matches(public, tabs)  # as the list compiles it
    untabbed = search.compile_matches(public, {})
    # Each way finds a search's candidates through search.py's own functions; the numbers
    # alone are what search() finds to count a search's petitions (not ranked).
    ways = {
        "candidates, ranked, with their tabs (as served)": (
            lambda text, memo: search.best_matches(served, text, memo)
        ),
        "candidates, ranked, without their tabs": (
            lambda text, memo: search.best_matches(untabbed, text)
        ),
        "candidates' numbers only": lambda text, memo: search.search(public, text, ranked=False),
    }
    pieces = {name: [] for name in ways}
    pieces["the page's 25 petitions and their snippets"] = []
    pieces["the archive's version"] = []
    names = list(ways)
    for at, text in enumerate(texts):
        memo = {}  # what the list's passes found: its first page is read from it
        for name in names[at % len(names) :] + names[: at % len(names)]:
            with waited():
                ways[name](text, memo)
            pieces[name].append(sum(spent) * 1000)
        page = search.best_matches(served, text, memo)["all"][:25]
        with waited():
            list(search.with_snippets(public.for_list().filter(id__in=page), text).order_by())
            pieces["the page's 25 petitions and their snippets"].append(sum(spent) * 1000)
        with waited():
            archive_version()
            pieces["the archive's version"].append(sum(spent) * 1000)

    print(
        f"\n{len(texts)} searches of 1 to 3 words drawn from the archive's actions, "
        f"{Petition.objects.count():,} petitions, one process, DEBUG off, "
        f"{os.cpu_count()} cores\n"
    )
    print("| ms a search | mean | median | p90 |\n|---|---|---|---|")
    print("| **the search page, in one process** | | | |")
    print(f"| the search page, whole | {summary(whole)} |")
    print(f"| of which waiting on PostgreSQL | {summary(database)} |")
    print("| **waiting on PostgreSQL, piece by piece** | | | |")
    for name, times in pieces.items():
        print(f"| {name} | {summary(times)} |")
    floor = [
        sum(values)
        for values in zip(
            pieces["candidates' numbers only"],
            pieces["the page's 25 petitions and their snippets"],
            pieces["the archive's version"],
            strict=True,
        )
    ]
    print(f"| PostgreSQL's least: numbers, page, version | {summary(floor)} |")
    if args.healthz:
        budget = (os.cpu_count() or 1) * 1000 / (0.1 * args.healthz)
        print(
            f"\nAt 0.1 of /healthz ({args.healthz:,.0f} a second) a search may take "
            f"{budget:.1f} ms of the {os.cpu_count()} cores in all: PostgreSQL, Python and "
            "the load generator together."
        )


if __name__ == "__main__":
    main()
