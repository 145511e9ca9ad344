"""``CurvesFigure``: every run folder gets curves.png, drawn when the run ends — finished,
stopped early, diverged or interrupted — from the run's own metrics.jsonl (so a resumed run
shows its whole history).
"""

import warnings
from pathlib import Path

from glassnet.train.history import read_jsonl

FILE_NAME = "curves.png"


class CurvesFigure:
    """Draw ``folder``/curves.png from ``folder``/metrics.jsonl at the end of training.

    Place it after ``History`` (which writes the records) and ``Checkpoint`` (so a drawing
    problem can never cost a checkpoint); a drawing error becomes a warning, not a lost run.
    """

    def __init__(self, folder):
        self.folder = Path(folder)

    def on_train_end(self, state) -> None:
        from glassnet.plot.curves import RunCurves, training_curves

        records_path = self.folder / "metrics.jsonl"
        try:
            records = read_jsonl(records_path) if records_path.exists() else []
            curves = RunCurves(
                self.folder.name,
                epochs=[r for r in records if r.get("kind") == "epoch"],
                steps=[r for r in records if r.get("kind") == "step"],
                steps_per_epoch=len(state.trainer.loader),
                diverged=state.failed,
            )
            if curves.steps or curves.epochs:
                training_curves([curves], title=self.folder.name,
                                path=self.folder / FILE_NAME)
        except Exception as error:  # a figure must never cost the run
            warnings.warn(f"{self.folder / FILE_NAME}: could not draw the curves: {error}",
                          stacklevel=2)
