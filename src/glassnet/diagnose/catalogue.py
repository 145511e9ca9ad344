"""The findings catalogue: every code the doctor can report, in the order it ranks them.

A code is a stable identifier (tests, grading scripts and CI match on it); its words live
in ``messages.py``. The order below is the doctor's ranking among findings of the same
severity: root causes that a person can fix directly (broken data, a wrong model or loss,
a bug in the loop) come first, then hyperparameters, then the dynamics they produce
(activations, gradients), and the symptoms that many causes share (a NaN loss, a flat
curve, failing to overfit) come last. So when a broken learning rate makes the loss NaN,
``lr_too_high`` is listed above ``nonfinite_loss``.
"""

# (code, family) in ranking order. Family = the rules module that reports it.
CATALOGUE = (
    # data integrity: nothing else is meaningful until these are fixed
    ("nonfinite_inputs", "data"),
    ("labels_out_of_range", "data"),
    # the model, the loss and the loop are wired wrongly
    ("softmax_before_loss", "structure"),
    ("loss_output_mismatch", "structure"),
    ("output_range_mismatch", "structure"),
    ("loss_not_mean", "sanity"),
    ("no_nonlinearity", "structure"),
    ("batch_mixing", "sanity"),
    ("gradient_check_failed", "sanity"),
    ("stale_gradients", "loop"),
    ("eval_in_train_mode", "loop"),
    ("symmetric_init", "structure"),
    ("unused_parameters", "structure"),
    # the data, as a learning problem
    ("val_leakage", "data"),
    ("labels_not_learnable", "sanity"),
    ("inputs_not_normalized", "data"),
    ("class_imbalance", "data"),
    # hyperparameters
    ("lr_too_high", "loss"),
    ("lr_too_low", "loss"),
    ("over_regularized", "fit"),
    ("dropout_too_strong", "structure"),
    # dynamics that initialization and depth produce: the forward pass's statistics before
    # the backward pass's, since the backward signal is made of the activations' slopes
    ("dead_relu", "activations"),
    ("activations_saturated", "activations"),
    ("activations_vanishing", "activations"),
    ("exploding_gradients", "gradients"),
    ("vanishing_gradients", "gradients"),
    # symptoms shared by many causes
    ("nonfinite_loss", "loss"),
    ("loss_increasing", "loss"),
    ("oscillating_loss", "loss"),
    ("initial_loss_off", "sanity"),
    ("regularization_no_effect", "sanity"),
    ("cannot_overfit", "sanity"),
    ("underfitting", "fit"),
    ("overfitting", "fit"),
    ("bias_before_batch_norm", "structure"),
)

CODES = tuple(code for code, _ in CATALOGUE)
FAMILY = dict(CATALOGUE)
RANK = {code: rank for rank, code in enumerate(CODES)}

# The tiers of the ranking, from the groups above: 0 wiring and data integrity, 1 the data
# as a learning problem, 2 hyperparameters and dynamics, 3 symptoms. Within tier 2 the
# causes a counter-experiment confirmed come first, the one whose fix ended best on top:
# when a dead network also learns slowly, re-initializing ends far lower than a larger
# learning rate, and names the cause.
_TIER_STARTS = {"nonfinite_inputs": 0, "val_leakage": 1, "lr_too_high": 2,
                "nonfinite_loss": 3}
TIER = {}
_tier = 0
for _code in CODES:
    _tier = _TIER_STARTS.get(_code, _tier)
    TIER[_code] = _tier
CONFIRMABLE_TIER = 2

SEVERITIES = ("error", "warning", "info")

# The counter-experiments ("confirm before accusing"): what each one changes.
FIXES = (
    "lr_down",          # learning rate ÷ 10
    "lr_down_100",      # learning rate ÷ 100 (when ÷ 10 still diverges)
    "lr_down_1000",     # learning rate ÷ 1000
    "lr_up",            # learning rate × 10
    "lr_up_100",        # learning rate × 100 (when × 10 still barely moves)
    "lr_up_1000",       # learning rate × 1000
    "standardize",      # inputs standardized with the training mean and std per feature
    "reinit",           # weights re-initialized: He before ReLU-like units, Xavier otherwise
    "weight_decay_down",  # weight decay ÷ 10
)
