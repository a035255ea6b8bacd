"""Configuration: packaged TOML defaults, overlaid by a user's file, validated once at start-up.

The defaults live in the top-level ``configs/`` folder, shipped inside the package as
``pipeline.configs``: ``newsclean.toml`` holds settings, ``rules/<name>.toml`` the rule
sets. A user file passed with ``--config`` holds the same tables (``[run]``,
``[html_chrome]``...) and is overlaid on them (README, "Configuration"):

- a key's value replaces the packaged one; tables merge key by key;
- an entry of a rule list (``[[html_chrome.attribute_rules]]``...) is added to the
  packaged list, or replaces the packaged entry of the same ``name``;
- ``enabled = false`` in an entry removes the packaged rule of that ``name``;
- ``replace = ["attribute_rules"]`` in a table makes the file's entries the whole list.

The merged result is checked against ``pipeline.schema`` (types, ranges, unknown keys),
every regex is compiled and refused if it nests unbounded quantifiers, and every rule's
category must be in ``[taxonomy]``. A problem is one ConfigError line naming file,
table and key. ``config.rules`` then holds the typed tables the modules read.
"""
from __future__ import annotations

import copy
import difflib
import functools
import hashlib
import json
import os
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import msgspec
import regex

from pipeline import schema

SETTINGS_FILE = "newsclean.toml"
RULES_DIR = "rules"
OVERLAY_REPLACE = "replace"
OVERLAY_ENABLED = "enabled"


class ConfigError(ValueError):
    """A configuration that cannot be used; raised at start-up, never mid-run."""


def _config_root():
    """The packaged ``configs/`` folder; in a bare source checkout, the folder itself."""
    try:
        return resources.files("pipeline.configs")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "configs"


def _packaged_files() -> dict[str, tuple[str, dict]]:
    """Table name to (file label, parsed TOML): settings tables and one entry per rule file."""
    root = _config_root()
    settings = tomllib.loads(root.joinpath(SETTINGS_FILE).read_text(encoding="utf-8"))
    tables = {name: (SETTINGS_FILE, value) for name, value in settings.items()}
    for entry in sorted(root.joinpath(RULES_DIR).iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".toml"):
            name = entry.name[: -len(".toml")]
            if name in tables:
                raise ConfigError(f"{RULES_DIR}/{entry.name}: clashes with setting table [{name}]")
            tables[name] = (f"{RULES_DIR}/{entry.name}", tomllib.loads(entry.read_text(encoding="utf-8")))
    return tables


# ------------------------------------------------------------------ overlay

def _suggest(word: str, choices: typing.Iterable[str]) -> str:
    close = difflib.get_close_matches(word, sorted(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _is_rule_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _rule_id(entry: dict) -> str | None:
    for key in schema.RULE_KEYS:
        if isinstance(entry.get(key), str):
            return entry[key]
    return None


def _overlay_rules(base: list[dict], entries: list, where: str) -> list[dict]:
    """``base`` with ``entries`` added, replacing or (``enabled = false``) removing by name."""
    merged = {_rule_id(e): e for e in base}
    for entry in entries:
        if not isinstance(entry, dict):
            raise ConfigError(f"[{where}] an entry must be a table, not {entry!r}")
        name = _rule_id(entry)
        if name is None:
            raise ConfigError(f"[{where}] {schema.RULE_KEYS[0]}: every entry needs one, to add, replace or disable")
        enabled = entry.get(OVERLAY_ENABLED, True)
        if not isinstance(enabled, bool):
            raise ConfigError(f"[{where}[{name}]] {OVERLAY_ENABLED}: must be true or false, not {enabled!r}")
        if not enabled:
            if name not in merged:
                raise ConfigError(f"[{where}[{name}]] {OVERLAY_ENABLED}: no rule {name!r} to disable"
                                  f"{_suggest(name, merged)}")
            del merged[name]
            continue
        merged[name] = {k: v for k, v in entry.items() if k != OVERLAY_ENABLED}
    return list(merged.values())


def _overlay(base: dict, user: dict, where: str) -> dict:
    """``base`` overlaid by ``user`` (see the module docstring)."""
    out = copy.deepcopy(base)
    replace = user.get(OVERLAY_REPLACE, [])
    if not isinstance(replace, list) or not all(isinstance(k, str) and _is_rule_list(base.get(k)) for k in replace):
        lists = sorted(k for k, v in base.items() if _is_rule_list(v))
        raise ConfigError(f"[{where}] {OVERLAY_REPLACE}: must list rule lists of this table ({', '.join(lists)}), "
                          f"not {replace!r}")
    for key in replace:
        out[key] = []
    for key, value in user.items():
        if key == OVERLAY_REPLACE:
            continue
        old = out.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            out[key] = _overlay(old, value, f"{where}.{key}")
        elif isinstance(value, list) and (key in replace or _is_rule_list(old)):
            out[key] = _overlay_rules(old, value, f"{where}.{key}")
        else:
            out[key] = copy.deepcopy(value)
    return out


# ------------------------------------------------------------------ schema checks

def _unwrap(kind: Any) -> Any:
    """The Struct, list or scalar type under Annotated[...] and ``X | None``."""
    while True:
        origin = typing.get_origin(kind)
        if origin is typing.Annotated:
            kind = typing.get_args(kind)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(kind) if a is not type(None)]
            if len(args) != 1:
                return kind
            kind = args[0]
        else:
            return kind


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, include_extras=True)


