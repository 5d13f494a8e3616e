"""The command line: fast answers, clear errors, no tracebacks."""

from __future__ import annotations

import subprocess
import sys

import pytest

from session_explorer import __version__
from session_explorer.cli import main


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "session_explorer", *args], capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("flag", ["--version", "--help"])
def test_version_and_help_do_not_import_textual(flag: str) -> None:
    code = (
        "import sys\n"
        "from session_explorer.cli import main\n"
        "try:\n"
        f"    main([{flag!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(','.join(m for m in ('textual', 'rich') if m in sys.modules), file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stderr.strip() == ""
    if flag == "--version":
        assert out.stdout.strip() == f"session-explorer {__version__}"
    else:
        assert "usage: session-explorer" in out.stdout


def test_python_dash_m_works() -> None:
    out = run_cli("--version")
    assert out.returncode == 0
    assert out.stdout.strip() == f"session-explorer {__version__}"


@pytest.mark.parametrize(
    "args,message",
    [
        (["{missing}"], "no such directory"),
        (["{file}"], "not a directory"),
        (["list", "{missing}"], "no such directory"),
        (["show", "{missing}", "latest"], "no such directory"),
    ],
)
def test_bad_directory_is_one_line_and_exit_2(tmp_path, capsys, args, message) -> None:
    (tmp_path / "file").write_text("x")
    paths = {"missing": str(tmp_path / "missing"), "file": str(tmp_path / "file")}
    code = main([a.format(**paths) for a in args])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_keep_needs_demo(capsys) -> None:
    assert main(["--keep"]) == 2
    assert "--keep goes with --demo" in capsys.readouterr().err
