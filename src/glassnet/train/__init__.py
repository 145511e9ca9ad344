"""Training: the Trainer, its callbacks, checkpoints and run history."""
