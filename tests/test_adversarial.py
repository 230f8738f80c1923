"""Hostile and unusual files (tests/adversarial/): for each layer, our certain count equals the
framework's, or we give none; nothing is dropped, nothing crashes, no run takes over 5 s.

Each file is run for real by framework_recorder.py, which wraps every torch.nn and keras.layers
class and records, at each call site of the file, the count of what the framework built or the
exception by which it refused. Lines marked `# bomb` would not finish in Python either: the
recorder runs the file with them replaced by `pass`, and the file is written so that what they
bind is overwritten or unused.

Then `paramlens check --format json` on the file itself:
- a site the framework refused anywhere: we give no count (params and every context);
- a site the framework built: our certain count, and each context's, is one the framework built
  there (a site built several times with different counts can have no one certain count);
- a built site that owns parameters is in our report (never dropped);
- no traceback on stderr, and the whole run in under 5 s.
"""

from __future__ import annotations

import json
import re
import runpy
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from runtime_compare import disagreements, framework_records

HERE = Path(__file__).resolve().parent
FILES = sorted((HERE / "adversarial").glob("*.py"))
SECONDS = 5.0


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Every file run once by the recorder, `# bomb` lines replaced by `pass`."""
    folder = tmp_path_factory.mktemp("adversarial")
    shutil.copytree(HERE / "adversarial" / "modules", folder / "modules")  # what they import
    runnable = []
    for path in FILES:
        copy = folder / path.name
        copy.write_text(re.sub(r"^(\s*).*# bomb$", r"\1pass", path.read_text(), flags=re.M))
        runnable.append(copy)
    return framework_records(runnable)


def our_report(path: Path) -> tuple[dict, float, str]:
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "paramlens", "check", "--format", "json",
                          path.name], cwd=path.parent, capture_output=True, text=True,
                         timeout=60, check=False)
    elapsed = time.perf_counter() - start
    return json.loads(run.stdout), elapsed, run.stderr


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_certain_counts_are_the_frameworks(path: Path, recorded: dict[str, dict]) -> None:
    report, elapsed, stderr = our_report(path)
    assert "Traceback" not in stderr, stderr
    assert elapsed < SECONDS, f"paramlens check took {elapsed:.1f} s"
    (file,) = report["files"]
    problems = disagreements(recorded[path.name], file)
    assert not problems, "\n".join(problems)


def test_sizes_imported_from_a_project_module_are_counted(recorded: dict[str, dict]) -> None:
    """`from modules.widths import WIDTH` fixes every size in from_import.py: each layer there
    has the count the framework built, not only no wrong one."""
    path = HERE / "adversarial" / "from_import.py"
    report, _elapsed, _stderr = our_report(path)
    (file,) = report["files"]
    # a call inside a helper fixes no count by itself: the count of its one context is shown
    ours = {(layer["line"], layer["column"] - 1):
            layer["params"] if layer["params"] is not None else
            {c["params"] for c in layer["contexts"]}.pop() if len(layer["contexts"]) == 1 else None
            for layer in file["layers"]}
    built = {(r["line"], r["column"]): r["params"] for r in recorded[path.name]["records"]
             if r["class"] not in ("Sequential",)}
    assert built and all(ours.get(site) == count for site, count in built.items()), (ours, built)


def test_a_layer_past_an_internal_limit_says_why() -> None:
    """The call whose argument is nested deeper than the walk can go is still reported, with no
    count and the reason; the layers around it keep theirs."""
    report, _elapsed, _stderr = our_report(HERE / "adversarial" / "deep_argument.py")
    (file,) = report["files"]
    by_line = {layer["line"]: layer for layer in file["layers"]}
    assert by_line[4]["params"] is None and by_line[4]["params_default"] is None
    assert any("nested too deeply" in u for u in by_line[4]["unknowns"]), by_line[4]["unknowns"]
    assert by_line[3]["params"] == 224 and by_line[5]["params"] == 580  # 8·3·9+8, 4·16·9+4


def test_a_call_through_a_shadowed_import_is_not_the_frameworks(recorded: dict[str, dict]) -> None:
    """After `nn = None`, `nn.Conv2d(3, 16, 3)` builds nothing (Python raises AttributeError, as
    the recorder sees): no count may stand on that line."""
    path = HERE / "adversarial" / "shadow_none.py"
    line = 1 + path.read_text().split("\n").index("    a = nn.Conv2d(3, 16, 3)")
    assert not [r for r in recorded[path.name]["records"] if r["line"] == line]
    report, _elapsed, _stderr = our_report(path)
    (file,) = report["files"]
    assert [layer["params"] for layer in file["layers"] if layer["line"] == line] in ([], [None])


def _by_line(name: str) -> dict[int, dict]:
    report, _elapsed, _stderr = our_report(HERE / "adversarial" / name)
    (file,) = report["files"]
    return {layer["line"]: layer for layer in file["layers"]}


def test_type_checking_is_false_when_the_model_is_built(recorded: dict[str, dict]) -> None:
    """`if TYPE_CHECKING:` (from typing, or typing.TYPE_CHECKING) takes its else arm when Python
    runs the file: every layer has the count the framework built there, not only no wrong one."""
    ours = {line: layer["params"] for line, layer in _by_line("type_checking.py").items()}
    built = {r["line"]: r["params"] for r in recorded["type_checking.py"]["records"]}
    assert built and ours == built, (ours, built)


def test_an_import_cut_by_its_budget_leaves_no_earlier_value(recorded: dict[str, dict]) -> None:
    """modules/import_time_table.py fills a 490,000-entry table between `WIDTH = 3` and
    `WIDTH = 64`. Its import stops at the module budget: WIDTH is then unknown (never 3), and the
    importing file goes on, its own layers counted as the framework built them."""
    layers = _by_line("import_time_table.py")
    built = {r["line"]: r["params"] for r in recorded["import_time_table.py"]["records"]}
    assert built[5] == 9_232 and layers[5]["params"] is None  # 16·64·9 + 16, not 16·3·9 + 16
    assert {c["params"] for c in layers[5]["contexts"]} <= {None, 9_232}
    assert layers[7]["params"] == built[7] == 224


def test_a_module_body_cut_by_its_budget_leaves_no_earlier_value_whoever_runs_it(
        recorded: dict[str, dict], tmp_path: Path) -> None:
    """The same two files side by side, the table module checked too and run first (as its own
    entry point, its path sorting first): what its names hold does not depend on that. Its
    body stops at the same budget as when imported, and WIDTH is unknown, never the 3 bound
    before the table (torch builds 16·64·9 + 16 there)."""
    module = (HERE / "adversarial" / "modules" / "import_time_table.py").read_text()
    user = (HERE / "adversarial" / "import_time_table.py").read_text()
    (tmp_path / "a_table.py").write_text(module)
    (tmp_path / "z_user.py").write_text(user.replace("from modules.import_time_table import",
                                                     "from a_table import"))
    built = {r["line"]: r["params"] for r in recorded["import_time_table.py"]["records"]}
    assert built[5] == 9_232
    for paths in (["a_table.py", "z_user.py"], ["z_user.py"]):
        run = subprocess.run([sys.executable, "-m", "paramlens", "check", "--no-cache",
                              "--format", "json", *paths], cwd=tmp_path, capture_output=True,
                             text=True, timeout=60, check=False)
        (file,) = [f for f in json.loads(run.stdout)["files"] if f["path"].endswith("z_user.py")]
        layer = next(layer for layer in file["layers"] if layer["line"] == 5)
        assert layer["params"] is None, (paths, layer)
        assert {c["params"] for c in layer["contexts"]} <= {None, built[5]}, (paths, layer)


def test_an_entry_point_stopped_part_way_leaves_no_half_done_global(
        recorded: dict[str, dict]) -> None:
    """configure() sets the global WIDTH to 3 and back to 64 around a table past the budget.
    The evaluation stops inside it; build(), evaluated after it, must not read the 3: its
    total is torch's (Conv2d(64, 16, 3), as the file's own call built it) or none."""
    report, _elapsed, _stderr = our_report(HERE / "adversarial" / "global_set_before_budget.py")
    (file,) = report["files"]
    built = {r["line"]: r["params"] for r in recorded["global_set_before_budget.py"]["records"]}
    assert built[21] == 64 * 16 * 9 + 16
    (build,) = [m for m in file["models"] if m["name"] == "build"]
    assert build["params"] in (None, built[21]), build
    assert build["params_default"] in (None, built[21]), build


def test_a_call_too_deep_to_follow_leaves_what_it_could_change_unknown(
        recorded: dict[str, dict]) -> None:
    """grow(60) and register(60) each change the module (a global, a list) only at the bottom
    of a recursion deeper than the evaluation follows, and the file's own walk follows no call:
    after them, each count is torch's or none, in the report and in the file's own analysis."""
    from paramlens.engine.analysis import analyze_source

    built = {r["line"]: r["params"]
             for r in recorded["global_set_at_recursion_bottom.py"]["records"]}
    assert built[19] == 64 * 16 * 9 + 16
    layers = _by_line("global_set_at_recursion_bottom.py")
    assert layers[19]["params"] in (None, built[19]), layers[19]
    path = HERE / "adversarial" / "registry_filled_at_recursion_bottom.py"
    report, _elapsed, _stderr = our_report(path)
    (file,) = report["files"]
    (sequential,) = [m for m in file["models"] if m["line"] == 19]
    assert sequential["params"] in (None, 448) and sequential["params_default"] in (None, 448)
    (own,) = [m for m in analyze_source(path.read_text()).models if m.span.line == 19]
    assert own.unknown_layers > 0 or own.params == 448, own  # a total with unknowns is "at least"


def test_a_decorator_that_fills_a_module_list_is_a_call() -> None:
    """@register appends to LAYERS when the def runs: the file's own walk, which follows no
    call, must not keep LAYERS empty (a Sequential certain at 0); the evaluation runs it."""
    from paramlens.engine.analysis import analyze_source

    path = HERE / "adversarial" / "registry_filled_by_decorator.py"
    (own,) = [m for m in analyze_source(path.read_text()).models if m.span.line == 19]
    assert own.unknown_layers > 0 or own.params == 448, own
    report, _elapsed, _stderr = our_report(path)
    (file,) = report["files"]
    (sequential,) = [m for m in file["models"] if m["line"] == 19]
    assert sequential["params"] == 448, sequential  # nn.Conv2d(3, 16, 3): 16·3·9 + 16


def test_a_class_attribute_assigned_elsewhere_is_not_the_class_bodys(
        recorded: dict[str, dict]) -> None:
    """`cls.WIDTH = 64` in a classmethod called before the conv: the file's own walk (which
    follows no call) must not take the class body's WIDTH = 3 as certain; the report has
    torch's count."""
    from paramlens.engine.analysis import analyze_source

    path = HERE / "adversarial" / "class_attribute_set_by_classmethod.py"
    built = {r["line"]: r["params"]
             for r in recorded["class_attribute_set_by_classmethod.py"]["records"]}
    assert built[16] == 64 * 16 * 9 + 16
    (own,) = analyze_source(path.read_text()).layers
    assert own.params in (None, built[16]) and own.params_default in (None, built[16]), own
    assert _by_line(path.name)[16]["params"] == built[16]


