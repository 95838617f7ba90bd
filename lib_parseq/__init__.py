"""sd-webui-parseq: the Parseq language, schedule compiler, frame pipeline, video I/O and renderer.

Layers, each importing only the ones before it:
language → schedules → frames → video → render → backends / ui / cli.
Nothing here imports A1111's ``modules``, except the adapter in ``lib_parseq.backends.a1111``.
"""

__version__ = "0.1.0"
