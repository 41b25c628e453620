#!/usr/bin/env python3
"""A PeeringDB-shaped REST API on loopback, for Peerdesk's sync tests.

Serves the files written by generate.py (``<type>.json`` and, for the
"final" stage, ``changes/<type>.json``) under ``/api/<type>`` the way the real
API answers at depth=0: paging with limit/skip, ``since`` with tombstones,
``id__in`` and simple field filters, ``/api/<type>/<id>``. On top it can ask
for an API key, rate-limit, inject faults, and misbehave the way a server
that is not PeeringDB might (cap every page at N rows whatever ``limit``
says; ignore ``id__in``); tests drive it at run time through
``/__control/...``. Every row that is not deleted is listed, ``pending``
ones included.

It binds 127.0.0.1 only, prints ``LISTENING <port>`` once ready, and exits on
SIGTERM, after --max-seconds, or when the process that started it is gone.

Every row is serialised once at start-up; a response is the pre-serialised
rows of the page joined with commas, and a whole list without filters is
cached, so a 60k-row list costs one socket write.

Standard library only; see README.md in this folder.
"""

from __future__ import annotations

import argparse
import bisect
import collections
import json
import math
import os
import re
import signal
import socket
import sys
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TYPES = (
    "org", "fac", "ix", "ixlan", "ixpfx", "ixfac", "net", "netfac",
    "netixlan", "poc", "carrier", "carrierfac", "campus",
)
PARENT = {
    "fac": ("org_id", "org"), "ix": ("org_id", "org"), "ixlan": ("ix_id", "ix"),
    "ixpfx": ("ixlan_id", "ixlan"), "ixfac": ("ix_id", "ix"),
    "net": ("org_id", "org"), "netfac": ("net_id", "net"),
    "netixlan": ("net_id", "net"), "poc": ("net_id", "net"),
    "carrier": ("org_id", "org"), "carrierfac": ("carrier_id", "carrier"),
    "campus": ("org_id", "org"),
}
RESERVED_PARAMS = {"depth", "limit", "skip", "since"}
FAULT_KINDS = ("slow", "truncate", "disconnect", "500", "wrongtype",
               "oversize", "missingparent", "429")
MAX_LOG = 100_000
ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def unix(stamp: str) -> int:
    return int(datetime.fromisoformat(stamp).timestamp())


def error_body(message: str) -> bytes:
    return ENCODE({"meta": {"error": message}}).encode()


def encode_rows(rows):
    """Each row's compact JSON as bytes. One encoder call for the whole list,
    split where one row ends and the next begins: '},{"id":' cannot occur
    inside a JSON string, whose quotes are escaped. Falls back to one call
    per row when a row does not start with its id."""
    if not rows:
        return []
    text = ENCODE(rows)[1:-1]
    pieces = text.split('},{"id":')
    if len(pieces) != len(rows) or not text.startswith('{"id":'):
        return [ENCODE(r).encode() for r in rows]
    out = [None] * len(pieces)
    last = len(pieces) - 1
    for i, piece in enumerate(pieces):
        if i > 0:
            piece = '{"id":' + piece
        if i < last:
            piece += "}"
        out[i] = piece.encode()
    return out


