"""The best run of a comparison, looked at on the test set: where its mistakes are
(confusion matrix) and what they look like (misclassified examples).

The run with the highest test accuracy is rebuilt from its last checkpoint — the final
model, the one its test accuracy was measured on — and run over the test split of its
dataset, preprocessed as in training.
"""

from pathlib import Path

from glassnet.errors import GlassnetError
from glassnet.experiments.results import SUCCEEDED


def best_run(records, metric: str = "test_accuracy"):
    """The finished run with the highest ``metric``, or None."""
    candidates = [r for r in records
                  if r.status in SUCCEEDED and r.summary()[metric] is not None]
    return max(candidates, key=lambda r: r.summary()[metric], default=None)


def predict_test_set(record):
    """(raw test images, true labels, predicted labels) of ``record``'s final model.

    Raises:
        GlassnetError or OSError: the checkpoint or the dataset cannot be read.
    """
    from glassnet.data import load_dataset
    from glassnet.nn.loss import CrossEntropyLoss
    from glassnet.serialization import load
    from glassnet.train.run import preprocess
    from glassnet.train.trainer import Trainer

    model = load(Path(record.folder) / "last.safetensors")
    config = record.config
    images, labels = load_dataset(config["dataset"], split="test", root=config.get("data_dir"))
    scores = Trainer(model, CrossEntropyLoss(), optimizer=None).predict(
        preprocess(images, model.metadata["preprocessing"]))
    return images, labels, scores.argmax(axis=1)


def best_run_section(records, lang: str):
    """A report Section on the best run's test predictions (or saying why there is none)."""
    from glassnet.data.classes import class_names
    from glassnet.experiments.report import ReportFigure, Section, say
    from glassnet.plot.images import confusion_matrix_figure, misclassified_examples

    record = best_run(records)
    if record is None:
        return None
    title = say("best_run_heading", lang)
    try:
        images, true, predicted = predict_test_set(record)
    except (GlassnetError, OSError) as error:
        return Section(title, say("best_run_unavailable", lang, run=record.name,
                                  reason=str(error)))
    names = class_names(record.config["dataset"], int(max(true.max(), predicted.max())) + 1,
                        lang)
    wrong = int((true != predicted).sum())
    body = say("best_run_intro", lang, run=f"`{record.name}`", count=len(true), wrong=wrong,
               accuracy=f"{1 - wrong / max(len(true), 1):.4f}")
    figures = [
        ReportFigure("confusion", confusion_matrix_figure(true, predicted, class_names=names,
                                                          lang=lang),
                     say("figure_confusion", lang)),
        ReportFigure("misclassified", misclassified_examples(images, true, predicted,
                                                             class_names=names, lang=lang),
                     say("figure_misclassified", lang)),
    ]
    return Section(title, body, figures)