def test_a_lambda_changes_nothing_until_it_is_called() -> None:
    """`add = lambda: REG.append(conv)`, never called: REG stays empty. The file's own walk
    reads the lambda's body for its layers without running it; the report says 0."""
    from paramlens.engine.analysis import analyze_source

    path = HERE / "adversarial" / "lambda_never_called.py"
    (own,) = analyze_source(path.read_text()).models
    assert own.unknown_layers > 0 or own.params == 0, own
    report, _elapsed, _stderr = our_report(path)
    (file,) = report["files"]
    (sequential,) = file["models"]
    assert sequential["params"] == 0, sequential  # torch.nn.Sequential() owns no parameter


def test_a_recursion_on_unfixed_arguments_ends(recorded: dict[str, dict]) -> None:
    """A directory walk that calls itself on `entry.path` (unknown here) stops at the first
    call into itself; the layers after it keep their counts."""
    layers = _by_line("recursion_unfixed.py")
    built = {r["line"]: r["params"] for r in recorded["recursion_unfixed.py"]["records"]}
    assert layers[23]["params"] == built[23] == 448


def test_a_remembered_call_is_not_replayed_after_a_module_name_it_read_changes(
        recorded: dict[str, dict]) -> None:
    """`make()` reads WIDTH from its module; between its calls the module rebinds WIDTH (at top
    level, through `global`, and as another module's attribute). Each call builds what Python
    builds with the width of the moment: no replay of an earlier call's layer."""
    import torch

    folder = HERE / "adversarial"
    run = subprocess.run([sys.executable, "-m", "paramlens", "check", "--format", "json",
                          "memo_module_rebound.py", "modules/rebound_width.py"], cwd=folder,
                         capture_output=True, text=True, timeout=60, check=False)
    ours = {file["path"]: {c["params"] for layer in file["layers"] for c in layer["contexts"]}
            for file in json.loads(run.stdout)["files"]}
    built = {r["params"] for r in recorded["memo_module_rebound.py"]["records"]}
    assert built == {36, 68, 132} and ours["memo_module_rebound.py"] == built
    # modules/rebound_width.py's make(), run with WIDTH 8 then 24
    other = {sum(p.numel() for p in torch.nn.Linear(width, 4).parameters()) for width in (8, 24)}
    assert ours["modules/rebound_width.py"] == other


