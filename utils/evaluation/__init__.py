"""Scores against labels: classification, generation and explanation metrics, and the training
plots.
"""
