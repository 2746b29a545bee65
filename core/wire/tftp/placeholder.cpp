// Placeholder; replaced by the TFTP codec.
