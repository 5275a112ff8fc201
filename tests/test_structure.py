"""The structure of the code (docs/ARCHITECTURE.md): layers one way, no import cycle,
Streamlit and the command line each in their own package, every setting read in one
place, every cited document present.

Imports are read from the source with :mod:`ast`, function-level imports included.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

from dashboard import settings

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("dashboard", "geo")
#: Layers from the ground up: a module may import its own layer or a lower one only.
LAYERS = (
    ("dashboard.settings", "dashboard.formatting", "dashboard.spreadsheets"),
    ("geo",),
    ("dashboard.store",),
    ("dashboard.intake",),
    ("dashboard.indicators",),
    ("dashboard.coverage",),
    ("dashboard.programme",),
    ("dashboard.maps",),
    ("dashboard.exports",),
    ("dashboard.bench",),
    ("dashboard.cli", "dashboard.app"),
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[_module_name(path)] = path
    return found


SOURCES = _sources()


def _imports(path: Path) -> list[tuple[str, int]]:
    """Every module imported by ``path`` (function-level too), with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from package import module`` is an arrow to the module, not to the package's
            # face (its ``__init__``), as for any import of a submodule.
            modules = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in SOURCES]
            out.extend((m, node.lineno) for m in modules)
            if len(modules) < len(node.names):
                out.append((base, node.lineno))
    return out


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in SOURCES.items():
        graph[module]
        for target, _ in _imports(path):
            if target in SOURCES and target != module:
                graph[module].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in graph[node]:
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _layer(module: str) -> int:
    if module in PACKAGES:  # the faces of the top packages: docstrings only
        return 0
    for rank, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    raise AssertionError(f"module hors des couches de docs/ARCHITECTURE.md : {module}")


def test_the_import_graph_is_read():
    graph = _graph()
    assert "dashboard.intake.loader" in graph["dashboard.indicators.payload"]
    assert "geo.reference" in graph["dashboard.intake.loader"]
    assert len(SOURCES) > 60


def test_no_import_cycle():
    assert _cycles(_graph()) == []


def test_cycle_detection_sees_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_every_module_has_a_layer():
    for module in SOURCES:
        _layer(module)


def test_data_flows_one_way():
    upward = [
        f"{module} → {target}"
        for module, targets in _graph().items()
        for target in targets
        if _layer(target) > _layer(module)
    ]
    assert upward == []


def test_cli_and_app_are_apart():
    crossing = [
        f"{module} → {target}"
        for module, targets in _graph().items()
        for target in targets
        if (module.startswith("dashboard.cli") and target.startswith("dashboard.app"))
        or (module.startswith("dashboard.app") and target.startswith("dashboard.cli"))
    ]
    assert crossing == []


def test_only_the_streamlit_package_imports_streamlit():
    offenders = [
        f"{path.relative_to(ROOT)}:{line} {target}"
        for module, path in SOURCES.items()
        if not module.startswith("dashboard.app")
        for target, line in _imports(path)
        if target.split(".")[0] in ("streamlit", "streamlit_folium")
    ]
    assert offenders == []


def test_nothing_outside_the_cli_imports_it():
    offenders = [
        f"{path.relative_to(ROOT)}:{line} {target}"
        for module, path in SOURCES.items()
        if not module.startswith("dashboard.cli")
        for target, line in _imports(path)
        if target == "dashboard.cli" or target.startswith("dashboard.cli.")
    ]
    pages = [
        f"{path.relative_to(ROOT)}:{line} {target}"
        for path in sorted((ROOT / "pages").glob("*.py"))
        for target, line in _imports(path)
        if target.startswith("dashboard.cli")
    ]
    assert offenders == pages == []


def test_pages_use_the_streamlit_package_and_the_domain_only():
    for path in sorted((ROOT / "pages").glob("*.py")):
        for target, line in _imports(path):
            if target.startswith(("dashboard.store", "dashboard.intake")):
                pytest.fail(f"{path.name}:{line} lit les données sans dashboard.app : {target}")
        assert len(path.read_text(encoding="utf-8").splitlines()) < 120, path.name


