"""Every node under a statement, listed once and kept on the statement.

The blocks' trees live as long as their text does, and several passes (imports, escapes,
`global`, self attributes) each look at every node: walking a tree costs far more than reading
a list, so each tree is walked once.
"""

from __future__ import annotations

import ast

_KEY = "_paramlens_nodes"


def all_nodes(node: ast.AST) -> list[ast.AST]:
    cached = getattr(node, _KEY, None)
    if cached is None:
        cached = list(ast.walk(node))
        setattr(node, _KEY, cached)
    return cached
