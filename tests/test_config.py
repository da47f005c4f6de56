"""Settings: defaults < TOML file < environment < options, and one-line errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from feedkeeper.config import Settings, load_settings
from feedkeeper.errors import ConfigError
from feedkeeper.parse.profile import load_profile


def test_defaults() -> None:
    settings = load_settings(environ={})
    assert settings == Settings()
    assert settings.user_agent.startswith("feedkeeper/")
    assert "+https://" in settings.user_agent


def test_precedence_file_then_environment_then_options(tmp_path: Path) -> None:
    config = tmp_path / "feedkeeper.toml"
    config.write_text('rate = 0.5\nconcurrency = 3\nurl = "https://blog.example/"\n')
    env = {"FEEDKEEPER_RATE": "2", "FEEDKEEPER_DB": str(tmp_path / "x.db")}
    settings = load_settings(config, environ=env, overrides={"concurrency": 5, "url": None})
    assert settings.rate == 2.0  # environment beats the file
    assert settings.concurrency == 5  # an option beats both
    assert settings.url == "https://blog.example/"  # an unset option leaves the file's value
    assert settings.db == tmp_path / "x.db"


def test_config_path_from_environment(tmp_path: Path) -> None:
    config = tmp_path / "site.toml"
    config.write_text("max_pages = 3\n")
    assert load_settings(environ={"FEEDKEEPER_CONFIG": str(config)}).max_pages == 3


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"FEEDKEEPER_RATE": "-1"}, "setting rate: must be zero or more"),
        ({"FEEDKEEPER_RATE": "fast"}, "setting rate: cannot read 'fast'"),
        ({"FEEDKEEPER_URL": "blog.example"}, "setting url: must be an absolute http(s) URL"),
        ({"FEEDKEEPER_CONCURRENCY": "0"}, "setting concurrency: must be 1 or more"),
        ({"FEEDKEEPER_MAX_RUN_BYTES": "-1"}, "setting max_run_bytes: must be zero or more"),
        ({"FEEDKEEPER_LOG_FORMAT": "xml"}, "setting log_format: must be 'text' or 'json'"),
        ({"FEEDKEEPER_IGNORE_ROBOTS": "maybe"}, "setting ignore_robots: cannot read 'maybe'"),
        ({"FEEDKEEPER_CONFIG": "/nonexistent/feedkeeper.toml"}, "FEEDKEEPER_CONFIG: file"),
    ],
)
def test_bad_settings_name_the_setting(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(environ=env)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_unknown_key_in_file(tmp_path: Path) -> None:
    config = tmp_path / "feedkeeper.toml"
    config.write_text("speed = 3\n")
    with pytest.raises(ConfigError, match="unknown setting 'speed'"):
        load_settings(config, environ={})


def test_broken_toml(tmp_path: Path) -> None:
    config = tmp_path / "feedkeeper.toml"
    config.write_text("rate = \n")
    with pytest.raises(ConfigError, match=r"config file .*feedkeeper.toml"):
        load_settings(config, environ={})


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"FEEDKEEPER_RATE": "1e-300"}, "setting rate: must be 0 (no limit) or at least"),
        ({"FEEDKEEPER_BACKOFF_BASE": "1e300"}, "setting backoff_base: must be at most 600"),
        ({"FEEDKEEPER_MAX_RETRY_AFTER": "1e300"}, "setting max_retry_after: must be at most"),
        ({"FEEDKEEPER_DB": " "}, "setting db: empty"),
        # Not 0, but a float holds it as 0: a rate of 0 is no limit at all.
        ({"FEEDKEEPER_RATE": "1e-400"}, "setting rate: 1e-400 is too small to tell from 0"),
        ({"FEEDKEEPER_RATE": " 5E-999 "}, "setting rate: 5E-999 is too small to tell from 0"),
        ({"FEEDKEEPER_JITTER": "0.1e-400"}, "setting jitter: 0.1e-400 is too small"),
    ],
)
def test_values_that_would_hang_or_mislead_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_settings(environ=env)


@pytest.mark.parametrize("line", ['contact = ["a", "b"]', "contact = {a = 1}", 'url = ["x"]'])
def test_an_array_or_table_is_no_setting_s_value(tmp_path: Path, line: str) -> None:
    config = tmp_path / "feedkeeper.toml"
    config.write_text(line + "\n")
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(config, environ={})


def test_a_byte_order_mark_starts_no_statement(tmp_path: Path) -> None:
    config = tmp_path / "feedkeeper.toml"
    config.write_bytes("\ufeffmax_pages = 3\n".encode())
    assert load_settings(config, environ={}).max_pages == 3


def test_a_folder_where_the_config_file_should_be_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Docker bind-mounts a host file that does not exist as a folder: say so, do not ignore it.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "feedkeeper.toml").mkdir()
    with pytest.raises(ConfigError, match=r"feedkeeper\.toml is not a regular file"):
        load_settings(environ={})


def test_a_misspelt_variable_is_named_once_with_the_setting_it_may_mean(
    caplog: pytest.LogCaptureFixture,
) -> None:
    env = {
        "FEEDKEEPER_MAXPAGES": "5",
        "FEEDKEEPER_QWERTYUIOP": "1",
        "FEEDKEEPER_CONFIG": "",
        "FEEDKEEPER_DEBUG": "1",
        "FEEDKEEPER_RATE": "2",
        "PATH": "/bin",
    }
    with caplog.at_level("WARNING", logger="feedkeeper.config"):
        settings = load_settings(environ=env)
        load_settings(environ=env)  # the daemon loads its settings at every run
    assert settings.rate == 2 and settings.max_pages == Settings().max_pages
    assert [record.getMessage() for record in caplog.records] == [
        "FEEDKEEPER_MAXPAGES names no setting (did you mean FEEDKEEPER_MAX_PAGES?): ignored",
        "FEEDKEEPER_QWERTYUIOP names no setting: ignored",
    ]


@pytest.mark.parametrize(
    ("contact", "shown"),
    [
        ("mailto:张三@example.com", "mailto:%E5%BC%A0%E4%B8%89@example.com"),
        ("https://例子.cn/about", "https://%E4%BE%8B%E5%AD%90.cn/about"),
        ("https://blog.example/who?x=1&y=2", "https://blog.example/who?x=1&y=2"),
    ],
)
def test_a_contact_beyond_ascii_is_percent_encoded_in_the_user_agent(
    contact: str, shown: str
) -> None:
    """A header carries ASCII only: every crawl ended in "internal error: UnicodeEncodeError"."""
    agent = Settings(contact=contact).user_agent
    assert agent.endswith(f"(+{shown})")
    agent.encode("ascii")


@pytest.mark.parametrize("written", ["1e-400", "2.5e-350", "1_0e-400"])
def test_a_number_in_the_file_too_small_to_tell_from_0_is_refused(
    tmp_path: Path, written: str
) -> None:
    config = tmp_path / "feedkeeper.toml"
    config.write_text(f"rate = {written}\n")
    with pytest.raises(ConfigError, match=f"setting rate: {written} is too small to tell from 0"):
        load_settings(config, environ={})


@pytest.mark.parametrize(
    ("written", "rate"),
    [("0.0", 0.0), ("0e5", 0.0), ("-0.0", 0.0), ("1_000.5", 1000.5), ("2.5e-3", 0.0025)],
)
def test_numbers_in_the_file_that_a_float_holds_are_read(
    tmp_path: Path, written: str, rate: float
) -> None:
    config = tmp_path / "feedkeeper.toml"
    config.write_text(f"rate = {written}\n")
    assert load_settings(config, environ={}).rate == rate


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("db = 123", "setting db: cannot read 123 as a file path or a database URL"),
        ('url = ["x"]', "setting url: cannot read ['x'] as text"),
        ('rate = "fast"', "setting rate: cannot read 'fast' as a number"),
        ('max_pages = "ten"', "setting max_pages: cannot read 'ten' as a whole number"),
        (
            'full = "maybe"',
            "setting full: cannot read 'maybe' as true or false (yes/no, on/off, 1/0)",
        ),
        ("profile = 5", "setting profile: cannot read 5 as a file path"),
    ],
)
def test_a_value_of_the_wrong_kind_names_what_the_setting_takes(
    tmp_path: Path, line: str, message: str
) -> None:
    config = tmp_path / "feedkeeper.toml"
    config.write_text(line + "\n")
    with pytest.raises(ConfigError) as refused:
        load_settings(config, environ={})
    assert refused.value.message == message


def test_no_setting_s_error_speaks_python(tmp_path: Path) -> None:
    """'cannot read {'a': 1} as str | None' named a type of the code, not what to write."""
    config = tmp_path / "feedkeeper.toml"
    for name in Settings.__dataclass_fields__:
        config.write_text(f"{name} = {{a = 1}}\n")
        with pytest.raises(ConfigError) as refused:
            load_settings(config, environ={})
        said = refused.value.message
        assert said.startswith(f"setting {name}: cannot read {{'a': 1}} as "), said
        assert not re.search(r"\b(None|Path|str|int|float|bool)\b|\|", said), said


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("# 设置\nrate = 2\n".encode("gbk"), "byte 0xc9 on line 1"),  # Notepad's "ANSI"
        ("rate = 2\n".encode("utf-16"), "byte 0xff on line 1"),  # Notepad's "Unicode"
        (b"rate = 2\n# \xe4\xb8 cut short\n", "byte 0xe4 on line 2"),
    ],
)
def test_a_settings_file_that_is_no_utf8_names_its_first_bad_byte(
    tmp_path: Path, content: bytes, said: str
) -> None:
    """One line a user can act on, not Python's "'utf-8' codec can't decode byte ...";
    a profile is read the same way."""
    config = tmp_path / "feedkeeper.toml"
    config.write_bytes(content)
    with pytest.raises(ConfigError) as refused:
        load_settings(config, environ={})
    assert (
        refused.value.message
        == f"config file {config} is not UTF-8 text ({said}): save it as UTF-8"
    )
    with pytest.raises(ConfigError) as refused:
        load_profile(config)
    assert refused.value.message == f"profile {config} is not UTF-8 text ({said}): save it as UTF-8"
