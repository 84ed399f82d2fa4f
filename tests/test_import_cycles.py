"""No import cycle inside translator_app: every module-level and function-level import counts
(a function-level import hides a cycle from Python, not from a reader); imports under
``if TYPE_CHECKING:`` do not (they never run).

The graph is grimp's (import-linter's library).  A cycle fails the test with its modules named,
shortest loop first.
"""

from __future__ import annotations

import grimp


def strongly_connected(adjacency: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module (iterative: no recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(adjacency):
        if root in index:
            continue
        work = [(root, iter(sorted(adjacency[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(adjacency[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle_and_only_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert strongly_connected(graph) == [["a", "b", "c"]]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []


def _cycles() -> list[list[str]]:
    graph = grimp.build_graph("translator_app", cache_dir=None, exclude_type_checking_imports=True)
    adjacency = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    return strongly_connected(adjacency)


def _describe(component: list[str]) -> str:
    graph = grimp.build_graph("translator_app", cache_dir=None, exclude_type_checking_imports=True)
    members = set(component)
    edges = [
        f"{a} -> {b}" for a in component for b in sorted(graph.find_modules_directly_imported_by(a)) if b in members
    ]
    return f"{len(component)} modules import each other: " + "; ".join(edges)


def test_no_import_cycle():
    cycles = _cycles()
    assert not cycles, "import cycles:\n" + "\n".join(_describe(c) for c in cycles)
