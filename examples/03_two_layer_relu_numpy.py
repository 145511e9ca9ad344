# %% [markdown]
# # 3. Forward and backward pass of a two-layer ReLU network in NumPy
#
# The network: h = max(0, X·W1 + b1), scores = h·W2 + b2, loss = mean softmax cross-entropy.
# The backward pass applies the chain rule in reverse, one line per forward line:
#
#     dscores = (softmax(scores) − onehot(y)) / N
#     dW2 = hᵀ·dscores,   db2 = Σ dscores,   dh = dscores·W2ᵀ
#     dz  = dh ⊙ [z > 0]          (ReLU routes the gradient to the units that were on)
#     dW1 = Xᵀ·dz,        db1 = Σ dz
#
# We check it twice: against glassnet's autograd engine on the same weights, and against
# centered differences of the loss itself. Then the NumPy network trains on the spiral.

# %%
import numpy as np
from _lab import Lab

import glassnet as gn
from glassnet.data import spiral
from glassnet.errors import GradientCheckError
from glassnet.nn.loss import cross_entropy
from glassnet.plot.figure import new_figure

lab = Lab("3. Forward and backward pass of a two-layer ReLU network in NumPy.")
X, y = spiral(100, 3, noise=0.05, generator=np.random.default_rng(0))
X = X.astype(np.float64)
N, D, H, C = len(X), 2, 100, 3


# %% [markdown]
# ## The two passes, in NumPy only

# %%
def forward_backward(params, X, y):
    """The loss and the gradient of every parameter, by hand."""
    W1, b1, W2, b2 = params
    z = X @ W1 + b1  # forward
    h = np.maximum(0, z)
    scores = h @ W2 + b2
    shifted = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(len(y)), y]).mean()

    dscores = probs.copy()  # backward, line by line in reverse
    dscores[np.arange(len(y)), y] -= 1
    dscores /= len(y)
    dW2, db2 = h.T @ dscores, dscores.sum(axis=0)
    dh = dscores @ W2.T
    dz = dh * (z > 0)
    dW1, db1 = X.T @ dz, dz.sum(axis=0)
    return loss, [dW1, db1, dW2, db2]


rng = np.random.default_rng(1)
params = [rng.standard_normal((D, H)), 0.1 * rng.standard_normal(H),
          rng.standard_normal((H, C)) / np.sqrt(H), np.zeros(C)]
loss, grads = forward_backward(params, X, y)

# %% [markdown]
# ## Check 1: glassnet's engine on the same weights (float64)

# %%
tensors = [gn.tensor(p, dtype="float64", requires_grad=True) for p in params]


def glassnet_loss(W1, b1, W2, b2):
    return cross_entropy(gn.relu(gn.tensor(X, dtype="float64") @ W1 + b1) @ W2 + b2, y)


engine_loss = glassnet_loss(*tensors)
engine_loss.backward()
engine_difference = max(np.abs(t.grad - g).max() for t, g in zip(tensors, grads))
lab.claim("the NumPy gradients equal the autograd engine's", engine_difference < 1e-12,
          f"max difference {engine_difference:.1e}, losses {loss:.12f} vs "
          f"{engine_loss.item():.12f}")

# %% [markdown]
# ## Check 2: centered differences (L(θ + ε) − L(θ − ε)) / 2ε on 20 entries of each parameter
#
# ReLU has a kink at 0: if a perturbation of ε moves some pre-activation z across 0, the
# difference quotient measures the jump, not the derivative. So, as the lecture advises, the
# check runs on a small batch (few pre-activations, so none is very close to 0), with ε
# below the distance of every z to 0.

# %%
X_small, y_small = X[::25], y[::25]
small_grads = forward_backward(params, X_small, y_small)[1]
margin = np.abs(X_small @ params[0] + params[1]).min()
eps, worst = min(1e-6, margin / 10), 0.0
print(f"{len(X_small)} examples; closest pre-activation to the kink |z| = {margin:.1e}, "
      f"so ε = {eps:.1e}")
