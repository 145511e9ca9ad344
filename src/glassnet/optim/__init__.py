"""Optimizers, learning-rate schedules, gradient clipping and weight averaging.

Optimizers keep PyTorch's names and arguments and update ``param.data`` in place; a
learning rate is a number or a schedule (a function of the step) from
``glassnet.optim.schedule``. See ``optimizer.py`` for the shared loop and the
``state_dict`` layout.

Conventions where libraries differ (each chosen to match PyTorch, so that runs, numbers
and checkpoints compare one to one with the library most users know; the course's forms
are stated in the docstrings and tested to be equivalent where they are):

- Momentum: PyTorch's ``b ← μb + g; θ ← θ − lr·b`` rather than the course's
  ``v ← μv − lr·g; θ ← θ + v``. Identical at a constant lr (b = −v/lr); with a schedule,
  PyTorch's form applies the new lr to the whole velocity. Nesterov: PyTorch's
  ``θ ← θ − lr(g + μb)``, which is the course's rewritten form at a constant lr.
- ε: added outside the square root, after Adam's bias correction (PyTorch, Kingma & Ba).
- Weight decay: ``weight_decay`` on SGD, Adagrad, RMSprop and Adam is an L2 term λθ added
  to the gradient; AdamW decouples it as ``θ ← θ(1 − lr·λ)``, scaled by the lr.
- Adam's step count is per parameter (a parameter without a gradient does not advance
  its bias correction), as in PyTorch; schedules use the optimizer's global step.
"""

from glassnet.optim import schedule
from glassnet.optim.adagrad import Adagrad
from glassnet.optim.adam import Adam, AdamW
from glassnet.optim.clip import clip_grad_norm, clip_grad_value
from glassnet.optim.ema import EMA
from glassnet.optim.lbfgs import LBFGS
from glassnet.optim.newton import Newton
from glassnet.optim.optimizer import Optimizer, ParamGroup
from glassnet.optim.rmsprop import RMSprop
from glassnet.optim.sgd import SGD

__all__ = [
    "EMA",
    "LBFGS",
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "Newton",
    "Optimizer",
    "ParamGroup",
    "RMSprop",
    "clip_grad_norm",
    "clip_grad_value",
    "schedule",
]
