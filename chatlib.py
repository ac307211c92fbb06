"""chatlib: one file, standard library only, a complete client for the OpenAI Chat Completions API.

It speaks to OpenAI, Azure OpenAI and every server with the same API (vLLM, llama.cpp, Ollama,
OpenRouter, Groq, LiteLLM, ...), on Python 3.8 to 3.13, with nothing to install::

    import chatlib
    chat = chatlib.Client().chat()              # OPENAI_API_KEY and OPENAI_BASE_URL from the environment
    reply = chat.create_byot({"model": "gpt-4o-mini",
                              "messages": [{"role": "user", "content": "Hello"}]})
    print(reply["choices"][0]["message"]["content"])

    for chunk in chat.create_stream_byot({"model": "gpt-4o-mini", "stream": True,
                                          "messages": [{"role": "user", "content": "Hello"}]}):
        print(chunk["choices"][0]["delta"].get("content") or "", end="")

Methods ending in ``_byot`` ("bring your own types") take and return plain dicts; the others take
and return the dataclasses of this module, named as in the OpenAPI spec.  README.md has the rest.
"""
# chatlib — MIT licence, Copyright (c) 2026 the chatlib authors — https://github.com/chatlib/chatlib
from __future__ import annotations

import json
import os
import sys
import threading
import time
import weakref

__version__ = "0.1.0"

__all__ = [
    # configuration and client
    "OpenAIConfig", "AzureConfig", "Client", "RetryPolicy",
    # errors
    "OpenAIError", "APIError", "APIStatusError", "BadRequestError", "AuthenticationError",
    "PermissionDeniedError", "NotFoundError", "ConflictError", "UnprocessableEntityError",
    "RateLimitError", "InternalServerError", "APIConnectionError", "APITimeoutError", "StreamError",
    "JSONDeserializeError", "InvalidArgumentError",
    # server-sent events
    "ServerSentEvent", "iter_sse",
    # the Chat API
    "Chat", "ChatCompletionResponseStream", "APIResponse", "ResponseInfo",
]

_DEFAULT_BASE = "https://api.openai.com/v1"
_USER_AGENT = "chatlib/%s Python/%d.%d.%d" % ((__version__,) + tuple(sys.version_info[:3]))
# Header names whose values are credentials: never logged, never sent to another origin.
_SECRET_HEADERS = frozenset(("authorization", "api-key", "openai-organization", "openai-project",
                             "proxy-authorization", "cookie", "x-api-key"))


# ---------------------------------------------------------------- configuration

def _check_base_url(url: str, what: str) -> str:
    """Returns `url` without a trailing slash, or raises InvalidArgumentError if it is unusable."""
    from urllib.parse import urlsplit

    if not isinstance(url, str) or not url:
        raise InvalidArgumentError("%s must be a non-empty string, not %r" % (what, url))
    if any(c in url for c in "\r\n\t ") or any(ord(c) < 32 for c in url):
        raise InvalidArgumentError("%s contains whitespace or a control character" % what)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise InvalidArgumentError("%s must start with http:// or https://, not %r"
                                   % (what, (parts.scheme + ":") if parts.scheme else url))
    if not parts.hostname:
        raise InvalidArgumentError("%s has no host: %r" % (what, url))
    if parts.username is not None or parts.password is not None:
        raise InvalidArgumentError("%s must not carry a user name or password; use the api_key" % what)
    if parts.query or parts.fragment:
        raise InvalidArgumentError("%s must not have a query or fragment: %r" % (what, url))
    try:
        parts.port  # raises ValueError for a port that is not a number or out of range
    except ValueError as exc:
        raise InvalidArgumentError("%s has a bad port: %s" % (what, exc)) from None
    return url.rstrip("/")


def _check_header(name: object, value: object, secret: bool = False) -> None:
    """Raises InvalidArgumentError for a header that http.client would reject or that could inject."""
    if not isinstance(name, str) or not name or any(c in name for c in ' \t\r\n:()<>@,;\\"/[]?={}'):
        raise InvalidArgumentError("bad header name %r" % (name,))
    if not isinstance(value, str):
        raise InvalidArgumentError("header %s must be a string, not %s" % (name, type(value).__name__))
    if "\r" in value or "\n" in value or "\0" in value:
        shown = "its value" if secret or name.lower() in _SECRET_HEADERS else repr(value)
        raise InvalidArgumentError("header %s: %s contains CR, LF or NUL" % (name, shown))


def _check_headers(headers: object, what: str) -> dict:
    if headers is None:
        return {}
    if not isinstance(headers, dict):
        raise InvalidArgumentError("%s must be a dict of str to str, not %s" % (what, type(headers).__name__))
    for k, v in headers.items():
        if v is not None:
            _check_header(k, v)
        elif not isinstance(k, str):
            raise InvalidArgumentError("bad header name %r" % (k,))
    return dict(headers)


def _env(name: str) -> str | None:
    value = os.environ.get(name)
    return value if value else None


class OpenAIConfig:
    """Where and how to reach OpenAI or any server with its API.

    Every argument left as None comes from the environment: ``OPENAI_API_KEY``,
    ``OPENAI_BASE_URL`` (default ``https://api.openai.com/v1``), ``OPENAI_ORG_ID`` and
    ``OPENAI_PROJECT_ID``.  With no key at all no ``Authorization`` header is sent, which is what
    local servers expect.  `headers` are sent with every request.

    A config is any object with ``url(path) -> str``, ``headers() -> dict`` and
    ``query() -> dict``; write your own for a provider with other rules.
    """

    def __init__(self, api_key: str | None = None, api_base: str | None = None,
                 org_id: str | None = None, project_id: str | None = None,
                 headers: dict | None = None) -> None:
        self.api_key = api_key if api_key is not None else _env("OPENAI_API_KEY")
        self.api_base = _check_base_url(api_base or _env("OPENAI_BASE_URL") or _DEFAULT_BASE, "api_base")
        self.org_id = org_id if org_id is not None else _env("OPENAI_ORG_ID")
        self.project_id = project_id if project_id is not None else _env("OPENAI_PROJECT_ID")
        self._extra_headers = _check_headers(headers, "headers")
        self._headers = {}
        if self.api_key:
            _check_header("Authorization", self.api_key, secret=True)
            self._headers["Authorization"] = "Bearer " + self.api_key
        if self.org_id:
            _check_header("OpenAI-Organization", self.org_id)
            self._headers["OpenAI-Organization"] = self.org_id
        if self.project_id:
            _check_header("OpenAI-Project", self.project_id)
            self._headers["OpenAI-Project"] = self.project_id
        self._headers.update(self._extra_headers)

    def url(self, path: str) -> str:
        """The full URL of an API path such as ``/chat/completions``."""
        return self.api_base + path

    def headers(self) -> dict:
        """The headers of every request: credentials and the `headers` given."""
        return dict(self._headers)

    def query(self) -> dict:
        """Query parameters added to every request (none for OpenAI)."""
        return {}

    def __repr__(self) -> str:
        return "OpenAIConfig(api_base=%r, api_key=%s)" % (self.api_base, "'***'" if self.api_key else None)


