"""A merge of shapes that neither match nor broadcast: Keras raises as the layer is called, so
no total may be certain."""

import keras
from keras import layers

a = keras.Input((4,))
b = keras.Input((5,))
mismatched = keras.Model([a, b], layers.Dense(1)(layers.Add()([a, b])))