class Table:
    """One object type in one stage: rows in id order, each serialised once."""

    def __init__(self, rows, raw=None, updated=None):
        if any(a["id"] >= b["id"] for a, b in zip(rows, rows[1:])):
            order = sorted(range(len(rows)), key=lambda i: rows[i]["id"])
            rows = [rows[i] for i in order]
            raw = [raw[i] for i in order] if raw else None
            updated = [updated[i] for i in order] if updated else None
        self.rows = rows
        self.raw = raw or encode_rows(rows)
        self.updated = updated or [unix(r["updated"]) for r in rows]
        self.index = {r["id"]: i for i, r in enumerate(rows)}
        # Listed: every row that is not a tombstone (pending ones too).
        self.live = [i for i, r in enumerate(rows) if r.get("status") != "deleted"]
        self.live_raw = [self.raw[i] for i in self.live]
        self.fields = set()
        for r in rows[:50]:
            self.fields.update(k for k, v in r.items()
                               if not isinstance(v, (dict, list)))
        self.max_id = rows[-1]["id"] if rows else 0
        # Positions by updated, so since= is a bisection, not a scan.
        self.by_updated = sorted(range(len(rows)), key=self.updated.__getitem__)
        self.updated_sorted = [self.updated[i] for i in self.by_updated]
        self._full = None

    def since(self, seconds: int):
        """Positions of rows updated strictly after seconds, in id order."""
        start = bisect.bisect_right(self.updated_sorted, seconds)
        return sorted(self.by_updated[start:])

    def apply(self, changes):
        """This table with change rows upserted by id (tombstones kept)."""
        rows, raw, updated = list(self.rows), list(self.raw), list(self.updated)
        changes = sorted(changes, key=lambda r: r["id"])
        new_raw = encode_rows(changes)
        inserts = []
        for r, b in zip(changes, new_raw):
            i = self.index.get(r["id"])
            if i is None:
                inserts.append((r, b))
            else:
                rows[i], raw[i], updated[i] = r, b, unix(r["updated"])
        for r, b in inserts:
            rows.append(r)
            raw.append(b)
            updated.append(unix(r["updated"]))
        return Table(rows, raw, updated)

    def full_body(self) -> bytes:
        if self._full is None:
            self._full = b'{"data":[' + b",".join(self.live_raw) + b'],"meta":{}}'
        return self._full


def load_rows(path: str):
    """(rows, raw) of a data file; raw is each row's bytes when the file has
    generate.py's layout (one compact row per line), else None."""
    if not os.path.exists(path):
        return [], None
    with open(path, encoding="utf-8") as f:
        text = f.read()
    doc = json.loads(text)
    rows = doc["data"] if isinstance(doc, dict) else doc
    for r in rows:
        if not isinstance(r.get("id"), int) or "updated" not in r:
            raise ValueError(f"{path}: every row needs an integer id and updated")
    raw = None
    lines = text.split("\n")
    if (len(lines) == len(rows) + 3 and lines[0] == '{"data":[' and lines[-2] == "]}"
            and all("status" in r for r in rows)):
        raw = [(line[:-1] if line.endswith(",") else line).encode() for line in lines[1:-2]]
        for i in (0, len(rows) // 2, len(rows) - 1):
            if rows and raw[i] != ENCODE(rows[i]).encode():
                raw = None
                break
    for r in rows:
        r.setdefault("status", "ok")
    return rows, raw


class Dataset:
    def __init__(self, folder: str):
        self.folder = folder
        self.stages = {"base": {}, "final": {}}
        self.has_changes = os.path.isdir(os.path.join(folder, "changes"))
        for kind in TYPES:
            table = Table(*load_rows(os.path.join(folder, f"{kind}.json")))
            self.stages["base"][kind] = table
            changes, _ = load_rows(os.path.join(folder, "changes", f"{kind}.json"))
            self.stages["final"][kind] = table.apply(changes) if changes else table
        manifest = os.path.join(folder, "manifest.json")
        self.manifest = None
        if os.path.exists(manifest):
            with open(manifest, encoding="utf-8") as f:
                self.manifest = json.load(f)


class Fault:
    def __init__(self, kind, type_, arg=None, nth=None):
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r} (one of {', '.join(FAULT_KINDS)})")
        if type_ != "*" and type_ not in TYPES:
            raise ValueError(f"unknown object type {type_!r}")
        if kind == "slow":
            if arg is None:
                raise ValueError("slow needs milliseconds: slow:<type>:<ms>")
            arg = int(arg)
        elif kind == "429":
            arg = int(arg) if arg not in (None, "") else 1
        elif kind == "oversize":
            arg = float(arg) if arg not in (None, "") else 10.0
        if nth is not None:
            nth = int(nth)
            if nth < 1:
                raise ValueError("nth counts from 1")
        self.kind, self.type, self.arg, self.nth = kind, type_, arg, nth
        self.seen = 0
        self.fired = 0

    @classmethod
    def parse(cls, spec):
        if isinstance(spec, dict):
            return cls(str(spec["kind"]), str(spec.get("type", "*")),
                       spec.get("arg"), spec.get("nth"))
        spec = str(spec).strip()
        nth = None
        if "@" in spec:
            spec, nth = spec.rsplit("@", 1)
        parts = spec.split(":")
        if len(parts) < 2 or len(parts) > 3:
            raise ValueError(f"fault {spec!r}: expected kind:type[:arg][@nth]")
        return cls(parts[0], parts[1], parts[2] if len(parts) == 3 else None, nth)

    def matches(self, kind: str) -> bool:
        """Counts a request for this type; true when the fault fires on it."""
        if self.type not in ("*", kind):
            return False
        self.seen += 1
        if self.kind == "429" and self.nth is None:
            fire = self.fired == 0
        else:
            fire = self.nth is None or self.seen == self.nth
        if fire:
            self.fired += 1
        return fire

    def describe(self):
        return {"kind": self.kind, "type": self.type, "arg": self.arg,
                "nth": self.nth, "seen": self.seen, "fired": self.fired,
                "spec": self.spec()}

    def spec(self):
        s = f"{self.kind}:{self.type}"
        if self.arg is not None and self.kind in ("slow", "429", "oversize", "wrongtype"):
            s += f":{self.arg:g}" if isinstance(self.arg, float) else f":{self.arg}"
        return s + (f"@{self.nth}" if self.nth else "")


