"""Run Python files for real and print, as JSON, what torch and Keras built at each call site
of each file: `python framework_recorder.py FILE...` (one process, the frameworks imported once,
each file run in a namespace of its own, one after the other).

Every layer class that torch.nn and keras.layers export gets its `__init__` wrapped. A call made
directly from FILE is recorded at the position of its call expression (line, column of the
callee's start, as `ast.Call` has them): the parameters torch counts on the built module, or
for Keras the layer itself, counted with `count_params()` after the file has run (Keras builds
weights lazily). A torch container (Sequential, ModuleList, ModuleDict, ParameterList,
ParameterDict) is counted after the file has run too, as the code left it: what it appends to
the container or deletes from it later is part of that model. A constructor that raises is
recorded as refused, with the framework's message. An exception that escapes the file ends the
run there, as Python would; what was built stays.
The expected numbers of the adversarial tests come from here, never from paramlens.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import torch  # noqa: E402

# Shapes only: a layer of a billion parameters is counted without allocating it.
torch.set_default_device("meta")

TARGET = ""  # the file being run
records: list[dict[str, Any]] = []
keras_layers: list[tuple[dict[str, Any], Any]] = []
torch_containers: list[tuple[dict[str, Any], Any]] = []
CONTAINERS = (torch.nn.Sequential, torch.nn.ModuleList, torch.nn.ModuleDict,
              torch.nn.ParameterList, torch.nn.ParameterDict)


def _site(frame: Any) -> tuple[int, int]:
    positions = list(frame.f_code.co_positions())[frame.f_lasti // 2]
    return positions[0], positions[2]


def _wrap(cls: type, framework: str) -> None:
    original = cls.__dict__.get("__init__")
    if original is None:
        return

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        caller = sys._getframe(1)
        if os.path.abspath(caller.f_code.co_filename) != TARGET or type(self) is not cls:
            original(self, *args, **kwargs)
            return
        line, column = _site(caller)
        record: dict[str, Any] = {"line": line, "column": column, "class": cls.__name__,
                                  "params": None, "refused": None}
        records.append(record)
        try:
            original(self, *args, **kwargs)
        except RecursionError:
            raise  # Python's stack ran out on the way: the framework refused nothing
        except Exception as error:  # the framework's own refusal
            record["refused"] = f"{type(error).__name__}: {error}"
            raise
        if framework == "torch" and isinstance(self, CONTAINERS):
            torch_containers.append((record, self))
        elif framework == "torch":
            record["params"] = sum(p.numel() for p in self.parameters())
        else:
            keras_layers.append((record, self))

    cls.__init__ = __init__  # type: ignore[misc]


for name in dir(torch.nn):
    value = getattr(torch.nn, name)
    if isinstance(value, type) and issubclass(value, torch.nn.Module) and value is not torch.nn.Module:
        _wrap(value, "torch")
for name in dir(keras.layers):
    value = getattr(keras.layers, name)
    if isinstance(value, type) and issubclass(value, keras.layers.Layer):
        _wrap(value, "keras")



def run(path: str) -> dict[str, Any]:
    global TARGET
    TARGET = os.path.abspath(path)
    records.clear()
    keras_layers.clear()
    torch_containers.clear()
    # each file is a program of its own: Keras' process-wide format as a fresh process has it
    keras.config.set_image_data_format("channels_last")
    escaped = None
    sys.path.insert(0, os.path.dirname(TARGET))  # as `python FILE` does, for its imports
    try:
        runpy.run_path(TARGET, run_name="__main__")
    except BaseException as error:  # noqa: BLE001 - the file's own failure is part of the record
        escaped = f"{type(error).__name__}: {error}"[:300]
    finally:
        sys.path.remove(os.path.dirname(TARGET))
    for record, layer in keras_layers:
        record["params"] = layer.count_params() if layer.built else None
    for record, container in torch_containers:
        record["params"] = sum(p.numel() for p in container.parameters())
    return {"records": list(records), "escaped": escaped}


print(json.dumps({path: run(path) for path in sys.argv[1:]}))
