"""A float64 gradient check of a whole model and its loss, sampled so it takes seconds.

The lecture's check (centered differences, relative error |a − n| / max(|a|, |n|)) on a
copy of the model converted to float64, for a few randomly chosen elements of every
parameter and of the loss's input. Dropout draws the same mask at every evaluation, so
the function being differentiated is fixed. An element whose two one-sided differences
disagree sits on a kink (ReLU at 0, a max that switches) where no derivative exists; it is
skipped rather than reported as an error, as Chainer's check steps around kinks.

The largest relative error per layer is compared with the lecture's bands:
> 1e-2 the gradient is probably wrong; 1e-4 to 1e-2 uncomfortable; below 1e-7 you should be
happy (CS231n, "Gradient checks").
"""

import copy

import numpy as np

from glassnet.autograd.grad_mode import no_grad
from glassnet.nn import Dropout
from glassnet.tensor import Tensor

ELEMENTS_PER_PARAMETER = 6
EXAMPLES = 8
EPS = 1e-6
# Below this size both gradients are numerical noise of a float64 difference with eps=1e-6
# (roundoff ~1e-16 / 1e-6): too small to judge.
TINY = 1e-7
# One-sided differences further apart than this (relative) mean a kink inside [x−eps, x+eps].
KINK = 1e-3
# Differences below this are the numerical noise of the finite difference itself (a loss
# of order 1 known to ~1e-15, divided by eps = 1e-6, and the model's own float32 pieces),
# not a wrong gradient: a gradient of 1e-7 cannot be checked to a relative 1e-4.
NOISE = 1e-8


def gradient_check(model, loss_fn, X, y, *, generator=None) -> dict:
    """Check backward against centered differences on a float64 copy of ``model``.

    Returns:
        ``{"layers": {layer: max relative error}, "worst_layer", "worst_error",
        "checked", "skipped_kinks"}``; the layer ``"loss"`` is the loss function's own
        gradient with respect to the model's output.
    """
    rng = generator or np.random.default_rng(0)
    checked_model = copy.deepcopy(model).double()
    dropouts = [m for m in checked_model.modules() if isinstance(m, Dropout)]
    x = np.asarray(X[:EXAMPLES], dtype=np.float64)
    targets = np.asarray(y[:EXAMPLES])
    if targets.dtype.kind == "f":
        targets = targets.astype(np.float64)

    def forward():
        for k, layer in enumerate(dropouts):
            layer.generator = np.random.default_rng(1000 + k)
        return checked_model(Tensor(x, dtype=np.float64))

    def loss_value():
        return float(loss_fn(forward(), targets).item())

    owners = _owners(checked_model)
    errors, counts = {}, {"checked": 0, "skipped_kinks": 0}
    # The loss alone, with respect to the model's output.
    with no_grad():
        output = forward().data.copy()
    out = Tensor(output, dtype=np.float64, requires_grad=True)
    loss_fn(out, targets).backward()
    def loss_of_output():
        return float(loss_fn(Tensor(output, dtype=np.float64), targets).item())

    _check_tensor(out.grad.copy(), loss_of_output, output, rng, errors, "loss", counts)
    # Every parameter, through the whole model.
    for p in checked_model.parameters():
        p.grad = None
    checked_model.train()
    loss = loss_fn(forward(), targets)
    loss.backward()
    for name, p in checked_model.named_parameters():
        if not p.requires_grad:
            continue
        analytic = np.zeros_like(p.data) if p.grad is None else p.grad.copy()
        _check_tensor(analytic, loss_value, p.data, rng, errors, owners.get(name, name), counts)
    worst = max(errors, key=errors.get) if errors else None
    return {"layers": errors, "worst_layer": worst,
            "worst_error": errors[worst] if worst else 0.0, **counts}


def _check_tensor(analytic, loss_value, array, rng, errors, layer, counts) -> None:
    """Compare sampled elements of ``analytic`` with centered differences of ``loss_value``
    when ``array`` (perturbed in place, then restored) moves.

    Each element is checked at two step sizes, ``EPS`` and ``10·EPS``, and its error is the
    smaller of the two: a wrong backward is wrong at any step, while the roundoff of a tiny
    step or the curvature of a large one spoils only one of them.
    """
    picks = rng.choice(array.size, size=min(ELEMENTS_PER_PARAMETER, array.size), replace=False)
    with no_grad():
        centre = loss_value()
        for k in picks:
            a = float(analytic.flat[k])
            measured = []
            for eps in (EPS, 10 * EPS):
                plus, minus = _perturbed(array, k, eps, loss_value)
                forward_diff, backward_diff = (plus - centre) / eps, (centre - minus) / eps
                scale = max(abs(forward_diff), abs(backward_diff))
                if scale > TINY and abs(forward_diff - backward_diff) > KINK * scale:
                    measured = None  # a kink inside [x − eps, x + eps]: no derivative
                    break
                numeric = (plus - minus) / (2 * eps)
                if not (np.isfinite(a) and np.isfinite(numeric)):
                    measured = None  # a non-finite loss: other rules report it
                    break
                difference = abs(a - numeric)
                biggest = max(abs(a), abs(numeric))
                measured.append(difference / biggest if biggest > TINY and
                                difference > NOISE else 0.0)
            if measured is None:
                counts["skipped_kinks"] += 1
                continue
            counts["checked"] += 1
            errors[layer] = max(errors.get(layer, 0.0), min(measured))


def _perturbed(array, k, eps, loss_value):
    """The loss with element ``k`` of ``array`` moved by +eps and by −eps."""
    # .flat writes into the array's own memory whatever its strides.
    original = array.flat[k]
    array.flat[k] = original + eps
    plus = loss_value()
    array.flat[k] = original - eps
    minus = loss_value()
    array.flat[k] = original
    return plus, minus


def _owners(model) -> dict:
    from glassnet.diagnose.trace import layer_of_parameters

    return layer_of_parameters(model)
