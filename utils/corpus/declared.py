"""Declarative templates: a `templates:` entry of a data file (utils/corpus/templates/*.yaml) built by `build`.

A regular template is: draws in a fixed order, one exception thrown at a chain of library frames called from one
or more application frames, a message and a cause/fix text filled from the draws. Such a template is data:

    npe.string_local:
      label: NullPointerException           # the canonical label (required)
      exception: java.lang.NullPointerException
      draw:                                 # in this order: the order the random draws are taken
      - name: {pick: [header, value]}       # a value from the list (strings are {slot} format strings)
      - site: {frame: [util, support]}      # a frame of one of the roles (the role is drawn first)
      - loc: {local: '{name}'}
      message: Cannot invoke "String.trim()" because "{loc}" is null
      message_min_jdk: 14                   # no message before this JDK (helpful NPE messages)

Optional keys: `contexts`, `codebases`, `min_jdk` (as `@template`), `message_key` (a `messages:` entry instead of
`message`), `throw` (chain names, "{slot}"s filled, `=slot` for a drawn chain, `=slot?` for one only some rows
draw; deepest first), `top` (drawn frames, deepest first; a slot holding a list adds its frames; default
`[site]`), `fault` (an index into `top`, or "{slot}" for a drawn frame), `fault_in_trace`, `filler` (a number or
"{slot}"), `wraps` (the template's own wrappers, innermost first, as `=slot` / `=slot?` names of `wrap` draws or of
lists of them), `extra` (the incident's meta, filled from the draws), `auto_wrap` (false: no context wrappers, as
for an Error), `cause` / `fix` (text keys, default `.cause` / `.fix`; every draw is a slot), `after_stack` (draw
steps taken once the call stack is built, as a driver draws its message after the call), `call_stack: false` (the
stack is the `throw` frames alone: an event loop's thread, a request failing before its controller is entered; the
`fault` is an application frame outside the trace; `top` defaults to none, `auto_wrap` and `fault_in_trace` to
false). In `top`, `throw` and `wraps`, `slot.attr` (`=slot.attr`) names an attribute of a slot.

A `wrap` draw is a wrapper thrown where the exception was caught: `{wrap: CLASS, message: ..., at: ..., top: [chain
names], line_delta: N}` (utils/corpus/builder.Wrap). Without `message` the wrapper's message is its cause's
toString(); `message: null` prints none; a string (or `message_key`, a `messages:` entry) is filled when the
wrapper is built, with the slots plus `{inner}` (the caught exception: `{inner.cls}`, `{inner.message}`) and
`{inner_string}` (its toString()).
A draw step is `{slot: expression}`, `{if: expression, then: [steps], else: [steps]}` or a list of steps (a YAML
alias of steps several templates share); the expressions are the keys of `_OPS` (a mapping with one of them) or of
`_PLAIN` (a bare word); `{call: name, option: value}` runs a family's drawing helper registered with
`@helper(name)`; `{at: owner, method: ...}` without `line` is a frame of a method that never ran (a fault outside
the trace). Irregular templates stay Python.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from utils.corpus.builder import CAUSE_TEXT, Ctx, Wrap
from utils.corpus.model import Incident, StackFrame, Thrown, template
from utils.corpus.tables import TableError, Tables, tables

TEMPLATE_KEYS = frozenset(
    {
        "label",
        "contexts",
        "codebases",
        "min_jdk",
        "exception",
        "draw",
        "message",
        "message_key",
        "message_min_jdk",
        "throw",
        "top",
        "fault",
        "cause",
        "fix",
        "extra",
        "auto_wrap",
        "wraps",
        "fault_in_trace",
        "filler",
        "after_stack",
        "call_stack",
    }
)
Slots = dict[str, Any]


def _fill(value: Any, slots: Slots) -> Any:
    """A string is a format string over the slots drawn so far ("{name}" alone is the slot itself: a number, a
    class, None); other values are literal."""
    if not isinstance(value, str):
        return value
    if value.startswith("{") and value.endswith("}") and value[1:-1].isidentifier():
        return slots[value[1:-1]]
    return value.format(**slots)


def _fill_all(value: Any, slots: Slots) -> Any:
    """`_fill` into the items of a list (a pick list of tuples)."""
    return [_fill_all(item, slots) for item in value] if isinstance(value, (list, tuple)) else _fill(value, slots)


def _one_of(c: Ctx, options: Any, slots: Slots) -> Any:
    """A role list draws one role; a single role (a format string: "{role}") is itself (no draw)."""
    return c.pick(options) if isinstance(options, (list, tuple)) else _fill(options, slots)


def _local(c: Ctx, name: str) -> str:
    """A local variable as a helpful NPE message names it: its name with -g debug info, else "<localN>"."""
    return name if c.chance(0.6) else f"<local{c.randint(1, 9)}>"


def _wrap(c: Ctx, cls: str, expr: dict[str, Any], slots: Slots) -> Wrap:
    """A wrapper spec (see the module doc); its message is filled when the wrapper is built, after every draw."""
    message: Any = CAUSE_TEXT
    if "message" in expr or "message_key" in expr:
        message = None if expr.get("message", "") is None else partial(_wrap_message, c, expr, slots)
    return Wrap(
        _fill(cls, slots),
        message,
        at=_fill(expr.get("at", "app"), slots),
        top=_throw(c, expr.get("top") or [], slots),
        line_delta=expr.get("line_delta", 3),
    )


def _wrap_message(c: Ctx, expr: dict[str, Any], slots: Slots, inner: Thrown) -> str:
    """A `wrap` draw's message, filled once the caught exception `inner` is built (after every draw)."""
    filled = {**slots, "inner": inner, "inner_string": inner.to_string()}
    return c.message(expr["message_key"], **filled) if "message_key" in expr else expr["message"].format(**filled)


