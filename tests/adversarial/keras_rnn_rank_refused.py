"""A recurrent layer handed a rank-2 input: Keras raises as the model is built, so no total may
be certain."""

import keras
from keras import layers

recurrent = keras.Sequential([keras.Input((6,)), layers.LSTM(4)])
