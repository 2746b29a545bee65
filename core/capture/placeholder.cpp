// Placeholder; replaced by the capture pipeline.
