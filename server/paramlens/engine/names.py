"""The import table: which dotted name each local name stands for, and canonical layer names.

Cheap by design: it reads only import statements, never resolves scopes over the whole module.
"""

from __future__ import annotations

import ast
import functools
import math
from dataclasses import dataclass, field

from paramlens.engine.nodes import statements_under

# Modules whose layer classes we know, by the prefix that identifies the framework.
_TORCH_PREFIXES = ("torch.nn.",)
_KERAS_ROOTS = ("keras", "tf_keras")
# The first part of every name canonical() recognises: `tensorflow.keras.…` and `tf.keras.…` too.
_FRAMEWORK_ROOTS = frozenset({*(p.split(".")[0] for p in _TORCH_PREFIXES), *_KERAS_ROOTS,
                              "tensorflow", "tf"})

# Names in modules paramlens does not read whose value Python fixes when the code runs:
# `typing.TYPE_CHECKING` is False at run time (only a type checker takes its `if` arm), so
# `if TYPE_CHECKING: from .modeling import *` imports nothing when a model is built.
RUNTIME_CONSTANTS: dict[str, object] = {"typing.TYPE_CHECKING": False,
                                        "typing_extensions.TYPE_CHECKING": False,
                                        # the floats Python's math module binds
                                        "math.pi": math.pi, "math.e": math.e,
                                        "math.tau": math.tau, "math.inf": math.inf,
                                        "math.nan": math.nan}


@dataclass
class ImportTable:
    aliases: dict[str, str] = field(default_factory=dict)
    star_modules: list[str] = field(default_factory=list)

    def add(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self.aliases[alias.asname] = alias.name
                else:
                    root = alias.name.split(".")[0]
                    self.aliases[root] = root
            return
        if node.level or not node.module:
            return  # relative imports point into the user's own package
        for alias in node.names:
            if alias.name == "*":
                self.star_modules.append(node.module)
            else:
                self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def names_a_framework(self) -> bool:
        """Whether any name qualified() gives can be a framework's: an import of torch, keras or
        tensorflow (a module of theirs, or a name from one), plain, aliased or starred. Without
        one, no name in the file is canonical(), whatever it calls."""
        return any(target.split(".", 1)[0] in _FRAMEWORK_ROOTS
                   for target in (*self.aliases.values(), *self.star_modules))

    def qualified(self, expr: ast.expr) -> str | None:
        """`nn.Conv2d` → `torch.nn.Conv2d` when `nn` was imported as `torch.nn`."""
        parts: list[str] = []
        while isinstance(expr, ast.Attribute):
            parts.append(expr.attr)
            expr = expr.value
        if not isinstance(expr, ast.Name):
            return None
        base = self.aliases.get(expr.id)
        if base is None:
            for module in self.star_modules:
                candidate = canonical(f"{module}.{expr.id}")
                if candidate is not None and not parts:
                    return f"{module}.{expr.id}"
            return None
        return ".".join([base, *reversed(parts)])


# A pure function of a name, asked again and again for the same callees: remembered.
@functools.lru_cache(maxsize=4096)
def canonical(qualified: str | None) -> str | None:
    """The report name of a framework class: `torch.nn.X` or `keras.layers.X`.

    `torch.nn.modules.conv.Conv2d`, `tensorflow.keras.layers.Conv2D`, `keras.src.layers.Conv2D`
    all name the same class as their canonical form.
    """
    if not qualified:
        return None
    short = qualified.rsplit(".", 1)[-1]
    if qualified.startswith(_TORCH_PREFIXES):
        # torch.nn.X is defined in torch.nn.modules.<file>; the other packages under torch.nn
        # hold other classes of the same names (nn.quantized.Linear has no parameters)
        home = qualified.split(".")[2:-1]
        if not home or home[0] in ("modules", "parameter"):
            return f"torch.nn.{short}"
        return None
    parts = qualified.split(".")
    if parts[0] == "tensorflow" or parts[0] == "tf":
        parts = parts[1:]
    if len(parts) >= 2 and parts[0] in _KERAS_ROOTS:
        return f"keras.layers.{short}"
    return None


def collect_imports(statements: list[ast.stmt], table: ImportTable | None = None) -> ImportTable:
    """Every import in these statements, wherever nested (imports inside `try:` count too). An
    import is a statement: only statements are looked at, not the expressions in them."""
    table = table or ImportTable()
    for stmt in statements:
        for node in (stmt, *statements_under(stmt)):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                table.add(node)
    return table
