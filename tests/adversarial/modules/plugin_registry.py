WIDTHS = []
