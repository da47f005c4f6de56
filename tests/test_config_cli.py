"""`feedkeeper config`, precedence of the schedule settings, one-line errors, the settings docs."""

from __future__ import annotations

import json
import os
import re
from dataclasses import fields
from pathlib import Path

import pytest

from feedkeeper.cli import main
from feedkeeper.config import Settings, load_settings
from feedkeeper.errors import ConfigError

DOCS = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No FEEDKEEPER_* variable and no feedkeeper.toml from the machine running the tests."""
    for key in list(os.environ):
        if key.startswith("FEEDKEEPER_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


def test_config_prints_the_effective_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "site.toml"
    config.write_text(
        'url = "https://blog.example/"\nrate = 0.5\nschedule = "0 * * * *"\nevery = "2h"\n'
    )
    monkeypatch.setenv("FEEDKEEPER_RATE", "2")
    monkeypatch.setenv("FEEDKEEPER_SCHEDULE", "15 * * * *")
    monkeypatch.setenv("FEEDKEEPER_RUN_NOW", "yes")
    assert main(["config", "--config", str(config)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == ['db = "feedkeeper.db"', 'url = "https://blog.example/"']
    assert "rate = 2.0" in lines  # the environment beats the file
    assert 'schedule = "15 * * * *"' in lines
    assert 'every = "2h"' in lines  # the file beats the default
    assert "run_now = true" in lines
    assert "# profile is not set" in lines
    assert "max_pages = 1000" in lines
    assert "jitter = 30.0" in lines
    assert len(lines) == len(fields(Settings))


def test_config_output_is_a_valid_settings_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["config"]) == 0
    saved = tmp_path / "feedkeeper.toml"
    saved.write_text(capsys.readouterr().out)
    assert load_settings(saved, environ={}) == Settings()


def test_config_json(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("FEEDKEEPER_EVERY", "10m")
    assert main(["config", "--json"]) == 0
    values = json.loads(capsys.readouterr().out)
    assert values["every"] == "10m"
    assert values["db"] == "feedkeeper.db"
    assert values["url"] is None
    assert set(values) == {f.name for f in fields(Settings)}


def test_config_file_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "elsewhere.toml"
    config.write_text("jitter = 5\n")
    monkeypatch.setenv("FEEDKEEPER_CONFIG", str(config))
    assert main(["config"]) == 0
    assert "jitter = 5.0" in capsys.readouterr().out.splitlines()


def test_schedule_settings_precedence(tmp_path: Path) -> None:
    config = tmp_path / "feedkeeper.toml"
    config.write_text('schedule = "0 * * * *"\njitter = 10\nrun_now = true\n')
    env = {"FEEDKEEPER_SCHEDULE": "15 * * * *", "FEEDKEEPER_JITTER": "3"}
    settings = load_settings(
        config, environ=env, overrides={"schedule": "45 * * * *", "every": None}
    )
    assert settings.schedule == "45 * * * *"  # --cron beats the environment
    assert settings.jitter == 3.0  # the environment beats the file
    assert settings.run_now is True  # the file beats the default
    assert settings.every is None


URL = "https://blog.example/"


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (
            ["schedule", "--url", URL, "--cron", "* * *"],
            {},
            "setting schedule: must be a 5-field cron expression such as '*/30 * * * *',"
            " got '* * *' (3 fields instead of 5)",
        ),
        (
            ["schedule", "--url", URL],
            {"FEEDKEEPER_SCHEDULE": "0 9 1 * 1"},
            "setting schedule: must be a 5-field cron expression such as '*/30 * * * *',"
            " got '0 9 1 * 1' (restrict the day of the month or the day of the week, not both)",
        ),
        (
            ["schedule", "--url", URL, "--every", "soon"],
            {},
            "setting every: 'soon' is not an interval: give numbers with units (s, m, h, d or w),"
            " such as 90s, 1.5h or 1h30m",
        ),
        (
            ["schedule", "--url", "blog.example"],
            {},
            "setting url: must be an absolute http(s) URL, got 'blog.example'",
        ),
        (
            ["schedule", "--url", URL, "--rate", "-1"],
            {},
            "setting rate: must be zero or more, got -1.0",
        ),
        (
            ["schedule", "--url", URL, "--rate", "1e-400"],
            {},
            "Invalid value for '--rate': 1e-400 is too small to tell from 0",
        ),
        (
            ["schedule", "--url", URL, "--jitter", "1e-999"],
            {},
            "Invalid value for '--jitter': 1e-999 is too small to tell from 0",
        ),
        (
            ["schedule", "--url", URL, "--rate", "fast"],
            {},
            "Invalid value for '--rate': 'fast' is not a valid float.",
        ),
        (
            ["schedule", "--url", URL, "--jitter", "-5"],
            {},
            "setting jitter: must be zero or more, got -5.0",
        ),
        (
            ["schedule", "--url", URL],
            {"FEEDKEEPER_LOG_FORMAT": "xml"},
            "setting log_format: must be 'text' or 'json', got 'xml'",
        ),
        (["schedule"], {}, "setting url: required when the archive has no active site to crawl"),
        (["health"], {"FEEDKEEPER_EVERY": "0s"}, "setting every: '0s' is too short an interval"),
        (
            ["config"],
            {"FEEDKEEPER_RUN_NOW": "maybe"},
            "setting run_now: cannot read 'maybe' as true or false (yes/no, on/off, 1/0)",
        ),
    ],
)
def test_bad_settings_stop_at_start_with_one_line(
    args: list[str],
    env: dict[str, str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"error: {message}")
    assert captured.err.count("\n") == 1


def test_config_validation_names_the_setting() -> None:
    with pytest.raises(ConfigError, match=r"^setting every: "):
        load_settings(environ={"FEEDKEEPER_EVERY": "1.5 fortnights"})
    with pytest.raises(ConfigError, match=r"^setting jitter: cannot read 'lots'"):
        load_settings(environ={"FEEDKEEPER_JITTER": "lots"})


# --- docs/configuration.md ------------------------------------------------------------------

ROW = re.compile(
    r"^\| `(\w+)` \| `(FEEDKEEPER_\w+)` \| (`--[\w-]+`)? ?\| (none|`[^`]*`) \| (.+) \|$"
)


def documented() -> dict[str, tuple[str, str]]:
    rows = {}
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            name, env, _option, default, _meaning = match.groups()
            rows[name] = (env, default)
    return rows


def _as_documented(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{value}`"


def test_every_setting_is_documented_with_its_variable_and_default() -> None:
    rows = documented()
    assert list(rows) == [f.name for f in fields(Settings)]
    for field in fields(Settings):
        assert rows[field.name] == (
            f"FEEDKEEPER_{field.name.upper()}",
            _as_documented(field.default),
        )


def test_config_hides_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "site.toml"
    config.write_text('url = "https://reader:s3cret@blog.example/feed/"\n')
    monkeypatch.setenv("FEEDKEEPER_DB", "postgresql://archivist:hunter2@db.example:5432/blogs")
    assert main(["config", "--config", str(config)]) == 0
    text = capsys.readouterr().out
    assert 'url = "https://***@blog.example/feed/"' in text.splitlines()
    assert 'db = "postgresql://***@db.example:5432/blogs"' in text.splitlines()
    assert main(["config", "--json", "--config", str(config)]) == 0
    values = json.loads(capsys.readouterr().out)
    assert values["url"] == "https://***@blog.example/feed/"
    assert values["db"] == "postgresql://***@db.example:5432/blogs"
    for secret in ("s3cret", "hunter2", "reader", "archivist"):
        assert secret not in text + json.dumps(values)
