"""JDK-version-accurate frames: the same call prints differently on JDK 6/7/8 and 11/17/21.

`Jdk.f("java.util.ArrayList.get", (433, 458, 427, 427))` takes line numbers as (JDK 8, 11, 17, 21) and adds the
`java.base/` module prefix on JDK 9+. Versions differ in more than lines (sun.reflect vs jdk.internal.reflect,
DirectMethodHandleAccessor on 21): the segment helpers below hold those differences once.

JDK 6 rows are built as JDK 7 rows and then rewritten frame by frame (`as_jdk6`, table `JDK6_FRAMES`): JDK 6 ran
the same code paths with other line numbers and a few other classes (AbstractList$Itr, FutureTask$Sync,
ThreadPoolExecutor$Worker.runTask, PlainSocketImpl), so one table covers templates and segments alike.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import yaml

from utils.corpus.model import Incident, StackFrame, Thrown
from utils.corpus.tables import FrameSpec, parse_frame

# The version-independent segments are data (frame syntax shared with the templates).
SEGMENTS_FILE = Path(__file__).with_name("jdk.yaml")
_SEGMENTS: dict[str, list[FrameSpec]] = {
    name: [parse_frame(frame, SEGMENTS_FILE) for frame in frames]
    for name, frames in yaml.safe_load(SEGMENTS_FILE.read_text(encoding="utf-8")).items()
}

JDK_VERSIONS = (6, 7, 8, 11, 17, 21)

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
        # The version whose tables the segment helpers read: JDK 6 is built as 7, then rewritten by `as_jdk6`.
        self.base = 7 if version == 6 else version

    @property
    def modular(self) -> bool:
        return self.version >= 9

    def at_least(self, version: int) -> bool:
        return self.version >= version

    def pick(self, values: tuple):
        """The entry of a (JDK 8, 11, 17, 21) tuple for this version (JDK 6 and 7 share 8's)."""
        return values[{7: 0, 8: 0, 11: 1, 17: 2, 21: 3}[self.base]]

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
        native_line, method_line = {7: (57, 606), 8: (62, 498), 11: (62, 566), 17: (77, 568)}[self.base]
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
        return frames + [self.f("java.lang.reflect.Constructor.newInstance", {7: 526, 8: 423, 11: 490}[self.base])]

    def thread_run(self) -> list[StackFrame]:
        if self.version == 21:
            return [self.f("java.lang.Thread.runWith", 1596), self.f("java.lang.Thread.run", 1583)]
        return [self.f("java.lang.Thread.run", {7: 745, 8: 748, 11: 834, 17: 833}[self.base])]

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

    def segment(self, name: str) -> list[StackFrame]:
        """A segment of utils/corpus/jdk.yaml on this version."""
        return [self.f(spec.method, spec.lines, native=spec.native) for spec in _SEGMENTS[name]]

    def completion_encode(self) -> list[StackFrame]:
        return self.segment("completion_encode")

    def future_get(self) -> list[StackFrame]:
        return self.segment("future_get")

    def completable_get(self) -> list[StackFrame]:
        return self.segment("completable_get")

    def stream_collect(self) -> list[StackFrame]:
        return self.segment("stream_collect")

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


# -- JDK 6 ----------------------------------------------------------------------------------------------------------
# What JDK 6 (6u2x-6u45) printed for a frame of a JDK 7 row: keyed by "qualified method:line" (one overload) or by
# the qualified method (every line). A number replaces the line; a tuple of (qualified method, line) replaces the
# frame by these frames, deepest first (line None: a native method; the empty tuple drops the frame). Frames not
# listed keep JDK 7's lines, as JDK 7 rows keep JDK 8's for lines nobody tabulated.
JDK6_FRAMES: dict[str, int | tuple[tuple[str, int | None], ...]] = {
    "java.lang.Thread.run": 662,
    "sun.reflect.NativeMethodAccessorImpl.invoke": 39,
    "sun.reflect.DelegatingMethodAccessorImpl.invoke": 25,
    "java.lang.reflect.Method.invoke": 597,
    "sun.reflect.NativeConstructorAccessorImpl.newInstance": 39,
    "sun.reflect.DelegatingConstructorAccessorImpl.newInstance": 27,
    "java.lang.reflect.Constructor.newInstance": 513,
    # thread pools: Worker.runTask before JDK 7's runWorker, FutureTask's inner Sync class
    "java.util.concurrent.ThreadPoolExecutor.runWorker": (
        ("java.util.concurrent.ThreadPoolExecutor$Worker.runTask", 886),
    ),
    "java.util.concurrent.ThreadPoolExecutor$Worker.run": 908,
    "java.util.concurrent.FutureTask.run": (
        ("java.util.concurrent.FutureTask$Sync.innerRun", 303),
        ("java.util.concurrent.FutureTask.run", 138),
    ),
    "java.util.concurrent.FutureTask.runAndReset": (
        ("java.util.concurrent.FutureTask$Sync.innerRunAndReset", 317),
        ("java.util.concurrent.FutureTask.runAndReset", 150),
    ),
    "java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask.access$301": (
        ("java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask.access$101", 98),
        ("java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask.runPeriodic", 180),
    ),
    "java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask.run": 204,
    "java.util.concurrent.Executors$RunnableAdapter.call": 441,
    "java.util.concurrent.FutureTask.report": (("java.util.concurrent.FutureTask$Sync.innerGet", 222),),
    "java.util.concurrent.FutureTask.get": 83,
    "java.util.concurrent.AbstractExecutorService.submit": 78,
    "java.util.concurrent.ThreadPoolExecutor.execute": 658,
    "java.util.concurrent.ThreadPoolExecutor.reject": 768,
    "java.util.concurrent.ThreadPoolExecutor$AbortPolicy.rejectedExecution": 1774,
    # collections: ArrayList.RangeCheck (capital R), iterators and sub-lists inherited from AbstractList
    "java.util.ArrayList.rangeCheck": (("java.util.ArrayList.RangeCheck", 547),),
    "java.util.ArrayList.get": 322,
    "java.util.ArrayList.set": 337,
    "java.util.ArrayList.remove": 387,
    "java.util.ArrayList.subListRangeCheck": (
        ("java.util.SubList.<init>", 602),
        ("java.util.RandomAccessSubList.<init>", 758),
    ),
    "java.util.ArrayList.subList": (("java.util.AbstractList.subList", 468),),
    "java.util.ArrayList$Itr.checkForComodification": (("java.util.AbstractList$Itr.checkForComodification", 372),),
    "java.util.ArrayList$Itr.next": (("java.util.AbstractList$Itr.next", 343),),
    "java.util.ArrayList$Itr.remove": (("java.util.AbstractList$Itr.remove", 357),),
    "java.util.HashMap$HashIterator.nextNode": (("java.util.HashMap$HashIterator.nextEntry", 793),),
    "java.util.HashMap$HashIterator.nextEntry": 793,
    "java.util.HashMap$KeyIterator.next": 828,
    "java.util.HashMap$ValueIterator.next": 822,
    "java.util.HashMap$EntryIterator.next": 832,
    "java.util.concurrent.ConcurrentHashMap.putVal": (),
    "java.util.concurrent.ConcurrentHashMap.put": 881,
    "java.util.Collections$UnmodifiableCollection.add": 1018,
    "java.util.LinkedList.getFirst": 109,
    # strings and numbers
    "java.lang.String.substring:1951": 1937,
    "java.lang.String.substring:1963": 1937,
    "java.lang.String.substring:1927": 1904,
    "java.lang.String.charAt": 687,
    "java.lang.NumberFormatException.forInputString": 48,
    "java.lang.Integer.parseInt:542": 417,
    "java.lang.Integer.parseInt:580": 449,
    "java.lang.Integer.parseInt:615": 499,
    "java.lang.Long.parseLong:589": 410,
    "java.lang.Long.parseLong:631": 461,
    "java.text.DateFormat.parse": 337,
    # class loading: URLClassLoader's privileged action was its own frame
    "java.net.URLClassLoader.findClass": (
        ("java.net.URLClassLoader$1.run", 202),
        ("java.security.AccessController.doPrivileged", None),
        ("java.net.URLClassLoader.findClass", 190),
    ),
    "java.lang.ClassLoader.loadClass:424": 306,
    "java.lang.ClassLoader.loadClass:357": 247,
    "sun.misc.Launcher$AppClassLoader.loadClass": 301,
    "java.lang.Class.forName:264": 169,
    "javax.naming.InitialContext.lookup": 392,
    # sockets and files: PlainSocketImpl before AbstractPlainSocketImpl, no socketRead / open0 wrappers
    "java.net.AbstractPlainSocketImpl.doConnect": (("java.net.PlainSocketImpl.doConnect", 333),),
    "java.net.AbstractPlainSocketImpl.connectToAddress": (("java.net.PlainSocketImpl.connectToAddress", 195),),
    "java.net.AbstractPlainSocketImpl.connect": (("java.net.PlainSocketImpl.connect", 182),),
    "java.net.SocksSocketImpl.connect": 366,
    "java.net.Socket.connect:589": 529,
    "java.net.SocketInputStream.socketRead": (),
    "java.net.SocketInputStream.read:171": 129,
    "java.net.SocketInputStream.read:141": (),
    "java.io.FileInputStream.open0": (("java.io.FileInputStream.open", None),),
    "java.io.FileInputStream.open:195": (),
    "java.io.FileInputStream.<init>:138": 106,
    "java.io.FileInputStream.<init>:93": 66,
}

_JDK_PACKAGES = ("java.", "javax.", "sun.", "com.sun.", "jdk.")


def _jdk6_frames(frame: StackFrame) -> list[StackFrame]:
    if not frame.cls.startswith(_JDK_PACKAGES):
        return [_anonymous_class(frame)]
    spec = JDK6_FRAMES.get(f"{frame.qualified_method}:{frame.line}", JDK6_FRAMES.get(frame.qualified_method))
    if spec is None:
        return [frame]
    if isinstance(spec, int):
        return [dataclasses.replace(frame, line=spec)]
    frames = []
    for qualified_method, line in spec:
        cls, method = qualified_method.rsplit(".", 1)
        native = line is None
        frames.append(StackFrame(cls, method, None if native else source_file(cls), line, native=native))
    return frames


def _anonymous_class(frame: StackFrame) -> StackFrame:
    """Java 6 code (the application's and its libraries') has no lambdas: `Foo.lambda$run$2` was an anonymous
    `Foo$3.run`; a CGLIB proxy's frame names the proxied method."""
    if not frame.method.startswith("lambda$"):
        return frame
    parts = frame.method.split("$")
    if frame.generated:
        return dataclasses.replace(frame, method=parts[1] if len(parts) > 2 else "invoke")
    number = int(parts[-1]) + 1 if parts[-1].isdigit() else 1
    return dataclasses.replace(frame, cls=f"{frame.cls}${number}", method="run")


def as_jdk6(incident: Incident) -> Incident:
    """The incident as JDK 6 prints it (see `JDK6_FRAMES`); equal frames stay equal, so `... N more` still holds."""
    chain = [
        Thrown(exc.cls, exc.message, [new for frame in exc.frames for new in _jdk6_frames(frame)])
        for exc in incident.chain
    ]
    return dataclasses.replace(incident, chain=chain, fault=_anonymous_class(incident.fault))
