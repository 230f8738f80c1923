"""A transposed convolution given `output_padding` (even 0, with padding="same") gives an output
length that is not `length × strides`: what a Dense after Flatten holds depends on it. No count
may rest on the length without it."""

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
from keras import layers  # noqa: E402

one = keras.Sequential([keras.Input((7, 4)),
                        layers.Conv1DTranspose(1, 3, strides=2, output_padding=1),
                        layers.Flatten(), layers.Dense(1)])
two = keras.Sequential([keras.Input((7, 7, 4)),
                        layers.Conv2DTranspose(1, 3, strides=2, padding="same", output_padding=0),
                        layers.Flatten(), layers.Dense(1)])
