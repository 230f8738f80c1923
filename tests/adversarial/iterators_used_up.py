"""zip, map, filter, reversed and enumerate are iterators in Python 3: a second loop over the
same one finds it empty. A decoder built from the pairs that the encoder's loop used up has no
layers (a real bug in U-Net code that forgets `list(...)`), and a map's function runs only as
its items are pulled."""

import torch.nn as nn

dims = [4, 8, 16]
pairs = zip(dims, dims[1:])
encoder = [nn.Linear(a, b) for a, b in pairs]
decoder = [nn.Linear(b, a) for a, b in pairs]
autoencoder = nn.Sequential(*encoder, *decoder)

blocks = map(lambda c: nn.Linear(c, c), [2, 4])
first = nn.Sequential(*blocks)
second = nn.Sequential(*blocks, nn.Linear(1, 1))

wide = filter(lambda d: d > 2, [1, 4, 8])
counted = len(list(wide))
filtered = nn.Sequential(*[nn.Linear(d, 1) for d in wide], nn.Linear(counted, 1))

backwards = reversed(dims)
taken = list(backwards)
reversed_once = nn.Sequential(*[nn.Linear(d, 1) for d in backwards], nn.Linear(taken[0], 2))


class UNet(nn.Module):
    def __init__(self, dim=4, mults=(1, 2, 4)):
        super().__init__()
        widths = [dim, *map(lambda m: dim * m, mults)]
        in_out = zip(widths[:-1], widths[1:])
        self.downs = nn.ModuleList()
        for index, (a, b) in enumerate(in_out):
            self.downs.append(nn.Conv2d(a, b, 3))
        self.ups = nn.ModuleList()
        for index, (a, b) in enumerate(reversed(list(in_out))):
            self.ups.append(nn.Conv2d(b * 2, a, 3))


unet = UNet()
