"""The documentation site builds with warnings as errors: a broken docstring fails CI."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def _build(config: Path, site: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_the_docs_build_without_warnings(tmp_path):
    done = _build(ROOT / "mkdocs.yml", tmp_path / "site")
    assert done.returncode == 0, done.stderr
    api = (tmp_path / "site" / "api" / "index.html").read_text()
    # The reference is generated from the docstrings of both styles.
    assert "Estimate the mutual information I(X;Z) from paired samples" in api
    assert "Seed of those permutations" in api  # CriticModel.estimate's Args:


def test_a_broken_docstring_fails_the_build(tmp_path):
    docstring = "Doc.\n\n    Parameters\n    ----------\n    y : int\n        Not x.\n    "
    (tmp_path / "broken.py").write_text(f'def f(x):\n    """{docstring}"""\n')
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("::: broken.f\n")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\nplugins:\n  - mkdocstrings:\n      handlers:\n        python:\n"
        f"          paths: [{tmp_path}]\n          options:\n            docstring_style: numpy\n"
    )
    done = _build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert done.returncode != 0 and "does not appear in the function signature" in done.stderr
