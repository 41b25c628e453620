#!/usr/bin/env python3
"""Deterministic PeeringDB-shaped test data for Peerdesk.

Writes one ``<type>.json`` per PeeringDB object type (``{"data": [...]}``,
depth=0 shape, ordered by id) with real-world proportions and only private or
documentation ASNs and addresses. With ``--changes`` it also writes a change
set to apply after the base set (``changes/<type>.json``), the state after
applying it (``expected-final/<type>.json``) and ``manifest.json``.

The same ``--size`` and ``--seed`` always give byte-identical files: every
random choice comes from ``random.Random`` seeded from the seed and a section
name, and nothing iterates over a set or dict of strings.

Standard library only; see README.md in this folder.
"""

from __future__ import annotations

import argparse
import ipaddress
import itertools
import json
import math
import os
import random
import statistics
import sys
import time

TYPES = (
    "org", "fac", "ix", "ixlan", "ixpfx", "ixfac", "net", "netfac",
    "netixlan", "poc", "carrier", "carrierfac", "campus",
)

# Every base row has created <= updated <= BOUNDARY; every change row has
# updated > BOUNDARY. Fixed, so the data does not depend on when it was made.
EPOCH_START = 1262304000  # 2010-01-01T00:00:00Z
BOUNDARY = 1748736000  # 2025-06-01T00:00:00Z
CHANGE_WINDOW = 6 * 3600

SIZES = {
    "full": dict(
        org=33000, net=34000, fac=6000, ix=1300, ixfac=3500, netfac=40000,
        netixlan=60000, poc=22000, carrier=40, carrierfac=120,
        net_orgs=31500, childless_orgs=500, v6_share=0.78,
        base_tombstones=8, upd_share=0.01, ins_share=0.003, del_share=0.002,
        del_nets=30, del_orgs=25, del_facs=2,
        multi_port=40, pending_net=30, pending_netixlan=60, pending_poc=20,
        to_pending_net=10, to_pending_netixlan=20, non_ascii_share=0.003,
    ),
    "small": dict(
        org=50, net=60, fac=10, ix=5, ixfac=8, netfac=70,
        netixlan=200, poc=80, carrier=2, carrierfac=3,
        net_orgs=44, childless_orgs=3, v6_share=0.4,
        base_tombstones=1, upd_share=0.01, ins_share=0.003, del_share=0.002,
        del_nets=1, del_orgs=1, del_facs=1,
        multi_port=2, pending_net=1, pending_netixlan=2, pending_poc=1,
        to_pending_net=1, to_pending_netixlan=1, non_ascii_share=0.0,
    ),
}

# Members (netixlan rows) per exchange as a quantile function: log-linear
# between knots (u, value). Shaped so that median ~25, p90 ~195 and max 1,850
# hold together with a total of ~60k rows over 1.3k exchanges: a long flat
# body, a steep rise just before p90, and a few very large exchanges.
MEMBER_KNOTS = (
    (0.0, 0.6), (0.2, 4), (0.5, 26.5), (0.82, 36), (0.885, 80), (0.895, 203),
    (0.975, 225), (0.992, 330), (0.998, 760), (1.0, 1850),
)
MAX_MEMBERS = 1850

CITIES = (
    # city, state, country, continent, latitude, longitude, weight
    ("Frankfurt", "", "DE", "Europe", 50.11, 8.68, 40),
    ("Amsterdam", "", "NL", "Europe", 52.37, 4.90, 38),
    ("London", "", "GB", "Europe", 51.51, -0.13, 40),
    ("Paris", "", "FR", "Europe", 48.86, 2.35, 22),
    ("Stockholm", "", "SE", "Europe", 59.33, 18.07, 12),
    ("Madrid", "", "ES", "Europe", 40.42, -3.70, 10),
    ("Milano", "", "IT", "Europe", 45.46, 9.19, 10),
    ("Warszawa", "", "PL", "Europe", 52.23, 21.01, 10),
    ("Praha", "", "CZ", "Europe", 50.08, 14.44, 8),
    ("Wien", "", "AT", "Europe", 48.21, 16.37, 8),
    ("Zürich", "", "CH", "Europe", 47.38, 8.54, 8),
    ("München", "", "DE", "Europe", 48.14, 11.58, 8),
    ("Düsseldorf", "", "DE", "Europe", 51.23, 6.78, 6),
    ("København", "", "DK", "Europe", 55.68, 12.57, 6),
    ("Helsinki", "", "FI", "Europe", 60.17, 24.94, 6),
    ("Oslo", "", "NO", "Europe", 59.91, 10.75, 5),
    ("Dublin", "", "IE", "Europe", 53.35, -6.26, 6),
    ("Lisboa", "", "PT", "Europe", 38.72, -9.14, 5),
    ("București", "", "RO", "Europe", 44.43, 26.10, 6),
    ("Kyiv", "", "UA", "Europe", 50.45, 30.52, 8),
    ("Istanbul", "", "TR", "Europe", 41.01, 28.98, 6),
    ("Ashburn", "VA", "US", "North America", 39.04, -77.49, 30),
    ("New York", "NY", "US", "North America", 40.71, -74.01, 22),
    ("Chicago", "IL", "US", "North America", 41.88, -87.63, 16),
    ("Dallas", "TX", "US", "North America", 32.78, -96.80, 16),
    ("Los Angeles", "CA", "US", "North America", 34.05, -118.24, 20),
    ("San Jose", "CA", "US", "North America", 37.34, -121.89, 16),
    ("Seattle", "WA", "US", "North America", 47.61, -122.33, 12),
    ("Miami", "FL", "US", "North America", 25.76, -80.19, 12),
    ("Atlanta", "GA", "US", "North America", 33.75, -84.39, 10),
    ("Denver", "CO", "US", "North America", 39.74, -104.99, 6),
    ("Toronto", "ON", "CA", "North America", 43.65, -79.38, 10),
    ("Montréal", "QC", "CA", "North America", 45.50, -73.57, 6),
    ("Ciudad de México", "", "MX", "North America", 19.43, -99.13, 6),
    ("São Paulo", "SP", "BR", "South America", -23.55, -46.63, 24),
    ("Rio de Janeiro", "RJ", "BR", "South America", -22.91, -43.17, 10),
    ("Buenos Aires", "", "AR", "South America", -34.60, -58.38, 8),
    ("Santiago", "", "CL", "South America", -33.45, -70.67, 6),
    ("Bogotá", "", "CO", "South America", 4.71, -74.07, 5),
    ("Lima", "", "PE", "South America", -12.05, -77.04, 4),
    ("Singapore", "", "SG", "Asia Pacific", 1.35, 103.82, 22),
    ("Hong Kong", "", "HK", "Asia Pacific", 22.32, 114.17, 18),
    ("Tokyo", "", "JP", "Asia Pacific", 35.68, 139.69, 18),
    ("Osaka", "", "JP", "Asia Pacific", 34.69, 135.50, 6),
    ("Seoul", "", "KR", "Asia Pacific", 37.57, 126.98, 8),
    ("Mumbai", "", "IN", "Asia Pacific", 19.08, 72.88, 12),
    ("Chennai", "", "IN", "Asia Pacific", 13.08, 80.27, 6),
    ("Jakarta", "", "ID", "Asia Pacific", -6.21, 106.85, 12),
    ("Bangkok", "", "TH", "Asia Pacific", 13.76, 100.50, 6),
    ("Manila", "", "PH", "Asia Pacific", 14.60, 120.98, 5),
    ("Kuala Lumpur", "", "MY", "Asia Pacific", 3.14, 101.69, 5),
    ("Taipei", "", "TW", "Asia Pacific", 25.03, 121.57, 5),
    ("Sydney", "NSW", "AU", "Australia", -33.87, 151.21, 12),
    ("Melbourne", "VIC", "AU", "Australia", -37.81, 144.96, 8),
    ("Auckland", "", "NZ", "Australia", -36.85, 174.76, 5),
    ("Johannesburg", "", "ZA", "Africa", -26.20, 28.05, 8),
    ("Cape Town", "", "ZA", "Africa", -33.92, 18.42, 5),
    ("Lagos", "", "NG", "Africa", 6.52, 3.38, 5),
    ("Nairobi", "", "KE", "Africa", -1.29, 36.82, 5),
    ("Dubai", "", "AE", "Middle East", 25.20, 55.27, 8),
    ("Tel Aviv", "", "IL", "Middle East", 32.09, 34.78, 4),
)

ORG_WORDS = ("Example", "Sample", "Demo", "Test", "Placeholder", "Fictional",
             "Imaginary", "Specimen", "Mock", "Dummy")
ORG_NOUNS = ("Networks", "Telecom", "Communications", "Hosting", "Cloud",
             "Internet", "Broadband", "Fiber", "Data", "Transit", "Connect",
             "Online", "Carrier", "Media", "Systems")
