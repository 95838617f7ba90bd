"""What the user is told about embedding travel (no A1111 or gradio import: the summary uses it too)."""

from __future__ import annotations

from typing import Any

EMBEDDING_NOTE = ("embedding travel: LoRA tags apply at their own weights for the whole frame (not blended); "
                  "[a:b:step] schedules switch within each prompt as A1111 does")
FORGE_NOTE = "embedding travel is not available on Forge: composable prompts are used"


def blending_summary(options: Any) -> str:
    """The summary's line for a manifest that asks for embedding travel ('' otherwise)."""
    if not isinstance(options, dict) or options.get("prompt_blending") != "embedding":
        return ""
    method = options.get("blend_method") or "lerp"
    return f"Prompt blending: embedding ({method}) unless the script or Settings choose otherwise; {EMBEDDING_NOTE}."
