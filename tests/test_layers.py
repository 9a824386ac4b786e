"""Apps depend one way: selectors read and never reach into services or the API;
inventory knows only the shared kernel of oms. The imports are read from the
source, so a new module is checked as soon as it exists."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("oms", "inventory", "fulfilment", "returns")


def package_of(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])


def imported_modules(path: Path, package: str) -> set[str]:
    """Every module `path` (in `package`) imports, at the top or inside a
    function, resolved to its full name."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def is_service_or_api(module: str) -> bool:
    parts = module.split(".")
    return "services" in parts or "api" in parts or parts[-1] in {"serializers", "views"}


def sources(pattern: str) -> list[Path]:
    return sorted(p for app in APPS for p in (ROOT / app).rglob(pattern) if "migrations" not in p.parts)


def test_the_import_reader_sees_through_relative_and_nested_imports(tmp_path):
    # given: a module of a package importing in each way
    module = tmp_path / "selectors.py"
    module.write_text(
        "from ..services import capture\nfrom . import api\nimport oms.services.payments\n"
        "def f():\n    from oms.core.phones import normalise_phone\n"
    )
    # when
    names = imported_modules(module, "oms.orders")
    # then
    assert {"oms.services.capture", "oms.orders.api", "oms.services.payments", "oms.core.phones"} <= names


def test_no_selector_imports_services_or_the_api():
    # given
    selectors = sources("selectors.py")
    # when
    offending = {
        str(path.relative_to(ROOT)): sorted(
            m for m in imported_modules(path, package_of(path)) if is_service_or_api(m)
        )
        for path in selectors
    }
    # then
    assert len(selectors) >= 2
    assert {path: found for path, found in offending.items() if found} == {}


def test_inventory_imports_nothing_of_oms_but_its_kernel():
    # given
    modules = sources("*.py")
    inventory = [path for path in modules if path.relative_to(ROOT).parts[0] == "inventory"]
    # when
    offending = {
        str(path.relative_to(ROOT)): sorted(
            m
            for m in imported_modules(path, package_of(path))
            if m.split(".")[0] == "oms" and not m.startswith("oms.core")
        )
        for path in inventory
    }
    # then
    assert {path: found for path, found in offending.items() if found} == {}
