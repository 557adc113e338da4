"""Domain errors of the knowledge base; the CLI and the Slack transport turn them into messages."""


class KnowledgeError(Exception):
    """Base class for every error the knowledge base raises on purpose."""


class DocumentError(KnowledgeError):
    """A document could not be read; carries the file name and a reason a person can act on."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


class UnsupportedFormatError(DocumentError):
    """The file's type is not one we can read."""


class CorruptDocumentError(DocumentError):
    """The file is damaged or not what its extension says."""


class EncryptedDocumentError(DocumentError):
    """The file is password-protected."""


class EmptyDocumentError(DocumentError):
    """The file has no extractable text (e.g. a scanned PDF without OCR)."""


class DocumentTooLargeError(DocumentError):
    """The file is larger than the configured limit."""


class UnknownDocumentError(KnowledgeError):
    """No indexed document has that name in that engagement."""


class ConfigurationError(KnowledgeError):
    """A setting points at something that cannot be used (a model, a server)."""


class StoreBusyError(KnowledgeError):
    """Another process held the local store's write lock for too long."""
