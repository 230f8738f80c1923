"""Python's builtins and the methods of lists, dicts, strings and numbers, on evaluator values.

Only pure operations are modelled; they run on concrete values and nothing else. Standard-library
helpers the construction code of models uses (`math`, `functools.partial`, `collections`,
`copy.deepcopy`, `dataclasses`) are here too: their sources are not read.
"""

from __future__ import annotations

import builtins as _python_builtins
import math
from typing import Any

from paramlens.engine.evaluate.machine import (
    Machine,
    hashable,
    is_builtin_exception,
    is_plain,
    python_raises,
    truth,
)
from paramlens.engine.evaluate.objects import (
    MISSING,
    UNFIXED,
    Absent,
    BoundV,
    ClassV,
    ContainerV,
    DictV,
    DictViewV,
    ExceptionV,
    ExternalV,
    FuncV,
    Held,
    InstanceV,
    IteratorV,
    LayerObj,
    ListV,
    ModuleV,
    NativeV,
    ObjectV,
    ParamV,
    PartialV,
    SetV,
    SubmoduleV,
    SuperV,
    TensorV,
    Unknown,
    Weightless,
    is_torch_module,
    is_unknown,
)
from paramlens.engine.evaluate.torch_names import NAMESPACES
from paramlens.engine.sizes import MAX_SEQUENCE, size_ok

BUILTIN_NAMES = ("range", "len", "list", "tuple", "dict", "int", "float", "str", "bool", "min",
                 "max", "sum", "abs", "round", "zip", "enumerate", "reversed", "sorted",
                 "isinstance", "issubclass", "getattr", "setattr", "delattr", "hasattr", "print",
                 "object",
                 "any", "all", "map", "filter", "divmod", "pow", "iter", "next", "type", "repr",
                 "callable", "id", "hash", "super", "staticmethod", "classmethod", "property",
                 "Exception", "ValueError", "TypeError", "KeyError", "IndexError",
                 "RuntimeError", "NotImplementedError", "AttributeError", "ImportError",
                 "AssertionError", "BaseException", "StopIteration", "ModuleNotFoundError",
                 "NotImplemented", "set", "frozenset", "vars", "format", "ord", "chr")
# Every exception class of Python's own: calling one makes an exception value `except` can match.
EXCEPTION_NAMES = frozenset(name for name in dir(_python_builtins) if is_builtin_exception(name))
BUILTIN_NAMES = (*BUILTIN_NAMES, *sorted(EXCEPTION_NAMES - set(BUILTIN_NAMES)))
# What Python raises for a value it refuses; a TypeError is not among them, since the evaluator
# stands `None` for a size it does not know.
_REFUSALS = (ValueError, ArithmeticError, LookupError)

_PURE_STR_METHODS = {"format", "join", "startswith", "endswith", "split", "rsplit", "upper",
                     "lower", "replace", "strip", "rstrip", "lstrip", "isdigit", "title",
                     "partition", "rpartition", "count", "find", "index", "zfill"}
_PURE_NUMBER_METHODS = {"is_integer", "bit_length", "conjugate"}


def _ints(values: tuple[Any, ...]) -> bool:
    return all(isinstance(v, int) for v in values)


# Builtins whose result is a number, a string or a bool whatever they are given (or an
# exception): an unknown one owns no weights.
_SCALAR_RESULTS = frozenset({"len", "int", "float", "str", "bool", "round", "abs", "hash", "id",
                             "isinstance", "issubclass", "hasattr", "callable", "repr", "format",
                             "ord", "chr", "divmod", "pow"})