class AzureConfig:
    """Azure OpenAI: a deployment of a resource, reached with an API key or an Entra ID token.

    None arguments come from ``AZURE_OPENAI_ENDPOINT``, ``AZURE_OPENAI_API_KEY`` and
    ``OPENAI_API_VERSION``.  `token_provider` is a function returning a bearer token; it is called
    for every attempt, so a token that expires during retries is renewed.
    """

    def __init__(self, api_base: str | None = None, api_key: str | None = None,
                 deployment_id: str | None = None, api_version: str | None = None,
                 token_provider=None, headers: dict | None = None) -> None:
        self.api_base = _check_base_url(api_base or _env("AZURE_OPENAI_ENDPOINT") or "",
                                        "api_base (AZURE_OPENAI_ENDPOINT)") if (
            api_base or _env("AZURE_OPENAI_ENDPOINT")) else None
        if self.api_base is None:
            raise InvalidArgumentError("AzureConfig needs api_base or AZURE_OPENAI_ENDPOINT")
        self.api_key = api_key if api_key is not None else _env("AZURE_OPENAI_API_KEY")
        self.deployment_id = deployment_id
        self.api_version = api_version if api_version is not None else _env("OPENAI_API_VERSION")
        self.token_provider = token_provider
        if not isinstance(deployment_id, str) or not deployment_id:
            raise InvalidArgumentError("AzureConfig needs deployment_id, the name of the deployment")
        if not isinstance(self.api_version, str) or not self.api_version:
            raise InvalidArgumentError("AzureConfig needs api_version or OPENAI_API_VERSION")
        if token_provider is not None and not callable(token_provider):
            raise InvalidArgumentError("token_provider must be a function returning a token")
        if token_provider is not None and api_key:
            raise InvalidArgumentError("give AzureConfig either api_key or token_provider, not both")
        if self.api_key:
            _check_header("api-key", self.api_key, secret=True)
        from urllib.parse import quote
        self._prefix = "%s/openai/deployments/%s" % (self.api_base, quote(deployment_id, safe=""))
        self._extra_headers = _check_headers(headers, "headers")

    def url(self, path: str) -> str:
        return self._prefix + path

    def headers(self) -> dict:
        h = {}
        if self.token_provider is not None:
            token = self.token_provider()
            if not isinstance(token, str) or not token:
                raise InvalidArgumentError("token_provider returned %s, not a non-empty string"
                                           % type(token).__name__)
            _check_header("Authorization", token, secret=True)
            h["Authorization"] = "Bearer " + token
        elif self.api_key:
            h["api-key"] = self.api_key
        h.update(self._extra_headers)
        return h

    def query(self) -> dict:
        return {"api-version": self.api_version}

    def __repr__(self) -> str:
        return "AzureConfig(api_base=%r, deployment_id=%r, api_version=%r)" % (
            self.api_base, self.deployment_id, self.api_version)


# ---------------------------------------------------------------- transport and retries

class RetryPolicy:
    """When and how long to wait before trying a request again.

    A request is tried again after a failure to connect or to read, a timeout, or a response
    with status 408, 409, 429 or 5xx, at most `max_retries` times; never after any other status,
    nor after a 429 whose error code or type is ``insufficient_quota``.  A response header
    ``x-should-retry: true`` or ``false`` overrides that.  The wait is the server's
    ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date) when it gives one, up to
    `max_retry_after` seconds (a longer one is not waited for: the error is raised at once);
    else `initial_delay` doubled each time up to `max_delay`, less up to a quarter at random.
    `sleep` and `clock` are there for tests.
    """

    def __init__(self, max_retries: int = 2, initial_delay: float = 0.5, max_delay: float = 8.0,
                 max_retry_after: float = 60.0, sleep=None, clock=None, random=None) -> None:
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise InvalidArgumentError("max_retries must be a whole number >= 0, not %r" % (max_retries,))
        for name, v in (("initial_delay", initial_delay), ("max_delay", max_delay),
                        ("max_retry_after", max_retry_after)):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0 or v != v:
                raise InvalidArgumentError("%s must be a number of seconds >= 0, not %r" % (name, v))
        self.max_retries = max_retries
        self.initial_delay = float(initial_delay)
        self.max_delay = float(max_delay)
        self.max_retry_after = float(max_retry_after)
        self.sleep = sleep or time.sleep
        self.clock = clock or time.monotonic
        if random is None:
            import random as _random_module
            random = _random_module.Random().random
        self.random = random

    def should_retry(self, status: int, headers, body: bytes) -> bool:
        """Whether a response with this status, headers and body is worth another try."""
        hint = (headers.get("x-should-retry") or "").strip().lower()
        if hint == "true":
            return True
        if hint == "false":
            return False
        if status == 429:
            return not _is_quota_error(body)
        return status in (408, 409) or status >= 500

    def delay(self, attempt: int, headers) -> float | None:
        """Seconds to wait before retry number `attempt` (0 for the first), or None for too long."""
        hinted = _retry_after(headers, self.clock) if headers is not None else None
        if hinted is not None:
            return hinted if hinted <= self.max_retry_after else None
        base = min(self.initial_delay * (2.0 ** attempt), self.max_delay)
        return base * (1.0 - 0.25 * self.random())


def _is_quota_error(body: bytes) -> bool:
    if b"insufficient_quota" not in body:
        return False
    try:
        err = json.loads(body).get("error")
    except (ValueError, AttributeError):
        return False
    return isinstance(err, dict) and "insufficient_quota" in (err.get("code"), err.get("type"))


def _retry_after(headers, clock) -> float | None:
    """The server's requested wait in seconds, from retry-after-ms or Retry-After, or None."""
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            v = float(ms) / 1000.0
            if v >= 0 and v == v and v != float("inf"):
                return v
        except ValueError:
            pass
    ra = headers.get("retry-after")
    if not ra:
        return None
    ra = ra.strip()
    try:
        v = float(ra)
        return v if v >= 0 and v == v and v != float("inf") else None
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime
    try:
        when = parsedate_to_datetime(ra)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _origin(url: str) -> tuple:
    from urllib.parse import urlsplit
    p = urlsplit(url)
    port = p.port or (443 if p.scheme == "https" else 80)
    return (p.scheme, (p.hostname or "").lower(), port)


def _scrub(text: str, secrets) -> str:
    for s in secrets:
        if s and len(s) >= 4 and s in text:
            text = text.replace(s, "***")
    return text


