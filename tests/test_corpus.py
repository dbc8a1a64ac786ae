"""The synthetic corpus generator: coverage of the label set, parser round trip, faults, splits, determinism,
JDK-specific frames and messages (JDK 6 too), languages, the build script, realism statistics, and the settings of
configs/corpus_wide.yaml (library and tool code, test launchers, server log styles)."""

from __future__ import annotations

import dataclasses
import json
import random
import re
from collections import Counter
from pathlib import Path

import pytest

from utils.corpus.builder import Ctx
from utils.corpus.codebase import Codebase
from utils.corpus.contexts import CONTEXTS
from utils.corpus.generate import (
    GeneratorConfig,
    assign_splits,
    corpus_stats,
    generate_corpus,
    generate_row,
    templates_by_label,
)
from utils.corpus.jdk import Jdk, as_jdk6
from utils.corpus.launchers import TEST_LAUNCHERS
from utils.corpus.model import TEMPLATES, StackFrame, Thrown
from utils.corpus.realism import app_class_words, format_comparison, log_statistics, word_coverage
from utils.corpus.render import PrintOptions, chain_lines
from utils.labels import load_label_set
from utils.parsing.stacktrace import parse_log
from utils.stage1.data import read_jsonl
from utils.stage2.guidance import format_location, parse_guidance

DEV_SET = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "bugsjar_dev.jsonl"
WIDE_CONFIG = Path(__file__).resolve().parents[1] / "configs" / "corpus_wide.yaml"
HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def label_set():
    return load_label_set()


@pytest.fixture(scope="module")
def config():
    return GeneratorConfig.from_yaml()


@pytest.fixture(scope="module")
def grouped(label_set):
    return templates_by_label(label_set)


def check_row(row: dict, label_set) -> None:
    """Every row: the schema, the parser finds the labelled root cause first, the fault frame is in the log when meta
    says so, and the guidance names the row's label and the fault's location."""
    assert set(row) == {"id", "log", "label", "guidance", "meta"}
    meta = row["meta"]
    traces = parse_log(row["log"])
    first = traces[0]
    assert first.root_cause is not None, (meta["template"], row["log"][:400])
    assert label_set.to_label(first.root_cause.class_name) == row["label"], (
        meta["template"],
        meta["log_style"],
        row["log"][:600],
    )
    assert label_set.to_label(meta["root_exception"]) == row["label"]
    fault = meta["fault"]
    if meta["fault_in_log"]:
        assert any(
            f.class_name == fault["class"] and f.method == fault["method"] and f.line == fault["line"]
            for trace in traces
            for f in trace.frames
        ), (meta["template"], fault)
    if meta["message_only"]:
        assert not meta["fault_in_log"]
    fields = parse_guidance(row["guidance"])
    assert fields["type"] == row["label"]
    assert fields["location"] == format_location(fault["file"], fault["line"], f"{fault['class']}.{fault['method']}")
    assert fields["cause"] and fields["fix"]
    assert len(row["guidance"].split()) <= 80, row["guidance"]


def test_every_label_has_enough_templates(label_set, grouped):
    assert list(grouped) == label_set.names
    too_few = {label: len(templates) for label, templates in grouped.items() if len(templates) < 6}
    assert not too_few


def test_every_template_round_trips_through_the_parser(label_set, config):
    for index, tpl in enumerate(sorted(TEMPLATES.values(), key=lambda t: t.name)):
        for attempt in range(3):
            row = generate_row(index * 10 + attempt, 11, tpl, "train", "mixed", config, label_set)
            assert row["label"] == tpl.label
            check_row(row, label_set)


def test_quick_corpus_rows_are_consistent(label_set, config):
    splits = generate_corpus(size=800, seed=3, config=config, label_set=label_set)
    rows = [row for split in splits.values() for row in split]
    assert len(rows) == 800
    assert len({row["id"] for row in rows}) == 800
    for row in rows:
        check_row(row, label_set)
    variants = Counter(row["meta"]["variant"] for row in rows)
    assert variants["full"] > 600 and variants["truncated"] > 0 and variants["message_only"] > 0


