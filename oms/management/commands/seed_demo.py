from django.core.management.base import BaseCommand, CommandError

from inventory.models import StockPoint
from oms.demo import data
from oms.demo.seed import DEFAULT_SKUS, demo_catalogue, seed_demo


class Command(BaseCommand):
    help = (
        "Load the demo retailer (Maison Lumière: a warehouse, a drop-ship supplier, 44 stores, "
        "a few thousand SKUs with stock, rules and incoming stock, orders in every state, the demo logins). "
        "Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--skus", type=int, default=DEFAULT_SKUS, help=f"Number of SKUs (default {DEFAULT_SKUS})."
        )
        parser.add_argument("--orders", type=int, default=200, help="Number of demo orders (default 200).")
        parser.add_argument(
            "--url",
            default=data.DEMO_URL,
            help=f"Where the demo is served, for the printed links (default {data.DEMO_URL}).",
        )

    def handle(self, *args, skus: int, orders: int, url: str, **options):
        self.url = url.rstrip("/")
        if skus < 1 or orders < 0:
            raise CommandError("--skus must be positive and --orders not negative.")
        try:
            summary = seed_demo(sku_count=skus, order_count=orders)
        except ValueError as error:
            raise CommandError(str(error)) from error
        out = self.stdout.write
        points = summary.stock_points
        out(self.style.SUCCESS(f"{data.BRAND}: demo data ready in {summary.seconds:.1f} s"))
        out(
            f"  stock points   {points.created + points.updated + points.unchanged}"
            f" (1 warehouse, 1 drop-ship supplier, {len(data.STORES)} stores;"
            f" {points.created} new, {points.updated} changed)"
        )
        out(f"  SKUs           {skus:,} ({summary.skus.created:,} new, {summary.skus.updated:,} changed)")
        out(
            f"  stock levels   {summary.levels:,} (feed: {summary.feed.applied:,} rows,"
            f" {summary.feed.changed:,} changed on hand)"
        )
        out(f"  incoming stock {summary.incoming_lines:,} purchase order lines")
        out(
            f"  rules          {summary.protection_rules} protection rules,"
            f" {summary.channel_allocations} channel allocations"
        )
        out(f"  orders         {summary.orders:,} in every state ({summary.orders_created:,} new)")
        self._logins(summary.logins)
        out("")
        out(f'API token of the integration "{data.DEMO_INTEGRATION}" (replaced at each run):')
        out(f"  {summary.api_token}")
        out(
            f'  curl -H "Authorization: Token {summary.api_token}"'
            f" '{self.url}/api/v1/availability/?sku={self._example_sku()}&channel=web'"
        )
        out("")
        out(self.style.SUCCESS(f"Open {self.url} and log in with one of the accounts above."))

    def _logins(self, logins: list[data.DemoUser]) -> None:
        names = dict(
            StockPoint.objects.filter(code__in=[c for u in logins for c in u.stores]).values_list(
                "code", "name"
            )
        )
        rows = [("username", "password", "role", "stores")]
        for user in logins:
            if user.stores:
                stores = ", ".join(f"{code} ({names.get(code, '?')})" for code in user.stores)
            else:
                stores = "all" + (" — Django admin at /admin/" if user.is_superuser else "")
            rows.append((user.username, user.password, user.role, stores))
        widths = [max(len(row[column]) for row in rows) for column in range(3)]
        self.stdout.write("")
        self.stdout.write(f"Demo logins ({self.url}):")
        for number, row in enumerate(rows):
            line = "  " + "  ".join(value.ljust(width) for value, width in zip(row, widths, strict=False))
            line += "  " + row[3]
            self.stdout.write(self.style.MIGRATE_HEADING(line) if number == 0 else line)

    def _example_sku(self) -> str:
        return demo_catalogue(1)[0].code
