# %% [markdown]
# # 10. How do you know gradients are exploding, and how do you prevent it?
#
# Signs: the total gradient norm jumps by orders of magnitude from one step to the next,
# the loss turns huge and then Inf or NaN, and the per-layer gradient norms grow towards
# the input (each layer multiplies the backward signal by more than 1). Remedies: clip the
# gradient (rescale it when its norm exceeds a threshold, so a bad step stays a small one),
# lower the learning rate, initialize so that each layer keeps the signal's scale (He /
# Xavier), normalize (batch/layer norm), and for RNNs use gated units. We train an 8-layer
# ReLU regression net whose weights start 1.5× too large, with and without
# `optim.clip_grad_norm`, and the same net with a proper He initialization.

# %%
import numpy as np
from _lab import Lab

import glassnet as gn
from glassnet import nn, optim
from glassnet.nn.loss import mse_loss
from glassnet.plot.figure import new_figure

lab = Lab("10. How to tell that gradients are exploding, and how to prevent it (clipping).")
rng = np.random.default_rng(0)
X = rng.standard_normal((256, 8)).astype(np.float32)
targets = (np.sin(2 * X[:, :1]) + X[:, 1:2] ** 2).astype(np.float32)
steps = lab.choose(200, 60)


def network(gain, seed=0):
    """8 hidden ReLU layers of 64 with He-initialized weights times ``gain``."""
    generator, layers, width = np.random.default_rng(seed), [], 8
    for out in [64] * 8 + [1]:
        layer = nn.Linear(width, out, init=nn.init.kaiming_normal, generator=generator)
        layer.weight.data *= gain
        layers += [layer, nn.ReLU()]
        width = out
    return nn.Sequential(*layers[:-1])


def backward_signal(model):
    """‖∂L/∂z‖ at the output z of every linear layer: a zero "probe" tensor is added to each
    z, and the probe's gradient is ∂L/∂z (intermediate tensors keep no .grad)."""
    h, probes = gn.tensor(X), []
    for module in model:
        h = module(h)
        if isinstance(module, nn.Linear):
            probes.append(gn.zeros(*h.shape, requires_grad=True))
            h = h + probes[-1]
    mse_loss(h, targets).backward()
    model.zero_grad()
    return [float(np.linalg.norm(p.grad)) for p in probes]


def train(gain, max_norm):
    """SGD + momentum; returns losses, total gradient norms and the backward signal per
    layer at the start."""
    model = network(gain)
    per_layer = backward_signal(model)
    optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    losses, norms = [], []
    for _ in range(steps):
        loss = mse_loss(model(gn.tensor(X)), targets)
        optimizer.zero_grad()
        loss.backward()
        # clip_grad_norm returns the norm before clipping; max_norm=inf only measures it.
        norms.append(optim.clip_grad_norm(model.parameters(), max_norm))
        losses.append(loss.item())
        if not np.isfinite(losses[-1]):
            break  # nothing more to learn from a NaN model
        optimizer.step()
    return np.array(losses), np.array(norms), per_layer


with np.errstate(over="ignore", invalid="ignore"):  # the unclipped run overflows on purpose
    runs = {"weights ×1.5, no clipping": train(1.5, np.inf),
            "weights ×1.5, clip_grad_norm(1.0)": train(1.5, 1.0),
            "He init (×1.0), no clipping": train(1.0, np.inf)}

rows = []
for name, (losses, norms, per_layer) in runs.items():
    rows.append([name, len(losses), losses[0], losses[-1], norms.max(),
                 per_layer[0] / per_layer[-1]])
lab.table(["run", "steps", "first loss", "last loss", "largest ‖g‖",
           "‖∂L/∂z₁‖ / ‖∂L/∂z₉‖ at start"], rows)
wild, clipped, proper = runs.values()
lab.claim("sign 1: with weights 1.5× too large the backward signal grows towards the input",
          wild[2][0] / wild[2][-1] > 10 > proper[2][0] / proper[2][-1] > 0.1,
          f"‖∂L/∂z‖ at the first layer / the last: {wild[2][0] / wild[2][-1]:.0f}× vs "
          f"{proper[2][0] / proper[2][-1]:.1f}× with He init")
trace = ", ".join(f"{n:.2g}" for n in wild[1])
lab.claim("sign 2: without clipping the gradient norm blows up and the loss becomes Inf/NaN "
          "within a few steps", not np.isfinite(wild[0][-1]) and len(wild[0]) < 10,
          f"‖g‖ per step: {trace}; loss per step: {', '.join(f'{v:.2g}' for v in wild[0])}")
lab.claim("clipping the total norm to 1 keeps every step finite, and the net learns",
          np.all(np.isfinite(clipped[0])) and clipped[0][-1] < 0.01 * clipped[0][0],
          f"loss {clipped[0][0]:.3g} → {clipped[0][-1]:.3g}")
lab.claim("a proper initialization removes the cause: no clipping needed, lower loss",
          np.all(np.isfinite(proper[0])) and proper[1].max() < 0.01 * clipped[1].max()
          and proper[0][-1] < clipped[0][-1],
          f"largest ‖g‖ {proper[1].max():.0f} vs {clipped[1].max():.0f}; final loss "
          f"{proper[0][-1]:.3g} vs {clipped[0][-1]:.3g} clipped")

# %%
figure = new_figure(12, 3.8)
axes = figure.subplots(1, 3)
for name, (losses, norms, per_layer) in runs.items():
    axes[0].semilogy(range(1, len(per_layer) + 1), per_layer, "o-", markersize=3, label=name)
    axes[1].semilogy(np.where(np.isfinite(norms), norms, np.nan), label=name)
    axes[2].semilogy(np.where(np.isfinite(losses), losses, np.nan), label=name)
axes[1].axhline(1.0, color="0.5", linestyle=":", label="clipping threshold")
for index, (losses, _, _) in enumerate(runs.values()):
    if not np.isfinite(losses[-1]):
        axes[2].axvline(len(losses) - 1, color=f"C{index}", linestyle="--",
                        label=f"NaN/Inf at step {len(losses) - 1}")
axes[0].set(xlabel="linear layer", ylabel="‖∂L/∂z‖ at step 0",
            title="Backward signal per layer")
axes[1].set(xlabel="step", ylabel="total ‖g‖ (before clipping)", title="Gradient norm")
axes[2].set(xlabel="step", ylabel="MSE loss", title="Loss")
for ax in axes:
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
lab.save(figure, "10_exploding_gradients.png")

lab.answer(f"Watch the gradient norm: here it went {trace} and the loss hit NaN at step "
           f"{len(wild[0]) - 1}, with the backward signal {wild[2][0] / wild[2][-1]:.0f}× larger "
           f"at the input than at the output. clip_grad_norm(1.0) kept it finite (loss "
           f"{clipped[0][0]:.3g} → {clipped[0][-1]:.3g}); fixing the init (He) removed the cause.")
lab.finish()
