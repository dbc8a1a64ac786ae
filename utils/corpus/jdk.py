"""JDK-version-accurate frames: the same call prints differently on JDK 7/8 and 11/17/21.

`Jdk.f("java.util.ArrayList.get", (433, 458, 427, 427))` takes line numbers as (JDK 8, 11, 17, 21) and adds the
`java.base/` module prefix on JDK 9+. Versions differ in more than lines (sun.reflect vs jdk.internal.reflect,
DirectMethodHandleAccessor on 21): the segment helpers below hold those differences once.
"""

from __future__ import annotations

from utils.corpus.model import StackFrame

JDK_VERSIONS = (7, 8, 11, 17, 21)

# (package prefix, module) for JDK 9+; first match wins, so the narrower prefixes come first.
_MODULES = (
    ("java.sql.", "java.sql"),
    ("javax.sql.", "java.sql"),
    ("java.net.http.", "java.net.http"),
    ("jdk.internal.net.http.", "java.net.http"),
    ("java.util.logging.", "java.logging"),
    ("javax.naming.", "java.naming"),
    ("com.sun.jndi.", "java.naming"),
    ("javax.xml.stream.", "java.xml"),
    ("javax.xml.parsers.", "java.xml"),
    ("javax.xml.transform.", "java.xml"),
    ("org.xml.", "java.xml"),
    ("org.w3c.", "java.xml"),
    ("com.sun.org.apache.", "java.xml"),
    ("java.beans.", "java.desktop"),
    ("java.awt.", "java.desktop"),
    ("java.rmi.", "java.rmi"),
    ("javax.management.", "java.management"),
    ("java.lang.management.", "java.management"),
    ("javax.script.", "java.scripting"),
    ("java.", "java.base"),
    ("javax.crypto.", "java.base"),
    ("javax.net.", "java.base"),
    ("javax.security.", "java.base"),
    ("jdk.internal.", "java.base"),
    ("sun.", "java.base"),
    ("com.sun.crypto.", "java.base"),
    ("com.sun.net.", "java.base"),
)


def jdk_module(class_name: str) -> str | None:
    for prefix, module in _MODULES:
        if class_name.startswith(prefix):
            return module
    return None


def source_file(class_name: str) -> str:
    """ "java.util.ArrayList$Itr" -> "ArrayList.java"."""
    return class_name.rsplit(".", 1)[-1].split("$", 1)[0] + ".java"


Lines = int | tuple[int, int, int, int] | None


