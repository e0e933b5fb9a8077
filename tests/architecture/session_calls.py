"""Calls from one feature to another feature's function that takes the caller's SQLAlchemy
session (its first parameter is `session`), read with `ast`. Such a call is what "one unit of
work, one signature" rules out: a helper other features call takes the unit of work and joins
the caller's transaction (`with uow:`)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from tests.architecture.import_graph import PACKAGE, SOURCE, _absolute, module_files


def _takes_session(node: ast.stmt) -> bool:
    if not isinstance(node, ast.FunctionDef):
        return False
    params = [*node.args.posonlyargs, *node.args.args]
    return bool(params) and params[0].arg == "session"


@dataclass
class _Package:
    modules: dict[str, Path]
    trees: dict[str, ast.Module]
    # Functions defined in each module that take a session first.
    defined: dict[str, set[str]] = field(default_factory=dict)
    # A name a module imports from another module: (module, name) -> (source module, name).
    imported: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    # A module a module binds to a name (`from shokei.a import services as a`): module -> name -> module.
    aliases: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def read(cls, root: Path) -> _Package:
        modules = module_files(root)
        trees = {
            name: ast.parse(path.read_text(encoding="utf-8"), str(path)) for name, path in modules.items()
        }
        package = cls(modules, trees)
        for name, tree in trees.items():
            package.defined[name] = {node.name for node in tree.body if _takes_session(node)}
            package.aliases[name] = {}
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom):
                    package._bind_from(name, node)
                elif isinstance(node, ast.Import):
                    for alias in node.names:
                        if alias.asname and alias.name in modules:
                            package.aliases[name][alias.asname] = alias.name
        return package

    def _bind_from(self, name: str, node: ast.ImportFrom) -> None:
        base = _absolute(node, name, self.modules[name].name == "__init__.py")
        for alias in node.names:
            bound = alias.asname or alias.name
            if f"{base}.{alias.name}" in self.modules:
                self.aliases[name][bound] = f"{base}.{alias.name}"
            elif base in self.modules:
                self.imported[(name, bound)] = (base, alias.name)

    def feature(self, module: str) -> str | None:
        """`shokei.<feature>...` -> the feature; None for a top-level module (`shokei.db`)."""
        top = ".".join(module.split(".")[:2])
        is_package = top in self.modules and self.modules[top].name == "__init__.py"
        return top.split(".")[1] if is_package and top != PACKAGE else None

    def resolve(self, module: str, function: str) -> tuple[str, str] | None:
        """Where a session-taking function a module names is defined (through re-exports)."""
        seen: set[tuple[str, str]] = set()
        while (module, function) not in seen:
            seen.add((module, function))
            if function in self.defined.get(module, set()):
                return module, function
            if (module, function) not in self.imported:
                return None
            module, function = self.imported[(module, function)]
        return None

    def target(self, module: str, call: ast.Call) -> tuple[str, str] | None:
        if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name):
            source = self.aliases[module].get(call.func.value.id)
            return self.resolve(source, call.func.attr) if source else None
        if isinstance(call.func, ast.Name) and (module, call.func.id) in self.imported:
            return self.resolve(*self.imported[(module, call.func.id)])
        return None


def session_calls(root: Path = SOURCE) -> list[str]:
    """`caller module: defining module.function` for every such call, sorted."""
    package = _Package.read(root)
    found: set[str] = set()
    for name, tree in package.trees.items():
        caller = package.feature(name)
        for node in ast.walk(tree):
            target = package.target(name, node) if isinstance(node, ast.Call) else None
            if target is not None and caller is not None and package.feature(target[0]) not in (None, caller):
                found.add(f"{name}: {target[0]}.{target[1]}")
    return sorted(found)