def _check_unknown(data: Any, kind: Any, where: list) -> None:
    """Refuse a key the schema does not name, suggesting the closest one."""
    kind = _unwrap(kind)
    if typing.get_origin(kind) is list and isinstance(data, list):
        for i, item in enumerate(data):
            _check_unknown(item, typing.get_args(kind)[0], where + [i])
    elif isinstance(kind, type) and issubclass(kind, msgspec.Struct) and isinstance(data, dict):
        hints = _hints(kind)
        for key in data:
            if key not in hints:
                what = "table" if isinstance(data[key], dict) or _is_rule_list(data[key]) else "key"
                raise _PlaceError(where, key, f"unknown {what}{_suggest(key, hints)}")
        for key, value in data.items():
            _check_unknown(value, hints[key], where + [key])


class _PlaceError(Exception):
    """A problem at a place of the merged data; turned into a ConfigError line by ``_place``."""

    def __init__(self, where: list, key: str | None, message: str):
        super().__init__(message)
        self.where, self.key, self.message = where, key, message


def _engine(kind: Any) -> str | None:
    for meta in typing.get_args(kind)[1:] if typing.get_origin(kind) is typing.Annotated else ():
        if isinstance(meta, msgspec.Meta) and meta.extra and "engine" in meta.extra:
            return meta.extra["engine"]
    return None


_UNICODE_CLASS = re.compile(r"\\[pP]\{[^}]*\}")


def nested_unbounded(pattern: str) -> bool:
    """Does ``pattern`` repeat, without bound, a part that can be one unbounded repeat alone?

    ``^(a+)+$`` or ``(\\w+\\s?)*`` can split one run of letters among the two
    quantifiers in exponentially many ways, and backtrack through all of them on a line
    that almost matches. ``(?:senior\\s+)*`` cannot: each round needs its word. The
    walk reads the parsed pattern; the ``regex`` engine's ``\\p{..}`` classes are read
    as ``\\w``, which has the same shape.
    """
    import re._constants as c
    import re._parser as parser

    try:
        tree = parser.parse(_UNICODE_CLASS.sub(r"\\w", pattern))
    except re.error:
        return False  # syntax only the regex engine knows; it compiled there
    repeats = (c.MAX_REPEAT, c.MIN_REPEAT)

    def width(item) -> int:
        return parser.SubPattern(tree.state, [item]).getwidth()[0]

    def only_repeat(items) -> bool:
        """Can ``items`` match through one unbounded repeat, everything else empty?"""
        for j, (op, av) in enumerate(items):
            if any(width(item) for k, item in enumerate(items) if k != j):
                continue
            if op in repeats and (av[1] == c.MAXREPEAT or only_repeat(av[2])):
                return True
            if op is c.SUBPATTERN and only_repeat(av[-1]):
                return True
            if op is c.BRANCH and any(only_repeat(branch) for branch in av[1]):
                return True
        return False

    def walk(items) -> bool:
        for op, av in items:
            if op in repeats:
                if av[1] == c.MAXREPEAT and only_repeat(av[2]) or walk(av[2]):
                    return True
            elif op is c.SUBPATTERN or op is c.ATOMIC_GROUP:
                if walk(av[-1] if op is c.SUBPATTERN else av):
                    return True
            elif op is c.BRANCH:
                if any(walk(branch) for branch in av[1]):
                    return True
            elif op in (c.ASSERT, c.ASSERT_NOT):
                if walk(av[1]):
                    return True
        return False

    return walk(tree)


def _check_pattern(pattern: str, engine: str) -> str | None:
    """Why ``pattern`` cannot be used, or None."""
    try:
        (regex if engine == "regex" else re).compile(pattern)
    except (re.error, regex.error) as exc:
        return f"bad regex {pattern!r}: {exc}"
    if nested_unbounded(pattern):
        return (f"regex {pattern!r} nests unbounded quantifiers, which can backtrack without end; "
                "bound the inner or the outer one")
    return None


