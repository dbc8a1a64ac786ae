"""Trace -> record: the Analyzer (`analyze`), the record format, fingerprints and groups, the
streamed run's parse process and repeat caches, the Ray engine.
"""
