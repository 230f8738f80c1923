"""What torch and Keras do when construction code calls them: the framework rules.

Layers are built from the catalogue (one entry per class: signature and formula). This module adds
what the catalogue does not say: containers (`nn.Sequential`, `ModuleList`, `ModuleDict`),
parameters that are not layers (`nn.Parameter(torch.zeros(...))`), Keras tensors and their shapes,
`Input`, `Sequential`/`add`/`build`, functional models and merges.
"""

from __future__ import annotations

import ast
import copy
import math
import os
from collections.abc import Callable
from typing import Any

from paramlens.engine.catalogue import (
    KERAS_REWEIGHING,
    KEY_VALUE_LENGTHS_REFUSED,
    WEIGHTLESS_TORCH,
    Args,
    FrameworkName,
    Given,
    LayerSpec,
    call_refusal,
    count,
    einsum_dense_shapes,
    keras_identifier_refusal,
    lookup,
    tensor_refusal,
    value_refusal,
)
from paramlens.engine.evaluate import builtins as py
from paramlens.engine.evaluate import tensor_values, torch_tensors
from paramlens.engine.evaluate.machine import Machine, UserRaise, is_plain, python_raises
from paramlens.engine.evaluate.module_walks import function_only_reads
from paramlens.engine.evaluate.objects import (
    IS_NONE,
    MISSING,
    SCALAR_TYPES,
    TORCH_CONTAINERS,
    Absent,
    BoundV,
    ClassV,
    ContainerV,
    DefaultDevice,
    DictV,
    DictViewV,
    ExceptionV,
    ExternalV,
    FuncV,
    Held,
    InstanceV,
    IteratorV,
    KerasModelV,
    LayerObj,
    LayerPart,
    ListV,
    ModuleAlias,
    NativeV,
    ParamV,
    PartialV,
    SubmoduleV,
    TensorV,
    Unknown,
    Weightless,
    external,
    is_torch_module,
    shape_numel,
)
from paramlens.engine.evaluate.torch_names import (
    CONTAINER_ATTRIBUTES,
    LAYER_ATTRIBUTES,
    MODULE_ATTRIBUTES,
    NAMESPACES,
)
from paramlens.engine.evaluate.torch_shapes import whole_shape
from paramlens.engine.keras_keywords import KEYWORDS as KERAS_KEYWORDS
from paramlens.engine.names import canonical
from paramlens.engine.quantity import UNKNOWN, Q
from paramlens.engine.values import TupleV

_MODELLED_BASES = {"torch.nn.Module", "torch.nn.modules.module.Module", "torch.nn.Sequential",
                   "torch.nn.ModuleList", "torch.nn.ModuleDict", "keras.layers.Layer",
                   "keras.Layer", "keras.Model", "keras.models.Model", "keras.src.layers.Layer",
                   "keras.src.models.Model", "tensorflow.keras.layers.Layer",
                   "tensorflow.keras.Model", "tf.keras.layers.Layer", "tf.keras.Model",
                   "keras.src.layers.layer.Layer"}
# What torch.nn.Module itself offers: any other attribute a module was never given is absent.
_MODULE_API = {
    "add_module", "apply", "bfloat16", "buffers", "children", "compile", "cpu", "cuda", "double",
    "eval", "extra_repr", "float", "forward", "get_buffer", "get_extra_state", "get_parameter",
    "get_submodule", "set_submodule", "half", "ipu", "load_state_dict", "modules", "mtia",
    "named_buffers",
    "named_children", "named_modules", "named_parameters", "parameters", "register_backward_hook",
    "register_buffer", "register_forward_hook", "register_forward_pre_hook",
    "register_full_backward_hook", "register_full_backward_pre_hook",
    "register_load_state_dict_post_hook", "register_module", "register_parameter",
    "register_state_dict_pre_hook", "requires_grad_", "set_extra_state", "share_memory",
    "state_dict", "to", "to_empty", "train", "type", "xpu", "zero_grad", "training",
    "dump_patches", "call_super_init", "build", "count_params", "summary", "fit",
    "predict", "get_config", "weights", "trainable_weights", "non_trainable_weights",
    "trainable", "name", "dtype", "built", "input_spec", "add_weight", "call",
}
# Every attribute an nn.Module instance has (torch_names, `dir(nn.Module())`), and what each
# container class adds: add_module refuses a member of one of these names ("attribute already
# exists"). (torch refuses the parameter containers' own names too: not yet followed.)
_TORCH_CONTAINER_NAMES = {kind: CONTAINER_ATTRIBUTES[kind]
                          for kind in ("Sequential", "ModuleList", "ModuleDict")}
# torch's module classes whose methods, called through the class, are the object's methods
_UNBOUND_OWNERS = frozenset({f"torch.nn.{name}" for name in ("Module", "Sequential", "ModuleList",
                                                             "ModuleDict")})
# A layer's attribute under which the names `del` took from it are kept: gone from it, whatever
# its class gives every instance (`del fc.bias`, `delattr(fc, "in_features")`).
_DELETED = "__deleted__"
# A Keras layer whose `.output` the code reads: what it gives goes elsewhere too
TAPPED = "__tapped__"
# A module's methods that may move it to another device or dtype (a dry run's tensor, made on the
# CPU in the default dtype, may then be refused by its layers), or hook what its forward gives
# (torch_tensors.altered).
_PLACING = frozenset({"to", "cuda", "half", "double", "bfloat16", "type", "xpu", "ipu", "mtia",
                      "to_empty", "register_forward_hook", "register_forward_pre_hook"})
# torch's functions that change what every module's forward does or takes
_CHANGING_EVERY_FORWARD = frozenset({"register_module_forward_hook",
                                     "register_module_forward_pre_hook", "set_default_dtype",
                                     "set_default_tensor_type", "set_default_device"})
_TORCH_ELEMENTWISE = {"log", "exp", "sqrt", "abs", "sigmoid", "tanh", "clamp", "relu", "neg",
                      "rsqrt", "square", "pow", "mul", "add", "sub", "div", "cos", "sin"}
_TORCH_FACTORIES = {"zeros", "ones", "empty", "randn", "rand", "full", "zeros_like", "ones_like",
                    "empty_like", "randn_like", "rand_like", "full_like", "tensor", "as_tensor",
                    "eye", "arange", "linspace", "Tensor", "FloatTensor"}
_KERAS_ROOTS = ("keras", "tf_keras", "tensorflow", "tf")
# A tensor's methods whose arguments are sizes or dimensions, none of which may be None.
_SIZED_METHODS = frozenset({"view", "reshape", "expand", "repeat", "permute"})
_KERAS_MERGE_FUNCTIONS = {"add": "Add", "concatenate": "Concatenate", "multiply": "Multiply",
                          "average": "Average", "maximum": "Maximum", "minimum": "Minimum",
                          "subtract": "Subtract"}
# keras.ops and keras.activations functions whose result has their first argument's shape
_KERAS_SAME_SHAPE = {"relu", "relu6", "sigmoid", "tanh", "gelu", "silu", "swish", "softmax",
                     "log_softmax", "elu", "selu", "leaky_relu", "softplus", "softsign",
                     "hard_sigmoid", "hard_silu", "hard_swish", "mish", "exp", "log", "sqrt",
                     "rsqrt", "abs", "absolute", "negative", "square", "cast", "stop_gradient",
                     "clip", "erf", "sign", "round", "floor", "ceil", "linear", "exponential",
                     "dropout", "l2_normalize", "normalize", "cos", "sin", "copy"}
# ... and those whose arguments broadcast together
_KERAS_BROADCAST = {"add", "subtract", "multiply", "divide", "true_divide", "maximum", "minimum",
                    "power", "floor_divide"}


def keras_short(qualname: str) -> str | None:
    """`keras.Sequential`, `tf.keras.models.Model`, `keras.src.models.Functional` → the class
    name, when the name lies in Keras."""
    parts = qualname.split(".")
    if parts[0] in ("tensorflow", "tf"):
        parts = parts[1:]
    if len(parts) >= 2 and parts[0] in ("keras", "tf_keras"):
        return parts[-1]
    return None


def torch_short(qualname: str) -> str | None:
    if qualname.startswith("torch.nn.") or qualname.startswith("torch."):
        return qualname.rsplit(".", 1)[-1]
    return None


def as_q(value: Any) -> Any:
    if isinstance(value, bool) or is_plain(value) and not isinstance(value, tuple):
        return Q.const(value)
    if isinstance(value, tuple):
        return TupleV(tuple(as_q(v) for v in value))
    if isinstance(value, ListV) and value.exact:
        return TupleV(tuple(as_q(v) for v in value.items), is_list=True)
    return Q.unknown("?")


