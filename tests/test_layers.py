"""Layers point one way: the module import graph of ``code/ferag`` and ``graphrag_lib``, read
from the source with ``ast`` (nothing is imported), has no cycle and no import that runs back
up a layer.

Every ``import`` and ``from … import`` counts, wherever it stands (inside functions too);
relative imports are resolved, and ``from package import name`` counts as an import of the
submodule ``package.name`` when that is a module, else of ``package`` (its ``__init__``).
Importing a submodule is not counted as importing its parent package's ``__init__``. Imports
under ``if TYPE_CHECKING:`` are left out: they never run.

Rules:

- no import cycle;
- ``ferag.services.*`` imports nothing from ``ferag.api.*`` (services return domain objects or
  their own models, the API shows them);
- a route module (``ferag.api.routes.X``) imports no other route module (shared helpers live
  in ``ferag.api.deps`` or a service);
- ``graphrag_lib`` imports nothing from ``ferag``.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Collection, Iterator
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {"ferag": ROOT / "code" / "ferag", "graphrag_lib": ROOT / "graphrag_lib"}

# Cycles known and owned elsewhere: frozensets of the cycle's modules, each with who removes it.
KNOWN_CYCLES: set[frozenset[str]] = set()


def module_files() -> dict[str, tuple[Path, bool]]:
    """Dotted module name → (file, whether it is a package ``__init__``)."""
    modules: dict[str, tuple[Path, bool]] = {}
    for package, folder in PACKAGES.items():
        for path in folder.rglob("*.py"):
            parts = [package, *path.relative_to(folder).with_suffix("").parts]
            is_package = parts[-1] == "__init__"
            modules[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return modules


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement under ``node``, at any depth, except under ``if TYPE_CHECKING:``."""
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
        return
    children: list[ast.AST] = list(ast.iter_child_nodes(node))
    if isinstance(node, ast.If) and _is_type_checking(node):
        children = list(node.orelse)
    for child in children:
        yield from _imports(child)


def _targets(
    node: ast.Import | ast.ImportFrom, package: str, modules: Collection[str]
) -> list[str]:
    """The dotted names ``node`` imports, relative imports resolved against ``package``."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
        base = ".".join([*anchor, *([node.module] if node.module else [])])
    submodules = (f"{base}.{alias.name}" for alias in node.names)
    return [name if name in modules else base for name in submodules]


@functools.cache
def import_graph() -> nx.DiGraph:
    """Modules of both packages, an edge per import between them (``line`` of the import)."""
    modules = module_files()

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph = nx.DiGraph()
    for module, (path, is_package) in modules.items():
        graph.add_node(module)
        package = module if is_package else module.rpartition(".")[0]
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            for name in _targets(node, package, modules):
                target = resolve(name)
                if target is not None and target != module:
                    graph.add_edge(module, target, line=node.lineno)
    return graph


def _imports_between(graph: nx.DiGraph, source: str, target: str) -> list[str]:
    """Imports from modules named ``source…`` of modules named ``target…``, with their lines."""
    return sorted(
        f"{a}:{line} imports {b}"
        for a, b, line in graph.edges(data="line")
        if a.startswith(source) and b.startswith(target)
    )


def test_the_graph_sees_the_packages() -> None:
    graph = import_graph()
    assert graph.has_edge("ferag.api.app", "ferag.api.routes.review")
    assert graph.has_edge("ferag.services.diff", "ferag.services.diff_models")
    assert graph.number_of_nodes() > 150


def test_no_import_cycles() -> None:
    graph = import_graph()
    cycles = []
    for component in nx.strongly_connected_components(graph):
        if len(component) > 1 and frozenset(component) not in KNOWN_CYCLES:
            cycle = nx.find_cycle(graph.subgraph(component))
            cycles.append(" → ".join([*(a for a, _ in cycle), cycle[0][0]]))
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_services_do_not_import_the_api() -> None:
    assert _imports_between(import_graph(), "ferag.services.", "ferag.api.") == []


def test_routes_do_not_import_routes() -> None:
    routes = "ferag.api.routes."
    assert _imports_between(import_graph(), routes, routes) == []


def test_graphrag_lib_does_not_import_ferag() -> None:
    assert _imports_between(import_graph(), "graphrag_lib", "ferag") == []
