"""Scenario memory for stage 2: the explanations of known failures, found again by what a new trace says.

Retrieval-augmented generation. A tiny T5 trained from scratch writes poor text even for failures it was trained
on (ROUGE-L 0.52 on fresh rows of training scenarios, where the nearest training row's text scores 0.93), so the
stage-2 input carries the cause and fix of the most similar known scenario of the same type and language, and how
similar it is: the model learns when to copy it (adapting the method name) and when to write its own. Training
recalls for half of the rows leave the row's whole scenario out, so the model also sees neighbours that do not fit.

A stored text keeps its specifics as slots (`RECALL_SLOTS`: method, class, the message's value, index, expected
value ...) and is re-filled from the new trace at recall; a slot the new trace lacks leaves the recall `unfilled`.
Such a recall, or one that still names what the new log does not show (utils/grounding.py), is never shown as the
failure's explanation (utils/pipeline/analyze.py keeps it as a `similar_case`).

Similarity: cosine of TF-IDF vectors over the type, the root exception, its message and the top frames' methods.
The memory saves as JSON (`scenarios.json` in the model dir: vocabulary, idf, entries), not a pickle, so a model
dir from the Hub loads no code.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from utils.atomic import write_json_atomic
from utils.grounding import log_words, prose_words
from utils.labels import OTHER_LABEL
from utils.parsing.stacktrace import Trace

MEMORY_FILE = "scenarios.json"
METHOD_SLOT = "{method}"  # the faulty method's name in a stored text, filled with the new trace's at recall
_TOKEN_PATTERN = r"[A-Za-z]{2,}|[\uac00-\ud7a3]+"
# The slots a stored text may hold (utils/explanations.trace_slots), longest-lived first: a value two slots share
# goes to the first. Each is re-filled from the new trace at recall; one the new trace lacks leaves the text unfilled.
RECALL_SLOTS = ("value", "variable", "call", "returned", "expected", "actual", "address", "from_type", "to_type",
                "recursive", "class", "method", "file", "index", "length", "radix", "line")
_NUMERIC_SLOTS = ("index", "length", "radix", "line")
# A word the stored texts of this many distinct scenarios use is prose ("reads", "element"), not a name of one log;
# and a scenario with this many entries in a language tells its prose (every entry's) from its filled-in words.
PROSE_MIN_SCENARIOS = 3
_SLOT_NAME = re.compile(r"\{(" + "|".join(RECALL_SLOTS) + r")\}")


@dataclass(frozen=True)
class Recall:
    """A known scenario recalled for a trace: its cause and fix (slots filled from the new trace), how similar it
    is, and the slots the new trace could not fill (left as `{slot}` in the text: it does not fit this failure)."""

    cause: str
    fix: str
    similarity: float
    scenario: str  # the corpus template id (or row id) it came from
    unfilled: tuple[str, ...] = ()
    # words the stored text took from its own log (a lowercase field such as `weights`): the new log must show them
    names: tuple[str, ...] = field(default=(), repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {"scenario": self.scenario, "similarity": round(self.similarity, 3), "cause": self.cause,
                "fix": self.fix}


def scenario_text(trace: Trace, label: str) -> str:
    """What a trace is matched on: type, root exception class and message, the first 8 frames' methods."""
    root = trace.root_cause
    methods = " ".join(frame.method for frame in trace.full_stack()[:8])
    root_text = f"{root.class_name} {root.message or ''}" if root else ""
    return f"{label} {root_text} {methods}"


def _occurrences(value: str, numeric: bool) -> re.Pattern[str]:
    """Where `value` stands in a text as itself: not inside a longer identifier or number."""
    left = r"(?<![\d.,])" if numeric else (r"(?<![A-Za-z0-9_$])" if re.match(r"[\w$]", value) else "")
    right = r"(?![\d]|[.,]\d)" if numeric else (r"(?![A-Za-z0-9_$])" if re.search(r"[\w$]$", value) else "")
    return re.compile(left + re.escape(value) + right)


