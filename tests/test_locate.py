"""Frame ranking ("where to fix"): normalization, rules on invented traces, save/load, metrics, the real dev set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from utils.locate import (
    FEATURE_NAMES,
    RULE_WEIGHTS,
    LinearRanker,
    RankingExample,
    candidates,
    evaluate_locate,
    evaluate_locate_file,
    first_hit_rank,
    fit_ranker,
    format_locate_report,
    gap_closed,
    load_ranker,
    locate,
    naive_frames,
    normalize_method,
    rank_frames,
    ranking_examples,
    row_fix_methods,
    save_ranker,
    select_locate_rows,
)
from utils.parsing.stacktrace import parse_trace

DEV_SET = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "bugsjar_dev.jsonl"
HELD_OUT = ("commons-math", "flink", "wicket")

RUNNER = """\
	at sun.reflect.NativeMethodAccessorImpl.invoke0(Native Method)
	at java.lang.reflect.Method.invoke(Method.java:498)
	at org.junit.runners.model.FrameworkMethod$1.runReflectiveCall(FrameworkMethod.java:50)
	at org.junit.runners.ParentRunner.run(ParentRunner.java:363)
"""


def methods(trace_text: str, ranker: LinearRanker | None = None) -> list[str]:
    return [item.qualified_method for item in rank_frames(parse_trace(trace_text), ranker=ranker)]


@pytest.mark.parametrize(
    ("written", "normalized"),
    [
        ("com.acme.Ledger$Entry.post", "com.acme.Ledger.Entry.post"),
        ("com.acme.Ledger.Entry.post", "com.acme.Ledger.Entry.post"),
        ("com.acme.Ledger$1.run", "com.acme.Ledger.run"),
        ("com.acme.Ledger.lambda$post$0", "com.acme.Ledger.post"),
        ("com.acme.Ledger.lambda$new$2", "com.acme.Ledger.Ledger"),
        ("com.acme.Ledger$Entry.<init>", "com.acme.Ledger.Entry.Entry"),
        ("com.acme.Ledger.Ledger", "com.acme.Ledger.Ledger"),
        ("com.acme.Ledger$$EnhancerBySpringCGLIB$$1a2b.post", "com.acme.Ledger.post"),
        ("com.acme.Ledger.post(java.lang.String)", "com.acme.Ledger.post"),
        ("com.acme.Ledger.access$000", "com.acme.Ledger.access$000"),
    ],
)
def test_normalize_method(written: str, normalized: str) -> None:
    assert normalize_method(written) == normalized


def test_validation_helper_points_at_the_caller() -> None:
    trace = """\
java.lang.NullPointerException: customer id must not be null
	at java.util.Objects.requireNonNull(Objects.java:233)
	at com.acme.orders.OrderValidator.validate(OrderValidator.java:21)
	at com.acme.orders.OrderService.placeOrder(OrderService.java:57)
	at com.acme.web.OrderController.submit(OrderController.java:40)
	at org.springframework.web.servlet.DispatcherServlet.doDispatch(DispatcherServlet.java:1040)
"""
    ranked = rank_frames(parse_trace(trace))
    assert ranked[0].qualified_method == "com.acme.orders.OrderService.placeOrder"
    assert "passed input to a check that rejected it" in ranked[0].reasons
    assert ranked[1].qualified_method == "com.acme.orders.OrderValidator.validate"
    # The naive rule stops at the validator: that is the gap the ranker closes.
    assert naive_frames(parse_trace(trace))[0].qualified_method == "com.acme.orders.OrderValidator.validate"


def test_preconditions_inside_a_constructor_points_at_its_caller() -> None:
    trace = f"""\
java.lang.IllegalArgumentException: amount must be positive
	at com.google.common.base.Preconditions.checkArgument(Preconditions.java:122)
	at com.acme.ledger.Money.<init>(Money.java:18)
	at com.acme.ledger.Transfer.debit(Transfer.java:33)
	at com.acme.ledger.TransferTest.testDebit(TransferTest.java:12)
{RUNNER}"""
    ranked = rank_frames(parse_trace(trace))
    assert ranked[0].qualified_method == "com.acme.ledger.Transfer.debit"
    constructor = next(item for item in ranked if item.frame.method == "<init>")
    assert constructor.key == "com.acme.ledger.Money.Money"  # `<init>` is the class's constructor, as fixes name it
    assert constructor.location == "Money.java:18 (com.acme.ledger.Money.<init>)"


def test_proxies_reflection_and_runners_are_never_candidates() -> None:
    trace = f"""\
java.lang.IllegalStateException: account is closed
	at com.acme.bank.Account.withdraw(Account.java:88)
	at com.acme.bank.Account$$EnhancerBySpringCGLIB$$5e1f.withdraw(<generated>)
	at com.sun.proxy.$Proxy42.withdraw(Unknown Source)
	at sun.reflect.GeneratedMethodAccessor7.invoke(Unknown Source)
	at com.acme.bank.Teller.access$000(Teller.java:12)
	at com.acme.bank.Teller.serve(Teller.java:40)
{RUNNER}"""
    found = methods(trace)
    assert found[0] == "com.acme.bank.Account.withdraw"
    assert set(found) == {"com.acme.bank.Account.withdraw", "com.acme.bank.Teller.serve"}


def test_test_frames_rank_below_application_frames() -> None:
    trace = f"""\
java.lang.NullPointerException
	at com.acme.fixtures.TestData.customer(TestData.java:9)
	at com.acme.billing.InvoiceServiceTest.givenCustomer(InvoiceServiceTest.java:31)
	at com.acme.billing.InvoiceService.total(InvoiceService.java:52)
	at com.acme.billing.InvoiceServiceTest.testTotal(InvoiceServiceTest.java:20)
{RUNNER}"""
    ranked = rank_frames(parse_trace(trace))
    assert ranked[0].qualified_method == "com.acme.billing.InvoiceService.total"
    assert all("test code" in item.reasons for item in ranked[1:])


def test_root_cause_is_preferred_and_scores_are_a_distribution() -> None:
    trace = """\
com.acme.ApiException: request failed
	at com.acme.api.Gateway.call(Gateway.java:70)
	at com.acme.api.Checkout.pay(Checkout.java:21)
