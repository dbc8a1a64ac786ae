"""The throw-site rule: a root cause whose name is unreadable is typed by its top frame when that frame is a JDK
method that throws one class (configs/throw_sites.yaml)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from utils.inputs import mask_exception_names
from utils.labels import load_label_set
from utils.parsing.log_sources import LogDocument
from utils.parsing.stacktrace import parse_trace
from utils.pipeline.analyze import DECIDED_BY_THROW_SITE, Analyzer, AnalyzerOptions
from utils.throw_sites import load_throw_sites, thrown_at

REQUIRE_NON_NULL = ("java.lang.NullPointerException: order id\n"
                    "\tat java.util.Objects.requireNonNull(Objects.java:233)\n"
                    "\tat com.acme.pay.OrderService.place(OrderService.java:41)\n")


def test_every_entry_is_a_jdk_method_and_a_class_the_label_set_reads() -> None:
    labels = load_label_set()
    method = re.compile(r"^(?:java|javax|jdk|sun)\.[\w$.]+\.[\w$<>]+$")
    for site, thrown in load_throw_sites().items():
        assert method.match(site), site
        assert re.match(r"^[\w.]+\.[A-Z]\w*$", thrown), thrown
        assert labels.to_label(thrown) in labels.names


def test_a_masked_root_cause_is_typed_by_its_throw_site_and_a_readable_name_wins() -> None:
    assert thrown_at(parse_trace(mask_exception_names(REQUIRE_NON_NULL))) == "java.lang.NullPointerException"
    assert thrown_at(parse_trace(REQUIRE_NON_NULL.replace("java.util.Objects.requireNonNull",
                                                          "com.acme.Checks.notNull"))) is None
    analyzer = Analyzer(AnalyzerOptions(no_model=True))
    masked = analyzer.analyze([LogDocument("masked", "masked", mask_exception_names(REQUIRE_NON_NULL))])[0]
    assert (masked.label, masked.decided_by) == ("NullPointerException", DECIDED_BY_THROW_SITE)
    # a readable name is the parser's, whatever the frame says
    renamed = REQUIRE_NON_NULL.replace("java.lang.NullPointerException", "java.lang.IllegalStateException")
    readable = analyzer.analyze([LogDocument("readable", "readable", renamed)])[0]
    assert (readable.label, readable.decided_by) == ("IllegalStateException", "parser")


def test_evaluate_puts_the_throw_site_label_first_and_keeps_the_models_order_after_it() -> None:
    from evaluate import parsed_rows, with_throw_sites

    labels = load_label_set()
    probabilities = np.full((2, len(labels)), 0.01)
    probabilities[:, labels.label2id["IllegalStateException"]] = 0.6
    probabilities[:, labels.label2id["IllegalArgumentException"]] = 0.3
    other = "java.lang.IllegalStateException: x\n\tat com.acme.A.b(A.java:1)\n"
    scores, decided = with_throw_sites(probabilities, parsed_rows([REQUIRE_NON_NULL, other], masked=True), labels)
    assert decided == 1
    assert [labels.names[i] for i in np.argsort(-scores[0])[:3]] == [
        "NullPointerException", "IllegalStateException", "IllegalArgumentException"]
    assert (scores[1] == probabilities[1]).all()
    with pytest.raises(AssertionError):  # unmasked, the name is readable: the rule stays out
        assert with_throw_sites(probabilities, parsed_rows([REQUIRE_NON_NULL], masked=False), labels)[1] == 1
