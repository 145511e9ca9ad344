"""An exponential moving average of a model's weights, swapped in for evaluation."""

import contextlib

import numpy as np

from glassnet.errors import ConfigError, GraphError, StateDictError


class EMA:
    """Keep θ̄ ← β·θ̄ + (1 − β)·θ after every optimizer step, and evaluate with θ̄.

    The average smooths the noise of the last SGD steps and often evaluates better than
    the raw weights (Polyak averaging with exponential forgetting). The averaged copy
    starts equal to the weights at construction and has the parameters' dtype.

    Typical use::

        ema = EMA(model, decay=0.999)
        for batch in loader:
            ...; optimizer.step(); ema.update()
        with ema.averaged():          # the model now holds θ̄
            evaluate(model)
        # the trained weights θ are back

    Swapping exchanges the arrays by reference (no copy), so it is instant even for large
    models; ``update`` refuses to run while the average is swapped in.

    Args:
        model: a Module (its ``parameters()`` are averaged) or an iterable of Tensors.
        decay: β in [0, 1); the average spans roughly the last 1 / (1 − β) steps.

    Example:
        >>> import glassnet as gn
        >>> w = gn.tensor([0.0], requires_grad=True)
        >>> ema = EMA([w], decay=0.5)
        >>> w.data[:] = 4.0
        >>> ema.update()                 # 0.5·0 + 0.5·4
        >>> with ema.averaged():
        ...     w.data
        array([2.], dtype=float32)
        >>> w.data
        array([4.], dtype=float32)

    Reference: Polyak & Juditsky, "Acceleration of stochastic approximation by averaging"
    (1992).
    """

    def __init__(self, model, decay: float = 0.999):
        if isinstance(decay, bool) or not 0 <= decay < 1:
            raise ConfigError(f"EMA: expected decay in [0, 1), but got {decay!r}.")
        params = model.parameters() if hasattr(model, "parameters") else model
        self.params = list(params)
        if not self.params:
            raise ConfigError("EMA: expected at least one parameter to average, but got none.")
        self.decay = float(decay)
        self.shadow = [p.data.copy() for p in self.params]
        self.num_updates = 0
        self.swapped_in = False

    def update(self) -> None:
        """Move the average toward the current weights: θ̄ ← β·θ̄ + (1 − β)·θ."""
        if self.swapped_in:
            raise GraphError(
                "EMA.update: the averaged weights are swapped into the model; call "
                "swap_out() (or leave the averaged() block) before training on."
            )
        for average, param in zip(self.shadow, self.params):
            average *= self.decay
            average += (1 - self.decay) * param.data
        self.num_updates += 1

    def swap_in(self) -> None:
        """Put the averaged weights into the model (the trained ones are kept aside)."""
        if not self.swapped_in:
            self._swap()

    def swap_out(self) -> None:
        """Put the trained weights back."""
        if self.swapped_in:
            self._swap()

    @contextlib.contextmanager
    def averaged(self):
        """A ``with`` block in which the model holds the averaged weights."""
        self.swap_in()
        try:
            yield self
        finally:
            self.swap_out()

    def _swap(self) -> None:
        for i, param in enumerate(self.params):
            param.data, self.shadow[i] = self.shadow[i], param.data
        self.swapped_in = not self.swapped_in

    def state_dict(self) -> dict:
        """{"decay", "num_updates", "shadow": {index: ndarray}} — always the average θ̄."""
        average = self.shadow if not self.swapped_in else [p.data for p in self.params]
        return {
            "decay": self.decay,
            "num_updates": self.num_updates,
            "shadow": {i: a.copy() for i, a in enumerate(average)},
        }

    def load_state_dict(self, state: dict) -> None:
        shadow = {int(i): a for i, a in state["shadow"].items()}
        if sorted(shadow) != list(range(len(self.params))):
            raise StateDictError(
                f"EMA.load_state_dict: expected averages for {len(self.params)} parameters, "
                f"but got {len(shadow)}. Build the EMA over the same model."
            )
        self.swap_out()
        for i, param in enumerate(self.params):
            if np.shape(shadow[i]) != param.shape:
                raise StateDictError(
                    f"EMA.load_state_dict: average {i} has shape {np.shape(shadow[i])}, but "
                    f"the parameter has shape {param.shape}."
                )
            self.shadow[i] = np.array(shadow[i], dtype=param.dtype, copy=True)
        self.decay = float(state["decay"])
        self.num_updates = int(state["num_updates"])
