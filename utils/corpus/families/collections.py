"""Collections and casts: IndexOutOfBoundsException (lists, arrays, strings, buffers), ConcurrentModification-
Exception, NoSuchElementException and ClassCastException, with the JDK frames that throw them per JDK version."""

from __future__ import annotations

from utils.corpus.builder import Ctx
from utils.corpus.model import Incident, StackFrame, template

IOOBE = "java.lang.IndexOutOfBoundsException"
AIOOBE = "java.lang.ArrayIndexOutOfBoundsException"
SIOOBE = "java.lang.StringIndexOutOfBoundsException"
CME = "java.util.ConcurrentModificationException"
NSEE = "java.util.NoSuchElementException"
CCE = "java.lang.ClassCastException"


def preconditions(c: Ctx, check: str = "checkIndex") -> list[StackFrame]:
    """JDK 9+ index checks: jdk.internal.util.Preconditions ... Objects.checkIndex."""
    frames = [
        c.j("jdk.internal.util.Preconditions.outOfBounds", (0, 64, 64, 100)),
        c.j("jdk.internal.util.Preconditions.outOfBoundsCheckIndex", (0, 70, 70, 106)),
        c.j(f"jdk.internal.util.Preconditions.{check}", (0, 248, 266, 302)),
    ]
    if check == "checkIndex":
        frames.append(c.j("java.util.Objects.checkIndex", (0, 372, 359, 385)))
    return frames


def index_message(c: Ctx, index: int, length: int) -> str:
    return f"Index {index} out of bounds for length {length}"


def site_and_numbers(c: Ctx, roles: tuple[str, ...]) -> tuple[StackFrame, int, int]:
    length = c.pick((0, 0, 1, 2, 3, 5, 10))
    index = c.pick((length, length, length + 1, -1)) if length else c.pick((0, 0, 1))
    return c.frame(c.pick(roles)), index, length


def off_by_one(c: Ctx, site: StackFrame, what: str, index: int, length: int) -> tuple[str, str]:
    return (
        c.t(
            f"{site.method} reads {what} at index {index} but it has {length} element(s)"
            + (" (empty result)" if length == 0 else ""),
            f"{site.method}에서 크기 {length}인 {what}의 {index}번째 요소를 읽음"
            + (" (빈 결과)" if length == 0 else ""),
        ),
        c.t(
            f"Check the size before indexing in {site.method} (empty input, off-by-one in the loop bound)",
            f"{site.method}에서 인덱스 접근 전에 크기를 확인 (빈 입력, 반복 경계 off-by-one)",
        ),
    )


# ---------------------------------------------------------------------------------------- IndexOutOfBoundsException


@template("IndexOutOfBoundsException", "ioobe.list_get")
def list_get(c: Ctx) -> Incident:
    site, index, length = site_and_numbers(c, ("service", "support", "domain", "batch"))
    if c.jdk.version <= 8:
        throw = [
            c.j("java.util.ArrayList.rangeCheck", (657, 0, 0, 0) if c.jdk.version == 8 else 635),
            c.j("java.util.ArrayList.get", 433 if c.jdk.version == 8 else 411),
        ]
        message = f"Index: {index}, Size: {length}"
    else:
        throw = [*preconditions(c), c.j("java.util.ArrayList.get", (0, 458, 427, 427))]
        message = index_message(c, index, length)
    cause, fix = off_by_one(c, site, "a list", index, length)
    return c.fail(IOOBE, message, [site], throw, cause=cause, fix=fix)


@template("IndexOutOfBoundsException", "ioobe.array_index")
def array_index(c: Ctx) -> Incident:
    site, index, length = site_and_numbers(c, ("support", "domain", "util", "gateway"))
    message = str(index) if c.jdk.version <= 8 else index_message(c, index, length)
    cause, fix = off_by_one(c, site, "an array", index, length)
    return c.fail(AIOOBE, message, [site], cause=cause, fix=fix)


