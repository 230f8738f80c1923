"""A size attribute_dict_handed_out.py rewrites through a dict `vars()` gave."""

WIDTH = 3
