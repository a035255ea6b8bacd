from pathlib import Path

import pytest

from pipeline.config import ConfigError, load_config


def test_packaged_defaults_carry_settings_and_rule_sections():
    config = load_config()
    assert isinstance(config.get("run.shard_size"), int) and config.get("run.shard_size") > 0
    assert config.section("language")["seed"] == 0


def test_user_file_overlays_one_key_and_keeps_the_rest(tmp_path: Path):
    user = tmp_path / "mine.toml"
    user.write_text("[run]\nshard_size = 7\n", encoding="utf-8")
    config = load_config(user)
    assert config.get("run.shard_size") == 7
    assert config.get("run.record_format") == "jsonl"
    assert config.digest != load_config().digest


def test_same_configuration_gives_same_digest():
    assert load_config().digest == load_config().digest


def test_unreadable_user_file_is_a_config_error(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[run\nshard_size = ", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read configuration"):
        load_config(bad)
    with pytest.raises(ConfigError):
        load_config(tmp_path / "missing.toml")


def test_missing_section_is_named():
    with pytest.raises(ConfigError, match=r"\[nope\]"):
        load_config().section("nope")


def test_a_rule_naming_an_unknown_category_is_refused_with_its_place(tmp_path: Path):
    user = tmp_path / "typo.toml"
    user.write_text('[[text_chrome.extra_rule]]\nname = "promo_line.v1"\ncategory = "navigaton"\n'
                    'pattern = "^Promo:"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"text_chrome\.extra_rule\[0\]: category 'navigaton' is not in"):
        load_config(user)


def test_every_packaged_rule_names_a_known_category():
    assert "site_repeated" in load_config().get("taxonomy.categories")
