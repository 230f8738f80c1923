"""A program: the modules the evaluator reads, the entry points it runs, what it records.

Imports resolve to source files the way the import system would find them, without executing
anything: the project's roots first, then the installed packages on `sys.path`. The frameworks
(torch, Keras' layers and models), the standard library and compiled numeric packages are not
read: their names stay `ExternalV` and the framework rules give them a meaning.

A `from X import name` binds a lazy reference: X's body is evaluated the first time the name is
used, so that a file's unused imports cost nothing.
"""

from __future__ import annotations

import ast
import functools
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from paramlens.engine.evaluate import builtins as py
from paramlens.engine.evaluate.frameworks import Frameworks
from paramlens.engine.evaluate.import_failures import (
    calls_into,
    changes_imports,
    changes_outside,
    imported_names,
    own_names,
    package_names,
    raises,
    run_at_import,
    stores_outside,
)
from paramlens.engine.evaluate.machine import (
    MAX_MODULE_STEPS,
    BudgetExceeded,
    EntryJournal,
    Frame,
    Machine,
    UserRaise,
)
from paramlens.engine.evaluate.objects import (
    MISSING,
    ClassV,
    ContainerV,
    ExternalV,
    FuncV,
    InstanceV,
    KerasModelV,
    LayerObj,
    LazyRef,
    ModuleV,
    Scope,
    TensorV,
    Unknown,
    external,
    is_unknown,
    next_serial,
)
from paramlens.engine.evaluate.parsed_files import MAX_FILE_BYTES, ParsedFiles, parse_source_file
from paramlens.engine.evaluate.undefined import bound_names, certainly_undefined
from paramlens.engine.nodes import all_nodes, statements_under
from paramlens.engine.reading import SourceError, read_source_file

# Names never read from source: their behaviour is the framework's or compiled code's.
_EXTERNAL_ROOTS = {"torch", "tensorflow", "tf", "numpy", "scipy", "jax", "jaxlib", "pandas",
                   "PIL", "cv2", "sklearn", "matplotlib", "typing_extensions", "namex", "requests",
                   "tqdm", "h5py", "ml_dtypes", "optree", "rich", "absl", "google", "packaging",
                   "huggingface_hub", "safetensors", "six", "torchvision.ops._register_onnx_ops",
                   "yaml", "einops"}
_KERAS_FRAMEWORK = ("keras.layers", "keras.src.layers", "keras.models", "keras.src.models",
                    "keras.backend", "keras.src.backend", "keras.ops", "keras.src.ops",
                    "keras.src.utils", "keras.utils", "keras.src.api_export",
                    "keras.src.activations", "keras.activations", "keras.src.saving",
                    "keras.Input", "keras.Sequential", "keras.Model", "keras.src.engine",
                    "tf_keras.layers", "tf_keras.models", "keras.initializers",
                    "keras.src.initializers", "keras.regularizers", "keras.src.regularizers",
                    # (its source only re-exports the backend's settings: reading it would make
                    # Keras' own modules part of the program)
                    "keras.config", "tf_keras.config")
_BUILTINS = {name: ExternalV(f"builtins.{name}") for name in py.BUILTIN_NAMES}
MAX_MODULES = 400


@functools.lru_cache(maxsize=4096)
def is_external(name: str) -> bool:
    root = name.split(".")[0]
    if root in _EXTERNAL_ROOTS or root in sys.stdlib_module_names or name in _EXTERNAL_ROOTS:
        return True
    if root in ("keras", "tf_keras"):
        if name in ("keras", "tf_keras"):
            return False
        return any(name == p or name.startswith(p + ".") for p in _KERAS_FRAMEWORK)
    return False


@functools.lru_cache(maxsize=4096)
def _read_from_source(qualname: str) -> bool:
    """A Keras name outside the frameworks' own modules (`keras.applications.ResNet50`): its
    module is read. Asked of every framework name each time one is used: kept by name."""
    if is_external(qualname) or "." not in qualname:
        return False
    module_name = qualname.rpartition(".")[0]
    return not is_external(module_name) and module_name.split(".")[0] in ("keras", "tf_keras")


@dataclass
class Construction:
    """One layer object built while an entry point ran."""

    layer: LayerObj
    entry: str


@dataclass
class EntryResult:
    name: str
    kind: str  # "module", "function", "class"
    path: str
    line: int
    value: Any = None  # what calling it returned
    why_incomplete: str = ""
    raised: str | None = None  # the code raised: where ("file.py:line", "" where not known)
    assumptions: tuple[str, ...] = ()
    constructions: list[LayerObj] = field(default_factory=list)
    models: list[Any] = field(default_factory=list)  # Keras models and torch containers it made
    called: dict[int, Any] = field(default_factory=dict)  # function nodes run, by id
    global_reads: set[str] = field(default_factory=set)
    # each object's total, worked out once: what an entry built does not change after it ran,
    # and a reused entry keeps them
    memo: dict[int, tuple] = field(default_factory=dict)
    is_root: bool = True
    node: ast.AST | None = None
    trainable_unsettled: str = ""  # why the trainable part of what it built is not fixed
    # a module body that raised: the lines of the top-level statement that raised, where no
    # model of that statement is built
    raised_in: tuple[int, int] | None = None
    # the module's statements after that one (its functions and classes aside): never run
    never_run: list[tuple[int, int]] = field(default_factory=list)
    # it called keras' set_image_data_format: the format of what every other entry point
    # builds is then not fixed (Frameworks.entry_started)
    sets_keras_format: bool = False
    patches: tuple[str, ...] = ()  # the framework names it replaced (`nn.Linear = Fat`)
    # the top-level children of each model it built, by object: read before what it changed
    # was put back (Program.run_isolated)
    children: dict[int, Any] = field(default_factory=dict)
    # a builder or model class of a file run as a script (one that tests its name), called in
    # the module an import makes (entries._builder_call)
    after_import: bool = False


