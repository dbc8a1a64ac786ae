"""Method and class names as the ranker compares them: `normalize_method` (frames and `fix_methods` alike) and the
outer / simple class of a frame's class (generated parts cut off)."""

from __future__ import annotations

import re
from functools import lru_cache

from utils.parsing.stacktrace import Frame

_LAMBDA = re.compile(r"^lambda\$(.*?)\$\d+$")
GENERATED_CLASS_PART = re.compile(r"\$\$.*$")  # Foo$$EnhancerByCGLIB$$1a2b, Foo$$Lambda$12/0x...


@lru_cache(maxsize=65536)
def normalize_method(qualified_method: str) -> str:
    """Canonical "pkg.Outer.Inner.method" used to compare trace frames with `fix_methods`.

    - inner classes: `$` and `.` are the same separator (`Outer$Inner.m` == `Outer.Inner.m`);
    - anonymous classes (`Outer$1.run`) drop their numeric segment: the method is credited to `Outer.run`;
    - generated suffixes (`Foo$$EnhancerByCGLIB$$ab12.m`, `$$Lambda$3/0x..`) are cut back to `Foo`;
    - lambdas `lambda$foo$0` -> `foo` (the enclosing method), `lambda$new$0` -> the constructor;
    - constructors `<init>` -> the simple name of the (innermost named) class, as `pkg.Class.Class` in fix lists.
    `<clinit>` and synthetic accessors (`access$000`) are kept as written: they match no developer-written method.
    """
    text = qualified_method.strip()
    if "(" in text:  # a signature was given: "pkg.C.m(int)"
        text = text.split("(", 1)[0]
    class_name, _, method = text.rpartition(".")
    if not class_name:
        return text
    class_name = GENERATED_CLASS_PART.sub("", class_name.split("/", 1)[0])
    segments = [part for part in class_name.replace("$", ".").split(".") if part and not part.isdigit()]
    if not segments:
        return text
    lambda_match = _LAMBDA.match(method)
    if lambda_match:
        method = lambda_match.group(1) or method
        if method == "new":
            method = "<init>"
        elif method == "static":
            method = "<clinit>"
    if method == "<init>":
        method = segments[-1]
    return ".".join(segments) + "." + method


def frame_key(frame: Frame) -> str:
    return normalize_method(frame.qualified_method) if frame.qualified_method else frame.place



def outer_simple_class(class_name: str) -> str:
    return GENERATED_CLASS_PART.sub("", class_name.rsplit(".", 1)[-1]).split("$", 1)[0]


def outer_class(class_name: str) -> str:
    """ "com.acme.FooTest$Fixture$$Lambda$3" -> "com.acme.FooTest": the class a source file declares."""
    return GENERATED_CLASS_PART.sub("", class_name).split("$", 1)[0]


def camel_tokens(name: str) -> set[str]:
    name = GENERATED_CLASS_PART.sub("", name)
    return {token.lower() for token in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", name) if len(token) > 1}