class Frameworks:
    def __init__(self, recorder: Any) -> None:
        self.recorder = recorder  # program.Recorder: where layer constructions are recorded
        # Keras' image data format, the one a layer built with data_format=None takes: Keras'
        # default until the code calls set_image_data_format (keras.json is taken to hold the
        # default, as the documentation's examples do)
        self.keras_data_format: Any = "channels_last"
        self.keras_format_sets = 0  # the calls of set_image_data_format run so far
        # Once any code registers a hook on every module's forward (register_module_forward_hook)
        # or changes torch's default dtype or device, no dry run through a layer gives a shape
        # (torch_tensors.layer_called): layers and tensors made before and after it differ.
        self.global_hooks = False

    def entry_started(self) -> bool:
        """A new entry point runs: once any code has set the image data format, whether it ran
        before this entry point's code in a real run is not fixed, so the format is unknown until
        this entry point sets it itself. True when that may change what calls remembered before
        would build."""
        if not self.keras_format_sets:
            return False
        self.keras_data_format = Unknown("the image data format, which "
                                         "set_image_data_format sets elsewhere in the program")
        return True

    def set_image_data_format(self, m: Machine, args: tuple, kwargs: dict) -> Any:
        """`keras.config.set_image_data_format(fmt)`: the format of every layer built after it
        with data_format=None. Keras lowers the name and raises ValueError on any other."""
        given = m.deref(args[0] if args else kwargs.get("data_format"))
        fmt: Any = given.lower() if isinstance(given, str) else \
            Unknown("the image data format, set to a value the code does not fix")
        if isinstance(fmt, str) and fmt not in ("channels_first", "channels_last"):
            raise python_raises("ValueError", f"set_image_data_format({given!r})")
        if m.speculative and fmt != self.keras_data_format:
            fmt = Unknown("the image data format, set under a condition the code does not fix")
        self.keras_data_format = fmt
        self.keras_format_sets += 1
        m.names_changed()  # calls remembered under the format before would build otherwise
        return None

    # classes -------------------------------------------------------------------------------------
    def kind_of_class(self, cls: ClassV) -> str:
        for base in cls.framework_bases():
            if base.startswith("torch."):
                return "torch"
            if keras_short(base) is not None:
                return "keras"
        return ""

    def super_init(self, m: Machine, instance: InstanceV, ext: Any, args: tuple,
                   kwargs: dict) -> None:
        """`super().__init__(...)` reaching a framework class."""
        bases = instance.cls.framework_bases()
        if bases and bases[0] in _TORCH_MODULE and (args or kwargs):
            _refuse_module_arguments(instance)
        self.module_initialised(m, instance)
        short = (bases[0].rsplit(".", 1)[-1]) if bases else ""
        spec = lookup(canonical(bases[0]) or "") if bases else None
        if spec is not None:
            # A subclass of a layer class (`class Conv3DSimple(nn.Conv3d)`): the base builds the
            # layer's own weights, counted from the arguments it is given.
            layer = self.construct(m, spec, args, kwargs, None)
            instance.attrs["__base_layer__"] = layer
            hook = _overridden_hook(instance.cls, spec, layer)
            if hook is not None:  # the base's __init__ calls it last, on the instance
                m.call_function(hook, (instance,), {})
            return
        if bases and bases[0] not in _MODELLED_BASES:
            instance.exact = False  # a framework class whose own weights we do not know
            return
        if instance.framework == "keras" and short == "Model" and (
                len(args) >= 2 or "outputs" in kwargs):
            # `super().__init__(inputs, outputs)` in a Model subclass: it is that functional
            # graph, and owns its layers
            graph = KerasModelV("Model", [], kwargs.get("inputs", args[0] if args else None),
                                kwargs.get("outputs", args[1] if len(args) > 1 else None))
            self.trace_graph(m, graph)
            instance.attrs["__functional__"] = graph
            return
        if instance.framework == "torch" and short in ("Sequential", "ModuleList"):
            members = _members_from(m, args, short)
            if members is None:
                instance.exact = False
            else:
                _refuse_non_modules(m, short, members)
                instance.members = members
        elif instance.framework == "torch" and short == "ModuleDict" and args:
            source = m.deref(args[0])
            if isinstance(source, DictV) and source.exact:
                instance.members = [(str(k), v) for k, v in source.items.items()]
            else:
                instance.exact = False

    def module_initialised(self, m: Machine, instance: InstanceV) -> None:
        """torch's Module.__init__ runs on the instance. Run again (a second `super().__init__()`,
        two bases' __init__ both reaching it), it empties the registries: the submodules and
        parameters assigned before are the instance's no more."""
        instance.module_pending = False
        if instance.framework != "torch":
            return
        if instance.initialised:
            m.taint(instance)
            instance.attrs = {k: v for k, v in instance.attrs.items()
                              if k != "__base_layer__" and not self.registers(v)}
            instance.members = []
        instance.initialised = True

    def super_method(self, m: Machine, ext: Any, self_value: Any, name: str) -> Any:
        if name == "__init__":
            instance = self_value

            def init(*args: Any, **kwargs: Any) -> None:
                if isinstance(instance, InstanceV):
                    self.super_init(m, instance, ext, args, kwargs)
                return None

            return NativeV(init)
        if ext is None and type(self_value) is InstanceV and not self_value.framework:
            # object's own, past every class of the project's: the plain read and write that
            # a class's __getattribute__ / __setattr__ hand on to
            instance = self_value
            if name == "__setattr__":
                return NativeV(lambda key, value: m.instance_set(instance, key, value))
            if name == "__getattribute__":
                return NativeV(lambda key: m.plain_attribute(instance, key))
        if name == "__getattr__" and type(self_value) is InstanceV and \
                self_value.framework == "torch" and torch_short(getattr(ext, "qualname", "")) == \
                "Module":
            return NativeV(lambda key: _module_getattr(m, self_value, key))
        if isinstance(self_value, InstanceV):
            return self.get_attribute(m, self_value, name)
        return Unknown(f"super().{name}")

    def decorator(self, m: Machine, decorator: Any, value: Any) -> Any:
        decorator = m.deref(decorator)
        if isinstance(decorator, ExternalV):
            q = decorator.qualname
            if q in _CACHING_DECORATORS and isinstance(value, FuncV):
                cached = copy.copy(value)
                cached.cached = True
                return cached
            if q in ("dataclasses.dataclass",) and isinstance(value, ClassV):
                value.dataclass_fields = py.dataclass_fields(m, value)
                return value
            if q.startswith("torch.") or q.startswith("typing.") or q.startswith("functools."):
                return value
        if isinstance(decorator, _DataclassWith) and isinstance(value, ClassV):
            if decorator.options.get("init", True) is not True:
                return value  # `@dataclass(init=False)`: no __init__ is made
            value.dataclass_fields = py.dataclass_fields(m, value, decorator.options)
            return value
        return None

    # attributes ----------------------------------------------------------------------------------
    def set_attribute(self, m: Machine, owner: Any, name: str, value: Any) -> bool:
        # (a parameter tied, a bias set to None, a Parameter added: what the entry point's
        # journal puts back, as it does a submodule replaced)
        m.before_change(owner)
        if type(owner) is InstanceV:  # `self.x = ...`, most of all: none of the rest applies
            return self.set_instance_attribute(m, owner, name, value)
        if name == "trainable" and _is_keras(owner):
            _keras_trainable(m, owner, value)
            if isinstance(owner, KerasModelV):
                owner.attrs[name] = value
                return True
        if type(owner) is SubmoduleV:  # `mha.out_proj.weight = emb.weight`: the layer's own
            return self.set_attribute(m, owner.layer, f"{owner.prefix}.{name}", value)
        if isinstance(owner, LayerObj) and _holds_submodule(owner, name):
            # `layer.linear1 = nn.Linear(...)`: torch replaces the submodule (None takes it out)
            if value is None or _is_module(value):
                m.taint(owner)  # (before the change: a world keeps what it held)
                _drop_params(owner, lambda key: key.startswith(f"{name}."))
                owner.attrs[name] = value
            else:
                owner.lose_count(f"{owner.spec.short}.{name} is set to what may not be a "
                                   "module")
            _changed(m, owner)
            return True
        if isinstance(owner, LayerObj) and owner.spec.framework == "torch" and \
                owner.params is not None and name in owner.params and \
                isinstance(value, TensorV) and value.param is None:
            # `lin.weight = torch.zeros(4, 4)`: torch takes a Parameter or None there, only
            raise python_raises("TypeError", f"cannot assign a tensor as parameter {name!r} "
                                             "(torch.nn.Parameter or None expected)")
        if isinstance(owner, LayerObj):
            if _deleted(owner, name) is not False:
                m.taint(owner)
                gone = owner.attrs[_DELETED]
                owner.attrs[_DELETED] = gone - {name} if isinstance(gone, frozenset) else gone
            param = value if isinstance(value, ParamV) else \
                value.param if isinstance(value, TensorV) else None
            if value is None and owner.params is not None and name in owner.params:
                _drop_param(owner, name)  # `conv.bias = None`: torch registers no parameter
                _changed(m, owner)
                return True
            if _flag_set(m, owner, name, value):
                # `pool.ceil_mode = True`: the forward of a layer without weights reads the
                # flag as set, and no other attribute was made from it
                m.taint(owner)
                owner.values = {**owner.values, name: value}
                return True
            if param is not None and owner.params is not None:
                if owner.made_params is None:  # the first replaced: what the constructor made
                    owner.made_params = owner.params
                owner.params = {**owner.params, name: param}  # tied weights: one tensor, two names
                _changed(m, owner)
            else:
                m.taint(owner)  # (before the change: a world keeps what it held)
                owner.attrs[name] = value
                _changed(m, owner, counts=not (value is None or is_plain(value)))
                if owner.spec.framework == "keras" and name in owner.values and \
                        "__built_shape__" not in owner.attrs:
                    # Keras makes the weights when it builds the layer, from its attributes then
                    # (so what its line builds: not what the constructor's arguments say)
                    if owner.params is None and not m.speculative:
                        owner.values = {**owner.values, name: value}
                    else:
                        owner.lose_count(f"{owner.spec.short}.{name} is set before it is "
                                         "built")
                        owner.made_params = None
            return True
        if isinstance(owner, KerasModelV):
            m.taint(owner)
            owner.attrs[name] = value
            return True
        if type(owner) is LayerPart:
            layer = owner.layer
            if "__built_shape__" not in layer.attrs:
                m.taint(layer)
                layer.lose_count(f"{owner.why}.{name} is set before it is built")
                layer.made_params = None
            return True
        if isinstance(owner, ContainerV) and (_is_module(value) or value is None):
            # `setattr(seq, "1", nn.Linear(8, 2))`: torch registers it under that name, in the
            # place of the member it replaces; None takes the member out of the count
            m.taint(owner)
            keys = [k for k, _ in owner.members]
            if value is None:
                owner.members = [(k, v) for k, v in owner.members if k != name]
            elif name in keys:
                owner.members[keys.index(name)] = (name, value)
            else:
                owner.members.append((name, value))
            owner.attrs.pop(name, None)
            return True
        if isinstance(owner, ContainerV):
            # anything else is its own attribute; a Parameter is registered beside the members
            m.taint(owner)
            owner.attrs[name] = value
            return True
        if isinstance(owner, TensorV) and name == "requires_grad" and owner.param is not None:
            if isinstance(value, bool):
                m.before_change(owner.param)
                owner.param.trainable = _settled(m, value)
            return True
        if isinstance(owner, ParamV) and name == "requires_grad":
            m.before_change(owner)
            owner.trainable = _settled(m, value) if isinstance(value, bool) else None
            return True  # `layer.bias.requires_grad = False`
        if isinstance(owner, ParamV) and name == "data":
            # `p.data = torch.zeros(10, 10)`: the parameter now has that tensor's size
            data = m.deref(value)
            _resized(m, owner, shape_numel(data.shape) if isinstance(data, TensorV) else None)
            return True
        if isinstance(owner, Unknown) and not isinstance(owner, (SubmoduleV, Weightless)):
            m.unknown_changed(name, value=value)
        return False

    @staticmethod
    def keras_tracks(m: Machine, layer: InstanceV, value: Any) -> None:
        _keras_track(m, layer, value)

    def set_instance_attribute(self, m: Machine, owner: InstanceV, name: str, value: Any) -> bool:
        """set_attribute's rules for an instance of the project's classes."""
        if name == "trainable" and _is_keras(owner):
            _keras_trainable(m, owner, value)
        base = owner.attrs.get("__base_layer__")
        if isinstance(base, LayerObj) and base.params is not None and name in base.params:
            # a subclass of a layer setting one of the layer's own tensors (`self.weight =
            # None` after super().__init__): the layer's parameter it is
            m.taint(owner)
            return self.set_attribute(m, base, name, value)
        if isinstance(base, LayerObj) and _holds_submodule(base, name):
            # ... or replacing one of its submodules (`self.self_attn = MyAttention(d)`): the
            # layer's tensors under it are gone, and the instance holds the new one
            m.taint(owner)
            _drop_params(base, lambda key: key.startswith(f"{name}."))
            _changed(m, base)
            return False
        if owner.framework == "keras" and name in owner.attrs:
            _keras_track(m, owner, owner.attrs[name])  # (Keras never untracks what it held)
        if owner.framework == "torch" and name in owner.attrs:
            # torch's Module.__setattr__: a parameter's name takes a Parameter or None, a
            # submodule's a Module, a Parameter or None; anything else the code fixes raises
            previous, value = owner.attrs[name], m.deref(value)
            parameter = isinstance(value, ParamV) or isinstance(value, TensorV) and \
                value.param is not None
            fixed = is_plain(value) or isinstance(value, (ListV, DictV, TensorV)) or \
                _is_module(value)
            if value is not None and fixed and not parameter:
                if isinstance(previous, ParamV) or isinstance(previous, TensorV) and \
                        previous.param is not None:
                    raise python_raises("TypeError", f"cannot assign that as parameter "
                                                     f"{name!r} (torch.nn.Parameter or None "
                                                     "expected)")
                if _is_module(previous) and not _is_module(value):
                    raise python_raises("TypeError", f"cannot assign that as child module "
                                                     f"{name!r} (torch.nn.Module or None "
                                                     "expected)")
        return False

    def certainly_has(self, owner: Any, name: str) -> bool:
        """`hasattr(owner, name)` is True, known without reading it (torch_layer_has)."""
        return isinstance(owner, LayerObj) and bool(torch_layer_has(owner, name))

    def get_attribute(self, m: Machine, owner: Any, name: str) -> Any:
        if isinstance(owner, ExternalV):
            names = NAMESPACES.get(owner.qualname)
            if names is not None and name not in names and not (name[:2] == name[-2:] == "__"):
                # (what dir() lists: a module's __dict__, __class__, ... it does not)
                return Absent(f"{owner.qualname} has no attribute {name}")
            return external(f"{owner.qualname}.{name}")
        if name in ("_modules", "_parameters") and is_torch_module(owner):
            # torch's own registries, read to be changed by key: what the module holds is not
            # followed from now on
            m.attributes_unfixed(owner)
            return Unknown(f"{name} of a module")
        if isinstance(owner, LayerObj):
            if owner.params is not None and name in owner.params:
                return owner.params[name]
            deleted = _deleted(owner, name)
            if deleted:
                return Absent(f"{owner.spec.short}.{name} was deleted")
            if deleted is None:
                return Unknown(f"{owner.spec.short}.{name}, deleted under a condition the code "
                               "does not fix")
            if name in owner.attrs:
                held = owner.attrs[name]
                return IS_NONE if held is None else held
            if owner.spec.framework == "keras" and name in ("output", "get_output_at"):
                # its output taken on its own (a feature tap): it goes elsewhere too
                m.taint(owner)
                owner.attrs[TAPPED] = True
            if owner.spec.framework == "torch" and owner.params is not None and \
                    name in _tensor_names(owner):
                return IS_NONE  # `Linear(..., bias=False).bias`: torch registers None
            held = torch_layer_has(owner, name)
            if held is False:
                return Absent(f"{owner.spec.short} has no attribute {name}")
            if name in _MODULE_DATA:
                data = _module_data(owner, name)
                return Held(data.why) if held and type(data) is Weightless else data
            if name in owner.values:
                return _stored(owner, name, owner.values[name], bool(held))
            if name in _MODULE_API or name in _KERAS_LAYER_METHODS and \
                    owner.spec.framework == "keras":
                return _Method(owner, name)
            if owner.spec.framework == "torch" and owner.params is None:
                return Unknown(f"{owner.spec.short}.{name}")  # perhaps a submodule
            submodule = _submodule(owner, name) if owner.spec.framework == "torch" else None
            if submodule is not None:
                return submodule
            if held:
                return Held(f"{owner.spec.short}.{name}")
            if owner.spec.framework == "keras":
                return LayerPart(owner, f"{owner.spec.short}.{name}")
            return Unknown(f"{owner.spec.short}.{name}")
        if type(owner) is SubmoduleV:
            layer, full = owner.layer, f"{owner.prefix}.{name}"
            if full in layer.attrs:
                return layer.attrs[full]
            if layer.params is not None and full in layer.params:
                return layer.params[full]
            submodule = _submodule(layer, full) if layer.params is not None else None
            if submodule is not None:
                return submodule
            if name in _MODULE_API:
                return _Method(owner, name)
            return Unknown(f"{layer.spec.short}.{full}")
        if isinstance(owner, InstanceV):
            base = owner.attrs.get("__base_layer__")
            if isinstance(base, LayerObj) and base.params is not None:
                # a subclass of a layer: the layer's own tensors and submodules
                if name in base.params:
                    return base.params[name]
                if name in base.attrs:  # (a TransformerEncoder's `layers`: a module it holds)
                    return IS_NONE if base.attrs[name] is None else base.attrs[name]
                if base.spec.framework == "torch" and name in _tensor_names(base):
                    return IS_NONE  # a tensor the layer registers as None
                submodule = _submodule(base, name)
                if submodule is not None:
                    return submodule
            if isinstance(base, LayerObj) and name in base.values:
                return self.get_attribute(m, base, name)  # what its constructor keeps
            if name in ("weight", "bias") and owner.framework:
                return Unknown(f"{name} of a module")
            if owner.framework:
                if name in _MODULE_DATA:
                    return _module_data(owner, name)
                if name in _MODULE_API or name in _CONTAINER_METHODS and \
                        _is_container_class(owner) or name in ("__setattr__", "__delattr__"):
                    return _Method(owner, name)
                bases = owner.cls.framework_bases()
                if owner.framework == "torch" and owner.exact and \
                        all(b in _MODELLED_BASES for b in bases) and \
                        not any(name in CONTAINER_ATTRIBUTES.get(b.rpartition(".")[2],
                                                                 MODULE_ATTRIBUTES)
                                for b in bases):
                    return Absent(f"{owner.cls.name} has no attribute {name}")
                return Unknown(f"{owner.cls.name}.{name}")
            return None
        if isinstance(owner, (ContainerV, KerasModelV)):
            if isinstance(owner, KerasModelV) and name in owner.attrs:
                return owner.attrs[name]
            if name in _MODULE_DATA and not (isinstance(owner, KerasModelV) and name == "layers"):
                return _module_data(owner, name)
            if isinstance(owner, KerasModelV) and name == "output":
                return owner.outputs if owner.outputs is not None else Unknown("output")
            if isinstance(owner, KerasModelV) and name == "layers":
                return _keras_layers(m, owner)
            if isinstance(owner, ContainerV):
                if name in owner.attrs:
                    return owner.attrs[name]
                # a member is an attribute, by its key (`nn.Sequential(OrderedDict(...)).head`)
                for key, member in owner.members:
                    if key == name:
                        return member
            if isinstance(owner, ContainerV) and owner.exact and \
                    name not in CONTAINER_ATTRIBUTES.get(owner.kind, MODULE_ATTRIBUTES):
                return Absent(f"{owner.kind} has no attribute {name}")
            return _Method(owner, name)
        if isinstance(owner, TensorV):
            if name == "shape":
                return tuple(d for d in owner.shape) if owner.shape is not None else \
                    Unknown("a shape the code does not fix")
            if name == "ndim" and owner.shape is not None:
                return len(owner.shape)
            if name in ("data", "T"):
                return owner
            if name == "device" and owner.plain and not self.global_hooks:
                return DefaultDevice("the device of a tensor")  # (`device=x.device`)
            return _Method(owner, name)
        if isinstance(owner, ParamV):
            if name == "requires_grad":
                return owner.trainable if owner.trainable is not None else \
                    Weightless("requires_grad set under a condition the code does not fix")
            if name == "grad":
                return IS_NONE  # a parameter just made has no gradient
            if name == "data":
                return owner
            if name == "device" and owner.plain and not self.global_hooks:
                return DefaultDevice("the device of a parameter")
            if name in _TENSOR_DATA:
                return Weightless(f"{name} of a parameter")  # (its shape is not kept)
            return _Method(owner, name)
        if isinstance(owner, ClassV):
            return None
        return None

    def isinstance_external(self, m: Machine, value: Any, qualname: str) -> Any:
        name = canonical(qualname)
        spec = lookup(name) if name else None
        if spec is not None:
            if isinstance(value, LayerObj):
                return value.spec is spec
            if is_plain(value) or isinstance(value, (ListV, DictV, TensorV, ContainerV)):
                return False  # (torch's containers subclass no layer class)
            if isinstance(value, InstanceV):
                # a class of the project derives from that layer class only through a base
                # the evaluator does not read; one whose every outside base is the bare module
                # class (or object) does not
                outside = value.cls.framework_bases()
                if any(canonical(q) == name for q in outside):
                    return True
                if all(q in _BARE_BASES for q in outside):
                    return False
                return Unknown("isinstance() of a module")
        short = torch_short(qualname) or keras_short(qualname)
        if short == "Module" or short == "Layer":
            if isinstance(value, (LayerObj, ContainerV)):
                return True
            if isinstance(value, InstanceV):
                return bool(value.framework)
            if is_plain(value) or isinstance(value, (ListV, DictV, FuncV)):
                return False
        if short in TORCH_CONTAINERS:
            if isinstance(value, ContainerV):
                return value.kind == short
            if is_plain(value) or isinstance(value, (LayerObj, ListV, DictV)):
                return False
        if is_plain(value) or isinstance(value, (ListV, DictV)):
            return False
        return Unknown("isinstance() with a class the evaluator does not model")

    def subscript(self, m: Machine, base: Any, key: Any) -> Any:
        if isinstance(base, ContainerV) or (isinstance(base, InstanceV) and base.members):
            members = base.members
            if not getattr(base, "exact", True):
                return Unknown("an item of a container the code changed unknowably")
            if isinstance(key, int):
                try:
                    return members[key][1]
                except IndexError:
                    return Unknown("an index out of range")
            if isinstance(key, slice) and isinstance(base, InstanceV):
                # torch makes the slice with the class itself, `self.__class__(...)`: a
                # subclass's __init__ runs on the members (an OrderedDict of them for a
                # Sequential, a list for a ModuleList), and may refuse them or add its own
                bases = base.cls.framework_bases()
                short = bases[0].rsplit(".", 1)[-1] if bases else ""
                taken = members[key]
                given: Any = DictV(dict(taken)) if short == "Sequential" else \
                    ListV([v for _, v in taken]) if short == "ModuleList" else None
                if given is None:
                    return Unknown("a slice of a container subclass")
                return m.instantiate(base.cls, (given,), {}, None)
            if isinstance(key, slice):
                kind = base.kind if isinstance(base, ContainerV) else "Sequential"
                return ContainerV(kind, members[key])
            for name, member in members:
                if name == key:
                    return member
            return Unknown(f"no member {key!r}")
        if isinstance(base, TensorV):
            found = tensor_values.item(base, key)
            if found is not None:
                return found
            return torch_tensors.tensor_item(base, key) or Unknown("a tensor item")
        return None

    def iterate(self, m: Machine, value: Any) -> list[Any] | None:
        if isinstance(value, ContainerV):
            if not value.exact:
                return None
            if value.kind in ("ModuleDict", "ParameterDict"):
                return [k for k, _ in value.members]
            return [v for _, v in value.members]
        if isinstance(value, InstanceV) and value.members and value.exact:
            return [v for _, v in value.members]
        if isinstance(value, TensorV) and value.shape and isinstance(value.shape[0], int):
            return None
        return None

    def binop(self, m: Machine, op: type, left: Any, right: Any) -> Any:
        tensors = [v for v in (left, right) if isinstance(v, TensorV)]
        if any(t.values is not None for t in tensors):
            known = tensor_values.binop(op, *(v.values if isinstance(v, TensorV) else v
                                              for v in (left, right)), tensors[0].framework)
            if known is not None:
                return tensor_values.tensor_of(known, tensors[0].framework,
                                               all(t.shape == () for t in tensors))
        if any(isinstance(v, ParamV) for v in (left, right)) and op in _TENSOR_ARITHMETIC and all(
                isinstance(v, (ParamV, TensorV)) or type(v) in (int, float) for v in (left, right)):
            as_tensors = [param_tensor(v) if isinstance(v, ParamV) else v for v in (left, right)]
            if None not in as_tensors:  # (each parameter plain, of a known shape)
                return self.binop(m, op, *as_tensors)
            # `layer.weight * 2`: a tensor, no parameter (its shape is not kept)
            return TensorV(None, "torch")
        if not tensors:
            return None
        history = _history(tensors)
        framework = tensors[0].framework
        sources = _sources((left, right))
        # (two plain tensors, or one and a number, make a plain one: torch's default dtype)
        plain = all(t.plain for t in tensors)
        if op is ast.MatMult and len(tensors) == 2:
            shape = _matmul_shape(left.shape, right.shape)
            return TensorV(shape, framework, history, inputs=sources,
                           plain=plain and whole_shape(shape))
        if op in (ast.Mult, ast.Add, ast.Sub, ast.Div, ast.Pow, ast.FloorDiv):
            others = [v for v in (left, right) if not isinstance(v, TensorV)]
            if all(isinstance(o, (int, float)) and not isinstance(o, bool) for o in others):
                shape = _broadcast([t.shape for t in tensors])
                return TensorV(shape, framework, history, inputs=sources,
                               plain=plain and whole_shape(shape))
            return TensorV(None, framework, history, inputs=sources)
        return None

    def container_extend(self, m: Machine, container: ContainerV | InstanceV, right: Any) -> Any:
        if isinstance(container, InstanceV):  # `self += [...]` in a module of the project
            if _is_container_class(container):
                return self.as_container(m, container,
                                         lambda view: self.container_extend(m, view, right))
            m.taint(container)
            container.exact = False  # torch's Module has no `+=`: not what the code meant
            return container
        items = m.iterate(right)
        if items is None:
            container.exact = False
        else:
            _refuse_non_modules(m, container.kind, [(None, item) for item in items])
            m.taint(container)
            for item in items:
                container.members.append((str(len(container.members)), item))
        return container

    def delete_attribute(self, m: Machine, owner: Any, name: str) -> None:
        """`del conv.bias`: the parameter is no longer the layer's; `del layer.norm2`, nor is
        any of the submodule's."""
        if type(owner) is SubmoduleV:
            owner, name = owner.layer, f"{owner.prefix}.{name}"
        base = owner.attrs.get("__base_layer__") if isinstance(owner, InstanceV) else None
        if isinstance(base, LayerObj):
            owner = base  # a subclass of a layer: the layer's own tensors and submodules
        if isinstance(owner, LayerObj):
            m.taint(owner)
            gone = owner.attrs.get(_DELETED, frozenset())
            owner.attrs[_DELETED] = gone | {name} if isinstance(gone, frozenset) else gone
            if _holds_submodule(owner, name):
                _drop_params(owner, lambda key: key.startswith(f"{name}."))
                _changed(m, owner)
            elif owner.params is not None and name in owner.params:
                _drop_param(owner, name)
                _changed(m, owner)
            else:
                removed = owner.attrs.pop(name, None)
                _changed(m, owner, counts=not (removed is None or is_plain(removed)))
        elif hasattr(owner, "exact"):
            m.taint(owner)  # as delete_item: a remembered call that did this cannot be replayed
            owner.exact = False

    def delete_item(self, m: Machine, owner: Any, key: Any) -> None:
        """`del seq[1]`, `del blocks[1:]`, `del heads["a"]`: torch renumbers a Sequential's or a
        ModuleList's members after it. Anything else the code deletes from becomes inexact."""
        if isinstance(owner, ContainerV) or isinstance(owner, InstanceV) and owner.members:
            m.taint(owner)
            if not getattr(owner, "exact", True):
                return
            members = owner.members
            named = isinstance(owner, ContainerV) and owner.kind in ("ModuleDict",
                                                                     "ParameterDict")
            if named and isinstance(key, str) and any(k == key for k, _ in members):
                owner.members = [(k, v) for k, v in members if k != key]
            elif not named and (isinstance(key, slice) or isinstance(key, int) and
                                not isinstance(key, bool) and -len(members) <= key < len(members)):
                del members[key]
                owner.members = _renumbered(members)
            else:
                owner.exact = False
        elif hasattr(owner, "exact"):
            m.taint(owner)
            owner.exact = False

    def as_container(self, m: Machine, owner: InstanceV, action: Callable[[ContainerV], Any]
                     ) -> Any:
        """A subclass of nn.Sequential, ModuleList or ModuleDict changed through the container's
        own methods (`self.append(...)`, `self += [...]`, `self[k] = v` in its __init__): as the
        container itself is, on its members."""
        view = ContainerV(_container_kind(owner), owner.members, owner.exact)
        m.taint(owner)
        result = action(view)
        owner.members, owner.exact = view.members, owner.exact and view.exact
        return owner if result is view else result

    def container_item_set(self, m: Machine, owner: InstanceV, key: Any, value: Any) -> None:
        """`self[k] = v` in a module of the project without a __setitem__ of its own: a
        subclass of a torch container sets its member; torch's other modules take no item."""
        if _is_container_class(owner):
            self.as_container(m, owner, lambda view: self.container_set(m, view, key, value))
        else:
            m.taint(owner)
            owner.exact = False

    def container_set(self, m: Machine, owner: ContainerV, key: Any, value: Any) -> None:
        _refuse_non_modules(m, owner.kind, [(key if isinstance(key, str) else None, value)])
        m.taint(owner)
        if isinstance(key, int) and -len(owner.members) <= key < len(owner.members):
            name = owner.members[key][0]
            owner.members[key] = (name, value)
        elif isinstance(key, str):
            owner.members = [(k, v) for k, v in owner.members if k != key] + [(key, value)]
        else:
            owner.exact = False

    @staticmethod
    def deep_copy_layer(layer: LayerObj, memo: dict[int, Any]) -> LayerObj | None:
        """copy.deepcopy of a torch layer (_deep_copy_layer), sharing deepcopy's memo."""
        return _deep_copy_layer(layer, memo)

    # calls ---------------------------------------------------------------------------------------
    def opaque_call(self, m: Machine, func: Any, node: Any, args: list, kwargs: dict,
                    why: str) -> Any:
        func = m.deref(func)
        if isinstance(func, ExternalV):
            spec = lookup(canonical(func.qualname) or "")
            if spec is not None:
                layer = self.construct(m, spec, tuple(args), kwargs, node, partial_why=why)
                return layer
            short = torch_short(func.qualname)
            if short in TORCH_CONTAINERS and func.qualname.startswith("torch.nn."):
                # `nn.Sequential(*layers)`, the list not fixed: a container, of members unknown
                return self.call_torch(m, short, func.qualname, (Unknown(why),), {}, node)
        if isinstance(func, (FuncV, ClassV, BoundV)):
            m.incomplete(why)
        return Unknown(why)

    def call(self, m: Machine, func: Any, args: tuple, kwargs: dict, node: Any) -> Any:
        if isinstance(func, ExternalV):
            return self.call_external(m, func.qualname, args, kwargs, node)
        args, kwargs = _drained(m, args, kwargs)
        if isinstance(func, _Method):
            return self.call_method(m, func.owner, func.name, args, kwargs, node)
        if isinstance(func, (LayerObj, KerasModelV)):
            try:
                return self.call_layer(m, func, args, kwargs) if isinstance(func, LayerObj) \
                    else self.call_keras_model(m, func, args, kwargs)
            except LayerRefused as refused:
                # Keras raises in the call (the layer is built there): said where the code
                # calls it, as Python's traceback says it
                raise refused.at(self.recorder.site_of(node)) from None
        if isinstance(func, InstanceV) and func.framework == "keras":
            return self.call_keras_instance(m, func, args, kwargs)
        if isinstance(func, (InstanceV, ContainerV)) and "forward" in func.attrs and \
                (type(func) is ContainerV or func.framework == "torch"):
            # `net.forward = ...` on the object: nn.Module.__call__ runs what self.forward is
            return m.call(func.attrs["forward"], args, kwargs, None)
        if isinstance(func, InstanceV) and func.framework == "torch":
            # a module of the project called, as nn.Module.__call__ does it: its forward runs
            # (one that adds a layer on first use adds it then; hooks are not followed)
            forward = func.cls.lookup("forward")
            if isinstance(forward, FuncV):
                return m.call_function(forward, (func, *args), kwargs)
            if forward is MISSING and func.exact and _container_kind(func) == "Sequential":
                return torch_tensors.sequential_called(m, func.members, args, kwargs)
        if isinstance(func, ContainerV) and func.kind == "Sequential" and func.exact:
            return torch_tensors.sequential_called(m, func.members, args, kwargs)
        if isinstance(func, _DataclassWith):
            return func
        return Unknown("a call the evaluator does not follow")

    def call_external(self, m: Machine, qualname: str, args: tuple, kwargs: dict, node: Any) -> Any:
        if qualname.endswith(".__init__") and args and isinstance(args[0], InstanceV):
            instance = args[0]
            bases = instance.cls.framework_bases()
            if bases and canonical(bases[0]) == canonical(qualname[:-9]) is not None:
                # `nn.Linear.__init__(self, ...)` in a subclass of nn.Linear: as super().__init__
                self.super_init(m, instance, None, args[1:], kwargs)
                return None
            if qualname[:-len(".__init__")] in _TORCH_MODULE:
                if args[1:] or kwargs:
                    _refuse_module_arguments(instance)
                self.module_initialised(m, instance)  # `nn.Module.__init__(self)`
            else:
                instance.module_pending = False
        elif qualname.endswith(".__init__") and args and isinstance(args[0], (ContainerV,
                                                                           LayerObj)):
            # `nn.Sequential.__init__(model, ...)` on a layer or container the framework built:
            # it is built anew in place, which the evaluator does not follow
            _spoil(m, [("", args[0])])
            return Unknown(f"{qualname}() run again on an object the framework built")
        owner_class, _, method = qualname.rpartition(".")
        if args and owner_class in _UNBOUND_OWNERS and not method.startswith("__") and \
                isinstance(m.deref(args[0]), (ContainerV, InstanceV, LayerObj)) and \
                is_torch_module(m.deref(args[0])):
            # `nn.Sequential.insert(model, 1, layer)`, `nn.Module.add_module(m, "x", layer)`:
            # the method, called on the module handed first
            return self.call_method(m, m.deref(args[0]), method, tuple(args[1:]), kwargs, node)
        if qualname.startswith("builtins."):
            return m.program.call_builtin_name(m, qualname[9:], args, kwargs)
        if qualname.rsplit(".", 1)[-1] in _CHANGING_EVERY_FORWARD:
            self.global_hooks = True
        if qualname in WEIGHTLESS_TORCH or qualname.startswith("torch.distributions."):
            # (a distribution is no module; its tensors are no parameters)
            return Weightless(f"{qualname}() owns no parameters")
        spec = lookup(canonical(qualname) or "")
        keras, torch = keras_short(qualname), torch_short(qualname)
        if spec is not None or keras is not None or torch is not None:
            args, kwargs = _drained(m, args, kwargs)
        if spec is not None:
            return self.construct(m, spec, args, kwargs, node,
                                  refused=_keras_keywords_refused(qualname, spec, kwargs))
        if qualname in _CACHING_DECORATORS and not args:
            return ExternalV(qualname)  # `@lru_cache(maxsize=...)`: the same decorator
        if qualname == "dataclasses.dataclass":
            target = m.deref(args[0]) if args else None
            if isinstance(target, ClassV):  # `dataclass(cls)` called, not written as `@dataclass`
                return self.decorator(m, _DataclassWith(dict(kwargs)), target)
            return _DataclassWith(dict(kwargs))
        if qualname in ("numpy.linspace", "torch.linspace"):
            if _holds_none(m, args):  # (its ends and its count are numbers)
                raise python_raises("TypeError", f"{qualname}() of None")
            # so many evenly spaced values: how many is fixed, their values are not followed
            num = m.deref(args[2]) if len(args) > 2 else m.deref(kwargs.get(
                "num" if qualname.startswith("numpy") else "steps", 50 if qualname.startswith(
                    "numpy") else None))
            if isinstance(num, int) and not isinstance(num, bool) and 0 <= num <= 100_000:
                tensor = TensorV((num,), qualname.split(".")[0])
                start, stop = (m.deref(a) for a in (list(args) + [None, None])[:2])
                if qualname == "numpy.linspace" and not kwargs and all(
                        isinstance(v, (int, float)) and not isinstance(v, bool)
                        for v in (start, stop)):
                    # numpy's own arithmetic, in doubles as Python's: i * step + start, the last
                    # one the stop itself
                    step = (stop - start) / (num - 1) if num > 1 else 0.0
                    tensor.values = tensor_values.Values("float64", tuple(
                        tensor_values.exact(float(x)) for x in
                        [i * step + start for i in range(num - 1)] +
                        ([float(stop)] if num > 1 else [float(start)] * num)))
                return tensor
            return Unknown(f"{qualname}() with a count the code does not fix")
        if keras is not None:
            return self.call_keras(m, keras, qualname, args, kwargs, node)
        if torch is not None:
            return self.call_torch(m, torch, qualname, args, kwargs, node)
        if qualname.startswith("numpy.") and qualname.count(".") == 1:
            found = tensor_values.call(m, "numpy", qualname[6:], args, kwargs)
            if found is not None:
                return found
        return py.call_stdlib(m, qualname, args, kwargs)

    # torch ---------------------------------------------------------------------------------------
    def call_torch(self, m: Machine, short: str, qualname: str, args: tuple, kwargs: dict,
                   node: Any = None) -> Any:
        if qualname in _REPARAMETRIZATIONS:
            return _reparametrized(m, qualname, args, kwargs)
        if qualname.startswith("torch.nn.") and short in TORCH_CONTAINERS:
            if short in ("ModuleDict", "ParameterDict"):
                members: list[tuple[str, Any]] | None = []
                if args:
                    source = m.deref(args[0])
                    if isinstance(source, DictV) and source.exact:
                        for key in source.items:
                            if not isinstance(key, str):
                                raise python_raises("TypeError", f"nn.{short} keys are names: "
                                                                 "strings")
                            _refuse_module_name(key)
                        members = [(str(k), v) for k, v in source.items.items()]
                    else:
                        members = None
                container = ContainerV(short, members or [], members is not None)
            else:
                found = _members_from(m, args, short)
                container = ContainerV(short, found or [], found is not None)
            _refuse_non_modules(m, short, container.members)
            container.site = self.recorder.site_of(node)
            container.node = node
            self.recorder.record_model(container)
            return container
        if qualname in ("torch.nn.Parameter", "torch.nn.parameter.Parameter"):
            data = m.deref(args[0]) if args else m.deref(kwargs.get("data"))
            trainable = kwargs.get("requires_grad", args[1] if len(args) > 1 else True)
            if isinstance(data, TensorV) and data.integral and trainable is not False:
                raise python_raises("RuntimeError", "only tensors of floating point and complex "
                                                    "dtype can require gradients")
            if isinstance(data, TensorV):
                # a new Parameter each time, even of one tensor (two share its storage and
                # are two parameters to torch)
                data.param = ParamV(shape_numel(data.shape), trainable is not False,
                                    shape=data.shape if whole_shape(data.shape) else None,
                                    plain=data.plain)
                return data.param
            if isinstance(data, ParamV):
                return ParamV(data.numel, trainable is not False, shape=data.shape,
                              plain=data.plain)
            return ParamV(None, trainable is not False, plain=False)
        if short in _TORCH_FACTORIES and qualname.count(".") == 1 and _holds_none(m, args):
            # torch's sizes and values are numbers: `torch.tensor(None)`, `torch.zeros(2, None)`
            raise python_raises("RuntimeError" if short in ("tensor", "as_tensor") else
                                "TypeError", f"torch.{short}() of None")
        if qualname.count(".") == 1:
            found = tensor_values.call(m, "torch", qualname[6:], args, kwargs)
            if found is not None:
                return found
        if short in _TORCH_FACTORIES and qualname.count(".") == 1:
            shape = _factory_shape(m, short, args, kwargs)
            integral = _integral_factory(m, short, args, kwargs)
            return TensorV(shape, integral=integral, plain=torch_tensors.plain_factory(
                m, short, args, kwargs, shape, integral))
        if qualname in ("torch.autograd.Variable", "torch.autograd.variable.Variable") and \
                args and isinstance(m.deref(args[0]), TensorV) and set(kwargs) <= {"requires_grad"}:
            # a Variable is the tensor itself since torch 0.4
            return m.deref(args[0])
        if qualname in ("torch.cat", "torch.concat", "torch.concatenate"):
            found = torch_tensors.concatenated(m, args, kwargs)
            if found is not None:
                return found
        if qualname.startswith("torch.nn.functional.") or qualname == "torch.flatten":
            found = torch_tensors.functional(m, qualname.rsplit(".", 1)[1], args, kwargs)
            if found is not None:
                return found
        if short in _TORCH_ELEMENTWISE and qualname.count(".") == 1 and args and \
                isinstance(m.deref(args[0]), TensorV):
            return TensorV(m.deref(args[0]).shape)
        if qualname.startswith("torch.nn.init."):
            # the in-place initialisers hand back the tensor they filled (`w = init.normal_(w)`);
            # the others (calculate_gain, the deprecated spellings) are not followed
            if qualname.endswith("_") and args:
                return m.deref(args[0])
            return Unknown(f"{qualname}() is not evaluated")
        owner = m.deref(args[0]) if args else None
        method = qualname.rsplit(".", 1)[1]
        parent = qualname.rsplit(".", 1)[0]
        # a method of one of torch's classes (`torch.nn.Module.__init__`), not a function of
        # one of its modules (`torch.nn.utils.weight_norm`): torch names its classes in CamelCase
        unbound = torch_short(parent) is not None and parent.rsplit(".", 1)[1][:1].isupper()
        if unbound and is_torch_module(owner):
            # `nn.Module.requires_grad_(self.fc, False)`: the method, called unbound
            if method in _MODULE_API:
                return self.call_method(m, owner, method, args[1:], kwargs, node)
            if method == "__setattr__" and len(args) == 3 and isinstance(args[1], str):
                m.set_attribute(owner, args[1], args[2])
                return None
            if method == "__delattr__" and len(args) == 2 and isinstance(args[1], str):
                m.delete_attribute(owner, args[1])
                return None
        handed = [module for value in (*args, *kwargs.values())
                  for module in shared_modules(m.deref(value))]
        if qualname in _TORCH_SHARING_MODULES and handed:
            return ModuleAlias(tuple(handed), f"{qualname}() of a module")
        if not unbound and not qualname.startswith(_TORCH_LEAVING_MODULES):
            # `nn.utils.weight_norm(self.fc)`, `fuse_modules(self, ..., inplace=True)`: a
            # function the evaluator does not follow may change a module it is handed
            for module in handed:
                m.attributes_unfixed(module)
        return Unknown(f"{qualname}() is not evaluated")

    @staticmethod
    def alias_call(m: Machine, alias: ModuleAlias, args: tuple, kwargs: dict) -> Any:
        """A call through an object that shares modules (ModuleAlias): the object itself runs
        their forward; a method that reads them gives what still shares them; one that freezes
        leaves the trainable part unknown; any other may change them."""
        if not alias.name:
            return Unknown(f"the output of {alias.why}")
        if alias.name in _ALIAS_READS:
            return ModuleAlias(alias.modules, alias.why)
        if alias.name == "requires_grad_":
            m.unknown_changed(alias.name)
        elif alias.name != "load_state_dict":  # (loading fills tensors; it changes no shape)
            m.alias_changed(alias, f"{alias.name}()")
        return Unknown(f"{alias.name}() of {alias.why}")

    def construct(self, m: Machine, spec: LayerSpec, args: tuple, kwargs: dict, node: Any,
                  partial_why: str = "", refused: str = "") -> LayerObj:
        """The layer `spec` describes, made from these arguments; `refused`: why the framework
        refuses them, where the caller knows it."""
        values: dict[str, Any] = {}
        params = spec.signature
        for i, value in enumerate(args):
            if i < len(params):
                values[params[i].name] = value
        values.update(kwargs)
        why = partial_why
        for p in params:
            if p.name not in values:
                if p.required:
                    why = why or f"{p.name} is not given"
                    values[p.name] = Unknown(f"{p.name} is not given")
                elif partial_why:
                    values[p.name] = Unknown(f"{p.name} may be set by {partial_why}")
                else:
                    values[p.name] = p.default
        if spec.framework == "keras" and "data_format" in values and values["data_format"] is None \
                and any(p.name == "data_format" for p in params):
            values["data_format"] = self.keras_data_format  # as Keras' __init__ standardizes it
        refusal = refused or _call_refused(spec, args, kwargs, node, bool(partial_why)) or \
            value_refusal(spec, Given(_plain_values(values))) or \
            _dtype_refusal(spec, m.deref(values.get("dtype")))
        site = self.recorder.site_of(node)
        layer = LayerObj(spec, site, values, None, tuple(m.via), bool(m.speculative),
                         refusal or why)
        layer.node = node if isinstance(node, ast.Call) else None
        if spec.framework == "keras" and "trainable" in kwargs:
            # `Dense(3, trainable=False)`: its weights are made non-trainable
            layer.frozen = _keras_frozen(kwargs["trainable"])  # type: ignore[assignment]
        if refusal:
            layer.built = True  # the framework raises: there is no layer, and no count
            layer.refused = True
        elif spec.formula is None:
            layer.params = {}
            layer.built = True
            held = _held_module(spec, values)
            if held:  # `distance_function=nn.Bilinear(4, 4, 1)`: a submodule it holds
                layer.params = None
                layer.why = f"{held} may be a module with weights, which the layer holds as a " \
                            "submodule"
        elif spec.counted_args and spec.framework == "torch":
            self.stack_layers(layer)
        elif spec.framework == "torch" and (spec.in_arg is not None or spec.family in (
                "embedding", "attention", "transformer") or spec.short in ("Bilinear", "LayerNorm", "RMSNorm",
                                                             "PReLU")):
            in_ch = values.get(spec.in_arg) if spec.in_arg else None
            self.build(layer, in_ch, None)
        elif spec.framework == "keras" and spec.family == "embedding":
            self.build(layer, None, None)
        elif spec.framework == "keras":
            shape = values.get("input_shape")
            shape = m.deref(shape)
            if isinstance(shape, (tuple, ListV)):
                dims = tuple(shape.items) if isinstance(shape, ListV) else shape
                layer.attrs["__input_shape__"] = (None, *dims)
            elif "input_dim" in kwargs and isinstance(kwargs["input_dim"], int):
                layer.attrs["__input_shape__"] = (None, kwargs["input_dim"])
        self.recorder.record(layer)
        _raise_if_refused(layer)
        if spec.family == "wrapper":
            keras_wrapper_held(m, layer)
        return layer

    def stack_layers(self, stack: LayerObj) -> None:
        """TransformerEncoder / TransformerDecoder (catalogue.torch_layer_stack): a ModuleList
        `layers` of `num_layers` deep copies of the layer given (fresh tensors, the same sizes
        and flags), then `norm`, the very module given, shared with whatever else holds it."""
        stack.built = True
        layer_arg, _norm = stack.spec.counted_args
        original, norm = stack.values.get(layer_arg), stack.values.get("norm")
        copies = stack.values.get("num_layers")
        clones = [_deep_copy_layer(original) if original is not None else None
                  for _ in range(max(int(copies), 0))] if isinstance(copies, int) else None
        if clones is None or original is not None and any(c is None for c in clones):
            stack.params = None
            stack.why = f"the copies of {layer_arg} are not counted (a layer whose every " \
                        "parameter the evaluator holds is)" if clones is not None else \
                "num_layers is not fixed"
            return
        if norm is not None and not _weightless_module_argument(norm) and not (
                isinstance(norm, LayerObj) and norm.params is not None and not norm.speculative):
            stack.params = None
            stack.why = "norm may be a module with weights the evaluator does not hold"
            return
        held = [(f"layers.{i}.", c) for i, c in enumerate(clones) if c is not None]
        if isinstance(norm, LayerObj):
            held.append(("norm.", norm))
        made: dict[str, ParamV] = {}
        for prefix, module in held:  # what its named_parameters() gives, for its line's count
            pairs = _named_parameters(module)
            if pairs is None:
                stack.params = None
                stack.why = f"{prefix.split('.')[0]} holds what the evaluator does not follow"
                return
            made.update((prefix + name, param) for name, param in pairs)
        stack.params = {}
        stack.attrs["layers"] = ContainerV("ModuleList", [(str(i), c) for i, c in
                                                          enumerate(clones)], site=stack.site)
        stack.attrs["norm"] = norm
        stack.made_params = made

    def build(self, layer: LayerObj, in_channels: Any, input_shape: tuple | None) -> None:
        """Count the layer's weights, from its arguments and (Keras) its input. The same class
        with the same arguments and input counts the same: that answer is kept."""
        key = _count_key(layer, in_channels, input_shape)
        known = _COUNTS.get(key) if key is not None else None
        if known is None:
            self.count_weights(layer, in_channels, input_shape)
            if key is not None and len(_COUNTS) < _MAX_COUNTS:
                _COUNTS[key] = (None if layer.params is None else tuple(
                    (name, p.numel, p.trainable, p.shape) for name, p in layer.params.items()),
                    layer.why,
                    layer.refused)
        else:
            layer.built = True
            shapes, why, layer.refused = known
            layer.why = why
            layer.params = None if shapes is None else {
                name: ParamV(numel, trainable, shape=shape)
                for name, numel, trainable, shape in shapes}
        if layer.params and layer.spec.framework == "torch" and (
                not torch_tensors.default_device(layer.values.get("device")) or
                layer.values.get("dtype") is not None):
            for param in layer.params.values():  # (made where, or as, the code says)
                param.plain = False

    def count_weights(self, layer: LayerObj, in_channels: Any, input_shape: tuple | None) -> None:
        spec = layer.spec
        layer.built = True
        values = {k: as_q(v) for k, v in layer.values.items()}
        if input_shape is not None:
            values["__input_shape__"] = TupleV(tuple(as_q(d) for d in input_shape[1:]))
        for slot in ("__value_channels__", "__key_channels__"):
            if slot in layer.attrs:
                values[slot] = as_q(layer.attrs[slot])
        held = _held_module(spec, layer.values)
        if held:
            layer.params = None
            layer.why = f"{held} may be a module with weights, which the layer holds as a submodule"
            return
        for name in spec.module_args:
            if _weightless_module_argument(layer.values.get(name)):
                values[name] = Q.const(FrameworkName("a function or a parameterless module"))
        in_q = as_q(in_channels) if in_channels is not None else Q.unknown("in_channels")
        if layer.why or any(isinstance(v, Unknown) for k, v in layer.values.items()
                            if k in _COUNTED_ARGS.get(spec.family, ())):
            layer.params = None
            layer.why = layer.why or "an argument the code does not fix"
            return
        tensors, total = count(spec, Args(values, in_q, spec.ndim))
        shape = _plain(tuple(input_shape)) if input_shape is not None else UNKNOWN
        refusal = value_refusal(spec, Given(_plain_values(layer.values), _plain(in_channels),
                                            shape)) or tensor_refusal(spec, tensors)
        if refusal:
            _refuse(layer, refusal)
            return
        if not total.known:
            layer.params = None
            layer.why = layer.why or "the count depends on a value the code does not fix"
            return
        params: dict[str, ParamV] = {}
        for tensor in tensors:
            present = tensor.present
            if not present.known:
                layer.params = None
                layer.why = "whether a tensor exists is not fixed"
                return
            if not present.exact:
                continue
            dims = [d.exact if d.known else None for d in tensor.shape]
            # (a bool size the framework accepts counts as the int it is: tensor_refusal has
            # already refused the ones it does not)
            if any(not isinstance(d, int) or d < 0 for d in dims):
                layer.params = None
                layer.why = f"{tensor.name} has a size the framework refuses or the code does " \
                            "not fix"
                return
            params[tensor.name] = ParamV(int(math.prod(dims)),  # type: ignore[arg-type]
                                          tensor.trainable and
                                          not (spec.framework == "torch" and
                                               layer.values.get("_freeze") is True),
                                          shape=tuple(dims))  # type: ignore[arg-type]
        layer.params = params

    def call_method(self, m: Machine, owner: Any, name: str, args: tuple, kwargs: dict,
                    node: Any) -> Any:
        if type(owner) is SubmoduleV:
            return _submodule_method(m, owner, name, args, kwargs)
        if name in ("__setattr__", "__delattr__") and is_torch_module(owner) and args and \
                isinstance(args[0], str) and len(args) == (2 if name == "__setattr__" else 1):
            # `self.__setattr__("fc", layer)`, `self.__delattr__("fc")`: as the statements
            if name == "__setattr__":
                m.set_attribute(owner, args[0], args[1])
            else:
                m.delete_attribute(owner, args[0])
            return None
        if isinstance(owner, InstanceV) and name in _CONTAINER_METHODS and \
                _is_container_class(owner):
            return self.as_container(m, owner, lambda view: self.call_method(
                m, view, name, args, kwargs, node))
        if name in ("get_submodule", "get_parameter", "set_submodule") and args and \
                isinstance(args[0], str) and is_torch_module(owner):
            # torch's dotted-path access: the attributes, one after another
            *path, last = args[0].split(".") if args[0] else [""]
            target = owner
            for part in path:
                target = m.get_attribute(target, part)
            if name == "set_submodule" and len(args) == 2 and last:
                m.set_attribute(target, last, args[1])
                return None
            if name != "set_submodule":
                return m.get_attribute(target, last) if last else target
        if name in ("apply", "modules", "named_modules") and is_torch_module(owner):
            return self.walk_modules(m, owner, name, args, kwargs)
        if name in ("parameters", "named_parameters") and not args and not kwargs and \
                is_torch_module(owner):
            pairs = _named_parameters(owner)
            if pairs is not None:
                # the very parameters: `p.requires_grad = False` in a loop over them freezes them
                items = [p for _, p in pairs] if name == "parameters" else pairs
                return IteratorV(lambda: iter(items))
        if isinstance(owner, ContainerV):
            if name == "append" and args:
                _refuse_non_modules(m, owner.kind, [(None, args[0])])
                m.taint(owner)
                owner.members.append((str(len(owner.members)), args[0]))
                return owner
            if name == "extend" and args:
                return self.container_extend(m, owner, args[0])
            if name == "insert" and len(args) == 2 and isinstance(args[0], int):
                _refuse_non_modules(m, owner.kind, [(None, args[1])])
                m.taint(owner)
                owner.members.insert(args[0], (str(args[0]), args[1]))
                return owner if owner.kind == "Sequential" else None  # (as torch's own)
            if name in ("add_module", "register_module") and len(args) == 2 and \
                    isinstance(args[0], str):
                self.container_set(m, owner, args[0], args[1])
                return None
            if name == "update" and args:
                source = m.deref(args[0])
                if isinstance(source, DictV) and source.exact:
                    for k, v in source.items.items():
                        self.container_set(m, owner, str(k), v)
                else:
                    owner.exact = False
                return None
            if name == "pop" and len(args) <= 1 and owner.exact:
                return self.container_pop(m, owner, args[0] if args else -1)
            if name == "clear" and not args:
                m.taint(owner)
                owner.members = []
                return None
            if name in ("keys", "values", "items") and owner.exact:
                return DictViewV(owner, name)  # (torch's are its dict's views)
            if name == "requires_grad_":
                _freeze(m, owner, _frozen_by(_grad_arg(m, args, kwargs)))
                return owner
            _placed_or_moded(m, owner, name, args, kwargs)
            if name in ("to", "cuda", "cpu", "train", "eval", "float", "half"):
                return owner
        if name in ("named_children", "children") and not args and (
                isinstance(owner, ContainerV) or isinstance(owner, InstanceV) and
                owner.framework == "torch" or isinstance(owner, LayerObj) and
                owner.spec.framework == "torch"):
            if not getattr(owner, "exact", True) or isinstance(owner, LayerObj) and \
                    owner.params is None:
                return Unknown(f"{name}() of a module the code changed unknowably")
            pairs = _submodules(owner) if isinstance(owner, LayerObj) else _children(owner)
            return tuple(pairs) if name == "named_children" else tuple(v for _, v in pairs)
        if isinstance(owner, InstanceV) and owner.framework == "torch":
            if name in ("add_module", "register_module", "register_parameter",
                        "register_buffer") and args and isinstance(args[0], str):
                _refuse_module_name(args[0])
                held = owner.attrs.get(args[0], MISSING)
                if held is not MISSING and not _registered_as(held, name):
                    # an attribute of that name, not what this method registers: torch raises
                    raise python_raises("KeyError", f"attribute {args[0]!r} already exists")
            if name in ("add_module", "register_module") and len(args) == 2 and \
                    isinstance(args[0], str):
                if owner.members or _is_container_class(owner):
                    owner.members = [(k, v) for k, v in owner.members if k != args[0]] + \
                        [(args[0], args[1])]
                else:
                    m.set_attribute(owner, args[0], args[1])
                return None
            if name == "register_parameter" and len(args) == 2 and isinstance(args[0], str):
                m.set_attribute(owner, args[0], args[1])
                return None
            if name == "register_buffer" and args and isinstance(args[0], str):
                owner.attrs[args[0]] = _Buffer()
                return None
            if name == "requires_grad_":
                _freeze(m, owner, _frozen_by(_grad_arg(m, args, kwargs)))
                return owner
            _placed_or_moded(m, owner, name, args, kwargs)
            if name in ("to", "cuda", "cpu", "train", "eval", "float", "half"):
                return owner
        if isinstance(owner, LayerObj) and owner.spec.framework == "torch" and len(args) == 2 \
                and isinstance(args[0], str) and name in ("register_parameter", "add_module",
                                                          "register_module"):
            # `fc.register_parameter("scale", p)`, `fc.add_module("extra", nn.Linear(3, 3))`:
            # as torch's own setattr would register them (None takes a tensor out)
            value = m.deref(args[1])
            if name == "register_parameter" and not (value is None or isinstance(value, ParamV)):
                owner.lose_count("register_parameter() of what the evaluator does not hold")
            else:
                self.set_attribute(m, owner, args[0], value)
            return None
        if isinstance(owner, LayerObj):
            if name == "requires_grad_" and owner.spec.framework == "torch":
                _freeze(m, owner, _frozen_by(_grad_arg(m, args, kwargs)))  # its submodules' too
                return owner
            if name == "requires_grad_":
                _set_trainable(m, owner, _grad_arg(m, args, kwargs))
                return owner
            if name in KERAS_REWEIGHING and owner.spec.framework == "keras":
                m.taint(owner)
                owner.params = None
                owner.why = f"{name}() adds weights the catalogue does not count"
                return None
            _placed_or_moded(m, owner, name, args, kwargs)
            if name in ("to", "cuda", "cpu", "train", "eval", "float", "half"):
                return owner
            if name == "adapt" and owner.spec.framework == "keras" and not owner.built:
                # (Normalization, ...) built on the data's own shape, which is not followed
                owner.built = True
                m.taint(owner)
                owner.lose_count("adapt() builds it on the data's shape, which is not followed")
                return None
            if name == "build" and args and owner.spec.framework == "keras":
                shape = _shape_tuple(m, args[0])
                if shape is not None and not owner.built:
                    self.keras_build(owner, shape)
                return None
        if isinstance(owner, KerasModelV):
            return self.keras_model_method(m, owner, name, args, kwargs)
        if isinstance(owner, InstanceV) and owner.framework == "keras":
            if name == "add_weight":
                # Keras tracks each weight the layer adds, whatever the code keeps of it
                # (`self.w = self.add_weight(...)` twice holds both)
                weight = self.add_weight(m, args, kwargs)
                _keras_track(m, owner, weight)
                return weight
            if name == "build":
                # Keras 3's own `Layer.build` only marks the layer built: what `call` would build
                # stays unbuilt. (tf.keras' Model.build ran `call`: not modelled, so unknown.)
                if any(keras_short(b) is not None and not b.startswith("keras.")
                       for b in owner.cls.framework_bases()):
                    owner.exact = False
                owner.built = True
                return None
        if isinstance(owner, TensorV):
            if name in _SIZED_METHODS and _holds_none(m, args):  # (`x.expand(2, None)`)
                raise python_raises("TypeError", f"Tensor.{name}() of None")
            if name in ("requires_grad_",) and owner.param is not None:
                m.before_change(owner.param)
                owner.param.trainable = _grad_arg(m, args, kwargs)
                return owner
            followed = tensor_values.method(m, owner, name, args) if not kwargs else None
            if isinstance(followed, list):
                return ListV(followed)
            if type(followed) in (int, float):
                return followed
            if followed is None:
                followed = torch_tensors.tensor_method(m, owner, name, args, kwargs)
            if followed is not None:
                return followed
            if name in ("view", "reshape", "expand", "repeat", "flatten", "permute", "unsqueeze",
                        "squeeze", "transpose"):
                return TensorV(None, owner.framework)
            if name in ("long", "int", "short", "bool", "byte") and not args or name == "to" and \
                    any(_integral_dtype(m.deref(a)) for a in (*args, *kwargs.values())):
                return TensorV(owner.shape, owner.framework, integral=True)
            if name in ("normal_", "uniform_", "zero_", "fill_", "clone", "detach", "float",
                        "to", "mul_", "add_", "div_", "contiguous"):
                return owner if name.endswith("_") else TensorV(owner.shape, owner.framework)
            if name in ("size",) and owner.shape is not None:
                if args and isinstance(args[0], int):
                    try:
                        return owner.shape[args[0]]
                    except IndexError:
                        return Unknown("size() out of range")
                return tuple(owner.shape)
            if name == "numel":
                return shape_numel(owner.shape) or Unknown("numel()")
            if name == "tolist" and owner.shape is not None and len(owner.shape) == 1 and \
                    isinstance(owner.shape[0], int):
                return ListV([Unknown("a value of a tensor")] * owner.shape[0])
            if name == "dim" and owner.shape is not None:
                return len(owner.shape)
        if isinstance(owner, ParamV):
            if name == "requires_grad_":
                m.before_change(owner)
                owner.trainable = _grad_arg(m, args, kwargs)
                return owner
            as_tensor = param_tensor(owner)
            if as_tensor is not None:
                # `self.scale_weight.view(1, -1, 1, 1)`: a new tensor of the parameter's values
                found = torch_tensors.tensor_method(m, as_tensor, name, args, kwargs)
                if found is not None:
                    return found
            if name in _RESIZING:
                # `p.set_(torch.zeros(10, 10))`, `p.data.resize_(10, 10)`: the parameter takes
                # another size, or torch raises (in place on a parameter that requires grad,
                # outside `no_grad`; `resize_` of one that requires grad): unknown either way
                _resized(m, owner, None)
                return owner
            if name in ("numel",) and owner.numel is not None:
                return owner.numel
        if isinstance(owner, ContainerV) or isinstance(owner, InstanceV) and \
                owner.framework == "torch":
            if name not in _READ_ONLY_MODULE_METHODS:
                # a method not modelled may change what the module holds: never left as it was
                m.taint(owner)
                owner.exact = False
        return Unknown(f"{name}() is not evaluated")

    @staticmethod
    def bare_torch_module(cls: ClassV) -> bool:
        """A class whose every base outside the project is torch's bare `nn.Module`: its
        `__init__` must reach Module.__init__ before it assigns a submodule (any other base the
        evaluator does not read may have done that itself)."""
        outside = cls.framework_bases()
        return bool(outside) and all(torch_short(q) == "Module" for q in outside)

    @staticmethod
    def registers(value: Any) -> bool:
        """What torch's Module.__setattr__ registers (and refuses before Module.__init__)."""
        return isinstance(value, (LayerObj, ContainerV, ParamV)) or \
            isinstance(value, InstanceV) and value.framework == "torch"

    def walk_modules(self, m: Machine, owner: Any, name: str, args: tuple, kwargs: dict) -> Any:
        """torch's `modules()` and `named_modules()` (the module, then each submodule once,
        depth first), and `apply(fn)`, which calls fn on each submodule, then on the module:
        so a loop or an `apply` that changes the layers it meets (`m.bias = None`) is followed."""
        pairs = _named_modules(owner)
        if not all(getattr(module, "exact", True) for _, module in pairs):
            if name == "apply":
                _spoil(m, pairs)  # what fn changes in a module the code does not fix is unknown
                return owner
            return Unknown(f"{name}() of a module the code changed unknowably")
        if name == "apply":
            if len(args) != 1 or kwargs:
                return Unknown("apply() with other arguments")
            fn = m.deref(args[0])
            if isinstance(fn, FuncV) and function_only_reads(fn.node, 0) or \
                    isinstance(fn, BoundV) and function_only_reads(fn.func.node, 1):
                return owner  # it reads each module only: nothing to follow (module_walks)
            for module in _post_order(owner):
                m.call(args[0], (module,), {}, None)
            return owner
        if args or kwargs:
            return Unknown(f"{name}() with arguments")
        return tuple(v for _, v in pairs) if name == "modules" else tuple(pairs)

    def container_pop(self, m: Machine, owner: ContainerV, key: Any) -> Any:
        """`ModuleDict.pop(key)`, `ModuleList.pop(index)`: the member, gone from the container."""
        m.taint(owner)
        members = owner.members
        if owner.kind in ("ModuleDict", "ParameterDict"):
            for i, (name, value) in enumerate(members):
                if name == key:
                    del members[i]
                    return value
        elif isinstance(key, int) and not isinstance(key, bool) and \
                -len(members) <= key < len(members):
            value = members.pop(key)[1]
            owner.members = _renumbered(members)
            return value
        owner.exact = False
        return Unknown("pop() of a member the code does not fix")

    # Keras ---------------------------------------------------------------------------------------
    def call_keras(self, m: Machine, short: str, qualname: str, args: tuple, kwargs: dict,
                   node: Any) -> Any:
        if short in ("Input", "InputLayer"):
            shape = kwargs.get("shape", args[0] if args else kwargs.get("input_shape"))
            given = m.deref(shape)
            if isinstance(given, int) and not isinstance(given, bool):
                raise python_raises("ValueError", f"keras.{short}(shape={given}): Keras cannot "
                                                  "convert an int to a shape")
            shape = _shape_tuple(m, shape)
            batch = kwargs.get("batch_shape")
            if shape is None and batch is not None:
                shape = _shape_tuple(m, batch)
            else:
                shape = (None, *shape) if shape is not None else None
            made = TensorV(shape, "keras")
            made.inputs = frozenset({made.serial})
            return made
        if short == "Sequential":
            model = KerasModelV("Sequential", [], site=self.recorder.site_of(node), node=node)
            _keep_name(m, model, kwargs)
            _keep_trainable(model, kwargs)
            layers = args[0] if args else kwargs.get("layers")
            if layers is not None:
                items = m.iterate(layers)
                if items is None:
                    model.exact = False
                else:
                    for item in items:
                        self.sequential_add(m, model, item)
            self.recorder.record_model(model)
            return model
        if short in ("Model", "Functional"):
            inputs = kwargs.get("inputs", args[0] if args else None)
            outputs = kwargs.get("outputs", args[1] if len(args) > 1 else None)
            model = self.functional(m, inputs, outputs, node)
            _keep_name(m, model, kwargs)
            _keep_trainable(model, kwargs)
            return model
        if short == "shape" and args and qualname.split(".")[-2] == "ops":
            tensor = m.deref(args[0])
            if isinstance(tensor, TensorV) and tensor.shape is not None:
                return tuple(tensor.shape)
        if {"ops", "activations"} & set(qualname.split(".")[:-1]):
            return self.keras_op(m, short, args, kwargs)
        if short in _KERAS_MERGE_FUNCTIONS and args:
            spec = lookup(f"keras.layers.{_KERAS_MERGE_FUNCTIONS[short]}")
            if spec is not None:
                layer = self.construct(m, spec, (), {k: v for k, v in kwargs.items()}, node)
                return self.call_layer(m, layer, (args[0],), {})
        if short == "image_data_format":
            return self.keras_data_format
        if short == "set_image_data_format":
            return self.set_image_data_format(m, args, kwargs)
        if short in ("int_shape",) and args:
            tensor = m.deref(args[0])
            if isinstance(tensor, TensorV) and tensor.shape is not None:
                return tuple(tensor.shape)
            return Unknown("int_shape()")
        if short in ("is_keras_tensor",) and args:
            return isinstance(m.deref(args[0]), TensorV) or Unknown("is_keras_tensor()")
        return Unknown(f"{qualname}() is not evaluated")

    def keras_op(self, m: Machine, short: str, args: tuple, kwargs: dict) -> Any:
        """`keras.ops` and `keras.activations` on tensors: the shape of what they return."""
        values = [m.deref(a) for a in args]
        tensors = [v for v in values if isinstance(v, TensorV)]
        if not tensors or short in ("shape", "ndim", "size", "is_tensor", "dtype",
                                    "convert_to_numpy", "get", "serialize"):
            return Unknown(f"{short}() is not evaluated")
        history = _history(tensors).union(*(_untraced(v) for v in values))
        sources = _sources(values)
        if short in _KERAS_SAME_SHAPE and isinstance(values[0], TensorV):
            return TensorV(values[0].shape, "keras", history, inputs=sources)
        if short in _KERAS_BROADCAST and len(values) == 2:
            if all(isinstance(v, TensorV) or isinstance(v, (int, float)) and
                   not isinstance(v, bool) for v in values):
                return TensorV(_broadcast([t.shape for t in tensors]), "keras", history,
                               inputs=sources)
        if short == "matmul" and len(values) == 2 and len(tensors) == 2:
            return TensorV(_matmul_shape(values[0].shape, values[1].shape), "keras", history,
                           inputs=sources)
        return TensorV(None, "keras", history, inputs=sources)

    def functional(self, m: Machine, inputs: Any, outputs: Any, node: Any) -> KerasModelV:
        model = KerasModelV("Model", [], inputs, outputs, site=self.recorder.site_of(node),
                            node=node)
        self.trace_graph(m, model)
        self.recorder.record_model(model)
        return model

    def trace_graph(self, m: Machine, model: KerasModelV) -> None:
        """A functional model's layers: every one behind its outputs."""
        outs = m.deref(model.outputs)
        out_list = m.iterate(outs) if not isinstance(outs, TensorV) else [outs]
        if isinstance(outs, DictV):
            out_list = list(outs.items.values()) if outs.exact else None
        if out_list is None or not all(isinstance(m.deref(o), TensorV) for o in out_list):
            model.exact = False
            return
        given = _keras_tensors(m, model.inputs)
        # Given a tensor some layers computed (`Model(x, head(x))`), the model starts there:
        # those layers are not its own, unless it calls one of them again
        upstream = _history([t for t in given or () if isinstance(t, TensorV)])
        if any(getattr(layer, "attrs", {}).get("__calls__", 1) != 1 for layer in upstream):
            model.exact = False
        layers: dict[int, Any] = {}
        for out in out_list:
            for layer in m.deref(out).layers:
                if layer not in upstream:
                    layers[getattr(layer, "id", -id(layer))] = layer
        model.layers = [layers[key] for key in sorted(layers)]
        _refuse_same_names(model.layers, "the model")
        _refuse_disconnected(given, [m.deref(o) for o in out_list])
        if len(out_list) == 1:
            model.output_shape = m.deref(out_list[0]).shape

    def call_keras_model(self, m: Machine, model: KerasModelV, args: tuple, kwargs: dict) -> Any:
        x = m.deref(args[0]) if args else m.deref(kwargs.get("inputs"))
        rerun = None
        if model.kind == "Sequential":
            if isinstance(x, TensorV) and model.input_shape is None and x.shape is not None:
                model.input_shape = x.shape
                self.sequential_flow(m, model)
            elif isinstance(x, TensorV) and x.shape is not None and \
                    model.input_shape is not None and (
                        len(x.shape) != len(model.input_shape) or
                        any(_clash(a, b) for a, b in zip(x.shape, model.input_shape,
                                                             strict=True))):
                # called on another shape than it was built on: Keras runs its layers on this
                # one, and a layer built on other channels refuses it
                rerun = self.run_layers(m, model, x)
        layers = frozenset(model.layers)
        out_shape = None
        if rerun is not None:
            out_shape = rerun.shape if isinstance(rerun, TensorV) else None
        elif model.kind == "Model":
            outs = m.deref(model.outputs)
            if isinstance(outs, TensorV):
                out_shape = outs.shape
        else:
            out_shape = model.output_shape
        base = x.layers if isinstance(x, TensorV) else _untraced(x)
        return TensorV(out_shape, "keras", base | layers | {_ModelNode(model)},
                       inputs=_sources((x,)))

    def sequential_add(self, m: Machine, model: KerasModelV, item: Any) -> None:
        item = m.deref(item)
        m.taint(model)
        if isinstance(item, TensorV) and model.attrs.get("__input__"):
            raise python_raises("ValueError", "Sequential already has an Input layer: Keras "
                                              "refuses another")
        if isinstance(item, TensorV) and not model.layers:
            model.input_shape = item.shape
            model.attrs["__input__"] = True
            return
        model.layers.append(item)
        _refuse_same_names(model.layers, "a Sequential")
        if model.input_shape is None and len(model.layers) == 1 and isinstance(item, LayerObj):
            shape = item.attrs.get("__input_shape__")
            if shape is not None:
                model.input_shape = shape
                model.attrs["__input__"] = True  # (Keras puts an InputLayer before it)
        elif model.input_shape is None and len(model.layers) == 1 and \
                isinstance(item, KerasModelV):
            # a model first: its input is this one's (`Sequential([base, Dense(2)])`)
            inputs = m.deref(item.inputs)
            model.input_shape = item.input_shape if item.input_shape is not None else \
                inputs.shape if isinstance(inputs, TensorV) else None
        if model.input_shape is not None:
            self.sequential_flow(m, model)

    def sequential_flow(self, m: Machine, model: KerasModelV) -> None:
        x = self.run_layers(m, model, TensorV(model.input_shape, "keras"))
        model.output_shape = x.shape if isinstance(x, TensorV) else None

    def run_layers(self, m: Machine, model: KerasModelV, x: Any) -> Any:
        """A Sequential's layers called one after another on `x`: what the last returns."""
        for layer in model.layers:
            if isinstance(layer, LayerObj):
                x = self.call_layer(m, layer, (x,), {})
            elif isinstance(layer, KerasModelV):
                x = self.call_keras_model(m, layer, (x,), {})
            elif isinstance(layer, InstanceV) and layer.framework == "keras":
                x = self.call_keras_instance(m, layer, (x,), {})
            else:
                x = TensorV(None, "keras")
        return x

    def keras_model_method(self, m: Machine, model: KerasModelV, name: str, args: tuple,
                           kwargs: dict) -> Any:
        if name in KERAS_REWEIGHING:
            m.taint(model)
            model.exact = False  # its layers' weights change in ways the catalogue does not count
            return None
        if name == "add" and args and model.kind == "Sequential":
            self.sequential_add(m, model, args[0])
            return None
        if name == "build" and model.kind == "Sequential":
            shape = _shape_tuple(m, args[0] if args else kwargs.get("input_shape"))
            if shape is not None:
                m.taint(model)
                model.input_shape = shape
                self.sequential_flow(m, model)
            return None
        if name == "pop" and model.kind == "Sequential" and model.layers:
            m.taint(model)
            return model.layers.pop()
        if name == "get_layer":
            return Unknown("get_layer()")
        if name in _KERAS_RETURNS_NONE:
            return None
        # fit, predict, count_params, get_config…: nothing that changes the weights, and a value
        # the evaluator does not follow
        return Unknown(f"{model.kind}.{name}()")

    def call_keras_instance(self, m: Machine, layer: InstanceV, args: tuple, kwargs: dict) -> Any:
        """A Keras layer or model of the project called on a tensor, as `Layer.__call__` does it:
        the first call runs `build(input_shape)` (the shape with its batch axis), then the output
        shape is what `compute_output_shape` says, else what `call` computes."""
        x = m.deref(args[0]) if args else m.deref(kwargs.get("inputs"))
        history = x.layers if isinstance(x, TensorV) else _untraced(x)
        shape = x.shape if isinstance(x, TensorV) else None
        if not layer.built:
            layer.built = True
            build = layer.cls.lookup("build")
            if isinstance(build, FuncV):
                if shape is None:
                    layer.exact = False  # its weights rest on an input shape the code does not fix
                else:
                    m.call_function(build, (layer, tuple(shape)), {})
        out: Any = None
        compute = layer.cls.lookup("compute_output_shape")
        if isinstance(compute, FuncV):
            if shape is not None:
                out = _shape_tuple(m, m.call_function(compute, (layer, tuple(shape)), {}))
        else:
            call = layer.cls.lookup("call")
            if isinstance(call, FuncV):
                rest = {k: v for k, v in kwargs.items() if k != "inputs"}
                result = m.deref(m.call_function(call, (layer, x, *args[1:]), rest))
                if isinstance(result, TensorV):
                    out = result.shape
        layer.output_shape = out
        return TensorV(out, "keras", history | {layer}, inputs=_sources((x,)))

    def add_weight(self, m: Machine, args: tuple, kwargs: dict) -> TensorV:
        """`self.add_weight(shape=..., trainable=...)`: a weight of the layer. Keras 3 takes the
        shape first; Keras 2 the name (a string), then the shape."""
        positional = list(args)
        if positional and isinstance(m.deref(positional[0]), str):
            positional.pop(0)
        raw = kwargs.get("shape", positional[0] if positional else None)
        raw = m.deref(raw)
        for name in ("initializer", "regularizer", "constraint"):
            refused = keras_identifier_refusal(name, m.deref(kwargs.get(name)))
            if refused:
                raise python_raises("ValueError", refused)
        shape = () if raw is None else _shape_tuple(m, raw)
        trainable = m.deref(kwargs.get("trainable", True))
        numel = shape_numel(shape) if shape is not None and None not in shape else None
        param = ParamV(numel, trainable is not False)
        return TensorV(shape, "keras", param=param)

    def call_layer(self, m: Machine, layer: LayerObj, args: tuple, kwargs: dict) -> Any:
        spec = layer.spec
        if spec.framework != "keras":
            if not args and not kwargs and "forward" not in layer.attrs:
                # every catalogued torch layer's forward takes its input (tests/test_torch_names)
                raise python_raises("TypeError", f"{spec.short}.forward() missing its input")
            return torch_tensors.layer_called(self, m, layer, args, kwargs)
        x = m.deref(args[0]) if args else m.deref(kwargs.get("inputs"))
        # what else it is called on (an attention's value and key, a recurrent layer's
        # initial_state, a mask): Keras' graph holds what they come from too
        others = _call_tensors(m, args[1:], {k: v for k, v in kwargs.items() if k != "inputs"})
        if spec.family in ("merge", "wrapper", "scores"):
            made = self.merge(m, layer, x) if spec.family == "merge" else \
                self.call_wrapper(m, layer, x) if spec.family == "wrapper" else \
                self.call_scores(m, layer, args[0] if args else kwargs.get("inputs"), kwargs)
            if others:
                made.layers = layer.attrs["__history__"] = made.layers | _history_of(others)
                made.inputs = _sources([made, *others])
            return made
        value = key = None
        if spec.family == "attention":
            value = m.deref(args[1]) if len(args) > 1 else m.deref(kwargs.get("value"))
            key = m.deref(args[2]) if len(args) > 2 else m.deref(kwargs.get("key"))
            key = value if key is None else key
            for slot, tensor in (("__value_channels__", value), ("__key_channels__", key)):
                if isinstance(tensor, TensorV) and tensor.shape:
                    layer.attrs[slot] = tensor.shape[-1]
        if not isinstance(x, TensorV):
            layer.output_shape = None
            return TensorV(None, "keras", frozenset({layer}) | _untraced(x) |
                           _history_of(others))
        shape = x.shape
        rank = _keras_rank(spec)
        if rank is not None and shape is not None and len(shape) != rank:
            # Keras checks the input's rank against the layer's input spec at each call
            _refuse_call(layer, f"Keras expects an input of rank {rank}, not {len(shape)}")
        if spec.short == "Reshape" and shape is not None:
            refused = _reshape_refused(layer.values.get("target_shape"), shape)
            if refused:
                _refuse_call(layer, refused)
        if spec.formula is None and shape is not None:
            # a layer without weights checks the input of each call (UnitNormalization's axes)
            refused = value_refusal(spec, Given(_plain_values(layer.values),
                                                shape=_plain(tuple(shape))))
            if refused:
                _refuse_call(layer, refused)
        built_on = layer.attrs.get("__built_shape__")
        if layer.built and spec.formula is not None and built_on is not None and \
                shape is not None and _clash(_keras_in_channels(layer, shape),
                                             _keras_in_channels(layer, built_on)):
            # called again on other channels than its weights were built for: Keras checks
            # the input against the spec the first call set
            _refuse_call(layer, "Keras refuses an input of other channels than it was built on")
        attention_refused = _attention_refusal(layer, shape, value, key) \
            if spec.family == "attention" else ""
        if attention_refused and not layer.built and spec.checks_inputs_in_build:
            # its build checks the value and the key before it makes any weight: never built
            _refuse_call(layer, attention_refused)
        if not layer.built:
            if shape is None:
                layer.why = layer.why or "its input shape is not fixed by the code"
            else:
                self.keras_build(layer, shape)
        if spec.family == "conv_rnn" and shape is not None:
            refused = _conv_rnn_refusal(layer, shape)
            if refused:  # (where it is called: its weights are made)
                _refuse_call(layer, refused)
        # (a recurrent layer's initial_state is not checked where the model is made)
        if attention_refused:  # (compute_output_shape, once its weights are made)
            _refuse_call(layer, attention_refused)
        # (whether Keras accepts these shapes is not known here: the model's total is not)
        undecided = frozenset({Unknown(f"whether {spec.short} accepts what it is called on")}) \
            if attention_refused is None else frozenset()
        out = keras_output_shape(layer, shape)
        if out is not None and any(isinstance(d, int) and d <= 0 for d in out[1:]):
            if spec.family == "shape" and spec.short.startswith(_EMPTIED_REFUSED):
                # compute_output_shape raises on a window or a crop the input cannot hold
                _refuse_call(layer, f"the output size would be zero or negative (an input "
                                    f"of shape {tuple(shape)})")
            out = None  # an axis taken away otherwise: Keras refuses it, here or downstream
        layer.output_shape = out
        inputs = x.inputs if not others else _sources([x, *others])
        history = x.layers | {layer} | _history_of(others) | undecided
        result = _called(layer, TensorV(out, "keras", history, inputs=inputs))
        if spec.family == "rnn":
            return _with_states(layer, result, shape)
        return result

    def call_wrapper(self, m: Machine, layer: LayerObj, x: Any) -> TensorV:
        """TimeDistributed calls its very layer on each time step (the time axis taken out);
        Bidirectional calls its two copies (keras_wrapper_held) on the sequences. The wrapper's
        line counts what they hold, as its count_params() does; the model counts the held
        layers themselves (attrs), each once."""
        history = (x.layers if isinstance(x, TensorV) else _untraced(x)) | {layer}
        inputs = x.inputs if isinstance(x, TensorV) else None
        shape = x.shape if isinstance(x, TensorV) else None
        held = _held(layer)
        out: tuple | None = None
        if held and shape is not None:
            if not layer.built:
                self.build_wrapper(layer, shape)
            step = _step(layer, shape)
            item = held[0][1]
            built_on = item.attrs.get("__built_shape__")
            if layer.spec.short == "RNN":
                out = _rnn_output(layer, shape)
            elif built_on is None or not _clash(_keras_in_channels(item, step),
                                                _keras_in_channels(item, built_on)):
                outs = [self.call_layer(m, each, (TensorV(step, "keras"),), {})
                        for _, each in held]
                out = _wrapped_shape(layer, shape, outs[0].shape
                                     if isinstance(outs[0], TensorV) else None)
            # (else: its layers were built on other sizes, which Keras keeps; what they give
            # now is not followed)
        elif not held:
            layer.why = layer.why or "the layer it wraps is not one the evaluator holds"
        layer.output_shape = out
        return _called(layer, TensorV(out, "keras", history, inputs=inputs))

    def build_wrapper(self, layer: LayerObj, shape: tuple) -> None:
        """Keras' Wrapper.build (and Bidirectional's): the layers it holds are built on each
        time step's shape (TimeDistributed) or on the sequences, unless built already; the
        wrapper's line counts what they hold, as its count_params() does, and the model counts
        the held layers themselves (attrs), each once."""
        held = _held(layer)
        if layer.spec.short == "TimeDistributed" and len(shape) < 3:
            _refuse_call(layer, "TimeDistributed needs an input of rank 3 or more")
        layer.built = True
        if not held:  # (its count stays unknown)
            layer.why = layer.why or "the layer it wraps is not one the evaluator holds"
            return
        step = _step(layer, shape)
        made: dict[str, ParamV] | None = {}
        for name, item in held:
            if not item.built:
                self.keras_build(item, step)
            if layer.spec.short == "RNN":  # (a stacked cell takes the one before's output)
                step = (shape[0], item.values.get("units"))
            # (a wrapper held, Bidirectional's RNN: what it holds, kept for its own line)
            weights = item.made_params if item.spec.family == "wrapper" else item.params
            if weights is None or item.speculative or made is None:
                layer.why = layer.why or item.why or f"its {name} is not counted"
                made = None
            else:
                made.update((f"{name}.{key}", p) for key, p in weights.items())
        if made is not None:
            layer.params, layer.made_params = {}, made
        if layer.spec.short == "SpectralNormalization":
            _spectral_vector(layer, held[0][1])

    def call_scores(self, m: Machine, layer: LayerObj, inputs: Any, kwargs: dict) -> TensorV:
        """Attention and AdditiveAttention, called on the list [query, value] or
        [query, value, key]: built on the query's shape (AdditiveAttention's scale spans its
        last axis), they give the query's shape with the value's last axis."""
        items = m.iterate(inputs) if isinstance(m.deref(inputs), ListV) else None
        tensors = [m.deref(t) for t in items] if items is not None else []
        history: frozenset = frozenset({layer}) | _untraced(inputs if items is None else None)
        for t in tensors:
            history = history | (t.layers if isinstance(t, TensorV) else _untraced(t))
        if isinstance(m.deref(inputs), TensorV) or items is not None and \
                not 2 <= len(tensors) <= 3:
            # (_validate_inputs: a list of two or three, nothing else)
            _refuse_call(layer, f"{layer.spec.short} is called on a list [query, value] or "
                                "[query, value, key]")
        shapes = [t.shape if isinstance(t, TensorV) else None for t in tensors]
        out = None
        if len(shapes) >= 2 and shapes[0] is not None and shapes[1] is not None and \
                shapes[0] and shapes[1]:
            if not layer.built:
                self.keras_build(layer, shapes[0])
            scores = m.deref(kwargs.get("return_attention_scores", False))
            out = (*shapes[0][:-1], shapes[1][-1]) if scores is False else None
        elif not layer.built:
            layer.why = layer.why or "its inputs' shapes are not fixed by the code"
        layer.output_shape = out
        return _called(layer, TensorV(out, "keras", history, inputs=_sources(tensors)
                                      if items is not None else None))

    def keras_build(self, layer: LayerObj, shape: tuple) -> None:
        if layer.spec.family == "wrapper":
            self.build_wrapper(layer, shape)
            return
        layer.built = True
        spec = layer.spec
        if spec.formula is None:
            layer.params = {}
            return
        in_ch = _keras_in_channels(layer, shape)
        if in_ch is None:  # which axis holds the channels, or their number, is not fixed
            in_ch = Unknown("the input channels")
        self.build(layer, in_ch, shape)
        layer.attrs["__built_shape__"] = shape
        _raise_if_refused(layer)  # Keras checks the input where it builds the weights

    def merge(self, m: Machine, layer: LayerObj, inputs: Any) -> Any:
        items = m.iterate(inputs)
        tensors = [m.deref(t) for t in items] if items is not None else []
        history: frozenset = frozenset({layer}) | _untraced(inputs if items is None else None)
        for t in tensors:
            history = history | (t.layers if isinstance(t, TensorV) else _untraced(t))
        out = layer.output_shape = _merged_shape(layer, tensors)  # (or Keras refuses them)
        layer.built = True
        layer.params = {}
        sources = _sources(tensors) if items is not None else None
        return _called(layer, TensorV(out, "keras", history, inputs=sources))


