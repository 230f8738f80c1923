"""paramlens: parameter counts of neural-network layers, read statically from Python source."""

__version__ = "0.1.0"
