"""`make bench`: the figures of SPEC §6 on PostgreSQL, each next to a raw PostgreSQL
baseline measured in the same run.

It (re)creates the database named by BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/oms_bench; the name must contain "bench"),
migrates it, builds the data set with set-based SQL (5,000 SKUs × 500 stock points
= 2.5 million stock levels), then measures through the services and through the
API (in-process WSGI with Django's test client: no socket, no gunicorn), and orders
through a real gunicorn with concurrent HTTP clients (the SPEC's first target).
BENCH_ONLY=feed,availability,reservations,orders picks sections.
See bench/README.md for the knobs.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import math
import os
import platform
import random
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/oms_bench")
SKUS = int(os.environ.get("BENCH_SKUS", "5000"))
POINTS = int(os.environ.get("BENCH_STOCK_POINTS", "500"))
FEED_ROWS = int(os.environ.get("BENCH_FEED_ROWS", "50000"))
FEED_RUNS = int(os.environ.get("BENCH_FEED_RUNS", "3"))
ITERATIONS = int(os.environ.get("BENCH_ITERATIONS", "200"))
WARM_UP = 20
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
HOT_SKUS = 4
HOT_UNITS = 500  # on hand of each hot SKU; stores keep 2 back
# Orders through a real HTTP server (gunicorn), SPEC §6's first target.
ORDER_CLIENTS = int(os.environ.get("BENCH_ORDER_CLIENTS", "16"))
ORDER_SECONDS = float(os.environ.get("BENCH_ORDER_SECONDS", "20"))
GUNICORN_ARGS = os.environ.get("BENCH_GUNICORN", "--workers 3 --worker-class gthread --threads 4")
# Outbox tasks are queued in this Redis database (flushed at the end) so that the
# measure is the capture; "" runs them eagerly in the request, after the commit.
ORDER_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
ORDER_HOT_SKUS = 5
ORDER_TARGET = 300
SECTIONS = ("feed", "availability", "reservations", "orders")
ONLY = [name.strip() for name in os.environ.get("BENCH_ONLY", ",".join(SECTIONS)).split(",") if name.strip()]
if not ONLY or set(ONLY) - set(SECTIONS):
    sys.exit(f"BENCH_ONLY: a comma list of {', '.join(SECTIONS)} (got {os.environ.get('BENCH_ONLY')!r}).")

os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")
os.environ.setdefault("DEBUG", "false")  # production-like: no query log
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("LOG_LEVEL", "ERROR")

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

STORE_CODE = "ST-B-{:04d}"
SKU_CODE = "B-{:06d}"


def point_code(number: int) -> str:
    return {1: "WH-BENCH", 2: "SUP-BENCH"}.get(number) or STORE_CODE.format(number)


# --- The database ---------------------------------------------------------------------


def recreate_database(url: str) -> None:
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"Refusing to drop {name!r}: the bench database's name must contain 'bench'.")
    maintenance = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


BUILD = [
    """
    INSERT INTO inventory_stockpoint (code, name, kind, region, address_line1, address_line2,
        postal_code, city, country, latitude, longitude, services, opening_hours, closures,
        daily_capacity, processing_time_hours, priority, is_active, created_at, updated_at)
    SELECT CASE g WHEN 1 THEN 'WH-BENCH' WHEN 2 THEN 'SUP-BENCH' ELSE 'ST-B-' || lpad(g::text, 4, '0') END,
           'Bench stock point ' || g,
           CASE g WHEN 1 THEN 'warehouse' WHEN 2 THEN 'supplier' ELSE 'store' END,
           'Region ' || (g %% 12), '', '', lpad((10000 + g * 97 %% 85000)::text, 5, '0'), 'City ' || g, 'FR',
           43.0 + random() * 7.5, -1.5 + random() * 9.0,
           '["ship_from_store", "click_and_collect", "returns"]'::jsonb, '{}'::jsonb, '[]'::jsonb,
           100, 24, CASE g WHEN 1 THEN 10 ELSE 100 END, true, now(), now()
    FROM generate_series(1, %(points)s) g
    """,
    """
    INSERT INTO inventory_sku (code, ean, name, category, weight_grams, price, is_active, created_at, updated_at)
    SELECT 'B-' || lpad(g::text, 6, '0'), NULL, 'Bench SKU ' || g,
           (ARRAY['shirts', 'trousers', 'dresses', 'shoes', 'lamps'])[1 + g %% 5], 300, 29.90, true, now(), now()
    FROM generate_series(1, %(skus)s) g
    """,
    """
    INSERT INTO inventory_protectionrule (stock_point_kind, stock_point_id, category, sku_id, units,
        percent, note, updated_at)
    VALUES ('store', NULL, '', NULL, 2, 0, 'bench', now())
    """,
    # Stores: 30 % sold out, else 1-12 units; the warehouse deep, the supplier medium.
    """
    INSERT INTO inventory_stocklevel (sku_id, stock_point_id, on_hand, reserved, protection_units,
        protection_percent, counted_at, updated_at)
    SELECT s.id, p.id,
           CASE p.kind WHEN 'warehouse' THEN 50 + (random() * 500)::int
                       WHEN 'supplier' THEN (random() * 200)::int
                       ELSE CASE WHEN random() < 0.3 THEN 0 ELSE 1 + (random() * 11)::int END END,
           0, CASE p.kind WHEN 'store' THEN 2 ELSE 0 END, 0, NULL, now()
    FROM inventory_sku s CROSS JOIN inventory_stockpoint p
    ORDER BY s.id, p.id
    """,
    """
    INSERT INTO inventory_futurestock (sku_id, stock_point_id, quantity, reserved, expected_date,
        reference, is_received, created_at)
    SELECT s.id, (SELECT id FROM inventory_stockpoint WHERE code = 'WH-BENCH'), 100, 0,
           current_date + (3 + s.id %% 30)::int, 'PO-BENCH-' || (s.id %% 20), false, now()
    FROM inventory_sku s WHERE s.id %% 10 = 0
    """,
    """
    INSERT INTO oms_channel (code, name, accepts_preorders, order_prefix, is_active)
    VALUES ('web', 'Web shop', false, '', true), ('app', 'Mobile app', false, '', true)
    """,
]


def build_data_set() -> float:
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for statement in BUILD:
            cursor.execute(statement, {"points": POINTS, "skus": SKUS})
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


# --- Measuring --------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def timed(call: Callable[[], object], iterations: int) -> list[float]:
    """Milliseconds of each call, after a warm-up."""
    for _ in range(WARM_UP):
        call()
    durations = []
    for _ in range(iterations):
        started = time.perf_counter()
        call()
        durations.append((time.perf_counter() - started) * 1000)
    return durations


@dataclass
class Row:
    what: str
    figure: str
    target: str = ""
    baseline: str = ""
    ratio: str = ""
    result: str = ""


def rate_row(
    what: str, rate: float | None, target: float | None, baseline: float | None, note: str = ""
) -> Row:
    if rate is None:
        return Row(what, f"n/a {note}".strip(), f"≥ {target:,.0f}/s" if target else "")
    return Row(
        what,
        f"{rate:,.0f}/s",
        f"≥ {target:,.0f}/s" if target else "",
        f"{baseline:,.0f}/s" if baseline else "",
        f"{rate / baseline:.2f}× raw" if baseline else "",
        ("PASS" if rate >= target else "FAIL") if target else "",
    )


def latency_rows(
    what: str, durations: list[float] | None, target: float | None, raw_p95: float | None, note=""
):
    if durations is None:
        return [Row(f"{what} p95", f"n/a {note}".strip(), f"≤ {target:g} ms" if target else "")]
    p50, p95 = percentile(durations, 0.50), percentile(durations, 0.95)
    return [
        Row(f"{what} p50", f"{p50:.2f} ms"),
        Row(
            f"{what} p95",
            f"{p95:.2f} ms",
            f"≤ {target:g} ms" if target else "",
            f"{raw_p95:.2f} ms" if raw_p95 else "",
            f"{p95 / raw_p95:.1f}× raw" if raw_p95 else "",
            ("PASS" if p95 <= target else "FAIL") if target else "",
        ),
    ]


def feed_items(run: int, *, seed: int) -> list[tuple[str, str, int]]:
    """FEED_ROWS distinct (stock point, SKU) pairs: 100 stores × a block of SKUs per run."""
    rng = random.Random(seed)
    stores = [point_code(number) for number in range(3, 103)]
    per_store = FEED_ROWS // len(stores)
    first = (run * per_store) % max(1, SKUS - per_store)
    return [
        (store, SKU_CODE.format(first + offset + 1), rng.randint(0, 20))
        for store in stores
        for offset in range(per_store)
    ]


def bench_feed_service() -> list[float]:
    from inventory.services.feeds import ABSOLUTE, FeedItem, apply_feed
    from oms.core.actors import Actor

    actor = Actor.system("bench")
    apply_feed(ABSOLUTE, [FeedItem(*row) for row in feed_items(90, seed=90)[:1000]], actor=actor)
    rates = []
    for run in range(FEED_RUNS):
        items = [FeedItem(*row) for row in feed_items(run, seed=run)]
        started = time.perf_counter()
        result = apply_feed(ABSOLUTE, items, actor=actor, reference=f"bench-{run}")
        rates.append(result.applied / (time.perf_counter() - started))
    return rates


def bench_feed_raw(ids: dict[str, int]) -> list[float]:
    from django.db import connection, transaction

    rates = []
    for run in range(FEED_RUNS):
        rows = feed_items(run, seed=100 + run)
        columns = (
            [ids[sku] for _p, sku, _q in rows],
            [ids[point] for point, _s, _q in rows],
            [quantity for _p, _s, quantity in rows],
        )
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO inventory_stocklevel (sku_id, stock_point_id, on_hand, reserved,"
                " protection_units, protection_percent, updated_at)"
                " SELECT r.sku_id, r.point_id, r.quantity, 0, 0, 0, now()"
                " FROM unnest(%s::bigint[], %s::bigint[], %s::int[]) AS r(sku_id, point_id, quantity)"
                " ON CONFLICT (sku_id, stock_point_id)"
                " DO UPDATE SET on_hand = EXCLUDED.on_hand, updated_at = EXCLUDED.updated_at",
                columns,
            )
        rates.append(len(rows) / (time.perf_counter() - started))
    return rates


def bench_feed_http(client, token: str) -> tuple[list[float] | None, str]:
    rates = []
    for run in range(FEED_RUNS):
        rows = feed_items(run + 3, seed=200 + run)
        body = json.dumps(
            {
                "mode": "absolute",
                "items": [{"stock_point": p, "sku": s, "quantity": q} for p, s, q in rows],
            }
        )
        started = time.perf_counter()
        response = client.post(
            "/api/v1/stock/feed/",
            data=body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
            secure=True,
        )
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            return None, f"(HTTP {response.status_code})"
        rates.append(response.json()["applied"] / elapsed)
    return rates, ""


def bench_availability(client, token: str, ids: dict[str, int]) -> list[Row]:
    from django.db import connection

    from inventory.selectors import availability

    rng = random.Random(7)
    codes = [SKU_CODE.format(number) for number in range(1, SKUS + 1)]

    def one() -> list[str]:
        return [rng.choice(codes)]

    def hundred() -> list[str]:
        return rng.sample(codes, 100)

    def http(pick: Callable[[], list[str]]) -> Callable[[], object]:
        def call():
            response = client.get(
                "/api/v1/availability/",
                {"sku": pick(), "channel": "web"},
                HTTP_AUTHORIZATION=f"Token {token}",
                secure=True,
            )
            if response.status_code != 200:
                raise LookupError(response.status_code)

        return call

    def raw(pick: Callable[[], list[str]]) -> Callable[[], object]:
        def call():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT sku_id, sum(atp) FROM inventory_stocklevel WHERE sku_id = ANY(%s) GROUP BY sku_id",
                    [[ids[code] for code in pick()]],
                )
                cursor.fetchall()

        return call

    rows = []
    for label, pick, target, http_target in (
        (f"availability 1 SKU × {POINTS} points", one, 5, 15),
        ("availability 100 SKUs, one call", hundred, 30, 30),
    ):
        raw_p95 = percentile(timed(raw(pick), ITERATIONS), 0.95)
        service = timed(lambda pick=pick: availability(pick(), channel="web"), ITERATIONS)
        rows += latency_rows(f"{label}, service", service, target, raw_p95)
        try:
            over_http = timed(http(pick), ITERATIONS)
            note = ""
        except LookupError as status:
            over_http, note = None, f"(HTTP {status})"
        rows += latency_rows(f"{label}, HTTP", over_http, http_target, raw_p95, note)
    return rows


def hot_levels(first_sku: int, store: str) -> list[int]:
    """Give HOT_SKUS SKUs HOT_UNITS units at `store`, nothing reserved; their level ids."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE inventory_stocklevel l SET on_hand = %s, reserved = 0 FROM inventory_sku s, inventory_stockpoint p"
            " WHERE l.sku_id = s.id AND l.stock_point_id = p.id AND p.code = %s AND s.code = ANY(%s)"
            " RETURNING l.id",
            [HOT_UNITS, store, [SKU_CODE.format(first_sku + n) for n in range(HOT_SKUS)]],
        )
        return sorted(row[0] for row in cursor.fetchall())


