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
    first_hit_rank,
    fit_ranker,
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


@pytest.mark.skipif(not DEV_SET.is_file(), reason="../shared/data/bugsjar_dev.jsonl is not present")
def test_ranker_beats_the_naive_rule_on_real_traces() -> None:
    rows = select_locate_rows(json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines())
    tuning = [row for row in rows if row["project"] not in HELD_OUT]
    rules_report = evaluate_locate(rows, None, held_out_projects=HELD_OUT)
    for block in ("all", "held_out"):
        assert rules_report[block]["ranker"]["acc@1"] > rules_report[block]["naive"]["acc@1"] + 0.05
        assert rules_report[block]["ranker"]["acc@3"] >= rules_report[block]["naive"]["acc@3"]
    examples, _ = ranking_examples(tuning)
    learned = fit_ranker(examples, l2=0.03)
    held_out = evaluate_locate([row for row in rows if row["project"] in HELD_OUT], learned)["all"]
    assert held_out["ranker"]["acc@1"] > held_out["naive"]["acc@1"] + 0.1
    assert gap_closed(held_out) >= 0.5


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


def test_train_locator_script_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import train_locator

    real = [invented_row(n, "alpha" if n % 2 else "beta", 1) for n in range(8)] + [invented_row(9, "gamma", 1)]
    corpus = [
        {
            "id": f"c{n}",
            "log": row["log"],
            "label": "IllegalStateException",
            "meta": {
                "fault": {
                    "class": row["fix_methods"][0].rsplit(".", 1)[0],
                    "method": "step1",
                    "file": "S.java",
                    "line": 11,
                }
            },
        }
        for n, row in enumerate(invented_row(n, "x", 1) for n in range(10, 14))
    ]
    for name, rows in (("real.jsonl", real), ("corpus.jsonl", corpus)):
        (tmp_path / name).write_text("".join(json.dumps(row) + "\n" for row in rows))
    output = tmp_path / "locate"
    monkeypatch.setattr(
        "sys.argv",
        [
            "train_locator.py",
            "--corpus_file",
            str(tmp_path / "corpus.jsonl"),
            "--real_file",
            str(tmp_path / "real.jsonl"),
            "--held_out_projects",
            "gamma",
            "--folds",
            "2",
            "--l2_grid",
            "0.01",
            "100",
            "--synthetic_weight_grid",
            "0",
            "1",
            "--output_dir",
            str(output),
        ],
    )
    train_locator.main()
    ranker = load_ranker(output)
    metadata = json.loads((output / "analyzer_metadata.json").read_text())
    assert metadata["held_out_projects"] == ["gamma"] and metadata["training"]["synthetic_examples"] == 4
    assert metadata["training"]["real_examples"] == 8  # gamma never trains
    selection = metadata["metrics"]["selection"]
    assert len(selection) == 1 + 2 * 2 and selection[0]["acc@1"] >= selection[-1]["acc@1"]
    results = json.loads((output / "locate_results.json").read_text())
    assert results["real"]["held_out"]["n"] == 1
    # Every invented fix is the second frame: a learned ranker must find it on the held-out row.
    assert results["real"]["held_out"]["ranker"]["acc@1"] == 1.0
    assert first_hit_rank(ranking_examples([real[-1]])[0][0], ranker) == 0
