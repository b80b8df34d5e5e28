"""Loopback fakes of two provider APIs, serving scripted answers to the real provider clients.

`OpenAIFake` speaks the Chat Completions API (`POST /v1/chat/completions`), `AnthropicFake` the
Messages API (`POST /v1/messages`). Both run an `http.server` on 127.0.0.1 in a thread, on a port
the system picks, and answer from a script per agent role, as `tests/fakes.py`'s ScriptedLLM does:

- a step is a final answer (str), tool calls ([("tool", {args}), ...]), a callable taking the
  `FakeRequest` and returning one of those, or a fault (`Fault(429)`, `Fault(500)`, `Hang(s)`);
- a fault is served once and the next request (the client's retry) gets the next step;
- `chaos` answers a share of all requests with 429 or 500 before the script sees them (seeded);
- every answer reports the fake's `usage` (prompt, completion tokens), and the fake adds up what
  it reported, so a test can compare the run's usage with the provider's own figures.

The agent is told apart by CrewAI's system prompt ("You are <role>. ...").
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ToolCalls = list[tuple[str, dict[str, Any]]]


@dataclass(frozen=True)
class Fault:
    """An HTTP error answer (429 rate limit, 500 server error, ...)."""

    status: int


@dataclass(frozen=True)
class Hang:
    """No answer for this long (past the client's timeout), then the connection is dropped."""

    seconds: float


Answer = str | ToolCalls
Step = Answer | Fault | Hang | Callable[["FakeRequest"], Answer]


@dataclass
class FakeRequest:
    """One request as the fake understood it, in a provider-neutral shape."""

    role: str | None
    system: str
    messages: list[dict[str, Any]]  # as sent (OpenAI or Anthropic shape)
    tools: list[str]
    tool_results: list[Any]  # JSON-decoded tool results seen so far in this conversation

    def last_result(self) -> Any:
        return self.tool_results[-1]


@dataclass
class Chaos:
    """Answer this share of requests with one of `statuses`, from a seeded random sequence."""

    rate: float
    seed: int
    statuses: tuple[int, ...] = (429, 500)
    _random: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def draw(self) -> int | None:
        if self._random.random() < self.rate:
            return self._random.choice(self.statuses)
        return None


class _Fake:
    api = ""

    def __init__(
        self,
        scripts: dict[str, list[Step]] | None = None,
        *,
        usage: tuple[int, int] = (1200, 80),
        chaos: Chaos | None = None,
        responder: Callable[[FakeRequest], Answer] | None = None,
    ) -> None:
        self.scripts = {role: list(steps) for role, steps in (scripts or {}).items()}
        self.usage = usage
        self.chaos = chaos
        self.responder = responder  # used when no script is given (e.g. a batch of many tickets)
        self.requests: list[FakeRequest] = []
        self.paths: list[str] = []
        self.faults_served: list[int] = []
        self.reported_prompt_tokens = 0
        self.reported_completion_tokens = 0
        self.answered = 0
        self._counter = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # --- server ---------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None, "the fake is not running"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @contextmanager
    def running(self) -> Iterator[_Fake]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                status, payload, delay = fake.handle(self.path, body)
                if delay:
                    time.sleep(delay)
                    return  # the client has given up; nothing to answer
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                if status == 429 or status >= 500:
                    self.send_header("retry-after-ms", "5")  # the SDKs honour it: fast retries
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self._server = server
        thread = threading.Thread(target=server.serve_forever, name=f"fake-{self.api}", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()

    # --- answering ------------------------------------------------------------------------------
    def handle(self, path: str, body: dict[str, Any]) -> tuple[int, Any, float]:
        with self._lock:
            self.paths.append(path)
            if not self._serves(path):
                return 404, self.error_body(404, f"the fake does not serve {path}"), 0.0
            request = self.parse(body)
            self.requests.append(request)
            if self.chaos is not None:
                status = self.chaos.draw()
                if status is not None:
                    self.faults_served.append(status)
                    return status, self.error_body(status, "scripted fault"), 0.0
            step = self._next_step(request)
            if isinstance(step, Fault):
                self.faults_served.append(step.status)
                return step.status, self.error_body(step.status, "scripted fault"), 0.0
            if isinstance(step, Hang):
                return 200, None, step.seconds
            if callable(step):
                step = step(request)
            self.answered += 1
            self.reported_prompt_tokens += self.usage[0]
            self.reported_completion_tokens += self.usage[1]
            return 200, self.answer(body, step), 0.0

    def _next_step(self, request: FakeRequest) -> Step:
        script = self.scripts.get(request.role or "")
        if script:
            return script.pop(0)
        if self.responder is not None:
            return self.responder
        raise AssertionError(f"{self.api} fake: no step left for agent {request.role!r}")

    def _role(self, system: str) -> str | None:
        known = [role for role in self.scripts if f"You are {role}." in system]
        if known:
            return known[0]
        head = system.removeprefix("You are ").split(".", 1)[0]
        return head or None

    def _call_id(self) -> str:
        self._counter += 1
        return f"call_{self._counter}"

    # provider-specific
    def _serves(self, path: str) -> bool:
        raise NotImplementedError

    def parse(self, body: dict[str, Any]) -> FakeRequest:
        raise NotImplementedError

    def answer(self, body: dict[str, Any], step: Answer) -> Any:
        raise NotImplementedError

    def error_body(self, status: int, message: str) -> Any:
        raise NotImplementedError


def _json_or_text(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return {"text": text}


class OpenAIFake(_Fake):
    api = "openai"

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def _serves(self, path: str) -> bool:
        return path.rstrip("/").endswith("/chat/completions")

    def parse(self, body: dict[str, Any]) -> FakeRequest:
        messages = body.get("messages") or []
        system = "\n".join(str(m.get("content") or "") for m in messages if m.get("role") in ("system", "developer"))
        if not system and messages:  # a prompt without a system message starts with the role
            system = str(messages[0].get("content") or "")
        tools = [t.get("function", {}).get("name", "") for t in body.get("tools") or []]
        results = [_json_or_text(m.get("content")) for m in messages if m.get("role") == "tool"]
        return FakeRequest(self._role(system), system, messages, tools, results)

    def answer(self, body: dict[str, Any], step: Answer) -> Any:
        if isinstance(step, str):
            message: dict[str, Any] = {"role": "assistant", "content": step}
            finish = "stop"
        else:
            calls = [
                {
                    "id": self._call_id(),
                    "type": "function",
                    "function": {"name": name, "arguments": json.dumps(args)},
                }
                for name, args in step
            ]
            message = {"role": "assistant", "content": None, "tool_calls": calls}
            finish = "tool_calls"
        prompt, completion = self.usage
        return {
            "id": f"chatcmpl-{self.answered}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
        }

    def error_body(self, status: int, message: str) -> Any:
        kind = {429: "rate_limit_exceeded", 404: "not_found"}.get(status, "server_error")
        return {"error": {"message": message, "type": kind, "param": None, "code": kind}}


class AnthropicFake(_Fake):
    api = "anthropic"

    def _serves(self, path: str) -> bool:
        # count_tokens is deliberately not served: the runner counts locally (runner/providers.py)
        return path.split("?")[0].rstrip("/") == "/v1/messages"

    def parse(self, body: dict[str, Any]) -> FakeRequest:
        system = body.get("system") or ""
        if isinstance(system, list):
            system = "\n".join(str(block.get("text", "")) for block in system if isinstance(block, dict))
        messages = body.get("messages") or []
        if not system and messages:
            first = messages[0].get("content")
            system = first if isinstance(first, str) else json.dumps(first)
        results = [
            _json_or_text(_block_text(block.get("content")))
            for m in messages
            if isinstance(m.get("content"), list)
            for block in m["content"]
            if isinstance(block, dict) and block.get("type") == "tool_result"
        ]
        tools = [t.get("name", "") for t in body.get("tools") or []]
        return FakeRequest(self._role(system), system, messages, tools, results)

    def answer(self, body: dict[str, Any], step: Answer) -> Any:
        if isinstance(step, str):
            content: list[dict[str, Any]] = [{"type": "text", "text": step}]
            stop = "end_turn"
        else:
            content = [{"type": "tool_use", "id": self._call_id(), "name": name, "input": args} for name, args in step]
            stop = "tool_use"
        prompt, completion = self.usage
        return {
            "id": f"msg_{self.answered}",
            "type": "message",
            "role": "assistant",
            "model": body.get("model", "fake"),
            "content": content,
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": {"input_tokens": prompt, "output_tokens": completion},
        }

    def error_body(self, status: int, message: str) -> Any:
        kind = {429: "rate_limit_error", 404: "not_found_error", 529: "overloaded_error"}.get(status, "api_error")
        return {"type": "error", "error": {"type": kind, "message": message}}


def _block_text(content: Any) -> Any:
    if isinstance(content, list):
        return "".join(str(block.get("text", "")) for block in content if isinstance(block, dict))
    return content
