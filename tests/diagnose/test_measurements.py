"""The measurements the rules read: the sampled gradient check, batch independence, the
loss's reduction, overfitting 20 examples, the zeroed-input baseline, the model trace and
the data statistics."""

import numpy as np

from glassnet import nn, optim
from glassnet.diagnose import sanity
from glassnet.diagnose.data_checks import count_duplicates, measure_data
from glassnet.diagnose.gradient_check import gradient_check
from glassnet.diagnose.trace import trace
from tests.diagnose.cases import Double, ReshapeNotTranspose, data, mlp

CE = nn.CrossEntropyLoss()


def test_gradient_check_passes_a_relu_network_and_names_the_layer_with_a_wrong_backward():
    X, y = data()
    healthy = gradient_check(mlp(2, 16, 16, 3), CE, X, y)
    assert healthy["worst_error"] < 1e-6 and healthy["checked"] >= 20
    broken = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), Double(), nn.Linear(16, 3))
    result = gradient_check(broken, CE, X, y)
    # The wrong factor sits between layers 0 and 3: layer 0's gradient is off by 2×
    # (relative error 0.5); layer 3 and the loss are computed after it and are right.
    assert result["worst_layer"] == "0" and abs(result["worst_error"] - 0.5) < 1e-3
    assert result["layers"]["3"] < 1e-6 and result["layers"]["loss"] < 1e-6


def test_gradient_check_leaves_the_model_in_float32_and_unchanged():
    X, y = data()
    model = mlp(2, 8, 3)
    before = model.state_dict()
    gradient_check(model, CE, X, y)
    after = model.state_dict()
    assert all(after[k].dtype == np.float32 and np.array_equal(after[k], before[k])
               for k in before)


def test_batch_independence_is_zero_for_a_model_and_positive_for_a_reshape_bug():
    X, _ = data()
    assert sanity.batch_independence(mlp(2, 8, 3), X)["leak"] == 0.0
    mixing = nn.Sequential(nn.Linear(2, 4), ReshapeNotTranspose(), nn.Linear(4, 3))
    assert sanity.batch_independence(mixing, X)["leak"] > 0.1


def test_loss_reduction_ratio_is_one_for_a_mean_and_two_for_a_sum():
    X, y = data()
    model = mlp(2, 8, 3)
    assert abs(sanity.loss_reduction(model, CE, X[:32], y[:32])["ratio"] - 1) < 1e-5
    summed = nn.CrossEntropyLoss(reduction="sum")
    assert abs(sanity.loss_reduction(model, summed, X[:32], y[:32])["ratio"] - 2) < 1e-5


def test_overfitting_twenty_examples_succeeds_for_a_healthy_model_and_restores_it():
    X, y = data()
    model = mlp(2, 32, 3)
    before = model.state_dict()
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    result = sanity.overfit_small(model, CE, optimizer, X, y,
                                  generator=np.random.default_rng(0))
    assert result["fitted"] and result["accuracy"] >= 0.95 and result["examples"] == 20
    assert all(np.array_equal(model.state_dict()[k], before[k]) for k in before)
    assert optimizer.step_count == 0  # a clone was trained, never the user's optimizer


def test_the_zeroed_input_baseline_learns_the_label_prior():
    X, y = data()
    result, examples = sanity.zero_input_baseline(
        mlp(2, 8, 3), CE, (X, y), (X[:30], y[:30]), steps=100, batch_size=32,
        generator=np.random.default_rng(0))
    assert abs(result["train"]["loss"] - np.log(3)) < 0.05  # balanced classes: ln 3
    assert examples.shape == (30,)


def test_trace_records_leaf_layers_in_call_order_with_their_inputs_and_outputs():
    X, _ = data()
    model = mlp(2, 8, 3)
    traced = trace(model, X[:5])
    assert [(c.name, c.kind) for c in traced.calls] == [("0", "Linear"), ("1", "ReLU"),
                                                        ("2", "Linear")]
    assert np.array_equal(traced.calls[1].input, traced.calls[0].output)
    assert traced.output.shape == (5, 3) and model.training


def test_measure_data_counts_classes_prior_and_duplicates():
    X, y = data()
    stats = measure_data((X, y), (X[:7], y[:7]), num_outputs=3)
    assert stats.class_counts == [60, 60, 60] and stats.imbalance_ratio == 1.0
    assert abs(stats.prior_loss - np.log(3)) < 1e-9 and stats.val_duplicates == 7
    assert count_duplicates(X, X[:5] + 1.0) == 0
    regression = measure_data((X, y.astype(np.float32)))
    assert regression.task == "regression" and regression.distinct_targets == 3
