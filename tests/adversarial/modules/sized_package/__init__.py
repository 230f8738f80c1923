from . import sizes

sizes.WIDTH = 40
