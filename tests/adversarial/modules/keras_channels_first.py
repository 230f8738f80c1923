import keras

keras.config.set_image_data_format("channels_first")
