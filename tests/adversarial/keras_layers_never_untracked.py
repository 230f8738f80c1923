"""Keras never lets go of what a layer of the project tracked: a sublayer an attribute held
before it is set anew, set to None or deleted, and the layers of a list it held, still count
(Keras 3's tracker keeps them in the layer's own list)."""

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
from keras import layers  # noqa: E402


class D(layers.Layer):
    def __init__(self, mode):
        super().__init__()
        self.d = layers.Dense(3)
        self.d.build((None, 4))
        if mode == 1:
            self.d = layers.Dense(5)
            self.d.build((None, 4))
        if mode == 2:
            del self.d
            self.d = layers.Dense(5)
            self.d.build((None, 4))
        if mode == 3:
            self.d = None
        if mode == 4:
            self.x = [layers.Dense(2)]
            self.x[0].build((None, 4))
            self.x = []

    def call(self, x):
        return x

inp = keras.Input((4,))
m1 = keras.Model(inp, D(1)(inp))
m2 = keras.Model(inp, D(2)(inp))
m3 = keras.Model(inp, D(3)(inp))
m4 = keras.Model(inp, D(4)(inp))
