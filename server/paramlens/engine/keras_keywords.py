"""The keyword arguments each Keras 3 layer class of the catalogue takes: what its
`__init__` and its bases' name, and take from their **kwargs (`rms_scaling`, `implementation`),
beside what every layer takes (`Layer.__init__`, which refuses any other: "Unrecognized
keyword arguments passed to Dense"). Listed from Keras 3.15; tests/test_catalogue_names.py
checks them against the installed Keras."""

from __future__ import annotations

# What Layer.__init__ takes (input_dim and input_shape it pops from its **kwargs).
EVERY_LAYER = frozenset(("activity_regularizer", "autocast", "dtype", "input_dim", "input_shape",
                         "name", "trainable"))

# (the classes, the keywords of their own)
_GROUPS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    ((
        "Activation",
    ), (
        "activation",
    )),
    ((
        "ActivityRegularization",
    ), (
        "l1", "l2",
    )),
    ((
        "Add", "Average", "Identity", "Maximum", "Minimum", "Multiply", "Subtract",
    ), (
    )),
    ((
        "AlphaDropout", "Dropout", "SpatialDropout1D",
    ), (
        "noise_shape", "rate", "seed",
    )),
    ((
        "AveragePooling1D", "AveragePooling2D", "AveragePooling3D", "AvgPool1D", "AvgPool2D",
        "AvgPool3D", "MaxPool1D", "MaxPool2D", "MaxPool3D", "MaxPooling1D", "MaxPooling2D",
        "MaxPooling3D",
    ), (
        "data_format", "padding", "pool_dimensions", "pool_mode", "pool_size", "strides",
    )),
    ((
        "BatchNormalization",
    ), (
        "axis", "beta_constraint", "beta_initializer", "beta_regularizer", "center", "epsilon",
        "gamma_constraint", "gamma_initializer", "gamma_regularizer", "momentum",
        "moving_mean_initializer", "moving_variance_initializer", "renorm", "renorm_clipping",
        "renorm_momentum", "scale", "synchronized",
    )),
    ((
        "Concatenate", "Softmax",
    ), (
        "axis",
    )),
    ((
        "Conv1D", "Conv2D", "Conv3D", "Convolution1D", "Convolution2D", "Convolution3D",
    ), (
        "activation", "bias_constraint", "bias_initializer", "bias_regularizer", "data_format",
        "dilation_rate", "filters", "groups", "kernel_constraint", "kernel_initializer",
        "kernel_regularizer", "kernel_size", "lora_alpha", "lora_rank", "padding", "rank",
        "strides", "use_bias",
    )),
    ((
        "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose", "Convolution1DTranspose",
        "Convolution2DTranspose", "Convolution3DTranspose",
    ), (
        "activation", "bias_constraint", "bias_initializer", "bias_regularizer", "data_format",
        "dilation_rate", "filters", "kernel_constraint", "kernel_initializer",
        "kernel_regularizer", "kernel_size", "output_padding", "padding", "rank", "strides",
        "use_bias",
    )),
    ((
        "Cropping1D",
    ), (
        "cropping",
    )),
    ((
        "Cropping2D", "Cropping3D",
    ), (
        "cropping", "data_format",
    )),
    ((
        "Dense",
    ), (
        "activation", "bias_constraint", "bias_initializer", "bias_regularizer",
        "kernel_constraint", "kernel_initializer", "kernel_regularizer", "lora_alpha",
        "lora_rank", "quantization_config", "units", "use_bias",
    )),
    ((
        "DepthwiseConv1D", "DepthwiseConv2D",
    ), (
        "activation", "bias_constraint", "bias_initializer", "bias_regularizer", "data_format",
        "depth_multiplier", "depthwise_constraint", "depthwise_initializer",
        "depthwise_regularizer", "dilation_rate", "kernel_size", "padding", "rank", "strides",
        "use_bias",
    )),
    ((
        "ELU",
    ), (
        "alpha",
    )),
    ((
        "Embedding",
    ), (
        "embeddings_constraint", "embeddings_initializer", "embeddings_regularizer",
        "input_length", "lora_alpha", "lora_rank", "mask_zero", "output_dim",
        "quantization_config", "weights",
    )),
    ((
        "Flatten",
    ), (
        "data_format",
    )),
    ((
        "GRU",
    ), (
        "activation", "bias_constraint", "bias_initializer", "bias_regularizer", "cell",
        "dropout", "go_backwards", "implementation", "kernel_constraint", "kernel_initializer",
        "kernel_regularizer", "recurrent_activation", "recurrent_constraint", "recurrent_dropout",
        "recurrent_initializer", "recurrent_regularizer", "reset_after", "return_sequences",
        "return_state", "seed", "stateful", "units", "unroll", "use_bias", "use_cudnn",
        "zero_output_for_mask",
    )),
    ((
        "GaussianDropout",
    ), (
        "rate", "seed",
    )),
    ((
        "GaussianNoise",
    ), (
        "seed", "stddev",
    )),
    ((
        "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D",
        "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalAvgPool3D", "GlobalMaxPool1D",
        "GlobalMaxPool2D", "GlobalMaxPool3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
        "GlobalMaxPooling3D",
    ), (
        "data_format", "keepdims", "pool_dimensions",
    )),
    ((
        "GroupNormalization",
    ), (
        "axis", "beta_constraint", "beta_initializer", "beta_regularizer", "center", "epsilon",
        "gamma_constraint", "gamma_initializer", "gamma_regularizer", "groups", "scale",
    )),
    ((
        "LSTM",
    ), (
        "activation", "bias_constraint", "bias_initializer", "bias_regularizer", "cell",
        "dropout", "go_backwards", "implementation", "kernel_constraint", "kernel_initializer",
        "kernel_regularizer", "recurrent_activation", "recurrent_constraint", "recurrent_dropout",
        "recurrent_initializer", "recurrent_regularizer", "return_sequences", "return_state",
        "seed", "stateful", "unit_forget_bias", "units", "unroll", "use_bias", "use_cudnn",
        "zero_output_for_mask",
    )),
    ((
        "Lambda",
    ), (
        "arguments", "function", "mask", "output_shape",
    )),
    ((
        "LayerNormalization",
    ), (
        "axis", "beta_constraint", "beta_initializer", "beta_regularizer", "center", "epsilon",
        "gamma_constraint", "gamma_initializer", "gamma_regularizer", "rms_scaling", "scale",
    )),
    ((
        "LeakyReLU",
    ), (
        "alpha", "negative_slope",
    )),
    ((
        "Masking",
    ), (
        "mask_value",
    )),
    ((
        "MultiHeadAttention",
    ), (
        "attention_axes", "bias_constraint", "bias_initializer", "bias_regularizer", "dropout",
        "flash_attention", "kernel_constraint", "kernel_initializer", "kernel_regularizer",
        "key_dim", "num_heads", "output_shape", "seed", "sliding_window", "use_bias", "use_gate",
        "value_dim",
    )),
    ((
        "PReLU",
    ), (
        "alpha_constraint", "alpha_initializer", "alpha_regularizer", "shared_axes",
    )),
    ((
        "RMSNormalization",
    ), (
        "axis", "epsilon",
    )),
    ((
        "ReLU",
    ), (
        "max_value", "negative_slope", "threshold",
    )),
    ((
        "Rescaling",
    ), (
        "offset", "scale",
    )),
    ((
        "Reshape",
    ), (
        "target_shape",
    )),
    ((
        "SeparableConv1D", "SeparableConv2D", "SeparableConvolution1D", "SeparableConvolution2D",
    ), (
        "activation", "bias_constraint", "bias_initializer", "bias_regularizer", "data_format",
        "depth_multiplier", "depthwise_constraint", "depthwise_initializer",
        "depthwise_regularizer", "dilation_rate", "filters", "kernel_size", "padding",
        "pointwise_constraint", "pointwise_initializer", "pointwise_regularizer", "rank",
        "strides", "use_bias",
    )),
    ((
        "SimpleRNN",
    ), (
        "activation", "bias_constraint", "bias_initializer", "bias_regularizer", "cell",
        "dropout", "go_backwards", "kernel_constraint", "kernel_initializer",
        "kernel_regularizer", "recurrent_constraint", "recurrent_dropout",
        "recurrent_initializer", "recurrent_regularizer", "return_sequences", "return_state",
        "seed", "stateful", "units", "unroll", "use_bias", "zero_output_for_mask",
    )),
    ((
        "SpatialDropout2D", "SpatialDropout3D",
    ), (
        "data_format", "noise_shape", "rate", "seed",
    )),
    ((
        "UpSampling1D",
    ), (
        "size",
    )),
    ((
        "UpSampling2D",
    ), (
        "data_format", "interpolation", "size",
    )),
    ((
        "Attention", "AdditiveAttention",
    ), (
        "dropout", "score_mode", "seed", "use_scale",
    )),
    ((
        "RepeatVector",
    ), (
        "n",
    )),
    ((
        "Permute",
    ), (
        "dims",
    )),
    ((
        "TimeDistributed",
    ), (
        "layer",
    )),
    ((
        "Bidirectional",
    ), (
        "backward_layer", "layer", "merge_mode", "weights",
    )),
    ((
        "RandomFlip",
    ), (
        "bounding_box_format", "data_format", "factor", "mode", "seed",
    )),
    ((
        "RandomRotation",
    ), (
        "bounding_box_format", "data_format", "factor", "fill_mode", "fill_value",
        "interpolation", "seed",
    )),
    ((
        "RandomTranslation", "RandomZoom",
    ), (
        "bounding_box_format", "data_format", "factor", "fill_mode", "fill_value",
        "height_factor", "interpolation", "seed", "width_factor",
    )),
    ((
        "RandomBrightness", "RandomContrast",
    ), (
        "bounding_box_format", "data_format", "factor", "seed", "value_range",
    )),
    ((
        "Resizing",
    ), (
        "antialias", "bounding_box_format", "crop_to_aspect_ratio", "data_format", "factor",
        "fill_mode", "fill_value", "height", "interpolation", "pad_to_aspect_ratio", "width",
    )),
    ((
        "CenterCrop",
    ), (
        "bounding_box_format", "data_format", "factor", "height", "width",
    )),
    ((
        "RandomCrop",
    ), (
        "bounding_box_format", "data_format", "factor", "height", "seed", "width",
    )),
    ((
        "UpSampling3D",
    ), (
        "data_format", "size",
    )),
    ((
        "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D",
    ), (
        "data_format", "padding",
    )),
)

# class name (keras.layers.<name>) → every keyword it takes
KEYWORDS: dict[str, frozenset[str]] = {name: frozenset(own) | EVERY_LAYER for names, own in _GROUPS
                                       for name in names}
