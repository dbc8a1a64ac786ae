"""Rows from templates: class balance, code base / context / JDK / language draws, rendering, guidance, meta, and
template-level train/validation/test splits.

Every row has its own `random.Random(seed, index)`, so a corpus is a pure function of (config, size, seed,
language) and any row can be regenerated alone.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from utils.atomic import write_json_atomic, write_jsonl_atomic
from utils.corpus.builder import Ctx
from utils.corpus.codebase import OSS_FAMILY_NAMES, Codebase
from utils.corpus.contexts import CONTEXTS, TestHarness
from utils.corpus.jdk import JDK_VERSIONS, Jdk, as_jdk6
from utils.corpus.launchers import TEST_LAUNCHERS, TEST_RUNNERS
from utils.corpus.model import TEMPLATES, Incident, Template
from utils.corpus.render import LOG_STYLES, PREFIXED_STYLES, LogLine, RenderPlan, render_document
from utils.corpus.tables import tables
from utils.labels import LabelSet, load_label_set
from utils.stage2.guidance import format_guidance, format_location
from utils.yaml_files import ConfigFileError, read_yaml

DEFAULT_CONFIG_PATH = Path(__file__).resolve().parents[2] / "configs" / "corpus.yaml"
SPLITS = ("train", "validation", "test")
LANGUAGES = ("en", "ko", "mixed")
CODEBASES = ("bank", "oss")


@dataclass
class GeneratorConfig:
    """The generator's tables (configs/corpus.yaml): what to draw and how often."""

    class_weights: dict[str, float] = field(default_factory=dict)
    default_class_weight: float = 3.0
    codebase_weights: dict[str, float] = field(default_factory=lambda: {"bank": 0.5, "oss": 0.5})
    context_weights: dict[str, dict[str, float]] = field(default_factory=dict)
    jdk_weights: dict[int, float] = field(default_factory=dict)  # required: the config file holds the one table
    style_weights: dict[str, dict[str, float]] = field(default_factory=dict)
    variants: dict[str, float] = field(default_factory=dict)
    ko_fraction: float = 0.3
    split_fractions: dict[str, float] = field(default_factory=lambda: {"validation": 0.15, "test": 0.15})
    split_seed: int = 1234
    # Beyond the bank domain (configs/corpus_wide.yaml). Empty: the draws configs/corpus.yaml has always made.
    jdk_weights_by_codebase: dict[str, dict[int, float]] = field(default_factory=dict)  # replaces jdk_weights
    oss_family_weights: dict[str, float] = field(default_factory=dict)  # codebase.OSS_FAMILIES and "generic"
    test_runner_weights: dict[str, float] = field(default_factory=dict)  # launchers.TEST_RUNNERS
    test_launcher_weights: dict[str, float] = field(default_factory=dict)  # launchers.TEST_LAUNCHERS

    @classmethod
    def from_yaml(cls, path: str | Path = DEFAULT_CONFIG_PATH) -> GeneratorConfig:
        raw = read_yaml(path) or {}
        if not isinstance(raw, dict):
            raise ConfigFileError(f"{path}: not a generator config (a mapping of option: value)")
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ValueError(f"{path}: unknown key(s) {', '.join(unknown)}")
        config = cls(**raw)
        config.jdk_weights = {int(k): float(v) for k, v in config.jdk_weights.items()}
        config.jdk_weights_by_codebase = {
            kind: {int(k): float(v) for k, v in weights.items()}
            for kind, weights in config.jdk_weights_by_codebase.items()
        }
        config.validate(str(path))
        return config

    def validate(self, source: str = "config") -> None:
        if not self.jdk_weights:
            raise ValueError(f"{source}: jdk_weights is missing: give the JDK versions to draw and their weights")
        by_codebase = {f"jdk_weights_by_codebase.{kind}": table for kind, table in self.jdk_weights_by_codebase.items()}
        for name, table in {"jdk_weights": self.jdk_weights, **by_codebase}.items():
            unsupported = sorted(set(table) - set(JDK_VERSIONS))
            if unsupported:
                raise ValueError(f"{source}: {name}: unsupported JDK {unsupported[0]}; choose from {JDK_VERSIONS}")
        settings = [  # (setting, the keys it gives, the keys it may give)
            ("jdk_weights_by_codebase", self.jdk_weights_by_codebase, CODEBASES),
            ("oss_family_weights", self.oss_family_weights, OSS_FAMILY_NAMES),
            ("test_runner_weights", self.test_runner_weights, TEST_RUNNERS),
            ("test_launcher_weights", self.test_launcher_weights, TEST_LAUNCHERS),
            ("context_weights", self.context_weights, CODEBASES),
            *((f"context_weights.{kind}", weights, CONTEXTS) for kind, weights in self.context_weights.items()),
            ("style_weights", self.style_weights, CONTEXTS),
            *((f"style_weights.{context}", weights, LOG_STYLES) for context, weights in self.style_weights.items()),
        ]
        for name, given, known in settings:
            unknown = sorted(set(given) - set(known))
            if unknown:
                raise ValueError(f"{source}: {name}: unknown key(s) {unknown}; choose from {known}")
        if not 0.0 <= self.ko_fraction <= 1.0:
            raise ValueError(f"{source}: ko_fraction must lie in [0, 1]")


