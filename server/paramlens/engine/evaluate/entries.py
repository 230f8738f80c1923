"""Entry points and what evaluating them says: counts by context, model totals.

For each file: its module body (as `__main__`), every module-level function callable with its
defaults (a builder), and every model class whose `__init__` needs no argument. An entry that
another entry reaches (a class its builder instantiates) is still totalled, but its contexts are
the ones its callers create, so it adds none of its own.

Each entry point starts where a fresh run of it would (Program.run_isolated): what one changes
is not the next one's starting point, as Python runs each script, and calls each builder after
an import, in a process of its own.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import gc
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from paramlens.engine.evaluate.import_failures import DEFINITIONS
from paramlens.engine.evaluate.machine import (
    BudgetExceeded,
    Frame,
    Machine,
    OutOfTime,
    states_replaced,
)
from paramlens.engine.evaluate.model_checks import ModelFinding, model_findings, torch_forwards
from paramlens.engine.evaluate.objects import (
    BoundV,
    ClassV,
    ContainerV,
    FuncV,
    InstanceV,
    KerasModelV,
    LayerObj,
    ModuleV,
    PartialV,
    Scope,
    Unknown,
)
from paramlens.engine.evaluate.parsed_files import ParsedFiles
from paramlens.engine.evaluate.program import (
    CallSpan,
    EntryResult,
    ModelCall,
    Program,
    call_span,
    is_model,
    unfinished,
)
from paramlens.engine.evaluate.summary import children
from paramlens.engine.evaluate.totals import model_total
from paramlens.engine.evaluate.tree import ModelSummary, entry_tree
from paramlens.engine.names import canonical
from paramlens.engine.nodes import all_nodes, source_text


@dataclass(frozen=True)
class SiteContext:
    params: int | None
    instances: int
    via: str
    layer: str = ""  # the class built (a call through a variable may build several)
    # built by the module's own top-level code, resting on nothing: what the file fixes
    by_module: bool = False
    # why the framework refuses the layer here, as built or as called (Python raises there)
    refused: str = ""


@dataclass(frozen=True)
class EvaluatedTotal:
    name: str
    kind: str  # "builder" | "class" | "Model" | "Sequential" | "instance"
    line: int
    column: int  # 0-based, UTF-8 bytes as ast gives it
    params: int | None  # certain
    params_default: int | None
    unknown_layers: int
    trainable: int | None
    why: str = ""
    assumptions: tuple[str, ...] = ()
    children: tuple[tuple[str, str, int | None], ...] = ()  # depth-1 summary
    span_of_totals: tuple[int, ...] = ()  # a class built with different totals: each of them
    instances: int = 0  # how many objects the totals are over (a class that needs arguments)
    known: int = 0  # the sum of the weights whose size is known (the total, when all are)
    raised: str | None = None  # building it raises: where ("file.py:line", or "")


@dataclass
class Evaluation:
    # (path, line, byte column) of a constructor call → its contexts, the most frequent first
    contexts: dict[tuple[str, int, int], list[SiteContext]] = field(default_factory=dict)
    totals: dict[str, list[EvaluatedTotal]] = field(default_factory=dict)
    # the same sites → where the call ends and where its callee's name lies
    spans: dict[tuple[str, int, int], CallSpan] = field(default_factory=dict)
    # a call that makes models → (the model, the entry) each time a root entry made one there
    call_models: dict[tuple[str, int, int], list[tuple[Any, EntryResult]]] = \
        field(default_factory=dict)
    call_memo: dict[tuple[str, int, int], EvaluatedTotal | None] = field(default_factory=dict)
    # what each entry point read, so that the next evaluation can reuse what an edit left alone
    cache: EntryCache | None = None
    # the model bugs the built objects prove (model_checks.py), and where forward builds layers
    findings: list[ModelFinding] = field(default_factory=list)
    # every Sequential the program built, with its members; and, once asked (the static reading
    # found a mismatch), for each torch layer in one whether the member before it is proven to
    # give other channels (model_checks.proven_mismatches)
    sequences: list[tuple[Any, list[Any]]] = field(default_factory=list)
    mismatches: dict[tuple[str, int, int], bool] | None = None
    forwards: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = field(default_factory=dict)
    read: frozenset[str] = frozenset()  # the files it read: it holds while none of them changes
    # each file whose module body raised: the lines of the statement that raised (no model of it
    # is built, whatever a reading of that statement alone would count)
    raised_in: dict[str, tuple[int, int]] = field(default_factory=dict)
    never_run: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # after it
    # an entry point calls keras' set_image_data_format: a Keras count that its contexts do not
    # show is not fixed by the code (what format it was built under depends on what ran before)
    keras_format_set: bool = False
    # the framework names an entry point replaces (canonical): a call of one that its contexts
    # do not show is not the framework's class for certain
    patched: frozenset[str] = frozenset()
    # each file's totals' models as built (name, line, the model, the entry that built it), for
    # `summaries`: the trees are worked out only when asked for (`paramlens summary`)
    built: dict[str, list[tuple[str, int, Any, EntryResult]]] = field(default_factory=dict)
    # each file's model classes that are built only inside other models (a block whose
    # `__init__` needs arguments): (class name, class line, each instance and its entry)
    inside: dict[str, list[tuple[str, int, list[tuple[InstanceV, EntryResult]]]]] = \
        field(default_factory=dict)

    def summaries(self, path: str, depth: int = 3) -> list[tuple[int, ModelSummary]]:
        """(line, tree) for each total of the file at `path` whose model was built, in the order
        of `totals`."""
        found: list[tuple[int, ModelSummary]] = []
        for name, line, value, result in self.built.get(path, []):
            tree = entry_tree(value, name, result, depth)
            if tree is not None:
                found.append((line, tree))
        return found


@dataclass
class CachedEntry:
    result: EntryResult
    deps: frozenset[int]  # the top-level statements whose functions it ran
    reads: dict[str, frozenset[int]]  # the module names it read → the statements binding them
    statement: int | None = None  # the id of its def or class statement (None: a module body)
    body: frozenset[int] | None = None  # a module body's: the statements it runs itself


@dataclass
class EntryCache:
    """The entry points of one evaluation, with what each read."""

    entries: dict[tuple[str, str, str], CachedEntry]
    # top-level statements other than definitions, imports and plain constants: they may change
    # anything, so a change among them reruns every entry point
    plain: frozenset[int]
    keep: list[Any]  # the statements themselves, so that no node id is reused while this lives
    by_statement: dict[int, CachedEntry] = field(default_factory=dict)  # a def's entry point
    non_entries: set[int] = field(default_factory=set)  # defs that are not entry points


@dataclass
class _TopIndex:
    owner: dict[int, int]  # function node id → its top-level statement's id
    binders: dict[str, frozenset[int]]
    plain: set[int]
    ids: set[int]
    # what a module body runs itself: every top-level statement but an undecorated def, whose
    # body runs only when called (and is then among the entry's `called`)
    body: frozenset[int] = frozenset()


def _top_index(statements: list[ast.stmt]) -> _TopIndex:
    owner: dict[int, int] = {}
    binders: dict[str, set[int]] = {}
    plain: set[int] = set()
    for stmt in statements:
        functions, bound = _statement_facts(stmt)
        for node_id in functions:
            owner[node_id] = id(stmt)
        if bound is None:
            plain.add(id(stmt))
            continue
        for name in bound:
            binders.setdefault(name, set()).add(id(stmt))
    body = frozenset(id(s) for s in statements
                     if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) or
                     s.decorator_list)
    return _TopIndex(owner, {k: frozenset(v) for k, v in binders.items()}, plain,
                     {id(s) for s in statements}, body)


def _statement_facts(stmt: ast.stmt) -> tuple[list[int], list[str] | None]:
    """(ids of the functions inside, the names it binds), kept on the statement: a statement an
    edit left alone is not walked again."""
    facts = getattr(stmt, "_paramlens_facts", None)
    if facts is None:
        functions = [id(n) for n in all_nodes(stmt)
                     if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))]
        facts = (functions, _names_bound(stmt))
        stmt._paramlens_facts = facts  # type: ignore[attr-defined]
    return facts


def _names_bound(stmt: ast.stmt) -> list[str] | None:
    """The names a definition, import or constant binds; None for any other statement (its
    effects are not followed name by name)."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [stmt.name]
    if isinstance(stmt, ast.Import):
        return [a.asname or a.name.split(".")[0] for a in stmt.names]
    if isinstance(stmt, ast.ImportFrom):
        return [a.asname or a.name for a in stmt.names if a.name != "*"] \
            if all(a.name != "*" for a in stmt.names) else None
    if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        value = stmt.value
        if value is None or not all(isinstance(t, ast.Name) for t in targets) or any(
                isinstance(n, (ast.Call, ast.NamedExpr)) for n in all_nodes(value)):
            return None  # what a call computes at import time is followed as a whole
        return [t.id for t in targets]  # type: ignore[attr-defined]
    return None