def run_threads(work: Callable[[int], int], threads: int = THREADS) -> tuple[int, float]:
    """Run `work(thread_number)` on `threads` threads released together; (total, seconds)."""
    barrier = threading.Barrier(threads + 1)
    totals = [0] * threads
    errors: list[BaseException] = []

    def thread(number: int) -> None:
        try:
            barrier.wait()
            totals[number] = work(number)
        except BaseException as error:  # reported after the join
            errors.append(error)

    running = [threading.Thread(target=thread, args=(n,)) for n in range(threads)]
    for each in running:
        each.start()
    barrier.wait()
    started = time.perf_counter()
    for each in running:
        each.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return sum(totals), elapsed


def bench_reservations(first_sku: int, channel: str, store: str, threads: int) -> tuple[float, int, int]:
    """Reserve 1 unit at a time of the hot SKUs until none is left: (rate, held, oversell)."""
    from django.db import connection

    from inventory.errors import InsufficientStock
    from inventory.services.reservations import reserve_stock

    level_ids = hot_levels(first_sku, store)
    codes = [SKU_CODE.format(first_sku + n) for n in range(HOT_SKUS)]

    def work(number: int) -> int:
        left = list(codes)
        held = attempt = 0
        try:
            while left:
                attempt += 1
                code = left[attempt % len(left)]
                try:
                    reserve_stock(
                        code,
                        store,
                        1,
                        reference=f"bench-{channel}-{first_sku}-{number}-{attempt}",
                        channel=channel,
                    )
                    held += 1
                except InsufficientStock:
                    left.remove(code)
        finally:
            connection.close()
        return held

    held, elapsed = run_threads(work, threads)
    return held / elapsed, held, oversell(level_ids, channel)