class ResponseInfo:
    """What a successful call's HTTP response said besides its body."""

    __slots__ = ("status_code", "headers", "request_id", "url", "elapsed", "retries")

    def __init__(self, status_code: int, headers, url: str, elapsed: float, retries: int) -> None:
        self.status_code = status_code
        self.headers = headers  # an email.message.Message: case-insensitive .get()
        self.request_id = headers.get("x-request-id") if headers is not None else None
        self.url = url
        self.elapsed = elapsed
        self.retries = retries

    def __repr__(self) -> str:
        return "ResponseInfo(status_code=%d, request_id=%r, retries=%d)" % (
            self.status_code, self.request_id, self.retries)


def _load_http():
    """Imports urllib.request and builds the handler classes; only on the first request."""
    import http.client
    import select
    import socket
    import ssl
    import urllib.error
    import urllib.request
    from urllib.parse import urljoin, urlsplit

    class Request(urllib.request.Request):
        """A request that knows the configured origin and which headers are credentials."""

        def __init__(self, url, data, headers, method, origin, secrets, redirects=0):
            super().__init__(url, data=data, headers=headers, method=method)
            self.origin = origin
            self.secrets = secrets
            self.redirects = redirects

    def _conn_class(base):
        class Connection(base):
            # http.client would add "Accept-Encoding: identity" itself; chatlib sets it, so skip.
            def putrequest(self, method, url, skip_host=False, skip_accept_encoding=False):
                return super().putrequest(method, url, skip_host, True)
        return Connection

    HTTPConnection = _conn_class(http.client.HTTPConnection)
    HTTPSConnection = _conn_class(http.client.HTTPSConnection)

    class Pool:
        """Idle keep-alive connections per origin, shared by the threads of one client."""

        def __init__(self, size: int) -> None:
            self.size = size
            self.idle = {}
            self.lock = threading.Lock()
            self.opened = 0

        def get(self, key):
            with self.lock:
                conns = self.idle.get(key)
                while conns:
                    conn = conns.pop()
                    if _still_open(conn):
                        return conn
                    conn.close()
            return None

        def put(self, key, conn) -> None:
            with self.lock:
                conns = self.idle.setdefault(key, [])
                if self.size is not None and len(conns) < self.size:
                    conns.append(conn)
                    return
            conn.close()

        def close(self) -> None:
            with self.lock:
                idle, self.idle = self.idle, {}
            for conns in idle.values():
                for conn in conns:
                    conn.close()

    def _still_open(conn) -> bool:
        # An idle connection that is readable has been closed by the server (or sent garbage).
        sock = conn.sock
        if sock is None:
            return False
        try:
            readable, _, _ = select.select([sock], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable

    class Handler(urllib.request.AbstractHTTPHandler):
        """Opens http and https requests on pooled keep-alive connections."""

        def __init__(self, pool, context) -> None:
            super().__init__()
            self.pool = pool
            self.context = context

        http_request = urllib.request.AbstractHTTPHandler.do_request_
        https_request = urllib.request.AbstractHTTPHandler.do_request_

        def http_open(self, req):
            return self.open_pooled(req, HTTPConnection, {})

        def https_open(self, req):
            return self.open_pooled(req, HTTPSConnection, {"context": self.context})

        def open_pooled(self, req, cls, kwargs):
            if req.has_proxy() or req._tunnel_host:
                # Through a proxy: one connection per request, as urllib does it.
                return self.do_open(cls, req, **kwargs)
            key = (req.type, req.host)
            headers = dict(req.unredirected_hdrs)
            headers.update((k, v) for k, v in req.headers.items() if k not in headers)
            headers = {name.title(): val for name, val in headers.items()}
            while True:
                conn = self.pool.get(key)
                reused = conn is not None
                if conn is None:
                    conn = cls(req.host, timeout=req.timeout, **kwargs)
                    self.pool.opened += 1
                else:
                    conn.timeout = req.timeout
                    conn.sock.settimeout(req.timeout)
                try:
                    conn.request(req.get_method(), req.selector, req.data, headers)
                    resp = conn.getresponse()
                except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError,
                        ConnectionAbortedError) as exc:
                    conn.close()
                    if reused:
                        continue  # the server closed the idle connection: a fresh one, not a retry
                    raise urllib.error.URLError(exc) from None
                except BaseException:
                    conn.close()
                    raise
                resp.url = req.get_full_url()
                resp.msg = resp.reason
                resp.chatlib_release = (self.pool, key, conn)
                return resp

    class RedirectHandler(urllib.request.BaseHandler):
        """Follows redirects without leaking credentials or changing what the call does."""

        handler_order = 100
        max_redirects = 10

        def http_response(self, req, resp):
            code = resp.status
            if code not in (301, 302, 303, 307, 308):
                return resp
            location = resp.headers.get("location") or resp.headers.get("uri")
            method = req.get_method()

            def refuse(why):
                body = _read_capped(resp, 65536)
                _release(resp, True)
                raise _status_error(code, resp.headers, body, "redirect not followed: " + why, req.secrets)

            if not location:
                refuse("the %d response has no Location header" % code)
            new_url = urljoin(req.full_url, location.strip())
            new = urlsplit(new_url)
            if new.scheme not in ("http", "https"):
                refuse("it points to a %r URL" % (new.scheme + ":"))
            if req.type == "https" and new.scheme == "http":
                refuse("it goes from https to plain http (%s)" % new_url.split("?")[0])
            if code in (301, 302, 303) and method not in ("GET", "HEAD"):
                refuse("a %d answer to %s would turn the call into a GET of %s"
                       % (code, method, new_url.split("?")[0]))
            if req.redirects >= self.max_redirects:
                refuse("more than %d redirects" % self.max_redirects)
            _read_capped(resp, 65536)
            _release(resp, True)
            headers = dict(req.headers)
            headers.update(req.unredirected_hdrs)
            headers.pop("Host", None)
            if _origin(new_url) != req.origin:
                headers = {k: v for k, v in headers.items() if k.lower() not in req.secrets}
            if code in (307, 308):
                data = req.data
            else:
                data = None
                headers = {k: v for k, v in headers.items()
                           if k.lower() not in ("content-length", "content-type")}
            new_req = Request(new_url, data, headers, method if code in (307, 308) else "GET",
                              req.origin, req.secrets, req.redirects + 1)
            return self.parent.open(new_req, timeout=req.timeout)

        https_response = http_response

    return Request, Pool, Handler, RedirectHandler, HTTPConnection, HTTPSConnection, ssl, urllib, http.client, socket


def _read_capped(resp, limit: int) -> bytes:
    """Reads a whole non-streamed body, raising APIError past `limit` bytes."""
    data = resp.read(limit + 1) if limit is not None else resp.read()
    if limit is not None and len(data) > limit:
        resp.close()
        raise APIError("the response body is larger than the limit of %d bytes (max_body_size)" % limit)
    if resp.length:  # read(amt) returns a short body quietly when the server closes early
        import http.client
        raise http.client.IncompleteRead(data, resp.length)
    return data


def _release(resp, ok: bool) -> None:
    """Gives a finished response's connection back to its pool, or closes it."""
    info = getattr(resp, "chatlib_release", None)
    if info is None:
        resp.close()
        return
    resp.chatlib_release = None
    pool, key, conn = info
    if ok and resp.isclosed() and not resp.will_close and conn.sock is not None:
        pool.put(key, conn)
    else:
        resp.close()
        conn.close()


