"""keras.config.set_image_data_format("channels_first") at the top of the script: every layer
built after it with data_format=None reads its channels from axis 1. The Conv2D's kernel is
then (3, 3, 3, 4), not the (3, 3, 8, 4) that channels_last reads from an input of (3, 8, 8);
the BatchNormalization after it normalises axis -1 (6 features), and the Dense reads a
flattened (3, 4, 4)."""

import keras
from keras import layers

keras.config.set_image_data_format("channels_first")

conv = keras.Sequential([keras.Input((3, 8, 8)), layers.Conv2D(4, 3), layers.BatchNormalization()])
pooled = keras.Sequential([keras.Input((3, 8, 8)), layers.MaxPooling2D(2), layers.Flatten(),
                           layers.Dense(1)])
explicit = keras.Sequential([keras.Input((8, 8, 3)), layers.Conv2D(4, 3, data_format="channels_last")])


def build():
    # called after the module body set the format, in this file's run; another file may set
    # it again before: its count is only certain where the program shows it
    return keras.Sequential([keras.Input((3, 8, 8)), layers.Conv2D(2, 1)])


late = build()
