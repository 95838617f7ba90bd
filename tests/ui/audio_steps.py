"""Browser steps shared by the standalone and A1111 Audio panel tests: make a click track, upload and analyse it."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "audio"))

from audio_synth import click_track, write_wav  # noqa: E402


def analyse_click_track(page, folder: Path, bpm: float) -> str:
    """Write an 8 s click track at ``bpm``, upload it in the Audio panel, analyse it; the panel's summary."""
    samples, _ = click_track(bpm, 8.0, first_beat_s=0.3)
    song = write_wav(folder / f"click-{bpm:g}.wav", samples)
    page.locator("#parseq_views button", has_text="Audio").first.click()
    page.set_input_files("#parseq_audio_file input[type=file]", str(song))
    page.wait_for_function("(name) => document.querySelector('#parseq_audio_file').innerText.includes(name)",
                           arg=song.stem)
    page.locator("#parseq_audio_analyse").click()
    page.wait_for_function("() => document.querySelector('#parseq_audio_summary').innerText.includes('bpm')",
                           timeout=120_000)
    return page.locator("#parseq_audio_summary").first.inner_text()
