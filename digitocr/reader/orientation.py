"""Which way up an image is: a page photographed turned a quarter or a half, with no EXIF tag to say so.

A person turns the page until the number reads; so does the reader. A
reading that is sure of itself (its field confidence at least TRY_BELOW) is
taken as upright and pays nothing more. An unsure one is read again turned
each way, and the turn whose reading is surest as a whole is kept where it
reads: sure of itself, and surer than the image as given by SURER_BY. Where
no way up reads, the image is kept as given. Turning changes what the
image's lines are, so each turn is read in full, not only its pieces. One
digit is never turned (a '6' is a turned '9'), nor a drawing, which its
writer drew upright, nor an image of more marks than numbers are written
with (a field of specks reads no better turned, and each turn is a full read).
"""

TRY_BELOW = 0.5  # a reading at least this sure of itself is taken as upright
SURER_BY = 0.2  # a turned reading is kept where its confidence is higher than the upright one's by this
TURNS = (1, 2, 3)  # quarter turns anticlockwise
MOST_BLOBS = 150  # an image with more separate marks than this is not turned: a handful of numbers has far fewer


def worth_turning(confidence: float, blobs: int) -> bool:
    """Whether an image whose reading has this confidence, of this many marks, should be read turned too."""
    return confidence < TRY_BELOW and blobs <= MOST_BLOBS


def surest(confidences: dict[int, float]) -> int:
    """The turn to keep, from each turn's reading confidence (0: as given)."""
    best = max(confidences, key=confidences.get)
    return best if confidences[best] >= max(TRY_BELOW, confidences[0] + SURER_BY) else 0
