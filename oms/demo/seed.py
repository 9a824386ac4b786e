"""Seeding the demo retailer (`manage.py seed_demo`), one function per part.

Everything is written through the services, and everything is idempotent: rows
are matched on their natural keys (codes, rule scopes, usernames), stock is an
absolute feed, and the generated values are deterministic (hashes of the codes,
no clock but `today` for incoming dates), so a second run creates nothing new.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from stdnum import ean as gs1_ean

from inventory.models import (
    ChannelAllocation,
    FutureStock,
    ProtectionRule,
    Sku,
    StockLevel,
    StockPoint,
    StockPointKind,
)
from inventory.services.allocations import save_channel_allocation
from inventory.services.feeds import ABSOLUTE, FeedItem, FeedResult, apply_feed
from inventory.services.imports import ImportResult, import_skus, import_stock_points
from inventory.services.incoming import save_future_stock
from inventory.services.protection import save_protection_rule
from oms.core.actors import Actor
from oms.demo import data
from oms.demo.orders import seed_orders
from oms.models import Order
from oms.services.people import create_api_token, upsert_staff_user

DEFAULT_SKUS = 3000
ACTOR = Actor.system("seed_demo")


# --- Catalogue ----------------------------------------------------------------------


def ean13(first_twelve: str) -> str:
    """The 13-digit EAN of 12 digits, with its GS1 check digit (python-stdnum)."""
    return first_twelve + gs1_ean.calc_check_digit(first_twelve)


def is_valid_ean13(ean: str) -> bool:
    return len(ean) == 13 and gs1_ean.is_valid(ean)


def size_code(size: str) -> str:
    """The size as it appears in a SKU code: "140 × 200" → "140X200", "Ø 40 cm" → "D40"."""
    code = size.replace(" × ", "X").replace("Ø ", "D").replace(" cm", "").replace(" ans", "A")
    return code.replace("/", "-").replace(" ", "").upper()


@dataclass(frozen=True)
class DemoSku:
    code: str
    style: str  # the model and colour: a store carries a style in every size
    ean: str
    name: str
    category: str
    weight_grams: int
    price: Decimal
    popularity: float  # the middle sizes sell most: 0.35…1

    def as_row(self) -> dict[str, object]:
        return {
            "code": self.code,
            "ean": self.ean,
            "name": self.name,
            "category": self.category,
            "weight_grams": self.weight_grams,
            "price": self.price,
        }


def _variants(model: data.Model, first_item_number: int) -> list[DemoSku]:
    variants = []
    centre = (len(model.sizes) - 1) / 2
    for colour_rank, colour in enumerate(model.colours):
        for size_rank, size in enumerate(model.sizes):
            item_number = first_item_number + colour_rank * len(model.sizes) + size_rank
            parts = [model.name, data.COLOURS[colour]] + ([size] if size else [])
            code = f"ML-{model.code}-{colour}" + (f"-{size_code(size)}" if size else "")
            variants.append(
                DemoSku(
                    code=code,
                    style=f"{model.code}-{colour}",
                    ean=ean13(f"{data.EAN_COMPANY_PREFIX}{item_number:05d}"),
                    name=" — ".join(parts),
                    category=model.category,
                    weight_grams=model.weight_grams + 15 * size_rank,
                    price=Decimal(model.price),
                    popularity=max(0.35, 1 - abs(size_rank - centre) / (len(model.sizes) / 1.6)),
                )
            )
    return variants


def demo_catalogue(count: int = DEFAULT_SKUS) -> list[DemoSku]:
    """`count` SKUs taken in turn from every model, so that even a small catalogue
    has every category. The same SKU always has the same code and EAN."""
    per_model = []
    item_number = 0
    for model in data.MODELS:
        per_model.append(_variants(model, item_number))
        item_number += len(model.colours) * len(model.sizes)
    if count > item_number:
        raise ValueError(f"The demo catalogue has {item_number} SKUs at most.")
    chosen: list[DemoSku] = []
    rank = 0
    while len(chosen) < count:
        for variants in per_model:
            if rank < len(variants) and len(chosen) < count:
                chosen.append(variants[rank])
        rank += 1
    return chosen


# --- Stock ----------------------------------------------------------------------------


def _draw(*parts: str) -> float:
    """A deterministic number in [0, 1) for the given parts."""
    digest = hashlib.blake2b("|".join(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


# Stores carry fewer lamps and less home linen than clothes.
STORE_RANGE = {"lamps": 0.45, "home_linen": 0.6, "kids": 0.7}
WAREHOUSE_DEPTH = {"lamps": 60, "home_linen": 90, "accessories": 120, "shoes": 90}


def stock_snapshot(skus: list[DemoSku]) -> list[FeedItem]:
    """What the ERP would report: the warehouse deep (a few SKUs sold out and on
    order), the supplier's home linen, and each store its range (a share of the
    styles, in every size, that depends on the store's size), many sizes sold out."""
    items = []
    for sku in skus:
        if _draw(sku.code, "wh-out") < 0.03:
            on_hand = 0
        else:
            depth = WAREHOUSE_DEPTH.get(sku.category, 160)
            on_hand = 5 + int(depth * sku.popularity * (0.3 + 1.7 * _draw(sku.code, "wh")))
        items.append(FeedItem(data.WAREHOUSE_CODE, sku.code, on_hand))
        if sku.category in data.SUPPLIER_CATEGORIES:
            items.append(FeedItem(data.SUPPLIER_CODE, sku.code, 80 + int(420 * _draw(sku.code, "sup"))))
        for store in data.STORES:
            carried = store.tier.assortment * STORE_RANGE.get(sku.category, 1.0)
            if _draw(sku.style, store.code, "range") >= carried:
                continue
            if _draw(sku.code, store.code, "out") < 0.22:
                on_hand = 0
            else:
                bulky = 0.5 if sku.category in ("lamps", "home_linen") else 1.0
                spread = _draw(sku.code, store.code, "qty") ** 1.3
                on_hand = 1 + int(spread * 12 * store.tier.depth * sku.popularity * bulky)
            items.append(FeedItem(store.code, sku.code, on_hand))
    return items


