"""`python -m digitocr.bench`: the older spelling of `python -m digitocr.frontends.bench`, kept for scripts
that use it."""

from .frontends.bench import main

if __name__ == "__main__":
    raise SystemExit(main())