Caused by: java.lang.ArithmeticException: / by zero
	at com.acme.pricing.Discount.rate(Discount.java:14)
	at com.acme.api.Gateway.call(Gateway.java:66)
	... 1 more
"""
    ranked = rank_frames(parse_trace(trace), label="ArithmeticException")
    assert ranked[0].qualified_method == "com.acme.pricing.Discount.rate"
    assert ranked[0].section == 1 and ranked[0].index == 0
    assert abs(sum(item.score for item in ranked) - 1.0) < 1e-9
    assert [item.score for item in ranked] == sorted((item.score for item in ranked), reverse=True)
    assert len({item.key for item in ranked}) == len(ranked)  # one candidate per method


def test_no_frames_gives_no_location() -> None:
    assert rank_frames(parse_trace("just a log line, no exception")) == []
    assert locate(parse_trace("java.lang.OutOfMemoryError: Java heap space")) is None


def test_only_jdk_frames_still_gives_a_candidate() -> None:
    trace = (
        'java.lang.NumberFormatException: For input string: "x"\n\tat java.lang.Integer.parseInt(Integer.java:580)\n'
    )
    best = locate(parse_trace(trace))
    assert best is not None and best.qualified_method == "java.lang.Integer.parseInt"
    assert best.reasons[0] == "jdk code"


def test_a_masked_frame_is_never_the_location() -> None:
    """`at [EXC](File.java:12)` (a method named like a throwable, masked with its class) names nothing to look at;
    before, as a library frame it outranked the JDK frames below it and stage 2 wrote `[EXC].[EXC]` as the place."""
    from utils.inputs import mask_exception_names

    trace = ("java.lang.IllegalMonitorStateException\n"
             "\tat java.util.concurrent.locks.ReentrantReadWriteLock$Sync.unmatchedUnlockException(RRWL.java:10)\n"
             "\tat java.util.concurrent.locks.ReentrantReadWriteLock$Sync.tryReleaseShared(RRWL.java:20)\n"
             "\tat java.lang.Thread.run(Thread.java:833)\n")
    masked = parse_trace(mask_exception_names(trace))
    assert masked.frames[0].masked
    best = locate(masked)
    assert best is not None and "[EXC]" not in best.qualified_method
    assert all("[EXC]" not in method for method in methods(mask_exception_names(trace)))


def test_ranker_save_load_roundtrip(tmp_path: Path) -> None:
    ranker = LinearRanker({"first_app": 3.0, "entry": -1.5, "tested_class": 0.25}, {"kind": "learned"})
    save_ranker(ranker, tmp_path, {"metrics": {"acc@1": 0.5}})
    loaded = load_ranker(tmp_path)
    assert loaded.weights == ranker.weights
    metadata = json.loads((tmp_path / "analyzer_metadata.json").read_text())
    assert metadata["task"] == "locate" and metadata["metrics"] == {"acc@1": 0.5} and metadata["kind"] == "learned"
    trace = parse_trace(f"java.lang.RuntimeException\n\tat a.b.C.one(C.java:1)\n\tat a.b.D.two(D.java:2)\n{RUNNER}")
    assert [r.score for r in rank_frames(trace, ranker=loaded)] == [r.score for r in rank_frames(trace, ranker=ranker)]


def test_load_ranker_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="ranker.json"):
        load_ranker(tmp_path)
    (tmp_path / "ranker.json").write_text(json.dumps({"weights": {"no_such_feature": 1.0}}))
    with pytest.raises(ValueError, match="no_such_feature"):
        load_ranker(tmp_path)
    (tmp_path / "ranker.json").write_text(json.dumps({"weights": {}}))
    (tmp_path / "analyzer_metadata.json").write_text(json.dumps({"task": "stage1-classification"}))
    with pytest.raises(ValueError, match="stage1-classification"):
        load_ranker(tmp_path)


def test_fit_ranker_learns_a_feature_the_rules_ignore() -> None:
    column = FEATURE_NAMES.index("static_init")
    examples = []
    for index in range(20):  # the hit is always the candidate with static_init=1, placed last
        rows = [[0.0] * len(FEATURE_NAMES) for _ in range(3)]
        rows[2][column] = 1.0
        examples.append(RankingExample(rows, [False, False, True], group=str(index)))
    learned = fit_ranker(examples, l2=0.01)
    assert learned.weights["static_init"] > RULE_WEIGHTS["static_init"] + 1.0
    assert first_hit_rank(examples[0], learned) == 0
    assert first_hit_rank(examples[0], LinearRanker(dict(RULE_WEIGHTS))) == 2
    pulled = fit_ranker(examples, l2=1e4)  # a strong pull keeps the rules
    assert abs(pulled.weights["static_init"] - RULE_WEIGHTS["static_init"]) < 0.05


def test_ranking_examples_weight_each_bug_once() -> None:
    log = f"java.lang.RuntimeException\n\tat a.b.C.one(C.java:1)\n\tat a.b.D.two(D.java:2)\n{RUNNER}"
    rows = [
        {"log": log, "fix_methods": ["a.b.D.two"], "bug_id": "B1"},
        {"log": log, "fix_methods": ["a.b.D.two"], "bug_id": "B1"},
        {"log": log, "fix_methods": ["a.b.E.elsewhere"], "bug_id": "B2"},
    ]
    examples, unreachable = ranking_examples(rows)
    assert unreachable == 1 and [e.weight for e in examples] == [0.5, 0.5]
    assert [e.hits for e in examples] == [[False, True], [False, True]]


EVAL_LOG_A = """\
java.lang.IllegalStateException: boom
	at com.acme.a.Alpha.first(Alpha.java:1)
	at com.acme.a.Beta.second(Beta.java:2)
	at com.acme.a.Gamma.third(Gamma.java:3)