def _reusable(cached: CachedEntry | None, top: _TopIndex) -> bool:
    if cached is None or not cached.deps <= top.ids:
        return False
    if cached.body is not None and cached.body != top.body:
        return False
    return all(top.binders.get(name, frozenset()) == stmts for name, stmts in cached.reads.items())


def _cached(result: EntryResult, top: _TopIndex, stmt: ast.stmt | None) -> CachedEntry:
    deps = {top.owner[n] for n in result.called if n in top.owner}
    if stmt is not None:
        deps.add(id(stmt))
    reads = {name: top.binders.get(name, frozenset()) for name in result.global_reads}
    # A module body reads its own globals as locals (not among `global_reads`): it stands only
    # while the statements it runs do (an edited constant, `channels = 16` → `8`, or one added)
    body = top.body if stmt is None else None
    return CachedEntry(result, frozenset(deps), reads, id(stmt) if stmt is not None else None,
                       body)


def _lent_whole(path: str, statements: list[ast.stmt], top: _TopIndex, previous: EntryCache
                ) -> list[tuple[tuple[str, str, str], CachedEntry]] | None:
    """Every entry point of a file, its module body's included, as `previous` lends them; None
    when any of them must run again (or may be new)."""
    module_key = (path, "module", "<module>")
    module = previous.entries.get(module_key)
    if module is None or not _reusable(module, top):
        return None
    lent = [(module_key, module)]
    keys = {entry.statement: key for key, entry in previous.entries.items()}
    for stmt in statements:
        if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or \
                id(stmt) in previous.non_entries:
            continue
        found = previous.by_statement.get(id(stmt))
        if found is None or not _reusable(found, top) or id(stmt) not in keys:
            return None
        lent.append((keys[id(stmt)], found))
    return lent