def _weighted(rng: random.Random, weights: dict[Any, float]) -> Any:
    keys = [key for key, weight in weights.items() if weight > 0]
    return rng.choices(keys, [weights[key] for key in keys])[0]


def templates_by_label(label_set: LabelSet) -> dict[str, list[Template]]:
    """Registered templates grouped by label; every label of the set must have some."""
    _load_families()
    grouped: dict[str, list[Template]] = defaultdict(list)
    for tpl in TEMPLATES.values():
        if tpl.label not in label_set:
            raise ValueError(f"template {tpl.name}: label {tpl.label!r} is not in the label set")
        grouped[tpl.label].append(tpl)
    missing = [name for name in label_set.names if name not in grouped]
    if missing:
        raise ValueError(f"no template for label(s): {', '.join(missing)}")
    return {label: sorted(grouped[label], key=lambda t: t.name) for label in label_set.names}


def _load_families() -> None:
    from utils.corpus import families  # noqa: F401  (importing registers every template)


def assign_splits(grouped: dict[str, list[Template]], fractions: dict[str, float], seed: int) -> dict[str, str]:
    """Template name -> split. Per label, whole templates go to validation/test (at least one each when the label
    has three or more templates); the rest train."""
    split_of: dict[str, str] = {}
    for label, templates in grouped.items():
        names = [t.name for t in templates]
        random.Random(f"split:{seed}:{label}").shuffle(names)
        held: dict[str, int] = {"validation": 0, "test": 0}
        if len(names) >= 3:
            for split in held:
                held[split] = max(1, round(len(names) * fractions.get(split, 0.15)))
            while held["validation"] + held["test"] > len(names) - 1:
                held["validation" if held["validation"] >= held["test"] else "test"] -= 1
        for name in names[: held["test"]]:
            split_of[name] = "test"
        for name in names[held["test"] : held["test"] + held["validation"]]:
            split_of[name] = "validation"
        for name in names[held["test"] + held["validation"] :]:
            split_of[name] = "train"
    return split_of


# ------------------------------------------------------------------------------------------------- log wording
# The wordings are data: utils/corpus/templates/generate.yaml.


def _fill(pattern: str, ctx: Ctx) -> str:
    code = ctx.code
    stem = code.stem[:1].lower() + code.stem[1:]
    return pattern.format(
        Stem=code.stem,
        stem=stem,
        verb=ctx.verb(),
        tx=ctx.tx_id(),
        module=code.module,
        ko=code.module_ko,
        n=ctx.randint(2, 5000),
        host=ctx.host(),
        project=code.project,
    )