"""


def test_evaluation_arithmetic_on_an_invented_jsonl(tmp_path: Path) -> None:
    rows = [
        {"id": "1", "project": "p", "bug_id": "b1", "log": EVAL_LOG_A, "fix_methods": ["com.acme.a.Alpha.first"]},
        {"id": "2", "project": "p", "bug_id": "b2", "log": EVAL_LOG_A, "fix_methods": ["com.acme.a.Beta.second"]},
        {"id": "3", "project": "q", "bug_id": "b3", "log": EVAL_LOG_A, "fix_methods": ["com.acme.z.Zeta.zed"]},
        {"id": "4", "project": "q", "bug_id": "b4", "log": EVAL_LOG_A, "fix_methods": []},
    ]
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    loaded = [json.loads(line) for line in path.read_text().splitlines()]
    # A ranker that reverses the trace: Gamma (rank 1), Beta (2), Alpha (3); the naive rule keeps trace order.
    reverse = LinearRanker({"app_rank_log": 1.0})
    report = evaluate_locate(loaded, reverse, held_out_projects=["q"])
    assert report["skipped_without_fix"] == 1
    overall = report["all"]
    assert overall["n"] == 3 and overall["reachable"] == pytest.approx(2 / 3)
    assert overall["naive"] == {
        "n": 3,
        "acc@1": pytest.approx(1 / 3),
        "acc@3": pytest.approx(2 / 3),
        "mrr": pytest.approx((1 + 1 / 2) / 3),
    }
    assert overall["ranker"] == {
        "n": 3,
        "acc@1": 0.0,
        "acc@3": pytest.approx(2 / 3),
        "mrr": pytest.approx((1 / 3 + 1 / 2) / 3),
    }
    assert overall["naive_reachable"]["acc@1"] == pytest.approx(1 / 2)
    assert report["projects"]["p"]["n"] == 2 and report["held_out"]["n"] == 1 and report["tuning"]["n"] == 2
    assert report["held_out"]["reachable"] == 0.0
    assert gap_closed(overall) == pytest.approx((0 - 1 / 3) / (2 / 3 - 1 / 3))


def test_row_selection_and_corpus_fault() -> None:
    corpus_row = {"log": EVAL_LOG_A, "meta": {"fault": {"class": "com.acme.a.Beta", "method": "second"}}}
    assert row_fix_methods(corpus_row) == ["com.acme.a.Beta.second"]
    assertion = {
        "log": "x",
        "kind": "test_failure",
        "top_exception": "org.junit.ComparisonFailure",
        "fix_methods": ["a.B.c"],
    }
    logged = {"log": "x", "kind": "logged_trace", "fix_methods": ["a.B.c"]}
    assert select_locate_rows([corpus_row, assertion, logged]) == [corpus_row]
    assert select_locate_rows([assertion], include_assertions=True) == [assertion]
    assert [c.key for c in candidates(parse_trace(EVAL_LOG_A))] == [
        "com.acme.a.Alpha.first",
        "com.acme.a.Beta.second",
        "com.acme.a.Gamma.third",
    ]


def test_exception_translation_is_not_a_validation_check() -> None:
    # A Spring-style translation frame throws the wrapper; the service that ran the query is where to look, and its
    # controller did not pass input to a check that rejected it.
    trace = """\