def test_a_replayed_call_claims_only_its_own_assumptions() -> None:
    """`make(4)` is first remembered while the decorated `builder` runs; `Net` replays it. Net's
    total rests on no decorator, so it is certain, and is torch's."""
    import runpy

    path = HERE / "adversarial" / "memo_assumption.py"
    net = runpy.run_path(str(path))["Net"]()
    report, _elapsed, _stderr = our_report(path)
    (file,) = report["files"]
    totals = {model["name"]: model for model in file["models"]}
    assert totals["Net"]["params"] == sum(p.numel() for p in net.parameters())
    assert totals["Net"]["assumptions"] == []
    assert totals["builder"]["assumptions"] == ["@register returns the function it decorates"]


# Files whose every size the code fixes, each about one rule of how Python runs code: every
# module-level model must get a certain total, the one torch builds (not merely no wrong one).
EXACTLY_COUNTED = ["generator_never_consumed.py", "generator_interleaved.py",
                   "generator_partly_consumed.py", "iterate_while_changing.py",
                   "method_resolution_order.py", "property_setter.py",
                   "class_body_comprehension.py", "module_members_removed.py",
                   "modules_changed_in_passing.py", "module_init_forgotten.py",
                   "attribute_dict.py", "module_held_by_plain_object.py",
                   "frozen_by_parameter_loops.py", "arguments_refused.py",
                   "containers_and_layer_subclasses.py", "class_creation_hooks.py",
                   "transformer_layers_and_losses.py", "framework_submodules_changed.py",
                   "layer_subclass_submodules.py", "module_changes_torch_follows.py",
                   "init_hook_overridden.py", "module_called_while_built.py",
                   "super_in_its_older_forms.py", "container_subclass_changed_in_init.py",
                   "cached_builders.py", "module_init_run_twice.py",
                   "decorator_returns_what_it_decorates.py", "private_names_mangled.py",
                   "framework_class_replaced.py", "config_attribute_hooks.py",
                   "iterators_used_up.py", "dict_views_are_live.py",
                   "sequential_subclass_sliced.py", "attributes_of_containers_and_configs.py",
                   "module_getattr_overridden.py"]