@dataclass(frozen=True)
class CallSpan:
    """Where a constructor call ends, and where the name of what it calls lies (1-based lines,
    UTF-8 byte columns as ast gives them): with the site, the call's whole extent."""

    end_line: int
    end_column: int
    name_line: int
    name_column: int
    name_end_line: int
    name_end_column: int


def call_span(node: ast.Call) -> CallSpan:
    func = node.func
    end_line = node.end_lineno or node.lineno
    end_column = node.end_col_offset if node.end_col_offset is not None else node.col_offset
    name = (func.lineno, func.col_offset, func.end_lineno or func.lineno,
            func.end_col_offset if func.end_col_offset is not None else func.col_offset)
    if isinstance(func, ast.Attribute) and name[0] == name[2]:
        name = (name[2], name[3] - len(func.attr.encode("utf-8")), name[2], name[3])
    return CallSpan(end_line, end_column, *name)


class Recorder:
    def __init__(self, program: Program) -> None:
        self.program = program
        self.layers: list[LayerObj] = []
        self.models: list[Any] = []  # Keras models and torch containers, by the call that made them

    def site_of(self, node: Any) -> tuple[str, int, int]:
        machine = self.program.machine
        path = machine.site_path if machine is not None else ""
        if node is None or not hasattr(node, "lineno"):
            return (path, 0, 0)
        return (path, node.lineno, node.col_offset)

    def record(self, layer: LayerObj) -> None:
        self.layers.append(layer)

    def record_model(self, model: KerasModelV | ContainerV) -> None:
        self.models.append(model)

    def note_model_call(self, path: str, node: ast.Call, func: Any, value: Any) -> None:
        # a model, not one layer (a helper returning a layer: that layer's call shows its counts)
        if self.program.note_calls and path and is_model(value) and \
                not isinstance(value, (KerasModelV, ContainerV, LayerObj)):
            name = getattr(func, "name", None) or getattr(getattr(func, "func", None), "qualname",
                                                          None) or getattr(func, "qualname", "")
            self.models.append(ModelCall((path, node.lineno, node.col_offset), node, value,
                                         name.rsplit(".", 1)[-1] or "model"))


@dataclass(eq=False)
class ModelCall:
    """A call of the project's code that returned a model (`backbone = resnet50(...)`)."""

    site: tuple[str, int, int]
    node: Any
    value: Any
    kind: str  # the callee's name, for the words


