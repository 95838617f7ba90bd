"""The product never hands text to Python's own evaluator: no eval/exec/compile/__import__ calls anywhere."""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = {"eval", "exec", "compile", "__import__"}
FORBIDDEN_MODULES = {"numexpr"}


def _product_files(repo_root: Path) -> list[Path]:
    files = sorted((repo_root / "lib_parseq").rglob("*.py"))
    files += sorted((repo_root / "scripts").rglob("*.py")) if (repo_root / "scripts").is_dir() else []
    if (repo_root / "install.py").is_file():
        files.append(repo_root / "install.py")
    return files


def _offences(source: str, name: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, filename=name)):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else None
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "builtins":
                called = func.attr
            if called in FORBIDDEN:
                found.append(f"{name}:{node.lineno}: {called}(...)")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for module in modules:
                if module.split(".")[0] in FORBIDDEN_MODULES:
                    found.append(f"{name}:{node.lineno}: import {module}")
    return found


def test_the_checker_finds_real_calls_and_ignores_words():
    source = 'import builtins\n"""eval(x) in a docstring"""\nre_compile = 1\neval("1")\nbuiltins.exec("2")\nimport numexpr\n'
    assert sorted(line.split(": ", 1)[1] for line in _offences(source, "x.py")) == ["eval(...)", "exec(...)", "import numexpr"]
    assert _offences("import re\nre.compile('a')\nx.eval()\n", "y.py") == []


def test_no_eval_or_exec_in_the_product(repo_root: Path):
    files = _product_files(repo_root)
    assert len(files) > 5
    offences = [hit for path in files for hit in _offences(path.read_text(encoding="utf-8"), str(path.relative_to(repo_root)))]
    assert offences == []
