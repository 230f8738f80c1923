try:
    from .fast import Block
except ImportError:
    from .slow import Block

try:
    from .built import Head
except ImportError:
    from .slow import Block as Head

__all__ = ["Block", "Head"]
