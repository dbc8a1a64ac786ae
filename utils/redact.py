"""One PII / secret redaction step for everything the project writes or pushes (issue 13 §4).

Card numbers, resident registration numbers, account numbers, e-mails, phone numbers, tokens and passwords become
stable placeholders (`<CARD>`, `<RRN>`, `<ACCOUNT>`, `<EMAIL>`, `<PHONE>`, `<TOKEN>`, `<SECRET>`, `<IP>` behind an
option); stack frames, timestamps, UUIDs, hex addresses, versions and epoch millis stay as they are.

The patterns, context words and key words are data (configs/redact.yaml); this module holds the checks a regex
cannot make (Luhn, calendar dates, check digits) and the composition: Presidio's recognizer idea without spaCy,
whose English model is not on PyPI. Stdlib + yaml only: every writer imports this, including the parser-only path.

    from utils.redact import Redactor, redact
    redact("card 4111-1111-1111-1111")            # 'card <CARD>'
    redactor = Redactor(); row = redactor.redact_value(row); redactor.counts  # Counter({'card': 1, ...})
"""

from __future__ import annotations

import bisect
import datetime
import ipaddress
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any

import yaml

from utils.literal_scan import literal_database, scan

DEFAULT_REDACT_PATH = Path(__file__).resolve().parent.parent / "configs" / "redact.yaml"

# Century of an RRN's birth date from the first digit of its back part (9 and 0, born in the 1800s, are gone).
_RRN_CENTURY = {"1": 1900, "2": 1900, "5": 1900, "6": 1900, "3": 2000, "4": 2000, "7": 2000, "8": 2000}
_RRN_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
# The runs of digits, whitespace, '(', ')' and '-' that start at a digit or '(' and end at a digit: a rule marked
# `in_digit_runs` matches only such characters, so each of its hits lies inside one run of at least
# `_DIGIT_RUN_MIN` characters (the shortest such hit, ten bare account digits, has 10; an unmarked rule is searched
# over the whole text). One pass over the text finds the runs for
# all of them: seven full regex passes over every region were a sixth of the parse process's time.
_DIGIT_RUN_MIN = 9
# A run of digits, spaces, parentheses and dashes of at least _DIGIT_RUN_MIN characters (shorter ones hold no hit):
# the same runs as `[\d(][\d\s()-]*\d` of that length, found without handing the short ones to Python.
_DIGIT_RUN = re.compile(rf"[\d(][\d\s()-]{{{_DIGIT_RUN_MIN - 2},}}\d")
# Digit runs that no digit rule's pattern matches (a log's timestamps, mostly), remembered with the characters the
# patterns' look-arounds read: a repeat costs one lookup instead of one regex per rule. Beyond this many the memory
# starts over (it stays bounded whatever the input).
_MAX_QUIET_RUNS = 50_000
_MAX_QUIET_RUN_CHARS = 256
_DATE_SHAPE = re.compile(r"(?:19|20)\d\d[-./](?:0[1-9]|1[0-2])[-./](?:0[1-9]|[12]\d|3[01])")
_CAMEL_WORDS = re.compile(r"[A-Z]?[a-z]+(?:[A-Z][a-z]+)*")  # "BasicAuthFilter": words, not a base64 token


@dataclass(frozen=True)
class RedactOptions:
    enabled: bool = True
    ip_addresses: bool = False  # IPs help debugging and are rarely personal in server logs: opt-in
    config_path: str = str(DEFAULT_REDACT_PATH)


@dataclass(frozen=True)
class Hit:
    kind: str  # placeholder kind: card, rrn, account, email, phone, token, secret, ip
    rule: str  # the configs/redact.yaml rule that found it
    start: int  # span of the replaced text (the rule's `value` group, else the whole match)
    end: int


@dataclass(frozen=True)
class _Rule:
    name: str
    kind: str
    regex: re.Pattern[str]
    requires: tuple[str, ...]
    validate: str | None
    context: re.Pattern[str] | None
    context_required: bool
    option: str | None
    in_digit_runs: bool  # searched only inside the text's digit runs (see `_DIGIT_RUN`)
    anchored: bool  # every match starts where one of `requires` occurs: tried only there (see `_anchored_matches`)
    context_window: int | None  # the rule's own window before a hit (None: the config's; after a phrase, always it)


