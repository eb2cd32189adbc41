"""core/ never imports Qt: checked in the source and by importing every core module with Qt
made unimportable."""

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "core"
QT_ROOTS = {"PySide6", "PySide2", "PyQt5", "PyQt6", "shiboken6", "shiboken2", "pyqtgraph", "qtpy"}


def test_no_core_module_names_a_qt_package():
    offenders = []
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path}: {n}" for n in names if n.split(".")[0] in QT_ROOTS]
    assert offenders == []


def test_every_core_module_imports_with_qt_blocked():
    modules = sorted(
        ".".join(("core", *p.relative_to(CORE).with_suffix("").parts)).removesuffix(".__init__")
        for p in CORE.rglob("*.py")
    )
    script = f"""
import sys, importlib
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {sorted(QT_ROOTS)!r}:
            raise ImportError('Qt is blocked in core: ' + name)
sys.meta_path.insert(0, Block())
for m in {modules!r}:
    importlib.import_module(m)
loaded = [m for m in sys.modules if m.split('.')[0] in {sorted(QT_ROOTS)!r}]
assert not loaded, loaded
print('ok', len({modules!r}))
"""
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=CORE.parent
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ok")
