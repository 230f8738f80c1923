from torch.nn import Conv2d


class nn:
    Conv2d = Conv2d


a = nn.Conv2d(3, 16, 3)