@dataclass(frozen=True)
class _Config:
    rules: tuple[_Rule, ...]
    placeholders: dict[str, str]
    context_window: int
    context_after: tuple[str, ...]
    iin_prefixes: tuple[str, ...]
    ignore_values: frozenset[str]
    ignore_prefixes: tuple[str, ...]
    reference: re.Pattern[str] | None  # a whole value of one of these shapes is a reference, not a secret


# ---------------------------------------------------------------------------------------------------------------
# Loading configs/redact.yaml


def _expand(pattern: str, word_lists: dict[str, list[str]], formats: dict[str, list[str]]) -> str:
    """Replaces `{{name}}` with an alternation of the named words (escaped) or digit-group formats."""

    def alternation(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in word_lists:
            # Longest first: the regex engine takes the first alternative that fits.
            return "|".join(re.escape(w) for w in sorted(map(str, word_lists[name]), key=len, reverse=True))
        if name in formats:
            return "|".join("-".join(rf"\d{{{n}}}" for n in str(f).split("-")) for f in formats[name])
        raise ValueError(f"configs/redact.yaml: unknown list {{{{{name}}}}}")

    return re.sub(r"\{\{(\w+)\}\}", alternation, pattern)


def _context_regex(words: list[str]) -> re.Pattern[str]:
    """A word at a word start, as a prefix: `cardNo`, `acct_id`, camelCase `toAccount`, `고객주민번호`; but
    `className` holds no `ssn`."""
    alternatives = []
    for word in map(str, words):
        if word.isascii() and word.isalpha():
            alternatives.append(rf"(?<![A-Za-z])(?i:{re.escape(word)})")
            alternatives.append(rf"(?<=[a-z]){re.escape(word[0].upper() + word[1:].lower())}")
        else:
            alternatives.append(re.escape(word))
    return re.compile("|".join(alternatives))


def _rule_entries(entries: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The config's rules, a rule with `variants` once per variant: its `{{keys}}` that variant's word list (also
    what it requires) and its `{{digits}}` the variant's `{min,max}`."""
    for entry in entries:
        if "variants" not in entry:
            yield entry
            continue
        for variant in entry["variants"]:
            pattern = entry["pattern"].replace("{{keys}}", "{{" + variant["keys"] + "}}")
            yield {**entry, "name": f"{entry['name']}:{variant['keys']}", "requires": variant["keys"],
                   "pattern": pattern.replace("{{digits}}", "{" + variant["digits"] + "}")}


@lru_cache(maxsize=4)
def _load_config(path: str) -> _Config:
    with open(path, encoding="utf-8") as handle:
        config = yaml.safe_load(handle)
    word_lists = config.get("word_lists", {})
    formats = config.get("digit_group_formats", {})
    contexts = {kind: _context_regex(words) for kind, words in config.get("context_words", {}).items()}
    rules = []
    for entry in _rule_entries(config["rules"]):
        requires = entry.get("requires", [])
        if isinstance(requires, str):  # the name of a word list: any of its words
            requires = word_lists[requires]
        if entry.get("validate") and entry["validate"] not in _VALIDATORS:
            raise ValueError(f"{path}: rule {entry['name']!r} names unknown check {entry['validate']!r}")
        rules.append(_Rule(
            name=entry["name"], kind=entry["kind"], regex=re.compile(_expand(entry["pattern"], word_lists, formats)),
            requires=tuple(str(r).lower() for r in requires), validate=entry.get("validate"),
            context=contexts[entry["context"]] if entry.get("context") else None,
            context_required=bool(entry.get("context_required", False)), option=entry.get("option"),
            in_digit_runs=bool(entry.get("in_digit_runs", False)), anchored=bool(entry.get("anchored", False)),
            context_window=int(entry["context_window"]) if "context_window" in entry else None,
        ))
        if rules[-1].anchored and not rules[-1].requires:
            raise ValueError(f"{path}: rule {entry['name']!r} is anchored but requires nothing")
    return _Config(
        rules=tuple(rules), placeholders=dict(config["placeholders"]),
        context_window=int(config.get("context_window", 40)),
        context_after=tuple(str(p) for p in config.get("context_after", [])),
        iin_prefixes=tuple(str(p) for p in config.get("card_iin_prefixes", [])),
        ignore_values=frozenset(str(v).lower() for v in config.get("secret_ignore_values", [])),
        ignore_prefixes=tuple(str(p) for p in config.get("secret_ignore_prefixes", [])),
        reference=re.compile("|".join(f"(?:{shape})" for shape in config["secret_reference_shapes"]))
        if config.get("secret_reference_shapes") else None,
    )


# ---------------------------------------------------------------------------------------------------------------
# Checks a regex cannot make


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _iin_ok(digits: str, prefixes: tuple[str, ...]) -> bool:
    for prefix in prefixes:
        low, _, high = prefix.partition("-")
        if high and low <= digits[: len(low)] <= high:  # equal-length digit strings compare as numbers
            return True
        if not high and digits.startswith(low):
            return True
    return False


def _check_card_named(value: str, has_context: bool, config: _Config) -> bool:
    """A number its surroundings name a card (a magnetic-stripe track's format, a card word glued to it): 13 digits
    too."""
    return _check_card(value, True, config)


def _check_card(value: str, has_context: bool, config: _Config) -> bool:
    digits = re.sub(r"\D", "", value)
    if not 13 <= len(digits) <= 19 or not luhn_ok(digits) or not _iin_ok(digits, config.iin_prefixes):
        return False
    # Luhn passes one random run in ten: a bare 13-digit run (an epoch millis far more often than an old 13-digit
    # Visa) also needs a card word before it.
    return has_context or len(digits) > 13 or not value.isdigit()


def rrn_checksum_ok(digits: str) -> bool:
    """The check digit of pre-October-2020 RRNs (and the foreigner variant for back digits 5-8)."""
    weighted = sum(int(d) * w for d, w in zip(digits[:12], _RRN_WEIGHTS))
    if (11 - weighted % 11) % 10 == int(digits[12]):
        return True
    return digits[6] in "5678" and (13 - weighted % 11) % 10 == int(digits[12])


def _check_rrn(value: str, has_context: bool, config: _Config) -> bool:
    digits = value.replace("-", "")
    try:
        born = datetime.date(_RRN_CENTURY[digits[6]] + int(digits[:2]), int(digits[2:4]), int(digits[4:6]))
    except ValueError:
        return False
    if born > datetime.date.today():
        return False
    if "-" not in value:  # 13 bare digits: epoch millis and ids that start with yyMMdd pass the date and check digit
        return has_context
    # Numbers issued since October 2020 have no check digit: a valid date then needs a context word.
    return has_context or rrn_checksum_ok(digits)


def _check_has_digit(value: str, has_context: bool, config: _Config) -> bool:
    return any(c.isdigit() for c in value)


def _check_token_like(value: str, has_context: bool, config: _Config) -> bool:
    """Random-looking: a digit, base64 padding, or mixed case that is not CamelCase words ("Basic Authentication")."""
    if len(value) < 8:
        return False
    if any(c.isdigit() for c in value) or value.endswith("="):
        return True
    upper, lower = sum(c.isupper() for c in value), sum(c.islower() for c in value)
    return upper >= 2 and lower >= 2 and len(value) >= 12 and not _CAMEL_WORDS.fullmatch(value)


def _check_secret_value(value: str, has_context: bool, config: _Config) -> bool:
    stripped = value.strip()
    if not stripped or stripped.lower() in config.ignore_values or set(stripped) <= {"*", "x", "X"}:
        return False
    if config.reference is not None and config.reference.fullmatch(stripped):
        return False
    return not stripped.startswith(config.ignore_prefixes)


def _check_secret_token(value: str, has_context: bool, config: _Config) -> bool:
    return _check_secret_value(value, has_context, config) and _check_token_like(value, has_context, config)


def _check_phone_digits(value: str, has_context: bool, config: _Config) -> bool:
    # E.164: at most 15 digits with the country code; "+1 2026-11-30" (an offset and a date) is no number.
    return 8 <= sum(c.isdigit() for c in value) <= 15 and not _DATE_SHAPE.search(value)


def _check_ipv6(value: str, has_context: bool, config: _Config) -> bool:
    address = value.split("%", 1)[0]
    if address.count(":") < 2 or not any(c in "0123456789abcdefABCDEF" for c in address):
        return False  # "::" alone, or a "12:00:00"-like time
    try:
        ipaddress.IPv6Address(address)
    except ValueError:
        return False
    return True


_VALIDATORS: dict[str, Callable[[str, bool, _Config], bool]] = {
    "card": _check_card,
    "card_named": _check_card_named,
    "rrn": _check_rrn,
    "has_digit": _check_has_digit,
    "token_like": _check_token_like,
    "secret_value": _check_secret_value,
    "secret_token": _check_secret_token,
    "phone_digits": _check_phone_digits,
    "ipv6": _check_ipv6,
}


# ---------------------------------------------------------------------------------------------------------------
# Composition


class Redactor:
    """Finds and replaces PII; `counts` adds up the hits per kind over every call, for a writer's summary line."""

    def __init__(self, options: RedactOptions | None = None) -> None:
        self.options = options or RedactOptions()
        self.config = _load_config(self.options.config_path)
        self.counts: Counter[str] = Counter()
        self._placeholders = frozenset(self.config.placeholders.values())
        self._quiet_runs: set[tuple[bool, str]] = set()
        # the rules the (frozen) options turn on, and their prefilter literals, tested once per text (a generator per
        # rule cost a third of the time)
        self._rules = [rule for rule in self.config.rules if not rule.option or getattr(self.options, rule.option)]
        self._digit_rules = [rule for rule in self._rules if rule.in_digit_runs]
        self._unfiltered = any(not rule.requires and not rule.in_digit_runs for rule in self._rules)  # tried on all
        self._literals = tuple(sorted({literal for rule in self._rules for literal in rule.requires or ()}))
        self._literal_scanner = _literal_scanner(self._literals)

    def __getstate__(self) -> dict[str, Any]:
        # a Hyperscan database cannot be pickled (a spawned worker, `datasets.map(num_proc=...)`): made again there
        return {**self.__dict__, "_literal_scanner": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._literal_scanner = _literal_scanner(self._literals)

    def _present(self, lowered: str) -> set[str]:
        """The prefilter literals in `lowered`: one Hyperscan pass where it is installed (on the production log's
        regions 0.36 s of redacting 8,253 of them went to 47 `in` tests each), else one `in` test per literal."""
        if self._literal_scanner is None:
            return {literal for literal in self._literals if literal in lowered}
        found: set[int] = set()
        scan(self._literal_scanner, lowered.encode("utf-8", "surrogatepass"), lambda index, *_: found.add(index))
        return {self._literals[index] for index in found}

    def _digit_runs(self, text: str) -> list[tuple[int, int]]:
        """The digit runs of `text` in which one of the digit rules in use finds a match."""
        runs = []
        for match in _DIGIT_RUN.finditer(text):
            start, end = match.span()
            # `_rule_hits` searches text[start:end + 2]; the patterns' lookbehinds read one character before it
            key = (start > 0, text[start - 1 if start else 0: end + 2])
            if key in self._quiet_runs:
                continue
            window, offset = key[1], int(key[0])
            if any(rule.regex.search(window, offset) for rule in self._digit_rules):
                runs.append((start, end))
                continue
            if len(window) > _MAX_QUIET_RUN_CHARS:  # a numeric dump's run: not worth its memory
                continue
            if len(self._quiet_runs) >= _MAX_QUIET_RUNS:
                self._quiet_runs.clear()
            self._quiet_runs.add(key)
        return runs

    def _has_context(self, text: str, start: int, end: int, rule: _Rule) -> bool:
        """A context word before the hit on its line, within the window; or after it, on its line, where the text
        after it starts with one of the config's `context_after` phrases."""
        context = rule.context
        assert context is not None
        window = rule.context_window if rule.context_window is not None else self.config.context_window
        if context.search(text[max(0, start - window): start].rsplit("\n", 1)[-1]):
            return True
        phrase = next((p for p in self.config.context_after if text.startswith(p, end)), None)
        after = text[end: end + len(phrase) + self.config.context_window].split("\n", 1)[0] if phrase else ""
        return context.search(after) is not None

    def _rule_hits(self, rule: _Rule, text: str, spans: list[tuple[int, int]] | None = None,
                   lowered: str | None = None) -> list[Hit]:
        # `lowered` is given for an ASCII text only: there `lower()` keeps every position, and (?i) folds no other
        # character onto a key word's letters
        if spans is None and rule.anchored and lowered is not None:
            matches: Iterable[re.Match[str]] = _anchored_matches(rule, text, lowered)
        elif spans is None:
            matches = rule.regex.finditer(text)
        else:  # the lookbehinds see the text before a run; two characters after it are all a lookahead reads
            matches = chain.from_iterable(rule.regex.finditer(text, start, min(len(text), end + 2))
                                          for start, end in spans)
        hits = []
        for match in matches:
            start, end = match.span("value") if "value" in rule.regex.groupindex else match.span()
            value = text[start:end]
            if value in self._placeholders:  # already redacted: redacting twice changes nothing
                continue
            has_context = rule.context is not None and self._has_context(text, match.start(), match.end(), rule)
            if rule.context_required and not has_context:
                continue
            if rule.validate and not _VALIDATORS[rule.validate](value, has_context, self.config):
                continue
            hits.append(Hit(rule.kind, rule.name, start, end))
        return hits

    def find(self, text: str) -> list[Hit]:
        """The hits in `text`, sorted, non-overlapping: an earlier rule wins over a later one that overlaps it."""
        if not self.options.enabled or not text:
            return []
        lowered = text.lower()
        present = self._present(lowered)
        # The shipped rules each need a prefilter literal or a digit run (found in one pass for all digit rules):
        # most texts (a timestamp, a message without numbers) have neither, and are done here.
        runs = self._digit_runs(text) if self._digit_rules else []
        if not present and not runs and not self._unfiltered:
            return []
        starts: list[int] = []
        kept: list[Hit] = []  # sorted by start
        ascii_lowered = lowered if text.isascii() else None  # anchored rules' places (`_anchored_matches`)
        for rule in self._rules:
            if rule.in_digit_runs:
                if not runs:
                    continue
            elif rule.requires and present.isdisjoint(rule.requires):
                continue
            for hit in self._rule_hits(rule, text, runs if rule.in_digit_runs else None, ascii_lowered):
                index = bisect.bisect_left(starts, hit.start)
                if index > 0 and kept[index - 1].end > hit.start:
                    continue
                if index < len(kept) and kept[index].start < hit.end:
                    continue
                starts.insert(index, hit.start)
                kept.insert(index, hit)
        return kept

    def redact(self, text: str) -> str:
        return self.redact_found(text)[0]

    def redact_found(self, text: str) -> tuple[str, list[Hit]]:
        """(`text` redacted, the hits replaced); the hits are added to `counts` as `redact` adds them."""
        hits = self.find(text)
        if not hits:
            return text, hits
        pieces, position = [], 0
        for hit in hits:
            pieces.append(text[position: hit.start])
            pieces.append(self.config.placeholders[hit.kind])
            position = hit.end
            self.counts[hit.kind] += 1
        pieces.append(text[position:])
        return "".join(pieces), hits

    def redact_value(self, value: Any) -> Any:
        """A redacted copy of a JSON-like value: strings inside dicts / lists / tuples; keys and numbers stay."""
        return map_strings(value, self.redact)


@lru_cache(maxsize=8)
def _literal_scanner(literals: tuple[str, ...]) -> Any:
    """The prefilter literals' database (utils/literal_scan.py), each reported once per text; None: the `in` tests."""
    return literal_database([literal.encode("utf-8", "surrogatepass") for literal in literals], single_match=True)


def _anchored_matches(rule: _Rule, text: str, lowered: str) -> Iterator[re.Match[str]]:
    """`rule.regex.finditer(text)` for a rule whose matches start where one of its `requires` strings occurs:
    the regex is tried at those places only (`lowered`: `text.lower()` of an ASCII text, whose positions are the
    text's). A key word such as `auth` or `sk-` is in most lines of some logs (`AuthService`, `task-1`), where
    trying the regex at every position cost a third of redacting them."""
    starts: set[int] = set()
    for literal in rule.requires:
        found = lowered.find(literal)
        while found >= 0:
            starts.add(found)
            found = lowered.find(literal, found + 1)
    end = 0
    for start in sorted(starts):
        if start < end:  # inside the previous match: finditer goes on after it
            continue
        match = rule.regex.match(text, start)
        if match is not None:
            end = match.end()
            yield match


def map_strings(value: Any, change: Callable[[str], str]) -> Any:
    """A copy of a JSON-like value with `change` applied to every string inside dicts / lists / tuples (keys and
    numbers stay): the one walk every redactor of output values uses."""
    if isinstance(value, str):
        return change(value)
    # a string, number or None inside is taken here, not in a call of its own: a record's walk was mostly calls
    if isinstance(value, dict):
        return {key: change(item) if type(item) is str else item if item is None or type(item) in _SCALARS
                else map_strings(item, change) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(change(item) if type(item) is str else item if item is None or type(item) in _SCALARS
                           else map_strings(item, change) for item in value)
    return value


_SCALARS = (int, float, bool)  # left as they are by `map_strings`


def redact(text: str, options: RedactOptions | None = None) -> str:
    """`text` with its PII replaced by placeholders (compiled patterns are cached, so this is cheap per call)."""
    return Redactor(options).redact(text)
