"""The package's shape: no import cycle (imports inside functions included), small modules.

Read from the source with ``ast``, so an import that runs only on some path (inside a
function, under ``if``) counts as much as one at the top of a module.  Only imports
under ``if TYPE_CHECKING:`` do not count: they never run."""

from __future__ import annotations

import ast
from pathlib import Path

import newsgist

PACKAGE = Path(newsgist.__file__).parent
MAX_MODULE_LINES = 450


def _module_name(path: Path) -> str:
    parts = ["newsgist", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``name`` imports explicitly.  ``from .x import y``
    imports ``x``, and ``x.y`` too when ``y`` is a module; an import of ``a.b`` does
    not count as importing the package ``a`` (every submodule would then import
    ``newsgist/__init__``, which imports half the package)."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[:len(base) - node.level + (1 if is_package else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{a.name}" for a in node.names)
    return {m for m in found if m in known and m != name}


def _runtime_nodes(tree: ast.AST):
    """Every node of ``tree`` but those under ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and \
                node.test.id == "TYPE_CHECKING":
            yield from (n for child in node.orelse for n in [child, *_runtime_nodes(child)])
            continue
        yield node
        yield from _runtime_nodes(node)


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected part of ``graph`` that has one."""
    cycles, state = [], {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    return cycles


def test_no_module_imports_one_that_imports_it_back():
    assert _cycles(_graph()) == []


def test_the_import_walk_sees_imports_inside_functions_and_relative_ones():
    graph = _graph()
    assert "newsgist.workers" in graph["newsgist._worker"]        # absolute, at the top
    assert "newsgist.pipeline" in graph["newsgist.stories.digest"]  # relative, two dots
    assert "newsgist.api" in graph["newsgist.server"]              # inside serve()
    assert "newsgist.batch.command" in graph["newsgist.cli"]       # from .batch import command
    assert "newsgist.stories.model" not in graph["newsgist.stories.answer"]  # TYPE_CHECKING
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]



def test_every_module_is_at_most_450_lines():
    long = {name: n for name, path in _modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}


def test_the_readme_module_map_names_every_module_and_only_those():
    """The table "Around the stages" in README.md: one row per module or package."""
    import re

    readme = (PACKAGE.parents[1] / "README.md").read_text(encoding="utf-8")
    table = readme.split("Around the stages", 1)[1].split("\n## ", 1)[0]
    named = {name for row in table.splitlines() if row.startswith("| `")
             for name in re.findall(r"`([\w.]+(?:\.py|/))`", row.split("|")[1])}
    present = {p.name + ("/" if p.is_dir() else "") for p in PACKAGE.iterdir()
               if (p.suffix == ".py" or (p / "__init__.py").exists())
               and p.name not in ("__init__.py", "__main__.py")}
    assert named == present