def _finish_stream(resp) -> None:
    """After [DONE]: keep the connection if the rest of the body is already here, else close it."""
    info = getattr(resp, "chatlib_release", None)
    if info is None or resp.isclosed():
        _release(resp, True)
        return
    conn = info[2]
    sock = conn.sock
    try:
        # Only what has already arrived: a server that holds the response open costs us the
        # connection, never a wait.
        sock.settimeout(0)
        rest = resp.read()
    except Exception:  # any failure here only means the connection is not reused
        rest = b"?"
    _release(resp, not rest.strip())


class _Transport:
    """One client's HTTP machinery: an urllib opener with pooled connections, retries, limits."""

    def __init__(self, proxy, ssl_context, pool_size: int) -> None:
        (self.Request, Pool, Handler, Redirect, _, _, ssl, urllib, self.http_client,
         self.socket) = _load_http()
        import logging
        self.log = logging.getLogger("chatlib")
        self.pool = Pool(pool_size)
        if ssl_context is None:
            ssl_context = ssl.create_default_context()
        if proxy is None:
            proxies = urllib.request.getproxies()
        elif proxy is False or proxy == "":
            proxies = {}
        else:
            proxies = {"http": proxy, "https": proxy}
        opener = urllib.request.OpenerDirector()
        opener.addheaders = []
        for h in (urllib.request.ProxyHandler(proxies), Handler(self.pool, ssl_context), Redirect()):
            opener.add_handler(h)
        self.opener = opener
        self.URLError = urllib.error.URLError
        self.ssl_error = ssl.SSLError
        self.cert_error = getattr(ssl, "SSLCertVerificationError", ssl.SSLError)

    def open(self, method, url, headers, body, timeout, origin, secrets):
        req = self.Request(url, body, headers, method, origin, secrets)
        return self.opener.open(req, timeout=timeout)

    def connection_error(self, exc: BaseException, timeout, url) -> APIConnectionError:
        """Turns what urllib and http.client raise into APIConnectionError or APITimeoutError."""
        reason = exc.reason if isinstance(exc, self.URLError) and isinstance(exc.reason, BaseException) else exc
        where = url.split("?")[0]
        if isinstance(reason, (self.socket.timeout, TimeoutError)):
            return APITimeoutError("no answer from %s within the timeout of %ss" % (where, timeout))
        if isinstance(reason, self.cert_error):
            return APIConnectionError("could not verify the TLS certificate of %s: %s (pass "
                                      "ssl_context= or set SSL_CERT_FILE for a private CA)" % (where, reason))
        if isinstance(reason, self.http_client.HTTPException):
            return APIConnectionError("the server at %s broke the HTTP protocol: %s: %s"
                                      % (where, type(reason).__name__, reason))
        text = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
        return APIConnectionError("could not talk to %s: %s" % (where, text))


# ---------------------------------------------------------------- errors

class OpenAIError(Exception):
    """The base of every error chatlib raises on purpose."""


class APIError(OpenAIError):
    """An error about an API call: `message`, and where the server said so, `type`, `param`,
    `code` and the `body` it sent."""

    def __init__(self, message: str, *, type: str | None = None, param: str | None = None,
                 code: str | None = None, body: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.body = body

    def _parts(self) -> list:
        parts = []
        if self.type:
            parts.append("type=%s" % self.type)
        if self.code:
            parts.append("code=%s" % self.code)
        if self.param:
            parts.append("param=%s" % self.param)
        return parts

    def __str__(self) -> str:
        msg = " ".join(str(self.message).split())
        parts = self._parts()
        return msg + (" (%s)" % ", ".join(parts) if parts else "")


class APIStatusError(APIError):
    """The server answered with a status other than 2xx."""

    def __init__(self, message: str, *, status_code: int, headers=None, request_id: str | None = None,
                 type: str | None = None, param: str | None = None, code: str | None = None,
                 body: object = None) -> None:
        super().__init__(message, type=type, param=param, code=code, body=body)
        self.status_code = status_code
        self.headers = headers
        self.request_id = request_id

    def _parts(self) -> list:
        parts = super()._parts()
        if self.request_id:
            parts.append("request_id=%s" % self.request_id)
        return parts

    def __str__(self) -> str:
        return "%d %s: %s" % (self.status_code, type(self).__name__, super().__str__())


class BadRequestError(APIStatusError):
    """400: the server could not use the request."""


class AuthenticationError(APIStatusError):
    """401: the key or token is missing, wrong or expired."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not do this."""


class NotFoundError(APIStatusError):
    """404: no such completion, model or path."""


class ConflictError(APIStatusError):
    """409: the resource changed meanwhile."""


class UnprocessableEntityError(APIStatusError):
    """422: the request was understood but cannot be done."""


class RateLimitError(APIStatusError):
    """429: too many requests, or no quota left (then `code` is ``insufficient_quota``)."""


class InternalServerError(APIStatusError):
    """5xx: the server failed."""


class APIConnectionError(APIError):
    """No usable answer: the connection failed, broke, or the server broke the protocol."""


class APITimeoutError(APIConnectionError):
    """The timeout or the deadline passed before the answer came."""


class StreamError(APIError):
    """An error event inside a stream, or a stream that broke before its end."""


class JSONDeserializeError(OpenAIError):
    """A successful body or stream event that is not the JSON expected; `text` holds it."""

    def __init__(self, message: str, text: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.text = text


class InvalidArgumentError(OpenAIError, ValueError):
    """A bad argument, found before anything was sent."""


_STATUS_ERRORS = {400: BadRequestError, 401: AuthenticationError, 403: PermissionDeniedError,
                  404: NotFoundError, 409: ConflictError, 422: UnprocessableEntityError,
                  429: RateLimitError}


def _status_error(status: int, headers, raw: bytes, prefix: str = "", secrets=()) -> APIStatusError:
    """Builds the APIStatusError subclass for a non-2xx response from its status and body."""
    cls = _STATUS_ERRORS.get(status) or (InternalServerError if status >= 500 else APIStatusError)
    text = _scrub(raw.decode("utf-8", "replace"), secrets)
    body: object = text
    etype = param = code = None
    message = None
    try:
        body = json.loads(text) if text.strip() else text
    except ValueError:
        pass
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict):
            message = err.get("message")
            etype, param, code = err.get("type"), err.get("param"), err.get("code")
        elif isinstance(err, str):
            message = err
    if not isinstance(message, str) or not message:
        reason = ""
        if not text.strip():
            message = "HTTP %d with an empty body" % status
        else:
            message = "HTTP %d: %s" % (status, text.strip() if len(text) <= 300 else text[:300].strip() + "...")
            reason = message
        message = reason or message
    if prefix:
        message = prefix + "; " + message
    request_id = headers.get("x-request-id") if headers is not None else None
    return cls(message, status_code=status, headers=headers, request_id=request_id,
               type=etype if isinstance(etype, str) else None,
               param=param if isinstance(param, str) else None,
               code=str(code) if code is not None else None, body=body)


# ---------------------------------------------------------------- server-sent events

class ServerSentEvent:
    """One event of a ``text/event-stream``: its `event` type, `data`, `id` and `retry`."""

    __slots__ = ("event", "data", "id", "retry")

    def __init__(self, data: str = "", event: str = "message", id: str = "", retry: int | None = None) -> None:
        self.data = data
        self.event = event
        self.id = id
        self.retry = retry

    def json(self):
        """The data parsed as JSON; JSONDeserializeError if it is not JSON."""
        try:
            return json.loads(self.data)
        except ValueError as exc:
            raise JSONDeserializeError("stream event data is not JSON: %s" % exc, self.data) from None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ServerSentEvent):
            return NotImplemented
        return (self.data, self.event, self.id, self.retry) == (other.data, other.event, other.id, other.retry)

    def __repr__(self) -> str:
        return "ServerSentEvent(event=%r, data=%r, id=%r, retry=%r)" % (self.event, self.data, self.id, self.retry)