# torch.nn.utils' weight reparametrizations, old and new (parametrizations.*): their signatures
_REPARAMETRIZATIONS = {
    **{f"torch.nn.utils.{path}": ("module", "name", "dim") for path in (
        "weight_norm", "weight_norm.weight_norm", "parametrizations.weight_norm")},
    **{f"torch.nn.utils.{path}": ("module", "name", "n_power_iterations", "eps", "dim")
       for path in ("spectral_norm", "spectral_norm.spectral_norm",
                    "parametrizations.spectral_norm")},
}


def _reparametrized(m: Machine, qualname: str, args: tuple, kwargs: dict) -> Any:
    """`weight_norm(layer)`, `spectral_norm(layer)` on a torch layer whose parameters the
    evaluator holds: the layer itself, its `name` parameter replaced. weight_norm makes two
    (a direction v of its shape and a magnitude g, of the size along `dim`, or one value for
    dim=None or -1); spectral_norm one of its shape (its u and v are buffers). Their new
    Parameters require grad whatever the old did. Anything else: unknown, and the layer's
    parameters with it."""
    names = _REPARAMETRIZATIONS[qualname]
    bound = dict(zip(names, args, strict=False))
    layer = m.deref(bound.get("module", kwargs.get("module")))
    if len(args) > len(names) or set(kwargs) - set(names) or set(kwargs) & set(bound):
        if isinstance(layer, LayerObj):
            layer.lose_count(f"{qualname}() with arguments it does not take")
        return Unknown(f"{qualname}() with arguments it does not take")
    bound.update(kwargs)
    norm = qualname.rsplit(".", 1)[1] == "weight_norm"
    name = m.deref(bound.get("name", "weight"))
    dim = m.deref(bound.get("dim", 0 if norm else None))
    param = layer.params.get(name) if isinstance(layer, LayerObj) and \
        layer.spec.framework == "torch" and layer.params is not None and \
        isinstance(name, str) else None
    shape = param.shape if param is not None else None
    size = None if shape is None else 1 if dim is None or dim == -1 else \
        shape[dim] if type(dim) is int and 0 <= dim < len(shape) else None
    if param is None or layer.speculative or m.speculative or size is None:
        if isinstance(layer, LayerObj) and layer.params is not None:
            m.taint(layer)
            layer.lose_count(f"{qualname}() on what the evaluator does not follow")
        return Unknown(f"{qualname}() on what the evaluator does not follow")
    m.taint(layer)
    if layer.made_params is None:  # (what its line counts: what the constructor made)
        layer.made_params = layer.params
    kept = {key: p for key, p in layer.params.items() if key != name}
    plain = param.plain  # (made where the parameter they replace is, as it is)
    if not norm:
        new = {f"parametrizations.{name}.original" if ".parametrizations." in qualname else
               f"{name}_orig": ParamV(param.numel, True, shape=shape, plain=plain)}
    elif ".parametrizations." in qualname:
        new = {f"parametrizations.{name}.original0": ParamV(size, True, plain=plain),
               f"parametrizations.{name}.original1": ParamV(param.numel, True, shape=shape,
                                                            plain=plain)}
    else:
        new = {f"{name}_g": ParamV(size, True, plain=plain),
               f"{name}_v": ParamV(param.numel, True, shape=shape, plain=plain)}
    layer.params = {**kept, **new}
    layer.attrs[torch_tensors.ALTERED] = True  # (its forward recomputes the weight: no dry run)
    return layer


