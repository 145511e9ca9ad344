# %% [markdown]
# # 11. Why are RNNs especially prone to vanishing and exploding gradients?
#
# An RNN applies the *same* matrix W_hh at every time step: h_t = tanh(W_ih·x_t + W_hh·h_{t−1}).
# Backpropagation through time multiplies the gradient by Jᵀ = W_hhᵀ·diag(1 − h_t²) once per
# step, so after k steps it has been multiplied by (roughly) W_hhᵀ k times: it scales like
# ρ^k, with ρ the largest singular value (here, the spectral radius) of W_hh. Below 1 it
# vanishes, above 1 it explodes — geometrically in the sequence length, which is easily
# hundreds of steps, deeper than most feed-forward networks. A feed-forward net has a
# different matrix per layer; an RNN repeats one, so a single number decides. The tanh
# factor (1 − h²) ≤ 1 only shrinks it further once units saturate.
#
# We run glassnet's `RNNCell` for T steps with W_hh = ρ·Q (Q orthogonal, so every singular
# value is ρ) and read ‖∂L/∂h_t‖ at every step.

# %%
import numpy as np
from _lab import Lab

import glassnet as gn
from glassnet import nn
from glassnet.plot.figure import new_figure

lab = Lab("11. Why RNNs are especially prone to vanishing/exploding gradients.")
HIDDEN, STEPS = 32, lab.choose(60, 40)
rng = np.random.default_rng(0)
Q, _ = np.linalg.qr(rng.standard_normal((HIDDEN, HIDDEN)))
readout = rng.standard_normal(HIDDEN)
inputs = rng.standard_normal((STEPS, 1, 4))


def gradient_through_time(rho, input_scale):
    """‖∂L/∂h_t‖ for t = 1..T with L = r·h_T. A zero "probe" added to each h_t receives
    ∂L/∂h_t as its gradient (intermediate tensors keep no .grad)."""
    cell = nn.RNNCell(4, HIDDEN, bias=False, generator=np.random.default_rng(1),
                      dtype=np.float64)
    cell.weight_hh.data[...] = rho * Q
    h, probes = None, []
    for t in range(STEPS):
        h = cell(gn.tensor(input_scale * inputs[t], dtype="float64"), h)
        probes.append(gn.zeros(1, HIDDEN, dtype="float64", requires_grad=True))
        h = h + probes[-1]
    (h * readout).sum().backward()
    saturation = float(np.mean(np.abs(h.data) > 0.9))
    return np.array([np.linalg.norm(p.grad) for p in probes]), saturation


radii = [0.5, 0.9, 1.0, 1.1, 1.5]
curves, rows = {}, []
for rho in radii:
    norms, saturation = gradient_through_time(rho, input_scale=1e-12)  # tanh stays linear
    curves[rho] = norms
    factor = (norms[0] / norms[-1]) ** (1 / (STEPS - 1))  # per step, going back in time
    rows.append([rho, f"{norms[0] / norms[-1]:.2e}", factor, rho ** (STEPS - 1)])
lab.table(["ρ (spectral radius of W_hh)", f"‖∂L/∂h_1‖ / ‖∂L/∂h_{STEPS}‖",
           "measured factor per step", f"ρ^{STEPS - 1}"], rows)
factors = np.array([row[2] for row in rows])
lab.claim("going back one time step multiplies the gradient by ρ, the spectral radius",
          np.allclose(factors, radii, rtol=0.01),
          "measured " + ", ".join(f"{f:.3f}" for f in factors) + f" for ρ = {radii}")
lab.claim(f"so over {STEPS} steps it vanishes for ρ < 1 and explodes for ρ > 1",
          curves[0.5][0] / curves[0.5][-1] < 1e-10 and curves[1.5][0] / curves[1.5][-1] > 1e6,
          f"ρ = 0.5: ×{curves[0.5][0] / curves[0.5][-1]:.1e}; ρ = 1.5: "
          f"×{curves[1.5][0] / curves[1.5][-1]:.1e}")

