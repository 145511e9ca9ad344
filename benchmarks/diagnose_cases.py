"""The broken training setups and healthy controls of the doctor's benchmark.

Each case builds, for a seed, a small training setup (model, loss, data, optimizer) with
one deliberate mistake, names the finding code the doctor must report (``expected``) and
the codes that count as the right cause when listed first (``causes``: the mistake itself,
or the root cause when the expected code is a symptom). Healthy controls have no mistake
and must get no error-level finding. Data: the book's spiral, a 2,000-image slice of
Fashion-MNIST at 14×14 (``/usr/share/datasets/fashion-mnist``), and a 1-D regression.
"""

import functools
import itertools
from dataclasses import dataclass, field

import numpy as np

import glassnet as gn
from glassnet import nn, optim
from glassnet.autograd.function import Function
from glassnet.data import load_dataset, spiral
from glassnet.diagnose.watch import watch


@dataclass
class Setup:
    model: object
    loss_fn: object
    train: tuple
    val: tuple | None
    optimizer: object = None
    steps: int = 200
    batch_size: int = 64


@dataclass
class Case:
    name: str
    expected: str | None  # None for a healthy control
    causes: tuple = ()
    build: object = None  # seed -> Setup
    watch: object = None  # seed -> Report (cases about a loop the user wrote)
    note: str = ""
    data: str = ""
    tags: tuple = field(default_factory=tuple)


# ----- data ----------------------------------------------------------------------------

def spiral_data(seed: int, n_per_class: int = 150):
    X, y = spiral(n_per_class, 3, generator=np.random.default_rng(seed))
    order = np.random.default_rng(seed + 100).permutation(len(X))
    X, y = X[order] * 2.0, y[order]  # radius 2: std ≈ 1
    cut = int(0.8 * len(X))
    return (X[:cut], y[:cut]), (X[cut:], y[cut:])


@functools.lru_cache(maxsize=1)
def _fashion():
    X, y = load_dataset("fashion-mnist", split="train")
    X = X.reshape(-1, 14, 2, 14, 2).mean(axis=(2, 4)).astype(np.float32)  # 28×28 → 14×14
    return X, y


def fashion_data(seed: int, n_train: int = 2000, n_val: int = 500, *, raw: bool = False,
                 flat: bool = True):
    """A random slice of Fashion-MNIST at 14×14, pixels standardized with the slice's
    training mean and std (``raw``: left as 0..255)."""
    X, y = _fashion()
    chosen = np.random.default_rng(seed).choice(len(X), n_train + n_val, replace=False)
    X, y = X[chosen], y[chosen]
    if not raw:
        mean, std = X[:n_train].mean(), X[:n_train].std()
        X = (X - mean) / std
    X = X.reshape(len(X), -1) if flat else X.reshape(len(X), 1, 14, 14)
    return (X[:n_train], y[:n_train]), (X[n_train:], y[n_train:])


def regression_data(seed: int, n: int = 600, *, scale: float = 1.0, offset: float = 0.0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, (n, 1)).astype(np.float32)
    y = (np.sin(2 * X) + 0.1 * rng.standard_normal((n, 1))) * scale + offset
    cut = int(0.8 * n)
    y = y.astype(np.float32)
    return (X[:cut], y[:cut]), (X[cut:], y[cut:])


# ----- models --------------------------------------------------------------------------

def gen(seed):
    return np.random.default_rng(seed + 1000)


def mlp(sizes, activation=nn.ReLU, *, seed, init=None, dropout=0.0, batch_norm=False,
        final=None):
    layers = []
    for i, (a, b) in enumerate(itertools.pairwise(sizes)):
        layers.append(nn.Linear(a, b, init=init, generator=gen(seed + i)))
        if i < len(sizes) - 2:
            if batch_norm:
                layers.append(nn.BatchNorm1d(b))
            layers.append(activation())
            if dropout:
                layers.append(nn.Dropout(dropout, generator=gen(seed + 50 + i)))
    if final is not None:
        layers.append(final())
    return nn.Sequential(*layers)


