"""The bottom layer: the math and the building blocks every estimator shares.

`bounds` (the MI bounds as pure functions), `critics` (the networks scoring
pairs), `encoders` (what turns images and sequences into features), `data`
(product-of-marginals samples, datasets), `metrics`, `preprocessing` (the
MI-preserving input transforms), `distribute` (replica helpers) and
`validation` (input and option checks). Nothing here imports from the
layers above.
"""
