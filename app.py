"""digitocr's Streamlit app: upload, photograph or draw a number and read it; review many. Layout only; logic is in
digitocr."""

import hashlib
import tempfile
from pathlib import Path

import numpy as np
import streamlit as st
from PIL import Image
from streamlit_drawable_canvas import st_canvas

from digitocr import DigitOcrError, Models, Reader, ReaderSettings
from digitocr.frontends.deployment import data_folder, known_models
from digitocr.frontends.presentation import (canvas_is_empty, crop_digit, digit_caption, probability_table,
                                             readings_csv, readings_json, zip_left_out_note)
from digitocr.frontends.review import (approved_csv, approved_json, approved_rows, corrected_digits, decided,
                                       queue_order, queue_summary, review_row)
from digitocr.image.loading import IMAGE_SUFFIXES
from digitocr.training.userdata import (NOT_A_DIGIT, append_samples, counts_by_label, extract_zip, images_in_zip,
                                        read_labels)

SAMPLES = Path(__file__).parent / "sample_images"
UPLOAD_TYPES = sorted(suffix.lstrip(".") for suffix in IMAGE_SUFFIXES) + ["zip"]
ROWS_PER_PAGE = 25
QUEUE_BATCH = 8  # images whose digits are classified in one call while the queue's progress bar waits
PHONE_CANVAS, WIDE_CANVAS = 340, 700  # pixels: a phone's page is about 390 wide, with margins


@st.cache_resource
def load_models(model_name: str) -> Models:
    return Models.load(known_models()[model_name])


def settings_ui() -> tuple[ReaderSettings, bool, str]:
    """Sidebar: debug toggle, the reader's tunable settings (defaults: the library's), the model by name and the
    digits saved so far."""
    defaults = ReaderSettings()
    with st.sidebar:
        st.header("Settings")
        debug = st.toggle("Debug mode: show every pipeline stage", key="debug")
        with st.expander("Advanced"):
            method = st.selectbox("Threshold method", ["auto", "otsu", "adaptive"], key="threshold")
            ink = st.selectbox("Ink", ["auto", "dark", "light"], key="ink",
                               help="Dark ink on light paper, light ink on a dark field, or told from each image.")
            min_height = st.slider("Minimum digit height (of the typical digit)", 0.1, 0.9,
                                   defaults.min_digit_height, 0.05, key="min_height")
            doubtful = st.slider("Confidence below which a digit is doubtful", 0.0, 1.0, defaults.doubtful_below,
                                 0.05, key="doubtful")
            reject = st.slider("Top probability below which a mark is not a digit", 0.0, 0.9, defaults.reject_below,
                               0.05, key="reject")
            review = st.slider("Confidence below which a reading needs review", 0.0, 1.0, defaults.review_below,
                               0.01, key="review")
            read_lines = st.toggle("Also read each line whole (line recognizer)", defaults.read_lines,
                                   key="read_lines")
        with st.expander("Model and my own digits"):
            model_name = st.selectbox("Model", list(known_models()), key="model",
                                      help="The shipped model, or a fine-tuned one the operator has added.")
            counts = counts_by_label(data_folder())
            st.caption("Digits saved for fine-tuning so far: " +
                       ", ".join(f"{label}: {count}" for label, count in counts.items()))
            archive = st.file_uploader("Add a zip of labelled digits (images + labels.csv)", type=["zip"],
                                       key="zip_upload")
            if archive is not None and st.button("Add these digits", key="add_zip"):
                add_zip(archive.getvalue())
    settings = defaults.with_changes(threshold_method=method, ink=ink, min_digit_height=min_height,
                                     doubtful_below=doubtful, reject_below=reject, review_below=review,
                                     read_lines=read_lines)
    return settings, debug, model_name