def package_root(path: str) -> tuple[str, str]:
    """(the folder imports start from, the file's dotted module name): walk up while the folder
    is a package."""
    path = os.path.abspath(path)
    folder, file = os.path.split(path)
    parts = [] if file == "__init__.py" else [os.path.splitext(file)[0]]
    while os.path.isfile(os.path.join(folder, "__init__.py")):
        folder, package = os.path.split(folder)
        parts.insert(0, package)
    return folder, ".".join(parts) or "__main__"


# An evaluation makes hundreds of thousands of objects that live until it ends (layers, instances,
# remembered calls) and frees few. With the collector's default thresholds a full collection runs
# each time they grow by a quarter, each pass over all of them and over the parsed trees: a third
# of the evaluation's time, finding little. While any evaluation runs, young collections are
# rarer and full ones wait for it to end; short-lived cycles are still reclaimed.
_EVALUATING_THRESHOLDS = (50_000, 50, 1_000)
_collector_lock = threading.Lock()
_collector_users = 0
_collector_saved: tuple[int, int, int] = (700, 10, 10)


@contextlib.contextmanager
def _full_collections_deferred() -> Iterator[None]:
    """The collector's thresholds raised while this evaluation (or another, in another thread of
    the server) runs, and restored when the last one ends."""
    global _collector_users, _collector_saved
    with _collector_lock:
        if _collector_users == 0:
            _collector_saved = gc.get_threshold()  # type: ignore[assignment]
            gc.set_threshold(*_EVALUATING_THRESHOLDS)
        _collector_users += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector_users -= 1
            if _collector_users == 0:
                gc.set_threshold(*_collector_saved)


class Deferred(Exception):
    """The evaluation ran out of the time it was given; `cache` holds the entry points it did
    evaluate, for the next try to reuse."""

    def __init__(self, cache: EntryCache, read: frozenset[str]) -> None:
        super().__init__("deferred")
        self.cache = cache
        self.read = read


def evaluate_files(files: list[tuple[str, list[ast.stmt]]], extra_roots: list[str] = (),
                   unsaved: list[tuple[str, list[ast.stmt]]] = (),
                   previous: EntryCache | None = None,
                   deadline: float | None = None, editor: bool = False,
                   parsed: ParsedFiles | None = None) -> Evaluation:
    """Evaluate the entry points of `files`; `unsaved` are other files' current trees (open in an
    editor), read instead of their files on disk when the evaluation imports them; `parsed`, the
    trees of files on disk that earlier evaluations parsed.

    With `previous` (the last evaluation of the same files, everything else unchanged), an entry
    point whose functions and read names all stand as they were is not run again: its results
    are reused, at the lines its statements have now. The module bodies always run again.

    With `deadline` (a `time.monotonic()` value), raise `Deferred` once it has passed before all
    entry points ran. With `editor`, it also keeps what the next evaluation after an edit needs
    (what each entry point read) and the totals of every call that makes a model, for hovers."""
    with _full_collections_deferred():
        return _evaluate_files(files, extra_roots, unsaved, previous, deadline, editor, parsed)


def _evaluate_files(files: list[tuple[str, list[ast.stmt]]], extra_roots: list[str],
                    unsaved: list[tuple[str, list[ast.stmt]]], previous: EntryCache | None,
                    deadline: float | None, editor: bool, parsed: ParsedFiles | None
                    ) -> Evaluation:
    roots: list[str] = []
    names: dict[str, str] = {}
    loose: set[str] = set()  # the folders of files in no package, and of no package either
    held: set[str] = set(extra_roots)
    for path, _ in files:
        root, name = package_root(path)
        names[path] = name
        in_package = os.path.basename(path) == "__init__.py" or "." in name
        (held if in_package else loose).add(root)
        if root not in roots:
            roots.append(root)
    for extra in extra_roots:
        if extra not in roots:
            roots.append(extra)
    program = Program(roots, loose=loose - held, parsed=parsed)
    program.deadline = deadline
    program.watched = {os.path.abspath(p) for p, _ in files}
    program.note_calls = editor
    tops = {os.path.abspath(p): _top_index(s) if editor else _TopIndex({}, {}, set(), set())
            for p, s in files}
    plain = frozenset(i for top in tops.values() for i in top.plain)
    if previous is not None and previous.plain != plain:
        previous = None  # a statement that may change anything changed: run everything
    cache = EntryCache({}, plain, [s for _, s in files])
    results: list[EntryResult] = []
    for path, statements in [*unsaved, *files]:
        # Registered first, so that a checked file another one imports is read from these trees.
        program.add_source(os.path.abspath(path), statements)
    try:
        _run_entries(program, files, names, tops, previous, cache, results)
    except OutOfTime:
        if previous is not None:
            for other, known_entry in previous.entries.items():
                cache.entries.setdefault(other, known_entry)
        raise Deferred(cache, frozenset(program.read | program.watched)) from None
    evaluation = _collect(program, results)
    evaluation.keras_format_set = any(r.sets_keras_format for r in results)
    evaluation.patched = frozenset(canonical(q) or q for r in results for q in r.patches)
    evaluation.cache = cache
    evaluation.read = frozenset(program.read | program.watched)
    return evaluation


