"""``parseq audio SONG [--doc DOC.json] -o OUT.json``: analyse a song into time series, beats and keyframes."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lib_parseq.audio.choices import COMPONENTS, FEATURES, KEYFRAME_MODES
from lib_parseq.cli.argtypes import fps


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "audio",
        help="analyse an audio or video file into time series, beat/onset keyframes and a bpm for a document",
        description="Decode SONG (any file ffmpeg reads), analyse it with librosa and write a keyframe document: "
        "each feature becomes a time series usable by its alias in expressions, keyframes labelled "
        "beat/downbeat/onset are added for info_match(), and --set-bpm takes the detected tempo.",
    )
    parser.add_argument("song", metavar="SONG", help="audio or video file (wav, mp3, flac, ogg, m4a, mp4 ...)")
    parser.add_argument("--doc", metavar="DOC.json", help="merge into this document (default: a new one)")
    parser.add_argument("-o", "--output", required=True, metavar="OUT.json", help="the document to write")
    parser.add_argument("--fps", type=fps, help="frames per second (default: the document's, else 24; with --doc, becomes its output_fps)")
    parser.add_argument("--features", type=_features, default=FEATURES, metavar="LIST",
                        help=f"comma-separated, from {','.join(FEATURES)} (default: all)")
    parser.add_argument("--component", choices=COMPONENTS, default="full",
                        help="analyse the full mix, or its percussive or harmonic part (HPSS)")
    parser.add_argument("--keyframes", choices=KEYFRAME_MODES, default="beats",
                        help="add keyframes at beats (info beat/downbeat), onsets (info onset) or none")
    parser.add_argument("--set-bpm", action="store_true",
                        help="take the detected tempo as options.bpm and start frame 0 on the first downbeat")
    parser.add_argument("--start", type=_seconds, default=0.0, metavar="S", help="analyse from S seconds")
    parser.add_argument("--end", type=_seconds, default=None, metavar="S", help="analyse up to S seconds")
    parser.add_argument("--smooth", type=_seconds, default=0.0, metavar="S",
                        help="Gaussian smoothing of onset/rms/centroid, standard deviation in seconds")
    parser.add_argument("--normalise", type=_range, default=(0.0, 1.0), metavar="LO,HI|none",
                        help="scale onset/rms/centroid to this range (default 0,1; none keeps raw values)")
    parser.add_argument("--prefix", default=None,
                        help="alias prefix for the series (default: none, perc_ or harm_ by component)")
    parser.add_argument("--extend", action="store_true",
                        help="with --doc: move the last keyframe to the end of the audio")
    parser.set_defaults(func=run)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more seconds, got {text!r}")
    return value


def _features(text: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    unknown = [name for name in names if name not in FEATURES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown feature {', '.join(unknown) or '(none)'}; "
                                         f"choose from {','.join(FEATURES)}")
    return names


def _range(text: str) -> tuple[float, float] | None:
    if text.strip().lower() == "none":
        return None
    try:
        low, high = (float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected LO,HI such as 0,1 (or none), got {text!r}") from None
    if not high > low:
        raise argparse.ArgumentTypeError(f"expected LO below HI, got {text!r}")
    return low, high


def run(args: argparse.Namespace) -> int:
    from lib_parseq.audio.pipeline import SyncOptions, sync_file
    from lib_parseq.errors import AudioError
    from lib_parseq.schedules.document import check_document, load_document, read_json_file

    if args.end is not None and args.end <= args.start:
        raise AudioError(f"--end ({args.end:g} s) must be after --start ({args.start:g} s)")
    doc = None
    fps = args.fps
    if args.doc:
        doc = read_json_file(args.doc)
        loaded = load_document(doc)
        fps = fps or loaded.options.fps
    options = SyncOptions(
        fps=fps or 24.0, features=args.features, keyframes=args.keyframes, set_bpm=args.set_bpm,
        extend=args.extend or doc is None, smoothing_s=args.smooth, normalise_to=args.normalise, prefix=args.prefix,
    )
    output = Path(args.output)
    merged, summary, analysis = sync_file(args.song, doc, options, component=args.component, start_s=args.start,
                                          end_s=args.end, document_dir=output.parent)
    check_document(merged)
    output.write_text(json.dumps(merged, indent=2, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")
    meter = f", {analysis.rhythm.beats_per_bar} beats per bar" if analysis.rhythm.beats_per_bar else ""
    print(f"Analysed {analysis.path.name}: {analysis.duration_s:.1f} s, tempo {analysis.rhythm.tempo:.2f} bpm{meter}, "
          f"{analysis.rhythm.beats.size} beats, {analysis.rhythm.onsets.size} onsets.", file=sys.stderr)
    print(f"Wrote {output}: {summary.describe()}.", file=sys.stderr)
    return 0