def _held(layer: LayerObj) -> list[tuple[str, LayerObj]]:
    """The layers a Keras wrapper holds (keras_wrapper_held)."""
    return [(name, item) for name, item in layer.attrs.items()
            if name in ("layer", "forward_layer", "backward_layer", "cell") or
            name.startswith("cells.")]


def _step(layer: LayerObj, shape: tuple) -> tuple:
    """What a wrapper hands its layers: each time step (TimeDistributed, RNN), or the
    sequences."""
    return (shape[0], *shape[2:]) if layer.spec.short in ("TimeDistributed", "RNN") else shape


def _wrapped_shape(layer: LayerObj, shape: tuple, inner: tuple | None) -> tuple | None:
    """A wrapper's output shape from its layer's (compute_output_shape): TimeDistributed puts
    the time axis back; Bidirectional joins the two directions as `merge_mode` says (a list of
    two, or states returned too: not followed)."""
    if inner is None:
        return None
    if layer.spec.short == "TimeDistributed":
        return (inner[0], shape[1], *inner[1:])
    if layer.spec.short == "SpectralNormalization":
        return inner
    if layer.spec.short == "RNN":
        sequences = layer.values.get("return_sequences", False)
        if layer.values.get("return_state", False) is not False or \
                sequences not in (True, False):
            return None  # (a list, the states with it; or a flag the code does not fix)
        return (inner[0], shape[1], *inner[1:]) if sequences else inner
    held = layer.attrs["forward_layer"]
    mode = layer.values.get("merge_mode", "concat")
    if held.values.get("return_state", False) is not False or not isinstance(mode, str):
        return None
    if mode == "concat":
        last = inner[-1]
        return (*inner[:-1], 2 * last) if type(last) is int else None
    return inner


