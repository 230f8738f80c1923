"""`[tool.paramlens]` in pyproject.toml, found by walking up from each checked file.

Read by the CLI and by the server alike. Anything malformed is a `ConfigError` naming the file
(and the key, where there is one), never a traceback: a file that cannot be read, TOML that does
not parse or nests too deeply to parse, `tool` or `tool.paramlens` that is not a table, a value
of the wrong type, an unknown key or check. The CLI prints it and exits 2; the server shows it as
a warning and goes on with the defaults.

An unknown key is an error, as in ruff (`unknown field`): a misspelt budget silently ignored
would let the overrun it was meant to catch through.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paramlens.engine.reading import SourceError, read_regular_bytes
from paramlens.review.registry import CHECKS

if sys.version_info >= (3, 11):
    import tomllib
else:  # the same parser, before it joined the standard library
    import tomli as tomllib

MAX_CONFIG_BYTES = 10_000_000  # a pyproject.toml larger than this is not one to trust

FORMATS = ("text", "json", "github", "sarif", "rdjson")


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class ProjectConfig:
    root: Path | None = None  # the folder of the pyproject.toml it came from
    include: tuple[str, ...] = ("*.py", "*.ipynb")
    exclude: tuple[str, ...] = ()
    checks: frozenset[str] = frozenset(CHECKS)
    max_params_per_layer: int | None = None
    max_params_per_model: int | None = None
    format: str = "text"
    max_notices: int = 10

    def wants(self, path: Path) -> bool:
        """Whether the include/exclude globs (relative to the pyproject's folder) take a file."""
        return self.wants_resolved(Path(os.path.realpath(path)))  # realpath: no loop traceback

    def wants_resolved(self, resolved: Path) -> bool:
        relative = resolved
        if self.root is not None:
            try:
                relative = resolved.relative_to(self.root)
            except ValueError:
                return True
        text = relative.as_posix()
        included = any(_glob(text, g) for g in self.include)
        return included and not any(_glob(text, g) for g in self.exclude)


def config_form(config: ProjectConfig) -> list[object]:
    """A configuration as plain, ordered values: the same in every process (a frozenset's
    order is not), for the cache's keys."""
    return [str(config.root), list(config.include), list(config.exclude), sorted(config.checks),
            config.max_params_per_layer, config.max_params_per_model, config.format,
            config.max_notices]


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
    resolved = Path(os.path.realpath(path))  # realpath: a symlink loop is no traceback
    return folder_config(resolved if resolved.is_dir() else resolved.parent)


def folder_config(folder: Path, memo: dict[Path, ProjectConfig] | None = None) -> ProjectConfig:
    """The configuration for the files of a resolved folder. With `memo` (one run's: the files
    do not change during it), each folder is looked at once however many files it holds."""
    if memo is not None:
        known = memo.get(folder)
        if known is not None:
            return known
    pyproject = folder / "pyproject.toml"
    found: ProjectConfig | None = None
    try:
        found_stat = pyproject.stat()
    except OSError:
        pass  # none here (or a dangling link): look further up
    else:
        found = _config_in(pyproject, found_stat.st_mtime_ns, found_stat.st_size)
    if found is None:
        found = ProjectConfig() if folder.parent == folder else folder_config(folder.parent, memo)
    if memo is not None:
        memo[folder] = found
    return found


@functools.lru_cache(maxsize=64)
def _config_in(pyproject: Path, mtime_ns: int, size: int) -> ProjectConfig | None:
    """One pyproject.toml read once per version of it, however many files it covers (the CLI
    asks per file, the server per publish)."""
    table = _table(pyproject)
    return None if table is None else parse_table(table, pyproject)


def _table(pyproject: Path) -> dict[str, Any] | None:
    try:
        # a FIFO or device named pyproject.toml is refused, not read without end
        text = read_regular_bytes(pyproject, MAX_CONFIG_BYTES).decode("utf-8")
    except SourceError as error:
        raise ConfigError(f"{pyproject}: {error}") from error
    except UnicodeDecodeError as error:
        raise ConfigError(f"{pyproject}: cannot be read: not UTF-8 (byte {error.start})"
                          ) from error
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{pyproject}: not valid TOML: {error}") from error
    except RecursionError as error:  # tomllib parses nested arrays and tables recursively
        raise ConfigError(f"{pyproject}: not valid TOML: nested too deeply to read") from error
    tool = data.get("tool")
    if tool is None:
        return None
    if not isinstance(tool, dict):
        raise ConfigError(f"{pyproject}: tool must be a table, got {_shown(tool)}")
    table = tool.get("paramlens")
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.paramlens] must be a table, got {_shown(table)}")
    return table


def _shown(value: Any) -> str:
    """A value for a message: short, whatever its size or depth."""
    try:
        text = repr(value)
    except RecursionError:
        return f"a deeply nested {type(value).__name__}"
    return text if len(text) <= 80 else text[:77] + "..."


def parse_table(table: dict[str, Any], source: Path) -> ProjectConfig:
    def fail(key: str, expected: str) -> ConfigError:
        return ConfigError(f"{source}: [tool.paramlens] {key}: expected {expected}, got "
                           f"{_shown(table[key])}")

    values: dict[str, Any] = {"root": Path(os.path.realpath(source.parent))}
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
            if not isinstance(value, str) or value not in FORMATS:
                raise fail(key, f"one of {', '.join(FORMATS)}")
            values["format"] = value
        else:
            raise ConfigError(f"{source}: [tool.paramlens] {key}: unknown key (known: include, "
                              "exclude, checks, max-params-per-layer, max-params-per-model, "
                              "format, max-notices)")
    return ProjectConfig(**values)