def normal_init(std):
    return functools.partial(nn.init.normal, std=std)


class SquareWithWrongBackward(Function):
    """x² whose backward forgets the factor 2 — the kind of slip a hand-written layer has."""

    def forward(self, x):
        self.save_for_backward(x)
        return x * x

    def backward(self, grad_out):
        (x,) = self.saved
        return grad_out * x  # should be 2·x·grad_out


class Square(nn.Module):
    def forward(self, x):
        return SquareWithWrongBackward.apply(x)


class ReshapeNotTranspose(nn.Module):
    """Meant to swap two axes; a reshape reinterprets memory and mixes examples."""

    def forward(self, x):
        return x.reshape(x.shape[1], x.shape[0]).T


class WithUnusedHead(nn.Module):
    def __init__(self, seed):
        super().__init__()
        self.body = mlp([196, 64, 10], seed=seed)
        self.auxiliary = nn.Linear(64, 10, generator=gen(seed + 7))  # never called

    def forward(self, x):
        return self.body(x)


def naive_log_loss(probabilities, targets):
    """−log p[y] written by hand on a model whose outputs can be exactly 0."""
    onehot = np.eye(probabilities.shape[1], dtype=np.float32)[targets]
    return -(gn.log(probabilities) * onehot).sum(axis=1).mean()


# ----- the cases ------------------------------------------------------------------------

def _setup(model, loss, data, optimizer=None, **options):
    train, val = data
    return Setup(model, loss, train, val, optimizer, **options)


def _adam(model, lr=1e-3, **kw):
    return optim.Adam(model.parameters(), lr=lr, **kw)


def _sgd(model, lr, **kw):
    return optim.SGD(model.parameters(), lr=lr, **kw)


CE = nn.CrossEntropyLoss


def healthy_cases():
    def spiral_mlp(s):
        m = mlp([2, 64, 64, 3], seed=s)
        return _setup(m, CE(), spiral_data(s), _adam(m, 1e-2))

    def fashion_mlp(s):
        m = mlp([196, 128, 10], seed=s)
        return _setup(m, CE(), fashion_data(s), _adam(m, 1e-3))

    def fashion_cnn(s):
        m = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1, generator=gen(s)), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(8 * 7 * 7, 10, generator=gen(s + 1)))
        return _setup(m, CE(), fashion_data(s, flat=False), _adam(m, 1e-3))

    def regression_tanh(s):
        m = mlp([1, 32, 32, 1], nn.Tanh, seed=s)
        return _setup(m, nn.MSELoss(), regression_data(s), _adam(m, 1e-2))

    def fashion_momentum(s):
        m = mlp([196, 128, 64, 10], seed=s)
        return _setup(m, CE(), fashion_data(s), _sgd(m, 0.05, momentum=0.9))

    def spiral_bn_dropout(s):
        m = mlp([2, 64, 64, 3], seed=s, batch_norm=True, dropout=0.1)
        return _setup(m, CE(), spiral_data(s), _adam(m, 1e-2))

    return [
        Case("healthy: spiral MLP, Adam 1e-2", None, build=spiral_mlp, data="spiral"),
        Case("healthy: Fashion-MNIST MLP, Adam 1e-3", None, build=fashion_mlp,
             data="fashion"),
        Case("healthy: Fashion-MNIST small CNN, Adam 1e-3", None, build=fashion_cnn,
             data="fashion"),
        Case("healthy: 1-D regression, tanh MLP, MSE", None, build=regression_tanh,
             data="regression"),
        Case("healthy: Fashion-MNIST MLP, SGD momentum 0.9", None, build=fashion_momentum,
             data="fashion"),
        Case("healthy: spiral MLP with batch norm and dropout 0.1", None,
             build=spiral_bn_dropout, data="spiral"),
    ]


