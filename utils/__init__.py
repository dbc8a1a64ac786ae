"""Shared logic of the Java exception log analyzer (parsing, labels, data, losses, metrics, models)."""
