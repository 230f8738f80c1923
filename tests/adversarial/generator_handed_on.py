"""A generator handed to code the evaluator does not follow (itertools) may be pulled from
there: what its body appends is not certain."""

import itertools

import torch.nn as nn

CHAINED = []
gen = (CHAINED.append(nn.Conv2d(3, 16, 3)) for _ in range(2))
pulled = list(itertools.chain(gen))
after_chain = nn.Sequential(*CHAINED)

SLICED = []
lazy = itertools.islice((SLICED.append(nn.Conv2d(3, 16, 3)) for _ in range(2)), 1)
after_islice = nn.Sequential(*SLICED)  # islice pulled nothing yet: empty in torch
