"""Images sent as multipart/form-data, read into memory as they stream in, within a byte limit.

Web frameworks spill large uploads into temporary files; here every part
stays in memory, so nothing a client sends is written to disk, and a body
past the limit is refused as soon as it passes it, whatever its declared
length.
"""

import io
from collections.abc import AsyncIterator
from dataclasses import dataclass

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from ..settings import MEGABYTE


class UploadError(ValueError):
    """The request's body is not a set of uploaded files this service takes."""


class UploadTooLargeError(UploadError):
    pass


@dataclass(frozen=True)
class Upload:
    name: str  # the file name the client gave, or the form field's name
    data: bytes


class _Parts:
    """The parser's callbacks: each part's headers and bytes, gathered in memory."""

    def __init__(self):
        self.parts: list[tuple[dict[bytes, bytes], io.BytesIO]] = []
        self.field = self.value = b""

    def begin(self) -> None:
        self.parts.append(({}, io.BytesIO()))

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self.field += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self.value += data[start:end]

    def header_end(self) -> None:
        self.parts[-1][0][self.field.lower()] = self.value
        self.field = self.value = b""

    def data(self, data: bytes, start: int, end: int) -> None:
        self.parts[-1][1].write(data[start:end])

    def callbacks(self) -> dict:
        return {"on_part_begin": self.begin, "on_header_field": self.header_field,
                "on_header_value": self.header_value, "on_header_end": self.header_end, "on_part_data": self.data}

    def uploads(self) -> list[Upload]:
        """The parts that are files: those with a file name, or sent as a 'files' field; other fields are left."""
        found = []
        for headers, body in self.parts:
            _, options = parse_options_header(headers.get(b"content-disposition", b""))
            if b"filename" in options or options.get(b"name") == b"files":
                name = options.get(b"filename") or options.get(b"name")
                found.append(Upload(name.decode("utf-8", "replace"), body.getvalue()))
        return found


async def read_uploads(content_type: str, body: AsyncIterator[bytes], max_bytes: int) -> list[Upload]:
    """The files of a multipart/form-data body, in the order sent; `UploadError` for any other body."""
    kind, options = parse_options_header(content_type)
    if kind != b"multipart/form-data" or b"boundary" not in options:
        raise UploadError("send the images as multipart/form-data, one file per 'files' field")
    parts = _Parts()
    parser = MultipartParser(options[b"boundary"], parts.callbacks())
    received = 0
    try:
        async for chunk in body:
            received += len(chunk)
            if received > max_bytes:
                raise UploadTooLargeError(f"the request is over {max_bytes / MEGABYTE:.0f} MB, the limit")
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError as error:
        raise UploadError(f"the multipart body is malformed ({error})") from None
    return parts.uploads()