def keras_wrapper_held(m: Machine, layer: LayerObj) -> None:
    """What a Keras wrapper holds, once its __init__ has run: TimeDistributed the very layer it
    is given; Bidirectional two fresh layers from that layer's config (Keras deserializes
    them: the layer given is never built), the second going backwards. Only a catalogued Keras
    layer nothing was set on since its constructor is held; anything else leaves the wrapper's
    count unknown."""
    if layer.spec.short == "RNN":
        _rnn_cells_held(m, layer)
        return
    inner = m.deref(layer.values.get("layer"))
    cells = _held(inner) if isinstance(inner, LayerObj) and inner.spec.short == "RNN" else []
    if not isinstance(inner, LayerObj) or inner.spec.framework != "keras" or inner.refused or \
            any(not name.startswith("__") and (name, inner.attrs[name]) not in cells
                for name in inner.attrs):
        return
    if inner.spec.short == "RNN" and (layer.spec.short != "Bidirectional" or not cells or
                                      inner.built or any(c.built for _, c in cells)):
        # (an RNN whose cells are not held, or built already: the copies' sizes are not
        # followed; TimeDistributed and SpectralNormalization do not take one)
        return
    if layer.spec.short in ("TimeDistributed", "SpectralNormalization"):
        layer.attrs["layer"] = inner
        return
    if inner.spec.family != "rnn" and inner.spec.short != "RNN":
        # its copy is made with go_backwards in its config, which only a recurrent layer takes
        _refuse(layer, f"Keras cannot make {inner.spec.short} go backwards (it takes no "
                       "go_backwards)")
        raise _refusal(layer, layer.why)
    if layer.values.get("backward_layer") is not None or layer.values.get("weights") is not None:
        return
    backwards = inner.values.get("go_backwards", False)
    if backwards is True:
        # both copies would go backwards: _verify_layer_config raises
        _refuse(layer, "Keras refuses a layer that goes backwards already (go_backwards=True)")
        raise _refusal(layer, layer.why)
    if backwards is not False:
        return
    for name, goes_back in (("forward_layer", False), ("backward_layer", True)):
        copy = layer.attrs[name] = LayerObj(
            inner.spec, inner.site, {**inner.values, "go_backwards": goes_back}, None,
            inner.via, inner.speculative or layer.speculative, inner.why, frozen=inner.frozen)
        for cell_name, cell in cells:  # (an RNN's copy deserializes fresh cells too)
            copy.attrs[cell_name] = LayerObj(cell.spec, cell.site, dict(cell.values), None,
                                             cell.via, cell.speculative or layer.speculative,
                                             cell.why, frozen=cell.frozen)
        if inner.built:
            # its config carries its build config: the copy is built on the same shape
            copy.built = True
            copy.params = None if inner.params is None else {
                key: ParamV(p.numel, p.trainable, shape=p.shape)
                for key, p in inner.params.items()}
            copy.attrs["__built_shape__"] = inner.attrs.get("__built_shape__")


def _spectral_vector(wrapper: LayerObj, inner: LayerObj) -> None:
    """SpectralNormalization.build, once its layer is built: a non-trainable `vector_u` of
    (1, the last axis of the layer's kernel, or its embeddings); Keras refuses a layer with
    neither."""
    spec = inner.spec
    # (the Keras layers with a `kernel` attribute: a recurrent layer's is its cell's, a
    # separable convolution has two of other names)
    name = "embeddings" if spec.family == "embedding" else "kernel" \
        if spec.family in ("linear", "conv", "einsum", "rnn_cell") and \
        not spec.short.startswith("SeparableConv") else None
    if name is None:
        _refuse_call(wrapper, f"{spec.short} has no kernel nor embeddings to normalize")
    if inner.params is None or wrapper.params is None:
        return
    kernel = inner.params.get(name)
    if kernel is None:
        _refuse_call(wrapper, f"{spec.short} has no kernel nor embeddings to normalize")
    if kernel.shape is None or type(kernel.shape[-1]) is not int:
        wrapper.params = None
        wrapper.why = "the width of its layer's kernel is not fixed"
        return
    vector = ParamV(kernel.shape[-1], False, shape=(1, kernel.shape[-1]))
    wrapper.params = {"vector_u": vector}
    if wrapper.made_params is not None:
        wrapper.made_params = {**wrapper.made_params, "vector_u": vector}


def _rnn_output(layer: LayerObj, shape: tuple) -> tuple | None:
    """An RNN's output, as its compute_output_shape gives it (what Keras checks when the
    model is made): the last cell's units, at each step where it returns sequences. (Keras
    does not check there that a cell built earlier fits the steps.)"""
    if len(shape) < 2:
        return None
    units = _held(layer)[-1][1].values.get("units")
    return _wrapped_shape(layer, shape, (shape[0], units) if type(units) is int else None)


def _rnn_cells_held(m: Machine, layer: LayerObj) -> None:
    """RNN holds the very cell it is given, or a StackedRNNCells of the cells in a list: each a
    catalogued cell nothing was set on since its constructor, or the RNN's count stays
    unknown. Its __init__ refuses a cell whose state size is no int (a SimpleRNNCell's or a
    GRUCell's `units`)."""
    given = m.deref(layer.values.get("cell"))
    items = m.iterate(given) if isinstance(given, (ListV, tuple)) else [given]
    cells = [m.deref(item) for item in items] if items is not None else []
    if not cells or not all(isinstance(c, LayerObj) and c.spec.family == "rnn_cell" and
                            not c.refused and
                            not any(not name.startswith("__") for name in c.attrs)
                            for c in cells):
        return
    for cell in cells:
        units = cell.values.get("units")
        if cell.spec.short != "LSTMCell" and not isinstance(units, (int, Unknown)):
            _refuse(layer, f"the RNN cell's state size must be an int, not {units!r}")
            raise _refusal(layer, layer.why)
    if len(cells) == 1 and not isinstance(given, (ListV, tuple)):
        layer.attrs["cell"] = cells[0]
    else:
        for i, cell in enumerate(cells):
            layer.attrs[f"cells.{i}"] = cell


def _keras_tensors(m: Machine, inputs: Any) -> list[Any] | None:
    """The values a functional model is given as its inputs (one, a list or tuple, a dict),
    or None where the code does not fix them."""
    given = m.deref(inputs)
    if isinstance(given, TensorV):
        return [given]
    if isinstance(given, DictV):
        return list(given.items.values()) if given.exact else None
    items = m.iterate(given)
    return [m.deref(i) for i in items] if items is not None else None


def _refuse_disconnected(given: list[Any] | None, outputs: list[TensorV]) -> None:
    """Keras refuses a functional model an output of which is computed from an `Input` that
    is not among its inputs ("Output ... is not connected to `inputs`")."""
    allowed = _sources(given) if given is not None else None
    if allowed is None:
        return
    for out in outputs:
        if out.inputs is not None and not out.inputs <= allowed:
            raise python_raises("ValueError", "Keras refuses a model whose output is not "
                                              "connected to its inputs")


