import io

import numpy as np
import pillow_heif
import pytest
from PIL import Image, ImageOps

from digitocr import (EmptyImageError, ImageNotFoundError, ImageTooLargeError, TruncatedImageError,
                      UnsupportedImageError)
from digitocr.image.loading import load_image
from digitocr.settings import DEFAULT_MAX_FILE_BYTES


def encode(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def test_bytes_path_file_pil_and_array_give_the_same_pixels(tmp_path):
    array = np.random.default_rng(0).integers(0, 255, (20, 30, 3), np.uint8)
    data = encode(Image.fromarray(array))
    path = tmp_path / "x.png"
    path.write_bytes(data)
    for source in (data, path, str(path), io.BytesIO(data), Image.fromarray(array), array):
        loaded = load_image(source)
        assert loaded.pixels.shape == (20, 30, 3)
        assert np.array_equal(loaded.pixels, array)


def test_an_open_file_read_before_is_read_from_its_start_and_left_where_it_was():
    """An upload shown before it is read stands at its end: read from there, it would be an 'empty' file."""
    array = np.random.default_rng(1).integers(0, 255, (12, 16, 3), np.uint8)
    data = encode(Image.fromarray(array))
    upload = io.BytesIO(data)
    upload.read(10)
    assert np.array_equal(load_image(upload).pixels, array)
    assert upload.tell() == 10


def test_canvas_png_black_strokes_on_transparent_become_black_on_white():
    rgba = np.zeros((10, 10, 4), np.uint8)
    rgba[4:6, 2:8] = (0, 0, 0, 255)
    pixels = load_image(encode(Image.fromarray(rgba, "RGBA"))).pixels
    assert pixels[0, 0].tolist() == [255, 255, 255]
    assert pixels[5, 5].tolist() == [0, 0, 0]


@pytest.mark.parametrize("ink", [0, 255])
def test_a_canvas_png_gives_the_pixels_of_the_drawing_it_holds(ink):
    rng = np.random.default_rng(ink)
    rgba = np.zeros((40, 60, 4), np.uint8)
    rgba[..., :3] = ink
    rgba[10:30, 20:45, 3] = rng.integers(0, 256, (20, 25))  # soft, anti-aliased edges
    rgba[12:18, 22:30, :3] = rng.integers(0, 256, (6, 8, 3))
    loaded = load_image(encode(Image.fromarray(rgba, "RGBA")))
    assert np.array_equal(loaded.pixels, load_image(rgba).pixels) and loaded.drawn
    assert loaded.pixels[0, 0].tolist() == [255 - ink] * 3


def test_light_strokes_on_transparent_are_kept_visible():
    rgba = np.zeros((10, 10, 4), np.uint8)
    rgba[4:6, 2:8] = (255, 255, 255, 255)
    loaded = load_image(rgba)
    assert loaded.pixels[0, 0].tolist() == [0, 0, 0]
    assert loaded.pixels[5, 5].tolist() == [255, 255, 255]
    assert loaded.drawn_ink == "light" and loaded.turned(1).drawn_ink == "light"
    rgba[4:6, 2:8] = (20, 20, 90, 255)
    assert load_image(rgba).drawn_ink == "dark"


def test_a_mostly_see_through_image_is_known_as_a_drawing_and_an_opaque_or_cut_out_one_is_not():
    canvas = np.zeros((40, 60, 4), np.uint8)
    canvas[10:30, 20:24] = (0, 0, 0, 255)
    assert load_image(canvas).drawn and load_image(encode(Image.fromarray(canvas, "RGBA"))).drawn
    assert load_image(Image.fromarray(canvas, "RGBA")).drawn
    photo = np.full((40, 60, 4), 200, np.uint8)
    photo[..., 3] = 255
    assert not load_image(photo).drawn and not load_image(photo[..., :3]).drawn
    photo[:4, :4, 3] = photo[:4, -4:, 3] = 0  # rounded corners cut out of a screenshot
    assert not load_image(encode(Image.fromarray(photo, "RGBA"))).drawn


@pytest.mark.parametrize("mode", ["L", "P", "CMYK", "I;16", "LA", "1", "F"])
def test_every_common_mode_loads_as_rgb(mode):
    base = Image.fromarray(np.tile(np.arange(0, 250, 10, dtype=np.uint8), (8, 1)))
    if mode == "I;16":
        image = Image.fromarray((np.asarray(base).astype(np.uint16) * 257))
    elif mode == "F":
        image = Image.fromarray(np.asarray(base).astype(np.float32) / 255.0)
    else:
        image = base.convert(mode)
    fmt = "TIFF" if mode in ("CMYK", "I;16", "F") else "PNG"
    pixels = load_image(encode(image, fmt)).pixels
    assert pixels.shape == (8, 25, 3) and pixels.dtype == np.uint8
    if mode not in ("1", "P"):
        assert pixels[0, -1, 0] > pixels[0, 0, 0]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.int32, np.uint16])
