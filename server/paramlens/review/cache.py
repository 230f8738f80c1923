"""The `paramlens check` cache: a run over unchanged inputs reads hashes, not code.

What a file's report says depends on more than its text: the program is evaluated as a whole,
so the report rests on every file the evaluation read (imported project modules, installed
packages), on where each import resolved (or that it did not), on the set of files checked
together, and on paramlens itself. An entry is therefore keyed by, and checked against, all of
them, and used only if every one is as it was (fail closed: a wrong number is worse than a slow
run):
- the key: paramlens' version and a hash of its own source files (an editable install changes
  without a version bump), the Python version, the working folder, and each checked file's
  path, content hash, import root and module name (which follow from `__init__.py` files);
- the dependencies, checked on every hit: the content hash of each file the evaluation read
  (recorded as it read them, engine/reading.py), and each module name the evaluation looked
  up with the file it found or None (a module created since changes the result). Names are
  not resolved again while every folder the lookups probed keeps its signature (inode and
  timestamps: an entry added, removed or renamed changes them; a folder changed in the last
  seconds before it was recorded is not trusted, as git treats "racy" index entries).

Three kinds of entries, like mypy's and ruff's caches in spirit:
- `analysis/KEY.json`: one file's own analysis (engine/analysis.py), keyed by paramlens and
  the file's path and content alone: when one file of many changes, the others' are reused
  (the whole program is still evaluated again);
- `runs/KEY.deps.json` and `runs/KEY.reports.json`: the evaluated reports of a set of files,
  before the configuration is applied (so a config change never needs a new evaluation);
- `outputs/KEY.out`: the printed output of a whole run for given options and configuration,
  so that a warm run prints it after checking the hashes, without decoding any report.

Entries are JSON, decoded only into the result classes below: the folder can be written by
whoever wrote the checked-out tree, and reading it must never run code. Writes go to a
temporary file renamed into place, so parallel runs never see half an entry.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import tempfile
import threading
import time
import types
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import paramlens
from paramlens.engine import results
from paramlens.engine.evaluate.parsed_files import MAX_FILE_BYTES
from paramlens.engine.evaluate.program import Program
from paramlens.engine.positions import LineIndex
from paramlens.engine.reading import SourceError, digest, observed_reads, read_regular_bytes
from paramlens.engine.results import FileReport

CACHE_FORMAT = 1
FOLDER = ".paramlens_cache"
MAX_ENTRIES = 64  # per kind; the least recently written go first
MAX_ANALYSES = 50_000  # single files' analyses: a large monorepo's worth
ENV = "PARAMLENS_CACHE_DIR"


def error_digest(message: str) -> str:
    """What stands for a file that could not be read: reading it again must fail the same way."""
    return "!" + message


# --- what paramlens itself is --------------------------------------------------------------------

_FINGERPRINT: str | None = None


def fingerprint() -> str:
    """paramlens' version, a hash of its source files, the Python version and the format."""
    global _FINGERPRINT
    if _FINGERPRINT is None:
        h = hashlib.blake2b(digest_size=20)
        try:
            from importlib.metadata import version
            h.update(version("paramlens").encode())
        except Exception:  # not installed as a distribution (run from a source tree)
            h.update(b"unversioned")
        package = Path(paramlens.__file__).parent
        for file in sorted(package.rglob("*.py")):
            h.update(file.relative_to(package).as_posix().encode() + b"\0")
            h.update(file.read_bytes() + b"\0")
        h.update(f"{sys.version}|{sys.implementation.name}|{CACHE_FORMAT}".encode())
        _FINGERPRINT = h.hexdigest()
    return _FINGERPRINT


# --- recording what an evaluation depends on ------------------------------------------------------

class Recording:
    def __init__(self) -> None:
        self.reads: dict[str, str] = {}  # absolute path -> digest (or error digest)
        self.lookups: dict[str, str | None] = {}  # module name -> file found ("" a namespace)
        # The folders the lookups looked in (for one that does not exist: its nearest existing
        # ancestor) -> their signature when first looked in ("racy": changed too recently for
        # its timestamps to tell a later change)
        self.folders: dict[str, list[int] | str | None] = {}
        self.links: dict[str, list[bool]] = {}  # probed paths that are symlinks -> [isfile, isdir]
        self.probed = True  # False: the lookups' probes could not be followed
        # the whole project's folders were looked through (Program.project_copies): what any
        # file created anywhere in them changes is not recorded, so the run is not stored
        self.walked = False


_active = threading.local()
RACY_NS = 3_000_000_000  # a folder changed this recently may change again in the same tick