LEGAL = ("Ltd", "GmbH", "Inc.", "B.V.", "S.A.", "AB", "LLC", "KK", "Pty Ltd",
         "SAS", "S.r.l.", "")
IX_WORDS = ("Sample", "Example", "Demo", "Test", "Community", "Metro", "Open",
            "Neutral")
FAC_WORDS = ("Example Colo", "Sample Data Centre", "Demo Hosting Park",
             "Test Carrier Hotel", "Placeholder DC", "Specimen Campus")
FIRST_NAMES = ("Alex", "Sam", "Kim", "Robin", "Jordan", "Taylor", "Morgan",
               "Jamie", "Casey", "Riley", "Avery", "Quinn", "Noa", "Yuki",
               "Ana", "Luca", "Mira", "Omar", "Ines", "Tomás")
LAST_NAMES = ("Example", "Sample", "Tester", "Placeholder", "Demo", "Mock",
              "Specimen", "Dummy")

INFO_TYPES = (
    ("NSP", 35), ("Content", 12), ("Cable/DSL/ISP", 30), ("Enterprise", 10),
    ("Educational/Research", 5), ("Non-Profit", 3), ("Network Services", 2.5),
    ("Route Collector", 0.5), ("Government", 1.5),
)
POLICY_GENERAL = (("Open", 56), ("Selective", 30), ("Restrictive", 9),
                  ("No", 4), ("", 1))
POLICY_LOCATIONS = (("Not Required", 60), ("Preferred", 15),
                    ("Required - US", 6), ("Required - EU", 6),
                    ("Required - International", 8), ("", 5))
POLICY_CONTRACTS = (("Not Required", 80), ("Private Only", 10),
                    ("Required", 6), ("", 4))
INFO_TRAFFIC = ("", "0-20Mbps", "20-100Mbps", "100-1000Mbps", "1-5Gbps",
                "5-10Gbps", "10-20Gbps", "20-50Gbps", "50-100Gbps",
                "100-200Gbps", "200-300Gbps", "300-500Gbps", "500-1000Gbps",
                "1-5Tbps", "5-10Tbps", "10-20Tbps", "20-50Tbps", "50-100Tbps",
                "100+Tbps")
INFO_RATIO = ("", "Not Disclosed", "Heavy Outbound", "Mostly Outbound",
              "Balanced", "Mostly Inbound", "Heavy Inbound")
INFO_SCOPE = ("", "Not Disclosed", "Regional", "North America",
              "Asia Pacific", "Europe", "South America", "Africa",
              "Australia", "Middle East", "Global")
POC_ROLES = (("Abuse", 15), ("Maintenance", 7), ("Policy", 25),
             ("Technical", 30), ("NOC", 13), ("Public Relations", 3),
             ("Sales", 7))
POC_VISIBLE = (("Public", 55), ("Users", 35), ("Private", 10))
SPEEDS = ((1000, 8), (10000, 45), (20000, 6), (40000, 4), (100000, 28),
          (200000, 4), (400000, 5))
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")

# Names real PeeringDB data has and ASCII-only code gets wrong: the first
# three go to listed exchange members in every size (manifest: lookup_cases).
NON_ASCII_NAMES = ("Ümlaut Netz", "Ωmega Networks", "日本ネットワーク", "Ñandú Telecom",
                   "Łódź Światłowód", "Đà Nẵng Mạng", "Ąžuolas Tinklas", "Øresund Fibre")
# Statuses a row can have: `pending` rows are listed (not live), `deleted`
# rows are tombstones.
STATUSES = ("ok", "pending", "deleted")

DOC_ASNS = list(range(64496, 64512)) + list(range(65536, 65552))
PRIVATE16 = (64512, 65534)
PRIVATE32 = (4200000000, 4294967294)
V4_POOLS = (ipaddress.IPv4Network("10.0.0.0/8"),
            ipaddress.IPv4Network("100.64.0.0/10"))
V4_DOC = (ipaddress.IPv4Network("192.0.2.0/24"),
          ipaddress.IPv4Network("198.51.100.0/24"),
          ipaddress.IPv4Network("203.0.113.0/24"))
V6_BASE = ipaddress.IPv6Network("2001:db8::/32")
RESERVED_HOSTS = 9  # .1-.9 of an exchange LAN: route servers, collectors


