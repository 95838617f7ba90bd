"""A1111's ``modules.processing`` for img2img: the processing dataclasses, ``process_images``, ``Processed``,
``fix_seed``/``get_fixed_seed``, colour correction and infotext — with a fake, deterministic "diffusion".

Behaviour kept from A1111 1.10.1 (see a1111-api.md §3): ``p.override_settings`` applied then restored; seeds
resolved with ``get_fixed_seed`` and recorded as ``all_seeds = [seed + i]`` (no ``+ i`` with a variation
strength); ``state.job_count`` set only while it is -1; ``state.skipped`` reset at the top of each batch; the batch
loop breaks on ``interrupted``/``stopping_generation``; ``on_cfg_denoiser`` callbacks fire once per sampling step and
an interrupt or skip ends sampling early (the image comes back half-done, as A1111 returns the last latent);
``p.color_corrections`` applied to each output and then reset to None; images saved when ``opts.samples_save and not
p.do_not_save_samples``. The always-on scripts' hooks run where A1111 runs them (``before_process``, ``process``,
``before_process_batch``, ``after_extra_networks_activate``, ``process_batch``, ``process_before_every_sampling``,
``post_sample``, ``postprocess_batch``, ``postprocess_batch_list``, ``postprocess_image``,
``postprocess_image_after_composite``, ``postprocess``), and extra-network tags (``<lora:name:0.8>``) are taken out
of ``p.prompts`` before sampling; the infotext keeps them (``p.prompts`` is restored after ``postprocess_batch``).

The fake diffusion: the output moves from the init image towards a target made of the sampler's initial noise
(``p.rng``, A1111's ``ImageRNG``: seed, subseed, variation strength; as ``process_before_every_sampling`` left
it), a colour per prompt part (hash of the text, A1111's AND weights), a colour pushed away by the negative
prompt, and a contrast set by the CFG scale; it moves ``denoising_strength`` of the way. Every call is
recorded in ``calls`` so tests can compare what each frame asked for with what the extension sent.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
from PIL import Image

from modules import extra_networks, images, prompt_parser, rng, script_callbacks, scripts, shared
from modules.script_callbacks import CFGDenoiserParams

opts_restore_keys: list[str] = []
opt_C = 4
opt_f = 8

calls: list[dict[str, Any]] = []
"""One entry per generated image: the processing fields it was made with (stand-in only)."""


def get_fixed_seed(seed):
    if seed == "" or seed is None:
        seed = -1
    elif isinstance(seed, str):
        try:
            seed = int(seed)
        except Exception:
            seed = -1
    if seed == -1:
        return int(random.randrange(4294967294))
    return seed


def fix_seed(p) -> None:
    p.seed = get_fixed_seed(p.seed)
    p.subseed = get_fixed_seed(p.subseed)


def setup_color_correction(image):
    """The image in LAB, as A1111: ``cv2.cvtColor(np.asarray(image), COLOR_RGB2LAB)``, which raises ``cv2.error``
    unless the image has 3 or 4 channels (modes L, LA and P do not)."""
    return cv2.cvtColor(np.asarray(image.copy()), cv2.COLOR_RGB2LAB)


def apply_color_correction(correction, original_image):
    """A1111's: match the LAB histograms to ``correction``, then keep the original's luminosity. A1111 blends
    with ``blendmodes`` (LUMINOSITY); the stand-in takes L from the original and a, b from the matched image."""
    from skimage import exposure  # here, not at the top: the gradio 4 check's venv has no scikit-image

    lab = cv2.cvtColor(np.asarray(original_image), cv2.COLOR_RGB2LAB)
    matched = exposure.match_histograms(lab, correction, channel_axis=2).astype("uint8")
    matched[..., 0] = lab[..., 0]
    return Image.fromarray(cv2.cvtColor(matched, cv2.COLOR_LAB2RGB)).convert("RGB")


def _quote(text):
    if "," not in str(text) and "\n" not in str(text) and ":" not in str(text):
        return text
    return json.dumps(text, ensure_ascii=False)


@dataclass(repr=False)
class StableDiffusionProcessing:
    sd_model: object = None
    outpath_samples: str = None
    outpath_grids: str = None
    prompt: str = ""
    prompt_for_display: str = None
    negative_prompt: str = ""
    styles: list = None
    seed: int = -1
    subseed: int = -1
    subseed_strength: float = 0
    seed_resize_from_h: int = -1
    seed_resize_from_w: int = -1
    seed_enable_extras: bool = True
    sampler_name: str = None
    scheduler: str = None
    batch_size: int = 1
    n_iter: int = 1
    steps: int = 50
    cfg_scale: float = 7.0
    width: int = 512
    height: int = 512
    restore_faces: bool = None
    tiling: bool = None
    do_not_save_samples: bool = False
    do_not_save_grid: bool = False
    extra_generation_params: dict = None
    overlay_images: list = None
    eta: float = None
    do_not_reload_embeddings: bool = False
    denoising_strength: float = None
    ddim_discretize: str = None
    s_min_uncond: float = None
    s_churn: float = None
    s_tmax: float = None
    s_tmin: float = None
    s_noise: float = None
    override_settings: dict = None
    override_settings_restore_afterwards: bool = True
    sampler_index: int = None
    refiner_checkpoint: str = None
    refiner_switch_at: float = None
    token_merging_ratio: float = 0
    token_merging_ratio_hr: float = 0
    disable_extra_networks: bool = False
    firstpass_image: Image.Image = None

    scripts_value: Any = field(default=None, init=False)
    script_args_value: list = field(default=None, init=False)
    scripts_setup_complete: bool = field(default=False, init=False)
    comments: dict = field(default=None, init=False)
    is_using_inpainting_conditioning: bool = field(default=False, init=False)
    paste_to: tuple = field(default=None, init=False)
    color_corrections: list = field(default=None, init=False)
    all_prompts: list = field(default=None, init=False)
    all_negative_prompts: list = field(default=None, init=False)
    all_seeds: list = field(default=None, init=False)
    all_subseeds: list = field(default=None, init=False)
    iteration: int = field(default=0, init=False)
    main_prompt: str = field(default=None, init=False)
    main_negative_prompt: str = field(default=None, init=False)
    prompts: list = field(default=None, init=False)
    negative_prompts: list = field(default=None, init=False)
    seeds: list = field(default=None, init=False)
    subseeds: list = field(default=None, init=False)
    sd_model_name: str = field(default=None, init=False)
    sd_model_hash: str = field(default=None, init=False)
    sd_vae_name: str = field(default=None, init=False)
    sd_vae_hash: str = field(default=None, init=False)
    user: str = field(default=None, init=False)
    extra_network_data: dict = field(default=None, init=False)
    batch_index: int = field(default=0, init=False)
    rng: rng.ImageRNG | None = field(default=None, init=False)

    def __post_init__(self):
        self.styles = self.styles or []
        self.extra_generation_params = self.extra_generation_params or {}
        self.override_settings = self.override_settings or {}
        self.comments = {}
        if self.sampler_index is not None:
            print("sampler_index argument for StableDiffusionProcessing does not do anything; use sampler_name")

    @property
    def scripts(self):
        return self.scripts_value

    @scripts.setter
    def scripts(self, value):
        self.scripts_value = value
        if self.scripts_value and self.script_args_value and not self.scripts_setup_complete:
            self.setup_scripts()

    @property
    def script_args(self):
        return self.script_args_value

    @script_args.setter
    def script_args(self, value):
        self.script_args_value = value
        if self.scripts_value and self.script_args_value and not self.scripts_setup_complete:
            self.setup_scripts()

    def setup_scripts(self):
        self.scripts_setup_complete = True
        self.scripts.setup_scrips(self, is_ui=True)

    def setup_prompts(self):
        if isinstance(self.prompt, list):
            self.all_prompts = self.prompt
        elif isinstance(self.negative_prompt, list):
            self.all_prompts = [self.prompt] * len(self.negative_prompt)
        else:
            self.all_prompts = self.batch_size * self.n_iter * [self.prompt]
        if isinstance(self.negative_prompt, list):
            self.all_negative_prompts = self.negative_prompt
        else:
            self.all_negative_prompts = [self.negative_prompt] * len(self.all_prompts)
        self.main_prompt = self.all_prompts[0]
        self.main_negative_prompt = self.all_negative_prompts[0]

    def parse_extra_network_prompts(self):
        self.prompts, self.extra_network_data = extra_networks.parse_prompts(self.prompts)

    def save_samples(self) -> bool:
        state = shared.state
        return shared.opts.samples_save and not self.do_not_save_samples and (
            shared.opts.save_incomplete_images or not state.interrupted and not state.skipped)


@dataclass(repr=False)
class StableDiffusionProcessingImg2Img(StableDiffusionProcessing):
    init_images: list = None
    resize_mode: int = 0
    denoising_strength: float = 0.75
    image_cfg_scale: float = None
    mask: Any = None
    mask_blur_x: int = 4
    mask_blur_y: int = 4
    mask_blur: int = None
    mask_round: bool = True
    inpainting_fill: int = 0
    inpaint_full_res: bool = True
    inpaint_full_res_padding: int = 0
    inpainting_mask_invert: int = 0
    initial_noise_multiplier: float = None
    latent_mask: Image.Image = None
    force_task_id: str = None

    image_mask: Any = field(default=None, init=False)
    init_latent: Any = field(default=None, init=False)

    def __post_init__(self):
        super().__post_init__()
        self.image_mask = self.mask
        self.mask = None
        self.initial_noise_multiplier = (shared.opts.initial_noise_multiplier
                                         if self.initial_noise_multiplier is None else self.initial_noise_multiplier)

    def init(self, all_prompts, all_seeds, all_subseeds):
        self.extra_generation_params["Denoising strength"] = self.denoising_strength
        add_color_corrections = shared.opts.img2img_color_correction and self.color_corrections is None
        if add_color_corrections:
            self.color_corrections = []
        prepared = []
        for img in self.init_images:
            image = images.flatten(img, shared.opts.img2img_background_color)
            image = images.resize_image(self.resize_mode, image, self.width, self.height)
            if add_color_corrections:
                self.color_corrections.append(setup_color_correction(image))
            prepared.append(image)
        if len(prepared) == 1:
            prepared = prepared * self.batch_size
        elif len(prepared) <= self.batch_size:
            self.batch_size = len(prepared)
        else:
            raise RuntimeError(f"bad number of images passed: {len(prepared)}; expecting {self.batch_size} or less")
        self.init_latent = [np.asarray(image, dtype=np.float64) for image in prepared]

    def sample(self, batch_number: int) -> list[Image.Image]:
        """The batch's images as A1111's img2img ``sample`` makes them: the initial noise ``x = self.rng.next()``
        (times ``initial_noise_multiplier`` when it is not 1), ``process_before_every_sampling`` with that noise
        (a script may change it in place), then the fake diffusion of each image from its noise (``p.prompts``
        without extra-network tags, as the model sees them)."""
        x = self.rng.next()
        if self.initial_noise_multiplier != 1.0:
            self.extra_generation_params["Noise multiplier"] = self.initial_noise_multiplier
            x *= self.initial_noise_multiplier
        if self.scripts is not None:
            self.scripts.process_before_every_sampling(self, x=self.init_latent, noise=x, c=self.prompts,
                                                       uc=self.negative_prompts)
        state = shared.state
        out = []
        for i in range(len(self.prompts)):
            calls.append({
                "seed": self.seeds[i], "subseed": self.subseeds[i], "subseed_strength": self.subseed_strength,
                "cfg_scale": self.cfg_scale, "denoising_strength": self.denoising_strength, "prompt": self.prompts[i],
                "negative_prompt": self.negative_prompts[i], "n_iter": self.n_iter, "batch_size": self.batch_size,
                "steps": self.steps, "sampler_name": self.sampler_name, "width": self.width, "height": self.height,
                "init_size": self.init_images[0].size, "init_mean": float(np.asarray(self.init_images[0]).mean()),
                "color_corrections": self.color_corrections is not None, "job_no": state.job_no,
                "do_not_save_samples": self.do_not_save_samples, "do_not_save_grid": self.do_not_save_grid,
                "extra_networks": extra_networks.activated[-1] if extra_networks.activated else {},
                "noise": np.array(x[i], copy=True),
            })
            out.append(self.sample_one(i, x[i], self.prompts[i], self.negative_prompts[i]))
        return out

    def sample_one(self, index: int, noise: np.ndarray, prompt: str, negative_prompt: str) -> Image.Image:
        init = self.init_latent[index]
        target = _fake_target(init.shape, noise, prompt, negative_prompt, self.cfg_scale)
        strength = float(self.denoising_strength)
        total = self.steps if shared.opts.img2img_fix_steps or strength == 0 else max(int(self.steps * strength), 1)
        state = shared.state
        state.sampling_steps = total
        model = shared.sd_model
        c = prompt_parser.get_multicond_learned_conditioning(
            model, prompt_parser.SdConditioning([prompt], width=self.width, height=self.height), self.steps)
        uc = prompt_parser.get_learned_conditioning(
            model, prompt_parser.SdConditioning([negative_prompt], is_negative_prompt=True, width=self.width,
                                                height=self.height), self.steps)
        denoiser = FakeCfgDenoiser(self)
        done = 0
        for step in range(total):
            if state.interrupted or state.skipped:
                break
            denoiser.forward(init, total - step, uc, c)
            state.sampling_step = step
            done = step + 1
        moved = init + (target - init) * strength * (done / total)
        return Image.fromarray(np.clip(moved, 0, 255).round().astype(np.uint8))


unet_calls: list[dict[str, Any]] = []
"""Stand-in only: one entry per UNet evaluation the fake CFG denoiser makes — its step, the rows of conditioning
it was given (cond rows + uncond rows in one batch) and the conditioning itself, after the cfg_denoiser callbacks."""


def _token_count(cond) -> int:
    return (cond["crossattn"] if isinstance(cond, dict) else cond).shape[1]


def _rows(cond) -> int:
    return (cond["crossattn"] if isinstance(cond, dict) else cond).shape[0]


class FakeCfgDenoiser:
    """A1111's ``CFGDenoiser.forward`` as far as the conditioning goes: reconstruct the step's cond and uncond,
    hand them to the ``cfg_denoiser`` callbacks in ``CFGDenoiserParams`` (``text_cond``/``text_uncond``), take
    them back, pad with the empty prompt's chunk when ``opts.pad_cond_uncond`` and the lengths differ, then one
    UNet batch when cond and uncond have the same token count and separate batches otherwise."""

    def __init__(self, p) -> None:
        self.p = p
        self.step = 0

    def forward(self, x, sigma, uncond, cond):
        state = shared.state
        conds_list, tensor = prompt_parser.reconstruct_multicond_batch(cond, self.step)
        uncond = prompt_parser.reconstruct_cond_batch(uncond, self.step)
        params = CFGDenoiserParams(x, None, sigma, self.step, state.sampling_steps, tensor, uncond, self)
        script_callbacks.cfg_denoiser_callback(params)
        tensor, uncond = params.text_cond, params.text_uncond
        if shared.opts.pad_cond_uncond and _token_count(tensor) != _token_count(uncond):
            tensor, uncond = _pad_cond_uncond(tensor, uncond)
        if _token_count(tensor) == _token_count(uncond):
            unet_calls.append({"step": self.step, "rows": _rows(tensor) + _rows(uncond), "cond": tensor,
                               "uncond": uncond, "conds_list": conds_list})
        else:
            unet_calls.append({"step": self.step, "rows": _rows(tensor), "cond": tensor, "uncond": None,
                               "conds_list": conds_list})
            unet_calls.append({"step": self.step, "rows": _rows(uncond), "cond": None, "uncond": uncond,
                               "conds_list": conds_list})
        self.step += 1


def _pad_cond_uncond(cond, uncond):
    empty = shared.sd_model.cond_stage_model_empty_prompt

    def pad(c, repeats):
        if isinstance(c, dict):
            return {**c, "crossattn": pad(c["crossattn"], repeats)}
        return np.concatenate([c, np.repeat(empty, c.shape[0], axis=0).repeat(repeats, axis=1)], axis=1)

    repeats = (_token_count(cond) - _token_count(uncond)) // empty.shape[1]
    if repeats < 0:
        return pad(cond, -repeats), uncond
    return cond, pad(uncond, repeats)


def _hash_colour(text: str) -> np.ndarray:
    digest = hashlib.sha256(text.strip().encode("utf-8")).digest()
    return np.array([digest[0], digest[1], digest[2]], dtype=np.float64)


def _noise_colours(shape, latent_noise: np.ndarray) -> np.ndarray:
    """The sampler's latent noise (C, H/8, W/8) as colour: its first three channels, one block of 8×8 pixels per
    latent cell (visible and robust to video compression)."""
    h, w = shape[0], shape[1]
    cells = np.clip(128 + 50 * np.moveaxis(np.asarray(latent_noise[:3], dtype=np.float64), 0, -1), 0, 255)
    ys = np.arange(h) * cells.shape[0] // h
    xs = np.arange(w) * cells.shape[1] // w
    return cells[ys][:, xs]


def _fake_target(shape, latent_noise, prompt, negative_prompt, cfg_scale) -> np.ndarray:
    noise = _noise_colours(shape, latent_noise)
    indexes, texts, _ = prompt_parser.get_multicond_prompt_list([prompt])
    total = sum(abs(w) for _, w in indexes[0]) or 1.0
    tint = sum(_hash_colour(texts[i]) * w for i, w in indexes[0]) / total
    if negative_prompt:
        tint = tint - 0.25 * (_hash_colour(negative_prompt) - 128)
    target = 0.5 * noise + 0.5 * tint
    contrast = min(max(float(cfg_scale), 0.0), 30.0) / 7.0
    return 128 + (target - 128) * contrast


def create_infotext(p, all_prompts, all_seeds, all_subseeds, comments=None, iteration=0, position_in_batch=0,
                    use_main_prompt=False, index=None, all_negative_prompts=None) -> str:
    if index is None:
        index = position_in_batch + iteration * p.batch_size
    if all_negative_prompts is None:
        all_negative_prompts = p.all_negative_prompts
    clip_skip = getattr(shared.opts, "CLIP_stop_at_last_layers", 1)
    generation_params = {
        "Steps": p.steps,
        "Sampler": p.sampler_name,
        "Schedule type": p.scheduler,
        "CFG scale": p.cfg_scale,
        "Image CFG scale": getattr(p, "image_cfg_scale", None),
        "Seed": p.all_seeds[0] if use_main_prompt else all_seeds[index],
        "Size": f"{p.width}x{p.height}",
        "Variation seed": None if p.subseed_strength == 0 else (
            p.all_subseeds[0] if use_main_prompt else all_subseeds[index]),
        "Variation seed strength": None if p.subseed_strength == 0 else p.subseed_strength,
        "Denoising strength": p.extra_generation_params.get("Denoising strength"),
        "Clip skip": None if clip_skip <= 1 else clip_skip,
    }
    for key, value in p.extra_generation_params.items():
        if isinstance(value, list):
            value = value[index]
        elif callable(value):
            value = value(**locals())
        generation_params[key] = value
    text = ", ".join(k if k == v else f"{k}: {_quote(v)}" for k, v in generation_params.items() if v is not None)
    prompt_text = p.main_prompt if use_main_prompt else all_prompts[index]
    negative = p.main_negative_prompt if use_main_prompt else all_negative_prompts[index]
    negative_text = f"\nNegative prompt: {negative}" if negative else ""
    return f"{prompt_text}{negative_text}\n{text}".strip()


class Processed:
    def __init__(self, p, images_list, seed=-1, info="", subseed=None, all_prompts=None, all_negative_prompts=None,
                 all_seeds=None, all_subseeds=None, index_of_first_image=0, infotexts=None, comments=""):
        self.images = images_list
        self.prompt = p.prompt
        self.negative_prompt = p.negative_prompt
        self.seed = seed
        self.subseed = subseed
        self.subseed_strength = p.subseed_strength
        self.info = info
        self.comments = "".join(f"{comment}\n" for comment in p.comments)
        self.width = p.width
        self.height = p.height
        self.sampler_name = p.sampler_name
        self.cfg_scale = p.cfg_scale
        self.image_cfg_scale = getattr(p, "image_cfg_scale", None)
        self.steps = p.steps
        self.batch_size = p.batch_size
        self.restore_faces = p.restore_faces
        self.seed_resize_from_w = p.seed_resize_from_w
        self.seed_resize_from_h = p.seed_resize_from_h
        self.denoising_strength = getattr(p, "denoising_strength", None)
        self.extra_generation_params = p.extra_generation_params
        self.index_of_first_image = index_of_first_image
        self.styles = p.styles
        self.job_timestamp = shared.state.job_timestamp
        self.clip_skip = shared.opts.CLIP_stop_at_last_layers
        self.prompt = self.prompt if not isinstance(self.prompt, list) else self.prompt[0]
        self.negative_prompt = (self.negative_prompt if not isinstance(self.negative_prompt, list)
                                else self.negative_prompt[0])
        self.seed = int(self.seed if not isinstance(self.seed, list) else self.seed[0]) if self.seed is not None else -1
        self.subseed = (int(self.subseed if not isinstance(self.subseed, list) else self.subseed[0])
                        if self.subseed is not None else -1)
        self.all_prompts = all_prompts or p.all_prompts or [self.prompt]
        self.all_negative_prompts = all_negative_prompts or p.all_negative_prompts or [self.negative_prompt]
        self.all_seeds = all_seeds or p.all_seeds or [self.seed]
        self.all_subseeds = all_subseeds or p.all_subseeds or [self.subseed]
        self.infotexts = infotexts or [info] * len(images_list)

    def js(self) -> str:
        obj = {
            "prompt": self.all_prompts[0],
            "all_prompts": self.all_prompts,
            "negative_prompt": self.all_negative_prompts[0],
            "all_negative_prompts": self.all_negative_prompts,
            "seed": self.seed,
            "all_seeds": self.all_seeds,
            "subseed": self.subseed,
            "all_subseeds": self.all_subseeds,
            "subseed_strength": self.subseed_strength,
            "width": self.width,
            "height": self.height,
            "sampler_name": self.sampler_name,
            "cfg_scale": self.cfg_scale,
            "steps": self.steps,
            "batch_size": self.batch_size,
            "denoising_strength": self.denoising_strength,
            "extra_generation_params": {k: v for k, v in self.extra_generation_params.items() if not callable(v)},
            "index_of_first_image": self.index_of_first_image,
            "infotexts": self.infotexts,
            "styles": self.styles,
            "job_timestamp": self.job_timestamp,
            "clip_skip": self.clip_skip,
        }
        return json.dumps(obj)

    def infotext(self, p, index):
        return create_infotext(p, self.all_prompts, self.all_seeds, self.all_subseeds, comments=[],
                               position_in_batch=index % self.batch_size, iteration=index // self.batch_size)


def process_images(p: StableDiffusionProcessing) -> Processed:
    if p.scripts is not None:
        p.scripts.before_process(p)
    opts = shared.opts
    stored_opts = {k: opts.data[k] if k in opts.data else opts.get_default(k) for k in p.override_settings.keys()
                   if k in opts.data}
    try:
        for k, v in p.override_settings.items():
            opts.set(k, v, is_api=True, run_callbacks=False)
        res = process_images_inner(p)
    finally:
        if p.override_settings_restore_afterwards:
            for k, v in stored_opts.items():
                setattr(opts, k, v)
    return res


def process_images_inner(p: StableDiffusionProcessing) -> Processed:
    state, opts = shared.state, shared.opts
    if isinstance(p.prompt, list):
        assert len(p.prompt) > 0
    else:
        assert p.prompt is not None

    seed = get_fixed_seed(p.seed)
    subseed = get_fixed_seed(p.subseed)
    if p.restore_faces is None:
        p.restore_faces = opts.face_restoration
    if p.tiling is None:
        p.tiling = opts.tiling
    p.setup_prompts()
    if isinstance(seed, list):
        p.all_seeds = seed
    else:
        p.all_seeds = [int(seed) + (x if p.subseed_strength == 0 else 0) for x in range(len(p.all_prompts))]
    if isinstance(subseed, list):
        p.all_subseeds = subseed
    else:
        p.all_subseeds = [int(subseed) + x for x in range(len(p.all_prompts))]

    if p.scripts is not None:
        p.scripts.process(p)

    infotexts = []
    output_images = []
    p.init(p.all_prompts, p.all_seeds, p.all_subseeds)
    if state.job_count == -1:
        state.job_count = p.n_iter

    for n in range(p.n_iter):
        p.iteration = n
        if state.skipped:
            state.skipped = False
        if state.interrupted or state.stopping_generation:
            break
        p.prompts = p.all_prompts[n * p.batch_size:(n + 1) * p.batch_size]
        p.negative_prompts = p.all_negative_prompts[n * p.batch_size:(n + 1) * p.batch_size]
        p.seeds = p.all_seeds[n * p.batch_size:(n + 1) * p.batch_size]
        p.subseeds = p.all_subseeds[n * p.batch_size:(n + 1) * p.batch_size]
        latent_channels = getattr(shared.sd_model, "latent_channels", opt_C)
        p.rng = rng.ImageRNG((latent_channels, p.height // opt_f, p.width // opt_f), p.seeds, subseeds=p.subseeds,
                             subseed_strength=p.subseed_strength, seed_resize_from_h=p.seed_resize_from_h,
                             seed_resize_from_w=p.seed_resize_from_w)
        if p.scripts is not None:
            p.scripts.before_process_batch(p, batch_number=n, prompts=p.prompts, seeds=p.seeds, subseeds=p.subseeds)
        if len(p.prompts) == 0:
            break
        p.parse_extra_network_prompts()
        if not p.disable_extra_networks:
            extra_networks.activate(p, p.extra_network_data)
            if p.scripts is not None:
                p.scripts.after_extra_networks_activate(p, batch_number=n, prompts=p.prompts, seeds=p.seeds,
                                                        subseeds=p.subseeds, extra_network_data=p.extra_network_data)
        if p.scripts is not None:
            p.scripts.process_batch(p, batch_number=n, prompts=p.prompts, seeds=p.seeds, subseeds=p.subseeds)
        samples = p.sample(n)
        if p.scripts is not None:
            ps = scripts.PostSampleArgs(samples)
            p.scripts.post_sample(p, ps)
            samples = ps.samples
        state.nextjob()
        if p.scripts is not None:
            p.scripts.postprocess_batch(p, samples, batch_number=n)
            p.prompts = p.all_prompts[n * p.batch_size:(n + 1) * p.batch_size]
            p.negative_prompts = p.all_negative_prompts[n * p.batch_size:(n + 1) * p.batch_size]
            batch_params = scripts.PostprocessBatchListArgs(list(samples))
            p.scripts.postprocess_batch_list(p, batch_params, batch_number=n)
            samples = batch_params.images
        save_samples = p.save_samples()
        for i, image in enumerate(samples):
            p.batch_index = i
            if p.scripts is not None:
                pp = scripts.PostprocessImageArgs(image)
                p.scripts.postprocess_image(p, pp)
                image = pp.image
            if p.color_corrections is not None and i < len(p.color_corrections):
                image = apply_color_correction(p.color_corrections[i], image)
            if p.scripts is not None:
                pp = scripts.PostprocessImageArgs(image)
                p.scripts.postprocess_image_after_composite(p, pp)
                image = pp.image
            text = create_infotext(p, p.prompts, p.seeds, p.subseeds, index=i, all_negative_prompts=p.negative_prompts)
            if save_samples:
                images.save_image(image, p.outpath_samples, "", p.seeds[i], p.prompts[i], opts.samples_format,
                                  info=text, p=p)
            infotexts.append(text)
            if opts.enable_pnginfo:
                image.info["parameters"] = text
            output_images.append(image)

    p.color_corrections = None
    index_of_first_image = 0
    unwanted_grid = len(output_images) < 2 and opts.grid_only_if_multiple
    if (opts.return_grid or opts.grid_save) and not p.do_not_save_grid and not unwanted_grid:
        grid = images.image_grid(output_images, p.batch_size)
        if opts.return_grid:
            infotexts.insert(0, infotexts[0])
            output_images.insert(0, grid)
            index_of_first_image = 1
        if opts.grid_save:
            images.save_image(grid, p.outpath_grids, "grid", p.all_seeds[0], p.all_prompts[0], opts.grid_format,
                              info=infotexts[0], short_filename=not opts.grid_extended_filename, p=p, grid=True)

    res = Processed(p, images_list=output_images, seed=p.all_seeds[0], info=infotexts[0] if infotexts else "",
                    subseed=p.all_subseeds[0], index_of_first_image=index_of_first_image, infotexts=infotexts)
    if p.scripts is not None:
        p.scripts.postprocess(p, res)
    return res
