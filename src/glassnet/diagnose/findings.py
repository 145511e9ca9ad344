"""``Finding`` and ``Report``: what the doctor found, as data first and words second.

A rule returns ``Finding(code, severity, evidence)``: the code from the catalogue, how bad
it is, and the measured numbers it rests on (with the step and the layer). The sentences —
``message``, ``cause``, ``advice`` and the ``rule`` it applies — are looked up in
``messages.py`` by code and filled with the evidence, in English or Persian, so no rule
ever writes a sentence and every number in a sentence is a measured one.

A ``Report`` holds the findings, most severe first (ties broken by the catalogue's order:
causes before the symptoms they produce), the preflight's measurements and the telemetry.

Example:
    >>> finding = Finding("dropout_too_strong", "warning", {"layer": "2", "p": 0.9, "layers": 1})
    >>> report = Report([finding])
    >>> report.codes()
    ['dropout_too_strong']
    >>> report.has_errors
    False
    >>> "90%" in finding.message
    True
"""

import json
import math
from dataclasses import dataclass, field, replace

from glassnet.diagnose import messages
from glassnet.diagnose.catalogue import CODES, CONFIRMABLE_TIER, RANK, SEVERITIES, TIER
from glassnet.errors import ConfigError
from glassnet.i18n import check_language, text

_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}


@dataclass
class Finding:
    """One thing the doctor found.

    Attributes:
        code: a stable identifier from ``catalogue.CODES``.
        severity: "error" (the run is broken or the result is wrong), "warning" (likely a
            problem) or "info" (worth knowing).
        evidence: the measured numbers the finding rests on (plain JSON values), with the
            step and the layer where they apply.
        confirmation: the counter-experiment, when one was run: the fix applied, the loss
            with and without it after the same number of steps, and whether it helped.
        lang: the language of ``message``, ``cause``, ``advice`` and ``rule``.
    """

    code: str
    severity: str
    evidence: dict = field(default_factory=dict)
    confirmation: dict | None = None
    lang: str = "en"

    def __post_init__(self):
        if self.code not in RANK:
            raise ConfigError(
                f"Finding: expected a code from the catalogue, but got {self.code!r}. Known "
                f"codes: {', '.join(CODES)}."
            )
        if self.severity not in _SEVERITY_RANK:
            raise ConfigError(
                f"Finding: expected severity in {list(SEVERITIES)}, but got {self.severity!r}."
            )
        check_language(self.lang)

    @property
    def message(self) -> str:
        """What was found, with the numbers."""
        return self._words("message")

    @property
    def cause(self) -> str:
        """Why it happens."""
        return self._words("cause")

    @property
    def advice(self) -> str:
        """What to try first."""
        return self._words("advice")

    @property
    def rule(self) -> str:
        """The formula or lecture rule the finding applies."""
        return self._words("rule")

    @property
    def confirmation_text(self) -> str:
        """The counter-experiment in a sentence ("" when none was run)."""
        if self.confirmation is None:
            return ""
        c = self.confirmation
        key = "confirm.helped" if c["helped"] else "confirm.not_helped"
        fix = text(messages.TABLE, f"fix.{c['fix']}", self.lang)
        before, after = _number(c["before"]), _number(c["after"])
        if "accuracy_after" in c:
            before = text(messages.TABLE, "confirm.with_accuracy", self.lang, loss=before,
                          accuracy=_number(c["accuracy_before"]))
            after = text(messages.TABLE, "confirm.with_accuracy", self.lang, loss=after,
                         accuracy=_number(c["accuracy_after"]))
        return text(messages.TABLE, key, self.lang, fix=fix, steps=c["steps"],
                    before=before, after=after)

    def in_language(self, lang: str) -> "Finding":
        return replace(self, lang=check_language(lang))

    def to_json(self) -> dict:
        record = {"code": self.code, "severity": self.severity, "message": self.message,
                  "evidence": _json_safe(self.evidence), "cause": self.cause,
                  "advice": self.advice, "rule": self.rule}
        if self.confirmation is not None:
            record["confirmation"] = {**_json_safe(self.confirmation),
                                      "text": self.confirmation_text}
        return record

    def _words(self, part: str) -> str:
        values = {key: _number(value) for key, value in self.evidence.items()}
        for key in messages.PHRASE_KEYS:
            if key in values:  # an identifier standing for a phrase of its own
                values[key] = text(messages.TABLE, f"{key}.{values[key]}", self.lang, **values)
        return text(messages.TABLE, f"{self.code}.{part}", self.lang, **values)

    def sort_key(self) -> tuple:
        """Severity, then the catalogue's tier, then (among hyperparameters and dynamics)
        the confirmed causes first, the one whose fix ended at the lowest loss on top, then
        the catalogue's order. The fixes of one report ran from the same start on the same
        batches and were measured on the same probe set, so their outcomes compare."""
        tier = TIER[self.code]
        outcome = (1, 0.0)
        c = self.confirmation
        if tier == CONFIRMABLE_TIER and c and c["helped"]:
            # The loss, not the accuracy: a fix that leaves the loss at 1e5 (a deep ReLU
            # net with huge weights and a learning rate ÷ 1000 still classifies) has not
            # repaired the run the way one that brings it to 2.3 has.
            outcome = (0, c["after"])
        return (_SEVERITY_RANK[self.severity], tier, *outcome, RANK[self.code])


