# %% [markdown]
# # 4. Vanilla (inverted) dropout: forward and backward in NumPy
#
# At training time each unit is kept with probability q = 1 − p and zeroed otherwise. The
# "inverted" form scales the kept units by 1/q right away, so the expected activation is
# unchanged and the test-time forward pass is the identity:
#
#     forward (train):  mask = (U(0,1) ≥ p) / q;   out = x ⊙ mask
#     backward:         dx = dout ⊙ mask              (the same mask: a fixed linear map)
#     forward (test):   out = x
#
# The original dropout paper drops without scaling and multiplies the weights by q at test
# time instead; forgetting that makes test activations 1/q times too large. We write the
# inverted form in NumPy, check it against glassnet's `F.dropout` and against centered
# differences, and measure the expectations of both forms.

# %%
import numpy as np
from _lab import Lab

import glassnet as gn
import glassnet.nn.functional as F
from glassnet.plot.figure import new_figure

lab = Lab("4. Vanilla (inverted) dropout: forward and backward in NumPy.")
p = 0.2  # drop probability (PyTorch's p; the course's "keep probability" is 1 − p)


def dropout_forward(x, p, rng, training=True):
    """Inverted dropout. Returns the output and the mask the backward pass needs."""
    if not training or p == 0:
        return x, None
    mask = ((rng.random(x.shape, dtype=x.dtype) >= p) * (1 / (1 - p))).astype(x.dtype)
    return x * mask, mask


def dropout_backward(dout, mask):
    return dout if mask is None else dout * mask


# %% [markdown]
# ## The same numbers as glassnet's dropout, forward and backward

# %%
x = np.random.default_rng(0).standard_normal((64, 100)).astype(np.float32)
dout = np.random.default_rng(1).standard_normal(x.shape).astype(np.float32)
out, mask = dropout_forward(x, p, np.random.default_rng(42))
dx = dropout_backward(dout, mask)

x_tensor = gn.tensor(x, requires_grad=True)
glassnet_out = F.dropout(x_tensor, p, training=True, generator=np.random.default_rng(42))
glassnet_out.backward(dout)
forward_gap = np.abs(glassnet_out.data - out).max()
backward_gap = np.abs(x_tensor.grad - dx).max()
lab.claim("forward and backward equal glassnet's F.dropout with the same random numbers",
          max(forward_gap, backward_gap) < 1e-6,
          f"max differences {forward_gap:.1e} (forward), {backward_gap:.1e} (backward)")
kept = (mask > 0).mean()
print(f"fraction of units kept: {kept:.3f} (expected {1 - p}); kept units scaled by "
      f"{mask.max():.1f}")

# %% [markdown]
# ## Centered differences: with its mask fixed, dropout is linear, and dx = dout ⊙ mask

# %%
x64, mask64 = x[:4, :10].astype(np.float64), mask[:4, :10].astype(np.float64)
upstream = dout[:4, :10].astype(np.float64)
eps, numeric = 1e-6, np.zeros_like(x64)
for i in np.ndindex(x64.shape):
    step = np.zeros_like(x64)
    step[i] = eps
    numeric[i] = ((upstream * (x64 + step) * mask64).sum()
                  - (upstream * (x64 - step) * mask64).sum()) / (2 * eps)
numeric_gap = np.abs(numeric - dropout_backward(upstream, mask64)).max()
lab.claim("the backward pass matches centered differences", numeric_gap < 1e-8,
          f"max difference {numeric_gap:.1e}")

# %% [markdown]
# ## Expected activations: inverted dropout vs dropping without scaling

# %%
draws = lab.choose(2000, 300)
rng = np.random.default_rng(3)
activations = np.abs(np.random.default_rng(4).standard_normal(200)) + 0.5  # ReLU outputs
inverted = np.mean([dropout_forward(activations, p, rng)[0] for _ in range(draws)], axis=0)
unscaled = np.mean([activations * (rng.random(200) >= p) for _ in range(draws)], axis=0)
test_time = dropout_forward(activations, p, rng, training=False)[0]
ratio_inverted = inverted.sum() / test_time.sum()
ratio_unscaled = unscaled.sum() / test_time.sum()
lab.table(["form", "mean activation, train", "test", "train / test"],
          [["inverted (scale by 1/q in training)", inverted.mean(), test_time.mean(),
            ratio_inverted],
           ["unscaled, test forgets ×q", unscaled.mean(), test_time.mean(), ratio_unscaled],
           ["unscaled, test multiplies by q", unscaled.mean(), (1 - p) * test_time.mean(),
            unscaled.sum() / ((1 - p) * test_time.sum())]])
lab.claim("inverted dropout keeps the expected activation: train mean ≈ test mean",
          abs(ratio_inverted - 1) < 0.02, f"train/test = {ratio_inverted:.4f} over {draws} "
          "masks")
lab.claim("without the 1/q scaling, training sees only q of the activation the test sees",
          abs(ratio_unscaled - (1 - p)) < 0.02, f"train/test = {ratio_unscaled:.4f}, q = {1 - p}")

# %%
figure = new_figure(10, 3.8)
left, right = figure.subplots(1, 2, width_ratios=[1, 1.4])
left.imshow(mask[:16, :40] > 0, cmap="gray_r", interpolation="nearest")
left.set(title=f"One mask (black: kept, ×{1 / (1 - p):.2f}), p = {p}", xlabel="unit",
         ylabel="example")
units = np.arange(40)
right.plot(units, test_time[:40], "k.-", label="test time (identity)")
right.plot(units, inverted[:40], "o", color="C0", markersize=4,
           label=f"inverted, train (mean of {draws} masks)")
right.plot(units, unscaled[:40], "s", color="C3", markersize=4, label="unscaled, train")
right.set(xlabel="unit", ylabel="activation", title="Expected activation per unit")
right.legend(fontsize=8)
right.grid(alpha=0.3)
lab.save(figure, "04_dropout_numpy.png")

lab.answer(f"forward: mask=(U≥p)/(1−p), out=x⊙mask (identity at test); backward: dx=dout⊙mask. "
           f"It equals glassnet's dropout exactly; the 1/(1−p) keeps train/test activations "
           f"equal ({ratio_inverted:.3f}) where unscaled dropout gives {ratio_unscaled:.3f}.")
lab.finish()