def test_generation_is_deterministic(label_set, config):
    first = generate_corpus(size=150, seed=9, config=config, label_set=label_set)
    again = generate_corpus(size=150, seed=9, config=config, label_set=label_set)
    other = generate_corpus(size=150, seed=10, config=config, label_set=label_set)
    assert first == again
    assert first != other


def test_splits_hold_out_whole_templates(grouped, config):
    split_of = assign_splits(grouped, config.split_fractions, config.split_seed)
    for label, templates in grouped.items():
        splits = Counter(split_of[t.name] for t in templates)
        assert splits["train"] >= 1
        if len(templates) >= 3:
            assert splits["validation"] >= 1 and splits["test"] >= 1, label
    assert assign_splits(grouped, config.split_fractions, config.split_seed) == split_of


def test_corpus_splits_do_not_share_templates(label_set, config):
    splits = generate_corpus(size=600, seed=4, config=config, label_set=label_set)
    templates = {split: {row["meta"]["template"] for row in rows} for split, rows in splits.items()}
    assert not templates["train"] & templates["validation"]
    assert not templates["train"] & templates["test"]
    assert not templates["validation"] & templates["test"]
    stats = corpus_stats(splits, label_set)
    assert stats["rows"] == {split: len(rows) for split, rows in splits.items()}
    assert set(stats["splits"]["train"]["class_counts"]) == set(label_set.names)


def test_default_balance_is_seed_like(config, label_set):
    weights = [config.class_weights.get(name, config.default_class_weight) for name in label_set.names]
    assert max(weights) / min(weights) == pytest.approx(25)
    splits = generate_corpus(size=3000, seed=1, config=config, label_set=label_set)
    counts = Counter(row["label"] for rows in splits.values() for row in rows)
    assert set(counts) == set(label_set.names)
    assert counts.most_common(1)[0][1] / min(counts.values()) > 8


@pytest.mark.parametrize("language", ["en", "ko"])
def test_language_choice(language, label_set, config):
    splits = generate_corpus(size=120, seed=2, language=language, config=config, label_set=label_set)
    rows = [row for split in splits.values() for row in split]
    assert {row["meta"]["language"] for row in rows} == {language}
    with_hangul = sum(bool(HANGUL.search(row["guidance"])) for row in rows)
    assert with_hangul == (len(rows) if language == "ko" else 0)


def build(template: str, jdk: int, seed: int = 0, context: str = "test", kind: str = "oss"):
    templates_by_label(load_label_set())  # registers the template families (run alone, nothing else has)
    rng = random.Random(seed)
    ctx = Ctx(rng, Jdk(jdk), "en", Codebase(kind, rng), context, template)
    return TEMPLATES[template].build(ctx)


def test_index_out_of_bounds_follows_the_jdk():
    old, new = build("ioobe.list_get", 8), build("ioobe.list_get", 17)
    assert re.fullmatch(r"Index: -?\d+, Size: \d+", old.root.message)
    assert old.root.frames[0].qualified_method == "java.util.ArrayList.rangeCheck" and old.root.frames[0].module is None
    assert re.fullmatch(r"Index -?\d+ out of bounds for length \d+", new.root.message)
    assert new.root.frames[0].qualified_method == "jdk.internal.util.Preconditions.outOfBounds"
    assert new.root.frames[0].render().startswith("at java.base/jdk.internal.util.Preconditions.outOfBounds(")


def test_helpful_null_pointer_messages_start_at_jdk_14():
    assert build("npe.getter_chain", 8).root.message is None
    assert build("npe.getter_chain", 11).root.message is None
    assert build("npe.getter_chain", 17).root.message.startswith('Cannot invoke "')
    assert build("npe.string_local", 21).root.message.startswith('Cannot invoke "String.')


def test_validation_helper_fault_is_the_caller():
    incident = build("npe.require_non_null", 11, seed=3)
    app = [frame for frame in incident.root.frames if frame.app]
    assert app[0].method == "<init>"
    assert incident.fault == app[1]
    assert incident.root.frames[0].qualified_method == "java.util.Objects.requireNonNull"


def test_assertion_fault_is_the_code_under_test():
    incident = build("assert.junit4_equals", 8, seed=5)
    test_frame = next(frame for frame in incident.root.frames if frame.app)
    assert test_frame.cls.endswith("Test")
    assert not incident.fault_in_trace and incident.fault.line is None
    assert incident.fault.cls == test_frame.cls[: -len("Test")]


