"""``python -m keras_mine``: the command line of `keras_mine.bench.cli`."""

import sys

from keras_mine.bench.cli import main

if __name__ == "__main__":
    sys.exit(main())