def oversell(level_ids: list[int], channel: str) -> int:
    """Units promised beyond what could be: reserved over on hand − protection, or a
    channel's holds over its share (marketplace: half), or holds that disagree with
    `reserved`."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT l.on_hand, l.reserved, l.protection,"
            " (SELECT coalesce(sum(r.quantity), 0) FROM inventory_reservation r WHERE r.status = 'active'"
            "  AND r.sku_id = l.sku_id AND r.stock_point_id = l.stock_point_id AND r.channel = %s)"
            " FROM inventory_stocklevel l WHERE l.id = ANY(%s)",
            [channel, level_ids],
        )
        over = 0
        for on_hand, reserved, protection, holds in cursor.fetchall():
            limit = on_hand - protection if channel == "web" else (on_hand - protection) // 2
            over += max(0, reserved - (on_hand - protection)) + max(0, holds - limit) + abs(holds - reserved)
        return over


def bench_reservations_raw(first_sku: int, store: str) -> float:
    """Baseline: the same gate as plain SQL, one autocommit connection per thread."""
    level_ids = hot_levels(first_sku, store)

    def work(number: int) -> int:
        held = attempt = 0
        left = list(level_ids)
        with psycopg.connect(BENCH_URL, autocommit=True) as conn:
            while left:
                attempt += 1
                level_id = left[attempt % len(left)]
                cursor = conn.execute(
                    "UPDATE inventory_stocklevel SET reserved = reserved + 1 WHERE id = %s AND atp >= 1",
                    [level_id],
                )
                if cursor.rowcount == 1:
                    held += 1
                else:
                    left.remove(level_id)
        return held

    held, elapsed = run_threads(work)
    with psycopg.connect(BENCH_URL, autocommit=True) as conn:  # no Reservation rows: give back
        conn.execute("UPDATE inventory_stocklevel SET reserved = 0 WHERE id = ANY(%s)", [level_ids])
    return held / elapsed


def bench_all_reservations() -> list[Row]:
    from django.db import connection

    rows: list[Row] = []
    store = point_code(3)
    raw_reservations = bench_reservations_raw(1, store)
    for first_sku, channel, threads, label in (
        (11, "web", THREADS, "web: one conditional UPDATE"),
        (21, "marketplace:bench", THREADS, "marketplace, 50 % share: row lock"),
        (31, "web", 1, "web, no contention"),
    ):
        if channel != "web":
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO inventory_channelallocation (channel, stock_point_kind, stock_point_id,"
                    " is_excluded, share_percent, max_units, updated_at)"
                    " VALUES (%s, 'store', NULL, false, 50, NULL, now())",
                    [channel],
                )
        rate, held, over = bench_reservations(first_sku, channel, store, threads)
        row = rate_row(
            f"reservations, {threads} thread(s), {HOT_SKUS} hot SKUs, {label}", rate, 300, raw_reservations
        )
        row.result = f"{row.result}, oversell {over}" + ("" if over == 0 else " ✗")
        row.figure = f"{row.figure} ({held:,} held)"
        rows.append(row)
    return rows


# --- Orders through the HTTP API (SPEC §6: ≥ 300 orders/s, zero oversell) -----------------

CREATED, REFUSED, FAILED = "created", "refused", "failed"
PRICES = ("4.50", "9.90", "19.90", "29.90")
HOT_STORES = (10, 11, 12)  # stock points that also hold a little of each hot SKU
HOT_STORE_UNITS = 20  # of which the stores keep 2 back
RUN = f"{random.SystemRandom().randrange(36**4):04x}"  # in keys and references: unique per run


def order_skus(offset: int) -> list[str]:
    """A block of ORDER_HOT_SKUS SKU codes near the end of the catalogue, away from the
    SKUs the other sections touch: offset 0 warm-up, 10 measured, 20 raw, 30 probe."""
    first = SKUS - 50 + offset
    return [SKU_CODE.format(first + n) for n in range(ORDER_HOT_SKUS)]


def cold_skus() -> list[str]:
    return [SKU_CODE.format(number) for number in range(SKUS // 2, SKUS - 50)]


@dataclass
class OrderMix:
    """1-3 lines: the first always a hot SKU, the others hot 7 times in 10; hot lines
    of 1-2 units, cold lines of 1 (served by the warehouse, which has plenty)."""

    hot: list[str]
    cold: list[str]

    def lines(self, rng: random.Random) -> list[tuple[str, int, str]]:
        count = rng.randint(1, 3)
        chosen = [rng.choice(self.hot)]
        while len(chosen) < count:
            code = rng.choice(self.hot if rng.random() < 0.7 else self.cold)
            if code not in chosen:
                chosen.append(code)
        return [(code, rng.randint(1, 2) if code in self.hot else 1, rng.choice(PRICES)) for code in chosen]

    def hot_units_per_order(self) -> float:
        rng = random.Random(1)
        samples = 20_000
        hot = set(self.hot)
        units = sum(q for _ in range(samples) for code, q, _p in self.lines(rng) if code in hot)
        return units / samples


def order_json(lines: list[tuple[str, int, str]], reference: str, email: str) -> bytes:
    """The body of POST /api/v1/orders/ (tests/oms/test_api_orders.py `order_body`)."""
    from decimal import Decimal

    total = sum((Decimal(price) * quantity for _sku, quantity, price in lines), Decimal("0"))
    return json.dumps(
        {
            "channel": "web",
            "external_reference": reference,
            "customer": {
                "email": email,
                "first_name": "Camille",
                "last_name": "Bench",
                "phone": "0612345678",
            },
            "delivery": {
                "method": "home_delivery",
                "service": "standard",
                "address": {
                    "line1": "12 rue de la République",
                    "postal_code": "69002",
                    "city": "Lyon",
                    "country": "FR",
                    "latitude": 45.764,
                    "longitude": 4.8357,
                },
            },
            "lines": [
                {"sku": sku, "quantity": quantity, "unit_price": price} for sku, quantity, price in lines
            ],
            "payment": {"provider": "sandbox", "reference": f"auth-{reference}", "amount": f"{total:.2f}"},
        }
    ).encode()


def stock_order_skus(codes: list[str], warehouse_units: int, store_units: int) -> list[int]:
    """Hot SKUs: `warehouse_units` sellable at the warehouse, `store_units` on hand at a
    few stores (which keep 2 back), nothing anywhere else (units already reserved, if
    any, stay on hand and reserved). Returns the ids of their stocked levels."""
    from django.db import connection

    stores = [point_code(number) for number in HOT_STORES]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE inventory_stocklevel l SET on_hand = l.reserved + CASE WHEN p.code = 'WH-BENCH' THEN %s"
            " WHEN p.code = ANY(%s) THEN %s ELSE 0 END"
            " FROM inventory_sku s, inventory_stockpoint p"
            " WHERE l.sku_id = s.id AND l.stock_point_id = p.id AND s.code = ANY(%s) RETURNING l.id, l.on_hand",
            [warehouse_units, stores, store_units, codes],
        )
        return sorted(level_id for level_id, on_hand in cursor.fetchall() if on_hand)


@dataclass
class Traffic:
    """What the clients saw: each 201 as (finished at, milliseconds), and when each hot
    SKU was first reported sold out (a 409 naming it with nothing available)."""

    created: list[tuple[float, float]]
    refused: int = 0
    failed: int = 0
    errors: list[str] | None = None
    started: float = 0.0
    stopped: float = 0.0
    sold_out: dict[str, float] | None = None
    answered: int = 0  # 201s and 409s, when a CpuMeter ran
    finished: float = 0.0  # when the CpuMeter stopped

    @property
    def window(self) -> tuple[float, float]:
        """From the start to the first hot SKU sold out (or the stop): stock lasted."""
        end = min([self.stopped, *(self.sold_out or {}).values()])
        return self.started, end

    @property
    def in_window(self) -> list[float]:
        _start, end = self.window
        return [ms for done, ms in self.created if done <= end]

    @property
    def rate(self) -> float:
        start, end = self.window
        return len(self.in_window) / max(end - start, 1e-9)

    def sold_out_after(self, hot: list[str]) -> str:
        marks = self.sold_out or {}
        if len(marks) < len(hot):
            return f"{len(marks)}/{len(hot)} hot SKUs sold out after {self.stopped - self.started:.1f} s"
        return (
            f"hot SKUs sold out {min(marks.values()) - self.started:.1f}–"
            f"{max(marks.values()) - self.started:.1f} s"
        )


def drive(
    open_client: Callable[[int], object],
    mix: OrderMix,
    seconds: float,
    prefix: str,
    meter: CpuMeter | None = None,
) -> Traffic:
    """ORDER_CLIENTS threads, each with its own client (`place`, `close`), released
    together, placing orders until `seconds` have passed or every hot SKU is sold out."""
    stop = threading.Event()
    lock = threading.Lock()
    traffic = Traffic(created=[], errors=[], sold_out={})
    barrier = threading.Barrier(ORDER_CLIENTS + 1)
    problems: list[BaseException] = []
    hot = set(mix.hot)

    def client(number: int) -> None:
        try:
            session = open_client(number)
        except BaseException as error:
            problems.append(error)
            barrier.abort()
            return
        rng = random.Random(f"{prefix}-{number}")
        try:
            barrier.wait()
            count = 0
            while not stop.is_set():
                count += 1
                lines = mix.lines(rng)
                began = time.perf_counter()
                outcome, gone, detail = session.place(lines, f"{prefix}-{number}-{count}", rng)
                done = time.perf_counter()
                with lock:
                    if outcome == CREATED:
                        traffic.created.append((done, (done - began) * 1000))
                    elif outcome == REFUSED:
                        traffic.refused += 1
                        for code in gone:
                            if code in hot:
                                traffic.sold_out.setdefault(code, done)
                    else:
                        traffic.failed += 1
                        if len(traffic.errors) < 5:
                            traffic.errors.append(detail)
        except threading.BrokenBarrierError:
            pass
        except BaseException as error:
            problems.append(error)
        finally:
            session.close()

    running = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(ORDER_CLIENTS)]
    for each in running:
        each.start()
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        for each in running:
            each.join()
        raise problems[0] if problems else RuntimeError("a client could not start") from None
    traffic.started = time.perf_counter()
    if meter is not None:
        meter.start()
    while True:
        time.sleep(0.02)
        with lock:
            everything_gone = len(traffic.sold_out) >= len(mix.hot)
            too_many_errors = traffic.failed > 200
        if time.perf_counter() - traffic.started >= seconds or everything_gone or too_many_errors:
            break
    stop.set()
    traffic.stopped = time.perf_counter()
    if meter is not None:
        meter.stop()
        with lock:
            traffic.answered = len(traffic.created) + traffic.refused
        traffic.finished = time.perf_counter()
    for each in running:
        each.join()
    if problems:
        raise problems[0]
    return traffic


def cpu_of(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user + system) used so far by each of these processes (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            used[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return used


def children_of(parent: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == parent:
                    pids.append(int(entry.name))
    return pids


def postgres_pids() -> list[int]:
    """The bench database's backends and the server's background processes."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
            " AND (datname = current_database() OR backend_type <> 'client backend')"
        )
        return [row[0] for row in cursor.fetchall()]