org.springframework.dao.QueryTimeoutException: statement timed out; nested exception is java.sql.SQLException: x
\tat org.springframework.orm.jpa.vendor.HibernateJpaDialect.convertHibernateAccessException(HibernateJpaDialect.java:9)
\tat com.acme.ledger.LedgerService.post(LedgerService.java:88)
\tat com.acme.ledger.LedgerController.submit(LedgerController.java:31)
Caused by: java.sql.SQLException: x
\tat org.postgresql.core.QueryExecutorImpl.execute(QueryExecutorImpl.java:70)
\t... 3 more
"""
    ranked = rank_frames(parse_trace(trace))
    assert [item.qualified_method for item in ranked[:2]] == [
        "com.acme.ledger.LedgerService.post",
        "com.acme.ledger.LedgerController.submit",
    ]
    assert "passed input to a check that rejected it" not in ranked[1].reasons

    def app_features(text: str) -> dict[str, dict[str, float]]:
        found = candidates(parse_trace(text))
        return {c.frame.method: c.features for c in found if c.frame.class_name.startswith("com.acme.")}

    callers = ("\tat com.acme.ledger.LedgerRepository.save(LedgerRepository.java:20)\n"
               "\tat com.acme.ledger.LedgerService.post(LedgerService.java:44)\n")
    library_check = ("java.lang.IllegalStateException: failed\n"
                     "\tat io.netty.util.internal.ObjectUtil.checkState(ObjectUtil.java:5)\n")
    # (trace, whether `save` is the checker and `post` calls one)
    cases = [
        # Without a printed cause, the translator's name alone says it is no check ...
        ("org.springframework.dao.DataIntegrityViolationException: duplicate key\n"
         "\tat org.springframework.dao.support.DataAccessUtils.translateIfNecessary(DataAccessUtils.java:5)\n"
         + callers, 0.0),
        # ... a library frame that rethrows a caught cause is no check, whatever its name ...
        (library_check + callers + "Caused by: java.io.IOException: disk full\n"
         "\tat com.acme.ledger.Journal.append(Journal.java:7)\n\t... 2 more\n", 0.0),
        # ... while the same library check rejecting input on its own still makes the caller the one that passed it.
        (library_check + callers, 1.0),
    ]
    for text, checker in cases:
        features = app_features(text)
        assert features["save"]["checker"] == checker and features["post"]["calls_checker"] == checker, text


def test_stack_overflow_points_at_the_recursion_not_the_top_frames() -> None:
    cycle = "".join(
        "\tat com.acme.tree.Node.depth(Node.java:30)\n\tat com.acme.tree.Node.visit(Node.java:22)\n" for _ in range(6)
    )
    trace = (
        "java.lang.StackOverflowError\n"
        "\tat java.util.HashMap.hash(HashMap.java:339)\n"
        "\tat com.acme.tree.Labels.lookup(Labels.java:12)\n"
        "\tat com.acme.tree.Node.label(Node.java:40)\n" + cycle
    )
    ranked = rank_frames(parse_trace(trace))
    assert {item.frame.method for item in ranked[:2]} == {"depth", "visit"}
    assert "repeats in the recursion that overflowed the stack" in ranked[0].reasons
    # The same frames without the overflow: the top application frame leads, as for any other exception.
    assert rank_frames(parse_trace(trace.replace("StackOverflowError", "IllegalStateException")))[0].frame.method == (
        "lookup"
    )


def test_evaluate_locate_file_and_markdown_report(tmp_path: Path) -> None:
    rows = [invented_row(n, "alpha" if n < 3 else "gamma", 1) for n in range(5)]
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    # A saved ranker that prefers the second application frame finds every fix; the rules and the naive rule do not.
    save_ranker(LinearRanker({"second_app": 5.0}), tmp_path / "ranker")
    report = evaluate_locate_file(path, tmp_path / "ranker", held_out_projects=["gamma"])
    assert report["rows_used"] == 5 and report["held_out"]["n"] == 2 and report["tuning"]["bugs"]["n"] == 3
    assert report["held_out"]["ranker"]["acc@1"] == 1.0 and report["held_out"]["naive"]["acc@1"] == 0.0
    assert report["all"]["rules"]["acc@1"] < 1.0
    assert gap_closed(report["held_out"]) == 1.0
    table = format_locate_report(report).splitlines()
    assert table[0].startswith("| rows | n | ceiling | naive acc@1 | rules acc@1 |")
    assert set(table[1]) == {"|", "-"} and table[1].count("|") == table[0].count("|")
    assert any(line.startswith("| held_out, once per bug | 2 | 1.000 | 0.000 |") for line in table)
    rules_only = evaluate_locate_file(path, None)
    assert rules_only["all"]["ranker"] == rules_only["all"]["rules"] and "held_out" not in rules_only


@pytest.mark.skipif(not DEV_SET.is_file(), reason="../shared/data/bugsjar_dev.jsonl is not present")
def test_rules_beat_the_naive_rule_on_real_traces() -> None:
    report = evaluate_locate_file(DEV_SET, None, held_out_projects=HELD_OUT)
    for block in (report["all"], report["held_out"], report["held_out"]["bugs"]):
        assert block["rules"]["acc@1"] > block["naive"]["acc@1"] + 0.05
        assert block["rules"]["acc@3"] >= block["naive"]["acc@3"]
    assert gap_closed(report["held_out"], "rules") >= 0.5  # per row, on projects no rule was chosen with


def invented_row(number: int, project: str, fixed_position: int) -> dict:
    """A failing test whose trace has three application frames; the fix is the frame at `fixed_position`."""
    names = [f"com.acme.p{number}.Service{number}.step{index}" for index in range(3)]
    frames = "".join(f"\tat {name}(Service{number}.java:{10 + index})\n" for index, name in enumerate(names))
    test_frame = f"\tat com.acme.p{number}.Service{number}Test.run1(X.java:1)\n"
    log = f"java.lang.IllegalStateException: case {number}\n{frames}{test_frame}"
    return {
        "id": f"r{number}",
        "project": project,
        "bug_id": f"B{number}",
        "kind": "test_failure",
        "top_exception": "java.lang.IllegalStateException",
        "log": log,
        "fix_methods": [names[fixed_position]],
    }


def corpus_row(number: int, fixed_position: int) -> dict:
    row = invented_row(number, "x", fixed_position)
    fault_class, _, fault_method = row["fix_methods"][0].rpartition(".")
    fault = {"class": fault_class, "method": fault_method, "file": "S.java", "line": 10 + fixed_position}
    return {"id": f"c{number}", "log": row["log"], "label": "IllegalStateException", "meta": {"fault": fault}}


def run_train_locator(monkeypatch: pytest.MonkeyPatch, *args: str) -> None:
    import train_locator

    monkeypatch.setattr("sys.argv", ["train_locator.py", *args])
    train_locator.main()


def test_train_locator_fits_on_the_corpus_and_only_selects_with_real_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = [corpus_row(n, 1) for n in range(10, 16)] + [{"id": "c99", "log": "no trace", "meta": {"fault": None}}]
    # Real tuning rows agree with the corpus (the fix is the second frame); the held-out project's row too.
    real = [invented_row(n, "alpha" if n % 2 else "beta", 1) for n in range(6)] + [invented_row(9, "gamma", 1)]
    for name, rows in (("real.jsonl", real), ("corpus.jsonl", corpus)):
        (tmp_path / name).write_text("".join(json.dumps(row) + "\n" for row in rows))
    common = ["--corpus_file", str(tmp_path / "corpus.jsonl"), "--held_out_projects", "gamma"]

    selected_dir = tmp_path / "selected"
    run_train_locator(
        monkeypatch, *common, "--selection_file", str(tmp_path / "real.jsonl"), "--l2_grid", "0.01", "100",
        "--output_dir", str(selected_dir),
    )
    metadata = json.loads((selected_dir / "analyzer_metadata.json").read_text())
    assert metadata["task"] == "locate" and metadata["training"]["corpus_examples"] == 6
    assert "selection_file" in metadata["training"] and metadata["held_out_projects"] == ["gamma"]
    selection = metadata["metrics"]["selection"]
    assert [row["config"] for row in selection][0] == "corpus l2=0.01"  # rules pick the thrower: worse here
    assert {row["config"] for row in selection} == {"rules", "corpus l2=0.01", "corpus l2=100.0"}
    results = json.loads((selected_dir / "locate_results.json").read_text())
    assert results["real"]["held_out"]["n"] == 1 and results["real"]["held_out"]["ranker"]["acc@1"] == 1.0
    assert results["real"]["held_out"]["rules"]["acc@1"] == 0.0

    # The real rows never train: without them the same L2 gives the very same weights.
    plain_dir = tmp_path / "plain"
    run_train_locator(monkeypatch, *common, "--l2", "0.01", "--output_dir", str(plain_dir))
    assert load_ranker(plain_dir).weights == load_ranker(selected_dir).weights
    plain = json.loads((plain_dir / "analyzer_metadata.json").read_text())
    assert plain["metrics"]["chosen"] == "corpus l2=0.01" and "selection_file" not in plain["training"]
    assert first_hit_rank(ranking_examples([real[-1]])[0][0], load_ranker(plain_dir)) == 0


def test_train_locator_default_config_needs_no_real_file() -> None:
    import yaml

    config = yaml.safe_load((Path(__file__).resolve().parents[1] / "configs" / "locate.yaml").read_text())
    assert config["selection_file"] is None and config["corpus_file"] == "data/corpus/train.jsonl"


def test_evaluate_script_locate_task(tmp_path):
    """`evaluate.py --task locate` on corpus-style rows (meta.fault) scores the rules and writes its report."""
    import json

    import evaluate

    trace = (
        "java.lang.IllegalStateException: ledger closed\n"
        "\tat com.acme.ledger.Ledger.post(Ledger.java:40)\n"
        "\tat com.acme.ledger.LedgerService.book(LedgerService.java:22)\n"
        "\tat java.base/java.lang.Thread.run(Thread.java:833)\n"
    )
    rows = [
        {"id": str(i), "log": trace, "label": "IllegalStateException",
         "meta": {"fault": {"class": "com.acme.ledger.Ledger", "method": "post", "file": "Ledger.java", "line": 40}}}
        for i in range(3)
    ]
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    report = evaluate.main(["--task", "locate", "--input", str(path), "--locator", "rules",
                            "--output_dir", str(tmp_path / "report")])
    assert report["locator"] == "rules"
    assert (tmp_path / "report" / "report.md").is_file()
    assert "| rows | n |" in (tmp_path / "report" / "report.md").read_text()


# ---------------------------------------------------------------------------------------------------------------
# The location is relative to the log's own application (issue 12 §2). Every trace below was written for these tests.
# ---------------------------------------------------------------------------------------------------------------

JUNIT3_UNDER_ANT = """\
	at sun.reflect.NativeMethodAccessorImpl.invoke0(Native Method)
	at sun.reflect.NativeMethodAccessorImpl.invoke(NativeMethodAccessorImpl.java:62)
	at java.lang.reflect.Method.invoke(Method.java:498)
	at junit.framework.TestCase.runTest(TestCase.java:154)
	at junit.framework.TestCase.runBare(TestCase.java:127)
	at junit.framework.TestResult$1.protect(TestResult.java:106)
	at junit.framework.TestResult.runProtected(TestResult.java:124)
	at junit.framework.TestResult.run(TestResult.java:109)
	at junit.framework.TestCase.run(TestCase.java:118)
	at junit.framework.TestSuite.runTest(TestSuite.java:208)
	at junit.framework.TestSuite.run(TestSuite.java:203)
	at org.apache.tools.ant.taskdefs.optional.junit.JUnitTestRunner.run(JUnitTestRunner.java:535)
	at org.apache.tools.ant.taskdefs.optional.junit.JUnitTestRunner.launch(JUnitTestRunner.java:1182)
	at org.apache.tools.ant.taskdefs.optional.junit.JUnitTestRunner.main(JUnitTestRunner.java:1033)
