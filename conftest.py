"""Settings for the whole test run (tests/ and notebooks/).

The notebooks run on their smoke setting: the same code as in Colab, on tiny
sample sizes and epoch counts, so CI can execute them in about a minute.
"""

import os

os.environ.setdefault("KERAS_MINE_NOTEBOOK_SMOKE", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
