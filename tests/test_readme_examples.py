"""Every command the README shows with its output (``    $ translator-app ...`` and the lines under
it) is run against the bundled models and must print exactly that (issue #30, item 10)."""

from __future__ import annotations

import shlex

import pytest

from tests.conftest import REPO


def readme_examples() -> list[tuple[str, list[str]]]:
    """(command, output lines) of each example: the indented lines under it, up to a blank line."""
    examples: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("    $ translator-app "):
            current = []
            examples.append((line[len("    $ ") :], current))
        elif current is not None and line.startswith("    ") and line.strip():
            current.append(line[4:])
        else:
            current = None
    return examples


EXAMPLES = readme_examples()


def test_the_readme_shows_examples_with_their_output():
    assert len(EXAMPLES) >= 3 and all(out for _, out in EXAMPLES), EXAMPLES
    assert any("--prefix" in command for command, _ in EXAMPLES)


@pytest.mark.parametrize(("command", "expected"), EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_a_readme_example_prints_what_the_readme_shows(command, expected, capsys, monkeypatch):
    from translator_app.cli import main

    if not all((REPO / "models" / d / "weights.pt").exists() for d in ("en-es", "es-en")):
        pytest.skip("the bundled models are not in this checkout")
    monkeypatch.chdir(REPO)  # (the examples name models/es-en relative to the checkout)
    assert main(shlex.split(command)[1:]) == 0
    assert capsys.readouterr().out.splitlines() == expected
