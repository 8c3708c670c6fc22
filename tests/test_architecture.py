"""The package's shape: imports point down the layers, the core needs no torch, modules and
functions stay small, and every package says what it exports.

Layers, lowest first (a module may import its own package and any lower layer; packages on the
same layer do not import each other)::

    errors < data, transitions < schema, io, evaluation < corpora < analysis
        (end of the torch-free core) < encoders < heads < models < training | inference
        < server < cli < testing (test doubles, used by tests only)

Imports are read with ``ast`` from every module, including those inside functions and under
``TYPE_CHECKING``.  No exceptions are listed.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import mosaicner

SRC = Path(mosaicner.__file__).parent
LAYERS: list[set[str]] = [
    {"_version", "errors"},
    {"data", "transitions"},
    {"schema", "io", "evaluation", "merge"},
    {"corpora"},
    {"analysis", "store"},
    {"encoders"},
    {"heads"},
    {"models"},
    {"training", "inference"},
    {"server"},
    {"cli"},
    {"testing"},
]
RANK = {pkg: i for i, layer in enumerate(LAYERS) for pkg in layer}
CORE = {pkg for layer in LAYERS[: RANK["analysis"] + 1] for pkg in layer}
TORCH_LIBS = {"torch", "transformers", "safetensors", "onnx", "onnxruntime", "accelerate", "ray"}
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 120


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


MODULES = dict(_modules())


def _package(module: str) -> str | None:
    """``mosaicner.io.conll`` -> ``io``; the root package itself has none."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _imports(module: str, path: Path) -> Iterator[tuple[str, int]]:
    """Every imported module name (absolute) with its line, wherever the import statement is."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_pkg = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                if not is_pkg:
                    base = base[:-1]
                base = base[: len(base) - (node.level - 1)]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            yield name, node.lineno
            for alias in node.names:  # `from mosaicner import io` imports mosaicner.io
                if f"{name}.{alias.name}" in MODULES:
                    yield f"{name}.{alias.name}", node.lineno


def test_layers_cover_every_package() -> None:
    packages = {_package(m) for m in MODULES} - {None}
    assert packages == set(RANK), "every package has a layer (and no layer names a ghost)"


def test_every_import_points_down() -> None:
    wrong: list[str] = []
    for module, path in MODULES.items():
        own = _package(module)
        for name, line in _imports(module, path):
            if not name.startswith("mosaicner.") and name != "mosaicner":
                continue
            target = _package(name)
            if own is None:  # the root package: may import the lowest layers only
                if target is not None and RANK[target] > RANK["data"]:
                    wrong.append(f"{path.name}:{line}: mosaicner -> {name}")
                continue
            if target is None or target == own:  # `from mosaicner import io`: see the next name
                continue
            if RANK[target] >= RANK[own]:
                wrong.append(f"{module}:{line} ({own}) -> {name} ({target})")
    assert not wrong, "imports that do not point to a lower layer:\n" + "\n".join(wrong)


def test_core_imports_no_torch() -> None:
    wrong = [
        f"{module}:{line} -> {name}"
        for module, path in MODULES.items()
        if _package(module) in CORE or _package(module) is None
        for name, line in _imports(module, path)
        if name.split(".")[0] in TORCH_LIBS
    ]
    assert not wrong, "\n".join(wrong)


def test_core_import_leaves_torch_unloaded() -> None:
    core = sorted(m for m in MODULES if _package(m) in CORE or _package(m) is None)
    code = (
        "import importlib, sys\n"
        f"for m in {core!r}:\n"
        "    importlib.import_module(m)\n"
        "print(sorted(k for k in sys.modules if k.split('.')[0] in "
        f"{sorted(TORCH_LIBS)!r}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]", out.stdout


def _long_functions(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            n = (node.end_lineno or node.lineno) - start + 1
            if n > MAX_FUNCTION_LINES:
                yield f"{path.relative_to(SRC)}:{node.lineno} {node.name}: {n} lines"


def test_modules_and_functions_are_small() -> None:
    big = [
        f"{path.relative_to(SRC)}: {n} lines"
        for path in MODULES.values()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    ]
    long = [f for path in MODULES.values() for f in _long_functions(path)]
    assert not big, f"modules over {MAX_MODULE_LINES} lines:\n" + "\n".join(big)
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(long)


def test_training_loop_reads_as_the_loop() -> None:
    assert len((SRC / "training" / "loop.py").read_text().splitlines()) <= 400


PACKAGES = sorted(m for m, p in MODULES.items() if p.name == "__init__.py")


@pytest.mark.parametrize("package", PACKAGES)
def test_package_exports(package: str) -> None:
    """Every package declares ``__all__``, and every name it lists exists."""
    mod = importlib.import_module(package)
    names = getattr(mod, "__all__", None)
    assert isinstance(names, list | tuple), f"{package} defines no __all__"
    missing = [n for n in names if not hasattr(mod, n)]
    assert not missing, f"{package}.__all__ lists missing names: {missing}"
    assert len(set(names)) == len(names)
