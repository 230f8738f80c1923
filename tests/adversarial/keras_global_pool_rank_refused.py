"""A global pooling handed an input without the axes it pools: Keras raises as the model is
built, so no total may be certain."""

import keras
from keras import layers

pooled = keras.Sequential([keras.Input((4,)), layers.GlobalAveragePooling1D(), layers.Dense(2)])
