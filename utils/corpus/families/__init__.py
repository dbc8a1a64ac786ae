"""Template families, one module per exception family; importing this package registers every template."""

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
