"""A functional model given a tensor that layers computed, not an `Input`, starts there: the
layers before it are not its own. Given all its inputs (one, a list, a dict), a model counts
every layer behind its outputs, merges and keras.ops included."""

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
from keras import layers, ops  # noqa: E402

a = keras.Input((4,))
b = keras.Input((4,))
x = layers.Dense(3)(a)
y = layers.Dense(3)(b)
z = layers.add([x, y])

head = keras.Model(x, layers.Dense(2)(x))
both = keras.Model([a, b], z)
named = keras.Model(inputs={"a": a, "b": b}, outputs=[x, z])
through_ops = keras.Model(a, ops.relu(x) * 2 + 1)
inner = keras.Model(a, x)
c = keras.Input((4,))
nested = keras.Model(c, layers.Dense(1)(inner(c)))
