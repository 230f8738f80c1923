import keras
from keras import layers

# The middle axis is sized only when the model runs: what Flatten makes of it is not known.
sequence = keras.Input(shape=(None, 3))
flat = layers.Flatten()(sequence)

image = keras.Input(shape=(8, 8, 3))
features = layers.Conv2D(16, 3)(image)
logits = layers.Dense(10)(layers.Flatten()(features))
model = keras.Model(image, logits)