def parse_rate(text):
    """'20/min', '5/s', '100/h', '3/10s' -> (requests, window seconds)."""
    if text in (None, "", "off", "none", "0"):
        return None
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d*)\s*(s|sec|second|m|min|minute|h|hour)s?\s*", text)
    if not m:
        raise ValueError(f"rate limit {text!r}: expected N/min, N/s, N/h or N/<k>s")
    unit = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60,
            "h": 3600, "hour": 3600}[m.group(3)]
    return int(m.group(1)), int(m.group(2) or 1) * unit


class State:
    def __init__(self, args, data: Dataset):
        self.data = data
        self.lock = threading.Lock()
        self.stage = args.stage
        self.api_key = args.api_key
        self.require_key = args.require_key
        self.poc_visibility = args.poc_visibility
        self.rate = parse_rate(args.rate_limit)
        self.window = collections.deque()
        self.faults = [Fault.parse(s) for s in args.fault or []]
        # Misbehaviour: at most page_cap rows per list answer; id__in ignored.
        self.page_cap = args.page_cap
        self.ignore_id_in = args.ignore_id_in
        self.ignore_skip = args.ignore_skip
        self.log = []
        self.started = time.monotonic()

    def admit(self):
        """None when the request may go on, else seconds until it may."""
        if self.rate is None:
            return None
        limit, window = self.rate
        now = time.monotonic()
        with self.lock:
            while self.window and self.window[0] <= now - window:
                self.window.popleft()
            if len(self.window) < limit:
                self.window.append(now)
                return None
            return max(1, math.ceil(self.window[0] + window - now))

    def fired_faults(self, kind: str):
        with self.lock:
            return [f for f in self.faults if f.matches(kind)]

    def record(self, entry):
        with self.lock:
            self.log.append(entry)
            if len(self.log) > MAX_LOG:
                del self.log[: len(self.log) - MAX_LOG]


