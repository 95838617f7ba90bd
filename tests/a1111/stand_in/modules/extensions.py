"""A1111's ``modules.extensions``: every directory in ``extensions/`` is an extension, enabled unless listed in
``opts.disabled_extensions``; ``list_files`` returns a sub-directory's files, sorted, as ``scripts.ScriptFile``s."""

from __future__ import annotations

import os

from modules import paths, shared


class Extension:
    def __init__(self, name: str, path: str, enabled: bool = True, is_builtin: bool = False):
        self.name = name
        self.canonical_name = name.lower()
        self.path = path
        self.enabled = enabled
        self.is_builtin = is_builtin

    def list_files(self, subdir: str, extension: str):
        from modules import scripts

        dirpath = os.path.join(self.path, subdir)
        if not os.path.isdir(dirpath):
            return []
        res = [scripts.ScriptFile(self.path, filename, os.path.join(dirpath, filename))
               for filename in sorted(os.listdir(dirpath))]
        return [x for x in res if os.path.splitext(x.path)[1].lower() == extension and os.path.isfile(x.path)]


extensions: list[Extension] = []


def list_extensions() -> None:
    extensions.clear()
    disabled = shared.opts.disabled_extensions if shared.opts is not None else []
    for dirname, builtin in ((paths.extensions_builtin_dir, True), (paths.extensions_dir, False)):
        if not os.path.isdir(dirname):
            continue
        for name in sorted(os.listdir(dirname)):
            path = os.path.join(dirname, name)
            if os.path.isdir(path):
                extensions.append(Extension(name, path, enabled=name not in disabled, is_builtin=builtin))


def active() -> list[Extension]:
    if shared.cmd_opts.disable_all_extensions:
        return []
    if shared.cmd_opts.disable_extra_extensions:
        return [x for x in extensions if x.enabled and x.is_builtin]
    return [x for x in extensions if x.enabled]
