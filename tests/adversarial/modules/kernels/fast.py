import paramlens_absent_kernel_package  # noqa: F401 - installed nowhere: this import raises
import torch.nn as nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 40)
