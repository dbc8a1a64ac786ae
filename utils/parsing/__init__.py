"""Log text -> traces: the stack-trace parser (`stacktrace`) and reading inputs as a stream
(`log_sources`), JUnit XML reports' failed tests (`junit_xml`) and compressed logs (`compressed`) among them.
Torch-free.
"""
