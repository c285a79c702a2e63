"""`python -m digitocr.evaluate`: the older spelling of `python -m digitocr.training.evaluate`, kept for scripts
that use it."""

from .training.evaluate import main

if __name__ == "__main__":
    raise SystemExit(main())
