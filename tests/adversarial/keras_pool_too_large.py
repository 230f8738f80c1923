"""A pooling window larger than its input: Keras raises as the model is built, so no total may
be certain."""

import keras
from keras import layers

pooled = keras.Sequential([keras.Input((4, 4, 3)), layers.MaxPooling2D(5), layers.Flatten(),
                           layers.Dense(1)])
