"""Changes to torch modules the evaluator does not follow one by one: loops over modules() that
decide by a submodule's class, apply(), replacing children found by named_children(),
nn.Transformer's layers frozen by name or position, weight_norm, fuse_modules and
parametrizations, torch's private registries, flags read from the environment, an early return
under such a condition. No total (nor trainable part) may be certain and other than torch's."""

import os
import torch
import torch.nn as nn
from torch.ao.quantization import fuse_modules
from torch.nn.utils import parametrize


# apply_on_torch_layer
def drop_bias_0(m):
    if isinstance(m, nn.Linear):
        m.bias = None


class M_0(nn.Module):
    def __init__(self):
        super().__init__()
        self.mha = nn.MultiheadAttention(8, 2)
        self.mha.apply(drop_bias_0)


model_apply_on_torch_layer = M_0()


# modules_isinstance_torch_layer
class M_1(nn.Module):
    def __init__(self):
        super().__init__()
        self.l = nn.TransformerEncoderLayer(32, 4, 64)
        for m in self.modules():
            if isinstance(m, nn.LayerNorm):
                m.requires_grad_(False)


model_modules_isinstance_torch_layer = M_1()


# modules_loop_bias_none
class M_2(nn.Module):
    def __init__(self):
        super().__init__()
        self.mha = nn.MultiheadAttention(8, 2)
        for m in self.mha.modules():
            if isinstance(m, nn.Linear):
                m.bias = None


model_modules_loop_bias_none = M_2()


# named_children_replace
class M_3(nn.Module):
    def __init__(self):
        super().__init__()
        self.l = nn.TransformerEncoderLayer(32, 4, 64)
        for name, m in list(self.l.named_children()):
            if isinstance(m, nn.LayerNorm):
                setattr(self.l, name, nn.Identity())


model_named_children_replace = M_3()


# transformer_freeze_by_layer_name
class M_4(nn.Module):
    def __init__(self):
        super().__init__()
        self.t = nn.Transformer(16, 2, 2, 2, 32)
        for name, p in self.t.named_parameters():
            if "encoder.layers.0." in name:
                p.requires_grad = False


model_transformer_freeze_by_layer_name = M_4()


# transformer_freeze_slice
class M_5(nn.Module):
    def __init__(self):
        super().__init__()
        self.t = nn.Transformer(16, 2, 2, 2, 32)
        for p in list(self.t.parameters())[:4]:
            p.requires_grad = False


model_transformer_freeze_slice = M_5()


# transformer_param_list_len
class M_6(nn.Module):
    def __init__(self):
        super().__init__()
        self.t = nn.Transformer(16, 2, 2, 2, 32)
        self.head = nn.Linear(len(list(self.t.parameters())), 1)


model_transformer_param_list_len = M_6()


# weight_norm_inplace
class M_7(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        nn.utils.weight_norm(self.fc)


model_weight_norm_inplace = M_7()


# fuse_modules_inplace
class M_8(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, bias=False)
        self.bn = nn.BatchNorm2d(8)
        self.eval()
        fuse_modules(self, [["conv", "bn"]], inplace=True)


model_fuse_modules_inplace = M_8()


# parametrization_with_params
class Scale_9(nn.Module):
    def __init__(self):
        super().__init__()
        self.s = nn.Parameter(torch.ones(1))

    def forward(self, w):
        return w * self.s


class M_9(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        parametrize.register_parametrization(self.fc, "weight", Scale_9())


model_parametrization_with_params = M_9()


# private_modules_dict
class M_10(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 4)
        self.b = nn.Linear(4, 4)
        del self._modules["b"]


model_private_modules_dict = M_10()


# private_parameters_pop
class M_11(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 4)
        self.a._parameters.pop("bias")


model_private_parameters_pop = M_11()


# setattr_unknown_name
class M_12(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 4)
        self.b = nn.Linear(4, 4)
        setattr(self, os.environ.get("WHICH", "a"), nn.Identity())


model_setattr_unknown_name = M_12()


# requires_grad_unknown_value
class M_13(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 4)
        self.a.requires_grad_(os.environ.get("TRAIN_A") == "1")


model_requires_grad_unknown_value = M_13()


# filter_params_freeze
class M_14(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        for p in filter(lambda p: p.dim() > 1, self.fc.parameters()):
            p.requires_grad = False


model_filter_params_freeze = M_14()


# parameters_recurse_false
class M_15(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(5))
        self.fc = nn.Linear(4, 4)
        for p in self.parameters(recurse=False):
            p.requires_grad = False


model_parameters_recurse_false = M_15()


# state_dict_keep_vars_freeze
class M_16(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.fc.state_dict(keep_vars=True)["weight"].requires_grad = False


model_state_dict_keep_vars_freeze = M_16()


# subclass_encoder_freeze_layer
class MyEnc_17(nn.TransformerEncoder):
    def __init__(self):
        super().__init__(nn.TransformerEncoderLayer(16, 2, 32), 2)
        self.layers[0].requires_grad_(False)


model_subclass_encoder_freeze_layer = MyEnc_17()


# early_return_env
class M_18(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 4)
        if os.environ.get("X"):
            return
        self.b = nn.Linear(4, 4)


model_early_return_env = M_18()


# env_loop_freeze
class M_19(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 4)
        self.b = nn.Linear(4, 4)
        for name in os.environ.get("FREEZE", "").split(","):
            if name:
                getattr(self, name).requires_grad_(False)


model_env_loop_freeze = M_19()


# param_ndim_compare
class M_20(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        if self.fc.weight.ndim == 2:
            self.head = nn.Linear(3, 1)


model_param_ndim_compare = M_20()


# torch_layer_training_attr
class M_21(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        if self.fc.training == True:
            self.x = nn.Linear(3, 1)


model_torch_layer_training_attr = M_21()


# triplet_distance_module
class M_22(nn.Module):
    def __init__(self):
        super().__init__()
        self.loss = nn.TripletMarginWithDistanceLoss(distance_function=nn.Bilinear(4, 4, 1))


model_triplet_distance_module = M_22()


# param_requires_grad_compare
class M_23(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        if self.fc.weight.requires_grad == True:
            self.x = nn.Linear(3, 1)


model_param_requires_grad_compare = M_23()


# parameter_resized_in_place
class M_24(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        with torch.no_grad():
            self.fc.weight.set_(torch.zeros(10, 10))
        self.g = nn.Linear(4, 4)
        self.g.weight.data.resize_(3, 3)


model_parameter_resized_in_place = M_24()
