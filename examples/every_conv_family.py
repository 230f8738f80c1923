"""One layer of each convolution family, in both frameworks."""

import tensorflow as tf
import torch.nn as nn
from keras import layers

# PyTorch: weight (out, in / groups, *k); transposed weight (in, out / groups, *k).
conv1d = nn.Conv1d(16, 32, kernel_size=5)
conv2d_grouped = nn.Conv2d(64, 128, kernel_size=3, groups=4, bias=False)
conv3d = nn.Conv3d(3, 8, kernel_size=(3, 5, 5), padding_mode="reflect", padding=1)
deconv1d = nn.ConvTranspose1d(32, 16, 4, stride=2)
deconv2d = nn.ConvTranspose2d(64, 32, (2, 2), stride=2, groups=2)
deconv3d = nn.ConvTranspose3d(8, 4, 3)
lazy = nn.Sequential(nn.Conv2d(3, 24, 3), nn.ReLU(), nn.LazyConv2d(48, 1))

# Keras: kernel k + (in / groups, filters); transposed kernel k + (filters, in).
signal = tf.keras.Input(shape=(128, 12))
a = layers.Conv1D(24, 7, padding="same")(signal)
b = layers.SeparableConv1D(32, 5, depth_multiplier=2)(a)
c = layers.DepthwiseConv1D(3)(b)
d = layers.Conv1DTranspose(12, 4, strides=2)(c)

image = tf.keras.Input(shape=(64, 64, 3))
e = layers.Conv2D(32, 3, groups=1)(image)
f = layers.Conv2D(64, 3, groups=4)(e)
g = layers.SeparableConv2D(64, (3, 3), depth_multiplier=1)(f)
h = layers.DepthwiseConv2D((5, 5), depth_multiplier=3, use_bias=False)(g)
i = layers.Conv2DTranspose(16, 2, strides=2)(h)

volume = tf.keras.Input(shape=(16, 32, 32, 1))
j = layers.Conv3D(8, 3)(volume)
k = layers.Conv3DTranspose(4, (1, 2, 2), strides=(1, 2, 2))(j)
