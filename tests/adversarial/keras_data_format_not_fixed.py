"""A data_format that the code does not fix (read from the environment): which axis holds the
channels, and so the Conv2D's kernel, is not fixed either."""

import os

import keras
from keras import layers

fmt = os.environ.get("IMAGE_FORMAT", "channels_first")
model = keras.Sequential([keras.Input((3, 8, 8)), layers.Conv2D(4, 3, data_format=fmt),
                          layers.Flatten(), layers.Dense(2)])
pooled = keras.Sequential([keras.Input((3, 8, 8)), layers.GlobalAveragePooling2D(data_format=fmt),
                           layers.Dense(2)])
