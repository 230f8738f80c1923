"""Where an import looks for a module: the script's own folder first (`python scripts/train.py`),
or the root (`python -m scripts.train`), sys.path as the code changes it, and sys.modules as the
code sets its entries. Each project's scripts are run both ways; where our count of the script's
model is certain, every run that succeeds builds that many parameters, whatever the order the
files are checked in."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp_helpers import PUBLISHED, SERVER, diagnostics_for, hover_text, open_text, start, uri_of

pytest.importorskip("torch")

L = "import torch.nn as nn\n"
TRAIN = L + "from utils import W\nmodel = nn.Sequential(nn.Linear(W, 1))\n"
LIB = "os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib')"
INSERT = f"import os, sys\nsys.path.insert(0, {LIB})\n"
MAIN_BUILDS = "from mid import build\nmodel = build()\n"
USE = L + "import cfg\nmodel = nn.Sequential(nn.Linear(cfg.W, 1))\n"

PROJECTS = {
    # a utils.py beside the script and one in the root: which one depends on how it is run
    "sibling_and_root": {"utils.py": "W = 4\n", "scripts/utils.py": "W = 31\n",
                         "scripts/train.py": TRAIN},
    "sibling_only": {"scripts/utils.py": "W = 31\n", "scripts/train.py": TRAIN},
    "copies_of_one_text": {"utils.py": "W = 4\n", "scripts/utils.py": "W = 4\n",
                           "scripts/train.py": TRAIN},
    "packages": {"utils/__init__.py": "W = 4\n", "scripts/utils/__init__.py": "W = 31\n",
                 "scripts/train.py": TRAIN},
    # main.py's folder holds a utils.py: scripts/ is on sys.path only for scripts/'s scripts
    "root_script": {"utils.py": "W = 4\n", "scripts/utils.py": "W = 31\n", "main.py": TRAIN},
    "helper_beside_the_script": {
        "utils.py": "W = 4\n", "scripts/utils.py": "W = 31\n",
        "scripts/helper.py": "from utils import W\n",
        "scripts/train.py": L + "from helper import W\nmodel = nn.Sequential(nn.Linear(W, 1))\n"},
    # sys.path changed by the script, by a module it imports, in every spelling
    "insert": {"utils.py": "W = 4\n", "lib/utils.py": "W = 31\n", "main.py": INSERT + TRAIN},
    "insert_after_the_import": {"utils.py": "W = 4\n", "lib/utils.py": "W = 31\n",
                                "main.py": "import utils\n" + INSERT + TRAIN},
    "append": {"utils.py": "W = 4\n", "lib/utils.py": "W = 31\n",
               "main.py": INSERT.replace("insert(0, ", "append(") + TRAIN},
    "slice": {"utils.py": "W = 4\n", "lib/utils.py": "W = 31\n",
              "main.py": f"import os, sys\nsys.path[:0] = [{LIB}]\n" + TRAIN},
    "from_sys_import_path": {"utils.py": "W = 4\n", "lib/utils.py": "W = 31\n",
                             "main.py": f"import os\nfrom sys import path\npath.insert(0, {LIB})\n"
                                        + TRAIN},
    "insert_with_one_copy": {
        "pkm/__init__.py": "",
        "pkm/model.py": L + "def build():\n    return nn.Sequential(nn.Linear(6, 2))\n",
        "main.py": "import os, sys\nsys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))\n"
                   "from pkm.model import build\nmodel = build()\n"},
    "inserted_by_an_import": {"utils.py": "W = 4\n", "lib/utils.py": "W = 31\n", "paths.py": INSERT,
                              "main.py": "import paths\n" + TRAIN},
    "inserted_by_a_module_another_file_ran": {
        "utils.py": "W = 4\n", "lib/utils.py": "W = 31\n", "paths.py": INSERT,
        "a_first.py": "import paths\n", "main.py": "import paths\n" + TRAIN},
    # mid.py, run for another file before, imports utils: after the insert it is another run
    "module_run_before_the_insert": {
        "utils.py": "W = 4\n", "lib/utils.py": "W = 31\n", "paths.py": INSERT,
        "mid.py": L + "from utils import W\n\n\ndef build():\n    return nn.Sequential(nn.Linear(W, 1))\n",
        "a_other.py": L + MAIN_BUILDS, "main.py": "import paths\n" + MAIN_BUILDS},
    # sys.modules changed: an import after it gives what was put there, or runs a body anew
    "modules_entry_set_by_an_import": {
        "cfg.py": "W = 4\n", "other.py": "W = 31\n",
        "setup.py": "import sys, other\nsys.modules['cfg'] = other\n", "main.py": "import setup\n" + USE},
    "modules_entry_set_by_a_module_another_file_ran": {
        "cfg.py": "W = 4\n", "other.py": "W = 31\n",
        "setup.py": "import sys, other\nsys.modules['cfg'] = other\n", "a_first.py": "import setup\n",
        "main.py": "import setup\n" + USE},
    "modules_entry_set_under_a_name_not_fixed": {
        "cfg.py": "W = 4\n", "other.py": "W = 31\n",
        "main.py": "import sys, os, other\nsys.modules[os.environ.get('K', 'cfg')] = other\n" + USE},
    "modules_updated": {"cfg.py": "W = 4\n", "other.py": "W = 31\n",
                        "main.py": "import sys, other\nsys.modules.update({'cfg': other})\n" + USE},
    "modules_entry_taken_out": {
        "cfg.py": "W = 4\n", "main.py": "import sys\nimport cfg\ncfg.W = 9\ndel sys.modules['cfg']\n" + USE},
    "modules_entry_of_a_package_module": {
        "pk/__init__.py": "", "pk/cfg.py": "W = 4\n", "pk/other.py": "W = 31\n",
        "pk/setup.py": "import sys\nfrom . import other\nsys.modules['pk.cfg'] = other\n",
        "main.py": L + "from pk import setup\nfrom pk import cfg\n"
                   "model = nn.Sequential(nn.Linear(cfg.W, 1))\n"},
    "modules_entry_set_after_the_import": {
        "cfg.py": "W = 4\n", "other.py": "W = 31\n",
        "main.py": L + "import cfg\nimport sys, other\nsys.modules['cfg'] = other\n"
                   "model = nn.Sequential(nn.Linear(cfg.W, 1))\n"},
}
# where every way of running it that succeeds builds one count, and the code fixes it: counted
COUNTED = {("sibling_only", "scripts/train.py"), ("copies_of_one_text", "scripts/train.py"),
           ("insert_with_one_copy", "main.py"), ("root_script", "main.py"),
           ("module_run_before_the_insert", "a_other.py"),
           ("modules_entry_set_after_the_import", "main.py")}
RUN = ("import runpy, sys; sys.path[0] = {first!r}; g = runpy.{how}; "
       "print(sum(p.numel() for p in g['model'].parameters()))")


def _scripts(files: dict[str, str]) -> list[str]:
    return [f for f in files if f.endswith(("train.py", "main.py", "a_other.py"))]


def _written(name: str, folder: Path) -> Path:
    for file, text in PROJECTS[name].items():
        (folder / file).parent.mkdir(parents=True, exist_ok=True)
        (folder / file).write_text(text)
    return folder


@functools.cache
def _runs(name: str, script: str, folder: str) -> tuple[int | None, ...]:
    """The script's model total as `python script` and as `python -m module` build it (None
    where that run fails)."""
    d = Path(folder)
    totals = []
    for first, how in ((str((d / script).parent), f"run_path({str(d / script)!r}, run_name='__main__')"),
                       (str(d), f"run_module({script[:-3].replace('/', '.')!r}, run_name='__main__', "
                                "alter_sys=True)")):
        run = subprocess.run([sys.executable, "-c", RUN.format(first=first, how=how)], cwd=d,
                             capture_output=True, text=True, check=False)
        totals.append(int(run.stdout) if run.returncode == 0 else None)
    return tuple(totals)


def _ours(folder: Path, script: str, paths: tuple[str, ...]) -> int | None:
    report = subprocess.run([sys.executable, "-m", "paramlens", "check", "--no-cache", "--format",
                             "json", *paths], cwd=folder, capture_output=True, text=True,
                            check=False)
    (checked,) = [f for f in json.loads(report.stdout)["files"]
                  if f["path"].removeprefix("./") == script]
    models = [m["params"] for m in checked["models"] if m["name"] == "model"]
    if models:
        return models[0]
    layers = [layer["params"] for layer in checked["layers"]]
    return None if not layers or None in layers else sum(layers)


def _cases() -> list[tuple[str, str, tuple[str, ...]]]:
    cases = []
    for name, files in PROJECTS.items():
        pyfiles = tuple(sorted(files))
        for script in _scripts(files):
            others = tuple(f for f in pyfiles if f != script)
            for paths in ((".",), (script,), pyfiles, pyfiles[::-1], (*others, script)):
                cases.append((name, script, paths))
    return cases


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {name: _written(name, tmp_path_factory.mktemp(name)) for name in PROJECTS}


@pytest.mark.parametrize("name,script,paths", _cases())
def test_a_certain_count_is_what_every_way_of_running_the_script_builds(
        name: str, script: str, paths: tuple[str, ...], projects: dict[str, Path]) -> None:
    folder = projects[name]
    runs = _runs(name, script, str(folder))
    assert any(total is not None for total in runs), runs  # (the project itself runs)
    ours = _ours(folder, script, paths)
    if ours is not None:
        assert all(total in (None, ours) for total in runs), (ours, runs)
    if (name, script) in COUNTED and paths == (".",):
        assert ours is not None and ours in runs, (ours, runs)


@pytest.fixture(scope="module")
def rivals(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _written("sibling_and_root", tmp_path_factory.mktemp("rivals"))


@pytest_lsp.fixture(config=SERVER)
async def rivals_client(lsp_client: LanguageClient, rivals: Path):
    await start(lsp_client, workspace=rivals)
    yield
    await lsp_client.shutdown_session()


async def test_the_editor_counts_a_script_once_one_folder_holds_its_import(
        rivals_client: LanguageClient, rivals: Path) -> None:
    """scripts/train.py open in the editor, the workspace holding utils.py in its root and in
    scripts/: no count at its layer, since the two runs build 5 and 32. Once the root's is
    deleted, the one run that succeeds builds 32, and the hover says so."""
    client = rivals_client
    script = rivals / "scripts" / "train.py"
    uri = uri_of(script)
    row, column = 2, TRAIN.splitlines()[2].index("nn.Linear")
    open_text(client, uri, script.read_text())
    await diagnostics_for(client, uri, 1)
    assert sorted(_runs("sibling_and_root", "scripts/train.py", str(rivals))) == [5, 32]
    shown = await hover_text(client, uri, row, column) or ""
    assert not shown.startswith(("**5 parameters", "**32 parameters")), shown

    (rivals / "utils.py").unlink()
    PUBLISHED.pop(uri, None)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=uri_of(rivals / "utils.py"), type=types.FileChangeType.Deleted)]))
    await diagnostics_for(client, uri, 1)
    _runs.cache_clear()
    assert _runs("sibling_and_root", "scripts/train.py", str(rivals)) == (32, None)
    shown = await hover_text(client, uri, row, column) or ""
    assert shown.startswith("**32 parameters**"), shown
