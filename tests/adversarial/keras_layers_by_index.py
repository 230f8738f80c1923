"""A functional model's `layers` as Keras lists them: its InputLayer first, then its layers by
depth from the output. Indexing and slicing a chain built from one input is exact."""

import keras
from keras import layers

inp = keras.Input((8,))
x = layers.Dense(4)(inp)
x = layers.Dense(2)(x)
chain = keras.Model(inp, x)
chain.layers[1].trainable = False

inp2 = keras.Input((8,))
y = layers.Dense(6)(inp2)
y = layers.Dense(3)(y)
y = layers.Dense(2)(y)
chain_tail = keras.Model(inp2, y)
for layer in chain_tail.layers[:-1]:
    layer.trainable = False
