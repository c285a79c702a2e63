"""digitocr's Streamlit app: upload, photograph or draw a number and read it. Layout only; logic is in digitocr."""

import tempfile
from pathlib import Path

import numpy as np
import streamlit as st
from PIL import Image
from streamlit_drawable_canvas import st_canvas

from digitocr import DigitOcrError, Models, Reader, ReaderSettings
from digitocr.frontends.presentation import (canvas_is_empty, crop_digit, digit_caption, probability_table,
                                             readings_to_json, result_row, rows_to_csv)
from digitocr.networks.classifier import DEFAULT_MODEL_PATH
from digitocr.training.userdata import (NOT_A_DIGIT, append_samples, counts_by_label, default_folder, extract_zip,
                                        read_labels)

SAMPLES = Path(__file__).parent / "sample_images"
UPLOAD_TYPES = ["png", "jpg", "jpeg", "webp", "bmp", "tif", "tiff"]


@st.cache_resource
def load_models(model_path: str) -> Models:
    return Models.load(model_path)


def settings_ui() -> tuple[ReaderSettings, bool, str, Path]:
    """Sidebar: debug toggle, model, own-data folder and the reader's tunable settings (defaults: the library's)."""
    defaults = ReaderSettings()
    with st.sidebar:
        st.header("Settings")
        debug = st.toggle("Debug mode: show every pipeline stage", key="debug")
        with st.expander("Advanced"):
            method = st.selectbox("Threshold method", ["auto", "otsu", "adaptive"], key="threshold")
            min_height = st.slider("Minimum digit height (of the typical digit)", 0.1, 0.9,
                                   defaults.min_digit_height, 0.05, key="min_height")
            doubtful = st.slider("Confidence below which a digit is doubtful", 0.0, 1.0, defaults.doubtful_below,
                                 0.05, key="doubtful")
            reject = st.slider("Top probability below which a mark is not a digit", 0.0, 0.9, defaults.reject_below,
                               0.05, key="reject")
            read_lines = st.toggle("Also read each line whole (line recognizer)", defaults.read_lines,
                                   key="read_lines")
        with st.expander("Model and my own digits"):
            model_path = st.text_input("Model file (a fine-tuned one, or the shipped default)", str(DEFAULT_MODEL_PATH),
                                       key="model_path")
            data_folder = Path(st.text_input("Folder for corrected digits", str(default_folder()), key="data_folder"))
            counts = counts_by_label(data_folder)
            st.caption("Saved so far: " + ", ".join(f"{label}: {count}" for label, count in counts.items()))
            archive = st.file_uploader("Add a zip of labelled digits (images + labels.csv)", type=["zip"],
                                       key="zip_upload")
            if archive is not None and st.button("Add these digits", key="add_zip"):
                add_zip(archive.getvalue(), data_folder)
    settings = defaults.with_changes(threshold_method=method, min_digit_height=min_height, doubtful_below=doubtful,
                                     reject_below=reject, read_lines=read_lines)
    return settings, debug, model_path, data_folder


def add_zip(data: bytes, data_folder: Path) -> None:
    with tempfile.TemporaryDirectory() as unpacked:
        try:
            folder = extract_zip(data, Path(unpacked))
        except (ValueError, OSError) as error:
            st.error(f"The zip cannot be used: {error}")
            return
        items, problems = read_labels(folder)
        samples = [(np.asarray(Image.open(item.path).convert("RGB")), item.label) for item in items]
    append_samples(data_folder, samples)
    st.success(f"Added {len(samples)} digits." + (f" Skipped: {'; '.join(problems)}" if problems else ""))


def corrections_ui(reader: Reader, source, reading, name: str, data_folder: Path) -> None:
    """Set each digit's right label (or 'not a digit') and save the crops to the user's own data folder."""
    with st.expander("Correct this reading and save the digits for fine-tuning"):
        options = [str(d) for d in range(10)] + [NOT_A_DIGIT]
        columns = st.columns(min(6, len(reading.digits)))
        labels = []
        for index, digit in enumerate(reading.digits):
            with columns[index % len(columns)]:
                labels.append(st.selectbox(f"#{index + 1}", options, index=digit.label,
                                           format_func=lambda o: "not a digit" if o == NOT_A_DIGIT else o,
                                           key=f"label-{name}-{index}"))
        if st.button("Save these digits", key=f"save-{name}"):
            loaded = reader.load(source)
            crops = [crop_digit(loaded.pixels, loaded.scale, digit.box) for digit in reading.digits]
            written = append_samples(data_folder, list(zip(crops, labels)))
            st.success(f"Saved {len(written)} digits to {data_folder}.")