for p, g in zip(params, small_grads):
    for index in rng.choice(p.size, size=min(20, p.size), replace=False):
        flat = p.reshape(-1)  # a view: perturbing it perturbs the parameter
        original = flat[index]
        flat[index] = original + eps
        plus = forward_backward(params, X_small, y_small)[0]
        flat[index] = original - eps
        minus = forward_backward(params, X_small, y_small)[0]
        flat[index] = original
        numeric, analytic = (plus - minus) / (2 * eps), g.reshape(-1)[index]
        scale = max(abs(numeric), abs(analytic))
        worst = max(worst, abs(numeric - analytic) / scale if scale > 0 else 0.0)
lab.claim("centered differences agree with the backward pass", worst < 1e-4,
          f"largest relative error {worst:.1e} over 80 sampled entries; CS231n: above 1e-4 is "
          "suspicious, and tiny gradients show larger relative errors from rounding alone")


def small_loss(W1, b1, W2, b2):
    return cross_entropy(gn.relu(gn.tensor(X_small, dtype="float64") @ W1 + b1) @ W2 + b2,
                         y_small)


try:
    passed, evidence = True, str(gn.gradcheck(small_loss, tensors, eps=eps))
except GradientCheckError as error:
    passed, evidence = False, str(error)
lab.claim("glassnet's gradcheck passes on every parameter of the engine's version", passed,
          evidence)

# %% [markdown]
# ## Train the NumPy network with the vanilla update

# %%
steps, lr = lab.choose(4000, 1000), 1.0
losses = []
for _ in range(steps):
    loss, grads = forward_backward(params, X, y)
    for p, g in zip(params, grads):
        p -= lr * g
    losses.append(loss)

# For comparison, the best a linear classifier does here: softmax regression, same update.
W, b = np.zeros((D, C)), np.zeros(C)
for _ in range(2000):
    scores = X @ W + b
    probs = np.exp(scores - scores.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    probs[np.arange(N), y] -= 1
    W -= lr * X.T @ probs / N
    b -= lr * probs.mean(axis=0)
linear_accuracy = ((X @ W + b).argmax(axis=1) == y).mean()


def predict(points):
    W1, b1, W2, b2 = params
    return (np.maximum(0, points @ W1 + b1) @ W2 + b2).argmax(axis=1)


accuracy = (predict(X) == y).mean()
print(f"trained {steps} full-batch steps with lr={lr}: loss {losses[0]:.3f} → {losses[-1]:.3f}")
lab.claim("the hand-written network learns the spiral, far beyond a linear classifier",
          accuracy >= linear_accuracy + 0.15, f"training accuracy {accuracy:.3f} vs "
          f"{linear_accuracy:.3f} for softmax regression")

# %%
figure = new_figure(10, 4.2)
left, right = figure.subplots(1, 2)
grid = np.linspace(-1.1, 1.1, 300)
A, B = np.meshgrid(grid, grid)
regions = predict(np.column_stack([A.ravel(), B.ravel()])).reshape(A.shape)
left.contourf(A, B, regions, levels=[-0.5, 0.5, 1.5, 2.5], colors=["C0", "C1", "C2"],
              alpha=0.25)
for k in range(C):
    left.scatter(*X[y == k].T, s=10, color=f"C{k}")
left.set(title=f"NumPy 2-layer ReLU net: accuracy {accuracy:.1%}", aspect="equal")
right.semilogy(losses)
right.set(xlabel="step", ylabel="loss",
          title="Training loss, full-batch θ ← θ − 1.0·∇L by hand\n(the spikes: a step near "
          "the stability limit, see question 18)")
right.grid(alpha=0.3)
lab.save(figure, "03_two_layer_relu_numpy.png")

lab.answer(f"forward z=XW1+b1, h=max(0,z), s=hW2+b2; backward ds=(p−onehot)/N, dW2=hᵀds, "
           f"dh=dsW2ᵀ, dz=dh⊙[z>0], dW1=Xᵀdz. It matches the engine to {engine_difference:.0e}, "
           f"centered differences to {worst:.0e}, and learns the spiral ({accuracy:.0%} vs "
           f"{linear_accuracy:.0%} for a linear classifier).")
lab.finish()
