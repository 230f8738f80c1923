"""Entry points and what evaluating them says: counts by context, model totals.

For each file: its module body (as `__main__`), every module-level function callable with its
defaults (a builder), and every model class whose `__init__` needs no argument. An entry that
another entry reaches (a class its builder instantiates) is still totalled, but its contexts are
the ones its callers create, so it adds none of its own.
"""

from __future__ import annotations

import ast
import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from paramlens.engine.evaluate.machine import Frame, Machine
from paramlens.engine.evaluate.objects import (
    BoundV,
    ClassV,
    FuncV,
    KerasModelV,
    LayerObj,
    ModuleV,
    PartialV,
    Scope,
)
from paramlens.engine.evaluate.program import (
    CallSpan,
    EntryResult,
    Program,
    is_model,
    model_total,
)
from paramlens.engine.evaluate.summary import children


@dataclass(frozen=True)
class SiteContext:
    params: int | None
    instances: int
    via: str
    layer: str = ""  # the class built (a call through a variable may build several)


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


@dataclass
class Evaluation:
    # (path, line, byte column) of a constructor call → its contexts, the most frequent first
    contexts: dict[tuple[str, int, int], list[SiteContext]] = field(default_factory=dict)
    totals: dict[str, list[EvaluatedTotal]] = field(default_factory=dict)
    # the same sites → where the call ends and where its callee's name lies
    spans: dict[tuple[str, int, int], CallSpan] = field(default_factory=dict)
    # path → the totals of the models built by a call there (columns in UTF-8 bytes)
    call_totals: dict[str, list[EvaluatedTotal]] = field(default_factory=dict)


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


def evaluate_files(files: list[tuple[str, list[ast.stmt]]], extra_roots: list[str] = (),
                   unsaved: list[tuple[str, list[ast.stmt]]] = ()) -> Evaluation:
    """Evaluate the entry points of `files`; `unsaved` are other files' current trees (open in an
    editor), read instead of their files on disk when the evaluation imports them."""
    roots: list[str] = []
    names: dict[str, str] = {}
    for path, _ in files:
        root, name = package_root(path)
        names[path] = name
        if root not in roots:
            roots.append(root)
    for extra in extra_roots:
        if extra not in roots:
            roots.append(extra)
    program = Program(roots)
    results: list[EntryResult] = []
    modules: dict[str, tuple[ModuleV, list[ast.stmt]]] = {}
    for path, statements in [*unsaved, *files]:
        # Registered first, so that a checked file another one imports is read from these trees.
        program.add_source(os.path.abspath(path), statements)
    for path, statements in files:
        abspath = os.path.abspath(path)
        known = program.modules.get(names[path])
        if isinstance(known, ModuleV) and known.loaded and known.path == abspath:
            modules[path] = (known, statements)  # already run when another file imported it
            continue
        module = program.module_for_file(abspath, names[path], statements, as_main=True)
        program.modules[names[path]] = module
        module.loaded = True
        modules[path] = (module, statements)
        results.append(program.run_entry(
            EntryResult("<module>", "module", abspath, 1),
            _module_action(program, module, statements, abspath)))
    for path, (module, statements) in modules.items():
        abspath = os.path.abspath(path)
        for stmt in statements:
            entry = _entry_for(module, stmt)
            if entry is None:
                continue
            kind, value = entry
            result = EntryResult(stmt.name, kind, abspath, stmt.lineno, node=stmt)  # type: ignore[attr-defined]
            if isinstance(value, FuncV) and value.assumption:
                result.assumptions = (value.assumption,)
            results.append(program.run_entry(result, _call_action(value)))
    return _collect(program, results)


def _module_action(program: Program, module: ModuleV, statements: list[ast.stmt],
                   path: str) -> Callable[[Machine], Any]:
    def run(machine: Machine) -> Any:
        frame = Frame(Scope(module.names), module, None)
        found: list[tuple[ast.stmt, str, Any]] = []
        _run_top(machine, frame, statements, found)
        return found

    return run


def _run_top(machine: Machine, frame: Frame, statements: list[ast.stmt],
             found: list[tuple[ast.stmt, str, Any]]) -> None:
    """The module body, statement by statement, noting each model a top-level name is bound to."""
    from paramlens.engine.evaluate.machine import UserRaise, truth

    for stmt in statements:
        if isinstance(stmt, ast.If) and not isinstance(stmt.test, ast.Constant):
            cond = truth(machine.ev(stmt.test, frame))
            if cond is True:
                _run_top(machine, frame, stmt.body, found)
                continue
            if cond is False:
                _run_top(machine, frame, stmt.orelse, found)
                continue
        try:
            machine.exec(stmt, frame)
        except UserRaise:
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


