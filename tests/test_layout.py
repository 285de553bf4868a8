"""The package layout: no import cycle inside hoo_metrics (function-local imports included;
imports under ``if TYPE_CHECKING:``, which never run, left out), every room importing only the
rooms before it in the data flow (and each private module of privacy only those before it),
and no module or subpackage named like one of its public functions."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "hoo_metrics"


def _modules() -> dict[str, Path]:
    """Every module of hoo_metrics by dotted name (a package by its ``__init__``)."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = ["hoo_metrics", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _type_only(tree: ast.AST) -> set[int]:
    """The ids of the nodes under ``if TYPE_CHECKING:`` (imports there name types for the
    annotations and never run)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        test = node.test if isinstance(node, ast.If) else None
        name = getattr(test, "id", None) or getattr(test, "attr", None)
        if name == "TYPE_CHECKING":
            found |= {id(inner) for stmt in node.body for inner in ast.walk(stmt)}
    return found


def import_graph(implicit_parents: bool = True, type_only: bool = False) -> dict[str, set[str]]:
    """Module -> the hoo_metrics modules it imports, anywhere in its body (functions too; with
    ``type_only``, also those under ``if TYPE_CHECKING:``, which never run).

    ``from a import b`` counts as importing ``a.b`` when that is a module. The lazy
    ``importlib.import_module`` names of ``hoo_metrics/__init__.py`` are read from its
    ``_WHOLE_MODULES`` and ``_LAZY_NAMES``. With ``implicit_parents``, importing ``a.b.c``
    also runs ``a.b``'s ``__init__`` (all but the root package's, which every import runs).
    """
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        package = name if is_package else name.rpartition(".")[0]
        targets = set()
        tree = ast.parse(path.read_text())
        skip = set() if type_only else _type_only(tree)
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            if isinstance(node, ast.Import):
                targets |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                for alias in node.names:
                    sub = f"{source}.{alias.name}"
                    targets.add(sub if sub in modules else source)
            elif isinstance(node, ast.Assign) and name == "hoo_metrics":
                target = node.targets[0]
                if isinstance(target, ast.Name) and target.id in ("_WHOLE_MODULES", "_LAZY_NAMES"):
                    lazy = ast.literal_eval(node.value)
                    targets |= {f"hoo_metrics.{m}" for m in lazy}
        ancestors = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
        edges = set()
        for target in targets:
            if target not in modules:
                continue
            edges.add(target)
            parts = target.split(".")
            if implicit_parents:  # the importer's own packages are running already
                edges |= {".".join(parts[:i]) for i in range(2, len(parts))} - ancestors
        edges.discard(name)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_function_local_imports_included():
    graph = import_graph()
    assert "hoo_metrics.io.load" in graph["hoo_metrics.checks.validate"]
    assert "hoo_metrics.present.report" in graph["hoo_metrics.cli._main"]  # a local import
    assert cycles(graph) == []
    # the root package re-exports everything; nothing below it imports it back
    assert {m for m, e in graph.items() if "hoo_metrics" in e} == set()


#: The rooms of hoo_metrics in the order the data flows; a room imports only rooms before it
#: (or itself). The shared rules come first; ``cohort`` (the class) comes before the checks
#: that build one; ``sample`` loads through the checks.
FLOW = (
    "_version",
    "contract",
    "problems",
    "arrowtext",
    "identifiers",
    "io",
    "cohort",
    "checks",
    "sample",
    "metrics",
    "privacy",
    "present",
    "store",
    "cli",
    "__main__",
)


def _room(module: str) -> str:
    return module.split(".")[1]


def backward_imports(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """(importer, imported) pairs where a room imports a room that comes after it in FLOW."""
    found = []
    for module, edges in graph.items():
        if module == "hoo_metrics":
            continue
        for target in edges - {"hoo_metrics"}:
            if FLOW.index(_room(target)) > FLOW.index(_room(module)):
                found.append((module, target))
    return sorted(found)


def test_every_room_imports_only_rooms_before_it():
    graph = import_graph()
    assert {_room(m) for m in graph if m != "hoo_metrics"} == set(FLOW)
    assert backward_imports(graph) == []
    # the check can fail: reading that imported the Cohort would be a backward import
    graph["hoo_metrics.io.load"] = graph["hoo_metrics.io.load"] | {"hoo_metrics.cohort"}
    assert backward_imports(graph) == [("hoo_metrics.io.load", "hoo_metrics.cohort")]


#: The private modules of privacy in the order they build on each other; each imports only
#: those before it.
PRIVACY = ("_rules", "_bounds", "_table", "_engine", "_specs", "_view")


def backward_privacy_imports(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """(importer, imported) pairs of privacy's private modules against PRIVACY's order."""
    found = []
    for i, name in enumerate(PRIVACY):
        for target in graph[f"hoo_metrics.privacy.{name}"]:
            if not target.startswith("hoo_metrics.privacy."):
                continue
            imported = target.rpartition(".")[2]
            if imported not in PRIVACY[:i]:
                found.append((name, imported))
    return sorted(found)


def test_privacy_modules_import_only_those_before_them():
    graph = import_graph(implicit_parents=False)
    private = {m.rpartition(".")[2] for m in graph if m.startswith("hoo_metrics.privacy.")}
    assert private == set(PRIVACY)
    assert backward_privacy_imports(graph) == []
    # the check can fail: the rules reading the engine would be a backward import
    rules = "hoo_metrics.privacy._rules"
    graph[rules] = graph[rules] | {"hoo_metrics.privacy._engine"}
    assert backward_privacy_imports(graph) == [("_rules", "_engine")]


#: The private modules of checks in the order they build on each other; each imports only
#: those before it (the table modules name the validator for their annotations only).
CHECKS = ("_cells", "_participants", "_responses", "_contacts", "_validator")


def backward_checks_imports(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """(importer, imported) pairs of checks' private modules against CHECKS' order."""
    found = []
    for i, name in enumerate(CHECKS):
        for target in graph[f"hoo_metrics.checks.{name}"]:
            if not target.startswith("hoo_metrics.checks."):
                continue
            imported = target.rpartition(".")[2]
            if imported not in CHECKS[:i]:
                found.append((name, imported))
    return sorted(found)


def test_checks_modules_import_only_those_before_them():
    graph = import_graph(implicit_parents=False)
    private = {m.rpartition(".")[2] for m in graph if m.startswith("hoo_metrics.checks._")}
    assert private == set(CHECKS)
    assert backward_checks_imports(graph) == []
    # the public module comes after them all: none imports it
    assert not any(
        "hoo_metrics.checks.validate" in graph[f"hoo_metrics.checks.{m}"] for m in CHECKS
    )
    # the check can fail: a table's checks importing the validator when they run (not only for
    # the annotations) would be a backward import
    responses = "hoo_metrics.checks._responses"
    assert "hoo_metrics.checks._validator" in import_graph(type_only=True)[responses]
    graph[responses] = graph[responses] | {"hoo_metrics.checks._validator"}
    assert backward_checks_imports(graph) == [("_responses", "_validator")]


def test_no_module_shares_its_name_with_a_public_function():
    import hoo_metrics as hm

    direct = {m.split(".")[1] for m in _modules() if m.count(".") == 1}
    assert {"io", "checks", "metrics", "privacy", "present", "store", "cli"} <= direct
    assert not direct & set(hm.__all__)


def test_the_cohort_imports_no_metric_module_when_it_runs():
    # The metrics import the cohort, never the reverse: the Cohort names the metrics' KeptFacts
    # (the object it keeps for them) for its annotations only, under ``if TYPE_CHECKING:``.
    metrics = {m for m in _modules() if m.startswith("hoo_metrics.metrics")}
    assert not import_graph()["hoo_metrics.cohort"] & metrics
    assert "hoo_metrics.cohort" in import_graph()["hoo_metrics.metrics._analysed"]
    # the type-only import is there, and only the TYPE_CHECKING rule leaves it out
    assert "hoo_metrics.metrics._analysed" in import_graph(type_only=True)["hoo_metrics.cohort"]
