"""Stage 2's scenario memory: recall of the most similar known scenario, leave-out at training, save and load."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from utils.report.summary import match_strength  # noqa: E402
from utils.stage2.guidance import format_guidance, format_location  # noqa: E402
from utils.stage2.scenarios import (  # noqa: E402
    _TOKEN_PATTERN,
    MEMORY_FILE,
    METHOD_SLOT,
    Recall,
    ScenarioMemory,
    TermWeights,
    fill_method_slot,
    format_recall,
    leaves_scenario_out,
    with_method_slot,
)
from utils.stage2.seq2seq import build_scenario_memory, choose_recall_threshold, stage2_example, use_recall  # noqa: E402


def _row(row_id: str, scenario: str, label: str, message: str, method: str, cause: str, fix: str,
         language: str = "en") -> dict:
    log = (f"java.lang.{label}: {message}\n"
           f"\tat com.acme.pay.Service.{method}(Service.java:12)\n"
           f"\tat com.acme.pay.Controller.handle(Controller.java:30)\n")
    location = format_location("Service.java", 12, f"com.acme.pay.Service.{method}")
    return {"id": row_id, "log": log, "label": label, "guidance": format_guidance(label, cause, location, fix),
            "meta": {"template": scenario, "language": language, "root_exception": f"java.lang.{label}",
                     "fault": {"class": "com.acme.pay.Service", "method": method, "file": "Service.java",
                               "line": 12}}}


ROWS = [
    _row("a1", "npe.token", "NullPointerException", "token is null", "login", "token is null in login",
         "Check token before login uses it"),
    _row("a2", "npe.token", "NullPointerException", "token is null", "refresh", "token is null in refresh",
         "Check token before refresh uses it"),
    _row("b1", "npe.map", "NullPointerException", "map lookup returned null for key", "price",
         "the map has no entry for the key in price", "Use getOrDefault in price"),
    _row("c1", "ise.closed", "IllegalStateException", "pool closed", "send", "the pool was closed before send",
         "Do not use the pool after shutdown"),
    _row("k1", "npe.token", "NullPointerException", "token is null", "login", "login에서 token이 null",
         "login 전에 token 검사", language="ko"),
]


@pytest.fixture(scope="module")
def memory() -> ScenarioMemory:
    return build_scenario_memory(ROWS)


def test_recall_takes_the_most_similar_entry_of_the_same_type_and_language(memory):
    recall = memory.recall("NullPointerException java.lang.NullPointerException token is null pay", "NullPointerException",
                           "en", method="logout")
    assert recall is not None and recall.scenario == "npe.token"
    assert recall.cause == "token is null in logout"  # the stored method name is a slot, filled with the new one
    assert recall.fix == "Check token before logout uses it"
    assert 0.0 < recall.similarity <= 1.0
    korean = memory.recall("token is null", "NullPointerException", "ko", method="pay")
    assert korean is not None and korean.cause == "pay에서 token이 null"
    other_type = memory.recall("token is null", "IllegalStateException", "en", method="x")
    assert other_type is not None and other_type.scenario == "ise.closed"  # never another type's text
    assert memory.recall("token is null", "SQLException", "en") is None  # nothing known of that type


def test_recall_leaves_out_a_row_or_its_whole_scenario(memory):
    text = "NullPointerException token is null"
    assert memory.recall(text, "NullPointerException", "en", exclude_id="a1").scenario == "npe.token"  # a2 left
    assert memory.recall(text, "NullPointerException", "en", exclude_scenario="npe.token").scenario == "npe.map"
    assert memory.recall(text, "IllegalStateException", "en", exclude_scenario="ise.closed") is None


def test_memory_keeps_at_most_per_scenario_entries_and_drops_repeats():
    copies = [dict(ROWS[0], id=f"copy{i}") for i in range(5)]
    [entry] = build_scenario_memory(copies).entries  # identical text, cause and fix: kept once, standing for 5
    assert entry["rows"] == 5
    # leaving one of the five rows out keeps the entry: the other four are the same scenario seen before
    assert build_scenario_memory(copies).recall("token", "NullPointerException", "en", exclude_id=entry["id"])
    assert build_scenario_memory(copies[:1]).recall("token", "NullPointerException", "en", exclude_id="copy0") is None
    varied = [_row(f"v{i}", "npe.token", "NullPointerException", f"token {i} is null", "login", "c", "f")
              for i in range(5)]
    assert len(build_scenario_memory(varied, per_scenario=3).entries) == 3
    with pytest.raises(ValueError, match="at least one entry"):
        ScenarioMemory([])


def test_memory_saves_as_json_and_loads_with_the_same_recalls(memory, tmp_path):
    path = memory.save(tmp_path)
    assert path.name == MEMORY_FILE and json.loads(path.read_text(encoding="utf-8"))["entries"]
    loaded = ScenarioMemory.load(tmp_path)
    for text, label, language in (("token is null", "NullPointerException", "en"),
                                  ("map lookup null key", "NullPointerException", "en"),
                                  ("token", "NullPointerException", "ko")):
        assert loaded.recall(text, label, language, "m") == memory.recall(text, label, language, "m")
    assert ScenarioMemory.load(tmp_path / "elsewhere") is None
    path.write_text('{"entries": []}', encoding="utf-8")
    with pytest.raises(ValueError, match="not a scenario memory"):
        ScenarioMemory.load(tmp_path)


def test_training_examples_never_recall_themselves(memory):
    def known_part(row: dict, leave_out: str | None) -> str:
        return stage2_example(row, memory=memory, leave_out=leave_out).source.split(" | ")[4]

    assert leaves_scenario_out("a1") and not leaves_scenario_out("b1")  # the fixed split these rows fall in
    # a1 leaves its whole scenario out: the other NPE scenario, with a1's method in the slot
    assert known_part(ROWS[0], "training").endswith("cause=the map has no entry for the key in login; fix=Use getOrDefault "
                                              "in login")
    # b1 leaves only itself out: npe.map has no other row, so it recalls the nearest other NPE scenario
    assert "cause=token is null in price" in known_part(ROWS[2], "training")
    # c1's scenario is the only IllegalStateException one: nothing left to recall
    assert known_part(ROWS[3], "training") == "known: none"
    # "row" (known scenarios seen again, for choosing the recall threshold): a1 recalls its twin a2
    assert known_part(ROWS[0], "row").startswith("known 0.8: cause=token is null in login;")  # other method
    with pytest.raises(ValueError, match="leave_out"):
        known_part(ROWS[0], "everything")
    # at prediction time nothing is left out: a row of a known scenario sees that scenario's text
    assert known_part(ROWS[0], None) == "known 1.0: cause=token is null in login; fix=Check token before login uses it"


def test_leave_out_choice_is_fixed_per_row_and_splits_rows_about_in_half():
    ids = [f"syn-42-{index:06d}" for index in range(2000)]
    share = sum(map(leaves_scenario_out, ids)) / len(ids)
    assert 0.45 < share < 0.55
    assert [leaves_scenario_out(row_id) for row_id in ids[:50]] == [leaves_scenario_out(row_id) for row_id in ids[:50]]


def test_format_recall_and_method_slot():
    assert format_recall(None) == "known: none"
    recall = Recall(cause="c", fix="f", similarity=0.873, scenario="s")
    assert format_recall(recall) == "known 0.9: cause=c; fix=f"
    assert recall.as_dict() == {"scenario": "s", "similarity": 0.873, "cause": "c", "fix": "f"}
    assert with_method_slot("login failed in login()", "login") == f"{METHOD_SLOT} failed in {METHOD_SLOT}()"
    assert with_method_slot("get failed", "ge") == "get failed"  # too short to replace safely


def test_recall_threshold_is_chosen_for_the_best_mean_score():
    similarities = [0.95, 0.9, 0.4, 0.2, -1.0]
    model = [0.5, 0.5, 0.5, 0.5, 0.5]
    recall = [0.9, 0.8, 0.3, 0.4, 0.0]  # recall wins on the similar rows only; -1: nothing recalled
    threshold, mean = choose_recall_threshold(similarities, model, recall)
    assert threshold == 0.9 and mean == pytest.approx((0.9 + 0.8 + 0.5 * 3) / 5)
    assert choose_recall_threshold(similarities, [1.0] * 5, recall)[0] == 1.01  # a perfect model: never recall
    assert not use_recall(-1.0, 0.0) and not use_recall(0.5, None) and use_recall(0.5, 0.5)


def test_method_slot_without_a_method_and_match_strength_words():
    # a trace with no located frame: the slot is not filled with a placeholder such as "?"
    assert fill_method_slot(f"{METHOD_SLOT}: nothing listens on the port", None) == "nothing listens on the port"
    assert fill_method_slot(f"Validate x in {METHOD_SLOT}", None) == "Validate x in the failing method"
    assert fill_method_slot(f"Validate x in {METHOD_SLOT}", "pay") == "Validate x in pay"
    assert [match_strength(value) for value in (0.95, 0.5, 0.2)] == [
        "close match", "partial match", "weak match: a guess, check it against the trace"]


def test_recall_threshold_ignores_unfit_recalls_and_keeps_to_the_allowed_thresholds():
    similarities = [0.95, 0.9, 0.2]
    model = [0.5, 0.5, 0.5]  # the model's text, or the type-level one where the model's is rejected
    recall = [0.9, 0.9, 0.1]
    assert choose_recall_threshold(similarities, model, recall)[0] == 0.9
    # the 0.95 recall does not fit its trace (never shown): only the 0.9 one can win
    threshold, mean = choose_recall_threshold(similarities, model, recall, usable=[False, True, True])
    assert threshold == 0.9 and mean == pytest.approx((0.5 + 0.9 + 0.5) / 3)
    # real logs allowed only thresholds from 1.0: recall is (almost) never shown
    assert choose_recall_threshold(similarities, model, recall, allowed=[1.0])[0] == 1.01


def test_term_weights_are_scikit_learns_tfidf_bit_for_bit():
    # predict.py scores recalls without importing scikit-learn (TermWeights); a last-bit difference could flip which
    # of two close entries is recalled, so vectors and products must equal scikit-learn's and scipy's exactly.
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [f"NullPointerException at {name}.process while reading order {n} 주문 처리 실패 value value "
             f"{'retry ' * (n % 4)}timeout pool" for n, name in enumerate(("Order", "Payment", "Ledger", "Batch") * 20)]
    texts += ["", "12345 !!!", "단어만 있는 한국어 문장 문장"]
    vectorizer = TfidfVectorizer(token_pattern=_TOKEN_PATTERN, sublinear_tf=True, min_df=2).fit(texts)
    weights = TermWeights.fit(texts)
    assert weights.vocabulary == vectorizer.vocabulary_ and (weights.idf == vectorizer.idf_).all()
    queries = ["order payment timeout timeout 주문", "Ledger.process retry retry retry", "nothing known here"]
    expected, ours = vectorizer.transform(texts), weights.transform(texts)
    for row, (indices, values) in enumerate(ours):
        sparse = expected[[row]]
        assert indices == sparse.indices.tolist() and values == sparse.data.tolist()
    for query in queries:
        products = (expected @ vectorizer.transform([query]).T).toarray().ravel().tolist()
        vector = dict(zip(*weights.transform([query])[0]))
        assert [TermWeights.dot(row, vector) for row in ours] == products


def test_loading_a_memory_does_not_import_scikit_learn(memory, tmp_path):
    import subprocess

    memory.save(tmp_path)
    code = ("import sys; from utils.stage2.scenarios import ScenarioMemory; "
            f"m = ScenarioMemory.load({str(tmp_path)!r}); m.recall('order timeout', 'NullPointerException', 'en'); "
            "print('sklearn' in sys.modules)")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           cwd=Path(__file__).resolve().parents[1])
    assert found.stdout.strip() == "False"
