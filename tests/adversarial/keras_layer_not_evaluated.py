"""A Keras tensor made by something the evaluator does not follow (a layer fetched with
`get_layer`, a Keras function it does not model) still carries that layer's weights into a
functional model built from it, even through layers that own none."""

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
from keras import layers  # noqa: E402

base = keras.Sequential([keras.Input((6,)), layers.Dense(4, name="d1")])
inp = keras.Input((6,))
fetched = base.get_layer("d1")(inp)
model = keras.Model(inp, layers.Flatten()(fetched))
