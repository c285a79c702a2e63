"""digitocr as an installable package: a wheel holding the models, and a `digitocr` command that reads with them."""

import hashlib
import shutil
import subprocess
import sys
import zipfile

import pytest

from conftest import PROJECT, SAMPLES

SHIPPED = tuple(sorted(link.name for link in (PROJECT / "digitocr" / "models").iterdir() if link.is_symlink()))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """Built from a copy of what the package is made of, so the build leaves nothing in the project."""
    source, folder = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("wheel")
    for name in ("pyproject.toml", "README.md", *SHIPPED):
        shutil.copy(PROJECT / name, source / name)
    shutil.copytree(PROJECT / "digitocr", source / "digitocr", symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(folder)], check=True, capture_output=True, timeout=300, cwd=folder)
    return next(folder.glob("digitocr-*.whl"))


def test_the_wheel_holds_the_shipped_models_and_the_command(wheel):
    with zipfile.ZipFile(wheel) as archive:
        for name in SHIPPED:
            packed = hashlib.sha256(archive.read(f"digitocr/models/{name}")).hexdigest()
            assert packed == hashlib.sha256((PROJECT / name).read_bytes()).hexdigest(), name
        entry_points = next(n for n in archive.namelist() if n.endswith("entry_points.txt"))
        assert "digitocr = digitocr.frontends.cli:main" in archive.read(entry_points).decode()
        assert not any(name.startswith(("tests/", "app.py")) for name in archive.namelist())


def test_the_installed_command_reads_with_the_models_inside_the_package(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=120)
    subprocess.run([venv / "bin" / "pip", "install", "-q", "--no-deps", str(wheel)], check=True, timeout=300,
                   capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run([venv / "bin" / "digitocr", "read", str(SAMPLES / "4096_paper.png")], cwd=elsewhere,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip().endswith(": 4096"), result.stderr
    where = subprocess.run([venv / "bin" / "python", "-c", "import digitocr; print(digitocr.__file__)"],
                           cwd=elsewhere, capture_output=True, text=True, timeout=120).stdout
    assert str(venv) in where