def _app_message(ctx: Ctx) -> str:
    wording = ("ko" if ctx.lang == "ko" else "en") if ctx.bank else "oss"
    return _fill(ctx.pick(ctx.values(f"generate.app_messages.{wording}")), ctx)


def _info_lines(ctx: Ctx, counts: str, thread: str) -> list[LogLine]:
    """Records around the error one, as many as drawn from `generate.info_counts.<counts>`."""
    lines = []
    for _ in range(ctx.pick(ctx.values(f"generate.info_counts.{counts}"))):
        if ctx.bank:
            wording = "ko" if ctx.lang == "ko" and ctx.chance(0.7) else "en"
            pattern = ctx.pick(ctx.values(f"generate.info.{wording}"))
            service, controller = ctx.code.cls("service").fqcn, ctx.code.cls("controller").fqcn
            logger = ctx.pick((service, controller, *ctx.values("generate.info_loggers")))
        else:
            pattern = ctx.pick(ctx.values("generate.info.oss"))
            logger = ctx.code.other_cls().fqcn
        level = ctx.pick(ctx.values("generate.info_levels"))
        lines.append(LogLine(level, logger, _fill(pattern, ctx), thread))
    return lines


def _plan(incident: Incident, ctx: Ctx, config: GeneratorConfig, label: str, label_set: LabelSet) -> RenderPlan:
    rng = ctx.rng
    styles = dict(config.style_weights.get(incident.context) or {"raw": 1.0})
    wrappers = ctx.values("generate.servlet_wrappers")
    outer = next((t for t in incident.chain if not t.cls.endswith(wrappers)), incident.root)
    root_cause_form = label_set.to_label(outer.cls) == label  # "threw exception [outer] with root cause" may say it
    if not root_cause_form:
        styles.pop("tomcat_root", None)  # its first line names `outer`, which must not name another label
    style = _weighted(rng, styles) if styles else "raw"
    entry = ctx.entry()
    surefire = entry.launcher in ctx.values("generate.surefire_launchers")
    if style == "surefire" and not surefire:
        style = "raw"
    prefixed = style in PREFIXED_STYLES
    variants = config.variants
    variant = "full"
    roll = rng.random()
    # Kafka's layout ends the line with " (logger)": a message-less exception name there reads as no exception.
    readable = style != "kafka_server" or incident.root.message is not None
    if prefixed and readable and roll < variants.get("message_only", 0.0):
        variant = "message_only"
    elif roll < variants.get("message_only", 0.0) + variants.get("truncated", 0.0):
        variant = "truncated"
    framework_records = tables().maps["generate.framework_records"]
    if prefixed and ctx.chance(0.5) and incident.context in framework_records:
        logger, message = framework_records[incident.context]
        message = _fill(message, ctx)
    else:
        logger, message = incident.logger or entry.app_frames[0].cls, incident.log_message or _app_message(ctx)
    level = "WARN" if ctx.chance(0.12) else "ERROR"
    plan = RenderPlan(
        style=style,
        variant=variant,
        record=LogLine(level, logger, message, entry.thread),
        trim_at_test=incident.context == "test" and style in ("raw", "surefire") and surefire and ctx.chance(0.55),
        surefire_null_message=ctx.chance(0.5),
        test_frame=entry.app_frames[0] if incident.context == "test" else None,
        jar_suffix=style in ("log4j2", "elasticsearch") and ctx.chance(0.4),
        root_first=style in ("logback", "boot")
        and len(incident.chain) > 1
        and ctx.chance(variants.get("root_first", 0)),
        failure_kind="FAILURE" if label == "AssertionError" else "ERROR",
        outer_for_root_cause=(
            outer
            if style == "tomcat_root"
            or (style == "catalina" and incident.context == "web" and root_cause_form and ctx.chance(0.6))
            else None
        ),
        jdk=ctx.jdk.version,
        pid=ctx.randint(1200, 65000),
        boot3=entry.jakarta or (ctx.jdk.version >= 17 and ctx.chance(0.5)),
    )
    version = f"{ctx.randint(1, 4)}.{ctx.randint(0, 9)}.{ctx.randint(0, 20)}"
    plan.app_jar = ctx.pick(("classes/", f"{ctx.code.project}-{ctx.code.module}-{version}.jar"))
    if prefixed and variant != "message_only":
        plan.before = _info_lines(ctx, "before", entry.thread)
        plan.after = _info_lines(ctx, "after", entry.thread)
        if ctx.chance(variants.get("retry", 0.0)):
            plan.retry = LogLine("WARN", logger, ctx.text("generate.retry"), entry.thread)
    elif variant == "message_only":
        plan.before = _info_lines(ctx, "message_only", entry.thread)
    if style == "surefire" and entry.test_class is not None:
        plan.surefire_header = (entry.test_class.fqcn, entry.test_method or entry.app_frames[0].method)
        plan.surefire_footer = ctx.chance(0.3)
    return plan


