"""Train and read out a MINE model from .npy files under a memory limit (run by test_streaming).

Usage: python _streaming_run.py FOLDER LIMIT_MIB. The data segment of this
process (RLIMIT_DATA: every allocation, numpy's and TensorFlow's; not the
pages of the memory-mapped files) is capped at LIMIT_MIB before anything is
imported, so holding the training file in memory would fail. Prints one JSON
line: the estimate, its standard error, the process's data size at the end,
and whether loading the training files into memory was refused (it must be).
"""

import json
import re
import resource
import sys
from pathlib import Path

folder, limit = Path(sys.argv[1]), int(sys.argv[2]) * 2**20
resource.setrlimit(resource.RLIMIT_DATA, (limit, resource.getrlimit(resource.RLIMIT_DATA)[1]))

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_mine  # noqa: E402


def data_mib() -> float:
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmData:\s+(\d+)", status).group(1)) / 1024


# "standard": the normal scores' knot search costs more than the rest of a
# step on 512 columns (CPU), and the pipeline, not the map, is under test.
try:  # the limit is real: the training files do not fit in it
    [np.load(folder / f"{name}_train.npy") for name in "xz"]
    refused = False
except MemoryError:
    refused = True
model = keras_mine.MINE(seed=0, preprocessing="standard")
model.compile(optimizer=keras.optimizers.Adam(1e-3))
train = keras_mine.npy_dataset(folder / "x_train.npy", folder / "z_train.npy", batch_size=512,
                               shuffle_buffer=4096, seed=0)  # fmt: skip
model.fit(train, epochs=1, verbose=0)
test = keras_mine.npy_dataset(folder / "x_test.npy", folder / "z_test.npy", batch_size=4096,
                              shuffle=False)  # fmt: skip
value, stderr = model.dataset_readout_with_error(test, chunk_size=4096)
model.save(folder / "model.keras")
print(json.dumps({"estimate": value, "stderr": stderr, "data_mib": data_mib(),
                  "in_memory_refused": refused}))  # fmt: skip
