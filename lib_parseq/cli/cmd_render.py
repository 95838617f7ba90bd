"""``parseq render MANIFEST_OR_DOC.json (--init IMAGE | --video INPUT) -o OUT.mp4 (--dry-run | --backend …)``.

Renders a manifest (or a keyframe document, compiled on the fly) to a video through the frame pipeline, with
the dry run (the pipeline without diffusion) or the diffusers backend (``--backend diffusers --model …``, an
optional dependency; ``--ray`` spreads vid2vid frames over a Ray cluster).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from lib_parseq.backends.diffusers_options import DEVICES, DTYPES
from lib_parseq.cli import EXIT_INTERRUPTED, EXIT_USER_ERROR
from lib_parseq.cli.argtypes import fps
from lib_parseq.errors import RenderError

BORDERS = ("reflect", "replicate", "wrap", "noise", "zeros", "border", "reflection", "black")
SAMPLINGS = ("linear", "cubic", "lanczos", "nearest", "bilinear", "bicubic")
FLOW_METHODS = ("dis_medium", "dis_fine", "farneback")
BACKENDS = ("dry-run", "diffusers")
GENESIS = ("successive", "fixed", "embryo")
PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow")
DRY_RUN_PRESET = "ultrafast"  # a dry run is a preview: encoding speed over file size (medium before issue 13)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "render",
        help="render a manifest or keyframe document to a video (dry run, or diffusers with --backend diffusers)",
        description="Render a Parseq manifest or keyframe document to a video: loopback from an init image, "
        "or vid2vid from an input video, through the dry run (no diffusion) or a diffusers pipeline.",
    )
    parser.add_argument("manifest", metavar="MANIFEST_OR_DOC.json", help="manifest or keyframe document (file or URL)")
    parser.add_argument("--init", metavar="IMAGE", help="init image: loopback (each output feeds the next frame)")
    parser.add_argument("--video", metavar="INPUT", help="input video: vid2vid (any format ffmpeg reads), or the "
                        "guide of --hybrid")
    parser.add_argument("-o", "--output", required=True, metavar="OUT.mp4",
                        help="output video; may use <timestamp> (and <img2img_output_path> with --img2img-output-path)")
    parser.add_argument("--output-dir", metavar="DIR", help="folder the -o template stays inside (default: -o's folder)")
    parser.add_argument("--img2img-output-path", metavar="DIR", help="what <img2img_output_path> stands for")
    parser.add_argument("--dry-run", action="store_true", help="run the pipeline without diffusion (= --backend dry-run)")
    parser.add_argument("--backend", choices=BACKENDS, help="dry-run, or diffusers (needs --model; optional dependency)")
    model = parser.add_argument_group("diffusers backend")
    model.add_argument("--model", metavar="PATH_OR_ID",
                       help="diffusers model folder, .safetensors/.ckpt checkpoint, or Hugging Face model ID")
    model.add_argument("--model-config", metavar="PATH_OR_ID",
                       help="for a single-file checkpoint: a diffusers folder of the same architecture (offline)")
    model.add_argument("--steps", type=_positive_int, default=20,
                       help="sampling steps where the manifest has no steps field (default 20)")
    model.add_argument("--scheduler", metavar="NAME", help="scheduler, e.g. euler, euler_a, ddim, dpm++2m, unipc "
                       "or a diffusers class name (default: the model's)")
    model.add_argument("--dtype", choices=DTYPES, default="auto", help="weights' precision (auto: float16 on GPU)")
    model.add_argument("--device", choices=DEVICES, default="auto", help="auto: cuda, then mps, then cpu")
    model.add_argument("--batch", type=_positive_int, default=1,
                       help="frames per pipeline call (vid2vid without loopback blending; default 1)")
    model.add_argument("--exact-batches", action=argparse.BooleanOptionalAction, default=None,
                       help="batched frames bit-for-bit equal to --batch 1 (the UNet runs per frame; default: on "
                       "the CPU only, since on a GPU it gives up most of what batching gains)")
    model.add_argument("--ray", metavar="ADDRESS", nargs="?", const="local",
                       help="spread vid2vid frames over a Ray cluster (ADDRESS, or no value: a local cluster)")
    model.add_argument("--ray-workers", type=_positive_int, help="pipelines to start on the Ray cluster "
                       "(default: one per GPU, or 2 on a CPU-only cluster)")
    parser.add_argument("--overlay", action="store_true", help="write each frame's parameters on the video")
    parser.add_argument("--size", metavar="WxH", type=_size, help="output size (default: the input's, made even)")
    parser.add_argument("--fps", type=fps, help="output fps (default: the manifest's output_fps)")
    parser.add_argument("--input-fps", type=fps, help="rate to read the input video at (default: --fps)")
    parser.add_argument("--frames", metavar="A:B", type=_frame_range, help="render frames A to B-1 only")
    parser.add_argument("--save-frames", metavar="DIR", help="also keep every frame as PNG in DIR")
    parser.add_argument("--audio", metavar="FILE", help="add this audio track, trimmed to the video (default: the "
                        "file the document was analysed from by `parseq audio`, when it names one that exists)")
    parser.add_argument("--no-audio", action="store_true", help="no audio track, even when the document names one")
    parser.add_argument("--resume", action="store_true", help="continue an interrupted render of the same command")
    parser.add_argument("--overwrite", action="store_true", help="replace existing output files")
    parser.add_argument("--border", choices=BORDERS, default="reflect",
                        help="fill for uncovered areas (default reflect; border/reflection/black are Deforum's names)")
    parser.add_argument("--sampling", "--interpolation", dest="sampling", choices=SAMPLINGS, default="linear",
                        help="pixel sampling of the warps (default linear = bilinear)")
    motion = parser.add_argument_group("Deforum motion toolkit")
    motion.add_argument("--cadence", type=int, metavar="N",
                        help="diffuse every Nth frame, cross-fade the rest (default: the manifest's keyframed "
                             "cadence column, else its options.cadence)")
    motion.add_argument("--cadence-flow", choices=FLOW_METHODS,
                        help="move the in-betweens along the optical flow between the diffused frames")
    motion.add_argument("--colour-space", choices=("lab", "hsv", "rgb"), default="lab",
                        help="colour space of colour coherence (default lab)")
    motion.add_argument("--colour-source", choices=("window", "first", "video"), default="window",
                        help="match colours to the window of recent outputs (default; the manifest's cc_* options), "
                        "the first output, or the --hybrid video frame")
    motion.add_argument("--colour-every", type=int, default=0, metavar="N",
                        help="refresh the first/video colour sample every Nth frame (0: first = frame 0 only, "
                        "video = every frame)")
    motion.add_argument("--greyscale", action="store_true", help="force greyscale frames")
    motion.add_argument("--hybrid", action="store_true",
                        help="hybrid video: loopback on our output guided by --video (not vid2vid)")
    motion.add_argument("--hybrid-motion", choices=("none", "optical_flow", "perspective", "affine"), default="none",
                        help="apply the video's motion to the loopback image (default none)")
    motion.add_argument("--hybrid-flow", choices=FLOW_METHODS, default="dis_medium",
                        help="optical flow method (default dis_medium; dis_fine finer, farneback slowest)")
    motion.add_argument("--hybrid-use-prev-image", action="store_true",
                        help="measure the motion from the previous output to the video frame")
    motion.add_argument("--hybrid-composite", choices=("none", "before", "normal", "after"), default="none",
                        help="blend the video frame in (with hybrid_comp_alpha) before/after the motion or after "
                        "generation")
    motion.add_argument("--hybrid-mask", choices=("none", "blend", "difference", "video"), default="none",
                        help="composite mask (default none)")
    motion.add_argument("--hybrid-mask-invert", action="store_true", help="invert the composite mask")
    motion.add_argument("--hybrid-mask-equalise", choices=("none", "before", "after", "both"), default="none",
                        help="equalise the composite mask before/after its contrast")
    motion.add_argument("--hybrid-mask-auto-contrast", action="store_true",
                        help="auto-contrast the composite mask between the hybrid_comp_mask_auto_contrast_cutoff_* "
                        "percentiles")
    motion.add_argument("--hybrid-first-frame-init", action="store_true",
                        help="start from the video's first frame even with --init")
    parser.add_argument("--vocabulary", choices=("auto", "modern", "legacy"), default="auto",
                        help="field vocabulary of the manifest (default: detect)")
    parser.add_argument("--crf", type=int, default=17, help="H.264 quality, 0-51, lower is better (default 17)")
    parser.add_argument("--preset", choices=PRESETS, default=DRY_RUN_PRESET,
                        help=f"x264 speed preset (default {DRY_RUN_PRESET} for the dry-run preview; "
                        "--preset medium for the smaller files of the default before)")
    parser.add_argument("--gif", action="store_true", help="also write a GIF beside the video")
    parser.add_argument("--webm", action="store_true", help="also write a VP9 WebM beside the video")
    parser.add_argument("--no-resume-state", action="store_true",
                        help="do not keep resume state (faster; no --resume, no encoder recovery)")
    parser.add_argument("--resume-state", choices=("frames", "segments"),
                        help="how the render stays resumable: segments (the video encoded in parts ending at the "
                        "checkpoints; the dry run's default) or frames (a PNG of every frame, which also rebuilds "
                        "a dead encoder's video; the default for diffusers, and with --save-frames or --webm)")
    parser.add_argument("--checkpoint-every", type=_positive_int, metavar="N",
                        help="save the resume state every N frames (default: 100 in the segments way, which was "
                        "25 before; 25 in the frames way; 1 for diffusers)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--pick", metavar="SLICE", type=_pick, default="",
                        help="encode only these rendered frames, a Python-style slice: ::2, 10:50, :-1")
    parser.add_argument("--pad", metavar="N|FIRST,LAST", type=_pad, default=(0, 0),
                        help="repeat the first and last encoded frame N more times (or FIRST,LAST times)")
    parser.add_argument("--genesis", choices=GENESIS,
                        help="what each frame starts from: successive = the previous output (loopback), fixed = the "
                        "init image, embryo = one common image made from the init (default: the manifest's "
                        "options.genesis, else successive)")
    parser.set_defaults(func=run)


def _size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 512x512, got {text!r}")
    return int(match.group(1)), int(match.group(2))


def _pick(text: str) -> str:
    from lib_parseq.render.export import parse_pick

    try:
        parse_pick(text)
    except RenderError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None
    return text


def _pad(text: str) -> tuple[int, int]:
    from lib_parseq.render.export import parse_pad

    try:
        return parse_pad(text)
    except RenderError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {text!r}")
    return value


def _frame_range(text: str) -> tuple[int | None, int | None]:
    match = re.fullmatch(r"\s*(\d*)\s*:\s*(\d*)\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"expected A:B (frames A to B-1; either may be omitted), got {text!r}")
    start, end = (int(g) if g else None for g in match.groups())
    return start, end


def split_output(output: str, output_dir: str | None) -> tuple[Path, str]:
    """The folder the template stays in and the template itself.

    With --output-dir, -o is relative to it. Otherwise the folder is -o's own leading folders up to the
    first placeholder (the user chose them on the command line); the rest is the template.
    """
    if output_dir is not None:
        return Path(output_dir), output
    if output.startswith("<img2img_output_path>"):
        return Path("."), output
    parts = re.split(r"[/\\]", output)
    fixed: list[str] = []
    for part in parts[:-1]:
        if "<" in part or part == "..":
            break
        fixed.append(part)
    rest = "/".join(parts[len(fixed):])
    if output.startswith(("/", "\\")) and fixed and fixed[0] == "":
        return Path("/" + "/".join(fixed[1:])), rest
    return Path("/".join(fixed) or "."), rest


def _load_manifest(source: str) -> dict:
    from lib_parseq.schedules import as_manifest, read_json_file

    if source.startswith(("http://", "https://")):
        from lib_parseq.net import load_manifest_source

        return as_manifest(load_manifest_source(source))
    return as_manifest(read_json_file(source))


def _hybrid_settings(args: argparse.Namespace):
    from lib_parseq.render.settings import HybridSettings

    if not args.hybrid:
        return None
    return HybridSettings(
        motion=args.hybrid_motion, flow_method=args.hybrid_flow, use_previous_image=args.hybrid_use_prev_image,
        composite=args.hybrid_composite, mask=args.hybrid_mask, mask_invert=args.hybrid_mask_invert,
        mask_equalise=args.hybrid_mask_equalise, mask_auto_contrast=args.hybrid_mask_auto_contrast,
        first_frame_init=args.hybrid_first_frame_init)


def _audio_track(args: argparse.Namespace, manifest: dict) -> tuple[Path | None, float]:
    """--audio, else the audio a local document names in ``meta.audio`` (with its start), else none."""
    from lib_parseq.audio.track import audio_for_render

    if args.no_audio:
        return None, 0.0
    local = not args.manifest.startswith(("http://", "https://")) and args.manifest != "-"
    track = audio_for_render(manifest if local else {}, args.audio, Path(args.manifest).parent if local else None)
    if track is None:
        return None, 0.0
    if not args.audio:
        print(f"Audio: {track.path} from {track.start_s:g} s (named by the document; --no-audio leaves it out)",
              file=sys.stderr)
    return track.path, track.start_s


def _attach_noise_drift(args: argparse.Namespace, backend, plan) -> None:
    """Give the diffusers backend the render's noise drift when a frame sets ``noise_shift`` below 1 (the dry run
    draws no noise; Ray workers do not share the chain yet, so that is refused rather than ignored)."""
    if _backend_name(args) != "diffusers":
        return
    from lib_parseq.backends.diffusers_drift import drift_for_frames

    drift = drift_for_frames(plan.frames, plan.diffused.as_list())
    if drift is None:
        return
    if not hasattr(backend, "noise_drift"):
        plan.release()
        raise RenderError("noise_shift (noise drift) works with the one-machine diffusers backend, not with --ray")
    backend.noise_drift = drift


def _backend_name(args: argparse.Namespace) -> str | None:
    if args.dry_run and args.backend not in (None, "dry-run"):
        raise RenderError("--dry-run and --backend diffusers contradict each other; give one")
    return "dry-run" if args.dry_run else args.backend


def make_backend(args: argparse.Namespace):
    """The backend the arguments ask for (diffusers, or Ray over diffusers, is imported only when asked for)."""
    from lib_parseq.render import DryRunBackend

    if _backend_name(args) == "dry-run":
        return DryRunBackend()
    from lib_parseq.backends.diffusers_options import DiffusersOptions, require_diffusers

    options = DiffusersOptions(model=args.model or "", steps=args.steps, scheduler=args.scheduler,
                               dtype=args.dtype, device=args.device, batch=args.batch,
                               model_config=args.model_config, exact_batches=args.exact_batches)
    require_diffusers()
    if args.ray is not None:
        from lib_parseq.backends.diffusers_ray import RayBackend

        return RayBackend.start(options, address=None if args.ray == "local" else args.ray, workers=args.ray_workers)
    from lib_parseq.backends.diffusers_backend import DiffusersBackend

    return DiffusersBackend.from_options(options)


def run(args: argparse.Namespace) -> int:
    if (args.init is None and args.video is None) or (args.init and args.video and not args.hybrid):
        print("Error: give --init IMAGE (loopback) or --video INPUT (vid2vid); both only with --hybrid",
              file=sys.stderr)
        return EXIT_USER_ERROR
    if args.hybrid and args.video is None:
        print("Error: --hybrid needs --video INPUT to guide the loopback", file=sys.stderr)
        return EXIT_USER_ERROR
    if _backend_name(args) is None:
        print("Error: choose a backend: --dry-run renders the pipeline without diffusion; --backend diffusers "
              "--model PATH_OR_ID renders with a diffusers model (pip install \".[diffusers]\"). Inside "
              "AUTOMATIC1111, render from the Parseq script in the img2img tab.", file=sys.stderr)
        return EXIT_USER_ERROR
    if _backend_name(args) != "diffusers":
        for flag in ("model", "ray"):
            if getattr(args, flag) is not None:
                raise RenderError(f"--{flag} needs --backend diffusers")

    from tqdm import tqdm

    from lib_parseq.render import RenderSettings, plan_render, run_plan
    from lib_parseq.render.settings import backend_resume_state

    manifest = _load_manifest(args.manifest)
    default_state, default_every = backend_resume_state(_backend_name(args))
    audio, audio_start_s = _audio_track(args, manifest)
    output_dir, template = split_output(args.output, args.output_dir)
    settings = RenderSettings(
        output=template, output_dir=output_dir,
        img2img_output_path=Path(args.img2img_output_path) if args.img2img_output_path else None,
        size=args.size, fps=args.fps, input_fps=args.input_fps, frames=args.frames,
        save_frames=Path(args.save_frames) if args.save_frames else None, border=args.border,
        interpolation=args.sampling, cadence=args.cadence, cadence_flow=args.cadence_flow,
        colour_space=args.colour_space, colour_source=args.colour_source, colour_every=args.colour_every,
        greyscale=args.greyscale, hybrid=_hybrid_settings(args),
        vocabulary=args.vocabulary, overlay=args.overlay, crf=args.crf, preset=args.preset, gif=args.gif,
        webm=args.webm, audio=audio, audio_start_s=audio_start_s, resume=args.resume,
        overwrite=args.overwrite, resumable=not args.no_resume_state, pick=args.pick, pad=args.pad,
        genesis=args.genesis,
        checkpoint_every=args.checkpoint_every or default_every,
        resume_state=args.resume_state or default_state,
    )
    plan = plan_render(manifest, settings, init_image=args.init, video_path=args.video)
    backend = make_backend(args)
    bar = None

    def progress(report) -> None:
        nonlocal bar
        if args.quiet:
            return
        if bar is None:
            bar = tqdm(total=report.total, initial=report.done - 1, unit="frame", dynamic_ncols=True,
                       file=sys.stderr, desc="render")
        bar.update(report.done - bar.n)

    try:
        _attach_noise_drift(args, backend, plan)
        result = run_plan(plan, settings, backend, progress=progress)
    finally:
        if bar is not None:
            bar.close()
        if hasattr(backend, "close"):
            backend.close()
    for warning in result.warnings:
        print(f"Warning: {warning}", file=sys.stderr)
    if result.interrupted:
        print(f"Interrupted: {result.video_path} holds {result.frames_written} of {result.total_frames} frames. "
              "Run the same command with --resume to finish.", file=sys.stderr)
        return EXIT_INTERRUPTED
    extras = [str(p) for p in (result.gif_path, result.webm_path) if p is not None]
    also = f" (also {', '.join(extras)})" if extras else ""
    print(f"Wrote {result.video_path}: {result.frames_written} frames{also}.", file=sys.stderr)
    return 0
