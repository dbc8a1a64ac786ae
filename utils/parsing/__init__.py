"""Log text -> traces: the stack-trace parser (`stacktrace`) and reading inputs as a stream
(`log_sources`), JUnit XML reports' failed tests among them (`junit_xml`). Torch-free.
"""