def _grounded_guidance(incident: Incident, text: str, label: str, lang: str) -> tuple[str, str, list[str]]:
    """The row's cause and fix, each replaced by the type-level text of the rendered trace when it states something
    the rendered trace and its record do not show (a template writes from hidden facts: the variable of a bare
    NPE, the code under test).
    Reads only the rendered text, draws nothing: logs and labels stay as the seed makes them."""
    from utils.parsing.stacktrace import Frame, Trace, parse_log
    from utils.stage2.explanations import ground_guidance, select_trace

    traces = parse_log(text)
    trace = select_trace(traces, incident.root.cls) if traces else Trace()
    fault = incident.fault
    location = Frame(class_name=fault.cls, method=fault.method, file=fault.file, line=fault.line)
    return ground_guidance(incident.cause, incident.fix, trace, label, location, lang)


def generate_row(
    index: int, seed: int, template: Template, split: str, language: str, config: GeneratorConfig, label_set: LabelSet
) -> dict[str, Any]:
    """One corpus row of `template` (deterministic in seed and index)."""
    rng = random.Random(f"row:{seed}:{index}")
    kind = _weighted(rng, {k: w for k, w in config.codebase_weights.items() if k in template.codebases})
    contexts = dict(config.context_weights.get(kind) or {"test": 1.0})
    if template.contexts is not None:
        contexts = {c: w for c, w in contexts.items() if c in template.contexts} or {template.contexts[0]: 1.0}
    context = _weighted(rng, contexts)
    jdk_table = config.jdk_weights_by_codebase.get(kind) or config.jdk_weights
    versions = {v: w for v, w in jdk_table.items() if v >= template.min_jdk and w > 0}
    jdk = Jdk(_weighted(rng, versions or {min(v for v in JDK_VERSIONS if v >= template.min_jdk): 1.0}))
    lang = language if language in ("en", "ko") else ("ko" if rng.random() < config.ko_fraction else "en")
    family = _weighted(rng, config.oss_family_weights) if kind == "oss" and config.oss_family_weights else "generic"
    ctx = Ctx(rng, jdk, lang, Codebase(kind, rng, family), context, template.name)
    ctx.harness = TestHarness(config.test_runner_weights, config.test_launcher_weights)
    incident = template.build(ctx)
    if jdk.version == 6:
        incident = as_jdk6(incident)
    root_label = label_set.to_label(incident.root.cls)
    if root_label != template.label:
        raise ValueError(
            f"template {template.name}: root {incident.root.cls} maps to {root_label}, not {template.label}"
        )
    plan = _plan(incident, ctx, config, template.label, label_set)
    document = render_document(incident, plan, rng)
    fault = incident.fault
    in_log = bool(incident.fault_in_trace and fault.line is not None and fault.render() in document.text)
    location = format_location(fault.file, fault.line, fault.qualified_method)
    cause, fix, replaced = _grounded_guidance(incident, document.text, template.label, lang)
    return {
        "id": f"syn-{seed}-{index:06d}",
        "log": document.text,
        "label": template.label,
        "guidance": format_guidance(template.label, cause, location, fix),
        "meta": {
            "template": template.name,
            "family": template.family,
            "language": lang,
            "root_exception": incident.root.cls,
            "chain": [t.cls for t in incident.chain],
            "jdk": jdk.version,
            "fault": {"class": fault.cls, "method": fault.method, "file": fault.file, "line": fault.line},
            "fault_in_log": in_log,
            "guidance_replaced": replaced,  # fields the template wrote from facts the log does not show
            "context": context,
            "codebase": kind,
            **({"oss_family": family} if config.oss_family_weights and kind == "oss" else {}),
            "log_style": document.style,
            "variant": document.variant,
            "truncated": document.variant == "truncated",
            "message_only": document.variant == "message_only",
            "n_traces": document.n_traces,
            "split": split,
            **incident.extra,
        },
    }


