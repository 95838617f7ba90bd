"""Adapters that run the render loop inside a host application.

``a1111`` is the only module in ``lib_parseq`` that imports A1111's ``modules``; the host-free parts of the
A1111 integration (mapping frame parameters to processing fields, prompt conversion, infotext, the manifest
summary, the script's UI) live beside it in ``a1111_*`` modules so they can be used and tested without A1111.
"""
