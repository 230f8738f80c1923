"""The standard library's functions that change a list in place (random.shuffle, heapq, bisect)
leave its items or their order unknown: the width after `random.shuffle` is not the one written
first. (Seeded here so that the run the recorder makes moves it: 1 becomes 2.)"""

import heapq
import random

import torch.nn as nn

random.seed(1)
widths = [1, 2, 3]
random.shuffle(widths)
first = nn.Linear(widths[0], 4)

heap = [5, 3]
heapq.heappush(heap, 1)
smallest = nn.Linear(heap[0], 4)