_MODEL_TOTALS = """
import json, runpy, sys
import torch
namespace = runpy.run_path(sys.argv[1])
print(json.dumps({var: [sum(p.numel() for p in value.parameters()),
                        sum(p.numel() for p in value.parameters() if p.requires_grad)]
                  for var, value in namespace.items()
                  if isinstance(value, torch.nn.Sequential) or  # not a bare layer
                  isinstance(value, torch.nn.Module) and
                  not type(value).__module__.startswith("torch.")}))
"""


def _framework_totals(path: Path, script: str) -> dict[int, Any]:
    """What `script` prints for each module-level model of the file (a JSON object by variable),
    by the line of its assignment: the file run as `python FILE` runs it, in a process of its
    own (it may rewrite a module it imports), its folder first on sys.path."""
    import ast

    run = subprocess.run([sys.executable, "-c", script, path.name], cwd=path.parent,
                         capture_output=True, text=True, timeout=300, check=True)
    totals = json.loads(run.stdout.strip().splitlines()[-1])
    lines = {target.id: stmt.lineno for stmt in ast.parse(path.read_text()).body
             if isinstance(stmt, ast.Assign) for target in stmt.targets
             if isinstance(target, ast.Name)}
    return {lines[var]: total for var, total in totals.items() if var in lines}


def _module_level_totals(path: Path, trainable: bool = False) -> dict[int, int]:
    """torch's total (or, with `trainable`, the trainable part of it) of each module-level model
    of the file."""
    return {line: pair[trainable] for line, pair in _framework_totals(path, _MODEL_TOTALS).items()}


