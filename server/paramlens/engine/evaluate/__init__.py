"""The evaluator: runs model construction code on concrete values (see machine.py)."""