@dataclass
class CpuMeter:
    """CPU used by gunicorn (master and workers), PostgreSQL (the bench database's
    backends and background processes) and this process (the clients) between
    `start` and `stop`: where the time of an order goes. Needs a local server."""

    server_pid: int | None = None
    used: dict[str, float] | None = None

    def sample(self) -> dict[str, dict[int, float]]:
        used = {}
        if self.server_pid:
            used["gunicorn"] = cpu_of([self.server_pid, *children_of(self.server_pid)])
        used["PostgreSQL"] = cpu_of(postgres_pids())
        used["clients"] = {0: time.process_time()}
        return used

    @staticmethod
    def machine() -> tuple[float, float]:
        """(busy, all) clock ticks of every core since boot (/proc/stat)."""
        with contextlib.suppress(OSError, ValueError):
            ticks = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
            return sum(ticks) - ticks[3] - ticks[4], sum(ticks)
        return 0.0, 0.0

    def start(self) -> None:
        self._first = self.sample()
        self._machine = self.machine()

    def stop(self) -> None:
        """Before the clients close their connections (their backends would be gone)."""
        last = self.sample()
        busy, every = self.machine()
        self.machine_busy = (busy - self._machine[0]) / max(every - self._machine[1], 1)
        self.used = {
            name: sum(seconds - self._first[name].get(pid, 0.0) for pid, seconds in processes.items())
            for name, processes in last.items()
        }

    def summary(self, traffic: Traffic) -> str:
        """CPU per answered order (201 or 409) of each part, and the share of the cores."""
        if not self.used or not traffic.answered:
            return "n/a"
        wall = traffic.finished - traffic.started
        parts = ", ".join(
            f"{name} {seconds * 1000 / traffic.answered:.1f} ms" for name, seconds in self.used.items()
        )
        busy = sum(self.used.values()) / (wall * (os.cpu_count() or 1))
        return (
            f"{parts}; together {busy:.0%} of the {os.cpu_count()} cores"
            f" (the whole machine: {self.machine_busy:.0%} busy)"
        )