@template("IndexOutOfBoundsException", "ioobe.substring")
def substring(c: Ctx) -> Incident:
    site = c.frame(c.pick(("util", "support", "gateway", "domain")))
    length = c.randint(0, 9)
    end = length + c.randint(1, 8)
    if c.jdk.version <= 8:
        throw = [c.j("java.lang.String.substring", (1963, 0, 0, 0) if c.jdk.version == 8 else 1951)]
        message = f"String index out of range: {c.pick((end, length - end))}"
    elif c.jdk.version == 21:
        throw = [
            *preconditions(c, "checkFromToIndex"),
            c.j("java.lang.String.checkBoundsBeginEnd", 4865),
            c.j("java.lang.String.substring", 2834),
        ]
        message = f"begin 0, end {end}, length {length}"
    else:
        throw = [
            c.j("java.lang.String.checkBoundsBeginEnd", (0, 3319, 4604, 0)),
            c.j("java.lang.String.substring", (0, 1874, 2707, 0)),
        ]
        message = f"begin 0, end {end}, length {length}"
    if c.chance(0.3):
        throw.append(c.j("java.lang.String.substring", (1927, 1832, 2664, 2798)))  # substring(int) delegating
    return c.fail(
        SIOOBE,
        message,
        [site],
        throw,
        cause=c.t(
            f"{site.method} takes substring(0, {end}) of a string only {length} characters long",
            f"{site.method}에서 길이 {length}인 문자열에 substring(0, {end}) 호출",
        ),
        fix=c.t(
            "Check the length first (short or empty input, fixed-width field shorter than expected)",
            "길이를 먼저 확인 (짧거나 빈 입력, 고정 길이 필드가 예상보다 짧은 경우)",
        ),
    )


@template("IndexOutOfBoundsException", "ioobe.char_at")
def char_at(c: Ctx) -> Incident:
    site = c.frame(c.pick(("util", "support", "gateway")))
    length = c.randint(0, 6)
    index = length + c.randint(0, 3)
    if c.jdk.version <= 8:
        throw = [c.j("java.lang.String.charAt", (658, 0, 0, 0) if c.jdk.version == 8 else 646)]
        message = f"String index out of range: {index}"
    elif c.jdk.version == 11:
        throw = [c.j("java.lang.StringLatin1.charAt", 47), c.j("java.lang.String.charAt", 693)]
        message = f"String index out of range: {index}"
    elif c.jdk.version == 17:
        throw = [
            c.j("java.lang.String.checkIndex", 4557),
            c.j("java.lang.StringLatin1.charAt", 46),
            c.j("java.lang.String.charAt", 1515),
        ]
        message = f"index {index}, length {length}"
    else:
        throw = [
            *preconditions(c, "checkIndex")[:3],
            c.j("java.lang.String.checkIndex", 4832),
            c.j("java.lang.StringLatin1.charAt", 46),
            c.j("java.lang.String.charAt", 1555),
        ]
        message = index_message(c, index, length)
    return c.fail(
        SIOOBE,
        message,
        [site],
        throw,
        cause=c.t(
            f"{site.method} reads character {index} of a {length}-character string",
            f"{site.method}에서 길이 {length}인 문자열의 {index}번째 문자를 읽음",
        ),
        fix=c.t(
            "Guard charAt with a length check (empty strings, trailing positions)",
            "charAt 전에 길이를 확인 (빈 문자열, 마지막 위치)",
        ),
    )


@template("IndexOutOfBoundsException", "ioobe.buffer")
def buffer(c: Ctx) -> Incident:
    getter = c.pick(("getInt", "getLong", "get", "getShort"))
    if c.chance(0.65):
        exception = "java.nio.BufferUnderflowException"
        throw = [
            c.j("java.nio.Buffer.nextGetIndex", (506, 651, 699, 731)),
            c.j(f"java.nio.HeapByteBuffer.{getter}", (412, 391, 385, 398)),
        ]
        what = c.t(f"reads past the end of a ByteBuffer with {getter}()", f"{getter}()로 ByteBuffer의 끝을 넘어 읽음")
    else:
        exception = "java.nio.BufferOverflowException"
        throw = [
            c.j("java.nio.Buffer.nextPutIndex", (521, 666, 721, 753)),
            c.j("java.nio.HeapByteBuffer.put", (169, 175, 209, 222)),
        ]
        what = c.t("writes more bytes than the ByteBuffer can hold", "ByteBuffer 용량보다 많은 바이트를 씀")
    site = c.frame(c.pick(("gateway", "support", "util", "domain")))
    return c.fail(
        exception,
        None,
        [site],
        throw,
        cause=c.t(
            f"{site.method} {what} (message shorter/longer than its header says)",
            f"{site.method}에서 {what} (헤더의 길이와 실제 메시지 길이 불일치)",
        ),
        fix=c.t(
            "Check remaining() before reading/writing and validate the length field of the message",
            "읽기/쓰기 전에 remaining()을 확인하고 메시지 길이 필드를 검증",
        ),
    )


