"""Every layer against PyTorch: with the same weights (loaded through state_dict) the
outputs and the input and parameter gradients agree to 1e-5 in float32, and state_dicts
load both ways with strict key checking. Skipped when PyTorch is not installed."""

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn as nn

torch = pytest.importorskip("torch", reason="PyTorch is the optional reference for these tests")
tnn = torch.nn

# NOTE: float32 sums of up to a few hundred terms: 1e-5 relative plus 1e-5 absolute covers
# their rounding; the same tolerance for every layer.
RTOL = ATOL = 1e-5


def _torch_composite(forward, **modules):
    """A torch Module with ``modules`` as attributes and ``forward(self, x)``."""
    module = tnn.Module()
    for name, child in modules.items():
        setattr(module, name, child)  # torch registers modules and Parameters on assignment
    module.forward = lambda x: forward(module, x)
    return module


CASES = {
    "linear": (lambda: nn.Linear(5, 3), lambda: tnn.Linear(5, 3), (4, 5)),
    "linear_no_bias_3d": (
        lambda: nn.Linear(5, 3, bias=False),
        lambda: tnn.Linear(5, 3, bias=False),
        (2, 4, 5),
    ),
    "conv2d": (lambda: nn.Conv2d(3, 4, 3), lambda: tnn.Conv2d(3, 4, 3), (2, 3, 6, 7)),
    "conv2d_stride2_padding_nonsquare": (
        lambda: nn.Conv2d(2, 3, (3, 2), stride=(2, 1), padding=(1, 0)),
        lambda: tnn.Conv2d(2, 3, (3, 2), stride=(2, 1), padding=(1, 0)),
        (2, 2, 7, 6),
    ),
    "conv2d_1x1_no_bias": (
        lambda: nn.Conv2d(4, 2, 1, bias=False),
        lambda: tnn.Conv2d(4, 2, 1, bias=False),
        (1, 4, 3, 5),
    ),
    "conv2d_lecture_example_small_image": (
        lambda: nn.Conv2d(3, 10, 5, stride=1, padding=2),
        lambda: tnn.Conv2d(3, 10, 5, stride=1, padding=2),
        (1, 3, 8, 8),
    ),
    "conv1d": (
        lambda: nn.Conv1d(2, 3, 3, stride=2, padding=1),
        lambda: tnn.Conv1d(2, 3, 3, stride=2, padding=1),
        (2, 2, 9),
    ),
    "conv2d_dilation_groups_nonsquare": (
        lambda: nn.Conv2d(4, 6, (3, 2), stride=(1, 2), padding=(2, 1), dilation=(2, 1), groups=2),
        lambda: tnn.Conv2d(4, 6, (3, 2), stride=(1, 2), padding=(2, 1), dilation=(2, 1), groups=2),
        (2, 4, 9, 8),
    ),
    "conv2d_depthwise_multiplier2_stride2": (
        lambda: nn.Conv2d(3, 6, 3, stride=2, padding=1, groups=3),
        lambda: tnn.Conv2d(3, 6, 3, stride=2, padding=1, groups=3),
        (2, 3, 8, 7),
    ),
    "conv1d_depthwise_dilated": (
        lambda: nn.Conv1d(4, 4, 3, padding=2, dilation=2, groups=4, bias=False),
        lambda: tnn.Conv1d(4, 4, 3, padding=2, dilation=2, groups=4, bias=False),
        (2, 4, 9),
    ),
    "maxpool2d": (lambda: nn.MaxPool2d(2), lambda: tnn.MaxPool2d(2), (2, 3, 4, 6)),
    "maxpool2d_floor_odd_size": (lambda: nn.MaxPool2d(2), lambda: tnn.MaxPool2d(2), (2, 3, 5, 7)),
    "maxpool2d_dilation_ceil_mode": (
        lambda: nn.MaxPool2d((3, 2), stride=2, padding=1, dilation=(1, 2), ceil_mode=True),
        lambda: tnn.MaxPool2d((3, 2), stride=2, padding=1, dilation=(1, 2), ceil_mode=True),
        (2, 2, 8, 9),
    ),
    "avgpool2d_ceil_mode": (
        lambda: nn.AvgPool2d(3, stride=2, ceil_mode=True),
        lambda: tnn.AvgPool2d(3, stride=2, ceil_mode=True),
        (2, 2, 8, 8),
    ),
    "maxpool1d_ceil_mode": (
        lambda: nn.MaxPool1d(2, ceil_mode=True),
        lambda: tnn.MaxPool1d(2, ceil_mode=True),
        (2, 3, 7),
    ),
    "maxpool2d_overlap_padding": (
        lambda: nn.MaxPool2d(3, stride=2, padding=1),
        lambda: tnn.MaxPool2d(3, stride=2, padding=1),
        (2, 2, 7, 5),
    ),
    "avgpool2d_padding": (
        lambda: nn.AvgPool2d(3, stride=2, padding=1),
        lambda: tnn.AvgPool2d(3, stride=2, padding=1),
        (2, 2, 7, 5),
    ),
    "maxpool1d": (
        lambda: nn.MaxPool1d(3, stride=2, padding=1),
        lambda: tnn.MaxPool1d(3, stride=2, padding=1),
        (2, 3, 7),
    ),
    "avgpool1d": (lambda: nn.AvgPool1d(2), lambda: tnn.AvgPool1d(2), (2, 3, 8)),
    "adaptive_avgpool2d": (
        lambda: nn.AdaptiveAvgPool2d((3, 2)),
        lambda: tnn.AdaptiveAvgPool2d((3, 2)),
        (2, 3, 7, 5),
    ),
    "global_avgpool2d": (
        lambda: nn.GlobalAvgPool2d(),
        lambda: tnn.Sequential(tnn.AdaptiveAvgPool2d(1), tnn.Flatten()),
        (2, 3, 4, 5),
    ),
    "flatten": (lambda: nn.Flatten(), lambda: tnn.Flatten(), (2, 3, 4, 5)),
    "dropout_eval": (lambda: nn.Dropout(0.3).eval(), lambda: tnn.Dropout(0.3).eval(), (3, 4)),
    "batchnorm1d_train": (lambda: nn.BatchNorm1d(3), lambda: tnn.BatchNorm1d(3), (6, 3)),
    "batchnorm1d_sequence_train": (
        lambda: nn.BatchNorm1d(3),
        lambda: tnn.BatchNorm1d(3),
        (4, 3, 5),
    ),
    "batchnorm2d_train": (
        lambda: nn.BatchNorm2d(3, momentum=0.3),
        lambda: tnn.BatchNorm2d(3, momentum=0.3),
        (4, 3, 3, 5),
    ),
    "batchnorm2d_eval": (lambda: nn.BatchNorm2d(3), lambda: tnn.BatchNorm2d(3), (4, 3, 3, 5)),
    "layernorm": (lambda: nn.LayerNorm((3, 4)), lambda: tnn.LayerNorm((3, 4)), (2, 3, 4)),
    "rnn_cell": (lambda: nn.RNNCell(3, 4), lambda: tnn.RNNCell(3, 4), (2, 3)),
    "rnn": (lambda: nn.RNN(3, 4), lambda: tnn.RNN(3, 4), (5, 2, 3)),
    "rnn_relu_batch_first": (
        lambda: nn.RNN(3, 4, nonlinearity="relu", batch_first=True),
        lambda: tnn.RNN(3, 4, nonlinearity="relu", batch_first=True),
        (2, 5, 3),
    ),
    "maxout": (
        lambda: nn.Maxout(4, 3, pieces=2),
        lambda: _torch_composite(
            lambda m, x: tnn.functional.linear(x, m.weight, m.bias).reshape(-1, 3, 2).amax(-1),
            **dict(tnn.Linear(4, 6).named_parameters()),
        ),
        (5, 4),
    ),
    "residual_projection": (
        lambda: nn.Residual(nn.Sequential(nn.Linear(4, 3), nn.Tanh()), projection=nn.Linear(4, 3)),
        lambda: _torch_composite(
            lambda m, x: m.body(x) + m.projection(x),
            body=tnn.Sequential(tnn.Linear(4, 3), tnn.Tanh()),
            projection=tnn.Linear(4, 3),
        ),
        (2, 4),
    ),
    "sigmoid": (lambda: nn.Sigmoid(), lambda: tnn.Sigmoid(), (3, 4)),
    "tanh": (lambda: nn.Tanh(), lambda: tnn.Tanh(), (3, 4)),
    "relu": (lambda: nn.ReLU(), lambda: tnn.ReLU(), (3, 4)),
    "leaky_relu": (lambda: nn.LeakyReLU(0.2), lambda: tnn.LeakyReLU(0.2), (3, 4)),
    "elu": (lambda: nn.ELU(0.5), lambda: tnn.ELU(0.5), (3, 4)),
    "softplus": (lambda: nn.Softplus(), lambda: tnn.Softplus(), (3, 4)),
    "gelu": (lambda: nn.GELU(), lambda: tnn.GELU(), (3, 4)),
    "gelu_tanh": (lambda: nn.GELU("tanh"), lambda: tnn.GELU("tanh"), (3, 4)),
    "softmax": (lambda: nn.Softmax(axis=0), lambda: tnn.Softmax(dim=0), (3, 4)),
    "log_softmax": (lambda: nn.LogSoftmax(), lambda: tnn.LogSoftmax(dim=-1), (3, 4)),
    "cnn": (
        lambda: nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1),
            nn.BatchNorm2d(4),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(4 * 4 * 4, 5),
        ),
        lambda: tnn.Sequential(
            tnn.Conv2d(1, 4, 3, padding=1),
            tnn.BatchNorm2d(4),
            tnn.ReLU(),
            tnn.MaxPool2d(2),
            tnn.Flatten(),
            tnn.Linear(4 * 4 * 4, 5),
        ),
        (3, 1, 8, 8),
    ),
}


