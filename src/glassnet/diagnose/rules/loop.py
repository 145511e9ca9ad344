"""Rules over what ``watch`` saw of a training loop the user wrote: gradients that were
never cleared between steps, and evaluation run with dropout or batch norm still in
training mode."""

from glassnet.diagnose.findings import Finding


def loop_findings(observed: dict) -> list:
    """Findings from ``watch``'s counts (keys: ``steps``, ``stale_steps``,
    ``first_stale_step``, ``eval_in_train_mode``, ``random_layers``)."""
    findings = []
    if observed.get("stale_steps", 0) > 0:
        findings.append(Finding("stale_gradients", "error", {
            "stale_steps": observed["stale_steps"], "steps": observed["steps"],
            "first_step": observed["first_stale_step"]}))
    if observed.get("eval_in_train_mode", 0) > 0:
        findings.append(Finding("eval_in_train_mode", "error", {
            "passes": observed["eval_in_train_mode"],
            "layers": ", ".join(observed.get("random_layers", []))}))
    return findings
