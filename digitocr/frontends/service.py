"""The HTTP service: `digitocr serve [--host] [--port]`, FastAPI on uvicorn.

`POST /read` takes one or more images as multipart/form-data and answers
with the CLI's JSON object for each, in the order sent, an error per image
where one cannot be read; `GET /health` says the service is up and which
models it reads with; `/docs` is the OpenAPI page. One `Reader` is loaded at
start and shared by all requests (it is thread-safe); reads run on a pool of
threads so requests are answered side by side. A body is read into memory
only (never to disk) and refused past its byte limit; each request has a
time limit; the reader's pixel limit refuses decompression bombs from their
header.
"""

import argparse
import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ..arguments import add_review_option, port, positive_number, whole_number
from ..errors import DigitOcrError, EmptyImageError, ImageTooLargeError, UnsupportedImageError
from ..image.loading import ACCEPTED_FILES
from ..networks.model_files import model_sha256
from ..reader import Reader
from ..results import SCHEMA_VERSION, Outcome
from ..settings import DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_PIXELS, MEGABYTE, ReaderSettings

MOST_FILES = 64  # images in one request
STATUS_OF_ERROR = ((ImageTooLargeError, 413), (UnsupportedImageError, 415), (EmptyImageError, 400))
READ_REQUEST = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["files"],
    "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"},
                             "description": f"one or more images, each a {ACCEPTED_FILES}"}}}}}}}


@dataclass(frozen=True)
class ServiceLimits:
    max_request_bytes: int = DEFAULT_MAX_FILE_BYTES  # the whole body, as the app's upload limit
    max_pixels: int = DEFAULT_MAX_PIXELS  # per image, checked from its header before decoding
    timeout_seconds: float = 60.0  # per request
    threads: int = 4  # requests read at the same time


def error_body(message: str) -> dict:
    return {"schema_version": SCHEMA_VERSION, "error": message}


def status_of(outcomes: list[Outcome]) -> int:
    """200 where any image was read; else the status of the first image's error."""
    if any(outcome.error is None for outcome in outcomes):
        return 200
    error = outcomes[0].error
    return next((status for kind, status in STATUS_OF_ERROR if isinstance(error, kind)), 422)


def create_app(reader: Reader, limits: ServiceLimits = ServiceLimits()):
    """The service around one shared reader."""
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse

    from .uploads import Upload, UploadError, UploadTooLargeError, read_uploads

    app = FastAPI(title="digitocr", version=str(SCHEMA_VERSION),
                  description="Reads handwritten numbers in images: every digit boxed and scored.")
    pool = ThreadPoolExecutor(limits.threads, thread_name_prefix="digitocr-read")
    settings = reader.settings.with_changes(max_pixels=limits.max_pixels, max_file_bytes=limits.max_request_bytes)

    def read_all(uploads: list[Upload]) -> tuple[int, list[dict]]:
        outcomes = list(reader.read_many([upload.data for upload in uploads], settings))
        return status_of(outcomes), [outcome.to_dict(upload.name) for upload, outcome in zip(uploads, outcomes)]

    models = {"classifier": model_sha256(reader.classifier.path) if reader.classifier.path else None,
              "line_recognizer": model_sha256(reader.line_recognizer.path)}  # the files are read once, at start

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok", "schema_version": SCHEMA_VERSION, "models": models}

    @app.post("/read", openapi_extra=READ_REQUEST, summary="Read the number in each uploaded image")
    async def read(request: Request):
        try:
            uploads = await read_uploads(request.headers.get("content-type", ""), request.stream(),
                                         limits.max_request_bytes)
        except UploadTooLargeError as error:
            return JSONResponse(error_body(str(error)), 413)
        except UploadError as error:
            return JSONResponse(error_body(str(error)), 400)
        if not uploads or len(uploads) > MOST_FILES:
            return JSONResponse(error_body(f"send 1 to {MOST_FILES} images as multipart 'files' fields; "
                                           f"this request held {len(uploads)}"), 400)
        try:
            status, results = await asyncio.wait_for(
                asyncio.get_running_loop().run_in_executor(pool, read_all, uploads), limits.timeout_seconds)
        except asyncio.TimeoutError:
            return JSONResponse(error_body(f"reading took longer than {limits.timeout_seconds:.0f} s, "
                                           "the limit; send fewer or smaller images"), 503)
        return JSONResponse(results, status)

    return app


def serve_command(args: argparse.Namespace) -> int:
    import uvicorn

    try:
        reader = Reader(args.model, ReaderSettings(review_below=args.review_below))
    except DigitOcrError as error:
        print(f"error: {error}")
        return 2
    limits = ServiceLimits(int(args.max_request_mb * MEGABYTE), int(args.max_megapixels * 1e6), args.timeout,
                           args.threads)
    uvicorn.run(create_app(reader, limits), host=args.host, port=args.port, log_level="info")
    return 0


def add_serve_command(commands) -> None:
    serve = commands.add_parser("serve", help="answer POST /read over HTTP (needs the 'serve' extra)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: this machine only)")
    serve.add_argument("--port", type=port, default=8000)
    serve.add_argument("--model", help="a .keras classifier instead of the shipped one")
    serve.add_argument("--timeout", type=positive_number, default=ServiceLimits.timeout_seconds,
                       help="seconds per request")
    serve.add_argument("--max-request-mb", type=positive_number, default=ServiceLimits.max_request_bytes / MEGABYTE)
    serve.add_argument("--max-megapixels", type=positive_number, default=ServiceLimits.max_pixels / 1e6,
                       help="per image")
    serve.add_argument("--threads", type=whole_number(1), default=ServiceLimits.threads,
                       help="requests read at the same time")
    add_review_option(serve)
    serve.set_defaults(handler=serve_command)
