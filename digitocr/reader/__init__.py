"""The Reader: the image path and the networks composed, and the decisions taken after the networks answer.

`reader.Reader` loads the networks once and reads images one by one or in
batches (`workers` spreads a batch over processes). `prepare` runs the image
path and says what the classifier is given; `steps.finish` then takes the
decisions in order, each in a module of its own: `cuts` (each blob's way of
cutting, flat answers left out), `line_choice` (each line's contour reading
or the line recognizer's, and lines it finds no digit in set aside),
and `separators` (the ',' '.' '-' as written); `confidence` says how sure the reading is as a whole, and
`orientation` which way up the image is.
`debug_stages` pictures what they decided.
"""

from .reader import Models, Reader

__all__ = ["Models", "Reader"]
