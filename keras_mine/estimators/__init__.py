"""One-call estimates on top of the models: `estimate_mi`, `estimate_mi_many`
(critics trained stacked), `estimate_cmi`, the cross-fitting recipe
(`crossfit`) and the checks that warn about implausible estimates
(`diagnostics`)."""
