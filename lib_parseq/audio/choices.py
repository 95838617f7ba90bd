"""The names the audio options accept (kept import-light: the CLI reads them to build its parser)."""

FEATURES = ("onset", "onsets", "beats", "rms", "centroid", "pitch")
COMPONENTS = ("full", "percussive", "harmonic")
KEYFRAME_MODES = ("beats", "onsets", "none")
