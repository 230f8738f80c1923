"""`paramlens check --format github|sarif|rdjson`, `--diff`, `--strict` and `[tool.paramlens]`,
each output parsed the way its consumer parses it and checked against the source text."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lsp_helpers import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "review.py"
# A workflow command as the Actions runner reads it.
COMMAND = re.compile(r"^::(?P<kind>notice|warning|error)(?: (?P<props>[^:]*))?::(?P<data>.*)$")


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "paramlens", "check", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def unescape(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":") \
        .replace("%2C", ",").replace("%25", "%")


def parse_github(output: str) -> list[dict[str, str]]:
    commands = []
    for line in output.splitlines():
        match = COMMAND.match(line)
        assert match, f"not a workflow command: {line!r}"
        props = {}
        for pair in (match["props"] or "").split(","):
            key, _, value = pair.partition("=")
            props[key] = unescape(value)
        commands.append({"kind": match["kind"], **props, "message": unescape(match["data"])})
    return commands


def source_lines() -> list[str]:
    return FIXTURE.read_text().splitlines()


def row_of(text: str) -> int:
    return next(i for i, line in enumerate(source_lines(), 1) if text in line)


def truth() -> dict[int, int]:
    """What torch and Keras count for the layers the file builds correctly."""
    import torch

    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    dense = keras.layers.Dense(10)
    dense.build((None, 26, 26, 8))
    return {row_of("nn.Conv2d(3, 16, 3)"): sum(p.numel() for p in torch.nn.Conv2d(3, 16, 3)
                                                 .parameters()),
            row_of("Dense(10)"): dense.count_params(),
            row_of("nn.Linear(64, 10)"): sum(p.numel() for p in torch.nn.Linear(64, 10)
                                             .parameters())}


def test_the_two_proven_errors_are_real() -> None:
    """Both would fail in the frameworks themselves: torch on the first forward pass, Keras when
    the layer is built."""
    import torch

    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    features = torch.nn.Sequential(torch.nn.Conv2d(3, 16, 3), torch.nn.ReLU(),
                                   torch.nn.Conv2d(32, 64, 3))
    with pytest.raises(RuntimeError):
        features(torch.zeros(1, 3, 8, 8))
    with pytest.raises(ValueError):
        keras.layers.Conv2D(8, 3, groups=4).build((None, 28, 28, 6))


def test_json_github_and_sarif_all_flag_both_errors_and_keep_the_counts() -> None:
    errors = {row_of("nn.Conv2d(32, 64, 3)"), row_of("groups=4")}
    counts = truth()

    done = run("--format", "json", str(FIXTURE))
    assert done.returncode == 1
    data = json.loads(done.stdout)["files"][0]
    assert {d["line"] for d in data["diagnostics"] if d["severity"] == "error"} == errors
    assert {layer["line"]: layer["params"] for layer in data["layers"]
            if layer["line"] in counts} == counts
    grouped = next(layer for layer in data["layers"] if layer["line"] == row_of("groups=4"))
    assert grouped["params"] is None and grouped["params_default"] is None  # never a made-up count

    done = run("--format", "github", str(FIXTURE))
    assert done.returncode == 1
    commands = parse_github(done.stdout)
    assert {int(c["line"]) for c in commands if c["kind"] == "error"} == errors
    notes = {int(c["line"]): c["message"] for c in commands if c["kind"] == "notice"}
    for line, count in counts.items():
        assert f": {count:,} parameters" in notes[line]

    done = run("--format", "sarif", str(FIXTURE))
    assert done.returncode == 1
    run_ = json.loads(done.stdout)["runs"][0]
    found = {(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
             for r in run_["results"] if r["level"] == "error"}
    assert found == {("channel-mismatch", row_of("nn.Conv2d(32, 64, 3)")),
                     ("groups-divisibility", row_of("groups=4"))}


def test_columns_in_each_format_match_the_source() -> None:
    line_no = row_of("nn.Linear(64, 10)")
    line = source_lines()[line_no - 1]
    start = line.index("nn.Linear")  # code points; the emoji and CJK text come before it
    end = line.index(")", start) + 1
    commands = parse_github(run("--format", "github", str(FIXTURE)).stdout)
    linear = next(c for c in commands if c.get("line") == str(line_no) and c["kind"] == "notice")
    assert (int(linear["col"]), int(linear["endColumn"])) == (start + 1, end + 1)
    assert linear["file"] == "tests/fixtures/review.py"

    sarif = json.loads(run("--format", "sarif", str(FIXTURE)).stdout)["runs"][0]
    result = next(r for r in sarif["results"] if r["ruleId"] == "layer-params" and
                  r["locations"][0]["physicalLocation"]["region"]["startLine"] == line_no)
    region = result["locations"][0]["physicalLocation"]["region"]
    utf16 = len(line[:start].encode("utf-16-le")) // 2
    assert sarif["columnKind"] == "utf16CodeUnits"
    assert (region["startColumn"], region["endColumn"]) == (
        utf16 + 1, len(line[:end].encode("utf-16-le")) // 2 + 1)
    assert utf16 == start + 1  # the emoji is two UTF-16 units
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "tests/fixtures/review.py"

    rdjson = json.loads(run("--format", "rdjson", str(FIXTURE)).stdout)
    entry = next(d for d in rdjson["diagnostics"] if d["location"]["range"]["start"]["line"]
                 == line_no)
    assert entry["location"]["range"]["start"]["column"] == len(line[:start].encode()) + 1
    assert entry["location"]["range"]["end"]["column"] == len(line[:end].encode()) + 1
    assert entry["severity"] == "INFO" and entry["code"]["value"] == "layer-params"


def test_sarif_rules_and_stable_fingerprints(tmp_path: Path) -> None:
    shutil.copy(FIXTURE, tmp_path / "model.py")
    first = json.loads(run("--format", "sarif", "model.py", cwd=tmp_path).stdout)
    assert first["version"] == "2.1.0"
    driver = first["runs"][0]["tool"]["driver"]
    for rule in driver["rules"]:
        assert rule["id"] and rule["shortDescription"]["text"] and \
            rule["fullDescription"]["text"] and rule["help"]["text"]
    ids = [rule["id"] for rule in driver["rules"]]
    for result in first["runs"][0]["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note") and result["message"]["text"]
    # Insert lines above: every line number moves, no fingerprint may.
    (tmp_path / "model.py").write_text("# a comment\n\n" + FIXTURE.read_text())
    second = json.loads(run("--format", "sarif", "model.py", cwd=tmp_path).stdout)

    def prints(sarif: dict) -> list[tuple[str, str]]:
        return sorted((r["ruleId"], r["partialFingerprints"]["paramlens/v1"])
                      for r in sarif["runs"][0]["results"])

    assert prints(first) == prints(second)
    assert len({fp for _, fp in prints(first)}) == len(prints(first))


def test_github_escapes_and_caps_notices(tmp_path: Path) -> None:
    body = "import torch.nn as nn\n" + "".join(f"l{i} = nn.Linear({i + 1}, 3)\n" for i in range(25))
    weird = tmp_path / "odd,name: 100%.py"
    weird.write_text(body)
    done = run("--format", "github", "--max-notices", "5", weird.name, cwd=tmp_path)
    lines = done.stdout.splitlines()
    assert all("file=odd%2Cname%3A 100%25.py," in line for line in lines[:4])  # , : % escaped
    commands = parse_github(done.stdout)
    assert len(commands) == 5 and all(c["kind"] == "notice" for c in commands)
    assert commands[0]["file"] == "odd,name: 100%.py"
    assert commands[-1]["message"].startswith("21 more layer counts in 1 file")
    from paramlens.review.formats.github import escape_data

    # a note of a check is shown before any layer count, and the summary names what it cuts
    (tmp_path / "z_bias.py").write_text("import torch.nn as nn\n\nm = nn.Sequential("
                                        "nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8))\n")
    both = parse_github(run("--format", "github", "--max-notices", "5", weird.name, "z_bias.py",
                            cwd=tmp_path).stdout)
    assert len(both) == 5 and [c["title"] for c in both].count("paramlens redundant-bias") == 1
    assert both[-1]["message"].startswith("24 more layer counts in 2 files")

    assert unescape(escape_data("50%\r\nnext")) == "50%\r\nnext"
    assert "\n" not in escape_data("a\nb") and "\r" not in escape_data("a\rb")


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env=dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t",
                            GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t"))


def test_diff_reports_only_the_changed_layer(tmp_path: Path) -> None:
    model = tmp_path / "model.py"
    other = tmp_path / "other.py"
    model.write_text("import torch.nn as nn\n\na = nn.Conv2d(3, 8, 3)\nb = nn.Conv2d(8, 8, 3)\n"
                     "c = nn.Linear(8, 2)\n")
    other.write_text("import torch.nn as nn\n\nd = nn.Linear(4, 4)\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "first")
    model.write_text(model.read_text().replace("nn.Conv2d(8, 8, 3)", "nn.Conv2d(8, 16, 5)"))
    git(tmp_path, "commit", "-qam", "second")
    done = run("--format", "json", "--diff", "HEAD~1", ".", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    files = json.loads(done.stdout)["files"]
    assert [(Path(f["path"]).name, [layer["line"] for layer in f["layers"]]) for f in files] == [
        ("model.py", [4])]
    import torch

    assert files[0]["layers"][0]["params"] == sum(p.numel() for p in
                                                  torch.nn.Conv2d(8, 16, 5).parameters())
    bad = run("--diff", "no-such-rev", ".", cwd=tmp_path)
    assert bad.returncode == 2 and "no-such-rev" in bad.stderr


def write_project(tmp_path: Path, table: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(f"[tool.paramlens]\n{table}\n")
    (tmp_path / "pkg").mkdir()
    shutil.copy(FIXTURE, tmp_path / "pkg" / "model.py")
    (tmp_path / "pkg" / "generated.py").write_text("import torch.nn as nn\nx = nn.Linear(2, 2)\n")
    return tmp_path


def test_project_configuration(tmp_path: Path) -> None:
    project = write_project(tmp_path, 'exclude = ["pkg/generated.py"]\n'
                                      'checks = ["channel-mismatch", "max-params-per-layer", '
                                      '"max-params-per-model", "layer-params"]\n'
                                      "max-params-per-layer = 10000\nmax-params-per-model = 1000\n"
                                      'format = "json"')
    done = run("pkg", cwd=project)  # the format comes from the configuration
    files = json.loads(done.stdout)["files"]
    assert [Path(f["path"]).name for f in files] == ["model.py"]  # generated.py excluded
    codes = sorted(d["code"] for d in files[0]["diagnostics"])
    # groups-divisibility is not among the enabled checks; the budgets are.
    assert codes == ["channel-mismatch", "max-params-per-layer", "max-params-per-model"]
    budget = next(d for d in files[0]["diagnostics"] if d["code"] == "max-params-per-layer")
    assert "18,496" in budget["message"] and "10,000" in budget["message"]
    assert done.returncode == 1


def test_strict_turns_warnings_into_failure(tmp_path: Path) -> None:
    project = write_project(tmp_path, 'checks = ["max-params-per-layer"]\n'
                                      "max-params-per-layer = 100")
    assert run("pkg", cwd=project).returncode == 0
    assert run("--strict", "pkg", cwd=project).returncode == 1


@pytest.mark.parametrize("table, key", [("max-params-per-layer = \"big\"", "max-params-per-layer"),
                                         ("checks = [\"no-such-check\"]", "checks"),
                                         ("format = \"xml\"", "format"),
                                         ("colour = 1", "colour"),
                                         ("include = \"*.py\"", "include")])
def test_bad_configuration_names_the_key(tmp_path: Path, table: str, key: str) -> None:
    project = write_project(tmp_path, table)
    done = run("pkg", cwd=project)
    assert done.returncode == 2
    assert f"[tool.paramlens] {key}" in done.stderr and "Traceback" not in done.stderr


def test_pre_commit_hook_is_declared() -> None:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text()
    assert "- id: paramlens" in text and "entry: paramlens check" in text
    assert "types_or: [python, jupyter]" in text  # notebooks too
    workflow = (ROOT / "examples" / "github-workflow.yml").read_text()
    assert "--format github" in workflow and "upload-sarif" in workflow and "--diff" in workflow


def test_keras_merges_that_cannot_agree(tmp_path: Path) -> None:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    source = ("import keras\nfrom keras import layers\n"
              "a = keras.Input(shape=(32, 32, 3))\nb = keras.Input(shape=(16, 16, 8))\n"
              "c = layers.Concatenate()([a, b])\n"
              "x = layers.Conv2D(8, 3, padding='same')(a)\n"
              "y = layers.Add()([x, layers.Conv2D(4, 1)(a)])\n"
              "z = layers.Add()([x, layers.Conv2D(8, 1)(a)])\n")
    (tmp_path / "merges.py").write_text(source)
    done = run("--format", "json", "merges.py", cwd=tmp_path)
    found = {(d["line"], d["code"]) for d in json.loads(done.stdout)["files"][0]["diagnostics"]}
    assert found == {(5, "merge-mismatch"), (7, "merge-mismatch")}
    assert done.returncode == 1
    # Keras agrees: the first two refuse to build, the third is fine.
    a, b = keras.Input(shape=(32, 32, 3)), keras.Input(shape=(16, 16, 8))
    with pytest.raises(ValueError):
        keras.layers.Concatenate()([a, b])
    x = keras.layers.Conv2D(8, 3, padding="same")(a)
    with pytest.raises(ValueError):
        keras.layers.Add()([x, keras.layers.Conv2D(4, 1)(a)])
    keras.layers.Add()([x, keras.layers.Conv2D(8, 1)(a)])


def test_keras_merges_that_broadcast_an_axis_of_size_1(tmp_path: Path) -> None:
    """Add, Multiply, Average, ... broadcast an axis of size 1 (an attention gate): Keras builds
    them, so no merge-mismatch, and what follows takes the broadcast channels."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    source = ("import keras\nfrom keras import layers\n"
              "x = keras.Input(shape=(6, 16))\n"
              "gate = layers.Dense(1, activation='sigmoid')(x)\n"
              "gated = layers.Multiply()([gate, x])\n"
              "head = layers.Dense(3)\n"
              "out = head(gated)\n"
              "a = keras.Input(shape=(10,))\nb = keras.Input(shape=(1,))\n"
              "s = layers.Add()([b, a])\n"
              "after_add = layers.Dense(2)\n"
              "t = after_add(s)\n"
              "c = keras.Input(shape=(1, 8))\nd = keras.Input(shape=(5, 8))\n"
              "m = layers.Average()([c, d])\n")
    (tmp_path / "broadcast.py").write_text(source)
    done = run("--format", "json", "broadcast.py", cwd=tmp_path)
    report = json.loads(done.stdout)["files"][0]
    assert [d for d in report["diagnostics"] if d["code"] == "merge-mismatch"] == []
    namespace: dict = {}
    exec(compile(source, "broadcast.py", "exec"), namespace)  # noqa: S102 - Keras' verdict
    counts = {layer["line"]: layer["params"] for layer in report["layers"]}
    assert counts[6] == namespace["head"].count_params() == 51
    assert counts[11] == namespace["after_add"].count_params() == 22


def test_the_json_report_is_json_dumps_with_indent_1() -> None:
    """The report is made file by file, each written without the standard encoder (cli.py,
    formats/json_report.py): it must be, byte for byte, what json.dumps(indent=1) writes for
    the same data. Checked on every example (notebook cells, fixes, contexts, non-ASCII text)
    and every adversarial file."""
    for folder in (ROOT / "examples", ROOT / "tests" / "adversarial"):
        result = run("--no-cache", "--format", "json", ".", cwd=folder)
        report = json.loads(result.stdout)
        assert len(report["files"]) >= 5
        assert result.stdout == json.dumps(report, indent=1) + "\n"
