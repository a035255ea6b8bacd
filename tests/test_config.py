"""Configuration: one schema checked at the door, overlay semantics, run identity."""
import json
from pathlib import Path

import msgspec
import pytest

from pipeline.batch.plan import plan_digest
from pipeline.cli import main
from pipeline.config import ConfigError, load_config, models_digest, nested_unbounded

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
PREFIX = "newsclean: configuration error: {path}: "

# (user file, the one line after "FILE: "): every kind of bad configuration
BAD = {
    "shard_size_type": ('[run]\nshard_size = "ten"\n', "[run] shard_size: expected `int`, got 'ten'"),
    "shard_size_typo": ("[run]\nshard_sise = 5\n", "[run] shard_sise: unknown key (did you mean 'shard_size'?)"),
    "unknown_table": ("[dedupe]\nthreshold = 0.5\n", "[dedupe] unknown table (did you mean 'dedup'?)"),
    "unknown_subtable": ("[html_chrome.gaurd]\nmax_cue_chars = 10\n",
                         "[html_chrome] gaurd: unknown table (did you mean 'guard'?)"),
    "top_level_key": ("shard_size = 5\n", "[shard_size] unknown table"),
    "shard_size_zero": ("[run]\nshard_size = 0\n", "[run] shard_size: expected `int` >= 1, got 0"),
    "shard_size_negative": ("[run]\nshard_size = -5\n", "[run] shard_size: expected `int` >= 1, got -5"),
    "threshold_above_one": ("[dedup]\nthreshold = 1.7\n", "[dedup] threshold: expected `float` < 1.0, got 1.7"),
    "negative_limit": ("[limits]\nmax_input_bytes = -5\n", "[limits] max_input_bytes: expected `int` >= 1, got -5"),
    "zero_time_budget": ("[limits]\ndocument_time_budget = 0\n",
                         "[limits] document_time_budget: expected `float` > 0.0, got 0"),
    "too_few_bytes": ("[decoding]\nsniff_bytes = 10\n", "[decoding] sniff_bytes: expected `int` >= 64, got 10"),
    "rule_list_not_a_list": ("[text_chrome]\nrule = 5\n", "[text_chrome] rule: expected `array`, got 5"),
    "language_bounds": ("[language]\nmin_chars = 3000\n", "[language] min_chars must not exceed max_chars"),
    "probability_out_of_range": ("[region.rules]\ngood_probability = 1.5\n",
                                 "[region.rules] good_probability: expected `float` < 1.0, got 1.5"),
    "share_out_of_range": ("[site_repeated]\nmin_share = 1.5\n",
                           "[site_repeated] min_share: expected `float` <= 1.0, got 1.5"),
    "bool_as_string": ('[html_chrome.extraction]\nfavor_precision = "yes"\n',
                       "[html_chrome.extraction] favor_precision: expected `bool`, got 'yes'"),
    "unknown_scorer": ('[region.scoring]\nscorer = "neural"\n', "[region.scoring] scorer: invalid enum value 'neural'"),
    "unknown_zone": ('[[text_chrome.rule]]\nname = "promo.v1"\ncategory = "navigation"\npattern = "^promo"\n'
                     'zone = "inside"\n', "[text_chrome.rule[promo.v1]] zone: invalid enum value 'inside'"),
    "unknown_stoplist": ('[region.language]\nlanguages = ["Klingon"]\n',
                         "[region.language] languages: not jusText stop lists: ['Klingon']"),
    "unversioned_rule_name": ('[[text_chrome.rule]]\nname = "promo"\ncategory = "navigation"\npattern = "^promo"\n',
                              "[text_chrome.rule[promo]] name: expected `str` matching regex "
                              "'^[a-z0-9_]+\\\\.v\\\\d+$', got 'promo'"),
    "unknown_key_in_rule": ('[[html_chrome.tag_rules]]\nname = "menu.v1"\ncategory = "navigation"\ntagz = ["menu"]\n',
                            "[html_chrome.tag_rules[menu.v1]] tagz: unknown key (did you mean 'tags'?)"),
    "bad_regex_html": ('[[html_chrome.attribute_rules]]\nname = "podcast.v1"\ncategory = "navigation"\n'
                       'pattern = "(podcast"\n', "[html_chrome.attribute_rules[podcast.v1]] pattern: bad regex "
                       "'(podcast': missing ), unterminated subpattern at position 0"),
    "bad_regex_metadata": ('[metadata.dates]\nlabel = "(?P<x"\n',
                           "[metadata.dates] label: bad regex '(?P<x': missing >, unterminated name at position 4"),
    "bad_regex_text": ('[[text_chrome.rule]]\nname = "promo.v1"\ncategory = "navigation"\npattern = "[promo"\n',
                       "[text_chrome.rule[promo.v1]] pattern: bad regex '[promo': unterminated character set "
                       "at position 6"),
    "site_group_missing": ('[[text_chrome.site_name]]\nname = "site_footer.v1"\npattern = "^from (.+)$"\n',
                           "[text_chrome] site_name[site_footer.v1] pattern: needs a (?P<site>...) or (?P<host>...) group"),
    "redos_text": ('[[text_chrome.rule]]\nname = "promo.v1"\ncategory = "navigation"\npattern = "^(a+)+$"\n',
                   "[text_chrome.rule[promo.v1]] pattern: regex '^(a+)+$' nests unbounded quantifiers, "
                   "which can backtrack without end; bound the inner or the outer one"),
    "redos_html": ('[[html_chrome.attribute_rules]]\nname = "podcast.v1"\ncategory = "navigation"\n'
                   'pattern = "(\\\\w+\\\\s?)*$"\n', "[html_chrome.attribute_rules[podcast.v1]] pattern: regex "
                   "'(\\\\w+\\\\s?)*$' nests unbounded quantifiers, which can backtrack without end; "
                   "bound the inner or the outer one"),
    "redos_region": ('[[region.category]]\nrule = "promo.v1"\ncategory = "footer"\npattern = "^(?:x|y+)*$"\n'
                     "max_words = 5\n", "[region.category[promo.v1]] pattern: regex '^(?:x|y+)*$' nests unbounded "
                     "quantifiers, which can backtrack without end; bound the inner or the outer one"),
    "unknown_category_text": ('[[text_chrome.rule]]\nname = "promo.v1"\ncategory = "navigaton"\npattern = "^promo"\n',
                              "[text_chrome.rule[promo.v1]] category: 'navigaton' is not in [taxonomy] categories "
                              "(did you mean 'navigation'?)"),
    "unknown_category_html": ('[[html_chrome.tag_rules]]\nname = "menu.v1"\ncategory = "menus"\ntags = ["menu"]\n',
                              "[html_chrome.tag_rules[menu.v1]] category: 'menus' is not in [taxonomy] categories"),
    "disable_unknown_rule": ('[[html_chrome.attribute_rules]]\nname = "cookie_baner.v2"\nenabled = false\n',
                             "[html_chrome.attribute_rules[cookie_baner.v2]] enabled: no rule 'cookie_baner.v2' "
                             "to disable (did you mean 'cookie_banner.v2'?)"),
    "enabled_not_bool": ('[[html_chrome.attribute_rules]]\nname = "cookie_banner.v2"\nenabled = "no"\n',
                         "[html_chrome.attribute_rules[cookie_banner.v2]] enabled: must be true or false, not 'no'"),
    "replace_unknown_list": ('[html_chrome]\nreplace = ["tags"]\n', "[html_chrome] replace: must list rule lists "
                             "of this table (attribute_rules, tag_rules), not ['tags']"),
}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "user.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_configuration_exits_2_before_any_task_with_one_line(case, tmp_path, capsys):
    text, line = BAD[case]
    path = _write(tmp_path, text)
    out = tmp_path / "out"
    assert main(["run", str(SEEDS), "--config", str(path), "--output", str(out), "--no-progress"]) == 2
    assert capsys.readouterr().err == PREFIX.format(path=path) + line + "\n"
    assert not out.exists()  # refused before any task wrote anything


