"""The wheel: built and installed like a user would, it serves its own page and styles."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import httpx2
import pytest

from chatbot.settings import PROJECT_ROOT, Settings
from tests.conftest import FIXTURES

# What the wheel is built from: the rest of the checkout must not be needed.
SOURCES = ("pyproject.toml", "setup.py", "README.md", "LICENSE", "chatbot", "web")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _run(*command: str | Path, cwd: Path | None = None) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of the sources (no build/ left in the checkout) with
    this venv's setuptools, so no network is needed."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    source.mkdir()
    for name in SOURCES:
        copy = shutil.copytree if (PROJECT_ROOT / name).is_dir() else shutil.copy
        copy(PROJECT_ROOT / name, source / name)
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        source,
        "--no-deps",
        "--no-build-isolation",
        "--wheel-dir",
        root / "dist",
    )
    (built,) = (root / "dist").glob("chatbot-*.whl")
    return built


def test_the_default_web_folder_is_found_from_any_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CHATBOT_WEB_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    web = Settings().web_dir
    assert web.is_absolute()
    assert (web / "templates" / "base.html").is_file()
    assert (web / "static" / "style.css").is_file()


def test_default_data_paths_are_relative_to_the_working_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("CHATBOT_KNOWLEDGE_DIR", "CHATBOT_DB"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.knowledge_dir == Path("knowledge")
    assert settings.db == Path("data", "chatbot.db")


@pytest.mark.e2e
def test_the_wheel_carries_the_page_files_and_the_license(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        f"chatbot/web/{path.relative_to(PROJECT_ROOT / 'web').as_posix()}"
        for path in (PROJECT_ROOT / "web").rglob("*")
        if path.is_file()
    }
    assert expected <= names, f"missing from the wheel: {sorted(expected - names)}"
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)


@pytest.mark.e2e
def test_the_installed_wheel_serves_the_page_and_its_styles(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    # Dependencies come from this venv, on the new one's path after its own packages;
    # a path in a .pth file is added as is, so this venv's editable install stays out.
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(site) / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", wheel)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    environment.pop("CHATBOT_WEB_DIR", None)
    where = subprocess.run(
        [python, "-c", "import chatbot; print(chatbot.__file__)"],
        cwd=elsewhere,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(venv)), f"imported {where}, not the installed wheel"

    port = _free_port()
    command = [str(venv / "bin" / "chatbot"), "serve", "--port", str(port)]
    log = tmp_path / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [*command, "--knowledge", str(FIXTURES / "knowledge")],
            cwd=elsewhere,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                page = httpx2.get(f"http://127.0.0.1:{port}/")
                break
            except httpx2.TransportError:
                if server.poll() is not None:
                    pytest.fail(f"server exited: {log.read_text()}")
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        style = httpx2.get(f"http://127.0.0.1:{port}/static/style.css")
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert page.status_code == 200
    assert "<form" in page.text
    assert style.status_code == 200
    assert style.headers["content-type"].startswith("text/css")
    assert style.text == (PROJECT_ROOT / "web" / "static" / "style.css").read_text()