class HttpOrders:
    """One client of the API: its own keep-alive connection, a token, a key per order."""

    def __init__(self, port: int, token: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }

    def place(self, lines, reference: str, rng: random.Random) -> tuple[str, list[str], str]:
        body = order_json(lines, reference, f"customer{rng.randrange(2000)}@bench.example")
        try:
            self.connection.request(
                "POST", "/api/v1/orders/", body, {**self.headers, "Idempotency-Key": reference}
            )
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            return FAILED, [], f"{type(error).__name__}: {error}"
        if response.status == 201:
            return CREATED, [], ""
        if response.status == 409:
            payload = json.loads(data)
            if payload.get("error") == "insufficient_stock":
                gone = [line["sku"] for line in payload.get("lines", []) if line.get("available") == 0]
                return REFUSED, gone, ""
        return FAILED, [], f"HTTP {response.status}: {data[:400].decode(errors='replace')}"

    def close(self) -> None:
        self.connection.close()


class RawOrders:
    """The baseline: per order, one transaction on its own connection (not autocommit):
    INSERT the order into a scratch table, the conditional UPDATE of each line's level
    (in id order), INSERT the holds into a scratch table, COMMIT."""

    def __init__(self, levels: dict[str, int]) -> None:
        self.levels = levels
        self.connection = psycopg.connect(BENCH_URL, autocommit=False)

    def place(self, lines, reference: str, rng: random.Random) -> tuple[str, list[str], str]:
        from decimal import Decimal

        total = sum((Decimal(price) * quantity for _sku, quantity, price in lines), Decimal("0"))
        held = sorted((self.levels[code], quantity) for code, quantity, _price in lines)
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO bench_raw_order (reference, total, created_at) VALUES (%s, %s, now()) RETURNING id",
                    [reference, total],
                )
                order_id = cursor.fetchone()[0]
                for level_id, quantity in held:
                    cursor.execute(
                        "UPDATE inventory_stocklevel SET reserved = reserved + %s WHERE id = %s AND atp >= %s",
                        [quantity, level_id, quantity],
                    )
                    if cursor.rowcount != 1:
                        self.connection.rollback()
                        return REFUSED, [], ""
                cursor.execute(
                    "INSERT INTO bench_raw_reservation (order_id, level_id, quantity)"
                    " SELECT %s, level_id, quantity FROM unnest(%s::bigint[], %s::int[]) AS h(level_id, quantity)",
                    [order_id, [level for level, _q in held], [quantity for _l, quantity in held]],
                )
            self.connection.commit()
        except psycopg.Error as error:
            self.connection.rollback()
            return FAILED, [], f"{type(error).__name__}: {error}"
        return CREATED, [], ""

    def close(self) -> None:
        self.connection.close()