def _no_certain_total_differs(path: Path, built: dict[int, int]) -> dict[int, dict]:
    """Our models of the file, by line, after checking that none of those the framework built has
    a certain total (or one if defaults hold) other than the framework's."""
    report, _elapsed, _stderr = our_report(path)
    (file,) = report["files"]
    ours = {m["line"]: m for m in file["models"]}
    for line, total in built.items():
        assert ours[line]["params"] in (None, total), (line, ours[line], total)
        assert ours[line]["params_default"] in (None, total), (line, ours[line], total)
    return ours


@pytest.mark.parametrize("name", EXACTLY_COUNTED)
def test_models_built_by_python_semantics_are_counted_exactly(name: str) -> None:
    path = HERE / "adversarial" / name
    built = _module_level_totals(path)
    assert built, "the file builds no model"
    report, _elapsed, _stderr = our_report(path)
    (file,) = report["files"]
    ours = {m["line"]: m["params"] for m in file["models"]}
    assert {line: ours.get(line) for line in built} == built


def test_a_model_holding_what_the_evaluator_cannot_work_out_has_no_certain_total() -> None:
    """A submodule the evaluator has no value for (a torch function it does not model, a pick
    by a key the code does not fix, a quantized layer) may hold weights: the model's total is
    unknown, never the sum of the rest. (The generic check above looks at layers, and at the
    totals of containers only.)"""
    path = HERE / "adversarial" / "submodule_not_evaluated.py"
    built = _module_level_totals(path)
    assert len(built) == 3
    _no_certain_total_differs(path, built)


@pytest.mark.parametrize(("name", "models"), [("module_arguments_with_weights.py", 4),
                                             ("framework_submodules_escaped.py", 2),
                                             ("layers_changed_under_a_condition.py", 5),
                                             ("module_changes_not_followed.py", 25),
                                             ("attribute_named_by_the_environment.py", 1),
                                             ("optional_dependency.py", 3),
                                             ("leaving_where_the_code_does_not_fix.py", 9),
                                             ("construction_overridden.py", 6),
                                             ("base_not_fixed_by_the_code.py", 1),
                                             ("helpers_never_called.py", 4)])
def test_modules_a_layer_holds_leave_no_certain_total_but_torchs(name: str, models: int) -> None:
    """A Transformer layer keeps a module `activation` as a submodule, nn.Transformer a custom
    encoder, TransformerEncoder copies of its layer; a layer's submodule may be handed to
    another module: where the evaluator cannot count what such a module holds, the total is
    unknown, never the layer's own count alone."""
    path = HERE / "adversarial" / name
    built = _framework_totals(path, _MODEL_TOTALS)
    assert len(built) == models
    ours = _no_certain_total_differs(path, {line: pair[0] for line, pair in built.items()})
    for line, (_total, trainable) in built.items():
        assert ours[line]["trainable"] in (None, trainable), (line, ours[line], trainable)


@pytest.mark.parametrize("name", ["frozen_by_parameter_loops.py",
                                  "transformer_layers_and_losses.py",
                                  "framework_submodules_changed.py",
                                  "module_changes_torch_follows.py", "cached_builders.py"])
def test_parameters_frozen_one_by_one_are_not_counted_as_trainable(name: str) -> None:
    """The trainable part of each total, against torch's `requires_grad`, where fine-tuning code
    freezes parameters in loops over `parameters()` and `named_parameters()`, or freezes a
    module whose layers are copies of another (`TransformerDecoder.requires_grad_(False)`)."""
    path = HERE / "adversarial" / name
    built = _module_level_totals(path, trainable=True)
    assert built, "the file builds no model"
    report, _elapsed, _stderr = our_report(path)
    (file,) = report["files"]
    ours = {m["line"]: m["trainable"] for m in file["models"]}
    assert {line: ours.get(line) for line in built} == built


