"""A stand-in for the public petitions site, serving real recorded documents page by page.

Usage:
    python -m scripts.standin_site [--port 8212] [--data ../shared/data] [--chaos N]

Serves, on 127.0.0.1, what `manage.py harvest` reads from petition.parliament.uk:

- `/petitions.json?state=all&page=N`: the 4,134 real petitions of `real/` (recorded in
  January 2023, while the 2019–2024 Parliament sat), newest number first, 50 a page, with
  `links` (self, first, last, next, prev) pointing here;
- `/petitions/ID.json`: a petition's own document (the recorded one, with its breakdowns,
  for the 248 of `real/petitions/`; else built from its list item);
- `/archived/petitions.json?parliament=N&state=all` and `/archived/petitions/ID.json`: the
  documents of `petitions/` that are not current here, by the parliament they began in.

Every answer has an ETag and honours If-None-Match (304). To change the site as time does:

    curl -X POST 'http://127.0.0.1:8212/_standin/bump?count=5&by=1000'  # 5 open ones gain 1,000
    curl -X POST 'http://127.0.0.1:8212/_standin/bump?ids=630365&by=90000'  # this one
    curl 'http://127.0.0.1:8212/_standin/stats'  # the requests so far, by address

`--chaos N` makes every Nth request fail in turn: 503 and 429 with Retry-After: 1, 500, a
body cut short (valid HTTP, broken JSON), a connection closed mid-body, a connection dropped. The
tests start it in a thread (`StandinSite`) and script failures per address (`fail`).
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import gzip
import hashlib
import itertools
import json
import os
import random
import socket
import threading
from collections import Counter, defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PAGE_SIZE = 50
FAULTS = ("503", "429", "500", "truncate", "cut", "drop")
DETAIL_ONLY = (
    "signatures_by_country",
    "signatures_by_constituency",
    "signatures_by_region",
    "other_parliamentary_business",
)
# The public site's archive numbers, and when each parliament first sat.
PARLIAMENTS = [(2, "2010-05-18"), (1, "2015-05-18"), (3, "2017-06-13"), (4, "2019-12-17")]


def _load(path: Path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as file:
        return json.load(file)


def _stamp(moment: dt.datetime) -> str:
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


def _is_open(petition: dict) -> bool:
    return petition["attributes"]["state"] == "open"


class Petitions:
    """The stand-in's petitions: each one's full `data` (type, id, attributes), by listing."""

    def __init__(self, data_dir: Path, lists: str = "*.json.gz"):
        """`lists` chooses the recorded list pages (a glob in `real/lists/`); the recorded
        documents of their petitions replace their list items."""
        current: dict[int, dict] = {}
        for path in sorted((data_dir / "real" / "lists").glob(lists)):
            for item in _load(path)["data"]:
                known = current.get(item["id"])
                if (
                    known is None
                    or item["attributes"]["updated_at"] > known["attributes"]["updated_at"]
                ):
                    current[item["id"]] = {k: v for k, v in item.items() if k != "links"}
        for path in sorted((data_dir / "real" / "petitions").glob("*.json.gz")):
            if lists != "*.json.gz" and int(path.name.split(".")[0]) not in current:
                continue
            data = _load(path)["data"]
            current[data["id"]] = {k: v for k, v in data.items() if k != "links"}
        archived: dict[int, dict[int, dict]] = defaultdict(dict)
        for path in sorted((data_dir / "petitions").glob("[0-9]*.json")):
            document = _load(path)
            data = document.get("data", document)
            if data["id"] in current:
                continue
            created = data["attributes"]["created_at"][:10]
            number = max(n for n, opened in PARLIAMENTS if opened <= created)
            archived[number][data["id"]] = {k: v for k, v in data.items() if k != "links"}
        self.current = current
        self.archived = dict(archived)
        self.lock = threading.Lock()

    def listing(self, archived: bool, parliament: int | None) -> dict[int, dict]:
        return self.archived.get(parliament, {}) if archived else self.current

    def bump(
        self, count: int, by: int | None = None, seed: int | None = None, ids=None
    ) -> list[dict]:
        """`count` open petitions (or those of `ids`) gain signatures (`by`, or a random
        number), now."""
        chooser = random.Random(seed)
        with self.lock:
            if ids:
                ids = [pid for pid in ids if pid in self.current]
            else:  # only open petitions gain signatures on the real site
                pool = sorted(p for p, v in self.current.items() if _is_open(v)) or sorted(
                    self.current
                )
                ids = chooser.sample(pool, min(count, len(pool)))
            now = dt.datetime.now(dt.UTC)
            bumped = []
            for pid in ids:
                attributes = self.current[pid]["attributes"]
                attributes["signature_count"] += by if by is not None else chooser.randint(1, 5000)
                attributes["updated_at"] = _stamp(now)
                bumped.append({"id": pid, "signature_count": attributes["signature_count"]})
        return bumped


class StandinSite:
    """The stand-in, served from a thread: `start()`, then `base`; `stop()` at the end."""

    def __init__(
        self,
        data_dir: Path,
        port: int = 0,
        chaos: int = 0,
        lists: str = "*.json.gz",
        page_size: int = PAGE_SIZE,
    ):
        self.petitions = Petitions(data_dir, lists)
        self.page_size = page_size
        self.faults: dict[str, deque] = defaultdict(deque)  # by path (and query), in turn
        self.chaos = chaos
        self.chaos_kinds = itertools.cycle(FAULTS)
        self.requests: Counter = Counter()  # by path and query
        self.user_agents: set[str] = set()
        self.connections: set[tuple] = set()
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self.server.daemon_threads = True
        self.thread: threading.Thread | None = None

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> StandinSite:
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail(self, address: str, *kinds: str) -> None:
        """The next requests for `address` (a path, with its query if it must match that
        too) fail in turn, as `kinds` say: 503, 429, 500, truncate, cut, drop."""
        self.faults[address].extend(kinds)

    def total(self, kind: str = "") -> int:
        """Requests so far: all, or those whose path starts with `kind`."""
        return sum(n for address, n in self.requests.items() if address.startswith(kind))

    def fault_for(self, address: str, path: str) -> str | None:
        with self.lock:
            self.requests[address] += 1
            for key in (address, path):
                if self.faults.get(key):
                    return self.faults[key].popleft()
            if self.chaos and self.total() % self.chaos == 0:
                return next(self.chaos_kinds)
        return None

    # The documents.

    def list_page(self, path: str, query: dict) -> dict | None:
        archived = path.startswith("/archived/")
        parliament = query.get("parliament")
        if archived and not (parliament or "").isdigit():
            return None
        petitions = self.petitions.listing(archived, int(parliament) if archived else None)
        page = query.get("page", "1")
        page = int(page) if page.isdigit() and len(page) < 6 else 1
        ids = sorted(petitions, reverse=True)
        last = max(1, -(-len(ids) // self.page_size))
        chosen = ids[(page - 1) * self.page_size : page * self.page_size]
        kind = "archived/petitions" if archived else "petitions"

        def url(number):
            pairs = sorted(
                [(k, v) for k, v in query.items() if k != "page"]
                + ([("page", str(number))] if number > 1 else [])
            )
            return f"{self.base}{path}" + (f"?{urlencode(pairs)}" if pairs else "")

        with self.petitions.lock:
            data = []
            for pid in chosen:
                item = copy.deepcopy(petitions[pid])
                for key in DETAIL_ONLY:
                    item["attributes"].pop(key, None)
                data.append(
                    {
                        "type": item["type"],
                        "id": pid,
                        "links": {"self": f"{self.base}/{kind}/{pid}.json"},
                        "attributes": item["attributes"],
                    }
                )
        return {
            "links": {
                "self": url(page),
                "first": url(1),
                "last": url(last),
                "next": url(page + 1) if page < last else None,
                "prev": url(page - 1) if page > 1 else None,
            },
            "data": data,
        }

    def detail(self, path: str) -> dict | None:
        archived = path.startswith("/archived/")
        number = path.rsplit("/", 1)[-1].removesuffix(".json")
        if not number.isdigit() or len(number) > 10:
            return None
        pid = int(number)
        with self.petitions.lock:
            if archived:
                found = next((p[pid] for p in self.petitions.archived.values() if pid in p), None)
            else:
                found = self.petitions.current.get(pid)
            if found is None:
                return None
            return {"links": {"self": f"{self.base}{path}"}, "data": copy.deepcopy(found)}


def _handler(site: StandinSite):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the public site

        def setup(self):
            super().setup()
            # Headers and body go out in two writes: without this, each answer of a
            # kept-alive connection waits for the client's delayed ACK (40 ms).
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format, *args):  # quiet: the stand-in is for tests too
            pass

        def do_POST(self):
            self.do_GET()

        def do_GET(self):
            parts = urlsplit(self.path)
            query = dict(parse_qsl(parts.query))
            if parts.path == "/_standin/bump":
                count = query.get("count", "5")
                by = query.get("by")
                ids = [int(i) for i in query.get("ids", "").split(",") if i.isdigit()]
                bumped = site.petitions.bump(
                    int(count) if count.isdigit() else 5,
                    int(by) if by and by.isdigit() else None,
                    ids=ids,
                )
                return self.send_json(200, {"bumped": bumped})
            if parts.path == "/_standin/stats":
                return self.send_json(200, {"requests": site.total(), "by_address": site.requests})
            with site.lock:
                site.user_agents.add(self.headers.get("User-Agent", ""))
                site.connections.add(self.client_address)
            fault = site.fault_for(self.path, parts.path)
            if fault == "drop":
                self.close_connection = True
                return
            if fault == "503":
                return self.send_json(503, {"error": "busy"}, {"Retry-After": "1"})
            if fault == "429":
                return self.send_json(429, {"error": "slow down"}, {"Retry-After": "1"})
            if fault == "500":
                return self.send_json(500, {"error": "something broke"})
            if parts.path in ("/petitions.json", "/archived/petitions.json"):
                document = site.list_page(parts.path, query)
            elif parts.path.startswith(("/petitions/", "/archived/petitions/")):
                document = site.detail(parts.path)
            else:
                document = None
            if document is None:
                return self.send_json(404, {"error": "not found"})
            body = json.dumps(document, separators=(",", ":")).encode()
            etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
            if self.headers.get("If-None-Match") == etag and fault is None:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if fault == "truncate":  # a whole HTTP answer whose JSON stops halfway
                body = body[: len(body) // 2]
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body) * (2 if fault == "cut" else 1)))
            self.end_headers()
            self.wfile.write(body)
            if fault == "cut":  # said twice as much as it sends, then hangs up
                self.close_connection = True

        def send_json(self, status, document, headers=None):
            body = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8212)
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get("PETITION_DATA_DIR", ROOT.parent / "shared" / "data")),
    )
    parser.add_argument("--chaos", type=int, default=0, help="every Nth request fails (0: none)")
    args = parser.parse_args()
    site = StandinSite(args.data, port=args.port, chaos=args.chaos)
    petitions = site.petitions
    archived = sum(len(p) for p in petitions.archived.values())
    print(
        f"Stand-in petitions site on {site.base}: {len(petitions.current):,} current "
        f"petitions, {archived:,} archived. Ctrl-C stops it.",
        flush=True,
    )
    try:
        site.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        site.server.server_close()


if __name__ == "__main__":
    main()
