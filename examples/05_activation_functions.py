# %% [markdown]
# # 5. Plot sigmoid, tanh, ReLU and leaky ReLU, and their derivatives
#
# The question asks for the curves; the interesting part is what the derivatives say about
# training, because backpropagation multiplies by them at every layer. Every derivative
# below comes from glassnet's own `backward()` (not a formula typed in), and is checked
# against a centered finite difference, so the figure shows what training really uses.

# %%
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _lab import Lab

from glassnet.plot.activations import activation_and_derivative, activation_grid

lab = Lab("5. Plot sigmoid, tanh, ReLU and leaky ReLU, and their derivatives.")
NAMES = ["sigmoid", "tanh", "relu", "leaky_relu"]
x = np.linspace(-6, 6, 241 if lab.quick else 2401)  # steps of 0.05 (0.005): x = 0 is a point
curves = {name: activation_and_derivative(name, x) for name in NAMES}

# %% [markdown]
# ## The figure: each function (solid) and its derivative from backward (dashed)

# %%
activation_grid(NAMES, x=x, columns=4, path=lab.figure_path("05_activation_functions.png"))
print(f"figure: {lab.figure_path('05_activation_functions.png')}")

# %% [markdown]
# ## The numbers behind the curves

# %%
for name in NAMES:
    _, slope = curves[name]
    print(f"{name:>10}: f'(x) from {slope.min():.4f} to {slope.max():.4f}, "
          f"largest at x = {x[slope.argmax()]:+.2f}")

# Backward agrees with a centered difference (f(x+h) − f(x−h)) / 2h away from the kink at 0.
h, away = 1e-6, np.abs(x) > 1e-3
worst = 0.0
for name in NAMES:
    numeric = (activation_and_derivative(name, x + h)[0]
               - activation_and_derivative(name, x - h)[0]) / (2 * h)
    worst = max(worst, float(np.abs(numeric - curves[name][1])[away].max()))
print(f"largest |backward − finite difference| over all four: {worst:.1e}")

sigmoid_slope, tanh_slope = curves["sigmoid"][1], curves["tanh"][1]
relu_slope, leaky_slope = curves["relu"][1], curves["leaky_relu"][1]
saturated = np.abs(x[sigmoid_slope < 0.01]).min()
sigmoid_values = curves["sigmoid"][0]
_, sigmoid_at_2x = activation_and_derivative("sigmoid", 2 * x)

# %% [markdown]
# ## Claims, checked against the numbers

# %%
lab.claim("the plotted derivatives are the true ones: backward matches finite differences",
          worst < 1e-6, f"largest difference {worst:.1e}")
lab.claim("sigmoid's derivative peaks at 0.25, at x = 0: each sigmoid layer shrinks the "
          "gradient by at least 4x",
          x[sigmoid_slope.argmax()] == 0 and abs(sigmoid_slope.max() - 0.25) < 1e-12,
          f"max {sigmoid_slope.max():.6f} at x = {x[sigmoid_slope.argmax()]:+.2f}")
lab.claim("sigmoid saturates: its derivative is below 0.01 once |x| > 4.6",
          4.5 < saturated < 4.7, f"first |x| with f'(x) < 0.01: {saturated:.2f}")
lab.claim("sigmoid's outputs are not zero-centred (all positive); tanh's are",
          sigmoid_values.min() > 0 and abs(curves["tanh"][0].mean()) < 1e-9,
          f"sigmoid ∈ ({sigmoid_values.min():.4f}, {sigmoid_values.max():.4f}), "
          f"mean of tanh over the symmetric range {curves['tanh'][0].mean():.1e}")
lab.claim("tanh is a rescaled sigmoid, so its derivative is 4·σ'(2x): peak 1 at x = 0",
          np.allclose(tanh_slope, 4 * sigmoid_at_2x, atol=1e-12) and tanh_slope.max() == 1.0,
          f"max |tanh' − 4σ'(2x)| = {np.abs(tanh_slope - 4 * sigmoid_at_2x).max():.1e}")
lab.claim("ReLU's derivative is exactly 1 for x > 0 (no saturation) and exactly 0 for x ≤ 0 "
          "(glassnet's convention at 0): a unit whose inputs stay negative gets no gradient",
          set(relu_slope[x > 0]) == {1.0} and set(relu_slope[x <= 0]) == {0.0},
          f"values for x > 0: {sorted(set(relu_slope[x > 0].tolist()))}, for x ≤ 0: "
          f"{sorted(set(relu_slope[x <= 0].tolist()))}")
lab.claim("leaky ReLU keeps a small slope (0.01) for x < 0, so no unit is ever cut off",
          np.allclose(leaky_slope[x < 0], 0.01) and leaky_slope[x < 0].min() > 0,
          f"slope for x < 0: {sorted(set(np.round(leaky_slope[x < 0], 12).tolist()))}")
lab.answer(f"sigmoid's slope peaks at {sigmoid_slope.max():.2f} and falls below 0.01 past "
           f"|x| = {saturated:.1f}; tanh's peaks at {tanh_slope.max():.0f} and is zero-centred; "
           "ReLU's is exactly 1 for x > 0 and 0 for x ≤ 0; leaky ReLU keeps 0.01 for x < 0.")
lab.finish()
