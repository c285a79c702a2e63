"""The shipped networks and their cards, inside the package so that an installed digitocr finds them.

In the source tree these are links to the files at the project's top level,
where the training commands write them; a built wheel holds copies.
"""

from pathlib import Path

MODELS = Path(__file__).resolve().parent
