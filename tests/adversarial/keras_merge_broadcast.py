"""A merge that broadcasts a size of 1 keeps the larger size: the Dense after it is built on it."""

import keras
from keras import layers

e = keras.Input((1,))
f = keras.Input((6,))
broadcast = keras.Model([e, f], layers.Dense(2)(layers.Add()([e, f])))
