"""One-call estimates on top of the engine: `estimate_mi`, `estimate_mi_many`
(critics trained stacked), `estimate_cmi`, `estimate_entropy`, and the checks
that warn about implausible estimates (`diagnostics`)."""
