"""The subset of A1111 1.10.1's built-in settings (``modules/shared_options.py``) that img2img scripts read."""

from __future__ import annotations

from modules.options import OptionInfo, options_section

options_templates: dict[str, OptionInfo] = {}

options_templates.update(options_section(("saving-images", "Saving images/grids"), {
    "samples_save": OptionInfo(True, "Always save all generated images"),
    "samples_format": OptionInfo("png", "File format for images"),
    "samples_filename_pattern": OptionInfo("", "Images filename pattern"),
    "save_images_add_number": OptionInfo(True, "Add number to filename when saving"),
    "grid_save": OptionInfo(True, "Always save all generated image grids"),
    "grid_format": OptionInfo("png", "File format for grids"),
    "grid_extended_filename": OptionInfo(False, "Add extended info (seed, prompt) to filename when saving grid"),
    "grid_only_if_multiple": OptionInfo(True, "Do not save grids consisting of one picture"),
    "return_grid": OptionInfo(True, "Show grid in gallery"),
    "enable_pnginfo": OptionInfo(True, "Save text information about generation parameters as chunks to png files"),
    "save_images_before_color_correction": OptionInfo(False, "Save a copy of image before applying color correction"),
    "save_incomplete_images": OptionInfo(False, "Save incomplete images"),
}))

options_templates.update(options_section(("saving-paths", "Paths for saving"), {
    "outdir_samples": OptionInfo("", "Output directory for images; if empty, defaults to three directories below"),
    "outdir_txt2img_samples": OptionInfo("outputs/txt2img-images", "Output directory for txt2img images"),
    "outdir_img2img_samples": OptionInfo("outputs/img2img-images", "Output directory for img2img images"),
    "outdir_extras_samples": OptionInfo("outputs/extras-images", "Output directory for images from extras tab"),
    "outdir_grids": OptionInfo("", "Output directory for grids; if empty, defaults to two directories below"),
    "outdir_txt2img_grids": OptionInfo("outputs/txt2img-grids", "Output directory for txt2img grids"),
    "outdir_img2img_grids": OptionInfo("outputs/img2img-grids", "Output directory for img2img grids"),
}))

options_templates.update(options_section(("saving-to-dirs", "Saving to a directory"), {
    "save_to_dirs": OptionInfo(True, "Save images to a subdirectory"),
    "directories_filename_pattern": OptionInfo("[date]", "Directory name pattern"),
}))

options_templates.update(options_section(("img2img", "img2img"), {
    "img2img_color_correction": OptionInfo(False, "Apply color correction to img2img results to match original colors."),
    "img2img_fix_steps": OptionInfo(False, "With img2img, do exactly the amount of steps the slider specifies."),
    "initial_noise_multiplier": OptionInfo(1.0, "Noise multiplier for img2img"),
    "img2img_background_color": OptionInfo("#ffffff", "With img2img, fill transparent parts of the input image with this color."),
}))

options_templates.update(options_section(("sd", "Stable Diffusion"), {
    "CLIP_stop_at_last_layers": OptionInfo(1, "Clip skip"),
    "emphasis": OptionInfo("Original", "Emphasis mode"),
    "face_restoration": OptionInfo(False, "Restore faces"),
    "face_restoration_model": OptionInfo("CodeFormer", "Face restoration model"),
    "tiling": OptionInfo(False, "Tiling"),
    "randn_source": OptionInfo("GPU", "Random number generator source."),
    "eta_noise_seed_delta": OptionInfo(0, "Eta noise seed delta"),
}))

options_templates.update(options_section(("optimizations", "Optimizations", "sd"), {
    "pad_cond_uncond": OptionInfo(False, "Pad prompt/negative prompt"),
    "pad_cond_uncond_v0": OptionInfo(False, "Pad prompt/negative prompt (v0)"),
    "batch_cond_uncond": OptionInfo(True, "Batch cond/uncond"),
}))

options_templates.update(options_section(("ui", "User interface"), {
    "interrupt_after_current": OptionInfo(True, "Don't Interrupt in the middle"),
    "live_previews_enable": OptionInfo(True, "Show live previews of the created image"),
    "show_progress_every_n_steps": OptionInfo(10, "Live preview display period"),
    "disabled_extensions": OptionInfo([], "Disable these extensions"),
}))