def test_wrapped_chain_prints_common_frames_as_more():
    shared = [
        StackFrame("com.acme.Service", "run", "Service.java", 10, app=True),
        StackFrame("java.lang.Thread", "run", "Thread.java", 748),
    ]
    root = Thrown(
        "java.net.SocketTimeoutException",
        "Read timed out",
        [StackFrame("java.net.SocketInputStream", "read", "SocketInputStream.java", 171), *shared],
    )
    wrapper = Thrown("java.lang.RuntimeException", root.to_string(), [shared[0].moved(2), shared[1]])
    lines = chain_lines([wrapper, root], PrintOptions(), random.Random(0))
    assert lines[0] == "java.lang.RuntimeException: java.net.SocketTimeoutException: Read timed out"
    assert lines[3] == "Caused by: java.net.SocketTimeoutException: Read timed out"
    # The catch site differs from the call site (another line), so only Thread.run is shared, as the JVM prints it.
    assert lines[4:] == [
        "\tat java.net.SocketInputStream.read(SocketInputStream.java:171)",
        "\tat com.acme.Service.run(Service.java:10)",
        "\t... 1 more",
    ]
    logback = chain_lines([wrapper, root], PrintOptions(omitted="common"), random.Random(0))
    assert logback[-1] == "\t... 1 common frames omitted"
    traces = parse_log("\n".join(lines))
    assert [exc.class_name for exc in traces[0].chain] == [
        "java.lang.RuntimeException",
        "java.net.SocketTimeoutException",
    ]


def test_config_rejects_unknown_keys(tmp_path):
    path = tmp_path / "corpus.yaml"
    path.write_text("class_weights: {AssertionError: 3}\nnot_a_key: 1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not_a_key"):
        GeneratorConfig.from_yaml(path)
    path.write_text("jdk_weights: {9: 1.0}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unsupported JDK 9"):
        GeneratorConfig.from_yaml(path)


def test_unknown_class_weight_is_an_error(label_set, config):
    bad = GeneratorConfig(**{**config.__dict__, "class_weights": {"NoSuchLabel": 3.0}})
    with pytest.raises(ValueError, match="NoSuchLabel"):
        generate_corpus(size=10, seed=1, config=bad, label_set=label_set)


def test_build_corpus_script_writes_splits_and_stats(tmp_path):
    import build_corpus

    real = tmp_path / "real.jsonl"
    real.write_text(
        "\n".join(
            json.dumps({"log": text})
            for text in (
                "java.lang.IllegalStateException: boom\n\tat com.acme.Job.run(Job.java:12)\n\tat "
                "java.lang.Thread.run(Thread.java:748)",
                "junit.framework.AssertionFailedError: expected:<17> but was:<23>\n\tat "
                "junit.framework.Assert.fail(Assert.java:47)\n"
                "\tat com.acme.JobTest.testRun(JobTest.java:30)",
            )
        )
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "corpus"
    build_corpus.main(
        ["--size", "300", "--seed", "5", "--output_dir", str(out), "--compare_with", str(real), "--compare_rows", "50"]
    )
    rows = {split: read_jsonl(out / f"{split}.jsonl") for split in ("train", "validation", "test")}
    assert sum(len(split_rows) for split_rows in rows.values()) == 300
    stats = json.loads((out / "stats.json").read_text(encoding="utf-8"))
    assert stats["build"]["size"] == 300 and stats["build"]["seed"] == 5
    assert sum(stats["rows"].values()) == 300
    realism = json.loads((out / "realism.json").read_text(encoding="utf-8"))
    assert realism["real"]["logs"] == 2 and realism["synthetic"]["logs"] == 50
    assert realism["skipped_lines"] == []


def test_a_bad_compare_with_file_stops_the_build_before_the_corpus_is_replaced(tmp_path):
    import build_corpus

    out = tmp_path / "corpus"
    real = tmp_path / "real.jsonl"
    real.write_text(json.dumps({"log": "java.lang.IllegalStateException: boom\n\tat com.acme.Job.run(Job.java:12)"})
                    + "\n[1, 2]\n" + json.dumps({"id": "x", "log": None}) + "\n", encoding="utf-8")
    build_corpus.main(["--size", "60", "--seed", "5", "--output_dir", str(out), "--compare_with", str(real)])
    realism = json.loads((out / "realism.json").read_text(encoding="utf-8"))
    # a JSON list and a null log were dropped without a word, and the null log crashed log_statistics
    assert realism["real"]["logs"] == 1
    assert realism["skipped_lines"] == [f"{real}:2: expected a JSON object, got list",
                                        f"{real}:3: field 'log' is not a non-empty string"]
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=f"--compare_with {empty}: holds no rows"):
        build_corpus.main(["--size", "60", "--seed", "6", "--output_dir", str(out), "--compare_with", str(empty)])
    nothing = tmp_path / "nothing.jsonl"
    nothing.write_text(json.dumps({"log": None}) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="no row with a log"):
        build_corpus.main(["--size", "60", "--seed", "6", "--output_dir", str(out), "--compare_with", str(nothing)])
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before  # the corpus was not replaced
    build_corpus.main(["--size", "60", "--seed", "6", "--output_dir", str(out)])  # no comparison this time
    assert not (out / "realism.json").exists()  # it described the corpus that was replaced


