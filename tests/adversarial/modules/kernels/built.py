import torch.nn as nn

raise ImportError("kernels not built")


class Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 40)
