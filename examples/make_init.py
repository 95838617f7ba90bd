"""Draw ``examples/init.png``, the bundled example's init image (no downloaded media).

A sunset over a checkered plain with a few shapes: strong edges and colours make zoom, rotation, blending and
colour correction easy to see. Run: ``python examples/make_init.py [OUT.png] [--size N]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw


def draw_init(size: int = 512) -> Image.Image:
    """The example init image, ``size``×``size`` RGB."""
    y = np.linspace(0.0, 1.0, size)[:, None, None]
    sky = (1 - y) * np.array([40, 60, 140]) + y * np.array([250, 150, 90])
    image = np.repeat(sky, size, axis=1)
    horizon = int(size * 0.62)
    rows = np.arange(size - horizon)[:, None]
    cols = np.arange(size)[None, :]
    depth = 1.0 + rows / 12.0
    checker = ((cols - size / 2) / depth // 6 + 40 / depth) % 2 < 1
    ground = np.where(checker[:, :, None], [30, 110, 60], [200, 200, 120]).astype(np.float64)
    image[horizon:] = ground
    picture = Image.fromarray(np.clip(image, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(picture)
    s = size / 512
    draw.ellipse([200 * s, 150 * s, 312 * s, 262 * s], fill=(255, 220, 80), outline=(255, 255, 255), width=int(4 * s))
    draw.polygon([(60 * s, 318 * s), (130 * s, 170 * s), (200 * s, 318 * s)], fill=(90, 70, 140))
    draw.polygon([(330 * s, 318 * s), (420 * s, 120 * s), (500 * s, 318 * s)], fill=(120, 90, 170))
    draw.rectangle([236 * s, 360 * s, 276 * s, 470 * s], fill=(220, 40, 40), outline=(255, 255, 255), width=int(3 * s))
    draw.text((12 * s, 12 * s), "parseq", fill=(255, 255, 255))
    return picture


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", default=str(Path(__file__).with_name("init.png")))
    parser.add_argument("--size", type=int, default=512)
    args = parser.parse_args()
    draw_init(args.size).save(args.output, optimize=True)
    print(f"Wrote {args.output}")


if __name__ == "__main__":
    main()
