"""Where a branch or a shortcut leaves a functional model's `layers` order to Keras' depth rules,
or a layer is picked by `get_layer`, the trainable part of the total is Keras' own or unknown,
never a guess from the order the layers were made in."""

import keras
from keras import layers

inp3 = keras.Input((8,))
short = layers.Dense(16, name="short")(inp3)
a = layers.Dense(4, name="a")(inp3)
b = layers.Dense(16, name="b")(a)
branched = keras.Model(inp3, layers.Add()([short, b]))
for layer in branched.layers[:2]:
    layer.trainable = False

inp4 = keras.Input((5,))
z = layers.Dense(4, name="first")(inp4)
picked = keras.Model(inp4, layers.Dense(2)(z))
picked.get_layer("first").trainable = False

picked_seq = keras.Sequential([keras.Input((5,)), layers.Dense(4), layers.Dense(2)])
picked_seq.get_layer(index=0).trainable = False
