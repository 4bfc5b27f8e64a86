"""README.md's configuration table and the code agree: every variable read is documented, and only those.

The code is read, not run: every read of ``os.environ`` in the ``masthead`` package is found in its syntax
tree, so a new ``os.environ.get("X")`` anywhere fails this test until README.md names ``X``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import global_settings

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "masthead"
SETTINGS = PACKAGE / "settings.py"
# settings.py's readers; each takes the variable's name as its first argument.
HELPERS = {"env_bool", "env_list", "env_int", "env_choice"}


def _is_environ(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ"


def _literal(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


class EnvironmentReads(ast.NodeVisitor):
    """The variables a module reads, and any use of the environment this visitor cannot name."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.names: set[str] = set()
        self.unnamed: list[str] = []
        self._function: list[str] = []

    def _read(self, name_node: ast.AST | None, node: ast.AST) -> None:
        name = _literal(name_node)
        if name is not None:
            self.names.add(name)
        elif not (self._function and self._function[-1] in HELPERS):
            self.unnamed.append(f"{self.where}:{node.lineno}")  # only the helpers may read a computed name

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._function.append(node.name)
        self.generic_visit(node)
        self._function.pop()

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        first = node.args[0] if node.args else None
        if isinstance(func, ast.Name) and func.id in HELPERS:
            self._read(first, node)
        elif isinstance(func, ast.Attribute) and _is_environ(func.value):
            if func.attr != "setdefault":  # setdefault (wsgi.py, manage.py) tells Django, it configures nothing
                self._read(first, node)
            for arg in node.args[1:]:
                self.visit(arg)
            return
        elif isinstance(func, ast.Attribute) and func.attr == "getenv":
            self._read(first, node)
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if _is_environ(node.value):
            self._read(node.slice, node)
            return
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if _is_environ(node):
            self.unnamed.append(f"{self.where}:{node.lineno}")  # os.environ used some other way
        self.generic_visit(node)


def environment_reads() -> tuple[set[str], list[str]]:
    names: set[str] = set()
    unnamed: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        visitor = EnvironmentReads(str(path.relative_to(ROOT)))
        visitor.visit(ast.parse(path.read_text(), filename=str(path)))
        names |= visitor.names
        unnamed += visitor.unnamed
    return names, unnamed


def documented() -> set[str]:
    """The variables named in the first column of README.md's configuration table."""
    section = (ROOT / "README.md").read_text().split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")][2:]  # past the header and the rule
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", row.split("|")[1])}


def test_every_variable_the_code_reads_is_in_the_readme_table():
    names, unnamed = environment_reads()
    assert {"DEBUG", "SECRET_KEY", "MASTHEAD_FROM_EMAIL", "MASTHEAD_ADMIN_PASSWORD", "EMAIL_HOST"} <= names
    assert not unnamed, f"environment reads this test cannot name: {unnamed}"
    assert sorted(names - documented()) == [], "read by the code but missing from README.md's table"


def test_the_readme_table_names_only_variables_the_code_reads():
    table = documented()
    assert {"DEBUG", "MASTHEAD_PAYMENT_PROVIDER", "MASTHEAD_ALLOW_LOCAL_PAYMENTS"} <= table
    assert sorted(table - environment_reads()[0]) == [], "in README.md's table but read nowhere"


def test_each_of_our_settings_has_its_variables_name():
    """A setting of Masthead's own is named after the one variable that sets it (Django's keep Django's)."""
    pairs = []
    for node in ast.walk(ast.parse(SETTINGS.read_text())):
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            continue
        target = node.targets[0].id
        if not target.isupper() or hasattr(global_settings, target):
            continue
        visitor = EnvironmentReads("settings.py")
        visitor.visit(node.value)
        pairs += [(target, name) for name in visitor.names]
    assert ("MASTHEAD_CACHE_PREFIX", "MASTHEAD_CACHE_PREFIX") in pairs
    assert [(setting, name) for setting, name in pairs if setting != name] == []
