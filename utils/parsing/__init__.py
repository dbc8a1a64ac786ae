"""Log text -> traces: the stack-trace parser (`stacktrace`) and reading inputs as a stream
(`log_sources`). Torch-free.
"""