def bench_orders_raw(seconds: float) -> tuple[Traffic, CpuMeter]:
    """The raw baseline on its own hot SKUs (stocked so that they last), then every
    unit it reserved is given back and the scratch tables dropped."""
    from django.db import connection

    hot = order_skus(20)
    stock_order_skus(hot, 10_000_000, 0)
    mix = OrderMix(hot, cold_skus())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.code, l.id FROM inventory_stocklevel l JOIN inventory_sku s ON s.id = l.sku_id"
            " JOIN inventory_stockpoint p ON p.id = l.stock_point_id WHERE p.code = 'WH-BENCH' AND s.code = ANY(%s)",
            [mix.hot + mix.cold],
        )
        levels = dict(cursor.fetchall())
        cursor.execute("DROP TABLE IF EXISTS bench_raw_reservation, bench_raw_order")
        cursor.execute(
            "CREATE TABLE bench_raw_order (id bigserial PRIMARY KEY, reference text NOT NULL UNIQUE,"
            " total numeric(12, 2) NOT NULL, created_at timestamptz NOT NULL)"
        )
        cursor.execute(
            "CREATE TABLE bench_raw_reservation (id bigserial PRIMARY KEY,"
            " order_id bigint NOT NULL REFERENCES bench_raw_order (id),"
            " level_id bigint NOT NULL REFERENCES inventory_stocklevel (id), quantity int NOT NULL)"
        )
    meter = CpuMeter()
    try:
        traffic = drive(lambda _number: RawOrders(levels), mix, seconds, f"raw-{RUN}", meter)
        return traffic, meter
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE inventory_stocklevel l SET reserved = l.reserved - h.units"
                " FROM (SELECT level_id, sum(quantity) AS units FROM bench_raw_reservation GROUP BY level_id) h"
                " WHERE l.id = h.level_id"
            )
            cursor.execute("DROP TABLE bench_raw_reservation, bench_raw_order")


def redis_for_tasks() -> str:
    """ORDER_REDIS_URL if it answers, else "" (tasks then run eagerly in the request)."""
    if not ORDER_REDIS_URL:
        return ""
    try:
        import redis

        redis.Redis.from_url(ORDER_REDIS_URL, socket_connect_timeout=1).ping()
    except Exception as error:  # noqa: BLE001 - any failure means: no Redis
        print(f"  Redis {ORDER_REDIS_URL} does not answer ({error}): outbox tasks run eagerly.", flush=True)
        return ""
    return ORDER_REDIS_URL


def flush_redis(url: str) -> None:
    if url:
        import redis

        redis.Redis.from_url(url).flushdb()


