"""The lecture's sanity checks before training, and Karpathy's two extra ones.

"Babysitting the learning process" (the course, after CS231n) asks for four checks before
a long run: (1) the initial loss is what chance predicts (ln C for softmax) with
regularization off; (2) turning regularization on raises the loss; (3) the model can
overfit ~20 examples to ~100% accuracy; (4) the analytic gradient matches a numerical one.
Karpathy's "A recipe for training neural networks" (2019) adds two: an input-independent
baseline (train on zeroed inputs: the real model must do better, or it learns nothing from
the inputs) and a batch-independence test (the loss of example i must not depend on input
j ≠ i; a reshape used where a transpose was meant mixes examples).

Each function measures and returns numbers; ``rules.sanity`` judges them. Each restores
the model afterwards.
"""

import math

import numpy as np

from glassnet import optim
from glassnet.creation import as_tensor
from glassnet.diagnose.experiment import (
    batches,
    clone_optimizer,
    dropout_off,
    evaluate,
    example_losses,
    saved_state,
    train_steps,
)
from glassnet.diagnose.gradient_check import gradient_check
from glassnet.diagnose.loss_info import expected_initial_loss
from glassnet.nn import BatchNorm1d, BatchNorm2d
from glassnet.tensor import Tensor

OVERFIT_EXAMPLES = 20  # the lecture's "~20 examples"
OVERFIT_STEPS = 300  # full-batch steps allowed to get there
OVERFIT_ACCURACY = 0.95  # "~100%": at most one of 20 examples wrong
OVERFIT_REGRESSION = 0.05  # regression: MSE below 5% of the targets' variance (R² ≥ 0.95)
REGULARIZATION = 1e-3  # λ of the L2 term ½λ‖W‖² when the optimizer has no weight decay
BATCH_INDEPENDENCE_EXAMPLES = 4
# The zeroed-input model only has to learn its output bias (the label prior): Adam at 1e-2
# gets there in a few hundred steps from any reasonable start.
BASELINE_LR = 1e-2


def initial_loss(model, loss_fn, X, y, *, kind, num_outputs) -> dict:
    """The untrained model's loss (eval mode: no dropout) and the loss chance predicts."""
    measured = evaluate(model, loss_fn, X, y)["loss"]
    return {"loss": measured, "expected": expected_initial_loss(kind, num_outputs, loss_fn)}


def loss_reduction(model, loss_fn, X, y) -> dict:
    """Whether the loss is a mean over the batch: the loss of the batch repeated twice
    divided by the loss of the batch (1 for a mean, 2 for a sum)."""
    was_training = model.training
    model.eval()
    try:
        outputs = model(as_tensor(X)).detach()
    finally:
        model.train(was_training)
    single = float(loss_fn(outputs, y).item())
    doubled_outputs = Tensor(np.concatenate([outputs.data, outputs.data]),
                             dtype=outputs.data.dtype)
    double = float(loss_fn(doubled_outputs, np.concatenate([y, y])).item())
    ratio = double / single if single != 0 and math.isfinite(single) else math.nan
    return {"loss": single, "loss_of_doubled_batch": double, "ratio": ratio}


def regularization_rise(model, loss_fn, X, y, *, weight_decay: float) -> dict:
    """The loss without and with the L2 term ½λ‖W‖² over the weight matrices."""
    strength = weight_decay if weight_decay > 0 else REGULARIZATION
    data_loss = evaluate(model, loss_fn, X, y)["loss"]
    penalty = 0.5 * strength * sum(float(np.sum(np.square(p.data, dtype=np.float64)))
                                   for p in model.parameters() if p.data.ndim >= 2)
    return {"loss": data_loss, "regularized_loss": data_loss + penalty, "strength": strength,
            "rise": penalty}


