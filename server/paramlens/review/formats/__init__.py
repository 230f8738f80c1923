"""Views over `FileReport`s for the command line: they format, they never count."""
