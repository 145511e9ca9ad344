"""Composite expressions against PyTorch's autograd, in float64 (skipped without torch)."""

import numpy as np
import pytest

import glassnet as gn

torch = pytest.importorskip("torch", reason="PyTorch is the reference for these comparisons")


def both(array):
    """The same float64 values as a glassnet leaf and a torch leaf."""
    return (
        gn.tensor(array, dtype="float64", requires_grad=True),
        torch.tensor(array, dtype=torch.float64, requires_grad=True),
    )


def assert_close(glassnet_array, torch_tensor):
    np.testing.assert_allclose(glassnet_array, torch_tensor.detach().numpy(), atol=1e-6, rtol=0)


def test_two_layer_mlp_with_softmax_loss_written_in_ops():
    rng = np.random.default_rng(0)
    inputs, labels = rng.standard_normal((16, 5)), rng.integers(0, 3, 16)
    W1, tW1 = both(rng.standard_normal((5, 8)) * 0.5)
    b1, tb1 = both(np.zeros(8))
    W2, tW2 = both(rng.standard_normal((8, 3)) * 0.5)

    scores = (gn.tensor(inputs, dtype="float64") @ W1 + b1).relu() @ W2
    loss = (scores.logsumexp(axis=1) - scores[np.arange(16), labels]).mean()
    loss.backward()

    t_scores = torch.relu(torch.tensor(inputs) @ tW1 + tb1) @ tW2
    t_loss = torch.nn.functional.cross_entropy(t_scores, torch.tensor(labels))
    t_loss.backward()

    assert loss.item() == pytest.approx(t_loss.item(), abs=1e-12)
    for mine, theirs in [(W1, tW1), (b1, tb1), (W2, tW2)]:
        assert_close(mine.grad, theirs.grad)


def test_indexing_with_repeated_indices_accumulates_like_torch():
    values = np.random.default_rng(1).standard_normal((4, 3))
    x, tx = both(values)
    rows = np.array([0, 2, 2, 3, 0, 0])
    (x[rows] * np.arange(18.0).reshape(6, 3)).sum().backward()
    weights = torch.arange(18.0, dtype=torch.float64).reshape(6, 3)
    (tx[torch.tensor(rows)] * weights).sum().backward()
    assert_close(x.grad, tx.grad)


def test_logsumexp_with_large_values():
    values = np.array([[1000.0, 1001.0, 999.0], [-5.0, 0.0, 5.0]])
    x, tx = both(values)
    out = x.logsumexp(axis=1)
    t_out = torch.logsumexp(tx, dim=1)
    out.backward(np.array([1.0, 2.0]))
    t_out.backward(torch.tensor([1.0, 2.0], dtype=torch.float64))
    assert_close(out.data, t_out)
    assert_close(x.grad, tx.grad)


def test_normalization_expression_with_var_and_broadcasting():
    values = np.random.default_rng(2).standard_normal((6, 4))
    x, tx = both(values)
    gamma, t_gamma = both(np.linspace(0.5, 2.0, 4))
    out = (x - x.mean(axis=0, keepdims=True)) / (x.var(axis=0, keepdims=True) + 1e-5).sqrt()
    (out * gamma).tanh().sum().backward()
    t_var = tx.var(dim=0, keepdim=True, unbiased=False)
    t_out = (tx - tx.mean(dim=0, keepdim=True)) / (t_var + 1e-5).sqrt()
    (t_out * t_gamma).tanh().sum().backward()
    assert_close(x.grad, tx.grad)
    assert_close(gamma.grad, t_gamma.grad)
