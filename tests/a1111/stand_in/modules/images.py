"""A1111's ``modules.images``: ``save_image`` (same signature, naming rules and PNG infotext), ``image_grid``,
``resize_image``. Filename patterns support ``[seed]`` and ``[date]``, which is all the default settings use."""

from __future__ import annotations

import datetime
import math
import os
import re

from PIL import Image, PngImagePlugin

from modules import script_callbacks, shared


def _apply_pattern(pattern: str, seed) -> str:
    text = pattern.replace("[date]", datetime.date.today().isoformat())
    text = text.replace("[seed]", "" if seed is None else str(seed))
    return re.sub(r"\[[^\]]*\]", "", text)


def get_next_sequence_number(path: str, basename: str) -> int:
    result = -1
    if basename != "":
        basename = f"{basename}-"
    prefix_length = len(basename)
    for p in os.listdir(path):
        if p.startswith(basename):
            parts = os.path.splitext(p[prefix_length:])[0].split("-")
            try:
                result = max(int(parts[0]), result)
            except ValueError:
                pass
    return result + 1


def save_image(image, path, basename, seed=None, prompt=None, extension="png", info=None, short_filename=False,
               no_prompt=False, grid=False, pnginfo_section_name="parameters", p=None, existing_info=None,
               forced_filename=None, suffix="", save_to_dirs=None):
    opts = shared.opts
    if save_to_dirs is None:
        save_to_dirs = (not grid and opts.save_to_dirs and not no_prompt)
    if save_to_dirs:
        dirname = _apply_pattern(opts.directories_filename_pattern or "[date]", seed).strip(" \\/")
        path = os.path.join(path, dirname)
    os.makedirs(path, exist_ok=True)

    if forced_filename is None:
        if short_filename or seed is None:
            file_decoration = ""
        else:
            file_decoration = opts.samples_filename_pattern or "[seed]"
        file_decoration = _apply_pattern(file_decoration, seed) + suffix
        add_number = opts.save_images_add_number or file_decoration == ""
        if file_decoration != "" and add_number:
            file_decoration = f"-{file_decoration}"
        if add_number:
            basecount = get_next_sequence_number(path, basename)
            fullfn = None
            for i in range(500):
                fn = f"{basecount + i:05}" if basename == "" else f"{basename}-{basecount + i:04}"
                fullfn = os.path.join(path, f"{fn}{file_decoration}.{extension}")
                if not os.path.exists(fullfn):
                    break
        else:
            fullfn = os.path.join(path, f"{file_decoration}.{extension}")
    else:
        fullfn = os.path.join(path, f"{forced_filename}.{extension}")

    pnginfo = existing_info or {}
    if info is not None:
        pnginfo[pnginfo_section_name] = info
    params = script_callbacks.ImageSaveParams(image, p, fullfn, pnginfo)
    script_callbacks.before_image_saved_callback(params)
    image = params.image
    fullfn = params.filename
    if extension.lower() == "png":
        chunk = PngImagePlugin.PngInfo()
        for k, v in params.pnginfo.items():
            chunk.add_text(k, str(v))
        image.save(fullfn, format="PNG", pnginfo=chunk if opts.enable_pnginfo else None)
    else:
        image.convert("RGB").save(fullfn)
    script_callbacks.image_saved_callback(params)
    return fullfn, None


def image_grid(imgs, batch_size=1, rows=None):
    if rows is None:
        rows = math.floor(math.sqrt(len(imgs)))
        while len(imgs) % rows != 0:
            rows -= 1
    cols = math.ceil(len(imgs) / rows)
    w, h = imgs[0].size
    grid = Image.new("RGB", size=(cols * w, rows * h), color="black")
    for i, img in enumerate(imgs):
        grid.paste(img, box=(i % cols * w, i // cols * h))
    return grid


def resize_image(resize_mode, im, width, height, upscaler_name=None):
    """Mode 0 ("Just resize") is the img2img default and the only one the stand-in implements."""
    if resize_mode != 0:
        raise NotImplementedError("the stand-in implements resize_mode 0 only")
    if im.size == (width, height):
        return im
    return im.resize((width, height), Image.LANCZOS)


def flatten(img, bgcolor):
    if img.mode == "RGBA":
        background = Image.new("RGBA", img.size, bgcolor)
        background.paste(img, mask=img)
        img = background
    return img.convert("RGB")
