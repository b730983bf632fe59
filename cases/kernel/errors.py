"""User-facing errors: a one-line message that says what is wrong and how to fix it."""


class CordonError(Exception):
    """A user mistake or unmet precondition: the CLI prints it on one line, no traceback."""

    exit_code = 2
