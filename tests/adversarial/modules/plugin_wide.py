from modules.plugin_registry import WIDTHS

WIDTHS.append(20)