PURCHASE_ORDERS = 8  # PO-ML-2401… each expected a few days after the previous one


def incoming_stock(skus: list[DemoSku], snapshot: list[FeedItem], today: date) -> list[dict]:
    """Purchase orders over the coming weeks: everything the warehouse has sold out
    of, a share of the rest, and a delivery of home linen to the supplier."""
    sold_out = {
        item.sku for item in snapshot if item.stock_point == data.WAREHOUSE_CODE and item.quantity == 0
    }
    lines = []
    for sku in skus:
        if sku.code in sold_out or _draw(sku.code, "po") < 0.07:
            order = int(_draw(sku.code, "po-number") * PURCHASE_ORDERS)
            lines.append(
                {
                    "reference": f"PO-ML-{2401 + order}",
                    "sku": sku.code,
                    "stock_point": data.WAREHOUSE_CODE,
                    "quantity": 10 * (6 + int(24 * _draw(sku.code, "po-qty"))),
                    "expected_date": today + timedelta(days=4 + 5 * order),
                }
            )
        if sku.category in data.SUPPLIER_CATEGORIES and _draw(sku.code, "asn") < 0.15:
            lines.append(
                {
                    "reference": "PO-TDN-0907",
                    "sku": sku.code,
                    "stock_point": data.SUPPLIER_CODE,
                    "quantity": 50 + 10 * int(20 * _draw(sku.code, "asn-qty")),
                    "expected_date": today + timedelta(days=12),
                }
            )
    return lines


# --- Seeding ---------------------------------------------------------------------------


def stock_point_rows() -> list[dict[str, object]]:
    rows = [dict(data.WAREHOUSE), dict(data.SUPPLIER)]
    for store in data.STORES:
        rows.append(
            {
                "code": store.code,
                "name": store.name,
                "kind": StockPointKind.STORE,
                "region": store.region,
                "address_line1": store.address,
                "postal_code": store.postal_code,
                "city": store.city,
                "latitude": store.latitude,
                "longitude": store.longitude,
                "services": data.store_services(store),
                "opening_hours": data.store_opening_hours(store),
                "daily_capacity": store.tier.daily_capacity,
                "processing_time_hours": store.tier.processing_time_hours,
                "priority": 100,
            }
        )
    return rows


def seed_protection(points: dict[str, StockPoint], skus: dict[str, Sku]) -> int:
    """Stores keep 2 units back, the flagship 3 (display); lamps 20 % everywhere
    (breakage); one per-level override: the display lamp of Lyon Part-Dieu."""
    rules = [
        {"stock_point_kind": StockPointKind.STORE, "units": 2, "note": "Display and stock inaccuracy"},
        {"stock_point": points["ST-PARIS-02"], "units": 3, "note": "Flagship: display stock"},
        {"category": "lamps", "percent": 20, "note": "Fragile: kept back for breakage"},
    ]
    display_lamp = skus.get("ML-LCHEV-LAI")
    if display_lamp is not None:
        rules.append(
            {
                "stock_point": points["ST-LYON-01"],
                "sku": display_lamp,
                "units": 1,
                "note": "Per-level override: the lamp on display",
            }
        )
    for values in rules:
        scope = {name: values.get(name) for name in ("stock_point", "sku")}
        scope.update({name: values.get(name, "") for name in ("stock_point_kind", "category")})
        rule = ProtectionRule.objects.filter(**scope).first() or ProtectionRule(**scope)
        amounts = {name: values.get(name, 0) for name in ("units", "percent")} | {"note": values["note"]}
        if rule.pk and all(getattr(rule, name) == value for name, value in amounts.items()):
            continue
        for name, value in amounts.items():
            setattr(rule, name, value)
        save_protection_rule(rule)
    return len(rules)