@template("IndexOutOfBoundsException", "ioobe.sublist")
def sublist(c: Ctx) -> Incident:
    site = c.frame(c.pick(("service", "support", "batch")))
    size = c.randint(0, 40)
    to = size + c.randint(1, 50)
    if c.jdk.version <= 8:
        throw = [c.j("java.util.ArrayList.subListRangeCheck", 1014), c.j("java.util.ArrayList.subList", 1006)]
        message = f"toIndex = {to}"
    else:
        throw = [
            c.j("java.util.AbstractList.subListRangeCheck", (0, 507, 509, 509)),
            c.j("java.util.ArrayList.subList", (0, 1108, 1108, 1160)),
        ]
        message = f"toIndex = {to}"
    return c.fail(
        IOOBE,
        message,
        [site],
        throw,
        cause=c.t(
            f"{site.method} pages with subList(.., {to}) on a list of {size} elements",
            f"{site.method}에서 크기 {size}인 리스트에 subList(.., {to}) 호출 (페이지 계산 오류)",
        ),
        fix=c.t(
            "Clamp the end index with Math.min(to, list.size()) when slicing pages/chunks",
            "분할 시 끝 인덱스를 Math.min(to, list.size())로 제한",
        ),
    )


@template("IndexOutOfBoundsException", "ioobe.list_remove_set")
def list_remove_set(c: Ctx) -> Incident:
    site, index, length = site_and_numbers(c, ("service", "domain", "support"))
    op = c.pick(("remove", "set"))
    if c.jdk.version <= 8:
        throw = [
            c.j("java.util.ArrayList.rangeCheck", 657 if c.jdk.version == 8 else 635),
            c.j(f"java.util.ArrayList.{op}", 496 if op == "remove" else 448),
        ]
        message = f"Index: {index}, Size: {length}"
    else:
        throw = [
            *preconditions(c),
            c.j(
                f"java.util.ArrayList.{op}",
                (0, 535 if op == "remove" else 473, 504 if op == "remove" else 441, 504 if op == "remove" else 441),
            ),
        ]
        message = index_message(c, index, length)
    cause, fix = off_by_one(c, site, "a list", index, length)
    return c.fail(IOOBE, message, [site], throw, cause=cause, fix=fix)


@template("IndexOutOfBoundsException", "ioobe.arrays_aslist_get")
def arrays_aslist_get(c: Ctx) -> Incident:
    site, index, length = site_and_numbers(c, ("util", "support", "config"))
    throw = [c.j("java.util.Arrays$ArrayList.get", (3841, 4351, 4165, 4305))]
    if c.chance(0.5):
        throw = []  # split(...)[n] on the array itself
    message = str(index) if c.jdk.version <= 8 else index_message(c, index, length)
    what = c.t("the fields of a split line", "split 결과 배열")
    cause, fix = off_by_one(c, site, what, index, length)
    return c.fail(AIOOBE, message, [site], throw, cause=cause, fix=fix)


@template("IndexOutOfBoundsException", "ioobe.negative_array_size")
def negative_array_size(c: Ctx) -> Incident:
    size = -c.randint(1, 4096)
    throw = [] if c.chance(0.5) else [c.j("java.util.Arrays.copyOf", (3332, 3720, 3512, 3541))]
    site = c.frame(c.pick(("gateway", "support", "util", "domain")))
    return c.fail(
        "java.lang.NegativeArraySizeException",
        None if c.jdk.version <= 8 else str(size),
        [site],
        throw,
        cause=c.t(
            f"{site.method} allocates an array of negative size {size} (length computed from a bad header/offset)",
            f"{site.method}에서 음수 크기({size}) 배열을 할당 (잘못된 헤더/오프셋으로 길이 계산)",
        ),
        fix=c.t(
            "Validate computed lengths before allocating (corrupt or truncated input)",
            "할당 전에 계산된 길이를 검증 (손상/잘린 입력 처리)",
        ),
    )


# ---------------------------------------------------------------------------------- ConcurrentModificationException


def cme_incident(c: Ctx, throw: list[StackFrame], what_en: str, what_ko: str, fix_en: str, fix_ko: str) -> Incident:
    site = c.frame(c.pick(("service", "support", "domain", "batch")))
    return c.fail(
        CME,
        None,
        [site],
        throw,
        cause=c.t(f"{site.method} {what_en}", f"{site.method}에서 {what_ko}"),
        fix=c.t(fix_en, fix_ko),
    )


ITR_LINES = {"check": (909, 1043, 1013, 1095), "next": (859, 997, 967, 1049)}


@template("ConcurrentModificationException", "cme.foreach_remove")
def foreach_remove(c: Ctx) -> Incident:
    throw = [
        c.j("java.util.ArrayList$Itr.checkForComodification", ITR_LINES["check"]),
        c.j("java.util.ArrayList$Itr.next", ITR_LINES["next"]),
    ]
    return cme_incident(
        c,
        throw,
        "removes from a list inside a for-each loop over it",
        "for-each 순회 중에 같은 리스트에서 요소를 삭제",
        "Use Iterator.remove() or list.removeIf(...)",
        "Iterator.remove() 또는 removeIf(...) 사용",
    )


