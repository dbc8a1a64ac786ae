"""Template families, one module per exception family; importing this package registers every template.

Each module holds only composition (which frames, which draws, in which order); its tables (frame chains, messages,
English/Korean texts, pick lists) live in `utils/corpus/templates/<family>.yaml`, read through `Ctx.chain`,
`Ctx.message`, `Ctx.text`, `Ctx.pair` and `Ctx.values` (format: utils/corpus/tables.py). The regular templates are
data too: the files' `templates:` entries, registered here (format: utils/corpus/declared.py)."""

from utils.corpus.declared import register_declared
from utils.corpus.families import (  # noqa: F401
    arguments,
    assertions,
    collections,
    concurrency,
    database,
    domain,
    files,
    json,
    jvm,
    network,
    nulls,
    numbers,
    other,
    persistence,
    security,
    spring,
)

register_declared()
