"""A module imported only for what its body does: it sets Keras' image data format to
channels_first, and Python runs it at the import, before the model below is built."""

import keras
from keras import layers

import modules.keras_channels_first  # noqa: F401

model = keras.Sequential([keras.Input((3, 8, 8)), layers.Conv2D(4, 3), layers.Flatten(),
                          layers.Dense(2)])
