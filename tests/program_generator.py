"""Small random programs that build torch or Keras layers the way model code does: integers
carried through assignments, branches, loops, lists, helpers, globals, walrus and exceptions,
then layers built from them (Keras: a Sequential of what was collected, and a functional model
through a helper that takes a tensor and returns one). Each program is valid Python that
terminates; some of the layers it builds are ones the framework refuses. Seeded: the same seed
gives the same programs."""

from __future__ import annotations

import random

NAMES = ("a", "b", "c", "d")
KEYS = ("'w'", "'v'")


class ProgramWriter:
    def __init__(self, rng: random.Random, framework: str = "torch") -> None:
        self.rng = rng
        self.framework = framework
        self.lines: list[str] = []
        self.depth = 0

    def emit(self, line: str) -> None:
        self.lines.append("    " * self.depth + line)

    def name(self) -> str:
        return self.rng.choice(NAMES)

    def small(self) -> int:
        return self.rng.randint(1, 9)

    def expr(self) -> str:
        r = self.rng.random()
        if r < 0.3:
            return str(self.rng.choice([1, 2, 3, 4, 8, 16, 0, -1]))
        if r < 0.5:
            return f"{self.name()} % {self.small() + 4} + 1"
        if r < 0.65:
            return f"{self.name()} * 2"
        if r < 0.75:
            return f"widen({self.name()})"
        if r < 0.85:
            return f"(lst[-1] if lst else {self.small()})"
        return f"{self.name()} + {self.name()}"

    def statement(self, budget: int) -> None:
        rng = self.rng
        choice = rng.randrange(20)
        n = self.name()
        if choice <= 3 or budget <= 0:
            self.emit(f"{n} = {self.expr()}")
        elif choice == 4:
            self.emit(f"{n} += {self.small()}")
        elif choice == 5:
            self.emit(f"if {self.name()} > {self.small()}:")
            self.block(budget)
            if rng.random() < 0.5:
                self.emit("else:")
                self.block(budget)
        elif choice == 6:
            self.emit(f"for _ in range({rng.randint(0, 3)}):")
            self.block(budget)
        elif choice == 7:
            self.emit(f"while {n} < {rng.randint(5, 40)}:")
            self.depth += 1
            self.emit(f"{n} = abs({n}) * 2 + 1")
            self.depth -= 1
        elif choice == 8:
            self.emit(rng.choice([f"lst.append({n})", "lst.reverse()", f"grow(lst, {n})",
                                  f"lst.insert(0, {n})", "lst.pop() if lst else None",
                                  f"lst[:] = [{n}, {self.name()}]", "lst.sort()"]))
        elif choice == 9:
            self.emit(f"if ({n} := {self.expr()}) > {self.small()}:")
            self.block(budget)
        elif choice == 10:
            self.emit("try:")
            self.depth += 1
            self.emit(f"{n} = {self.expr()}")
            if rng.random() < 0.6:
                self.emit("raise ValueError('stop')")
            self.emit(f"{self.name()} = {self.expr()}")
            self.depth -= 1
            self.emit("except ValueError:")
            self.block(budget)
        elif choice == 11:
            self.emit(f"reset_{n}()")
        elif choice == 12:
            # over a copy: a body that appends to lst would make Python loop forever
            iterable = rng.choice(["tuple(lst)", "(2, 5)", "range(3)", "reversed(tuple(lst))"])
            self.emit(f"for {n} in {iterable}:")
            self.block(budget)
        elif choice == 13:
            self.emit(f"{n} = [{self.name()} for _ in range(2)][-1]")
        elif choice == 16:
            self.emit(f"cfg[{rng.choice(KEYS)}] = {self.expr()}")
        elif choice == 17:
            self.emit(f"Cfg.w = {self.expr()}")
        elif choice == 18 and self.framework == "torch":
            self.emit(rng.choice([f"layers += make({rng.randint(0, 2)})",
                                  f"layers.extend(make(1, {n}))",
                                  f"layers.append(nn.Linear(cfg['w'], {n}))",
                                  f"layers.append(nn.Linear(Cfg.w, {n}))"]))
        else:
            self.layer()

    def block(self, budget: int) -> None:
        self.depth += 1
        for _ in range(self.rng.randint(1, 2)):
            self.statement(budget - 1)
        self.depth -= 1

    def layer(self) -> None:
        if self.framework == "keras":
            self.keras_layer()
            return
        rng = self.rng
        kind = rng.randrange(4)
        x, y = self.name(), self.name()
        if kind == 0:
            self.emit(f"layers.append(nn.Conv2d({x}, {y}, {rng.choice([1, 3, 'a % 3 + 1'])}))")
        elif kind == 1:
            self.emit(f"layers.append(nn.Linear({x}, {y}, bias={rng.choice(['True', 'False'])}))")
        elif kind == 2:
            self.emit(f"layers.append(Block({x}, {y}))")
        else:
            self.emit(f"layers.append(nn.BatchNorm1d({x}))")

    def keras_layer(self) -> None:
        rng = self.rng
        kind = rng.randrange(4)
        x = self.name()
        if kind == 0:
            self.emit(f"layers.append(kl.Dense({x}, use_bias={rng.choice(['True', 'False'])}))")
        elif kind == 1:
            self.emit(f"layers.append(kl.Dense({x}))")
        elif kind == 2:
            self.emit("layers.append(kl.BatchNormalization())")
        else:
            self.emit(f"layers.insert(0, kl.Dense({x} % 5 + 1))")

    def program(self) -> str:
        if self.framework == "keras":
            self.lines = ["import keras", "from keras import layers as kl", ""]
        else:
            self.lines = ["import torch.nn as nn", ""]
        self.lines += [
            "a, b, c, d = 3, 8, 16, 4",
            "lst = [2, 4]",
            "layers = []",
            "",
            "",
            "def widen(x):",
            "    return x * 2 + 1",
            "",
            "",
            "def grow(items, x):",
            "    items.append(x % 7 + 1)",
            "",
            "",
        ]
        self.lines += [
            "cfg = {'w': a, 'v': b}",
            "",
            "",
            "class Cfg:",
            "    w = 5",
            "",
            "",
        ]
        if self.framework == "torch":
            self.lines += [
                "def make(n, width=d):",  # the default is d as the def runs, not as make runs
                "    return [nn.Linear(width, width) for _ in range(n)]",
                "",
                "",
            ]
        for n in NAMES:
            self.lines += [f"def reset_{n}():", f"    global {n}", f"    {n} = {self.small()}",
                           "", ""]
        if self.framework == "keras":
            self.lines += ["def block(x, units):", "    return kl.Dense(units)(x)", "", ""]
        else:
            self.lines += [
                "class Block(nn.Module):",
                "    def __init__(self, cin, cout):",
                "        super().__init__()",
                "        self.conv = nn.Conv2d(cin, cout, 3, bias=False)",
                "        self.norm = nn.BatchNorm2d(cout)",
                "",
                "",
            ]
        for _ in range(self.rng.randint(6, 14)):
            self.statement(2)
        self.layer()
        if self.framework == "keras":
            self.emit(f"model = keras.Sequential([keras.Input(shape=({self.name()} % 6 + 1,)), "
                      "*layers])")
            self.emit(f"inputs = keras.Input(shape=({self.name()} % 6 + 2,))")
            self.emit("x = inputs")
            self.emit("for units in tuple(lst):")
            self.emit("    x = block(x, units)")
            self.emit("functional = keras.Model(inputs, x)")
        else:
            self.emit("model = nn.Sequential(*layers)")
        return "\n".join(self.lines) + "\n"


def programs(seed: int, count: int, framework: str = "torch") -> list[str]:
    rng = random.Random(seed)
    return [ProgramWriter(random.Random(rng.random()), framework).program() for _ in range(count)]
