# %% [markdown]
# # 21. Why prefer the squared L2 norm to the L2 norm as a regularizer?
#
# Compare R₂(w) = ½λ‖w‖² with R₁(w) = λ‖w‖:
#
# - **Gradient.** ∇R₂ = λw: smooth, defined everywhere, proportional to the weight, and it
#   splits into one independent term per weight — that is plain weight decay, w ← w − ηλw.
#   ∇R₁ = λw/‖w‖: the same size λ however small w is, couples all weights through ‖w‖, and
#   is undefined at w = 0, where gradient descent chatters instead of settling.
# - **Optimization.** ½λ‖w‖² makes the problem λ-strongly convex: a unique minimum, even with
#   more weights than examples, that gradient descent reaches at a linear rate; for linear
#   least squares it has a closed form (ridge regression). Statistically it is a Gaussian
#   prior on the weights.
# - What R₁ offers instead: it sets the *whole* vector to exactly zero beyond a finite λ (the
#   group lasso), which is a feature only when that is what you want.
#
# We measure each point on a linear regression with more weights than examples.

# %%
import numpy as np
from _lab import Lab

import glassnet as gn
from glassnet.plot.figure import new_figure

lab = Lab("21. Squared L2 vs L2 as a regularizer.")
rng = np.random.default_rng(0)
n, d = 40, 60  # more weights than examples
X = rng.standard_normal((n, d))
y = X[:, :5] @ rng.standard_normal(5) + 0.3 * rng.standard_normal(n)
lam = 0.5

# %% [markdown]
# ## The two gradients, from glassnet's autograd

# %%
def gradient(penalty, w):
    tensor = gn.tensor(w, dtype="float64", requires_grad=True)
    with np.errstate(divide="ignore", invalid="ignore"):  # ‖w‖ at w = 0: the point of the demo
        penalty(tensor).backward()
    return tensor.grad


squared = lambda w: 0.5 * lam * (w * w).sum()  # noqa: E731 - one-line penalties read best
plain = lambda w: lam * (w * w).sum().sqrt()  # noqa: E731
scales = np.logspace(-6, 1, 8)
direction = rng.standard_normal(d)
direction /= np.linalg.norm(direction)
rows = [[s, np.linalg.norm(gradient(squared, s * direction)),
         np.linalg.norm(gradient(plain, s * direction))] for s in scales]
lab.table(["‖w‖", "‖∇ ½λ‖w‖²‖", "‖∇ λ‖w‖‖"], rows)
lab.claim("the squared norm's gradient shrinks with the weights (λ‖w‖); the norm's stays λ",
          np.allclose([r[1] for r in rows], lam * scales)
          and np.allclose([r[2] for r in rows], lam),
          f"at ‖w‖ = 1e-6: {rows[0][1]:.1e} vs {rows[0][2]:.2f}")
at_zero = gradient(plain, np.zeros(d))
lab.claim("at w = 0 the norm has no gradient: autograd gets 0/0", np.all(np.isnan(at_zero))
          and np.all(gradient(squared, np.zeros(d)) == 0),
          f"∇λ‖w‖ at 0 = {at_zero[:2]}…, ∇½λ‖w‖² at 0 = 0")

# %% [markdown]
# ## Ridge: a unique minimum, a closed form, a linear rate

# %%
def data_loss_gradient(w):
    return X.T @ (X @ w - y) / n


hessian = X.T @ X / n
print(f"smallest eigenvalue of XᵀX/n: {np.linalg.eigvalsh(hessian).min():.1e} "
      f"(d = {d} > n = {n}: the unregularized minimum is not unique)")
closed_form = np.linalg.solve(hessian + lam * np.eye(d), X.T @ y / n)
w, eta, gaps = np.zeros(d), 1.0 / (np.linalg.eigvalsh(hessian).max() + lam), []
for _ in range(lab.choose(400, 150)):
    w -= eta * (data_loss_gradient(w) + lam * w)  # ← exactly weight decay
    gaps.append(np.linalg.norm(w - closed_form))
window = [k for k, g in enumerate(gaps) if 1e-12 < g < 1e-3]  # before rounding takes over
rate = (gaps[window[-1]] / gaps[window[0]]) ** (1 / (window[-1] - window[0]))
predicted = 1 - eta * (np.linalg.eigvalsh(hessian).min() + lam)
lab.claim("gradient descent on loss + ½λ‖w‖² converges to the closed-form ridge solution, at "
          "least at the linear rate 1 − η(λ_min + λ) that strong convexity guarantees",
          gaps[-1] < 1e-8 and rate <= predicted + 1e-3,
          f"distance {gaps[-1]:.1e}; error shrinks ×{rate:.4f} per step, guaranteed "
          f"≤ ×{predicted:.4f}")

