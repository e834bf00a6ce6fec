"""The command line, end to end on a tiny setting."""

import pytest

from keras_mine.__main__ import main
from keras_mine.demo import run_demo


def test_demo_prints_estimates_beside_the_truth(capsys):
    code = main(["demo", "--rho", "0.5", "--losses", "mine_biased", "--n", "600", "--epochs", "2"])
    assert code == 0
    out = capsys.readouterr().out
    header, row = out.strip().splitlines()[-2:]
    assert "true MI" in header and "estimate" in header
    fields = row.split()
    assert fields[:3] == ["0.5", "mine_biased", "0.1438"]  # -0.5 ln(0.75)
    assert int(fields[6]) == 2


def test_demo_rows_are_measured():
    (row,) = run_demo([0.9], ["remine"], n=600, epochs=2, progress=False)
    assert row["error"] == pytest.approx(row["mi"] - row["mi_true"])
    assert row["seconds"] > 0


def test_unknown_loss_is_an_error(capsys):
    assert main(["demo", "--losses", "nce"]) == 2
    assert "valid: mine_biased, mine, remine" in capsys.readouterr().err


def test_help_explains_options(capsys):
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    assert "--rho" in capsys.readouterr().out
