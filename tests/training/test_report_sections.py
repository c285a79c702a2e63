from digitocr.training.evaluate import write_report
from digitocr.training.report_sections import Report, merged

HEAD = ["# Accuracy", "", "Model: `DigitClassifier.keras`.", ""]


def report(*sections: str, head: list[str] = HEAD) -> list[str]:
    return head + [line for name in sections for line in (f"## {name}", "", f"{name} figures", "")]


def test_a_run_that_measures_less_keeps_the_other_sections_in_their_places():
    previous = Report.parse(report("MNIST", "Dev", "Stress", "Rules"))
    fresh = Report.parse([line.replace("figures", "new") for line in report("MNIST", "Rules")])
    result, kept = merged(previous, fresh)
    assert kept == ["## Dev", "## Stress"]
    assert [line for line in result.lines() if "figures" in line or "new" in line] == \
        ["MNIST new", "Dev figures", "Stress figures", "Rules new"]


def test_sections_measured_on_another_model_are_not_kept():
    previous = Report.parse(report("MNIST", "Dev"))
    fresh = Report.parse(report("MNIST", head=["# Accuracy", "", "Model: `other.keras`.", ""]))
    assert merged(previous, fresh) == (fresh, [])


def test_writing_the_mnist_section_alone_keeps_the_dev_tables_and_says_so(tmp_path, capsys):
    path = tmp_path / "accuracy.md"
    write_report(path, report("MNIST", "Dev", "Rules"))
    write_report(path, report("MNIST", "Rules"))
    assert "## Dev\n\nDev figures" in path.read_text()
    assert "keeping its earlier sections: Dev" in capsys.readouterr().out