def _call_action(value: Any) -> Callable[[Machine], Any]:
    def run(machine: Machine) -> Any:
        return machine.call(value, (), {}, None)

    return run


def _via(layer: LayerObj, entry: str) -> str:
    chain = [entry] if entry not in ("<module>",) else ["<module>"]
    for name in layer.via:
        if chain and chain[-1] == name:
            continue
        chain.append(name)
    return " → ".join(chain)


def _collect(program: Program, results: list[EntryResult]) -> Evaluation:
    memo: dict[int, tuple] = {}  # each object's total once: nothing changes any more
    evaluation = Evaluation()
    # An entry reached from another entry adds no contexts of its own.
    per_site: dict[tuple[str, int, int], dict[tuple[str, int | None], list[Any]]] = {}
    for result in results:
        own = _function_nodes(result.node)
        others: set[int] = set()
        for other in results:
            if other is not result:
                others |= other.called
        is_root = not (own & others)
        result.is_root = is_root
        if not is_root:
            continue
        for layer in result.constructions:
            if not layer.site[0]:
                continue
            count = None if layer.speculative else layer.count
            group = per_site.setdefault(layer.site, {})
            entry = result.name if result.kind != "module" else "<module>"
            group.setdefault((layer.spec.name, count), [0, _via(layer, entry)])[0] += 1
    for site, groups in per_site.items():
        contexts = [SiteContext(count, n, via, name) for (name, count), (n, via) in groups.items()]
        contexts.sort(key=lambda c: (-c.instances, c.params if c.params is not None else -1))
        evaluation.contexts[site] = contexts
        span = program.recorder.spans.get(site)
        if span is not None:
            evaluation.spans[site] = span
    for result in results:
        totals = evaluation.totals.setdefault(result.path, [])
        if result.kind == "module":
            found = result.value if isinstance(result.value, list) else []
            seen: set[int] = set()
            for stmt, name, value in found:
                if not is_model(value) or id(value) in seen:
                    continue
                seen.add(id(value))
                totals.append(_total(name, _kind_of(value), stmt.lineno, stmt.col_offset, value,
                                     result, memo))
            continue
        if not is_model(result.value):
            if result.why_incomplete and result.kind == "class":
                totals.append(EvaluatedTotal(result.name, "class", result.line, 0, None, None, 1,
                                             None, result.why_incomplete))
            continue
        totals.append(_total(result.name, "builder" if result.kind == "function" else "class",
                             result.line, 0, result.value, result, memo))
    _call_totals(evaluation, results, memo)
    return evaluation


def _call_totals(evaluation: Evaluation, results: list[EntryResult],
                 memo: dict[int, tuple]) -> None:
    """A total at each call that makes a model (`keras.Model(inputs, outputs)`, `Sequential([...])`,
    `nn.Sequential(...)`): the one every root entry builds there, as it stands once the entry has
    run; where they build different models, or one the code does not fix, it stays unknown."""
    found: dict[tuple[str, int, int], list[EvaluatedTotal]] = {}
    entries: dict[tuple[str, int, int], list[str]] = {}
    for result in results:
        if not result.is_root:
            continue
        for model in result.models:
            site = model.site
            if site is None or not site[0] or not site[1]:
                continue
            kind = model.kind
            found.setdefault(site, []).append(_total(kind, kind, site[1], site[2], model, result,
                                                      memo))
            names = entries.setdefault(site, [])
            name = result.name if result.kind != "module" else "<module>"
            if name not in names:
                names.append(name)
    for site, totals in found.items():
        first = totals[0]
        agreed = {t.params_default for t in totals}
        if len(agreed) == 1 and None not in agreed:
            # what the call builds as the program calls it: not fixed by the call alone
            built = f"as {' and '.join(entries[site])} build{'s' if len(entries[site]) == 1 else ''} it"
            total = dataclasses.replace(first, params=None, assumptions=tuple(
                sorted({a for t in totals for a in t.assumptions})) + (built,))
        else:
            why = next((t.why for t in totals if t.why), "") or \
                "the program builds different models here"
            total = EvaluatedTotal(first.name, first.kind, first.line, first.column, None, None,
                                   max(1, *(t.unknown_layers for t in totals)), None, why)
        evaluation.call_totals.setdefault(site[0], []).append(total)


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
    total, trainable, unknown, _layers, why = model_total(value, memo)
    why = result.why_incomplete or why
    if result.why_incomplete:
        total = None
        unknown = max(unknown, 1)
    assumption = "; ".join(result.assumptions)
    certain = total if not assumption else None
    return EvaluatedTotal(name, kind, line, column, certain, total, unknown,
                          trainable if total is not None else None, why,
                          (assumption,) if assumption else (), children(value, memo))