@template("ConcurrentModificationException", "cme.hashmap_keyset")
def hashmap_keyset(c: Ctx) -> Incident:
    kind = c.pick(("Key", "Value", "Entry"))
    throw = [
        c.j("java.util.HashMap$HashIterator.nextNode", (1445, 1493, 1597, 1605)),
        c.j(
            f"java.util.HashMap${kind}Iterator.next",
            (1469, 1516, 1620, 1628) if kind == "Key" else (1474, 1521, 1625, 1633),
        ),
    ]
    return cme_incident(
        c,
        throw,
        "puts/removes map entries while iterating the same HashMap",
        "HashMap을 순회하는 동안 같은 맵에 put/remove 수행",
        "Iterate over a copy (new ArrayList<>(map.keySet())) or use entrySet().removeIf / ConcurrentHashMap",
        "복사본을 순회하거나 entrySet().removeIf 또는 ConcurrentHashMap 사용",
    )


@template("ConcurrentModificationException", "cme.list_foreach_lambda", min_jdk=8)
def list_foreach_lambda(c: Ctx) -> Incident:
    throw = [c.j("java.util.ArrayList.forEach", (1262, 1543, 1513, 1598))]
    owner = c.app(c.pick(("service", "support")))
    method = c.verb()
    lam = owner.at(f"lambda${method}${c.randint(0, 3)}", c.code.line())
    caller = owner.at(method, c.code.line())
    return c.fail(
        CME,
        None,
        [caller],
        throw,
        fault=0,
        cause=c.t(
            f"The lambda in {method} adds to or removes from the list that forEach is iterating",
            f"{method}의 forEach 람다에서 순회 중인 리스트를 수정",
        ),
        fix=c.t(
            "Collect changes in a separate list and apply them after the loop",
            "변경 사항을 별도 리스트에 모았다가 순회 후 반영",
        ),
        extra={"lambda": lam.qualified_method},
    )


@template("ConcurrentModificationException", "cme.compute_if_absent", min_jdk=11)
def compute_if_absent(c: Ctx) -> Incident:
    throw = [c.j("java.util.HashMap.computeIfAbsent", (0, 1134, 1229, 1229))]
    return cme_incident(
        c,
        throw,
        "modifies the map from inside its own computeIfAbsent mapping function (recursive cache load)",
        "computeIfAbsent의 매핑 함수 안에서 같은 맵을 수정 (재귀적 캐시 로딩)",
        "Compute the value outside computeIfAbsent, or avoid nested updates of the same map",
        "값을 computeIfAbsent 밖에서 계산하거나 같은 맵의 중첩 갱신을 피함",
    )


@template(
    "ConcurrentModificationException", "cme.shared_list_threads", contexts=("executor", "web", "kafka", "scheduled")
)
def shared_list_threads(c: Ctx) -> Incident:
    throw = [
        c.j("java.util.ArrayList$Itr.checkForComodification", ITR_LINES["check"]),
        c.j("java.util.ArrayList$Itr.next", ITR_LINES["next"]),
    ]
    return cme_incident(
        c,
        throw,
        "iterates a shared ArrayList while another thread adds to it",
        "다른 스레드가 추가하는 공유 ArrayList를 순회",
        "Guard the shared list (synchronized / CopyOnWriteArrayList) or iterate a snapshot",
        "공유 리스트를 동기화하거나 CopyOnWriteArrayList 사용, 또는 스냅샷을 순회",
    )


@template("ConcurrentModificationException", "cme.sublist_after_change")
def sublist_after_change(c: Ctx) -> Incident:
    throw = [
        c.j("java.util.ArrayList$SubList.checkForComodification", (1231, 1415, 1385, 1467)),
        c.j("java.util.ArrayList$SubList.size", (1040, 1235, 1205, 1287)),
    ]
    return cme_incident(
        c,
        throw,
        "uses a subList view after the backing list was structurally modified",
        "원본 리스트가 변경된 뒤에 subList 뷰를 사용",
        "Copy the sublist (new ArrayList<>(list.subList(...))) before changing the original",
        "원본 변경 전에 subList를 new ArrayList<>(...)로 복사",
    )


@template("ConcurrentModificationException", "cme.stream_source_modified", min_jdk=8)
def stream_source_modified(c: Ctx) -> Incident:
    throw = [
        c.j("java.util.ArrayList$ArrayListSpliterator.forEachRemaining", (1388, 1660, 1631, 1714)),
        *c.jdk.stream_collect()[2:],
    ]
    return cme_incident(
        c,
        throw,
        "changes the list it is streaming over from inside the pipeline",
        "스트림 파이프라인 안에서 원본 리스트를 수정",
        "Do not mutate the stream source; collect results into a new collection",
        "스트림 원본을 수정하지 말고 결과를 새 컬렉션으로 수집",
    )


