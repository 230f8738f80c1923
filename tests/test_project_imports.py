"""Projects of several modules, checked whole (`paramlens check --format json .`) and run for
real (`python main.py`): the total of `model` in main.py is torch's, where ours is certain. Each
project holds a way in which which module runs when, and as what, changes the count."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")

PROJECTS = {
    # lib.py sorts before main.py and is a checked file: its main guard runs when it is run as
    # a script, never in the module main.py imports
    "main_guard": {
        "lib.py": 'W = 2\nif __name__ == "__main__":\n    W = 200\n',
        "main.py": "import torch.nn as nn\nimport lib\nmodel = nn.Sequential(nn.Linear(lib.W, 1))\n",
    },
    # the same, where lib.py compares its name in an expression
    "name_compared_in_an_expression": {
        "lib.py": 'W = 2 if __name__ == "lib" else 7\n',
        "main.py": "import torch.nn as nn\nimport lib\nmodel = nn.Sequential(nn.Linear(lib.W, 1))\n",
    },
    # a_model.py imports hp before hp.py is run as its own file: one module hp, which main.py
    # changes before a_model's builder reads it
    "one_module": {
        "a_model.py": "import torch.nn as nn\nimport hp\n\n\ndef make():\n"
                      "    return nn.Sequential(nn.Linear(hp.get_width(), 1))\n",
        "hp.py": "_W = 2\n\n\ndef set_width(w):\n    global _W\n    _W = w\n\n\n"
                 "def get_width():\n    return _W\n",
        "main.py": "import hp\nhp.set_width(30)\nfrom a_model import make\nmodel = make()\n",
    },
    # arch.py, run first as its own file, reads config.WIDTH at its import; main.py changes
    # WIDTH before it imports arch, so its arch is another run of that body
    "imported_after_a_change": {
        "arch.py": "import torch.nn as nn\nimport config\nHIDDEN = config.WIDTH * 2\n\n\n"
                   "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                   "        self.fc = nn.Linear(HIDDEN, 4)\n",
        "config.py": "WIDTH = 16\n",
        "main.py": "import config\nconfig.WIDTH = 8\nimport arch\nmodel = arch.Net()\n",
    },
    # each plugin registers itself when run; main.py imports one of them only
    "plugins_not_imported": {
        "ext_a.py": 'import registry\nregistry.PLUGINS.append("a")\n',
        "ext_b.py": 'import registry\nregistry.PLUGINS.append("b")\n',
        "main.py": "import torch.nn as nn\nimport registry\nimport ext_a\n"
                   "model = nn.Sequential(*[nn.Linear(4, 4) for _ in registry.PLUGINS])\n",
        "registry.py": "PLUGINS = []\n",
    },
    # `import pkg.heads` binds the submodule on pkg, over the module pkg's own code bound there
    "submodule_bound_over_the_package_name": {
        "main.py": "import torch.nn as nn\nimport pkg\nimport pkg.heads\n"
                   "model = nn.Sequential(pkg.heads.make())\n",
        "pkg/__init__.py": "from . import alt as heads\n",
        "pkg/alt.py": "import torch.nn as nn\n\n\ndef make():\n    return nn.Linear(2, 20)\n",
        "pkg/heads.py": "import torch.nn as nn\n\n\ndef make():\n    return nn.Linear(2, 2)\n",
    },
    # `import pkg.heads as H` binds what pkg holds under that name once its __init__ ran, which
    # rebinds it to another module
    "submodule_name_rebound_by_the_package": {
        "main.py": "import torch.nn as nn\nimport pkg.heads as H\nmodel = nn.Sequential(H.make())\n",
        "pkg/__init__.py": "from . import heads\nfrom . import alt as heads\n",
        "pkg/alt.py": "import torch.nn as nn\n\n\ndef make():\n    return nn.Linear(2, 20)\n",
        "pkg/heads.py": "import torch.nn as nn\n\n\ndef make():\n    return nn.Linear(2, 2)\n",
    },
    # another script replaces nn.Linear in its own run
    "framework_name_replaced_by_another_script": {
        "a_patch.py": "import torch.nn as nn\n\n\nclass Fat(nn.Module):\n    pass\n\n\n"
                      "nn.Linear = Fat\n",
        "main.py": "import torch\nimport torch.nn as nn\n\n\nclass ScaledLinear(nn.Linear):\n"
                   "    def reset_parameters(self):\n"
                   "        self.scale = nn.Parameter(torch.ones(self.out_features))\n"
                   "        super().reset_parameters()\n\n\n"
                   "model = nn.Sequential(ScaledLinear(4, 8))\n",
    },
    # importing a module of a package runs the package's __init__ first, which imports a
    # setup module that widens the config
    "package_init_imports_a_setup": {
        "main.py": "from pk.model import build\nmodel = build()\n",
        "pk/__init__.py": "from . import setup\n",
        "pk/cfg.py": "W = 4\n",
        "pk/model.py": "import torch.nn as nn\nfrom . import cfg\n\n\ndef build():\n"
                       "    return nn.Sequential(nn.Linear(cfg.W, 1))\n",
        "pk/setup.py": "from . import cfg\ncfg.W = 40\n",
    },
    # the package imports a module whose class registers itself by a decorator
    "registered_by_a_decorator": {
        "main.py": "import pkg\nfrom pkg.registry import MODELS\nmodel = MODELS.get('A', None)()\n",
        "pkg/__init__.py": "from .models import a\n",
        "pkg/models/__init__.py": "",
        "pkg/models/a.py": "import torch.nn as nn\nfrom ..registry import register\n\n\n"
                           "@register\nclass A(nn.Module):\n    def __init__(self):\n"
                           "        super().__init__()\n        self.fc = nn.Linear(4, 4)\n",
        "pkg/registry.py": "MODELS = {}\n\n\ndef register(cls):\n"
                           "    MODELS[cls.__name__] = cls\n    return cls\n",
    },
}

# projects whose main.py alone, through what it imports, fixes its model's total (not yet
# registered_by_a_decorator: a module a package imports is read where a name of it is, and a
# decorator is no sign that it must run at the import)
FIXED_BY_MAIN_ALONE = {"package_init_imports_a_setup"}

# Builders called as `import module; module.builder()` in a fresh Python, beside scripts and
# helpers that change what they read: (file, builder) -> the project
BUILDERS = {
    # main.py sets the width the builder reads, in its own run
    ("net.py", "make"): {
        "main.py": "import sizes\nfrom net import make\nsizes.W = 20\nmodel = make()\n",
        "net.py": "import torch.nn as nn\nimport sizes\n\n\ndef make():\n"
                  "    return nn.Sequential(nn.Linear(sizes.W, 1))\n",
        "sizes.py": "W = 2\n",
    },
    # a helper that widens the config, never called, in a file checked first
    ("b_model.py", "build"): {
        "a_setup.py": "import cfg\n\n\ndef enable_big():\n    cfg.W = 100\n",
        "b_model.py": "import torch.nn as nn\nimport cfg\n\n\ndef build():\n"
                      "    return nn.Sequential(nn.Linear(cfg.W, 1))\n",
        "cfg.py": "W = 4\n",
    },
    # a builder that reads its module's __name__, called after an import
    ("lib.py", "build"): {
        "lib.py": "import torch.nn as nn\n\n\ndef build():\n"
                  "    w = 30 if __name__ == '__main__' else 3\n    return nn.Linear(w, w)\n",
        "main.py": "import lib\nmodel = lib.build()\n",
    },
    # a script whose main block rebinds the width its builder reads, then calls it: an import
    # does not run that block
    ("script.py", "build"): {
        "script.py": "import torch.nn as nn\n\nWIDTH = 4\n\n\ndef build():\n"
                     "    return nn.Sequential(nn.Linear(WIDTH, 2))\n\n\n"
                     "if __name__ == '__main__':\n    WIDTH = 100\n    net = build()\n",
    },
    # the same for a model class, whose config dict the main block changes in place
    ("script.py", "Net"): {
        "script.py": "import torch.nn as nn\n\nCFG = {'width': 4}\n\n\n"
                     "class Net(nn.Module):\n    def __init__(self):\n"
                     "        super().__init__()\n        self.fc = nn.Linear(CFG['width'], 5)\n\n\n"
                     "if __name__ == '__main__':\n    CFG['width'] = 100\n    net = Net()\n",
    },
    # a closure's counter, bumped by each builder: each fresh import starts it at 0
    ("counter.py", "build_b"): {
        "counter.py": "import torch.nn as nn\n\n\ndef make_counter():\n    n = 0\n\n"
                      "    def bump():\n        nonlocal n\n        n += 1\n        return n\n\n"
                      "    return bump\n\n\ncounter = make_counter()\n\n\n"
                      "def build_a():\n    return nn.Sequential(nn.Linear(4, counter()))\n\n\n"
                      "def build_b():\n    return nn.Sequential(nn.Linear(4, counter()))\n",
    },
    # the builder's own module widens the config at its import
    ("model.py", "build"): {
        "cfg.py": "W = 4\n",
        "model.py": "import torch.nn as nn\nimport cfg\ncfg.W = 40\n\n\ndef build():\n"
                    "    return nn.Sequential(nn.Linear(cfg.W, 1))\n",
    },
    # the builder's module imports a setup module that widens the config through an alias
    ("app.py", "build"): {
        "app.py": "import torch.nn as nn\nimport config\nimport setup\n\n\ndef build():\n"
                  "    return nn.Sequential(nn.Linear(config.CFG.W, 1))\n",
        "config.py": "class C:\n    W = 4\n\n\nCFG = C()\n",
        "setup.py": "import config\ncfg = config.CFG\ncfg.W = 40\n",
    },
    # the package around the builder's module imports a setup module that widens the config
    ("pk/model.py", "build"): {
        "pk/__init__.py": "from . import setup\n",
        "pk/cfg.py": "W = 4\n",
        "pk/model.py": "import torch.nn as nn\nfrom . import cfg\n\n\ndef build():\n"
                       "    return nn.Sequential(nn.Linear(cfg.W, 1))\n",
        "pk/setup.py": "from . import cfg\ncfg.W = 40\n",
    },
    # the same, where the package's __init__ widens it itself
    ("pk/net.py", "build"): {
        "pk/__init__.py": "from . import cfg\ncfg.W = 40\n",
        "pk/cfg.py": "W = 4\n",
        "pk/net.py": "import torch.nn as nn\nfrom . import cfg\n\n\ndef build():\n"
                     "    return nn.Sequential(nn.Linear(cfg.W, 1))\n",
    },
    # main.py imports a setup module that widens the config at its import; the builder's own
    # module, imported fresh, does not
    ("app/model.py", "make"): {
        "app/__init__.py": "",
        "app/cfg.py": "W = 4\n",
        "app/model.py": "import torch.nn as nn\nfrom . import cfg\n\n\ndef make():\n"
                        "    return nn.Sequential(nn.Linear(cfg.W, 1))\n",
        "app/setup.py": "from . import cfg\ncfg.W = 44\n",
        "main.py": "import app.setup\nfrom app.model import make\nmodel = make()\n",
    },
}


def _pk_model(layers: str) -> str:
    """pk/model.py, whose build() makes a Sequential of `layers`, read from pk.cfg."""
    return f"import torch.nn as nn\nfrom . import cfg\n\n\ndef build():\n" \
           f"    return nn.Sequential({layers})\n"


_PK_MODEL = _pk_model("nn.Linear(cfg.W, 1)")
_PK_MAIN = "from pk.model import build\nmodel = build()\n"

# Packages whose `__init__` imports modules that change another module's objects, checked in
# several orders: each checked file runs as an entry point of its own, whose changes are put
# back, while the modules it imported stay loaded for the next. pk.model's build() and main.py's
# model are torch's whatever the order.
ORDERS = {
    "setup_adds_to_the_width": {
        "main.py": _PK_MAIN, "pk/__init__.py": "from . import setup\n", "pk/cfg.py": "W = 4\n",
        "pk/model.py": _PK_MODEL, "pk/setup.py": "from . import cfg\ncfg.W += 10\n",
    },
    # a plugin registers itself by a call on its package's registry
    "plugin_appends_to_a_registry": {
        "main.py": _PK_MAIN, "pk/__init__.py": "from . import plug\n",
        "pk/cfg.py": "W = 4\nITEMS = []\n",
        "pk/model.py": _pk_model("*[nn.Linear(4, 4) for _ in cfg.ITEMS]"),
        "pk/plug.py": "from . import cfg\ncfg.ITEMS.append(1)\n",
    },
    # two setups set the same width: the last one's stands
    "two_setups_set_the_width": {
        "main.py": _PK_MAIN, "pk/__init__.py": "from . import s2\nfrom . import s1\n",
        "pk/cfg.py": "W = 4\n", "pk/model.py": _PK_MODEL,
        "pk/s1.py": "from . import cfg\ncfg.W = 10\n", "pk/s2.py": "from . import cfg\ncfg.W = 20\n",
    },
    # main.py sets the width after `import pk.cfg` ran the package's setup
    "main_sets_the_width_after_the_setup": {
        "main.py": "import pk.cfg as c\nc.W = 7\nfrom pk.model import build\nmodel = build()\n",
        "pk/__init__.py": "from . import setup\n", "pk/cfg.py": "W = 4\n",
        "pk/model.py": _PK_MODEL, "pk/setup.py": "from . import cfg\ncfg.W = cfg.W * 3\n",
    },
    # a plugin registers itself by calling its package's register()
    "plugin_calls_register": {
        "main.py": _PK_MAIN, "pk/__init__.py": "from . import plug\n",
        "pk/cfg.py": "W = 4\nREG = {}\n\n\ndef register(k, v):\n    REG[k] = v\n",
        "pk/model.py": _pk_model("*[nn.Linear(v, 1) for v in cfg.REG.values()]"),
        "pk/plug.py": "from .cfg import register\nregister('a', 7)\n",
    },
    # the package imports a subpackage, whose `__init__` imports the setup
    "setup_in_a_subpackage": {
        "main.py": _PK_MAIN, "pk/__init__.py": "from . import sub\n",
        "pk/sub/__init__.py": "from . import setup\n", "pk/cfg.py": "W = 4\n",
        "pk/sub/setup.py": "from .. import cfg\ncfg.W = 50\n", "pk/model.py": _PK_MODEL,
    },
    # the setup lies in the package around the model's own
    "setup_in_the_outer_package": {
        "main.py": "from pk.sub.model import build\nmodel = build()\n",
        "pk/__init__.py": "from . import setup\n", "pk/cfg.py": "W = 4\n",
        "pk/setup.py": "from . import cfg\ncfg.W = 30\n", "pk/sub/__init__.py": "",
        "pk/sub/model.py": "import torch.nn as nn\nfrom .. import cfg\n\n\ndef build():\n"
                           "    return nn.Sequential(nn.Linear(cfg.W, 2))\n",
    },
}


def _order_cases() -> list[tuple[str, tuple[str, ...]]]:
    cases = []
    for name, files in sorted(ORDERS.items()):
        model = next(f for f in files if f.endswith("model.py"))
        others = [f for f in sorted(files) if f != model]
        for paths in ((".",), ("main.py",), tuple(sorted(files)), tuple(reversed(sorted(files))),
                      (*others, model)):
            cases.append((name, paths))
    return cases


@pytest.mark.parametrize("name,paths", _order_cases())
def test_a_package_setup_counts_whatever_the_order_of_checking(name: str, paths: tuple[str, ...],
                                                               tmp_path: Path) -> None:
    files = ORDERS[name]
    for file, text in files.items():
        (tmp_path / file).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / file).write_text(text)
    model = next(f for f in files if f.endswith("model.py"))
    module = model.removesuffix(".py").replace("/", ".")
    run = subprocess.run([sys.executable, "-c", f"import {module}; print(sum(p.numel() for p in "
                          f"{module}.build().parameters()))\n"
                          "import runpy; g = runpy.run_path('main.py'); "
                          "print(sum(p.numel() for p in g['model'].parameters()))"],
                         cwd=tmp_path, capture_output=True, text=True, check=True)
    torchs = [int(n) for n in run.stdout.split()]
    report = subprocess.run([sys.executable, "-m", "paramlens", "check", "--no-cache", "--format",
                             "json", *paths], cwd=tmp_path, capture_output=True, text=True,
                            check=False)
    totals = {(f["path"].removeprefix("./"), m["name"]): m["params"]
              for f in json.loads(report.stdout)["files"] for m in f["models"]}
    ours = [totals.get((model, "build"), "not checked"), totals[("main.py", "model")]]
    if model not in paths and "." not in paths:
        ours[0] = torchs[0]  # (its file is not checked: main.py's model alone is shown)
    assert ours == torchs, (ours, torchs)


def model_totals(folder: Path, paths: tuple[str, ...] = (".",)) -> tuple[int | None, int]:
    """(our certain total of main.py's `model`, torch's), checking `paths`."""
    run = subprocess.run([sys.executable, "-c", "import runpy; g = runpy.run_path('main.py'); "
                          "print(sum(p.numel() for p in g['model'].parameters()))"],
                         cwd=folder, capture_output=True, text=True, check=True)
    report = subprocess.run([sys.executable, "-m", "paramlens", "check", "--no-cache", "--format",
                             "json", *paths], cwd=folder, capture_output=True, text=True,
                            check=False)
    (main,) = [f for f in json.loads(report.stdout)["files"] if f["path"].endswith("main.py")]
    line = 1 + [t.startswith("model =") for t in (folder / "main.py").read_text().splitlines()
                ].index(True)
    ours = [m["params"] for m in main["models"] if m["line"] == line]
    return (ours[0] if ours else None), int(run.stdout)


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_the_model_main_py_builds_is_counted_as_torch_counts_it(name: str, tmp_path: Path
                                                                ) -> None:
    for file, text in PROJECTS[name].items():
        (tmp_path / file).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / file).write_text(text)
    ours, torchs = model_totals(tmp_path)
    assert ours == torchs, (ours, torchs)
    # main.py alone: the other files are run only as its imports run them
    ours, torchs = model_totals(tmp_path, ("main.py",))
    assert ours in (None, torchs), (ours, torchs)
    if name in FIXED_BY_MAIN_ALONE:
        assert ours == torchs, (ours, torchs)


@pytest.mark.parametrize("file,builder", sorted(BUILDERS))
def test_a_builder_is_counted_as_a_fresh_import_builds_it(file: str, builder: str,
                                                          tmp_path: Path) -> None:
    for name, text in BUILDERS[(file, builder)].items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    module = file.removesuffix(".py").replace("/", ".")
    run = subprocess.run([sys.executable, "-c", f"import {module}; print(sum(p.numel() for p in "
                          f"{module}.{builder}().parameters()))"],
                         cwd=tmp_path, capture_output=True, text=True, check=True)
    report = subprocess.run([sys.executable, "-m", "paramlens", "check", "--no-cache", "--format",
                             "json", "."], cwd=tmp_path, capture_output=True, text=True,
                            check=False)
    (checked,) = [f for f in json.loads(report.stdout)["files"] if f["path"].endswith(file)]
    ours = [m["params"] for m in checked["models"] if m["name"] == builder]
    assert ours == [int(run.stdout)], (ours, run.stdout)


def test_a_scripts_builder_has_the_counts_of_both_runs(tmp_path: Path) -> None:
    """The Linear in build() is built with WIDTH 100 when script.py runs as a script, and with
    WIDTH 4 after `import script; script.build()`: its contexts are both counts, each torch's."""
    files = BUILDERS[("script.py", "build")]
    (tmp_path / "script.py").write_text(files["script.py"])
    run = subprocess.run([sys.executable, "-c", "import runpy, script\n"
                          "g = runpy.run_path('script.py', run_name='__main__')\n"
                          "print(g['net'][0].weight.numel() + g['net'][0].bias.numel())\n"
                          "layer = script.build()[0]\n"
                          "print(layer.weight.numel() + layer.bias.numel())\n"],
                         cwd=tmp_path, capture_output=True, text=True, check=True)
    torchs = {int(line) for line in run.stdout.split()}
    report = subprocess.run([sys.executable, "-m", "paramlens", "check", "--no-cache", "--format",
                             "json", "script.py"], cwd=tmp_path, capture_output=True, text=True,
                            check=False)
    (file,) = json.loads(report.stdout)["files"]
    line = 1 + files["script.py"].splitlines().index("    return nn.Sequential(nn.Linear(WIDTH, 2))")
    (layer,) = [layer for layer in file["layers"] if layer["line"] == line]
    assert len(torchs) == 2 and {c["params"] for c in layer["contexts"]} == torchs, (layer, torchs)
    assert layer["params"] is None  # no one count: it depends on how the file is run


