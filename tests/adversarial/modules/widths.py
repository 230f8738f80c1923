"""Sizes other adversarial files import."""

WIDTH = 32