@template("ConcurrentModificationException", "cme.treemap_or_linkedlist")
def treemap_or_linkedlist(c: Ctx) -> Incident:
    if c.chance(0.5):
        throw = [
            c.j("java.util.TreeMap$PrivateEntryIterator.nextEntry", (1211, 1208, 1486, 1486)),
            c.j("java.util.TreeMap$KeyIterator.next", (1265, 1262, 1540, 1540)),
        ]
    else:
        throw = [
            c.j("java.util.LinkedList$ListItr.checkForComodification", (966, 970, 970, 977)),
            c.j("java.util.LinkedList$ListItr.next", (888, 892, 892, 899)),
        ]
    return cme_incident(
        c,
        throw,
        "modifies a sorted map / linked list during iteration",
        "정렬 맵/연결 리스트를 순회하는 중에 수정",
        "Use the iterator's remove() or iterate over a copy",
        "Iterator의 remove()를 쓰거나 복사본을 순회",
    )


# ------------------------------------------------------------------------------------------ NoSuchElementException


def nsee(
    c: Ctx,
    message: str | None,
    throw: list[StackFrame],
    what_en: str,
    what_ko: str,
    fix_en: str,
    fix_ko: str,
    exception: str = NSEE,
) -> Incident:
    site = c.frame(c.pick(("service", "support", "domain", "repository", "batch")))
    return c.fail(
        exception,
        message,
        [site],
        throw,
        cause=c.t(f"{site.method} {what_en}", f"{site.method}에서 {what_ko}"),
        fix=c.t(fix_en, fix_ko),
    )


@template("NoSuchElementException", "nsee.optional_get", min_jdk=8)
def optional_get(c: Ctx) -> Incident:
    if c.jdk.at_least(11) and c.chance(0.4):
        throw = [c.j("java.util.Optional.orElseThrow", (0, 382, 377, 377))]
    else:
        throw = [c.j("java.util.Optional.get", (135, 148, 143, 143))]
    return nsee(
        c,
        "No value present",
        throw,
        "calls get() on an empty Optional (nothing found)",
        "비어 있는 Optional에 get() 호출 (조회 결과 없음)",
        "Handle the empty case: orElseThrow with a domain error, orElse(default) or ifPresent",
        "결과가 없을 때를 처리: 도메인 예외와 함께 orElseThrow, orElse(기본값), ifPresent 사용",
    )


@template("NoSuchElementException", "nsee.iterator_next")
def iterator_next(c: Ctx) -> Incident:
    throw = c.pick(
        (
            [c.j("java.util.ArrayList$Itr.next", (862, 1000, 970, 1052))],
            [
                c.j("java.util.HashMap$HashIterator.nextNode", (1444, 1490, 1594, 1602)),
                c.j("java.util.HashMap$KeyIterator.next", (1466, 1513, 1617, 1625)),
            ],
            [c.j("java.util.Collections$EmptyIterator.next", (4191, 4368, 4481, 4556))],
        )
    )
    return nsee(
        c,
        None,
        throw,
        "calls iterator().next() on an empty collection",
        "빈 컬렉션에서 iterator().next() 호출",
        "Check hasNext()/isEmpty() first",
        "먼저 hasNext()/isEmpty()로 확인",
    )


@template("NoSuchElementException", "nsee.linked_list_first")
def linked_list_first(c: Ctx) -> Incident:
    op, lines = c.pick(
        (
            ("getFirst", (244, 248, 248, 250)),
            ("getLast", (257, 261, 261, 263)),
            ("removeFirst", (270, 274, 274, 276)),
            ("element", (659, 663, 663, 665)),
        )
    )
    if c.chance(0.4):
        throw = [
            c.j("java.util.ArrayDeque.removeFirst", (285, 361, 361, 364)),
            c.j("java.util.ArrayDeque.pop", (566, 566, 566, 568)),
        ]
        op = "pop"
    else:
        throw = [c.j(f"java.util.LinkedList.{op}", lines)]
    return nsee(
        c,
        None,
        throw,
        f"calls {op}() on an empty queue/list",
        f"빈 큐/리스트에서 {op}() 호출",
        "Use peekFirst()/pollFirst() and handle null, or check isEmpty()",
        "peekFirst()/pollFirst()로 null을 처리하거나 isEmpty() 확인",
    )