def broken_cases():
    cases = []

    def add(name, expected, causes, build=None, watch_fn=None, data=""):
        cases.append(Case(name, expected, tuple(causes), build, watch_fn, data=data))

    def lr_high(s):
        m = mlp([2, 64, 64, 3], seed=s)
        return _setup(m, CE(), spiral_data(s), _sgd(m, 50.0))
    add("SGD lr 50 on the spiral (diverges)", "lr_too_high", ["lr_too_high"], lr_high,
        data="spiral")

    def lr_high_adam(s):
        m = mlp([196, 128, 10], seed=s)
        return _setup(m, CE(), fashion_data(s), _adam(m, 0.5))
    add("Adam lr 0.5 on Fashion-MNIST", "lr_too_high", ["lr_too_high"], lr_high_adam,
        data="fashion")

    def lr_low(s):
        m = mlp([196, 128, 10], seed=s)
        return _setup(m, CE(), fashion_data(s), _sgd(m, 1e-5))
    add("SGD lr 1e-5 on Fashion-MNIST", "lr_too_low", ["lr_too_low"], lr_low,
        data="fashion")

    def raw_pixels(s):
        m = mlp([196, 128, 10], seed=s)
        return _setup(m, CE(), fashion_data(s, raw=True), _sgd(m, 0.01))
    add("raw pixels 0..255 into an MLP", "inputs_not_normalized",
        ["inputs_not_normalized"], raw_pixels, data="fashion")

    def zeros(s):
        m = mlp([196, 64, 64, 10], seed=s, init=nn.init.zeros)
        return _setup(m, CE(), fashion_data(s), _adam(m))
    add("zero initialization of every layer", "symmetric_init", ["symmetric_init"], zeros,
        data="fashion")

    def tiny_init(s):
        m = mlp([196] + [100] * 8 + [10], nn.Tanh, seed=s, init=normal_init(0.01))
        return _setup(m, CE(), fashion_data(s), _sgd(m, 0.05, momentum=0.9))
    add("8 tanh layers with 0.01·N(0,1) weights", "activations_vanishing",
        ["activations_vanishing", "vanishing_gradients"], tiny_init, data="fashion")

    def big_init(s):
        m = mlp([196] + [200] * 6 + [10], nn.Tanh, seed=s, init=normal_init(1.0))
        return _setup(m, CE(), fashion_data(s), _sgd(m, 0.01))
    add("6 tanh layers with 1.0·N(0,1) weights", "activations_saturated",
        ["activations_saturated"], big_init, data="fashion")

    def dead(s):
        m = mlp([196, 128, 128, 10], seed=s)
        for layer in (m[0], m[2]):
            layer.bias.data[...] = -4.0
        return _setup(m, CE(), fashion_data(s), _sgd(m, 0.01))
    add("ReLU layers with biases initialized to -4", "dead_relu", ["dead_relu"], dead,
        data="fashion")

    def sigmoid_deep(s):
        m = mlp([196] + [64] * 10 + [10], nn.Sigmoid, seed=s)
        return _setup(m, CE(), fashion_data(s), _sgd(m, 0.1))
    add("10 sigmoid layers, default init, SGD", "vanishing_gradients",
        ["vanishing_gradients", "activations_vanishing"], sigmoid_deep, data="fashion")

    def relu_huge(s):
        m = mlp([196] + [128] * 6 + [10], seed=s, init=normal_init(1.0))
        return _setup(m, CE(), fashion_data(s), _sgd(m, 1e-3))
    add("6 ReLU layers with 1.0·N(0,1) weights", "exploding_gradients",
        ["exploding_gradients"], relu_huge, data="fashion")

    def linear_stack(s):
        m = nn.Sequential(nn.Linear(2, 64, generator=gen(s)),
                          nn.Linear(64, 64, generator=gen(s + 1)),
                          nn.Linear(64, 3, generator=gen(s + 2)))
        return _setup(m, CE(), spiral_data(s), _adam(m, 1e-2))
    add("three Linear layers and no activation on the spiral", "no_nonlinearity",
        ["no_nonlinearity"], linear_stack, data="spiral")

    def softmax_ce(s):
        m = mlp([196, 128, 10], seed=s, final=nn.Softmax)
        return _setup(m, CE(), fashion_data(s), _adam(m))
    add("Softmax layer before CrossEntropyLoss", "softmax_before_loss",
        ["softmax_before_loss"], softmax_ce, data="fashion")

    def mse_classes(s):
        m = mlp([196, 128, 1], seed=s)
        (X, y), (Xv, yv) = fashion_data(s)
        data = ((X, y.astype(np.float32)[:, None]), (Xv, yv.astype(np.float32)[:, None]))
        return _setup(m, nn.MSELoss(), data, _adam(m))
    add("MSE regression on the 10 class indices", "loss_output_mismatch",
        ["loss_output_mismatch"], mse_classes, data="fashion")

    def sigmoid_regression(s):
        m = mlp([1, 32, 32, 1], nn.Tanh, seed=s, final=nn.Sigmoid)
        return _setup(m, nn.MSELoss(), regression_data(s, scale=5.0, offset=5.0), _adam(m, 1e-2))
    add("sigmoid output for targets in [0, 10]", "output_range_mismatch",
        ["output_range_mismatch"], sigmoid_regression, data="regression")

    def labels_shuffled(s):
        m = mlp([196, 256, 10], seed=s)
        (X, y), (Xv, yv) = fashion_data(s)
        rng = np.random.default_rng(s)
        return _setup(m, CE(), ((X, rng.permutation(y)), (Xv, rng.permutation(yv))), _adam(m))
    add("labels shuffled independently of the images", "labels_not_learnable",
        ["labels_not_learnable"], labels_shuffled, data="fashion")

    def leak(s):
        m = mlp([196, 128, 10], seed=s)
        (X, y), _ = fashion_data(s)
        return _setup(m, CE(), ((X, y), (X[:500], y[:500])), _adam(m))
    add("validation set drawn from the training set", "val_leakage", ["val_leakage"], leak,
        data="fashion")

    def decay(s):
        m = mlp([196, 128, 10], seed=s)
        return _setup(m, CE(), fashion_data(s), _adam(m, 1e-3, weight_decay=3.0))
    add("weight decay 3.0 (L2 in Adam)", "over_regularized", ["over_regularized"], decay,
        data="fashion")

    def dropout(s):
        m = mlp([196, 128, 128, 10], seed=s, dropout=0.9)
        return _setup(m, CE(), fashion_data(s), _adam(m))
    add("dropout p = 0.9 (keep probability meant)", "dropout_too_strong",
        ["dropout_too_strong"], dropout, data="fashion")

    def imbalance(s):
        (X, y), (Xv, yv) = fashion_data(s, n_train=2000)
        rng = np.random.default_rng(s)
        def pick(X, y):
            zeros = np.flatnonzero(y == 0)
            ones = np.flatnonzero(y == 1)[: max(1, len(zeros) // 40)]
            chosen = rng.permutation(np.concatenate([zeros, ones]))
            return X[chosen], (y[chosen] == 1).astype(np.int64)
        m = mlp([196, 64, 2], seed=s)
        return _setup(m, CE(), (pick(X, y), pick(Xv, yv)), _adam(m))
    add("two classes 40:1", "class_imbalance", ["class_imbalance"], imbalance,
        data="fashion")

    def summed(s):
        m = mlp([196, 128, 10], seed=s)
        return _setup(m, CE(reduction="sum"), fashion_data(s), _sgd(m, 0.01))
    add("CrossEntropyLoss(reduction='sum') with an lr tuned for the mean", "loss_not_mean",
        ["loss_not_mean"], summed, data="fashion")

    def bad_backward(s):
        m = nn.Sequential(nn.Linear(2, 32, generator=gen(s)), Square(),
                          nn.Linear(32, 3, generator=gen(s + 1)))
        return _setup(m, CE(), spiral_data(s), _adam(m, 1e-2))
    add("a hand-written layer whose backward drops a factor 2", "gradient_check_failed",
        ["gradient_check_failed"], bad_backward, data="spiral")

    def mixing(s):
        m = nn.Sequential(nn.Linear(196, 64, generator=gen(s)), nn.ReLU(),
                          ReshapeNotTranspose(), nn.Linear(64, 10, generator=gen(s + 1)))
        return _setup(m, CE(), fashion_data(s), _adam(m))
    add("reshape used where a transpose was meant", "batch_mixing", ["batch_mixing"], mixing,
        data="fashion")

    def hot_logits(s):
        m = mlp([196, 128, 10], seed=s)
        m[2].weight.data *= 30.0
        return _setup(m, CE(), fashion_data(s), _adam(m))
    add("output layer initialized 30× too large", "initial_loss_off", ["initial_loss_off"],
        hot_logits, data="fashion")

    def naive_log(s):
        m = mlp([196, 64, 10], seed=s, final=nn.ReLU)
        return _setup(m, naive_log_loss, fashion_data(s), _adam(m))
    add("hand-written −log(output) on ReLU outputs that can be 0", "nonfinite_loss",
        ["nonfinite_loss"], naive_log, data="fashion")

    def climbing(s):
        m = mlp([196, 128, 10], seed=s)
        return _setup(m, CE(), fashion_data(s), _adam(m, 0.05))
    add("Adam lr 0.05: the loss climbs", "loss_increasing", ["lr_too_high"], climbing,
        data="fashion")

    def momentum_oscillation(s):
        m = mlp([196, 10], seed=s)
        return _setup(m, CE(), fashion_data(s), _sgd(m, 0.05, momentum=0.99))
    add("softmax regression with SGD lr 0.05 and momentum 0.99", "oscillating_loss",
        ["lr_too_high", "oscillating_loss"], momentum_oscillation, data="fashion")

    def too_small(s):
        m = mlp([2, 3, 3], seed=s)
        return _setup(m, CE(), spiral_data(s), _adam(m, 1e-2))
    add("3 hidden units for the 3-arm spiral", "underfitting",
        ["underfitting", "cannot_overfit"], too_small, data="spiral")

    def linear_on_spiral(s):
        m = mlp([2, 3], seed=s)
        return _setup(m, CE(), spiral_data(s), _adam(m, 1e-2))
    add("softmax regression on the spiral", "cannot_overfit",
        ["cannot_overfit", "underfitting"], linear_on_spiral, data="spiral")

    def memorize(s):
        m = mlp([196, 512, 512, 10], seed=s)
        (X, y), val = fashion_data(s, n_train=200, n_val=1000)
        return _setup(m, CE(), ((X, y), val), _adam(m), steps=300, batch_size=32)
    add("512-512 MLP on 200 images", "overfitting", ["overfitting"], memorize,
        data="fashion")

    def unused(s):
        m = WithUnusedHead(s)
        return _setup(m, CE(), fashion_data(s), _adam(m))
    add("a layer built in __init__ and never called", "unused_parameters",
        ["unused_parameters"], unused, data="fashion")

    def labels_from_one(s):
        m = mlp([196, 128, 10], seed=s)
        (X, y), (Xv, yv) = fashion_data(s)
        return _setup(m, CE(), ((X, y + 1), (Xv, yv + 1)), _adam(m))
    add("labels 1..10 for a 10-output model", "labels_out_of_range",
        ["labels_out_of_range"], labels_from_one, data="fashion")

    def nan_pixels(s):
        m = mlp([196, 128, 10], seed=s)
        (X, y), val = fashion_data(s)
        X = X.copy()
        X[np.random.default_rng(s).choice(len(X), 5), 0] = np.nan
        return _setup(m, CE(), ((X, y), val), _adam(m))
    add("five NaN pixels", "nonfinite_inputs", ["nonfinite_inputs"], nan_pixels,
        data="fashion")

    add("a loop that never calls zero_grad()", "stale_gradients", ["stale_gradients"],
        watch_fn=functools.partial(_user_loop, forget_zero_grad=True), data="fashion")
    add("evaluation with dropout still in training mode", "eval_in_train_mode",
        ["eval_in_train_mode"], watch_fn=functools.partial(_user_loop, forget_eval=True),
        data="fashion")
    return cases


def _user_loop(seed, *, forget_zero_grad=False, forget_eval=False, steps=200):
    """A student's own training loop on Fashion-MNIST, observed with ``watch``."""
    (X, y), (Xv, _yv) = fashion_data(seed)
    model = mlp([196, 128, 10], seed=seed, dropout=0.3)
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    rng = np.random.default_rng(seed)
    with watch(model, optimizer, loss_fn=loss_fn) as observer:
        for step in range(steps):
            batch = rng.choice(len(X), 64, replace=False)
            if not forget_zero_grad:
                optimizer.zero_grad()
            loss = loss_fn(model(gn.tensor(X[batch])), y[batch])
            loss.backward()
            optimizer.step()
            if step % 50 == 49:
                if not forget_eval:
                    model.eval()
                with gn.no_grad():
                    model(gn.tensor(Xv))
                model.train()
    return observer.report()


def healthy_loop(seed):
    return _user_loop(seed)




# ----- held out ---------------------------------------------------------------------------
# Written after the rules were calibrated on the cases above, and run as they are: other
# data, architectures and optimizers for the same mistakes. Their numbers are reported
# separately (benchmarks/README.md), as a check that the rules were not fitted to the set.

class SubtractBatchMean(nn.Module):
    """Centres each feature over the batch — a hand-made 'normalization' that mixes examples
    (batch norm does this only in training mode and has an eval mode for that reason)."""

    def forward(self, x):
        return x - x.mean(axis=0, keepdims=True)


class CubeWithWrongBackward(Function):
    def forward(self, x):
        self.save_for_backward(x)
        return x * x * x

    def backward(self, grad_out):
        (x,) = self.saved
        return grad_out * 3 * x  # should be 3·x²


class Cube(nn.Module):
    def forward(self, x):
        return CubeWithWrongBackward.apply(x)


def small_cnn(seed, *, init=None, final=None, conv_bias=None, relu_after_conv=True):
    conv = nn.Conv2d(1, 8, 3, padding=1, init=init, generator=gen(seed))
    if conv_bias is not None:
        conv.bias.data[...] = conv_bias
    layers = [conv] + ([nn.ReLU()] if relu_after_conv else []) + [
        nn.Flatten(), nn.Linear(8 * 14 * 14, 10, generator=gen(seed + 1))]
    if final is not None:
        layers.append(final())
    return nn.Sequential(*layers)


def heldout_cases():
    cases = []

    def add(name, expected, causes, build=None, watch_fn=None, data=""):
        cases.append(Case(name, expected, tuple(causes), build, watch_fn, data=data,
                          tags=("held-out",)))

    def cnn_lr_high(s):
        m = small_cnn(s)
        return _setup(m, CE(), fashion_data(s, flat=False), _sgd(m, 5.0))
    add("held-out: CNN with SGD lr 5", "lr_too_high", ["lr_too_high"], cnn_lr_high)

    def spiral_lr_low(s):
        m = mlp([2, 64, 64, 3], seed=s)
        return _setup(m, CE(), spiral_data(s), _adam(m, 1e-7))
    add("held-out: spiral MLP with Adam lr 1e-7", "lr_too_low", ["lr_too_low"], spiral_lr_low)

    def regression_big_inputs(s):
        m = mlp([1, 32, 32, 1], nn.Tanh, seed=s)
        (X, y), (Xv, yv) = regression_data(s)
        return _setup(m, nn.MSELoss(), ((X * 1000, y), (Xv * 1000, yv)), _adam(m, 1e-2))
    add("held-out: regression inputs in thousands", "inputs_not_normalized",
        ["inputs_not_normalized"], regression_big_inputs)

    def cnn_dead(s):
        m = small_cnn(s, conv_bias=-3.0)
        return _setup(m, CE(), fashion_data(s, flat=False), _adam(m))
    add("held-out: CNN whose conv biases start at -3", "dead_relu", ["dead_relu"], cnn_dead)

    def sigmoid_big(s):
        m = mlp([2, 128, 128, 128, 3], nn.Sigmoid, seed=s, init=normal_init(2.0))
        return _setup(m, CE(), spiral_data(s), _sgd(m, 0.1))
    add("held-out: sigmoid MLP with 2.0·N(0,1) weights", "activations_saturated",
        ["activations_saturated"], sigmoid_big)

    def cnn_constant(s):
        m = small_cnn(s, init=functools.partial(nn.init.constant, value=0.1))
        return _setup(m, CE(), fashion_data(s, flat=False), _adam(m))
    add("held-out: CNN with constant 0.1 conv weights", "symmetric_init", ["symmetric_init"],
        cnn_constant)

    def conv_linear(s):
        m = small_cnn(s, relu_after_conv=False)
        return _setup(m, CE(), fashion_data(s, flat=False), _adam(m))
    add("held-out: Conv2d then Linear with no activation", "no_nonlinearity",
        ["no_nonlinearity"], conv_linear)

    def sigmoid_ce(s):
        m = mlp([2, 64, 64, 3], seed=s, final=nn.Sigmoid)
        return _setup(m, CE(), spiral_data(s), _adam(m, 1e-2))
    add("held-out: Sigmoid output into CrossEntropyLoss", "softmax_before_loss",
        ["softmax_before_loss"], sigmoid_ce)

    def regression_sum(s):
        m = mlp([1, 32, 32, 1], nn.Tanh, seed=s)
        return _setup(m, nn.MSELoss(reduction="sum"), regression_data(s), _sgd(m, 0.01))
    add("held-out: MSELoss(reduction='sum')", "loss_not_mean", ["loss_not_mean"],
        regression_sum)

    def spiral_shuffled(s):
        m = mlp([2, 128, 128, 3], seed=s)
        (X, y), (Xv, yv) = spiral_data(s)
        rng = np.random.default_rng(s)
        return _setup(m, CE(), ((X, rng.permutation(y)), (Xv, rng.permutation(yv))),
                      _adam(m, 1e-2))
    add("held-out: spiral with shuffled labels", "labels_not_learnable",
        ["labels_not_learnable"], spiral_shuffled)

    def spiral_imbalanced(s):
        (X, y), (Xv, yv) = spiral_data(s, n_per_class=300)
        rng = np.random.default_rng(s)
        def pick(X, y):
            rare = np.flatnonzero(y == 2)
            keep = np.concatenate([np.flatnonzero(y != 2), rare[: max(1, len(rare) // 20)]])
            keep = rng.permutation(keep)
            return X[keep], y[keep]
        m = mlp([2, 64, 64, 3], seed=s)
        return _setup(m, CE(), (pick(X, y), pick(Xv, yv)), _adam(m, 1e-2))
    add("held-out: spiral with one arm 20× rarer", "class_imbalance", ["class_imbalance"],
        spiral_imbalanced)

    def batch_centering(s):
        m = nn.Sequential(nn.Linear(196, 64, generator=gen(s)), SubtractBatchMean(),
                          nn.ReLU(), nn.Linear(64, 10, generator=gen(s + 1)))
        return _setup(m, CE(), fashion_data(s), _adam(m))
    add("held-out: a layer that subtracts the batch mean", "batch_mixing", ["batch_mixing"],
        batch_centering)

    def cube(s):
        m = nn.Sequential(nn.Linear(196, 32, generator=gen(s)), Cube(),
                          nn.Linear(32, 10, generator=gen(s + 1)))
        return _setup(m, CE(), fashion_data(s), _adam(m))
    add("held-out: a cube activation whose backward is 3x, not 3x²", "gradient_check_failed",
        ["gradient_check_failed"], cube)

    def spiral_leak(s):
        m = mlp([2, 64, 64, 3], seed=s)
        (X, y), (Xv, yv) = spiral_data(s)
        half = len(Xv) // 2
        return _setup(m, CE(), ((X, y), (np.concatenate([Xv[:half], X[:half]]),
                                         np.concatenate([yv[:half], y[:half]]))),
                      _adam(m, 1e-2))
    add("held-out: half the spiral's validation copied from training", "val_leakage",
        ["val_leakage"], spiral_leak)

    def cnn_memorize(s):
        m = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1, generator=gen(s)), nn.ReLU(),
                          nn.Flatten(), nn.Linear(16 * 14 * 14, 10, generator=gen(s + 1)))
        (X, y), val = fashion_data(s, n_train=100, n_val=1000, flat=False)
        return _setup(m, CE(), ((X, y), val), _adam(m), steps=300, batch_size=32)
    add("held-out: CNN on 100 images", "overfitting", ["overfitting"], cnn_memorize)

    def relu_scaled(s):
        m = mlp([196] + [64] * 10 + [10], seed=s, init=functools.partial(
            nn.init.kaiming_normal, nonlinearity="relu"))
        for layer in m:
            if isinstance(layer, nn.Linear):
                layer.weight.data *= 3.0
        return _setup(m, CE(), fashion_data(s), _sgd(m, 1e-3))
    add("held-out: 10 ReLU layers at 3× He scale", "exploding_gradients",
        ["exploding_gradients"], relu_scaled)

    add("held-out: an Adam loop on the spiral that never clears gradients",
        "stale_gradients", ["stale_gradients"], watch_fn=_spiral_loop_without_zero_grad)
    return cases


def _spiral_loop_without_zero_grad(seed):
    (X, y), _ = spiral_data(seed)
    model = mlp([2, 64, 64, 3], seed=seed)
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = nn.CrossEntropyLoss()
    with watch(model, optimizer, loss_fn=loss_fn) as observer:
        for _epoch in range(20):
            for start in range(0, len(X), 32):
                loss = loss_fn(model(gn.tensor(X[start : start + 32])), y[start : start + 32])
                loss.backward()
                optimizer.step()
    return observer.report()


def heldout_healthy():
    def spiral_tanh(s):
        m = mlp([2, 64, 64, 3], nn.Tanh, seed=s, init=nn.init.xavier_normal)
        return _setup(m, CE(), spiral_data(s), _adam(m, 1e-2))

    def cnn_bn(s):
        m = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1, bias=False, generator=gen(s)),
                          nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(8 * 7 * 7, 10, generator=gen(s + 1)))
        return _setup(m, CE(), fashion_data(s, flat=False), _adam(m))

    def regression_relu(s):
        m = mlp([1, 64, 64, 1], seed=s)
        return _setup(m, nn.MSELoss(), regression_data(s), _adam(m, 3e-3))

    def fashion_dropout(s):
        m = mlp([196, 256, 10], seed=s, dropout=0.5)
        return _setup(m, CE(), fashion_data(s), _adam(m))

    return [Case("held-out healthy: spiral tanh MLP, Xavier", None, build=spiral_tanh,
                 tags=("held-out",)),
            Case("held-out healthy: CNN with batch norm", None, build=cnn_bn,
                 tags=("held-out",)),
            Case("held-out healthy: regression ReLU MLP", None, build=regression_relu,
                 tags=("held-out",)),
            Case("held-out healthy: MLP with dropout 0.5", None, build=fashion_dropout,
                 tags=("held-out",))]


def all_cases():
    """(broken, healthy): the calibration set, then the held-out set."""
    healthy = healthy_cases()
    healthy.append(Case("healthy: a user's own loop under watch", None,
                        watch=healthy_loop, data="fashion"))
    return broken_cases() + heldout_cases(), healthy + heldout_healthy()