class Program:
    def __init__(self, roots: list[str], search_installed: bool = True,
                 loose: Iterable[str] = (), parsed: ParsedFiles | None = None) -> None:
        self.roots = [str(Path(r).resolve()) for r in roots]
        self.parsed = parsed  # files' trees kept across evaluations (an editor's), else read here
        # the roots that are only the folders of checked files in no package: on sys.path
        # where a script of theirs runs, not for the rest of the project (search_roots)
        self.loose_roots = {str(Path(r).resolve()) for r in loose}
        self.orders: dict[str, tuple[tuple[str, ...], int]] = {}  # search_roots()' answers
        self.paths = list(self.roots)
        if search_installed:
            self.paths += [p for p in sys.path if p and os.path.isdir(p) and p not in self.paths]
        self.modules: dict[str, Any] = {}
        self.sources: dict[str, tuple[list[ast.stmt], str]] = {}
        self.globals_by_path: dict[str, frozenset[str]] = {}  # rebound_globals'
        self.bound_by_path: dict[str, frozenset[str] | None] = {}  # undefined()'s
        self.recorder = Recorder(self)
        self.frameworks = Frameworks(self.recorder)
        self.loading: set[str] = set()
        self.loading_order: list[str] = []  # the same, innermost last
        # the checked files' bodies running as their entry points (entries._module_action)
        self.running_bodies: set[str] = set()
        # modules whose bodies read a name from a module whose body had not got that far: run
        # anew, by the next import of each, once the entry point ends (module_attribute)
        self.partial_readers: set[str] = set()
        self.machine: Machine | None = None
        self.watched: set[str] = set()  # the checked files: reads of their globals are recorded
        self.read: set[str] = set()  # every file whose module the evaluation ran
        self.deadline: float | None = None  # time.monotonic() past which evaluation stops
        self.memo: dict[Any, Any] = {}  # calls remembered for replay (memo.py)
        # moves when an object made before the current entry point changes, or a class's or a
        # closure's names: anything a remembered call may have read
        self.epoch = 0
        # each module's names, by id: (the names, how many times they changed); a remembered call
        # holds the version of each module it read, and is replayed only while they all stand
        self.versions: dict[int, list[Any]] = {}
        self.note_calls = False  # keep every call that makes a model (an editor hovers on them)
        self.modules_loaded: set[str] = set()
        self.found: dict[str, tuple[str, bool] | None] = {}  # located()'s answers
        self.rivals: dict[str, tuple[str, ...]] = {}  # rival_files()' answers
        self.module_files: dict[str, set[str]] | None = None  # project_copies()' index
        self.import_failures: dict[tuple[str, bool], bool] = {}  # may_fail_import()'s answers
        self.effects: dict[tuple[str, bool, bool], bool] = {}  # has_effects()' answers
        self.format_setters: dict[str, bool] = {}  # may_set_keras_format()'s answers
        self.class_spans: dict[str, list[Any]] = {}  # class_around()'s class statements, by file
        # names of modules it does not read that the code replaced (`nn.Linear = Fat`): what
        # reading them gives from then on
        self.patched: dict[str, Any] = {}
        # what the entry point running now changed that a fresh run would find as it was, put
        # back when it ends (run_isolated); None between entry points
        self.journal: EntryJournal | None = None
        self.checked_modules: dict[str, ModuleV] = {}  # each checked file's, as its entry ran it
        # the modules each module's body imported, in the order it imported them
        self.imports: dict[str, dict[str, None]] = {}
        # modules whose bodies changed what other modules made, forgotten when the entry point
        # that ran them ended (EntryJournal.changers, and a script that changed them)
        self.forgotten_changers: set[str] = set()

    # files -----------------------------------------------------------------------------------
    def located(self, name: str, importer: str = "") -> tuple[str, bool] | None:
        """find_module's answer, asked once per name and evaluation: a name that is not found
        costs a look in every folder of the path, and the same names are asked about again
        and again. (find_module itself stays as it is: the cache records its probes.) With
        `importer`, the file importing it: its roots in the order that file's run searches
        them (search_roots)."""
        roots = self.search_roots(importer)[0] if importer and self.loose_roots else None
        key = name if roots is None or roots == tuple(self.roots) else f"{name}\0{importer}"
        if key not in self.found:
            self.found[key] = self.find_module(name, roots)
        return self.found[key]

    def search_roots(self, importer: str) -> tuple[tuple[str, ...], int]:
        """The project's roots in the order an import in the file `importer` searches them,
        and how many of the first may hold the module it runs: its own folder where it is a
        checked file in no package (run as a script, Python puts it first), then the roots
        that hold the file (run with -m from one of them, that one is first), then the
        others. The folder of another file in no package is on sys.path only where a script
        of that folder runs."""
        folder = os.path.dirname(importer)
        if folder not in self.orders:
            resolved = str(Path(folder).resolve())
            own = [resolved] if resolved in self.loose_roots else []
            holding = [root for root in self.roots if root not in own and
                       root not in self.loose_roots and
                       (resolved == root or resolved.startswith(root + os.sep))]
            rest = [root for root in self.roots if root not in own and root not in holding]
            self.orders[folder] = (tuple(own + holding + rest), len(own) + len(holding))
        return self.orders[folder]

    def rival_files(self, name: str, importer: str) -> tuple[str, ...]:
        """The different files that an absolute `import name` in the file `importer` finds in
        the project's roots, where two roots or more that may be first on sys.path when it runs
        hold its top-level module (search_roots): which one Python imports depends on how the
        code is run (`python scripts/train.py` puts scripts/ first and finds scripts/utils.py;
        `python -m scripts.train` from the root finds the root's utils.py). Empty where at most
        one of them holds it, or where the rivals are copies of one text."""
        top = name.split(".")[0]
        key = f"{top}\0{os.path.dirname(importer)}"
        if key not in self.rivals:
            roots, plausible = self.search_roots(importer)
            files: list[str] = []
            for root in roots[:plausible]:
                # (through find_module: a run whose lookups the CLI's cache records)
                found = self.find_module(top, (root,))
                if found is not None and found[0].startswith(root + os.sep):
                    files.append(found[0])
            self.rivals[key] = tuple(files) if len(files) > 1 and not _one_text(files) else ()
        return self.rivals[key]

    def forget_other_copy(self, top: str, importer: str) -> None:
        """The module `top` is imported in the file `importer`, where one root alone may hold
        it: a module of that name that was loaded from another file (a checked file in another
        folder, as its own entry point ran it; the module a script in another folder imported)
        is not the one this import finds. A fresh run finds the file located."""
        cached = self.modules.get(top)
        found = self.located(top, importer)
        if type(cached) is ModuleV and found is not None and found[0] and \
                cached.path != found[0] and \
                os.path.realpath(cached.path) != os.path.realpath(found[0]):  # (a link's)
            del self.modules[top]

    def project_copies(self, top: str) -> int:
        """How many files of the project's folders a top-level `import top` may find, in one
        folder or another of sys.path (`utils.py` in the root and in scripts/): more than one
        where the project holds too many files to look through."""
        if self.module_files is None:
            self.module_files = _module_files(self.roots)
        if self.module_files is _TOO_MANY:
            return 2
        return len(self.module_files.get(top, ()))

    def reaches_other_copies(self, name: str, before: frozenset[str]) -> bool:
        """Whether an import of `name` now, after the code changed sys.path, may find other
        files than before: `name`, or a module that the body of the project's module `name`
        imports, and so on, is one the project holds several files of (a module run before,
        for another entry point, read from the file another folder held). Names in `before`
        were imported already, and stay what they were."""
        seen: set[str] = set()
        pending = [name]
        while pending:
            module = pending.pop()
            top = module.split(".")[0]
            if module in seen or top in before or is_external(module):
                continue
            seen.add(module)
            if self.project_copies(top) > 1:
                return True
            found = self.located(module)
            if found is None or not found[0] or not self.is_project_file(found[0]):
                continue
            package = module if found[1] else module.rpartition(".")[0]

            def resolve(imported: str, level: int, package: str = package) -> str | None:
                return relative_name(imported, level, package)

            for stmt in run_at_import(self.parse_file(found[0]) or []):
                pending.extend(imported_names(stmt, resolve))
        return False

    def may_be_missing(self, name: str) -> bool:
        """A module neither the project, nor the packages installed here, nor the frameworks and
        the standard library have: on the machine that runs the code, importing it may raise."""
        root = name.split(".")[0]
        return bool(root) and not is_external(root) and self.located(root) is None

    def may_fail_import(self, name: str, broad: bool) -> bool:
        """Importing `name` may raise where the code runs (import_failures.py): it may be
        missing, or it is the project's and its body imports one that may fail, or raises
        (any exception where `broad`, the handler taking any; else an ImportError)."""
        key = (name, broad)
        if key not in self.import_failures:
            self.import_failures[key] = False  # an import cycle: what the rest of it finds
            self.import_failures[key] = self._may_fail_import(name, broad)
        return self.import_failures[key]

    def _may_fail_import(self, name: str, broad: bool) -> bool:
        if self.may_be_missing(name):
            return True
        found = self.located(name) if not is_external(name) else None
        if found is None or not found[0] or \
                not self.is_project_file(found[0]):
            return False  # a package installed here, the standard library, a framework's
        statements = self.parse_file(found[0])
        if statements is None:
            return broad  # Python refuses the file: a SyntaxError, no ImportError
        package = name if found[1] else name.rpartition(".")[0]

        def resolve(module: str, level: int) -> str | None:
            return relative_name(module, level, package)

        for stmt in run_at_import(statements):
            if raises(stmt, broad):
                return True
            imported = imported_names(stmt, resolve)
            if any(module != name and self.may_fail_import(module, broad)
                   for module in imported):
                return True
        return False

    def find_module(self, name: str, roots: tuple[str, ...] | None = None
                    ) -> tuple[str, bool] | None:
        """(file, is_package) for a dotted module name, searching the roots (in this order)
        then sys.path."""
        parts = name.split(".")
        paths = self.paths if roots is None else [*roots, *self.paths[len(self.roots):]]
        for base in paths:
            folder = os.path.join(base, *parts)
            init = os.path.join(folder, "__init__.py")
            if os.path.isfile(init):
                return init, True
            file = folder + ".py"
            if os.path.isfile(file):
                return file, False
            if os.path.isdir(folder) and base in self.roots:
                return "", True  # a namespace package in the project
        return None

    def patch(self, qualname: str, value: Any) -> None:
        journal = self.journal
        if journal is not None and not self.loading and journal.patched_before is None:
            # the entry point's own `nn.Linear = Fat`: put back when it ends, as its other changes
            journal.patched_before = dict(self.patched)
            journal.first_change = journal.first_change or next_serial()
        self.patched[qualname] = value
        if self.machine is not None:
            self.machine.state.patches.add(qualname)

    def entry_started(self) -> bool:
        """A new entry point runs. What earlier ones replaced in a framework's modules, and the
        image data format they set, may or may not have run before it in a real run: unknown
        until it sets them itself. True when that may change what remembered calls built."""
        for qualname in self.patched:
            self.patched[qualname] = Unknown(f"{qualname}, which the program replaces elsewhere")
        return self.frameworks.entry_started() or bool(self.patched)

    def may_set_keras_format(self, path: str) -> bool:
        """Whether the file's text names keras' set_image_data_format (read, not parsed: a
        module imported and never used is otherwise not read at all)."""
        if path not in self.format_setters:
            registered = self.sources.get(path)  # an editor's unsaved text, or a checked file
            if registered is not None:
                found = any(isinstance(node, ast.Attribute) and node.attr == _SETS_FORMAT or
                            isinstance(node, ast.alias) and node.name == _SETS_FORMAT
                            for stmt in registered[0] for node in all_nodes(stmt))
            else:
                try:
                    found = _SETS_FORMAT in read_source_file(path, MAX_FILE_BYTES)
                except (SourceError, OSError, UnicodeError, ValueError):
                    found = False
            self.format_setters[path] = found
        return self.format_setters[path]

    def class_around(self, path: str, node: ast.expr) -> str | None:
        """The name of the innermost class statement whose body holds `node`, in the file at
        `path` (what Python mangles a private name by), or None."""
        spans = self.class_spans.get(path)
        if spans is None:
            statements = self.parse_file(path) if path else None
            spans = [((c.lineno, c.col_offset), (c.end_lineno or c.lineno, c.end_col_offset or 0),
                      c.name) for stmt in statements or () for c in ast.walk(stmt)
                     if isinstance(c, ast.ClassDef)]
            self.class_spans[path] = spans
        at = (node.lineno, node.col_offset)
        around = [(start, name) for start, end, name in spans if start <= at < end]
        return max(around)[1] if around else None

    def parse_file(self, path: str) -> list[ast.stmt] | None:
        self.read.add(path)
        cached = self.sources.get(path)
        if cached is not None:
            return cached[0]
        statements = self.parsed.statements(path) if self.parsed is not None \
            else parse_source_file(path)
        if statements is None:
            return None
        self.add_source(path, statements)
        return statements

    def add_source(self, path: str, statements: list[ast.stmt]) -> None:
        self.sources[path] = (statements, path)

    def rebound_globals(self, module: ModuleV) -> frozenset[str]:
        """The names a function of `module` declares `global` (and so may rebind when called)."""
        known = self.globals_by_path.get(module.path)
        if known is None:
            statements = self.parse_file(module.path) if module.path else None
            known = frozenset(name for stmt in statements or () for inner in statements_under(stmt)
                              if isinstance(inner, ast.Global) for name in inner.names)
            self.globals_by_path[module.path] = known
        return known

    def imported_as(self, name: str, module: Any) -> Any:
        """What `import a.b as c` binds: the attribute `b` of package `a` once `a` has run
        (Python's IMPORT_FROM), which is the submodule unless the package's own code binds
        another value to that name (`from . import alt as b`). Only such a package is run for
        it; any other stays as lazy as before."""
        parent_name, _, child = name.rpartition(".")
        parent = self.modules.get(parent_name)
        if not isinstance(parent, ModuleV) or not parent.path.endswith(".py"):
            return module
        bound = self.bound_in(parent.path)
        if bound is not None and child not in bound:
            return module
        self.ensure_loaded(parent)
        return self.deref(parent.names.get(child, module))

    def undefined(self, module: ModuleV, name: str) -> bool:
        """Whether reading `name` in `module`, where nothing binds it now, raises NameError:
        the file binds it nowhere (undefined.py). A notebook's kernel binds names of its own."""
        if not module.path.endswith(".py"):
            return False
        return certainly_undefined(name, self.bound_in(module.path))

    def bound_in(self, path: str) -> frozenset[str] | None:
        """Every name the file binds somewhere (undefined.bound_names), read once per file."""
        if path not in self.bound_by_path:
            statements = self.parse_file(path)
            self.bound_by_path[path] = None if statements is None else bound_names(statements)
        return self.bound_by_path[path]

    # modules ---------------------------------------------------------------------------------
    def module_for_file(self, path: str, name: str, statements: list[ast.stmt] | None = None,
                        as_main: bool = False) -> ModuleV:
        module = ModuleV(name, path, package=name.rpartition(".")[0])
        if path.endswith("__init__.py"):
            module.package = name
        module.names["__name__"] = "__main__" if as_main else name
        module.names["__file__"] = path
        if statements is not None:
            self.add_source(path, statements)
        return module

    def reload(self, module: Any) -> Any:
        """`importlib.reload(module)`: its body runs again, in its own namespace."""
        if not isinstance(module, ModuleV) or not module.path or module.name in self.loading:
            return Unknown("importlib.reload() of what the evaluator does not read")
        self.ensure_loaded(module)  # (a module not run yet runs now, then again)
        module.loaded = False
        self.ensure_loaded(module)
        if self.machine is not None:
            self.machine.names_changed(module.names)
        return module

    def import_module(self, name: str, importer: ModuleV | None, as_parent: bool = False) -> Any:
        if importer is not None and importer.name in self.loading:
            self.imports.setdefault(importer.name, {})[name] = None
        journal = self.journal
        if journal is not None and name not in journal.imported:
            if journal.first_change is not None and self.is_stale_import(name):
                # a module an earlier entry point ran, imported here only after this one
                # changed what it may read: Python runs it now, from what it finds now
                del self.modules[name]
            if name in self.modules:
                for changer in self.imported_with_its_imports(name, journal.imported):
                    self.import_module(changer, None)
            else:
                journal.imported.add(name)  # (its body, run below, imports what it imports)
        if name in self.modules:
            return self.modules[name]
        if is_external(name):
            value: Any = ExternalV(name)
            self.modules[name] = value
            return value
        found = self.located(name, importer.path if importer is not None else "")
        if found is None:
            value = ExternalV(name)  # a module we cannot read: what it holds is unknown
            self.modules[name] = value
            return value
        path, _is_package = found
        parent, _, child = name.rpartition(".")
        parent_module = self.import_module(parent, importer, True) if parent else None
        if name in self.modules:  # the parent's body imported it
            return self.modules[name]
        module = self.module_for_file(path, name)
        self.modules[name] = module
        if isinstance(parent_module, ModuleV):
            # (Python binds a submodule it loads on its package, over what the package's own
            # code bound to that name: `from . import alt as heads`, then `import pkg.heads`)
            parent_module.names[child] = module
        if self.is_project_file(path) and (
                not as_parent and importer is not None and importer.path in self.watched or
                self.has_effects(path, name)):
            # Python runs the body here, at the import: what it changes elsewhere (a registry
            # filled, a config set, a format chosen) happens before the importer goes on, and a
            # name taken from it (`from config import WIDTH`) is its value now. So it is run
            # where a checked file imports it, and wherever it changes what lies outside it;
            # else where a name of it is first read (the package around a module imported, whose
            # __init__ may import the whole package, for a module of it that needs one name).
            self.ensure_loaded(module)
        elif name.split(".")[0] not in _FRAMEWORK_PACKAGES and self.may_set_keras_format(path):
            # imported for what its body does (`import settings`), which Python runs here: the
            # format every layer built after it takes (not Keras' own modules, which define it)
            self.ensure_loaded(module)
        return module

    def is_stale_import(self, name: str) -> bool:
        module = self.modules.get(name)
        return isinstance(module, ModuleV) and bool(module.path) and module.loaded and \
            self.is_project_file(module.path)

    def imported_with_its_imports(self, name: str, imported: set[str]) -> list[str]:
        """`name` is imported: it, and what its body imported when it ran, are the modules the
        entry point holds from now on (as sys.modules does). Returned: the modules among those
        that changed what other modules made and that an earlier entry point forgot, in the
        order their importers imported them. A fresh Python runs them at this import (a
        package's `from . import setup`, where setup sets `cfg.W = 40`): the importer an
        earlier entry point left loaded does not, so they are run again here.

        (Only those stores_at_import picks: rerunning every changer ran transformers'
        `__init__` at each of 357 imports, and the import chains that made too deep cost 18 of
        its totals.)"""
        stack = [name]
        rerun: list[str] = []
        while stack:
            current = stack.pop()
            if current in imported:
                continue
            imported.add(current)
            if current != name and current in self.forgotten_changers and \
                    current not in self.modules and self.stores_at_import(current):
                rerun.append(current)
            stack += reversed(self.imports.get(current, {}))
            if "." in current:
                # (its package is imported before it: `import pk.cfg` runs pk's `__init__`)
                stack.append(current.rpartition(".")[0])
        return rerun

    def stores_at_import(self, name: str) -> bool:
        """Whether the project module's own statements, run at an import, store into another
        module's objects or call one of its package's (`cfg.W = 40`, `REG.register("a", A)`).
        Not the modules it imports: counting those (transformers.utils' import `.logging`,
        which sets `logging.Logger.warning_once`) had 3,753 bodies run again, 1.6 times the
        time. (Calls cost too: transformers' tensor_parallel registers its styles so, and runs
        again at 341 imports, making new copies of classes that loaded modules hold the old
        ones of; three of its counts become unknown. Without calls, a registry filled so is
        counted empty where the checked files come in some orders.)"""
        return self.package_module_changes(name, deep=False)

    def package_module_changes(self, name: str, deep: bool) -> bool:
        """has_effects without the calls, of the project's module `name`; False for a module
        the project does not hold."""
        return self.is_project_module(name) and \
            self.has_effects(self.located(name)[0], name, calls=False, deep=deep)  # type: ignore[index]

    def has_effects(self, path: str, name: str, calls: bool = True, deep: bool = True) -> bool:
        """Whether running the module's body changes what lies outside it: one of its own
        statements may (import_failures.changes_outside; without `calls`, a store into another
        object, or a call on an object of its own package), or, with `deep`, a module of its
        package that its body imports does so, by its own statements or by the modules of its
        own package that it imports in turn (a package's `from . import setup`, where setup
        sets `cfg.W = 40`; `from . import sub`, whose `__init__` imports that setup).

        (Only stores and calls into the package, not every call: a call made for its effect is
        often one on the framework, `_register_custom_op()` in torchvision.ops, and with those
        one torchvision file ran 81 modules. Only the package's own modules: following every
        import read 146 files for one torchvision file.)"""
        key = (path, calls, deep)
        if key not in self.effects:
            # (an import cycle back to it adds nothing: a module asked about within the cycle
            # may keep an answer that does not count it)
            self.effects[key] = False
            self.effects[key] = self._has_effects(path, name, calls, deep)
        return self.effects[key]

    def _has_effects(self, path: str, name: str, calls: bool, deep: bool) -> bool:
        statements = self.parse_file(path)
        if statements is None:
            return False
        package = name if path.endswith("__init__.py") else name.rpartition(".")[0]

        def resolve(module: str, level: int) -> str | None:
            return relative_name(module, level, package)

        own = own_names(statements)
        # (without `calls`, a call on an object of its own package still counts: a plugin's
        # `reg.ITEMS.append(1)`; one on the framework, `torch.ops.load_library(...)`, does not)
        inside = frozenset() if calls else package_names(statements, resolve, package)
        run = list(run_at_import(statements))
        if any(changes_outside(stmt, own) if calls else
               stores_outside(stmt, own) or calls_into(stmt, inside) or
               changes_imports(stmt) for stmt in run):
            return True
        if not deep:
            return False
        for stmt in run:  # (only now: reading the modules it imports costs their parse)
            for module in imported_names(stmt, resolve):
                # (only its package's own modules: another, a utility the code around imports
                # anyway, runs where that code imports it)
                if module != name and package and module.startswith(f"{package}.") and \
                        self.package_module_changes(module, deep=True):
                    return True
        return False

    def is_project_module(self, name: str) -> bool:
        found = self.located(name)
        return found is not None and bool(found[0]) and self.is_project_file(found[0])

    def is_project_file(self, path: str) -> bool:
        """A file under the project's roots, not an installed package's."""
        return any(path.startswith(root + os.sep) for root in self.roots)

    def ensure_loaded(self, module: ModuleV) -> None:
        if module.loaded or module.name in self.loading:
            return
        module.loaded = True
        if not module.path:
            return
        # (a module run again, for an entry point that imports it anew, is the same module to
        # the budget: the program reads as many different files as before)
        self.modules_loaded.add(module.name)
        if len(self.modules_loaded) > MAX_MODULES:
            return
        statements = self.parse_file(module.path)
        if statements is None:
            return
        machine = self.machine
        if machine is None:
            return
        self.loading.add(module.name)
        self.loading_order.append(module.name)
        journal = self.journal
        start = next_serial()
        if journal is not None:
            journal.loads.append((start, module.name))
        frame = Frame(Scope(module.names), module, None)
        saved_via, saved_spec, saved_depth = machine.via, machine.speculative, machine.depth
        # a module body is a frame of its own: the calls that imported it are not its callers
        # (their depth is no limit of its own calls; RecursionError still bounds the chain)
        machine.via, machine.speculative, machine.depth = [], 0, 0
        state = machine.state
        saved_limit, saved_why = state.limit, state.limit_why
        own_limit = state.steps + MAX_MODULE_STEPS
        if own_limit < saved_limit:
            state.limit = own_limit
            state.limit_why = f"importing {module.name} stopped after " \
                              f"{MAX_MODULE_STEPS:,} evaluation steps"
        done = 0
        try:
            for stmt in statements:
                try:
                    machine.exec(stmt, frame)
                except UserRaise:
                    machine.speculative += 1  # the import fails here: the rest is not the program's
                done += 1
        except (BudgetExceeded, RecursionError) as stop:
            # What the body had not finished binding is unknown, never a value of before:
            # every name its unfinished statements read or bind.
            why = stop.why if isinstance(stop, BudgetExceeded) else "nested too deeply"
            unfinished(module, statements[done:], f"{module.name} is not fully read: {why}",
                       machine)
            if not isinstance(stop, BudgetExceeded) or stop.limit != own_limit or \
                    own_limit >= saved_limit:
                raise  # the entry point's own limit: it stops there
        finally:
            machine.via, machine.speculative, machine.depth = saved_via, saved_spec, saved_depth
            state.limit, state.limit_why = saved_limit, saved_why
            self.loading.discard(module.name)
            self.loading_order.pop()
            if journal is not None:
                journal.loaded(start, next_serial())

    def resolve_relative(self, module: str, level: int, importer: ModuleV) -> str | None:
        return relative_name(module, level, importer.package)

    def import_from(self, module_name: str, name: str, importer: ModuleV) -> Any:
        module = self.import_module(module_name, importer)
        if isinstance(module, ExternalV):
            qualname = f"{module.qualname}.{name}"
            return self.patched.get(qualname, MISSING) if qualname in self.patched else \
                external(qualname)
        submodule = f"{module_name}.{name}"
        if module.loaded and module.name not in self.loading and name in module.names:
            held = self.deref(module.names[name])
            if type(held) is not ModuleV or held.name != submodule or \
                    self.modules.get(submodule) is held:
                return held  # the package's own name, before a submodule's
            # (a submodule an earlier entry point forgot: imported anew, as a fresh run does)
        if is_external(submodule):
            return ExternalV(submodule)
        if submodule in self.modules or (self.located(submodule) is not None and
                                         not is_external(submodule)):
            return self.import_module(submodule, importer)
        return LazyRef(module_name, name)

    def version(self, names: dict[str, Any]) -> int:
        entry = self.versions.get(id(names))
        return entry[1] if entry is not None and entry[0] is names else 0

    def module_attribute(self, module: ModuleV, name: str) -> Any:
        machine = self.machine
        if machine is not None and machine.memo_frames:
            machine.read_namespace(module.names)
        if name in module.names:
            return self.deref(module.names[name])
        if is_external(f"{module.name}.{name}"):
            return ExternalV(f"{module.name}.{name}")
        self.ensure_loaded(module)
        if name in module.names:
            return self.deref(module.names[name])
        submodule = f"{module.name}.{name}"
        if self.located(submodule) is not None:
            return self.import_module(submodule, module)
        if is_external(submodule):
            return ExternalV(submodule)
        reader = self.loading_order[-1] if self.loading_order else module.name
        if (module.name in self.loading or module.name in self.running_bodies) and \
                reader != module.name:
            # An import cycle the order of the checked files made: a checked file's body
            # imports its package, whose __init__ imports the file back, half run. Python
            # imports the package first, and the file whole within it; so the module that read
            # the name runs again where it is next imported, after that body has ended.
            self.partial_readers.add(reader)
        return Unknown(f"{module.name}.{name} is not defined where the evaluator can see")

    def deref(self, value: Any) -> Any:
        kind = type(value)
        if kind is not LazyRef and kind is not ExternalV:
            return value
        if kind is LazyRef:
            if value.resolved is MISSING:
                value.resolved = Unknown(f"{value.module}.{value.name} imports itself")
                module = self.import_module(value.module, None)
                if isinstance(module, ModuleV):
                    value.resolved = self.module_attribute(module, value.name)
                else:
                    value.resolved = external(f"{value.module}.{value.name}")
            return value.resolved
        if _read_from_source(value.qualname):
            # `keras.applications.ResNet50` reached as an attribute of `keras`: read the source.
            module_name, _, attr = value.qualname.rpartition(".")
            module = self.import_module(module_name, None)
            if isinstance(module, ModuleV):
                return self.module_attribute(module, attr)
        return value

    # builtins ----------------------------------------------------------------------------------
    def builtin(self, name: str) -> Any:
        found = _BUILTINS.get(name)
        if found is not None:
            return found
        if name == "__name__":
            return "__main__"
        return MISSING

    def call_builtin_name(self, m: Machine, name: str, args: tuple, kwargs: dict) -> Any:
        return py.call_builtin(m, name, args, kwargs)

    def builtin_method(self, m: Machine, owner: Any, name: str, args: tuple, kwargs: dict) -> Any:
        return py.builtin_method(m, owner, name, args, kwargs)

    # running -----------------------------------------------------------------------------------
    def run_isolated(self, result: EntryResult, action: Any,
                     settle: Callable[[EntryResult], None], own: ModuleV | None = None
                     ) -> EntryResult:
        """An entry point run as Python runs it, after a fresh import: what it changes in objects
        a fresh run would find as they were is put back when it ends (EntryJournal), once
        `settle` has read what it built as it built it (a model it returns may be a module-level
        one it changed); the modules it left read from changed objects are imported anew by
        the next. `own`: a script's own module, whose names stay as its body left them."""
        journal = self.journal = EntryJournal(own)
        try:
            self.run_entry(result, action)
            if journal.before:
                settle(result)
        finally:
            self.journal = None
            if journal.patched_before is not None:
                self.patched.clear()
                self.patched.update(journal.patched_before)
            if journal.before:
                journal.put_back()
                # what a remembered call read may be what is put back: none of those replays
                self.epoch += 1
            # (of the bodies that changed an object after its first changer, those that do so
            # by their own statements: `from . import s2; from . import s1`, each setting
            # cfg.W, leaves s1's)
            changers = journal.changers | {name for name in journal.followers
                                           if self.stores_at_import(name)}
            forget = journal.modules_to_forget() | changers | self.partial_readers
            self.partial_readers = set()
            if own is not None and (journal.before or journal.patched_before is not None):
                # a script whose changes were put back: a file importing it runs its body again
                forget.add(own.name)
                changers.add(own.name)
            for name in forget:
                if own is not None and name == own.name and self.modules.get(name) is not own:
                    continue
                self.modules.pop(name, None)
            self.forgotten_changers |= changers
        return result

    def run_entry(self, result: EntryResult, action: Any) -> EntryResult:
        machine = Machine(self)
        self.machine = machine
        if self.entry_started():
            self.epoch += 1  # no call remembered under other framework names is replayed
        format_sets = self.frameworks.keras_format_sets
        start = len(self.recorder.layers)
        start_models = len(self.recorder.models)
        try:
            result.value = action(machine)
        except BudgetExceeded as stop:
            result.why_incomplete = stop.why
            machine.stopped(f"set by {result.name}, which stopped part way: {stop.why}")
        except UserRaise as raised:
            where = f" ({raised.where})" if raised.where else ""
            result.why_incomplete = f"the code raises an exception on this path{where}"
            result.raised = raised.where
        except RecursionError:
            result.why_incomplete = "nested too deeply to evaluate"
            machine.stopped(f"set by {result.name}, which stopped part way: nested too deeply")
        result.why_incomplete = result.why_incomplete or machine.state.why_incomplete
        result.constructions = self.recorder.layers[start:]
        result.models = self.recorder.models[start_models:]
        result.called = machine.state.called
        result.global_reads = machine.state.global_reads
        result.assumptions = tuple(sorted({*result.assumptions, *machine.state.assumptions}))
        result.trainable_unsettled = machine.state.trainable_unsettled
        result.sets_keras_format = self.frameworks.keras_format_sets > format_sets
        result.patches = tuple(sorted(machine.state.patches))
        return result