"""

JUNIT5_UNDER_GRADLE = """\
	at java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)
	at java.base/java.lang.reflect.Method.invoke(Method.java:580)
	at org.junit.platform.commons.util.ReflectionUtils.invokeMethod(ReflectionUtils.java:728)
	at org.junit.jupiter.engine.execution.MethodInvocation.proceed(MethodInvocation.java:60)
	at org.junit.jupiter.engine.descriptor.TestMethodTestDescriptor.execute(TestMethodTestDescriptor.java:68)
	at org.junit.platform.engine.support.hierarchical.NodeTestTask.executeRecursively(NodeTestTask.java:151)
	at org.junit.platform.launcher.core.DefaultLauncher.execute(DefaultLauncher.java:86)
	at org.gradle.api.internal.tasks.testing.junitplatform.JUnitPlatformTestClassProcessor$CollectAllTestClassesExecutor.processAllTestClasses(JUnitPlatformTestClassProcessor.java:119)
	at org.gradle.api.internal.tasks.testing.SuiteTestClassProcessor.stop(SuiteTestClassProcessor.java:62)
	at java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)
	at org.gradle.internal.dispatch.ReflectionDispatch.dispatch(ReflectionDispatch.java:36)
	at jdk.proxy1/jdk.proxy1.$Proxy4.stop(Unknown Source)
	at org.gradle.api.internal.tasks.testing.worker.TestWorker$3.run(TestWorker.java:193)
	at org.gradle.process.internal.worker.child.ActionExecutionWorker.execute(ActionExecutionWorker.java:56)
	at worker.org.gradle.process.internal.worker.GradleWorkerMain.run(GradleWorkerMain.java:69)
	at worker.org.gradle.process.internal.worker.GradleWorkerMain.main(GradleWorkerMain.java:74)
"""

TESTNG_UNDER_SUREFIRE = """\
	at java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)
	at java.base/java.lang.reflect.Method.invoke(Method.java:568)
	at org.testng.internal.invokers.MethodInvocationHelper.invokeMethod(MethodInvocationHelper.java:139)
	at org.testng.internal.invokers.TestInvoker.invokeMethod(TestInvoker.java:677)
	at org.testng.TestRunner.run(TestRunner.java:585)
	at org.testng.TestNG.runSuitesLocally(TestNG.java:1110)
	at org.testng.TestNG.run(TestNG.java:1078)
	at org.apache.maven.surefire.testng.TestNGExecutor.run(TestNGExecutor.java:135)
	at org.apache.maven.surefire.testng.TestNGProvider.invoke(TestNGProvider.java:122)
	at org.apache.maven.surefire.booter.ForkedBooter.main(ForkedBooter.java:495)
"""


def test_ant_junit_runner_is_never_the_location() -> None:
    # The failure is in the test's own fixture: no application frame at all. Before, Ant's runner (not on the library
    # list) was the only "application" frame and won; the test's setUp is the only code of the project here.
    fixture = """\
java.lang.NullPointerException
	at com.acme.cache.LruCacheTest.setUp(LruCacheTest.java:21)
	at junit.framework.TestCase.runBare(TestCase.java:125)
	at junit.framework.TestResult$1.protect(TestResult.java:106)
	at junit.framework.TestResult.runProtected(TestResult.java:124)
	at junit.framework.TestResult.run(TestResult.java:109)
	at junit.framework.TestCase.run(TestCase.java:118)
	at org.apache.tools.ant.taskdefs.optional.junit.JUnitTestRunner.run(JUnitTestRunner.java:535)
	at org.apache.tools.ant.taskdefs.optional.junit.JUnitTestRunner.main(JUnitTestRunner.java:1033)
