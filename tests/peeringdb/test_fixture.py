"""Self-test of the PeeringDB fixture: what generate.py writes and how
fixture_server.py answers.

Run from the repository root:

    python3 -m unittest tests/peeringdb/test_fixture.py -v

The small set backs the server tests (milliseconds each); the full-size set
is generated once (about 10 s) for the distribution and address checks.
"""

from __future__ import annotations

import collections
import http.client
import ipaddress
import json
import os
import re
import selectors
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
GENERATE = os.path.join(HERE, "generate.py")
SERVER = os.path.join(HERE, "fixture_server.py")
BOUNDARY = 1748736000
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

ALLOWED_V4 = [ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "100.64.0.0/10", "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")]
ALLOWED_V6 = ipaddress.ip_network("2001:db8::/32")

FIELDS = {
    "org": "name aka name_long website notes address1 city country state zipcode latitude longitude",
    "fac": "org_id name aka name_long website clli rencode npanxx notes city country state zipcode "
           "latitude longitude region_continent campus_id net_count ix_count",
    "ix": "org_id name aka name_long city country region_continent media notes proto_unicast "
          "proto_multicast proto_ipv6 website url_stats tech_email tech_phone policy_email "
          "policy_phone sales_email sales_phone net_count fac_count ixf_net_count ixf_last_import "
          "service_level terms status_dashboard",
    "ixlan": "ix_id name descr mtu dot1q_support rs_asn arp_sponge ixf_ixp_member_list_url_visible "
             "ixf_ixp_import_enabled",
    "ixpfx": "ixlan_id protocol prefix in_dfz",
    "ixfac": "ix_id fac_id",
    "net": "org_id name aka name_long website asn looking_glass route_server irr_as_set info_type "
           "info_types info_prefixes4 info_prefixes6 info_traffic info_ratio info_scope info_unicast "
           "info_multicast info_ipv6 info_never_via_route_servers notes policy_url policy_general "
           "policy_locations policy_ratio policy_contracts allow_ixp_update status_dashboard "
           "rir_status rir_status_updated netixlan_updated netfac_updated poc_updated",
    "netfac": "net_id fac_id local_asn",
    "netixlan": "net_id ix_id ixlan_id name notes speed asn ipaddr4 ipaddr6 is_rs_peer bfd_support "
                "operational net_side_id ix_side_id",
    "poc": "net_id role visible name phone email url",
}
INFO_TYPES = {"NSP", "Content", "Cable/DSL/ISP", "Enterprise", "Educational/Research",
              "Non-Profit", "Route Server", "Network Services", "Route Collector", "Government"}
POC_ROLES = {"Abuse", "Maintenance", "Policy", "Technical", "NOC", "Public Relations", "Sales"}
REFERENCES = (
    ("fac", "org_id", "org"), ("ix", "org_id", "org"), ("ixlan", "ix_id", "ix"),
    ("ixpfx", "ixlan_id", "ixlan"), ("ixfac", "ix_id", "ix"), ("ixfac", "fac_id", "fac"),
    ("net", "org_id", "org"), ("netfac", "net_id", "net"), ("netfac", "fac_id", "fac"),
    ("netixlan", "net_id", "net"), ("netixlan", "ix_id", "ix"), ("netixlan", "ixlan_id", "ixlan"),
    ("poc", "net_id", "net"), ("carrier", "org_id", "org"),
    ("carrierfac", "carrier_id", "carrier"), ("carrierfac", "fac_id", "fac"),
)


def private_or_documentation_asn(asn) -> bool:
    return isinstance(asn, int) and not isinstance(asn, bool) and (
        64496 <= asn <= 64511 or 65536 <= asn <= 65551
        or 64512 <= asn <= 65534 or 4200000000 <= asn <= 4294967294)


def run_generate(out, size, seed, changes=True):
    cmd = [sys.executable, GENERATE, "--size", size, "--seed", str(seed), "--out", out]
    if changes:
        cmd.append("--changes")
    started = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        raise AssertionError(f"generate.py failed:\n{done.stderr}")
    with open(os.path.join(out, "manifest.json"), encoding="utf-8") as f:
        return json.load(f), elapsed, done.stdout


def load(folder, kind, sub=""):
    with open(os.path.join(folder, sub, f"{kind}.json"), encoding="utf-8") as f:
        doc = json.load(f)
    assert set(doc) == {"data"}, f"{kind}.json holds only data"
    return doc["data"]


def unix(stamp):
    return int(time.mktime(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone)


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)


