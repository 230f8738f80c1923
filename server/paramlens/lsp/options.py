"""The editor options, read from `initializationOptions` or `workspace/didChangeConfiguration`.

Every option is optional; an option with a wrong type is reported by name and keeps its
previous value, so one typo in settings.json never turns the other features off.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Options:
    hover: bool = True
    inlay_hints: bool = True
    code_lens: bool = True
    diagnostics: bool = True
    # A layer whose count is above this gets a warning. None: no budget.
    max_params_per_layer: int | None = None
    # How long typing must pause before diagnostics are recomputed and published.
    debounce_ms: int = 250


# settings key (camelCase, as editors write them) -> (field, type)
_KEYS: dict[str, tuple[str, type]] = {
    "hover": ("hover", bool),
    "inlayHints": ("inlay_hints", bool),
    "codeLens": ("code_lens", bool),
    "diagnostics": ("diagnostics", bool),
    "maxParamsPerLayer": ("max_params_per_layer", int),
    "debounceMs": ("debounce_ms", int),
}


# Settings of the VS Code extension itself, sent along with ours in the same section.
_CLIENT_ONLY = {"interpreter", "serverArgs", "trace"}


def read_options(raw: Any, current: Options) -> tuple[Options, list[str]]:
    """New options from a settings object, and one message per value that was not taken.

    Accepts `{"paramlens": {...}}` (the whole settings tree) or the paramlens section itself.
    """
    if isinstance(raw, dict) and isinstance(raw.get("paramlens"), dict):
        raw = raw["paramlens"]
    if raw is None:
        return current, []
    if not isinstance(raw, dict):
        return current, [f"paramlens settings must be an object, not {type(raw).__name__}"]
    changes: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in raw.items():
        if key in _CLIENT_ONLY:
            continue
        if key not in _KEYS:
            problems.append(f"paramlens.{key}: unknown setting (known: {', '.join(_KEYS)})")
            continue
        name, kind = _KEYS[key]
        if value is None and name == "max_params_per_layer":
            changes[name] = None
        elif kind is int and isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            changes[name] = value
        elif kind is bool and isinstance(value, bool):
            changes[name] = value
        else:
            expected = "true or false" if kind is bool else "a whole number ≥ 0"
            problems.append(f"paramlens.{key}: expected {expected}, got {value!r}; "
                            f"keeping {getattr(current, name)!r}")
    return dataclasses.replace(current, **changes), problems