class Jdk:
    """Frame factory for one JDK version."""

    def __init__(self, version: int) -> None:
        if version not in JDK_VERSIONS:
            raise ValueError(f"unsupported JDK version {version}; choose from {JDK_VERSIONS}")
        self.version = version

    @property
    def modular(self) -> bool:
        return self.version >= 9

    def at_least(self, version: int) -> bool:
        return self.version >= version

    def pick(self, values: tuple):
        """The entry of a (JDK 8, 11, 17, 21) tuple for this version (JDK 7 shares 8's)."""
        return values[{7: 0, 8: 0, 11: 1, 17: 2, 21: 3}[self.version]]

    def f(
        self, qualified_method: str, lines: Lines = None, file: str | None = None, native: bool = False
    ) -> StackFrame:
        cls, method = qualified_method.rsplit(".", 1)
        line = self.pick(lines) if isinstance(lines, tuple) else lines
        return StackFrame(
            cls=cls,
            method=method,
            file=None if native else (file or source_file(cls)),
            line=None if native else line,
            module=jdk_module(cls) if self.modular else None,
            native=native,
        )

    # -- segments, deepest frame first ------------------------------------------------------------------------------
    def reflect_invoke(self) -> list[StackFrame]:
        if self.version == 21:
            return [
                self.f("jdk.internal.reflect.DirectMethodHandleAccessor.invoke", 103),
                self.f("java.lang.reflect.Method.invoke", 580),
            ]
        package = "sun.reflect" if self.version <= 8 else "jdk.internal.reflect"
        native_line, method_line = {7: (57, 606), 8: (62, 498), 11: (62, 566), 17: (77, 568)}[self.version]
        return [
            self.f(f"{package}.NativeMethodAccessorImpl.invoke0", native=True),
            self.f(f"{package}.NativeMethodAccessorImpl.invoke", native_line),
            self.f(f"{package}.DelegatingMethodAccessorImpl.invoke", 43),
            self.f("java.lang.reflect.Method.invoke", method_line),
        ]

    def reflect_construct(self) -> list[StackFrame]:
        if self.version == 21:
            return [
                self.f("jdk.internal.reflect.DirectConstructorHandleAccessor.newInstance", 62),
                self.f("java.lang.reflect.Constructor.newInstanceWithCaller", 502),
                self.f("java.lang.reflect.Constructor.newInstance", 486),
            ]
        package = "sun.reflect" if self.version <= 8 else "jdk.internal.reflect"
        frames = [
            self.f(f"{package}.NativeConstructorAccessorImpl.newInstance0", native=True),
            self.f(f"{package}.NativeConstructorAccessorImpl.newInstance", 77 if self.version == 17 else 62),
            self.f(f"{package}.DelegatingConstructorAccessorImpl.newInstance", 45),
        ]
        if self.version == 17:
            return frames + [
                self.f("java.lang.reflect.Constructor.newInstanceWithCaller", 499),
                self.f("java.lang.reflect.Constructor.newInstance", 480),
            ]
        return frames + [self.f("java.lang.reflect.Constructor.newInstance", {7: 526, 8: 423, 11: 490}[self.version])]

    def thread_run(self) -> list[StackFrame]:
        if self.version == 21:
            return [self.f("java.lang.Thread.runWith", 1596), self.f("java.lang.Thread.run", 1583)]
        return [self.f("java.lang.Thread.run", {7: 745, 8: 748, 11: 834, 17: 833}[self.version])]

    def pool_worker(self) -> list[StackFrame]:
        """ThreadPoolExecutor worker thread below the task."""
        return [
            self.f("java.util.concurrent.ThreadPoolExecutor.runWorker", (1149, 1128, 1136, 1144)),
            self.f("java.util.concurrent.ThreadPoolExecutor$Worker.run", (624, 628, 635, 642)),
            *self.thread_run(),
        ]

    def future_task_run(self) -> list[StackFrame]:
        return [self.f("java.util.concurrent.FutureTask.run", (266, 264, 264, 317))]

    def runnable_adapter(self) -> list[StackFrame]:
        return [self.f("java.util.concurrent.Executors$RunnableAdapter.call", (511, 515, 539, 572))]

    def submitted_task(self) -> list[StackFrame]:
        """A task given to ExecutorService.submit: FutureTask.run on a pool thread."""
        return self.future_task_run() + self.pool_worker()

    def scheduled_task(self) -> list[StackFrame]:
        frames = [*self.runnable_adapter(), self.f("java.util.concurrent.FutureTask.runAndReset", (308, 305, 305, 358))]
        if self.version <= 8:
            frames.append(
                self.f("java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask.access$301", 180)
            )
        frames.append(
            self.f("java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask.run", (294, 305, 305, 358))
        )
        return frames + self.pool_worker()

    def fork_join_worker(self) -> list[StackFrame]:
        if self.version <= 8:
            return [
                self.f("java.util.concurrent.ForkJoinTask.doExec", 289),
                self.f("java.util.concurrent.ForkJoinPool$WorkQueue.runTask", 1056),
                self.f("java.util.concurrent.ForkJoinPool.runWorker", 1692),
                self.f("java.util.concurrent.ForkJoinWorkerThread.run", 175),
            ]
        return [
            self.f("java.util.concurrent.ForkJoinTask.doExec", (289, 290, 373, 387)),
            self.f("java.util.concurrent.ForkJoinPool$WorkQueue.topLevelExec", (0, 1020, 1182, 1312)),
            self.f("java.util.concurrent.ForkJoinPool.scan", (0, 1656, 1655, 1843)),
            self.f("java.util.concurrent.ForkJoinPool.runWorker", (0, 1594, 1622, 1808)),
            self.f("java.util.concurrent.ForkJoinWorkerThread.run", (0, 183, 165, 188)),
        ]

    def async_supply(self, on_common_pool: bool) -> list[StackFrame]:
        """Below a CompletableFuture.supplyAsync lambda: the task and the thread that ran it."""
        run = self.f("java.util.concurrent.CompletableFuture$AsyncSupply.run", (1604, 1700, 1768, 1768))
        if on_common_pool:
            return [
                run,
                self.f("java.util.concurrent.CompletableFuture$AsyncSupply.exec", (1596, 1692, 1760, 1760)),
                *self.fork_join_worker(),
            ]
        return [run, *self.pool_worker()]

    def completion_encode(self) -> list[StackFrame]:
        """Where CompletableFuture wraps a task's exception into CompletionException."""
        return [
            self.f("java.util.concurrent.CompletableFuture.encodeThrowable", (273, 314, 315, 332)),
            self.f("java.util.concurrent.CompletableFuture.completeThrowable", (280, 319, 320, 347)),
        ]

    def future_get(self) -> list[StackFrame]:
        """FutureTask.get reporting a failed task (ExecutionException)."""
        return [
            self.f("java.util.concurrent.FutureTask.report", 122),
            self.f("java.util.concurrent.FutureTask.get", (192, 191, 191, 191)),
        ]

    def completable_get(self) -> list[StackFrame]:
        return [
            self.f("java.util.concurrent.CompletableFuture.reportGet", (357, 395, 396, 413)),
            self.f("java.util.concurrent.CompletableFuture.get", (1908, 1999, 2073, 2096)),
        ]

    def stream_collect(self) -> list[StackFrame]:
        """A sequential `list.stream().map(...).collect(...)` below the element's lambda."""
        return [
            self.f("java.util.stream.ReferencePipeline$3$1.accept", (193, 195, 197, 197)),
            self.f("java.util.ArrayList$ArrayListSpliterator.forEachRemaining", (1384, 1655, 1625, 1708)),
            self.f("java.util.stream.AbstractPipeline.copyInto", (482, 484, 509, 509)),
            self.f("java.util.stream.AbstractPipeline.wrapAndCopyInto", (472, 474, 499, 499)),
            self.f("java.util.stream.ReduceOps$ReduceOp.evaluateSequential", (708, 913, 921, 921)),
            self.f("java.util.stream.AbstractPipeline.evaluate", (234, 234, 234, 234)),
            self.f("java.util.stream.ReferencePipeline.collect", (499, 578, 682, 682)),
        ]

    def class_for_name(self) -> list[StackFrame]:
        """Class.forName failing in the application class loader (ClassNotFoundException)."""
        if self.version <= 8:
            return [
                self.f("java.net.URLClassLoader.findClass", (381 if self.version == 7 else 382, 0, 0, 0)),
                self.f("java.lang.ClassLoader.loadClass", 424),
                self.f("sun.misc.Launcher$AppClassLoader.loadClass", 349 if self.version == 8 else 308),
                self.f("java.lang.ClassLoader.loadClass", 357),
                self.f("java.lang.Class.forName0", native=True),
                self.f("java.lang.Class.forName", 264),
            ]
        return [
            self.f("jdk.internal.loader.BuiltinClassLoader.loadClass", (0, 581, 641, 641)),
            self.f("jdk.internal.loader.ClassLoaders$AppClassLoader.loadClass", (0, 178, 188, 188)),
            self.f("java.lang.ClassLoader.loadClass", (0, 522, 520, 526)),
            self.f("java.lang.Class.forName0", native=True),
            self.f("java.lang.Class.forName", (0, 315, 375, 421)),
        ]

    def class_load(self) -> list[StackFrame]:
        """Loading a class the application refers to (NoClassDefFoundError's cause)."""
        return self.class_for_name()[:-2]
