"""`[tool.paramlens]` in pyproject.toml, found by walking up from each checked file.

Read by the CLI and by the server alike. A bad value is a `ConfigError` naming the file and the
key, never a traceback.
"""

from __future__ import annotations

import fnmatch
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomllib

# Every check paramlens can report, with what it means (the SARIF rules are made from these).
CHECKS: dict[str, tuple[str, str]] = {
    "channel-mismatch": ("error", "A layer's input channels differ from what the previous layer "
                                  "gives"),
    "groups-divisibility": ("error", "`groups` does not divide the input or output channels"),
    "merge-mismatch": ("error", "The tensors a Keras merge layer (Concatenate, Add, ...) joins "
                                "cannot agree"),
    "max-params-per-layer": ("warning", "A layer has more parameters than the configured budget"),
    "max-params-per-model": ("warning", "A model has more parameters than the configured budget"),
    "layer-params": ("note", "The parameter count of a layer, with its formula"),
}
FORMATS = ("text", "json", "github", "sarif", "rdjson")


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class ProjectConfig:
    root: Path | None = None  # the folder of the pyproject.toml it came from
    include: tuple[str, ...] = ("*.py",)
    exclude: tuple[str, ...] = ()
    checks: frozenset[str] = frozenset(CHECKS)
    max_params_per_layer: int | None = None
    max_params_per_model: int | None = None
    format: str = "text"
    max_notices: int = 10

    def wants(self, path: Path) -> bool:
        """Whether the include/exclude globs (relative to the pyproject's folder) take a file."""
        relative = path.resolve()
        if self.root is not None:
            try:
                relative = path.resolve().relative_to(self.root)
            except ValueError:
                return True
        text = relative.as_posix()
        included = any(_glob(text, g) for g in self.include)
        return included and not any(_glob(text, g) for g in self.exclude)


def _glob(path: str, pattern: str) -> bool:
    """`*.py` matches at any depth; `models/**` matches a folder's whole tree."""
    if fnmatch.fnmatch(path, pattern):
        return True
    if "/" not in pattern:
        return fnmatch.fnmatch(path.rsplit("/", 1)[-1], pattern)
    return pattern.endswith("/**") and (path + "/").startswith(pattern[:-2])


def config_for(path: Path) -> ProjectConfig:
    """The configuration that applies to a file: the nearest pyproject.toml with a
    [tool.paramlens] table, walking up from its folder."""
    folder = path.resolve().parent if not path.is_dir() else path.resolve()
    for candidate in (folder, *folder.parents):
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            found = _config_in(pyproject, pyproject.stat().st_mtime_ns)
            if found is not None:
                return found
    return ProjectConfig()


@functools.lru_cache(maxsize=64)
def _config_in(pyproject: Path, mtime_ns: int) -> ProjectConfig | None:
    """One pyproject.toml read once per version of it, however many files it covers (the CLI
    asks per file, the server per publish)."""
    table = _table(pyproject)
    return None if table is None else parse_table(table, pyproject)


def _table(pyproject: Path) -> dict[str, Any] | None:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{pyproject}: cannot be read: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{pyproject}: not valid TOML: {error}") from error
    table = data.get("tool", {}).get("paramlens")
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.paramlens] must be a table")
    return table


def parse_table(table: dict[str, Any], source: Path) -> ProjectConfig:
    def fail(key: str, expected: str) -> ConfigError:
        return ConfigError(f"{source}: [tool.paramlens] {key}: expected {expected}, got "
                           f"{table[key]!r}")

    values: dict[str, Any] = {"root": source.parent.resolve()}
    for key, value in table.items():
        if key in ("include", "exclude"):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise fail(key, "a list of glob strings")
            values[key] = tuple(value)
        elif key == "checks":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise fail(key, f"a list of check names ({', '.join(CHECKS)})")
            unknown = [v for v in value if v not in CHECKS]
            if unknown:
                raise ConfigError(f"{source}: [tool.paramlens] checks: unknown check "
                                  f"{unknown[0]!r} (known: {', '.join(CHECKS)})")
            values["checks"] = frozenset(value)
        elif key in ("max-params-per-layer", "max-params-per-model", "max-notices"):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise fail(key, "a whole number ≥ 0")
            values[key.replace("-", "_")] = value
        elif key == "format":
            if value not in FORMATS:
                raise fail(key, f"one of {', '.join(FORMATS)}")
            values["format"] = value
        else:
            raise ConfigError(f"{source}: [tool.paramlens] {key}: unknown key (known: include, "
                              "exclude, checks, max-params-per-layer, max-params-per-model, "
                              "format, max-notices)")
    return ProjectConfig(**values)
