"""What the batch tests share: a folder of small inputs."""
from pathlib import Path


def input_files(tmp_path: Path, count: int) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(count):
        (folder / f"doc{n:03d}.txt").write_text("x" * (n + 1), encoding="utf-8")
    return folder