_SETS_FORMAT = "set_image_data_format"
_FRAMEWORK_PACKAGES = frozenset(("keras", "tf_keras", "tensorflow", "torch"))


_TOO_MANY: dict[str, set[str]] = {}
# the folders and files looked through for project_copies(), at most
_MAX_INDEXED = 50_000
_NOT_SEARCHED = frozenset({"__pycache__", "node_modules", "site-packages", "dist-packages"})


def _module_files(roots: list[str]) -> dict[str, set[str]]:
    """Every module a folder of the project offers to a top-level import, by name: `x.py`,
    and `x/` with an `__init__.py`, in each folder under the roots (hidden folders and installed
    packages left out). _TOO_MANY where they hold more than _MAX_INDEXED entries."""
    found: dict[str, set[str]] = {}
    seen = 0
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if not d.startswith(".") and d not in _NOT_SEARCHED]
            seen += len(dirs) + len(files)
            if seen > _MAX_INDEXED:
                return _TOO_MANY
            for file in files:
                if file.endswith(".py"):
                    found.setdefault(file[:-3], set()).add(os.path.join(folder, file))
            for sub in dirs:
                init = os.path.join(folder, sub, "__init__.py")
                if os.path.isfile(init):
                    found.setdefault(sub, set()).add(init)
    return found