def show_reading(reader: Reader, source, name: str, debug: bool, data_folder: Path) -> None:
    try:
        reading = reader.read(source, stages=True)
    except DigitOcrError as error:
        st.error(f"{name}: {error}")
        return
    if not reading.digits:
        st.warning(f"{name}: no digits found. " + " ".join(reading.notes[:-1]))
    else:
        st.subheader("Number")
        st.code(reading.written, language=None)
        if reading.written != reading.text:
            st.caption(f"Digits only: {reading.text.replace(chr(10), ' / ')}")
        for note in reading.notes:
            st.info(note)
    shown = {stage.name: stage for stage in reading.stages}
    st.image(shown["reading"].image, caption=shown["reading"].caption, width="stretch")
    if reading.digits:
        st.caption("Each digit as the classifier sees it (28x28)" +
                   ("; lines marked 'line recognizer' were read whole." if any(
                       line.read_by != "contours" for line in reading.lines) else ":"))
        columns = st.columns(min(10, len(reading.digits)))
        for index, digit in enumerate(reading.digits):
            with columns[index % len(columns)]:
                st.image((digit.model_input * 255).astype(np.uint8), width=56)
                st.markdown(f"**{digit_caption(digit)}**" if not digit.doubtful else f":orange[{digit_caption(digit)}]")
        choice = st.selectbox("Probabilities of digit", range(len(reading.digits)),
                              format_func=lambda i: f"#{i + 1}: read as {reading.digits[i].label}",
                              key=f"choice-{name}")
        st.bar_chart(probability_table(reading.digits[choice]), x_label="digit", y_label="probability")
        corrections_ui(reader, source, reading, name, data_folder)
    if debug:
        st.subheader("Pipeline stages")
        for number, stage in enumerate(reading.stages, start=1):
            st.image(stage.image, caption=f"{number}. {stage.name}: {stage.caption}", width="stretch")


def upload_tab(reader: Reader, debug: bool, data_folder: Path) -> None:
    files = st.file_uploader("Images of handwritten numbers", type=UPLOAD_TYPES, accept_multiple_files=True,
                             key="uploads")
    if not files:
        st.info("Upload one image to see its reading, or several for a table.")
        return
    if len(files) == 1:
        show_reading(reader, files[0].getvalue(), files[0].name, debug, data_folder)
        return
    progress = st.progress(0.0, text="Reading...")
    named = []
    for index, (file, outcome) in enumerate(zip(files, reader.read_many(f.getvalue() for f in files))):
        named.append((file.name, outcome))
        progress.progress((index + 1) / len(files), text=f"Read {index + 1} of {len(files)}")
    rows = [result_row(name, outcome) for name, outcome in named]
    st.dataframe([row.to_dict() for row in rows], width="stretch")
    left, right = st.columns(2)
    left.download_button("Download CSV", rows_to_csv(rows), "digitocr.csv", "text/csv")
    right.download_button("Download JSON", readings_to_json(named), "digitocr.json", "application/json")
    chosen = st.selectbox("Show one image", [name for name, _ in named], key="chosen_upload")
    show_reading(reader, next(f.getvalue() for f in files if f.name == chosen), chosen, debug, data_folder)


def camera_tab(reader: Reader, debug: bool, data_folder: Path) -> None:
    photo = st.camera_input("Photograph a handwritten number", key="camera")
    if photo is not None:
        show_reading(reader, photo.getvalue(), "camera photo", debug, data_folder)


def canvas_tab(reader: Reader, debug: bool, data_folder: Path) -> None:
    stroke = st.slider("Pen width", 4, 40, 14, key="pen_width")
    drawing = st_canvas(stroke_width=stroke, stroke_color="#000000", height=300, width=700,
                        drawing_mode="freedraw", update_streamlit=True, return_image_data=True, key="canvas")
    if canvas_is_empty(drawing.image_data):
        st.info("Draw a number above; the toolbar under the canvas undoes and clears.")
        return
    show_reading(reader, drawing.image_data, "drawing", debug, data_folder)


def samples_tab(reader: Reader, debug: bool, data_folder: Path) -> None:
    samples = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".png", ".jpg"))
    columns = st.columns(len(samples))
    for column, sample in zip(columns, samples):
        column.image(str(sample), width="stretch")
        if column.button("Read this", key=f"sample-{sample.name}"):
            st.session_state["sample"] = sample.name
    if "sample" in st.session_state:
        show_reading(reader, SAMPLES / st.session_state["sample"], st.session_state["sample"], debug, data_folder)


def main() -> None:
    st.set_page_config(page_title="digitocr", page_icon="🔢", layout="centered")
    st.title("digitocr")
    st.caption("Reads handwritten numbers from photos, scans and drawings; every digit boxed and scored.")
    settings, debug, model_path, data_folder = settings_ui()
    try:
        reader = Reader(settings=settings, models=load_models(model_path))
    except DigitOcrError as error:
        st.error(str(error))
        return
    upload, camera, canvas, samples = st.tabs(["Upload", "Camera", "Draw", "Samples"])
    with upload:
        upload_tab(reader, debug, data_folder)
    with camera:
        camera_tab(reader, debug, data_folder)
    with canvas:
        canvas_tab(reader, debug, data_folder)
    with samples:
        samples_tab(reader, debug, data_folder)


main()
