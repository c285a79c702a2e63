"""Turning whatever a user has into RGB pixels: bytes, a path, a file object, a PIL image or an array.

This is the one place inputs are decoded. Limits are checked before pixels
are decoded (file size, then the header's pixel count), each failure raises
its own typed error, and nothing the user gave is written anywhere.
"""

import functools
import glob
import io
import os
import re
import warnings
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Union

import cv2
import numpy as np
import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import (EmptyImageError, ImageLoadError, ImageNotFoundError, ImageTooLargeError, TruncatedImageError,
                     UnsupportedImageError)
from ..settings import DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_PIXELS, MEGABYTE

ImageSource = Union[bytes, bytearray, memoryview, str, os.PathLike, BinaryIO, Image.Image, np.ndarray]

ACCEPTED_FILES = "PNG, JPEG, HEIC, AVIF, WebP, BMP, TIFF or GIF image"
ACCEPTED_ARRAYS = "an array of shape (H, W), (H, W, 3) or (H, W, 4)"
ACCEPTED = f"{ACCEPTED_FILES}, or {ACCEPTED_ARRAYS}"
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".heic", ".heif", ".avif", ".webp", ".bmp", ".tif", ".tiff",
                  ".gif"}  # the files a folder's images are
TURNED = range(2, 9)  # EXIF orientations that flip or turn the pixels; exif_transpose copies the image even for none
DRAWN_SHARE = 0.5  # an image at least this share fully see-through is a drawing on a transparent field
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WEB_ADDRESS = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+://")  # http://, https://, s3://: a scheme, where a path has none
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis"}


@dataclass(frozen=True)
class LoadedImage:
    """RGB pixels, possibly decoded smaller than the original (JPEG draft mode); `scale` maps back."""

    pixels: np.ndarray  # (H, W, 3) uint8
    original_size: tuple[int, int]  # (width, height) as the user's image is, after EXIF orientation
    drawn_ink: str | None = None  # a drawing's strokes' tone, "dark" or "light": see `drawn`
    pages: int = 1  # the pages or frames the file holds (a multi-page TIFF, an animated GIF); the first is read
    file: bytes | None = field(default=None, repr=False)  # where decoded smaller than its own size: for a closer look

    @property
    def drawn(self) -> bool:
        """Mostly see-through, as a canvas export: no page, rules or borders lie under the ink, and the ink's tone is
        known, not guessed, from the field it was laid on (`drawn_ink`)."""
        return self.drawn_ink is not None

    @property
    def scale(self) -> float:
        """Pixels per original pixel."""
        return self.pixels.shape[1] / self.original_size[0]

    def turned(self, quarters: int) -> "LoadedImage":
        """The image turned anticlockwise by `quarters` right angles, as if it had been given that way."""
        width, height = self.original_size
        size = (height, width) if quarters % 2 else (width, height)
        return LoadedImage(np.ascontiguousarray(np.rot90(self.pixels, quarters)), size, self.drawn_ink,
                           self.pages)


def _composite_alpha(rgba: np.ndarray) -> tuple[np.ndarray, str | None]:
    """Flatten transparency onto a background that keeps the strokes visible, and, for a drawing, its ink's tone.

    A canvas export is dark strokes on a transparent field: onto white. A light
    pen on a transparent field goes onto black instead, so it is not erased.
    """
    alpha = cv2.extractChannel(rgba, 3)
    colour = cv2.cvtColor(rgba, cv2.COLOR_RGBA2RGB)  # a plain copy of the first three channels, far faster than numpy's
    if int(alpha.min()) == 255:
        return colour, None
    _, opaque = cv2.threshold(alpha, 127, 255, cv2.THRESH_BINARY)  # cv2.compare takes a 1x1 image for a scalar
    share_opaque = cv2.countNonZero(opaque) / opaque.size
    ink_is_light = 0 < share_opaque < 0.5 and float(np.mean(cv2.mean(colour, mask=opaque)[:3])) > 160
    flattened = np.full_like(colour, 0 if ink_is_light else 255)  # the field: nothing of the image shows there
    drawn = cv2.countNonZero(alpha) <= (1 - DRAWN_SHARE) * alpha.size
    drawn_ink = ("light" if ink_is_light else "dark") if drawn else None
    x, y, width, height = cv2.boundingRect(alpha)  # compositing only where something shows halves a canvas' cost
    if width == 0:
        return flattened, drawn_ink
    shown = np.s_[y:y + height, x:x + width]
    alpha3 = cv2.merge([alpha[shown]] * 3)
    if ink_is_light:
        flattened[shown] = cv2.multiply(colour[shown], alpha3, scale=1 / 255)
    else:
        flattened[shown] = cv2.bitwise_not(cv2.multiply(cv2.bitwise_not(colour[shown]), alpha3, scale=1 / 255))
    return flattened, drawn_ink


