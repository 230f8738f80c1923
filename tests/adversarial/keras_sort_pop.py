import keras
from keras import layers

stack = [layers.Dense(4), layers.Dense(8), layers.Dense(2)]
last = stack.pop(0)
stack.insert(1, last)
model = keras.Sequential([keras.Input(shape=(5,)), *stack])