def folder_signature(folder: str) -> list[int] | None:
    """What changes whenever an entry is added to, removed from or renamed in a folder."""
    try:
        found = os.stat(folder)
    except OSError:
        return None
    return [found.st_ino, found.st_dev, found.st_mtime_ns, found.st_ctime_ns]


class _ProbingPath:
    """`os.path` for Program.find_module's own code while recording: the answers are the real
    calls', and each path asked about is noted, with its folder's signature."""

    def __init__(self, found: Recording) -> None:
        self.found = found
        self.missing: set[str] = set()  # folders found not to exist (their ancestor recorded)
        for name in dir(os.path):
            if not name.startswith("__"):
                setattr(self, name, getattr(os.path, name))
        self.isfile = self._probe(os.path.isfile)
        self.isdir = self._probe(os.path.isdir)

    def _probe(self, real: Callable[[str], bool]) -> Callable[[str], bool]:
        def probe(path: str) -> bool:
            self._note(path)
            return real(path)
        return probe

    def _note(self, path: str) -> None:
        folders, missing = self.found.folders, self.missing
        folder = os.path.dirname(path)
        # A folder that does not exist is not recorded itself: it cannot appear without an
        # entry appearing in its nearest existing ancestor, whose signature is recorded.
        while folder not in folders and folder not in missing:
            now = time.time_ns()
            signature = folder_signature(folder)
            if signature is not None:
                racy = now - max(signature[2], signature[3]) < RACY_NS
                folders[folder] = "racy" if racy else signature
                break
            missing.add(folder)
            parent = os.path.dirname(folder)
            if parent == folder:
                folders[folder] = None  # no ancestor exists at all: recorded as missing
                break
            folder = parent
        if os.path.islink(path) and path not in self.found.links:
            self.found.links[path] = [os.path.isfile(path), os.path.isdir(path)]


class _ProbingOs:
    def __init__(self, found: Recording) -> None:
        self.path = _ProbingPath(found)

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)


_FS_NAMES = {"os", "path", "join", "isfile", "isdir", "split", "paths", "roots", "len"}


@contextmanager
def recording() -> Iterator[Recording]:
    """Record the files read and the modules looked up while the block runs (in this thread).

    Reads are seen through engine/reading.py, the one way source is read. Module lookups are
    seen by wrapping Program.find_module for the duration; its own code runs, with an `os`
    that notes each path it probes. Were it renamed this raises, and the run goes on without
    the cache rather than with a blind one; were it to reach the file system other than by
    os.path.isfile/isdir, its probes are not trusted and every hit re-resolves every lookup."""
    found = Recording()
    original = Program.__dict__.get("find_module")
    if not isinstance(original, types.FunctionType):
        raise CacheUnavailable("Program.find_module is gone: module lookups cannot be recorded")
    code = original.__code__
    if "os" in original.__globals__ and set(code.co_names) <= _FS_NAMES:
        probing = types.FunctionType(code, {**original.__globals__, "os": _ProbingOs(found)},
                                     original.__name__, original.__defaults__,
                                     original.__closure__)
    else:
        probing, found.probed = original, False

    def find_module(self: Program, name: str, roots: tuple[str, ...] | None = None
                    ) -> tuple[str, bool] | None:
        now: Recording | None = getattr(_active, "recording", None)
        if now is None:
            return original(self, name, roots)  # another thread's Program
        result = probing(self, name, roots)
        now.lookups.setdefault(lookup_key(name, roots), result[0] if result is not None else None)
        return result

    walking = Program.__dict__["project_copies"]

    def project_copies(self: Program, top: str) -> int:
        now: Recording | None = getattr(_active, "recording", None)
        if now is not None:
            now.walked = True
        return walking(self, top)

    _active.recording = found
    Program.find_module = find_module  # type: ignore[method-assign]
    Program.project_copies = project_copies  # type: ignore[method-assign]
    try:
        with observed_reads() as reads:
            found.reads = reads
            yield found
    finally:
        Program.find_module = original  # type: ignore[method-assign]
        Program.project_copies = walking  # type: ignore[method-assign]
        _active.recording = None


def lookup_key(name: str, roots: tuple[str, ...] | None) -> str:
    """A recorded lookup's key: the name, and the roots in the order it searched them where
    that is not the program's own (Program.search_roots)."""
    return name if roots is None else "\0".join((name, *roots))


class CacheUnavailable(Exception):
    pass


# --- reports to JSON and back, by the result classes' own type hints ------------------------------