def iso(ts: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def weighted(rng: random.Random, table):
    values, weights = zip(*table)
    return rng.choices(values, weights=weights)[0]


def quantile(u: float, knots=MEMBER_KNOTS) -> float:
    for (u0, v0), (u1, v1) in zip(knots, knots[1:]):
        if u <= u1:
            t = (u - u0) / (u1 - u0)
            return math.exp(math.log(v0) + (math.log(v1) - math.log(v0)) * t)
    return knots[-1][1]


def percentile(sorted_values, q: float):
    """Nearest-rank percentile, the same definition the self-test uses."""
    if not sorted_values:
        return 0
    k = max(0, math.ceil(q * len(sorted_values)) - 1)
    return sorted_values[k]


def fit_counts(raw, total: int, cap: int):
    """Scale raw weights to integers summing to ~total, none above cap."""
    counts = [0] * len(raw)
    free = list(range(len(raw)))
    remaining = total
    while free and remaining > 0:
        scale = remaining / sum(raw[i] for i in free)
        capped = [i for i in free if raw[i] * scale >= cap]
        if not capped:
            for i in free:
                counts[i] = max(0, round(raw[i] * scale))
            break
        for i in capped:
            counts[i] = cap
            remaining -= cap
        free = [i for i in free if i not in set(capped)]
    return counts


class IdSeq:
    """Ids as PeeringDB hands them out: increasing, with occasional gaps."""

    def __init__(self, rng: random.Random, start: int = 1):
        self.rng = rng
        self.next_id = start

    def __call__(self) -> int:
        if self.rng.random() < 0.03:
            self.next_id += self.rng.randint(1, 4)
        value = self.next_id
        self.next_id += 1
        return value


class Stamp:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def base(self, after: int = EPOCH_START, soon: bool = False):
        """(created, updated) of a base row created no earlier than after:
        within the hour when soon (an exchange's LAN and prefixes), else
        months to years later, or anywhere in the window for a root object."""
        latest = BOUNDARY - 3600
        if soon:
            created = after + self.rng.randint(0, 3600)
        elif after > EPOCH_START:
            created = after + int(self.rng.expovariate(1 / (400 * 86400)))
        else:
            created = self.rng.randint(EPOCH_START, latest)
        created = min(created, latest - self.rng.randint(0, 30 * 86400))
        # Most rows were touched recently; some never since creation.
        if self.rng.random() < 0.15:
            updated = created
        else:
            span = BOUNDARY - created
            updated = BOUNDARY - int(span * self.rng.random() ** 2)
        return created, updated


class Dataset:
    def __init__(self, size: str, seed: int):
        self.size = size
        self.seed = seed
        self.cfg = SIZES[size]
        self.rows = {t: [] for t in TYPES}
        self.by_id = {t: {} for t in TYPES}
        self.info = {}
        # Bookkeeping that is not part of a row: creation time (children are
        # created after their parents), an org's name stem, an exchange's city.
        self.t0 = {t: {} for t in TYPES}
        self.org_base = {}
        self.ix_city = {}

    def rng(self, section: str) -> random.Random:
        return random.Random(f"peerdesk-pdb:{self.seed}:{section}")

    def add(self, kind: str, row: dict):
        self.rows[kind].append(row)
        self.by_id[kind][row["id"]] = row
        return row

    # ---------------------------------------------------------------- base

    def build(self):
        self.ids = {t: IdSeq(self.rng(f"ids:{t}")) for t in TYPES}
        self.stamp = Stamp(self.rng("time"))
        self.city_weights = list(itertools.accumulate(c[6] for c in CITIES))
        self.build_orgs()
        self.build_facs()
        self.build_ixes()
        self.build_nets()
        self.build_ixfac()
        self.build_netfac()
        self.build_netixlan()
        self.build_pocs()
        self.build_carriers()
        self.mark_edge_cases()
        self.build_lookup_cases()
        self.base_tombstones()
        self.mark_pending()
        self.fill_counts()

    def city(self, rng):
        return rng.choices(CITIES, cum_weights=self.city_weights)[0]

    def build_orgs(self):
        rng = self.rng("org")
        for _ in range(self.cfg["org"]):
            oid = self.ids["org"]()
            city = self.city(rng)
            words = f"{rng.choice(ORG_WORDS)} {rng.choice(ORG_NOUNS)}"
            base = f"{words} {oid}"
            legal = rng.choice(LEGAL)
            created, updated = self.stamp.base()
            self.add("org", {
                "id": oid,
                "name": f"{base} {legal}".strip(),
                "aka": base if rng.random() < 0.2 else "",
                "name_long": "",
                "website": f"https://www.example.net/org/{oid}",
                "notes": "",
                "address1": f"{rng.randint(1, 250)} Example Street",
                "city": city[0],
                "country": city[2],
                "state": city[1],
                "zipcode": f"{rng.randint(10000, 99999)}",
                "latitude": round(city[4] + rng.uniform(-0.2, 0.2), 6),
                "longitude": round(city[5] + rng.uniform(-0.2, 0.2), 6),
                "created": iso(created),
                "updated": iso(updated),
                "status": "ok",
            })
            self.t0["org"][oid] = created
            self.org_base[oid] = words
        orgs = self.rows["org"]
        n_net_orgs = self.cfg["net_orgs"]
        n_childless = self.cfg["childless_orgs"]
        self.net_orgs = orgs[:n_net_orgs]
        self.operator_only_orgs = orgs[n_net_orgs:len(orgs) - n_childless]
        self.childless_orgs = orgs[len(orgs) - n_childless:]
        # Facility and exchange operators: mostly operator-only orgs, a few
        # networks that also run data centres or exchanges.
        pool = self.operator_only_orgs + rng.sample(
            self.net_orgs, min(len(self.net_orgs), len(self.operator_only_orgs) // 3 + 1))
        self.operator_pool = pool
        self.operator_cum = list(itertools.accumulate(
            1.0 / (i + 1) ** 0.9 for i in range(len(pool))))

    def operator(self, rng):
        return rng.choices(self.operator_pool, cum_weights=self.operator_cum)[0]

    def build_facs(self):
        rng = self.rng("fac")
        self.facs_by_city = {}
        for _ in range(self.cfg["fac"]):
            self.new_fac(rng)

    def new_fac(self, rng, org=None, stamp=None):
        fid = self.ids["fac"]()
        city = self.city(rng)
        org = org or self.operator(rng)
        n = len(self.facs_by_city.get(city[0], ())) + 1
        created, updated = stamp or self.stamp.base(self.t0["org"][org["id"]])
        row = self.add("fac", {
            "id": fid,
            "org_id": org["id"],
            "name": f"{rng.choice(FAC_WORDS)} {city[0]} {n} ({fid})",
            "aka": "",
            "name_long": "",
            "website": f"https://www.example.net/fac/{fid}",
            "clli": "".join(rng.choice("ABCDEFGHKLMNPRSTWXZ") for _ in range(6)) if city[2] == "US" else "",
            "rencode": "",
            "npanxx": f"{rng.randint(200, 999)}-555" if city[2] == "US" else "",
            "notes": "",
            "city": city[0],
            "country": city[2],
            "state": city[1],
            "zipcode": f"{rng.randint(10000, 99999)}",
            "latitude": round(city[4] + rng.uniform(-0.3, 0.3), 6),
            "longitude": round(city[5] + rng.uniform(-0.3, 0.3), 6),
            "region_continent": city[3],
            "campus_id": None,
            "net_count": 0,
            "ix_count": 0,
            "created": iso(created),
            "updated": iso(updated),
            "status": "ok",
        })
        self.t0["fac"][fid] = created
        self.facs_by_city.setdefault(city[0], []).append(row)
        return row

    def member_targets(self):
        """netixlan rows per exchange, in exchange creation order."""
        rng = self.rng("members")
        n = self.cfg["ix"]
        raw = [quantile((i + 0.5) / n) for i in range(n)]
        raw = [v * math.exp(rng.gauss(0, 0.05)) for v in raw]
        if n >= 100:
            raw[-1] = MAX_MEMBERS
        cap = max(1, int(self.cfg["net"] * 0.95))
        counts = fit_counts(raw, self.cfg["netixlan"], cap)
        if n >= 100:
            counts[-1] = MAX_MEMBERS
        rng.shuffle(counts)
        return counts

    def build_ixes(self):
        rng = self.rng("ix")
        self.ix_rows_target = {}
        self.v4_cursor = {0: 0, 1: 0}
        self.doc_nets_left = list(V4_DOC)
        self.ix_prefixes = {}  # ix id -> (list of IPv4Network, IPv6Network|None)
        self.ix_used_hosts = {}
        self.ixlan_of_ix = {}
        self.ix_names = set()
        targets = self.member_targets()
        for index, rows in enumerate(targets):
            with_v6 = rows >= 100 or rng.random() < self.cfg["v6_share"]
            self.new_ix(rng, rows, with_v6, index)

    def allocate_v4(self, hosts_needed: int, index: int):
        if hosts_needed <= 254 - 20 and self.doc_nets_left and index % 3 == 1:
            return [self.doc_nets_left.pop(0)]
        pool = 1 if index % 5 == 4 else 0
        blocks = max(1, math.ceil(hosts_needed / 1022))
        nets = []
        for b in range(blocks):
            start = V4_POOLS[pool].network_address + self.v4_cursor[pool] * 1024
            self.v4_cursor[pool] += 1
            if blocks == 1 and hosts_needed <= 254:
                plen = 24
            elif blocks == 1 and hosts_needed <= 510:
                plen = 23
            else:
                plen = 22
            nets.append(ipaddress.IPv4Network(f"{start}/{plen}"))
        return nets

    def new_ix(self, rng, rows: int, with_v6: bool, index: int, stamp=None):
        xid = self.ids["ix"]()
        city = self.city(rng)
        org = self.operator(rng)
        word = rng.choice(IX_WORDS)
        name = f"{word} IX {city[0]}"
        k = 2
        while name in self.ix_names:
            name = f"{word} IX {city[0]} {k}"
            k += 1
        self.ix_names.add(name)
        created, updated = stamp or self.stamp.base(self.t0["org"][org["id"]])
        phone = f"+1 202 555 01{rng.randint(0, 99):02d}"
        self.add("ix", {
            "id": xid,
            "org_id": org["id"],
            "name": name,
            "aka": "",
            "name_long": f"{name} Internet Exchange" if rng.random() < 0.5 else "",
            "city": city[0],
            "country": city[2],
            "region_continent": city[3],
            "media": "Ethernet",
            "notes": "",
            "proto_unicast": True,
            "proto_multicast": False,
            "proto_ipv6": True,
            "website": f"https://www.example.net/ix/{xid}",
            "url_stats": f"https://www.example.net/ix/{xid}/stats" if rng.random() < 0.6 else "",
            "tech_email": f"noc+ix{xid}@example.org",
            "tech_phone": phone,
            "policy_email": f"peering+ix{xid}@example.org",
            "policy_phone": phone if rng.random() < 0.5 else "",
            "sales_email": f"sales+ix{xid}@example.org" if rng.random() < 0.5 else "",
            "sales_phone": "",
            "net_count": 0,
            "fac_count": 0,
            "ixf_net_count": 0,
            "ixf_last_import": None,
            "service_level": "Not Disclosed",
            "terms": "Not Disclosed",
            "status_dashboard": "",
            "created": iso(created),
            "updated": iso(updated),
            "status": "ok",
        })
        self.t0["ix"][xid] = created
        self.ix_city[xid] = city
        self.ix_rows_target[xid] = rows
        lid = self.ids["ixlan"]()
        lcreated, lupdated = stamp or self.stamp.base(created, soon=True)
        self.add("ixlan", {
            "id": lid,
            "ix_id": xid,
            "name": "",
            "descr": "",
            "mtu": 9000 if rng.random() < 0.2 else 1500,
            "dot1q_support": False,
            "rs_asn": 0,
            "arp_sponge": None,
            "ixf_ixp_member_list_url_visible": "Private",
            "ixf_ixp_import_enabled": False,
            "created": iso(lcreated),
            "updated": iso(lupdated),
            "status": "ok",
        })
        self.t0["ixlan"][lid] = lcreated
        self.ixlan_of_ix[xid] = lid
        # Room for every member, the reserved hosts and later additions.
        needed = RESERVED_HOSTS + math.ceil(rows * 1.15) + 8
        v4 = self.allocate_v4(needed, index)
        v6 = ipaddress.IPv6Network(f"2001:db8:{xid:x}::/64") if with_v6 else None
        assert xid < 0x10000
        self.ix_prefixes[xid] = (v4, v6)
        self.ix_used_hosts[xid] = set()
        for prefix in v4 + ([v6] if v6 else []):
            pcreated, pupdated = stamp or self.stamp.base(lcreated, soon=True)
            self.add("ixpfx", {
                "id": self.ids["ixpfx"](),
                "ixlan_id": lid,
                "protocol": "IPv4" if prefix.version == 4 else "IPv6",
                "prefix": str(prefix),
                "in_dfz": True,
                "created": iso(pcreated),
                "updated": iso(pupdated),
                "status": "ok",
            })
        return xid

    def slot(self, xid: int, index: int):
        """The index-th usable host of an exchange as (prefix number, host
        offset): past the reserved hosts, never network or broadcast."""
        v4, _ = self.ix_prefixes[xid]
        for p, prefix in enumerate(v4):
            first = RESERVED_HOSTS + 1 if p == 0 else 1
            usable = prefix.num_addresses - 1 - first
            if index < usable:
                return p, first + index
            index -= usable
        raise RuntimeError(f"exchange {xid} ran out of addresses")

    def next_host(self, xid: int):
        used = self.ix_used_hosts[xid]
        index = len(used)
        while index in used:
            index += 1
        used.add(index)
        return index, self.slot(xid, index)

    def addresses(self, xid: int, slot, want4=True, want6=True):
        v4, v6 = self.ix_prefixes[xid]
        p, h = slot
        a4 = str(v4[p][h]) if want4 else None
        a6 = v6[p * 1024 + h].compressed if (want6 and v6 is not None) else None
        return a4, a6

    def build_nets(self):
        rng = self.rng("net")
        n = self.cfg["net"]
        orgs = [o for o in self.net_orgs]
        owners = orgs + rng.choices(orgs, k=max(0, n - len(orgs)))
        rng.shuffle(owners)
        asn_rng = self.rng("asn")
        n16 = min(PRIVATE16[1] - PRIVATE16[0] + 1, max(1, n // 40))
        asns = (list(DOC_ASNS[:min(len(DOC_ASNS), max(4, n // 4))])
                + asn_rng.sample(range(PRIVATE16[0], PRIVATE16[1] + 1), n16))
        asns += asn_rng.sample(range(PRIVATE32[0], PRIVATE32[1] + 1),
                               max(0, n - len(asns)) + 400)
        self.spare_asns = asns[n:]
        asns = asns[:n]
        asn_rng.shuffle(asns)
        # Documentation ASNs go to the first networks so small sets show them.
        doc = [a for a in asns if 64496 <= a <= 64511 or 65536 <= a <= 65551]
        rest = [a for a in asns if not (64496 <= a <= 64511 or 65536 <= a <= 65551)]
        asns = doc + rest
        self.net_weight = {}
        for i in range(n):
            org = owners[i]
            self.new_net(rng, org, asns[i])
        # Route server networks: one per exchange that has a route server.
        self.rs_nets = {}
        candidates = [r for r in self.rows["net"] if r["info_type"] == "NSP"]
        rs_rng = self.rng("rs")
        for ix in self.rows["ix"]:
            if rs_rng.random() < 0.6 and candidates:
                net = candidates.pop(rs_rng.randrange(len(candidates)))
                net["info_type"] = "Route Server"
                net["info_types"] = ["Route Server"]
                net["name"] = f"{ix['name']} Route Servers"
                net["policy_general"] = "Open"
                net["info_never_via_route_servers"] = False
                self.net_weight[net["id"]] = 0.0
                self.by_id["ixlan"][self.ixlan_of_ix[ix["id"]]]["rs_asn"] = net["asn"]
                self.rs_nets[ix["id"]] = net

    def new_net(self, rng, org, asn, stamp=None):
        nid = self.ids["net"]()
        info_type = weighted(rng, INFO_TYPES)
        created, updated = stamp or self.stamp.base(self.t0["org"][org["id"]])
        big = rng.random() ** 3
        p4 = int(math.exp(rng.gauss(2.3, 2.0)))
        p6 = int(math.exp(rng.gauss(1.0, 1.6)))
        r = rng.random()
        if r < 0.05:
            p4, p6 = 0, 0
        elif r < 0.08:
            p4, p6 = None, None
        else:
            p4, p6 = min(p4, 1_200_000), min(p6, 250_000)
        base_name = self.org_base[org["id"]]
        r = rng.random()
        if r < 0.75:
            if rng.random() < 0.5:
                as_set = f"AS-{base_name.split(' ')[0].upper()}{nid}"
            elif rng.random() < 0.5:
                as_set = f"RIPE::AS-{base_name.split(' ')[0].upper()}{nid}"
            else:
                as_set = f"AS{asn}:AS-CUSTOMERS"
        else:
            as_set = ""
        row = self.add("net", {
            "id": nid,
            "org_id": org["id"],
            "name": f"{base_name} {nid}",
            "aka": f"{base_name.split(' ')[0]} {nid}" if rng.random() < 0.25 else "",
            "name_long": "",
            "website": f"https://www.example.net/net/{nid}",
            "asn": asn,
            "looking_glass": f"https://lg.example.net/{nid}" if rng.random() < 0.2 else "",
            "route_server": "",
            "irr_as_set": as_set,
            "info_type": info_type,
            "info_types": [info_type],
            "info_prefixes4": p4,
            "info_prefixes6": p6,
            "info_traffic": INFO_TRAFFIC[min(len(INFO_TRAFFIC) - 1, int(big * len(INFO_TRAFFIC)))] if rng.random() < 0.8 else "",
            "info_ratio": rng.choice(INFO_RATIO),
            "info_scope": rng.choice(INFO_SCOPE),
            "info_unicast": True,
            "info_multicast": False,
            "info_ipv6": rng.random() < 0.8,
            "info_never_via_route_servers": rng.random() < 0.1,
            "notes": "",
            "policy_url": f"https://www.example.net/peering/{nid}" if rng.random() < 0.4 else "",
            "policy_general": weighted(rng, POLICY_GENERAL),
            "policy_locations": weighted(rng, POLICY_LOCATIONS),
            "policy_ratio": rng.random() < 0.1,
            "policy_contracts": weighted(rng, POLICY_CONTRACTS),
            "allow_ixp_update": rng.random() < 0.3,
            "status_dashboard": "",
            "rir_status": "ok",
            "rir_status_updated": iso(created + 3600),
            "netixlan_updated": None,
            "netfac_updated": None,
            "poc_updated": None,
            "created": iso(created),
            "updated": iso(updated),
            "status": "ok",
        })
        self.t0["net"][nid] = created
        if rng.random() < 0.05:
            row["notes"] = f"Peering requests via the contact form.\nNOC 24/7.\nNetwork {nid}."
        # How likely this network is to show up at an exchange or facility:
        # heavy-tailed, a few networks are everywhere, many are nowhere.
        weight = min(3000.0, 1.0 / (1.0 - rng.random()) ** 1.15)
        if info_type in ("Enterprise", "Government") and rng.random() < 0.5:
            weight *= 0.2
        self.net_weight[nid] = weight
        return row

    def net_sampler(self):
        nets = [r for r in self.rows["net"] if self.net_weight[r["id"]] > 0]
        cum = list(itertools.accumulate(self.net_weight[r["id"]] for r in nets))
        return nets, cum

    @staticmethod
    def pick_distinct(rng, population, cum, k, seen):
        chosen = []
        available = len(population) - len(seen)
        k = min(k, max(0, available))
        for _ in range(8):
            if len(chosen) >= k:
                break
            need = k - len(chosen)
            for row in rng.choices(population, cum_weights=cum, k=need * 2 + 8):
                if row["id"] not in seen:
                    seen.add(row["id"])
                    chosen.append(row)
                    if len(chosen) == k:
                        break
        if len(chosen) < k:
            rest = [r for r in population if r["id"] not in seen]
            rng.shuffle(rest)
            for row in rest[:k - len(chosen)]:
                seen.add(row["id"])
                chosen.append(row)
        return chosen

    def build_ixfac(self):
        rng = self.rng("ixfac")
        ixes = self.rows["ix"]
        raw = [1 + self.ix_rows_target[ix["id"]] ** 0.5 for ix in ixes]
        counts = fit_counts(raw, self.cfg["ixfac"], min(60, self.cfg["fac"]))
        self.ix_facs = {}
        for ix, count in zip(ixes, counts):
            self.ix_facs[ix["id"]] = []
            for fac in self.pick_facs(rng, self.ix_city[ix["id"]][0], max(1, count)):
                self.new_ixfac(ix, fac)

    def pick_facs(self, rng, city, count, exclude=()):
        local = [f for f in self.facs_by_city.get(city, []) if f["id"] not in exclude]
        rng.shuffle(local)
        chosen = local[:count]
        if len(chosen) < count:
            taken = {f["id"] for f in chosen} | set(exclude)
            others = [f for f in self.rows["fac"] if f["id"] not in taken]
            chosen += rng.sample(others, min(len(others), count - len(chosen)))
        return chosen

    def new_ixfac(self, ix, fac, stamp=None):
        created, updated = stamp or self.stamp.base(max(self.t0["ix"][ix["id"]], self.t0["fac"][fac["id"]]))
        self.ix_facs[ix["id"]].append(fac["id"])
        return self.add("ixfac", {
            "id": self.ids["ixfac"](),
            "ix_id": ix["id"],
            "fac_id": fac["id"],
            "created": iso(created),
            "updated": iso(updated),
            "status": "ok",
        })

    def build_netfac(self):
        rng = self.rng("netfac")
        facs = self.rows["fac"]
        raw = [rng.lognormvariate(1.0, 1.25) for _ in facs]
        counts = fit_counts(raw, self.cfg["netfac"], max(1, int(self.cfg["net"] * 0.5)))
        nets, cum = self.net_sampler()
        self.net_facs = {}
        for fac, count in zip(facs, counts):
            for net in self.pick_distinct(rng, nets, cum, count, set()):
                self.new_netfac(net, fac)

    def new_netfac(self, net, fac, stamp=None):
        created, updated = stamp or self.stamp.base(max(self.t0["net"][net["id"]], self.t0["fac"][fac["id"]]))
        self.net_facs.setdefault(net["id"], set()).add(fac["id"])
        return self.add("netfac", {
            "id": self.ids["netfac"](),
            "net_id": net["id"],
            "fac_id": fac["id"],
            "local_asn": net["asn"],
            "created": iso(created),
            "updated": iso(updated),
            "status": "ok",
        })

    def build_netixlan(self):
        rng = self.rng("netixlan")
        nets, cum = self.net_sampler()
        pending = []
        for ix in self.rows["ix"]:
            xid = ix["id"]
            rows = self.ix_rows_target[xid]
            if rows == 0:
                continue
            # Bigger exchanges have more members with a second port.
            extra = int(rows * (0.01 + 0.03 * min(1.0, math.log10(rows + 1) / 3)))
            seen = set()
            members = []
            rs = self.rs_nets.get(xid)
            if rs is not None:
                seen.add(rs["id"])
                members.append(rs)
            members += self.pick_distinct(rng, nets, cum, rows - extra - len(members), seen)
            if not members:
                continue
            second = rng.choices(members, weights=[self.net_weight[m["id"]] + 1 for m in members],
                                 k=extra) if extra else []
            order = members[:1] + rng.sample(members[1:], len(members) - 1) if rs else rng.sample(members, len(members))
            pending.append((ix, order, second))
        for ix, order, second in pending:
            xid = ix["id"]
            rs = self.rs_nets.get(xid)
            _, v6 = self.ix_prefixes[xid]
            for i, net in enumerate(order + second):
                if net is rs and i == 0:
                    a4 = str(self.ix_prefixes[xid][0][0][1])
                    a6 = v6[1].compressed if v6 is not None else None
                    self.new_netixlan(rng, ix, net, a4, a6, rs_peer=False)
                    continue
                _, s = self.next_host(xid)
                # Where the exchange has IPv6: 1 in 50 members IPv6-only,
                # 1 in 8 IPv4-only, by position in a shuffled order.
                want4 = v6 is None or i % 50 != 7
                want6 = v6 is not None and (not want4 or i % 8 != 3)
                a4, a6 = self.addresses(xid, s, want4, want6)
                self.new_netixlan(rng, ix, net, a4, a6)

    def new_netixlan(self, rng, ix, net, a4, a6, rs_peer=None, stamp=None):
        lid = self.ixlan_of_ix[ix["id"]]
        created, updated = stamp or self.stamp.base(max(self.t0["ix"][ix["id"]], self.t0["net"][net["id"]]))
        heavy = self.net_weight.get(net["id"], 1) > 30
        speed = weighted(rng, SPEEDS)
        if heavy and speed < 100000 and rng.random() < 0.7:
            speed = rng.choice((100000, 200000, 400000))
        return self.add("netixlan", {
            "id": self.ids["netixlan"](),
            "net_id": net["id"],
            "ix_id": ix["id"],
            "ixlan_id": lid,
            "name": ix["name"],
            "notes": "",
            "speed": speed,
            "asn": net["asn"],
            "ipaddr4": a4,
            "ipaddr6": a6,
            "is_rs_peer": (rng.random() < 0.7 and not net["info_never_via_route_servers"]) if rs_peer is None else rs_peer,
            "bfd_support": rng.random() < 0.3,
            "operational": rng.random() < 0.97,
            "net_side_id": None,
            "ix_side_id": None,
            "created": iso(created),
            "updated": iso(updated),
            "status": "ok",
        })

    def build_pocs(self):
        rng = self.rng("poc")
        nets = self.rows["net"]
        weights = [0.0 if rng.random() < 0.45 else 1.0 + rng.paretovariate(2.0) for _ in nets]
        for net in rng.choices(nets, weights=weights, k=self.cfg["poc"]):
            self.new_poc(rng, net)
        self.rows["poc"].sort(key=lambda r: r["id"])

    def new_poc(self, rng, net, stamp=None):
        pid = self.ids["poc"]()
        role = weighted(rng, POC_ROLES)
        created, updated = stamp or self.stamp.base(self.t0["net"][net["id"]])
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        local = role.lower().replace(" ", "-")
        return self.add("poc", {
            "id": pid,
            "net_id": net["id"],
            "role": role,
            "visible": weighted(rng, POC_VISIBLE),
            "name": f"{first} {last}" if rng.random() < 0.6 else f"{role} Team",
            "phone": f"+1 202 555 01{rng.randint(0, 99):02d}" if rng.random() < 0.6 else "",
            "email": f"{local}+{pid}@{rng.choice(EMAIL_DOMAINS)}",
            "url": f"https://www.example.com/contact/{pid}" if rng.random() < 0.1 else "",
            "created": iso(created),
            "updated": iso(updated),
            "status": "ok",
        })

    def build_carriers(self):
        rng = self.rng("carrier")
        for _ in range(self.cfg["carrier"]):
            cid = self.ids["carrier"]()
            org = self.operator(rng)
            created, updated = self.stamp.base(self.t0["org"][org["id"]])
            self.add("carrier", {
                "id": cid,
                "org_id": org["id"],
                "name": f"{rng.choice(ORG_WORDS)} Wavelengths {cid}",
                "aka": "",
                "name_long": "",
                "website": f"https://www.example.net/carrier/{cid}",
                "notes": "",
                "created": iso(created),
                "updated": iso(updated),
                "status": "ok",
            })
        pairs = set()
        carriers = self.rows["carrier"]
        facs = self.rows["fac"]
        while carriers and len(pairs) < min(self.cfg["carrierfac"], len(carriers) * len(facs)):
            pairs.add((rng.choice(carriers)["id"], rng.choice(facs)["id"]))
        for cid, fid in sorted(pairs):
            created, updated = self.stamp.base()
            self.add("carrierfac", {
                "id": self.ids["carrierfac"](),
                "carrier_id": cid,
                "fac_id": fid,
                "created": iso(created),
                "updated": iso(updated),
                "status": "ok",
            })

    def mark_edge_cases(self):
        """Names that must never become a second router command or break a
        parser: quotes, semicolons, braces, a newline, non-ASCII, length."""
        members = []
        seen = set()
        for row in self.rows["netixlan"]:
            if row["net_id"] not in seen and self.by_id["net"][row["net_id"]]["info_type"] != "Route Server":
                seen.add(row["net_id"])
                members.append(self.by_id["net"][row["net_id"]])
        cases = [
            ("name", 'Example "Quoted" Networks {id}'),
            ("name", "Sample; Networks } {id}"),
            ("name", "Demo Networks\nneighbor 192.0.2.1 shutdown {id}"),
            ("name", "Exämple Nétworks 東京 {id}"),
            ("name", "Test O'Reilly \\ Networks {id}"),
            ("name", ("Example Very Long Network Name " * 9)[:240] + " {id}"),
        ]
        self.edge_cases = []
        for net, (field, template) in zip(members, cases):
            net[field] = template.replace("{id}", str(net["id"]))
            self.edge_cases.append({"type": "net", "id": net["id"], "field": field})
        if len(members) > len(cases):
            net = members[len(cases)]
            net["irr_as_set"] = "AS-EXAMPLE AS-SAMPLE, RIPE::AS-DEMO"
            net["notes"] = "Line one\r\nLine two; } {\n\"quoted\""
            self.edge_cases.append({"type": "net", "id": net["id"], "field": "irr_as_set"})

    def build_lookup_cases(self):
        """What real data has and lookups must get right, on exchange members
        in every size, listed in manifest.json under lookup_cases: several
        ports at one exchange (one IPv4-only, one IPv6-only), non-ASCII names,
        multi-set AS-SETs with IRR source prefixes, null prefix counts, more
        than one info_type. Own random streams, so the rest of the data is
        drawn as before."""
        rng = self.rng("lookup")
        stamp = Stamp(self.rng("lookup:time"))
        edge = {c["id"] for c in self.edge_cases}
        rs_ids = {n["id"] for n in self.rs_nets.values()}
        ports = {}
        for row in self.rows["netixlan"]:
            ports.setdefault(row["net_id"], []).append(row)
        pool, in_pool = [], set()
        for row in self.rows["netixlan"]:
            net = self.by_id["net"][row["net_id"]]
            if net["id"] not in edge and net["id"] not in rs_ids and net["id"] not in in_pool:
                in_pool.add(net["id"])
                pool.append(net)
        cases = {"non_ascii": [], "as_sets": [], "null_prefixes": [], "info_types": [],
                 "multi_port": []}

        def listed(kind, net, **extra):
            cases[kind].append({"net_id": net["id"], "asn": net["asn"], **extra})

        for net, name in zip(pool[0:3], NON_ASCII_NAMES):
            net["name"] = f"{name} {net['id']}"
            listed("non_ascii", net, name=net["name"])
        for net, as_set in zip(pool[3:5], ("RIPE::AS-UMLAUT{id} AS-OTHER{id}",
                                           "AS-SAMPLE{id} ARIN::AS-SAMPLE{id}-V6 RADB::AS-SAMPLE{id}-CUST")):
            net["irr_as_set"] = as_set.replace("{id}", str(net["id"]))
            listed("as_sets", net, irr_as_set=net["irr_as_set"])
        for net, (p4, p6) in zip(pool[5:7], ((None, None), (1200, None))):
            net["info_prefixes4"], net["info_prefixes6"] = p4, p6
            listed("null_prefixes", net, info_prefixes4=p4, info_prefixes6=p6)
        second = {"NSP": "Content", "Content": "NSP", "Cable/DSL/ISP": "NSP"}
        net = pool[7]
        net["info_types"] = [net["info_type"], second.get(net["info_type"], "Network Services")]
        listed("info_types", net, info_types=net["info_types"])

        # Across the rest of a big set, in the same spirit: a few non-ASCII
        # names, ~5 % of AS-SETs with a second set, ~8 % with two types.
        named = {n["id"] for n in pool[:8]}
        for net in self.rows["net"]:
            if net["id"] in named or net["id"] in edge or net["id"] in rs_ids:
                continue
            if rng.random() < self.cfg["non_ascii_share"]:
                net["name"] = f"{rng.choice(NON_ASCII_NAMES)} {net['id']}"
                listed("non_ascii", net, name=net["name"])
            if net["irr_as_set"] and rng.random() < 0.05:
                first = net["irr_as_set"]
                source = "" if "::" in first else "RIPE::"
                net["irr_as_set"] = f"{source}{first} AS-{net['id']}-V6"
            if rng.random() < 0.08:
                other = rng.choice([t for t, _ in INFO_TYPES if t != net["info_type"]])
                net["info_types"] = [net["info_type"], other]

        # Several ports at one exchange: the member's first port where the
        # exchange has IPv6, then one IPv4-only and one IPv6-only port.
        self.multi_port_rows = set()
        for net in pool[8:]:
            if len(cases["multi_port"]) >= self.cfg["multi_port"]:
                break
            first = next((r for r in ports.get(net["id"], ())
                          if self.ix_prefixes[r["ix_id"]][1] is not None), None)
            if first is None:
                continue
            ix = self.by_id["ix"][first["ix_id"]]
            ids = [first["id"]]
            for want4, want6 in ((True, False), (False, True)):
                _, slot = self.next_host(ix["id"])
                a4, a6 = self.addresses(ix["id"], slot, want4, want6)
                created, updated = stamp.base(max(self.t0["ix"][ix["id"]], self.t0["net"][net["id"]]))
                row = self.new_netixlan(rng, ix, net, a4, a6, stamp=(created, updated))
                ids.append(row["id"])
            self.multi_port_rows.update(ids)
            listed("multi_port", net, ix_id=ix["id"], netixlan_ids=ids)
        self.lookup_cases = cases
        self.lookup_nets = {c["net_id"] for rows in cases.values() for c in rows}

    def mark_pending(self):
        """Rows with status `pending`: in PeeringDB's data, not live. The
        fixture server lists them like any row that is not deleted; a member
        network, single ports of live networks and contacts."""
        rng = self.rng("pending")
        rs_ids = {n["id"] for n in self.rs_nets.values()}
        edge = {c["id"] for c in self.edge_cases}
        members, seen = [], set()
        for row in self.rows["netixlan"]:
            net = self.by_id["net"][row["net_id"]]
            if (net["status"] == "ok" and net["id"] not in rs_ids and net["id"] not in edge
                    and net["id"] not in self.lookup_nets and net["id"] not in seen):
                seen.add(net["id"])
                members.append(net)
        nets = rng.sample(members, min(self.cfg["pending_net"], len(members)))
        pending_net_ids = {n["id"] for n in nets}
        ports = [r for r in self.rows["netixlan"]
                 if r["status"] == "ok" and r["net_id"] not in rs_ids and r["net_id"] not in pending_net_ids
                 and r["id"] not in self.multi_port_rows and r["net_id"] not in edge]
        ports = rng.sample(ports, min(self.cfg["pending_netixlan"], len(ports)))
        pocs = [r for r in self.rows["poc"] if r["status"] == "ok"]
        pocs = rng.sample(pocs, min(self.cfg["pending_poc"], len(pocs)))
        for row in nets + ports + pocs:
            row["status"] = "pending"
        self.pending = {"net": sorted(n["id"] for n in nets),
                        "netixlan": sorted(r["id"] for r in ports),
                        "poc": sorted(r["id"] for r in pocs)}
        self.lookup_cases["pending"] = {
            "net": [{"net_id": n["id"], "asn": n["asn"]} for n in sorted(nets, key=lambda n: n["id"])],
            "netixlan": [{"id": r["id"], "net_id": r["net_id"], "asn": r["asn"], "ix_id": r["ix_id"]}
                         for r in sorted(ports, key=lambda r: r["id"])],
            "poc": self.pending["poc"],
        }

    def base_tombstones(self):
        """A few objects deleted before the boundary: a since= query of the
        base set returns them, a full list does not."""
        rng = self.rng("tombstones")
        k = self.cfg["base_tombstones"]
        self.tombstoned = {}
        has_children = {r["net_id"] for t in ("netixlan", "netfac", "poc") for r in self.rows[t]}
        candidates = {
            "netixlan": [r for r in self.rows["netixlan"]
                         if self.by_id["net"][r["net_id"]]["info_type"] != "Route Server"],
            "poc": self.rows["poc"],
            "netfac": self.rows["netfac"],
            "ixfac": self.rows["ixfac"],
            "net": [r for r in self.rows["net"] if r["id"] not in has_children
                    and r["info_type"] != "Route Server"],
            "org": self.childless_orgs[: max(0, len(self.childless_orgs) - 2)],
        }
        edge = {c["id"] for c in self.edge_cases}
        kept_nets = edge | self.lookup_nets
        for kind, rows in candidates.items():
            rows = [r for r in rows if r["id"] not in edge]
            if kind == "net":
                rows = [r for r in rows if r["id"] not in kept_nets]
            elif kind in ("netixlan", "netfac", "poc"):
                rows = [r for r in rows if r["net_id"] not in kept_nets
                        and r["id"] not in self.multi_port_rows]
            chosen = rng.sample(rows, min(k, len(rows)))
            for row in chosen:
                row["status"] = "deleted"
            self.tombstoned[kind] = sorted(r["id"] for r in chosen)
        self.childless_orgs = [o for o in self.childless_orgs if o["status"] == "ok"]

    def live(self, kind):
        return [r for r in self.rows[kind] if r["status"] == "ok"]

    def fill_counts(self):
        fac_nets, fac_ixes, ix_nets, ix_facs = {}, {}, {}, {}
        for r in self.live("netfac"):
            fac_nets.setdefault(r["fac_id"], set()).add(r["net_id"])
        for r in self.live("ixfac"):
            fac_ixes.setdefault(r["fac_id"], set()).add(r["ix_id"])
            ix_facs.setdefault(r["ix_id"], set()).add(r["fac_id"])
        for r in self.live("netixlan"):
            ix_nets.setdefault(r["ix_id"], set()).add(r["net_id"])
        for fac in self.rows["fac"]:
            fac["net_count"] = len(fac_nets.get(fac["id"], ()))
            fac["ix_count"] = len(fac_ixes.get(fac["id"], ()))
        for ix in self.rows["ix"]:
            ix["net_count"] = len(ix_nets.get(ix["id"], ()))
            ix["fac_count"] = len(ix_facs.get(ix["id"], ()))
        latest = {}
        for kind, key in (("netixlan", "netixlan_updated"), ("netfac", "netfac_updated"),
                          ("poc", "poc_updated")):
            for r in self.live(kind):
                k = (r["net_id"], key)
                if r["updated"] > latest.get(k, ""):
                    latest[k] = r["updated"]
        for net in self.rows["net"]:
            for key in ("netixlan_updated", "netfac_updated", "poc_updated"):
                net[key] = latest.get((net["id"], key))
        # One base row exactly at the boundary, to test that since= is strict.
        self.rows["net"][0]["updated"] = iso(BOUNDARY)

    def member_stats(self):
        rows_per_ix, nets_per_ix = {}, {}
        for r in self.live("netixlan"):
            rows_per_ix[r["ix_id"]] = rows_per_ix.get(r["ix_id"], 0) + 1
            nets_per_ix.setdefault(r["ix_id"], set()).add(r["net_id"])
        ixes = [ix["id"] for ix in self.live("ix")]
        rows = sorted(rows_per_ix.get(i, 0) for i in ixes)
        nets = sorted(len(nets_per_ix.get(i, ())) for i in ixes)

        def summary(values):
            return {
                "median": statistics.median(values) if values else 0,
                "p90": percentile(values, 0.9),
                "max": values[-1] if values else 0,
                "total": sum(values),
            }

        return {"netixlan_per_ix": summary(rows), "distinct_nets_per_ix": summary(nets)}

    # ------------------------------------------------------------- changes

    def build_changes(self):
        rng = self.rng("changes")
        self.changes = {t: {} for t in TYPES}
        self.change_stamp = lambda: BOUNDARY + rng.randint(2, CHANGE_WINDOW)
        cfg = self.cfg
        live = {t: self.live(t) for t in TYPES}
        # Edge cases and lookup cases stay in the final state as they are.
        protected = {c["id"] for c in self.edge_cases} | self.lookup_nets
        multi_port_ixes = {c["ix_id"] for c in self.lookup_cases["multi_port"]}

        # A deleted parent takes its pending children with it too.
        present = {t: [r for r in self.rows[t] if r["status"] != "deleted"] for t in TYPES}

        def tombstone(kind, row):
            if row["id"] in self.changes[kind] or row["status"] == "deleted":
                return
            gone = dict(row)
            gone["status"] = "deleted"
            gone["updated"] = iso(self.change_stamp())
            self.changes[kind][row["id"]] = gone

        def count(share, n):
            return max(1, round(share * n))

        # One exchange goes away with its LAN, prefixes, facilities and members.
        ix_sizes = {ix["id"]: ix["net_count"] for ix in live["ix"]}
        candidates = [ix for ix in live["ix"] if 3 <= ix_sizes[ix["id"]] <= 40
                      and ix["id"] not in multi_port_ixes] or \
            sorted(live["ix"], key=lambda ix: ix_sizes[ix["id"]])[:-1]
        gone_ix = rng.choice(candidates)
        gone_lan = self.ixlan_of_ix[gone_ix["id"]]
        tombstone("ix", gone_ix)
        tombstone("ixlan", self.by_id["ixlan"][gone_lan])
        for r in present["ixpfx"]:
            if r["ixlan_id"] == gone_lan:
                tombstone("ixpfx", r)
        for r in present["ixfac"]:
            if r["ix_id"] == gone_ix["id"]:
                tombstone("ixfac", r)
        for r in present["netixlan"]:
            if r["ix_id"] == gone_ix["id"]:
                tombstone("netixlan", r)
        self.info["deleted_ix"] = {
            "ix_id": gone_ix["id"], "ixlan_id": gone_lan,
            "ixpfx_ids": sorted(i for i, r in self.changes["ixpfx"].items()),
            "netixlan_count": len(self.changes["netixlan"]),
        }

        # Networks go away with their links and contacts.
        rs_ids = {n["id"] for n in self.rs_nets.values()}
        nets = [n for n in live["net"] if n["id"] not in protected and n["id"] not in rs_ids]
        gone_nets = rng.sample(nets, min(cfg["del_nets"], len(nets)))
        gone_net_ids = {n["id"] for n in gone_nets}
        for net in gone_nets:
            tombstone("net", net)
        for kind in ("netixlan", "netfac", "poc"):
            for r in present[kind]:
                if r["net_id"] in gone_net_ids:
                    tombstone(kind, r)

        # Facilities go away with everything located there.
        facs = [f for f in live["fac"]]
        gone_facs = rng.sample(facs, min(cfg["del_facs"], len(facs)))
        gone_fac_ids = {f["id"] for f in gone_facs}
        for fac in gone_facs:
            tombstone("fac", fac)
        for kind in ("netfac", "ixfac", "carrierfac"):
            for r in present[kind]:
                if r["fac_id"] in gone_fac_ids:
                    tombstone(kind, r)

        # Organisations that own nothing.
        for org in rng.sample(self.childless_orgs, min(cfg["del_orgs"], len(self.childless_orgs))):
            tombstone("org", org)

        # Some single rows.
        for kind in ("netixlan", "poc", "netfac", "ixfac"):
            rows = [r for r in live[kind] if r["id"] not in self.changes[kind]]
            if kind == "netixlan":
                rows = [r for r in rows if r["net_id"] not in rs_ids
                        and r["id"] not in self.multi_port_rows]
            for r in rng.sample(rows, min(len(rows), count(cfg["del_share"], len(live[kind])))):
                tombstone(kind, r)

        # Rows that turn from ok to pending: they stop being live.
        prng = self.rng("changes:pending")

        def to_pending(kind, row):
            new = dict(row)
            new["status"] = "pending"
            new["updated"] = iso(self.change_stamp())
            self.changes[kind][row["id"]] = new

        member_ids = {r["net_id"] for r in live["netixlan"] if r["id"] not in self.changes["netixlan"]}
        nets = [n for n in live["net"] if n["id"] in member_ids and n["id"] not in protected
                and n["id"] not in rs_ids and n["id"] not in self.changes["net"]]
        for net in prng.sample(nets, min(cfg["to_pending_net"], len(nets))):
            to_pending("net", net)
        ports = [r for r in live["netixlan"] if r["id"] not in self.changes["netixlan"]
                 and r["net_id"] not in rs_ids and r["net_id"] not in protected
                 and r["id"] not in self.multi_port_rows and r["net_id"] not in self.changes["net"]]
        for r in prng.sample(ports, min(cfg["to_pending_netixlan"], len(ports))):
            to_pending("netixlan", r)
        self.info["to_pending"] = {
            kind: sorted(i for i, r in self.changes[kind].items() if r["status"] == "pending")
            for kind in ("net", "netixlan")
        }

        # Updates: about 1 % of the remaining rows of every type.
        self.info["first_change_at_boundary_plus_1"] = None
        for kind in TYPES:
            rows = [r for r in live[kind] if r["id"] not in self.changes[kind]]
            if kind == "ixlan":
                rows = [r for r in rows if r["ix_id"] != gone_ix["id"]]
            if not rows:
                continue
            for r in rng.sample(rows, min(len(rows), count(cfg["upd_share"], len(live[kind])))):
                new = dict(r)
                self.mutate(rng, kind, new)
                new["updated"] = iso(self.change_stamp())
                self.changes[kind][r["id"]] = new
        # The earliest change is exactly one second after the boundary.
        first_net = min(self.changes["net"].values(), key=lambda r: r["id"])
        first_net["updated"] = iso(BOUNDARY + 1)
        self.info["first_change_at_boundary_plus_1"] = {"type": "net", "id": first_net["id"]}

        self.build_inserts(rng, live, gone_ix, gone_net_ids, gone_fac_ids)

    def mutate(self, rng, kind, row):
        if kind == "org":
            row["name"] = f"{row['name']} Group"
            row["website"] = f"https://www.example.net/org/{row['id']}/new"
        elif kind == "fac":
            row["name"] = f"{row['name']} Annex"
            row["notes"] = "Expanded."
        elif kind == "ix":
            row["name"] = f"{row['name']} (renamed)"
            row["url_stats"] = f"https://www.example.net/ix/{row['id']}/graphs"
        elif kind == "ixlan":
            row["mtu"] = 9000 if row["mtu"] == 1500 else 1500
        elif kind == "ixpfx":
            row["in_dfz"] = not row["in_dfz"]
        elif kind == "net":
            row["name"] = f"{row['name']} Renamed"
            p4 = row["info_prefixes4"] or 0
            row["info_prefixes4"] = p4 + rng.randint(1, 500)
            row["info_prefixes6"] = (row["info_prefixes6"] or 0) + rng.randint(0, 50)
            row["policy_general"] = rng.choice(("Open", "Selective", "Restrictive"))
        elif kind == "netixlan":
            row["speed"] = 400000 if row["speed"] >= 100000 else row["speed"] * 10
            row["is_rs_peer"] = not row["is_rs_peer"]
        elif kind == "poc":
            row["role"] = weighted(rng, POC_ROLES)
            row["email"] = f"changed+{row['id']}@example.com"
        elif kind in ("ixfac", "netfac", "carrierfac"):
            pass  # touched: only the timestamp moves
        elif kind == "carrier":
            row["notes"] = "Updated."

    def build_inserts(self, rng, live, gone_ix, gone_net_ids, gone_fac_ids):
        cfg = self.cfg
        ins = lambda n: max(1, round(cfg["ins_share"] * n))
        stamp = lambda: (lambda t: (t, t))(self.change_stamp())

        def record(kind, row):
            self.changes[kind][row["id"]] = row

        # New organisations, some of which bring a new network.
        new_orgs = []
        for _ in range(ins(len(live["org"]))):
            oid = self.ids["org"]()
            t = self.change_stamp()
            org = {
                "id": oid, "name": f"{rng.choice(ORG_WORDS)} Newcomer {oid} Ltd",
                "aka": "", "name_long": "", "website": f"https://www.example.net/org/{oid}",
                "notes": "", "address1": "1 Example Street", "city": "Frankfurt",
                "country": "DE", "state": "", "zipcode": "60311",
                "latitude": 50.11, "longitude": 8.68,
                "created": iso(t), "updated": iso(t), "status": "ok",
            }
            self.t0["org"][oid] = t
            self.org_base[oid] = "Newcomer Networks"
            self.by_id["org"][oid] = org
            new_orgs.append(org)
            record("org", org)
        n_new_nets = max(2, ins(len(live["net"])))
        owners = new_orgs[: n_new_nets - n_new_nets // 2] + rng.sample(
            [o for o in self.net_orgs if o["status"] == "ok"], n_new_nets // 2)
        new_nets = []
        new_net_ids = set()
        joined_by_new = []
        for org in owners:
            asn = self.spare_asns.pop()
            net = self.new_net(rng, org, asn, stamp=stamp())
            self.rows["net"].pop()
            record("net", net)
            new_nets.append(net)
            new_net_ids.add(net["id"])

        # A new facility.
        for _ in range(max(1, cfg["del_facs"])):
            fac = self.new_fac(rng, stamp=stamp())
            self.rows["fac"].pop()
            record("fac", fac)

        # A new exchange with its LAN, prefixes, a facility and members.
        index = len(self.rows["ix"])
        xid = self.new_ix(rng, 6, True, index + 1, stamp=stamp())
        new_ix = self.by_id["ix"][xid]
        for kind in ("ix", "ixlan"):
            record(kind, self.rows[kind].pop())
        for r in [r for r in self.rows["ixpfx"] if r["ixlan_id"] == self.ixlan_of_ix[xid]]:
            self.rows["ixpfx"].remove(r)
            record("ixpfx", r)
        self.ix_facs[xid] = []
        for fac in self.pick_facs(rng, self.ix_city[xid][0], 2, exclude=gone_fac_ids):
            row = self.new_ixfac(new_ix, fac, stamp=stamp())
            self.rows["ixfac"].pop()
            record("ixfac", row)

        def add_netixlan(ix, net):
            _, s = self.next_host(ix["id"])
            a4, a6 = self.addresses(ix["id"], s)
            row = self.new_netixlan(rng, ix, net, a4, a6, stamp=stamp())
            self.rows["netixlan"].pop()
            record("netixlan", row)
            if net["id"] in new_net_ids:
                joined_by_new.append(row["id"])
            return row

        alive_nets = [n for n in live["net"] if n["id"] not in gone_net_ids
                      and n["info_type"] != "Route Server"]
        for net in rng.sample(alive_nets, min(3, len(alive_nets))) + new_nets[:1]:
            add_netixlan(new_ix, net)

        # Members joining existing exchanges: new networks first.
        open_ixes = [ix for ix in live["ix"] if ix["id"] != gone_ix["id"]]
        for net in new_nets:
            for ix in rng.sample(open_ixes, min(len(open_ixes), 2)):
                add_netixlan(ix, net)
        for _ in range(ins(len(live["netixlan"]))):
            add_netixlan(rng.choice(open_ixes), rng.choice(alive_nets))
        self.info["netixlan_of_new_nets"] = sorted(joined_by_new)
        self.info["new_ix_id"] = xid
        self.info["new_net_ids"] = sorted(n["id"] for n in new_nets)

        # Contacts and facility presence, for new and existing networks.
        alive_facs = [f for f in live["fac"] if f["id"] not in gone_fac_ids]
        for net in new_nets + rng.sample(alive_nets, min(len(alive_nets), ins(len(live["poc"])))):
            record("poc", self.new_poc(rng, net, stamp=stamp()))
            self.rows["poc"].pop()
        for net in new_nets + rng.sample(alive_nets, min(len(alive_nets), ins(len(live["netfac"])))):
            taken = self.net_facs.get(net["id"], set())
            choices = [f for f in rng.sample(alive_facs, min(len(alive_facs), 20)) if f["id"] not in taken]
            if choices:
                record("netfac", self.new_netfac(net, choices[0], stamp=stamp()))
                self.rows["netfac"].pop()

    # ---------------------------------------------------------------- output

    def final_rows(self):
        final = {}
        for kind in TYPES:
            merged = {r["id"]: r for r in self.rows[kind]}
            merged.update(self.changes[kind])
            final[kind] = [merged[i] for i in sorted(merged) if merged[i]["status"] != "deleted"]
        return final


def dump_rows(path: str, rows):
    # One encoder call for the whole list, then one row per line: every row
    # starts with "id", and '},{"id"' cannot occur inside a JSON string
    # (its quote would be escaped).
    body = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    if rows:
        body = '[\n' + body[1:-1].replace('},{"id":', '},\n{"id":') + '\n]'
    body = '{"data":' + body + "}\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(body)


def write(dataset: Dataset, out: str, changes: bool):
    os.makedirs(out, exist_ok=True)
    for kind in TYPES:
        rows = sorted(dataset.rows[kind], key=lambda r: r["id"])
        dump_rows(os.path.join(out, f"{kind}.json"), rows)
    manifest = {
        "generator": "tests/peeringdb/generate.py",
        "size": dataset.size,
        "seed": dataset.seed,
        "boundary": {"unix": BOUNDARY, "iso": iso(BOUNDARY)},
        "base": {
            kind: {
                "ok": sum(1 for r in dataset.rows[kind] if r["status"] == "ok"),
                "pending": sum(1 for r in dataset.rows[kind] if r["status"] == "pending"),
                "deleted": sum(1 for r in dataset.rows[kind] if r["status"] == "deleted"),
                "max_id": max((r["id"] for r in dataset.rows[kind]), default=0),
            }
            for kind in TYPES
        },
        "base_tombstones": dataset.tombstoned,
        "members": dataset.member_stats(),
        "edge_cases": dataset.edge_cases,
        "lookup_cases": dataset.lookup_cases,
    }
    if changes:
        dataset.build_changes()
        os.makedirs(os.path.join(out, "changes"), exist_ok=True)
        os.makedirs(os.path.join(out, "expected-final"), exist_ok=True)
        base_ids = {kind: {r["id"] for r in dataset.rows[kind]} for kind in TYPES}
        summary = {}
        stamps = []
        for kind in TYPES:
            rows = [dataset.changes[kind][i] for i in sorted(dataset.changes[kind])]
            dump_rows(os.path.join(out, "changes", f"{kind}.json"), rows)
            stamps += [r["updated"] for r in rows]
            summary[kind] = {
                "updated": sum(1 for r in rows if r["status"] == "ok" and r["id"] in base_ids[kind]),
                "pending": sum(1 for r in rows if r["status"] == "pending"),
                "inserted": sum(1 for r in rows if r["id"] not in base_ids[kind]),
                "deleted": sum(1 for r in rows if r["status"] == "deleted"),
            }
        final = dataset.final_rows()
        for kind in TYPES:
            dump_rows(os.path.join(out, "expected-final", f"{kind}.json"), final[kind])
        manifest["changes"] = {
            "counts": summary,
            "min_updated": min(stamps),
            "max_updated": max(stamps),
            **dataset.info,
        }
        manifest["final"] = {kind: len(final[kind]) for kind in TYPES}
    with open(os.path.join(out, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2, ensure_ascii=False, sort_keys=True)
        f.write("\n")
    return manifest


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", required=True, help="output folder (created)")
    parser.add_argument("--changes", action="store_true",
                        help="also write changes/, expected-final/ and the change counts")
    args = parser.parse_args(argv)
    started = time.monotonic()
    dataset = Dataset(args.size, args.seed)
    dataset.build()
    manifest = write(dataset, args.out, args.changes)
    m = manifest["members"]
    rows, nets = m["netixlan_per_ix"], m["distinct_nets_per_ix"]
    counts = ", ".join(f"{k} {v['ok']}" for k, v in manifest["base"].items())
    print(f"wrote {args.out} ({args.size}, seed {args.seed}) in {time.monotonic() - started:.1f} s")
    print(f"base: {counts}")
    print(f"netixlan per ix: median {rows['median']}, p90 {rows['p90']}, max {rows['max']}, total {rows['total']}")
    print(f"networks per ix: median {nets['median']}, p90 {nets['p90']}, max {nets['max']}")
    if args.changes:
        c = manifest["changes"]["counts"]
        print("changes: " + ", ".join(
            f"{k} +{v['inserted']}/~{v['updated']}/-{v['deleted']}" for k, v in c.items() if any(v.values())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