def _to_numpy(state):
    return {key: value.detach().numpy() for key, value in state.items()}


def _first(out):
    return out[0] if isinstance(out, tuple) else out


def _build(name):
    make_ours, make_theirs, shape = CASES[name]
    torch.manual_seed(0)
    theirs = make_theirs()
    ours = make_ours()
    if name.endswith("_eval"):
        # give the running statistics non-trivial values before switching to eval
        with torch.no_grad():
            for key, buffer in theirs.state_dict().items():
                if key.endswith("running_mean"):
                    buffer.uniform_(-1, 1)
                elif key.endswith("running_var"):
                    buffer.uniform_(0.5, 2)
        theirs.eval()
        ours.eval()
    ours.load_state_dict(_to_numpy(theirs.state_dict()))
    return ours, theirs, shape


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.filterwarnings("ignore::glassnet.errors.UncoveredInputWarning")  # odd sizes on purpose
def test_same_weights_give_the_same_outputs_and_gradients(name):
    ours, theirs, shape = _build(name)
    rng = np.random.default_rng(1)
    x = rng.uniform(-2, 2, size=shape).astype(np.float32)

    x_ours = gn.tensor(x, requires_grad=True)
    out_ours = _first(ours(x_ours))
    x_theirs = torch.tensor(x, requires_grad=True)
    out_theirs = _first(theirs(x_theirs))
    np.testing.assert_allclose(out_ours.data, out_theirs.detach().numpy(), rtol=RTOL, atol=ATOL)

    grad_out = rng.standard_normal(out_ours.shape).astype(np.float32)
    out_ours.backward(grad_out)
    out_theirs.backward(torch.tensor(grad_out))
    np.testing.assert_allclose(x_ours.grad, x_theirs.grad.numpy(), rtol=RTOL, atol=ATOL)
    theirs_params = dict(theirs.named_parameters())
    ours_params = dict(ours.named_parameters())
    assert set(ours_params) == set(theirs_params)
    for key, parameter in ours_params.items():
        np.testing.assert_allclose(
            parameter.grad, theirs_params[key].grad.numpy(), rtol=RTOL, atol=ATOL, err_msg=key
        )
    # running statistics after a training step match too
    ours_state, theirs_state = ours.state_dict(), _to_numpy(theirs.state_dict())
    for key, value in theirs_state.items():
        np.testing.assert_allclose(ours_state[key], value, rtol=RTOL, atol=ATOL, err_msg=key)


@pytest.mark.parametrize("name", list(CASES))
def test_our_state_dict_loads_strictly_into_pytorch(name):
    make_ours, make_theirs, _ = CASES[name]
    ours = make_ours()
    theirs = make_theirs()
    state = {key: torch.from_numpy(np.ascontiguousarray(v)) for key, v in ours.state_dict().items()}
    theirs.load_state_dict(state, strict=True)
    for key, value in theirs.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), ours.state_dict()[key], err_msg=key)


def test_torch_tensors_are_accepted_by_load_state_dict():
    theirs = tnn.Linear(3, 2)
    ours = nn.Linear(3, 2)
    ours.load_state_dict(theirs.state_dict())  # parameters that require grad: detached for us
    np.testing.assert_array_equal(ours.weight.data, theirs.weight.detach().numpy())