def call_builtin(m: Machine, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    result = _call_builtin(m, name, args, kwargs)
    if name in _SCALAR_RESULTS and type(result) is Unknown:
        return Weightless(result.why)
    return result


def _unlisted(owner: Any, name: str) -> bool:
    """A framework or library name (ExternalV) whose attributes the evaluator has no list of
    (a dunder one, `__dict__`, `__version__`, no list has)."""
    return isinstance(owner, ExternalV) and (owner.qualname not in NAMESPACES or
                                             name[:2] == name[-2:] == "__")


def _call_builtin(m: Machine, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    args = tuple(m.deref(a) for a in args)
    kind, _, method = name.partition(".")
    if method and kind in ("list", "dict", "set", "frozenset"):
        # `list.append(ws, 2)`: the method, called unbound, as `ws.append(2)`
        owner = args[0] if args else None
        if type(owner) is {"list": ListV, "dict": DictV}.get(kind, SetV):
            return builtin_method(m, owner, method, args[1:], kwargs)
        for value in args:
            m.changed_in_place(value)
        return Unknown(f"{name}() of a value the evaluator does not model")
    if name in EXCEPTION_NAMES:
        return ExceptionV(ExternalV(f"builtins.{name}"), args)
    if name == "super" and len(args) == 2 and not kwargs and isinstance(args[0], ClassV) and \
            isinstance(args[1], (InstanceV, ClassV)):
        return SuperV(args[0], args[1])  # `super(Net, self)`: as `super()` in Net's methods
    if name == "range":
        if _ints(args) and 1 <= len(args) <= 3 and not kwargs:
            try:
                r = range(*args)
            except ValueError:
                return Unknown("range() Python refuses")
            return r
        if args and all(is_plain(a) for a in args) and not kwargs:  # (`range(None)`, `range(2.0)`)
            raise python_raises("TypeError", "range() of what is not a whole number")
        return Unknown("a range the code does not fix")
    if name in ("set", "frozenset") and len(args) <= 1 and not kwargs:
        return _set_of(m, args[0] if args else ())
    if name == "len" and len(args) == 1 and type(args[0]) is SetV:
        items = args[0].items
        return len(items) if items is not None else Unknown("the size of a set the code changed")
    if name == "len" and len(args) == 1:
        if type(args[0]) is IteratorV or isinstance(args[0], (int, float, complex)) or \
                args[0] is None:  # (a bool is an int)
            raise python_raises("TypeError")
        items = m.iterate(args[0])
        if isinstance(args[0], (str, tuple, range)):
            return len(args[0])
        return len(items) if items is not None else Unknown("the length of a value the code does "
                                                            "not fix")
    if name in ("list", "tuple") and len(args) <= 1:
        items = m.iterate(args[0]) if args else []
        if items is None:
            return ListV([], exact=False) if name == "list" else Unknown("a tuple of unknown items")
        return ListV(items) if name == "list" else tuple(items)
    if name == "dict":
        result = DictV({})
        if args:
            source = args[0]
            if isinstance(source, DictV):
                result.items.update(source.items)
                result.exact = source.exact
            else:
                pairs = m.iterate(source)
                if pairs is None:
                    result.exact = False
                else:
                    for pair in pairs:
                        pair_items = m.iterate(pair)
                        if pair_items is None or len(pair_items) != 2 or not is_plain(pair_items[0]):
                            result.exact = False
                        else:
                            result.items[pair_items[0]] = pair_items[1]
        result.items.update(kwargs)
        return result
    if name in ("int", "float") and len(args) == 1 and not kwargs and type(args[0]) is TensorV:
        from paramlens.engine.evaluate.tensor_values import number

        found = number(name, args[0])  # `int(widths[2])` of a numpy array, a 0-d tensor
        return found if found is not None else Unknown(f"{name}() of a tensor")
    if name in ("int", "float", "str", "bool", "abs", "round", "divmod", "pow", "ord", "chr",
                "repr", "format", "hash"):
        if kwargs or not all(is_plain(a) for a in args) or (not args and name != "str"):
            if name == "bool" and len(args) == 1:
                return truth(args[0])
            return Unknown(f"{name}() of a value the code does not fix")
        if name == "pow" and len(args) == 2:
            import ast as _ast

            from paramlens.engine.evaluate.machine import guarded_binop
            return guarded_binop(_ast.Pow, args[0], args[1])
        try:
            result = getattr(_python_builtins, name)(*args)
        except (MemoryError, RecursionError):
            return Unknown(f"{name}() of a value too large to evaluate")
        except Exception as error:  # Python refuses these values: the code raises here
            raise python_raises(type(error).__name__) from None
        return result if size_ok(result) else Unknown("a value too large to evaluate")
    if name in ("any", "all") and len(args) == 1 and not kwargs:
        return _any_or_all(m, name, args[0])
    if name in ("min", "max", "sum", "any", "all", "sorted"):
        items = list(args) if len(args) > 1 else (m.iterate(args[0]) if args else None)
        if len(args) == 1 and type(args[0]) is SetV:
            # what does not depend on the order Python iterates the set in (a sum of floats
            # does: it is left unknown)
            held = args[0].items
            items = list(held) if held is not None and (
                name != "sum" or all(type(i) in (int, bool) for i in held)) else None
        if items is None:
            return Unknown(f"{name}() over values the code does not fix")
        items = [m.deref(i) for i in items]
        if name in ("any", "all"):
            truths = [truth(i) for i in items]
            if any(is_unknown(t) for t in truths):
                return Unknown(f"{name}() over values the code does not fix")
            return any(truths) if name == "any" else all(truths)
        if not all(is_plain(i) for i in items) or kwargs:
            return Unknown(f"{name}() over values the code does not fix")
        try:
            result = {"min": min, "max": max, "sum": sum, "sorted": sorted}[name](items)
        except (MemoryError, RecursionError):
            return Unknown(f"{name}() over values too large to evaluate")
        except Exception as error:  # Python refuses these values: the code raises here
            raise python_raises(type(error).__name__) from None
        return ListV(result) if name == "sorted" else result
    if name in ("zip", "enumerate", "reversed", "map", "filter"):
        return _iterator(m, name, args, kwargs)
    if name == "isinstance" and len(args) == 2:
        return isinstance_of(m, args[0], args[1])
    if name == "issubclass" and len(args) == 2:
        if isinstance(args[0], ClassV) and isinstance(args[1], (ClassV, ExternalV)):
            return args[1] in args[0].mro() or any(isinstance(c, ExternalV) and isinstance(
                args[1], ExternalV) and c.qualname == args[1].qualname for c in args[0].mro())
        return Unknown("issubclass() of values the code does not fix")
    if name in ("getattr", "hasattr") and len(args) == 2 + (name == "getattr") and \
            isinstance(args[1], str) and _unlisted(m.deref(args[0]), args[1]):
        # a name of a module or class it does not read: whether it has the attribute is the
        # installed version's to say (`hasattr(torch, "compile")`, `getattr(np, "x", None)`)
        return Unknown(f"{name}() of {m.deref(args[0]).qualname}, which the evaluator does not "
                       "read")
    if name == "getattr" and len(args) in (2, 3) and isinstance(args[1], str):
        value = m.get_attribute(args[0], args[1]) if len(args) == 3 else \
            m.read_attribute(args[0], args[1])
        if isinstance(value, Absent) and len(args) == 3:
            return args[2]
        if is_unknown(value) and len(args) == 3:
            return Unknown(f"getattr(..., {args[1]!r}) may take its default")
        return value
    if name == "hasattr" and len(args) == 2 and isinstance(args[1], str):
        owner = m.deref(args[0])
        if m.frameworks.certainly_has(owner, args[1]):
            return True
        value = m.get_attribute(owner, args[1])
        if isinstance(value, Absent):
            return False
        present = not is_unknown(value) or isinstance(value, (Held, SubmoduleV))
        return True if present else Unknown("hasattr()")
    if name == "setattr" and len(args) == 3 and isinstance(args[1], str):
        m.set_attribute(args[0], args[1], args[2])
        return None
    if name == "delattr" and len(args) == 2 and isinstance(args[1], str):
        m.delete_attribute(args[0], args[1])
        return None
    if name in ("setattr", "delattr") and len(args) == 3 - (name == "delattr"):
        # a name the code does not fix: any attribute of the object may be the one changed
        m.attributes_unfixed(args[0])
        return None
    if name == "print":
        return None
    if name == "object" and not args:
        return ObjectV()
    if name == "callable" and len(args) == 1:
        return isinstance(args[0], (FuncV, BoundV, PartialV, ClassV, LayerObj)) or \
            Unknown("callable()")
    if name == "type" and len(args) == 1:
        if isinstance(args[0], InstanceV):
            return args[0].cls
        return Unknown("type()")
    if name == "iter" and len(args) == 1:
        if type(args[0]) is IteratorV:
            return args[0]  # an iterator is its own iterator
        items = m.iterate(args[0])
        return IteratorV(lambda: iter(items)) if items is not None else \
            Unknown("an iterator")
    if name == "next" and len(args) in (1, 2) and type(args[0]) is IteratorV:
        item = next(m.pull_iterator(args[0]), MISSING)
        if item is UNFIXED:
            return Unknown("next() of an iterator the code does not fix")
        if item is MISSING:
            if len(args) == 2:
                return args[1]
            raise python_raises("StopIteration", "next() of an exhausted iterator")
        return item
    return Unknown(f"{name}() is not evaluated")


def _any_or_all(m: Machine, name: str, iterable: Any) -> Any:
    """any() and all(), which stop at the first item that decides, as Python does: an
    iterator's later items are never made."""
    items = m.pull(iterable)
    if items is None:
        return Unknown(f"{name}() over values the code does not fix")
    for item in items:
        decided = Unknown(f"{name}() over values the code does not fix") if item is UNFIXED \
            else truth(m.deref(item))
        if is_unknown(decided):
            m.hand_on((iterable,), {})  # whether Python pulls on is not fixed
            return decided
        if decided is (name == "any"):
            return decided
    return name == "all"


def _lazy_rows(m: Machine, sources: list[Any], iterators: tuple[IteratorV, ...]) -> Any:
    """zip()'s rows, made one at a time: each pull takes an item from each source in turn and
    stops at the first that runs out, as Python's zip does. `iterators`: those of the sources
    that are iterators."""
    pulled = [m.pull_iterator(s) if type(s) is IteratorV else iter(s) for s in sources]
    while pulled:  # (`zip()` of nothing, `zip(*empty)`: no row at all)
        row = []
        for items in pulled:
            item = next(items, MISSING)
            if item is MISSING:
                return
            if item is UNFIXED:
                m.hand_on(iterators, {})  # how far Python pulls the others is not fixed either
                yield UNFIXED
                return
            row.append(item)
        yield tuple(row)


def _lazily(m: Machine, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """zip, enumerate, map or filter over an iterator: an iterator too, whose items are made
    as they are pulled (a generator's body runs then, not here)."""
    if name == "reversed":
        raise python_raises("TypeError", "reversed() of an iterator")
    start = 0
    if name == "enumerate":
        start = args[1] if len(args) > 1 else kwargs.get("start", 0)
        if not isinstance(start, int) or isinstance(start, bool) or len(args) > 2:
            return Unknown("enumerate() over values the code does not fix")
        args = args[:1]
    elif kwargs or (name in ("map", "filter") and len(args) < 2):
        return Unknown(f"{name}() over values the code does not fix")
    func, sources = (None, list(args)) if name in ("zip", "enumerate") else (args[0], list(args[1:]))
    for i, source in enumerate(sources):
        if type(source) is not IteratorV:
            items = m.iterate(source)
            if items is None:
                return Unknown(f"{name}() over values the code does not fix")
            sources[i] = items
    iterators = tuple(s for s in sources if type(s) is IteratorV)

    def made() -> Any:
        for index, row in enumerate(_lazy_rows(m, sources, iterators), start):
            if row is UNFIXED:
                yield UNFIXED
                return
            if name == "zip":
                yield row
            elif name == "enumerate":
                yield (index, row[0])
            elif name == "map":
                yield m.call(func, row, {}, None)
            else:
                keep = truth(m.call(func, row, {}, None)) if func is not None else truth(row[0])
                if is_unknown(keep):
                    m.hand_on(iterators, {})
                    yield UNFIXED
                    return
                if keep:
                    yield row[0]

    return IteratorV(made)


def _iterator(m: Machine, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """zip, enumerate, reversed, map and filter: iterators, as in Python 3. Each hands out its
    items once (a second loop over the same zip finds it empty: a decoder built from the pairs
    an encoder's loop used up has no layers), and map and filter call their function as the
    items are pulled."""
    if name != "reversed":
        return _lazily(m, name, args, kwargs)
    if len(args) != 1 or kwargs:
        return Unknown("reversed() with other arguments")
    if type(args[0]) is IteratorV:
        raise python_raises("TypeError", "reversed() of an iterator")
    items = m.iterate(args[0])
    if items is None:
        return Unknown("reversed() of values the code does not fix")
    return IteratorV(lambda: iter(items[::-1]))


_ABSTRACT_SEQUENCES = {"typing.Sequence", "collections.abc.Sequence", "typing.List",
                       "typing.Iterable", "collections.abc.Iterable", "typing.Tuple"}
_BUILTIN_TYPES: dict[str, tuple[type, ...]] = {
    "builtins.int": (int,), "builtins.float": (float,), "builtins.str": (str,),
    "builtins.bool": (bool,), "builtins.tuple": (tuple,), "builtins.list": (),
    "builtins.dict": (), "numbers.Number": (int, float), "numbers.Integral": (int,),
    "numbers.Real": (int, float),
}


def isinstance_of(m: Machine, value: Any, kind: Any) -> Any:
    value, kind = m.deref(value), m.deref(kind)
    if isinstance(kind, tuple):
        results = [isinstance_of(m, value, k) for k in kind]
        if any(r is True for r in results):
            return True
        if any(is_unknown(r) for r in results):
            return Unknown("isinstance() the code does not fix")
        return False
    if is_unknown(value):
        return Unknown("isinstance() of a value the code does not fix")
    if isinstance(value, ExceptionV) and isinstance(kind, (ClassV, ExternalV)):
        found = m.exception_matches(value, kind)
        return found if found is not None else Unknown("isinstance() of an exception")
    if isinstance(kind, ClassV):
        if isinstance(value, InstanceV):
            return kind in value.cls.mro()
        if is_plain(value) or isinstance(value, (ListV, DictV, LayerObj, ContainerV, FuncV)):
            return False
        return Unknown("isinstance()")
    if isinstance(kind, ExternalV):
        q = kind.qualname
        if q in _BUILTIN_TYPES:
            if q == "builtins.list":
                return isinstance(value, ListV)
            if q == "builtins.dict":
                return isinstance(value, DictV)
            if q == "builtins.int" and isinstance(value, bool):
                return True
            return isinstance(value, _BUILTIN_TYPES[q]) if is_plain(value) or isinstance(
                value, (ListV, DictV, InstanceV, LayerObj)) else Unknown("isinstance()")
        if q in _ABSTRACT_SEQUENCES:
            if isinstance(value, (tuple, ListV, str)):
                return True
            if isinstance(value, (int, float, bool, type(None), DictV, InstanceV, LayerObj)):
                return False
            return Unknown("isinstance()")
        return m.frameworks.isinstance_external(m, value, q)
    return Unknown("isinstance() with a class the evaluator does not model")


def builtin_method(m: Machine, owner: Any, name: str, args: tuple[Any, ...],
                   kwargs: dict[str, Any]) -> Any:
    args = tuple(m.deref(a) for a in args)
    if type(owner) is SetV:
        if name not in _PURE_SET_METHODS:  # (add, update, discard, pop, |= ...: may change it)
            m.taint(owner)
            owner.items = None
        return Unknown(f"set.{name}() is not evaluated")
    if isinstance(owner, ListV):
        return _list_method(m, owner, name, args)
    if isinstance(owner, DictV):
        return _dict_method(m, owner, name, args, kwargs)
    if isinstance(owner, str) and name in _PURE_STR_METHODS:
        if name == "join" and len(args) == 1:
            items = m.iterate(args[0])
            if items is None or not all(isinstance(i, str) for i in items):
                return Unknown("str.join() of values the code does not fix")
            args = (items,)
        elif not all(is_plain(a) for a in args) or not all(is_plain(v) for v in kwargs.values()):
            return Unknown(f"str.{name}() of values the code does not fix")
        try:
            result = getattr(owner, name)(*args, **kwargs)
        except _REFUSALS as error:
            raise python_raises(type(error).__name__, f"{type(error).__name__} in str.{name}()") \
                from None
        except Exception:
            return Unknown(f"str.{name}() Python refuses")
        if isinstance(result, list):
            return ListV(result)
        return result if size_ok(result) else Unknown("a string too long to evaluate")
    if isinstance(owner, (int, float)) and name in _PURE_NUMBER_METHODS and not args:
        return getattr(owner, name)()
    if isinstance(owner, tuple) and name in ("index", "count") and all(is_plain(a) for a in args):
        try:
            return getattr(owner, name)(*args)
        except ValueError:
            raise python_raises("ValueError", "tuple.index() of a missing item") from None
    return Unknown(f"{type(owner).__name__}.{name}() is not evaluated")


def _list_method(m: Machine, owner: ListV, name: str, args: tuple[Any, ...]) -> Any:
    items = owner.items
    if name == "append" and len(args) == 1:
        m.taint(owner)
        if len(items) >= MAX_SEQUENCE:
            owner.exact = False
        else:
            items.append(args[0])
        return None
    if name == "extend" and len(args) == 1:
        more = m.iterate(args[0])
        if more is None:
            owner.exact = False
        else:
            m.taint(owner)
            items.extend(more)
        return None
    if name == "insert" and len(args) == 2 and isinstance(args[0], int):
        m.taint(owner)
        items.insert(args[0], args[1])
        return None
    if name == "pop":
        if not owner.exact:
            return Unknown("an item of a list the code changed unknowably")
        index = args[0] if args else -1
        if not isinstance(index, int) or not items:
            owner.exact = False
            return Unknown("list.pop()")
        m.taint(owner)
        try:
            return items.pop(index)
        except IndexError:
            raise python_raises("IndexError", "list.pop() out of range") from None
    if name == "reverse" and not args:
        m.taint(owner)
        items.reverse()
        return None
    if name == "clear":
        m.taint(owner)
        items.clear()
        owner.exact = owner.exact
        return None
    if name == "copy":
        return ListV(list(items), owner.exact)
    if name == "remove" and len(args) == 1:
        for i, item in enumerate(items):
            if item is args[0] or (is_plain(item) and is_plain(args[0]) and item == args[0]):
                m.taint(owner)
                del items[i]
                return None
        owner.exact = False
        return None
    if name in ("index", "count") and len(args) == 1 and owner.exact and \
            all(is_plain(i) for i in items) and is_plain(args[0]):
        try:
            return getattr(items, name)(args[0])
        except ValueError:
            raise python_raises("ValueError", "list.index() of a missing item") from None
    if name == "sort":
        if all(is_plain(i) for i in items):
            m.taint(owner)
            try:
                items.sort()
            except TypeError:
                owner.exact = False
            return None
    owner.exact = False
    return Unknown(f"list.{name}()")


def _dict_method(m: Machine, owner: DictV, name: str, args: tuple[Any, ...],
                 kwargs: dict[str, Any]) -> Any:
    items = owner.items
    if name in ("items", "keys", "values"):
        if not owner.exact:
            return Unknown(f"dict.{name}() of a dict the code changed unknowably")
        return DictViewV(owner, name)
    if name == "get" and args:
        key = args[0]
        if is_unknown(key) or not is_plain(key):
            return Unknown("dict.get() with a key the code does not fix")
        if not owner.exact:  # (what it holds under a known key may have been replaced too)
            return Unknown("dict.get() on a dict the code changed unknowably")
        if key in items:
            return items[key]
        return args[1] if len(args) > 1 else None
    if name in ("pop", "setdefault") and args:
        key = args[0]
        if is_unknown(key) or not is_plain(key):
            owner.exact = False
            return Unknown(f"dict.{name}()")
        if name == "setdefault":
            if key not in items:
                if not owner.exact:
                    return Unknown("dict.setdefault()")
                m.taint(owner)
                items[key] = args[1] if len(args) > 1 else None
            return items[key]
        if key in items:
            m.taint(owner)
            return items.pop(key)
        if not owner.exact:
            return Unknown("dict.pop() on a dict the code changed unknowably")
        if len(args) > 1:
            return args[1]
        raise python_raises("KeyError", f"dict.pop() of the missing key {key!r}")
    if name == "update":
        m.taint(owner)
        for source in args:
            if isinstance(source, DictV):
                items.update(source.items)
                owner.exact = owner.exact and source.exact
            else:
                owner.exact = False
        items.update(kwargs)
        return None
    if name == "copy":
        return DictV(dict(items), owner.exact)
    if name == "clear":
        m.taint(owner)
        items.clear()
        return None
    owner.exact = False
    return Unknown(f"dict.{name}()")


# the standard library, by qualified name ---------------------------------------------------------
def call_stdlib(m: Machine, qualname: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    args = tuple(m.deref(a) for a in args)
    if qualname == "functools.partial" and args:
        return PartialV(args[0], tuple(args[1:]), dict(kwargs))
    if qualname == "functools.wraps" and args:
        # the decorator it returns copies the name and the docstring onto the wrapper, and
        # returns the wrapper itself
        return NativeV(lambda wrapper, *_rest, **_options: wrapper)
    if qualname in ("collections.OrderedDict", "typing.OrderedDict"):
        return call_builtin(m, "dict", args, kwargs)
    if qualname in ("copy.deepcopy", "copy.copy") and len(args) == 1:
        return _copy(m, args[0], deep=qualname.endswith("deepcopy"))
    if qualname == "importlib.reload" and len(args) == 1 and not kwargs:
        return m.program.reload(args[0])
    if qualname.startswith("math.") and not kwargs:
        func = getattr(math, qualname[5:], None)
        if func is not None and callable(func) and all(is_plain(a) for a in args):
            try:
                result = func(*args)
            except (*_REFUSALS, TypeError) as error:  # (TypeError: `math.log(None)`)
                raise python_raises(type(error).__name__,
                                    f"{type(error).__name__} in {qualname}()") from None
            except Exception:
                return Unknown(f"{qualname}() Python refuses")
            return result if size_ok(result) else Unknown("a value too large")
    if qualname in _STDLIB_MUTATORS and (args or kwargs):
        # the standard library's functions that change the list they are handed in place
        # (`random.shuffle(widths)`): its items, or their order, are not fixed from then on
        target = args[0] if args else m.deref(next(iter(kwargs.values())))
        if isinstance(target, (tuple, str)):
            raise python_raises("TypeError", f"{qualname}() changes its argument in place")
        m.changed_in_place(target)
        m.may_have_raised()  # (items it cannot compare, a key that raises)
        return None if qualname.endswith(("shuffle", "heapify", "heappush")) or \
            "insort" in qualname else Unknown(f"{qualname}() is not evaluated")
    if qualname == "numpy.prod" and len(args) == 1 and not kwargs:
        # numpy's product of whole numbers is a whole number (of numpy's int64, which the
        # framework takes as a size); of none, numpy gives the float 1.0: not followed
        items = args[0].items if isinstance(args[0], ListV) and args[0].exact else args[0]
        if isinstance(items, (tuple, list)) and items and all(type(i) is int for i in items):
            return math.prod(items)
    if qualname == "dataclasses.field":
        return _FieldDefault(kwargs.get("default"), kwargs.get("default_factory"),
                             "default" in kwargs, not set(kwargs) - _PLAIN_FIELD_OPTIONS)
    if qualname in ("typing.cast",) and len(args) == 2:
        return args[1]
    if qualname == "warnings.warn":
        return None
    return Unknown(f"{qualname}() is not evaluated")


# `field()` options that leave the generated __init__'s parameter as the field says
_PLAIN_FIELD_OPTIONS = frozenset({"default", "default_factory", "repr", "compare", "hash",
                                  "metadata"})


class _FieldDefault:
    def __init__(self, default: Any, factory: Any, has_default: bool, plain: bool) -> None:
        self.default = default
        self.factory = factory
        self.has_default = has_default  # `field(default=None)` has one
        self.plain = plain  # no init=, kw_only=: the parameter is as the field says


def dataclass_fields(m: Machine, cls: ClassV, options: dict[str, Any] | None = None
                     ) -> tuple[tuple[str, Any, bool], ...]:
    """The fields of a @dataclass, in the order its __init__ takes them, the bases' first.
    Sets `cls.dataclass_exact` False where that __init__ may take other arguments (an InitVar,
    a field with init= or kw_only=, `dataclass(kw_only=True)`, a base's own doubts)."""
    import ast as _ast

    fields: list[tuple[str, Any, bool]] = []
    exact = not set(options or ()) - {"frozen", "eq", "order", "repr", "unsafe_hash", "slots",
                                      "match_args", "weakref_slot"}
    for base in reversed(cls.bases):
        if isinstance(base, ClassV) and base.dataclass_fields:
            fields.extend(base.dataclass_fields)
            exact = exact and base.dataclass_exact
    if cls.node is None:
        cls.dataclass_exact = exact
        return tuple(fields)
    for stmt in cls.node.body:
        if isinstance(stmt, _ast.AnnAssign) and isinstance(stmt.target, _ast.Name):
            name = stmt.target.id
            annotation = _ast.unparse(stmt.annotation)
            if "ClassVar" in annotation:
                continue
            if "InitVar" in annotation or "KW_ONLY" in annotation:
                exact = False
            fields = [f for f in fields if f[0] != name]
            if stmt.value is None:
                fields.append((name, None, False))
                continue
            default = cls.names.get(name)
            if isinstance(default, _FieldDefault):
                exact = exact and default.plain
                if default.factory is not None:
                    fields.append((name, Unknown("a default_factory"), True))
                elif default.has_default:
                    fields.append((name, default.default, True))
                else:
                    fields.append((name, None, False))
            else:
                fields.append((name, default, True))
    cls.dataclass_exact = exact
    return tuple(fields)


def _copy(m: Machine, value: Any, deep: bool) -> Any:
    if deep:
        return _deep_copy(m, value, {})
    if is_plain(value) or is_unknown(value):
        return value
    if is_torch_module(value):
        # copy.copy of a torch module copies its __dict__ only: both objects hold the same
        # _modules and _parameters, so what is registered on either is on both. The evaluator
        # does not model that sharing: the original is no longer what the code fixes.
        m.module_unfixed(value, "copy.copy() shares its parameters with another object")
        return Unknown("a shallow copy of a torch module, which shares its submodules and "
                       "parameters")
    if isinstance(value, ListV):
        return ListV(list(value.items), value.exact)
    if isinstance(value, DictV):
        return DictV(dict(value.items), value.exact)
    if isinstance(value, InstanceV):
        return InstanceV(value.cls, dict(value.attrs), value.exact, list(value.members),
                         value.framework)
    if isinstance(value, (FuncV, ClassV, ExternalV, ModuleV, TensorV)):
        return value
    return Unknown("a copy of a value the evaluator does not model")


def _deep_copy(m: Machine, value: Any, memo: dict[int, Any]) -> Any:
    """copy.deepcopy: a new object for each object reached, once each (`memo`, deepcopy's own),
    so that what two names shared in the original (`self.b = self.a`, a tied weight) the copy
    shares too. What the evaluator cannot copy is unknown in the copy, where it was in the
    original (so a total over it stays open)."""
    if is_plain(value) or is_unknown(value) or \
            isinstance(value, (FuncV, ClassV, ExternalV, ModuleV)):
        return value
    if id(value) in memo:
        return memo[id(value)]
    out: Any
    if isinstance(value, ListV):
        out = memo[id(value)] = ListV([], value.exact)
        out.items = [_deep_copy(m, v, memo) for v in value.items]
    elif isinstance(value, tuple):
        out = memo[id(value)] = tuple(_deep_copy(m, v, memo) for v in value)
    elif isinstance(value, DictV):
        out = memo[id(value)] = DictV({}, value.exact)
        out.items = {k: _deep_copy(m, v, memo) for k, v in value.items.items()}
    elif isinstance(value, InstanceV):
        out = memo[id(value)] = InstanceV(value.cls, {}, value.exact, [], value.framework,
                                          frozen=value.frozen, built=value.built,
                                          escaped=value.escaped,
                                          initialised=value.initialised)
        out.attrs = {k: _deep_copy(m, v, memo) for k, v in value.attrs.items()}
        out.members = [(k, _deep_copy(m, v, memo)) for k, v in value.members]
    elif isinstance(value, ContainerV):
        out = memo[id(value)] = ContainerV(value.kind, [], value.exact, value.frozen)
        out.members = [(k, _deep_copy(m, v, memo)) for k, v in value.members]
        out.attrs = {k: _deep_copy(m, v, memo) for k, v in value.attrs.items()}
    elif isinstance(value, ParamV):
        out = memo[id(value)] = ParamV(value.numel, value.trainable, shape=value.shape,
                                       plain=value.plain)
    elif isinstance(value, LayerObj):
        out = m.frameworks.deep_copy_layer(value, memo)
        if out is None:
            return Unknown("a copy of a layer the evaluator does not hold whole")
    elif isinstance(value, TensorV) and value.param is None:
        out = value  # (what a copy changes of a tensor is nothing the evaluator follows)
    else:
        return Unknown("a copy of a value the evaluator does not model")
    return out


# The standard library's functions that change their first argument in place: a list, or what
# `operator`'s in-place functions are handed.
_STDLIB_MUTATORS = frozenset({
    "random.shuffle", "numpy.random.shuffle", "heapq.heapify", "heapq.heappush",
    "heapq.heappop", "heapq.heapreplace", "heapq.heappushpop", "bisect.insort",
    "bisect.insort_left", "bisect.insort_right",
    *(f"operator.{name}" for name in (
        "iadd", "isub", "imul", "imatmul", "itruediv", "ifloordiv", "imod", "ipow", "ilshift",
        "irshift", "iand", "ior", "ixor", "iconcat", "setitem", "delitem", "__iadd__",
        "__setitem__", "__delitem__", "__ior__", "__iand__", "__isub__", "__ixor__")),
})

# The methods of a set that leave it as it is.
_PURE_SET_METHODS = frozenset({"copy", "union", "intersection", "difference",
                               "symmetric_difference", "issubset", "issuperset", "isdisjoint",
                               "__len__", "__contains__"})


def _set_of(m: Machine, source: Any) -> Any:
    """`set(iterable)`: a SetV where every item is a plain hashable value the code fixes."""
    items = m.iterate(source)
    if items is None:
        return Unknown("a set of values the code does not fix")
    items = [m.deref(i) for i in items]
    if not all(is_plain(i) and hashable(i) for i in items):
        return Unknown("a set of values the evaluator does not model")
    return SetV(frozenset(items))