class Server:
    """fixture_server.py as a subprocess, and a small HTTP client for it."""

    def __init__(self, data, *args):
        self.proc = subprocess.Popen(
            [sys.executable, SERVER, "--data", data, "--port", "0", "--max-seconds", "300", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        if not sel.select(timeout=60):
            self.stop()
            raise AssertionError("the server did not print LISTENING within 60 s")
        self.first_line = self.proc.stdout.readline()
        match = re.fullmatch(r"LISTENING (\d+)\n", self.first_line)
        if not match:
            self.stop()
            raise AssertionError(f"unexpected first line {self.first_line!r}: {self.proc.stderr.read()}")
        self.port = int(match.group(1))

    def request(self, method, path, body=None, headers=None, timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
        finally:
            conn.close()

    def get(self, path, **headers):
        return self.request("GET", path, headers=headers)

    def data(self, path, **headers):
        resp = self.get(path, **headers)
        assert resp.status == 200, (path, resp.status, resp.body[:200])
        return resp.json()["data"]

    def control(self, what, body=""):
        resp = self.request("POST", f"/__control/{what}", body=body.encode())
        assert resp.status == 200, (what, resp.status, resp.body)
        return resp.json()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream:
                stream.close()


def check_references(test, tables, where):
    ids = {kind: {r["id"] for r in rows} for kind, rows in tables.items()}
    for kind, field, parent in REFERENCES:
        for r in tables[kind]:
            test.assertIn(r[field], ids[parent], f"{where}: {kind} {r['id']} {field} resolves")
    nets = {r["id"]: r for r in tables["net"]}
    lans = {r["id"]: r for r in tables["ixlan"]}
    for r in tables["netixlan"]:
        test.assertEqual(r["asn"], nets[r["net_id"]]["asn"], f"{where}: netixlan {r['id']} carries its net's ASN")
        test.assertEqual(lans[r["ixlan_id"]]["ix_id"], r["ix_id"], f"{where}: netixlan {r['id']} ixlan belongs to its ix")
    for r in tables["netfac"]:
        test.assertEqual(r["local_asn"], nets[r["net_id"]]["asn"])
    asns = [r["asn"] for r in tables["net"]]
    test.assertEqual(len(asns), len(set(asns)), f"{where}: one network per ASN")


def check_numbers(test, tables, where):
    """Only private or documentation ASNs and addresses, and every member
    address inside its exchange's prefixes, once."""
    for r in tables["net"]:
        test.assertTrue(private_or_documentation_asn(r["asn"]), f"{where}: net {r['id']} asn {r['asn']}")
    for r in tables["netixlan"]:
        test.assertTrue(private_or_documentation_asn(r["asn"]), f"{where}: netixlan {r['id']} asn")
    for r in tables["netfac"]:
        test.assertTrue(private_or_documentation_asn(r["local_asn"]), f"{where}: netfac {r['id']} asn")
    for r in tables["ixlan"]:
        test.assertTrue(r["rs_asn"] == 0 or private_or_documentation_asn(r["rs_asn"]),
                        f"{where}: ixlan {r['id']} rs_asn {r['rs_asn']}")
    prefixes = collections.defaultdict(lambda: {4: [], 6: []})
    for r in tables["ixpfx"]:
        net = ipaddress.ip_network(r["prefix"])
        test.assertEqual(r["protocol"], f"IPv{net.version}")
        if net.version == 4:
            test.assertTrue(any(net.subnet_of(a) for a in ALLOWED_V4), f"{where}: prefix {net}")
            test.assertGreaterEqual(net.prefixlen, 22, f"{where}: {net} is a /22 or smaller")
        else:
            test.assertTrue(net.subnet_of(ALLOWED_V6), f"{where}: prefix {net}")
            test.assertEqual(net.prefixlen, 64)
        prefixes[r["ixlan_id"]][net.version].append(net)
    all_v4 = [n for p in prefixes.values() for n in p[4]]
    for a, b in zip(sorted(all_v4), sorted(all_v4)[1:]):
        test.assertFalse(a.overlaps(b), f"{where}: exchanges have their own prefixes ({a}, {b})")
    seen = set()
    for r in tables["netixlan"]:
        test.assertFalse(r["ipaddr4"] is None and r["ipaddr6"] is None, f"{where}: netixlan {r['id']} has an address")
        for field, version in (("ipaddr4", 4), ("ipaddr6", 6)):
            if r[field] is None:
                continue
            addr = ipaddress.ip_address(r[field])
            test.assertEqual(addr.version, version)
            test.assertEqual(str(addr), r[field], "addresses are in canonical (compressed) form")
            nets = prefixes[r["ixlan_id"]][version]
            inside = [n for n in nets if addr in n]
            test.assertTrue(inside, f"{where}: netixlan {r['id']} {addr} inside its exchange's prefixes {nets}")
            if version == 4:
                test.assertNotIn(addr, (inside[0].network_address, inside[0].broadcast_address))
            test.assertNotIn(addr, seen, f"{where}: {addr} used once")
            seen.add(addr)


def check_contacts(test, tables, where):
    domain = re.compile(r"@example\.(com|net|org)$")
    for r in tables["poc"]:
        test.assertRegex(r["email"], domain, where)
    for kind in ("ix",):
        for r in tables[kind]:
            for field in ("tech_email", "policy_email", "sales_email"):
                if r[field]:
                    test.assertRegex(r[field], domain, where)
    for kind in ("org", "fac", "ix", "net"):
        for r in tables[kind]:
            test.assertTrue(r["website"].startswith("https://www.example.net/"), f"{where}: {r['website']}")


def check_lookup_cases(test, folder, manifest, where):
    """What lookup tests rely on: listed in manifest.json, and true in the rows."""
    tables = {k: {r["id"]: r for r in load(folder, k)} for k in ("net", "netixlan", "ixpfx", "ixlan", "poc")}
    cases = manifest["lookup_cases"]
    nets, ports = tables["net"], tables["netixlan"]
    v6_lans = {r["ixlan_id"] for r in tables["ixpfx"].values() if r["protocol"] == "IPv6"}
    test.assertGreaterEqual(len(cases["multi_port"]), 2, where)
    for c in cases["multi_port"]:
        rows = [ports[i] for i in c["netixlan_ids"]]
        test.assertTrue(all(r["net_id"] == c["net_id"] and r["ix_id"] == c["ix_id"]
                            and r["asn"] == c["asn"] and r["status"] == "ok" for r in rows), (where, c))
        test.assertIn(rows[0]["ixlan_id"], v6_lans, "an exchange with IPv6")
        test.assertTrue(any(r["ipaddr4"] and r["ipaddr6"] is None for r in rows), (where, "v4-only port", c))
        test.assertTrue(any(r["ipaddr6"] and r["ipaddr4"] is None for r in rows), (where, "v6-only port", c))
        test.assertEqual(nets[c["net_id"]]["status"], "ok")
    names = [c["name"] for c in cases["non_ascii"]]
    for prefix in ("Ümlaut Netz", "Ωmega Networks", "日本ネットワーク"):
        test.assertTrue(any(n.startswith(prefix) for n in names), (where, prefix))
    for c in cases["non_ascii"]:
        test.assertEqual(nets[c["net_id"]]["name"], c["name"])
        test.assertFalse(c["name"].isascii())
    sources = [c["irr_as_set"] for c in cases["as_sets"]]
    test.assertTrue(any("::" in a and " " in a for a in sources), (where, sources))
    for c in cases["as_sets"]:
        test.assertEqual(nets[c["net_id"]]["irr_as_set"], c["irr_as_set"])
        test.assertGreaterEqual(len(c["irr_as_set"].split()), 2)
    for c in cases["null_prefixes"]:
        n = nets[c["net_id"]]
        test.assertEqual((n["info_prefixes4"], n["info_prefixes6"]), (c["info_prefixes4"], c["info_prefixes6"]))
    test.assertTrue(any(c["info_prefixes4"] is None and c["info_prefixes6"] is None for c in cases["null_prefixes"]))
    for c in cases["info_types"]:
        test.assertEqual(nets[c["net_id"]]["info_types"], c["info_types"])
        test.assertEqual(len(c["info_types"]), 2)
    listed = [c["net_id"] for rows in cases.values() if isinstance(rows, list) for c in rows]
    test.assertTrue(all(nets[i]["status"] == "ok" for i in listed), "lookup cases are live")
    pending = cases["pending"]
    test.assertTrue(pending["net"] and pending["netixlan"] and pending["poc"], where)
    members = {r["net_id"] for r in ports.values()}
    for c in pending["net"]:
        test.assertEqual(nets[c["net_id"]]["status"], "pending")
        test.assertIn(c["net_id"], members, "a pending network that is an exchange member")
    for c in pending["netixlan"]:
        r = ports[c["id"]]
        test.assertEqual((r["status"], r["net_id"], r["ix_id"]), ("pending", c["net_id"], c["ix_id"]))
        test.assertEqual(nets[r["net_id"]]["status"], "ok", "a pending port of a live network")
    for i in pending["poc"]:
        test.assertEqual(tables["poc"][i]["status"], "pending")
    test.assertEqual(sum(v["pending"] for v in manifest["base"].values()),
                     len(pending["net"]) + len(pending["netixlan"]) + len(pending["poc"]))
    changes = {k: {r["id"]: r for r in load(folder, k, "changes")} for k in ("net", "netixlan")}
    final = {k: {r["id"]: r for r in load(folder, k, "expected-final")} for k in ("net", "netixlan")}
    for kind, ids in manifest["changes"]["to_pending"].items():
        test.assertTrue(ids, (where, kind, "some rows turn pending in the change set"))
        for i in ids:
            test.assertEqual(tables[kind][i]["status"], "ok", "live in the base set")
            test.assertEqual(changes[kind][i]["status"], "pending")
            test.assertEqual(final[kind][i]["status"], "pending", "kept, not live, in the final state")


# ---------------------------------------------------------------------------


class SmallDataset(unittest.TestCase):
    """The small set: shapes, determinism, the change set, and the server."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="pdb-small-")
        cls.data = os.path.join(cls.tmp, "data")
        cls.manifest, cls.elapsed, _ = run_generate(cls.data, "small", 7)
        cls.server = Server(cls.data)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.server.control("reset")
        self.server.control("stage", "base")
        self.server.control("rate-limit", "off")

    def tables(self, sub=""):
        return {kind: load(self.data, kind, sub) for kind in self.manifest["base"]}

    def live(self, sub=""):
        """Rows that are not tombstones: what the server lists (pending too)."""
        return {k: [r for r in rows if r["status"] != "deleted"] for k, rows in self.tables(sub).items()}

    # ---------------------------------------------------------- generator

    def test_small_generation_runs_in_well_under_a_second(self):
        # Includes starting the interpreter.
        self.assertLess(self.elapsed, 1.5)

    def test_small_set_has_the_requested_sizes(self):
        base = self.manifest["base"]
        for kind, n in (("org", 50), ("net", 60), ("fac", 10), ("ix", 5), ("ixlan", 5),
                        ("ixpfx", 7), ("netixlan", 200), ("poc", 80)):
            self.assertAlmostEqual(base[kind]["ok"], n, delta=max(2, n * 0.05), msg=kind)

    def test_same_seed_gives_identical_files_and_another_seed_does_not(self):
        again = os.path.join(self.tmp, "again")
        other = os.path.join(self.tmp, "other")
        run_generate(again, "small", 7)
        run_generate(other, "small", 8)
        names = []
        for root, _, files in os.walk(self.data):
            names += [os.path.relpath(os.path.join(root, f), self.data) for f in files]
        self.assertGreater(len(names), 30)
        for name in names:
            with open(os.path.join(self.data, name), "rb") as a, open(os.path.join(again, name), "rb") as b:
                self.assertEqual(a.read(), b.read(), f"{name} is deterministic")
        with open(os.path.join(self.data, "netixlan.json"), "rb") as a, \
                open(os.path.join(other, "netixlan.json"), "rb") as b:
            self.assertNotEqual(a.read(), b.read(), "the seed matters")

    def test_every_object_has_the_depth0_fields(self):
        for sub in ("", "changes", "expected-final"):
            for kind, rows in self.tables(sub).items():
                for r in rows:
                    expected = {"id", "created", "updated", "status"} | set(FIELDS.get(kind, "").split())
                    self.assertLessEqual(expected, set(r), f"{sub}/{kind} {r['id']}")
                    self.assertIsInstance(r["id"], int)
                    self.assertRegex(r["created"], STAMP)
                    self.assertRegex(r["updated"], STAMP)
                    self.assertLessEqual(r["created"], r["updated"])
                    self.assertIn(r["status"], ("ok", "pending", "deleted"))
                ids = [r["id"] for r in rows]
                self.assertEqual(ids, sorted(set(ids)), f"{sub}/{kind} ordered by unique id")
        for r in self.tables()["net"]:
            self.assertIn(r["info_type"], INFO_TYPES)
            # info_type first, then at most one more, all known.
            self.assertEqual(r["info_types"][0], r["info_type"])
            self.assertLessEqual(len(r["info_types"]), 2)
            self.assertEqual(len(set(r["info_types"])), len(r["info_types"]))
            self.assertLessEqual(set(r["info_types"]), INFO_TYPES)
            self.assertEqual(r["rir_status"], "ok")
        for r in self.tables()["poc"]:
            self.assertIn(r["role"], POC_ROLES)
            self.assertIn(r["visible"], ("Public", "Users", "Private"))

    def test_references_addresses_and_asns_hold_before_and_after_the_changes(self):
        for sub in ("", "expected-final"):
            tables = self.live(sub)
            check_references(self, tables, sub or "base")
            check_numbers(self, tables, sub or "base")
            check_contacts(self, tables, sub or "base")

    def test_base_rows_are_not_later_than_the_boundary_and_changes_are(self):
        self.assertEqual(self.manifest["boundary"]["unix"], BOUNDARY)
        for kind, rows in self.tables().items():
            for r in rows:
                self.assertLessEqual(unix(r["updated"]), BOUNDARY, f"{kind} {r['id']}")
        for kind, rows in self.tables("changes").items():
            for r in rows:
                self.assertGreater(unix(r["updated"]), BOUNDARY, f"changes/{kind} {r['id']}")

    def test_change_set_updates_inserts_and_deletes(self):
        base = {k: {r["id"]: r for r in rows} for k, rows in self.tables().items()}
        changes = self.tables("changes")
        for kind in ("org", "net", "netixlan", "poc", "ix", "fac"):
            rows = changes[kind]
            self.assertTrue(any(r["id"] in base[kind] and r["status"] == "ok" for r in rows), f"{kind} updated")
            self.assertTrue(any(r["id"] not in base[kind] for r in rows), f"{kind} inserted")
            self.assertTrue(any(r["status"] == "deleted" for r in rows), f"{kind} deleted")
        for kind, rows in changes.items():
            for r in rows:
                if r["status"] == "deleted":
                    # A tombstone is the object as it was, marked deleted.
                    was = dict(base[kind][r["id"]], status="deleted", updated=r["updated"])
                    self.assertEqual(r, was, f"{kind} {r['id']}")

    def test_a_deleted_exchange_takes_its_lan_prefixes_and_members_with_it(self):
        gone = self.manifest["changes"]["deleted_ix"]
        changes = self.tables("changes")
        deleted = {k: {r["id"] for r in rows if r["status"] == "deleted"} for k, rows in changes.items()}
        base = self.live()
        self.assertIn(gone["ix_id"], deleted["ix"])
        self.assertIn(gone["ixlan_id"], deleted["ixlan"])
        for r in base["ixpfx"]:
            if r["ixlan_id"] == gone["ixlan_id"]:
                self.assertIn(r["id"], deleted["ixpfx"])
        members = [r for r in base["netixlan"] if r["ix_id"] == gone["ix_id"]]
        self.assertTrue(members, "the deleted exchange had members")
        for r in members:
            self.assertIn(r["id"], deleted["netixlan"])

    def test_some_new_links_point_at_networks_new_in_the_change_set(self):
        changes = self.tables("changes")
        base_nets = {r["id"] for r in self.tables()["net"]}
        new_nets = {r["id"] for r in changes["net"] if r["id"] not in base_nets}
        linked = [r for r in changes["netixlan"] if r["net_id"] in new_nets]
        self.assertGreaterEqual(len(linked), 2)
        self.assertEqual(sorted(r["id"] for r in linked), self.manifest["changes"]["netixlan_of_new_nets"])

    def test_expected_final_is_the_base_with_the_changes_applied(self):
        base, changes, final = self.tables(), self.tables("changes"), self.tables("expected-final")
        for kind in base:
            merged = {r["id"]: r for r in base[kind]}
            merged.update({r["id"]: r for r in changes[kind]})
            want = [merged[i] for i in sorted(merged) if merged[i]["status"] != "deleted"]
            self.assertEqual(final[kind], want, kind)
            self.assertEqual(len(want), self.manifest["final"][kind])

    def test_both_address_families_and_single_family_members_exist(self):
        rows = self.live()["netixlan"]
        self.assertTrue(any(r["ipaddr4"] and r["ipaddr6"] for r in rows))
        self.assertTrue(any(r["ipaddr4"] and r["ipaddr6"] is None for r in rows))
        self.assertTrue(any(r["ipaddr4"] is None and r["ipaddr6"] for r in rows))

    def test_edge_case_names_are_listed_in_the_manifest(self):
        nets = {r["id"]: r for r in self.tables()["net"]}
        names = [nets[c["id"]][c["field"]] for c in self.manifest["edge_cases"]]
        self.assertTrue(any("\n" in n for n in names))
        self.assertTrue(any('"' in n for n in names))
        self.assertTrue(any(";" in n and "}" in n for n in names))

    def test_lookup_cases_exist_and_are_listed(self):
        check_lookup_cases(self, self.data, self.manifest, "small")

    # ------------------------------------------------------------- server

    def test_pending_rows_are_listed_and_served_by_id_but_tombstones_are_not(self):
        pending = self.manifest["lookup_cases"]["pending"]
        listed = {r["id"]: r for r in self.server.data("/api/net?depth=0")}
        net_id = pending["net"][0]["net_id"]
        self.assertEqual(listed[net_id]["status"], "pending")
        self.assertEqual(self.server.data(f"/api/net/{net_id}")[0]["status"], "pending")
        got = self.server.data(f"/api/netixlan?id__in={pending['netixlan'][0]['id']}")
        self.assertEqual([r["status"] for r in got], ["pending"])
        self.server.control("stage", "final")
        turned = self.manifest["changes"]["to_pending"]["net"][0]
        since = {r["id"]: r for r in self.server.data(f"/api/net?since={BOUNDARY}")}
        self.assertEqual(since[turned]["status"], "pending", "a since= pass carries the new status")

    def test_page_cap_mode_ignores_a_larger_limit(self):
        everything = self.server.data("/api/netixlan?depth=0")
        self.server.control("mode", json.dumps({"page_cap": 25}))
        try:
            self.assertEqual(len(self.server.data("/api/netixlan?depth=0&limit=1000")), 25)
            self.assertEqual(len(self.server.data("/api/netixlan?depth=0")), 25, "no limit: capped too")
            self.assertEqual(len(self.server.data("/api/netixlan?depth=0&limit=10")), 10, "a smaller limit holds")
            pages, skip = [], 0
            while True:
                page = self.server.data(f"/api/netixlan?depth=0&limit=1000&skip={skip}")
                if not page:
                    break
                pages += page
                skip += len(page)
            self.assertEqual(pages, everything, "walking by rows received gets everything")
            state = self.server.request("GET", "/__control/state").json()
            self.assertEqual(state["page_cap"], 25)
        finally:
            self.server.control("mode", json.dumps({"page_cap": None}))
        self.assertEqual(len(self.server.data("/api/netixlan?depth=0&limit=1000")), len(everything))
        self.assertEqual(self.server.request("POST", "/__control/mode", b'{"page_cap": 0}').status, 400)

    def test_ignore_id_in_mode_answers_with_rows_not_asked_for(self):
        nets = self.live()["net"]
        ids = [nets[1]["id"], nets[4]["id"]]
        query = f"/api/net?depth=0&id__in={ids[0]},{ids[1]}"
        self.assertEqual([r["id"] for r in self.server.data(query)], ids)
        self.server.control("mode", json.dumps({"ignore_id_in": True}))
        try:
            got = self.server.data(query)
            self.assertEqual(got, nets, "the whole list, as if id__in were not there")
            self.assertEqual(len(self.server.data(query + "&limit=3")), 3, "other parameters still apply")
        finally:
            self.server.control("mode", json.dumps({"ignore_id_in": False}))
        self.assertEqual([r["id"] for r in self.server.data(query)], ids)

    def test_misbehaviour_given_on_the_command_line(self):
        server = Server(self.data, "--page-cap", "4", "--ignore-id-in")
        try:
            self.assertEqual(len(server.data("/api/net?depth=0&limit=50")), 4)
            self.assertEqual(len(server.data("/api/net?depth=0&id__in=1")), 4, "id__in ignored, page capped")
            log = server.request("GET", "/__control/requests").json()["requests"]
            self.assertEqual([e["rows"] for e in log], [4, 4])
            self.assertEqual(log[1]["query"], "depth=0&id__in=1", "the log keeps what was asked")
        finally:
            server.stop()
        self.server.control("mode", json.dumps({"ignore_skip": True}))
        try:
            first = self.server.data("/api/net?depth=0&limit=5")
            self.assertEqual(self.server.data("/api/net?depth=0&limit=5&skip=5"), first, "skip ignored")
        finally:
            self.server.control("mode", json.dumps({"ignore_skip": False}))
        self.assertNotEqual(self.server.data("/api/net?depth=0&limit=5&skip=5"), first)

    def test_server_prints_exactly_one_listening_line(self):
        self.assertEqual(self.server.first_line, f"LISTENING {self.server.port}\n")

    def test_full_list_is_ordered_by_id_without_tombstones(self):
        for kind in self.manifest["base"]:
            resp = self.server.get(f"/api/{kind}?depth=0")
            self.assertEqual(resp.status, 200)
            self.assertTrue(resp.headers["content-type"].startswith("application/json"))
            self.assertEqual(int(resp.headers["content-length"]), len(resp.body))
            doc = resp.json()
            self.assertEqual(doc["meta"], {})
            want = [r for r in self.tables()[kind] if r["status"] != "deleted"]
            self.assertEqual(doc["data"], want, kind)
        self.assertTrue(any(self.manifest["base_tombstones"].values()), "the base set has tombstones to hide")

    def test_paging_with_limit_and_skip_walks_the_whole_list(self):
        everything = self.server.data("/api/netixlan?depth=0")
        pages, skip = [], 0
        while True:
            page = self.server.data(f"/api/netixlan?depth=0&limit=7&skip={skip}")
            self.assertLessEqual(len(page), 7)
            if not page:
                break
            pages += page
            skip += 7
        self.assertEqual(pages, everything)
        self.assertEqual(self.server.data("/api/netixlan?depth=0&limit=0"), everything)
        self.assertEqual(self.server.data("/api/netixlan?depth=0&skip=3")[0], everything[3])
        self.assertEqual(self.server.data("/api/netixlan?limit=5&skip=100000"), [])
        self.assertEqual(self.server.get("/api/net?limit=-1").status, 400)
        self.assertEqual(self.server.get("/api/net?limit=ten").status, 400)

    def test_since_is_strictly_later_and_includes_tombstones(self):
        all_rows = self.tables()
        tombstones = self.manifest["base_tombstones"]
        for kind, ids in tombstones.items():
            got = self.server.data(f"/api/{kind}?depth=0&since=0")
            self.assertEqual(len(got), len(all_rows[kind]), f"since=0 lists every {kind}, deleted too")
            self.assertEqual(sorted(r["id"] for r in got if r["status"] == "deleted"), ids)
        # net 1 (the first row) was updated exactly at the boundary.
        at_boundary = [r["id"] for r in all_rows["net"] if unix(r["updated"]) == BOUNDARY]
        self.assertTrue(at_boundary)
        before = {r["id"] for r in self.server.data(f"/api/net?since={BOUNDARY - 1}")}
        after = {r["id"] for r in self.server.data(f"/api/net?since={BOUNDARY}")}
        self.assertTrue(set(at_boundary) <= before)
        self.assertFalse(set(at_boundary) & after, "since is strict: updated == since is not returned")
        for r in self.server.data("/api/netixlan?since=1700000000"):
            self.assertGreater(unix(r["updated"]), 1700000000)
        self.assertEqual(self.server.data(f"/api/net?since={BOUNDARY}.9"), [])

    def test_by_id_returns_one_object_or_404(self):
        net = self.tables()["net"][3]
        self.assertEqual(self.server.data(f"/api/net/{net['id']}"), [net])
        self.assertEqual(self.server.data(f"/api/net/{net['id']}?depth=0"), [net])
        for path in ("/api/net/99999999", "/api/net/abc", "/api/nosuchtype", "/api/nosuchtype/1",
                     "/nothing/here"):
            resp = self.server.get(path)
            self.assertEqual(resp.status, 404, path)
            self.assertIn("error", resp.json()["meta"])
        self.assertEqual(self.server.get("/api/net/99999999").json(), {"meta": {"error": "not found"}})
        gone = self.manifest["base_tombstones"]["poc"][0]
        self.assertEqual(self.server.get(f"/api/poc/{gone}").status, 404, "deleted objects are not served by id")

    def test_id_in_and_field_filters(self):
        nets = [r for r in self.tables()["net"] if r["status"] == "ok"]
        ids = [nets[5]["id"], nets[1]["id"], nets[9]["id"]]
        got = self.server.data(f"/api/net?id__in={','.join(map(str, ids))}")
        self.assertEqual([r["id"] for r in got], sorted(ids), "ordered by id")
        self.assertEqual(self.server.data(f"/api/net?asn={nets[2]['asn']}"), [nets[2]])
        ix_id = self.tables()["ix"][0]["id"]
        members = self.server.data(f"/api/netixlan?ix_id={ix_id}")
        self.assertTrue(members and all(r["ix_id"] == ix_id for r in members))
        self.assertEqual(self.server.get("/api/net?colour=blue").status, 400)
        self.assertEqual(self.server.get("/api/net?name__contains=x").status, 400)
        self.assertEqual(self.server.get("/api/net?depth=2").status, 400)

    def test_stage_switch_serves_base_plus_changes(self):
        self.assertEqual(self.server.data(f"/api/net?since={BOUNDARY}"), [])
        self.server.control("stage", "final")
        for kind in self.manifest["base"]:
            changes = load(self.data, kind, "changes")
            self.assertEqual(self.server.data(f"/api/{kind}?since={BOUNDARY}"), changes, kind)
            self.assertEqual(self.server.data(f"/api/{kind}"), load(self.data, kind, "expected-final"), kind)
        first = self.manifest["changes"]["first_change_at_boundary_plus_1"]
        ids = [r["id"] for r in self.server.data(f"/api/{first['type']}?since={BOUNDARY + 1}")]
        self.assertNotIn(first["id"], ids)
        gone_ix = self.manifest["changes"]["deleted_ix"]["ix_id"]
        self.assertEqual(self.server.get(f"/api/ix/{gone_ix}").status, 404)
        self.server.control("stage", "base")
        self.assertEqual(self.server.get(f"/api/ix/{gone_ix}").status, 200)
        self.assertEqual(self.server.request("POST", "/__control/stage", b"later").status, 400)

    def test_request_log_records_what_was_asked_but_not_the_key(self):
        self.server.get("/api/net?depth=0&limit=1", **{"User-Agent": "peerdesk-test/1",
                                                      "Authorization": "Api-Key s3cret"})
        self.server.get("/api/org/1")
        log = self.server.request("GET", "/__control/requests").json()["requests"]
        self.assertEqual(len(log), 2, "control requests are not logged")
        self.assertEqual((log[0]["method"], log[0]["path"], log[0]["query"]), ("GET", "/api/net", "depth=0&limit=1"))
        self.assertEqual(log[0]["user_agent"], "peerdesk-test/1")
        self.assertTrue(log[0]["authorization"])
        self.assertFalse(log[1]["authorization"])
        self.assertNotIn("s3cret", json.dumps(log))
        self.server.control("reset")
        self.assertEqual(self.server.request("GET", "/__control/requests").json()["requests"], [])

    def test_keep_alive_serves_several_requests_on_one_connection(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        try:
            for _ in range(3):
                conn.request("GET", "/api/ix?depth=0")
                resp = conn.getresponse()
                self.assertEqual(resp.version, 11)
                self.assertEqual(len(json.loads(resp.read())["data"]), self.manifest["base"]["ix"]["ok"])
        finally:
            conn.close()

    # -------------------------------------------------------------- faults

    def fault(self, *specs):
        return self.server.control("fault", json.dumps(list(specs)))

    def test_fault_slow_delays_only_its_type(self):
        self.fault("slow:net:400")
        started = time.monotonic()
        self.assertEqual(self.server.get("/api/net").status, 200)
        self.assertGreaterEqual(time.monotonic() - started, 0.4)
        started = time.monotonic()
        self.server.get("/api/org")
        self.assertLess(time.monotonic() - started, 0.3)

    def test_fault_truncate_cuts_the_body_mid_json_with_consistent_headers(self):
        self.fault("truncate:netixlan")
        resp = self.server.get("/api/netixlan")
        self.assertEqual(resp.status, 200)
        self.assertEqual(int(resp.headers["content-length"]), len(resp.body))
        self.assertTrue(resp.body.startswith(b'{"data":['))
        with self.assertRaises(ValueError):
            json.loads(resp.body)

    def test_fault_disconnect_closes_before_the_promised_length(self):
        self.fault("disconnect:net")
        with self.assertRaises(http.client.IncompleteRead):
            self.server.get("/api/net")

    def test_fault_500(self):
        self.fault("500:ix")
        resp = self.server.get("/api/ix")
        self.assertEqual(resp.status, 500)
        self.assertIn("error", resp.json()["meta"])
        self.assertEqual(self.server.get("/api/org").status, 200)

    def test_fault_wrongtype_breaks_one_row(self):
        self.fault("wrongtype:net", "wrongtype:org")
        nets = self.server.data("/api/net")
        self.assertEqual(sum(isinstance(r["asn"], dict) for r in nets), 1)
        orgs = self.server.data("/api/org")
        self.assertEqual(sum(isinstance(r["id"], str) for r in orgs), 1)
        self.fault("wrongtype:netixlan:speed")
        self.assertEqual(sum(isinstance(r["speed"], str) for r in self.server.data("/api/netixlan")), 1)

    def test_fault_oversize_puts_a_10mb_string_in_one_row(self):
        self.fault("oversize:poc")
        resp = self.server.get("/api/poc?limit=3")
        self.assertGreater(len(resp.body), 10 * 1024 * 1024)
        rows = resp.json()["data"]
        self.assertEqual(max(len(r["notes"]) if "notes" in r else len(r["name"]) for r in rows), 10 * 1024 * 1024)

    def test_fault_missingparent_points_a_link_at_a_network_that_does_not_exist(self):
        self.fault("missingparent:netixlan")
        nets = {r["id"] for r in self.tables()["net"]}
        rows = self.server.data("/api/netixlan")
        orphans = [r for r in rows if r["net_id"] not in nets]
        self.assertEqual(len(orphans), 1)

    def test_fault_429_answers_once_with_retry_after(self):
        self.fault("429:net:7")
        resp = self.server.get("/api/net")
        self.assertEqual(resp.status, 429)
        self.assertEqual(resp.headers["retry-after"], "7")
        self.assertIn("error", resp.json()["meta"])
        self.assertEqual(self.server.get("/api/net").status, 200, "only once")

    def test_fault_on_the_nth_request_only(self):
        self.fault("500:net@2")
        self.assertEqual([self.server.get("/api/net?limit=1").status for _ in range(3)], [200, 500, 200])
        self.fault("500:*@1")
        self.assertEqual(self.server.get("/api/poc?limit=1").status, 500)
        self.assertEqual(self.server.get("/api/net?limit=1").status, 200)

    def test_faults_are_listed_cleared_by_reset_and_validated(self):
        self.server.control("fault", "500:org truncate:net@3")
        state = self.server.request("GET", "/__control/faults").json()["faults"]
        self.assertEqual([f["spec"] for f in state], ["500:org", "truncate:net@3"])
        self.server.control("reset")
        self.assertEqual(self.server.get("/api/org").status, 200)
        for bad in ("explode:net", "500:nosuchtype", "slow:net", "500"):
            self.assertEqual(self.server.request("POST", "/__control/fault", bad.encode()).status, 400, bad)

    def test_faults_and_stage_given_on_the_command_line(self):
        server = Server(self.data, "--fault", "500:org@1", "429:net:3", "--fault", "slow:ix:1",
                        "--stage", "final")
        try:
            self.assertEqual(server.get("/api/org").status, 500)
            self.assertEqual(server.get("/api/org").status, 200)
            resp = server.get("/api/net")
            self.assertEqual((resp.status, resp.headers["retry-after"]), (429, "3"))
            faults = server.request("GET", "/__control/faults").json()["faults"]
            self.assertEqual([f["spec"] for f in faults], ["500:org@1", "429:net:3", "slow:ix:1"])
            self.assertEqual(server.data(f"/api/net?since={BOUNDARY}"), load(self.data, "net", "changes"))
        finally:
            server.stop()

    # ------------------------------------------------------- rate and auth

    def test_rate_limit_answers_429_with_an_integer_retry_after(self):
        server = Server(self.data, "--rate-limit", "3/min")
        try:
            self.assertEqual([server.get("/api/org?limit=1").status for _ in range(3)], [200] * 3)
            resp = server.get("/api/org?limit=1")
            self.assertEqual(resp.status, 429)
            self.assertTrue(1 <= int(resp.headers["retry-after"]) <= 60)
            self.assertIn("throttled", resp.json()["meta"]["error"])
            self.assertEqual(server.request("GET", "/__control/state").status, 200, "control is not limited")
        finally:
            server.stop()

    def test_rate_limit_window_rolls(self):
        self.server.control("rate-limit", "2/s")
        self.assertEqual([self.server.get("/api/ix").status for _ in range(3)], [200, 200, 429])
        time.sleep(1.05)
        self.assertEqual(self.server.get("/api/ix").status, 200)

    def test_required_key(self):
        server = Server(self.data, "--api-key", "k-123", "--require-key")
        try:
            missing = server.get("/api/net")
            self.assertEqual(missing.status, 401)
            self.assertIn("error", missing.json()["meta"])
            self.assertEqual(server.get("/api/net", Authorization="Api-Key wrong").status, 401)
            self.assertEqual(server.get("/api/net", Authorization="Bearer k-123").status, 401)
            self.assertEqual(server.get("/api/net", Authorization="Api-Key k-123").status, 200)
        finally:
            server.stop()

    def test_optional_key_refuses_only_a_wrong_one(self):
        server = Server(self.data, "--api-key", "k-123")
        try:
            self.assertEqual(server.get("/api/net").status, 200)
            self.assertEqual(server.get("/api/net", Authorization="Api-Key wrong").status, 401)
            self.assertEqual(server.get("/api/net", Authorization="Api-Key k-123").status, 200)
        finally:
            server.stop()

    def test_poc_visibility_follows_the_key_when_asked_for(self):
        server = Server(self.data, "--api-key", "k", "--poc-visibility")
        try:
            anonymous = server.data("/api/poc")
            keyed = server.data("/api/poc", Authorization="Api-Key k")
            self.assertEqual({r["visible"] for r in anonymous}, {"Public"})
            self.assertEqual({r["visible"] for r in keyed}, {"Public", "Users"})
        finally:
            server.stop()

    # ------------------------------------------------------------ lifecycle

    def test_server_exits_after_max_seconds_and_on_sigterm(self):
        proc = subprocess.Popen([sys.executable, SERVER, "--data", self.data, "--max-seconds", "1"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            self.assertTrue(proc.stdout.readline().startswith("LISTENING "))
            self.assertEqual(proc.wait(timeout=10), 0)
            self.assertEqual(proc.stdout.read(), "", "nothing but the LISTENING line on stdout")
        finally:
            proc.kill()
            proc.wait()
            proc.stdout.close()
            proc.stderr.close()
        server = Server(self.data)
        started = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        self.assertEqual(server.proc.wait(timeout=10), 0)
        self.assertLess(time.monotonic() - started, 5)
        server.stop()

    def test_server_listens_on_loopback_only(self):
        if not os.path.exists("/proc/net/tcp"):
            self.skipTest("needs /proc/net/tcp")
        port = f"{self.server.port:04X}"
        listening = []
        for name in ("/proc/net/tcp", "/proc/net/tcp6"):
            if os.path.exists(name):
                with open(name) as f:
                    for line in f.readlines()[1:]:
                        local, state = line.split()[1], line.split()[3]
                        if local.endswith(":" + port) and state == "0A":
                            listening.append(local)
        self.assertEqual(listening, [f"0100007F:{port}"])


class FullDataset(unittest.TestCase):
    """The full-size set: real-world proportions, and only private or
    documentation numbers in every row."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="pdb-full-")
        cls.data = os.path.join(cls.tmp, "data")
        cls.manifest, cls.elapsed, out = run_generate(cls.data, "full", 1)
        sys.stderr.write(f"\n[full set] generated in {cls.elapsed:.1f} s\n{out}")
        cls.base = {k: [r for r in load(cls.data, k) if r["status"] != "deleted"] for k in cls.manifest["base"]}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_lookup_cases_exist_and_are_listed(self):
        check_lookup_cases(self, self.data, self.manifest, "full")
        cases = self.manifest["lookup_cases"]
        self.assertGreaterEqual(len(cases["multi_port"]), 30)
        self.assertGreaterEqual(len(cases["non_ascii"]), 50)
        self.assertGreaterEqual(len(cases["pending"]["netixlan"]), 50)
        nets = self.base["net"]
        multi_set = sum(1 for r in nets if len(r["irr_as_set"].split()) > 1) / len(nets)
        two_types = sum(1 for r in nets if len(r["info_types"]) > 1) / len(nets)
        sys.stderr.write(f"\n[full set] multi-set AS-SETs {multi_set:.1%}, two info_types {two_types:.1%}\n")
        self.assertTrue(0.02 <= multi_set <= 0.06, multi_set)
        self.assertTrue(0.05 <= two_types <= 0.11, two_types)

    def test_full_generation_takes_under_20_seconds(self):
        self.assertLess(self.elapsed, 20)

    def test_counts_have_the_real_world_shape(self):
        targets = {"org": 33000, "net": 34000, "fac": 6000, "ix": 1300, "ixlan": 1300,
                   "ixpfx": 2300, "ixfac": 3500, "netixlan": 60000, "poc": 22000, "netfac": 40000}
        for kind, n in targets.items():
            self.assertAlmostEqual(len(self.base[kind]), n, delta=n * 0.05, msg=kind)

    def test_members_per_exchange_are_heavy_tailed(self):
        per_ix = collections.Counter(r["ix_id"] for r in self.base["netixlan"])
        counts = sorted(per_ix.get(ix["id"], 0) for ix in self.base["ix"])
        median = statistics.median(counts)
        p90 = counts[-(-9 * len(counts) // 10) - 1]
        sys.stderr.write(f"\n[full set] netixlan per exchange: median {median}, p90 {p90}, "
                         f"max {counts[-1]}, total {sum(counts)}\n")
        self.assertTrue(21 <= median <= 29, median)
        self.assertTrue(175 <= p90 <= 215, p90)
        self.assertTrue(1750 <= counts[-1] <= 1950, counts[-1])
        self.assertEqual(self.manifest["members"]["netixlan_per_ix"]["p90"], p90)
        distinct = sorted(ix["net_count"] for ix in self.base["ix"])
        self.assertTrue(21 <= statistics.median(distinct) <= 29)
        self.assertTrue(165 <= distinct[-(-9 * len(distinct) // 10) - 1] <= 215)

    def test_network_attributes_have_the_real_world_shares(self):
        nets = self.base["net"]
        n = len(nets)
        as_set = sum(1 for r in nets if r["irr_as_set"]) / n
        self.assertTrue(0.72 <= as_set <= 0.78, as_set)
        policy = collections.Counter(r["policy_general"] for r in nets)
        for value, share in (("Open", 0.56), ("Selective", 0.30), ("Restrictive", 0.09), ("No", 0.04)):
            self.assertAlmostEqual(policy[value] / n, share, delta=0.02, msg=value)
        never = sum(r["info_never_via_route_servers"] for r in nets) / n
        self.assertAlmostEqual(never, 0.10, delta=0.02)
        self.assertEqual({r["info_type"] for r in nets}, INFO_TYPES)
        p4 = [r["info_prefixes4"] for r in nets]
        self.assertTrue(any(v is None for v in p4) and any(v == 0 for v in p4))
        self.assertGreater(max(v or 0 for v in p4), 10_000, "prefix counts are heavy-tailed")
        speeds = {r["speed"] for r in self.base["netixlan"]}
        self.assertTrue(min(speeds) >= 1000 and max(speeds) <= 400000)
        self.assertEqual({r["role"] for r in self.base["poc"]}, POC_ROLES)
        self.assertEqual({r["visible"] for r in self.base["poc"]}, {"Public", "Users", "Private"})
        sys.stderr.write(f"\n[full set] irr_as_set {as_set:.1%}; policy " + ", ".join(
            f"{k or 'empty'} {v / n:.1%}" for k, v in policy.most_common()) + "\n")

    def test_every_asn_and_address_is_private_or_documentation(self):
        check_numbers(self, self.base, "base")
        final = {k: load(self.data, k, "expected-final") for k in self.manifest["base"]}
        check_numbers(self, final, "expected-final")
        for kind, rows in ((k, load(self.data, k, "changes")) for k in ("net", "netixlan", "ixpfx")):
            for r in rows:
                for field in ("asn", "ipaddr4", "ipaddr6", "prefix"):
                    value = r.get(field)
                    if value is None:
                        continue
                    if field == "asn":
                        self.assertTrue(private_or_documentation_asn(value))
                    elif field == "ipaddr6" or ":" in str(value):
                        self.assertTrue(ipaddress.ip_network(value).subnet_of(ALLOWED_V6))
                    else:
                        net = ipaddress.ip_network(value)
                        self.assertTrue(any(net.subnet_of(a) for a in ALLOWED_V4), value)

    def test_references_and_contacts_hold(self):
        check_references(self, self.base, "base")
        check_contacts(self, self.base, "base")
        final = {k: load(self.data, k, "expected-final") for k in self.manifest["base"]}
        check_references(self, final, "expected-final")

    def test_about_one_percent_of_each_type_changes(self):
        counts = self.manifest["changes"]["counts"]
        for kind in ("org", "net", "fac", "ix", "netixlan", "netfac", "poc"):
            share = counts[kind]["updated"] / len(self.base[kind])
            self.assertTrue(0.005 <= share <= 0.02, (kind, share))
            self.assertGreater(counts[kind]["deleted"], 0, kind)
            self.assertGreater(counts[kind]["inserted"], 0, kind)

    def test_serving_the_full_netixlan_list_is_fast(self):
        server = Server(self.data)
        try:
            server.get("/api/netixlan?depth=0&limit=1")
            timings = []
            for _ in range(3):
                started = time.monotonic()
                rows = server.data("/api/netixlan?depth=0")
                timings.append(time.monotonic() - started)
            self.assertEqual(len(rows), len(self.base["netixlan"]))
            started = time.monotonic()
            server.data("/api/net?depth=0")
            net_time = time.monotonic() - started
            # The timing includes json.loads in this process; the server's
            # own part is a single write of cached bytes.
            sys.stderr.write(f"\n[full set] GET /api/netixlan (60k rows, incl. client parse): "
                             f"{', '.join(f'{t:.2f} s' for t in timings)}; /api/net {net_time:.2f} s\n")
            self.assertLess(min(timings), 1.0)
            started = time.monotonic()
            resp = server.get("/api/netixlan?depth=0")
            raw = time.monotonic() - started
            sys.stderr.write(f"[full set] GET /api/netixlan transfer only: {raw * 1000:.0f} ms, "
                             f"{len(resp.body) / 1e6:.1f} MB\n")
            self.assertLess(raw, 0.5)
        finally:
            server.stop()


if __name__ == "__main__":
    unittest.main()