def seed_channel_allocations(points: dict[str, StockPoint]) -> int:
    """Web and app are fed by everything; Zalando gets half of the warehouse only;
    orders taken in store (endless aisle) and by the call centre come from the
    warehouse, the stores and the drop-ship supplier."""
    kinds = [StockPointKind.WAREHOUSE, StockPointKind.STORE, StockPointKind.SUPPLIER]
    wanted = [
        *({"channel": channel, "stock_point_kind": kind} for channel in ("web", "app") for kind in kinds),
        {"channel": "marketplace:zalando", "stock_point_kind": StockPointKind.WAREHOUSE, "share_percent": 50},
        *(
            {"channel": channel, "stock_point_kind": kind}
            for channel in ("store", "call_centre")
            for kind in kinds
        ),
    ]
    for values in wanted:
        scope = {
            "channel": values["channel"],
            "stock_point_kind": values["stock_point_kind"],
            "stock_point": None,
        }
        share = values.get("share_percent", 100)
        rule = ChannelAllocation.objects.filter(**scope).first() or ChannelAllocation(**scope)
        if rule.pk and (rule.share_percent, rule.is_excluded, rule.max_units) == (share, False, None):
            continue
        rule.share_percent, rule.is_excluded, rule.max_units = share, False, None
        save_channel_allocation(rule)
    return len(wanted)


def seed_incoming(lines: list[dict], points: dict[str, StockPoint], skus: dict[str, Sku]) -> int:
    existing = {
        (line.reference, line.sku_id, line.stock_point_id): line
        for line in FutureStock.objects.filter(
            reference__in={line["reference"] for line in lines}, is_received=False
        )
    }
    for line in lines:
        sku, point = skus[line["sku"]], points[line["stock_point"]]
        incoming = existing.get((line["reference"], sku.pk, point.pk)) or FutureStock(
            reference=line["reference"], sku=sku, stock_point=point
        )
        if incoming.pk and (incoming.quantity, incoming.expected_date) == (
            line["quantity"],
            line["expected_date"],
        ):
            continue
        incoming.quantity, incoming.expected_date = line["quantity"], line["expected_date"]
        save_future_stock(incoming)
    return len(lines)


def seed_people(points: dict[str, StockPoint]) -> list[data.DemoUser]:
    for user in data.DEMO_USERS:
        upsert_staff_user(
            user.username,
            password=user.password,
            role=user.role,
            stores=[points[code] for code in user.stores],
            email=f"{user.username}@maison-lumiere.example",
            first_name=user.first_name,
            last_name=user.last_name,
            is_superuser=user.is_superuser,
        )
    return list(data.DEMO_USERS)


@dataclass(frozen=True)
class SeedSummary:
    stock_points: ImportResult
    skus: ImportResult
    feed: FeedResult
    levels: int
    protection_rules: int
    channel_allocations: int
    incoming_lines: int
    logins: list[data.DemoUser]
    api_token: str
    orders_created: int
    orders: int
    seconds: float


def seed_demo(
    *, sku_count: int = DEFAULT_SKUS, order_count: int = 200, today: date | None = None
) -> SeedSummary:
    """Build (or bring back to its initial state) the demo retailer: the catalogue,
    stock and people in one transaction, then the orders, each in its own."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    catalogue = demo_catalogue(sku_count)
    snapshot = stock_snapshot(catalogue)
    with transaction.atomic():
        point_result = import_stock_points(stock_point_rows())
        sku_result = import_skus([sku.as_row() for sku in catalogue])
        points = {point.code: point for point in StockPoint.objects.all()}
        skus = {sku.code: sku for sku in Sku.objects.filter(code__in=[sku.code for sku in catalogue])}
        # Rules first: the levels the feed creates get their protection resolved.
        rules = seed_protection(points, skus)
        allocations = seed_channel_allocations(points)
        # A snapshot as of this morning: run again today, it re-applies what the OMS
        # recorded since (the demo orders' shipments) and so changes nothing.
        as_of = timezone.make_aware(datetime.combine(today, datetime.min.time()))
        feed = apply_feed(ABSOLUTE, snapshot, actor=ACTOR, reference="seed_demo", as_of=as_of)
        incoming = seed_incoming(incoming_stock(catalogue, snapshot, today), points, skus)
        logins = seed_people(points)
        token = create_api_token(data.DEMO_INTEGRATION, rotate=True)
    # Orders in every state, after the stock so that they hold real units. Each is
    # placed and moved on by the order services, whose entry points own their
    # (durable) transactions, as in production; placing them is idempotent.
    orders = seed_orders(order_count)
    return SeedSummary(
        stock_points=point_result,
        skus=sku_result,
        feed=feed,
        levels=StockLevel.objects.count(),
        protection_rules=rules,
        channel_allocations=allocations,
        incoming_lines=incoming,
        logins=logins,
        api_token=token,
        orders_created=orders,
        orders=Order.objects.count(),
        seconds=time.perf_counter() - started,
    )
