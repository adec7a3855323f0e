"""The dashboard's layout holds: imports go one way, features never import each other, and only
dashboard/warehouse.py imports duckdb.

Layers, lowest first: ``dashboard.warehouse`` and ``dashboard.common`` (shared by all), the
features (``about``, ``browse``, ``councils``, ``exemplars``, ``peers``, ``selfassessment``),
then ``dashboard.views`` (pages, and ``views.compose`` where two features meet). A module may
import its own package and anything below its layer; nothing may import upwards or sideways,
and no import cycle may exist anywhere. The checker is a plain function of an import graph, so
a synthetic graph proves it can fail.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = ROOT / "dashboard"
SHARED = {"dashboard.warehouse", "dashboard.common"}
FEATURES = {"about", "browse", "councils", "exemplars", "peers", "selfassessment"}
VIEWS = "dashboard.views"
DUCKDB_DOOR = "dashboard.warehouse"


def module_name(path: Path, root: Path = ROOT) -> str:
    """``dashboard/peers/groups.py`` -> ``dashboard.peers.groups`` (a package is its __init__)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, modules: set[str], root: Path = ROOT) -> set[str]:
    """The dashboard modules (and ``duckdb``) ``path`` imports, at any depth of its code.

    ``from dashboard.peers import groups`` names the module ``dashboard.peers.groups`` when
    there is one, else the package; relative imports are resolved against ``path``'s package.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    own = module_name(path, root)
    package = own if path.name == "__init__.py" else own.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        for name in names:
            if name == "duckdb" or name.startswith("duckdb."):
                found.add("duckdb")
            elif name == "dashboard" or name.startswith("dashboard."):
                while name not in modules and "." in name:
                    name = name.rpartition(".")[0]  # an attribute of a module, e.g. dashboard.common.text.markdown
                found.add(name)
    return found


def import_graph(root: Path = DASHBOARD) -> dict[str, set[str]]:
    """``{module: the dashboard modules (and duckdb) it imports}`` for every module under ``root``."""
    files = sorted(root.rglob("*.py"))
    modules = {module_name(f) for f in files}
    return {module_name(f): imports_of(f, modules) - {module_name(f)} for f in files}


def layer_of(module: str) -> tuple[int, str]:
    """(layer, unit) of a dashboard module: 0 shared, 1 a feature, 2 views; unit is what it may
    always import (its own package). Raises ValueError for a module outside the layout."""
    if module == "dashboard":
        return 0, module
    parts = module.split(".")
    if module in SHARED or ".".join(parts[:2]) in SHARED:
        return 0, ".".join(parts[:2])
    if len(parts) >= 2 and parts[1] in FEATURES:
        return 1, ".".join(parts[:2])
    if module == VIEWS or module.startswith(VIEWS + "."):
        return 2, VIEWS
    raise ValueError(f"{module} is not in the layout: put it in common, a feature package or views")


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Every import cycle of ``graph`` (strongly connected components with more than one module,
    or a module importing itself), each as a sorted list of modules."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in graph:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def layout_problems(graph: Mapping[str, Iterable[str]]) -> list[str]:
    """What breaks the layout in ``graph``: cycles, imports upwards or sideways, duckdb outside
    :data:`DUCKDB_DOOR`, modules outside the layout. Empty when the layout holds."""
    problems = [f"import cycle: {' <-> '.join(cycle)}" for cycle in cycles(graph)]
    for module, targets in sorted(graph.items()):
        try:
            layer, unit = layer_of(module)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        for target in sorted(targets):
            if target == "duckdb":
                if module != DUCKDB_DOOR:
                    problems.append(f"{module} imports duckdb: only {DUCKDB_DOOR} may")
                continue
            target_layer, target_unit = layer_of(target)
            if target_unit == unit or target_layer < layer or target_layer == 0:  # shared: anyone may import it
                continue
            kind = "a sibling feature" if target_layer == layer == 1 else "upwards"
            problems.append(f"{module} imports {target} ({kind})")
    return problems


def test_the_dashboard_layout_holds():
    graph = import_graph()
    assert "dashboard.peers.groups" in graph and "dashboard.views.compose" in graph  # the walk found the tree
    assert layout_problems(graph) == []


def test_only_the_warehouse_module_imports_duckdb():
    graph = import_graph()
    assert [m for m, targets in graph.items() if "duckdb" in targets] == [DUCKDB_DOOR]


def test_every_feature_folder_is_a_package_with_its_queries_inside():
    for feature in FEATURES:
        assert (DASHBOARD / feature / "__init__.py").is_file(), feature
    assert not (DASHBOARD / "sql").exists(), "queries live in each feature's own sql/ folder"


# -- the checker can fail -----------------------------------------------------------------------
def test_a_cycle_is_reported():
    graph = {
        "dashboard.exemplars.scoring": {"dashboard.exemplars.rule"},
        "dashboard.exemplars.rule": {"dashboard.exemplars.finder"},
        "dashboard.exemplars.finder": {"dashboard.exemplars.scoring"},
        "dashboard.common.text": set(),
    }
    assert cycles(graph) == [["dashboard.exemplars.finder", "dashboard.exemplars.rule", "dashboard.exemplars.scoring"]]
    assert any(p.startswith("import cycle:") for p in layout_problems(graph))


def test_a_module_importing_itself_is_a_cycle():
    assert cycles({"dashboard.common.text": {"dashboard.common.text"}}) == [["dashboard.common.text"]]


@pytest.mark.parametrize(
    ("module", "target", "word"),
    [
        ("dashboard.exemplars.scoring", "dashboard.selfassessment.results", "sibling"),  # the old cycle's half
        ("dashboard.peers.groups", "dashboard.views.compose", "upwards"),
        ("dashboard.common.widgets", "dashboard.peers.widgets", "upwards"),
        ("dashboard.warehouse", "dashboard.browse.filters", "upwards"),
    ],
)
def test_sideways_and_upward_imports_are_reported(module, target, word):
    problems = layout_problems({module: {target}, target: set()})
    assert len(problems) == 1 and word in problems[0] and module in problems[0]


def test_duckdb_outside_the_door_and_stray_modules_are_reported():
    assert layout_problems({"dashboard.peers.statistics": {"duckdb"}}) == [
        "dashboard.peers.statistics imports duckdb: only dashboard.warehouse may"
    ]
    assert "not in the layout" in layout_problems({"dashboard.helpers": set()})[0]


def test_imports_inside_functions_count(tmp_path):
    """The old cycles hid in function bodies (``from dashboard import exemplar`` in a fallback)."""
    package = tmp_path / "dashboard"
    (package / "selfassessment").mkdir(parents=True)
    (package / "exemplars").mkdir()
    for folder in (package, package / "selfassessment", package / "exemplars"):
        (folder / "__init__.py").write_text("")
    (package / "exemplars" / "scoring.py").write_text(
        "def maturity():\n    from dashboard.selfassessment import results\n    return results\n"
    )
    (package / "selfassessment" / "results.py").write_text("import dashboard.exemplars.scoring as s\n")
    files = sorted(package.rglob("*.py"))
    modules = {".".join(f.relative_to(tmp_path).with_suffix("").parts) for f in files}
    scoring = imports_of(package / "exemplars" / "scoring.py", modules, tmp_path)
    results = imports_of(package / "selfassessment" / "results.py", modules, tmp_path)
    assert "dashboard.selfassessment.results" in scoring and "dashboard.exemplars.scoring" in results
    graph = {"dashboard.exemplars.scoring": scoring, "dashboard.selfassessment.results": results}
    assert len(layout_problems(graph)) == 3  # the cycle, and a sibling import each way
