"""What stops pulling from a generator early: next(), any(), a break, zip() with a shorter
partner, `in`. Each body runs only for the items pulled."""

import torch.nn as nn

ONE = []
gen = (ONE.append(nn.Conv2d(3, 16, 3)) for _ in range(3))
next(gen)
after_next = nn.Sequential(*ONE)

ANY = []
found = any(ANY.append(nn.Conv2d(3, 16, 3)) or True for _ in range(3))
after_any = nn.Sequential(*ANY)

BROKEN = []
for _item in (BROKEN.append(nn.Conv2d(3, 16, 3)) for _ in range(5)):
    break
after_break = nn.Sequential(*BROKEN)

ZIPPED = []
pairs = list(zip((ZIPPED.append(nn.Conv2d(3, 16, 3)) for _ in range(5)), range(2)))
after_zip = nn.Sequential(*ZIPPED)

FOUND = []
hit = 1 in (FOUND.append(nn.Conv2d(3, 16, 3)) or i for i in range(5))
after_in = nn.Sequential(*FOUND)

it = iter([nn.Conv2d(3, 8, 3), nn.Conv2d(8, 16, 3)])
head = next(it)
rest = list(it)
from_iter = nn.Sequential(head, *rest)
