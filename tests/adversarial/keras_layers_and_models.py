"""Keras rules a careful reader applies: LayerNormalization(rms_scaling=True) builds gamma only;
a layer held by a plain Python object is not tracked; a Model subclass whose __init__ passes a
functional graph to super().__init__ is that graph; a custom layer's build() runs when the
code calls it."""

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
from keras import layers  # noqa: E402


class Holder:
    def __init__(self):
        self.dense = layers.Dense(3)


class Net(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.holder = Holder()
        self.out = layers.Dense(2)

    def call(self, x):
        return self.out(self.holder.dense(x))


class Graph(keras.Model):
    def __init__(self):
        inp = keras.Input((5,))
        out = layers.Dense(3)(inp)
        super().__init__(inp, out)


class Scale(keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, x):
        return x * self.w


rms = keras.Sequential([keras.Input((5,)), layers.LayerNormalization(rms_scaling=True)])
inputs = keras.Input((5,))
held = keras.Model(inputs, Net()(inputs))
graph = Graph()
scale = keras.Sequential([keras.Input((7,)), Scale()])
