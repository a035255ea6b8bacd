"""Configuration: packaged TOML defaults, overlaid by a user's file, validated at start-up.

The defaults live in the top-level ``configs/`` folder, shipped inside the package as
``pipeline.configs``: ``newsclean.toml`` holds settings, ``rules/<name>.toml`` the rule
sets, each reachable as ``config.section("<name>")``.  A user file passed with
``--config`` is merged over them table by table, so it can change one threshold or add
one rule without copying the rest.
"""
from __future__ import annotations

import copy
import hashlib
import json
import tomllib
import typing
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """A configuration that cannot be used; raised at start-up, never mid-run."""


def _merge(base: dict, overlay: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _config_root():
    """The packaged ``configs/`` folder; in a bare source checkout, the folder itself."""
    try:
        return resources.files("pipeline.configs")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "configs"


def _packaged_defaults() -> dict:
    root = _config_root()
    data = tomllib.loads(root.joinpath("newsclean.toml").read_text(encoding="utf-8"))
    rules_dir = root.joinpath("rules")
    for entry in sorted(rules_dir.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".toml"):
            name = entry.name[: -len(".toml")]
            if name in data:
                raise ConfigError(f"rule file {entry.name} clashes with setting table [{name}]")
            data[name] = tomllib.loads(entry.read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True)
class Config:
    """Merged configuration; ``digest`` identifies it in the run manifest."""

    data: dict
    digest: str
    path: str | None = None

    def section(self, name: str) -> dict:
        value = self.data.get(name)
        if not isinstance(value, dict):
            raise ConfigError(f"configuration has no table [{name}]")
        return value

    def get(self, dotted: str, default: Any = None) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node


def _check_categories(data: dict) -> None:
    """Every ``category = "..."`` in any rule set must be one of ``[taxonomy] categories``."""
    allowed = set(data.get("taxonomy", {}).get("categories", []))
    if not allowed:
        raise ConfigError("[taxonomy] categories is empty: every removal needs a category to name")

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for key, value in sorted(node.items()):
                if key == "category" and isinstance(value, str) and value not in allowed:
                    raise ConfigError(f"{where}: category {value!r} is not in [taxonomy] categories")
                walk(value, f"{where}.{key}" if where else key)
        elif isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, f"{where}[{index}]")

    walk({k: v for k, v in data.items() if k != "taxonomy"}, "")


def load_config(path: str | Path | None = None) -> Config:
    """Load the packaged defaults, overlaid by the TOML file at ``path`` when given."""
    data = _packaged_defaults()
    if path is not None:
        try:
            overlay = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read configuration {path}: {exc}") from exc
        data = _merge(data, overlay)
    _check_categories(data)
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]
    return Config(data=data, digest=digest, path=str(path) if path else None)


_PARSED: dict[tuple[str, str], object] = {}


def parsed_once(config: Config, table: str, parse: typing.Callable[[dict], typing.Any]):
    """``parse(config.section(table))``, computed once per configuration digest."""
    key = (table, config.digest)
    if key not in _PARSED:
        _PARSED[key] = parse(config.section(table))
    return _PARSED[key]


def typed_table(cls: type, table: str, section: dict):
    """Build the dataclass ``cls`` from the TOML table ``[table]``: each field present, of its type.

    Unknown keys are refused too: a misspelt threshold must not silently keep its default.
    """
    kinds = typing.get_type_hints(cls)
    names = [f.name for f in fields(cls)]
    unknown = sorted(set(section) - set(names))
    if unknown:
        raise ConfigError(f"[{table}] has unknown keys {unknown}")
    values = {}
    for name in names:
        if name not in section:
            raise ConfigError(f"[{table}] needs {name}")
        value, kind = section[name], kinds[name]
        if kind is bool:
            fits = isinstance(value, bool)
        else:
            accepted = (int, float) if kind is float else kind
            fits = isinstance(value, accepted) and not isinstance(value, bool)
        if not fits:
            raise ConfigError(f"[{table}] {name} must be {kind.__name__}, not {value!r}")
        values[name] = float(value) if kind is float else value
    return cls(**values)
