"""Grounded or silent: the one rule that decides whether an explanation states only what the log shows.

The rule. The *specifics* of a text are the things in it a reader could check against the log:

- quoted values: text between "double" or 'single' quotes (a `backquoted` span is code: its names are checked);
- code names: a dotted name (`a.b`, `Service.pay`, `java.library.path`, `host.example.org`), a call (`name(`),
  an annotation (`@Version`), an identifier in camelCase or CamelCase with two capitals (`executeTransfer`,
  `FilterEvaluator`), one with an underscore (`PKG_INTEREST`), or one mixing letters and digits
  (`TX2019011370207607`, `ORA-01403`);
- addresses: URLs, absolute paths, IPs and `host:port`;
- values: numbers with two or more digits, a sign or a decimal point (single digits are the small counts of
  template prose: "1 of 3 attempts").

A specific is *grounded* when it occurs in the log text or in the facts derived from it (the type shown, the root
cause's class, the located frame's class, method, file and line), compared case-insensitively with `$` and `#`
read as `.`; a number must occur as a whole number, and a quoted value shorter than 3 characters must occur inside
quotes (so `" "` is not grounded by any space of the log). A fix may also name a general API of the fixed list it is
given (`allowed`, configs/explanations.yaml `api_names`): advice, not a claim about this failure. A text is grounded
when none of its specifics is ungrounded; a `{slot}` left unfilled is not grounded (unless the log writes it).

Strict form, for text that was written for another failure (a recalled known scenario): single digits are values
too ("it has 5 element(s)"), and so is each word of a given list of names, the words that text took from its own
log (a lowercase field such as `weights`). The type templates are checked in the plain form: they print small
counts of their own ("index 0").

Standard library only: the corpus generator, the pipeline and any judge import it cheaply.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

# Quoted values: the opening quote must not follow a letter or digit (so "Netty's" is no quote).
_QUOTED = re.compile(r"""(?<![A-Za-z0-9])(?P<q>["'])(?P<value>[^"'\n]{0,120}?)(?P=q)(?![A-Za-z0-9])""")
# Candidate tokens: runs of ASCII code characters (Hangul and spaces split them, so "buildSchedule가" gives
# "buildSchedule"), with a call's "(" when ")", a name, a value or "..." follows (not "(s)": "element(s)" is prose).
_TOKEN = re.compile(r"[A-Za-z0-9_$#@%+\-.,:/{}]+(?:\((?!s\))(?=[A-Za-z0-9_$\"'.)])\)?)?")
# 12,500 and 3,005,500 (ASCII boundaries: "250,000원" is a number followed by Korean)
_GROUPED_IN_TEXT = re.compile(r"(?<![A-Za-z0-9_.,])[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![A-Za-z0-9_,]|\.\d)")
_PROSE_COMPOUND = re.compile(r"^\d+-[a-z]+$")  # "3-character", "64-bit": a count in prose
_URL = re.compile(r"^[a-z][a-z0-9+.\-]*://\S+$", re.IGNORECASE)
_IP = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?$")
_HOST_PORT = re.compile(r"^[A-Za-z][\w\-.]*:\d{2,5}$")
_PATH = re.compile(r"^/[\w.\-]+(?:/[\w.\-]*)+$|^/[\w\-]+\.[A-Za-z0-9]+$")
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)*$")
_IDENTIFIER = re.compile(r"^[A-Za-z_$][\w$]*$")
_DOTTED = re.compile(r"^[A-Za-z_$][\w$\-]*(?:[.#][A-Za-z_$][\w$\-]*)+$")
_GROUPING = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_SLOT = re.compile(r"\{[a-z_0-9]+\}")
# a lone digit: "5 element(s)", not "v1" or "1.5"
_DIGIT = re.compile(r"(?<![A-Za-z0-9_.,+\-])\d(?![A-Za-z0-9_]|[.,]\d)")
# a word of prose: "reads", "element(s)"; not part of a dotted name, a call or an identifier with digits or "_"
PROSE_WORD = re.compile(r"(?<![A-Za-z0-9_$@.\-])[A-Za-z]{3,}(?![A-Za-z0-9_]|[$.\-][A-Za-z0-9_]|\((?!s\)))")
_TRAILING = ".,:;!?-"


@dataclass(frozen=True)
class Specific:
    """One checkable thing a text states: `text` as written, `kind` one of quoted, code, call, address, id,
    number, slot, word (the strict form's)."""

    text: str
    kind: str


def _code_kind(token: str) -> str | None:
    """The kind of a bare token (no quotes), or None when it is ordinary prose."""
    if _SLOT.fullmatch(token):
        return "slot"
    if _URL.match(token) or _IP.match(token) or _HOST_PORT.match(token) or _PATH.match(token):
        return "address"
    if _NUMBER.match(token):
        digits = sum(char.isdigit() for char in token)
        signed_or_decimal = token[0] in "+-" or "." in token
        return "number" if digits >= 2 or signed_or_decimal else None
    if _DOTTED.match(token):
        parts = re.split(r"[.#]", token)
        # "e.g." / "i.e." and version-like "v1.2" are prose; a dotted name has a part of 2+ characters
        return "code" if any(len(part) >= 2 for part in parts) and not all(len(part) == 1 for part in parts) else None
    if token.startswith("@") and _IDENTIFIER.match(token[1:]):
        return "code"  # an annotation: @Transactional
    if _IDENTIFIER.match(token):
        inner_capital = re.search(r"[a-z][A-Z]", token) is not None
        two_capitals = sum(char.isupper() for char in token) >= 2 and not token.isupper()
        has_letter = re.search(r"[A-Za-z]", token) is not None
        if "_" in token.strip("_") or inner_capital or two_capitals:
            return "code"
        if has_letter and re.search(r"\d", token):
            return "id"
        return None
    if re.search(r"[A-Za-z]", token) and re.search(r"\d", token) and re.fullmatch(r"[\w\-.@:/#%+]+", token):
        return "id"  # ORA-01403, zstd-jni-1.5.2, transfer.completed-0@1547115 (a topic, partition and offset)
    return None


def specifics(text: str) -> list[Specific]:
    """The specifics `text` states, in order, each once."""
    found: list[Specific] = []
    rest = text or ""
    for match in _QUOTED.finditer(rest):
        found.append(Specific(match.group("value"), "quoted"))
    rest = _QUOTED.sub(" ", rest)
    found.extend(Specific(match.group(0), "number") for match in _GROUPED_IN_TEXT.finditer(rest))
    rest = _GROUPED_IN_TEXT.sub(" ", rest)
    for match in _TOKEN.finditer(rest):
        found.extend(_token_specifics(match.group(0)))
    unique: dict[tuple[str, str], Specific] = {}
    for specific in found:
        unique.setdefault((specific.text, specific.kind), specific)
    return list(unique.values())


def strict_specifics(text: str, names: Collection[str]) -> list[Specific]:
    """The specifics of `text` in the strict form: those of `specifics`, its lone digits, and its words (3+ ASCII
    letters) that are in `names` (compared in lowercase)."""
    found = specifics(text)
    rest = _QUOTED.sub(" ", text or "")
    for specific in sorted(found, key=lambda item: -len(item.text)):
        rest = rest.replace(specific.text, " ")
    found += [Specific(match.group(0), "number") for match in _DIGIT.finditer(rest)]
    found += [Specific(match.group(0), "word") for match in PROSE_WORD.finditer(rest)
              if match.group(0).lower() in names]
    unique: dict[tuple[str, str], Specific] = {}
    for specific in found:
        unique.setdefault((specific.text, specific.kind), specific)
    return list(unique.values())


def prose_words(texts: Iterable[str]) -> set[str]:
    """The lowercase words (3+ ASCII letters, not part of a code name) of `texts`, `{slots}` left out."""
    return {word.lower() for text in texts for word in PROSE_WORD.findall(_SLOT.sub(" ", text))}


_LETTER_RUN = re.compile(r"[A-Za-z]{3,}")
_RUN_PART = re.compile(r"[A-Z]?[a-z]{3,}|[A-Z]{3,}(?![a-z])")


def log_words(text: str) -> set[str]:
    """Every lowercase word (3+ letters) a log holds, parts of code names included: `this.weights` and
    `getWeights` give "weights". Each distinct run of letters is split once, and the runs are read one by one (a
    message of 20 MB, a whole JSON payload, is millions of runs of a few thousand kinds)."""
    words: set[str] = set()
    runs: set[str] = set()
    for match in _LETTER_RUN.finditer(text or ""):
        run = match.group(0)
        if run not in runs:
            runs.add(run)
            words.add(run.lower())
            words.update(part.lower() for part in _RUN_PART.findall(run))
    return words


def _token_specifics(token: str) -> list[Specific]:
    """The specifics of one candidate token (grouped numbers already taken out): each comma-separated part."""
    found = []
    for part in token.split(","):
        call = part.endswith("(") or part.endswith("()")
        part = part.rstrip("()").rstrip(_TRAILING)
        if not part or _PROSE_COMPOUND.match(part):
            continue
        if "{" in part or "}" in part:
            found.extend(Specific(slot, "slot") for slot in _SLOT.findall(part))
            continue
        kind = _code_kind(part)
        if kind is None and call and _IDENTIFIER.match(part) and len(part) >= 2:
            kind = "call"  # `new Account(...)`, `next()`: a name used as code
        if kind is not None:
            found.append(Specific(part, kind))
    return found


def _normalize(text: str) -> str:
    return " ".join(text.replace("$", ".").replace("#", ".").split()).lower()


class Grounding:
    """The grounding check against one log: build once per log, then `ungrounded(text)` for each field."""

    def __init__(self, log: str, facts: Iterable[str | None] = (), allowed: Collection[str] = (),
                 anchors: Iterable[str | None] = ()) -> None:
        self.raw = "\n".join([log or "", *(str(fact) for fact in facts if fact)])
        # names a cause about this failure mentions: the located method, class, file (`anchored`)
        self.anchors = sorted({anchor for anchor in anchors if anchor and len(anchor) >= 3})
        self.haystack = _normalize(self.raw)
        # numbers compare without thousands separators: "12,500" in a text matches 12500 in the log
        self.numbers = _GROUPING.sub("", self.haystack)
        self.allowed = {_normalize(name) for name in allowed}
        self.words = log_words(self.raw)  # a word (the strict form's) must be a whole word or code-name part

    def grounded(self, specific: Specific, allow_api: bool = False) -> bool:
        value = _normalize(specific.text)
        if specific.kind == "slot":  # unfilled, unless the log itself writes it ("{{end}}" of a template)
            return value in self.haystack
        if allow_api and value in self.allowed:
            return True
        if specific.kind == "word":  # "port" is not shown by "support"
            return value in self.words
        if specific.kind == "number":
            number = re.escape(_GROUPING.sub("", value))
            return re.search(rf"(?<![\d.]){number}(?!\d|\.\d)", self.numbers) is not None
        if specific.kind == "quoted":
            if len(value.strip()) >= 3:
                return value in self.haystack
            return any(f"{quote}{specific.text.lower()}{quote}" in self.raw.lower() for quote in "\"'")
        return value in self.haystack

    def anchored(self, text: str) -> bool:
        """Whether `text` is about this failure: it states a grounded specific or names an anchor (the located
        method, class or file); True when no anchor is known."""
        if not self.anchors or any(self.grounded(specific) for specific in specifics(text)):
            return True
        return any(re.search(rf"(?<![A-Za-z0-9_$]){re.escape(anchor)}(?![A-Za-z0-9_$])", text, re.IGNORECASE)
                   for anchor in self.anchors)

    def ungrounded(self, text: str, allow_api: bool = False, strict_names: Collection[str] | None = None) -> list[str]:
        """The specifics of `text` that the log does not show (empty: the text is grounded). With `strict_names`
        (lowercase words that text took from another log), the strict form: lone digits and those words are
        specifics too."""
        found = specifics(text) if strict_names is None else strict_specifics(text, strict_names)
        return [specific.text for specific in found if not self.grounded(specific, allow_api)]


def ungrounded(text: str, log: str, facts: Iterable[str | None] = (), allowed: Collection[str] = (),
               allow_api: bool = False) -> list[str]:
    """One-shot form of `Grounding(log, facts, allowed).ungrounded(text, allow_api)`."""
    return Grounding(log, facts, allowed).ungrounded(text, allow_api)


# ------------------------------------------------------------------------------------------------ generated text

_FIELD_MARK = re.compile(r"(?<![\w])(type|cause|location|fix)=")
_FIELD_SPLIT = re.compile(r"(?:^|;\s+)(type|cause|location|fix)=")
_WORD = re.compile(r"[^\W\d_]{2,}")
_DOUBLED = re.compile(r"(?<![^\W\d_])([^\W\d_]{2,})\s+\1(?![\w-])", re.IGNORECASE)  # "test test", not "no no-arg"
_LOOP_WINDOW = 5  # a 3-gram repeated within this many words is a loop; farther apart it is usually a quoted message
_STUTTER = re.compile(r"([A-Za-z]{4,})\1")  # "DefaultDefault"


def _prose(text: str) -> str:
    """`text` without its quoted values and specifics (which come from the log and may repeat there)."""
    text = _QUOTED.sub(" ", text)
    for specific in sorted(specifics(text), key=lambda found: -len(found.text)):
        text = text.replace(specific.text, " ")
    return text


def repetition(text: str) -> str | None:
    """The first sign that the prose of `text` repeats itself, or None: a word written twice in a row ("test
    test"), a word glued to itself ("DefaultDefault"), a word 3-gram written twice within a few words, or a 2-gram
    written three times. Quoted values and specifics are left out: a value of the log may repeat ("[TX-1, TX-2]")."""
    prose = _prose(text)
    if match := _STUTTER.search(prose) or _DOUBLED.search(prose):
        return match.group(0)
    words = [word.lower() for word in _WORD.findall(prose)]
    last_start: dict[tuple[str, ...], int] = {}
    for start in range(len(words) - 2):
        gram = tuple(words[start : start + 3])
        if gram in last_start and start - last_start[gram] <= _LOOP_WINDOW:
            return " ".join(gram)
        last_start[gram] = start
    bigrams = [tuple(words[start : start + 2]) for start in range(len(words) - 1)]
    # first in text order, not set order (which the hash seed changes from one process to the next)
    repeated = [gram for gram in dict.fromkeys(bigrams) if bigrams.count(gram) >= 3]
    return " ".join(repeated[0]) if repeated else None


def _unbalanced(text: str) -> str | None:
    """A bracket or double quote `text` opens or closes without its pair (a cut or garbled generation)."""
    depth: dict[str, int] = {"(": 0, "[": 0}
    for char in _QUOTED.sub(" ", text):  # a quoted value of the log may hold anything
        if char in "([":
            depth[char] += 1
        elif char in ")]":
            opening = "(" if char == ")" else "["
            if depth[opening] == 0:
                return char
            depth[opening] -= 1
    if text.count('"') % 2:
        return '"'
    return next((opening for opening, count in depth.items() if count), None)


def guidance_problems(text: str, grounding: Grounding) -> list[str]:
    """Why a `type=...; cause=...; location=...; fix=...` line must not be shown (empty: it may be): a field
    missing, empty or written twice, a cause or fix that repeats itself or leaves a bracket or quote unclosed,
    specifics the log does not show (cause strictly; fix with the general API names `grounding` allows), or a cause
    that names nothing of this failure ("The test at the method": `Grounding.anchored`)."""
    names = _FIELD_MARK.findall(text or "")
    problems = [f"{name}= written {names.count(name)} times" for name in sorted(set(names)) if names.count(name) > 1]
    marks = list(_FIELD_SPLIT.finditer(text or ""))
    fields = {match.group(1): text[match.end() : (marks[index + 1].start() if index + 1 < len(marks) else len(text))]
              .strip() for index, match in enumerate(marks)}
    for name in ("cause", "fix"):
        value = fields.get(name, "")
        if not value:
            problems.append(f"no {name}")
            continue
        if repeated := repetition(value):
            problems.append(f"{name} repeats itself: {repeated!r}")
        if unbalanced := _unbalanced(value):
            problems.append(f"{name} is cut or malformed: unbalanced {unbalanced!r}")
        if missing := grounding.ungrounded(value, allow_api=name == "fix"):
            problems.append(f"{name} names what the log does not show: {', '.join(missing)}")
    if fields.get("cause") and not grounding.anchored(fields["cause"]):
        problems.append("cause names nothing of this failure (its method, class, file or a value of its log)")
    return problems