@template("NoSuchElementException", "nsee.scanner")
def scanner(c: Ctx) -> Incident:
    if c.chance(0.5):
        throw = [
            c.j("java.util.Scanner.throwFor", (864, 937, 937, 947)),
            c.j("java.util.Scanner.next", (1485, 1594, 1594, 1602)),
            c.j("java.util.Scanner.nextInt", (2117, 2258, 2258, 2266)),
            c.j("java.util.Scanner.nextInt", (2076, 2212, 2212, 2220)),
        ]
        return nsee(
            c,
            None,
            throw,
            "reads an int with Scanner but the token is not a number",
            "Scanner로 정수를 읽는데 토큰이 숫자가 아님",
            "Check hasNextInt() and report the bad token",
            "hasNextInt()로 확인 후 잘못된 토큰을 보고",
            exception="java.util.InputMismatchException",
        )
    throw = [
        c.j("java.util.Scanner.throwFor", (862, 937, 937, 947)),
        c.j("java.util.Scanner.next", (1371, 1478, 1478, 1486)),
    ]
    return nsee(
        c,
        None,
        throw,
        "reads past the end of the input with Scanner.next()",
        "입력 끝을 넘어 Scanner.next() 호출",
        "Loop on hasNext() and handle truncated input",
        "hasNext()로 반복하고 잘린 입력을 처리",
    )


@template("NoSuchElementException", "nsee.tokenizer")
def tokenizer(c: Ctx) -> Incident:
    throw = [c.j("java.util.StringTokenizer.nextToken", (349, 349, 349, 347))]
    return nsee(
        c,
        None,
        throw,
        "expects more fields than the line has (StringTokenizer.nextToken)",
        "줄에 있는 필드보다 많은 토큰을 읽음 (StringTokenizer.nextToken)",
        "Check hasMoreTokens() and validate the field count of each record",
        "hasMoreTokens()로 확인하고 레코드 필드 수를 검증",
    )


@template("NoSuchElementException", "nsee.empty_stack")
def empty_stack(c: Ctx) -> Incident:
    throw = [c.j("java.util.Stack.peek", 102), c.j("java.util.Stack.pop", 84)]
    if c.chance(0.4):
        throw = throw[:1]
    return nsee(
        c,
        None,
        throw,
        "pops from an empty Stack (unbalanced push/pop)",
        "빈 Stack에서 pop (push/pop 불균형)",
        "Check empty() before pop and fix the unbalanced input (e.g. unmatched brackets)",
        "pop 전에 empty()를 확인하고 짝이 맞지 않는 입력을 처리",
        exception="java.util.EmptyStackException",
    )


@template("NoSuchElementException", "nsee.stream_find_first", min_jdk=8)
def stream_find_first(c: Ctx) -> Incident:
    key = c.account_no() if c.bank else c.pick(("default", "primary", "main"))
    throw = [c.j("java.util.Optional.get", (135, 148, 143, 143))]
    owner = c.app(c.pick(("service", "support")))
    site = owner.at(c.verb(), c.code.line())
    return c.fail(
        NSEE,
        "No value present",
        [site],
        throw,
        cause=c.t(
            f"{site.method} calls stream().filter(...).findFirst().get() and nothing matches {key}",
            f"{site.method}의 stream().filter(...).findFirst().get()에서 {key}와 일치하는 요소가 없음",
        ),
        fix=c.t(
            "Use orElseThrow with a clear error (or a default) for the no-match case",
            "일치하는 값이 없을 때 명확한 예외의 orElseThrow 또는 기본값 사용",
        ),
    )


@template("NoSuchElementException", "nsee.only_element")
def only_element(c: Ctx) -> Incident:
    throw = [
        c.lib("com.google.common.collect.Iterators.getOnlyElement", c.pick((302, 315))),
        c.lib("com.google.common.collect.Iterables.getOnlyElement", c.pick((254, 276))),
    ]
    return nsee(
        c,
        None,
        throw,
        "expects exactly one element but the collection is empty (Iterables.getOnlyElement)",
        "요소가 정확히 하나라고 가정했지만 컬렉션이 비어 있음 (Iterables.getOnlyElement)",
        "Handle zero matches (getOnlyElement(it, default) or an explicit error)",
        "0건일 때를 처리 (기본값 지정 또는 명시적 오류)",
    )


# ----------------------------------------------------------------------------------------------- ClassCastException


def cast_message(c: Ctx, source: str, target: str, source_loader: str = "app", target_loader: str = "app") -> str:
    if c.jdk.version <= 8:
        return f"{source} cannot be cast to {target}"

    def where(name: str, loader: str) -> str:
        if name.startswith("java."):
            return "in module java.base of loader 'bootstrap'"
        if loader.startswith("org.springframework"):
            return f"in unnamed module of loader {loader}"
        return f"in unnamed module of loader '{loader}'"

    source_where, target_where = where(source, source_loader), where(target, target_loader)
    if source_where == target_where:
        return f"class {source} cannot be cast to class {target} ({source} and {target} are {source_where})"
    return f"class {source} cannot be cast to class {target} ({source} is {source_where}; {target} is {target_where})"


