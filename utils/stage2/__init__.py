"""Stage 2, how to fix it: T5 building and constrained generation (`seq2seq`), explanations grounded in
the trace, the scenario memory, the `type=...; cause=...` format (`guidance`).
"""