_DEFAULT_MAX_EVENT = 32 * 1024 * 1024


def iter_sse(chunks, max_event_size: int | None = _DEFAULT_MAX_EVENT):
    """Parses a ``text/event-stream`` given as an iterable of bytes of any sizes into events.

    Follows the WHATWG HTML rules: lines end in LF, CRLF or a lone CR (also when a CRLF is split
    between two chunks); a leading byte order mark is dropped; lines starting with ``:`` are
    comments; the fields are ``event``, ``data`` (several lines are joined with ``\\n``), ``id``
    and ``retry``, with one space after the colon removed; a blank line ends an event; an event
    with no data line is not yielded; an unfinished event at the end is dropped.  An event is
    yielded as soon as its blank line has arrived.  A line or event longer than `max_event_size`
    bytes raises StreamError rather than filling memory.

    >>> [e.data for e in iter_sse([b"data: a\\r\\ndata: b\\r\\n\\r\\n: ping\\n\\n"])]
    ['a\\nb']
    """
    limit = max_event_size
    data = []
    size = 0
    event = None
    last_id = ""
    retry = None
    pending = b""
    skip_lf = False
    first = True
    for chunk in chunks:
        if not chunk:
            continue
        if skip_lf:
            skip_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
                if not chunk:
                    continue
        if first:
            if len(pending) + len(chunk) < 3 and b"\xef\xbb\xbf".startswith(pending + chunk):
                pending += chunk
                continue
            chunk = pending + chunk
            pending = b""
            first = False
            if chunk[:3] == b"\xef\xbb\xbf":
                chunk = chunk[3:]
                if not chunk:
                    continue
        last = chunk[-1]
        if last == 10 or last == 13:  # the chunk ends a line
            skip_lf = last == 13
            lines = (pending + chunk).splitlines() if pending else chunk.splitlines()
            pending = b""
        else:
            lines = (pending + chunk).splitlines() if pending else chunk.splitlines()
            pending = lines.pop()
            if limit is not None and len(pending) > limit:
                raise StreamError("a stream line is longer than the limit of %d bytes (max_event_size)" % limit)
        for line in lines:
            if not line:
                if data:
                    text = (data[0] if len(data) == 1 else b"\n".join(data)).decode("utf-8", "replace")
                    yield ServerSentEvent(text, "message" if event is None else event, last_id, retry)
                    data = []
                    size = 0
                event = None
                continue
            if line[0] == 58:  # ":" a comment
                continue
            colon = line.find(b":")
            if colon == -1:
                field, value = line, b""
            else:
                field = line[:colon]
                value = line[colon + 1:]
                if value[:1] == b" ":
                    value = value[1:]
            if field == b"data":
                data.append(value)
                if limit is not None:
                    size += len(value) + 1
                    if size > limit:
                        raise StreamError("a stream event is larger than the limit of %d bytes "
                                          "(max_event_size)" % limit)
            elif field == b"event":
                event = value.decode("utf-8", "replace")
            elif field == b"id":
                if b"\0" not in value:
                    last_id = value.decode("utf-8", "replace")
            elif field == b"retry":
                if value.isdigit():
                    retry = int(value)


# ---------------------------------------------------------------- types
# (the dataclasses of the spec follow in the next commit)


# ---------------------------------------------------------------- the Chat API

_DEFAULT_MAX_BODY = 64 * 1024 * 1024


def _check_seconds(value: object, what: str, allow_none: bool) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 or value == float("inf"):
        raise InvalidArgumentError("%s must be a positive number of seconds, not %r" % (what, value))
    return float(value)


