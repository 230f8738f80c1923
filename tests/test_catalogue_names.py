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


def _keywords_of(cls: type) -> set[str]:
    """What the class's __init__ and its bases' take by name, and what they read from their
    **kwargs (`kwargs.pop("rms_scaling", False)`)."""
    import inspect
    import re
    taken = re.compile(r"""kwargs\.(?:pop|get)\(\s*["'](\w+)["']|["'](\w+)["']\s+in\s+kwargs""")
    names: set[str] = set()
    for base in cls.__mro__:
        if "__init__" in vars(base) and base is not object:
            names |= {p.name for p in inspect.signature(base.__init__).parameters.values()
                      if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and p.name != "self"}
            names |= {a or b for a, b in taken.findall(inspect.getsource(vars(base)["__init__"]))}
    return names


def test_every_keyword_a_keras_layer_takes_is_listed() -> None:
    import keras

    from paramlens.engine.keras_keywords import KEYWORDS
    missing = {name: _keywords_of(getattr(keras.layers, name)) - taken
               for name, taken in KEYWORDS.items()}
    assert {name: found for name, found in missing.items() if found} == {}
    # and what Layer.__init__ pops from its **kwargs: Keras builds with them
    keras.layers.Dense(4, input_dim=3)
    keras.layers.Dense(4, input_shape=(3,))


@pytest.mark.parametrize("make", ["Dense(4, use_bais=False)", "Conv2D(8, 3, padding_mode='same')",
                                  "LSTM(4, foo=1)", "BatchNormalization(fused=True)",
                                  "Embedding(10, 4, mask=True)"])
def test_keras_refuses_a_keyword_that_is_not_listed(make: str) -> None:
    import keras

    from paramlens.engine.keras_keywords import KEYWORDS
    name = make.split("(")[0]
    with pytest.raises(ValueError, match="Unrecognized keyword arguments"):
        eval(f"keras.layers.{make}", {"keras": keras})  # noqa: S307 (a fixed string of ours)
    given = make.split("(")[1].rstrip(")").split(", ")[-1].split("=")[0]
    assert given not in KEYWORDS[name]
