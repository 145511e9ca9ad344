"""Findings and reports: validation, ranking, JSON, printing, and the words in both
languages."""

import json
import re
import string

import pytest

from glassnet.diagnose import CODES, Finding, Report, messages
from glassnet.diagnose.catalogue import FAMILY, TIER
from glassnet.errors import ConfigError
from glassnet.i18n import missing_translations


def test_finding_rejects_an_unknown_code_a_bad_severity_and_a_bad_language():
    with pytest.raises(ConfigError, match="catalogue"):
        Finding("not_a_code", "error", {})
    with pytest.raises(ConfigError, match="severity"):
        Finding("dead_relu", "fatal", {})
    with pytest.raises(ConfigError, match="language"):
        Finding("dead_relu", "error", {}, lang="de")


def test_every_code_has_its_four_texts_in_both_languages():
    assert missing_translations(messages.TABLE) == []
    for code in CODES:
        for part in ("message", "cause", "advice", "rule"):
            assert f"{code}.{part}" in messages.TABLE, f"{code}.{part}"


def test_english_and_persian_templates_use_the_same_fields():
    formatter = string.Formatter()
    for key, entry in messages.TABLE.items():
        fields = [{name for _, name, _, _ in formatter.parse(entry[lang]) if name}
                  for lang in ("en", "fa")]
        assert fields[0] == fields[1], key


def test_the_issue_catalogue_is_covered_and_every_code_has_a_family_and_tier():
    required = ["nonfinite_loss", "lr_too_high", "lr_too_low", "loss_increasing",
                "inputs_not_normalized", "symmetric_init", "activations_vanishing",
                "activations_saturated", "dead_relu", "vanishing_gradients",
                "exploding_gradients", "no_nonlinearity", "softmax_before_loss",
                "loss_output_mismatch", "output_range_mismatch", "stale_gradients",
                "eval_in_train_mode", "labels_not_learnable", "val_leakage", "over_regularized",
                "dropout_too_strong", "class_imbalance", "loss_not_mean",
                "gradient_check_failed", "batch_mixing", "initial_loss_off", "cannot_overfit",
                "overfitting", "underfitting", "unused_parameters", "oscillating_loss"]
    assert set(required) <= set(CODES)
    assert set(FAMILY) == set(TIER) == set(CODES)


def test_report_sorts_by_severity_then_causes_before_symptoms():
    report = Report([
        Finding("cannot_overfit", "warning", {}),
        Finding("nonfinite_loss", "error", {}),
        Finding("bias_before_batch_norm", "info", {}),
        Finding("lr_too_high", "error", {}),
        Finding("no_nonlinearity", "error", {}),
    ])
    assert report.codes() == ["no_nonlinearity", "lr_too_high", "nonfinite_loss",
                              "cannot_overfit", "bias_before_batch_norm"]
    assert report.codes("error") == ["no_nonlinearity", "lr_too_high", "nonfinite_loss"]
    assert report.has_errors
    assert not Report([Finding("cannot_overfit", "warning", {})]).has_errors


def test_confirmed_causes_rank_by_where_their_fix_ended():
    small = {"fix": "lr_up", "steps": 30, "before": 2.30, "after": 2.25, "helped": True}
    large = {"fix": "reinit", "steps": 30, "before": 2.30, "after": 0.9, "helped": True}
    report = Report([Finding("lr_too_low", "error", {}, confirmation=small),
                     Finding("dead_relu", "error", {}, confirmation=large)])
    assert report.codes() == ["dead_relu", "lr_too_low"]


def test_report_json_is_strict_json_with_every_field():
    finding = Finding("nonfinite_loss", "error",
                      {"step": 3, "layer": "2", "last_finite_loss": float("nan")})
    data = json.loads(json.dumps(Report([finding]).to_json(), allow_nan=False))
    (entry,) = data["findings"]
    assert set(entry) >= {"code", "severity", "message", "evidence", "cause", "advice", "rule"}
    assert entry["evidence"]["last_finite_loss"] == "nan"
    assert "step 3" in entry["message"]


def test_printed_report_shows_the_numbers_with_four_significant_digits():
    finding = Finding("initial_loss_off", "warning",
                      {"loss": 23.456789, "expected": 2.302585, "ratio": 10.18712})
    text = str(Report([finding]))
    assert "[warning] initial_loss_off" in text
    assert "23.46" in text and "2.303" in text and "10.19" in text
    assert "23.456789" not in text


def test_persian_report_uses_persian_words_and_keeps_numbers_and_codes():
    finding = Finding("dead_relu", "warning", {"step": 91, "layer": "2", "share": 0.81,
                                               "mean_share": 0.6, "layers": 2})
    text = str(Report([finding], lang="fa"))
    assert "هشدار" in text and "dead_relu" in text and "81%" in text
    assert re.search("[\u0600-\u06ff]", Finding("dead_relu", "warning", finding.evidence,
                                                lang="fa").advice)


def test_confirmation_text_says_whether_the_fix_helped():
    helped = Finding("lr_too_high", "error", {"reason": "diverged", "initial": 1.0,
                                              "peak": 9.0, "factor": 9.0},
                     confirmation={"fix": "lr_down", "steps": 30, "before": 9.0,
                                   "after": 0.5, "helped": True})
    assert "helps" in helped.confirmation_text and "÷ 10" in helped.confirmation_text
    assert "rose to 9, 9× its initial 1" in helped.message
    assert "0.5 instead of 9" in helped.confirmation_text
    not_helped = Finding("lr_too_high", "warning", helped.evidence,
                         confirmation={**helped.confirmation, "helped": False})
    assert "downgraded" in not_helped.confirmation_text
    assert "کمکی نمی‌کند" in not_helped.in_language("fa").confirmation_text


def test_every_counter_experiment_fix_has_words():
    from glassnet.diagnose.catalogue import FIXES
    from glassnet.diagnose.confirm import FIXES_FOR

    used = {fix for fixes in FIXES_FOR.values() for fix in fixes}
    assert used <= set(FIXES)
    assert all(f"fix.{fix}" in messages.TABLE for fix in FIXES)