saturated, saturation = gradient_through_time(1.5, input_scale=3.0)
lab.claim("saturated tanh units shrink it further: with large inputs even ρ = 1.5 vanishes",
          saturated[0] / saturated[-1] < 1 and saturation > 0.1,
          f"×{saturated[0] / saturated[-1]:.1e} over {STEPS} steps with {saturation:.0%} of "
          "units above |h| = 0.9")

# %% [markdown]
# ## Why *especially* RNNs: one matrix repeated vs a different matrix per layer
#
# Take a matrix with singular values spread between 0.6 and 1.4. Multiplying a gradient by
# it again and again turns the gradient towards its largest direction, so it grows by the
# largest value, 1.4, per step. A feed-forward net with a different matrix per layer (same
# singular values, random directions) keeps mixing directions, and the gradient only changes
# by about the root-mean-square singular value per layer.

# %%
spectrum = np.linspace(0.6, 1.4, HIDDEN)


def random_symmetric(generator):
    U, _ = np.linalg.qr(generator.standard_normal((HIDDEN, HIDDEN)))
    return U @ np.diag(spectrum) @ U.T


mix_rng = np.random.default_rng(2)
shared = random_symmetric(mix_rng)
g_repeated = g_layers = mix_rng.standard_normal(HIDDEN)
start_norm = np.linalg.norm(g_repeated)
for _ in range(STEPS - 1):
    g_repeated = shared.T @ g_repeated
    g_layers = random_symmetric(mix_rng).T @ g_layers
rate_repeated = (np.linalg.norm(g_repeated) / start_norm) ** (1 / (STEPS - 1))
rate_layers = (np.linalg.norm(g_layers) / start_norm) ** (1 / (STEPS - 1))
rms = float(np.sqrt(np.mean(spectrum**2)))
lab.claim("one matrix repeated (an RNN) scales the gradient by its largest singular value per "
          "step; a different matrix per layer only by about the RMS one",
          rate_repeated > 1.3 and abs(rate_layers - rms) < 0.1,
          f"per-step factor {rate_repeated:.3f} repeated vs {rate_layers:.3f} per-layer "
          f"(largest 1.4, RMS {rms:.3f}); over {STEPS - 1} steps "
          f"×{np.linalg.norm(g_repeated) / start_norm:.1e} vs "
          f"×{np.linalg.norm(g_layers) / start_norm:.1e}")

# %%
figure = new_figure(10.5, 4)
left, right = figure.subplots(1, 2)
steps = np.arange(1, STEPS + 1)
for index, rho in enumerate(radii):
    left.semilogy(steps, curves[rho], color=f"C{index}", label=f"ρ = {rho}")
    left.semilogy(steps, curves[rho][-1] * rho ** (STEPS - steps), ":", color=f"C{index}")
left.set(xlabel="time step t", ylabel="‖∂L/∂h_t‖ (L reads h_T)",
         title="RNNCell, W_hh = ρ·Q (dotted: ρ^(T−t))")
left.legend(fontsize=8)
right.semilogy(steps, curves[1.5], label="ρ = 1.5, inputs ×1e-12 (tanh linear)")
right.semilogy(steps, saturated, label=f"ρ = 1.5, inputs ×3 ({saturation:.0%} saturated)")
right.set(xlabel="time step t", ylabel="‖∂L/∂h_t‖", title="Saturation shrinks it further")
right.legend(fontsize=8)
for ax in (left, right):
    ax.grid(alpha=0.3)
lab.save(figure, "11_rnn_gradients.png")

lab.answer(f"The same W_hh multiplies the gradient at every step, so it scales like ρ^T: "
           f"measured per-step factors {', '.join(f'{f:.2f}' for f in factors)} for ρ = "
           f"{', '.join(map(str, radii))}; over {STEPS} steps ρ=0.5 gave "
           f"×{curves[0.5][0] / curves[0.5][-1]:.0e} and ρ=1.5 "
           f"×{curves[1.5][0] / curves[1.5][-1]:.0e}"
           f"; a repeated matrix aligns the gradient with its largest direction "
           f"({rate_repeated:.2f}×/step vs {rate_layers:.2f}× with a new matrix per layer).")
lab.finish()
