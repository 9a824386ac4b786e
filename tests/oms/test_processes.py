"""`make serve` runs the Procfile's processes with honcho: each must be found in
the virtualenv the Makefile made, without the user activating it."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(":", 1) for line in lines if line.strip() and not line.startswith("#"))


def test_the_procfile_runs_web_workers_and_beat_from_installed_programs():
    processes = procfile()
    assert set(processes) == {"web", "worker", "webhooks", "emails", "beat"}
    for name, command in processes.items():
        program = shlex.split(command)[0]
        assert (Path(sys.executable).parent / program).exists(), f"{name}: {program} is not installed"


def test_make_serve_puts_the_virtualenv_first_on_the_path():
    dry_run = subprocess.run(
        ["make", "-n", "serve"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    [honcho] = [line for line in dry_run.splitlines() if "honcho start" in line]
    assert honcho.startswith(f'PATH="{ROOT}/.venv/bin:')
