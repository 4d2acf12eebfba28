"""The shape of the code: one-way imports, no wall-clock alarms, no global mpmath state.

Read from the source with ``ast`` (imports inside functions count), so a lazy import cannot
hide a cycle.
"""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "symsig"

#: modules every engine builds on; they import no feature package
LOW_LEVEL = ("errors", "limits", "parsing", "precision", "bounded", "quantity", "quadrature", "roots")
FEATURES = ("exact", "laws", "kernels", "stability", "mittag_leffler", "cli", "signature", "table",
            "regularity", "gaussian", "formats")


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, path, path.name == "__init__.py"


MODULES = {name: (path, is_package) for name, path, is_package in _modules()}


def _resolve(module, is_package, node):
    """Names of symsig modules that an import statement loads."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name in MODULES]
    base = module if is_package else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        base = base.rpartition(".")[0]
    target = (f"{base}.{node.module}" if node.module else base) if node.level else node.module
    if target not in MODULES:
        return []
    # ``from package import submodule`` loads the submodule; the package itself only as the
    # parent every submodule has (parents are not edges, as for ``import a.b``)
    submodules = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in MODULES]
    return submodules if len(submodules) == len(node.names) else [target, *submodules]


def import_graph():
    graph = {}
    for module, (path, is_package) in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[module] = {t for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
                         for t in _resolve(module, is_package, node) if t != module}
    return graph


def _cycle(graph):
    """One import cycle as a list of modules, or None."""
    state, stack = {}, []

    def visit(m):
        state[m] = "open"
        stack.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == "open":
                return stack[stack.index(n):] + [n]
            if n not in state:
                found = visit(n)
                if found:
                    return found
        stack.pop()
        state[m] = "done"
        return None

    for m in sorted(graph):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return None


def test_the_import_graph_has_no_cycle():
    # the package root re-exports the API lazily; submodules never import it
    graph = {m: {t for t in ts if t != "symsig"} for m, ts in import_graph().items()}
    assert _cycle(graph) is None, " -> ".join(_cycle(graph))


@pytest.mark.parametrize("low", LOW_LEVEL)
def test_low_level_modules_import_no_feature(low):
    graph = import_graph()
    reached, todo = set(), [f"symsig.{low}"]
    while todo:  # everything the module loads, directly or not
        for n in graph[todo.pop()] - reached:
            reached.add(n)
            todo.append(n)
    features = sorted(m for m in reached if m.split(".")[1:2] and m.split(".")[1] in FEATURES)
    assert not features, f"symsig.{low} loads {features}"


def _calls(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            yield node.value.id, node.attr, node.lineno


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_alarm_and_no_global_mpmath_state(module):
    path, _ = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert "signal" not in imported, "wall-clock alarms do not belong in the engine"
    from_mpmath = {a.name for node in ast.walk(tree)
                   if isinstance(node, ast.ImportFrom) and node.module == "mpmath" for a in node.names}
    assert not from_mpmath & {"mp", "workdps", "workprec", "extradps", "extraprec"}
    global_state = [f"line {line}: mpmath.{attr}" for name, attr, line in _calls(tree)
                    if name == "mpmath" and attr in {"mp", "workdps", "workprec", "extradps", "extraprec"}]
    assert not global_state, "symsig uses private contexts, never the global mpmath.mp: " + ", ".join(global_state)
    if module != "symsig.precision":  # the one place that compiles for private contexts
        raw = [f"line {line}" for name, attr, line in _calls(tree) if (name, attr) == ("sympy", "lambdify")]
        assert not raw, "use symsig.precision.lambdify_mpmath: " + ", ".join(raw)
