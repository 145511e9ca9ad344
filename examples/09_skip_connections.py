# %% [markdown]
# # 9. What is the motivation for skip connections?
#
# In a plain deep network the gradient reaching layer l is a product of one Jacobian per
# layer above it; if those shrink the signal (small weights, inactive ReLUs), the product
# vanishes geometrically with depth and the early layers stop learning. A skip connection
# computes x + f(x), whose Jacobian is I + ∂f/∂x: the identity term carries the gradient
# past every block unchanged, whatever f does. We measure the gradient norm of every layer
# of a 20-layer plain MLP and of a residual MLP with the same 20 hidden layers (both with
# PyTorch's default initialization), train both with Adam, and add a plain net
# with He initialization — the other cure — for an honest comparison.

# %%
import numpy as np
from _lab import Lab

import glassnet as gn
from glassnet import nn, optim
from glassnet.data import spiral
from glassnet.nn.loss import cross_entropy
from glassnet.plot.figure import new_figure

lab = Lab("9. Why skip connections? (gradient norms per layer, deep plain net vs residual)")
X, y = spiral(100, 3, noise=0.1, generator=np.random.default_rng(0))
WIDTH, DEPTH = 32, 20
steps = lab.choose(400, 150)


def plain(init=None, seed=0):
    rng = np.random.default_rng(seed)
    layers = [nn.Linear(2, WIDTH, init=init, generator=rng), nn.ReLU()]
    for _ in range(DEPTH):
        layers += [nn.Linear(WIDTH, WIDTH, init=init, generator=rng), nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(WIDTH, 3, init=init, generator=rng))


def residual(seed=0):
    rng = np.random.default_rng(seed)
    layers = [nn.Linear(2, WIDTH, generator=rng)]
    for _ in range(DEPTH // 2):  # x + f(x), f = ReLU → Linear → ReLU → Linear
        layers.append(nn.Residual(nn.Sequential(
            nn.ReLU(), nn.Linear(WIDTH, WIDTH, generator=rng),
            nn.ReLU(), nn.Linear(WIDTH, WIDTH, generator=rng))))
    return nn.Sequential(*layers, nn.ReLU(), nn.Linear(WIDTH, 3, generator=rng))


variants = {"plain, default init": plain, "residual, default init": residual,
            "plain, He init": lambda: plain(nn.init.kaiming_normal)}
norms, curves = {}, {}
for name, make in variants.items():
    model = make()
    cross_entropy(model(gn.tensor(X)), y).backward()
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    norms[name] = [float(np.linalg.norm(m.weight.grad)) for m in linears]
    model = make()
    optimizer = optim.Adam(model.parameters(), lr=3e-4)
    losses = []
    for _ in range(steps):
        loss = cross_entropy(model(gn.tensor(X)), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    curves[name] = losses

chance = np.log(3)
lab.table(["network (22 linear layers)", "‖∇W‖ first layer", "last layer", "first / last",
           f"loss after {steps} steps"],
          [[k, f"{v[0]:.1e}", f"{v[-1]:.1e}", f"{v[0] / v[-1]:.1e}", curves[k][-1]]
           for k, v in norms.items()])
plain_ratio = norms["plain, default init"][0] / norms["plain, default init"][-1]
residual_ratio = norms["residual, default init"][0] / norms["residual, default init"][-1]
lab.claim("in the plain net the gradient vanishes on its way down; with skips it arrives",
          plain_ratio < 1e-6 and residual_ratio > 1e-2,
          f"first/last layer gradient norm: plain {plain_ratio:.1e}, residual "
          f"{residual_ratio:.1e}")
lab.claim("so the plain net does not learn at all while the residual one does",
          curves["plain, default init"][-1] > 0.99 * chance
          and curves["residual, default init"][-1] < 0.9 * chance,
          f"losses {curves['plain, default init'][-1]:.3f} and "
          f"{curves['residual, default init'][-1]:.3f} (chance: ln 3 = {chance:.3f})")
he = norms["plain, He init"]
lab.claim("He initialization also keeps this depth trainable: skips are one cure, init another",
          he[0] / he[-1] > 1e-2 and curves["plain, He init"][-1] < 0.9 * chance,
          f"first/last {he[0] / he[-1]:.1e}, loss {curves['plain, He init'][-1]:.3f}")

# %%
figure = new_figure(11, 4)
left, right = figure.subplots(1, 2)
for name, values in norms.items():
    left.semilogy(range(1, len(values) + 1), values, "o-", markersize=3, label=name)
left.set(xlabel="linear layer (1 = nearest the input)", ylabel="‖∂L/∂W‖ at initialization",
         title=f"Gradient per layer, {DEPTH} hidden layers of {WIDTH}")
for name, losses in curves.items():
    right.plot(losses, label=name)
right.axhline(chance, color="0.6", linestyle=":", label="chance (ln 3)")
right.set(xlabel="step", ylabel="training loss", title="Adam (lr 3e-4) on the spiral")
for ax in (left, right):
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
lab.save(figure, "09_skip_connections.png")

lab.answer(f"x + f(x) has Jacobian I + ∂f/∂x, so the gradient reaches early layers: in a "
           f"20-layer MLP the first layer got {plain_ratio:.0e} of the last layer's gradient "
           f"without skips and {residual_ratio:.0e} with them; the plain net stayed at chance "
           f"(loss {curves['plain, default init'][-1]:.2f}), the residual one learned "
           f"({curves['residual, default init'][-1]:.2f}).")
lab.finish()
