"""Two models as Keras' tutorials write them: an image classifier behind a data augmentation
pipeline, and a text classifier of bidirectional LSTMs. Every count here is known."""

import keras
from keras import layers

IMAGE_SIZE = (64, 64)
NUM_CLASSES = 5

data_augmentation = keras.Sequential([
    layers.RandomFlip("horizontal"),
    layers.RandomRotation(0.1),
    layers.RandomZoom(0.1),
])


def image_classifier():
    inputs = keras.Input(shape=IMAGE_SIZE + (3,))
    x = data_augmentation(inputs)
    x = layers.Rescaling(1.0 / 255)(x)
    for filters in (16, 32, 64):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D()(x)
    x = layers.Dropout(0.2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(128, activation="relu")(x)
    outputs = layers.Dense(NUM_CLASSES)(x)
    return keras.Model(inputs, outputs)


def text_classifier(vocab_size=20000, embed_dim=64, max_length=200):
    inputs = keras.Input(shape=(max_length,), dtype="int32")
    x = layers.Embedding(vocab_size, embed_dim)(inputs)
    x = layers.Bidirectional(layers.LSTM(64, return_sequences=True))(x)
    x = layers.Bidirectional(layers.LSTM(32))(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    return keras.Model(inputs, outputs)


if __name__ == "__main__":
    image_classifier().summary()
    text_classifier().summary()
