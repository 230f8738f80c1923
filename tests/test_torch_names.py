"""The names the evaluator takes as all that torch defines (engine/evaluate/torch_names.py)
against the installed torch: a name torch has that the list lacks would make the evaluator say
that reading it raises."""

import pkgutil

import pytest
import torch
import torch.nn as nn
import torch.nn.functional  # noqa: F401  (the namespaces below, imported as the code would)
import torch.nn.init  # noqa: F401

from paramlens.engine.evaluate.torch_names import (
    CONTAINER_ATTRIBUTES,
    MODULE_ATTRIBUTES,
    NAMESPACES,
)


def test_every_attribute_of_a_new_module_is_listed() -> None:
    assert set(dir(nn.Module())) <= MODULE_ATTRIBUTES


@pytest.mark.parametrize("kind", sorted(CONTAINER_ATTRIBUTES))
def test_every_attribute_of_a_new_container_is_listed(kind: str) -> None:
    assert set(dir(getattr(nn, kind)())) <= CONTAINER_ATTRIBUTES[kind]


@pytest.mark.parametrize("namespace", sorted(NAMESPACES))
def test_every_name_of_the_namespace_is_listed(namespace: str) -> None:
    module = torch
    for part in namespace.split(".")[1:]:
        module = getattr(module, part)
    subpackages = {m.name for m in pkgutil.iter_modules(getattr(module, "__path__", None) or [])}
    assert set(dir(module)) | subpackages <= NAMESPACES[namespace]


def test_a_name_torch_does_not_have_is_not_listed() -> None:
    """(So that the lists are not everything.)"""
    assert not hasattr(nn, "Lin") and "Lin" not in NAMESPACES["torch.nn"]
    assert not hasattr(nn.Module(), "add") and "add" not in MODULE_ATTRIBUTES
    assert not hasattr(nn.ModuleList(), "add") and "add" not in CONTAINER_ATTRIBUTES["ModuleList"]
