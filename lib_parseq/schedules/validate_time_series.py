"""Checks of the time series: usable, distinct aliases, and samples sorted by x."""

from __future__ import annotations

import math
from collections.abc import Mapping

from lib_parseq.schedules.validate_problems import IDENTIFIER, Collector, describe, json_path, quote


def check_time_series(obj: Mapping, out: Collector) -> None:
    series = obj.get("timeSeries")
    if not isinstance(series, list):
        return
    aliases: dict[str, int] = {}
    for index, entry in enumerate(series):
        if not isinstance(entry, Mapping):
            continue
        alias = entry.get("alias")
        path = json_path(("timeSeries", index, "alias"))
        if isinstance(alias, str):
            if not IDENTIFIER.match(alias):
                out.error(path, f"{quote(alias)} is not a usable name (letters, digits and _, not starting with a digit)")
            elif alias in aliases:
                out.error(path, f"{quote(alias)} is already used by $.timeSeries[{aliases[alias]}]")
            else:
                aliases[alias] = index
        ts = entry.get("ts")
        data = ts.get("data") if isinstance(ts, Mapping) else None
        if not isinstance(data, list):
            continue
        previous = None
        for sample_index, sample in enumerate(data):
            x = sample.get("x") if isinstance(sample, Mapping) else None
            if not isinstance(x, int | float) or isinstance(x, bool) or not math.isfinite(x):
                continue
            if previous is not None and x < previous:
                out.warning(json_path(("timeSeries", index, "ts", "data", sample_index, "x")),
                            f"samples should be sorted by x, but {describe(x)} comes after {describe(previous)}; "
                            "they are sorted on load")
                break
            previous = x
