"""One Dense called on four channels, then on five: Keras raises at the second call (its weights
were built for four), so no total may be certain, not even the one a reading of the statement
alone would give."""

import keras
from keras import layers

d = layers.Dense(3)
a = keras.Input((4,))
b = keras.Input((5,))
reused = keras.Model([a, b], [d(a), d(b)])
