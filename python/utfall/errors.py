"""The exceptions of the package: one per stage, each with the engine's diagnostic.

The engine's problems are values (docs/embedding.md, "Problems are values"); this module turns
the first error among them into an exception of the class for its kind and keeps all of them
on it (`messages`), warnings included.
"""


class Error(Exception):
    """A diagnostic of utfall: `code` ("E301"), `message` (one sentence), `file`, `line` and
    `column` (1-based; None when the problem has no place in the contract), `clause`,
    `location` (in data: "plan.csv: row 3 (line 4), column `avropat`"), `suggestion`, `kind`
    (syntax, name, type, structure, data, runtime, limit, io, internal), `rendered` (the
    command line's text, with the source line and a caret) and `messages` (every message of
    the call, as dicts)."""

    def __init__(self, message, messages=()):
        self.messages = list(messages)
        self._first = first = message
        self.code = first.get("code", "")
        self.message = first.get("message", "")
        self.kind = first.get("kind", "internal")
        self.file = first.get("file") or None
        self.line = first.get("line") or None
        self.column = first.get("column") or None
        self.clause = first.get("clause") or None
        self.location = first.get("location") or None
        self.suggestion = first.get("suggestion") or None
        self.rendered = first.get("rendered") or f"error[{self.code}]: {self.message}"
        super().__init__(self.rendered)

    def __reduce__(self):
        # Pickled with its messages, so that it can cross processes (a Dask worker's error
        # reaches the client as itself); the state keeps any attribute or note added since.
        return (type(self), (self._first, self.messages), self.__dict__)


class ContractError(Error):
    """The contract does not parse or check (E1xx-E4xx)."""


class ParseError(ContractError):
    """The contract does not parse (kind syntax)."""


class CheckError(ContractError):
    """The contract parses but does not check (kinds name, type, structure)."""


class DataError(Error):
    """The data is missing, malformed or does not fit the declarations (E5xx, E8xx)."""


class FileError(DataError):
    """A file the caller named could not be read (kind io)."""


class EvaluationError(Error):
    """The evaluation failed on the data (E6xx): a division by zero, a missing value."""


class LimitError(Error):
    """A configured limit was reached (E7xx)."""


class InternalError(Error):
    """A bug in utfall."""


_BY_KIND = {
    "syntax": ParseError,
    "name": CheckError,
    "type": CheckError,
    "structure": CheckError,
    "data": DataError,
    "io": FileError,
    "runtime": EvaluationError,
    "limit": LimitError,
    "internal": InternalError,
}


def error_from(messages):
    """The exception for a failed call's messages (its first error decides the class)."""
    errors = [m for m in messages if m.get("severity") == "error"] or list(messages)
    if not errors:
        return InternalError({"code": "E000", "message": "the engine failed without a message"}, messages)
    first = errors[0]
    return _BY_KIND.get(first.get("kind"), InternalError)(first, messages)


def warnings_of(messages):
    """The warnings among a successful call's messages, as dicts."""
    return [m for m in messages if m.get("severity") != "error"]
