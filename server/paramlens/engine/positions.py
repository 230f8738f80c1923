"""One converter between the column units our consumers count in.

Results hold code-point columns (Python `str` indices). `ast` reports UTF-8 byte offsets; LSP
counts UTF-16 code units (pygls converts for the server); rdjson counts UTF-8 bytes.
"""

from __future__ import annotations


class LineIndex:
    def __init__(self, source: str) -> None:
        self.lines = source.split("\n")

    @classmethod
    def from_lines(cls, lines: list[str]) -> LineIndex:
        index = cls("")
        index.lines = lines
        return index

    def line_text(self, line: int) -> str:
        """Text of a 1-based line, or "" past the end."""
        if 1 <= line <= len(self.lines):
            return self.lines[line - 1]
        return ""

    def column_from_utf8(self, line: int, byte_column: int) -> int:
        text = self.line_text(line)
        if text.isascii():
            return byte_column
        data = text.encode("utf-8", errors="surrogatepass")
        return len(data[:byte_column].decode("utf-8", errors="ignore"))

    def utf8_column(self, line: int, column: int) -> int:
        return len(self.line_text(line)[:column].encode("utf-8", errors="surrogatepass"))

    def utf16_column(self, line: int, column: int) -> int:
        return len(self.line_text(line)[:column].encode("utf-16-le", errors="surrogatepass")) // 2

    def column_in(self, line: int, column: int, unit: str) -> int:
        """A code-point column in another unit: "utf-8" bytes, "utf-16" code units, or
        "code points" (unchanged). Every output format converts through here."""
        if unit == "utf-8":
            return self.utf8_column(line, column)
        if unit == "utf-16":
            return self.utf16_column(line, column)
        return column
