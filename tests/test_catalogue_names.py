"""The names Keras takes for an initializer, regularizer, constraint or activation
(catalogue.KERAS_IDENTIFIERS and the activations), against the installed Keras: every name
Keras resolves is listed (else the catalogue would refuse a layer Keras builds), and Keras
refuses a name that is not."""

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import pytest  # noqa: E402
from keras.src import activations, constraints, initializers, regularizers  # noqa: E402

from paramlens.engine.catalogue import KERAS_IDENTIFIERS, keras_identifier_refusal  # noqa: E402

MODULES = {"initializer": initializers, "regularizer": regularizers, "constraint": constraints}


@pytest.mark.parametrize("kind", sorted(MODULES))
def test_every_name_keras_resolves_is_listed(kind: str) -> None:
    assert set(MODULES[kind].ALL_OBJECTS_DICT) <= KERAS_IDENTIFIERS[kind]


@pytest.mark.parametrize(("kind", "name"), [("initializer", "nope"), ("initializer", "ZEROS"),
                                            ("regularizer", "l3"), ("constraint", "positive")])
def test_a_name_keras_refuses_is_refused(kind: str, name: str) -> None:
    with pytest.raises(ValueError):
        MODULES[kind].get(name)
    assert keras_identifier_refusal(f"kernel_{kind}", name)


def test_every_activation_keras_resolves_is_accepted() -> None:
    from paramlens.engine.catalogue import _KERAS_ACTIVATION_NAMES
    assert set(activations.ALL_OBJECTS_DICT) <= _KERAS_ACTIVATION_NAMES
