"""Entry-point targets (`module:attr`) resolved against a source tree, without importing it."""

from __future__ import annotations

import ast
from pathlib import Path


def module_file(root: Path, module: str) -> Path | None:
    """The file that defines `module` under `root`, or None."""
    base = root.joinpath(*module.split("."))
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def defined_names(path: Path) -> set[str]:
    """Names a module binds at top level: functions, classes, assignments and imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def target_problem(root: Path, target: str, shipped: tuple[str, ...]) -> str | None:
    """Why `target` would not work from the wheel, or None when it would."""
    module, _, attr = target.partition(":")
    module = module.strip()
    if module.split(".")[0] not in shipped:
        return f"points into {module!r}, which the wheel does not ship"
    path = module_file(root, module)
    if path is None:
        return f"module {module!r} does not exist"
    attr = attr.strip().split(".")[0]
    if attr and attr not in defined_names(path):
        return f"{module!r} defines no {attr!r}"
    return None
