"""What the e2e's notebook case must show, from torch itself, never from paramlens:
`python torch_notebook.py NOTEBOOK.ipynb` runs the notebook's code cells in order in one
namespace (as a kernel would) and prints, as JSON, the layers built directly by the last code
cell: their cell, line, call text, class, torch's parameter count, and which of the names that
earlier cells bound each one's call uses.

It exits non-zero when the last cell builds no layer that takes a name from an earlier cell:
then the notebook cannot show what the e2e is there to show (counts that need the cells read
as one program).
"""

from __future__ import annotations

import json
import re
import sys
import types
from typing import Any

import torch

CELL_FILE = "<cell {}>"


def _runnable(source: str) -> str:
    """The cell as Python gets it: IPython's own lines (magics, shell escapes) never reach
    Python in Jupyter, so each becomes `pass`, keeping the line numbers and indentation."""
    lines = source.splitlines()
    if lines and lines[0].startswith("%%"):  # a cell magic: the whole cell is IPython's
        return "\n" * len(lines)
    kept = []
    for text in lines:
        stripped = text.lstrip()
        kept.append(text[:len(text) - len(stripped)] + "pass" if stripped.startswith(("%", "!")) else text)
    return "\n".join(kept)


def main(path: str) -> int:
    notebook = json.loads(open(path, encoding="utf-8").read())
    code = [(number, "".join(cell["source"])) for number, cell in enumerate(notebook["cells"], 1)
            if cell["cell_type"] == "code"]
    last_number, last_source = code[-1]
    last_file = CELL_FILE.format(last_number)

    # Every module construction called directly from the last cell, at its call expression
    # (Python 3.11's positions): the module is counted once the cells have run.
    built: list[tuple[torch.nn.Module, int, int, int]] = []
    original = torch.nn.Module.__init__

    def recording(self: torch.nn.Module, *args: Any, **kwargs: Any) -> None:
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename != last_file:
            frame = frame.f_back
        # a subclass's __init__ calls this once; the first call per object is its construction
        if frame is not None and not any(module is self for module, *_ in built):
            line, end_line, column, end_column = list(frame.f_code.co_positions())[frame.f_lasti // 2]
            if line == end_line and line is not None and column is not None and end_column is not None:
                built.append((self, line, column, end_column))
        original(self, *args, **kwargs)

    torch.nn.Module.__init__ = recording  # type: ignore[method-assign]
    namespace: dict[str, Any] = {}
    earlier: set[str] = set()
    for number, source in code:
        if number == last_number:
            # the values (not modules, not IPython's or Python's own) that earlier cells bound
            earlier = {name for name, value in namespace.items()
                       if not name.startswith("_") and not isinstance(value, types.ModuleType)}
        exec(compile(_runnable(source), CELL_FILE.format(number), "exec"), namespace)
    torch.nn.Module.__init__ = original  # type: ignore[method-assign]

    lines = last_source.splitlines()
    layers = []
    for module, line, column, end_column in built:
        count = sum(p.numel() for p in module.parameters())
        # a layer, not a container of layers (whose count is a model total, shown as a lens),
        # and one with parameters (a layer that owns none gets no hint)
        if list(module.children()) or count == 0:
            continue
        call = lines[line - 1][column:end_column]
        uses = sorted(name for name in earlier if re.search(rf"\b{re.escape(name)}\b", call))
        layers.append({"line": line, "text": lines[line - 1], "call": call,
                       "class": type(module).__name__, "params": count, "uses": uses})
    if not any(layer["uses"] for layer in layers):
        print(f"{path}: its last code cell (cell {last_number}) builds no layer from a name "
              f"that an earlier cell binds ({sorted(earlier)})", file=sys.stderr)
        return 1
    print(json.dumps({"cell": last_number, "layers": layers}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