def add_zip(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as unpacked:
        try:
            folder = extract_zip(data, Path(unpacked))
        except (ValueError, OSError) as error:
            st.error(f"The zip cannot be used: {error}")
            return
        items, problems = read_labels(folder)
        samples = [(np.asarray(Image.open(item.path).convert("RGB")), item.label) for item in items]
    append_samples(data_folder(), samples)
    st.success(f"Added {len(samples)} digits." + (f" Skipped: {'; '.join(problems)}" if problems else ""))


def corrections_ui(reader: Reader, source, reading, name: str) -> None:
    """Set each digit's right label (or 'not a digit') and save the crops to the operator's data folder."""
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
            written = append_samples(data_folder(), list(zip(crops, labels)))
            st.success(f"Saved {len(written)} digits for fine-tuning.")


def show_reading(reader: Reader, source, name: str, debug: bool) -> None:
    try:
        with st.spinner(f"Reading {name}…"):
            reading = reader.read(source, stages=True)
    except DigitOcrError as error:
        st.error(f"{name}: {error}")
        return
    if not reading.digits:
        st.warning(f"{name}: no digits found. " + " ".join(reading.notes_beside_nothing_found))
    else:
        st.subheader("Number")
        st.code(reading.written, language=None)
        sureness = f"Confidence that the whole reading is right: {reading.confidence:.0%}"
        (st.warning if reading.needs_review else st.caption)(sureness + (" — please check it." if
                                                                        reading.needs_review else "."))
        if reading.written != reading.text:
            st.caption(f"Digits only: {reading.text.replace(chr(10), ' / ')}")
        for note in reading.notes:
            st.info(note)
    shown = {stage.name: stage for stage in reading.stages}
    st.image(shown["reading"].image, caption=shown["reading"].caption if reading.digits else None, width="stretch")
    if reading.digits:
        digits_ui(reading, name)
        corrections_ui(reader, source, reading, name)
    if debug:
        st.subheader("Pipeline stages")
        for number, stage in enumerate(reading.stages, start=1):
            st.image(stage.image, caption=f"{number}. {stage.name}: {stage.caption}", width="stretch")


def digits_ui(reading, name: str) -> None:
    st.caption("Each digit as the classifier sees it (28x28)" +
               ("; lines marked 'line recognizer' were read whole." if any(
                   line.read_by != "contours" for line in reading.lines) else ":"))
    columns = st.columns(min(10, len(reading.digits)))
    for index, digit in enumerate(reading.digits):
        with columns[index % len(columns)]:
            st.image((digit.model_input * 255).astype(np.uint8), width=56)
            st.markdown(f"**{digit_caption(digit)}**" if not digit.doubtful else f":orange[{digit_caption(digit)}]")
    choice = st.selectbox("Probabilities of digit", range(len(reading.digits)),
                          format_func=lambda i: f"#{i + 1}: read as {reading.digits[i].label}", key=f"choice-{name}")
    st.bar_chart(probability_table(reading.digits[choice]), x_label="digit", y_label="probability")


def uploaded_images(files) -> list[tuple[str, bytes]]:
    """Each uploaded image, and the images inside each uploaded zip (checked before unpacking)."""
    images = []
    for file in files:
        if not file.name.lower().endswith(".zip"):
            images.append((file.name, file.getvalue()))
            continue
        try:
            found, left_out = images_in_zip(file.getvalue(), IMAGE_SUFFIXES)
        except ValueError as error:
            st.error(f"{file.name}: {error}")
            continue
        images += [(f"{file.name}/{name}", data) for name, data in found]
        note = zip_left_out_note(file.name, len(found), left_out)
        if note:
            st.warning(note)
    return images


def upload_tab(reader: Reader, debug: bool) -> None:
    files = st.file_uploader("Images of handwritten numbers, or zips of them", type=UPLOAD_TYPES,
                             accept_multiple_files=True, key="uploads")
    if not files:
        st.info("Upload one image to see its reading, or several (or a zip) to review them as a queue.")
        return
    images = uploaded_images(files)
    if len(images) == 1:
        show_reading(reader, images[0][1], images[0][0], debug)
    elif images:
        review_ui(reader, images)


def read_queue(reader: Reader, images: list[tuple[str, bytes]]) -> tuple[list, list]:
    """The queue's rows and every reading, made once per set of uploads and kept while the clerk works."""
    digest = hashlib.sha256(b"".join(hashlib.sha256(data).digest() for _, data in images)).hexdigest()
    if st.session_state.get("queue_digest") != (digest, reader.settings):
        named = read_with_progress(reader, images)
        rows = []
        for index, ((name, outcome), (_, data)) in enumerate(zip(named, images)):
            loaded = None if outcome.error else reader.load(data)
            rows.append(review_row(f"{index}", name, outcome, loaded.pixels if loaded else None,
                                   loaded.scale if loaded else 1.0))
        st.session_state.update(queue_digest=(digest, reader.settings), queue=queue_order(rows), readings=named,
                                decisions={})
    return st.session_state["queue"], st.session_state["readings"]


def read_with_progress(reader: Reader, images: list[tuple[str, bytes]]) -> list:
    """Every image's outcome, named, with a bar that fills as they are read: a queue of photos takes seconds."""
    progress = st.progress(0.0, text=f"Reading {len(images)} images…")
    named = []
    for (name, _), outcome in zip(images, reader.read_many([data for _, data in images], batch_size=QUEUE_BATCH)):
        named.append((name, outcome))
        progress.progress(len(named) / len(images), text=f"Read {len(named)} of {len(images)} images…")
    progress.empty()
    return named


def review_ui(reader: Reader, images: list[tuple[str, bytes]]) -> None:
    rows, named = read_queue(reader, images)
    decisions = st.session_state["decisions"]
    st.subheader("Review queue")
    st.caption(queue_summary(rows, len(decisions)))
    pages = max(1, -(-len(rows) // ROWS_PER_PAGE))
    page = st.selectbox("Page", range(1, pages + 1), key="queue_page") if pages > 1 else 1
    for row in rows[(page - 1) * ROWS_PER_PAGE:page * ROWS_PER_PAGE]:
        review_row_ui(row, decisions)
    approved = approved_rows(rows, decisions)
    left, right = st.columns(2)
    left.download_button("Download approved (CSV)", approved_csv(approved), "approved.csv", "text/csv",
                         key="approved_csv", disabled=not approved, on_click="ignore")
    right.download_button("Download approved (JSON)", approved_json(approved), "approved.json", "application/json",
                          key="approved_json", disabled=not approved, on_click="ignore")
    with st.expander("Every reading, as the CLI gives them"):
        left, right = st.columns(2)
        left.download_button("Download all (CSV)", readings_csv(named), "digitocr.csv", "text/csv", key="all_csv",
                             on_click="ignore")
        right.download_button("Download all (JSON)", readings_json(named), "digitocr.json", "application/json",
                              key="all_json", on_click="ignore")
    samples = [sample for row in rows if row.key in decisions for sample in corrected_digits(row, decisions[row.key])]
    if samples and st.button(f"Save the {len(samples)} corrected digits for fine-tuning", key="save_corrections"):
        append_samples(data_folder(), samples)
        st.success(f"Saved {len(samples)} digits for fine-tuning.")


def review_row_ui(row, decisions: dict) -> None:
    def typed() -> None:
        decisions[row.key] = decided(row, st.session_state[f"fix-{row.key}"])

    def accepted() -> None:
        decisions[row.key] = decided(row, None)

    with st.container(border=True):
        mark = "⚠ " if row.needs_review else ""
        decision = decisions.get(row.key)
        status = ("" if decision is None else " · ✅ corrected" if decision.corrected else " · ✅ accepted")
        st.markdown(f"**{mark}{row.file}** · {row.sureness}{status}")
        if row.error:
            st.error(row.error)
            return
        if not row.read:
            st.warning("No digits found: type the number if the image holds one, or accept it as empty.")
        for note in row.notes:
            st.caption(note)
        st.image(row.picture, width="content")
        number, accept = st.columns([3, 1], vertical_alignment="bottom")
        number.text_input("Right number", value=decision.approved if decision else row.read, key=f"fix-{row.key}",
                          on_change=typed)
        accept.button("Accept", key=f"accept-{row.key}", disabled=decision is not None, on_click=accepted)


def camera_tab(reader: Reader, debug: bool) -> None:
    photo = st.camera_input("Photograph a handwritten number", key="camera")
    if photo is not None:
        show_reading(reader, photo.getvalue(), "camera photo", debug)


def canvas_width() -> int:
    """A phone's browser gets a canvas as wide as its page; others a wide one."""
    agent = st.context.headers.get("User-Agent", "")
    return PHONE_CANVAS if "Mobile" in agent or "Android" in agent else WIDE_CANVAS


def canvas_tab(reader: Reader, debug: bool) -> None:
    stroke = st.slider("Pen width", 4, 40, 14, key="pen_width")
    drawing = st_canvas(stroke_width=stroke, stroke_color="#000000", height=300, width=canvas_width(),
                        drawing_mode="freedraw", update_streamlit=True, return_image_data=True, key="canvas")
    if canvas_is_empty(drawing.image_data):
        st.info("Draw a number above; the toolbar under the canvas undoes and clears.")
        return
    show_reading(reader, drawing.image_data, "drawing", debug)


def samples_tab(reader: Reader, debug: bool) -> None:
    samples = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".png", ".jpg"))
    columns = st.columns(len(samples))
    for column, sample in zip(columns, samples):
        column.image(str(sample), width="stretch")
        if column.button("Read this", key=f"sample-{sample.name}"):
            st.session_state["sample"] = sample.name
    if "sample" in st.session_state:
        show_reading(reader, SAMPLES / st.session_state["sample"], st.session_state["sample"], debug)


def main() -> None:
    st.set_page_config(page_title="digitocr", page_icon="🔢", layout="centered")
    st.title("digitocr")
    st.caption("Reads handwritten numbers from photos, scans and drawings; every digit boxed and scored.")
    settings, debug, model_name = settings_ui()
    try:
        reader = Reader(settings=settings, models=load_models(model_name))
    except DigitOcrError as error:
        st.error(str(error))
        return
    upload, camera, canvas, samples = st.tabs(["Upload", "Camera", "Draw", "Samples"])
    with upload:
        upload_tab(reader, debug)
    with camera:
        camera_tab(reader, debug)
    with canvas:
        canvas_tab(reader, debug)
    with samples:
        samples_tab(reader, debug)


main()
