"""Keras' `trainable` flags: set on a built layer, on an unbuilt one, on a model (then a layer
added), on a frozen base's top layer, through the constructor of a layer and of a model. Each
model's total and its trainable part are Keras' own (`count_params()`, `trainable_weights`)."""

import keras
from keras import layers

# 1 a built layer frozen
d1 = layers.Dense(3)
m1 = keras.Sequential([keras.Input(shape=(4,)), d1, layers.Dense(1)])
d1.trainable = False

# 2 a built base model frozen, inside another
base2 = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(4), layers.Dense(4)])
base2.trainable = False
m2 = keras.Sequential([base2, layers.Dense(2)])

# 3 an unbuilt layer frozen before it is built
d3 = layers.Dense(3)
d3.trainable = False
m3 = keras.Sequential([keras.Input(shape=(4,)), d3, layers.Dense(1)])

# 4 a model frozen, then a layer added
m4 = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3)])
m4.trainable = False
m4.add(layers.Dense(2))

# 5 fine-tuning the top layer of a frozen base
base5 = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(4), layers.Dense(4)])
base5.trainable = False
base5.layers[-1].trainable = True
m5 = keras.Sequential([base5, layers.Dense(2)])

# 6 batch norm frozen then unfrozen: moving statistics stay non-trainable
bn6 = layers.BatchNormalization()
m6 = keras.Sequential([keras.Input(shape=(4,)), bn6, layers.Dense(1)])
bn6.trainable = False
bn6.trainable = True

# 7 functional
inp = keras.Input(shape=(4,))
d7 = layers.Dense(5)
out = layers.Dense(1)(d7(inp))
m7 = keras.Model(inp, out)
d7.trainable = False

m8 = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3, trainable=False), layers.Dense(1)])
base9 = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3)], trainable=False)
m9 = keras.Sequential([base9, layers.Dense(1)])
