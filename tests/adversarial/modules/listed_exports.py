__all__ = ["HEIGHT"]
WIDTH = 50
HEIGHT = 4
