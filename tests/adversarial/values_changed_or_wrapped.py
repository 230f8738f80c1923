"""Values a numpy array or a tensor holds are the framework's, in its dtype: an int64 scalar
wraps, an int32 product wraps, an array changed in place is not what it was made with, and a
set or a list changed through an unbound method or `operator` is changed."""

import operator

import numpy as np
import torch
import torch.nn as nn

big = np.array([2 ** 62])
wrapped = nn.Linear(int(big[0] * 4 % 7) + 1, 3)

product = (torch.tensor([100000]).int() * 100000).tolist()[0]
wrapped_int32 = nn.Linear(product % 7 + 1, 3)

widths = np.array([4, 8, 16])
widths[1] = 3
listed = widths.tolist()
changed_array = nn.Linear(listed[1], 2)

seen = {1, 2, 3}
set.add(seen, 99)
after_set_add = nn.Linear(len(seen), 4)

sizes = [4, 8]
list.append(sizes, 16)
operator.iadd(sizes, [32])
after_list_calls = nn.Linear(len(sizes), 4)
