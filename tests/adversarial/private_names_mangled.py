"""Private names: `self.__fc` written in class Net's body is the attribute `_Net__fc`. So
assigning `self._Net__fc` replaces it, and a subclass's `self.__block` is an attribute of its
own beside its base's (both registered, both counted)."""

import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.__fc = nn.Linear(10, 5)
        self._Net__fc = nn.Linear(3, 3)


class Base(nn.Module):
    def __init__(self):
        super().__init__()
        self.__block = nn.Linear(10, 10)


class Sub(Base):
    def __init__(self):
        super().__init__()
        self.__block = nn.Linear(3, 3)
        self.__extra = nn.Linear(2, 2)
        del self._Sub__extra


class _Hidden(nn.Module):
    def __init__(self):
        super().__init__()
        self.__w = nn.Linear(4, 4)
        self._Hidden__w = nn.Linear(1, 1)  # leading underscores of the class name are dropped


class Private(nn.Module):
    __width = 8

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, self.__width)
        self.__post()

    def __post(self):
        self.head = nn.Linear(self.__width, 2)


replaced = Net()
both = Sub()
hidden = _Hidden()
private = Private()
private._Private__post()  # (a private method and class attribute are mangled where defined)