_ENV_READ = re.compile(r"os\.environ|os\.getenv|getenv\(")


def test_settings_are_read_in_one_module():
    readers = [
        str(path.relative_to(ROOT))
        for module, path in SOURCES.items()
        if module != "dashboard.settings" and _ENV_READ.search(path.read_text(encoding="utf-8"))
    ]
    assert readers == []


def test_the_readme_documents_every_setting():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Variables d'environnement", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(TERRITOIRES_[A-Z_]+)` \|", section, re.M)
    assert rows == [s.name for s in settings.SETTINGS]
    mentioned = set(re.findall(r"TERRITOIRES_[A-Z_]+", readme))
    code = {m for p in SOURCES.values() for m in re.findall(r"TERRITOIRES_[A-Z_]+",
                                                               p.read_text(encoding="utf-8"))}
    declared = {s.name for s in settings.SETTINGS}
    assert code <= declared
    assert mentioned <= declared


def test_default_departement_is_written_once():
    """The code "38" appears as a value only in the settings and the Isère demo."""
    allowed = {"dashboard.settings", "dashboard.intake.demo"}
    found = []
    for module, path in SOURCES.items():
        if module in allowed:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)
            and node.body and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }  # fmt: skip
        found.extend(
            f"{path.relative_to(ROOT)}:{node.lineno}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and node.value == "38" and id(node) not in docstrings
        )
    assert found == []


def test_workspaces_are_closed_by_with_blocks():
    """No manual ``dispose``/``close`` of a workspace: every handle is a ``with`` block
    (or handed to one by a function that returns it)."""
    offenders = []
    files = [*SOURCES.values(), *sorted((ROOT / "pages").glob("*.py"))]
    for path in files:
        if path.is_relative_to(ROOT / "dashboard" / "store"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        managed = {
            id(item.context_expr) for node in ast.walk(tree)
            if isinstance(node, ast.With) for item in node.items
        } | {
            id(node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Return) and node.value is not None
        }  # fmt: skip
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name in ("open_workspace", "open_current_workspace") and id(node) not in managed:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {name} hors de with")
            if name == "dispose":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} dispose()")
    assert offenders == []


def test_french_numbers_are_formatted_in_one_module():
    """Thousands separators and decimal commas are written by dashboard.formatting only."""
    offenders = []
    for module, path in SOURCES.items():
        if module == "dashboard.formatting":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            spec = node.format_spec if isinstance(node, ast.FormattedValue) else None
            text = ast.unparse(spec) if spec is not None else ""
            if "," in text:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if isinstance(node, ast.FunctionDef) and node.name in ("_num", "_pct", "_fr_int"):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert offenders == []


_CITED = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w.-]+\.md)\b")


def _comments_and_docstrings(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    parts = [line.split("#", 1)[1] for line in text.splitlines() if "#" in line]
    tree = ast.parse(text)
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            doc = ast.get_docstring(node)
            if doc:
                parts.append(doc)
    return "\n".join(parts)


def test_every_cited_document_exists():
    files = [*SOURCES.values(), *sorted((ROOT / "pages").glob("*.py")),
             *sorted((ROOT / "tests").rglob("*.py")), *sorted((ROOT / "benchmarks").glob("*.py"))]
    missing = [
        f"{path.relative_to(ROOT)} cite {cited}"
        for path in files
        for cited in _CITED.findall(_comments_and_docstrings(path))
        if not (ROOT / cited).exists()
    ]
    assert missing == []
    cited = {c for p in files for c in _CITED.findall(_comments_and_docstrings(p))}
    assert "docs/ARCHITECTURE.md" in cited


def test_architecture_names_every_package():
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    packages = sorted({m.rsplit(".", 1)[0] if m.count(".") > 1 else m
                       for m in SOURCES if m.startswith("dashboard.")})  # fmt: skip
    for package in packages:
        assert f"{package.replace('.', '/')}" in text, package
