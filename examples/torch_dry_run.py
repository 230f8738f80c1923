"""A small image classifier whose Linear takes the size a dry run of its convolutions gives, the
way PyTorch code finds the flattened size without working it out by hand; and the same with a
Lazy layer, which torch sizes at its first call."""

import torch
import torch.nn as nn


class SmallCNN(nn.Module):
    def __init__(self, num_classes=10, image_size=32):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 32, kernel_size=3, padding=1),
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, kernel_size=3),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        with torch.no_grad():
            flat = self.features(torch.zeros(1, 3, image_size, image_size)).flatten(1).shape[1]
        self.classifier = nn.Sequential(
            nn.Dropout(0.5),
            nn.Linear(flat, 128),
            nn.ReLU(),
            nn.Linear(128, num_classes),
        )

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


class LazyHead(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=5, stride=2),
            nn.ReLU(),
            nn.Flatten(),
            nn.LazyLinear(num_classes),
        )
        self.body(torch.zeros(1, 1, 28, 28))  # materialises the LazyLinear: 16 × 12 × 12 inputs
