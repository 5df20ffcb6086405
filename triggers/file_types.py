"""What a file is, read from its content, never from its name or what the browser said.

A file named ``chronology.pdf`` may be anything; a case file is opened by police officers,
council officers and panel members, so only the kinds a case needs are kept (NCSC and OWASP
"File Upload": allow a list of types, checked from the content). The signatures come from
maintained libraries, not from a hand-written table: ``filetype`` for PDF, Word (.docx) and
images, telling a Word file from any other ZIP; ``puremagic`` for what ``filetype`` does not
know: e-mail files (.eml) and the older compound files (.doc and Outlook's .msg share one
container, so they are one kind here).
"""

from __future__ import annotations

from dataclasses import dataclass

import filetype
import puremagic


@dataclass(frozen=True)
class FileKind:
    #: pdf, word, word_97, image or email.
    kind: str
    #: Sent as the download's Content-Type.
    media_type: str
    #: The extension a download is named with when the sent name has another.
    extension: str
    #: How a person calls it.
    label: str


#: MIME type (as the libraries report it) → the kind kept.
ACCEPTED = {
    "application/pdf": FileKind("pdf", "application/pdf", "pdf", "PDF"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": FileKind(
        "word",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
        "Word document",
    ),
    "application/msword": FileKind(
        "word_97", "application/msword", "doc", "Word 97-2003 document or Outlook message"
    ),
    "image/jpeg": FileKind("image", "image/jpeg", "jpg", "JPEG image"),
    "image/png": FileKind("image", "image/png", "png", "PNG image"),
    "image/gif": FileKind("image", "image/gif", "gif", "GIF image"),
    "image/tiff": FileKind("image", "image/tiff", "tif", "TIFF image"),
    "image/heic": FileKind("image", "image/heic", "heic", "HEIC image (a phone's photo)"),
    "message/rfc822": FileKind("email", "message/rfc822", "eml", "E-mail"),
}
#: What the refusal lists.
ACCEPTED_WORDS = "a PDF, a Word document, an image (JPEG, PNG, GIF, TIFF, HEIC) or an e-mail"


def file_kind(content: bytes) -> FileKind | None:
    """The kind of ``content`` if it is one a case may hold, else None."""
    guessed = filetype.guess(content)
    if guessed is not None:
        # filetype knows this container (a plain ZIP, a program...): its answer stands, so a
        # ZIP is never taken for a Word file by a looser match below.
        return ACCEPTED.get(guessed.mime)
    try:
        matches = puremagic.magic_string(content)
    except (puremagic.PureError, ValueError):
        return None
    for match in matches:
        if match.mime_type in ("message/rfc822", "application/msword"):
            return ACCEPTED[match.mime_type]
    return None