"""
    assert methods(fixture) == ["com.acme.cache.LruCacheTest.setUp"]
    # With the cache's own frames, the cache is the location and Ant stays out of the candidates.
    evicting = f"""\
java.lang.IllegalStateException: evicted entry still referenced
	at com.acme.cache.LruCache.evictEldest(LruCache.java:88)
	at com.acme.cache.LruCache.put(LruCache.java:41)
	at com.acme.cache.LruCacheTest.testPutBeyondCapacity(LruCacheTest.java:47)
{JUNIT3_UNDER_ANT}"""
    found = methods(evicting)
    assert found[0].startswith("com.acme.cache.LruCache.")
    assert not [name for name in found if name.startswith(("org.apache.tools.ant.", "junit."))]
    assert naive_frames(parse_trace(fixture)) == []  # the naive rule skips runners and test code too


def test_gradle_worker_is_never_the_location() -> None:
    # A JUnit 5 test under a Gradle worker whose only project frames are the test's: before, Gradle's worker
    # (`worker.org.gradle...`, a plain library frame) outranked the test method.
    trace = f"""\
java.lang.ArithmeticException: / by zero
	at com.acme.stats.MeanCalculatorTest.lambda$emptySample$0(MeanCalculatorTest.java:33)
	at com.acme.stats.MeanCalculatorTest.emptySample(MeanCalculatorTest.java:33)
{JUNIT5_UNDER_GRADLE}"""
    found = methods(trace)
    assert found[0].startswith("com.acme.stats.MeanCalculatorTest.")
    assert not [name for name in found if "gradle" in name or name.startswith("org.junit.")]


def test_testng_test_method_is_test_code_whatever_its_class_is_called() -> None:
    # TestNG specs are often not named *Test. The method the runner invoked is the test, and so is its class:
    # before, `CheckoutSpec` counted as application code and, as the caller of the failing check, won.
    trace = f"""\
java.lang.IllegalArgumentException: quantity must be positive
	at com.google.common.base.Preconditions.checkArgument(Preconditions.java:141)
	at com.acme.shop.Cart.add(Cart.java:52)
	at com.acme.shop.CheckoutSpec.givenCartWith(CheckoutSpec.java:88)
	at com.acme.shop.CheckoutSpec.rejectsNegativeQuantities(CheckoutSpec.java:40)
{TESTNG_UNDER_SUREFIRE}"""
    ranked = rank_frames(parse_trace(trace))
    assert ranked[0].qualified_method == "com.acme.shop.Cart.add"
    spec = [item for item in ranked if item.frame.class_name == "com.acme.shop.CheckoutSpec"]
    assert len(spec) == 2 and all("test code" in item.reasons for item in spec)
    assert not [item for item in ranked if item.frame.class_name.startswith(("org.testng.", "org.apache.maven."))]


def test_a_frameworks_own_test_suite_locates_in_the_framework() -> None:
    # jackson-databind's own tests: every frame is on the framework list. Before, the whole trace was "library code"
    # and Ant's runner, the only frame off the list, was the location.
    trace = f"""\
com.fasterxml.jackson.databind.exc.InvalidDefinitionException: Cannot construct instance of `Point`
	at com.fasterxml.jackson.databind.exc.InvalidDefinitionException.from(InvalidDefinitionException.java:67)
	at com.fasterxml.jackson.databind.DeserializationContext.reportBadDefinition(DeserializationContext.java:1452)
	at com.fasterxml.jackson.databind.deser.BasicDeserializerFactory._addExplicitDelegatingCreator(BasicDeserializerFactory.java:412)
	at com.fasterxml.jackson.databind.deser.BasicDeserializerFactory._constructDefaultValueInstantiator(BasicDeserializerFactory.java:267)
	at com.fasterxml.jackson.databind.deser.BeanDeserializerFactory.createBeanDeserializer(BeanDeserializerFactory.java:142)
	at com.fasterxml.jackson.databind.ObjectMapper._readMapAndClose(ObjectMapper.java:4013)
	at com.fasterxml.jackson.databind.ObjectMapper.readValue(ObjectMapper.java:3004)
	at com.fasterxml.jackson.databind.creators.TestCreatorsDelegating.testDelegatingWithInjectables(TestCreatorsDelegating.java:120)
{JUNIT3_UNDER_ANT}"""
    ranked = rank_frames(parse_trace(trace))
    assert ranked[0].frame.class_name.startswith("com.fasterxml.jackson.databind.")
    assert ranked[0].frame.method != "from"  # the exception's factory is not where a fix goes
    assert all("library code" not in item.reasons for item in ranked)
    assert "in the application's own packages" in ranked[0].reasons
    test = next(item for item in ranked if item.frame.method == "testDelegatingWithInjectables")
    assert "test code" in test.reasons
    # A mocking library's own suite: the test class in org.mockito makes org.mockito the application.
    mockito = f"""\
org.mockito.exceptions.base.MockitoException: Cannot instantiate @InjectMocks field named 'service'
	at org.mockito.internal.util.reflection.FieldInitializer.acquireFieldInstance(FieldInitializer.java:101)
	at org.mockito.internal.util.reflection.FieldInitializer.initialize(FieldInitializer.java:60)
	at org.mockito.internal.util.reflection.FieldInitializerTest.should_instantiate_inner_class(FieldInitializerTest.java:75)
{RUNNER}"""
    assert methods(mockito)[0] == "org.mockito.internal.util.reflection.FieldInitializer.acquireFieldInstance"


def test_kafka_deserialization_locates_the_application_consumer_not_jackson() -> None:
    # Jackson failed inside Kafka's poll; the application's only frame is the consumer loop that called the library.
    trace = """\
