"""`paramlens check` against hostile inputs: files that are not files, `--diff` revisions that
look like options, file names git quotes, and malformed `[tool.paramlens]` tables."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from paramlens.engine import reading
from paramlens.engine.evaluate.program import Program
from paramlens.engine.reading import SourceError, read_source_file, try_read_source
from paramlens.review.config import ConfigError, ProjectConfig, config_for
from paramlens.review.git_diff import DiffError, _unquote, changed_lines

ROOT = Path(__file__).parent.parent
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
GOOD = "import torch.nn as nn\nc = nn.Conv2d(3, 10, 3)\n"
# A proven error: the second convolution expects 4 channels where the first gives 8.
MISMATCH = "import torch.nn as nn\n\nm = nn.Sequential(nn.Conv2d(3, 8, 3), nn.Conv2d({c}, 8, 3))\n"


def run(*args: str, cwd: Path = ROOT, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    # a timeout, not a hang, is how a FIFO read would fail these tests
    return subprocess.run([sys.executable, "-m", "paramlens", "check", "--no-cache", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=timeout)


# --- only regular files are read -------------------------------------------------------------

@needs_fifo
def test_a_fifo_named_py_is_refused_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "x.py")
    (tmp_path / "good.py").write_text(GOOD)
    done = run("--format", "json", str(tmp_path / "x.py"), str(tmp_path / "good.py"))
    assert done.returncode == 2
    files = {Path(f["path"]).name: f for f in json.loads(done.stdout)["files"]}
    assert files["x.py"]["error"] == "not a regular file (a FIFO)"
    assert files["good.py"]["layers"][0]["params"] == 280
    # found by walking a folder, a FIFO is not source: passed by, as git and ruff do
    walked = run("--format", "json", str(tmp_path))
    assert walked.returncode == 0, walked.stderr
    assert [Path(f["path"]).name for f in json.loads(walked.stdout)["files"]] == ["good.py"]


def test_a_device_named_py_is_refused(tmp_path: Path) -> None:
    device = tmp_path / ".py"
    try:
        os.mknod(device, 0o600 | stat.S_IFCHR, os.makedev(1, 5))  # what /dev/zero is
    except (OSError, AttributeError):
        pytest.skip("cannot make a device node here (needs root on Linux)")
    done = run("--format", "json", str(device), timeout=30)
    assert done.returncode == 2
    assert json.loads(done.stdout)["files"][0]["error"] == "not a regular file (a device)"


@needs_fifo
def test_a_fifo_swapped_in_after_the_stat_is_caught_on_the_open_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fifo = tmp_path / "raced.py"
    os.mkfifo(fifo)
    regular = os.stat(__file__)
    # The path looked like a regular file when stat'ed: the open must neither block nor read.
    monkeypatch.setattr(reading.os, "stat", lambda path: regular)
    with pytest.raises(SourceError, match="FIFO"):
        read_source_file(fifo)


def test_size_is_checked_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.py"
    big.write_text("x = 1\n" * 100)
    opened: list[object] = []
    real_open = os.open
    monkeypatch.setattr(reading.os, "open", lambda *a: opened.append(a) or real_open(*a))
    assert try_read_source(big, max_bytes=100)[1] == \
        "too large to analyse (600 bytes; the limit is 100)"
    assert opened == []  # refused on the stat, never opened
    assert try_read_source(big, max_bytes=600)[0] == "x = 1\n" * 100


def test_source_is_decoded_by_its_encoding_cookie(tmp_path: Path) -> None:
    (tmp_path / "latin.py").write_bytes(b"# -*- coding: latin-1 -*-\nimport torch.nn as nn\n"
                                        b"name = '\xe9'; c = nn.Conv2d(3, 10, 3)\n")
    (tmp_path / "plain.py").write_bytes(b"# caf\xe9\nx = 1\n")
    (tmp_path / "bogus.py").write_bytes(b"# coding: no-such-codec\nx = 1\n")
    done = run("--format", "json", str(tmp_path))
    files = {Path(f["path"]).name: f for f in json.loads(done.stdout)["files"]}
    assert files["latin.py"]["error"] is None
    assert files["latin.py"]["layers"][0]["column"] == len("name = 'é'; c = ") + 1
    assert files["plain.py"]["error"].startswith("not UTF-8 (byte 5, line 1")
    assert "no-such-codec" in files["bogus.py"]["error"]
    assert done.returncode == 2


@needs_fifo
def test_the_evaluator_reads_imports_through_the_same_checks(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "piped.py")
    (tmp_path / "latin.py").write_bytes(b"# coding: latin-1\nname = '\xe9'\nwidth = 16\n")
    program = Program([str(tmp_path)], search_installed=False)
    assert program.parse_file(str(tmp_path / "piped.py")) is None  # returned, not blocked
    statements = program.parse_file(str(tmp_path / "latin.py"))
    assert statements is not None and len(statements) == 2


# --- --diff ----------------------------------------------------------------------------------

def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env=dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t",
                            GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t"))


def test_a_revision_that_looks_like_an_option_is_refused(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(GOOD)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "first")
    target = tmp_path / "written"
    done = run(f"--diff=--output={target}", ".", cwd=tmp_path)
    assert done.returncode == 2 and "cannot start with '-'" in done.stderr
    assert not target.exists()
    with pytest.raises(DiffError):
        changed_lines("-p", tmp_path)
    # a name git would take as an option only after --end-of-options is still a revision
    git(tmp_path, "tag", "v1")
    assert changed_lines("v1", tmp_path) == {}


NAMES = ["with space.py", "with\ttab.py", "café.py", 'quote"d.py', "back\\slash.py",
         "new\nline.py", "ünïcödé dir/módel.py"]


@pytest.mark.parametrize("name", NAMES)
def test_diff_reads_every_file_name(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(MISMATCH.format(c=8))
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "first")
    path.write_text(MISMATCH.format(c=4))  # the proven error comes with the change
    done = run("--format", "json", "--diff", "HEAD", ".", cwd=tmp_path)
    assert done.returncode == 1, (done.stdout, done.stderr)
    (reported,) = json.loads(done.stdout)["files"]
    assert Path(reported["path"]).name == Path(name).name
    assert [d["code"] for d in reported["diagnostics"]] == ["channel-mismatch"]


def test_an_added_line_starting_with_plus_plus_is_not_a_file_header(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text("x = 1\n" + MISMATCH.format(c=8))
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "first")
    # `++ x` is a valid statement; in a -U0 patch its line reads `+++ x`, like a header
    path.write_text("++ x\n" + MISMATCH.format(c=4))
    assert changed_lines("HEAD", tmp_path) == {path.resolve(): {1, 4}}


def test_unquote_follows_git_quoting() -> None:
    assert _unquote(b'"b/caf\\303\\251 \\"x\\"\\\\\\t.py"') == "b/café \"x\"\\\t.py".encode()
    assert _unquote(b"b/with space.py\t") == b"b/with space.py"
    assert _unquote(b"b/plain.py") == b"b/plain.py"


# --- [tool.paramlens] ------------------------------------------------------------------------

DEEP_ARRAY = "a = " + "[" * 100_000 + "]" * 100_000 + "\n"
DEEP_TABLE = "a = " + "{b = " * 100_000 + "1" + "}" * 100_000 + "\n"
MALFORMED = {
    "tool = 5": "tool must be a table",
    "tool = [1, 2]": "tool must be a table",
    "[tool]\nparamlens = 5": "[tool.paramlens] must be a table",
    "[[tool.paramlens]]\nformat = 'json'": "[tool.paramlens] must be a table",
    "[tool.paramlens\n": "not valid TOML",
    DEEP_ARRAY: "nested too deeply",
    DEEP_TABLE: "nested too deeply",
    "[tool.paramlens]\ninclude = [1]": "[tool.paramlens] include: expected a list",
    "[tool.paramlens]\ninclude = [['*.py']]": "[tool.paramlens] include: expected a list",
    "[tool.paramlens]\nexclude = {a = 1}": "[tool.paramlens] exclude: expected a list",
    "[tool.paramlens]\nchecks = [['layer-params']]": "[tool.paramlens] checks: expected",
    "[tool.paramlens]\nformat = ['json']": "[tool.paramlens] format: expected one of",
    "[tool.paramlens]\nmax-notices = true": "[tool.paramlens] max-notices: expected",
    "[tool.paramlens]\nmax-notices = 1.5": "[tool.paramlens] max-notices: expected",
    "[tool.paramlens]\nmax-params-per-layer = -1": "max-params-per-layer: expected",
    "[tool.paramlens]\nmax-params-per-model = {a = [1]}": "max-params-per-model: expected",
    "[tool.paramlens]\ninclude = " + "[" * 200 + "]" * 200: "include: expected",
    "[tool.paramlens]\nunknown-key = 1": "unknown-key: unknown key",
    "[tool.paramlens.sub]\nx = 1": "sub: unknown key",
}


@pytest.mark.parametrize("text", list(MALFORMED), ids=lambda t: t[:30])
def test_every_malformed_config_is_a_config_error(tmp_path: Path, text: str) -> None:
    (tmp_path / "pyproject.toml").write_text(text)
    with pytest.raises(ConfigError) as raised:
        config_for(tmp_path / "m.py")
    message = str(raised.value)
    assert MALFORMED[text] in message and str(tmp_path / "pyproject.toml") in message
    assert len(message) < 400  # a huge or deep value is shown short


@pytest.mark.parametrize("text", ["tool = 5", DEEP_ARRAY, "[tool.paramlens]\ninclude = [1]"],
                         ids=["tool-5", "deep", "nested-type"])
def test_malformed_config_exits_2_with_a_message(tmp_path: Path, text: str) -> None:
    (tmp_path / "pyproject.toml").write_text(text)
    (tmp_path / "m.py").write_text(GOOD)
    done = run("m.py", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("paramlens: ") and "Traceback" not in done.stderr
    assert "pyproject.toml" in done.stderr


def test_unreadable_configs_are_config_errors(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b"[tool.paramlens]\nformat = '\xff'\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        config_for(tmp_path / "m.py")
    (tmp_path / "pyproject.toml").unlink()
    (tmp_path / "pyproject.toml").mkdir()
    with pytest.raises(ConfigError, match="is a directory"):
        config_for(tmp_path / "m.py")
    if hasattr(os, "mkfifo"):
        (tmp_path / "pyproject.toml").rmdir()
        os.mkfifo(tmp_path / "pyproject.toml")
        with pytest.raises(ConfigError, match="FIFO"):
            config_for(tmp_path / "m.py")


def test_without_a_paramlens_table_the_defaults_apply(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.other]\nx = 1\n[project]\nname = 'x'\n")
    found = config_for(tmp_path / "m.py")
    # a parent folder's own pyproject.toml may apply; none of this one's values do
    assert isinstance(found, ProjectConfig) and found.root != tmp_path


def test_a_symlink_loop_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "loop.py").symlink_to("loop.py")
    (tmp_path / "good.py").write_text(GOOD)
    done = run("--format", "json", "loop.py", "good.py", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    files = {Path(f["path"]).name: f for f in json.loads(done.stdout)["files"]}
    assert files["loop.py"]["error"].startswith("cannot be read")
    assert files["good.py"]["layers"][0]["params"] == 280
    walked = run("--format", "json", ".", cwd=tmp_path)  # in a walk: not a file, passed by
    assert walked.returncode == 0, walked.stderr


# --- a bug of ours -------------------------------------------------------------------------------

BROKEN_EVALUATOR = """\
import sys

from paramlens.engine.evaluate import entries


def broken(*args, **kwargs):
    raise KeyError("a bug planted by the test")


entries._evaluate_files = broken  # the evaluation of the program fails, whatever it reads
from paramlens.cli import main  # noqa: E402

sys.argv = ["paramlens", "check", "--no-cache", *sys.argv[1:]]
sys.exit(main())
"""


def test_an_internal_error_in_the_evaluation_keeps_each_files_own_counts(tmp_path: Path) -> None:
    """The evaluator raising (a bug of ours, planted here) neither loses the output nor shows a
    traceback: each file's own reading is printed, certain where it is on its own, and stderr
    says what failed."""
    script = tmp_path / "broken_run.py"
    script.write_text(BROKEN_EVALUATOR)
    (tmp_path / "good.py").write_text(GOOD)
    done = subprocess.run([sys.executable, str(script), "--format", "json", "good.py"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "internal error while evaluating the program (KeyError" in done.stderr
    layers = json.loads(done.stdout)["files"][0]["layers"]
    assert [layer["params"] for layer in layers] == [280]
