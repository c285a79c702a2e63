"""`python -m digitocr.samples`: the older spelling of `python -m digitocr.training.samples`, kept for scripts
that use it."""

from .training.samples import main

if __name__ == "__main__":
    raise SystemExit(main())