def test_an_8_bit_image_held_in_a_wider_type_keeps_its_levels(dtype):
    levels = np.tile(np.arange(20, 230, 3, dtype=np.uint8), (6, 1))  # paper never white, ink never black
    assert np.array_equal(load_image(levels.astype(dtype)).pixels, load_image(levels).pixels)


def test_a_mask_of_zeros_and_ones_and_a_signed_image_are_brought_to_the_full_range():
    mask = np.zeros((6, 6), np.int64)
    mask[2:4, 2:4] = 1
    assert load_image(mask).pixels[3, 3, 0] == 255 and load_image(mask).pixels[0, 0, 0] == 0
    signed = np.array([[-100, 0], [50, 100]], np.int16)
    assert load_image(signed).pixels[..., 0].tolist() == [[0, 128], [191, 255]]


def test_sixteen_bit_scale_is_kept():
    array = np.full((4, 4), 65535, np.uint16)
    array[0, 0] = 0
    pixels = load_image(encode(Image.fromarray(array), "PNG")).pixels
    assert pixels[1, 1, 0] == 255 and pixels[0, 0, 0] == 0


def test_animated_gif_gives_its_first_frame_and_counts_them_all():
    frames = [Image.fromarray(np.full((6, 6), value, np.uint8)) for value in (0, 255, 128)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    loaded = load_image(data)
    assert loaded.pixels.max() == 0
    assert loaded.pages == 3


def test_a_multi_page_tiff_counts_its_pages_and_a_plain_image_has_one():
    pages = [Image.fromarray(np.full((6, 6, 3), value, np.uint8)) for value in (10, 250)]
    assert load_image(encode(pages[0], "TIFF", save_all=True, append_images=pages[1:])).pages == 2
    assert load_image(Image.open(io.BytesIO(encode(pages[0], "TIFF", save_all=True,
                                                   append_images=pages[1:])))).pages == 2
    assert load_image(encode(pages[0], "PNG")).pages == 1
    assert load_image(np.zeros((6, 6), np.uint8)).pages == 1


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_honoured(orientation):
    array = np.zeros((10, 20, 3), np.uint8)
    array[:3, :3] = 255  # a bright corner, top left as stored
    image = Image.fromarray(array)
    exif = image.getexif()
    exif[0x0112] = orientation
    loaded = load_image(encode(image, "PNG", exif=exif))
    expected = (20, 10) if orientation >= 5 else (10, 20)
    assert loaded.pixels.shape[:2] == expected
    assert loaded.original_size == expected[::-1]
    upright = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(encode(image, "PNG", exif=exif)))))
    assert np.array_equal(loaded.pixels, upright)


def test_cmyk_jpeg_loads():
    image = Image.fromarray(np.full((8, 8, 3), 200, np.uint8)).convert("CMYK")
    assert load_image(encode(image, "JPEG")).pixels.shape == (8, 8, 3)


def test_animated_webp_gives_its_first_frame():
    frames = [Image.fromarray(np.full((6, 6, 3), value, np.uint8)) for value in (10, 250)]
    data = encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], lossless=True)
    assert load_image(data).pixels.max() < 50