def _check_size(value: object, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidArgumentError("%s must be a whole number of bytes >= 1 or None, not %r" % (what, value))
    return value


def _encode_json(obj: object, what: str) -> bytes:
    try:
        return json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
    except (TypeError, ValueError, UnicodeEncodeError, RecursionError) as exc:
        raise InvalidArgumentError("%s cannot be sent as JSON: %s" % (what, exc)) from None


def _decode_json(raw: bytes, what: str):
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        text = raw.decode("utf-8", "replace")
        shown = text if len(text) <= 200 else text[:200] + "..."
        raise JSONDeserializeError("%s is not valid JSON (%s): %r" % (what, exc, shown), text) from None


class Client:
    """A connection to one API server: its configuration, timeouts, retries and connections.

    ``Client()`` reads ``OpenAIConfig()`` from the environment.  `timeout` (seconds) bounds the
    connect and each wait for bytes; `deadline` (seconds, off by default) bounds a whole call,
    retries and the whole of a stream included.  `max_retries` and `retry` (a RetryPolicy) set
    when to try again.  `proxy` is a URL, None for the ``HTTPS_PROXY``/``NO_PROXY`` environment,
    or False for none.  `ssl_context` trusts a private CA (TLS is always verified).
    `max_body_size` and `max_event_size` cap what a server can make chatlib hold in memory.
    Connections are kept alive and reused (at most `pool_size` idle per server); a client is safe
    to share between threads.  ``with Client() as c:`` or ``c.close()`` closes them.
    """

    def __init__(self, config=None, *, timeout: float = 600.0, max_retries: int | None = None,
                 retry: RetryPolicy | None = None, deadline: float | None = None, proxy=None,
                 ssl_context=None, max_body_size: int | None = _DEFAULT_MAX_BODY,
                 max_event_size: int | None = _DEFAULT_MAX_EVENT, pool_size: int = 16,
                 log_bodies: bool = False) -> None:
        if config is None:
            config = OpenAIConfig()
        for attr in ("url", "headers", "query"):
            if not callable(getattr(config, attr, None)):
                raise InvalidArgumentError("config must have url(path), headers() and query() methods; "
                                           "%s has no %s()" % (type(config).__name__, attr))
        self.config = config
        self.timeout = _check_seconds(timeout, "timeout", False)
        self.deadline = _check_seconds(deadline, "deadline", True)
        if retry is not None and max_retries is not None:
            raise InvalidArgumentError("give max_retries or retry=RetryPolicy(...), not both")
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise InvalidArgumentError("retry must be a RetryPolicy, not %s" % type(retry).__name__)
        self.retry = retry or RetryPolicy(max_retries=2 if max_retries is None else max_retries)
        if proxy not in (None, False, ""):
            _check_base_url(proxy, "proxy")
        self.proxy = proxy
        if ssl_context is not None and not hasattr(ssl_context, "wrap_socket"):
            raise InvalidArgumentError("ssl_context must be an ssl.SSLContext")
        self.ssl_context = ssl_context
        self.max_body_size = _check_size(max_body_size, "max_body_size")
        self.max_event_size = _check_size(max_event_size, "max_event_size")
        if isinstance(pool_size, bool) or not isinstance(pool_size, int) or pool_size < 0:
            raise InvalidArgumentError("pool_size must be a whole number >= 0, not %r" % (pool_size,))
        self.pool_size = pool_size
        self.log_bodies = bool(log_bodies)
        self._transport = None
        self._lock = threading.Lock()
        self._origin = _origin(config.url(""))

    def chat(self) -> Chat:
        """The Chat Completions API of this client."""
        return Chat(self)

    def close(self) -> None:
        """Closes the idle connections; the client stays usable and opens new ones when needed."""
        t = self._transport
        if t is not None:
            t.pool.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        t = getattr(self, "_transport", None)
        if t is not None:
            t.pool.close()

    def __repr__(self) -> str:
        return "Client(%r, timeout=%s, max_retries=%d)" % (self.config, self.timeout, self.retry.max_retries)

    def _get_transport(self) -> _Transport:
        t = self._transport
        if t is None:
            with self._lock:
                t = self._transport
                if t is None:
                    t = self._transport = _Transport(self.proxy, self.ssl_context, self.pool_size)
        return t

    def _headers(self, accept: str, extra: dict) -> dict:
        headers = {"Content-Type": "application/json", "Accept": accept, "User-Agent": _USER_AGENT,
                   "Accept-Encoding": "identity"}
        headers.update(self.config.headers())
        if extra:
            lower = {k.lower(): k for k in headers}
            for k, v in extra.items():
                old = lower.get(k.lower())
                if old is not None:
                    del headers[old]
                if v is not None:
                    headers[k] = v
        return headers

    def _url(self, path: str, params, extra_query) -> str:
        from urllib.parse import urlencode

        pairs = list(self.config.query().items())
        pairs.extend(params)
        if extra_query:
            if not isinstance(extra_query, dict):
                raise InvalidArgumentError("extra_query must be a dict, not %s" % type(extra_query).__name__)
            pairs.extend(_query_pairs(extra_query, "extra_query"))
        url = self.config.url(path)
        return url + "?" + urlencode(pairs) if pairs else url

    def _send(self, method: str, path: str, body, *, stream: bool = False, params=(),
              extra_headers=None, extra_query=None, timeout=None, deadline=None):
        """Sends one call with retries; returns (parsed JSON, ResponseInfo) or, for a stream,
        (http response, ResponseInfo, per-read timeout, deadline end or None).

        Everything is checked before the first byte is sent.  Only failures of the network or
        of the server are retried: an exception from user code (a token provider) passes through.
        """
        timeout = self.timeout if timeout is None else _check_seconds(timeout, "timeout", False)
        deadline = self.deadline if deadline is None else _check_seconds(deadline, "deadline", False)
        extra = _check_headers(extra_headers, "extra_headers")
        url = self._url(path, params, extra_query)
        data = None if body is None else _encode_json(body, "the request")
        accept = "text/event-stream" if stream else "application/json"
        t = self._get_transport()
        policy = self.retry
        clock = policy.clock
        log = t.log
        debug = log.isEnabledFor(10)
        start = clock()
        end = None if deadline is None else start + deadline
        secret_names = _SECRET_HEADERS
        attempt = 0
        while True:
            headers = self._headers(accept, extra)
            secrets = [v for k, v in headers.items() if k.lower() in secret_names]
            secrets.extend(v.split(" ", 1)[-1] for v in list(secrets))
            wait = timeout
            if end is not None:
                left = end - clock()
                if left <= 0:
                    raise APITimeoutError("the deadline of %ss for this call passed after %d attempt(s)"
                                          % (deadline, attempt))
                wait = min(timeout, left)
            t0 = clock()
            retryable = True
            rheaders = None
            status = None
            try:
                resp = t.open(method, url, headers, data, wait, self._origin, secret_names)
                status = resp.status
                rheaders = resp.headers
                if 200 <= status < 300:
                    _check_encoding(resp)
                    info = ResponseInfo(status, rheaders, url, clock() - start, attempt)
                    if debug:
                        self._log_attempt(log, method, url, status, rheaders, clock() - t0, attempt, None, data)
                    if stream:
                        return resp, info, timeout, end
                    raw = _read_capped(resp, self.max_body_size)
                    _release(resp, True)
                    return _decode_json(raw, "the response body"), info
                raw = _read_capped(resp, self.max_body_size)
                _release(resp, True)
                err = _status_error(status, rheaders, raw, secrets=secrets)
                retryable = policy.should_retry(status, rheaders, raw)
            except OpenAIError:
                raise
            except (OSError, t.http_client.HTTPException) as exc:
                err = t.connection_error(exc, wait, url)
                if wait < timeout and isinstance(err, APITimeoutError):
                    err = APITimeoutError("the deadline of %ss for this call passed after %d attempt(s)"
                                          % (deadline, attempt + 1))
                err.__cause__ = exc
            delay = None
            if retryable and attempt < policy.max_retries:
                delay = policy.delay(attempt, rheaders)
                if delay is not None and end is not None and clock() + delay >= end:
                    delay = None
            if debug:
                self._log_attempt(log, method, url, status, rheaders, clock() - t0, attempt,
                                  "retry in %.3fs" % delay if delay is not None else "no retry", data, err)
            if delay is None:
                raise err
            policy.sleep(delay)
            attempt += 1

    def _log_attempt(self, log, method, url, status, headers, elapsed, attempt, decision, data, err=None):
        rid = headers.get("x-request-id") if headers is not None else None
        log.debug("%s %s -> %s request_id=%s %.3fs attempt=%d%s%s%s", method, url.split("?")[0],
                  status if status is not None else type(err).__name__, rid, elapsed, attempt + 1,
                  " " + decision if decision else "", " error=%s" % err if err is not None and status is None else "",
                  " body=%s" % data.decode("utf-8", "replace") if self.log_bodies and data else "")


def _check_encoding(resp) -> None:
    enc = (resp.headers.get("content-encoding") or "identity").strip().lower()
    if enc != "identity":
        _release(resp, False)
        raise APIError("the server sent a body with Content-Encoding %r although chatlib asked for "
                       "identity; it is not decoded" % enc)


def _query_pairs(query: dict, what: str) -> list:
    """Turns a query dict into (name, text) pairs; `metadata` becomes metadata[key]=value pairs."""
    pairs = []
    for k, v in query.items():
        if not isinstance(k, str) or not k:
            raise InvalidArgumentError("%s has a key that is not a non-empty string: %r" % (what, k))
        if v is None:
            continue
        if k == "metadata" and isinstance(v, dict):
            for mk, mv in v.items():
                if not isinstance(mk, str) or not isinstance(mv, str):
                    raise InvalidArgumentError("%s: metadata must map strings to strings" % what)
                pairs.append(("metadata[%s]" % mk, mv))
        elif isinstance(v, bool):
            pairs.append((k, "true" if v else "false"))
        elif isinstance(v, (str, int, float)):
            pairs.append((k, str(v)))
        else:
            raise InvalidArgumentError("%s: %s must be a string, number or boolean, not %s"
                                       % (what, k, type(v).__name__))
    return pairs


def _list_params(query, allowed: tuple, what: str) -> list:
    if query is None:
        return []
    if not isinstance(query, dict):
        raise InvalidArgumentError("%s must be a dict or None, not %s" % (what, type(query).__name__))
    unknown = [k for k in query if k not in allowed]
    if unknown:
        raise InvalidArgumentError("%s: unknown parameter %s (known: %s)" % (what, ", ".join(map(repr, unknown)),
                                                                             ", ".join(allowed)))
    limit = query.get("limit")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise InvalidArgumentError("%s: limit must be a whole number >= 1, not %r" % (what, limit))
    order = query.get("order")
    if order is not None and order not in ("asc", "desc"):
        raise InvalidArgumentError("%s: order must be 'asc' or 'desc', not %r" % (what, order))
    for k in ("model", "after"):
        if query.get(k) is not None and not isinstance(query[k], str):
            raise InvalidArgumentError("%s: %s must be a string, not %r" % (what, k, query[k]))
    md = query.get("metadata")
    if md is not None and not isinstance(md, dict):
        raise InvalidArgumentError("%s: metadata must be a dict of str to str" % what)
    return _query_pairs(query, what)


def _id_path(completion_id: object, suffix: str = "") -> str:
    """The path of one stored completion; the id is one percent-encoded segment, whatever it holds."""
    from urllib.parse import quote

    if not isinstance(completion_id, str) or not completion_id:
        raise InvalidArgumentError("completion_id must be a non-empty string, not %r" % (completion_id,))
    if completion_id in (".", ".."):
        raise InvalidArgumentError("completion_id %r would change the path" % completion_id)
    return "/chat/completions/" + quote(completion_id, safe="") + suffix


def _check_request(request: object, stream: bool) -> dict:
    if not isinstance(request, dict):
        raise InvalidArgumentError("the request must be a dict, not %s" % type(request).__name__)
    flag = request.get("stream")
    if stream and flag is not True:
        raise InvalidArgumentError('create_stream_byot needs "stream": true in the request '
                                   "(got %r); use create_byot for a single response" % (flag,))
    if not stream and flag:
        raise InvalidArgumentError('create_byot cannot take "stream": true; use create_stream_byot')
    return request


class APIResponse:
    """A parsed body together with its HTTP response: from ``chat.with_response.<method>(...)``."""

    __slots__ = ("data", "info")

    def __init__(self, data, info: ResponseInfo) -> None:
        self.data = data
        self.info = info

    @property
    def status_code(self) -> int:
        return self.info.status_code

    @property
    def headers(self):
        return self.info.headers

    @property
    def request_id(self) -> str | None:
        return self.info.request_id

    def __repr__(self) -> str:
        return "APIResponse(status_code=%d, request_id=%r, data=%s)" % (
            self.status_code, self.request_id, type(self.data).__name__)


class ChatCompletionResponseStream:
    """The chunks of a streamed completion, as they arrive: an iterator and a context manager.

    `response` holds the status, headers and request id at once.  A ``for`` loop left early
    (``break``, an exception), ``close()`` or the end of a ``with`` block closes the connection
    at once, so the server stops generating.  ``data: [DONE]`` ends the stream, keep-alive events
    without data are skipped, an error event raises StreamError, and a connection that breaks
    mid-stream raises StreamError (APITimeoutError when a timeout or the deadline passed).
    """

    def __init__(self, resp, info: ResponseInfo, decode, timeout: float, end, clock,
                 max_event_size) -> None:
        self.response = info
        self._resp = resp
        self._decode = decode
        self._timeout = timeout
        self._end = end
        self._clock = clock
        self._max_event = max_event_size
        self._strong = None
        self._weak = None
        self._closed = False

    def __iter__(self):
        # A for loop gets a generator that only it holds, so that leaving the loop drops it and
        # its finally block closes the connection at once; next(stream) keeps one alive instead.
        gen = self._live()
        if gen is None:
            if self._closed:
                return iter(())
            gen = self._events()
            self._weak = weakref.ref(gen)
        return gen

    def __next__(self):
        gen = self._live()
        if gen is None:
            if self._closed:
                raise StopIteration
            gen = self._events()
        self._strong = gen
        return next(gen)

    def _live(self):
        if self._strong is not None:
            return self._strong
        return self._weak() if self._weak is not None else None

    def __enter__(self) -> ChatCompletionResponseStream:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        if not getattr(self, "_closed", True):
            self._closed = True
            _release(self._resp, False)

    def close(self) -> None:
        """Stops reading and closes the connection (the server sees the client leave)."""
        gen = self._live()
        self._strong = None
        if gen is not None:
            gen.close()
        if not self._closed:
            self._closed = True
            _release(self._resp, False)

    def _chunks(self):
        resp = self._resp
        read1 = resp.read1
        end = self._end
        clock = self._clock
        sock = _sock_of(resp) if end is not None else None
        while True:
            if end is not None:
                left = end - clock()
                if left <= 0:
                    raise APITimeoutError("the deadline for this call passed while streaming")
                if sock is not None:
                    sock.settimeout(min(self._timeout, left))
            try:
                chunk = read1(65536)
            except OSError as exc:
                if _is_timeout(exc):
                    if end is not None and end - clock() <= self._timeout:
                        raise APITimeoutError("the deadline for this call passed while streaming") from None
                    raise APITimeoutError("the stream sent nothing for %ss (timeout)" % self._timeout) from None
                raise StreamError("the connection broke mid-stream: %s" % (exc.strerror or exc)) from None
            except Exception as exc:  # http.client.IncompleteRead and its kin: a cut chunked body
                if type(exc).__module__ != "http.client":
                    raise
                raise StreamError("the connection broke mid-stream: %s: %s" % (type(exc).__name__, exc)) from None
            if not chunk:
                if getattr(resp, "length", None):
                    raise StreamError("the connection closed mid-stream with %d bytes of the body missing"
                                      % resp.length)
                return
            yield chunk

    def _events(self):
        decode = self._decode
        loads = json.loads
        ok = False
        try:
            for ev in iter_sse(self._chunks(), self._max_event):
                data = ev.data
                if not data:
                    continue  # keep-alive, or an event with an empty data line
                kind = ev.event
                if kind != "message":
                    if kind == "error":
                        raise _stream_error(data)
                    continue  # a named event (ping, ...) that is not a chunk
                if data == "[DONE]":
                    _finish_stream(self._resp)
                    ok = True
                    return
                try:
                    obj = loads(data)
                except ValueError as exc:
                    raise JSONDeserializeError("a stream event is not valid JSON (%s): %r"
                                               % (exc, data[:200]), data) from None
                if type(obj) is dict and obj.get("error"):
                    raise _stream_error(data, obj)
                yield obj if decode is None else decode(obj)
            ok = True
            _release(self._resp, True)
        finally:
            self._closed = True
            if not ok:
                _release(self._resp, False)


def _sock_of(resp):
    info = getattr(resp, "chatlib_release", None)
    if info is not None and info[2].sock is not None:
        return info[2].sock
    return getattr(getattr(resp.fp, "raw", None), "_sock", None)


def _is_timeout(exc: BaseException) -> bool:
    import socket
    return isinstance(exc, (socket.timeout, TimeoutError))


def _stream_error(data: str, obj=None) -> StreamError:
    if obj is None:
        try:
            obj = json.loads(data)
        except ValueError:
            obj = None
    err = obj.get("error", obj) if isinstance(obj, dict) else None
    if isinstance(err, dict):
        msg = err.get("message") or "the server sent an error event"
        return StreamError(str(msg), type=err.get("type") if isinstance(err.get("type"), str) else None,
                           param=err.get("param") if isinstance(err.get("param"), str) else None,
                           code=str(err["code"]) if err.get("code") is not None else None, body=obj)
    if isinstance(err, str):
        return StreamError(err, body=obj)
    return StreamError("the server sent an error event: %s" % data[:300], body=data)


class Chat:
    """The Chat Completions endpoints of one Client, after async-openai's ``Chat``.

    ``*_byot`` methods take and return plain dicts, exactly as sent and received.  Every method
    takes keyword-only `extra_headers` (a None value removes a header), `extra_query`, `timeout`
    and `deadline` for that call.  ``chat.with_response.<method>(...)`` returns an APIResponse
    with the status, headers and request id beside the data.
    """

    def __init__(self, client: Client, _raw: bool = False) -> None:
        if not isinstance(client, Client):
            raise InvalidArgumentError("Chat needs a chatlib.Client, not %s" % type(client).__name__)
        self.client = client
        self._raw = _raw

    @property
    def with_response(self) -> Chat:
        """The same methods, returning APIResponse(data, info) instead of the data alone."""
        return Chat(self.client, _raw=True)

    def _call(self, method, path, body=None, params=(), decode=None, **opts):
        data, info = self.client._send(method, path, body, params=params, **opts)
        if decode is not None:
            data = decode(data)
        return APIResponse(data, info) if self._raw else data

    def _stream(self, body, decode, opts) -> ChatCompletionResponseStream:
        c = self.client
        resp, info, timeout, end = c._send("POST", "/chat/completions", body, stream=True, **opts)
        return ChatCompletionResponseStream(resp, info, decode, timeout, end, c.retry.clock, c.max_event_size)

    # -- bring your own types: dicts in, dicts out

    def create_byot(self, request: dict, *, extra_headers: dict | None = None, extra_query: dict | None = None,
                    timeout: float | None = None, deadline: float | None = None) -> dict:
        """POST /chat/completions: one complete response.  The request must not ask for a stream."""
        return self._call("POST", "/chat/completions", _check_request(request, False),
                          extra_headers=extra_headers, extra_query=extra_query, timeout=timeout, deadline=deadline)

    def create_stream_byot(self, request: dict, *, extra_headers: dict | None = None,
                           extra_query: dict | None = None, timeout: float | None = None,
                           deadline: float | None = None) -> ChatCompletionResponseStream:
        """POST /chat/completions with ``"stream": true``: an iterator of chunk dicts."""
        return self._stream(_check_request(request, True), None, dict(
            extra_headers=extra_headers, extra_query=extra_query, timeout=timeout, deadline=deadline))

    def list_byot(self, query: dict | None = None, *, extra_headers: dict | None = None,
                  extra_query: dict | None = None, timeout: float | None = None,
                  deadline: float | None = None) -> dict:
        """GET /chat/completions: stored completions; `query` has model, metadata, after, limit, order."""
        params = _list_params(query, ("model", "metadata", "after", "limit", "order"), "query")
        return self._call("GET", "/chat/completions", None, params, extra_headers=extra_headers,
                          extra_query=extra_query, timeout=timeout, deadline=deadline)

    def retrieve_byot(self, completion_id: str, *, extra_headers: dict | None = None,
                      extra_query: dict | None = None, timeout: float | None = None,
                      deadline: float | None = None) -> dict:
        """GET /chat/completions/{completion_id}: one stored completion."""
        return self._call("GET", _id_path(completion_id), None, extra_headers=extra_headers,
                          extra_query=extra_query, timeout=timeout, deadline=deadline)

    def update_byot(self, completion_id: str, request: dict, *, extra_headers: dict | None = None,
                    extra_query: dict | None = None, timeout: float | None = None,
                    deadline: float | None = None) -> dict:
        """POST /chat/completions/{completion_id}: sets the metadata of a stored completion."""
        path = _id_path(completion_id)
        if not isinstance(request, dict):
            raise InvalidArgumentError("the request must be a dict, not %s" % type(request).__name__)
        return self._call("POST", path, request, extra_headers=extra_headers,
                          extra_query=extra_query, timeout=timeout, deadline=deadline)

    def delete_byot(self, completion_id: str, *, extra_headers: dict | None = None,
                    extra_query: dict | None = None, timeout: float | None = None,
                    deadline: float | None = None) -> dict:
        """DELETE /chat/completions/{completion_id}."""
        return self._call("DELETE", _id_path(completion_id), None, extra_headers=extra_headers,
                          extra_query=extra_query, timeout=timeout, deadline=deadline)

    def messages_byot(self, completion_id: str, query: dict | None = None, *, extra_headers: dict | None = None,
                      extra_query: dict | None = None, timeout: float | None = None,
                      deadline: float | None = None) -> dict:
        """GET /chat/completions/{completion_id}/messages; `query` has after, limit, order."""
        path = _id_path(completion_id, "/messages")
        params = _list_params(query, ("after", "limit", "order"), "query")
        return self._call("GET", path, None, params, extra_headers=extra_headers,
                          extra_query=extra_query, timeout=timeout, deadline=deadline)
