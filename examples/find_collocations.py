"""Find collocations in a text by pointwise MI.

The script writes its own text (no download): sentences built from a
vocabulary, into which four word pairs are planted as fixed phrases
("new york", "machine learning", ...). It counts adjacent word pairs and
ranks them by normalized PMI: a pair that occurs together far more often
than its words' frequencies predict is a collocation. Frequent words that
meet by chance ("the", "of") get an NPMI near 0.

Run: python examples/find_collocations.py
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import keras_mine

PLANTED = [("new", "york"), ("machine", "learning"), ("carbon", "dioxide"), ("prime", "minister")]
FILLER = (
    "the of and a to in is was for on with as by at from it that this be are an or "
    "city model data gas people government report study year time work energy group "
    "large small first last good high long new great public local early"
).split()


def make_text(n_sentences: int = 3000, seed: int = 0) -> list[list[str]]:
    """Sentences of random filler words, with the planted pairs inserted as phrases."""
    rng = np.random.default_rng(seed)
    # Zipf-like word frequencies, as in real text.
    weights = 1.0 / np.arange(1, len(FILLER) + 1)
    weights /= weights.sum()
    sentences = []
    for _ in range(n_sentences):
        words = list(rng.choice(FILLER, size=rng.integers(6, 15), p=weights))
        if rng.uniform() < 0.5:
            first, second = PLANTED[rng.integers(len(PLANTED))]
            position = rng.integers(len(words) + 1)
            words[position:position] = [first, second]
        sentences.append(words)
    return sentences


def collocations(sentences: list[list[str]], min_count: int = 10) -> pd.Series:
    """NPMI of every adjacent word pair seen at least `min_count` times, highest first."""
    adjacent = [pair for words in sentences for pair in zip(words, words[1:], strict=False)]
    pairs = pd.DataFrame(adjacent, columns=["first", "second"])
    counts = pd.crosstab(pairs["first"], pairs["second"])
    npmi = keras_mine.pmi_table(counts, normalized=True).stack()
    frequent = counts.stack() >= min_count
    return npmi[frequent].sort_values(ascending=False)


if __name__ == "__main__":
    ranked = collocations(make_text())
    print("Top adjacent pairs by normalized PMI:\n", ranked.head(8).round(3))
