"""Typed errors: each says what went wrong and what is accepted, so a user can act on it."""


class DigitOcrError(Exception):
    """Base of every error digitocr raises on purpose."""


class ImageLoadError(DigitOcrError, ValueError):
    """The input could not be turned into an image."""


class ImageNotFoundError(ImageLoadError, FileNotFoundError):
    pass


class EmptyImageError(ImageLoadError):
    pass


class UnsupportedImageError(ImageLoadError):
    """Not an image format we read, or not an image at all."""


class TruncatedImageError(ImageLoadError):
    pass


class ImageTooLargeError(ImageLoadError):
    """More pixels than the set limit: refused before the pixels are decoded."""


class SettingsError(DigitOcrError, ValueError):
    """A setting that is not one of its choices or lies outside its range."""


class ModelError(DigitOcrError):
    """The model file is missing, unreadable, or not what the reader expects."""


class TrainingDataError(DigitOcrError):
    """A file or folder of training or evaluation data is missing or not what its option takes."""
