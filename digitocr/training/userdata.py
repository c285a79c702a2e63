"""A user's own data: labelled digits in a folder of images with `labels.csv` (filename,label), as the dev sets
are, and the zips users upload.

The app appends corrected or confirmed digits to the folder the operator
sets (`$DIGITOCR_DATA`); a hand-made folder or an uploaded zip of one works
the same. Label `x` marks a box that is not a digit. An uploaded zip is
checked before anything in it is unpacked: no entry may point outside the
folder, and the number of entries and the bytes they unpack to are capped,
so a zip bomb is refused from its directory alone.
"""

import csv
import io
import zipfile
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from PIL import Image

LABELS_FILE = "labels.csv"
MOST_ZIP_ENTRIES = 2000
MOST_UNPACKED_BYTES = 200_000_000
NOT_A_DIGIT = "x"
VALID_LABELS = set("0123456789") | {NOT_A_DIGIT}


@dataclass(frozen=True)
class LabelledImage:
    path: Path
    label: str  # '0'-'9' or 'x'


def append_samples(folder: Path, samples: list[tuple[np.ndarray, str]]) -> list[Path]:
    """Save each (crop, label) as a new PNG and append its row; existing files and rows are never touched."""
    folder.mkdir(parents=True, exist_ok=True)
    labels_path = folder / LABELS_FILE
    new_file = not labels_path.exists()
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    written = []
    with labels_path.open("a", newline="") as stream:
        writer = csv.writer(stream)
        if new_file:
            writer.writerow(["filename", "label"])
        for index, (crop, label) in enumerate(samples):
            if label not in VALID_LABELS:
                raise ValueError(f"label {label!r} is not a digit 0-9 or '{NOT_A_DIGIT}' (not a digit)")
            name = f"{stamp}_{index:03d}_{label}.png"
            Image.fromarray(crop).save(folder / name)
            writer.writerow([name, label])
            written.append(folder / name)
    return written


def read_labels(folder: Path) -> tuple[list[LabelledImage], list[str]]:
    """The labelled images of a folder, and a plain-words problem for each row that cannot be used."""
    labels_path = Path(folder) / LABELS_FILE
    if not labels_path.is_file():
        return [], [f"{folder} has no {LABELS_FILE} (columns: filename,label)"]
    items, problems = [], []
    with labels_path.open(newline="") as stream:
        for number, row in enumerate(csv.DictReader(stream), start=2):
            name, label = (row.get("filename") or "").strip(), (row.get("label") or "").strip()
            path = Path(folder) / name
            if label not in VALID_LABELS:
                problems.append(f"{LABELS_FILE} line {number}: label {label!r} is not a single digit or 'x'")
            elif not name or not path.is_file():
                problems.append(f"{LABELS_FILE} line {number}: no file {name!r}")
            else:
                items.append(LabelledImage(path, label))
    return items, problems


def counts_by_label(folder: Path) -> dict[str, int]:
    items, _ = read_labels(folder)
    counted = Counter(item.label for item in items)
    return {label: counted.get(label, 0) for label in sorted(VALID_LABELS)}


def checked_files(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The zip's files, once its directory shows it safe to unpack; ValueError saying why where it is not."""
    members = archive.infolist()
    if len(members) > MOST_ZIP_ENTRIES:
        raise ValueError(f"the zip holds {len(members)} entries; at most {MOST_ZIP_ENTRIES} are taken")
    unpacked = sum(member.file_size for member in members)
    if unpacked > MOST_UNPACKED_BYTES:
        raise ValueError(f"the zip unpacks to {unpacked / 1e6:.0f} MB; at most {MOST_UNPACKED_BYTES / 1e6:.0f} MB "
                         "are taken")
    for member in members:
        parts = Path(member.filename).parts
        if member.filename.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
            raise ValueError(f"the zip entry {member.filename!r} points outside the folder")
    return [member for member in members if not member.is_dir()]


def open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ValueError("the file is not a zip archive") from None


def images_in_zip(data: bytes, suffixes: set[str]) -> tuple[list[tuple[str, bytes]], list[str]]:
    """The files of an uploaded zip whose names end in `suffixes`, read into memory, in name order; and the names of
    its other files, in order, which the person who sent it is told were left out. Hidden files (the '._' copies
    macOS adds, '.DS_Store') are neither."""
    with open_zip(data) as archive:
        files = [m for m in checked_files(archive) if not Path(m.filename).name.startswith(".")]
        wanted = sorted((m for m in files if Path(m.filename).suffix.lower() in suffixes), key=lambda m: m.filename)
        others = sorted(m.filename for m in files if Path(m.filename).suffix.lower() not in suffixes)
        return [(member.filename, archive.read(member)) for member in wanted], others


def extract_zip(data: bytes, destination: Path) -> Path:
    """Unpack an uploaded zip of a labelled folder, once checked (`checked_files`); return the folder."""
    with open_zip(data) as archive:
        archive.extractall(destination, members=checked_files(archive))
    found = sorted(destination.rglob(LABELS_FILE))
    if not found:
        raise ValueError(f"the zip holds no {LABELS_FILE}")
    return found[0].parent
