"""Reading untrusted XML safely (issue #14): defusedxml refuses entity declarations and external
references (no billion laughs, no file or network read), and the file is streamed, so memory
stays flat whatever its size. Every problem becomes one ``BadExport`` with its position."""

from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse


class BadExport(Exception):
    """The file cannot be imported; the message says why, and where."""


def stream(path):
    """(event, element) pairs of the file at ``path``, "start" and "end" events."""
    try:
        yield from iterparse(str(path), events=("start", "end"))
    except ParseError as error:
        line, column = error.position
        reason = str(error).split(":")[0]
        raise BadExport(f"The file is not well-formed XML: {reason} at line {line}, column "
                        f"{column + 1}. Nothing was imported.") from None  # fmt: skip
    except DefusedXmlException as error:
        raise BadExport(
            f"The file is refused: {refusal(error)}. Exports never need this; nothing was imported."
        ) from None
    except OSError as error:
        raise BadExport(f"The file cannot be read: {error.strerror or error}.") from None


def refusal(error):
    name = type(error).__name__
    if name == "EntitiesForbidden":
        return f"it declares the XML entity “{error.name}”"
    if name == "ExternalReferenceForbidden":
        return "it refers to an external file or address"
    if name == "DTDForbidden":
        return "it has a document type declaration"
    return str(error)


def split(tag):
    """(namespace, local name) of an ElementTree tag."""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def text(element):
    return (element.text or "") if element is not None else ""