def generate_corpus(
    size: int,
    seed: int = 42,
    language: str = "mixed",
    config: GeneratorConfig | None = None,
    label_set: LabelSet | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """`size` rows split by template into train/validation/test."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    config = config or GeneratorConfig.from_yaml()
    label_set = label_set or load_label_set()
    grouped = templates_by_label(label_set)
    split_of = assign_splits(grouped, config.split_fractions, config.split_seed)
    weights = {name: float(config.class_weights.get(name, config.default_class_weight)) for name in label_set.names}
    unknown = sorted(set(config.class_weights) - set(label_set.names))
    if unknown:
        raise ValueError(f"class_weights: unknown label(s) {', '.join(unknown)}")
    chooser = random.Random(f"classes:{seed}")
    labels = chooser.choices(list(weights), list(weights.values()), k=size)
    splits: dict[str, list[dict[str, Any]]] = {split: [] for split in SPLITS}
    for index, label in enumerate(labels):
        template = chooser.choice(grouped[label])
        split = split_of[template.name]
        splits[split].append(generate_row(index, seed, template, split, language, config, label_set))
    return splits


def corpus_stats(splits: dict[str, list[dict[str, Any]]], label_set: LabelSet) -> dict[str, Any]:
    grouped = templates_by_label(label_set)
    stats: dict[str, Any] = {"rows": {s: len(rows) for s, rows in splits.items()}, "splits": {}}
    for split, all_rows in splits.items():
        classes = Counter(row["label"] for row in all_rows)
        # Real rows (build_corpus.py --real_logs) have no template, style or JDK: they are counted apart.
        rows = [row for row in all_rows if row["meta"].get("origin") != "real"]
        templates = defaultdict(set)
        for row in rows:
            templates[row["label"]].add(row["meta"]["template"])
        stats["splits"][split] = {
            "class_counts": {name: classes.get(name, 0) for name in label_set.names},
            "templates_per_class": {name: len(templates.get(name, ())) for name in label_set.names},
            "templates": sorted({row["meta"]["template"] for row in rows}),
            "languages": dict(Counter(row["meta"]["language"] for row in rows)),
            "variants": dict(Counter(row["meta"]["variant"] for row in rows)),
            "log_styles": dict(Counter(row["meta"]["log_style"] for row in rows)),
            "contexts": dict(Counter(row["meta"]["context"] for row in rows)),
            "jdk": dict(Counter(str(row["meta"]["jdk"]) for row in rows)),
            "real_rows": len(all_rows) - len(rows),
        }
    stats["templates_registered"] = {name: len(grouped[name]) for name in label_set.names}
    return stats


def write_corpus(
    output_dir: str | Path, splits: dict[str, list[dict[str, Any]]], stats: dict[str, Any]
) -> dict[str, Path]:
    """train/validation/test.jsonl and stats.json, each written atomically."""
    output_dir = Path(output_dir)
    paths = {split: write_jsonl_atomic(output_dir / f"{split}.jsonl", rows) for split, rows in splits.items()}
    paths["stats"] = write_json_atomic(output_dir / "stats.json", stats)
    return paths