# %% [markdown]
# ## λ‖w‖: chattering at 0, and the whole vector zeroed beyond a threshold

# %%
threshold = np.linalg.norm(X.T @ y / n)  # above it, w = 0 is the minimum of loss + λ‖w‖
strong = 1.2 * threshold
w_gd, norms = np.full(d, 0.1), []
for _ in range(lab.choose(400, 150)):
    norm = np.linalg.norm(w_gd)
    w_gd = w_gd - eta * (data_loss_gradient(w_gd) + strong * w_gd / norm)
    norms.append(np.linalg.norm(w_gd))
w_prox = np.full(d, 0.1)
for _ in range(lab.choose(400, 150)):  # proximal gradient: the exact way to handle λ‖w‖
    v = w_prox - eta * data_loss_gradient(w_prox)
    w_prox = max(0.0, 1 - eta * strong / np.linalg.norm(v)) * v
ridge_strong = np.linalg.solve(hessian + strong * np.eye(d), X.T @ y / n)
lab.claim("beyond λ* = ‖Xᵀy‖/n the λ‖w‖ minimum is exactly w = 0; plain gradient descent "
          "never gets there, it chatters at a distance ≈ ηλ",
          np.linalg.norm(w_prox) == 0
          and 0.2 * eta * strong < np.mean(norms[-50:]) < 2 * eta * strong,
          f"λ = {strong:.2f} (λ* = {threshold:.2f}): proximal ‖w‖ = "
          f"{np.linalg.norm(w_prox):.1f}; gradient descent ‖w‖ ≈ {np.mean(norms[-50:]):.3f} "
          f"(ηλ = {eta * strong:.3f})")
lab.claim("the squared norm only shrinks: at the same λ ridge keeps every weight non-zero",
          np.all(ridge_strong != 0), f"‖w_ridge‖ = {np.linalg.norm(ridge_strong):.3f}, "
          f"smallest |w_i| = {np.abs(ridge_strong).min():.1e}")

# %%
lambdas = np.geomspace(0.01, 3 * threshold, 40)
ridge_norms = [np.linalg.norm(np.linalg.solve(hessian + lm * np.eye(d), X.T @ y / n))
               for lm in lambdas]
group_norms = []
for lm in lambdas:
    w_path = np.zeros(d)
    for _ in range(300):
        v = w_path - eta * data_loss_gradient(w_path)
        w_path = max(0.0, 1 - eta * lm / max(np.linalg.norm(v), 1e-300)) * v
    group_norms.append(np.linalg.norm(w_path))
figure = new_figure(12, 3.8)
axes = figure.subplots(1, 3)
axes[0].loglog(scales, [r[1] for r in rows], "o-", label="∇ ½λ‖w‖² = λw")
axes[0].loglog(scales, [r[2] for r in rows], "s-", label="∇ λ‖w‖ = λw/‖w‖")
axes[0].set(xlabel="‖w‖", ylabel="gradient norm", title=f"Penalty gradients (λ = {lam})")
axes[1].semilogx(lambdas, ridge_norms, label="½λ‖w‖² (ridge)")
axes[1].semilogx(lambdas, group_norms, label="λ‖w‖ (exact minimizer)")
axes[1].axvline(threshold, color="0.5", linestyle=":", label="λ* = ‖Xᵀy‖/n")
axes[1].set(xlabel="λ", ylabel="‖w‖ at the minimum", title="Solution size against λ")
axes[2].semilogy(norms, label="gradient descent on λ‖w‖")
axes[2].semilogy(gaps, label="gradient descent on ½λ‖w‖²: ‖w − w_ridge‖")
axes[2].axhline(eta * strong, color="0.5", linestyle=":", label="ηλ")
axes[2].set(xlabel="step", title="Convergence")
for ax in axes:
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
lab.save(figure, "21_squared_l2_vs_l2.png")

lab.answer(f"½λ‖w‖² has the smooth, per-weight gradient λw (weight decay), makes the problem "
           f"strongly convex (unique minimum with d > n, closed form, GD error ×{rate:.3f} per "
           f"step); λ‖w‖ has a constant-size gradient undefined at 0, so GD chatters at "
           f"‖w‖ ≈ {np.mean(norms[-50:]):.2f} where the true minimum is exactly 0 — useful only "
           "when zeroing a whole group is the goal.")
lab.finish()