@contextlib.contextmanager
def gunicorn(redis_url: str, token: str):
    """gunicorn serving oms.wsgi on the bench database, on a free local port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": BENCH_URL,
        "DEBUG": "false",
        "SECRET_KEY": os.environ["SECRET_KEY"],
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "ERROR",
        "CELERY_TASK_ALWAYS_EAGER": "false" if redis_url else "true",
        "REDIS_URL": redis_url,
    }
    command = [sys.executable, "-m", "gunicorn", "oms.wsgi", "--bind", f"127.0.0.1:{port}"]
    command += [*shlex.split(GUNICORN_ARGS), "--log-level", "warning"]
    log = tempfile.NamedTemporaryFile("w+", prefix="bench-gunicorn-", suffix=".log")  # noqa: SIM115
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                sys.exit(f"gunicorn did not start ({' '.join(command)}):\n{log.read()[-3000:]}")
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                probe.request(
                    "GET", "/api/v1/orders/?page_size=1", headers={"Authorization": f"Token {token}"}
                )
                status = probe.getresponse().status
                probe.close()
                if status != 200:
                    log.seek(0)
                    sys.exit(f"gunicorn answers {status} to GET /api/v1/orders/:\n{log.read()[-3000:]}")
                break
            except OSError:
                time.sleep(0.2)
        yield port, process.pid
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.seek(0)
        # Django logs each 409 as a warning ("Conflict: /api/v1/orders/"): expected here.
        lines = [
            line for line in log.read().splitlines() if line.strip() and not line.startswith("Conflict: ")
        ]
        if lines:
            print("  gunicorn log (last lines):\n    " + "\n    ".join(lines[-20:]), flush=True)
        log.close()


def bench_orders_http(token: str, redis_url: str) -> tuple[Traffic, list[str], float, CpuMeter]:
    """A warm-up on its own hot SKUs, then the measure on hot SKUs stocked for about
    ORDER_SECONDS at the warm-up's rate: the clients stop when they are all sold out
    (or after 1.5 × ORDER_SECONDS). Returns the traffic, its hot SKUs, the warm-up rate
    and the CPU the run used."""
    cold = cold_skus()
    with gunicorn(redis_url, token) as (port, server_pid):
        warm = OrderMix(order_skus(0), cold)
        stock_order_skus(warm.hot, 1_000_000, 0)
        warm_up = drive(lambda _number: HttpOrders(port, token), warm, 6, f"bench-warm-{RUN}")
        if warm_up.failed:
            print(f"  warm-up: {warm_up.failed} failed, e.g. {warm_up.errors[:2]}", flush=True)
        # The workers boot and warm up in the first seconds: the rate of the last 3.
        settled = warm_up.stopped - 3
        warm_rate = sum(1 for done, _ms in warm_up.created if done >= settled) / 3
        mix = OrderMix(order_skus(10), cold)
        per_sku = warm_rate * ORDER_SECONDS * mix.hot_units_per_order() / len(mix.hot)
        sellable_in_stores = len(HOT_STORES) * (HOT_STORE_UNITS - 2)
        stock_order_skus(mix.hot, max(100, round(per_sku) - sellable_in_stores), HOT_STORE_UNITS)
        meter = CpuMeter(server_pid)
        traffic = drive(
            lambda _number: HttpOrders(port, token), mix, 1.5 * ORDER_SECONDS, f"bench-orders-{RUN}", meter
        )
    return traffic, mix.hot, warm_rate, meter


def order_checks() -> dict[str, int]:
    """Zero oversell, over the whole database: rows that break a rule (0 everywhere is a pass)."""
    from django.db import connection

    checks = {
        "levels with reserved > on hand − protection": (
            "SELECT count(*) FROM inventory_stocklevel WHERE reserved > greatest(on_hand - protection, 0)"
        ),
        "levels whose reserved ≠ their active holds": (
            "WITH holds AS (SELECT sku_id, stock_point_id, sum(quantity) AS units FROM inventory_reservation"
            "  WHERE status = 'active' AND future_stock_id IS NULL GROUP BY sku_id, stock_point_id),"
            " levels AS (SELECT sku_id, stock_point_id, reserved FROM inventory_stocklevel WHERE reserved <> 0)"
            " SELECT count(*) FROM levels l FULL JOIN holds h"
            "  ON h.sku_id = l.sku_id AND h.stock_point_id = l.stock_point_id"
            " WHERE coalesce(l.reserved, 0) <> coalesce(h.units, 0)"
        ),
        "incoming stock over-reserved or ≠ its holds": (
            "SELECT count(*) FROM inventory_futurestock f WHERE f.reserved > f.quantity OR f.reserved <>"
            " (SELECT coalesce(sum(r.quantity), 0) FROM inventory_reservation r"
            "  WHERE r.future_stock_id = f.id AND r.status = 'active')"
        ),
        "order lines whose active holds ≠ open quantity": (
            "SELECT count(*) FROM oms_orderline ol JOIN oms_order o ON o.id = ol.order_id"
            " LEFT JOIN (SELECT reference, sum(quantity) AS units FROM inventory_reservation"
            "  WHERE status = 'active' GROUP BY reference) h ON h.reference = o.number || '/' || ol.line_number"
            " WHERE coalesce(h.units, 0) <> ol.quantity - ol.cancelled_quantity"
        ),
        "order holds without an order line": (
            "SELECT count(*) FROM inventory_reservation r"
            " LEFT JOIN (SELECT o.number || '/' || ol.line_number AS reference FROM oms_orderline ol"
            "  JOIN oms_order o ON o.id = ol.order_id) x ON x.reference = r.reference"
            " WHERE r.status = 'active' AND r.reference LIKE '%%/%%' AND x.reference IS NULL"
        ),
    }
    results = {}
    with connection.cursor() as cursor:
        for label, query in checks.items():
            cursor.execute(query)
            results[label] = cursor.fetchone()[0]
    return results


def orders_in_database(prefix: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM oms_order WHERE external_reference LIKE %s", [f"{prefix}-%"])
        return cursor.fetchone()[0]


def probe_order_capture(client, token: str, user_id: int) -> list[str]:
    """In-process, one thread: queries and time of one 3-line order (2 hot lines, 1
    cold) in `place_order` and through the whole POST (test client, no socket).
    The outbox's on-commit queueing is left out (it does not query)."""
    from unittest import mock

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from oms.core.actors import Actor
    from oms.orders.serializers import OrderIn
    from oms.services.capture import Idempotency, place_order, request_hash

    hot = order_skus(30)
    stock_order_skus(hot, 100_000, 0)
    cold = cold_skus()
    rng = random.Random(5)

    def lines():
        return [(hot[0], 1, "9.90"), (hot[1], 2, "19.90"), (rng.choice(cold), 1, "4.50")]

    def service(key: str) -> int:
        body = json.loads(order_json(lines(), key, f"probe{rng.randrange(50)}@bench.example"))
        serializer = OrderIn(data=body)
        serializer.is_valid(raise_exception=True)
        with CaptureQueriesContext(connection) as captured:
            place_order(
                serializer.to_command(),
                actor=Actor.system("bench"),
                idempotency=Idempotency(client_id=user_id, key=key, request_hash=request_hash(body)),
            )
        return len(captured)

    def over_http(key: str) -> int:
        body = order_json(lines(), key, f"probe{rng.randrange(50)}@bench.example")
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                "/api/v1/orders/",
                data=body,
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Token {token}",
                HTTP_IDEMPOTENCY_KEY=key,
                secure=True,
            )
        if response.status_code != 201:
            raise RuntimeError(f"probe order: HTTP {response.status_code} {response.content[:300]!r}")
        return len(captured)

    with mock.patch("oms.services.outbox.enqueue_on_commit"):
        counts = [service(f"probe-{RUN}-s-{n}") for n in range(30)]
        numbers = iter(range(1000))
        service_ms = timed(lambda: service(f"probe-{RUN}-s-t{next(numbers)}"), 50)
        http_counts = [over_http(f"probe-{RUN}-h-{n}") for n in range(30)]
        http_ms = timed(lambda: over_http(f"probe-{RUN}-h-t{next(numbers)}"), 50)
    return [
        f"One 3-line order in-process, one thread (no socket): place_order {statistics.median(service_ms):.1f} ms"
        f" and {max(counts)} queries; the whole POST {statistics.median(http_ms):.1f} ms and"
        f" {max(http_counts)} queries (medians; queries incl. savepoints)."
    ]


def bench_orders(client, token: str, user_id: int) -> tuple[list[Row], list[str]]:
    notes = probe_order_capture(client, token, user_id)
    redis_url = redis_for_tasks()
    raw, raw_meter = bench_orders_raw(min(10.0, ORDER_SECONDS))
    try:
        traffic, hot, warm_rate, meter = bench_orders_http(token, redis_url)
    finally:
        flush_redis(redis_url)
    checks = order_checks()
    created_total = len(traffic.created)
    stored = orders_in_database(f"bench-orders-{RUN}")
    over = sum(checks.values())
    label = f"ORDERS via HTTP (gunicorn), {ORDER_CLIENTS} clients, {ORDER_HOT_SKUS} hot SKUs — SPEC target"
    row = rate_row(label, traffic.rate, ORDER_TARGET, raw.rate)
    row.figure = f"{row.figure} ({len(traffic.in_window):,} orders)"
    row.result = f"{row.result}, oversell {over}" + ("" if over == 0 else " ✗")
    if stored != created_total:
        row.result += f", {stored:,} stored ≠ {created_total:,} created ✗"
    latency = (
        (percentile(traffic.in_window, 0.50), percentile(traffic.in_window, 0.95))
        if traffic.in_window
        else (math.nan, math.nan)
    )
    rows = [
        row,
        Row("  orders via HTTP: latency of a 201, p50 / p95", f"{latency[0]:.0f} / {latency[1]:.0f} ms"),
        Row(
            "  orders via HTTP: the whole run",
            f"{created_total:,} × 201, {traffic.refused:,} × 409, {traffic.failed} other",
            result="" if traffic.failed == 0 else "errors ✗",
        ),
    ]
    notes.append(
        f"Orders: {traffic.sold_out_after(hot)}; orders/s counts the 201s until the first hot SKU sold out"
        f" ({traffic.window[1] - traffic.window[0]:.1f} s; warm-up {warm_rate:,.0f}/s). Raw baseline:"
        f" {len(raw.in_window):,} orders in {raw.window[1] - raw.window[0]:.1f} s"
        f" ({raw.failed} failed), p95 {percentile(raw.in_window or [math.nan], 0.95):.1f} ms."
    )
    notes.append(f"CPU per answered request (201 or 409) through HTTP: {meter.summary(traffic)}.")
    notes.append(f"CPU per order of the raw baseline: {raw_meter.summary(raw)}.")
    notes.append(
        f"gunicorn {GUNICORN_ARGS}; outbox tasks "
        + (
            f"queued in Redis ({redis_url}, flushed at the end)."
            if redis_url
            else "run eagerly in the request."
        )
    )
    notes.append("Oversell checks: " + "; ".join(f"{label} {count}" for label, count in checks.items()) + ".")
    for error in traffic.errors[:5] + raw.errors[:3]:
        notes.append(f"  error: {error}")
    return rows, notes