def _run_entries(program: Program, files: list[tuple[str, list[ast.stmt]]],
                 names: dict[str, str], tops: dict[str, _TopIndex], previous: EntryCache | None,
                 cache: EntryCache, results: list[EntryResult]) -> None:
    """The module bodies, then every entry point not lent by `previous`. When `previous` lends
    every entry point of every file, module bodies included, nothing runs at all."""
    if previous is not None:
        lent = [_lent_whole(os.path.abspath(p), s, tops[os.path.abspath(p)], previous)
                for p, s in files]
        if all(found is not None for found in lent):
            for found in lent:
                for key, entry in found:  # type: ignore[union-attr]
                    cache.entries[key] = entry
                    results.append(entry.result)
                    if entry.statement is not None:
                        cache.by_statement[entry.statement] = entry
            cache.non_entries |= previous.non_entries
            return
    modules: dict[str, tuple[ModuleV, list[ast.stmt]]] = {}
    as_scripts: set[str] = set()
    run_by_imports: set[str] = set()  # files whose bodies ran where another file imported them
    # what each body changed in objects other than its module's, as it left them
    effects: dict[str, list[Any]] = {}
    for path, statements in files:
        abspath = os.path.abspath(path)
        known = program.modules.get(names[path])
        imported = isinstance(known, ModuleV) and known.path == abspath
        tests_its_name = _tests_its_name(statements)
        if tests_its_name:
            # `if __name__ == "__main__":` runs here and not where another file imports it:
            # the file run as a script is a module of its own, as in Python
            module = program.module_for_file(abspath, names[path], statements, as_main=True)
            as_scripts.add(path)
        elif imported and known.loaded:
            modules[path] = (known, statements)  # already run when another file imported it
            run_by_imports.add(path)
            continue
        elif imported:
            module = known  # imported, not run yet: the module its importers hold runs now
        else:
            module = program.module_for_file(abspath, names[path], statements, as_main=True)
            program.modules[names[path]] = module
        module.loaded = True
        modules[path] = (module, statements)
        program.checked_modules[abspath] = module
        body = EntryResult("<module>", "module", abspath, 1)

        def settled(result: EntryResult, path: str = path) -> None:
            _settled(result)
            if program.journal is not None:
                effects[path] = program.journal.after()

        # (each file's body runs as `python file.py` would: what it changes in the modules it
        # imports is not the next file's starting point)
        results.append(program.run_isolated(body, _module_action(program, module, statements,
                                                                 abspath, body), settled,
                                            own=module))
        if module.names.get("__name__") == "__main__" and not tests_its_name:
            # its body ran as a script's; its builders are called, and its names read, after an
            # import, where `__name__` is the module's name (`30 if __name__ == "__main__"
            # else 3` in a builder's body)
            module.names["__name__"] = names[path]
        cache.entries[(abspath, "module", "<module>")] = _cached(results[-1], tops[abspath], None)
    for path, (module, statements) in modules.items():
        # The changes its body made elsewhere (`cfg.W = 40`, a registry filled), taken before
        # they were put back, are made again while its builders run, as a fresh import makes
        # them, and put back after the last. (A fresh import also runs the packages around
        # the module first. Their `__init__` runs here only as the module's own imports run it:
        # torchvision's imports the whole package, which doubled the time of one file.)
        replaced = [] if path in as_scripts else states_replaced(effects.get(path, []))
        if replaced:
            program.epoch += 1  # (no remembered call read them so)
        try:
            _run_builders(program, path, module, statements, names, tops, previous, cache,
                          results, path in as_scripts, path in run_by_imports)
        finally:
            states_replaced(replaced)
            if replaced:
                program.epoch += 1  # (what a remembered call read is what is put back)


def _run_builders(program: Program, path: str, module: ModuleV, statements: list[ast.stmt],
                  names: dict[str, str], tops: dict[str, _TopIndex], previous: EntryCache | None,
                  cache: EntryCache, results: list[EntryResult], as_script: bool,
                  run_by_import: bool) -> None:
    """Every builder and model class of one file not lent by `previous`, each an entry point.
    `run_by_import`: the file's body ran where another file imported it (_builder_call)."""
    abspath = os.path.abspath(path)
    for stmt in statements:
        entry = _entry_for(module, stmt)
        if entry is None:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                cache.non_entries.add(id(stmt))
            continue
        kind, value = entry
        key = (abspath, kind, stmt.name)  # type: ignore[attr-defined]
        known = previous.entries.get(key) if previous is not None else None
        if known is not None and _reusable(known, tops[abspath]):
            cache.entries[key] = cache.by_statement[id(stmt)] = known
            results.append(known.result)
            if known.result.sets_keras_format:  # as if it had run again
                program.frameworks.keras_format_sets += 1
            for qualname in known.result.patches:
                program.patched.setdefault(qualname, Unknown(f"{qualname}, replaced"))
            continue
        if program.deadline is not None and time.monotonic() > program.deadline:
            raise OutOfTime()
        result = EntryResult(stmt.name, kind, abspath, stmt.lineno, node=stmt)  # type: ignore[attr-defined]
        if isinstance(value, FuncV) and value.assumption:
            result.assumptions = (value.assumption,)
        result.after_import = as_script and names[path] != "__main__"
        results.append(program.run_isolated(
            result, _builder_call(program, abspath, names[path], stmt, module,
                                  result.after_import, run_by_import), _settled))
        cache.entries[key] = cache.by_statement[id(stmt)] = \
            _cached(results[-1], tops[abspath], stmt)