org.apache.kafka.common.errors.RecordDeserializationException: Error deserializing key/value for partition orders-0 at offset 42
	at org.apache.kafka.clients.consumer.internals.CompletedFetch.parseRecord(CompletedFetch.java:331)
	at org.apache.kafka.clients.consumer.internals.CompletedFetch.fetchRecords(CompletedFetch.java:283)
	at org.apache.kafka.clients.consumer.internals.FetchCollector.collectFetch(FetchCollector.java:110)
	at org.apache.kafka.clients.consumer.KafkaConsumer.poll(KafkaConsumer.java:814)
	at com.acme.orders.OrderEventConsumer.pollOnce(OrderEventConsumer.java:57)
	at com.acme.orders.OrderEventConsumer.run(OrderEventConsumer.java:41)
	at java.base/java.lang.Thread.run(Thread.java:840)
Caused by: com.fasterxml.jackson.databind.exc.MismatchedInputException: Cannot deserialize value of type `com.acme.orders.OrderEvent` from Array value (token `JsonToken.START_ARRAY`)
	at com.fasterxml.jackson.databind.exc.MismatchedInputException.from(MismatchedInputException.java:59)
	at com.fasterxml.jackson.databind.DeserializationContext.reportInputMismatch(DeserializationContext.java:1767)
	at com.fasterxml.jackson.databind.DeserializationContext.handleUnexpectedToken(DeserializationContext.java:1541)
	at com.fasterxml.jackson.databind.deser.BeanDeserializer.deserializeFromArray(BeanDeserializer.java:653)
	at com.fasterxml.jackson.databind.ObjectMapper._readMapAndClose(ObjectMapper.java:4825)
	at com.fasterxml.jackson.databind.ObjectMapper.readValue(ObjectMapper.java:3809)
	at org.springframework.kafka.support.serializer.JsonDeserializer.deserialize(JsonDeserializer.java:580)
	at org.apache.kafka.common.serialization.Deserializer.deserialize(Deserializer.java:73)
	at org.apache.kafka.clients.consumer.internals.CompletedFetch.parseRecord(CompletedFetch.java:321)
	... 5 more
"""
    parsed = parse_trace(trace)
    assert locate(parsed).qualified_method == "com.acme.orders.OrderEventConsumer.pollOnce"
    # Whatever the weights: a ranker that trusts the root cause above all (as one fitted on faults that sit there
    # learns to) still cannot put the location inside Jackson or Kafka while the application has a frame.
    root_first = LinearRanker({"root_section": 10.0, "callee_outside": 1.0})
    ranked = rank_frames(parsed, ranker=root_first)
    assert ranked[0].qualified_method == "com.acme.orders.OrderEventConsumer.pollOnce"
    assert "called library code that failed" in ranked[0].reasons
    assert all(item.frame.class_name.startswith("com.acme.") for item in ranked)


def test_app_packages_override_the_inference() -> None:
    # A sample application that lives under a framework's package and calls an unlisted SDK heavily: inferred, the
    # SDK is the dominant family and Spring's own code is library, so the SDK's frame was chosen.
    trace = """\
java.lang.IllegalStateException: no price for SKU-17
	at com.partnerpay.sdk.PriceTable.lookup(PriceTable.java:77)
	at com.partnerpay.sdk.PriceTable.priceOf(PriceTable.java:52)
	at com.partnerpay.sdk.Quote.total(Quote.java:30)
	at org.springframework.samples.shop.QuoteService.quote(QuoteService.java:44)
	at org.springframework.samples.shop.QuoteController.show(QuoteController.java:28)
	at org.springframework.web.method.support.InvocableHandlerMethod.doInvoke(InvocableHandlerMethod.java:205)
	at org.springframework.web.servlet.DispatcherServlet.doDispatch(DispatcherServlet.java:1072)
	at org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:166)
	at java.base/java.lang.Thread.run(Thread.java:840)
"""
    parsed = parse_trace(trace)
    assert rank_frames(parsed)[0].frame.class_name.startswith("com.partnerpay.")
    overridden = rank_frames(parsed, app_packages=["org.springframework.samples.shop"])
    assert overridden[0].qualified_method == "org.springframework.samples.shop.QuoteService.quote"
    assert "first frame of the application's own packages" in overridden[0].reasons
    # Given packages are the whole application: the SDK is a library now, offered only when nothing else is.
    assert not [item for item in overridden if item.frame.class_name.startswith("com.partnerpay.")]
    # A learned ranker can carry the option (train_locator's `app_packages`), saved with its weights.
    carried = LinearRanker(dict(RULE_WEIGHTS), app_packages=("org.springframework.samples.shop",))
    assert locate(parsed, ranker=carried).qualified_method == "org.springframework.samples.shop.QuoteService.quote"


SAMPLE_APP = """\
java.lang.IllegalStateException: no price for SKU-17
	at com.partnerpay.sdk.PriceTable.lookup(PriceTable.java:77)
	at com.partnerpay.sdk.PriceTable.priceOf(PriceTable.java:52)
	at org.springframework.samples.shop.QuoteService.quote(QuoteService.java:44)
	at org.springframework.web.servlet.DispatcherServlet.doDispatch(DispatcherServlet.java:1072)
	at java.base/java.lang.Thread.run(Thread.java:840)
"""


def test_app_packages_reach_predict_evaluate_and_a_saved_ranker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import evaluate
    import predict

    quote = "org.springframework.samples.shop.QuoteService.quote"
    # A ranker saved with the packages applies them to every trace it ranks after loading.
    save_ranker(LinearRanker(dict(RULE_WEIGHTS), app_packages=("org.springframework.samples",)), tmp_path / "r")
    assert load_ranker(tmp_path / "r").app_packages == ("org.springframework.samples",)
    assert locate(parse_trace(SAMPLE_APP), ranker=load_ranker(tmp_path / "r")).qualified_method == quote

    fault = {"class": "org.springframework.samples.shop.QuoteService", "method": "quote"}
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({"id": "q1", "log": SAMPLE_APP, "meta": {"fault": fault}}) + "\n")
    common = ["--task", "locate", "--input", str(rows), "--locator", "rules", "--output_dir", str(tmp_path / "e")]
    assert evaluate.main(common)["all"]["rules"]["acc@1"] == 0.0
    report = evaluate.main([*common, "--app_packages", "org.springframework.samples.shop"])
    assert report["all"]["rules"]["acc@1"] == 1.0 and report["app_packages"] == ["org.springframework.samples.shop"]

    log = tmp_path / "app.log"
    log.write_text(SAMPLE_APP)
    output = tmp_path / "out.jsonl"
    argv = ["predict.py", "--input", str(log), "--no_model", "--output", str(output)]
    monkeypatch.setattr("sys.argv", [*argv, "--app_packages", "org.springframework.samples.shop"])
    assert predict.main() == 0
    record = json.loads(output.read_text().splitlines()[0])
    assert f"{record['location']['class']}.{record['location']['method']}" == quote


def test_train_locator_saves_the_configured_app_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(corpus_row(n, 1)) + "\n" for n in range(10, 14)))
    run_train_locator(
        monkeypatch, "--corpus_file", str(corpus), "--app_packages", "com.acme", "--output_dir", str(tmp_path / "m")
    )
    assert load_ranker(tmp_path / "m").app_packages == ("com.acme",)


def test_code_a_build_tool_calls_is_not_a_test() -> None:
    # A custom Ant task fails in a build: Ant is never the location, but unlike a test runner it calls plugin code,
    # which stays application code (a test runner's callee would be read as a test method).
    trace = """\