def test_daily_refuses_a_bad_configuration_too(tmp_path, capsys):
    path = _write(tmp_path, "[run]\nshard_size = 0\n")
    assert main(["daily", str(tmp_path), "--start", "2025-01-01", "--config", str(path),
                 "--output", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == PREFIX.format(path=path) + "[run] shard_size: expected `int` >= 1, got 0\n"


def test_packaged_defaults_are_typed():
    config = load_config()
    assert config.settings.run.shard_size == 25
    assert config.rules.dedup.threshold == 0.6
    assert config.rules.html_chrome.extraction.favor_precision is False  # the TOML's value, no code default


def test_user_file_overlays_one_key_and_keeps_the_rest(tmp_path):
    config = load_config(_write(tmp_path, "[run]\nshard_size = 7\n"))
    assert config.settings.run.shard_size == 7
    assert config.settings.limits == load_config().settings.limits
    assert config.digest != load_config().digest


def test_same_configuration_gives_same_digest():
    assert load_config().digest == load_config().digest


def test_a_file_is_parsed_once_however_its_path_is_spelt_and_again_when_it_changes(tmp_path, monkeypatch):
    path = _write(tmp_path, "[run]\nshard_size = 7\n")
    monkeypatch.chdir(path.parent)
    first = load_config(path.name)  # the command line's relative path
    assert load_config(path.resolve()) is first  # the tasks' absolute one
    assert load_config(path.name, {"inputs": {"jsonl": {"url_field": ["link"]}}}) is not first
    path.write_text("[run]\nshard_size = 8\n", encoding="utf-8")
    assert load_config(path.resolve()).settings.run.shard_size == 8


def test_unreadable_user_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read configuration"):
        load_config(_write(tmp_path, "[run\nshard_size = "))
    with pytest.raises(ConfigError, match="cannot read configuration"):
        load_config(tmp_path / "missing.toml")


# ------------------------------------------------------------------ overlay semantics

PACKAGED_ATTRIBUTE_RULES = [r.name for r in load_config().rules.html_chrome.attribute_rules]


def test_overlay_adds_a_rule_to_the_packaged_list(tmp_path):
    config = load_config(_write(tmp_path, '[[html_chrome.attribute_rules]]\nname = "podcast_player.v1"\n'
                                          'category = "related_links"\npattern = " podcast player "\n'))
    names = [r.name for r in config.rules.html_chrome.attribute_rules]
    assert names == PACKAGED_ATTRIBUTE_RULES + ["podcast_player.v1"]


def test_overlay_replaces_the_rule_of_the_same_name_in_place(tmp_path):
    config = load_config(_write(tmp_path, '[[html_chrome.attribute_rules]]\nname = "share_widget.v2"\n'
                                          'category = "social"\npattern = " sharebar "\n'))
    rules = config.rules.html_chrome.attribute_rules
    assert [r.name for r in rules] == PACKAGED_ATTRIBUTE_RULES
    assert (rules[0].name, rules[0].category, rules[0].pattern) == ("share_widget.v2", "social", " sharebar ")


def test_overlay_disables_a_rule_by_name(tmp_path):
    config = load_config(_write(tmp_path, '[[html_chrome.attribute_rules]]\nname = "cookie_banner.v2"\n'
                                          "enabled = false\n"))
    assert [r.name for r in config.rules.html_chrome.attribute_rules] == [
        n for n in PACKAGED_ATTRIBUTE_RULES if n != "cookie_banner.v2"]


def test_overlay_replace_makes_the_files_entries_the_whole_list(tmp_path):
    config = load_config(_write(tmp_path, '[html_chrome]\nreplace = ["attribute_rules"]\n'
                                          '[[html_chrome.attribute_rules]]\nname = "podcast_player.v1"\n'
                                          'category = "related_links"\npattern = " podcast player "\n'))
    assert [r.name for r in config.rules.html_chrome.attribute_rules] == ["podcast_player.v1"]
    assert [r.name for r in config.rules.html_chrome.tag_rules] == [
        r.name for r in load_config().rules.html_chrome.tag_rules]  # other lists keep the packaged entries


@pytest.mark.parametrize("pattern, nested", [
    (r"^(a+)+$", True), (r"(\w+\s?)*", True), (r"^(?:a|b+)*$", True), (r"(\p{L}+\s*)+", True),
    (r"(?:senior\s+|chief\s+)*x", False), (r"(\s+\w+)*", False), (r"(a{1,3})+", False), (r"a+b+", False),
])
def test_nested_unbounded_quantifiers(pattern, nested):
    assert nested_unbounded(pattern) is nested


# ------------------------------------------------------------------ run identity

def test_plan_digest_covers_version_models_and_configuration(monkeypatch, tmp_path):
    config = load_config()
    before = plan_digest([], config, None)
    assert plan_digest([], load_config(_write(tmp_path, "[run]\nshard_size = 7\n")), None) != before
    monkeypatch.setattr("pipeline.batch.plan.package_version", lambda: "9.9.9")
    assert plan_digest([], config, None) != before
    monkeypatch.undo()
    monkeypatch.setattr("pipeline.batch.plan.models_digest", lambda: "retrained")
    assert plan_digest([], config, None) != before


def test_models_digest_follows_the_model_bytes(tmp_path):
    (tmp_path / "region_model.json").write_text('{"bias": 0}', encoding="utf-8")
    first = models_digest(tmp_path)
    (tmp_path / "region_model.json").write_text('{"bias": 1}', encoding="utf-8")
    assert models_digest(tmp_path) != first


def test_a_new_version_or_model_makes_a_finished_run_redo_its_work(monkeypatch, tmp_path, capsys):
    from pipeline.tasks import CleanRun

    out = tmp_path / "out"
    assert main(["run", str(SEEDS), "--output", str(out), "--no-progress"]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["models"] == {"digest": models_digest()}
    assert manifest["versions"]["newsclean"] and manifest["config"]["digest"] == load_config().digest

    def run():
        CleanRun.clear_instance_cache()  # Luigi hands back the instance, plan included, of equal parameters
        return CleanRun(inputs=[str(SEEDS)], output_dir=str(out))

    assert run().complete()
    monkeypatch.setattr("pipeline.batch.plan.package_version", lambda: "9.9.9")
    assert not run().complete()
    monkeypatch.undo()
    monkeypatch.setattr("pipeline.batch.plan.models_digest", lambda: "retrained")
    assert not run().complete()
    monkeypatch.undo()
    assert run().complete()


def test_luigi_command_line_refuses_a_bad_configuration_before_any_task(tmp_path):
    import subprocess
    import sys

    path = _write(tmp_path, "[run]\nshard_size = 0\n")
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "luigi", "--module", "pipeline.tasks", "CleanRun",
                           "--inputs", json.dumps([str(SEEDS)]), "--output-dir", str(out),
                           "--config-path", str(path), "--local-scheduler"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == PREFIX.format(path=path) + "[run] shard_size: expected `int` >= 1, got 0\n"
    assert not out.exists()