class Report:
    """The doctor's findings, most severe first, with what was measured on the way.

    Args:
        findings: the findings (any order; they are sorted).
        preflight: the preflight's measurements (a dict of plain values), if one ran.
        summary: how the run went (steps, seconds, losses), if one ran.
        lang: "en" or "fa".

    Attributes:
        findings: sorted by severity, then by the catalogue's order (causes first).
    """

    def __init__(self, findings=(), *, preflight: dict | None = None,
                 summary: dict | None = None, lang: str = "en"):
        self.lang = check_language(lang)
        self.findings = sorted((f.in_language(lang) for f in findings), key=Finding.sort_key)
        self.preflight = preflight or {}
        self.summary = summary or {}

    def codes(self, severity: str | None = None) -> list[str]:
        """The findings' codes in rank order (only those of ``severity`` when given)."""
        return [f.code for f in self.findings if severity in (None, f.severity)]

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)

    def in_language(self, lang: str) -> "Report":
        return Report(self.findings, preflight=self.preflight, summary=self.summary,
                      lang=lang)

    def to_json(self) -> dict:
        return {"lang": self.lang, "findings": [f.to_json() for f in self.findings],
                "preflight": _json_safe(self.preflight), "summary": _json_safe(self.summary)}

    def dumps(self) -> str:
        """``to_json()`` as indented JSON text (non-ASCII letters kept as they are)."""
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False)

    def __str__(self) -> str:
        words = messages.TABLE
        counts = {s: sum(f.severity == s for f in self.findings) for s in SEVERITIES}
        lines = [text(words, "report.title", self.lang, **counts)]
        if not self.findings:
            lines.append(text(words, "report.healthy", self.lang))
        for finding in self.findings:
            label = text(words, f"severity.{finding.severity}", self.lang)
            lines.append(f"[{label}] {finding.code}: {finding.message}")
            lines.append(f"    {text(words, 'report.evidence', self.lang)}: "
                         + _format_evidence(finding.evidence))
            if finding.confirmation is not None:
                lines.append(f"    {finding.confirmation_text}")
            lines.append(f"    {text(words, 'report.cause', self.lang)}: {finding.cause}")
            lines.append(f"    {text(words, 'report.advice', self.lang)}: {finding.advice}")
            lines.append(f"    {text(words, 'report.rule', self.lang)}: {finding.rule}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Report({self.codes()})"


class _Number(float):
    """A float that prints with 4 significant digits in a sentence ("{x}") and obeys an
    explicit format ("{x:.0%}") as usual."""

    def __format__(self, spec: str) -> str:
        return float.__format__(self, spec or ".4g")


def _number(value):
    """Floats print with 4 significant digits in sentences; everything else as it is."""
    if isinstance(value, float):
        return _Number(value)
    return value


def _format_evidence(evidence: dict) -> str:
    parts = []
    for key, value in evidence.items():
        if isinstance(value, float):
            value = f"{value:.4g}"
        elif isinstance(value, list) and value and isinstance(value[0], float):
            value = "[" + ", ".join(f"{v:.3g}" for v in value) + "]"
        parts.append(f"{key}={value}")
    return ", ".join(parts)


def _json_safe(value):
    """NaN and ±Inf become the strings "nan"/"inf"/"-inf" (strict JSON has no such numbers);
    NumPy scalars become Python numbers."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value
