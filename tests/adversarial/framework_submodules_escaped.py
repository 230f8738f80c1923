"""A submodule of a torch layer that the evaluator holds as a part of the layer's count only:
one handed to another module, and a layer of nn.Transformer's (which the catalogue counts as
copies). No total may be certain and other than torch's."""

import torch.nn as nn


class Shared(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.TransformerEncoderLayer(16, 4, 32)
        self.proj = self.enc.linear1
        self.alone = nn.MultiheadAttention(8, 2).out_proj


class IntoTransformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.t = nn.Transformer(16, 2, 1, 1, 32)
        self.t.encoder.layers[0].linear1 = nn.Linear(16, 8)


shared = Shared()
into_transformer = IntoTransformer()
