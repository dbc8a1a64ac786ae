"""Application code the generated traces run through: a bank's services or a generic open-source library.

Two kinds of code base, so that a model does not learn "banking package = some label": `bank` (accounts,
transfers, payments, card authorization, ledger, batch settlement ...) and `oss` (collections, parsers, math, config,
serialization, web frameworks, storage engines ... of invented open-source projects). Names are invented.

An `oss` code base is either the generic family (any project name, modules mixed from OSS_MODULES) or one of
OSS_FAMILIES: a library or tool of the kind public bug benchmarks hold (CSV parser, compiler, search server, build
tool, collections, data formats, web framework, messaging), with its own packages and class names.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from utils.corpus.model import StackFrame
from utils.corpus.tables import frozen

Modules = dict[str, tuple[tuple[str, ...], tuple[str, ...]]]  # module -> (classes, verbs)

# The names are data (codebase.yaml, which says each table's shape): read once, lists as tuples, in the file's
# order, which the seeded draws depend on.
_TABLES: dict[str, Any] = frozen(yaml.safe_load(Path(__file__).with_name("codebase.yaml").read_text(encoding="utf-8")))

BANK_ROOTS: tuple[str, ...] = _TABLES["bank_roots"]
OSS_MODULES: Modules = _TABLES["oss_modules"]
# family -> (root packages, modules); "generic" (any project with OSS_MODULES) is the default
OSS_FAMILIES: dict[str, tuple[tuple[str, ...], Modules]] = _TABLES["oss_families"]
OSS_FAMILY_NAMES = ("generic", *OSS_FAMILIES)


@dataclass(frozen=True)
class AppClass:
    fqcn: str

    @property
    def simple(self) -> str:
        return self.fqcn.rsplit(".", 1)[-1]

    @property
    def package(self) -> str:
        return self.fqcn.rsplit(".", 1)[0]

    @property
    def file(self) -> str:
        return self.simple.split("$", 1)[0] + ".java"

    def at(self, method: str, line: int) -> StackFrame:
        return StackFrame(self.fqcn, method, self.file, line, app=True)

    def inner(self, suffix: str) -> AppClass:
        return AppClass(f"{self.fqcn}${suffix}")


class Codebase:
    """One row's application: its root package, its business module and the names drawn from them."""

    def __init__(self, kind: str, rng: random.Random, family: str = "generic") -> None:
        self.kind = kind
        self.rng = rng
        self.family = family if kind == "oss" else "bank"
        self.modules: Modules = OSS_MODULES  # the oss modules classes are drawn from
        if kind == "bank":
            self.root = rng.choice(BANK_ROOTS)
            self.module = rng.choice(list(_TABLES["bank_modules"]))
            stems, entities, verbs, self.module_ko = _TABLES["bank_modules"][self.module]
            self.stem, self.entity = rng.choice(stems), rng.choice(entities)
            self.verbs = verbs
            self.project = self.root.rsplit(".", 1)[-1]
        else:
            if family == "generic":
                self.project = rng.choice(_TABLES["oss_projects"])
                self.root = rng.choice(_TABLES["oss_root_patterns"]).format(p=self.project)
            else:
                roots, self.modules = OSS_FAMILIES[family]
                self.root = rng.choice(roots)
                self.project = self.root.rsplit(".", 1)[-1]
            self.module = rng.choice(list(self.modules))
            classes, self.verbs = self.modules[self.module]
            self.stem = rng.choice(classes)
            self.entity = rng.choice(classes)
            self.module_ko = self.module
        self._classes: dict[str, AppClass] = {}
        self._oss_verbs = _OSS_VERBS if self.modules is OSS_MODULES else _verbs_of(self.modules)

    @property
    def is_bank(self) -> bool:
        return self.kind == "bank"

    def noun(self) -> str:
        return self.rng.choice(_TABLES[f"{self.kind}_nouns"])

    def line(self, low: int = 24, high: int = 880) -> int:
        return self.rng.randint(low, high)

    def cls(self, role: str, name: str | None = None) -> AppClass:
        """The row's class for `role` (the same one every time it is asked for), or a named one in that layer."""
        key = f"{role}:{name}" if name else role
        if key not in self._classes:
            self._classes[key] = self._new_class(role, name)
        return self._classes[key]

    def other_cls(self) -> AppClass:
        """A further class of the code base, for frames between the interesting ones."""
        if self.is_bank:
            return self._new_class(self.rng.choice(_TABLES["bank_filler_roles"]), None)
        module = self.rng.choice(list(self.modules))
        return self._oss_class(module, self.rng.choice(self.modules[module][0]))

    def _new_class(self, role: str, name: str | None) -> AppClass:
        if self.is_bank and role == "main":
            return AppClass(f"{self.root}.{name or self.stem + 'Application'}")
        if self.is_bank:
            packages, patterns = _TABLES["bank_roles"].get(role, _TABLES["bank_roles"]["support"])
            simple = name or self.rng.choice(patterns).format(S=self.stem, E=self.entity)
            module = "common" if role == "util" else self.module
            suffix = self.rng.choice(packages)
            package = f"{self.root}.{suffix}" if suffix.startswith("common") else f"{self.root}.{module}.{suffix}"
            if role == "test":  # drawn again after the package: redundant, but the seeded rows depend on it
                simple = name or self.rng.choice(patterns).format(S=self.stem, E=self.entity)
            return AppClass(f"{package}.{simple}")
        if role == "test":
            return self._oss_class(self.module, name or f"{self.stem}Test", sub="")
        if role == "main":
            return AppClass(f"{self.root}.{name or self.project.capitalize() + 'Main'}")
        if name:
            return self._oss_class(self.module, name)
        if role in _TABLES["oss_stem_roles"]:
            return self._oss_class(self.module, self.stem)
        module = self.rng.choice(list(self.modules))
        return self._oss_class(module, self.rng.choice(self.modules[module][0]))

    def _oss_class(self, module: str, simple: str, sub: str | None = None) -> AppClass:
        sub = self.rng.choice(_TABLES["oss_subpackages"]) if sub is None else sub
        package = f"{self.root}.{module}" + (f".{sub}" if sub else "")
        return AppClass(f"{package}.{simple}")

    def method(self, role: str) -> str:
        if self.is_bank:
            if role in _TABLES["bank_module_verb_roles"]:
                return self.rng.choice(self.verbs)
            return self.rng.choice(_TABLES["bank_role_methods"].get(role, self.verbs))
        return self.rng.choice(self.verbs if role in _TABLES["oss_stem_roles"] else self._oss_verbs)

    def frame(self, role: str, method: str | None = None, name: str | None = None) -> StackFrame:
        return self.cls(role, name).at(method or self.method(role), self.line())

    def filler(self, count: int) -> list[StackFrame]:
        """`count` application frames of assorted classes (callers between the fault and the entry point)."""
        frames: list[StackFrame] = []
        for _ in range(count):
            owner = self.other_cls()
            method = self.rng.choice(self.verbs + _TABLES["bank_filler_verbs"] if self.is_bank else self._oss_verbs)
            roll = self.rng.random()
            if roll < 0.08:
                owner = owner.inner(str(self.rng.randint(1, 4)))
            elif roll < 0.14:
                method = f"lambda${method}${self.rng.randint(0, 6)}"
            frames.append(owner.at(method, self.line()))
            if not self.is_bank and self.rng.random() < 0.25:  # recursion through the same class: visitors, renderers
                frames.append(owner.at(method, self.line()))
        return frames

    def test_class(self, under_test: AppClass | None = None) -> AppClass:
        if under_test is not None:
            base = under_test.simple.split("$", 1)[0]
            for suffix, replacement in _TABLES["test_class_suffixes"].items():
                if base.endswith(suffix) and len(base) > len(suffix):
                    base = base[: -len(suffix)] + replacement
            return AppClass(f"{under_test.package}.{base}Test")
        return self.cls("test")


def _verbs_of(modules: Modules) -> tuple[str, ...]:
    return tuple(sorted({verb for _, verbs in modules.values() for verb in verbs}))


_OSS_VERBS = _verbs_of(OSS_MODULES)


def test_method_name(method: str, rng: random.Random, junit5: bool) -> str:
    """A test method name for the method under test: testPostEntry, shouldRejectNegativeAmount, ..."""
    pattern = rng.choice(_TABLES["test_method_names"]["junit5" if junit5 else "junit4"])
    return pattern.format(m=method, M=method[:1].upper() + method[1:])
