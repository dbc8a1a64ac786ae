"""What an entry point prints besides its own output: progress bars only on a terminal, no library chatter
(weight-loading reports, "Some weights ... were not initialized", deprecation notices), and a bad input file as one
line naming `file:line` (and the flag that skips such rows) instead of two chained tracebacks.

`configure_console()` is the first line of every entry point's `main`. `ANALYZER_VERBOSE=1` in the environment
brings the libraries' own logging and warnings and full tracebacks back, for debugging. Cheap on purpose: it
imports no library that is not loaded yet (predict.py --no_model must start in about a second), and configures
those through the environment variables they read when they load.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import sys
import warnings
from pathlib import Path
from types import TracebackType

VERBOSE_ENV = "ANALYZER_VERBOSE"
# The libraries whose logging is muted in normal runs: their python logger names.
LIBRARY_LOGGERS = ("transformers", "datasets", "huggingface_hub", "accelerate", "peft", "torch")
# Warnings raised from these packages are addressed to developers of code calling them, not to our users.
LIBRARY_WARNING_MODULES = r"(transformers|datasets|huggingface_hub|accelerate|peft|torch|sklearn|safetensors)(\..*)?$"
# The entry points' option that skips and counts malformed JSONL rows (train_stage1.py, evaluate.py).
SKIP_ROWS_FIELD = "skip_invalid_rows"
# A `utils.stage1.data.JsonlError` about one line starts with "path:line: "; file-level ones (missing, empty) do not.
LINE_ERROR = re.compile(r"^.+:\d+: ")


def verbose_requested() -> bool:
    return os.environ.get(VERBOSE_ENV, "").strip().lower() not in ("", "0", "false", "no")


def configure_console(verbose: bool | None = None) -> None:
    """Progress bars on a terminal only; library logging at ERROR and library warnings off unless `verbose`
    (None: `ANALYZER_VERBOSE` decides). Our own loggers and messages are left as they are."""
    verbose = verbose_requested() if verbose is None else verbose
    _progress_bars(sys.stderr.isatty())
    if not verbose:
        _quiet_libraries()
        sys.excepthook = _one_line_input_errors


def one_line(error: BaseException, limit: int = 200) -> str:
    """An error's text on one line, at most `limit` characters (a YAML or JSON parser's error spans several)."""
    return " ".join(str(error).split())[:limit]


def input_error_line(error: BaseException, program: str, skip_flag_offered: bool) -> str | None:
    """The one line an uncaught input-file error is shown as, or None for any other error (a traceback then).

    Only `utils.stage1.data.JsonlError` and `utils.yaml_files.ConfigFileError` qualify: their messages already name
    the file (and line) in one sentence. A line-level error the skip flag would have skipped gets the flag named; an
    undecodable (non-UTF-8) line is not skippable, so it does not."""
    yaml_files = sys.modules.get("utils.yaml_files")  # not loaded: the error cannot be one of its
    if yaml_files is not None and isinstance(error, yaml_files.ConfigFileError):
        return f"{program}: error: {error}"
    data = sys.modules.get("utils.stage1.data")
    if data is None or not isinstance(error, data.JsonlError):
        return None
    line = f"{program}: error: {error}"
    skippable = LINE_ERROR.match(str(error)) and not isinstance(error.__cause__, UnicodeDecodeError)
    if skippable and skip_flag_offered:
        line += f" (--{SKIP_ROWS_FIELD} skips and counts such rows)"
    return line


def _offers_skip_flag(module: object) -> bool:
    """Whether the running script's argument dataclasses have the skip-rows option."""
    return any(
        field.name == SKIP_ROWS_FIELD
        for value in vars(module).values()
        if isinstance(value, type) and dataclasses.is_dataclass(value)
        for field in dataclasses.fields(value)
    )


def _one_line_input_errors(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
    """`sys.excepthook`: an input-file error as one line on stderr (exit status 1 as before), Ctrl-C as one line
    (Python still ends the process by SIGINT, status 130 in a shell), others as usual."""
    main = sys.modules.get("__main__")
    program = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "error"
    if issubclass(kind, KeyboardInterrupt):  # outputs are written to temporary files, removed as this unwound
        print(f"{program}: interrupted", file=sys.stderr)
        return
    line = input_error_line(error, program, main is not None and _offers_skip_flag(main))
    if line is None:
        sys.__excepthook__(kind, error, trace)
    else:
        print(line, file=sys.stderr)


def _progress_bars(on_terminal: bool) -> None:
    """Turns the libraries' progress bars off when stderr is not a terminal (a log file, CI, a pipe): there they are
    carriage-return noise. On a terminal they stay as the libraries choose."""
    # TrainingArguments(disable_tqdm=None) turns the Trainer's bars off when its logger is above WARNING: its level
    # is set here explicitly, so muting the rest of transformers does not take the bars away on a terminal.
    logging.getLogger("transformers.training_args").setLevel(logging.WARNING if on_terminal else logging.ERROR)
    if on_terminal:
        return
    os.environ["HF_DATASETS_DISABLE_PROGRESS_BARS"] = "1"  # read by datasets and huggingface_hub when they load
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    if "huggingface_hub" in sys.modules:
        from huggingface_hub.utils import disable_progress_bars

        disable_progress_bars()
    if "transformers" in sys.modules:
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
    if "datasets" in sys.modules:
        import datasets

        datasets.disable_progress_bars()


def _quiet_libraries() -> None:
    """Library loggers at ERROR (their own level setters where loaded, else the variables they read on import) and
    library warnings ignored."""
    for variable in ("TRANSFORMERS_VERBOSITY", "DATASETS_VERBOSITY", "HF_HUB_VERBOSITY"):
        os.environ[variable] = "error"
    os.environ["TRANSFORMERS_NO_ADVISORY_WARNINGS"] = "1"
    if "transformers" in sys.modules:
        from transformers.utils import logging as transformers_logging

        transformers_logging.set_verbosity_error()
    if "datasets" in sys.modules:
        from datasets.utils import logging as datasets_logging

        datasets_logging.set_verbosity_error()
    if "huggingface_hub" in sys.modules:
        from huggingface_hub.utils import logging as hub_logging

        hub_logging.set_verbosity_error()
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module=LIBRARY_WARNING_MODULES)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
