"""docs/architecture.md and the README are true to the code: what the map names exists, and every app is in it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_FILE = re.compile(r"(?<![\w.])((?:[\w-]+/)*[\w-]+(?:\.[\w-]+)*\.(?:py|html|toml|md|in|lock|conf))\b")
_DIR = re.compile(r"(?<![\w./])((?:[\w-]+/)+)(?=[\s,)]|$)")


def _code_block(markdown: str, heading: str) -> list[str]:
    section = markdown.split(heading, 1)[1]
    return section.split("```", 2)[1].splitlines()[1:]


def _apps() -> set[str]:
    return {path.parent.name for path in (ROOT / "masthead").glob("*/apps.py")}


def _named_paths(lines: list[str]) -> list[tuple[str, list[Path]]]:
    """Each file or folder a map names, with the places it may be relative to."""
    named = []
    top = app = None
    for line in lines:
        if re.match(r"^\S", line):
            top, app = line.split()[0].rstrip("/"), None
        elif match := re.match(r"^  (\w+)/", line):
            app = match.group(1)
        bases = [ROOT, ROOT / "masthead"]
        if top:
            bases.append(ROOT / top)
        if app:
            bases.append(ROOT / "masthead" / app)
        for token in _FILE.findall(line) + _DIR.findall(line):
            named.append((token, bases))
    return named


def test_every_file_the_architecture_map_names_exists():
    lines = _code_block((ROOT / "docs/architecture.md").read_text(), "## The map")
    named = _named_paths(lines)
    assert len(named) > 40, "the map was not found or not read"
    missing = [token for token, bases in named if not any((base / token).exists() for base in bases)]
    assert not missing, f"docs/architecture.md names what does not exist: {missing}"


def test_every_app_is_in_the_map_and_in_the_layer_drawing():
    markdown = (ROOT / "docs/architecture.md").read_text()
    apps = _apps()
    assert {"core", "publishing", "paywall", "site"} <= apps
    mapped = {m.group(1) for line in _code_block(markdown, "## The map") if (m := re.match(r"^  (\w+)/", line))}
    assert apps <= mapped, f"apps missing from the map: {apps - mapped}"
    drawing = " ".join(_code_block(markdown, "## The layers"))
    assert all(re.search(rf"\b{app}\b", drawing) for app in apps), "an app is missing from the layer drawing"


def test_the_layer_drawing_matches_the_import_contract():
    """The stack drawn in the docs is the stack lint-imports enforces, in the same order."""
    markdown = (ROOT / "docs/architecture.md").read_text()
    drawn = [re.split(r"\s{2,}", line)[0] for line in _code_block(markdown, "## The layers") if re.match(r"^\w", line)]
    contract = (ROOT / "pyproject.toml").read_text().split('type = "layers"', 1)[1].split("]", 1)[0]
    enforced = [re.sub(r"masthead\.", "", layer) for layer in re.findall(r'"([^"]+)"', contract)]
    assert [layer.replace(" ", "") for layer in drawn] == [layer.replace(" ", "") for layer in enforced]


def test_the_readme_names_every_app():
    readme = (ROOT / "README.md").read_text()
    missing = [app for app in _apps() if f"masthead/{app}" not in readme]
    assert not missing, f"README's 'Where things are' misses {missing}"