class Reply(Exception):
    def __init__(self, status, message, headers=None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def wrong_value(field, value):
    if field == "id":
        return str(value)
    if field == "asn":
        return {"asn": value}
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return {"value": value}
    if value is None:
        return {}
    return "unexpected"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "peerdesk-pdb-fixture/1"
    timeout = 30  # an idle keep-alive connection does not hold a thread forever
    state: State = None  # set in main()
    verbose = False

    def setup(self):
        super().setup()
        # Headers and body go out in two writes; without this a small body
        # waits for the client's delayed ACK (~40 ms per request).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *args):
        if self.verbose:
            sys.stderr.write("fixture: " + (fmt % args) + "\n")

    # ------------------------------------------------------------ plumbing

    def body_in(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def send(self, status, body: bytes, headers=None, cut=None):
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        for k, v in (headers or {}).items():
            self.send_header(k, str(v))
        if cut == "truncate":
            body = body[: max(1, min(len(body) - 1, len(body) // 2))]
        self.send_header("Content-Length", str(len(body)))
        if cut == "disconnect":
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD":
            return
        if cut == "disconnect":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.wfile.write(body)

    def send_json(self, status, obj, headers=None):
        self.send(status, ENCODE(obj).encode(), headers)

    def do_GET(self):
        self.route("GET", b"")

    def do_POST(self):
        self.route("POST", self.body_in())

    def do_PUT(self):
        self.route("PUT", self.body_in())

    def do_DELETE(self):
        self.route("DELETE", self.body_in())

    def route(self, method, body):
        url = urlsplit(self.path)
        try:
            if url.path.startswith("/__control/"):
                self.control(method, url.path[len("/__control/"):].strip("/"), body)
            elif url.path == "/api" or url.path.startswith("/api/"):
                self.api(method, url)
            elif url.path.startswith("/cache/") and url.path.endswith("-0.json") and method == "GET":
                self.cache(url.path[len("/cache/"):-len("-0.json")])
            else:
                raise Reply(404, "not found")
        except Reply as r:
            self.send(r.status, error_body(r.message), r.headers)

    # ------------------------------------------------------------- cache

    def cache(self, kind):
        """`/cache/<type>-0.json`: the whole current list, as PeeringDB's public
        cache serves it for a first sync (peeringdb-py reads these)."""
        st = self.state
        tables = st.data.stages[st.stage]
        if kind not in tables:
            raise Reply(404, "not found")
        self.send(200, tables[kind].full_body())

    # ------------------------------------------------------------- control

    def control(self, method, what, body):
        st = self.state
        text = body.decode("utf-8", "replace").strip()
        if what == "stage" and method == "POST":
            stage = text
            if text.startswith(("{", '"')):
                doc = json.loads(text)
                stage = doc.get("stage") if isinstance(doc, dict) else doc
            if stage not in ("base", "final"):
                raise Reply(400, "stage is 'base' or 'final'")
            if stage == "final" and not st.data.has_changes:
                raise Reply(409, "this data folder has no changes/ (generate with --changes)")
            with st.lock:
                st.stage = stage
            return self.send_json(200, {"stage": stage})
        if what == "stage" and method == "GET":
            return self.send_json(200, {"stage": st.stage})
        if what in ("fault", "faults") and method == "POST":
            try:
                faults = self.parse_faults(text)
            except (ValueError, KeyError, TypeError) as e:
                raise Reply(400, f"bad fault: {e}")
            with st.lock:
                st.faults = faults
            return self.send_json(200, {"faults": [f.describe() for f in faults]})
        if what in ("fault", "faults") and method == "GET":
            with st.lock:
                return self.send_json(200, {"faults": [f.describe() for f in st.faults]})
        if what == "requests" and method == "GET":
            with st.lock:
                log = list(st.log)
            return self.send_json(200, {"requests": log})
        if what == "reset" and method == "POST":
            with st.lock:
                st.faults = []
                st.log = []
                st.window.clear()
            return self.send_json(200, {"reset": True})
        if what == "rate-limit" and method == "POST":
            try:
                rate = parse_rate(text.strip('"'))
            except ValueError as e:
                raise Reply(400, str(e))
            with st.lock:
                st.rate = rate
                st.window.clear()
            return self.send_json(200, {"rate_limit": rate and {"requests": rate[0], "seconds": rate[1]}})
        if what == "mode" and method == "POST":
            try:
                doc = json.loads(text or "{}")
                cap = doc.get("page_cap", st.page_cap)
                ignore = doc.get("ignore_id_in", st.ignore_id_in)
                ignore_skip = doc.get("ignore_skip", st.ignore_skip)
                if not isinstance(ignore_skip, bool):
                    raise ValueError("ignore_skip is true or false")
                if cap is not None and (not isinstance(cap, int) or isinstance(cap, bool) or cap < 1):
                    raise ValueError("page_cap is a positive integer or null")
                if not isinstance(ignore, bool):
                    raise ValueError("ignore_id_in is true or false")
            except (ValueError, AttributeError) as e:
                raise Reply(400, f"bad mode: {e}")
            with st.lock:
                st.page_cap, st.ignore_id_in, st.ignore_skip = cap, ignore, ignore_skip
            return self.send_json(200, {"page_cap": cap, "ignore_id_in": ignore, "ignore_skip": ignore_skip})
        if what == "state" and method == "GET":
            with st.lock:
                return self.send_json(200, {
                    "stage": st.stage,
                    "faults": [f.describe() for f in st.faults],
                    "rate_limit": st.rate and {"requests": st.rate[0], "seconds": st.rate[1]},
                    "require_key": st.require_key,
                    "api_key_set": st.api_key is not None,
                    "poc_visibility": st.poc_visibility,
                    "page_cap": st.page_cap,
                    "ignore_id_in": st.ignore_id_in,
                    "ignore_skip": st.ignore_skip,
                    "has_changes": st.data.has_changes,
                    "counts": {stage: {k: len(t.live) for k, t in tables.items()}
                               for stage, tables in st.data.stages.items()},
                    "manifest": st.data.manifest,
                    "uptime": round(time.monotonic() - st.started, 3),
                })
        raise Reply(404, f"no control endpoint {method} /__control/{what}")

    @staticmethod
    def parse_faults(text):
        if not text:
            return []
        if text[0] in "[{\"":
            doc = json.loads(text)
            if isinstance(doc, dict) and "faults" in doc:
                doc = doc["faults"]
            if not isinstance(doc, list):
                doc = [doc]
            return [Fault.parse(s) for s in doc]
        return [Fault.parse(s) for s in text.split()]

    # ----------------------------------------------------------------- api

    def api(self, method, url):
        st = self.state
        parts = [p for p in url.path.split("/") if p][1:]
        kind = parts[0] if parts else None
        auth = self.headers.get("Authorization")
        entry = {
            "t": round(time.monotonic() - st.started, 4),
            "method": method,
            "path": url.path,
            "query": url.query,
            "type": kind,
            "authorization": auth is not None,
            "user_agent": self.headers.get("User-Agent"),
            "stage": st.stage,
            "status": None,
            "faults": [],
        }
        try:
            self.api_inner(method, url, parts, kind, auth, entry)
        except Reply as r:
            entry["status"] = r.status
            raise
        finally:
            st.record(entry)

    def api_inner(self, method, url, parts, kind, auth, entry):
        st = self.state
        key_ok = False
        if auth is not None:
            scheme, _, key = auth.partition(" ")
            key_ok = (st.api_key is not None and scheme.lower() == "api-key"
                      and key.strip() == st.api_key)
            if st.api_key is not None and not key_ok:
                raise Reply(401, "Invalid API key")
            if st.api_key is None and st.require_key:
                raise Reply(401, "Invalid API key")
        elif st.require_key:
            raise Reply(401, "Authentication credentials were not provided.")
        entry["key_valid"] = key_ok
        wait = st.admit()
        if wait is not None:
            raise Reply(429, f"Request was throttled. Expected available in {wait} seconds.",
                        {"Retry-After": wait})
        if method not in ("GET", "HEAD"):
            raise Reply(405, "method not allowed")
        if kind not in TYPES or len(parts) > 2:
            raise Reply(404, "not found")
        query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        if query.get("depth", "0") not in ("0", ""):
            raise Reply(400, "the fixture server serves depth=0 only")

        faults = st.fired_faults(kind)
        entry["faults"] = [f.spec() for f in faults]
        for f in faults:
            if f.kind == "slow":
                time.sleep(f.arg / 1000)
        for f in faults:
            if f.kind == "429":
                raise Reply(429, f"Request was throttled. Expected available in {f.arg} seconds.",
                            {"Retry-After": f.arg})
            if f.kind == "500":
                raise Reply(500, "Internal Server Error (injected by the fixture server)")

        table = st.data.stages[st.stage][kind]
        if len(parts) == 2:
            try:
                oid = int(parts[1])
            except ValueError:
                raise Reply(404, "not found")
            i = table.index.get(oid)
            if i is None or table.rows[i]["status"] == "deleted" or not self.visible(kind, table.rows[i], key_ok):
                raise Reply(404, "not found")
            positions = [i]
            envelope = (b'{"data":[', b"]}")
        else:
            positions = self.select(kind, table, query, key_ok)
            envelope = (b'{"data":[', b'],"meta":{}}')
        body = self.render(kind, table, positions, faults, envelope)
        cut = next((f.kind for f in faults if f.kind in ("truncate", "disconnect")), None)
        entry["status"] = 200
        entry["rows"] = len(positions) if positions is not None else len(table.live)
        self.send(200, body, cut=cut)

    def visible(self, kind, row, key_ok):
        if kind != "poc" or not self.state.poc_visibility:
            return True
        return row.get("visible") == "Public" or (key_ok and row.get("visible") == "Users")

    def select(self, kind, table, query, key_ok):
        """Row positions for a list request; None means every live row."""
        def number(name, default):
            value = query.get(name, "")
            if value == "":
                return default
            try:
                n = int(float(value))
            except ValueError:
                raise Reply(400, f"{name} must be a number")
            if n < 0:
                raise Reply(400, f"{name} must not be negative")
            return n

        limit = number("limit", 0)
        skip = 0 if self.state.ignore_skip else number("skip", 0)
        filters = [(k, v) for k, v in query.items() if k not in RESERVED_PARAMS]
        if self.state.ignore_id_in:
            filters = [(k, v) for k, v in filters if k != "id__in"]
        positions = None
        if "since" in query:
            positions = table.since(number("since", 0))
        elif filters or (kind == "poc" and self.state.poc_visibility):
            positions = table.live
        for name, value in filters:
            field, _, op = name.partition("__")
            if field not in table.fields and not (field == "id"):
                raise Reply(400, f"unknown filter {name!r} for {kind}")
            if op not in ("", "in"):
                raise Reply(400, f"filter {name!r}: the fixture server supports only = and __in")
            wanted = set(value.split(",")) if op == "in" else {value}
            if field == "id":
                try:
                    ids = {int(x) for x in wanted if x != ""}
                except ValueError:
                    raise Reply(400, "id__in takes integers")
                idx = table.index
                hits = sorted(idx[x] for x in ids if x in idx)
                keep = set(positions)
                positions = [i for i in hits if i in keep]
                continue
            rows = table.rows
            positions = [i for i in positions if as_text(rows[i].get(field)) in wanted]
        if kind == "poc" and self.state.poc_visibility:
            positions = [i for i in positions if self.visible(kind, table.rows[i], key_ok)]
        cap = self.state.page_cap
        if cap and (limit == 0 or limit > cap):
            limit = cap
        if positions is None and skip == 0 and limit == 0:
            return None
        if positions is None:
            positions = table.live
        end = skip + limit if limit else None
        return positions[skip:end]

    def render(self, kind, table, positions, faults, envelope):
        modifiers = [f for f in faults if f.kind in ("wrongtype", "oversize", "missingparent")]
        if positions is None and not modifiers:
            return table.full_body()
        if positions is None:
            positions = table.live
        parts = [table.raw[i] for i in positions]
        if modifiers and positions:
            middle = len(positions) // 2
            row = dict(table.rows[positions[middle]])
            for f in modifiers:
                if f.kind == "wrongtype":
                    field = f.arg or ("asn" if "asn" in row else "id")
                    row[field] = wrong_value(field, row.get(field))
                elif f.kind == "oversize":
                    field = "notes" if "notes" in row else "name" if "name" in row else "updated"
                    row[field] = "x" * int(f.arg * 1024 * 1024)
                elif f.kind == "missingparent" and kind in PARENT:
                    field, parent = PARENT[kind]
                    ptable = self.state.data.stages[self.state.stage][parent]
                    row[field] = ptable.max_id + 1_000_000
            parts[middle] = ENCODE(row).encode()
        return envelope[0] + b",".join(parts) + envelope[1]


class LoopbackServer(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 64


def as_text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def main(argv=None):
    parent = os.getppid()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="folder written by generate.py")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--api-key", help="the key that counts as valid")
    parser.add_argument("--require-key", action="store_true",
                        help="answer 401 to requests without a valid key")
    parser.add_argument("--rate-limit", help="e.g. 20/min, 5/s; over it: 429 with Retry-After")
    parser.add_argument("--fault", action="extend", nargs="+", metavar="SPEC",
                        help="kind:type[:arg][@nth], one or more, repeatable; see README.md")
    parser.add_argument("--stage", choices=("base", "final"), default="base")
    parser.add_argument("--poc-visibility", action="store_true",
                        help="like PeeringDB: only Public contacts without a key, "
                             "Public and Users with one, never Private")
    parser.add_argument("--page-cap", type=int, metavar="N",
                        help="answer at most N rows per list request, whatever limit asks "
                             "(as a server with its own page size would)")
    parser.add_argument("--ignore-id-in", action="store_true",
                        help="ignore id__in filters: answer as if they were not given")
    parser.add_argument("--ignore-skip", action="store_true",
                        help="ignore skip: every page is the first one")
    parser.add_argument("--max-seconds", type=float, default=600)
    parser.add_argument("--no-parent-watch", action="store_true",
                        help="keep running when the starting process exits")
    parser.add_argument("--verbose", action="store_true", help="log requests to stderr")
    args = parser.parse_args(argv)

    if args.page_cap is not None and args.page_cap < 1:
        parser.error("--page-cap is at least 1")
    data = Dataset(args.data)
    state = State(args, data)
    if args.stage == "final" and not data.has_changes:
        parser.error("--stage final needs a data folder generated with --changes")
    Handler.state = state
    Handler.verbose = args.verbose

    server = LoopbackServer(("127.0.0.1", args.port), Handler)

    stopping = threading.Event()

    def stop(reason):
        if not stopping.is_set():
            stopping.set()
            if args.verbose or reason != "signal":
                sys.stderr.write(f"fixture: stopping ({reason})\n")
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, lambda *_: stop("signal"))
    signal.signal(signal.SIGINT, lambda *_: stop("signal"))
    deadline = time.monotonic() + args.max_seconds

    def watch():
        while not stopping.wait(0.5):
            if time.monotonic() >= deadline:
                stop(f"--max-seconds {args.max_seconds:g} reached")
            elif not args.no_parent_watch and os.getppid() != parent:
                stop("parent process exited")

    threading.Thread(target=watch, daemon=True).start()
    print(f"LISTENING {server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
