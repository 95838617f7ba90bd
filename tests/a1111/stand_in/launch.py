"""A1111's ``launch`` module (re-exporting ``modules/launch_utils.py``) for extension ``install.py`` files.

``is_installed`` is A1111's (distribution metadata, then ``find_spec``). ``run_pip`` builds the same pip command
line but records it instead of running it: one JSON object per call (with the text of any ``-c``/``-r`` file),
appended to the file named by
``STANDIN_PIP_LOG`` (default ``standin-pip.log`` in the current directory). ``--skip-install`` (on the command
line or in ``COMMANDLINE_ARGS``) makes it do nothing, as in A1111.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import shlex
import subprocess
import sys

from modules import cmd_args

args, _ = cmd_args.make_parser().parse_known_args(sys.argv[1:] + shlex.split(os.environ.get("COMMANDLINE_ARGS", "")))
python = sys.executable
git = os.environ.get("GIT", "git")
index_url = os.environ.get("INDEX_URL", "")
default_command_live = os.environ.get("WEBUI_LAUNCH_LIVE_OUTPUT") == "1"


def is_installed(package: str) -> bool:
    try:
        dist = importlib.metadata.distribution(package)
    except importlib.metadata.PackageNotFoundError:
        try:
            spec = importlib.util.find_spec(package)
        except ModuleNotFoundError:
            return False
        return spec is not None
    return dist is not None


def run(command, desc=None, errdesc=None, custom_env=None, live: bool = default_command_live) -> str:
    if desc is not None:
        print(desc)
    result = subprocess.run(command, shell=True, env=os.environ if custom_env is None else custom_env,
                            capture_output=not live, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{errdesc or 'Error running command'}.\nCommand: {command}\n"
                           f"Error code: {result.returncode}\nstderr: {result.stderr}")
    return result.stdout or ""


def run_pip(command, desc=None, live=default_command_live):
    if args.skip_install:
        return
    index_url_line = f" --index-url {index_url}" if index_url != "" else ""
    line = f'"{python}" -m pip {command} --prefer-binary{index_url_line}'
    log = os.environ.get("STANDIN_PIP_LOG", os.path.join(os.getcwd(), "standin-pip.log"))
    files = {}
    words = shlex.split(command)
    for flag, value in zip(words, words[1:], strict=False):
        if flag in ("-c", "-r", "--constraint", "--requirement") and os.path.isfile(value):
            with open(value, encoding="utf-8") as handle:
                files[value] = handle.read()
    with open(log, "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"command": command, "desc": desc, "line": line, "files": files}) + "\n")
    print(f"Installing {desc}" if desc else line)
    return ""


def check_run_python(code: str) -> bool:
    result = subprocess.run([python, "-c", code], capture_output=True)
    return result.returncode == 0


def repo_dir(name: str) -> str:
    return os.path.join(os.getcwd(), "repositories", name)
