import keras
from keras import layers

stack = [layers.Dense(4), layers.Dense(8), layers.Dense(2)]
stack.reverse()
model = keras.Sequential([keras.Input(shape=(3,))] + stack)
