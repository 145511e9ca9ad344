"""``watch`` on loops a student wrote: it sees what the loop does wrong, and changes nothing
about what the loop computes."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn, optim
from glassnet.diagnose import watch
from glassnet.errors import ConfigError
from tests.diagnose.cases import data, mlp


def loop(model, optimizer, *, zero_grad="top", evaluate_in_eval=True, steps=30,
         every=5, observe=True):
    X, y = data()
    loss_fn = nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)

    def body():
        for step in range(steps):
            batch = rng.choice(len(X), 32, replace=False)
            if zero_grad == "top":
                optimizer.zero_grad()
            loss = loss_fn(model(gn.tensor(X[batch])), y[batch])
            if zero_grad == "before_backward":
                optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if step % 10 == 9:
                if evaluate_in_eval:
                    model.eval()
                with gn.no_grad():
                    model(gn.tensor(X))
                model.train()

    if not observe:
        body()
        return None
    with watch(model, optimizer, loss_fn=loss_fn, every=every) as w:
        body()
    return w


def with_dropout(seed=0):
    return nn.Sequential(nn.Linear(2, 16, generator=np.random.default_rng(seed)), nn.ReLU(),
                         nn.Dropout(0.2, generator=np.random.default_rng(seed + 1)),
                         nn.Linear(16, 3, generator=np.random.default_rng(seed + 2)))


def test_a_correct_loop_gets_no_findings_and_its_gradients_are_recorded():
    model = mlp(2, 16, 3)
    w = loop(model, optim.SGD(model.parameters(), lr=0.1))
    assert w.report().codes() == []
    recorded = [r for r in w.data.records if r["params"]]
    assert [r["step"] for r in recorded] == [1, 6, 11, 16, 21, 26]
    grads = recorded[1]["params"]["0.weight"]
    assert grads["grad_norm"] > 0 and grads["update_ratio"] == pytest.approx(
        0.1 * grads["grad_norm"] / grads["weight_norm"], rel=0.05)


@pytest.mark.parametrize("zero_grad", ["top", "before_backward", "never"])
def test_watching_does_not_change_what_the_loop_computes(zero_grad):
    watched, plain = mlp(2, 16, 3), mlp(2, 16, 3)
    loop(watched, optim.SGD(watched.parameters(), lr=0.05, momentum=0.9), zero_grad=zero_grad)
    loop(plain, optim.SGD(plain.parameters(), lr=0.05, momentum=0.9), zero_grad=zero_grad,
         observe=False)
    for key, value in plain.state_dict().items():
        np.testing.assert_allclose(watched.state_dict()[key], value, rtol=1e-6, atol=1e-7)


def test_gradients_never_cleared_are_caught_wherever_zero_grad_would_go():
    model = mlp(2, 16, 3)
    w = loop(model, optim.SGD(model.parameters(), lr=0.01), zero_grad="never")
    report = w.report()
    assert report.codes("error")[0] == "stale_gradients"
    assert report.findings[0].evidence["stale_steps"] == 29
    for placement in ("top", "before_backward"):
        model = mlp(2, 16, 3)
        w = loop(model, optim.SGD(model.parameters(), lr=0.01), zero_grad=placement)
        assert "stale_gradients" not in w.report().codes()


def test_evaluating_with_dropout_in_training_mode_is_caught():
    model = with_dropout()
    w = loop(model, optim.Adam(model.parameters(), lr=1e-2), evaluate_in_eval=False)
    report = w.report()
    assert report.codes("error") == ["eval_in_train_mode"]
    assert report.findings[0].evidence["passes"] == 3
    model = with_dropout()
    w = loop(model, optim.Adam(model.parameters(), lr=1e-2))
    assert "eval_in_train_mode" not in w.report().codes()


def test_watch_sees_the_structure_of_the_model_it_watched():
    model = nn.Sequential(nn.Linear(2, 16), nn.Linear(16, 3))
    w = loop(model, optim.SGD(model.parameters(), lr=0.1), steps=3)
    assert w.report().codes("error") == ["no_nonlinearity"]


def test_watch_rejects_what_is_not_a_module():
    with pytest.raises(ConfigError, match="Module"):
        watch(lambda x: x)
    with pytest.raises(ConfigError, match="every"):
        watch(mlp(2, 3), every=0)