def test_a_builder_is_counted_the_same_whatever_else_is_checked(tmp_path: Path) -> None:
    """pk/model.py's build() after `import pk.model`, which runs pk/__init__ and so pk/setup.py
    first: the same total when files beside it are checked too (each such file runs as an
    entry point of its own, and what it changes is put back, while the modules it imported stay
    loaded: pk/setup.py's turn leaves pk loaded, and pk.model's import then runs its setup
    again)."""
    for name, text in BUILDERS[("pk/model.py", "build")].items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    run = subprocess.run([sys.executable, "-c", "import pk.model; print(sum(p.numel() for p in "
                          "pk.model.build().parameters()))"],
                         cwd=tmp_path, capture_output=True, text=True, check=True)
    seen = {}
    for paths in (["pk/model.py"], ["pk/model.py", "pk/setup.py"], ["pk/__init__.py", "pk/model.py"],
                  ["pk/__init__.py", "pk/cfg.py", "pk/model.py", "pk/setup.py"],
                  ["pk/setup.py", "pk/model.py"], ["pk/cfg.py", "pk/model.py", "pk/setup.py"]):
        report = subprocess.run([sys.executable, "-m", "paramlens", "check", "--no-cache",
                                 "--format", "json", *paths], cwd=tmp_path, capture_output=True,
                                text=True, check=False)
        (checked,) = [f for f in json.loads(report.stdout)["files"]
                      if f["path"].endswith("model.py")]
        seen[" ".join(paths)] = [m["params"] for m in checked["models"] if m["name"] == "build"]
    assert all(found == [int(run.stdout)] for found in seen.values()), (seen, run.stdout)
