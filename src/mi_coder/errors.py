"""The one exception users see for bad input: a one-line message naming where and what to do."""


class InputError(ValueError):
    """Bad input (file, row or column); the CLI prints it on one line and exits with code 2."""


class ModelIntegrityError(InputError):
    """A model file whose SHA-256 does not match its manifest (or has none); never unpickled."""
