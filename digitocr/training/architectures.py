"""The classifier's networks, each one top-to-bottom Sequential list: (N, 28, 28, 1) in, 10 probabilities out.

- `separable`, the shipped one: built for 28x28 digits. One full
  convolution, then depthwise-separable blocks (a 3x3 filter per channel, then
  a 1x1 mix of channels) that halve the field twice by stride, down to 7x7,
  and global pooling: about 4 million multiply-adds a digit.
- `separable_4x4`: the same blocks halving the field a third time, to 4x4,
  where a channel costs a third of one at 7x7: two and a half times the
  parameters for about 5 million multiply-adds, room for more hands.
- `vgg`: the earlier shipped design, plain 3x3 convolutions and max pooling
  at full width (22 million multiply-adds); several of them make the teacher
  the separable network learns from.
- `wide`: the same plan at twice the width and with a third pair of
  convolutions (about 115 million multiply-adds): too slow to ship, a
  stronger teacher where a GPU trains it.
"""

from ..networks.classifier import FIELD_SIZE, NUM_CLASSES


def conv_block(filters: int, kernel: int = 3, strides: int = 1) -> list:
    """Convolution, batch normalisation, ReLU: the unit every network here is built from."""
    from keras import layers

    return [layers.Conv2D(filters, kernel, strides=strides, padding="same", use_bias=False),
            layers.BatchNormalization(), layers.ReLU()]


def separable_block(filters: int, strides: int = 1) -> list:
    """A 3x3 filter per channel (halving the field with stride 2), then a 1x1 convolution mixing the channels."""
    from keras import layers

    return [layers.DepthwiseConv2D(3, strides=strides, padding="same", use_bias=False), layers.BatchNormalization(),
            layers.ReLU(), *conv_block(filters, 1)]


def separable_network(blocks: tuple[tuple[int, int], ...]):
    """One full convolution (28x28x32), then a separable block per (filters, stride) of `blocks`, global pooling and
    the ten probabilities: the family the separable designs share, each told by its blocks alone."""
    import keras
    from keras import layers

    return keras.Sequential([
        keras.Input(shape=(FIELD_SIZE, FIELD_SIZE, 1)),
        *conv_block(32),
        *(layer for filters, strides in blocks for layer in separable_block(filters, strides)),
        layers.GlobalAveragePooling2D(),
        layers.Dropout(0.2),
        layers.Dense(NUM_CLASSES, activation="softmax"),
    ], name="digit_classifier")


def build_separable():
    return separable_network(((64, 2),  # 14x14x64
                              (96, 1),  # 14x14x96
                              (128, 2),  # 7x7x128
                              (128, 1),  # 7x7x128
                              (128, 1)))  # 7x7x128


def build_separable_4x4():
    return separable_network(((64, 2),  # 14x14x64
                              (64, 1),  # 14x14x64
                              (128, 2),  # 7x7x128
                              (160, 1),  # 7x7x160
                              (256, 2),  # 4x4x256
                              (256, 1)))  # 4x4x256


def build_vgg():
    import keras
    from keras import layers

    return keras.Sequential([
        keras.Input(shape=(FIELD_SIZE, FIELD_SIZE, 1)),
        *conv_block(32), *conv_block(32),  # 28x28x32
        layers.MaxPooling2D(),  # 14x14x32
        *conv_block(64), *conv_block(64),  # 14x14x64
        layers.MaxPooling2D(),  # 7x7x64
        *conv_block(128),  # 7x7x128
        layers.GlobalAveragePooling2D(),  # 128
        layers.Dropout(0.3),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.3),
        layers.Dense(NUM_CLASSES, activation="softmax"),
    ], name="digit_classifier")


def build_wide():
    import keras
    from keras import layers

    return keras.Sequential([
        keras.Input(shape=(FIELD_SIZE, FIELD_SIZE, 1)),
        *conv_block(64), *conv_block(64),  # 28x28x64
        layers.MaxPooling2D(),  # 14x14x64
        *conv_block(128), *conv_block(128),  # 14x14x128
        layers.MaxPooling2D(),  # 7x7x128
        *conv_block(256), *conv_block(256),  # 7x7x256
        layers.GlobalAveragePooling2D(),  # 256
        layers.Dropout(0.3),
        layers.Dense(NUM_CLASSES, activation="softmax"),
    ], name="digit_classifier")


BUILDERS = {"separable": build_separable, "separable_4x4": build_separable_4x4, "vgg": build_vgg, "wide": build_wide}
ARCHITECTURES = tuple(BUILDERS)


def build_model(architecture: str = "separable"):
    """A fresh network of the named architecture."""
    if architecture not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {architecture!r}; choose one of {', '.join(ARCHITECTURES)}")
    return BUILDERS[architecture]()
