"""`python -m digitocr.train`: the older spelling of `python -m digitocr.training.train`, kept for scripts
that use it."""

from .training.train import main

if __name__ == "__main__":
    raise SystemExit(main())
