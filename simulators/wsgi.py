"""A very small WSGI toolkit shared by the simulators.

Each simulator is a plain WSGI application, so the same code runs three ways:

* as a separate process (``motcua simulator <name> --port …``) on a threaded
  ``wsgiref`` server (``serve``);
* mounted in-process under ``/sim/<name>/`` of motcua's own URLs (``django_view``),
  which is what ``make run`` and the browser tests use;
* called without a socket by ``httpx.WSGITransport`` where a server-side adapter
  needs the simulator and has no request to derive a URL from.

The simulators are development and test tools; they hold their state in memory.
"""

from __future__ import annotations

import base64
import html
import io
import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

MAX_BODY = 64 * 1024


class Request:
    """What a handler needs from the WSGI environ."""

    def __init__(self, environ: Environ) -> None:
        self.environ = environ
        self.method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        self.path = str(environ.get("PATH_INFO", "") or "/")
        self.script_name = str(environ.get("SCRIPT_NAME", "")).rstrip("/")
        self.query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        self._body: bytes | None = None

    def header(self, name: str) -> str:
        key = "HTTP_" + name.upper().replace("-", "_")
        if name.lower() == "content-type":
            key = "CONTENT_TYPE"
        return str(self.environ.get(key, "") or "")

    @property
    def body(self) -> bytes:
        if self._body is None:
            try:
                length = int(self.environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            stream = self.environ.get("wsgi.input")
            self._body = stream.read(min(length, MAX_BODY)) if stream and length > 0 else b""
        return self._body

    @property
    def form(self) -> dict[str, str]:
        if not self.header("Content-Type").startswith("application/x-www-form-urlencoded"):
            return {}
        return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8", "replace")).items()}

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    @property
    def base_url(self) -> str:
        """Scheme, host and mount point: where this application lives."""
        scheme = self.environ.get("wsgi.url_scheme", "http")
        server = self.environ.get("SERVER_NAME", "localhost")
        host = self.environ.get("HTTP_HOST") or f"{server}:{self.environ.get('SERVER_PORT', '80')}"
        return f"{scheme}://{host}{self.script_name}"

    def basic_auth(self) -> tuple[str, str] | None:
        value = self.header("Authorization")
        if not value.lower().startswith("basic "):
            return None
        try:
            decoded = base64.b64decode(value[6:].strip(), validate=True).decode("utf-8")
        except ValueError:
            return None
        user, sep, password = decoded.partition(":")
        if not sep:
            return None
        return unquote(user), unquote(password)

    def bearer_token(self) -> str | None:
        value = self.header("Authorization")
        if value.lower().startswith("bearer "):
            return value[7:].strip() or None
        return None


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        phrase = HTTPStatus(self.status).phrase
        headers = [*self.headers, ("Content-Length", str(len(self.body)))]
        start_response(f"{self.status} {phrase}", headers)
        return [self.body]


def json_response(
    data: Any, status: int = 200, headers: Iterable[tuple[str, str]] = ()
) -> Response:
    body = json.dumps(data, ensure_ascii=False, indent=None).encode("utf-8")
    return Response(
        status,
        body,
        [
            ("Content-Type", "application/json; charset=utf-8"),
            ("Cache-Control", "no-store"),
            *headers,
        ],
    )


def html_response(markup: str, status: int = 200) -> Response:
    return Response(
        status,
        markup.encode("utf-8"),
        [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
        ],
    )


def redirect(location: str, status: int = 302) -> Response:
    return Response(status, b"", [("Location", location), ("Cache-Control", "no-store")])


def with_query(url: str, params: dict[str, str]) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}{urlencode(params)}"


def escape(value: object) -> str:
    return html.escape(str(value), quote=True)


Handler = Callable[[Request], Response]


class Router:
    """Exact path + method routing; unknown paths answer 404, wrong methods 405."""

    def __init__(self) -> None:
        self._routes: dict[str, dict[str, Handler]] = {}

    def add(self, path: str, handler: Handler, methods: Iterable[str] = ("GET",)) -> None:
        table = self._routes.setdefault(path, {})
        for method in methods:
            table[method.upper()] = handler

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        table = self._routes.get(request.path)
        if table is None:
            response = json_response({"error": "not_found"}, 404)
        elif request.method not in table:
            response = json_response(
                {"error": "method_not_allowed"}, 405, [("Allow", ", ".join(sorted(table)))]
            )
        else:
            response = table[request.method](request)
        return response(environ, start_response)


# --- Running as a separate process -------------------------------------------------------


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return  # the simulators log nothing personal, and nothing at all by default


def make_simulator_server(app: WSGIApp, *, host: str, port: int) -> WSGIServer:
    """A threaded HTTP server for ``app``; port 0 picks a free port."""
    return make_server(host, port, app, server_class=_ThreadingServer, handler_class=_QuietHandler)


def serve_in_thread(app: WSGIApp, *, host: str = "127.0.0.1", port: int = 0) -> WSGIServer:
    """Start ``app`` in a daemon thread (tests); stop it with ``server.shutdown()``."""
    server = make_simulator_server(app, host=host, port=port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --- Mounting in motcua's own URLs ---------------------------------------------------------


def django_view(get_app: Callable[[], WSGIApp], mount: str) -> Callable[..., Any]:
    """A Django view serving the application ``get_app()`` under ``mount`` (``/sim/…``).

    ``get_app`` is called per request (cache it if building is costly). The view is
    exempt from CSRF: the simulators stand for other systems, not motcua pages.
    """
    from django.http import HttpRequest, HttpResponse
    from django.views.decorators.csrf import csrf_exempt

    @csrf_exempt
    def view(request: HttpRequest, rest: str = "") -> HttpResponse:
        body = request.body
        environ: Environ = {
            "REQUEST_METHOD": request.method,
            "SCRIPT_NAME": request.META.get("SCRIPT_NAME", "").rstrip("/") + mount,
            "PATH_INFO": "/" + rest,
            "QUERY_STRING": request.META.get("QUERY_STRING", ""),
            "CONTENT_TYPE": request.META.get("CONTENT_TYPE", ""),
            "CONTENT_LENGTH": str(len(body)),
            "SERVER_NAME": request.get_host().rsplit(":", 1)[0],
            "SERVER_PORT": request.get_port(),
            "HTTP_HOST": request.get_host(),
            "wsgi.url_scheme": request.scheme,
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": io.StringIO(),
        }
        for key, value in request.META.items():
            if key.startswith("HTTP_") and key != "HTTP_HOST":
                environ[key] = value
        captured: dict[str, Any] = {}

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            captured["status"] = int(status.split(" ", 1)[0])
            captured["headers"] = headers
            return lambda _data: None

        content = b"".join(get_app()(environ, start_response))
        response = HttpResponse(content, status=captured["status"])
        for name, value in captured["headers"]:
            if name.lower() != "content-length":
                response[name] = value
        return response

    return view


def mounted_at(app: WSGIApp, prefix: str) -> WSGIApp:
    """Serve ``app`` under the URL path ``prefix`` (e.g. an issuer's ``/realms/x``)."""
    prefix = prefix.rstrip("/")
    if not prefix:
        return app

    def mounted(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        if path != prefix and not path.startswith(prefix + "/"):
            return json_response({"error": "not_found"}, 404)(environ, start_response)
        environ = dict(environ, SCRIPT_NAME=prefix, PATH_INFO=path[len(prefix) :] or "/")
        return app(environ, start_response)

    return mounted
