"""Declared = used: every dependency in pyproject.toml is imported, every import is declared."""
import ast
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _imported_modules(under: str = "pipeline", *, measure: bool = True) -> set[str]:
    found = set()
    for path in (ROOT / under).rglob("*.py"):
        if not measure and "measure" in path.relative_to(ROOT).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


def _declared(extras: tuple[str, ...] = ()) -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = set()
    optional = [r for extra in extras for r in project["optional-dependencies"][extra]]
    for requirement in project["dependencies"] + optional:
        name = requirement.split(";")[0].split("[")[0]
        for stop in "<>=!~ ":
            name = name.split(stop)[0]
        names.add(name.lower().replace("_", "-"))
    return names


def _distributions(modules: set[str]) -> set[str]:
    owners = packages_distributions()
    return {d.lower().replace("_", "-") for m in modules for d in owners.get(m, [])
            if m not in sys.stdlib_module_names}


def test_every_import_is_declared():
    # the measuring subpackage may also import the `eval` extra (readability-lxml, an anchor);
    # datasets is imported only by record_features(), for users who have it: the "datasets" extra
    used = _distributions(_imported_modules()) - {"newsclean"}
    assert sorted(used - _declared(extras=("eval", "datasets"))) == []
    runtime = _distributions(_imported_modules(measure=False)) - {"newsclean"}
    assert sorted(runtime - _declared(extras=("datasets",))) == []


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_every_declared_dependency_is_imported():
    import justext  # noqa: F401  (imports lxml.html.clean, which lxml_html_clean provides)

    used = _distributions(_imported_modules())
    # lxml_html_clean is imported by jusText (lxml.html.clean), which does not declare it
    assert "lxml_html_clean" in sys.modules
    assert sorted(_declared() - used - {"lxml-html-clean"}) == []
