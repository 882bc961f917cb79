"""Our own error types: adapters translate driver errors into these, handlers map them in one place."""


class SinawaiError(Exception):
    """Base of every error this project raises on purpose."""


class ConfigurationError(SinawaiError):
    """A required setting is missing or malformed."""


class DatabaseUnavailableError(SinawaiError):
    """MySQL cannot be reached or the connection broke; the caller should answer with a retryable error."""


class TransactionConflictError(SinawaiError):
    """InnoDB chose this transaction as a deadlock victim or it waited too long for a lock: run it again."""


class DispatchError(SinawaiError):
    """The router could not hand an update to its command-group function."""


class ClaimBusyError(SinawaiError):
    """The update is claimed by this very invocation's request id and its lease still runs: a duplicate
    delivery of a running attempt, or Lambda's retry of an attempt that died early. Raised so Lambda
    tries again later, when the lease has told which."""


class DuplicateKeyError(SinawaiError):
    """An INSERT or UPDATE would duplicate a unique key (MySQL error 1062): the row is there already."""
