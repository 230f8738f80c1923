"""Python source to `ast` statements, quietly: warnings about the user's code are not ours to print."""

from __future__ import annotations

import ast
import warnings


def parse_quietly(text: str) -> list[ast.stmt]:
    with warnings.catch_warnings():  # "invalid escape sequence" and the like are not ours to say
        warnings.simplefilter("ignore", SyntaxWarning)
        return ast.parse(text).body
