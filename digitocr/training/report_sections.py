"""The accuracy report's sections, so that a run which measures only some of them keeps the others.

A report is a head (the title and the model line) followed by sections, each opened by a `## ` heading.
Measuring the MNIST figures alone must not throw away the dev, canvas and stress tables that took an hour
to make; but tables measured on another model would be misleading beside new ones, so they are kept only
when the head names the same model.
"""

from dataclasses import dataclass

HEADING = "## "


@dataclass(frozen=True)
class Report:
    head: list[str]
    sections: dict[str, list[str]]  # heading line -> the section's lines, heading included, in the report's order

    @classmethod
    def parse(cls, lines: list[str]) -> "Report":
        head: list[str] = []
        sections: dict[str, list[str]] = {}
        current = head
        for line in lines:
            if line.startswith(HEADING):
                current = sections.setdefault(line, [])
            current.append(line)
        return cls(head, sections)

    def lines(self) -> list[str]:
        return self.head + [line for section in self.sections.values() for line in section]


def merged(previous: Report, fresh: Report) -> tuple[Report, list[str]]:
    """The fresh report with the previous one's unmeasured sections in their old places, and those headings.

    Nothing is kept when the previous head differs, since its figures then describe another model."""
    if previous.head != fresh.head:
        return fresh, []
    order = list(fresh.sections)
    kept = [heading for heading in previous.sections if heading not in fresh.sections]
    for heading in kept:
        before = list(previous.sections)[:list(previous.sections).index(heading)]
        placed = [order.index(earlier) for earlier in before if earlier in order]
        order.insert(max(placed) + 1 if placed else 0, heading)
    sections = {heading: fresh.sections.get(heading) or previous.sections[heading] for heading in order}
    return Report(fresh.head, sections), kept
