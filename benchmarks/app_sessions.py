"""Load on the app: N browser sessions at once, each reading a sample, against a local server.

    python benchmarks/app_sessions.py [--sessions 20] [--timeout 180]

Starts `streamlit run app.py` on a free loopback port, opens N pages in headless
Chromium (Debian's /usr/bin/chromium) at the same time, has each click a sample's
"Read this" and waits for its number; prints how many answered and how long they
took. Bounded: N sessions, one read each, and an overall time limit.
"""

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.async_api import async_playwright

PROJECT = Path(__file__).resolve().parent.parent
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def one_session(browser, url: str, index: int, timeout: float) -> float | None:
    context = await browser.new_context()
    page = await context.new_page()
    started = time.perf_counter()
    try:
        await page.goto(url, timeout=timeout * 1000)
        await page.get_by_role("tab", name="Samples").click(timeout=timeout * 1000)
        buttons = page.get_by_role("button", name="Read this")
        await buttons.nth(index % 5).click(timeout=timeout * 1000)
        await page.locator("[data-testid='stCode'] code").first.wait_for(timeout=timeout * 1000)
        return time.perf_counter() - started
    except Exception as error:  # one failed session is a result to report, not a reason to stop the others
        print(f"session {index}: {type(error).__name__}: {str(error).splitlines()[0]}", file=sys.stderr)
        return None
    finally:
        await context.close()


async def run(sessions: int, timeout: float) -> int:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                               "--server.address", "127.0.0.1"], cwd=PROJECT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(180):
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=2)
                break
            except OSError:
                await asyncio.sleep(0.5)
        async with async_playwright() as driver:
            browser = await driver.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            await one_session(browser, url, 0, timeout)  # warm the model cache once
            started = time.perf_counter()
            results = await asyncio.wait_for(
                asyncio.gather(*(one_session(browser, url, i, timeout) for i in range(sessions))), timeout + 30)
            wall = time.perf_counter() - started
            await browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    answered = [seconds for seconds in results if seconds is not None]
    print(f"{len(answered)}/{sessions} sessions answered in {wall:.1f} s; per session: median "
          f"{statistics.median(answered):.1f} s, slowest {max(answered):.1f} s" if answered else "no session answered")
    return 0 if len(answered) == sessions else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=180)
    args = parser.parse_args()
    return asyncio.run(run(args.sessions, args.timeout))


if __name__ == "__main__":
    raise SystemExit(main())
