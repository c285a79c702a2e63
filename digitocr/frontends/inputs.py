"""What a user names as input: files, folders of images, glob patterns, lists of paths, or URIs."""

import glob
from collections.abc import Iterator
from pathlib import Path

from ..image.loading import named_as_image


def expand_inputs(arguments: list[str]) -> Iterator[str]:
    """Each argument as given; a folder becomes its images in name order, a glob pattern its matches. A folder with
    no image in it (or none it may list), or a pattern matching nothing, stays as given, so that it is reported, not
    silently skipped."""
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            found = images_in(path)
        elif not path.exists() and glob.has_magic(argument):
            found = sorted(glob.glob(argument))
        else:
            found = []
        yield from found or [argument]


def images_in(folder: Path) -> list[str]:
    """The folder's images in name order; none where it may not be listed, which reading it then reports."""
    try:
        return [str(p) for p in sorted(folder.iterdir()) if named_as_image(p)]
    except OSError:
        return []


def batch_inputs(spec: str) -> list[str]:
    """As `expand_inputs`, and a `.txt` file is its lines, one path each; a URI is left for Ray to list."""
    path = Path(spec)
    if "://" in spec:
        return [spec]
    if path.is_file() and path.suffix.lower() == ".txt":
        return [line.strip() for line in path.read_text().splitlines() if line.strip()]
    return list(expand_inputs([spec]))
