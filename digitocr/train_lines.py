"""`python -m digitocr.train_lines`: the older spelling of `python -m digitocr.training.train_lines`, kept for scripts
that use it."""

from .training.train_lines import main

if __name__ == "__main__":
    raise SystemExit(main())