def _settled(result: EntryResult) -> None:
    """What the entry built, totalled as it built it, before the objects that it changed are
    put back (Program.run_isolated): `backbone.fc = nn.Linear(512, 10); return backbone`
    counts the new head, and so does a script's `model = backbone` after it."""
    for value in _models_of(result):
        model_total(value, result.memo)
        result.children[id(value)] = children(value, result.memo)


def _tests_its_name(statements: list[ast.stmt]) -> bool:
    """Whether the module body compares `__name__` as it runs (`if __name__ == "__main__":`,
    `W = 2 if __name__ == "lib" else 7`): run as a script, it is not the module an import
    makes. (`getLogger(__name__)` only passes it on.)"""
    return any(isinstance(node, ast.Compare) and any(
        isinstance(name, ast.Name) and name.id == "__name__" for name in ast.walk(node))
        for stmt in statements if not isinstance(stmt, DEFINITIONS) for node in _run_now(stmt))


def _run_now(stmt: ast.stmt) -> Iterator[ast.AST]:
    """The nodes of a statement that run when it does: not the bodies of the functions and
    lambdas it defines."""
    stack: list[ast.AST] = [stmt]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                stack += [*child.decorator_list] if not isinstance(child, ast.Lambda) else []
                continue
            stack.append(child)


def _module_action(program: Program, module: ModuleV, statements: list[ast.stmt],
                   path: str, result: EntryResult) -> Callable[[Machine], Any]:
    """A module body run as its file's entry point. Where a limit stops it, what it had not
    finished binding becomes unknown, as when an import stops (program.ensure_loaded): another
    file importing it later must not read a value of before (`WIDTH` bound to 3, then to 64
    after a table the budget stopped in).

    (Its budget is an entry point's, larger than an import's: a script builds its models in its
    body, and the imports it makes each stop at theirs without stopping it. So a body between
    the two budgets is read whole when its file runs it first, and stops, its names unknown,
    when another file's import does: never a value the code does not give it.)"""
    def run(machine: Machine) -> Any:
        frame = Frame(Scope(module.names), module, None)
        found: list[tuple[ast.stmt, str, Any]] = []
        done = 0
        program.running_bodies.add(module.name)
        try:
            for stmt in statements:
                _run_top(machine, frame, [stmt], found)
                done += 1
        except (BudgetExceeded, RecursionError) as stop:
            why = stop.why if isinstance(stop, BudgetExceeded) else "nested too deeply"
            unfinished(module, statements[done:], f"{module.name} is not fully read: {why}",
                       machine)
            raise
        finally:
            program.running_bodies.discard(module.name)
            result.raised_in = machine.raised_in
            result.never_run = machine.never_run
        return found

    return run


def _run_top(machine: Machine, frame: Frame, statements: list[ast.stmt],
             found: list[tuple[ast.stmt, str, Any]]) -> None:
    """The module body, statement by statement, noting each model a top-level name is bound to."""
    from paramlens.engine.evaluate.machine import UserRaise, truth

    for stmt in statements:
        if machine.raised_in is not None and not isinstance(stmt, DEFINITIONS):
            machine.never_run.append((stmt.lineno, stmt.end_lineno or stmt.lineno))
        if isinstance(stmt, ast.If) and not isinstance(stmt.test, ast.Constant):
            cond = truth(machine.ev(stmt.test, frame))
            if cond is True and _is_main_test(stmt.test):
                # what runs only as a script: named in the call chain, so that it is not taken
                # for what the module's own code fixes
                machine.via.append("__main__")
                try:
                    _run_top(machine, frame, stmt.body, found)
                finally:
                    machine.via.pop()
                continue
            if cond is True:
                _run_top(machine, frame, stmt.body, found)
                continue
            if cond is False:
                _run_top(machine, frame, stmt.orelse, found)
                continue
        try:
            machine.exec(stmt, frame)
        except UserRaise:
            # Python stops the module here. What follows is still read, for the functions and
            # classes it defines, but speculatively: a layer it builds is not the program's.
            if machine.raised_in is None and not machine.speculative:
                machine.raised_in = (stmt.lineno, stmt.end_lineno or stmt.lineno)
            machine.speculative += 1
            continue
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    found.append((stmt, target.id, frame.scope.names.get(target.id)))
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            call = stmt.value
            if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name):
                # model.build(...), model.add(...): the model's total may have changed
                name = call.func.value.id
                for i, (old_stmt, old_name, _value) in enumerate(found):
                    if old_name == name:
                        found[i] = (old_stmt, old_name, frame.scope.names.get(name))


def _is_main_test(test: ast.expr) -> bool:
    return isinstance(test, ast.Compare) and "__name__" in source_text(test)


def _callable_with_defaults(func: FuncV) -> bool:
    args = func.node.args
    positional = [*args.posonlyargs, *args.args]
    if len(positional) > len(func.defaults):
        return False
    return all(a.arg in func.kw_defaults for a in args.kwonlyargs)


