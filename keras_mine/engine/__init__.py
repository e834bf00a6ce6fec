"""The engine: the one training loop every neural estimate goes through.

- `spec`: `TrainingSpec`, the training settings with their defaults, written once;
- `schedule`: `PlateauSchedule`, the stopping, rate and best-epoch rule for k critics;
- `stack`: `CriticStack`, k critics trained at once, each as it would train alone;
- `readout`: the readouts (DV, SMILE, log-odds) on stacked scores;
- `loop`: `train` (the epochs) and `cross_fit` (folds, transforms, readout).

The seeds come from `keras_mine.core.seeds.SeedStreams`.
"""