def cce(
    c: Ctx,
    source: str,
    target: str,
    throw: list[StackFrame],
    cause_en: str,
    cause_ko: str,
    fix_en: str,
    fix_ko: str,
    roles: tuple[str, ...] = ("service", "support", "domain"),
    **loaders: str,
) -> Incident:
    site = c.frame(c.pick(roles))
    exception = "java.lang.ClassCastException"
    return c.fail(
        exception,
        cast_message(c, source, target, **loaders),
        [site],
        throw,
        cause=c.t(f"{site.method}: {cause_en}", f"{site.method}: {cause_ko}"),
        fix=c.t(fix_en, fix_ko),
    )


@template("ClassCastException", "cce.generic_map_to_dto")
def generic_map_to_dto(c: Ctx) -> Incident:
    dto = c.app("domain", f"{c.type_name()}Dto").fqcn
    return cce(
        c,
        "java.util.LinkedHashMap",
        dto,
        [],
        "JSON read into a generic type gave LinkedHashMap elements, not DTOs (type erasure)",
        "제네릭 타입으로 읽은 JSON 요소가 DTO가 아닌 LinkedHashMap임 (타입 소거)",
        "Deserialize with a TypeReference / JavaType (or convertValue) so Jackson knows the element type",
        "TypeReference/JavaType(또는 convertValue)로 요소 타입을 지정해 역직렬화",
        roles=("client", "service", "support"),
    )


@template("ClassCastException", "cce.boxed_number")
def boxed_number(c: Ctx) -> Incident:
    source, target = c.pick(
        (
            ("java.lang.Integer", "java.lang.Long"),
            ("java.lang.String", "java.lang.Integer"),
            ("java.math.BigDecimal", "java.lang.Long"),
            ("java.lang.Long", "java.lang.Integer"),
            ("java.lang.String", "java.util.Date"),
        )
    )
    return cce(
        c,
        source,
        target,
        [],
        f"a value stored as {source.rsplit('.', 1)[-1]} (map/row/config) is cast to {target.rsplit('.', 1)[-1]}",
        f"{source.rsplit('.', 1)[-1]}로 저장된 값(맵/행/설정)을 {target.rsplit('.', 1)[-1]}로 캐스팅",
        "Convert instead of casting (((Number) v).longValue(), parse the string) or fix the stored type",
        "캐스팅 대신 변환((Number) v).longValue(), 문자열 파싱)하거나 저장 타입을 맞춤",
    )


@template("ClassCastException", "cce.not_comparable", min_jdk=7)
def not_comparable(c: Ctx) -> Incident:
    element = c.app("domain").fqcn
    if c.chance(0.5):
        throw = [
            c.j("java.util.TreeMap.compare", (1294, 1291, 1569, 1569)),
            c.j("java.util.TreeMap.put", (538, 536, 776, 785)),
        ]
        where_en, where_ko = "puts keys without a Comparator into a TreeMap", "Comparator 없이 TreeMap에 키를 넣음"
    else:
        throw = [
            c.j("java.util.ComparableTimSort.countRunAndMakeAscending", (320, 320, 320, 320)),
            c.j("java.util.ComparableTimSort.sort", (188, 188, 188, 188)),
            c.j("java.util.Arrays.sort", (1246, 1250, 1041, 1041)),
        ]
        where_en, where_ko = "sorts objects that do not implement Comparable", "Comparable을 구현하지 않은 객체를 정렬"
    return cce(
        c,
        element,
        "java.lang.Comparable",
        throw,
        where_en,
        where_ko,
        f"Pass a Comparator (Comparator.comparing(...)) or make {element.rsplit('.', 1)[-1]} Comparable",
        f"Comparator.comparing(...)을 넘기거나 {element.rsplit('.', 1)[-1]}가 Comparable을 구현하도록 수정",
    )


@template("ClassCastException", "cce.jdk_proxy_to_class")
def jdk_proxy_to_class(c: Ctx) -> Incident:
    impl = c.app("service").fqcn
    proxy = (
        f"jdk.proxy2.$Proxy{c.randint(80, 240)}" if c.jdk.at_least(17) else f"com.sun.proxy.$Proxy{c.randint(80, 240)}"
    )
    return cce(
        c,
        proxy,
        impl,
        [],
        "a bean behind a JDK dynamic proxy (AOP/transactions) is cast to its implementation class",
        "AOP/트랜잭션 때문에 JDK 동적 프록시인 빈을 구현 클래스로 캐스팅",
        "Depend on the interface, or enable class-based proxies (proxyTargetClass=true)",
        "인터페이스 타입으로 주입받거나 클래스 기반 프록시(proxyTargetClass=true) 사용",
        roles=("service", "config", "support"),
    )


