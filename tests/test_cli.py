"""The command line and the benchmark runner, end to end on tiny settings."""

import numpy as np
import pandas as pd
import pytest

from keras_mine.__main__ import main
from keras_mine.bench.runner import format_markdown, run_benchmark, summarize
from keras_mine.tasks import AdditiveNoiseTask, bivariate_gaussian, get_suite

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _is_png(path):
    return path.read_bytes()[:8] == PNG_MAGIC and path.stat().st_size > 10_000


def test_demo_writes_the_rho_figure_and_its_table(tmp_path, capsys):
    argv = ["demo", "--rho", "-0.5", "0.5", "--methods", "mine_biased", "classifier",
            "--n", "400", "--max-epochs", "2", "--out", str(tmp_path)]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "true MI" in out and "estimate" in out
    assert out.count("0.144") >= 4  # -0.5 ln(0.75) on each of the 4 rows
    table = pd.read_csv(tmp_path / "demo.csv")
    assert sorted(table["rho"]) == [-0.5, -0.5, 0.5, 0.5]
    assert set(table["method"]) == {"mine_biased", "classifier"}
    assert np.allclose(table["error"], table["mean"] - table["mi_true"])
    assert _is_png(tmp_path / "demo.png")


def test_bench_writes_csv_and_png_and_reports_what_a_method_rejects(tmp_path, capsys):
    argv = ["bench", "--tasks", "normal-1x1-rho0.75", "additive-noise-1x1-eps0.75",
            "--methods", "mine", "ksg", "discrete", "--n", "300", "--seeds", "2",
            "--max-epochs", "2", "--out", str(tmp_path), "--markdown"]  # fmt: skip
    assert main(argv) == 0
    captured = capsys.readouterr()
    runs = pd.read_csv(tmp_path / "bench_runs.csv", keep_default_na=False)
    assert len(runs) == 2 * 3 * 2
    assert set(runs["seed"]) == {0, 1}
    ksg = runs[runs["method"] == "ksg"]
    assert (ksg["failure"] == "").all()  # max_epochs reached the neural method only
    assert (runs[runs["method"] == "discrete"]["failure"].str.contains("non-integer")).all()
    summary = pd.read_csv(tmp_path / "bench_summary.csv")
    assert len(summary) == 6 and (summary[summary["method"] == "ksg"]["std"] > 0).all()
    assert _is_png(tmp_path / "bench.png")
    assert "| task | dims | true MI | mine | ksg | discrete |" in captured.out
    assert "note: discrete on additive-noise-1x1-eps0.75" in captured.err


def test_bench_of_entropies_skips_tasks_with_no_closed_form(tmp_path, capsys):
    argv = ["bench", "--quantity", "entropy", "--tasks", "quick", "wiggly-1v1-normal-0.75",
            "--methods", "knn", "gaussian", "--n", "2000", "--seeds", "2",
            "--out", str(tmp_path), "--markdown"]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    summary = pd.read_csv(tmp_path / "bench_summary.csv")
    assert list(dict.fromkeys(summary["task"])) == [t.name for t in get_suite("quick")]
    assert (summary["quantity"] == "entropy").all() and "true H" in out
    assert "| task | dims | true H | knn | gaussian |" in out
    truth = [t.entropy_true["joint"] for t in get_suite("quick") for _ in range(2)]
    np.testing.assert_allclose(summary["mi_true"], truth)
    # kNN at N = 2,000 in up to 6 dimensions: within 0.15 nats of the joint entropy;
    # the Gaussian closed form is exact on the Gaussian tasks.
    knn = summary[summary["method"] == "knn"]
    assert (knn["error"].abs() < 0.15).all()
    gaussian = summary[(summary["method"] == "gaussian") & summary["task"].str.startswith("normal")]
    assert (gaussian["error"].abs() < 0.05).all()
    assert _is_png(tmp_path / "bench.png")


