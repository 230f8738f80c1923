"""Weights the catalogue's formulas do not count: LoRA kernels (`lora_rank=`), a quantized dtype
policy. No count of those layers, nor of their models, may then be certain."""

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
from keras import layers  # noqa: E402

lora = keras.Sequential([keras.Input((8,)), layers.Dense(6, lora_rank=2)])
policy = keras.Sequential([keras.Input((8,)), layers.Dense(6, dtype="int8_from_float32")])
