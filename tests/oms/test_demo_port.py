"""`make demo PORT=8001` serves on another port; seed_demo prints that address."""

import io
import re
import subprocess
from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def test_seed_demo_prints_the_address_it_is_given(db):
    out = io.StringIO()
    call_command("seed_demo", "--skus", "60", "--orders", "0", "--url", "http://127.0.0.1:8001/", stdout=out)
    text = out.getvalue()
    assert "Demo logins (http://127.0.0.1:8001):" in text
    assert "Open http://127.0.0.1:8001 and log in" in text
    assert "127.0.0.1:8000" not in text


def test_make_demo_takes_its_port_from_port():
    # given: make's dry run prints the commands without running them
    def commands(*args: str) -> list[str]:
        dry = subprocess.run(
            ["make", "-n", "-W", "pyproject.toml", "demo", "STAMP=/dev/null", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return [line for line in dry.stdout.splitlines() if re.search(r"seed_demo|runserver", line)]

    # then
    assert commands("PORT=8001") == [
        ".venv/bin/python manage.py seed_demo --url http://127.0.0.1:8001",
        ".venv/bin/python manage.py runserver 127.0.0.1:8001",
    ]
    assert commands()[-1] == ".venv/bin/python manage.py runserver 127.0.0.1:8000"
