"""Files and streams: IOException (closed streams, full disks, EOF, malformed input, zip, permissions, processes),
FileNotFoundException (java.io opens) and NoSuchFileException (java.nio.file).

The regular templates are declared in utils/corpus/templates/files.yaml (their file paths drawn by `path`); a
process's two exceptions are built here by hand."""

from __future__ import annotations

from utils.corpus.builder import Ctx
from utils.corpus.declared import helper
from utils.corpus.model import Incident, Thrown, template

IOE = "java.io.IOException"


@helper("file_path")
def path(c: Ctx, windows: bool = False) -> str:
    if windows:
        return c.pick(c.values("files.path.windows"))
    if c.bank:  # the dated names draw their dates before the pick, as the paths were always drawn
        dates = {"day": c.date(""), "date": c.date(), "account_no": c.account_no(), "clearing_day": c.date("")}
        return c.pick(c.values("files.path.bank")).format(**dates)
    return c.pick(c.values("files.path.oss")).format(code=c.code)


@template("IOException", "ioe.cannot_run_program")
def cannot_run_program(c: Ctx) -> Incident:
    """The IOException ProcessBuilder.start throws, caused by the one the forked process reported."""
    program = c.pick(c.values(".program"))
    site = c.frame(c.pick(("batch", "support", "util")))
    stack = c.call_stack([site], c.chain(".start"))
    forked = [*c.chain(".unix_process" if c.jdk.version <= 8 else ".process_impl"), *stack[1:]]
    chain = [Thrown(IOE, c.message(".message", program=program), stack), Thrown(IOE, c.message(".error"), forked)]
    return c.incident(
        chain, top=[site], fault=site, cause=c.text(".cause", site=site, program=program), fix=c.text(".fix")
    )
