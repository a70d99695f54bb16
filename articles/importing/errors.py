"""What a reader raises when a whole source cannot be read."""

from __future__ import annotations


class ImportFailure(Exception):
    """A source (or one entry of it) that cannot be imported.

    The message is for people and always starts with the source's name (file name, plus the line, entry or
    field where that helps): ``items.json line 4, column 12: malformed JSON (Expecting ',' delimiter)``.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class BatchRejected(Exception):
    """The batch as a whole was refused (for example, more sources than IMPORT_MAX_FILES)."""
