"""The shape of the house, read from the source with `ast` (nothing is imported): no import cycle among the project's
modules, `utils` never imports a top-level script, scripts never import each other, no function over 80 lines.

Imports counted: every `import x` / `from x import y` statement that can run, at module level or inside a function
or method. A function-level import is how a cycle is usually hidden (it only breaks at call time, and only when the
other module is imported first), so counting it is what makes "no cycle" mean the modules can be read in one order.
Not counted: imports under `if TYPE_CHECKING:`. They never run; they exist to name a type in an annotation without
an import-time dependency, which is the sanctioned way for two modules that refer to each other's types to stay
acyclic.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# Top-level scripts are the entry points; `scripts/` and `bench/` hold one-off tools that run from the root too.
SCRIPT_FOLDERS = ("scripts", "bench")
MAX_FUNCTION_LINES = 80


def project_modules() -> dict[str, Path]:
    """Dotted module name -> file for `utils/**`, the top-level scripts and the tools under `scripts/` and `bench/`
    (tests excluded: they may import anything)."""
    modules: dict[str, Path] = {}
    for path in sorted(REPO_ROOT.glob("utils/**/*.py")):
        parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    for path in sorted(REPO_ROOT.glob("*.py")):
        modules[path.stem] = path
    for folder in SCRIPT_FOLDERS:
        for path in sorted((REPO_ROOT / folder).glob("*.py")):
            modules[f"{folder}.{path.stem}"] = path
    return modules


def is_script(name: str) -> bool:
    return not name.startswith("utils")


def is_type_checking_block(node: ast.AST) -> bool:
    """`if TYPE_CHECKING:` or `if typing.TYPE_CHECKING:`."""
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def runnable_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node of `tree` except the bodies of `if TYPE_CHECKING:` blocks (their `else:` still runs)."""
    pending = [tree]
    while pending:
        node = pending.pop()
        yield node
        if is_type_checking_block(node):
            pending.extend(node.orelse)
        else:
            pending.extend(ast.iter_child_nodes(node))


def imported_names(module: str, path: Path) -> Iterator[str]:
    """Every dotted name an import statement in `path` brings in, relative imports resolved; `from a import b`
    yields both `a` and `a.b` (b may be a submodule)."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in runnable_nodes(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph() -> dict[str, set[str]]:
    """Project module -> the project modules it imports (a package's `__init__` counts for `import pkg.sub`)."""
    modules = project_modules()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets = set()
        for name in imported_names(module, path):
            if module.startswith(SCRIPT_FOLDERS) and f"{module.split('.')[0]}.{name}" in modules:
                name = f"{module.split('.')[0]}.{name}"  # a tool imports its sibling (its folder is on sys.path)
            parts = name.split(".")
            # `import utils.a.b` runs utils/__init__, utils/a/__init__ and utils/a/b: each is a dependency.
            targets.update(".".join(parts[:end]) for end in range(1, len(parts) + 1) if ".".join(parts[:end]) in modules)
        # A module's own ancestor packages are initialised before it in any case (and are already in sys.modules
        # while their `__init__` imports it), so an edge to one orders nothing and is no cycle.
        ancestors = {".".join(module.split(".")[:end]) for end in range(1, module.count(".") + 1)}
        graph[module] = targets - ancestors - {module}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as [a, b, ..., a], or None (depth-first search with colours)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target):], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_find_cycle_sees_function_level_and_indirect_cycles(tmp_path: Path) -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    source = tmp_path / "m.py"
    source.write_text(
        "import os\nif TYPE_CHECKING:\n    import utils.typed\n\ndef f():\n    from utils.x import y\n", encoding="utf-8"
    )
    assert set(imported_names("m", source)) == {"os", "utils.x", "utils.x.y"}
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("from .a import b\nfrom . import c\n", encoding="utf-8")
    assert set(imported_names("utils.pkg", package / "__init__.py")) == {"utils.pkg.a", "utils.pkg.a.b", "utils.pkg",
                                                                         "utils.pkg.c"}


def test_no_import_cycle() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_utils_never_imports_a_script_and_scripts_never_import_each_other() -> None:
    # A benchmark measures an entry point as it runs, so bench/ may import a top-level script (bench_ray builds
    # predict.py's arguments) and bench/benchlib.py, the benchmarks' shared helpers; nothing else imports a bench/
    # or scripts/ tool, and no entry point imports another.
    def allowed(module: str, target: str) -> bool:
        return module.startswith("bench.") and ("." not in target or target == "bench.benchlib")

    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        for target in targets
        if is_script(target) and not allowed(module, target)
    )
    assert not wrong, "; ".join(wrong)


def long_functions() -> list[str]:
    """`path:line name (N lines)` for every function or method over MAX_FUNCTION_LINES lines outside tests/."""
    found = []
    for path in sorted(REPO_ROOT.rglob("*.py")):
        relative = path.relative_to(REPO_ROOT)
        if relative.parts[0] in ("tests", ".venv") or any(part.startswith(".") for part in relative.parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found.append(f"{relative}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_no_function_over_80_lines() -> None:
    found = long_functions()
    assert not found, f"{len(found)} functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(found)
