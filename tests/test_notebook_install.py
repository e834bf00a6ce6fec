"""The notebooks' install cell: one named repository address, installable as written."""

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
ADDRESS = re.compile(r'^KERAS_MINE_REPOSITORY = "(?P<address>[^"]+)"$', re.M)
PIP_LINE = '%pip install -q "git+{KERAS_MINE_REPOSITORY}"'


def _install_cell(path: Path) -> str:
    cells = json.loads(path.read_text())["cells"]
    return next("".join(c["source"]) for c in cells if "KERAS_MINE_REPOSITORY" in "".join(
        c["source"]))  # fmt: skip


def test_every_notebook_installs_from_one_named_address(tmp_path):
    cells = {path.name: _install_cell(path) for path in NOTEBOOKS}
    assert len(cells) == 7 and len(set(cells.values())) == 1  # the same cell everywhere
    cell = next(iter(cells.values()))
    assert len(ADDRESS.findall(cell)) == 1 and PIP_LINE in cell
    # Run the cell's pip line with the address pointed at this checkout (its
    # committed tree, as a Colab user gets the repository's): keras_mine
    # installs from it. --no-deps: the dependencies are this environment's.
    argv = PIP_LINE.removeprefix("%pip ").replace('"', "").split()
    address = f"file://{ROOT}"
    argv = [a.replace("{KERAS_MINE_REPOSITORY}", address) for a in argv]
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", *argv, "--no-deps", "--target", str(target)],
                   check=True, timeout=600, capture_output=True)  # fmt: skip
    installed = target / "keras_mine" / "core" / "version.py"
    assert installed.read_text() == (ROOT / "keras_mine" / "core" / "version.py").read_text()