def _entry_for(module: ModuleV, stmt: ast.stmt) -> tuple[str, Any] | None:
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        value = module.names.get(stmt.name)
        func = value.func if isinstance(value, BoundV) else value
        if isinstance(func, PartialV):
            return None
        if isinstance(func, FuncV) and func.node is stmt and _callable_with_defaults(func):
            return "function", value
        if isinstance(func, FuncV) and func.node is not stmt:
            # a wrapper a decorator returned: call it like the module would
            target = _unwrap(stmt)
            if target is not None and _callable_with_defaults(target):
                return "function", value
        return None
    if isinstance(stmt, ast.ClassDef):
        value = module.names.get(stmt.name)
        if not isinstance(value, ClassV) or value.node is not stmt:
            return None
        if not any(b.startswith("torch.") or b.split(".")[0] in ("keras", "tensorflow", "tf",
                                                                  "tf_keras")
                   for b in value.framework_bases()):
            return None
        init = value.lookup("__init__")
        if isinstance(init, FuncV):
            args = init.node.args
            positional = [*args.posonlyargs, *args.args][1:]
            if len(positional) > len(init.defaults) or not all(
                    a.arg in init.kw_defaults for a in args.kwonlyargs):
                return None
        return "class", value
    return None


def _unwrap(stmt: ast.FunctionDef | ast.AsyncFunctionDef) -> FuncV | None:
    args = stmt.args
    positional = [*args.posonlyargs, *args.args]
    if len(positional) > len(args.defaults):
        return None
    if any(d is None for d in args.kw_defaults):
        return None
    return FuncV(stmt, ModuleV("", ""), None, list(args.defaults), {a.arg: d for a, d in zip(
        args.kwonlyargs, args.kw_defaults, strict=True)}, stmt.name)


def _builder_call(program: Program, path: str, name: str, stmt: ast.stmt, ran: ModuleV,
                  as_script: bool, run_by_import: bool) -> Callable[[Machine], Any]:
    """A builder or model class called as after `import name`.

    - Of a file that does not test its name: in the module its body ran as, where the changes
      that body made elsewhere are made again (_run_entries). Where that body ran at another
      file's import, whose changes were put back, the module is imported again first: the
      modules its import ran that change others' objects run again (Program.import_module; a
      package's `from . import setup` that sets `cfg.W = 40`).
    - Of a file that tests its name (run as a script, `ran` is a module of its own): in the
      module an import makes, whose body runs with `__name__ == name`. Its `if __name__ ==
      "__main__":` block may have rebound what the builder reads (`WIDTH = 100` before `net =
      build()`; `import m; m.build()` still reads 4)."""
    def run(machine: Machine) -> Any:
        module: Any = ran
        if run_by_import and program.modules.get(name) is ran:
            program.import_module(name, None)
        if as_script:
            module = program.modules.get(name)
            if module is None:
                module = program.import_module(name, None)
            if not isinstance(module, ModuleV) or module.path != path:
                return Unknown(f"{stmt.name}: {name} names another module")  # type: ignore[attr-defined]
            program.ensure_loaded(module)
        entry = _entry_for(module, stmt)
        if entry is None:
            return Unknown(f"{stmt.name} is not bound when {name} is imported")  # type: ignore[attr-defined]
        return machine.call(entry[1], (), {}, None)

    return run


def _via(layer: LayerObj, entry: str, known: dict[tuple[str, tuple[str, ...]], str]) -> str:
    """The call chain that built the layer, in words; `known` keeps each chain's words (most
    layers of an entry point share the chains of a few blocks)."""
    words = known.get((entry, layer.via))
    if words is None:
        words = known[(entry, layer.via)] = _via_words(entry, layer.via)
    return words


def _via_words(entry: str, via: tuple[str, ...]) -> str:
    chain = [entry] if entry not in ("<module>",) else ["<module>"]
    for name in via:
        if chain and chain[-1] == name:
            continue
        chain.append(name)
    return " → ".join(chain)