def test_requires_grad_set_under_an_unfixed_condition_leaves_trainable_unknown() -> None:
    """Parameters frozen in one arm of a condition the code does not fix: the total stays
    certain, the trainable part is unknown (torch's on this run is one of two), never a guess."""
    path = HERE / "adversarial" / "layers_changed_under_a_condition.py"
    built = _framework_totals(path, _MODEL_TOTALS)
    report, _elapsed, _stderr = our_report(path)
    (file,) = report["files"]
    ours = {m["line"]: m for m in file["models"]}
    for line, (_total, trainable) in built.items():
        assert ours[line]["trainable"] in (None, trainable), (line, ours[line], trainable)
    frozen_maybe = next(m for m in file["models"] if m["name"] == "frozen_maybe")
    assert (frozen_maybe["params"], frozen_maybe["trainable"]) == (built[frozen_maybe["line"]][0],
                                                                   None)


def test_a_try_whose_calls_are_all_followed_keeps_its_count() -> None:
    """A `try` body calls only what the evaluator follows, and a loop's `continue` is under a
    condition the code fixes: the handler never runs, the loop's passes are known, and the total
    is certain (the file's other models are not: see the test above)."""
    path = HERE / "adversarial" / "leaving_where_the_code_does_not_fix.py"
    built = _module_level_totals(path)
    report, _elapsed, _stderr = our_report(path)
    (file,) = report["files"]
    followed = next(m for m in file["models"] if m["name"] == "followed")
    assert followed["params"] == built[followed["line"]]


_KERAS_TOTALS = """
import json, os, runpy, sys
os.environ["KERAS_BACKEND"] = "torch"
import keras
namespace = runpy.run_path(sys.argv[1])
print(json.dumps({var: value.count_params() for var, value in namespace.items()
                  if isinstance(value, keras.Model)}))
"""


# Keras files whose every model gets a certain total, Keras' own; and files where some total
# must stay unknown (weights no formula counts, a tensor the evaluator does not follow), and
# none may be certain and wrong.
KERAS_EXACTLY_COUNTED = ["keras_layers_and_models.py", "keras_trainable_flags.py",
                         "keras_merge_broadcast.py", "keras_model_from_an_inner_tensor.py",
                         "keras_weights_added_twice.py", "keras_layers_never_untracked.py"]
KERAS_NEVER_WRONG = ["keras_layer_not_evaluated.py", "keras_weights_not_counted.py",
                     "keras_transposed_output_padding.py"]


@pytest.mark.parametrize("name", KERAS_EXACTLY_COUNTED + KERAS_NEVER_WRONG)
def test_keras_model_totals_are_keras_own_or_unknown(name: str) -> None:
    path = HERE / "adversarial" / name
    built = _framework_totals(path, _KERAS_TOTALS)
    assert built, "the file builds no model"
    ours = _no_certain_total_differs(path, built)
    if name in KERAS_EXACTLY_COUNTED:
        assert {line: ours[line]["params"] for line in built} == built


_KERAS_TRAINABLE = """
import json, os, runpy, sys
os.environ["KERAS_BACKEND"] = "torch"
import keras
namespace = runpy.run_path(sys.argv[1])
print(json.dumps({var: sum(int(w.numpy().size) for w in value.trainable_weights)
                  for var, value in namespace.items() if isinstance(value, keras.Model)}))
"""


@pytest.mark.parametrize(("name", "models"), [("keras_trainable_flags.py", 10),
                                             ("keras_layers_by_index.py", 2)])
def test_keras_trainable_flags_are_keras_own(name: str, models: int) -> None:
    """The trainable part of each Keras model's total, against `trainable_weights`, where the
    code sets `trainable` on layers and models, before and after they are built, and on a
    functional model's layers picked by their index."""
    path = HERE / "adversarial" / name
    built = _framework_totals(path, _KERAS_TRAINABLE)
    assert len(built) >= models
    report, _elapsed, _stderr = our_report(path)
    (file,) = report["files"]
    ours = {m["line"]: m["trainable"] for m in file["models"]}
    assert {line: ours.get(line) for line in built} == built


def test_keras_layers_picked_where_the_order_is_not_fixed_leave_trainable_unknown() -> None:
    """A branched model's `layers[:2]`, `get_layer(name)`, `get_layer(index=0)`: the trainable
    part is Keras' own or unknown (the layers' order is Keras' depth order, not the order they
    were made in; `get_layer` is not followed)."""
    path = HERE / "adversarial" / "keras_layers_order_not_fixed.py"
    built = _framework_totals(path, _KERAS_TRAINABLE)
    assert len(built) == 3
    report, _elapsed, _stderr = our_report(path)
    (file,) = report["files"]
    ours = {m["line"]: m["trainable"] for m in file["models"]}
    for line, trainable in built.items():
        assert ours[line] in (None, trainable), (line, ours[line], trainable)


