"""The training corpus: a synthetic generator of realistic Java failure logs, and importers of real benchmarks.

    from utils.corpus.generate import generate_corpus
    splits = generate_corpus(size=2000, seed=42)     # {"train": [...], "validation": [...], "test": [...]}

Rows follow the corpus contract: {"id", "log", "label", "guidance", "meta"}. Stdlib + yaml only (plus the
project's stacktrace / labels / guidance modules).
"""