java.lang.IllegalArgumentException: missing attribute 'target'
	at com.acme.build.DeployTask.checkAttributes(DeployTask.java:61)
	at com.acme.build.DeployTask.execute(DeployTask.java:40)
	at org.apache.tools.ant.UnknownElement.execute(UnknownElement.java:292)
	at sun.reflect.NativeMethodAccessorImpl.invoke0(Native Method)
	at java.lang.reflect.Method.invoke(Method.java:498)
	at org.apache.tools.ant.dispatch.DispatchUtils.execute(DispatchUtils.java:106)
	at org.apache.tools.ant.Task.perform(Task.java:348)
	at org.apache.tools.ant.Project.executeTarget(Project.java:1435)
	at org.apache.tools.ant.launch.Launcher.main(Launcher.java:284)
"""
    ranked = rank_frames(parse_trace(trace))
    assert {item.frame.class_name for item in ranked} == {"com.acme.build.DeployTask"}
    assert all("test code" not in item.reasons for item in ranked)


def test_every_feature_has_one_weight_and_is_computed() -> None:
    # The feature table (utils/locate/features.yaml) is the one place a feature is named and weighted: every
    # candidate of a chained trace with a test carries exactly the table's features, each with a rule weight.
    trace = parse_trace(
        """\
org.apache.ibatis.exceptions.PersistenceException: could not save
	at com.acme.billing.LedgerService.save(LedgerService.java:40)
	at com.acme.billing.LedgerServiceTest.savesEntries(LedgerServiceTest.java:21)
Caused by: java.lang.IllegalArgumentException: amount must be positive
	at com.google.common.base.Preconditions.checkArgument(Preconditions.java:122)
	at com.acme.billing.Ledger.post(Ledger.java:88)
	at com.acme.billing.LedgerService.save(LedgerService.java:38)
	... 1 more
"""
        + RUNNER
    )
    from utils.locate import REASONS, load_features

    found = candidates(trace, "IllegalArgumentException")
    assert found
    assert all(list(candidate.features) and set(candidate.features) == set(FEATURE_NAMES) for candidate in found)
    assert list(RULE_WEIGHTS) == list(FEATURE_NAMES)
    assert set(REASONS) <= set(FEATURE_NAMES)
    assert [feature.name for feature in load_features()] == list(FEATURE_NAMES)


def test_a_malformed_feature_table_fails_naming_the_file(tmp_path: Path) -> None:
    from utils.locate import load_features

    table = tmp_path / "features.yaml"
    table.write_text("features:\n  - {name: library, weight: heavy}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=str(table)):
        load_features(table)
    table.write_text("features:\n  - {name: library, weight: 1}\n  - {name: library, weight: 2}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="named twice"):
        load_features(table)


def test_the_exception_class_feature_reads_the_parsers_throwable_suffixes() -> None:
    # One suffix rule (utils/stacktrace.THROWABLE_SUFFIXES): a frame in an exception's own class, or in a plural
    # helper (`Errors`), is marked, whichever throwable suffix it ends with.
    trace = parse_trace(
        """\
java.lang.IllegalStateException: broken
	at com.acme.ValidationFault.<init>(ValidationFault.java:5)
	at com.acme.Errors.reject(Errors.java:9)
	at com.acme.Orders.place(Orders.java:12)
"""
    )
    marked = {candidate.frame.class_name: candidate.features["exception_class"] for candidate in candidates(trace)}
    assert marked == {"com.acme.ValidationFault": 1.0, "com.acme.Errors": 1.0, "com.acme.Orders": 0.0}


@pytest.mark.parametrize(("trace_text", "expected"), [
    ("""java.lang.NullPointerException: Attempt to invoke virtual method 'int java.lang.String.length()' on a null object reference
\tat com.acme.bank.ui.TransferForm.validate(TransferForm.java:42)
\tat com.acme.bank.ui.TransferForm.onClick(TransferForm.java:17)
\tat android.view.View.performClick(View.java:7448)
\tat android.os.Handler.handleCallback(Handler.java:938)
\tat android.os.Looper.loop(Looper.java:223)
\tat com.android.internal.os.ZygoteInit.main(ZygoteInit.java:947)
""", "com.acme.bank.ui.TransferForm.validate"),
    ("""java.util.NoSuchElementException: key not found: settlement.timeout
\tat scala.collection.immutable.Map$Map1.apply(Map.scala:163)
\tat com.acme.bank.Settings$.timeout(Settings.scala:22)
\tat com.acme.bank.Settler.run(Settler.scala:40)
\tat akka.actor.Actor.aroundReceive(Actor.scala:537)
\tat akka.dispatch.Mailbox.run(Mailbox.scala:231)
""", "com.acme.bank.Settings$.timeout"),
])
def test_a_framework_at_the_bottom_of_the_stack_is_not_the_application(trace_text: str, expected: str) -> None:
    # Android's ZygoteInit and Akka's mailbox run every frame above them; before they were listed as library code,
    # the entry point's package (com.android.internal.os, akka.dispatch) was taken for the application's.
    assert methods(trace_text)[0] == expected