def _collect(program: Program, results: list[EntryResult]) -> Evaluation:
    evaluation = Evaluation()
    # An entry reached from another entry adds no contexts of its own.
    per_site: dict[tuple[str, int, int], dict[tuple[str, int | None, str], list[Any]]] = {}
    nodes: dict[tuple[str, int, int], Any] = {}
    callers: dict[int, set[int]] = {}  # a function node -> the entries that called it
    chains: dict[tuple[str, tuple[str, ...]], str] = {}  # _via's
    for result in results:
        for node in result.called:
            callers.setdefault(node, set()).add(id(result))
    # the bodies of files run as scripts: what they call ran in a module of their own
    run_as_scripts = {r.path for r in results if r.after_import}
    scripts = {id(r) for r in results if r.kind == "module" and r.path in run_as_scripts}
    fills: list[EntryResult] = []
    for result in results:
        own = _function_nodes(result.node)
        result.is_root = not any(callers.get(node, set()) - {id(result)} for node in own)
        if result.is_root:
            _add_contexts(result, per_site, nodes, chains, None)
        elif result.kind == "function" or result.after_import and not any(
                callers.get(node, set()) - {id(result)} - scripts for node in own):
            # A builder another entry point also calls (`create_model("small", width=32)`),
            # called here with its defaults, as its users call it; or one called only by its
            # script's `if __name__ == "__main__":` block, which may have changed what it reads:
            # the counts that its own call makes are counts too, where no root made them. (A
            # model class another entry point makes is a part of that model, as a base or a
            # block: made on its own with its defaults, it is no model the program builds.)
            fills.append(result)
    taken = {site: set(group) for site, group in per_site.items()}
    for result in fills:
        _add_contexts(result, per_site, nodes, chains, taken)
    for site, groups in per_site.items():
        contexts = [SiteContext(count, n, via, name, plain, refused)
                    for (name, count, refused), (n, via, plain) in groups.items()]
        contexts.sort(key=lambda c: (-c.instances, c.params if c.params is not None else -1))
        evaluation.contexts[site] = contexts
        node = nodes.get(site)
        if isinstance(node, ast.Call):
            evaluation.spans[site] = call_span(node)
    for result in results:
        totals = evaluation.totals.setdefault(result.path, [])
        built = evaluation.built.setdefault(result.path, [])
        if result.kind == "module":
            if result.raised_in is not None:
                evaluation.raised_in[result.path] = result.raised_in
                evaluation.never_run[result.path] = result.never_run
            found = result.value if isinstance(result.value, list) else []
            seen: set[int] = set()
            for stmt, name, value in found:
                # one layer bound to a name has its own count: a total is for what holds layers
                if not is_model(value) or isinstance(value, LayerObj) or id(value) in seen:
                    continue
                if result.raised_in is not None and stmt.lineno >= result.raised_in[0]:
                    continue  # Python stopped the module before it bound this name
                seen.add(id(value))
                totals.append(_total(name, _kind_of(value), stmt.lineno, stmt.col_offset, value,
                                     result, result.memo))
                built.append((name, stmt.lineno, value, result))
            continue
        if not is_model(result.value):
            # a class whose construction stops, or a builder that made layers before the code
            # raised: no total, and why (a function that made none is not taken for a builder)
            if result.why_incomplete and result.kind == "class" or \
                    result.raised is not None and result.kind == "function" and \
                    result.constructions:
                kind = "class" if result.kind == "class" else "builder"
                totals.append(EvaluatedTotal(result.name, kind, result.line, 0, None, None, 1,
                                             None, result.why_incomplete, raised=result.raised))
            continue
        line = result.node.lineno if result.node is not None else result.line  # type: ignore[attr-defined]
        totals.append(_total(result.name, "builder" if result.kind == "function" else "class",
                             line, 0, result.value, result, result.memo))
        built.append((result.name, line, result.value, result))
    _class_totals(evaluation, results)
    _call_sites(evaluation, results)
    evaluation.findings, evaluation.sequences = model_findings(program, results)
    evaluation.forwards = torch_forwards(program)
    return evaluation


def _add_contexts(result: EntryResult,
                  per_site: dict[tuple[str, int, int], dict[tuple[str, int | None, str], list[Any]]],
                  nodes: dict[tuple[str, int, int], Any],
                  chains: dict[tuple[str, tuple[str, ...]], str],
                  taken: dict[tuple[str, int, int], set[Any]] | None) -> None:
    """The layers `result` built, each in the context of its site and count; with `taken`, only
    the counts that no root entry point made there, and that the code fixes (an unbuilt Keras
    layer that the script's block builds is no count of its own)."""
    for layer in result.constructions:
        if not layer.site[0]:
            continue
        count = None if layer.speculative else layer.made_count
        refused = layer.why if layer.refused and not layer.speculative else ""
        site = current_site(layer)
        key = (layer.spec.name, count, refused)
        if taken is not None and (key in taken.get(site, ()) or count is None):
            continue
        nodes.setdefault(site, layer.node)
        entry = result.name if result.kind != "module" else "<module>"
        via = _via(layer, entry, chains)
        plain = via == "<module>" and not result.assumptions and not layer.speculative
        slot = per_site.setdefault(site, {}).setdefault(key, [0, via, True])
        slot[0] += 1
        slot[2] = slot[2] and plain


def _class_totals(evaluation: Evaluation, results: list[EntryResult]) -> None:
    """A model class that needs arguments (`BasicBlock(in_planes, planes)`) gets the totals of
    the instances the root entry points build inside their models: one total where they agree,
    else the range of them."""
    instances: dict[int, list[tuple[InstanceV, EntryResult]]] = {}
    for result in results:
        if not result.is_root:
            continue
        seen: set[int] = set()  # a block held by two of the models the module binds: once
        for model in _models_of(result):
            for instance in _instances_in(model):
                node = instance.cls.node
                if node is not None and id(instance) not in seen:
                    seen.add(id(instance))
                    instances.setdefault(id(node), []).append((instance, result))
    have = {(path, t.line) for path, ts in evaluation.totals.items() for t in ts}
    for found in instances.values():
        cls = found[0][0].cls
        path, line = cls.module.path, cls.node.lineno  # type: ignore[union-attr]
        if not path or (path, line) in have:
            continue
        evaluation.inside.setdefault(path, []).append((cls.name, line, [*found]))
        counts = [model_total(instance, result.memo)[0] for instance, result in found]
        known = sorted({c for c in counts if c is not None})
        entries = sorted({r.name for _, r in found})
        where = f"as {' and '.join(entries[:3])}{' and others' if len(entries) > 3 else ''} " \
                f"build{'s' if len(entries) == 1 else ''} it"
        if None not in counts and len(known) == 1:
            total = EvaluatedTotal(cls.name, "class", line, 0, None, known[0], 0, None,
                                   assumptions=(where,), instances=len(found))
        else:
            total = EvaluatedTotal(cls.name, "class", line, 0, None, None,
                                   sum(1 for c in counts if c is None), None,
                                   "its arguments differ where it is built" if len(known) > 1
                                   else "", (where,), span_of_totals=tuple(known),
                                   instances=len(found))
        evaluation.totals.setdefault(path, []).append(total)