def test_bench_of_conditional_mi(tmp_path, capsys):
    argv = ["bench", "--quantity", "cmi", "--tasks", "ccmi-model1-dz1", "ccmi-independent-dz1",
            "--methods", "ksg", "--n", "5000", "--seeds", "2", "--out", str(tmp_path),
            "--markdown"]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    summary = pd.read_csv(tmp_path / "bench_summary.csv")
    assert summary["task"].tolist() == ["ccmi-model1-dz1", "ccmi-independent-dz1"]
    assert summary["mi_true"].tolist() == pytest.approx([0.5 * np.log(101.0), 0.0])
    # Frenzel-Pompe with d_z = 1 at N = 5,000: within 0.1 nats, as in test_knn_variants.py
    # (at N = 2,000 it reads 0.20 low: the bias of kNN at 2.3 nats).
    assert (summary["error"].abs() < 0.1).all() and (summary["quantity"] == "cmi").all()
    assert "| task | dims | true CMI | ksg |" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["bench", "--quantity", "cmi", "--tasks", "v1"], "unknown conditional task 'v1'"),
        (["bench", "--methods", "kraskov"], "unknown method(s) ['kraskov']; valid: mine_biased"),
        (["bench", "--quantity", "entropy", "--methods", "mine"],
         "unknown method(s) ['mine']; valid: discrete, histogram, knn"),
        (["bench", "--quantity", "entropy", "--tasks", "wiggly-1v1-normal-0.75"],
         "none of the tasks has a closed-form entropy"),
        (["bench", "--tasks", "normal-9x9"], "Unknown task 'normal-9x9'"),
        (["bench", "--n", "5"], "integer >= 10 for `--n`"),
        (["demo", "--rho", "1.5"], "--rho values must lie in (-1, 1)"),
    ],
)
def test_bad_arguments_exit_with_a_message(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("command", ["demo", "bench"])
def test_help_explains_the_options(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    for option in ["--methods", "--n", "--max-epochs", "--out"]:
        assert option in out


def test_summary_statistics_and_markdown():
    tasks = [bivariate_gaussian(0.5), AdditiveNoiseTask(0.1)]
    runs = run_benchmark(tasks, ["ksg", "histogram"], n=500, seeds=3, progress=False)
    summary = summarize(runs)
    assert list(summary["task"]) == [tasks[0].name] * 2 + [tasks[1].name] * 2
    one = runs[(runs["task"] == tasks[1].name) & (runs["method"] == "ksg")]["mi"]
    row = summary.iloc[2]
    assert row["mean"] == pytest.approx(one.mean()) and row["std"] == pytest.approx(one.std())
    assert row["error"] == pytest.approx(one.mean() - tasks[1].mi_true)
    table = format_markdown(summary)
    assert f"| {tasks[1].name} | 1×1 | 1.71 | {row['mean']:.2f} ± {row['std']:.2f} |" in table
    assert "| mean abs. error |" in table


def test_the_keras_mine_command_and_the_module_print_the_version_written_once():
    import configparser
    import subprocess
    import sys
    from pathlib import Path

    import keras_mine

    root = Path(__file__).parents[1]
    setup = configparser.ConfigParser()
    setup.read(root / "setup.cfg")
    assert setup["metadata"]["version"] == "attr: keras_mine.core.version.__version__"
    assert "[project]" not in (root / "pyproject.toml").read_text()  # metadata in one file
    assert (root / "LICENSE").read_text().startswith("MIT License")
    command = Path(sys.executable).with_name("keras-mine")  # installed by pip install
    for argv in ([str(command)], [sys.executable, "-m", "keras_mine"]):
        done = subprocess.run([*argv, "--version"], capture_output=True, text=True, timeout=120)
        assert done.stdout.strip() == f"keras-mine {keras_mine.__version__}", done.stderr


def test_the_command_line_hides_tensorflow_start_up_lines_unless_asked():
    import os
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    from keras_mine.bench.startup import launched_as_command

    assert launched_as_command(["python", "/venv/bin/keras-mine", "demo"])
    assert launched_as_command(["python", "-m", "keras_mine", "bench"])
    assert not launched_as_command(["python", "-m", "pytest", "-q"])
    assert not launched_as_command(["python", "script.py"])

    def run(argv, **env):
        return subprocess.run(argv, capture_output=True, text=True, timeout=120,
                              env={**os.environ, **env})  # fmt: skip

    command = str(Path(sys.executable).with_name("keras-mine"))
    helped = run([command, "demo", "--help"])  # argparse exits before TensorFlow is imported
    assert helped.returncode == 0 and "usage: keras-mine demo" in helped.stdout
    assert helped.stderr == ""
    # An argument error is found before TensorFlow is imported: only the error shows.
    error = "error: --rho values must lie in (-1, 1); received [2.0]"
    for env in ({}, {"KERAS_MINE_TF_LOGS": "1"}):
        bad = run([command, "demo", "--rho", "2"], **env)
        assert bad.returncode == 2 and bad.stderr.strip() == error
    # A run imports TensorFlow with its start-up lines hidden, unless asked for.
    with tempfile.TemporaryDirectory() as out:
        bench = [command, "bench", "--tasks", "quick", "--methods", "ksg", "--n", "200",
                 "--seeds", "1", "--out", out]  # fmt: skip
        # What this TensorFlow logs at start, without the time stamps (the progress
        # bar writes to stderr too).
        start_up = run([sys.executable, "-c", "import tensorflow"]).stderr.splitlines()
        logged = {line.rsplit("] ", 1)[-1] for line in start_up if line.strip()}
        quiet = run(bench)
        assert quiet.returncode == 0, quiet.stderr[-2000:]
        assert not any(text in quiet.stderr for text in logged), quiet.stderr[-2000:]
        assert logged or not start_up  # the check above can fail: there is something to hide


def test_tensorflow_is_imported_quietly_by_the_command_unless_asked(monkeypatch, tmp_path):
    # The rule behind the run above, in process: the quiet import happens when
    # launched as the command, not with KERAS_MINE_TF_LOGS=1, and not before an
    # argument error.
    from keras_mine.bench import cli, startup

    calls = []
    monkeypatch.setattr(startup, "launched_as_command", lambda: True)
    monkeypatch.setattr(startup, "import_tensorflow_quietly", lambda: calls.append(1))
    argv = ["bench", "--tasks", "quick", "--methods", "ksg", "--n", "200", "--seeds", "1",
            "--out", str(tmp_path)]  # fmt: skip
    monkeypatch.delenv(startup.SHOW_LOGS_VARIABLE, raising=False)
    assert cli.main(argv) == 0 and calls == [1]
    assert cli.main(["demo", "--rho", "2"]) == 2 and calls == [1]
    monkeypatch.setenv(startup.SHOW_LOGS_VARIABLE, "1")
    assert cli.main(argv) == 0 and calls == [1]


def test_the_package_imports_tensorflow_only_for_what_needs_it():
    """``import keras_mine`` and every classical entry point need no TensorFlow.

    Issue 31: `mi_matrix` on 20 columns took 14.6 s in a fresh process, 13.7 s
    of it importing TensorFlow (Dask workers and scripts pay it on every start).
    """
    import subprocess
    import sys

    script = """
import sys
import numpy as np
import keras_mine
from keras_mine.classical.knn_pairs import ksg_mi_pairs
rng = np.random.default_rng(0)
x = rng.normal(size=300)
z = x + rng.normal(size=300)
table = np.c_[x, z, rng.normal(size=300)]
calls = {
    "normalized_mi": lambda: keras_mine.normalized_mi([0, 1, 1, 2], [0, 1, 1, 2]),
    "adjusted_mi": lambda: keras_mine.adjusted_mi([0, 1, 1, 2], [0, 1, 1, 2]),
    "pmi_table": lambda: keras_mine.pmi_table(np.array([[5, 1], [1, 5]])),
    "ksg_mi_pairs": lambda: ksg_mi_pairs(table, [(0, 1)]),
    "METHODS": lambda: keras_mine.METHODS.descriptions(),
    **{f"estimate_mi {m}": (lambda m=m: keras_mine.estimate_mi(x, z, method=m))
       for m in ("ksg", "mixed", "kde", "histogram", "gaussian_copula")},
    "estimate_mi discrete": lambda: keras_mine.estimate_mi(x > 0, z > 0, method="discrete"),
    "estimate_mi_many": lambda: keras_mine.estimate_mi_many([(x, z)], method="ksg"),
    **{f"estimate_cmi {m}": (lambda m=m: keras_mine.estimate_cmi(x, z, table[:, 2], method=m))
       for m in ("ksg", "gaussian_copula")},
    "estimate_entropy": lambda: keras_mine.estimate_entropy(x),
    "conditional_entropy": lambda: keras_mine.conditional_entropy(x, z),
    "mi_scores": lambda: keras_mine.mi_scores(table, x),
    "rank_features": lambda: keras_mine.rank_features(table, x),
    "MIScorer": lambda: keras_mine.MIScorer("ksg")(table, x),
    "mi_matrix": lambda: keras_mine.mi_matrix(table),
    "mi_test": lambda: keras_mine.mi_test(x, z, n_permutations=9),
    "bootstrap_ci": lambda: keras_mine.bootstrap_ci(x, z, n_replicates=10),
    "mi_vs_sample_size": lambda: keras_mine.mi_vs_sample_size(x, z, sizes=[100, 200]),
    "lagged_mi": lambda: keras_mine.lagged_mi(x, z, lags=[0, 1], n_replicates=2),
    "surrogate_test": lambda: keras_mine.surrogate_test(x, z, n_surrogates=9),
    **{f"transfer_entropy {m}": (lambda m=m: keras_mine.transfer_entropy(x, z, method=m))
       for m in ("ksg", "gaussian_copula")},
    "te_matrix": lambda: keras_mine.te_matrix(table, history=1),
}
for name, call in calls.items():
    call()
    assert "tensorflow" not in sys.modules and "keras" not in sys.modules, f"{name} imported it"
assert set(keras_mine.__all__) <= set(dir(keras_mine))
assert keras_mine.MINE.__name__ == "MINE" and "tensorflow" in sys.modules
from keras_mine import *  # every public name resolves
assert callable(mi_matrix) and bounds.__name__ == "keras_mine.core.bounds"
try:
    keras_mine.not_a_name
except AttributeError as error:
    assert "no attribute 'not_a_name'" in str(error)
else:
    raise AssertionError("no AttributeError")
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.stdout.strip() == "ok", done.stderr[-2000:]


def test_another_keras_backend_is_refused_where_tensorflow_is_needed():
    # Keras 3 on another backend (reported as "jax": installing one is not needed to
    # test the check): the classical methods run; the first neural name says how
    # to switch, rather than failing deep inside a model.
    import subprocess
    import sys

    script = """
import keras
keras.backend.backend = lambda: "jax"
import numpy as np
import keras_mine
x = np.random.default_rng(0).normal(size=200)
print(round(keras_mine.estimate_mi(x, x ** 3 + np.sin(x), method="ksg").mi, 1) > 1)
for get in (lambda: keras_mine.MINE, lambda: keras_mine.estimate_mi(x, x, method="mine")):
    try:
        get()
    except ImportError as error:
        print("KERAS_BACKEND=tensorflow" in str(error))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.stdout.split() == ["True", "True", "True"], done.stderr[-2000:]
