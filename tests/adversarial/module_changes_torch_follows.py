"""Changes made to torch modules while they are built, as fine-tuning and surgery code makes them:
freezing through keywords, unbound methods and read-back flags, registering and deleting through
torch's own methods and builtins, a parameter's data replaced, attributes read and compared.
Each total, and its trainable part, is torch's (found by probing, each reproducer once a certain
wrong count)."""

import torch
import torch.nn as nn


# add_module_on_torch_layer
class M_0(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 3)
        self.fc.add_module("extra", nn.Linear(3, 3))


model_add_module_on_torch_layer = M_0()


# children_of_torch_layer
class M_1(nn.Module):
    def __init__(self):
        super().__init__()
        self.mha = nn.MultiheadAttention(8, 2)
        for m in self.mha.children():
            m.requires_grad_(False)


model_children_of_torch_layer = M_1()


# delattr
class M_2(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(3, 3)
        self.b = nn.Linear(3, 3)
        delattr(self, "b")


model_delattr = M_2()


# embedding_freeze_arg
class M_3(nn.Module):
    def __init__(self):
        super().__init__()
        self.e = nn.Embedding(10, 4, _freeze=True)


model_embedding_freeze_arg = M_3()


# get_parameter_freeze
class M_4(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 4)
        self.get_parameter("a.weight").requires_grad = False


model_get_parameter_freeze = M_4()


# get_submodule_mutation
class M_5(nn.Module):
    def __init__(self):
        super().__init__()
        self.b = nn.Linear(4, 4)
        self.get_submodule("b").bias = None


model_get_submodule_mutation = M_5()


# param_requires_grad_keyword
class M_6(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.fc.weight.requires_grad_(requires_grad=False)


model_param_requires_grad_keyword = M_6()


# register_parameter_none_on_torch_layer
class M_7(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 3)
        self.fc.register_parameter("bias", None)


model_register_parameter_none_on_torch_layer = M_7()


# register_parameter_on_torch_layer
class M_8(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 3)
        self.fc.register_parameter("scale", nn.Parameter(torch.ones(3)))


model_register_parameter_on_torch_layer = M_8()


# requires_grad_keyword
class M_9(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.fc.requires_grad_(requires_grad=False)


model_requires_grad_keyword = M_9()


# requires_grad_read_back
class M_10(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 4)
        self.b = nn.Linear(4, 4)
        self.a.requires_grad_(False)
        self.b.requires_grad_(self.a.weight.requires_grad)


model_requires_grad_read_back = M_10()


# set_submodule
class M_11(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 4)
        self.set_submodule("a", nn.Linear(4, 1))


model_set_submodule = M_11()


# tensor_to_param_typeerror
class M_12(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 4)
        try:
            self.lin.weight = torch.zeros(4, 4)
        except TypeError:
            self.lin.bias = None


model_tensor_to_param_typeerror = M_12()


# two_params_one_tensor
class M_13(nn.Module):
    def __init__(self):
        super().__init__()
        init = torch.zeros(3)
        self.gamma = nn.Parameter(init)
        self.beta = nn.Parameter(init)


model_two_params_one_tensor = M_13()


# unbound_requires_grad
class M_14(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        nn.Module.requires_grad_(self.fc, False)


model_unbound_requires_grad = M_14()


# weight_data_reshape
class M_15(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 4)
        self.lin.weight.data = torch.zeros(10, 10)


model_weight_data_reshape = M_15()


# bias_is_none_check
class M_16(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4, bias=False)
        if self.fc.bias is None:
            self.extra_bias = nn.Parameter(torch.zeros(4))


model_bias_is_none_check = M_16()


# param_grad_is_none
class M_17(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        if self.fc.weight.grad is None:
            self.head = nn.Linear(3, 1)


model_param_grad_is_none = M_17()
