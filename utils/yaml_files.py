"""A YAML file a user names (a label set, a generator's tables, a production log's tables), read so that a file
that is not valid YAML, or not the mapping its reader wants, is one `ConfigFileError` naming it, which the entry
points print as one line (`utils.console`, for an error no script caught)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class ConfigFileError(ValueError):
    """A file the user named is not valid YAML or not shaped as its reader needs: one sentence naming it."""


def read_yaml(path: str | Path) -> Any:
    """The parsed file; `ConfigFileError("<path>: not valid YAML (<the parser's reason on one line>)")` when it is
    not YAML or not UTF-8 text. A missing file stays an OSError (FileNotFoundError)."""
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        raise ConfigFileError(f"{path}: not valid YAML ({' '.join(str(error).split())[:200]})") from None
