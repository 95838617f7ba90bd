"""The long fuzz run: the fuzz properties with a large budget, counting inputs and failures.

    .venv/bin/python tests/reliability/fuzz_long.py            # PARSEQ_FUZZ_EXAMPLES per property (default 20000)
    PARSEQ_FUZZ_EXAMPLES=100000 .venv/bin/python tests/reliability/fuzz_long.py
    PARSEQ_FUZZ_ONLY=evaluate ...   # only the properties whose name contains this word
    PARSEQ_FUZZ_PROGRESS=10000 ...  # print a progress line every this many inputs of a property

Each failure (an exception that is not a ParseqError, a hang, or memory over the cap) is printed with a
minimal reproducer found by Hypothesis; the exit status is the number of failing properties.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from fuzzing import ANY_TEXT, EXPRESSIONS, field_evaluator, language_parse, run_guarded  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from lib_parseq.schedules.validate import validate  # noqa: E402

MEMORY_LIMIT = 256 * 1024 * 1024


def main() -> int:
    budget = int(os.environ.get("PARSEQ_FUZZ_EXAMPLES", "20000"))
    parse, evaluate = language_parse(), field_evaluator()
    from test_fuzz import DOCUMENT_LIKE, JSON  # the same strategies as the CI run

    started = time.monotonic()
    counts: dict[str, int] = {}
    outcomes: dict[str, dict[str, int]] = {}
    failures: list[str] = []

    progress_every = int(os.environ.get("PARSEQ_FUZZ_PROGRESS", "10000"))

    def counted(name: str, action, *, seconds: float, memory: bool = False) -> None:
        counts[name] = counts.get(name, 0) + 1
        if counts[name] % progress_every == 0:
            print(f"  {name}: {counts[name]} inputs so far, {time.monotonic() - started:.0f} s", flush=True)
        outcome, peak = run_guarded(action, seconds=seconds, measure_memory=memory)
        outcomes.setdefault(name, {}).setdefault(outcome, 0)
        outcomes[name][outcome] += 1
        if peak > MEMORY_LIMIT:
            raise MemoryError(f"peak {peak / 2**20:.0f} MiB")

    properties = {
        "parse random text": (ANY_TEXT, lambda text: counted("parse random text", lambda: parse(text), seconds=5)),
        "parse generated expressions": (EXPRESSIONS, lambda text: counted(
            "parse generated expressions", lambda: parse(text), seconds=5)),
        "evaluate generated expressions": (EXPRESSIONS, lambda text: counted(
            "evaluate generated expressions", lambda: evaluate(text), seconds=20, memory=counts.get(
                "evaluate generated expressions", 0) % 50 == 0)),
        "evaluate random text": (ANY_TEXT, lambda text: counted(
            "evaluate random text", lambda: evaluate(text), seconds=20)),
        "validate random JSON": (st.one_of(JSON, DOCUMENT_LIKE), lambda obj: counted(
            "validate random JSON", lambda: validate(obj), seconds=10)),
    }
    only = os.environ.get("PARSEQ_FUZZ_ONLY", "")
    for name, (strategy, body) in properties.items():
        if only not in name:
            continue
        test = settings(max_examples=budget, deadline=None, database=None,
                        suppress_health_check=list(HealthCheck))(given(strategy)(body))
        t0 = time.monotonic()
        try:
            test()
        except Exception:
            failures.append(name)
            print(f"FAILED: {name}")
            traceback.print_exc()
        print(f"{name}: {counts.get(name, 0)} inputs, outcomes {outcomes.get(name, {})}, "
              f"{time.monotonic() - t0:.0f} s", flush=True)
    total = sum(counts.values())
    print(f"total: {total} inputs in {time.monotonic() - started:.0f} s, failing properties: {len(failures)}")
    return len(failures)


if __name__ == "__main__":
    sys.exit(main())