def overfit_small(model, loss_fn, optimizer, X, y, *, generator) -> dict:
    """Train on ~20 examples (full batch, no weight decay, no dropout) until they are fit.

    Returns the accuracy (or, for regression, the MSE relative to the targets' variance)
    reached and the steps it took.
    """
    n = min(OVERFIT_EXAMPLES, len(X))
    chosen = generator.choice(len(X), size=n, replace=False)
    Xs, ys = X[chosen], y[chosen]
    classification = np.asarray(y).dtype.kind in "iu"
    with saved_state(model), dropout_off(model):
        trainer = clone_optimizer(optimizer, weight_decay=0.0)
        start = evaluate(model, loss_fn, Xs, ys)
        result = {"examples": n, "initial_loss": start["loss"]}
        everything = np.arange(n)
        for step in range(10, OVERFIT_STEPS + 1, 10):
            losses = train_steps(model, loss_fn, trainer, Xs, ys, [everything] * 10)
            fitted = _fit_measure(model, loss_fn, Xs, ys, classification)
            result.update(steps=step, final_loss=losses[-1], **fitted)
            if not math.isfinite(losses[-1]) or fitted["fitted"]:
                break
    return result


def _fit_measure(model, loss_fn, X, y, classification: bool) -> dict:
    measured = evaluate(model, loss_fn, X, y)
    if classification:
        accuracy = measured.get("accuracy", 0.0)
        return {"accuracy": accuracy, "fitted": accuracy >= OVERFIT_ACCURACY}
    variance = float(np.var(np.asarray(y, dtype=np.float64))) or 1.0
    relative = measured["loss"] / variance
    return {"relative_loss": relative, "fitted": relative <= OVERFIT_REGRESSION}


def batch_independence(model, X) -> dict:
    """How much output i depends on input j ≠ i, relative to its own input (eval mode, so
    batch norm uses its running statistics and dropout is off). 0 for a correct model."""
    inputs = np.asarray(X[:BATCH_INDEPENDENCE_EXAMPLES])
    if len(inputs) < 2:
        return {"leak": math.nan}
    dtype = inputs.dtype if inputs.dtype.kind == "f" else np.float32
    x = Tensor(inputs, dtype=dtype, requires_grad=True)
    i = 1  # the example whose output is differentiated
    was_training = model.training
    model.eval()
    try:
        output = model(x)
        weights = np.random.default_rng(0).standard_normal(output.shape[1:])
        (output[i] * weights.astype(output.data.dtype)).sum().backward()
    finally:
        model.train(was_training)
        for p in model.parameters():
            p.grad = None
    if x.grad is None:
        return {"leak": math.nan}
    grad = np.abs(x.grad.reshape(len(inputs), -1)).max(axis=1)
    if grad[i] == 0:
        return {"leak": math.nan}
    grad_others = grad.copy()
    grad_others[i] = 0.0
    return {"leak": float(grad_others.max() / grad[i]), "example": i,
            "other_example": int(grad_others.argmax())}


def has_batch_norm(model) -> bool:
    return any(isinstance(m, (BatchNorm1d, BatchNorm2d)) for m in model.modules())


def zero_input_baseline(model, loss_fn, train, val, *, steps, batch_size,
                        generator) -> dict:
    """Train the same model from the same start on zeroed inputs for ``steps`` steps; its
    losses are what can be learned from the labels alone (their prior).

    Returns:
        (the train and val losses and accuracies, each val example's loss or None).

    NOTE: it trains with Adam (lr ``BASELINE_LR``), not with the user's optimizer, so that
    the reference does not share a learning rate that may itself be the problem.
    """
    X, y = train
    zeros = np.zeros_like(X)
    with saved_state(model):
        trainer = optim.Adam(model.parameters(), lr=BASELINE_LR)
        losses = train_steps(model, loss_fn, trainer, zeros, y,
                             batches(zeros, y, batch_size, steps, generator))
        result = {"steps": steps, "final_batch_loss": losses[-1],
                  "train": evaluate(model, loss_fn, zeros[:1000], y[:1000])}
        if val is not None:
            result["val"] = evaluate(model, loss_fn, np.zeros_like(val[0]), val[1])
            examples = example_losses(model, loss_fn, np.zeros_like(val[0]), val[1])
    return result, (examples if val is not None else None)


def run_gradient_check(model, loss_fn, X, y) -> dict:
    with saved_state(model):
        return gradient_check(model, loss_fn, X, y)
