"""Which way up an image is: a page photographed turned a quarter or a half, with no EXIF tag to say so.

A person turns the page until the number reads; so does the reader. A
reading that is sure of itself (its field confidence at least TRY_BELOW) is
taken as upright and pays nothing more. An unsure one is read again turned
each way, and the turn whose reading is surest as a whole is kept where it
reads: sure of itself, and far surer than the image as given, its odds of
being right SURER_ODDS times those of the upright reading. Most images come
upright, so a turn needs strong evidence: the factor is the one that makes
fewest errors on held-out synthetic fields and scenes weighted so that one
image in fifty arrives turned (at 20 times, 25.1% of those images misread,
against 25.5% for a turned reading merely 0.2 surer, which turned upright
'8600' into '0098'). Where no way up reads, the image is kept as given.
Turning changes what the image's lines are, so each turn is read in full,
not only its pieces. One digit is never turned (a '6' is a turned '9'), nor
a drawing, which its writer drew upright, nor an image of more marks than
numbers are written with (a field of specks reads no better turned, and
each turn is a full read).
"""

TRY_BELOW = 0.5  # a reading at least this sure of itself is taken as upright
SURER_ODDS = 20.0  # a turned reading is kept where its odds of being right are this many times the upright one's
TURNS = (1, 2, 3)  # quarter turns anticlockwise
MOST_BLOBS = 150  # an image with more separate marks than this is not turned: a handful of numbers has far fewer


def worth_turning(confidence: float, blobs: int) -> bool:
    """Whether an image whose reading has this confidence, of this many marks, should be read turned too."""
    return confidence < TRY_BELOW and blobs <= MOST_BLOBS


def surest(confidences: dict[int, float]) -> int:
    """The turn to keep, from each turn's reading confidence (0: as given). The odds are compared multiplied out: a
    confidence of 1 has no finite odds."""
    best, upright = max(confidences, key=confidences.get), confidences[0]
    sure = confidences[best]
    return best if sure >= TRY_BELOW and sure * (1 - upright) >= SURER_ODDS * upright * (1 - sure) else 0
