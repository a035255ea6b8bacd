import json
from pathlib import Path

from pipeline.config import load_config


def overlay_config(tmp_path: Path, table: str, **values):
    """load_config over a user file setting ``values`` in ``[table]`` (each value as JSON, valid TOML)."""
    path = tmp_path / "overlay.toml"
    path.write_text(f"[{table}]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items()), encoding="utf-8")
    return load_config(path)
