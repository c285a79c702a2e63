"""The HTTP service, in process and over a real loopback socket."""

import io
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from PIL import Image

from conftest import SAMPLES
from digitocr.frontends.bench import phone_photo_jpeg
from digitocr.frontends.service import ServiceLimits, create_app
from digitocr.results import SCHEMA_VERSION
from digitocr.settings import DEFAULT_MAX_FILE_BYTES

fastapi_testclient = pytest.importorskip("fastapi.testclient")
SMALL_LIMIT = 3_000_000


@pytest.fixture(scope="module")
def client(reader):
    return fastapi_testclient.TestClient(create_app(reader, ServiceLimits(max_request_bytes=SMALL_LIMIT)))


def files(*named: tuple[str, bytes]) -> list:
    return [("files", (name, data, "application/octet-stream")) for name, data in named]


def sample(name: str) -> tuple[str, bytes]:
    return name, (SAMPLES / name).read_bytes()


def test_read_answers_the_clis_json_for_each_image_in_order_with_errors_per_image(client):
    answer = client.post("/read", files=files(sample("4096_paper.png"), ("notes.txt", b"hello"),
                                              sample("315-2718_shadow.jpg")))
    assert answer.status_code == 200
    first, second, third = answer.json()
    assert first["path"] == "4096_paper.png" and first["text"] == "4096" and first["schema_version"] == SCHEMA_VERSION
    assert {"confidence", "needs_review", "digits", "written"} <= set(first)
    assert "not an image" in second["error"] and second["path"] == "notes.txt"
    assert third["text"] == "315\n2718"


def test_bad_input_gets_a_4xx_with_a_message_and_the_service_keeps_serving(client):
    not_image = client.post("/read", files=files(("notes.txt", b"hello")))
    assert not_image.status_code == 415 and "not an image" in not_image.json()[0]["error"]
    empty_file = client.post("/read", files=files(("empty.png", b"")))
    assert empty_file.status_code == 400 and "empty" in empty_file.json()[0]["error"]
    no_body = client.post("/read")
    assert no_body.status_code == 400 and "multipart/form-data" in no_body.json()["error"]
    form = client.post("/read", data={"note": "not multipart"})
    assert form.status_code == 400 and "multipart/form-data" in form.json()["error"]
    no_files = client.post("/read", files={"note": (None, "no image here")})
    assert no_files.status_code == 400 and "held 0" in no_files.json()["error"]
    oversized = client.post("/read", files=files(("big.png", bytes(SMALL_LIMIT + 1))))
    assert oversized.status_code == 413 and "limit" in oversized.json()["error"]
    assert client.post("/read", files=files(sample("4096_paper.png"))).json()[0]["text"] == "4096"


def test_an_image_of_too_many_pixels_is_refused_from_its_header(client):
    buffer = io.BytesIO()
    Image.new("1", (9000, 9000)).save(buffer, "PNG")
    answer = client.post("/read", files=files(("huge.png", buffer.getvalue())))
    assert answer.status_code == 413 and "81 MP" in answer.json()[0]["error"]


def test_the_default_limits_are_the_apps():
    assert ServiceLimits().max_request_bytes == DEFAULT_MAX_FILE_BYTES == 50 * 1024 * 1024


def test_health_and_the_openapi_page(client):
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["schema_version"] == SCHEMA_VERSION
    assert len(health["models"]["classifier"]) == 64
    assert client.get("/docs").status_code == 200
    request_body = client.get("/openapi.json").json()["paths"]["/read"]["post"]["requestBody"]
    assert "multipart/form-data" in request_body["content"]


def test_nothing_a_client_sends_is_written_to_disk(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("an upload was about to be written to disk")

    for name in ("TemporaryFile", "NamedTemporaryFile", "mkstemp", "mkdtemp"):
        monkeypatch.setattr(tempfile, name, refuse)
    monkeypatch.setattr(tempfile.SpooledTemporaryFile, "rollover", refuse)
    grain = 239 + np.random.default_rng(0).integers(0, 17, (1100, 1100, 3), np.uint8)  # a blank page, 2.2 MB as PNG
    buffer = io.BytesIO()
    Image.fromarray(grain).save(buffer, "PNG")
    assert len(buffer.getvalue()) > 2_000_000
    assert client.post("/read", files=files(("noise.png", buffer.getvalue()))).status_code == 200


def test_a_request_past_its_time_limit_gets_503_and_the_next_is_answered(reader):
    slow = fastapi_testclient.TestClient(create_app(reader, ServiceLimits(timeout_seconds=0.001)))
    answer = slow.post("/read", files=files(("photo.jpg", phone_photo_jpeg())))
    assert answer.status_code == 503 and "longer than" in answer.json()["error"]
    assert slow.get("/health").status_code == 200


def test_twenty_clients_at_once_over_a_real_socket_are_all_answered(reader):
    import httpx
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(create_app(reader), host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    photo = phone_photo_jpeg()

    def post(_) -> tuple[int, str]:
        with httpx.Client(timeout=120) as http:
            answer = http.post(f"http://127.0.0.1:{port}/read", files=files(("photo.jpg", photo)))
            return answer.status_code, answer.json()[0]["text"]

    try:
        with ThreadPoolExecutor(20) as clients:
            answers = list(clients.map(post, range(20), timeout=240))
    finally:
        server.should_exit = True
        thread.join(30)
    assert answers == [(200, "40962026")] * 20