def heic_of(image: Image.Image, **options) -> bytes:
    pillow_heif.register_heif_opener()
    return encode(image, "HEIF", quality=95, **options)


def test_an_iphone_heic_photo_loads_turned_as_its_tag_says_and_a_cut_one_is_refused_clearly():
    array = np.full((40, 60, 3), 255, np.uint8)
    array[:10, :10] = 0  # a dark corner, top left as stored
    image = Image.fromarray(array)
    exif = image.getexif()
    exif[0x0112] = 6  # held upright, stored on its side: shown turned a quarter clockwise
    loaded = load_image(heic_of(image, exif=exif.tobytes()))
    assert loaded.pixels.shape == (60, 40, 3) and loaded.original_size == (40, 60)
    assert loaded.pixels[:8, -8:].max() < 60 and loaded.pixels[:8, :8].min() > 200
    data = heic_of(image)
    with pytest.raises(TruncatedImageError, match="HEIC"):
        load_image(data[: len(data) // 2])
    photo = heic_of(Image.fromarray(np.random.default_rng(4).integers(0, 255, (300, 400, 3), np.uint8)))
    with pytest.raises(TruncatedImageError, match=r"cannot be decoded \(.*\)\. Send the whole file again") as cut:
        load_image(photo[: len(photo) // 2])  # its header whole, its picture cut: the decoder's own words...
    assert "\n" not in str(cut.value)  # ...on one line


def test_an_avif_image_loads():
    array = np.full((30, 50, 3), 255, np.uint8)
    array[10:20, 10:40] = 0
    pixels = load_image(encode(Image.fromarray(array), "AVIF", quality=95)).pixels
    assert pixels.shape == (30, 50, 3) and pixels[15, 25].max() < 60 and pixels[2, 2].min() > 200


def test_palette_png_with_transparency_is_composited():
    image = Image.new("P", (6, 6), 0)
    image.putpalette([0, 0, 0, 255, 255, 255] + [0] * 762)
    image.paste(1, (2, 2, 4, 4))
    image.info["transparency"] = 1
    pixels = load_image(encode(image, "PNG", transparency=1)).pixels
    assert pixels[0, 0].tolist() == [0, 0, 0] and pixels[3, 3].tolist() == [255, 255, 255]


def test_not_an_image_is_refused_clearly():
    with pytest.raises(UnsupportedImageError, match="not an image"):
        load_image(b"%PDF-1.4 this is a document")


def test_truncated_png_is_refused_clearly():
    data = encode(Image.fromarray(np.random.default_rng(1).integers(0, 255, (64, 64), np.uint8)))
    with pytest.raises(TruncatedImageError, match="truncated"):
        load_image(data[: len(data) // 2])


def test_a_png_damaged_inside_is_refused_clearly(capfd):
    data = bytearray(encode(Image.fromarray(np.random.default_rng(2).integers(0, 255, (64, 64, 4), np.uint8))))
    data[len(data) // 2:len(data) // 2 + 40] = bytes(40)
    with pytest.raises(TruncatedImageError, match="damaged"):
        load_image(bytes(data))
    assert capfd.readouterr().err == ""


def test_truncated_jpeg_is_refused_clearly():
    data = encode(Image.fromarray(np.random.default_rng(1).integers(0, 255, (64, 64, 3), np.uint8)), "JPEG")
    with pytest.raises(TruncatedImageError):
        load_image(data[: len(data) // 2])


def test_empty_input_is_refused(tmp_path):
    with pytest.raises(EmptyImageError):
        load_image(b"")
    with pytest.raises(EmptyImageError):
        load_image(np.zeros((0, 5), np.uint8))


def test_missing_file_is_named():
    with pytest.raises(ImageNotFoundError, match="nowhere.png"):
        load_image("nowhere.png")


def test_a_closed_pil_image_and_a_file_opened_as_text_say_what_to_pass(tmp_path):
    image = Image.fromarray(np.zeros((8, 8), np.uint8))
    image.close()
    with pytest.raises(UnsupportedImageError, match="before it is closed"):
        load_image(image)
    path = tmp_path / "cell.png"
    path.write_bytes(encode(Image.fromarray(np.zeros((8, 8), np.uint8))))
    with open(path) as text, pytest.raises(UnsupportedImageError, match="binary mode"):
        load_image(text)


def test_a_web_address_is_named_whole_and_said_to_be_one():
    with pytest.raises(ImageNotFoundError, match="https://example.com/cheque.png is a web address"):
        load_image("https://example.com/cheque.png")


def test_a_folder_is_no_image_and_one_holding_none_says_so(tmp_path):
    with pytest.raises(ImageNotFoundError, match="is a folder with no image in it"):
        load_image(tmp_path)
    (tmp_path / "a.png").write_bytes(b"")
    with pytest.raises(ImageNotFoundError, match="is a folder, not an image file: name the images in it"):
        load_image(tmp_path)


def test_pixel_bomb_is_refused_before_decoding():
    huge = encode(Image.new("L", (9000, 9000)), "PNG")
    with pytest.raises(ImageTooLargeError, match="MP"):
        load_image(huge, max_pixels=50_000_000)
    with pytest.raises(ImageTooLargeError):
        load_image(encode(Image.new("L", (300, 300))), max_pixels=10_000)


def test_oversized_file_is_refused():
    with pytest.raises(ImageTooLargeError, match="MB"):
        load_image(b"x" * 2000, max_file_bytes=1000)


def test_the_file_limit_is_named_as_the_app_and_the_readme_name_it(tmp_path):
    """50 MB, counted as Streamlit's upload limit counts (2^20 bytes each), not '52 MB'."""
    with pytest.raises(ImageTooLargeError, match="over 50 MB, the limit"):
        load_image(io.BytesIO(b"x" * (DEFAULT_MAX_FILE_BYTES + 1)))
    big = tmp_path / "scan.png"
    big.write_bytes(b"x" * (DEFAULT_MAX_FILE_BYTES + 1))
    with pytest.raises(ImageTooLargeError, match="scan.png is 50.0 MB; the limit is 50 MB"):
        load_image(big)


def test_array_of_wrong_shape_is_refused():
    with pytest.raises(UnsupportedImageError, match="shape"):
        load_image(np.zeros((4, 4, 2), np.uint8))


@pytest.mark.parametrize("array", [np.array([["a", "b"]], dtype=object), np.zeros((4, 4), np.complex64),
                                   np.array([["1", "2"]])], ids=["objects", "complex", "strings"])
def test_an_array_of_values_that_are_not_pixel_numbers_is_refused(array):
    with pytest.raises(UnsupportedImageError, match=f"{array.dtype} values is not an image"):
        load_image(array)


def test_jpeg_draft_decodes_smaller_but_reports_original_size():
    data = encode(Image.new("RGB", (4000, 3000), "white"), "JPEG")
    loaded = load_image(data, draft_side=1000)
    assert loaded.original_size == (4000, 3000)
    assert 1000 <= loaded.pixels.shape[1] < 4000
    assert loaded.scale == loaded.pixels.shape[1] / 4000


def test_a_long_jpeg_strip_is_decoded_no_shorter_across_than_asked():
    data = encode(Image.new("RGB", (8000, 200), "white"), "JPEG")
    loaded = load_image(data, draft_side=900, draft_short_side=86)
    assert 86 <= loaded.pixels.shape[0] < 200  # a quarter's decode, 50 rows, would leave its digits illegible
    assert load_image(data, draft_side=900).pixels.shape[0] < 86


def test_a_jpeg_decoded_smaller_keeps_its_file_for_a_closer_look_and_one_decoded_whole_does_not():
    sheet = Image.fromarray(np.full((1200, 2000, 3), 200, np.uint8))
    big = encode(sheet, "JPEG")
    assert load_image(big, draft_side=400).file == big
    assert load_image(big).file is None
    assert load_image(encode(sheet, "PNG"), draft_side=400).file is None


def test_the_callers_array_is_not_changed():
    array = np.zeros((10, 10, 4), np.uint8)
    array[..., 3] = 0
    before = array.copy()
    load_image(array)
    assert np.array_equal(array, before)