_CLASSES: dict[str, type] = {cls.__name__: cls for cls in (
    results.Span, results.TensorShape, results.Context, results.LayerResult, results.Fix,
    results.Diagnostic,
    results.ModelTotal, results.FileReport)}
_SKIPPED = {"index"}  # FileReport.index: rebuilt from the text, which the run has read anyway


# Each result class's stored fields, found once per class: every report of a run is encoded
# (its own analysis in the worker that made it, then all of them for the run's entry), and
# dataclasses.fields() per object was most of that.
_STORED_FIELDS: dict[type, tuple[str, ...]] = {}


def _encode(value: Any) -> Any:
    names = _STORED_FIELDS.get(type(value))
    if names is not None:
        return [_encode(getattr(value, name)) for name in names]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else repr(value)
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if dataclasses.is_dataclass(value) and type(value).__name__ in _CLASSES:
        names = _STORED_FIELDS[type(value)] = tuple(
            f.name for f in dataclasses.fields(value) if f.name not in _SKIPPED)
        return [_encode(getattr(value, name)) for name in names]
    raise CacheUnavailable(f"cannot store a {type(value).__name__} in the cache")


def _decoder(hint: Any) -> Callable[[Any], Any]:
    """A function from JSON back to a value of the type `hint`; CacheUnavailable for a type
    this does not know (then nothing is cached, rather than something decoded wrong)."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint in (int, str, bool) or hint is type(None):
        return lambda v: v
    if hint is float:
        return lambda v: float(v)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        if len(options) == 1:
            inner = _decoder(options[0])
            return lambda v: None if v is None else inner(v)
        if all(a in (int, str, bool, float) for a in options):
            return lambda v: v
        raise CacheUnavailable(f"no decoder for {hint}")
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])
            return lambda v: tuple(item(x) for x in v)
        items = [_decoder(a) for a in args]
        return lambda v: tuple(f(x) for f, x in zip(items, v, strict=True))
    if origin is list:
        item = _decoder(args[0])
        return lambda v: [item(x) for x in v]
    if isinstance(hint, type) and hint.__name__ in _CLASSES:
        return _class_decoder(hint)
    raise CacheUnavailable(f"no decoder for {hint}")


_CLASS_DECODERS: dict[type, Callable[[Any], Any]] = {}


def _class_decoder(cls: type) -> Callable[[Any], Any]:
    known = _CLASS_DECODERS.get(cls)
    if known is not None:
        return known
    fields: list[tuple[str, Callable[[Any], Any]]] = []

    def decode(v: list[Any]) -> Any:
        if len(v) != len(fields):
            raise ValueError(f"{cls.__name__}: {len(v)} fields, expected {len(fields)}")
        return cls(**{name: f(x) for (name, f), x in zip(fields, v, strict=True)})

    _CLASS_DECODERS[cls] = decode  # before the fields: the classes may refer to each other
    hints = typing.get_type_hints(cls, vars(results))
    fields += [(f.name, _decoder(hints[f.name])) for f in dataclasses.fields(cls)
               if f.name not in _SKIPPED and f.init]
    return decode


def encode_reports(reports: list[FileReport]) -> Any:
    return [_encode(r) for r in reports]


def decode_reports(data: Any, texts: dict[str, str]) -> list[FileReport]:
    decode = _class_decoder(FileReport)
    reports: list[FileReport] = [decode(item) for item in data]
    for report in reports:
        text = texts.get(report.path)
        if report.error is None and text is not None:
            report.index = LineIndex(text)
    return reports


# --- the folder ----------------------------------------------------------------------------------

def cache_folder(cwd: Path) -> Path:
    """$PARAMLENS_CACHE_DIR, else `.paramlens_cache` in the project root: the folder of the
    nearest pyproject.toml above the working folder (as ruff's), else the working folder."""
    chosen = os.environ.get(ENV)
    if chosen:
        return Path(chosen)
    for folder in (cwd, *cwd.parents):
        if (folder / "pyproject.toml").is_file():
            return folder / FOLDER
    return cwd / FOLDER


class Cache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.writable = True
        self._analyses: Path | None = None  # the analysis folder, once made

    # keys -------------------------------------------------------------------------------------
    @staticmethod
    def run_key(cwd: Path, files: list[tuple[str, str, str, str]]) -> str:
        """files: (path as given, content digest, import root, module name) of each file
        checked together, in the order checked."""
        h = hashlib.blake2b(digest_size=20)
        # Not sys.path: where each import resolved is checked on every hit instead, so that
        # `paramlens check` and `python -m paramlens check` (whose sys.path differ) share.
        h.update(json.dumps([fingerprint(), str(cwd), files]).encode())
        return h.hexdigest()

    @staticmethod
    def analysis_key(path: str, content: str) -> str:
        """A file's own analysis (engine/analysis.py) rests on its path and text alone."""
        h = hashlib.blake2b(digest_size=20)
        h.update(json.dumps([fingerprint(), "analysis", path, content]).encode())
        return h.hexdigest()

    @staticmethod
    def output_key(run_key: str, options: Any) -> str:
        h = hashlib.blake2b(digest_size=20)
        h.update(json.dumps([run_key, options], default=repr, sort_keys=True).encode())
        return h.hexdigest()

    # reading ------------------------------------------------------------------------------------
    def _load(self, kind: str, name: str) -> Any:
        try:
            with open(self.folder / kind / name, "rb") as handle:
                return json.loads(handle.read())
        except (OSError, ValueError):
            return None

    def holding(self, key: str, known: dict[str, str], roots: list[str]) -> str | None:
        """If everything the evaluation of `key` read and looked up is as it was then, the token
        of the reports it made (and of the outputs made from them); else None. `known`: the
        digests already computed this run (the checked files)."""
        deps = self._load("runs", key + ".deps.json")
        if not isinstance(deps, dict) or deps.get("fingerprint") != fingerprint():
            return None
        reads, lookups, token = deps.get("reads"), deps.get("lookups"), deps.get("token")
        if not isinstance(reads, dict) or not isinstance(lookups, dict) or \
                not isinstance(token, str):
            return None
        for path, was in reads.items():
            now = known.get(path)
            if now is None:
                now = current_digest(path)
            if now != was:
                return None
        if lookups and not _lookups_hold(deps, lookups, roots):
            return None
        return token

    def reports(self, key: str, token: str, texts: dict[str, str]) -> list[FileReport] | None:
        """The reports the deps with `token` vouch for. Two runs of the same key may store at
        once; the token (the reports' digest) keeps one's deps from vouching for the other's."""
        try:
            with open(self.folder / "runs" / (key + ".reports.json"), "rb") as handle:
                raw = handle.read()
        except OSError:
            return None
        if digest(raw) != token:
            return None
        try:
            data = json.loads(raw)
            return decode_reports(data, texts)
        except (CacheUnavailable, ValueError, TypeError, KeyError, IndexError):
            return None  # an entry of another shape: evaluate again

    def analysis(self, key: str, text: str) -> FileReport | None:
        """A file's own analysis from an earlier run, before any evaluation was laid on it."""
        data = self._load("analysis", key + ".json")
        if not isinstance(data, list):
            return None
        try:
            (report,) = decode_reports([data], {})
        except (CacheUnavailable, ValueError, TypeError, KeyError, IndexError):
            return None
        if report.error is None:
            report.index = LineIndex(text)
        return report

    def output(self, key: str, token: str) -> tuple[bytes, str, int] | None:
        """(stdout as bytes, stderr, exit code) stored for `key`, if made from the reports with
        `token`. Stored as a line of JSON and then the bytes themselves: a warm run copies
        them out without decoding megabytes of JSON."""
        try:
            with open(self.folder / "outputs" / (key + ".out"), "rb") as handle:
                raw = handle.read()
            head, _, stdout = raw.partition(b"\n")
            meta = json.loads(head)
        except (OSError, ValueError):
            return None
        if not isinstance(meta, dict) or meta.get("token") != token or \
                not isinstance(meta.get("stderr"), str) or not isinstance(meta.get("code"), int) \
                or meta.get("length") != len(stdout):
            return None
        return stdout, meta["stderr"], meta["code"]

    # writing -----------------------------------------------------------------------------------
    def prepare(self) -> None:
        """Make the folder before an evaluation records folder signatures: made after, it
        would change its parent's, the project root's, and every hit would be a slow one."""
        self._prepare("runs")
        self._prepare("outputs")
        self._prepare("analysis")

    def _prepare(self, kind: str) -> Path | None:
        if not self.writable:
            return None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                # as ruff does: the cache is never committed, whatever the project's .gitignore
                _write_atomic(ignore, b"# Created by paramlens automatically.\n*\n")
                _write_atomic(self.folder / "CACHEDIR.TAG",
                              b"Signature: 8a477f597d28d172789f06886806bc55\n"
                              b"# This file is a cache directory tag created by paramlens.\n")
            folder = self.folder / kind
            folder.mkdir(exist_ok=True)
            return folder
        except OSError:
            self.writable = False  # a read-only tree: run without writing, every time
            return None

    def store_run(self, key: str, recording: Recording, encoded: list[str | None]) -> str | None:
        """Store the reports (each as encode_report made it: None for one the cache cannot
        hold, and then none is stored) and what they depend on; their token, if stored."""
        folder = self._prepare("runs")
        if folder is None or recording.walked or any(item is None for item in encoded):
            return None
        # what json.dumps(encode_reports(reports), separators=(",", ":")) writes, from the
        # pieces made while the other reports were being analysed
        data = ("[" + ",".join(encoded) + "]").encode()  # type: ignore[arg-type]
        token = digest(data)
        deps = {"fingerprint": fingerprint(), "token": token, "reads": recording.reads,
                "lookups": recording.lookups, "folders": recording.folders,
                "links": recording.links, "probed": recording.probed}
        try:
            # reports first: deps that hold are what makes an entry usable
            _write_atomic(folder / (key + ".reports.json"), data)
            _write_atomic(folder / (key + ".deps.json"), json.dumps(deps).encode())
        except OSError:
            self.writable = False
            return None
        _evict(folder, 2 * MAX_ENTRIES)
        return token

    @staticmethod
    def encode_report(report: FileReport) -> str | None:
        """A report as a run stores it (store_run), the evaluation laid on it; None if the cache
        cannot hold it."""
        try:
            return json.dumps(_encode(report), separators=(",", ":"))
        except CacheUnavailable:
            return None

    @staticmethod
    def encode_analysis(report: FileReport) -> bytes | None:
        """A file's own analysis as stored: encode_report's, called before the evaluation's
        results are laid on the report (apply_evaluation changes it in place)."""
        encoded = Cache.encode_report(report)
        return encoded.encode() if encoded is not None else None

    def store_analysis(self, key: str, encoded: bytes) -> None:
        """A file's own analysis (encode_analysis), by analysis_key. Called where the analysis
        is made, a worker process included (each write is atomic, and a worker inherits
        `writable` as it was); the run ends with evict_analyses, once."""
        # the folder made once, not looked at again for each of thousands of files
        folder = self._analyses if self.writable else None
        if folder is None:
            folder = self._analyses = self._prepare("analysis")
            if folder is None:
                return
        try:
            _write_atomic(folder / (key + ".json"), encoded)
        except OSError:
            self.writable = False

    def evict_analyses(self) -> None:
        folder = self._prepare("analysis")
        if folder is not None:
            _evict(folder, MAX_ANALYSES)

    def store_output(self, key: str, token: str, stdout: bytes, stderr: str, code: int) -> None:
        folder = self._prepare("outputs")
        if folder is None:
            return
        head = json.dumps({"token": token, "stderr": stderr, "code": code,
                           "length": len(stdout)}).encode()
        try:
            _write_atomic(folder / (key + ".out"), head + b"\n" + stdout)
        except OSError:
            self.writable = False
            return
        _evict(folder, MAX_ENTRIES)


def _lookups_hold(deps: dict[str, Any], lookups: dict[str, Any], roots: list[str]) -> bool:
    """Whether each module name still resolves to the file it did. Quick when every folder the
    lookups probed has its recorded signature (no entry added, removed or renamed there) and
    every symlink probed still answers the same; otherwise each name is resolved again."""
    folders, links = deps.get("folders"), deps.get("links")
    if deps.get("probed") is True and isinstance(folders, dict) and isinstance(links, dict):
        if all(was != "racy" and folder_signature(folder) == was
               for folder, was in folders.items()) and \
                all([os.path.isfile(path), os.path.isdir(path)] == was
                    for path, was in links.items()):
            return True
    finder = Program(roots)
    for key, was in lookups.items():
        name, *order = key.split("\0")
        found = Program.find_module(finder, name, tuple(order) if order else None)
        if (found[0] if found is not None else None) != was:
            return False
    return True


def current_digest(path: str) -> str:
    try:
        return digest(read_regular_bytes(path, MAX_FILE_BYTES))
    except SourceError as error:
        return error_digest(str(error))


def _write_atomic(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _evict(folder: Path, keep: int) -> None:
    try:
        entries = [e for e in os.scandir(folder) if not e.name.startswith(".tmp-")]
        if len(entries) <= keep:
            return
        entries.sort(key=lambda e: e.stat().st_mtime_ns)
        for entry in entries[:len(entries) - keep]:
            os.unlink(entry.path)
    except OSError:
        pass  # another run evicting at the same time
