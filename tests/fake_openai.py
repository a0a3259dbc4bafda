"""A scripted OpenAI-compatible server for the failure paths of the server backend (no model).

It speaks just enough of llama-cpp-python's server: /v1/models, /extras/tokenize
(one token per character, so counts are predictable) and a streamed
/v1/completions whose behaviour each test picks: answer, fail with a status,
break the connection after some tokens, or end without a finish reason.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Script:
    pieces: list[str] = field(default_factory=lambda: ["Hello", " there", ",", " friend", "."])
    status: int = 200  # an error status instead of a stream
    break_after: int | None = None  # close the connection after this many pieces
    finish: bool = True  # send the closing chunk with a finish reason
    timings: dict[str, Any] | None = None  # llama-server's per-request figures, on the last chunk
    tokenize: bool = True  # offer /extras/tokenize
    upstream: str | None = None  # answer as nginx does, naming the worker (X-Upstream-Addr)


class FakeOpenAIServer:
    def __init__(self, script: Script | None = None) -> None:
        self.script = script or Script()
        self.requests: list[dict[str, Any]] = []
        self.paths: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def _json(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                fake.paths.append(self.path)
                if self.path == "/v1/models":
                    self._json(200, {"object": "list", "data": [{"id": "smollm2-135m-instruct"}]})
                else:
                    self._json(404, {"detail": "Not Found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.paths.append(self.path)
                script = fake.script
                if self.path == "/extras/tokenize" and script.tokenize:
                    self._json(200, {"tokens": [ord(char) for char in body["input"]]})
                    return
                if self.path != "/v1/completions":
                    self._json(404, {"detail": "Not Found"})
                    return
                fake.requests.append(body)
                if script.status != 200:
                    self._json(script.status, {"error": {"message": f"scripted failure {script.status}"}})
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                if script.upstream:
                    self.send_header("X-Upstream-Addr", script.upstream)
                self.end_headers()
                pieces = script.pieces[: body.get("max_tokens", len(script.pieces))]
                for number, piece in enumerate(pieces):
                    if script.break_after is not None and number >= script.break_after:
                        self.wfile.flush()
                        self.connection.shutdown(2)  # the worker dies mid-answer: no closing chunk
                        self.close_connection = True
                        return
                    self._event({"choices": [{"text": piece, "finish_reason": None}]})
                if script.finish:
                    last: dict[str, Any] = {"choices": [{"text": "", "finish_reason": "stop"}]}
                    if script.timings:
                        last["timings"] = script.timings
                    self._event(last)
                self._event("[DONE]")
                self.wfile.write(b"0\r\n\r\n")

            def _event(self, data: Any) -> None:
                text = data if isinstance(data, str) else json.dumps(data)
                payload = f"data: {text}\n\n".encode()
                self.wfile.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")
                self.wfile.flush()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAIServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
