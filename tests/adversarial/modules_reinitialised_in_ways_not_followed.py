"""A torch module changed where the evaluator cannot follow: its total may not stay certain.

- copy.copy of a Sequential copies its __dict__ only, so the copy and the original share one
  _modules: what is appended to the copy is in the original too;
- nn.Sequential.__init__ run again on a built container empties it and fills it anew;
- a base's __init__ reached through `type(self).__bases__[0]`, or a method through the class's
  __dict__, registers what it registers;
- a generator's body (here under @contextmanager, after its yield) runs later, around the with
  block: it freezes the model."""

import contextlib
import copy

import torch.nn as nn

shared = nn.Sequential(nn.Linear(4, 4))
copied = copy.copy(shared)
copied.append(nn.Linear(4, 40))

rebuilt = nn.Sequential(nn.Linear(3, 3))
nn.Sequential.__init__(rebuilt, nn.Linear(4, 4))


class A(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(3, 3)


class ByBases(A):
    def __init__(self):
        type(self).__bases__[0].__init__(self)
        self.b = nn.Linear(4, 4)


class ByDict(nn.Module):
    def __init__(self):
        super().__init__()
        ByDict.__dict__["build"](self)

    def build(self):
        self.fc = nn.Linear(4, 4)


@contextlib.contextmanager
def frozen_scope(m):
    yield m
    m.requires_grad_(False)


frozen = nn.Sequential(nn.Linear(4, 4))
with frozen_scope(frozen):
    frozen.append(nn.Linear(4, 2))

by_bases = ByBases()
by_dict = ByDict()