def test_log_statistics_on_hand_written_logs():
    logs = [
        "java.lang.RuntimeException: x\n\tat com.acme.A.a(A.java:1)\n\tat java.lang.Thread.run(Thread.java:748)\n"
        "Caused by: java.io.IOException: y\n\tat com.acme.B.b(B.java:2)\n\t... 1 more",
        "2024-03-12 10:15:32.123 ERROR [main] com.acme.App - failed\njava.lang.NullPointerException\n\tat "
        "com.acme.C.c(C.java:3)",
        "nothing to see here",
    ]
    stats = log_statistics(logs)
    assert stats["logs"] == 3 and stats["no_trace_rate"] == pytest.approx(1 / 3, abs=1e-3)
    assert stats["caused_by_rate"] == 0.5 and stats["omitted_rate"] == 0.5
    assert stats["top_message_rate"] == 0.5 and stats["log_prefix_rate"] == 0.5
    assert "caused by" in format_comparison({"a": stats, "b": stats}).lower()


@pytest.mark.skipif(not DEV_SET.exists(), reason="../shared/data/bugsjar_dev.jsonl not present")
def test_synthetic_statistics_are_near_the_real_dev_set(label_set, config):
    lines = DEV_SET.read_text(encoding="utf-8").splitlines()
    real = [
        json.loads(line)["log"] for line in random.Random(0).sample(lines, min(600, len(lines)))
    ]  # the file is sorted by project
    splits = generate_corpus(size=600, seed=8, config=config, label_set=label_set)
    synthetic = [row["log"] for rows in splits.values() for row in rows]
    a, b = log_statistics(real), log_statistics(synthetic)
    assert 0.5 <= b["frames_median"] / a["frames_median"] <= 2.0
    assert abs(a["top_message_rate"] - b["top_message_rate"]) < 0.15
    assert abs(a["library_frame_fraction"] - b["library_frame_fraction"]) < 0.2