def with_slots(text: str, slots: dict[str, str]) -> str:
    """`text` with the values of `slots` (`RECALL_SLOTS` only) replaced by `{name}`, so a stored text can be
    re-filled from another trace. Names shorter than 3 characters are left (too likely to stand for something else),
    and so is a number two numeric slots share ("Index 7 ... length 7": which 7 is which cannot be told); a line
    number needs 2 digits (a lone digit of a text is rarely the line)."""
    taken: set[str] = set()
    numbers = [slots.get(name) for name in _NUMERIC_SLOTS if slots.get(name)]
    for name in RECALL_SLOTS:
        value = slots.get(name)
        numeric = name in _NUMERIC_SLOTS
        shortest = (2 if name == "line" else 1) if numeric else 3
        if not value or value in taken or len(value) < shortest or (numeric and numbers.count(value) > 1):
            continue
        taken.add(value)
        text = _occurrences(value, numeric).sub("{" + name + "}", text)
    return text


def with_method_slot(text: str, method: str | None) -> str:
    """`text` with the faulty method's name replaced by the slot (names shorter than 3 characters are left)."""
    return with_slots(text, {"method": method}) if method else text


_SLOT_WITH_COLON = re.compile(r"\{method\}:\s*")


def fill_slots(text: str, slots: dict[str, str]) -> tuple[str, list[str]]:
    """(`text` with its slots filled from `slots`, the slots `slots` lacks). Without a method, a leading
    "{method}: " is dropped and any other method slot reads "the failing method" (prose, no claim)."""
    if not slots.get("method"):
        text = _SLOT_WITH_COLON.sub("", text).replace(METHOD_SLOT, "the failing method")
    missing = sorted({name for name in _SLOT_NAME.findall(text) if not slots.get(name)})
    return _SLOT_NAME.sub(lambda match: slots.get(match.group(1)) or match.group(0), text), missing


def fill_method_slot(text: str, method: str | None) -> str:
    """`text` with the method slot filled (see `fill_slots`)."""
    return fill_slots(text, {"method": method} if method else {})[0]


def leaves_scenario_out(row_id: str) -> bool:
    """Whether a training row's recall leaves its whole scenario out: a fixed half of the rows, by id."""
    return zlib.crc32(row_id.encode("utf-8")) % 2 == 1


class TermWeights:
    """TF-IDF vectors of texts, as scikit-learn's `TfidfVectorizer(token_pattern, sublinear_tf=True)` makes them for
    a fitted vocabulary and idf, bit for bit (tests/test_scenarios.py compares them), without importing scikit-learn
    at prediction time: it costs ~95 MB of memory, a tenth of predict.py's budget. Fitting a new memory (training)
    still uses scikit-learn. A vector is (term indices ascending, weights)."""

    def __init__(self, vocabulary: dict[str, int], idf: Any, token_pattern: str = _TOKEN_PATTERN) -> None:
        self.vocabulary = {term: int(index) for term, index in vocabulary.items()}
        self.idf = np.asarray(idf, dtype=np.float64)
        self.token_pattern = token_pattern
        self._tokens = re.compile(token_pattern)

    @classmethod
    def fit(cls, texts: list[str]) -> TermWeights:
        from sklearn.feature_extraction.text import TfidfVectorizer

        # min_df 2 drops one-off words (ids, values) once the memory is large enough to have repeats
        vectorizer = TfidfVectorizer(token_pattern=_TOKEN_PATTERN, sublinear_tf=True,
                                     min_df=2 if len(texts) > 50 else 1).fit(texts)
        return cls(vectorizer.vocabulary_, vectorizer.idf_)

    def transform(self, texts: list[str]) -> list[tuple[list[int], list[float]]]:
        # scikit-learn's steps and order: counts (lower-cased tokens in the vocabulary, indices sorted), log(tf) + 1
        # over all rows' data at once, times idf, then each row over the square root of its sum of squares summed
        # left to right (its Cython loop); any other order can differ in the last bit and flip a tie.
        rows = [sorted(Counter(index for token in self._tokens.findall(text.lower())
                               if (index := self.vocabulary.get(token)) is not None).items()) for text in texts]
        data = np.array([count for row in rows for _, count in row], dtype=np.float64)
        indices = np.array([index for row in rows for index, _ in row], dtype=np.int64)
        np.log(data, data)
        data += 1.0
        data *= self.idf[indices]
        values, vectors, start = data.tolist(), [], 0
        for row in rows:
            row_values = values[start:start + len(row)]
            start += len(row)
            total = 0.0
            for value in row_values:
                total += value * value
            if total != 0.0:
                norm = math.sqrt(total)
                row_values = [value / norm for value in row_values]
            vectors.append(([index for index, _ in row], row_values))
        return vectors

    @staticmethod
    def dot(vector: tuple[list[int], list[float]], query: dict[int, float]) -> float:
        """`vector` . `query`, summed over `vector`'s terms in order (scipy's sparse product)."""
        total = 0.0
        for index, value in zip(*vector):
            weight = query.get(index)
            if weight is not None:
                total += value * weight
        return total