# A tensor's in-place methods that give it another number of elements.
_RESIZING = frozenset({"set_", "resize_", "resize_as_", "as_strided_"})


def _resized(m: Machine, param: ParamV, numel: int | None) -> None:
    """The parameter now holds `numel` elements (None: a number the code does not fix); its
    layer's line keeps counting what the constructor made."""
    m.taint(param)
    if param.made_numel is None:
        param.made_numel = param.numel
    param.numel = numel


def _keras_track(m: Machine, layer: InstanceV, value: Any) -> None:
    """A Keras layer of the project keeps tracking `value` (a weight it added, a layer or a list
    of them an attribute held before it was set anew or deleted) whatever becomes of the
    attribute: Keras' tracker never lets go of it, and counts it."""
    value = m.deref(value)
    if value is None or is_plain(value) or isinstance(value, Unknown):
        return
    m.taint(layer)
    held = layer.attrs.setdefault("__tracked__", ListV([]))
    if not any(item is value for item in held.items):
        held.items.append(value)


def _module_getattr(m: Machine, module: InstanceV, name: str) -> Any:
    """torch's `Module.__getattr__`, which a class's own `__getattr__` hands on to: what the
    module registered under that name (its parameters, buffers and submodules), else
    AttributeError."""
    if name in module.attrs:
        value = module.attrs[name]
        registered = Frameworks.registers(value) or isinstance(value, TensorV) or value is None
        return value if registered else Unknown(f"{name}, which torch keeps outside its registries")
    found = m.frameworks.get_attribute(m, module, name)
    if type(found) is Absent:
        raise python_raises("AttributeError", f"{module.cls.name} has no attribute {name}")
    return found if found is not None and found is not IS_NONE else Unknown(name)


def _called(layer: LayerObj, out: TensorV) -> TensorV:
    """`out`, what a call of the Keras layer returned; the layer keeps how often it was called
    and what the last call's output came from (_keras_layers)."""
    layer.attrs["__calls__"] = layer.attrs.get("__calls__", 0) + 1
    layer.attrs["__history__"] = out.layers
    return out


def _keras_layers(m: Machine, model: KerasModelV) -> ListV:
    """`model.layers`. A Sequential's are the layers in the order they were added. A functional
    model's, as Keras lists them: its InputLayer, then its layers by their depth from the
    output. The evaluator knows that order where the layers form one chain from one input,
    each called once, each built on all those before it (then depth follows creation, a
    shortcut to a later layer included); elsewhere the list's order is not fixed, so neither is
    an index into it (a loop over it runs as a loop over unknown items)."""
    if model.kind != "Model":
        return ListV(list(model.layers), model.exact)
    inputs = m.deref(model.inputs)
    if isinstance(inputs, ListV) and inputs.exact and len(inputs.items) == 1:
        inputs = m.deref(inputs.items[0])
    chain = isinstance(inputs, TensorV) and not inputs.layers and model.exact
    layers = sorted(model.layers, key=lambda layer: getattr(layer, "id", -1))
    before: frozenset = frozenset()
    for layer in layers if chain else ():
        before = before | {layer}
        if not isinstance(layer, LayerObj) or layer.attrs.get("__calls__") != 1 or \
                layer.attrs.get("__history__") != before:
            chain = False
            break
    if not chain:
        return ListV(list(model.layers), exact=False)
    return ListV([Weightless("the model's InputLayer"), *layers], exact=True)


def _merged_shape(layer: LayerObj, tensors: list[Any]) -> tuple | None:
    """What a merge layer (Add, Concatenate, ...) gives its inputs: None where a shape is not
    fixed."""
    if not tensors or not all(isinstance(t, TensorV) and t.shape is not None for t in tensors):
        return None
    shapes = [t.shape for t in tensors]
    if layer.spec.short == "Concatenate":
        axis = layer.values.get("axis", -1)
        rank = len(shapes[0])
        if not isinstance(axis, int) or any(len(s) != rank for s in shapes) or \
                not -rank <= axis < rank:
            return None  # (an axis past the rank: Keras refuses it)
        axis = axis % rank
        if any(_clash(s[i], shapes[0][i]) for s in shapes for i in range(rank) if i != axis):
            _refuse_call(layer, "Keras concatenates only inputs whose other axes agree")
        dims = [s[axis] for s in shapes]
        total = sum(dims) if all(isinstance(d, int) for d in dims) else None
        return tuple(total if i == axis else shapes[0][i] for i in range(rank))
    if len({len(s) for s in shapes}) != 1 or (layer.spec.short == "Subtract" and
                                               len(shapes) != 2):
        return None
    out = list(shapes[0])
    for shape in shapes[1:]:
        for i, d in enumerate(shape):
            if _clash(d, out[i]) and 1 not in (d, out[i]):
                _refuse_call(layer, f"Keras refuses inputs of incompatible shapes ({d} and "
                                    f"{out[i]} along an axis)")
            if out[i] == 1 or out[i] is None:
                out[i] = d if out[i] == 1 else None
    return tuple(out)


def _reshape_refused(target: Any, shape: tuple) -> str:
    """Why Keras refuses `Reshape(target)` of an input of `shape` (batch axis first): more than
    one -1, or a size that is not the input's; "" where it does not, or where a size is not
    fixed."""
    if isinstance(target, ListV):
        target = tuple(target.items) if target.exact else None
    if not isinstance(target, tuple) or not all(type(d) is int for d in target):
        return ""
    if target.count(-1) > 1:
        return "Keras takes at most one -1 in target_shape"
    if not all(type(d) is int for d in shape[1:]):
        return ""
    total = math.prod(shape[1:])
    known = math.prod(d for d in target if d != -1)
    if known <= 0 or (total % known if -1 in target else total != known):
        return f"Keras cannot reshape {total} values to {target}"
    return ""


def _refuse_same_names(layers: list[Any], where: str) -> None:
    """Keras raises ValueError where two layers of one model were given the same `name`."""
    names = [layer.values.get("name") for layer in layers if isinstance(layer, LayerObj)]
    given = [name for name in names if isinstance(name, str)]
    if len(given) != len(set(given)):
        raise python_raises("ValueError", f"two layers of {where} are named alike: Keras wants "
                                          "unique names")


def _keras_rank(spec: LayerSpec) -> int | None:
    """The rank (batch axis included) a Keras layer's input spec asks for: an n-D convolution,
    pooling or global pooling n + 2, a recurrent layer 3; None where the evaluator does not
    check it."""
    short = spec.short
    if spec.family == "rnn" and short in ("LSTM", "GRU", "SimpleRNN"):
        return 3
    if spec.family == "conv_rnn":  # (batch, time, *spatial, channels)
        return spec.ndim + 3
    if short == "RepeatVector":
        return 2
    if short[-2:] in ("1D", "2D", "3D") and (spec.family == "conv" or "Pool" in short) and \
            not short.startswith("Adaptive"):  # (adaptive pooling takes any rank)
        return int(short[-2]) + 2
    return None


def _clash(a: Any, b: Any) -> bool:
    """Two sizes, both known, that differ."""
    return isinstance(a, int) and isinstance(b, int) and a != b


def _keep_name(m: Machine, model: KerasModelV, kwargs: dict) -> None:
    """`Sequential(..., name="head")`: what `model.name` gives, and the summary's name for it."""
    name = m.deref(kwargs.get("name"))
    if isinstance(name, str):
        model.attrs["name"] = name


def _refuse(layer: LayerObj, why: str) -> None:
    """The framework refuses the layer as built or called: no count, and `why` says so."""
    layer.params, layer.why, layer.refused = None, why, True


def _refuse_call(layer: LayerObj, why: str) -> None:
    """Keras refuses to call the layer on this input, and raises. A layer not built yet never
    gets its weights (no count); one built by an earlier call keeps them."""
    if not layer.built:
        _refuse(layer, why)
    raise _refusal(layer, why)


def _raise_if_refused(layer: LayerObj) -> None:
    """The framework raises where it refuses the arguments (torch in the constructor, Keras also
    where it builds): the code after it does not run, unless an `except` catches it. Which class
    it raises (ValueError, TypeError, RuntimeError, an AssertionError) is the framework's own
    business, so only `except Exception` or a bare `except` is sure to catch it."""
    if layer.refused:
        raise _refusal(layer, layer.why)


class LayerRefused(UserRaise):
    """What the framework raises where it refuses a layer: said where the layer is built, or,
    Keras', where a call of the code builds or calls it (Frameworks.call)."""

    def __init__(self, layer: LayerObj, why: str, site: tuple[str, int, int]) -> None:
        path, line, _column = site
        # (none for a layer no call of the code makes: a builder that is a subclass of the
        # layer, called with no arguments, whose site holds the last file the machine ran)
        where = f"{os.path.basename(path)}:{line}, " if path and line else ""
        super().__init__(ExceptionV(ExternalV(f"{layer.spec.framework}.refused"), (why,)),
                         f"{where}{layer.spec.short}: {why}")
        self.layer, self.why = layer, why

    def at(self, site: tuple[str, int, int]) -> LayerRefused:
        return LayerRefused(self.layer, self.why, site) if site[1] else self


def _refusal(layer: LayerObj, why: str) -> UserRaise:
    """What the framework raises where it refuses the layer, said where the layer is built."""
    return LayerRefused(layer, why, layer.site)


_COUNTS: dict[tuple, tuple] = {}
_MAX_COUNTS = 50_000


def _hashable_value(value: Any) -> Any:
    """A key for a concrete argument, or raise TypeError when it is not one."""
    kind = type(value)
    if kind in SCALAR_TYPES:  # most arguments: what the last test below gives them
        return (kind.__name__, value)
    if isinstance(value, ListV):
        if not value.exact:
            raise TypeError("an inexact list")
        return ("list", tuple(_hashable_value(v) for v in value.items))
    if isinstance(value, tuple):
        return ("tuple", tuple(_hashable_value(v) for v in value))
    if is_plain(value):
        return (type(value).__name__, value)
    raise TypeError("not a plain value")


def _held_module(spec: LayerSpec, values: dict[str, Any]) -> str:
    """The first of the layer's module arguments that may be a module with weights of its own
    (which the layer would hold as a submodule); "" where none is."""
    for name in spec.module_args:
        value = values.get(name)
        if not (value is None or isinstance(value, str) or _weightless_module_argument(value)):
            return name
    return ""


def _weightless_module_argument(value: Any) -> bool:
    """What a layer keeps from a module argument owns no parameter: a function, a class, a
    framework name, or a framework layer that never owns any. (A module of the project's, or
    an unknown, may own some.)"""
    if isinstance(value, LayerObj):
        return value.spec.formula is None and not value.refused
    return isinstance(value, (FrameworkName, ExternalV, FuncV, BoundV, PartialV, ClassV,
                              Weightless))


def _deep_copy_layer(value: Any, made: dict[int, Any] | None = None) -> LayerObj | None:
    """`copy.deepcopy` of a torch layer whose every parameter the evaluator holds, and of the
    layers set on it (`layer.linear1 = nn.Linear(...)`): fresh tensors of the same sizes and
    flags, and what two names shared stays shared (`made`, deepcopy's memo). None for anything
    else (a module of the project, a tensor or an unknown set on it)."""
    made = {} if made is None else made
    if id(value) in made:
        return made[id(value)]
    if not isinstance(value, LayerObj) or value.spec.framework != "torch" or \
            value.params is None or value.speculative or value.refused:
        return None
    params = {}
    for name, param in value.params.items():
        if id(param) not in made:
            made[id(param)] = ParamV(param.numel, None if value.frozen is None or
                                     param.trainable is None else
                                     param.trainable and not value.frozen, shape=param.shape)
        params[name] = made[id(param)]
    out = LayerObj(value.spec, value.site, value.values, params, value.via, False, value.why,
                   {}, True, node=value.node)
    made[id(value)] = out
    for name, item in value.attrs.items():
        if isinstance(item, LayerObj):
            item = _deep_copy_layer(item, made)
            if item is None:
                return None
        elif not (name.startswith("__") or item is None or is_plain(item)):
            return None
        out.attrs[name] = item
    return out


# torch functions that change no module they are handed (the rest may: weight_norm adds a
# parameter, fuse_modules replaces layers)
_TORCH_LEAVING_MODULES = ("torch.jit.", "torch.compile", "torch.save", "torch.onnx.",
                          "torch.nn.utils.parameters_to_vector", "torch.nn.utils.clip_grad",
                          "torch._C.", "torch.cuda.", "torch.backends.", "torch.autograd.",
                          "torch.no_grad", "torch.enable_grad", "torch.set_grad_enabled",
                          "torch.manual_seed", "torch.is_tensor", "torch.numel", "torch.typename",
                          "torch.utils.checkpoint", "torch.nn.functional.")

# torch callables that change no module they are handed, and give back an object that shares
# it (ModuleAlias). (DistributedDataParallel raises where no process group was set up: the
# module was built before, and keeps its count.)
_TORCH_SHARING_MODULES = frozenset({
    "torch.compile", "torch.jit.script", "torch.jit.trace", "torch.nn.DataParallel",
    "torch.nn.parallel.DataParallel", "torch.nn.parallel.data_parallel.DataParallel",
    "torch.nn.parallel.DistributedDataParallel",
    "torch.nn.parallel.distributed.DistributedDataParallel"})
# Methods of a module that change none of its parameters; read through a ModuleAlias, what they
# give still shares them (`.to(device)` is the module, `.parameters()` its own tensors)
_ALIAS_READS = frozenset({
    "parameters", "named_parameters", "modules", "named_modules", "children", "named_children",
    "buffers", "named_buffers", "state_dict", "eval", "train", "to", "cpu", "cuda", "half",
    "float", "double", "bfloat16", "type", "zero_grad", "forward", "extra_repr",
    "register_forward_hook", "register_forward_pre_hook", "register_full_backward_hook",
    "register_backward_hook", "get_submodule", "get_parameter", "share_memory"})


def shared_modules(value: Any) -> tuple[Any, ...]:
    """The torch modules that `value` is, or shares (ModuleAlias)."""
    if type(value) is ModuleAlias:
        return value.modules
    return (value,) if is_torch_module(value) else ()


# Tensor attributes that are no method: what they read is not kept for a parameter
_TENSOR_DATA = frozenset({"shape", "ndim", "T", "mT", "device", "dtype", "is_leaf", "layout",
                          "is_cuda", "names", "itemsize", "nbytes"})
# Module attributes that are data, not methods: `if layer.training:` reads a bool
_MODULE_DATA = frozenset({"training", "dump_patches", "call_super_init", "trainable", "name",
                          "dtype", "built", "input_spec", "weights", "trainable_weights",
                          "non_trainable_weights"})


def _flag_set(m: Machine, layer: LayerObj, name: str, value: Any) -> bool:
    """Whether `layer.<name> = value` sets a flag of a torch layer that owns no weights: an
    argument of its constructor whose default is a bool, set to a bool, where it certainly
    runs."""
    return type(value) is bool and layer.spec.framework == "torch" and layer.params == {} and \
        not m.speculative and not layer.speculative and \
        any(p.name == name and type(p.default) is bool for p in layer.spec.signature)


def param_tensor(param: ParamV) -> TensorV | None:
    """A torch parameter the code computes with, as the plain tensor it is (ParamV.plain); None
    where its shape is not known or it may be on another device or of another dtype."""
    if not param.plain or param.shape is None or not whole_shape(param.shape):
        return None
    return TensorV(param.shape, "torch", plain=True)


def _placed_or_moded(m: Machine, owner: Any, name: str, args: tuple, kwargs: dict) -> None:
    """What `module.<name>(...)` changes in the layers under a torch module (a Keras layer has
    no train/eval): their device, dtype or hooks (`.to()`, `.half()`), or their mode."""
    if name in _PLACING:
        torch_tensors.altered(m, owner)
    if name in ("train", "eval") and not _is_keras(owner):
        torch_tensors.set_mode(m, owner, _training_mode(m, name, args, kwargs))


def _training_mode(m: Machine, name: str, args: tuple, kwargs: dict) -> bool | None:
    """The mode `module.train(mode)` or `module.eval()` puts it in; None where the code does not
    fix it."""
    if name == "eval":
        return False if not args and not kwargs else None
    mode = m.deref(args[0]) if args else m.deref(kwargs.get("mode", True))
    return mode if type(mode) is bool else None


def _module_data(owner: Any, name: str) -> Any:
    if name == "trainable" and isinstance(owner, LayerObj) and owner.spec.framework == "keras" \
            and owner.frozen is not None:
        return not owner.frozen
    return Weightless(f"{name} of a module")


def _stored(layer: LayerObj, name: str, value: Any, held: bool) -> Any:
    """The attribute `name` of a torch layer given `value` for the argument of that name, in
    the form its class keeps it (catalogue.LayerSpec.stored); unknown where the code does not
    fix it. A None it was given may be kept as another value (`kdim`: embed_dim)."""
    form = dict(layer.spec.stored).get(name)
    unknown = Held(f"{layer.spec.short}.{name}") if held else \
        Unknown(f"{layer.spec.short}.{name}")
    if value is None or form == "opaque":
        return unknown
    if form is None:
        keras_string = layer.spec.framework == "keras" and isinstance(value, str)
        return unknown if keras_string else value
    items = tuple(value.items) if isinstance(value, ListV) and value.exact else value
    numbers = (int, float)
    if form == "lower":
        return items.lower() if isinstance(items, str) else unknown
    if form == "clamp":
        return min(1.0, max(0.0, items)) if isinstance(items, numbers) else unknown
    if form == "pairs":  # a (before, after) pair per spatial dimension (the pair alone in 1D)
        pairs = _pairs(items, layer.spec.ndim)
        return unknown if pairs is None else pairs[0] if layer.spec.ndim == 1 else pairs
    if form in ("spread", "spread_unless_str", "spread_twice"):
        if isinstance(items, str) and form == "spread_unless_str":
            return items
        if isinstance(items, (tuple, str)):
            return tuple(items)
        count = layer.spec.ndim * (2 if form == "spread_twice" else 1)
        return (items,) * count if isinstance(items, numbers) and count else unknown
    if form == "index":
        size = layer.values.get("num_embeddings")
        if type(items) is int and type(size) is int:
            return items + size if items < 0 else items
        return unknown
    if form == "shape":
        if type(items) is int:
            return (items,)
        return tuple(items) if isinstance(items, tuple) else unknown
    if form == "scale":
        if isinstance(items, numbers):
            return float(items) if items else IS_NONE
        if isinstance(items, tuple) and all(isinstance(f, numbers) for f in items):
            return tuple(float(f) for f in items) if items else IS_NONE
        return unknown
    return unknown


def _deleted(layer: LayerObj, name: str) -> bool | None:
    """Whether `del` took the attribute from the layer; None where that depends on a condition
    the code does not fix (the worlds' join left the names deleted unknown)."""
    gone = layer.attrs.get(_DELETED)
    if gone is None:
        return False
    return name in gone if isinstance(gone, frozenset) else None


def torch_layer_has(layer: LayerObj, name: str) -> bool | None:
    """Whether a torch layer of the catalogue has the attribute, where the evaluator knows all it
    has (its parameters known, torch_names.LAYER_ATTRIBUTES for the rest, what the code set on
    it); None where it does not (a Keras layer, a count the code does not fix:
    `LSTM.weight_ih_l1` may be there). Reading none of them, so that `hasattr` changes nothing
    (reading `_modules` or a stacked submodule leaves the layer not followed)."""
    if layer.spec.framework != "torch" or layer.params is None:
        return None
    deleted = _deleted(layer, name)
    if deleted is not False:
        return None if deleted is None else False
    names = LAYER_ATTRIBUTES.get(layer.spec.short)
    if names is None:
        return None
    return name in names or name in MODULE_ATTRIBUTES or name in layer.params or \
        name in layer.attrs or name in _tensor_names(layer)


def _tensor_names(layer: LayerObj) -> set[str]:
    """The names the layer's class registers a tensor under, present or not (a Linear without
    bias registers `bias` as None): its formula's, as for its arguments."""
    if layer.spec.formula is None:
        return set()
    try:
        values = {k: as_q(v) for k, v in layer.values.items()}
        tensors = layer.spec.formula(Args(values, Q.unknown("in_channels"), layer.spec.ndim))
    except Exception:  # a formula that cannot read these arguments: no name is claimed
        return set()
    # (torch's LSTM, GRU and RNN register none of the tensors they do not make: no
    # `weight_hr_l0` without proj_size, no `bias_ih_l0` without bias)
    registers_absent = layer.spec.short not in ("LSTM", "GRU", "RNN")
    return {t.name for t in tensors if "." not in t.name and
            (registers_absent or t.present.known and t.present.exact is True)}


def _count_key(layer: LayerObj, in_channels: Any, input_shape: tuple | None) -> tuple | None:
    if layer.why:
        return None
    try:
        return (layer.spec.name, tuple(sorted((k, _hashable_value(v))
                                              for k, v in layer.values.items())),
                _hashable_value(in_channels), _hashable_value(input_shape),
                tuple((slot, _hashable_value(layer.attrs[slot])) for slot in
                      ("__value_channels__", "__key_channels__") if slot in layer.attrs))
    except TypeError:
        return None


# Methods of torch.nn.Module (and its containers) that change no module, parameter or member it
# holds, or that the evaluator models elsewhere. Any other, called on a module of the project
# or a container, leaves it inexact.
_READ_ONLY_MODULE_METHODS = frozenset({
    "modules", "named_modules", "parameters", "named_parameters", "buffers", "named_buffers",
    "children", "named_children", "state_dict", "load_state_dict", "register_forward_hook",
    "register_forward_pre_hook", "register_backward_hook", "register_full_backward_hook",
    "register_full_backward_pre_hook", "register_state_dict_pre_hook",
    "register_load_state_dict_post_hook", "zero_grad", "reset_parameters", "extra_repr",
    "forward", "train", "eval", "to", "cuda", "cpu", "float", "half", "double", "bfloat16",
    "type", "share_memory", "get_submodule", "get_parameter", "get_buffer", "keys", "values",
    "items", "index", "count", "__len__", "__repr__", "_get_name", "requires_grad_", "apply",
    "to_empty", "ipu", "xpu", "mtia",
})