@pytest.mark.parametrize("name", ["keras_merge_refused.py", "keras_pool_too_large.py",
                                  "keras_rnn_rank_refused.py",
                                  "keras_global_pool_rank_refused.py",
                                  "keras_layer_reused_on_other_channels.py"])
def test_inputs_keras_refuses_leave_no_certain_total(name: str) -> None:
    """A merge of clashing shapes, a pooling window larger than its input, an LSTM handed a
    rank-2 input: Keras raises while the model is built, so no model of the file gets a
    certain total."""
    path = HERE / "adversarial" / name
    run = subprocess.run([sys.executable, "-c", _KERAS_TOTALS, path.name], cwd=path.parent,
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode != 0 and "ValueError" in run.stderr
    report, _elapsed, _stderr = our_report(path)
    (file,) = report["files"]
    assert file["error"] is None and file["layers"]
    models = [m for m in file["models"] if m["kind"] != "Input"]
    assert all(m["params"] is None for m in models), models


def test_a_module_wrapped_and_left_alone_keeps_its_total(recorded: dict[str, dict]) -> None:
    """nn.DataParallel(kept) and torch.compile(kept) change nothing in `kept`: its total is
    certain, and the framework's; the modules changed through a wrapper have none."""
    for name in ("modules_changed_through_wrappers.py",
                 "modules_changed_through_wrappers_in_a_function.py"):
        report, _elapsed, _stderr = our_report(HERE / "adversarial" / name)
        (file,) = report["files"]
        totals = {model["line"]: model["params"] for model in file["models"]}
        built = {r["line"]: r["params"] for r in recorded[name]["records"]
                 if r["class"] == "Sequential"}
        kept = 1 + (HERE / "adversarial" / name).read_text().split("\n").index(
            "kept = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))")
        assert totals[kept] == built[kept] == 58, (totals, built)
        assert all(totals[line] is None for line in built if line != kept), (totals, built)


def test_a_builder_python_stops_part_way_has_no_total() -> None:
    """Each `refused_*` builder of operations_python_refuses.py raises when Python runs it (an
    attribute of None, None iterated, torch.tensor(None)); we show no total for it, never the
    total of what it built before the raise."""
    path = HERE / "adversarial" / "operations_python_refuses.py"
    names = [name for name in runpy.run_path(str(path)) if name.startswith("refused_")]
    assert len(names) == 3
    functions = runpy.run_path(str(path))
    for name in names:
        with pytest.raises((AttributeError, TypeError, RuntimeError)):
            functions[name]()
    report, _elapsed, _stderr = our_report(path)
    (file,) = report["files"]
    totals = {model["name"]: model["params"] for model in file["models"]}
    assert {name: totals.get(name) for name in names} == dict.fromkeys(names), totals


def test_each_builder_is_counted_as_a_fresh_import_calls_it() -> None:
    """helpers_never_called.py: each builder's certain total is what calling it returns right
    after the file is run (a fresh `runpy`), whatever the builders before it changed; and the
    module-level models are as the body built them (the recorder checks those)."""
    path = HERE / "adversarial" / "helpers_never_called.py"
    report, _elapsed, _stderr = our_report(path)
    (file,) = report["files"]
    ours = {m["name"]: (m["params"], m["trainable"]) for m in file["models"]}
    for builder in ("build", "heads", "with_new_head", "class_width", "tied_model"):
        model = runpy.run_path(str(path))[builder]()
        torchs = (sum(p.numel() for p in model.parameters()),
                  sum(p.numel() for p in model.parameters() if p.requires_grad))
        assert ours.get(builder, torchs) == torchs, (builder, ours.get(builder), torchs)
    assert ours["build"][0] == 5 and ours["with_new_head"][0] == 162, ours
    assert ours["tied_model"][0] == 144, ours
    lines = path.read_text().splitlines()
    at = {m["line"]: (m["params"], m["trainable"]) for m in file["models"]}
    model, whole = (1 + lines.index(text) for text in (
        "model = nn.Sequential(nn.Linear(4, 4))", "whole = nn.Sequential(backbone, model)"))
    built = runpy.run_path(str(path))
    assert sum(p.numel() for p in built["whole"].parameters() if p.requires_grad) == 128
    assert at[model] == (20, 20) and at[whole] == (128, 128), at
