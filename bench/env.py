"""The benchmark's own environment, bench/.venv: the project's locked dependencies,
feedkeeper itself (editable), and the tools it is compared with. None of these are
project dependencies; the project's own environment is left as uv keeps it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / "bench" / ".venv"
PYTHON = VENV / "bin" / "python"
TOOLS = ["scrapy>=2.11", "parsel>=1.9", "beautifulsoup4>=4.12", "lxml>=5", "py-spy>=0.3"]
_STAMP = VENV / ".bench-tools"


def ensure_venv() -> Path:
    """Create or update bench/.venv; return its python."""
    wanted = "\n".join(TOOLS) + "\n" + _lock_digest()
    if PYTHON.exists() and _STAMP.exists() and _STAMP.read_text() == wanted:
        return PYTHON
    uv = shutil.which("uv")
    if uv is None:
        raise SystemExit("uv is needed to build bench/.venv: https://docs.astral.sh/uv/")
    print("preparing bench/.venv (Scrapy, parsel, BeautifulSoup, lxml, py-spy) ...", flush=True)
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    _run([uv, "venv", "-q", "--allow-existing", "--python", version, str(VENV)])
    locked = subprocess.run(
        [uv, "export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project", "-q"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    requirements = VENV / "locked.txt"
    requirements.write_text(locked, encoding="utf-8")
    _run([uv, "pip", "install", "-q", "--python", str(PYTHON), "-r", str(requirements)])
    _run([uv, "pip", "install", "-q", "--python", str(PYTHON), "--no-deps", "-e", str(ROOT)])
    _run([uv, "pip", "install", "-q", "--python", str(PYTHON), *TOOLS])
    _STAMP.write_text(wanted)
    return PYTHON


def compile_bytecode() -> None:
    """Compile every module the measured tools import, in both environments, ahead of time.

    Installed the usual ways (the container image, a wheel, a package manager), a tool's
    modules are read from bytecode; with PYTHONDONTWRITEBYTECODE set (as on some CI
    machines) and nothing compiled, every run would compile them again from source, a
    start-up cost neither tool has in use. Compiling is a no-op when nothing changed.
    """
    _compile_for(Path(sys.executable), ROOT / "src")
    _compile_for(PYTHON)


def _compile_for(python: Path, *extra: Path) -> None:
    code = "import site; print('\\n'.join(site.getsitepackages()))"
    found = subprocess.run([str(python), "-c", code], check=True, capture_output=True, text=True)
    dirs = [*found.stdout.split(), *map(str, extra)]
    subprocess.run([str(python), "-m", "compileall", "-q", "-j", "0", *dirs], check=True)


def tool_versions() -> dict[str, str]:
    """Return the versions of the compared tools in bench/.venv."""
    code = (
        "import importlib.metadata as m, json;"
        "print(json.dumps({n: m.version(n) for n in"
        " ('scrapy', 'parsel', 'beautifulsoup4', 'lxml', 'selectolax', 'httpx', 'py-spy')}))"
    )
    out = subprocess.run([str(PYTHON), "-c", code], check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout))


def _lock_digest() -> str:
    lock = ROOT / "uv.lock"
    return hashlib.sha256(lock.read_bytes()).hexdigest() if lock.exists() else ""


def _run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, cwd=ROOT, env=os.environ | {"VIRTUAL_ENV": str(VENV)})
