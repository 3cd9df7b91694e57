"""The layer rules of docs/architecture.md, as data, and a checker that walks every import.

Kept apart from the test so that the test can also run the checker on a planted tree.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

# Our top-level packages and modules; anything else imported is a third-party library.
OURS = ("common", "geo", "planning", "data", "services", "layouts", "callbacks", "commands",
        "app", "cli", "benchmarks")  # fmt: skip
SCREENS = ("app", "cli", "layouts", "callbacks", "commands")
# Which of our packages each one may import. Screens reach the store only through services, and
# may use the pure core's values (a Plan, a DisplayLevel, the call plan's segment names).
MAY_IMPORT: dict[str, set[str]] = {
    "common": {"common"},
    "geo": {"geo"},
    "planning": {"planning", "geo", "common"},
    "data": {"data", "planning", "geo", "common"},
    "services": {"services", "data", "planning", "geo", "common"},
    "layouts": {"layouts", "planning", "geo", "common"},
    "callbacks": {"callbacks", "layouts", "services", "planning", "geo", "common"},
    "commands": {"commands", "services", "planning", "geo", "common"},
    "cli": {"commands", "common"},
    "app": {"callbacks", "layouts", "services", "common"},
}
# Third-party modules a layer must not use: below the screens no Dash; planning/ opens no file and
# no database; geo/ knows nothing of files either.
UI = {"dash", "flask", "flask_compress", "plotly"}
IO = {"sqlalchemy", "alembic", "psycopg", "sqlite3", "pyarrow", "openpyxl", "pyogrio", "pickle",
      "shutil", "tempfile", "io", "os", "pathlib", "diskcache"}  # fmt: skip
FORBIDDEN_LIBS: dict[str, set[str]] = {
    "common": UI,
    "geo": UI | IO,
    "planning": UI | IO,
    "data": UI,
    "services": UI,
    "commands": UI,
}
# Calls that read or write files, for the layers that must not.
IO_CALLS = {"open", "read_csv", "read_parquet", "read_excel", "read_file", "to_csv", "to_parquet",
            "to_excel", "to_file", "read_text", "write_text", "read_bytes", "write_bytes"}  # fmt: skip
NO_IO_CALLS = ("geo", "planning")


@dataclass(frozen=True)
class Breach:
    """One forbidden edge: the importing file, what it imports, and which rule says no."""

    source: str
    target: str
    rule: str

    def __str__(self) -> str:
        return f"{self.source} -> {self.target} ({self.rule})"


def python_files(root: Path) -> list[Path]:
    """Every Python file of the layered tree (tests, scripts and the virtualenv stand outside)."""
    files = []
    for f in sorted(root.rglob("*.py")):
        parts = f.relative_to(root).parts
        if parts[0] in OURS or parts[0].removesuffix(".py") in OURS:
            files.append(f)
    return files


def layer_of(path: Path, root: Path) -> str:
    """``planning/optimizer/search.py`` -> ``planning``; ``app.py`` -> ``app``."""
    return path.relative_to(root).parts[0].removesuffix(".py")


def imported_modules(path: Path, root: Path) -> list[str]:
    """Every module the file imports, anywhere in it (lazy imports in functions included)."""
    package = list(path.relative_to(root).parts[:-1])
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found += [f"{module}.{alias.name}" for alias in node.names]
    return found


def module_file(module: str, root: Path) -> str | None:
    """The file of ours a dotted name resolves to (``planning.editing`` -> planning/editing.py)."""
    parts = module.split(".")
    while parts:
        candidate = root.joinpath(*parts)
        if candidate.with_suffix(".py").is_file():
            return str(candidate.with_suffix(".py").relative_to(root))
        if (candidate / "__init__.py").is_file():
            return str((candidate / "__init__.py").relative_to(root))
        parts = parts[:-1]
    return None


def io_calls(path: Path) -> list[str]:
    """Names of file-reading or -writing calls in the file (``open``, ``pd.read_csv``...)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in IO_CALLS:
                names.append(f"{name}() on line {node.lineno}")
    return names


def breaches(root: Path) -> list[Breach]:
    """Every import or call of the tree that breaks a rule above, named file -> file."""
    out: list[Breach] = []
    for path in python_files(root):
        layer = layer_of(path, root)
        source = str(path.relative_to(root))
        seen: set[str] = set()
        for module in imported_modules(path, root):
            top = module.split(".")[0]
            if top in OURS:
                target = module_file(module, root) or module
                allowed = MAY_IMPORT.get(layer)
                if allowed is not None and top not in allowed and target not in seen:
                    seen.add(target)
                    out.append(
                        Breach(source, target, f"{layer}/ may import only {sorted(allowed)}")
                    )
            elif top in FORBIDDEN_LIBS.get(layer, set()) and top not in seen:
                seen.add(top)
                out.append(Breach(source, top, f"{layer}/ must not use {top}"))
        if layer in NO_IO_CALLS:
            out += [
                Breach(source, call, f"{layer}/ reads and writes no file")
                for call in io_calls(path)
            ]
    return out
