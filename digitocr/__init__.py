"""digitocr: read handwritten numbers from photos, scans and canvas drawings.

    from digitocr import Reader
    reader = Reader()                      # loads DigitClassifier.keras once
    reading = reader.read("cheque.jpg")    # bytes, path, file, PIL image or array
    reading.text, reading.digits[0].box
"""

from .errors import (DigitOcrError, EmptyImageError, ImageLoadError, ImageNotFoundError, ImageTooLargeError,
                     ModelError, SettingsError, TruncatedImageError, UnsupportedImageError)
from .reader import Models, Reader
from .results import Box, Digit, Line, Outcome, Reading, Stage
from .settings import ReaderSettings

__all__ = ["Box", "Digit", "DigitOcrError", "EmptyImageError", "ImageLoadError", "ImageNotFoundError",
           "ImageTooLargeError", "Line", "ModelError", "Models", "Outcome", "Reader", "Reading", "ReaderSettings",
           "SettingsError", "Stage", "TruncatedImageError", "UnsupportedImageError"]