def _models_of(result: EntryResult) -> list[Any]:
    """The models an entry point built: what a builder or class returned, or each model the
    module's own code binds to a name (a script's, a notebook's)."""
    if result.kind != "module":
        return [result.value] if is_model(result.value) else []
    found = result.value if isinstance(result.value, list) else []
    models = list({id(value): value for _stmt, _name, value in found
                   if is_model(value) and not isinstance(value, LayerObj)}.values())
    return models


def _instances_in(model: Any) -> list[InstanceV]:
    """Every instance of a project class inside a built model (registered submodules)."""
    found: list[InstanceV] = []
    seen: set[int] = set()
    stack = [model]
    while stack:
        value = stack.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, InstanceV):
            found.append(value)
            stack.extend(value.attrs.values())
            stack.extend(v for _, v in value.members)
        elif isinstance(value, ContainerV):
            stack.extend(v for _, v in value.members)
        elif isinstance(value, KerasModelV):
            stack.extend(value.layers)
    return found


def _call_sites(evaluation: Evaluation, results: list[EntryResult]) -> None:
    """The models each root entry, and each builder, built at each call, for
    `Evaluation.call_total` (a builder another entry also calls builds its own with its
    defaults, as its contexts say: _collect)."""
    for result in results:
        if not result.is_root and result.kind != "function":
            continue
        for model in result.models:
            site = model.site
            if site is None or not site[0] or not site[1]:
                continue
            evaluation.call_models.setdefault(current_site(model), []).append((model, result))


def call_total(evaluation: Evaluation, site: tuple[str, int, int]) -> EvaluatedTotal | None:
    """A total at a call that makes a model (`keras.Model(inputs, outputs)`, `Sequential([...])`,
    `nn.Sequential(...)`): the one every root entry builds there, as it stands once the entry has
    run; where they build different models, or one the code does not fix, it stays unknown.
    Worked out when asked for: most calls have no total shown."""
    if site in evaluation.call_memo:
        return evaluation.call_memo[site]
    made = evaluation.call_models.get(site)
    if not made:
        return None
    totals = [_total(m.kind, m.kind, site[1], site[2], m.value if isinstance(m, ModelCall) else m,
                     r, r.memo) for m, r in made]
    # (a builder another entry also calls adds a total where the code fixes it, as it adds a
    # context: _collect)
    kept = [(t, m) for t, m in zip(totals, made, strict=True)
            if m[1].is_root or t.params_default is not None]
    if not kept:
        evaluation.call_memo[site] = None
        return None
    totals, made = [t for t, _ in kept], [m for _, m in kept]
    entries: list[str] = []
    for _model, result in made:
        name = result.name if result.kind != "module" else "<module>"
        if name not in entries:
            entries.append(name)
    first = totals[0]
    agreed = {t.params_default for t in totals}
    if len(agreed) == 1 and None not in agreed:
        # what the call builds as the program calls it: not fixed by the call alone
        built = f"as {' and '.join(entries)} build{'s' if len(entries) == 1 else ''} it"
        total = dataclasses.replace(first, params=None, assumptions=tuple(
            sorted({a for t in totals for a in t.assumptions})) + (built,))
    else:
        why = next((t.why for t in totals if t.why), "") or \
            "the program builds different models here"
        total = EvaluatedTotal(first.name, first.kind, first.line, first.column, None, None,
                               max(1, *(t.unknown_layers for t in totals)), None, why)
    evaluation.call_memo[site] = total
    return total


def current_site(made: Any) -> tuple[str, int, int]:
    """Where a layer or model was built, at the lines its call has now: an entry whose result is
    reused after an edit above it built them at lines that have moved since."""
    node = made.node
    if isinstance(node, ast.Call):
        return (made.site[0], node.lineno, node.col_offset)
    return made.site


def _function_nodes(node: ast.AST | None) -> set[int]:
    """The entry's own function: a builder's def, or a class's __init__."""
    if node is None:
        return set()
    if isinstance(node, ast.ClassDef):
        return {id(n) for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"}
    return {id(node)}


def _kind_of(value: Any) -> str:
    if isinstance(value, KerasModelV):
        return value.kind
    return "instance"


def _total(name: str, kind: str, line: int, column: int, value: Any,
           result: EntryResult, memo: dict[int, tuple]) -> EvaluatedTotal:
    total, trainable, unknown, _layers, why, known = model_total(value, memo)
    why = result.why_incomplete or why
    if result.why_incomplete:
        total = None
        unknown = max(unknown, 1)
    assumption = "; ".join(result.assumptions)
    certain = total if not assumption else None
    if result.trainable_unsettled:
        trainable = None
    kids = result.children[id(value)] if id(value) in result.children else children(value, memo)
    return EvaluatedTotal(name, kind, line, column, certain, total, unknown,
                          trainable if total is not None else None, why,
                          (assumption,) if assumption else (), kids,
                          known=known, raised=result.raised)