def _to_uint8(array: np.ndarray) -> np.ndarray:
    """The pixels as 8-bit levels. Values from 0 to 1 are shares of full scale (a float image, a mask of 0s and 1s);
    values from 0 to 255 already are 8-bit levels, whatever type holds them: numpy's arithmetic and OpenCV's
    conversions hand a caller float and 64-bit copies of an 8-bit image, which must read as the image does (stretched
    to the full range, the ruled sample's '78136' lost 0.017 of its confidence, to under the review setting). A
    16-bit scan is scaled down; any other range (a 12-bit sensor's, negative values) is stretched to 0-255."""
    if array.dtype == np.uint8:
        return array
    if array.dtype == bool:
        return array.astype(np.uint8) * 255
    values = array.astype(np.float64)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        raise UnsupportedImageError("The image holds no finite pixel values.")
    values = np.nan_to_num(values, nan=0.0, posinf=finite.max(), neginf=finite.min())
    low, high = float(finite.min()), float(finite.max())
    if low >= 0 and high <= 1.0:
        return np.round(values * 255).astype(np.uint8)
    if low >= 0 and high <= 255:
        return np.round(values).astype(np.uint8)
    if array.dtype == np.uint16 and high > 4095:
        return (values / 257.0).round().astype(np.uint8)
    if high <= low:
        return np.zeros(array.shape, np.uint8)
    return np.round((values - low) * 255.0 / (high - low)).astype(np.uint8)