# --- Report ---------------------------------------------------------------------------------


def machine() -> list[str]:
    from django import get_version
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    cpu = platform.processor() or "?"
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return [
        f"machine     {os.cpu_count()} cores, {cpu}; load average {load} (at the end)",
        f"software    PostgreSQL {pg}, Python {platform.python_version()}, Django {get_version()}",
    ]


def print_table(rows: list[Row]) -> None:
    header = Row("measure", "figure", "target (SPEC §6)", "raw PostgreSQL", "ratio", "result")
    table = [header, *rows]
    fields = ["what", "figure", "target", "baseline", "ratio", "result"]
    widths = {name: max(len(getattr(row, name)) for row in table) for name in fields}
    for number, row in enumerate(table):
        cells = [
            getattr(row, name).ljust(widths[name])
            if name == "what"
            else getattr(row, name).rjust(widths[name])
            for name in fields
        ]
        print("  ".join(cells).rstrip())
        if number == 0:
            print("  ".join("-" * widths[name] for name in fields))


def main() -> None:
    started = time.perf_counter()
    load_at_start = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"Bench database: {BENCH_URL} (recreated)", flush=True)
    recreate_database(BENCH_URL)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from oms.services.people import create_api_token

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0, interactive=False)
    build_seconds = build_data_set()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM inventory_stocklevel")
        levels = cursor.fetchone()[0]
        cursor.execute(
            "SELECT code, id FROM inventory_sku UNION ALL SELECT code, id FROM inventory_stockpoint"
        )
        ids = dict(cursor.fetchall())
    print(
        f"Data set: {SKUS:,} SKUs × {POINTS} stock points = {levels:,} stock levels, built in {build_seconds:.1f} s",
        flush=True,
    )

    token = create_api_token("bench", rotate=True)
    user_id = Token.objects.get(key=token).user_id
    client = Client()
    rows: list[Row] = []
    notes: list[str] = []

    if "feed" in ONLY:
        section = time.perf_counter()
        print("Measuring the absolute stock feed…", flush=True)
        raw_rate = statistics.median(bench_feed_raw(ids))
        service_rate = statistics.median(bench_feed_service())
        http_rates, note = bench_feed_http(client, token)
        feed_label = f"absolute feed, {FEED_ROWS:,} rows, median of {FEED_RUNS}"
        rows.append(rate_row(f"{feed_label}, service", service_rate, 50_000, raw_rate))
        rows.append(
            rate_row(
                f"{feed_label}, HTTP",
                statistics.median(http_rates) if http_rates else None,
                50_000,
                raw_rate,
                note,
            )
        )
        print(f"  {time.perf_counter() - section:.0f} s", flush=True)

    if "availability" in ONLY:
        section = time.perf_counter()
        print("Measuring availability…", flush=True)
        rows += bench_availability(client, token, ids)
        print(f"  {time.perf_counter() - section:.0f} s", flush=True)

    if "reservations" in ONLY:
        section = time.perf_counter()
        print("Measuring reservations…", flush=True)
        rows += bench_all_reservations()
        print(f"  {time.perf_counter() - section:.0f} s", flush=True)

    if "orders" in ONLY:
        section = time.perf_counter()
        print(f"Measuring orders through gunicorn ({ORDER_CLIENTS} clients)…", flush=True)
        order_rows, order_notes = bench_orders(client, token, user_id)
        rows += order_rows
        notes += order_notes
        print(f"  {time.perf_counter() - section:.0f} s", flush=True)

    print()
    print(f"OMS bench — {SKUS:,} SKUs × {POINTS} stock points ({levels:,} stock levels)")
    for line in machine():
        print(line)
    print(f"load avg    at start {load_at_start}")
    print()
    print_table(rows)
    print()
    print(
        "HTTP = in-process WSGI (django.test.Client: middleware, DRF, JSON) without a socket,\n"
        "except the orders rows: a real gunicorn on 127.0.0.1, keep-alive clients in this process.\n"
        "Reservations: one hold at a time through reserve_stock (a part of an order capture);\n"
        "the SPEC target (≥ 300/s) is for whole orders: see the orders row.\n"
        "Raw baselines: feed = one INSERT … ON CONFLICT DO UPDATE of the same number of rows;\n"
        "availability = SELECT sum(atp) … WHERE sku_id = ANY(…); reservations = the bare\n"
        "conditional UPDATE on autocommit connections; orders = per order one transaction\n"
        "(INSERT the order, the conditional UPDATE of each line, INSERT the holds) on as many\n"
        "connections as clients."
    )
    for note in notes:
        print(note)
    if set(SECTIONS) - set(ONLY):
        print(f"BENCH_ONLY={','.join(ONLY)}: the other sections were skipped.")
    print(f"Total bench time {time.perf_counter() - started:.0f} s; database left in place for inspection.")


if __name__ == "__main__":
    main()
