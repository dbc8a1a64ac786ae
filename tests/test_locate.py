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
from utils.stacktrace import parse_trace

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

    # Without a printed cause, the translator's name alone says it is no check ...
    translated = app_features(
        "org.springframework.dao.DataIntegrityViolationException: duplicate key\n"
        "\tat org.springframework.dao.support.DataAccessUtils.translateIfNecessary(DataAccessUtils.java:5)\n"
        "\tat com.acme.ledger.LedgerRepository.save(LedgerRepository.java:20)\n"
        "\tat com.acme.ledger.LedgerService.post(LedgerService.java:44)\n"
    )
    assert translated["save"]["checker"] == 0.0 and translated["post"]["calls_checker"] == 0.0
    # ... a library frame that rethrows a caught cause is no check, whatever its name ...
    rethrown = app_features(
        "java.lang.IllegalStateException: failed\n"
        "\tat io.netty.util.internal.ObjectUtil.checkState(ObjectUtil.java:5)\n"
        "\tat com.acme.ledger.LedgerRepository.save(LedgerRepository.java:20)\n"
        "\tat com.acme.ledger.LedgerService.post(LedgerService.java:44)\n"
        "Caused by: java.io.IOException: disk full\n"
        "\tat com.acme.ledger.Journal.append(Journal.java:7)\n"
        "\t... 2 more\n"
    )
    assert rethrown["save"]["checker"] == 0.0 and rethrown["post"]["calls_checker"] == 0.0
    # ... while the same library check rejecting input on its own still makes the caller the one that passed it.
    checked = app_features(
        "java.lang.IllegalStateException: failed\n"
        "\tat io.netty.util.internal.ObjectUtil.checkState(ObjectUtil.java:5)\n"
        "\tat com.acme.ledger.LedgerRepository.save(LedgerRepository.java:20)\n"
        "\tat com.acme.ledger.LedgerService.post(LedgerService.java:44)\n"
    )
    assert checked["save"]["checker"] == 1.0 and checked["post"]["calls_checker"] == 1.0


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
