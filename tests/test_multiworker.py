"""Training beyond one machine: MultiWorkerMirroredStrategy with two workers on 127.0.0.1.

Each worker is its own process with its own TF_CONFIG (ports chosen free at
run time); both train one model. The run is bounded in time and the workers
are killed whatever happens.
"""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

RUNNER = Path(__file__).with_name("_multiworker_run.py")
TIMEOUT = 600


def _free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _last_json(text: str) -> dict:
    return json.loads(text.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def runs():
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TF_NUM_INTEROP_THREADS": "1"}
    workers = [f"127.0.0.1:{port}" for port in _free_ports(2)]
    processes = []
    try:
        for index in range(2):
            config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}
            processes.append(subprocess.Popen(
                [sys.executable, str(RUNNER)], env={**env, "TF_CONFIG": json.dumps(config)},
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            ))  # fmt: skip
        outputs = [p.communicate(timeout=TIMEOUT) for p in processes]
    finally:
        for p in processes:
            if p.poll() is None:
                p.kill()
                p.wait()
    for p, (_, err) in zip(processes, outputs, strict=True):
        assert p.returncode == 0, err[-3000:]
    single = subprocess.run([sys.executable, str(RUNNER), "--single"], env=env,
                            capture_output=True, text=True, timeout=TIMEOUT)  # fmt: skip
    assert single.returncode == 0, single.stderr[-3000:]
    return {"multi": _last_json(outputs[0][0]), "single": _last_json(single.stdout)}


def test_two_workers_train_one_model_and_estimate_what_one_does(runs):
    multi, single = runs["multi"], runs["single"]
    assert (multi["replicas"], single["replicas"]) == (2, 1)
    # Same data, same global batches; the runs differ in their shuffles. Read
    # on 20,000 held-out pairs after 8 epochs. Single runs with seeds 0-3 read
    # 0.492, 0.495, 0.503, 0.488 (sd 0.006), two workers 0.503 (truth 0.511):
    # within 0.03 of each other (5 sd), both within 0.06 of the truth. Before
    # the work-arounds in CriticModel, Keras' fit failed on two workers.
    assert multi["estimate"] == pytest.approx(single["estimate"], abs=0.03)
    for run in (multi, single):
        assert run["estimate"] == pytest.approx(run["mi_true"], abs=0.06)


def test_an_unseeded_model_over_workers_says_to_seed_it(runs):
    # Each worker shuffles the rows and takes its share of the batches: with
    # different shuffles an epoch repeats some rows and skips others.
    assert runs["multi"]["seed_warning"]
    assert not runs["single"]["seed_warning"]
