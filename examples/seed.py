import tensorflow as tf

def get_model(input_shape, use_bias=True):
    model = tf.keras.Sequential()
    model.add(tf.keras.layers.Conv2D(10, kernel_size=3, use_bias=use_bias, input_shape=input_shape))
    return model

def get_model_without_bias(input_shape):
    model = tf.keras.Sequential()
    model.add(tf.keras.layers.Conv2D(10, kernel_size=3, use_bias=False, input_shape=input_shape))
    return model

if __name__ == '__main__':
    input_shape = (24, 24, 3)
    model = get_model(input_shape)
    model_without_bias = get_model_without_bias(input_shape)