@template("ClassCastException", "cce.two_class_loaders", min_jdk=11)
def two_class_loaders(c: Ctx) -> Incident:
    cls = c.app("domain").fqcn
    loader = (
        "org.springframework.boot.devtools.restart.classloader.RestartClassLoader "
        f"@{c.randint(0x10000000, 0x7FFFFFFF):x}"
    )
    message = (
        f"class {cls} cannot be cast to class {cls} ({cls} is in unnamed module of loader 'app'; {cls} is in "
        f"unnamed module of loader {loader})"
    )
    site = c.frame(c.pick(("service", "support", "client")))
    return c.fail(
        CCE,
        message,
        [site],
        cause=c.t(
            f"{cls.rsplit('.', 1)[-1]} is loaded by two class loaders (devtools restart / cache) and {site.method} "
            "mixes them",
            f"{cls.rsplit('.', 1)[-1]}가 두 클래스 로더(devtools 재시작/캐시)로 로드되어 {site.method}에서 섞임",
        ),
        fix=c.t(
            "Exclude the class's jar from devtools restart or keep cached objects out of the restarted loader",
            "해당 jar를 devtools 재시작 대상에서 제외하거나 캐시 객체가 재시작 로더와 섞이지 않게 수정",
        ),
    )


@template("ClassCastException", "cce.array_store")
def array_store(c: Ctx) -> Incident:
    if c.jdk.version <= 8:
        message = c.pick(("java.lang.Integer", "java.lang.String", "java.lang.Long"))
    else:
        message = (
            "arraycopy: element type mismatch: can not cast one of the elements of java.lang.Object[] to the type "
            "of the destination array, java.lang.String"
        )
    throw = [c.j("java.lang.System.arraycopy", native=True), c.j("java.util.ArrayList.toArray", (414, 436, 413, 414))]
    site = c.frame(c.pick(("support", "util", "service")))
    return c.fail(
        "java.lang.ArrayStoreException",
        message,
        [site],
        throw,
        cause=c.t(
            f"{site.method} copies elements of another type into a typed array (toArray(new String[0]) with mixed "
            "elements)",
            f"{site.method}에서 다른 타입 요소를 타입 배열에 복사 (혼합 요소에 toArray(new String[0]))",
        ),
        fix=c.t(
            "Make the list's element type consistent (convert values) before toArray",
            "toArray 전에 요소 타입을 통일(값 변환)",
        ),
    )


@template("ClassCastException", "cce.hibernate_proxy")
def hibernate_proxy(c: Ctx) -> Incident:
    entity = c.app("domain")
    sub = c.app("domain", f"Corporate{entity.simple}" if c.chance(0.5) else f"Premium{entity.simple}")
    proxy = f"{entity.fqcn}$HibernateProxy${c.pick(('gD4aWmTk', 'Xy12AbCd', 'p9QwErTy', 'L0kJhGfD'))}"
    return cce(
        c,
        proxy,
        sub.fqcn,
        [],
        f"a lazy Hibernate proxy of {entity.simple} is cast to the subclass {sub.simple}",
        f"{entity.simple}의 Hibernate 지연 로딩 프록시를 하위 클래스 {sub.simple}로 캐스팅",
        "Unproxy first (Hibernate.unproxy) or use polymorphism instead of downcasting",
        "Hibernate.unproxy로 실제 객체를 얻거나 다운캐스팅 대신 다형성 사용",
    )


@template("ClassCastException", "cce.config_value")
def config_value(c: Ctx) -> Incident:
    source, target = c.pick(
        (
            ("java.lang.String", "java.lang.Number"),
            ("java.util.ArrayList", "java.util.Map"),
            ("java.lang.Boolean", "java.lang.String"),
            ("java.util.LinkedHashMap", "java.util.List"),
        )
    )
    return cce(
        c,
        source,
        target,
        [],
        f"a YAML/JSON configuration value of type {source.rsplit('.', 1)[-1]} is cast to {target.rsplit('.', 1)[-1]}",
        f"YAML/JSON 설정 값({source.rsplit('.', 1)[-1]})을 {target.rsplit('.', 1)[-1]}로 캐스팅",
        "Check the value's type (instanceof) and report the misconfigured key",
        "instanceof로 타입을 확인하고 잘못된 설정 키를 알려줌",
        roles=("config", "support", "util"),
    )
