"""Scoring the whole pipeline (stage-1 type, ranked location, grounded explanation) on JSONL rows of logs, with or
without reference explanations: evaluate.py's end-to-end figures."""

from __future__ import annotations

from collections import Counter
from typing import Any

from utils.parsing.log_sources import LogDocument
from utils.pipeline.analyze import AnalyzedTrace, Analyzer
from utils.stage2.explanations import select_trace
from utils.stage2.guidance import frame_location, parse_guidance


def labelled_trace(results: list[AnalyzedTrace], root_exception: str | None) -> AnalyzedTrace | None:
    """The trace a labelled row is about, by the one rule stage-2 training uses
    (`utils.stage2.explanations.select_trace`); None for a row without any trace."""
    if not results:
        return None
    chosen = select_trace([item.trace for item in results], root_exception)
    return next(item for item in results if item.trace is chosen)


def score_explanations(rows: list[dict[str, Any]], analyzer: Analyzer, text_field: str = "log",
                       label_field: str = "label", guidance_field: str = "guidance",
                       max_examples: int = 10) -> dict[str, Any]:
    """The full pipeline (stage-1 type, ranked location, grounded explanation) on JSONL rows of logs, with or
    without references: every explained row is checked with the grounding rule (`ungrounded_cause` /
    `ungrounded_fix`: the share of explained rows whose field names what the log does not show, with up to
    `max_examples` examples each); ROUGE-L and exact matches are scored on the rows that have a reference
    (`guidance_field`), the type on rows that have a label.

    `end_to_end_exact` counts rows where stage 1's type is right AND cause, location and fix are exactly right;
    `end_to_end_rouge` rows where the type is right and the explanation's ROUGE-L reaches 0.6.
    """
    # Each reference was written in its row's language: that is the language the user asks for.
    documents = [LogDocument(id=str(row.get("id", index)), source=f"row {index + 1}", text=row[text_field],
                             language=(row.get("meta") or {}).get("language") or row.get("language"))
                 for index, row in enumerate(rows)]
    results = analyzer.analyze(documents)
    by_document: dict[str, list[AnalyzedTrace]] = {}
    for item in results:
        by_document.setdefault(item.document.source, []).append(item)
    chosen = [labelled_trace(by_document.get(document.source, []),
                             (row.get("meta") or {}).get("root_exception") or row.get("root_exception"))
              for document, row in zip(documents, rows)]
    scored = [(item, row) for item, row in zip(chosen, rows) if item is not None and item.explanation]
    metrics: dict[str, Any] = {"explained": len(scored), "rows_without_trace": sum(item is None for item in chosen)}
    metrics.update(_grounding_report(scored, text_field, max_examples))
    sources = Counter(item.explanation_source for item, _ in scored)
    metrics["explanation_sources"] = {source: count / max(len(scored), 1) for source, count in sorted(sources.items())}
    metrics["known_scenario_share"] = sources.get("known scenario", 0) / max(len(scored), 1)
    metrics["similar_case_share"] = sum(item.similar_case is not None for item, _ in scored) / max(len(scored), 1)
    metrics["model_texts_rejected"] = sum(bool(item.explanation_rejected) for item, _ in scored)
    labelled = [(item, row) for item, row in scored if row.get(label_field)]
    if labelled:
        metrics["stage1_type_accuracy"] = sum(item.label == analyzer.label_set.to_label(row[label_field])
                                              for item, row in labelled) / len(labelled)
    referenced = [(item, row) for item, row in scored if row.get(guidance_field)]
    metrics["rows_with_reference"] = len(referenced)
    if referenced:
        from utils.evaluation.generation_metrics import evaluate_explanations

        metrics.update(evaluate_explanations(
            [item.explanation or "" for item, _ in referenced], [row[guidance_field] for _, row in referenced],
            raw_predictions=[item.explanation_raw or "" for item, _ in referenced],
            types=[item.label or "" for item, _ in referenced],
            locations=[frame_location(item.location) for item, _ in referenced],
            type_correct=[item.label == analyzer.label_set.to_label(row.get(label_field)) for item, row in referenced]
            if all(row.get(label_field) for _, row in referenced) else None,
        ))
    return metrics


def _grounding_report(scored: list[tuple[AnalyzedTrace, dict[str, Any]]], text_field: str,
                      max_examples: int) -> dict[str, Any]:
    """Ungrounded rate of the shown cause and fix (utils/grounding.py; a fix may name the general API names) and
    examples of each, judged against the row's whole log (`ungrounded_cause` / `ungrounded_fix`) and, as the
    pipeline chooses what to show, against the trace's own lines and record (`ungrounded_in_trace_cause` /
    `ungrounded_in_trace_fix`), with the facts the pipeline derived from it. A known scenario's text was written for
    another failure and is judged in the strict form, as when it was chosen."""
    from utils.stage2.explanations import load_type_explanations, trace_grounding

    templates = load_type_explanations()
    scopes = ("", "in_trace_")  # against the row's whole log; against the trace's own lines and record
    counts = {scope: {"cause": 0, "fix": 0} for scope in scopes}
    examples: dict[str, dict[str, list[dict[str, Any]]]] = {scope: {"cause": [], "fix": []} for scope in scopes}
    for item, row in scored:
        fields = parse_guidance(item.explanation or "")
        strict = item.known_scenario.names if item.explanation_source == "known scenario" else None
        for scope, evidence in zip(scopes, (row[text_field], None)):
            grounding = trace_grounding(item.trace, item.label, item.location, templates, evidence)
            for name in ("cause", "fix"):
                missing = grounding.ungrounded(fields.get(name, ""), allow_api=name == "fix", strict_names=strict)
                if not missing:
                    continue
                counts[scope][name] += 1
                if len(examples[scope][name]) < max_examples:
                    root = item.trace.root_cause
                    examples[scope][name].append({
                        "id": row.get("id"), "source": item.explanation_source, name: fields.get(name),
                        "ungrounded": missing,
                        "root_cause": f"{root.class_name}: {root.message or ''}"[:200] if root else None})
    total = max(len(scored), 1)
    return {**{f"ungrounded_{scope}{name}": count / total for scope in scopes for name, count in counts[scope].items()},
            **{f"ungrounded_{scope}examples": examples[scope] for scope in scopes}}
