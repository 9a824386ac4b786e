"""One module changes stock: `inventory/services/stock.py` alone writes on hand,
reserved (stock levels and future stock) and the protection copied onto levels.
This test reads the source of every app and fails on a write anywhere else."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["inventory", "oms", "fulfilment", "returns"]
OWNER = ROOT / "inventory" / "services" / "stock.py"
COLUMNS = {"on_hand", "reserved", "protection_units", "protection_percent"}
WRITING_CALLS = {"update", "create", "update_or_create", "get_or_create", "bulk_create", "bulk_update"}
MODELS = {"StockLevel", "FutureStock"}
SQL_WRITE = re.compile(
    r"\b(SET\b[^;]*?\b(on_hand|reserved|protection_units|protection_percent)\s*="
    r"|INSERT\s+INTO\s+\S*(stocklevel|futurestock))",
    re.IGNORECASE | re.DOTALL,
)


def stock_writes(path: Path) -> list[str]:
    """The lines of `path` that write a stock column, as 'file:line: what'."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []

    def report(node: ast.AST, what: str) -> None:
        name = path.relative_to(ROOT) if ROOT in path.parents else path.name
        found.append((node.lineno, f"{name}:{node.lineno}: {what}"))

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            written = COLUMNS & {keyword.arg for keyword in node.keywords}
            if written and (name in WRITING_CALLS or name in MODELS):
                report(node, f"{name}({', '.join(sorted(written))}=…)")
            if name == "bulk_update" and any(
                isinstance(arg, ast.Constant) and arg.value in COLUMNS
                for arg in ast.walk(node)
                if isinstance(arg, ast.Constant)
            ):
                report(node, "bulk_update of a stock column")
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr in COLUMNS:
                    report(node, f"assignment to .{target.attr}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_WRITE.search(node.value):
            report(node, "SQL writing a stock column")
    return [write for _line, write in sorted(found)]


def source_files() -> list[Path]:
    return [
        path
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts and path != OWNER
    ]


def test_only_the_stock_module_writes_stock_columns():
    writes = [write for path in source_files() for write in stock_writes(path)]
    assert writes == []


def test_the_scan_sees_each_kind_of_write(tmp_path):
    # given: a module writing stock in each way the scan knows
    module = tmp_path / "probe.py"
    module.write_text(
        "def write(level, cursor):\n"
        "    StockLevel.objects.filter(pk=1).update(reserved=F('reserved') + 1)\n"
        "    level.on_hand = 3\n"
        "    FutureStock(sku_id=1, reserved=2)\n"
        "    cursor.execute('UPDATE inventory_stocklevel SET on_hand = on_hand + 1')\n"
    )
    # when
    writes = stock_writes(module)
    # then
    assert [write.split(": ", 1)[1] for write in writes] == [
        "update(reserved=…)",
        "assignment to .on_hand",
        "FutureStock(reserved=…)",
        "SQL writing a stock column",
    ]
