"""The common MI-in-ML tasks on top of the estimators: feature ranking
(`feature_selection`), pairwise MI matrices (`matrix`) and resampling
(bootstrap intervals, MI against sample size)."""