# Base classes that no layer class of the catalogue derives from
_BARE_BASES = frozenset({"torch.nn.Module", "torch.nn.modules.module.Module", "builtins.object",
                         "keras.layers.Layer", "keras.Layer", "keras.Model", "keras.models.Model"})


def _named_parameters(owner: Any) -> list[tuple[str, ParamV]] | None:
    """torch's `named_parameters()`: each module once, depth first, its own parameters (in the
    order registered) before its submodules'; each parameter once, under the first name met.
    None where the evaluator does not hold every module and parameter met (a module changed
    unknowably, a count not fixed, an attribute that may be a module)."""
    out: list[tuple[str, ParamV]] = []
    modules: set[int] = set()
    params: set[int] = set()

    def own(prefix: str, items: Any) -> None:
        for key, param in items:
            if id(param) not in params:
                params.add(id(param))
                out.append((prefix + key, param))

    def layer_params(layer: LayerObj) -> dict[str, ParamV] | None:
        if layer.params is None or layer.speculative or layer.refused or \
                any(".*." in key for key in layer.params):
            return None  # (nn.Transformer's layers are held as counts, not one by one)
        if layer.frozen or layer.frozen is None:  # requires_grad_(False) set each tensor's flag
            for param in layer.params.values():
                param.trainable = None if layer.frozen is None else False
            layer.frozen = False
        return layer.params

    def walk(value: Any, prefix: str) -> bool:
        if id(value) in modules:
            return True
        modules.add(id(value))
        children: list[tuple[str, Any]]
        if isinstance(value, LayerObj):
            found = layer_params(value)
            if found is None:
                return False
            own(prefix, found.items())
            children = [(k, v) for k, v in value.attrs.items() if _is_module(v)]
        elif isinstance(value, ContainerV):
            if not value.exact:
                return False
            children = []
            if value.kind in ("ParameterList", "ParameterDict"):
                members = [(k, v.param if isinstance(v, TensorV) else v) for k, v in value.members]
                if not all(isinstance(p, ParamV) for _, p in members):
                    return False
                own(prefix, members)
            else:
                children = list(value.members)
        elif isinstance(value, InstanceV) and value.framework == "torch":
            if not value.exact:
                return False
            children = []
            for key, item in value.attrs.items():
                if key == "__base_layer__":  # a subclass of a layer: the layer's own tensors
                    found = layer_params(item) if isinstance(item, LayerObj) else None
                    if found is None:
                        return False
                    own(prefix, found.items())
                elif isinstance(item, ParamV) or isinstance(item, TensorV) and item.param:
                    own(prefix, [(key, item if isinstance(item, ParamV) else item.param)])
                elif _is_module(item):
                    children.append((key, item))
                elif isinstance(item, Unknown) and not isinstance(item, (Weightless, Absent)):
                    return False
            children += list(value.members)
        else:
            return False
        return all(walk(child, f"{prefix}{key}.") for key, child in children)

    return out if walk(owner, "") else None


def _submodules(owner: Any) -> list[tuple[str, Any]]:
    """A module's registered children. A layer of the catalogue has those set on it and, for a
    layer built of layers, a view of each submodule its tensors name (`self_attn`, `linear1`:
    SubmoduleV, an unknown to the code that meets it, so that `isinstance(m, nn.LayerNorm)` in
    a loop over modules() leaves what it decides unknown). Its parameterless submodules (a
    Transformer layer's Dropouts) are not listed."""
    if isinstance(owner, LayerObj) or type(owner) is SubmoduleV:
        layer, prefix = (owner, "") if isinstance(owner, LayerObj) else \
            (owner.layer, f"{owner.prefix}.")
        if layer.spec.framework != "torch":
            return []
        found: list[tuple[str, Any]] = []
        names: list[str] = []
        for key in layer.params or {}:
            if key.startswith(prefix) and "." in key[len(prefix):]:
                name = key[len(prefix):].split(".", 1)[0]
                if name not in names and ".*." not in key:
                    names.append(name)
        found += [(name, SubmoduleV(layer, prefix + name)) for name in names]
        found += [(k[len(prefix):], v) for k, v in layer.attrs.items()
                  if k.startswith(prefix) and "." not in k[len(prefix):] and _is_module(v)]
        return found
    return _children(owner)


def _named_modules(owner: Any) -> list[tuple[str, Any]]:
    """torch's `named_modules()`: ("", the module), then each submodule once, depth first."""
    found: list[tuple[str, Any]] = []
    seen: set[int] = set()

    def visit(prefix: str, module: Any) -> None:
        if id(module) in seen:
            return
        seen.add(id(module))
        found.append((prefix, module))
        for child_name, child in _submodules(module):
            visit(f"{prefix}.{child_name}" if prefix else child_name, child)

    visit("", owner)
    return found


def _post_order(owner: Any) -> list[Any]:
    """The order `apply` calls its function in: each child's subtree, then the module."""
    order: list[Any] = []
    for _, child in _submodules(owner):
        order.extend(_post_order(child))
    order.append(owner)
    return order


def _spoil(m: Machine, pairs: list[tuple[str, Any]]) -> None:
    for _, module in pairs:
        if isinstance(module, (ContainerV, InstanceV)):
            m.taint(module)
            module.exact = False
        elif isinstance(module, LayerObj):
            module.params = None


def _renumbered(members: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """A Sequential's or ModuleList's members named 0, 1, 2, ... again, as torch renames them
    after one is taken out."""
    return [(str(i), v) for i, (_, v) in enumerate(members)]


def _drop_param(layer: LayerObj, name: str) -> None:
    """A parameter the layer no longer has: set to None, or deleted."""
    _drop_params(layer, lambda key: key == name)


def _drop_params(layer: LayerObj, gone: Callable[[str], bool]) -> None:
    if layer.made_params is None:  # the first change: what the constructor made
        layer.made_params = layer.params
    layer.params = {k: p for k, p in (layer.params or {}).items() if not gone(k)}


def _is_keras(value: Any) -> bool:
    return isinstance(value, KerasModelV) or isinstance(value, LayerObj) and \
        value.spec.framework == "keras" or isinstance(value, InstanceV) and \
        value.framework == "keras"


def _keras_frozen(flag: Any) -> bool | None:
    """Whether a Keras `trainable=` argument freezes (None where the code does not fix it)."""
    return not flag if is_plain(flag) else None


def _keep_trainable(model: KerasModelV, kwargs: dict) -> None:
    """`Sequential(..., trainable=False)`: the model's own flag only. Keras sets no sublayer's
    with it (its layers' weights stay trainable for a model that holds this one), but this
    model asked for its trainable weights gives none (totals.model_total)."""
    if "trainable" in kwargs:
        frozen = _keras_frozen(kwargs["trainable"])
        model.attrs["__trainable__"] = None if frozen is None else not frozen


def _keras_trainable(m: Machine, owner: Any, value: Any) -> None:
    """`layer.trainable = flag` on a Keras layer or model: Keras' setter sets the flag on it, on
    each of its trainable weights and, recursively, on its sublayers (a layer built later makes
    its weights with its flag). A weight a custom layer made non-trainable is not set trainable
    again: where the flag goes back to True, such a layer's weights are left unknown."""
    frozen = _keras_frozen(value)
    flag = None if frozen is None or m.speculative else not frozen
    stack, seen = [owner], set()
    while stack:
        item = m.deref(stack.pop())
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, LayerObj) and item.spec.framework == "keras":
            m.taint(item)
            _set_trainable(m, item, flag)
            # the layers it tracks: a wrapper's, or one set on it
            stack += [v for v in item.attrs.values() if isinstance(v, (LayerObj, InstanceV))]
        elif isinstance(item, KerasModelV):
            m.taint(item)
            item.attrs["__trainable__"] = flag
            stack += list(item.layers)
        elif isinstance(item, InstanceV) and item.framework == "keras":
            m.taint(item)
            item.attrs["__trainable__"] = flag
            stack += list(item.attrs.values())
        elif isinstance(item, (ListV, DictV)):
            stack += list(item.items.values() if isinstance(item, DictV) else item.items)
        elif isinstance(item, TensorV) and item.param is not None:
            m.before_change(item.param)
            item.param.trainable = False if flag is False else None
        elif isinstance(item, ParamV):
            m.before_change(item)
            item.trainable = False if flag is False else None


def _grad_arg(m: Machine, args: tuple, kwargs: dict) -> bool | None:
    """`requires_grad_(flag)`'s flag (`requires_grad=` too), as _settled gives it; None where
    the code does not fix it to a bool."""
    flag = m.deref(args[0]) if args else m.deref(kwargs.get("requires_grad", True))
    return _settled(m, flag) if isinstance(flag, bool) else None


def _frozen_by(trainable: bool | None) -> bool | None:
    return None if trainable is None else not trainable


def _settled(m: Machine, flag: bool) -> bool | None:
    """A `requires_grad` flag as it is set: None where a condition the code does not fix decides
    whether the setting runs (an arm run speculatively), so the trainable count is not fixed."""
    return None if m.speculative else flag


def _changed(m: Machine, layer: LayerObj, counts: bool = True) -> None:
    """`layer` was changed. Where a condition the code does not fix decides whether that ran
    (an arm run speculatively), a change to what it counts leaves its count unknown: both
    outcomes are possible."""
    m.taint(layer)
    if m.speculative and counts and layer.params is not None:
        layer.lose_count(f"{layer.spec.short} is changed under a condition the code does not "
                           "fix")


def _submodule_method(m: Machine, view: SubmoduleV, name: str, args: tuple, kwargs: dict
                      ) -> Any:
    """A method of a framework layer's submodule (`mha.out_proj.requires_grad_(False)`), on
    the layer's parameters under it. One the evaluator does not model may change it: the
    layer's count is unknown from then on."""
    layer, prefix = view.layer, f"{view.prefix}."
    if layer.params is None:
        return Unknown(f"{name}() of {view.why}")
    own = [(k[len(prefix):], p) for k, p in layer.params.items() if k.startswith(prefix)]
    nested = any(k.startswith(prefix) for k in layer.attrs)
    if name == "requires_grad_" and not nested:
        m.taint(layer)
        flag = _grad_arg(m, args, kwargs)
        for _, param in own:
            m.before_change(param)
            param.trainable = flag
        return view
    elif name in ("parameters", "named_parameters") and not args and not kwargs and not nested:
        items = [p for _, p in own] if name == "parameters" else own
        return IteratorV(lambda: iter(items))
    elif name in ("to", "cuda", "cpu", "train", "eval", "float", "half", "double", "bfloat16"):
        return view
    elif name in _READ_ONLY_MODULE_METHODS:
        return Unknown(f"{name}() of {view.why}")
    m.taint(layer)
    layer.lose_count(f"{name}() of {layer.spec.short}.{view.prefix} may change its parameters")
    return Unknown(f"{name}() of {view.why}")


def _overridden_hook(cls: ClassV, spec: LayerSpec, layer: LayerObj) -> FuncV | None:
    """The project's override of the method the layer class's __init__ calls on self
    (`reset_parameters`), where __init__ calls it: the first definition before the framework
    class in the method resolution order (a mixin after it is shadowed by the framework's own)."""
    name = spec.init_hook
    if name is None or (spec.hook_unless is not None and
                        layer.values.get(spec.hook_unless) is not None):
        return None
    for owner in cls.mro():
        if isinstance(owner, ExternalV):
            return None
        if isinstance(owner, ClassV) and name in owner.names:
            found = owner.names[name]
            return found if isinstance(found, FuncV) else None
    return None


def _holds_submodule(layer: LayerObj, name: str) -> bool:
    """`name` is a submodule of a torch layer of the catalogue (`out_proj` of a
    MultiheadAttention, `linear1` of a TransformerEncoderLayer): its parameters are the layer's
    under `name.`."""
    return layer.spec.framework == "torch" and layer.params is not None and \
        any(key.startswith(f"{name}.") for key in layer.params)


def _submodule(layer: LayerObj, name: str) -> Any:
    """`layer.name` where it is a submodule (else None): a view of the layer's parameters under
    it. One the catalogue counts as stacked copies (nn.Transformer's `encoder.layers.*`) has no
    such view: reading it leaves the layer's count unknown from then on, as anything may be done
    to a copy."""
    if not _holds_submodule(layer, name):
        return None
    if any(key.startswith(f"{name}.") and ".*." in key for key in layer.params or {}):
        layer.lose_count(f"{layer.spec.short}.{name} is read: its layers are counted, not held")
        return Unknown(f"{layer.spec.short}.{name}")
    return SubmoduleV(layer, name)


class _Method:
    """A framework object's method, called through Frameworks.call_method."""

    def __init__(self, owner: Any, name: str) -> None:
        self.owner = owner
        self.name = name


class _Buffer:
    """A registered buffer: state, not a parameter."""


class _DataclassWith:
    """`@dataclass(frozen=True)`: the decorator that `dataclass(...)` returns, with its options."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options


class _ModelNode:
    """A nested Keras model in a tensor's history (its layers are listed beside it)."""

    def __init__(self, model: KerasModelV) -> None:
        self.model = model
        self.id = id(model)


_COUNTED_ARGS = {
    "conv": ("in_channels", "out_channels", "kernel_size", "groups", "bias", "filters",
             "use_bias", "depth_multiplier"),
    "linear": ("in_features", "out_features", "bias", "units", "use_bias", "in1_features",
               "in2_features"),
    "norm": ("num_features", "affine", "num_channels", "num_groups", "normalized_shape",
             "elementwise_affine", "center", "scale"),
}


def _plain(value: Any) -> Any:
    """An argument as the framework receives it; UNKNOWN where the code does not fix it."""
    if isinstance(value, ListV):
        return [_plain(v) for v in value.items] if value.exact else UNKNOWN
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if is_plain(value):
        return value
    return UNKNOWN


def _plain_values(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _plain(v) for k, v in values.items()}


def _keras_keywords_refused(qualname: str, spec: LayerSpec, kwargs: dict) -> str:
    """Keras 3's Layer.__init__ refuses a keyword argument the class does not take
    (`Dense(4, use_bais=False)`). Only for Keras 3 as `keras` names it: tf.keras and tf_keras
    are Keras 2, whose layers take others."""
    if spec.framework != "keras" or not qualname.startswith("keras."):
        return ""
    taken = KERAS_KEYWORDS.get(qualname.rpartition(".")[2])
    unknown = [name for name in kwargs if taken is not None and name not in taken]
    return f"Keras refuses keyword arguments {spec.short} does not take: " \
           f"{', '.join(unknown)}" if unknown else ""


def _call_refused(spec: LayerSpec, args: tuple, kwargs: dict, node: Any, hidden: bool) -> str:
    """Python's own refusals of the call (catalogue.call_refusal). A keyword written twice is read
    from the call's text: by the time the arguments are a dict, the repeat is gone."""
    keywords = list(kwargs)
    if isinstance(node, ast.Call):
        written = [kw.arg for kw in node.keywords if kw.arg is not None]
        if len(set(written)) < len(written):
            keywords = written
    given = {p.name for p in spec.signature[:len(args)]} | set(kwargs)
    return call_refusal(spec, len(args), keywords, hidden, given) or ""