def test_k8s_style_prefixes_every_line():
    from utils.corpus.render import LogLine, RenderPlan, render_document

    incident = build("npe.getter_chain", 17, seed=2, context="executor")
    plan = RenderPlan(
        style="k8s", variant="full", record=LogLine("ERROR", "com.acme.Worker", "task failed", "pool-1-thread-1")
    )
    lines = render_document(incident, plan, random.Random(0)).text.split("\n")
    assert len(lines) >= 3
    assert all(re.match(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z ", line) for line in lines)
    assert lines[1].endswith(incident.chain[0].to_string().split("\n")[0])


def test_k8s_style_rows_round_trip_through_the_parser(label_set, config):
    # Every line behind a `kubectl logs --timestamps` stamp: the parser once found no frames in such logs.
    k8s_config = dataclasses.replace(
        config, style_weights={context: {"k8s": 1.0} for context in config.style_weights})
    splits = generate_corpus(size=300, seed=5, config=k8s_config, label_set=label_set)
    rows = [row for split in splits.values() for row in split]
    assert rows and all(row["meta"]["log_style"] == "k8s" for row in rows)
    assert any("\tat " not in row["log"] for row in rows)  # frameless exceptions (Netty's NativeIoException) too
    for row in rows:
        check_row(row, label_set)


# ------------------------------------------------------------------------- beyond the bank domain (corpus_wide.yaml)

# JDK classes and methods JDK 6 did not have (java.nio.file, Objects, ForkJoin, TimSort: 7; streams, java.time,
# Optional, Base64, lambdas: 8; modules: 9).
NEWER_THAN_JDK6 = (
    "java.nio.file.",
    "sun.nio.fs.",
    "java.util.Objects.",
    "java.util.concurrent.ForkJoin",
    "java.lang.invoke.",
    "java.util.TimSort",
    "java.util.ComparableTimSort",
    "java.util.stream.",
    "java.time.",
    "java.util.Optional",
    "java.util.function.",
    "java.util.concurrent.CompletableFuture",
    "java.util.concurrent.CompletionException",
    "java.util.Base64",
    "java.io.UncheckedIOException",
    "java.util.ArrayList.forEach",
    "java.util.ArrayList.sort",
    "java.util.Comparator.",
    "jdk.",
)


@pytest.fixture(scope="module")
def wide_config():
    return GeneratorConfig.from_yaml(WIDE_CONFIG)


def test_jdk6_prints_jdk6_frames_and_messages():
    incident = as_jdk6(build("ioobe.list_get", 6, seed=1))
    assert re.fullmatch(r"Index: -?\d+, Size: \d+", incident.root.message)
    top = incident.root.frames[:2]
    assert [frame.render() for frame in top] == [
        "at java.util.ArrayList.RangeCheck(ArrayList.java:547)",
        "at java.util.ArrayList.get(ArrayList.java:322)",
    ]
    pool = as_jdk6(build("npe.getter_chain", 6, seed=2, context="executor"))
    assert pool.root.message is None
    rendered = [frame.render() for frame in pool.root.frames]
    assert rendered[-1] == "at java.lang.Thread.run(Thread.java:662)"
    assert "at java.util.concurrent.ThreadPoolExecutor$Worker.runTask(ThreadPoolExecutor.java:886)" in rendered
    assert not any("lambda$" in line for line in rendered)  # Java 6 code: anonymous classes
    assert pool.fault.render() in rendered or not pool.fault_in_trace
    version = build("le.class_version", 6, seed=3, context="main")
    assert re.search(r" : Unsupported major\.minor version \d+\.0$", version.root.message)


def test_templates_drawn_on_jdk6_use_only_what_jdk6_had(label_set):
    templates_by_label(label_set)
    for name, tpl in sorted(TEMPLATES.items()):
        if tpl.min_jdk > 6:
            continue
        for seed in range(2):
            for context in tpl.contexts or ("test", "executor", "main", "web"):
                rng = random.Random(f"{name}:{seed}:{context}")
                kind = "oss" if "oss" in tpl.codebases else "bank"
                incident = as_jdk6(tpl.build(Ctx(rng, Jdk(6), "en", Codebase(kind, rng), context, name)))
                for exc in incident.chain:
                    assert not exc.cls.startswith(NEWER_THAN_JDK6), (name, exc.cls)
                    for frame in exc.frames:
                        assert not frame.qualified_method.startswith(NEWER_THAN_JDK6), (name, frame.render())
                        assert "lambda$" not in frame.method and frame.module is None, (name, frame.render())


def test_wide_config_rows_round_trip_and_use_every_addition(label_set, wide_config):
    splits = generate_corpus(size=1500, seed=6, config=wide_config, label_set=label_set)
    rows = [row for split in splits.values() for row in split]
    for row in rows:
        check_row(row, label_set)
    metas = [row["meta"] for row in rows]
    assert {6, 7, 8} <= {meta["jdk"] for meta in metas}
    assert {"elasticsearch", "catalina", "kafka_server"} <= {meta["log_style"] for meta in metas}
    families = Counter(meta.get("oss_family") for meta in metas if meta["codebase"] == "oss")
    assert len(families) >= 6 and "generic" in families
    logs = "\n".join(row["log"] for row in rows)
    for marker in ("JUnitTestRunner.main", "GradleWorkerMain.main", "org.testng.TestNG", "SurefireBooter.main"):
        assert marker in logs, marker


@pytest.mark.parametrize("style", ["elasticsearch", "catalina", "kafka_server"])
def test_server_log_styles_round_trip_through_the_parser(style, label_set, wide_config):
    forced = dataclasses.replace(wide_config, style_weights={context: {style: 1.0} for context in CONTEXTS})
    splits = generate_corpus(size=400, seed=3, config=forced, label_set=label_set)
    rows = [row for split in splits.values() for row in split]
    assert rows and all(row["meta"]["log_style"] == style for row in rows)
    assert any(row["meta"]["variant"] == "message_only" for row in rows)
    for row in rows:
        check_row(row, label_set)
    first = {
        "elasticsearch": r"\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d,\d{3}\]\[(ERROR|WARN |INFO |DEBUG)\]\[[\w.$ ]{25,}\] \[[\w-]+\] ",
        "catalina": r"\d\d-[A-Z][a-z]{2}-\d{4} \d\d:\d\d:\d\d\.\d{3} (SEVERE|WARNING|INFO|FINE) \[[^\]]+\] [\w.$]+ ",
        "kafka_server": r"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] (ERROR|WARN|INFO|DEBUG) .* \([\w.$]+\)$",
    }[style]
    assert all(re.match(first, row["log"].split("\n", 1)[0]) for row in rows), rows[0]["log"][:300]
    if style == "catalina":  # Tomcat's own record for a servlet's exception, the root cause's trace after it
        assert any("StandardWrapperValve.invoke Servlet.service() for servlet" in row["log"] for row in rows)


@pytest.mark.parametrize("launcher", TEST_LAUNCHERS)
def test_test_launchers_round_trip(launcher, label_set, wide_config):
    tests_only = dataclasses.replace(
        wide_config,
        context_weights={"bank": {"test": 1.0}, "oss": {"test": 1.0}},
        test_launcher_weights={launcher: 1.0},
        jdk_weights={7: 1.0},
        jdk_weights_by_codebase={},
    )
    splits = generate_corpus(size=200, seed=4, config=tests_only, label_set=label_set)
    rows = [row for split in splits.values() for row in split]
    for row in rows:
        check_row(row, label_set)
    bottom = {
        "maven": "ForkedBooter.main",
        "maven_legacy": "SurefireBooter.main",
        "gradle": "org.gradle.api.internal.tasks.testing.",
        "ant": "org.apache.tools.ant.taskdefs.optional.",
        "intellij": "com.intellij.rt.",
        "eclipse": "org.eclipse.jdt.internal.junit",
    }[launcher]
    full = [row for row in rows if row["meta"]["variant"] == "full" and row["meta"]["log_style"] == "raw"]
    share = sum(bottom in row["log"] for row in full) / len(full)
    assert share > (0.3 if launcher.startswith("maven") else 0.6), launcher  # Surefire trims half of its traces
    if launcher not in ("maven", "maven_legacy"):  # no Surefire report around another launcher's trace
        assert not any(row["meta"]["log_style"] == "surefire" for row in rows)


def test_wide_config_rejects_unknown_values(tmp_path):
    path = tmp_path / "corpus.yaml"
    for text, message in (
        ("test_launcher_weights: {sbt: 1.0}\n", "sbt"),
        ("test_runner_weights: {spock: 1.0}\n", "spock"),
        ("oss_family_weights: {crm: 1.0}\n", "crm"),
        ("jdk_weights_by_codebase: {oss: {5: 1.0}}\n", "unsupported JDK 5"),
        ("jdk_weights_by_codebase: {telco: {8: 1.0}}\n", "telco"),
    ):
        path.write_text("jdk_weights: {8: 1.0}\n" + text, encoding="utf-8")
        with pytest.raises(ValueError, match=message):
            GeneratorConfig.from_yaml(path)
    # the JDK table lives once, in the config file: a config without it is refused, not filled from code
    path.write_text("ko_fraction: 0.3\n", encoding="utf-8")
    with pytest.raises(ValueError, match="jdk_weights is missing"):
        GeneratorConfig.from_yaml(path)


def test_corpus_yaml_leaves_the_wide_settings_off(config):
    assert 6 not in config.jdk_weights and not config.jdk_weights_by_codebase
    assert not config.oss_family_weights and not config.test_runner_weights and not config.test_launcher_weights
    styles = {style for weights in config.style_weights.values() for style in weights}
    assert not styles & {"elasticsearch", "catalina", "kafka_server"}


def test_wide_statistics_on_hand_written_logs():
    logs = [
        "[2026-11-30T12:00:00,123][WARN ][o.e.a.b.TransportShardBulkAction] [node-1] failed\n"
        "java.lang.NullPointerException\n\tat org.example.searchd.index.IndexShard.index(IndexShard.java:12)\n"
        "\tat java.lang.Thread.run(Thread.java:662)",
        "30-Nov-2026 12:00:00.123 SEVERE [http-nio-8080-exec-1] org.apache.catalina.core.StandardWrapperValve.invoke "
        "Servlet.service() threw exception\njava.lang.IllegalStateException: x\n"
        "\tat com.acmebank.transfer.web.TransferController.transfer(TransferController.java:3)\n"
        "\tat java.base/java.lang.Thread.run(Thread.java:833)",
        "[2026-11-30 12:00:00,123] ERROR [Consumer clientId=c-1, groupId=g] Task failed: boom (org.apache.kafka.X)\n"
        "java.lang.RuntimeException: boom\n\tat org.example.streamq.log.LogSegment.append(LogSegment.java:5)\n"
        "\tat org.apache.tools.ant.taskdefs.optional.junit.JUnitTestRunner.main(JUnitTestRunner.java:1033)",
    ]
    stats = log_statistics(logs)
    for key in ("style_elasticsearch_rate", "style_catalina_rate", "style_kafka_rate", "jdk6_rate", "jdk9plus_rate"):
        assert stats[key] == pytest.approx(1 / 3, abs=1e-3), key
    assert stats["npe_bare_rate"] == 1.0 and stats["launcher_ant_rate"] == pytest.approx(1 / 3, abs=1e-3)
    assert stats["bank_package_rate"] == pytest.approx(1 / 3, abs=1e-3)
    assert stats["jdk_le8_style_rate"] == 0.5
    assert stats["launcher_any_rate"] == pytest.approx(1 / 3, abs=1e-3)
    assert "log style: Elasticsearch" in format_comparison({"a": stats})
    words = app_class_words(logs)
    assert words["Index"] == 1 and words["Shard"] == 1 and words["Transfer"] == 1 and "Thread" not in words
    assert word_coverage(words, Counter({"Index": 1, "Shard": 1})) == pytest.approx(2 / 6, abs=1e-3)


def test_log_styles_are_one_table_that_rendering_and_planning_read(tmp_path: Path) -> None:
    # utils/corpus/log_styles.yaml says once which styles put the trace after a prefixed record: the renderer's
    # record lines and the planner's message-only / framework-record choices both read it.
    import yaml

    from utils.corpus.generate import PREFIXED_STYLES as PLANNED_PREFIXED
    from utils.corpus.render import LOG_STYLE_TABLE, LOG_STYLES, LOG_STYLES_FILE, PREFIXED_STYLES, load_log_styles

    rows = yaml.safe_load(LOG_STYLES_FILE.read_text(encoding="utf-8"))["styles"]
    assert tuple(rows) == LOG_STYLES and PLANNED_PREFIXED is PREFIXED_STYLES
    assert set(PREFIXED_STYLES) == {name for name, row in rows.items() if row["prefixed"]}
    assert {"raw", "surefire", "thread"}.isdisjoint(PREFIXED_STYLES) and LOG_STYLE_TABLE["logback"].omitted == "common"
    weighted = yaml.safe_load((Path(__file__).resolve().parents[1] / "configs" / "corpus.yaml").read_text())
    assert {style for weights in weighted["style_weights"].values() for style in weights} <= set(LOG_STYLES)
    broken = tmp_path / "styles.yaml"
    broken.write_text("styles:\n  raw: {prefixed: maybe, omitted: more}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=str(broken)):
        load_log_styles(broken)
