"""A size attribute_dict.py rewrites through `vars()`."""

WIDTH = 3
