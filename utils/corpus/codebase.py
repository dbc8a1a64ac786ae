"""Application code the generated traces run through: a bank's services or a generic open-source library.

Two kinds of code base, so that a model does not learn "banking package = some label": `bank` (accounts,
transfers, payments, card authorization, ledger, batch settlement ...) and `oss` (collections, parsers, math, config,
serialization, web frameworks, storage engines ... of invented open-source projects). Names are invented.

An `oss` code base is either the generic family (any project name, modules mixed from OSS_MODULES) or one of
OSS_FAMILIES: a library or tool of the kind public bug benchmarks hold (CSV parser, compiler, search server, build
tool, collections, data formats, web framework, messaging), with its own packages and class names.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from utils.corpus.model import StackFrame

BANK_ROOTS = (
    "com.acmebank",
    "com.hanbitbank",
    "kr.co.mirae.bank",
    "com.sejongbank.core",
    "kr.co.daehan.fin",
    "com.bluepeak.banking",
    "com.nexfin",
    "kr.co.pyeonghwa.bank",
    "com.orionbank",
    "io.tidebank",
    "com.seoulfin.platform",
    "kr.co.gaon.bank",
    "com.northwind.bank",
    "kr.co.haneul.fintech",
)

# module -> (class stems, entities, service verbs, Korean name of the business)
BANK_MODULES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], str]] = {
    "account": (
        ("Account", "Deposit", "Passbook"),
        ("Account", "AccountHolder", "DepositProduct"),
        (
            "openAccount",
            "getAccount",
            "closeAccount",
            "updateLimit",
            "findByAccountNo",
            "freezeAccount",
            "inquireBalance",
        ),
        "계좌",
    ),
    "transfer": (
        ("Transfer", "Remittance", "InterbankTransfer"),
        ("Transfer", "TransferOrder", "Beneficiary"),
        ("transfer", "executeTransfer", "requestTransfer", "reserveTransfer", "cancelTransfer", "validateTransfer"),
        "이체",
    ),
    "payment": (
        ("Payment", "Billing", "AutoDebit"),
        ("Payment", "Invoice", "Merchant"),
        ("pay", "processPayment", "approvePayment", "refund", "capture", "collect"),
        "결제",
    ),
    "card": (
        ("CardAuthorization", "CardApproval", "CardIssuing"),
        ("Card", "AuthorizationRequest", "CardLimit"),
        ("authorize", "approve", "reverseAuthorization", "checkLimit", "capture", "issueCard"),
        "카드 승인",
    ),
    "ledger": (
        ("Ledger", "Journal", "GeneralLedger"),
        ("LedgerEntry", "JournalLine", "AccountingPeriod"),
        ("post", "postEntries", "reconcile", "closeDay", "journalize", "reverseEntry"),
        "원장",
    ),
    "settlement": (
        ("Settlement", "Clearing", "DailySettlement"),
        ("SettlementRecord", "ClearingFile", "SettlementBatch"),
        ("settle", "runDailySettlement", "aggregate", "generateSettlementFile", "matchRecords", "clear"),
        "정산",
    ),
    "loan": (
        ("Loan", "Repayment", "Mortgage"),
        ("Loan", "RepaymentSchedule", "InterestRate"),
        ("calculateInterest", "applyRepayment", "buildSchedule", "approveLoan", "disburse"),
        "대출",
    ),
    "customer": (
        ("Customer", "Member", "Kyc"),
        ("Customer", "CustomerProfile", "IdentityDocument"),
        ("register", "findCustomer", "verifyIdentity", "updateContact", "screen"),
        "고객",
    ),
    "fx": (
        ("ExchangeRate", "Fx", "ForeignRemittance"),
        ("ExchangeRate", "CurrencyPair", "FxQuote"),
        ("quote", "convert", "fetchRates", "applySpread", "bookDeal"),
        "외환",
    ),
    "notification": (
        ("Notification", "Alert", "Messaging"),
        ("Notification", "MessageTemplate", "PushToken"),
        ("send", "notifyCustomer", "publish", "render", "dispatch"),
        "알림",
    ),
}

BANK_ROLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # role -> (package suffixes, class name patterns; {S} = stem, {E} = entity)
    "controller": (("web", "api", "controller"), ("{S}Controller", "{S}RestController", "{S}ApiController")),
    "service": (
        ("service", "service.impl", "application"),
        ("{S}Service", "{S}ServiceImpl", "Default{S}Service", "{S}Facade"),
    ),
    "domain": (("domain", "model", "entity"), ("{E}",)),
    "repository": (
        ("repository", "dao", "mapper", "persistence"),
        ("{E}Repository", "Jdbc{E}Dao", "{E}Mapper", "{E}Dao"),
    ),
    "client": (
        ("client", "infra", "gateway", "external"),
        (
            "CoreBankingClient",
            "KftcGatewayClient",
            "CardNetworkClient",
            "FxRateClient",
            "CreditBureauClient",
            "PartnerApiClient",
            "{S}Client",
        ),
    ),
    "batch": (("batch", "job", "batch.step"), ("{S}ItemProcessor", "{S}ItemWriter", "{S}ItemReader", "{S}Tasklet")),
    "listener": (("messaging", "event", "consumer"), ("{S}EventListener", "{S}Consumer", "{S}MessageHandler")),
    "util": (
        ("common.util", "support.util", "util"),
        (
            "AmountUtils",
            "DateUtils",
            "AccountNumberUtils",
            "CryptoUtils",
            "MaskingUtils",
            "JsonUtils",
            "CurrencyUtils",
            "TextUtils",
        ),
    ),
    "support": (
        ("support", "component", "policy"),
        ("{S}Validator", "{S}Calculator", "{S}Converter", "{S}Assembler", "{S}Policy", "FeeCalculator", "LimitChecker"),
    ),
    "scheduler": (("scheduler", "batch"), ("{S}Scheduler", "{S}JobLauncher", "Nightly{S}Job")),
    "gateway": (("gateway", "net", "fep"), ("{S}MessageHandler", "IsoMessageDecoder", "FepChannelHandler")),
    "config": (("config",), ("{S}Config", "DataSourceConfig", "CryptoConfig")),
    "test": (("service", "web", "domain"), ("{S}ServiceTest", "{S}ControllerTest", "{E}Test", "{S}IntegrationTest")),
}

BANK_ROLE_METHODS: dict[str, tuple[str, ...]] = {
    "domain": (
        "withdraw",
        "deposit",
        "apply",
        "validate",
        "getBalance",
        "changeStatus",
        "calculateFee",
        "toSummary",
        "markSettled",
        "debit",
        "credit",
    ),
    "repository": (
        "findByAccountNo",
        "save",
        "findById",
        "insert",
        "updateStatus",
        "selectForUpdate",
        "findAllByDate",
        "batchInsert",
        "lock",
    ),
    "client": ("send", "call", "requestApproval", "fetch", "post", "inquire", "exchange"),
    "batch": ("process", "write", "read", "execute"),
    "listener": ("onMessage", "handle", "consume", "onEvent"),
    "util": (
        "parseAmount",
        "format",
        "toLocalDate",
        "normalize",
        "mask",
        "decrypt",
        "encrypt",
        "toJson",
        "fromJson",
        "checkDigit",
    ),
    "support": ("validate", "calculate", "convert", "assemble", "apply", "check", "resolve"),
    "scheduler": ("run", "execute", "runDaily", "trigger"),
    "gateway": ("channelRead0", "decode", "handle"),
    "config": ("init", "afterPropertiesSet", "dataSource"),
}

OSS_PROJECTS = (
    "corvid",
    "tessera",
    "halyard",
    "lumen",
    "quarry",
    "marlin",
    "pylon",
    "skein",
    "thrush",
    "kestrel",
    "juniper",
    "basalt",
    "fathom",
    "ferrule",
    "gantry",
    "heron",
    "ibex",
    "kiln",
    "loom",
    "mica",
    "nacre",
    "osprey",
    "plover",
    "quoin",
    "rook",
    "sable",
    "tern",
    "umber",
    "vireo",
    "wren",
    "yarrow",
    "zephyr",
)
OSS_ROOT_PATTERNS = ("org.apache.{p}", "org.apache.{p}", "io.{p}", "org.{p}", "net.{p}", "com.github.{p}")

# module -> (classes, verbs)
OSS_MODULES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "collections": (
        ("SegmentedList", "IntHashMap", "RingBuffer", "SkipListIndex", "LruCache", "SortedMultiset", "BitSetView"),
        ("get", "put", "add", "remove", "resize", "compact", "merge", "insertAt"),
    ),
    "parser": (
        ("ExpressionParser", "Tokenizer", "QueryLexer", "TemplateParser", "CsvReader", "PathParser", "SyntaxTree"),
        ("parse", "nextToken", "parseExpression", "readRecord", "consume", "expect", "parsePrimary"),
    ),
    "math": (
        ("Matrix", "Polynomial", "SplineInterpolator", "DescriptiveStatistics", "Fraction", "Vector3", "BrentSolver"),
        ("multiply", "solve", "evaluate", "interpolate", "getMean", "add", "invert", "integrate"),
    ),
    "config": (
        ("ConfigLoader", "PropertyResolver", "Settings", "OptionParser", "ProfileRegistry", "EnvironmentBinder"),
        ("load", "resolve", "getInt", "bind", "getProperty", "parseOptions", "refresh"),
    ),
    "serialization": (
        ("Codec", "ObjectWriter", "SchemaRegistry", "RecordConverter", "BinaryEncoder", "TypeAdapter"),
        ("encode", "decode", "write", "read", "serialize", "deserialize", "register"),
    ),
    "web": (
        (
            "RequestRouter",
            "PageRenderer",
            "SessionStore",
            "ResourceHandler",
            "UrlMapper",
            "FormBinder",
            "ComponentTree",
        ),
        ("route", "render", "handle", "mapRequest", "bind", "onSubmit", "resolveComponent", "visitChildren"),
    ),
    "storage": (
        ("BlockStore", "SegmentWriter", "WalReader", "CompactionTask", "PageCache", "TabletServer", "RowIterator"),
        ("flush", "append", "readBlock", "compact", "seek", "next", "commit", "recover"),
    ),
    "query": (
        ("QueryPlanner", "CostOptimizer", "HashJoinOperator", "FilterEvaluator", "ResultCursor", "IndexSelector"),
        ("plan", "optimize", "execute", "evaluate", "fetch", "open", "bind"),
    ),
    "scheduler": (
        ("JobScheduler", "TaskRunner", "Dispatcher", "WorkerPool", "CronTrigger"),
        ("schedule", "dispatch", "run", "submit", "fire", "awaitCompletion"),
    ),
    "net": (
        ("Transport", "ChannelPool", "RpcClient", "ConnectionManager", "FrameDecoder", "HttpConnector"),
        ("connect", "send", "call", "acquire", "decode", "write", "read"),
    ),
    "cache": (
        ("CacheLoader", "EvictionPolicy", "CacheSegment", "ExpiringMap"),
        ("load", "get", "evict", "put", "expire"),
    ),
    "index": (
        ("InvertedIndex", "IndexWriter", "PostingsReader", "TermDictionary"),
        ("addDocument", "commit", "lookup", "merge", "nextDoc"),
    ),
    "io": (
        ("FileStore", "ArchiveReader", "StreamCopier", "ChunkedInputStream", "ResourceLocator"),
        ("open", "copy", "read", "locate", "extract", "close"),
    ),
}
OSS_SUBPACKAGES = ("", "", "impl", "internal", "core", "support", "util")

Modules = dict[str, tuple[tuple[str, ...], tuple[str, ...]]]

# family -> (root packages, modules: module -> (classes, verbs)). "generic" (OSS_PROJECTS x OSS_MODULES) is not
# listed: it is the default and what configs/corpus.yaml draws.
OSS_FAMILIES: dict[str, tuple[tuple[str, ...], Modules]] = {
    "csv_parser": (
        ("org.example.csvparse", "io.example.tabular", "net.example.dsv"),
        {
            "reader": (
                ("CsvParser", "RecordReader", "Lexer", "QuoteHandler", "HeaderMap", "DialectSniffer"),
                ("parse", "nextRecord", "readField", "handleQuote", "mapHeader", "sniff"),
            ),
            "writer": (("CsvPrinter", "FieldEncoder", "RecordWriter"), ("print", "printRecord", "encode", "flush")),
            "format": (("CsvFormat", "Dialect", "Escaper"), ("withDelimiter", "validate", "escape", "copy")),
        },
    ),
    "compiler": (
        ("net.example.compiler", "org.example.jlang", "io.example.kitec"),
        {
            "lexer": (("Lexer", "Scanner", "TokenStream", "SourceReader"), ("nextToken", "scan", "peek", "readChar")),
            "parser": (
                ("Parser", "ExpressionParser", "StatementParser", "AstBuilder"),
                ("parseExpression", "parseStatement", "parseBlock", "expect", "build"),
            ),
            "analysis": (
                ("TypeChecker", "SymbolTable", "ScopeResolver", "ConstantFolder", "FlowAnalyzer"),
                ("check", "resolve", "lookup", "visitCall", "fold", "analyze"),
            ),
            "codegen": (
                ("BytecodeEmitter", "RegisterAllocator", "InstructionSelector", "ClassFileWriter"),
                ("emit", "allocate", "select", "visitMethod", "writeClass"),
            ),
        },
    ),
    "search_server": (
        ("org.example.searchd", "io.example.findex", "net.example.lookout"),
        {
            "index": (
                ("IndexShard", "SegmentMerger", "InvertedIndexWriter", "TranslogReader"),
                ("index", "merge", "refresh", "flush", "recover"),
            ),
            "search": (
                ("QueryParser", "SearchService", "ScoreCollector", "AggregationBuilder", "HighlightPhase"),
                ("parseQuery", "executeQuery", "collect", "aggregate", "highlight"),
            ),
            "cluster": (
                ("ClusterStateUpdater", "ShardAllocator", "NodeDiscovery", "MasterService"),
                ("applyState", "allocate", "join", "publish"),
            ),
            "transport": (
                ("TransportService", "BulkProcessor", "RequestHandler", "NodeClient"),
                ("sendRequest", "handleResponse", "execute", "messageReceived"),
            ),
            "analysis": (
                ("Analyzer", "TokenFilter", "StemmerFilter", "SynonymMap"),
                ("tokenize", "incrementToken", "stem"),
            ),
        },
    ),
    "build_tool": (
        ("org.example.buildr", "net.example.make4j", "io.example.assemble"),
        {
            "model": (
                ("ProjectModelReader", "ModelInterpolator", "ModelValidator", "ProfileActivator"),
                ("read", "interpolate", "validate", "activate"),
            ),
            "resolver": (
                ("DependencyResolver", "VersionRange", "ArtifactDownloader", "ConflictResolver"),
                ("resolve", "parseRange", "download", "collect"),
            ),
            "plugin": (
                ("PluginManager", "GoalExecutor", "PluginDescriptorBuilder", "TaskGraph"),
                ("loadPlugin", "execute", "build", "schedule"),
            ),
            "lifecycle": (
                ("LifecycleExecutor", "BuildSession", "PhaseMapper", "ReactorSorter"),
                ("executePhase", "start", "map", "sort"),
            ),
        },
    ),
    "collections": (
        ("org.example.collect", "net.example.primitives", "io.example.coll"),
        {
            "list": (
                ("ArrayIntList", "TreeList", "CursorableLinkedList", "UnmodifiableListView"),
                ("get", "add", "removeAt", "listIterator", "subList"),
            ),
            "map": (
                ("LinkedMultimap", "BidiTreeMap", "CompactHashMap", "ReferenceMap"),
                ("put", "get", "inverse", "rehash", "purge"),
            ),
            "iterator": (
                ("FilterIterator", "CollatingIterator", "PeekingIterator", "ChainedIterator"),
                ("next", "hasNext", "peek", "remove"),
            ),
            "set": (
                ("IntervalSet", "SortedBag", "ImmutableSortedSet", "BitSetView"),
                ("add", "contains", "first", "union"),
            ),
        },
    ),
    "data_format": (
        ("org.example.xmlkit", "io.example.jsonstream", "net.example.yamlite"),
        {
            "stream": (
                ("JsonReader", "XmlStreamScanner", "EventReader", "TokenBuffer"),
                ("nextToken", "readValue", "skipChildren", "peekEvent"),
            ),
            "bind": (
                ("BeanDeserializer", "TypeResolver", "PropertyBinder", "ValueMapper"),
                ("readValue", "deserialize", "resolveType", "bind"),
            ),
            "dom": (
                ("DomBuilder", "ElementList", "NamespaceScope", "PathEvaluator"),
                ("parse", "item", "lookup", "evaluate"),
            ),
        },
    ),
    "web_framework": (
        ("org.example.pageflow", "net.example.webcomp"),
        {
            "markup": (
                ("MarkupParser", "ComponentTag", "MarkupCache", "TemplateResolver"),
                ("parseMarkup", "resolve", "getMarkup", "render"),
            ),
            "component": (
                ("Page", "FormComponent", "ListView", "BorderPanel"),
                ("onRender", "validate", "populateItem", "onSubmit", "beforeRender"),
            ),
            "request": (
                ("RequestCycle", "PageProvider", "UrlRenderer", "RequestMapper"),
                ("processRequest", "getPageInstance", "renderUrl", "mapRequest"),
            ),
        },
    ),
    "messaging": (
        ("org.example.streamq", "io.example.routekit"),
        {
            "route": (
                ("RouteBuilder", "Pipeline", "Processor", "Endpoint", "ProducerTemplate"),
                ("configure", "process", "send", "createEndpoint", "sendBody"),
            ),
            "log": (
                ("LogSegment", "OffsetIndex", "ReplicaFetcher", "LogCleaner"),
                ("append", "lookup", "fetch", "clean"),
            ),
            "consumer": (("ConsumerCoordinator", "Fetcher", "OffsetCommitter"), ("poll", "fetchRecords", "commit")),
        },
    ),
}
OSS_FAMILY_NAMES = ("generic", *OSS_FAMILIES)

BANK_NOUNS = (
    "amount",
    "balance",
    "accountNo",
    "currency",
    "fee",
    "limit",
    "branchCode",
    "cardNo",
    "customerId",
    "interestRate",
    "valueDate",
    "memo",
    "txId",
    "merchantId",
    "settlementDate",
)
OSS_NOUNS = (
    "size",
    "offset",
    "port",
    "timeout",
    "batchSize",
    "name",
    "key",
    "path",
    "version",
    "capacity",
    "index",
    "weight",
    "threshold",
    "encoding",
    "pageSize",
)


@dataclass(frozen=True)
class AppClass:
    fqcn: str

    @property
    def simple(self) -> str:
        return self.fqcn.rsplit(".", 1)[-1]

    @property
    def package(self) -> str:
        return self.fqcn.rsplit(".", 1)[0]

    @property
    def file(self) -> str:
        return self.simple.split("$", 1)[0] + ".java"

    def at(self, method: str, line: int) -> StackFrame:
        return StackFrame(self.fqcn, method, self.file, line, app=True)

    def inner(self, suffix: str) -> AppClass:
        return AppClass(f"{self.fqcn}${suffix}")


class Codebase:
    """One row's application: its root package, its business module and the names drawn from them."""

    def __init__(self, kind: str, rng: random.Random, family: str = "generic") -> None:
        self.kind = kind
        self.rng = rng
        self.family = family if kind == "oss" else "bank"
        self.modules: Modules = OSS_MODULES  # the oss modules classes are drawn from
        if kind == "bank":
            self.root = rng.choice(BANK_ROOTS)
            self.module = rng.choice(list(BANK_MODULES))
            stems, entities, verbs, self.module_ko = BANK_MODULES[self.module]
            self.stem, self.entity = rng.choice(stems), rng.choice(entities)
            self.verbs = verbs
            self.project = self.root.rsplit(".", 1)[-1]
        else:
            if family == "generic":
                self.project = rng.choice(OSS_PROJECTS)
                self.root = rng.choice(OSS_ROOT_PATTERNS).format(p=self.project)
            else:
                roots, self.modules = OSS_FAMILIES[family]
                self.root = rng.choice(roots)
                self.project = self.root.rsplit(".", 1)[-1]
            self.module = rng.choice(list(self.modules))
            classes, self.verbs = self.modules[self.module]
            self.stem = rng.choice(classes)
            self.entity = rng.choice(classes)
            self.module_ko = self.module
        self._classes: dict[str, AppClass] = {}
        self._oss_verbs = _OSS_VERBS if self.modules is OSS_MODULES else _verbs_of(self.modules)

    @property
    def is_bank(self) -> bool:
        return self.kind == "bank"

    def noun(self) -> str:
        return self.rng.choice(BANK_NOUNS if self.is_bank else OSS_NOUNS)

    def line(self, low: int = 24, high: int = 880) -> int:
        return self.rng.randint(low, high)

    def cls(self, role: str, name: str | None = None) -> AppClass:
        """The row's class for `role` (the same one every time it is asked for), or a named one in that layer."""
        key = f"{role}:{name}" if name else role
        if key not in self._classes:
            self._classes[key] = self._new_class(role, name)
        return self._classes[key]

    def other_cls(self) -> AppClass:
        """A further class of the code base, for frames between the interesting ones."""
        if self.is_bank:
            return self._new_class(self.rng.choice(("service", "support", "domain", "repository", "util")), None)
        module = self.rng.choice(list(self.modules))
        return self._oss_class(module, self.rng.choice(self.modules[module][0]))

    def _new_class(self, role: str, name: str | None) -> AppClass:
        if self.is_bank and role == "main":
            return AppClass(f"{self.root}.{name or self.stem + 'Application'}")
        if self.is_bank:
            packages, patterns = BANK_ROLES.get(role, BANK_ROLES["support"])
            simple = name or self.rng.choice(patterns).format(S=self.stem, E=self.entity)
            module = "common" if role == "util" else self.module
            suffix = self.rng.choice(packages)
            package = f"{self.root}.{suffix}" if suffix.startswith("common") else f"{self.root}.{module}.{suffix}"
            if role == "test":
                simple = name or self.rng.choice(patterns).format(S=self.stem, E=self.entity)
            return AppClass(f"{package}.{simple}")
        if role == "test":
            return self._oss_class(self.module, name or f"{self.stem}Test", sub="")
        if role == "main":
            return AppClass(f"{self.root}.{name or self.project.capitalize() + 'Main'}")
        if name:
            return self._oss_class(self.module, name)
        if role in ("service", "domain", "controller"):
            return self._oss_class(self.module, self.stem)
        module = self.rng.choice(list(self.modules))
        return self._oss_class(module, self.rng.choice(self.modules[module][0]))

    def _oss_class(self, module: str, simple: str, sub: str | None = None) -> AppClass:
        sub = self.rng.choice(OSS_SUBPACKAGES) if sub is None else sub
        package = f"{self.root}.{module}" + (f".{sub}" if sub else "")
        return AppClass(f"{package}.{simple}")

    def method(self, role: str) -> str:
        if self.is_bank:
            if role in ("controller", "service"):
                return self.rng.choice(self.verbs)
            return self.rng.choice(BANK_ROLE_METHODS.get(role, self.verbs))
        return self.rng.choice(self.verbs if role in ("service", "domain", "controller") else self._oss_verbs)

    def frame(self, role: str, method: str | None = None, name: str | None = None) -> StackFrame:
        return self.cls(role, name).at(method or self.method(role), self.line())

    def filler(self, count: int) -> list[StackFrame]:
        """`count` application frames of assorted classes (callers between the fault and the entry point)."""
        frames: list[StackFrame] = []
        for _ in range(count):
            owner = self.other_cls()
            method = self.rng.choice(self._oss_verbs if not self.is_bank else self.verbs + ("process", "handle"))
            roll = self.rng.random()
            if roll < 0.08:
                owner = owner.inner(str(self.rng.randint(1, 4)))
            elif roll < 0.14:
                method = f"lambda${method}${self.rng.randint(0, 6)}"
            frames.append(owner.at(method, self.line()))
            if not self.is_bank and self.rng.random() < 0.25:  # recursion through the same class: visitors, renderers
                frames.append(owner.at(method, self.line()))
        return frames

    def test_class(self, under_test: AppClass | None = None) -> AppClass:
        if under_test is not None:
            base = under_test.simple.split("$", 1)[0]
            for suffix in ("ServiceImpl", "Impl"):
                if base.endswith(suffix) and len(base) > len(suffix):
                    base = base[: -len(suffix)] + ("Service" if suffix == "ServiceImpl" else "")
            return AppClass(f"{under_test.package}.{base}Test")
        return self.cls("test")


def _verbs_of(modules: Modules) -> tuple[str, ...]:
    return tuple(sorted({verb for _, verbs in modules.values() for verb in verbs}))


_OSS_VERBS = _verbs_of(OSS_MODULES)


def test_method_name(method: str, rng: random.Random, junit5: bool) -> str:
    """A test method name for the method under test: testPostEntry, shouldRejectNegativeAmount, ..."""
    capital = method[:1].upper() + method[1:]
    if junit5:
        return rng.choice((f"should{capital}", f"{method}_rejectsInvalidInput", f"{method}Works", f"test{capital}"))
    return rng.choice((f"test{capital}", f"test{capital}", f"test{capital}WithEmptyInput", f"{method}Test"))