class ScenarioMemory:
    """Known (type, language) -> scenario entries with their TF-IDF vectors.

    An entry: {"id", "scenario", "label", "language", "text" (what it is matched on), "cause", "fix", "rows" (how
    many identical training rows it stands for)}, cause and fix holding `METHOD_SLOT` where the faulty method's
    name was.
    """

    def __init__(self, entries: list[dict[str, str]], weights: TermWeights | None = None) -> None:
        if not entries:
            raise ValueError("a scenario memory needs at least one entry")
        self.entries = entries
        self.weights = weights or TermWeights.fit([entry["text"] for entry in entries])
        vectors = self.weights.transform([entry["text"] for entry in entries])
        grouped: dict[tuple[str, str], list[int]] = defaultdict(list)
        for index, entry in enumerate(entries):
            grouped[(entry["label"], entry["language"])].append(index)
        # per (type, language): entry indices and their vectors, gathered once
        self.by_key = {key: (np.array(indices), [vectors[i] for i in indices]) for key, indices in grouped.items()}

    @staticmethod
    def _keep_names(entries: list[dict[str, Any]]) -> None:
        """Each entry's `names`, the words (4+ letters) of its text that a new log must show. Where its scenario
        has `PROSE_MIN_SCENARIOS` entries in its language or more: the words that not every one of them writes,
        filled in per row ("The condition on index ..." / "... on port ..."), whether or not the row's log showed
        them. Else: the words its text shares with its own log, less those that the texts of that many distinct
        scenarios use ("value", "null")."""
        scenarios_of: dict[str, set[str]] = defaultdict(set)
        words_of: dict[tuple[str, str], list[set[str]]] = defaultdict(list)
        for entry in entries:
            words = prose_words((entry["cause"], entry["fix"]))
            words_of[(entry["scenario"], entry["language"])].append(words)
            for word in words:
                scenarios_of[word].add(entry["scenario"])
        prose = {word for word, scenarios in scenarios_of.items() if len(scenarios) >= PROSE_MIN_SCENARIOS}
        for entry in entries:
            siblings = words_of[(entry["scenario"], entry["language"])]
            words = prose_words((entry["cause"], entry["fix"]))
            if len(siblings) >= PROSE_MIN_SCENARIOS:
                names = words - set.intersection(*siblings)
            else:
                names = set(entry.get("names", ())) - prose
            entry["names"] = sorted(word for word in names if len(word) >= 4)

    @classmethod
    def from_examples(cls, examples: Iterable[dict[str, str]], per_scenario: int = 20) -> ScenarioMemory:
        """A memory of at most `per_scenario` entries per (scenario, language), from dicts with the entry keys
        and "slots" (the row's trace slots, `utils.stage2.explanations.trace_slots`; or just "method"), whose values are
        replaced by `{name}`, and "log" (the row's log text, for the `names` its text took from it); identical
        (text, cause, fix) kept once."""
        kept: dict[tuple[str, str], int] = defaultdict(int)
        seen: dict[tuple[str, str, str, str, str], dict[str, Any]] = {}
        entries = []
        for example in examples:
            key = (example["scenario"], example["language"])
            slots = example.get("slots") or {"method": example.get("method") or ""}
            cause, fix = with_slots(example["cause"], slots), with_slots(example["fix"], slots)
            same = (example["label"], example["language"], example["text"], cause, fix)
            if same in seen:  # one entry stands for all its identical rows
                seen[same]["rows"] += 1
                continue
            if kept[key] >= per_scenario:
                continue
            kept[key] += 1
            entry = {name: example[name] for name in ("id", "scenario", "label", "language", "text")}
            names = sorted(prose_words((cause, fix)) & log_words(example.get("log") or ""))
            seen[same] = entry | {"cause": cause, "fix": fix, "rows": 1, "names": names,
                                  "exception": slots.get("exception", "")}
            entries.append(seen[same])
        cls._keep_names(entries)
        return cls(entries)

    def recall(self, text: str, label: str, language: str, method: str | None = None,
               exclude_id: str | None = None, exclude_scenario: str | None = None,
               slots: dict[str, str] | None = None) -> Recall | None:
        """The most similar entry of the same type and language (None when there is none), its slots filled from
        `slots` (the new trace's; or just `method`). `exclude_id` / `exclude_scenario` leave an entry / a whole
        scenario out (training)."""
        if (label, language) not in self.by_key:
            return None
        candidates, vectors = self.by_key[(label, language)]
        slots = slots if slots is not None else ({"method": method} if method else {})
        # A stored text is about its own exception class, and a label merges several (Other holds every class the
        # label set does not list): recall only a scenario of the same class; with the name unread (masked), only
        # within a label that is one kind of failure.
        exception = slots.get("exception")
        if not exception and label == OTHER_LABEL:
            return None
        kept = np.array([self._kept(self.entries[index], exclude_id, exclude_scenario, exception)
                         for index in candidates])
        if not kept.any():
            return None
        query = dict(zip(*self.weights.transform([text])[0]))
        scores = [TermWeights.dot(vectors[i], query) for i in np.flatnonzero(kept)]
        candidates = candidates[kept]
        best = scores.index(max(scores))  # the first of equal scores, as numpy's argmax
        entry = self.entries[int(candidates[best])]
        (cause, missing_cause), (fix, missing_fix) = fill_slots(entry["cause"], slots), fill_slots(entry["fix"], slots)
        return Recall(cause, fix, float(scores[best]), entry["scenario"], tuple(sorted({*missing_cause, *missing_fix})),
                      tuple(entry.get("names", ())))

    @staticmethod
    def _kept(entry: dict[str, Any], exclude_id: str | None, exclude_scenario: str | None,
              exception: str | None) -> bool:
        # an entry standing for several identical rows survives leaving one of them out
        only_that_row = entry["id"] == exclude_id and entry.get("rows", 1) == 1
        same_class = not exception or entry.get("exception") == exception
        return not only_that_row and entry["scenario"] != exclude_scenario and same_class

    def save(self, model_dir: str | Path) -> Path:
        path = Path(model_dir) / MEMORY_FILE
        write_json_atomic(path, {
            "token_pattern": _TOKEN_PATTERN,
            "vocabulary": self.weights.vocabulary,
            "idf": [float(value) for value in self.weights.idf],
            "entries": self.entries,
        })
        return path

    @classmethod
    def load(cls, model_dir: str | Path) -> ScenarioMemory | None:
        """The memory saved in `model_dir` (a dir or Hub id), or None when it has none."""
        path = Path(model_dir) / MEMORY_FILE
        if not Path(model_dir).is_dir():  # a Hub id: the memory is pushed with the model
            from transformers.utils import cached_file

            try:
                found = cached_file(str(model_dir), MEMORY_FILE, _raise_exceptions_for_missing_entries=False,
                                    _raise_exceptions_for_connection_errors=False)
            except OSError:  # not a valid Hub id either
                found = None
            path = Path(found) if found else path
        if not path.is_file():
            return None
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
            weights = TermWeights(saved["vocabulary"], saved["idf"], saved["token_pattern"])
            return cls(saved["entries"], weights)
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path}: not a scenario memory ({error})") from error


def format_recall(recall: Recall | None) -> str:
    """The stage-2 input's `known` part: the recalled cause and fix with their similarity (one decimal); a recall
    the new trace cannot fill is not shown (the model would learn to copy `{slot}`)."""
    if recall is None or recall.unfilled:
        return "known: none"
    return f"known {recall.similarity:.1f}: cause={recall.cause}; fix={recall.fix}"

