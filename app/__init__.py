"""CV Enhancer: an offline CV assistant built on local GGUF models."""

__version__ = "0.1.0"
