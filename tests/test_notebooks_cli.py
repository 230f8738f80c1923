"""`paramlens check` on Jupyter notebooks, as a user runs it: the code cells are one program,
IPython's magics and shell lines are skipped, and every location names its cell. Each count is
the framework's: the test runs the same cells for real (framework_recorder.py) and compares."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from runtime_compare import CONTAINERS, RECORDER

os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is first imported

ROOT = Path(__file__).parent.parent

# (kind, source) of each cell, numbered from 1 over all cells as VS Code and JupyterLab show
CELLS = [
    ("markdown", "# Notes\nA layer in markdown is not code: `nn.Linear(1, 1)`."),
    ("code", "import torch.nn as nn\nimport keras\nfrom keras import layers\n"
             "%matplotlib inline\nwidth = 24\n"),
    # another language for the whole cell: not Python, never an error
    ("code", "%%bash\necho nn.Linear(1000, 1000)\n"),
    # `width` comes from cell 2; a shell line inside a block keeps the block valid
    ("code", "!pip list\nstem = nn.Conv2d(3, width, 3, padding=1)\nhead = nn.Sequential(\n"
             "    nn.Conv2d(width, 2 * width, 1),\n    nn.BatchNorm2d(2 * width),\n)\n"
             "if width:\n    !echo building\n    fc = nn.Linear(2 * width, 10)\n"),
    ("markdown", "Then a Keras head."),
    ("code", "classifier = keras.Sequential([keras.Input((width,)), layers.Dense(width // 2),\n"
             "                               layers.Dense(3)])"),
]


def write_notebook(path: Path, cells: list[tuple[str, str]]) -> None:
    """As Jupyter writes a notebook: nbformat 4, one string per source line, indent 1."""
    made = []
    for n, (kind, source) in enumerate(cells):
        cell: dict = {"cell_type": kind, "id": f"c{n}", "metadata": {},
                      "source": source.splitlines(keepends=True)}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        made.append(cell)
    path.write_text(json.dumps({"cells": made, "metadata": {"language_info": {"name": "python"}},
                                "nbformat": 4, "nbformat_minor": 5}, indent=1, sort_keys=True)
                    + "\n")


def run(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "paramlens", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def run_for_real(tmp_path: Path, cells: list[tuple[str, str]]) -> dict[tuple[int, int, int], int]:
    """The code cells run in order as one script, IPython's lines dropped as Jupyter would not
    give them to Python: {(cell, line in cell, 1-based column): parameters the framework built
    in each layer}."""
    script: list[str] = []
    starts: list[tuple[int, int]] = []  # (first script line, cell number)
    for number, (kind, source) in enumerate(cells, start=1):
        if kind != "code":
            continue
        starts.append((len(script) + 1, number))
        lines = source.splitlines()
        for text in lines:
            stripped = text.lstrip()
            if lines[0].startswith("%%"):
                script.append("")
            elif stripped.startswith(("%", "!")):
                script.append(text[:len(text) - len(stripped)] + "pass")
            else:
                script.append(text)
    path = tmp_path / "as_script.py"
    path.write_text("\n".join(script) + "\n")
    done = subprocess.run([sys.executable, str(RECORDER), str(path)], capture_output=True,
                          text=True, timeout=600, env={**os.environ, "KERAS_BACKEND": "torch"})
    assert done.returncode == 0, done.stderr[-2000:]
    record = json.loads(done.stdout)[str(path)]
    assert record["escaped"] is None, record["escaped"]
    built = {}
    for r in record["records"]:
        if r["class"] in CONTAINERS:
            continue  # a Sequential's count is a model total in our report, not a layer
        first, number = max(s for s in starts if s[0] <= r["line"])
        built[(number, r["line"] - first + 1, r["column"] + 1)] = r["params"]
    return built


@pytest.fixture(scope="module")
def notebook(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("nb")
    path = folder / "model.ipynb"
    write_notebook(path, CELLS)
    pytest.importorskip("torch")
    pytest.importorskip("keras")
    return path, run_for_real(folder, CELLS)


def test_json_counts_are_the_frameworks_in_each_cell(notebook: tuple[Path, dict]) -> None:
    path, built = notebook
    done = run("check", "--format", "json", "--no-cache", str(path))
    assert done.returncode == 0, done.stderr
    [report] = json.loads(done.stdout)["files"]
    assert report["error"] is None
    ours = {(layer["cell"], layer["line"], layer["column"]): layer["params"]
            for layer in report["layers"] if layer["params"] is not None}
    with_parameters = {site: count for site, count in built.items() if count}
    assert with_parameters  # the frameworks built the layers (cells 4 and 6)
    assert {site: ours.get(site) for site in with_parameters} == with_parameters
    # the Keras head's Dense layers, whose input width comes from cell 2
    assert {cell for cell, _line, _column in with_parameters} == {4, 6}
    # nothing from the markdown or the %%bash cell, nor from the magic lines
    assert {layer["cell"] for layer in report["layers"]} <= {4, 6}
    [sequential] = [m for m in report["models"] if m["cell"] == 4]
    assert sequential["line"] == 3


def test_text_names_each_cell(notebook: tuple[Path, dict]) -> None:
    path, built = notebook
    done = run("check", "--no-cache", path.name, cwd=path.parent, env={"COLUMNS": "220"})
    assert done.returncode == 0, done.stderr
    rows: dict[str, list[str]] = {}
    for row in done.stdout.splitlines():  # the table's rows name their cell: `cell 4:2  Conv2d`
        found = re.match(r"\s*cell (\d+):(\d+) ", row)
        if found is not None:
            rows.setdefault(f"model.ipynb:cell {found.group(1)}:{found.group(2)}", []).append(row)
    for (cell, line, _column), count in built.items():
        if count:
            shown = rows[f"model.ipynb:cell {cell}:{line}"]
            assert any(row.endswith(f"  {count:,}") for row in shown)
    # where the channels come from, in the notebook's terms
    assert "24 (width = 24 (cell 2, line 5))" in rows["model.ipynb:cell 4:4"][0]
    assert not any(location.startswith("model.ipynb:cell 3:") for location in rows)


def test_review_formats_point_at_the_notebook_file(notebook: tuple[Path, dict]) -> None:
    path, built = notebook
    raw = path.read_text().splitlines()
    # the file line holding a source line of cell 4, as Jupyter wrote it
    stem = next(n for n, text in enumerate(raw, start=1)
                if json.dumps("stem = nn.Conv2d(3, width, 3, padding=1)\n") in text)
    done = run("check", "--format", "github", "--no-cache", path.name, cwd=path.parent)
    assert done.returncode == 0, done.stderr
    [notice] = [line for line in done.stdout.splitlines() if f"line={stem}," in line]
    assert notice.startswith(f"::notice file=model.ipynb,line={stem},endLine={stem},")
    assert f"::cell 4, line 2: Conv2d: {built[(4, 2, 8)]:,} parameters" in notice
    sarif = json.loads(run("check", "--format", "sarif", "--no-cache", path.name,
                           cwd=path.parent).stdout)
    regions = [(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["locations"][0]["physicalLocation"]["region"])
               for r in sarif["runs"][0]["results"]]
    assert ("model.ipynb", {"startLine": stem, "endLine": stem}) in regions
    rdjson = json.loads(run("check", "--format", "rdjson", "--no-cache", path.name,
                            cwd=path.parent).stdout)
    assert {"path": "model.ipynb", "range": {"start": {"line": stem}, "end": {"line": stem}}} \
        in [d["location"] for d in rdjson["diagnostics"]]


def test_folders_include_notebooks_and_the_cache_follows_their_edits(tmp_path: Path) -> None:
    write_notebook(tmp_path / "a.ipynb", [("code", "import torch.nn as nn\nwidth = 8\n"),
                                          ("code", "fc = nn.Linear(width, 2)\n")])
    (tmp_path / "b.py").write_text("import torch.nn as nn\nfc = nn.Linear(3, 2)\n")
    env = {"PARAMLENS_CACHE_DIR": str(tmp_path / ".cache")}
    first = run("check", "--format", "json", ".", cwd=tmp_path, env=env)
    again = run("check", "--format", "json", ".", cwd=tmp_path, env=env)
    assert first.returncode == again.returncode == 0, first.stderr
    assert first.stdout == again.stdout
    counts = {Path(f["path"]).name: [(layer.get("cell"), layer["params"]) for layer in f["layers"]]
              for f in json.loads(first.stdout)["files"]}
    torch = pytest.importorskip("torch")
    assert counts == {"a.ipynb": [(2, sum(p.numel() for p in torch.nn.Linear(8, 2).parameters()))],
                      "b.py": [(None, sum(p.numel() for p in torch.nn.Linear(3, 2).parameters()))]}
    write_notebook(tmp_path / "a.ipynb", [("code", "import torch.nn as nn\nwidth = 5\n"),
                                          ("code", "fc = nn.Linear(width, 2)\n")])
    edited = json.loads(run("check", "--format", "json", ".", cwd=tmp_path, env=env).stdout)
    assert edited["files"][0]["layers"][0]["params"] == \
        sum(p.numel() for p in torch.nn.Linear(5, 2).parameters())


def test_unreadable_notebooks_are_messages_with_exit_2(tmp_path: Path) -> None:
    (tmp_path / "cut.ipynb").write_text('{"cells": [')
    (tmp_path / "old.ipynb").write_text('{"worksheets": [], "nbformat": 3}')
    (tmp_path / "v3.ipynb").write_text('{"cells": [], "nbformat": 3}')
    (tmp_path / "bad_cell.ipynb").write_text('{"cells": [{"cell_type": "code", "source": 5}], '
                                             '"nbformat": 4}')
    write_notebook(tmp_path / "syntax.ipynb", [("code", "x = 1\n"), ("code", "y = (\n")])
    os.mkfifo(tmp_path / "pipe.ipynb")
    done = run("check", "--format", "json", *sorted(p.name for p in tmp_path.iterdir()),
               cwd=tmp_path)
    assert done.returncode == 2
    errors = {f["path"]: f["error"] for f in json.loads(done.stdout)["files"]}
    assert errors["cut.ipynb"].startswith("not a valid notebook: not JSON (line 1")
    assert errors["old.ipynb"] == "not a valid notebook: no list of cells"
    assert errors["v3.ipynb"].startswith("not a valid notebook: nbformat 3")
    assert errors["bad_cell.ipynb"] == "not a valid notebook: cell 1 has no source text"
    assert errors["syntax.ipynb"].startswith("not valid Python: cell 2, line 1:")
    assert errors["pipe.ipynb"] == "not a regular file (a FIFO)"
    assert "Traceback" not in done.stderr


def test_fix_leaves_a_notebook_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "m.ipynb"
    write_notebook(path, [("code", "import torch.nn as nn\nmodel = nn.Sequential(\n"
                                   "    nn.Conv2d(3, 16, 3), nn.Conv2d(8, 4, 1))\n")])
    before = path.read_bytes()
    done = run("check", "--fix", path.name, cwd=tmp_path)
    assert done.returncode == 1  # the mismatch stays, and is reported in its cell
    assert "m.ipynb:cell 1:3:" in done.stdout and "channel-mismatch" in done.stdout
    assert "m.ipynb: not fixed: --fix does not write notebooks" in done.stderr
    assert path.read_bytes() == before
    # the fix as JSON gives its edit in the cell's lines, for tools that apply it themselves
    [diagnostic] = json.loads(run("check", "--format", "json", path.name,
                                  cwd=tmp_path).stdout)["files"][0]["diagnostics"]
    edit = diagnostic["fix"]["edit"]
    line = "    nn.Conv2d(3, 16, 3), nn.Conv2d(8, 4, 1))"
    torch = pytest.importorskip("torch")
    assert (diagnostic["cell"], diagnostic["line"], edit["line"], edit["column"],
            edit["new_text"]) == (1, 3, 3, line.index("8") + 1,
                                  str(torch.nn.Conv2d(3, 16, 3).out_channels))


def test_examples_notebook_reads_its_width_from_the_first_cell(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    read = json.loads((ROOT / "examples" / "notebook.ipynb").read_text())
    cells = [(cell["cell_type"], "".join(cell["source"])) for cell in read["cells"]]
    built = run_for_real(tmp_path, cells)
    done = run("check", "--format", "json", "--no-cache", "examples/notebook.ipynb")
    assert done.returncode == 0, done.stderr
    [report] = json.loads(done.stdout)["files"]
    ours = {(layer["cell"], layer["line"], layer["column"]): layer["params"]
            for layer in report["layers"]}
    assert {site: ours.get(site) for site in built} == built
    assert len([count for count in built.values() if count]) == 2


def test_diff_reports_the_cells_lines_git_shows_changed(tmp_path: Path) -> None:
    """git's lines are the notebook file's (JSON): each maps to the cell line it holds."""
    cells = [("code", "import torch.nn as nn\nwidth = 4\n"),
             ("code", "a = nn.Linear(width, 2)\nb = nn.Linear(width, 3)\n")]
    write_notebook(tmp_path / "m.ipynb", cells)

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
                       cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    git("add", "m.ipynb")
    git("commit", "-qm", "notebook")
    cells[1] = ("code", "a = nn.Linear(width, 2)\nb = nn.Linear(width, 5)\n")
    write_notebook(tmp_path / "m.ipynb", cells)
    done = run("check", "--format", "json", "--no-cache", "--diff", "HEAD", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    [report] = json.loads(done.stdout)["files"]
    torch = pytest.importorskip("torch")
    assert [(layer["cell"], layer["line"], layer["params"]) for layer in report["layers"]] == \
        [(2, 2, sum(p.numel() for p in torch.nn.Linear(4, 5).parameters()))]