def _check_patterns(node: Any, where: list) -> None:
    """Compile every regex field of the validated tables; refuse bad and catastrophic ones."""
    if not isinstance(node, msgspec.Struct):
        return
    for key, kind in _hints(type(node)).items():
        value = getattr(node, key)
        inner = typing.get_args(_unwrap(kind))[0] if isinstance(value, list) else None
        engine = _engine(kind) or (_engine(inner) if inner is not None else None)
        if engine and value:
            for i, pattern in enumerate(value if isinstance(value, list) else [value]):
                why = _check_pattern(pattern, engine)
                if why:
                    raise _PlaceError(where, f"{key}[{i}]" if isinstance(value, list) else key, why)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                _check_patterns(item, where + [key, i])
        else:
            _check_patterns(value, where + [key])


def _check_categories(settings: schema.Settings) -> None:
    """Every ``category`` of a rule must be one of ``[taxonomy] categories``."""
    allowed = set(settings.taxonomy.categories)

    def walk(node: Any, where: list) -> None:
        if isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, where + [i])
        elif isinstance(node, msgspec.Struct):
            category = getattr(node, "category", None)
            if isinstance(category, str) and category not in allowed:
                raise _PlaceError(where, "category", f"{category!r} is not in [taxonomy] categories"
                                  f"{_suggest(category, allowed)}")
            for key in node.__struct_fields__:
                walk(getattr(node, key), where + [key])

    walk(settings.rules, ["rules"])


_AT = re.compile(r"^(?P<message>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_STEP = re.compile(r"\.(\w+)|\[(\d+)\]")


def _place(data: dict, where: list, key: str | None, message: str) -> tuple[str, str]:
    """("[table]", "key: message") for a place in ``data``; entries of a rule list show their name."""
    parts: list[str] = []
    node: Any = data
    for step in where:
        node = node[step] if isinstance(node, (dict, list)) else None
        if isinstance(step, int):
            name = _rule_id(node) if isinstance(node, dict) else None
            parts[-1] += f"[{name or step}]"
        elif step != "rules" or parts:
            parts.append(step)
    table = ".".join(parts) or "top level"
    return f"[{table}]", f"{key}: {message}" if key else message


def _struct_error(data: dict, exc: msgspec.ValidationError) -> _PlaceError:
    found = _AT.match(str(exc))
    steps = [m.group(1) or int(m.group(2)) for m in _STEP.finditer(found.group("path") or "")]
    message = re.sub(r", got `[^`]*`$", "", found.group("message"))
    node: Any = data
    for step in steps:
        node = node[step]
    if isinstance(node, (dict, list)) or not steps or isinstance(steps[-1], int):
        return _PlaceError(steps, None, message)  # a check of the whole table (__post_init__)
    shown = "" if message.endswith(f"value {node!r}") else f", got {node!r}"
    return _PlaceError(steps[:-1], steps[-1], f"{message[:1].lower()}{message[1:]}{shown}")


# ------------------------------------------------------------------ loading

@dataclass(frozen=True)
class Config:
    """Merged configuration: ``settings`` typed and checked, ``data`` as merged, ``digest`` its identity."""

    data: dict
    digest: str
    settings: schema.Settings
    path: str | None = None
    # objects a module builds from its typed tables (compiled rule sets), once per Config
    _built: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def rules(self) -> schema.Rules:
        """The typed rule files: ``config.rules.html_chrome`` is ``rules/html_chrome.toml``."""
        return self.settings.rules

    def built(self, name: str, build: typing.Callable[[], Any]) -> Any:
        """``build()``, computed once for this configuration (compiled rule sets)."""
        if name not in self._built:
            self._built[name] = build()
        return self._built[name]


def _shape(data: dict, rule_files: list[str]) -> dict:
    """The merged tables arranged like ``schema.Settings``: rule files under ``rules``."""
    shaped = {k: v for k, v in data.items() if k not in rule_files}
    shaped["rules"] = {k: data[k] for k in rule_files}
    return shaped


def _settings(shaped: dict) -> schema.Settings:
    """Check the shaped tables against the schema; _PlaceError at the first problem."""
    _check_unknown(shaped, schema.Settings, [])
    try:
        settings = msgspec.convert(shaped, schema.Settings)
    except msgspec.ValidationError as exc:
        raise _struct_error(shaped, exc) from None
    _check_patterns(settings, [])
    _check_categories(settings)
    _check_with_libraries(settings)
    return settings


def _check_with_libraries(settings: schema.Settings) -> None:
    """What only a library can tell: jusText's stop lists, an LSH index for the dedup settings."""
    import justext

    from pipeline.dedup.minhash import check_index

    known = set(justext.get_stoplists())
    unknown = [name for name in settings.rules.region.language.languages if name not in known]
    if unknown:
        raise _PlaceError(["rules", "region", "language"], "languages",
                          f"not jusText stop lists: {unknown}{_suggest(unknown[0], known)}")
    why = check_index(settings.rules.dedup)
    if why:
        raise _PlaceError(["rules", "dedup"], None, why)


def _validated(data: dict, rule_files: list[str], label: str) -> schema.Settings:
    shaped = _shape(data, rule_files)
    try:
        return _settings(shaped)
    except _PlaceError as exc:
        table, key = _place(shaped, exc.where, exc.key, exc.message)
        raise ConfigError(f"{label}: {table} {key}") from None


def _read_user(path: str, text: str, data: dict) -> dict:
    """The tables of the user's file, each overlaid on its packaged table."""
    try:
        user = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"cannot read configuration {path}: {exc}") from exc
    return _overlay_tables(data, user, path)


