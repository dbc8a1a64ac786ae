"""The label set: canonical exception classes and the aliases that merge into each (configs/labels.yaml).

Stdlib + yaml only, so the parser-only path of predict.py stays fast.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from utils.yaml_files import ConfigFileError, read_yaml

DEFAULT_LABELS_PATH = Path(__file__).resolve().parent.parent / "configs" / "labels.yaml"
# Test assertion failures (JUnit, TestNG, opentest4j, AssertJ all merge here): typed off their `org.junit` frames,
# so figures report the rows outside this class apart.
ASSERTION_LABEL = "AssertionError"
# The catch-all label of every class the label set does not list (configs/labels.yaml may rename it).
OTHER_LABEL = "Other"


@dataclass
class LabelSet:
    names: list[str]  # canonical labels in id order, `other` last
    other: str = OTHER_LABEL
    descriptions: dict[str, str] = field(default_factory=dict)
    qualified_aliases: dict[str, str] = field(default_factory=dict)  # "java.lang.NullPointerException" -> label
    simple_aliases: dict[str, str] = field(default_factory=dict)  # "NullPointerException" -> label

    @classmethod
    def from_yaml(cls, path: str | Path = DEFAULT_LABELS_PATH) -> LabelSet:
        config = read_yaml(path)
        if not isinstance(config, dict) or not isinstance(config.get("labels"), list):
            raise ConfigFileError(f"{path}: not a label set (a mapping with a list of labels)")
        other = config.get("other", OTHER_LABEL)
        label_set = cls(names=[], other=other)
        for entry in config["labels"]:
            name = entry["name"]
            if name in label_set.names or name == other:
                raise ValueError(f"{path}: label {name!r} is defined twice")
            label_set.names.append(name)
            label_set.descriptions[name] = entry.get("description", "")
            for alias in [name, *entry.get("aliases", [])]:
                table = label_set.qualified_aliases if "." in alias else label_set.simple_aliases
                if table.get(alias, name) != name:
                    raise ValueError(f"{path}: alias {alias!r} maps to both {table[alias]!r} and {name!r}")
                table[alias] = name
        label_set.names.append(other)
        return label_set

    @classmethod
    def from_names(cls, names: list[str], other: str = OTHER_LABEL) -> LabelSet:
        """A label set rebuilt from a saved model's id2label (no aliases beyond the names themselves)."""
        return cls(names=list(names), other=other, simple_aliases={n: n for n in names})

    @property
    def label2id(self) -> dict[str, int]:
        return {name: index for index, name in enumerate(self.names)}

    @property
    def id2label(self) -> dict[int, str]:
        return dict(enumerate(self.names))

    def __len__(self) -> int:
        return len(self.names)

    def __contains__(self, label: str) -> bool:
        return label in self.names

    def fingerprint(self) -> str:
        """Short hash of the ordered label names: two models agree on labels iff fingerprints match."""
        return hashlib.sha256(json.dumps(self.names).encode()).hexdigest()[:12]

    def canonical(self, exception_class: str | None) -> str | None:
        """Canonical label of an exception class name (qualified or simple), or None if no alias matches.

        Order: exact qualified alias, the outer class of an inner class (`HttpClientErrorException$NotFound`),
        then the simple name; a label name given directly maps to itself.
        """
        if not exception_class:
            return None
        name = exception_class.strip()
        if name in self.names:
            return name
        candidates = [name]
        if "$" in name:
            candidates.append(name.split("$", 1)[0])
        for candidate in candidates:
            if candidate in self.qualified_aliases:
                return self.qualified_aliases[candidate]
        for candidate in candidates:
            simple = candidate.rsplit(".", 1)[-1]
            if simple in self.simple_aliases:
                return self.simple_aliases[simple]
        return None

    def to_label(self, exception_class: str | None) -> str:
        """Canonical label, `other` when no alias matches."""
        return self.canonical(exception_class) or self.other


def load_label_set(path: str | Path | None = None) -> LabelSet:
    return LabelSet.from_yaml(path or DEFAULT_LABELS_PATH)
