"""Which model server to try: a pool of URLs taking turns, resting a server for a while after it fails."""

from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit

from app.errors import SettingsError

START_HINT = "scripts/deploy/serve_local.py --workers 2"
DEFAULT_COOLDOWN_S = 30.0


def start_hint(url: str) -> str:
    port = urlsplit(url).port
    port_part = f" --port {port}" if port else ""
    return (
        f"start one with `python {START_HINT}{port_part}` "
        f"or `python -m llama_cpp.server --model FILE.gguf --interrupt_requests False{port_part}`"
    )


class ServerPool:
    """The servers of one backend and which of them are resting after a failure (thread-safe)."""

    def __init__(self, urls: list[str], *, cooldown_s: float = DEFAULT_COOLDOWN_S) -> None:
        if not urls:
            raise SettingsError("no server URL given: pass --server-url http://HOST:PORT/v1 (repeat it for more).")
        self.urls = list(urls)  # base URLs as Settings writes them: http://HOST:PORT/v1
        self.cooldown_s = cooldown_s
        self._resting_until: dict[str, float] = {}
        self._next = 0
        self._lock = threading.Lock()

    def order(self, preferred: str | None = None, *, take_turn: bool = True) -> list[str]:
        """Every server once: the preferred (else the next in turn) first, resting ones last.

        Generations take turns (take_turn) so that several servers share the
        work; short calls (tokenize) go to whichever is next without moving the turn.
        """
        with self._lock:
            if preferred in self.urls:
                start = self.urls.index(preferred)
            else:
                start = self._next
                if take_turn:
                    self._next = (self._next + 1) % len(self.urls)
            rotated = self.urls[start:] + self.urls[:start]
            now = time.monotonic()
            ready = [url for url in rotated if self._resting_until.get(url, 0.0) <= now]
            resting = sorted((url for url in rotated if url not in ready), key=lambda url: self._resting_until[url])
            return ready + resting

    def rest(self, url: str) -> None:
        with self._lock:
            self._resting_until[url] = time.monotonic() + self.cooldown_s

    def recovered(self, url: str) -> None:
        with self._lock:
            self._resting_until.pop(url, None)

    def resting(self, url: str) -> bool:
        with self._lock:
            return self._resting_until.get(url, 0.0) > time.monotonic()


def server_root(url: str) -> str:
    """The server's root, where llama.cpp servers keep their non-OpenAI endpoints (tokenize)."""
    return url[: -len("/v1")] if url.endswith("/v1") else url