def array_to_rgb(array: np.ndarray) -> tuple[np.ndarray, str | None]:
    """Any (H, W), (H, W, 1), (H, W, 3) or (H, W, 4) array (RGB order) as (H, W, 3) uint8, and, where it was a
    drawing on a transparent field, its ink's tone (`LoadedImage.drawn_ink`)."""
    array = np.asarray(array)
    if array.size == 0:
        raise EmptyImageError("The image has no pixels (an empty array).")
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        raise UnsupportedImageError(f"An array of shape {array.shape} is not an image; expected {ACCEPTED_ARRAYS}.")
    if not (array.dtype == bool or np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise UnsupportedImageError(f"An array of {array.dtype} values is not an image; its pixels must be numbers "
                                    "(integers, floats or booleans).")
    pixels = _to_uint8(array)
    if pixels.ndim == 2:
        return np.repeat(pixels[..., None], 3, axis=2), None
    if pixels.shape[2] == 4:
        return _composite_alpha(pixels)
    return np.ascontiguousarray(pixels), None


def _pil_to_rgb(image: Image.Image) -> tuple[np.ndarray, str | None]:
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        return array_to_rgb(np.asarray(image))
    if image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (image.mode == "P" and "transparency" in image.info):
        return array_to_rgb(np.asarray(image if image.mode == "RGBA" else image.convert("RGBA")))  # convert copies
    if image.mode == "1":
        image = image.convert("L")
    if image.mode != "L":
        image = image.convert("RGB")
    return array_to_rgb(np.asarray(image))


def _png_chunk_types(data: bytes) -> list[bytes] | None:
    """The chunk types of a whole, undamaged PNG in order; None where a chunk is cut short or fails its CRC."""
    types, at, view = [], len(PNG_SIGNATURE), memoryview(data)
    while at + 12 <= len(data):
        length = int.from_bytes(data[at:at + 4], "big")
        end = at + 12 + length
        if end > len(data) or zlib.crc32(view[at + 4:end - 4]) != int.from_bytes(data[end - 4:end], "big"):
            return None
        types.append(data[at + 4:at + 8])
        at = end
    return types if at == len(data) and types[-1:] == [b"IEND"] else None


def _png_pixels(data: bytes, image: Image.Image) -> np.ndarray | None:
    """An undamaged 8-bit RGB or RGBA PNG with no EXIF chunk, decoded by OpenCV, in RGB(A) order; None for any other.

    OpenCV's decoder skips the copy Pillow makes to hand its pixels to numpy:
    a 600x400 canvas export loads in 1.7 ms rather than 2.4. The pixels are the
    same, as PNG is lossless. Anything unusual (a palette, 16 bits, an
    orientation tag, a damaged stream) is left to Pillow, whose errors say what
    is wrong; libpng would print its own to the console.
    """
    if image.format != "PNG" or image.mode not in ("RGB", "RGBA") or "transparency" in image.info:
        return None
    chunk_types = _png_chunk_types(data)
    if chunk_types is None or b"eXIf" in chunk_types or b"Raw profile type exif" in data:  # Pillow reads both
        return None
    pixels = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    channels = len(image.mode)
    if pixels is None or pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != channels:
        return None
    return cv2.cvtColor(pixels, cv2.COLOR_BGRA2RGBA if channels == 4 else cv2.COLOR_BGR2RGB)


def _page_count(image: Image.Image) -> int:
    """How many pages or frames the image holds; 1 where a damaged file's later ones cannot be counted (its first
    is still read, or fails with its own message)."""
    try:
        return int(getattr(image, "n_frames", 1))
    except (OSError, EOFError, SyntaxError, ValueError):
        return 1


def _check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width <= 0 or height <= 0:
        raise EmptyImageError(f"The image is {width}x{height} pixels: it has no pixels to read.")
    if width * height > max_pixels:
        raise ImageTooLargeError(
            f"The image is {width}x{height} pixels ({width * height / 1e6:.0f} MP); the limit is "
            f"{max_pixels / 1e6:.0f} MP. Send a smaller image or crop it to the number.")


def named_as_image(path: Path) -> bool:
    """Whether a file's name says it is an image: how a folder's images are told from the rest."""
    return path.suffix.lower() in IMAGE_SUFFIXES


def not_an_image_file(folder: Path) -> str:
    """Why a folder cannot be read as an image, and what to name instead; a folder holding no image says so, for
    the CLI names a folder's images itself and hands on only a folder without any."""
    try:
        children = list(folder.iterdir())
    except OSError as error:
        return f"{folder} is a folder, not an image file, and it cannot be listed ({error.strerror or error})."
    if not any(named_as_image(child) for child in children):
        empty = f"{folder} is a folder with no image in it (none named {', '.join(sorted(IMAGE_SUFFIXES))})"
        if any(child.is_dir() for child in children):
            return f"{empty}; its subfolders are not searched: name one, or a pattern such as {folder / '*' / '*.png'}."
        return f"{empty}."
    return (f"{folder} is a folder, not an image file: name the images in it, or a pattern such as "
            f"{folder / '*.png'} ({folder / '*' / '*.png'} for its subfolders).")


def _read_bytes(source, max_file_bytes: int) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.is_dir():
            raise ImageNotFoundError(not_an_image_file(path))
        if not path.is_file():
            if isinstance(source, str) and WEB_ADDRESS.match(source):
                raise ImageNotFoundError(f"{source} is a web address, and images are read from this machine only: "
                                         "download it, then pass the file or its bytes.")
            raise ImageNotFoundError(f"No file matches the pattern {path}." if glob.has_magic(str(path))
                                     else f"No image file at {path}.")
        if path.stat().st_size > max_file_bytes:
            raise ImageTooLargeError(f"{path.name} is {path.stat().st_size / MEGABYTE:.1f} MB; the limit is "
                                     f"{max_file_bytes / MEGABYTE:.0f} MB.")
        data = path.read_bytes()
    elif isinstance(source, io.TextIOBase):
        raise UnsupportedImageError("The file was opened as text; open it in binary mode (open(path, 'rb')), or "
                                    "pass its path.")
    elif hasattr(source, "read"):
        data = _whole_file(source, max_file_bytes)
    else:
        raise UnsupportedImageError(f"Cannot read an image from a {type(source).__name__}; expected {ACCEPTED}, "
                                    "as bytes, a path, a file object, a PIL image or a numpy array.")
    if not data:
        raise EmptyImageError("The file is empty (0 bytes).")
    if len(data) > max_file_bytes:
        raise ImageTooLargeError(f"The file is over {max_file_bytes / MEGABYTE:.0f} MB, the limit.")
    return data


def _whole_file(source, max_file_bytes: int) -> bytes:
    """An open file's bytes from its start, as PIL reads one, where it can seek: an upload shown or read once before
    stands at its end, and read from there it gave no bytes, an 'empty' file. Its place is put back after, so its
    owner goes on where they were. A stream that cannot seek (standard input from a pipe) is read from where it is."""
    try:
        place = source.tell()
        source.seek(0)
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both of the last two
        return source.read(max_file_bytes + 1)
    try:
        return source.read(max_file_bytes + 1)
    finally:
        source.seek(place)


def sendable(source: ImageSource, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> ImageSource | ImageLoadError:
    """The source as another process can be sent it: an open file object's bytes, read here where it is open, or
    the error reading them gave, and a memoryview's bytes, for neither can be pickled; any other source as it is."""
    if isinstance(source, memoryview):
        return bytes(source)
    if not hasattr(source, "read"):  # bytes, a path, a PIL image, an array: each pickles as it is
        return source
    try:
        return _read_bytes(source, max_file_bytes)
    except ImageLoadError as error:
        return error


def _is_heif(data: bytes) -> bool:
    """Whether the file opens as HEIF does (an ISO box named `ftyp` naming a HEIF or AVIF brand): how an iPhone
    stores its photos."""
    return data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS


@functools.cache
def _heif_opener() -> None:
    """Pillow learns to open HEIC at the first HEIF file, so no other read pays to load its decoder."""
    pillow_heif.register_heif_opener()


def _decode(data: bytes, max_pixels: int, draft_side: int | None, draft_short_side: int) -> LoadedImage:
    if _is_heif(data):
        _heif_opener()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the pixel limit below decides
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as error:
        declared = re.search(r"\((\d+) pixels\)", str(error))  # Pillow names the size only in its message
        pixels = int(declared.group(1)) if declared else 2 * Image.MAX_IMAGE_PIXELS
        raise ImageTooLargeError(
            f"The image declares {'' if declared else 'over '}{pixels / 1e6:.0f} MP, too many to decode safely; the "
            f"limit is {max_pixels / 1e6:.0f} MP. Send a smaller image or crop it to the number.") from None
    except UnidentifiedImageError:
        if _is_heif(data):
            raise TruncatedImageError("The HEIC or AVIF image data is truncated or damaged and cannot be decoded. "
                                      "Send the whole file again.") from None
        raise UnsupportedImageError(f"This file is not an image we can read; send a {ACCEPTED_FILES}.") from None
    with image:
        _check_pixels(*image.size, max_pixels)
        pages = _page_count(image)
        png_pixels = _png_pixels(data, image)
        if png_pixels is not None:
            pixels, drawn_ink = array_to_rgb(png_pixels)
            return LoadedImage(pixels, image.size, drawn_ink, pages)
        try:
            orientation = image.getexif().get(0x0112, 1)
            original_size = image.size[::-1] if orientation in (5, 6, 7, 8) else image.size
            scale = max(draft_side / max(image.size), draft_short_side / min(image.size)) if draft_side else 1.0
            drafted = image.format == "JPEG" and scale < 0.5
            if drafted:
                image.draft("RGB", (int(image.size[0] * scale) + 1, int(image.size[1] * scale) + 1))
            image.seek(0)
            image.load()
            pixels, drawn_ink = _pil_to_rgb(ImageOps.exif_transpose(image) if orientation in TURNED else image)
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            raise TruncatedImageError(f"The image data is truncated or damaged and cannot be decoded "
                                      f"({str(error).strip()}). Send the whole file again.") from None
    return LoadedImage(pixels, (int(original_size[0]), int(original_size[1])), drawn_ink, pages,
                       data if drafted else None)


def load_image(source: ImageSource, max_pixels: int = DEFAULT_MAX_PIXELS,
               max_file_bytes: int = DEFAULT_MAX_FILE_BYTES, draft_side: int | None = None,
               draft_short_side: int = 0) -> LoadedImage:
    """Decode any accepted input to RGB pixels.

    `draft_side` lets a large JPEG be decoded at a reduced scale no smaller than
    that side, which is far faster than decoding every pixel of a 12 MP photo,
    and no smaller than `draft_short_side` across (a long strip of writing is
    worked on at its least short side: `binarize.working_scale`).
    """
    if isinstance(source, np.ndarray):
        if source.ndim >= 2:
            _check_pixels(source.shape[1], source.shape[0], max_pixels)
        pixels, drawn_ink = array_to_rgb(source)
        return LoadedImage(pixels, (pixels.shape[1], pixels.shape[0]), drawn_ink)
    if isinstance(source, Image.Image):
        _check_pixels(*source.size, max_pixels)
        try:
            oriented = ImageOps.exif_transpose(source)
            pixels, drawn_ink = _pil_to_rgb(oriented)
        except OSError as error:
            raise TruncatedImageError(f"The image could not be decoded ({error}).") from None
        except ValueError as error:  # Pillow's word for an image already closed
            raise UnsupportedImageError(f"The PIL image could not be read ({error}): pass it before it is closed, "
                                        "or pass its file.") from None
        return LoadedImage(pixels, (pixels.shape[1], pixels.shape[0]), drawn_ink, _page_count(source))
    try:
        return _decode(_read_bytes(source, max_file_bytes), max_pixels, draft_side, draft_short_side)
    except ImageLoadError:
        raise
    except (OSError, ValueError) as error:
        raise UnsupportedImageError(f"The file could not be read as an image ({error}).") from None
