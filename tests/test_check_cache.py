"""The `paramlens check` cache: a warm run serves what it stored, and never a stale number.

Each test proves both directions: an unchanged run is served from the cache (an entry tampered
with shows through), and a changed input (an imported module, a module that did not exist, the
configuration) is evaluated again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from paramlens.engine.analysis import analyze_source
from paramlens.engine.positions import LineIndex
from paramlens.review.cache import Cache, decode_reports, encode_reports
from paramlens.review.cache import recording as cache_recording
from paramlens.review.review import analyse_and_evaluate, read_checked

ROOT = Path(__file__).parent.parent
CONV = "import torch.nn as nn\nimport widths\n\nc = nn.Conv2d(3, widths.WIDTH, 3)\n"


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PARAMLENS_CACHE_DIR"}
    return subprocess.run([sys.executable, "-m", "paramlens", "check", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120, env=env)


def conv_params(cwd: Path, *args: str) -> list[int | None]:
    done = run(cwd, "--format", "json", *args, "model.py")
    assert done.returncode in (0, 1), done.stderr
    return [layer["params"] for layer in json.loads(done.stdout)["files"][0]["layers"]]


def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    (tmp_path / "widths.py").write_text("WIDTH = 16\n")
    (tmp_path / "model.py").write_text(CONV)
    return tmp_path


def tamper_outputs(folder: Path) -> None:
    """Mark every stored output, so that a run served from the cache shows it."""
    for entry in (folder / ".paramlens_cache" / "outputs").glob("*.out"):
        head, _, stdout = entry.read_bytes().partition(b"\n")
        meta = json.loads(head)
        stdout = stdout.replace(b'"params": 448', b'"params": 12345')
        meta["length"] = len(stdout)
        entry.write_bytes(json.dumps(meta).encode() + b"\n" + stdout)


def test_editing_an_imported_module_changes_the_dependent_count(tmp_path: Path) -> None:
    folder = project(tmp_path)
    assert conv_params(folder) == [27 * 16 + 16]  # cold: evaluated, widths.py read from disk
    cache = folder / ".paramlens_cache"
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"
    tamper_outputs(folder)
    assert conv_params(folder) == [12345]  # warm: served from the cache, nothing evaluated
    # The checked file is unchanged; the module it imports is not. A stale cache says 12345.
    (folder / "widths.py").write_text("WIDTH = 32\n")
    assert conv_params(folder) == [27 * 32 + 32]
    (folder / "widths.py").write_text("WIDTH = 16\n")  # back: the entry now holds 32's
    assert conv_params(folder) == [27 * 16 + 16]


def test_a_module_created_after_a_failed_import_counts(tmp_path: Path) -> None:
    folder = project(tmp_path)
    (folder / "widths.py").unlink()
    assert conv_params(folder) == [None]  # the import finds nothing: the width is unknown
    (folder / "widths.py").write_text("WIDTH = 8\n")
    assert conv_params(folder) == [27 * 8 + 8]


def test_a_package_made_by_an_init_file_is_a_new_key(tmp_path: Path) -> None:
    # model.py's module name (and where its imports start) follow from __init__.py files
    folder = project(tmp_path)
    (folder / "sub").mkdir()
    (folder / "sub" / "widths.py").write_text("WIDTH = 4\n")
    (folder / "sub" / "model.py").write_text(CONV)
    check = lambda: [layer["params"] for layer in json.loads(  # noqa: E731
        run(folder, "--format", "json", "sub/model.py").stdout)["files"][0]["layers"]]
    before = check()
    (folder / "sub" / "__init__.py").write_text("")
    after = check()
    # `import widths` is sub/widths.py run as `python sub/model.py`, and the root's widths.py
    # run as `python -m sub.model`: which one is not fixed by the code
    assert before == [None]
    assert after == [27 * 16 + 16]  # in a package, `import widths` is the top-level widths.py
    assert run(folder, "--no-cache", "--format", "json", "sub/model.py").stdout == \
        run(folder, "--format", "json", "sub/model.py").stdout


def test_the_configuration_is_applied_to_cached_reports(tmp_path: Path) -> None:
    folder = project(tmp_path)

    def codes() -> tuple[int, list[str]]:
        done = run(folder, "--strict", "--format", "json", "model.py")
        return done.returncode, [d["code"] for d in json.loads(done.stdout)["files"][0]
                                 ["diagnostics"]]

    assert codes() == (0, [])
    (folder / "pyproject.toml").write_text("[tool.paramlens]\nmax-params-per-layer = 100\n")
    assert codes() == (1, ["max-params-per-layer"])  # 448 is over the new budget
    (folder / "pyproject.toml").write_text("[tool.paramlens]\nmax-params-per-layer = 1000\n")
    assert codes() == (0, [])


def test_no_cache_neither_reads_nor_writes(tmp_path: Path) -> None:
    folder = project(tmp_path)
    assert conv_params(folder, "--no-cache") == [448]
    assert not (folder / ".paramlens_cache").exists()
    conv_params(folder)
    tamper_outputs(folder)
    assert conv_params(folder, "--no-cache") == [448]


def test_a_corrupt_cache_is_evaluated_again(tmp_path: Path) -> None:
    folder = project(tmp_path)
    assert conv_params(folder) == [448]
    for entry in [*(folder / ".paramlens_cache").rglob("*.json"),
                  *(folder / ".paramlens_cache").rglob("*.out")]:
        entry.write_text("{not json")
    assert conv_params(folder) == [448]
    for entry in (folder / ".paramlens_cache" / "runs").glob("*.reports.json"):
        entry.write_text('[["x.py", null, [[1, 2]], [], []]]')  # a shape no report has
    for entry in (folder / ".paramlens_cache" / "outputs").glob("*.out"):
        entry.unlink()
    assert conv_params(folder) == [448]


def test_reports_survive_the_round_trip() -> None:
    paths = sorted(str(p) for p in (ROOT / "examples").glob("*.py")) + \
        sorted(str(p) for p in (ROOT / "tests" / "fixtures").glob("*.py"))
    read = [(p, *read_checked(p)[:2]) for p in paths]
    texts = {p: t for p, t, _e in read if t is not None}
    with cache_recording():
        reports = analyse_and_evaluate(read, texts, 1)  # type: ignore[arg-type]
    again = decode_reports(json.loads(json.dumps(encode_reports(reports))), texts)
    for before, after in zip(reports, again, strict=True):
        assert after.index is not None or after.error is not None
        before.index = after.index = None
        assert before == after
    assert any(r.layers for r in again) and any(r.models for r in again)
    # and a report with non-ASCII columns keeps its line index
    text = "import torch.nn as nn\nname = 'é'; c = nn.Conv2d(3, 10, 3)\n"
    (decoded,) = decode_reports(encode_reports([analyze_source(text, "u.py")]), {"u.py": text})
    assert isinstance(decoded.index, LineIndex) and decoded.layers[0].span.column == 16


def test_the_cache_folder_is_the_project_root(tmp_path: Path) -> None:
    from paramlens.review.cache import cache_folder

    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert cache_folder(tmp_path / "a" / "b") == tmp_path / ".paramlens_cache"
    assert Cache.run_key(tmp_path, []) != Cache.run_key(tmp_path / "a", [])


def test_quick_lookup_check_sees_a_new_module(tmp_path: Path, monkeypatch) -> None:
    """A hit checks the folders the lookups probed by their signatures rather than resolving
    every name again; a module file created where a lookup found nothing must still count."""
    import time

    from paramlens.engine.evaluate.program import Program
    from paramlens.review import cache as cache_module
    from paramlens.review.review import plan

    monkeypatch.setattr(cache_module, "RACY_NS", 0)  # a fresh tmp folder is "racy" otherwise
    monkeypatch.chdir(tmp_path)
    folder = project(tmp_path)
    (folder / "widths.py").unlink()
    cache = Cache(tmp_path / "cache")
    first = plan(["model.py"], None, tmp_path, cache)
    assert not first.holds
    assert [r.params for r in first.review(1)[0].report.layers] == [None]
    time.sleep(0.05)  # past the file system's timestamp tick

    def no_resolving(self: Program, name: str) -> None:
        raise AssertionError(f"resolved {name} again: the quick check was not used")

    monkeypatch.setattr(Program, "find_module", no_resolving)
    assert plan(["model.py"], None, tmp_path, cache).holds  # quick: no name resolved again
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    (folder / "widths.py").write_text("WIDTH = 8\n")
    again = plan(["model.py"], None, tmp_path, cache)
    assert not again.holds
    assert [r.params for r in again.review(1)[0].report.layers] == [27 * 8 + 8]


def test_only_changed_files_are_analysed_again(tmp_path: Path, monkeypatch) -> None:
    from paramlens.review import review as review_module

    monkeypatch.chdir(tmp_path)
    folder = project(tmp_path)
    (folder / "other.py").write_text("import torch.nn as nn\n\nd = nn.Linear(4, 4)\n")
    analysed: list[str] = []
    real = review_module.report_for

    def counting(path: str, text: str | None, error: str | None, *parsed):
        analysed.append(path)
        return real(path, text, error, *parsed)

    monkeypatch.setattr(review_module, "report_for", counting)
    cache = Cache(tmp_path / "cache")

    def params() -> list[list[int | None]]:
        reviewed = review_module.plan(["model.py", "other.py"], None, tmp_path, cache).review(1)
        return [[layer.params for layer in f.report.layers] for f in reviewed]

    assert params() == [[448], [20]] and sorted(analysed) == ["model.py", "other.py"]
    analysed.clear()
    (folder / "other.py").write_text("import torch.nn as nn\n\nd = nn.Linear(4, 5)\n")
    assert params() == [[448], [25]] and analysed == ["other.py"]  # model.py's reused
    analysed.clear()
    (folder / "widths.py").write_text("WIDTH = 32\n")  # no checked file changed
    assert params() == [[27 * 32 + 32], [25]] and analysed == []  # evaluated again, only