def _drained(m: Machine, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """The framework's code iterates an iterator it is handed (torch's `_ntuple` for a kernel
    size, `ModuleList`'s `extend`) before it returns: its items are made here, as a tuple."""
    if IteratorV not in map(type, args) and IteratorV not in map(type, kwargs.values()):
        return args, kwargs

    def items(value: Any) -> Any:
        if type(value) is not IteratorV:
            return value
        made = m.iterate(value)
        return tuple(made) if made is not None else Unknown("an iterator the code does not fix")

    return tuple(map(items, args)), {k: items(v) for k, v in kwargs.items()}


_MODULE_CONTAINERS = frozenset(("Sequential", "ModuleList", "ModuleDict"))


def _refuse_non_modules(m: Machine, kind: str, members: list[tuple[Any, Any]]) -> None:
    """torch's add_module, which a Sequential, ModuleList or ModuleDict runs on each member it
    is given, takes a Module or None only, under a name with no "." (TypeError, KeyError)."""
    if kind not in _MODULE_CONTAINERS:
        return
    for name, value in members:
        value = m.deref(value)
        if is_plain(value) and value is not None or isinstance(value, (
                ListV, DictV, tuple, FuncV, ClassV, BoundV, PartialV, ParamV, TensorV)) or \
                isinstance(value, ExternalV) and lookup(canonical(value.qualname) or "") \
                is not None:  # (a layer class, not a layer: `nn.Sequential(nn.ReLU)`)
            raise python_raises("TypeError", f"nn.{kind}: {type(value).__name__} is not a "
                                             "Module subclass")
        _refuse_module_name(name, kind)


def _registered_as(held: Any, method: str) -> bool:
    """Whether what an instance holds under a name is what `method` registers there (a module,
    a parameter, a buffer): registering it again replaces it; anything else there is an
    attribute torch's check finds."""
    if method == "register_buffer":
        return isinstance(held, _Buffer)
    if method == "register_parameter":
        return held is None or isinstance(held, ParamV) or \
            isinstance(held, TensorV) and held.param is not None
    return held is None or _is_module(held)


def _refuse_module_name(name: Any, kind: str = "") -> None:
    """torch's add_module (and register_parameter, register_buffer): KeyError for an empty name,
    one with a ".", or one the module already has as an attribute of its class."""
    if not isinstance(name, str):
        return
    if name == "" or "." in name:
        raise python_raises("KeyError", f"module name {name!r}: torch takes no empty name and "
                                        "no \".\" in one")
    if name in MODULE_ATTRIBUTES or name in _TORCH_CONTAINER_NAMES.get(kind, ()):
        raise python_raises("KeyError", f"attribute {name!r} already exists")


_TORCH_MODULE = frozenset(("torch.nn.Module", "torch.nn.modules.module.Module"))


def _refuse_module_arguments(instance: InstanceV) -> None:
    """torch's Module.__init__ takes no arguments (TypeError), unless the class sets
    `call_super_init = True` to hand them on to a base after Module."""
    if instance.cls.lookup("call_super_init") is not True:
        raise python_raises("TypeError", "Module.__init__() takes no arguments")


_INTEGRAL_DTYPES = frozenset(f"torch.{name}" for name in (
    "long", "int64", "int", "int32", "short", "int16", "int8", "uint8", "bool", "uint16",
    "uint32", "uint64"))


_KERAS_INTEGRAL_DTYPES = frozenset(("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                                    "uint64", "bool"))


def _dtype_refusal(spec: LayerSpec, dtype: Any) -> str:
    """Why the framework refuses the dtype a layer with weights is given: torch makes
    parameters of a floating point or complex torch.dtype only, Keras initialises weights of a
    floating point dtype only. (A layer whose configuration has no weight would not raise: it is
    only left uncounted.)"""
    if spec.formula is None or dtype is None:
        return ""
    if spec.framework == "keras":
        integral = isinstance(dtype, str) and dtype in _KERAS_INTEGRAL_DTYPES
        return f"dtype {dtype!r}: Keras initialises weights of a floating point dtype only" \
            if integral else ""
    if _integral_dtype(dtype):
        return "dtype: torch makes parameters of a floating point or complex dtype only"
    if is_plain(dtype):
        return f"dtype must be a torch.dtype, not {dtype!r}"
    return ""


def _integral_dtype(value: Any) -> bool:
    return isinstance(value, ExternalV) and value.qualname in _INTEGRAL_DTYPES


def _integral_factory(m: Machine, short: str, args: tuple, kwargs: dict) -> bool:
    """Whether torch's factory makes a tensor of integers or booleans: a dtype= of one, or
    torch.full with an int or bool fill and no dtype (torch infers it from the fill)."""
    if "dtype" in kwargs:
        return _integral_dtype(m.deref(kwargs["dtype"]))
    if short == "full":
        fill = m.deref(args[1] if len(args) > 1 else kwargs.get("fill_value"))
        return type(fill) in (int, bool)
    return False


_TENSOR_ARITHMETIC = frozenset((ast.Mult, ast.Add, ast.Sub, ast.Div, ast.Pow, ast.FloorDiv,
                                ast.MatMult))


def _members_from(m: Machine, args: tuple, kind: str = "") -> list[tuple[str, Any]] | None:
    """`nn.Sequential(a, b)`, `nn.Sequential(OrderedDict(...))`, `nn.ModuleList([a, b])`. A
    Sequential takes its members one by one (a list given it is one member, which torch
    refuses); a ModuleList takes one iterable of them (a layer given it is not one)."""
    if len(args) == 1:
        only = m.deref(args[0])
        if isinstance(only, DictV):
            return [(str(k), v) for k, v in only.items.items()] if only.exact else None
        if kind == "ModuleList" and isinstance(only, LayerObj):
            raise python_raises("TypeError", "nn.ModuleList takes an iterable of modules, not "
                                             "a module")
        if kind != "Sequential" and not _is_module(only) and only is not None:
            # one iterable of them: a list, a tuple, a generator, a dict's values()
            items = m.iterate(only)
            return [(str(i), v) for i, v in enumerate(items)] if items is not None else None
    return [(str(i), m.deref(v)) for i, v in enumerate(args)]


def _is_module(value: Any) -> bool:
    return isinstance(value, (LayerObj, ContainerV)) or (isinstance(value, InstanceV) and
                                                        bool(value.framework))


def _freeze(m: Machine, owner: Any, frozen: bool | None) -> None:
    """`module.requires_grad_(False)`: torch sets it on every parameter the module holds at that
    moment, its submodules' included (a module added later is not frozen). `frozen` None: a
    condition the code does not fix decides whether it ran."""
    trainable = None if frozen is None else not frozen
    stack, seen = [owner], set()
    while stack:
        value = stack.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, LayerObj):
            _set_trainable(m, value, trainable)
            stack += [v for v in value.attrs.values() if _is_module(v)]
        elif isinstance(value, (InstanceV, ContainerV)):
            m.before_change(value)
            value.frozen = bool(frozen)
            stack += [v for _, v in _children(value)]
            if isinstance(value, InstanceV) and "__base_layer__" in value.attrs:
                stack.append(value.attrs["__base_layer__"])  # its own weights
            items = list(value.attrs.values()) if isinstance(value, InstanceV) else []
            items += [v for _, v in value.members]
            for item in items:
                param = item.param if isinstance(item, TensorV) else item
                if isinstance(param, ParamV):
                    m.before_change(param)
                    param.trainable = trainable


def _set_trainable(m: Machine, layer: LayerObj, trainable: bool | None) -> None:
    """`layer.requires_grad_(trainable)`: torch sets the flag of each of its tensors, which a
    later `layer.weight.requires_grad = True` sets again. (A layer whose tensors are not known
    yet, a Keras one before it is built, keeps the flag for all of them.)"""
    m.before_change(layer)
    if layer.spec.framework == "torch" and layer.params is not None:
        for param in layer.params.values():
            m.before_change(param)
            param.trainable = trainable
        layer.frozen = False
    else:
        layer.frozen = None if trainable is None else not trainable  # type: ignore[assignment]


def _children(owner: Any) -> list[tuple[str, Any]]:
    """What torch's `named_children()` gives: registered submodules in the order first set. (A
    subclass of a layer class is that layer: the layer the evaluator keeps for its own weights
    is no child of it.)"""
    pairs: list[tuple[str, Any]] = list(owner.members)
    if isinstance(owner, InstanceV):
        pairs += [(k, v) for k, v in owner.attrs.items() if _is_module(v) and k != "__base_layer__"]
    return [(k, v) for k, v in pairs if _is_module(v)]


def _is_container_class(instance: InstanceV) -> bool:
    return _container_kind(instance) is not None


def _container_kind(instance: InstanceV) -> str | None:
    """Which of torch's containers the instance's class derives from, if any."""
    for base in instance.cls.framework_bases():
        if base.rsplit(".", 1)[-1] in TORCH_CONTAINERS:
            return base.rsplit(".", 1)[-1]
    return None


_CACHING_DECORATORS = ("functools.cache", "functools.lru_cache")


# The container methods a subclass of one inherits (where it does not define its own).
_CONTAINER_METHODS = frozenset(("append", "extend", "insert", "pop", "update", "clear", "keys",
                                "values", "items"))


def _factory_shape(m: Machine, short: str, args: tuple, kwargs: dict) -> tuple | None:
    if short.endswith("_like"):
        other = m.deref(args[0]) if args else None
        return other.shape if isinstance(other, TensorV) else None
    if short in ("tensor", "as_tensor", "arange", "linspace", "Tensor", "FloatTensor"):
        return None
    dims: Any = args
    if short == "full":
        dims = args[:1]
    if short == "eye":
        n = args[0] if args else None
        cols = args[1] if len(args) > 1 else n
        return (n, cols) if isinstance(n, int) and isinstance(cols, int) else None
    if "size" in kwargs:
        dims = (kwargs["size"],)
    if len(dims) == 1:
        only = m.deref(dims[0])
        if isinstance(only, (tuple, ListV)):
            dims = tuple(only.items) if isinstance(only, ListV) else only
    dims = tuple(m.deref(d) for d in dims)
    if all(isinstance(d, int) and not isinstance(d, bool) for d in dims):
        return dims
    return None


def _shape_tuple(m: Machine, value: Any) -> tuple | None:
    value = m.deref(value)
    if isinstance(value, ListV) and value.exact:
        value = tuple(value.items)
    if isinstance(value, tuple) and all(d is None or isinstance(d, int) for d in value):
        return value
    if isinstance(value, int):
        return (value,)
    return None


# Keras layer methods the evaluator follows (Frameworks.call_method): the reweighing ones, and
# `adapt(data)`
_KERAS_LAYER_METHODS = KERAS_REWEIGHING | {"adapt"}

# A Keras model's methods that return None, and change no weight the catalogue counts.
_KERAS_RETURNS_NONE = frozenset({"summary", "compile", "save", "save_weights", "load_weights",
                                 "reset_metrics", "reset_states", "export"})


def _untraced(value: Any) -> frozenset:
    """What a layer is called on that is no tensor the evaluator follows (what a layer it does not
    model returned, `base.get_layer(name)(x)`): as part of a tensor's history, the unknown that
    keeps a model built from it from a certain total. Nothing for a tensor, a scalar or None."""
    value = value if not isinstance(value, (list, tuple)) else next(
        (v for v in value if isinstance(v, Unknown) and not isinstance(v, Weightless)), None)
    return frozenset({value}) if isinstance(value, Unknown) and not isinstance(value, Weightless) \
        else frozenset()


def _sources(values: Any) -> frozenset | None:
    """The Keras `Input`s a value computed from `values` comes from (TensorV.inputs): None
    where some value is no Keras tensor whose inputs are known, or a number."""
    found: frozenset = frozenset()
    for value in values:
        if isinstance(value, TensorV) and value.inputs is not None:
            found = found | value.inputs
        elif not (type(value) in (int, float) or isinstance(value, TensorV) and
                  value.framework == "keras" and value.param is not None):
            return None  # (a weight of a layer of the project is no input)
    return found


def _history_of(values: list[Any]) -> frozenset:
    """The Keras layers behind each of `values` (a tensor's, or what _untraced says of anything
    else)."""
    found: frozenset = frozenset()
    for value in values:
        found = found | (value.layers if isinstance(value, TensorV) else _untraced(value))
    return found


_NOT_TENSORS = frozenset({"training", "return_attention_scores", "use_causal_mask"})


def _call_tensors(m: Machine, args: tuple, kwargs: dict) -> list[Any]:
    """The Keras tensors among what a layer is called with besides its input (a list of them
    counts item by item), and anything the evaluator does not follow there, which may be one;
    flags such as `training=` are none."""
    found: list[Any] = []
    for value in (*args, *(v for k, v in kwargs.items() if k not in _NOT_TENSORS)):
        value = m.deref(value)
        items = [m.deref(item) for item in value.items] if isinstance(value, ListV) else \
            [m.deref(item) for item in value] if isinstance(value, tuple) else [value]
        found += [item for item in items if isinstance(item, (TensorV, Unknown))]
    return found


def _with_states(layer: LayerObj, output: TensorV, shape: tuple | None) -> Any:
    """A recurrent layer's result: its output, or with return_state=True the list of its output
    and its states (LSTM two, GRU and SimpleRNN one), each `(batch, units)`."""
    flag = layer.values.get("return_state", False)
    if flag is False or flag is None:
        return output
    if flag is not True:  # (whether it returns a list is not fixed)
        return TensorV(None, "keras", output.layers | {Unknown("return_state")},
                       inputs=output.inputs)
    units = layer.values.get("units")
    state = (shape[0], units) if shape and type(units) is int else None
    count = 2 if layer.spec.short == "LSTM" else 1
    return ListV([output, *(TensorV(state, "keras", output.layers, inputs=output.inputs)
                            for _ in range(count))])


def _attention_refusal(layer: LayerObj, query: tuple | None, value: Any, key: Any
                       ) -> str | None:
    """What MultiHeadAttention's and GroupQueryAttention's compute_output_shape refuse: a key
    and a value that differ in any axis but the last; and (GroupQueryAttention) a query and a
    value that differ in the last. None where the shapes do not say (a size not followed)."""
    shapes = [t.shape if isinstance(t, TensorV) else None for t in (value, key)]
    if not shapes[0] or not shapes[1]:
        return None
    rules = [(shapes[0][1:-1], shapes[1][1:-1], KEY_VALUE_LENGTHS_REFUSED)]
    if layer.spec.short == "GroupQueryAttention":
        if not query:
            return None
        rules.append(((query[-1],), (shapes[0][-1],),
                      "the query's last axis and the value's must be equal"))
    for a, b, why in rules:
        same = _same_shape(tuple(a), tuple(b))
        if same is None:
            return None
        if not same:
            return why
    return ""


def _same_shape(a: tuple, b: tuple) -> bool | None:
    """Whether Keras finds two shapes equal (None as a size it compares too); None where a size
    is not followed."""
    if len(a) != len(b):
        return False
    if not all(d is None or type(d) is int for d in (*a, *b)):
        return None
    return a == b


def _history(tensors: list[TensorV]) -> frozenset:
    """The Keras layers behind all of these tensors (a functional model's layers)."""
    found: frozenset = frozenset()
    for t in tensors:
        found = found | t.layers
    return found


def _broadcast(shapes: list[tuple | None]) -> tuple | None:
    """NumPy's broadcasting of shapes; None for a size (or a shape) the code does not fix."""
    if any(s is None for s in shapes):
        return None
    rank = max(len(s) for s in shapes)  # type: ignore[arg-type]
    out: list[Any] = []
    for i in range(rank):
        dims = [s[len(s) - rank + i] for s in shapes if len(s) - rank + i >= 0]  # type: ignore[arg-type]
        sizes = {d for d in dims if d != 1}
        known = {d for d in sizes if d is not None}
        if len(known) > 1:
            return None  # the framework refuses these shapes
        if known:
            out.append(known.pop())
        elif None in sizes:
            out.append(None)
        else:
            out.append(1)
    return tuple(out)


def _matmul_shape(a: tuple | None, b: tuple | None) -> tuple | None:
    """`a @ b` for operands of rank 2 or more: the batch axes broadcast, (n, k) @ (k, p) → (n, p).
    Sizes the code fixes that do not match: torch and Keras raise."""
    if a is None or b is None or len(a) < 2 or len(b) < 2:
        return None
    if type(a[-1]) is int and type(b[-2]) is int and a[-1] != b[-2]:
        raise python_raises("ValueError", f"a matrix product of {a[-1]} columns by {b[-2]} rows")
    if a[-1] is not None and b[-2] is not None and a[-1] != b[-2]:
        return None
    batch = _broadcast([a[:-2], b[:-2]])
    if batch is None:
        return None
    return (*batch, a[-2], b[-1])


def _keras_axis(layer: LayerObj) -> str | None:
    """Where the layer reads its channels: "first", "last", or None where the code does not fix
    its data_format. (Keras lowers the name: "Channels_First" is channels first too.)"""
    fmt = layer.values.get("data_format")
    if fmt is None:
        return "last"  # a layer that takes no data_format
    if isinstance(fmt, str):
        return "first" if fmt.lower() == "channels_first" else "last"
    return None


def _keras_in_channels(layer: LayerObj, shape: tuple) -> Any:
    spec = layer.spec
    if spec.family == "norm" and spec.short == "BatchNormalization" or \
            spec.short in ("LayerNormalization", "GroupNormalization", "RMSNormalization"):
        axis = layer.values.get("axis", -1)
        if isinstance(axis, int) and -len(shape) <= axis < len(shape):
            return shape[axis]
        return None
    first_at = spec.channels_first_axis
    if first_at is not None:
        axis = _keras_axis(layer)
        if axis is None:
            return None
        if axis == "first":  # (after the batch axis; a ConvLSTM's after time too)
            return shape[first_at + 1] if len(shape) > first_at + 1 else None
    return shape[-1] if shape else None


def _spread(value: Any, n: int) -> tuple | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,) * n
    if isinstance(value, ListV):
        value = tuple(value.items)
    if isinstance(value, tuple) and len(value) == n:
        return value
    return None


def keras_output_shape(layer: LayerObj, shape: tuple | None) -> tuple | None:
    """The layer's output shape (batch axis included), as its compute_output_shape says."""
    if shape is None:
        return None
    spec = layer.spec
    v = layer.values
    short = spec.short
    n = spec.ndim
    axis = _keras_axis(layer)
    first = axis == "first"
    if axis is None and (short.startswith("Global") or n and len(shape) == n + 2):
        return None  # which axis holds the channels is not fixed
    try:
        if short in ("Flatten",):
            rest = shape[1:]
            return (shape[0], math.prod(rest)) if all(isinstance(d, int) for d in rest) else \
                (shape[0], None)
        if short == "Lambda":
            # the shape its function gives is Keras' to work out by running it: only a tuple
            # `output_shape` (without the batch axis) says it here
            given = v.get("output_shape")  # (a list Keras refuses when it calls the layer)
            return (shape[0], *given) if isinstance(given, tuple) and all(
                isinstance(d, int) or d is None for d in given) else None
        if short == "RepeatVector":
            n = v.get("n")
            return (shape[0], n, shape[1]) if len(shape) == 2 and type(n) is int else None
        if short == "Permute":
            dims = v.get("dims")
            if isinstance(dims, ListV):
                dims = tuple(dims.items)
            if not isinstance(dims, tuple) or len(shape) != len(dims) + 1:
                return None
            return (shape[0], *(shape[d] for d in dims))
        if short == "Reshape":
            target = v.get("target_shape")
            if isinstance(target, ListV):
                target = tuple(target.items)
            if not isinstance(target, tuple):
                return None
            if -1 in target:
                known = math.prod(d for d in target if d != -1)
                total = math.prod(shape[1:]) if all(isinstance(d, int) for d in shape[1:]) else None
                target = tuple((total // known if total is not None else None) if d == -1 else d
                               for d in target)
            return (shape[0], *target)
        if short.startswith("Adaptive"):  # (compute_output_shape: any rank)
            size = _spread(v.get("output_size"), n)
            if size is None or not all(type(d) is int and d >= 0 for d in size):
                return None
            return (shape[0], shape[1], *size) if first else (shape[0], *size, shape[-1])
        if short.startswith("Global"):
            keep = v.get("keepdims", False)
            channels = shape[1] if first else shape[-1]
            if keep:
                ones = tuple(1 for _ in shape[2:])
                return (shape[0], channels, *ones) if first else (shape[0], *ones, channels)
            return (shape[0], channels)
        if spec.family == "preprocessing":
            return _image_preprocessed(layer, shape, first)
        if spec.family in ("activation", "norm") or short.startswith("SpatialDropout"):
            return shape
        if spec.family == "linear":
            return (*shape[:-1], v.get("units"))
        if spec.family == "embedding":
            return (*shape, v.get("output_dim"))
        if spec.family == "conv_rnn":
            return _conv_rnn_shape(layer, shape, first)
        if spec.family == "einsum":
            output = v.get("output_shape")
            plan = einsum_dense_shapes(v.get("equation"), v.get("bias_axes"), shape,
                                       tuple(output.items) if isinstance(output, ListV) else output)
            return tuple(plan[2])
        if spec.family == "rnn_cell":  # (one step)
            return (shape[0], v.get("units"))
        if spec.family == "rnn":
            units = v.get("units")
            return (shape[0], shape[1], units) if v.get("return_sequences") else (shape[0], units)
        if spec.family == "attention":
            out = v.get("output_shape")
            if isinstance(out, (tuple, list)):  # the last axis becomes these axes
                return (*shape[:-1], *out) if all(isinstance(d, int) for d in out) else None
            return (*shape[:-1], out if isinstance(out, int) else shape[-1])
        if n and len(shape) == n + 2:
            spatial = shape[2:] if first else shape[1:-1]
            channels = shape[1] if first else shape[-1]
            new_spatial, new_channels = _spatial(layer, spatial, channels)
            if new_spatial is None:
                return None
            return (shape[0], new_channels, *new_spatial) if first else \
                (shape[0], *new_spatial, new_channels)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return None


def _image_preprocessed(layer: LayerObj, shape: tuple, first: bool) -> tuple | None:
    """Keras' image preprocessing on a batch of images: the augmentations keep its shape,
    Resizing and the crops make each image `height` × `width` (compute_output_shape)."""
    if len(shape) != 4:
        return None  # (an unbatched image, or what Keras may not take as one)
    if "height" not in layer.values:  # (an augmentation)
        return shape
    height, width = layer.values.get("height"), layer.values.get("width")
    if type(height) is not int or type(width) is not int:
        return None  # (a float Keras cannot make a shape of, or a size the code does not fix)
    return (shape[0], shape[1], height, width) if first else (shape[0], height, width, shape[3])


def _spatial(layer: LayerObj, spatial: tuple, channels: Any) -> tuple[tuple | None, Any]:
    spec = layer.spec
    v = dict(layer.values)
    if isinstance(v.get("padding"), str):
        v["padding"] = v["padding"].lower()  # Keras accepts "SAME" and "Valid" too
    short = spec.short
    n = spec.ndim
    if short.startswith("ZeroPadding") or short.startswith("Cropping"):
        raw = v.get("padding" if short.startswith("Zero") else "cropping")
        pads = _pairs(raw, n)
        if pads is None:
            return None, channels
        sign = 1 if short.startswith("Zero") else -1
        return tuple(d + sign * (a + b) if isinstance(d, int) else None
                     for d, (a, b) in zip(spatial, pads, strict=True)), channels
    if short.startswith("UpSampling"):
        size = _spread(v.get("size"), n)
        if size is None:
            return None, channels
        return tuple(d * s if isinstance(d, int) else None for d, s in zip(spatial, size,
                                                                          strict=True)), channels
    if spec.family == "shape" and ("Pooling" in short or "Pool" in short):
        pool = _spread(v.get("pool_size"), n)
        strides = _spread(v.get("strides") if v.get("strides") is not None else v.get("pool_size"),
                          n)
        padding = v.get("padding")
        if pool is None or strides is None or padding not in ("valid", "same"):
            return None, channels
        return tuple(_conv_size(d, k, s, 1, padding) for d, k, s in zip(spatial, pool, strides,
                                                                         strict=True)), channels
    if spec.family in ("conv", "conv_rnn"):
        kernel = _spread(v.get("kernel_size"), n)
        strides = _spread(v.get("strides"), n)
        dilation = _spread(v.get("dilation_rate", 1), n)
        padding = v.get("padding")
        if kernel is None or strides is None or dilation is None or padding not in ("valid",
                                                                                   "same"):
            return None, None
        if short.startswith("DepthwiseConv"):
            dm = v.get("depth_multiplier")
            out_channels = channels * dm if isinstance(channels, int) and isinstance(dm, int) \
                else None
        else:
            out_channels = v.get("filters")
        if spec.transposed:
            out_pad = v.get("output_padding")
            if out_pad is not None:
                return None, out_channels
            sizes = []
            for d, k, s, dil in zip(spatial, kernel, strides, dilation, strict=True):
                eff = (k - 1) * dil + 1
                if not isinstance(d, int):
                    sizes.append(None)
                elif padding == "valid":
                    sizes.append(d * s + max(eff - s, 0))
                else:
                    sizes.append(d * s)
            return tuple(sizes), out_channels
        return tuple(_conv_size(d, k, s, dil, padding) for d, k, s, dil in zip(
            spatial, kernel, strides, dilation, strict=True)), out_channels
    return None, channels


def _conv_rnn_shape(layer: LayerObj, shape: tuple, first: bool) -> tuple | None:
    """ConvLSTM: each step convolved (`filters` channels), the time axis kept where it returns
    sequences."""
    n = layer.spec.ndim
    if len(shape) != n + 3:
        return None
    spatial, channels = _spatial(layer, shape[3:] if first else shape[2:-1],
                                 shape[2] if first else shape[-1])
    if spatial is None:
        return None
    out = (channels, *spatial) if first else (*spatial, channels)
    sequences = layer.values.get("return_sequences", False)
    if layer.values.get("return_state", False) not in (False, None):
        return None  # (a list: the output and both states)
    return (shape[0], shape[1], *out) if sequences is True else \
        (shape[0], *out) if sequences in (False, None) else None


# The shape layers whose compute_output_shape raises where an axis of the output would be zero or
# less: a pooling window larger than its input (padding 'valid'), a crop as large as the input.
_EMPTIED_REFUSED = ("MaxPooling", "AveragePooling", "MaxPool", "AvgPool", "Cropping")


def _conv_rnn_refusal(layer: LayerObj, shape: tuple) -> str:
    """A ConvLSTM called where a step's convolution has no output: a stride of 0, or an
    output size of zero or less (compute_conv_output_shape raises)."""
    strides = _spread(layer.values.get("strides"), layer.spec.ndim)
    if strides is not None and 0 in strides:
        return "a stride of 0 leaves the output size undefined"
    if len(shape) != layer.spec.ndim + 3 or _keras_axis(layer) is None:
        return ""
    first = _keras_axis(layer) == "first"
    spatial, _ = _spatial(layer, shape[3:] if first else shape[2:-1], None)
    if spatial is not None and any(isinstance(d, int) and d <= 0 for d in spatial):
        return "the output size would be zero or negative"
    return ""


def _conv_size(size: Any, kernel: int, stride: int, dilation: int, padding: str) -> Any:
    if not isinstance(size, int):
        return None
    eff = (kernel - 1) * dilation + 1
    if padding == "valid":
        return (size - eff) // stride + 1
    return (size + stride - 1) // stride


def _pairs(raw: Any, n: int) -> tuple | None:
    """Keras' ZeroPadding and Cropping arguments as a (before, after) pair per spatial
    dimension, from an int, an int per dimension or the pairs themselves."""
    if isinstance(raw, ListV):
        raw = tuple(raw.items)
    if isinstance(raw, int) and not isinstance(raw, bool):
        return tuple((raw, raw) for _ in range(n))
    if isinstance(raw, tuple) and len(raw) == n:
        out = []
        for item in raw:
            if isinstance(item, int):
                out.append((item, item))
            elif isinstance(item, tuple) and len(item) == 2 and all(isinstance(x, int)
                                                                    for x in item):
                out.append(item)
            else:
                return None
        return tuple(out)
    if n == 1 and isinstance(raw, tuple) and len(raw) == 2 and all(isinstance(x, int) for x in raw):
        return (raw,)
    return None


__all__ = ["Frameworks", "PartialV"]


def _holds_none(m: Machine, args: tuple) -> bool:
    """Whether a positional argument is None, or a list or tuple holding None, where torch takes
    only numbers (its sizes, a tensor's values)."""
    for arg in args:
        arg = m.deref(arg)
        items = arg.items if type(arg) is ListV and arg.exact else arg
        if arg is None or isinstance(items, (list, tuple)) and any(
                m.deref(item) is None for item in items):
            return True
    return False
