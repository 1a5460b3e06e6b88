"""The Dockerfile and .dockerignore, read line by line: a static check.

Docker cannot build or run images on the development machine, so this checks the facts the
image depends on instead: a slim Python base, the pinned requirements copied and installed,
only the app's own files copied (never a CSV), a non-root user, Streamlit's health endpoint
as HEALTHCHECK, the serve command, every PLAYGROUND_* setting the code reads documented, and
the .dockerignore entries. The image itself was not built here.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCKERFILE = (REPO / "Dockerfile").read_text()
DOCKERIGNORE = [line.strip() for line in (REPO / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with backslash continuations joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", "\n".join(line for line in DOCKERFILE.splitlines()
                                              if not line.lstrip().startswith("#")))
    pairs = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, arguments = line.strip().partition(" ")
            pairs.append((keyword.upper(), arguments.strip()))
    return pairs


def arguments_of(keyword: str) -> list[str]:
    return [arguments for name, arguments in instructions() if name == keyword]


def exec_form(arguments: str) -> list[str]:
    words = re.findall(r'"((?:[^"\\]|\\.)*)"', arguments)
    assert arguments.startswith("[") and words, f"exec form expected (signals reach the server): {arguments}"
    return words


def test_base_is_slim_python_311_or_312():
    (base,) = arguments_of("FROM")
    assert re.fullmatch(r"python:3\.1[12]-slim(-\w+)?", base), base


def test_pinned_requirements_are_copied_then_installed():
    order = [name for name, _ in instructions()]
    copy_requirements = next(i for i, (name, arguments) in enumerate(instructions())
                             if name == "COPY" and arguments.split()[0] == "requirements.txt")
    install = next(i for i, (name, arguments) in enumerate(instructions())
                   if name == "RUN" and re.search(r"pip install .*-r requirements\.txt", arguments))
    assert copy_requirements < install < order.index("CMD")
    for line in (REPO / "requirements.txt").read_text().splitlines():
        requirement = line.split("#")[0].strip()
        if requirement:
            assert re.match(r"^[A-Za-z0-9_.\-\[\]]+==[\w.]+(\s*;.*)?$", requirement), f"not pinned: {requirement}"


def test_only_the_apps_own_files_are_copied_and_never_a_csv():
    sources = []
    for arguments in arguments_of("COPY"):
        words = [word for word in shlex.split(arguments) if not word.startswith("--")]
        sources += words[:-1]
    assert sources, "no COPY found"
    for source in sources:
        assert source not in (".", "./", "*"), "copying the whole context would take whatever lies around"
        assert not source.lower().endswith(".csv")
        path = REPO / source
        assert path.exists(), f"COPY {source}: not in the repository"
        if path.is_dir():
            data = [p for p in path.rglob("*") if p.suffix.lower() in (".csv", ".keras", ".h5")]
            assert not data, f"data files would be baked into the image: {data}"


def test_runs_as_a_non_root_user():
    users = arguments_of("USER")
    assert users, "no USER: the server would run as root"
    assert users[-1] not in ("root", "0") and not users[-1].startswith("0:")
    order = [name for name, _ in instructions()]
    assert len(order) - 1 - order[::-1].index("USER") < order.index("CMD")


def test_healthcheck_asks_streamlits_health_endpoint():
    (healthcheck,) = arguments_of("HEALTHCHECK")
    assert re.search(r"CMD .*http://(127\.0\.0\.1|localhost):8501/_stcore/health", healthcheck)
    assert "curl" not in healthcheck, "slim images have no curl"


def test_serves_the_app_on_all_interfaces_port_8501_headless():
    (command,) = arguments_of("CMD")
    words = exec_form(command)
    assert words[:2] == ["python", "-m"] or words[0] == "streamlit"
    text = " ".join(words)
    assert "streamlit run app.py" in text
    for option in ("--server.address 0.0.0.0", "--server.port 8501", "--server.headless true"):
        assert option in text
    assert arguments_of("EXPOSE") == ["8501"]


def test_every_playground_setting_the_code_reads_is_documented():
    """A new PLAYGROUND_* variable in the code must show up in the Dockerfile (ENV or comment)."""
    read = set()
    for path in [REPO / "app.py", *(REPO / "pages").rglob("*.py"), *(REPO / "playground").rglob("*.py")]:
        read |= set(re.findall(r"[\"'](PLAYGROUND_[A-Z_]+)[\"']", path.read_text()))
    assert "PLAYGROUND_WARMUP" in read, "the scan found nothing: has the code moved?"
    missing = sorted(name for name in read if name not in DOCKERFILE)
    assert not missing, f"PLAYGROUND settings read by the code but not documented in the Dockerfile: {missing}"
    environment = " ".join(arguments_of("ENV"))
    for name in ("PLAYGROUND_WARMUP", "PLAYGROUND_WORKERS"):
        assert re.search(rf"{name}=\S+", environment), f"{name} needs an explicit default in the image"


@pytest.mark.parametrize("entry", [".git", ".venv", "test-artifacts", "tests", "**/*.csv", "**/*.keras",
                                   "**/__pycache__"])
def test_dockerignore_keeps_out(entry):
    assert entry in DOCKERIGNORE
