import keras
from keras import layers

blocks = [layers.Dense(6), layers.Dense(3)]
blocks = blocks[::-1]
inputs = keras.Input(shape=(4,))
x = inputs
for block in blocks:
    x = block(x)
model = keras.Model(inputs, x)
