"""Many training runs at once: hyperparameter search (Optuna), from one laptop to many
machines."""
