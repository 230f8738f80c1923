"""Keras tracks every weight a layer adds, whatever the code keeps of it: `self.w =
self.add_weight(...)` twice holds both, and one added and never kept counts too. A layer built
on 3 columns that multiplies by its weights works; the model counts each layer once."""

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
from keras import layers  # noqa: E402


class Twice(layers.Layer):
    def __init__(self):
        super().__init__()
        self.w = self.add_weight(shape=(3, 3))
        self.w = self.add_weight(shape=(3, 5))
        self.add_weight(shape=(7,), trainable=False)

    def call(self, x):
        return x @ self.w


class Built(layers.Layer):
    def build(self, shape):
        self.k = self.add_weight(shape=(shape[-1], 4))
        self.b = self.add_weight(shape=(4,))

    def call(self, x):
        return x @ self.k + self.b


inp = keras.Input((3,))
model = keras.Model(inp, Built()(Twice()(inp)))