def _overlay_tables(data: dict, user: dict, label: str) -> dict:
    """``data`` with each of ``user``'s tables overlaid on the table of its name."""
    merged = dict(data)
    for name, table in user.items():
        if name not in data:
            raise ConfigError(f"{label}: [{name}] unknown table{_suggest(name, data)}")
        if not isinstance(table, dict):
            raise ConfigError(f"{label}: [{name}] must be a table, not {table!r}")
        try:
            merged[name] = _overlay(data[name], table, name)
        except ConfigError as exc:
            raise ConfigError(f"{label}: {exc}") from None
    return merged


def load_config(path: str | Path | None = None, overlay: dict | None = None) -> Config:
    """The packaged defaults overlaid by the TOML file at ``path``; ConfigError (one line) if unusable.

    ``overlay`` holds tables as a file would (``{"inputs": {"jsonl": {...}}}``), laid over
    the file: what command-line flags set. Each task of a run asks for the run's
    configuration: it is parsed and checked once per process and file content, and the
    tasks share the one Config (and what is built from it), however the path is spelt
    (the command line's relative path, the tasks' absolute one).
    """
    extra = json.dumps(overlay, sort_keys=True) if overlay else None
    if path is None:
        return _cached(None, None, extra)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read configuration {path}: {exc}") from exc
    return _cached(str(path), text, extra)


COMMAND_LINE = "command line"
_LOADED: dict[tuple, Config] = {}
_KEEP_LOADED = 8


def _cached(path: str | None, text: str | None, overlay: str | None) -> Config:
    key = (os.path.abspath(path) if path is not None else None, text, overlay)
    if key not in _LOADED:
        if len(_LOADED) >= _KEEP_LOADED:
            del _LOADED[next(iter(_LOADED))]
        _LOADED[key] = _load(path, text, overlay)
    return _LOADED[key]


@functools.lru_cache(maxsize=1)
def _packaged() -> tuple[dict, list[str], schema.Settings]:
    """The packaged tables, the names of the rule files among them, and their checked settings."""
    files = _packaged_files()
    data = {name: value for name, (_, value) in files.items()}
    rule_files = sorted(name for name, (label, _) in files.items() if label != SETTINGS_FILE)
    return data, rule_files, _validated(data, rule_files, "packaged configuration")


def _load(path: str | None, text: str | None, overlay: str | None = None) -> Config:
    data, rule_files, settings = _packaged()
    if path is not None:
        data = _read_user(path, text, data)
        settings = _validated(data, rule_files, path)
    if overlay is not None:
        data = _overlay_tables(data, json.loads(overlay), COMMAND_LINE)
        settings = _validated(data, rule_files, COMMAND_LINE)
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]
    return Config(data=data, digest=digest, settings=settings, path=path)


# ------------------------------------------------------------------ run identity

def package_version() -> str:
    """The newsclean version, as the manifest's ``versions`` records it."""
    from pipeline import __version__

    return __version__


def models_digest(folder=None) -> str:
    """One digest of every shipped model file (``pipeline/models/*``), names and bytes."""
    digest = hashlib.sha256()
    folder = folder or resources.files("pipeline").joinpath("models")
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.is_file():
            digest.update(entry.name.encode() + b"\0" + hashlib.sha256(entry.read_bytes()).digest())
    return digest.hexdigest()[:16]
