"""``TrainState``: what the training loop knows, handed to every callback."""

import math
from dataclasses import dataclass, field
from typing import Any


@dataclass
class TrainState:
    """The progress of one ``Trainer.fit`` call.

    Callbacks read it and may set ``should_stop`` (with a ``stop_reason``) to end the run
    after the current batch.

    Attributes:
        trainer: the Trainer running the loop (its model, optimizer and loader).
        epochs: the number of epochs asked for.
        epoch: epochs completed so far.
        step: optimizer steps taken so far (over all epochs).
        batch: batches done in the current epoch.
        batch_loss: the loss of the last batch.
        initial_loss: the loss of the very first batch of the run (divergence reference).
        metrics: the last finished epoch's record: mean training loss, running training
            accuracy, validation loss and accuracy, the learning rate at the epoch's end,
            and its duration in seconds.
        history: one such record per finished epoch.
    """

    trainer: Any
    epochs: int
    epoch: int = 0
    step: int = 0
    batch: int = 0
    batch_loss: float = math.nan
    initial_loss: float | None = None
    metrics: dict = field(default_factory=dict)
    history: list = field(default_factory=list)
    should_stop: bool = False
    stop_reason: str = ""
    failed: bool = False
    signal: int | None = None  # the signal that interrupted the run, if one did

    def stop(self, reason: str, *, failed: bool = False) -> None:
        """Ask the loop to stop after the current batch, saying why."""
        self.should_stop = True
        self.stop_reason = reason
        self.failed = self.failed or failed