def _one_text(files: list[str]) -> bool:
    """Whether these module files hold one text (a package's `__init__` never counts as one:
    its package holds more files)."""
    if any(os.path.basename(file) == "__init__.py" for file in files):
        return False
    texts = set()
    for file in files:
        try:
            texts.add(read_source_file(file, MAX_FILE_BYTES))
        except (SourceError, OSError, UnicodeError, ValueError):
            return False
    return len(texts) == 1


def relative_name(module: str, level: int, package: str) -> str | None:
    """The absolute name of `from <level dots><module> import ...` in `package`; None where it
    reaches outside any package."""
    if level == 0:
        return module
    parts = package.split(".") if package else []
    if level - 1 > len(parts) or not package:
        return None
    base = parts[:len(parts) - (level - 1)]
    return ".".join([*base, module] if module else base)


def unfinished(module: ModuleV, statements: list[ast.stmt], why: str,
               machine: Machine | None = None) -> None:
    """A module body stopped before `statements` ran to their end: each name they bind, and each
    bound name they read, becomes unknown, never a value of before; what those names held is
    marked as changed unknowably (the first statement may have been half done: a table half
    filled). A name they only read and the module never bound (a builtin) is left alone."""
    bound: set[str] = set()
    read: set[str] = set()
    for stmt in statements:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name):
                (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bound.add(node.name)
            elif isinstance(node, ast.alias):
                bound.add((node.asname or node.name).split(".")[0])
    for name in bound | {n for n in read if n in module.names}:
        held = module.names.get(name, MISSING)
        if hasattr(held, "exact"):
            held.exact = False
        module.names[name] = Unknown(why)
    if machine is not None:
        machine.names_changed()  # the module's names, and objects made before it: nothing stands


def is_model(value: Any) -> bool:
    return isinstance(value, (LayerObj, ContainerV, KerasModelV)) or (
        isinstance(value, InstanceV) and bool(value.framework))


__all__ = ["Program", "EntryResult", "is_model", "FuncV", "ClassV", "TensorV", "is_unknown"]