HELPERS: dict[str, Callable[..., Any]] = {}  # a family's drawing helper a declared template calls by name


def helper(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Make a family's helper (`(c, **options) -> value`) callable from data as `{call: name, option: value}`."""

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        if name in HELPERS:  # names are global across families: a second one would silently replace the first
            raise ValueError(f"helper {name!r} is registered twice ({HELPERS[name].__module__}, {function.__module__})")
        HELPERS[name] = function
        return function

    return register


# An operation: (the context, its argument, the whole expression mapping, the slots so far) -> the drawn value.
_OPS: dict[str, Callable[[Ctx, Any, dict[str, Any], Slots], Any]] = {
    "pick": lambda c, arg, expr, slots: c.pick([_fill_all(option, slots) for option in arg]),
    "values": lambda c, arg, expr, slots: _fill_all(c.pick(c.values(arg)), slots),
    "frame": lambda c, arg, expr, slots: c.frame(_one_of(c, arg, slots), _fill(expr.get("method"), slots)),
    "app": lambda c, arg, expr, slots: c.app(_one_of(c, arg, slots), _fill(expr.get("name"), slots)),
    # an application class's frame; its line a drawn slot, none for a method that never ran
    "at": lambda c, arg, expr, slots: slots[arg].at(_fill(expr["method"], slots), slots.get(expr.get("line", ""))),
    "verb": lambda c, arg, expr, slots: c.verb(_one_of(c, arg, slots)),
    "randint": lambda c, arg, expr, slots: c.randint(*arg),
    "chance": lambda c, arg, expr, slots: c.chance(arg),
    "local": lambda c, arg, expr, slots: _local(c, _fill(arg, slots)),
    "format": lambda c, arg, expr, slots: _fill(arg, slots),
    "lower_first": lambda c, arg, expr, slots: (lambda word: word[:1].lower() + word[1:])(_fill(arg, slots)),
    "text": lambda c, arg, expr, slots: c.text(_fill(arg, slots), **slots),
    "message": lambda c, arg, expr, slots: c.message(_fill(arg, slots), **slots),
    # a data file's chain, a segment of utils/corpus/jdk.yaml on the row's JDK; `from: N` leaves out the first N
    # frames, `to: N` keeps the first N
    "chain": lambda c, arg, expr, slots: c.chain(arg)[expr.get("from", 0) : expr.get("to")],
    "jdk_frames": lambda c, arg, expr, slots: c.jdk.segment(arg)[expr.get("from", 0) :],
    "call": lambda c, arg, expr, slots: HELPERS[arg](c, **{k: _fill(v, slots) for k, v in expr.items() if k != "call"}),
    "is": lambda c, arg, expr, slots: _fill(arg[0], slots) == arg[1],  # for an `if` on what was drawn
    "sum": lambda c, arg, expr, slots: sum(_fill(part, slots) for part in arg),
    "all": lambda c, arg, expr, slots: all(evaluate(c, part, slots) for part in arg),  # stops at the first false
    # a library frame (its method filled from the draws), its line drawn
    "lib": lambda c, arg, expr, slots: [c.lib(_fill(arg, slots), _one_of(c, expr["line"], slots))],
    "jdk_at_least": lambda c, arg, expr, slots: c.jdk.at_least(arg),
    "jdk_at_most": lambda c, arg, expr, slots: c.jdk.version <= arg,
    "wrap": lambda c, arg, expr, slots: _wrap(c, arg, expr, slots),
}
_PLAIN: dict[str, Callable[[Ctx], Any]] = {
    "noun": lambda c: c.code.noun(),
    "line": lambda c: c.code.line(),
    "code": lambda c: c.code,  # the row's code base (no draw): `{code.stem}`, `{code.root}` in format strings
    "context": lambda c: c.context,  # the row's entry context: web, kafka, batch, test ... (no draw)
    "other_class": lambda c: c.code.other_cls(),  # a class of the code base outside the named roles
    "project": lambda c: c.code.project,  # no draw
    "stem": lambda c: c.code.stem,  # no draw
    "bank": lambda c: c.bank,  # no draw
    "getter": Ctx.getter,
    "var": Ctx.var,
    "table": Ctx.table,
    "column": Ctx.column,
    "host": Ctx.host,
    "port": Ctx.port,
    "url": Ctx.url,
    "account_no": Ctx.account_no,
    "amount": Ctx.amount,
    "tx_id": Ctx.tx_id,
    "date": Ctx.date,
    "type_name": Ctx.type_name,
}


# Operations whose other keys are free-form options: one of those may share another operation's name
# (`{wrap: X, message: ...}`, `{call: helper, text: ...}`), and the operation is still this one.
_WITH_OPTIONS = ("call", "wrap")


def _operations(expr: dict[str, Any]) -> list[str]:
    """The operation keys of a mapping (a valid expression has exactly one)."""
    for op in _WITH_OPTIONS:
        if op in expr:
            return [op]
    return [key for key in expr if key in _OPS]


def evaluate(c: Ctx, expr: Any, slots: Slots) -> Any:
    if isinstance(expr, str):
        return _PLAIN[expr](c)
    (op,) = _operations(expr)
    return _OPS[op](c, expr[op], expr, slots)


def draw(c: Ctx, steps: list[Any], slots: Slots) -> None:
    for step in steps:
        if isinstance(step, list):  # steps several templates share (a YAML alias)
            draw(c, step, slots)
            continue
        if "if" in step:
            branch = "then" if evaluate(c, step["if"], slots) else "else"
            draw(c, step.get(branch) or [], slots)
            continue
        ((name, expr),) = step.items()
        slots[name] = evaluate(c, expr, slots)


def _flat(values: list[Any]) -> list[Any]:
    """`values` with each list in it spliced in place: a slot may hold several frames or wrappers (a route)."""
    return [item for value in values for item in (value if isinstance(value, list) else [value])]


def _slot(name: str, slots: Slots) -> Any:
    """The slot `name` ("=slot", "=slot?", "slot"), or an attribute of one ("=route.lib")."""
    slot, *attributes = name.strip("=?").split(".")
    value = slots[slot]
    for attribute in attributes:
        value = getattr(value, attribute)
    return value


def _absent(name: str, slots: Slots) -> bool:
    """A "=slot?" this row did not draw (a chain or wrapper only some rows draw)."""
    return name.endswith("?") and name.strip("=?").split(".")[0] not in slots


def drawn(names: list[str], slots: Slots) -> list[Any]:
    """The slots named `=slot` (and `=slot?` where this row drew it), in order; a slot holding a list adds its items."""
    return _flat([_slot(name, slots) for name in names if not _absent(name, slots)])


def _throw(c: Ctx, names: list[str], slots: Slots) -> list[StackFrame]:
    frames: list[StackFrame] = []
    for name in names:
        if not _absent(name, slots):
            chain = _slot(name, slots) if name.startswith("=") else _fill(name, slots)
            frames += c.chain(chain) if isinstance(chain, str) else _flat([chain])  # a frame or a list of them
    return frames


def build(spec: dict[str, Any], c: Ctx) -> Incident:
    """The incident of the declared template `spec` for the row `c`."""
    slots: Slots = {}
    draw(c, spec.get("draw") or [], slots)
    on_call_stack = spec.get("call_stack", True)  # else no application frame: no `top`, the fault is elsewhere
    top = _flat([_slot(name, slots) for name in spec.get("top", ["site"] if on_call_stack else [])])
    stack = _throw(c, spec.get("throw") or [], slots)
    if on_call_stack:
        stack = c.call_stack(top, stack, _fill(spec.get("filler"), slots))
    draw(c, spec.get("after_stack") or [], slots)
    if "message_key" in spec:
        message: str | None = c.message(spec["message_key"], **slots)
    else:
        message = _fill(spec.get("message"), slots)
    if not c.jdk.at_least(spec.get("message_min_jdk", 0)):
        message = None
    return c.incident(
        [Thrown(_fill(spec["exception"], slots), message, stack)],
        top=top,
        fault=_fill(spec.get("fault", 0), slots),
        cause=c.text(_fill(spec.get("cause", ".cause"), slots), **slots),
        fix=c.text(_fill(spec.get("fix", ".fix"), slots), **slots),
        wraps=drawn(spec.get("wraps") or [], slots),
        auto_wrap=spec.get("auto_wrap", on_call_stack),
        fault_in_trace=_fill(spec.get("fault_in_trace", on_call_stack), slots),
        extra={key: _fill(value, slots) for key, value in (spec.get("extra") or {}).items()},
    )


def _calls(value: Any) -> list[str]:
    if isinstance(value, dict):
        own = [value["call"]] if isinstance(value.get("call"), str) else []  # not a draw step's slot named "call"
        return own + [name for item in value.values() for name in _calls(item)]
    if isinstance(value, list):
        return [name for item in value for name in _calls(item)]
    return []


def check_templates(loaded: Tables) -> None:
    """Every declared template uses only this format's keys and expressions, and every `{call: name}` names a
    registered helper (checked once the families are imported, before any row is drawn)."""
    for name, spec in loaded.templates.items():
        path = loaded.origin[f"templates:{name}"]
        _check_template(name, spec, path)
        unknown = sorted(set(_calls(spec)) - set(HELPERS))
        if unknown:
            raise TableError(f"{path.name}: template {name!r} calls the unknown helper {unknown[0]!r}.")


def _check_template(name: str, spec: dict[str, Any], path: Path) -> None:
    """A declared template's keys and draw expressions are this interpreter's."""
    unknown = sorted(set(spec) - TEMPLATE_KEYS)
    if unknown:
        raise TableError(f"{path.name}: template {name!r} has the unknown key {unknown[0]!r}.")
    for key in ("label", "exception"):
        if not isinstance(spec.get(key), str):
            raise TableError(f"{path.name}: template {name!r} needs the string key {key!r}.")
    _check_steps(name, spec.get("draw") or [], path)
    _check_steps(name, spec.get("after_stack") or [], path)


def _check_steps(name: str, steps: Any, path: Path) -> None:
    if not isinstance(steps, list):
        raise TableError(f"{path.name}: template {name!r}: draw must be a list of steps.")
    for step in steps:
        if isinstance(step, list):
            _check_steps(name, step, path)
        elif isinstance(step, dict) and "if" in step and set(step) <= {"if", "then", "else"}:
            _check_expression(name, step["if"], path)
            _check_steps(name, step.get("then") or [], path)
            _check_steps(name, step.get("else") or [], path)
        elif isinstance(step, dict) and len(step) == 1:
            _check_expression(name, next(iter(step.values())), path)
        else:
            raise TableError(f"{path.name}: template {name!r}: a draw step is {{slot: expression}} or an if: {step!r}.")


def _check_expression(name: str, expr: Any, path: Path) -> None:
    found = _operations(expr) if isinstance(expr, dict) else [expr] if str(expr) in _PLAIN else []
    if len(found) != 1:
        raise TableError(
            f"{path.name}: template {name!r}: {expr!r} is not one of {', '.join(sorted([*_OPS, *_PLAIN]))} (a "
            "mapping holds exactly one operation)."
        )


def register_declared() -> None:
    """Register every data file's declared templates (their family is the file's name)."""
    loaded = tables()
    check_templates(loaded)
    for name, spec in loaded.templates.items():
        template(
            spec["label"],
            name,
            tuple(spec["contexts"]) if "contexts" in spec else None,
            tuple(spec.get("codebases", ("bank", "oss"))),
            spec.get("min_jdk", 6),
            family=loaded.origin[f"templates:{name}"].stem,
        )(partial(build, spec))
