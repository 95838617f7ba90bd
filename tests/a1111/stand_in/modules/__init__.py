"""A test stand-in for AUTOMATIC1111 webui 1.10.1's ``modules`` package.

Only what the Parseq extension touches is here, with A1111's names, signatures, defaults and behaviour
(see ../../shared/docs/a1111-api.md). The "diffusion" in ``processing`` is a deterministic image transform.
Never import this outside tests: use ``tests/a1111/stand_in/harness.py``, which isolates it.
"""
