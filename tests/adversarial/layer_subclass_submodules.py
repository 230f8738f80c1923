"""A subclass of a torch layer that replaces or deletes what the layer built: its attention, a
norm, MultiheadAttention's out_proj, a Linear's bias. torch counts what the instance holds."""

import torch.nn as nn


class MyAttention(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.qkv = nn.Linear(d, 3 * d)


class MyLayer(nn.TransformerEncoderLayer):
    def __init__(self, d, h):
        super().__init__(d, h, 4 * d)
        self.self_attn = MyAttention(d)
        del self.norm2


class MyMHA(nn.MultiheadAttention):
    def __init__(self, d):
        super().__init__(d, 2)
        self.out_proj = nn.Identity()


class NoBias(nn.Linear):
    def __init__(self, n):
        super().__init__(n, n)
        del self.bias
        self.register_parameter("bias", None)


class TiedOut(nn.MultiheadAttention):
    def __init__(self, d, shared):
        super().__init__(d, 2)
        self.out_proj.weight = shared.weight


class Holder(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = MyLayer(16, 4)
        self.b = MyMHA(8)
        self.c = NoBias(5)
        self.shared = nn.Linear(8, 8)
        self.d = TiedOut(8, self.shared)


holder = Holder()
