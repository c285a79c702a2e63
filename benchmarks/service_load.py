"""Load on the HTTP service: C clients posting images for T seconds, against `digitocr serve` on loopback.

    python benchmarks/service_load.py [--clients 8] [--seconds 30] [--image cell|photo]

Starts `python -m digitocr serve` on a free port, has each client post one
image per request, back to back, and prints the requests per second served
and the latency percentiles. Bounded: C clients for T seconds.
"""

import argparse
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from digitocr.frontends.bench import cell_jpeg, phone_photo_jpeg  # noqa: E402  (the project's own bench images)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit(f"the service did not answer at {url} within {seconds:.0f} s")


def client(url: str, image: bytes, until: float) -> list[float]:
    latencies = []
    with httpx.Client(timeout=60) as http:
        while time.monotonic() < until:
            started = time.perf_counter()
            answer = http.post(url + "/read", files=[("files", ("image.jpg", image, "image/jpeg"))])
            answer.raise_for_status()
            latencies.append(time.perf_counter() - started)
    return latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--image", choices=["cell", "photo"], default="cell")
    args = parser.parse_args()
    image = cell_jpeg() if args.image == "cell" else phone_photo_jpeg()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "digitocr", "serve", "--port", str(port)], cwd=PROJECT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(url, 60)
        until = time.monotonic() + args.seconds
        with ThreadPoolExecutor(args.clients) as pool:
            latencies = [t for share in pool.map(lambda _: client(url, image, until), range(args.clients))
                         for t in share]
    finally:
        server.terminate()
        server.wait(30)
    ordered = sorted(latencies)
    print(f"{len(latencies)} requests of a {args.image} ({len(image) / 1e3:.0f} kB) from {args.clients} clients in "
          f"{args.seconds:.0f} s: {len(latencies) / args.seconds:.1f} requests/s; latency median "
          f"{1000 * statistics.median(ordered):.0f} ms, p95 {1000 * ordered[int(0.95 * (len(ordered) - 1))]:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
