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

import functools
import json
import os
import sys
import threading
import time
import typing
import weakref
from typing import (TYPE_CHECKING, Any, AsyncIterator, Callable, ClassVar, Coroutine, Dict, Generator, Generic,
                    Iterable, Iterator, List, Literal, Mapping, Optional, Sequence, Set, Tuple, Type, TypeVar, Union,
                    cast)

if TYPE_CHECKING:  # for the type checkers only: nothing here runs
    from dataclasses import dataclass as _spec  # what the spec classes are; see _Model
    if sys.version_info >= (3, 10):
        from typing import Concatenate, ParamSpec
        _P = ParamSpec("_P")
_T = TypeVar("_T")
_F = TypeVar("_F")
_M = TypeVar("_M", bound="_Model")

__version__ = "0.1.0"

__all__ = [
    # configuration and client
    "OpenAIConfig", "AzureConfig", "Client", "RetryPolicy",
    # errors
    "OpenAIError", "APIError", "APIStatusError", "BadRequestError", "AuthenticationError",
    "PermissionDeniedError", "NotFoundError", "ConflictError", "UnprocessableEntityError",
    "RateLimitError", "InternalServerError", "APIConnectionError", "APITimeoutError", "StreamError",
    "JSONDeserializeError", "InvalidArgumentError", "RefusalError", "IncompleteOutputError",
    # server-sent events
    "ServerSentEvent", "iter_sse",
    # the Chat API
    "Chat", "ChatWithResponse", "ChatCompletionResponseStream", "APIResponse", "AsyncClient", "AsyncChat",
    "AsyncChatWithResponse",
    "AsyncChatCompletionResponseStream", "ResponseInfo", "ListChatCompletionsQuery",
    "GetChatCompletionMessagesQuery",
    # helpers for chat applications
    "REASONING_FIELDS", "accumulate", "function_tool", "parse_arguments", "run_tool_calls", "arun_tool_calls", "response_format", "parse_completion",
    # command line
    "main",
    # types: the spec's schemas
    "CreateChatCompletionRequest", "WebSearchOptions", "ChatCompletionAudio", "PromptCacheOptionsParam",
    "ResponseFormatText", "ResponseFormatJsonSchema", "ResponseFormatJsonObject", "ModerationParam",
    "PredictionContent", "ChatCompletionStreamOptions", "ChatCompletionTool", "CustomToolChatCompletions",
    "ChatCompletionFunctionCallOption", "ChatCompletionFunctions", "WebSearchUserLocation",
    "ChatCompletionRequestDeveloperMessage", "ChatCompletionRequestSystemMessage",
    "ChatCompletionRequestUserMessage", "ChatCompletionRequestAssistantMessage",
    "ChatCompletionRequestToolMessage", "ChatCompletionRequestFunctionMessage", "JsonSchema",
    "ModerationPolicyParam", "ChatCompletionRequestMessageContentPartText", "FunctionObject",
    "CustomToolProperties", "ChatCompletionAllowedToolsChoice", "ChatCompletionNamedToolChoice",
    "ChatCompletionNamedToolChoiceCustom", "WebSearchLocation", "CustomVoice",
    "ChatCompletionRequestAssistantMessageAudio", "FunctionCall", "ModerationConfigParam",
    "PromptCacheBreakpointParam", "CustomToolTextFormat", "CustomToolGrammarFormat",
    "ChatCompletionAllowedTools", "FunctionName", "CustomName",
    "ChatCompletionRequestMessageContentPartImage", "ChatCompletionRequestMessageContentPartAudio",
    "ChatCompletionRequestMessageContentPartFile", "ChatCompletionMessageToolCall",
    "ChatCompletionMessageCustomToolCall", "ChatCompletionRequestMessageContentPartRefusal",
    "CustomGrammarFormatParam", "ImageUrl", "InputAudio", "FileObject", "CustomTool",
    "UpdateChatCompletionRequest", "CreateChatCompletionResponse", "ChatChoice", "CompletionUsage",
    "ChatCompletionModeration", "ChatChoiceLogprobs", "ChatCompletionResponseMessage",
    "CompletionTokensDetails", "PromptTokensDetails", "ChatCompletionModerationResults",
    "ChatCompletionModerationError", "ChatCompletionTokenLogprob",
    "ChatCompletionResponseMessageAnnotation", "ChatCompletionResponseMessageAudio", "ModerationResultBody",
    "TopLogprobs", "UrlCitation", "CreateChatCompletionStreamResponse", "ChatChoiceStream",
    "ChatCompletionStreamResponseDelta", "FunctionCallStream", "ChatCompletionMessageToolCallChunk",
    "ChatCompletionList", "ChatCompletionMessageList", "ChatCompletionMessageListItem",
    "ChatCompletionDeleted", "ErrorResponse", "Error", "CreateModelResponseProperties",
    "ModelResponseProperties", "Metadata", "ChatCompletionRequestMessage", "ModelIdsShared", "ServiceTier",
    "ResponseModalities", "Verbosity", "ReasoningEffort", "WebSearchContextSize", "VoiceIdsOrCustomVoice",
    "StopConfiguration", "ChatCompletionToolChoiceOption", "ParallelToolCalls",
    "ChatCompletionMessageToolCalls", "PromptCacheTTLEnum", "PromptCacheModeEnum",
    "ResponseFormatJsonSchemaSchema", "VoiceIdsShared", "FunctionParameters",
    "ChatCompletionRequestSystemMessageContentPart", "ChatCompletionRequestUserMessageContentPart",
    "ChatCompletionRequestAssistantMessageContentPart", "ChatCompletionRequestToolMessageContentPart",
    "ModerationMode", "ModerationInputType",
]

_DEFAULT_BASE = "https://api.openai.com/v1"
_JSON_ERRORS = (ValueError, RecursionError)  # what json.loads raises for bad or absurdly nested text
# json.loads without its checks around the C scanner (two regular expressions and three calls
# per string): what it returns for a text that starts with a value and ends with it, as a
# stream's chunks do.  Anything else goes through json.loads, which explains what is wrong.
_scan_json: Callable[[str, int], Tuple[Any, int]] = getattr(json.JSONDecoder(), "scan_once")  # not in typeshed
# json.dumps with options builds an encoder at every call, which costs more than encoding a request.
_encode_request = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode
_USER_AGENT = "chatlib/%s Python/%d.%d.%d" % ((__version__,) + tuple(sys.version_info[:3]))  # type: ignore[str-format]
# Header names whose values are credentials: never logged, never shown, never sent to another
# origin.  Organisation and project ids are identifiers, not secrets: a server's message that
# names them is shown as it is, but they too stay with the origin they were configured for.
_SECRET_HEADERS = frozenset(("authorization", "api-key", "proxy-authorization", "cookie", "x-api-key"))
_ORIGIN_HEADERS = _SECRET_HEADERS | frozenset(("openai-organization", "openai-project"))
_TOKEN_CHARS = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")

# Limits, named as http.client names _MAXLINE: what a server can make chatlib hold or do.
_MAX_SECONDS = 1e9                      # about 31 years: longer waits overflow the platform's timers
_MAX_INTERIM = 16                       # interim (1xx) responses skipped before one answer, at most
_MAX_REDIRECTS = 10                     # redirects followed for one request
_DEFAULT_MAX_BODY = 64 * 1024 * 1024    # bytes of a whole (not streamed) body, unless max_body_size says
_DEFAULT_MAX_EVENT = 32 * 1024 * 1024   # bytes of one server-sent event, unless max_event_size says
_READ_BLOCK = 65536                     # bytes asked of the socket per read, and a response's buffer
_BATCH = 262144                         # bytes an async stream's reader hands over at once, of what has arrived
_PEEK = 1024                            # bytes peeked at on a socket, to see if they complete a chunk's size line
_REDIRECT_BODY = 65536                  # bytes of a redirect's body read: to explain a refusal, or to drain it
_SHOWN = 200                            # characters of a server's text or a bad value quoted in an error message
_LOOP_JSON = 65536                      # characters of an async stream's event decoded on the event loop; more, in a worker


# ---------------------------------------------------------------- errors

class OpenAIError(Exception):
    """The base of every error chatlib raises on purpose.  Every one survives pickle and copy
    with all its fields, as json.JSONDecodeError does (a RateLimitError raised in a
    ProcessPoolExecutor worker reaches the caller as itself)."""

    def __reduce__(self) -> Tuple[Any, ...]:
        return _rebuild_error, (type(self), self.args, dict(self.__dict__))


def _rebuild_error(cls: type, args: Tuple[Any, ...], state: Dict[str, Any]) -> OpenAIError:
    err: OpenAIError = OpenAIError.__new__(cls)
    Exception.__init__(err, *args)
    err.__dict__.update(state)
    return err


class APIError(OpenAIError):
    """An error about an API call: `message`, and where the server said so, `type`, `param`,
    `code` and the `body` it sent."""

    def __init__(self, message: str, *, type: Optional[str] = None, param: Optional[str] = None,
                 code: Optional[str] = None, body: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.body = body

    def _parts(self) -> List[Any]:
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

    def __init__(self, message: str, *, status_code: int, headers: Optional[Mapping[str, str]] = None,
                 request_id: Optional[str] = None,
                 type: Optional[str] = None, param: Optional[str] = None, code: Optional[str] = None,
                 body: object = None) -> None:
        super().__init__(message, type=type, param=param, code=code, body=body)
        self.status_code = status_code
        self.headers = headers
        self.request_id = request_id
        self.method: Optional[str] = None  # the call that failed: method and URL path (no query)
        self.path: Optional[str] = None
        self.hint: Optional[str] = None    # what may fix it, when chatlib can tell

    def _parts(self) -> List[Any]:
        parts = super()._parts()
        if self.request_id:
            parts.append("request_id=%s" % self.request_id)
        if self.method and self.path:
            parts.append("%s %s" % (self.method, self.path))
        if self.hint:
            parts.append(self.hint)
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
    """A bad argument, found before anything was sent (or a tool call's arguments that do not fit
    the function, found before it runs)."""


class RefusalError(OpenAIError):
    """The model refused to give a structured answer: `refusal` says why; `completion` is kept."""

    def __init__(self, refusal: str, completion: Union[CreateChatCompletionResponse, Dict[str, Any]]) -> None:
        super().__init__("the model refused: %s" % " ".join(str(refusal).split()))
        self.refusal = refusal
        self.completion = completion


class IncompleteOutputError(OpenAIError):
    """The answer was cut off (`finish_reason` ``length``) or filtered (``content_filter``), so it
    cannot be parsed; `completion` is kept."""

    def __init__(self, finish_reason: str, completion: Union[CreateChatCompletionResponse, Dict[str, Any]]) -> None:
        why = {"length": "it reached the token limit (max_tokens or max_completion_tokens)",
               "content_filter": "the content filter stopped it"}.get(finish_reason, finish_reason)
        super().__init__("the answer is incomplete: %s" % why)
        self.finish_reason = finish_reason
        self.completion = completion


_STATUS_ERRORS = {400: BadRequestError, 401: AuthenticationError, 403: PermissionDeniedError,
                  404: NotFoundError, 409: ConflictError, 422: UnprocessableEntityError,
                  429: RateLimitError}


def _status_error(status: int, headers: Any, raw: bytes, prefix: str = "", secrets: Any = ()) -> APIStatusError:
    """Builds the APIStatusError subclass for a non-2xx response from its status and body.
    Credentials are scrubbed from the raw text and from the decoded JSON alike."""
    cls = _STATUS_ERRORS.get(status) or (InternalServerError if status >= 500 else APIStatusError)
    text = _scrub(raw.decode("utf-8", "replace"), secrets)
    body: object = text
    try:
        body = _scrub_json(json.loads(text), secrets) if text.strip() else text
    except _JSON_ERRORS:
        pass
    message, etype, param, code = _error_fields(body)
    if message is None:
        # No message of the API's own (an HTML page from a proxy, a framework's error): the start
        # of the text, which `body` keeps whole.
        shown = (text if isinstance(body, str) else json.dumps(body, ensure_ascii=False)).strip()
        if not shown:
            message = "HTTP %d with an empty body" % status
        else:
            message = "HTTP %d: %s" % (status, shown if len(shown) <= _SHOWN else shown[:_SHOWN] + "...")
    if prefix:
        message = prefix + "; " + message
    request_id = headers.get("x-request-id") if headers is not None else None
    return cls(message, status_code=status, headers=headers, request_id=request_id,
               type=etype, param=param, code=code, body=body)


# ---------------------------------------------------------------- configuration

def _check_base_url(url: object, what: str, userinfo: bool = False) -> str:
    """Returns `url` without a trailing slash, or raises InvalidArgumentError if it is unusable.
    `userinfo` allows a user name and password (a proxy's); error messages never show them."""
    if not isinstance(url, str) or not url:
        raise InvalidArgumentError("%s must be a non-empty string, not %s" % (what, type(url).__name__))
    shown = _without_userinfo(url)
    if any(c in url for c in "\r\n\t ") or any(ord(c) < 32 or ord(c) == 127 for c in url):
        raise InvalidArgumentError("%s contains whitespace or a control character: %r" % (what, shown))
    if any(ord(c) > 126 for c in url):
        raise InvalidArgumentError("%s must be ASCII (percent-encode other characters): %r" % (what, shown))
    try:
        parts = _split_url(url)
    except ValueError as exc:
        raise InvalidArgumentError("%s is not a valid URL (%s): %r" % (what, exc, shown)) from None
    if parts.scheme not in ("http", "https"):
        raise InvalidArgumentError("%s must start with http:// or https://, not %r"
                                   % (what, (parts.scheme + ":") if parts.scheme else shown))
    if not parts.hostname:
        raise InvalidArgumentError("%s has no host: %r" % (what, shown))
    if not userinfo and "@" in parts.netloc:
        raise InvalidArgumentError("%s must not carry a user name or password; use the api_key" % what)
    if parts.query or parts.fragment or (userinfo and "@" in url and "@" not in parts.netloc):
        raise InvalidArgumentError("%s must not have a query or fragment (percent-encode a password's "
                                   "'#', '?' or '/'): %r" % (what, shown))
    return url.rstrip("/")


def _split_url(url: str) -> Any:
    """urlsplit, with the checks old Pythons leave out: ValueError for a port that is not a
    number or out of range, or a bracketed host that is not an IPv6 address."""
    from urllib.parse import urlsplit
    parts = urlsplit(url)
    parts.port
    host = parts.netloc.rpartition("@")[2]
    if "[" in host or "]" in host:
        import ipaddress
        literal = host[host.find("[") + 1:host.find("]")] if host.startswith("[") and "]" in host else ""
        try:
            ipaddress.IPv6Address(literal.split("%")[0])
        except ValueError:
            raise ValueError("%r is not an IPv6 address in brackets" % host) from None
    return parts


def _without_userinfo(url: str) -> str:
    """A URL as an error message may show it: whatever stands before an "@" after the scheme
    (a user name and password, however they are spelled) is left out."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    return scheme + "://***@" + rest.rpartition("@")[2]


def _check_header(name: object, value: object, secret: bool = False, what: str = "header") -> None:
    """Raises InvalidArgumentError for a header that http.client would reject or that could inject;
    `what` says where it came from.  A credential's value is never shown."""
    if not isinstance(name, str) or not name or not _TOKEN_CHARS.issuperset(name):
        raise InvalidArgumentError("%s: bad header name %r (letters, digits and !#$%%&'*+-.^_`|~ only)"
                                   % (what, name))
    if not isinstance(value, str):
        raise InvalidArgumentError("%s: %s must be a string, not %s" % (what, name, type(value).__name__))
    shown = "its value" if secret or name.lower() in _SECRET_HEADERS else repr(value)
    if "\r" in value or "\n" in value or "\0" in value:
        raise InvalidArgumentError("%s: %s: %s contains CR, LF or NUL" % (what, name, shown))
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise InvalidArgumentError("%s: %s: %s has a character HTTP headers cannot carry (only latin-1)"
                                   % (what, name, shown)) from None


def _check_headers(headers: object, what: str) -> Dict[str, Any]:
    """A copy of a dict of headers, each checked; a None value (which removes a header) is allowed."""
    if headers is None:
        return {}
    if not isinstance(headers, dict):
        raise InvalidArgumentError("%s must be a dict of str to str, not %s" % (what, type(headers).__name__))
    for k, v in headers.items():
        if v is not None:
            _check_header(k, v, what=what)
        elif not isinstance(k, str):
            raise InvalidArgumentError("%s: bad header name %r" % (what, k))
    return dict(headers)


def _env(name: str) -> Optional[str]:
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

    def __init__(self, api_key: Optional[Union[str, Callable[[], str]]] = None, api_base: Optional[str] = None,
                 org_id: Optional[str] = None, project_id: Optional[str] = None,
                 headers: Optional[Dict[str, Any]] = None, *, base_url: Optional[str] = None) -> None:
        if base_url is not None and api_base is not None and base_url != api_base:
            raise InvalidArgumentError("give api_base or base_url (the same thing), not both")
        self.token_provider = api_key if callable(api_key) else None
        self.api_key = None if callable(api_key) else api_key if api_key is not None else _env("OPENAI_API_KEY")
        self.api_base = _check_base_url(api_base or base_url or _env("OPENAI_BASE_URL") or _DEFAULT_BASE,
                                        "api_base")
        self.org_id = org_id if org_id is not None else _env("OPENAI_ORG_ID")
        self.project_id = project_id if project_id is not None else _env("OPENAI_PROJECT_ID")
        self._extra_headers = _check_headers(headers, "headers")
        self._headers = {}
        if self.api_key:
            _check_header("Authorization", self.api_key, secret=True, what="api_key")
            self._headers["Authorization"] = "Bearer " + self.api_key
        if self.org_id:
            _check_header("OpenAI-Organization", self.org_id, what="org_id")
            self._headers["OpenAI-Organization"] = self.org_id
        if self.project_id:
            _check_header("OpenAI-Project", self.project_id, what="project_id")
            self._headers["OpenAI-Project"] = self.project_id
        self._headers.update(self._extra_headers)

    @property
    def base_url(self) -> str:
        """The same as `api_base`, under the official SDK's name."""
        return self.api_base

    def url(self, path: str) -> str:
        """The full URL of an API path such as ``/chat/completions``."""
        return self.api_base + path

    def headers(self) -> Dict[str, Any]:
        """The headers of every request: credentials and the `headers` given.  A token provider
        (an `api_key` that is a function) is called each time: for every attempt, retries too."""
        if self.token_provider is None:
            return dict(self._headers)
        h = {"Authorization": "Bearer " + _provided_token(self.token_provider, "api_key()")}
        h.update(self._headers)
        return h

    def query(self) -> Dict[str, Any]:
        """Query parameters added to every request (none for OpenAI)."""
        return {}

    def __repr__(self) -> str:
        key = "<token provider>" if self.token_provider else "'***'" if self.api_key else None
        return "OpenAIConfig(api_base=%r, api_key=%s)" % (self.api_base, key)


def _provided_token(provider: Callable[[], str], what: str) -> str:
    """A token provider's answer, checked; what it raises passes through unchanged."""
    token = provider()
    if not isinstance(token, str) or not token:
        raise InvalidArgumentError("%s returned %s, not a non-empty string" % (what, type(token).__name__))
    _check_header("Authorization", token, secret=True, what=what)
    return token


class AzureConfig:
    """Azure OpenAI: a deployment of a resource, reached with an API key or an Entra ID token.

    None arguments come from ``AZURE_OPENAI_ENDPOINT``, ``AZURE_OPENAI_API_KEY`` and
    ``OPENAI_API_VERSION``.  `token_provider` is a function returning a bearer token; it is called
    for every attempt, so a token that expires during retries is renewed.
    """

    def __init__(self, api_base: Optional[str] = None, api_key: Optional[str] = None,
                 deployment_id: Optional[str] = None, api_version: Optional[str] = None,
                 token_provider: Optional[Callable[[], str]] = None, headers: Optional[Dict[str, Any]] = None) -> None:
        base = api_base or _env("AZURE_OPENAI_ENDPOINT")
        if not base:
            raise InvalidArgumentError("AzureConfig needs api_base or AZURE_OPENAI_ENDPOINT")
        self.api_base = _check_base_url(base, "api_base (AZURE_OPENAI_ENDPOINT)")
        self.api_key = api_key if api_key is not None else _env("AZURE_OPENAI_API_KEY")
        self.deployment_id = deployment_id
        self.api_version = api_version if api_version is not None else _env("OPENAI_API_VERSION")
        self.token_provider = token_provider
        if not isinstance(deployment_id, str) or not deployment_id:
            raise InvalidArgumentError("AzureConfig needs deployment_id, the name of the deployment")
        if deployment_id in (".", ".."):
            raise InvalidArgumentError("deployment_id %r would change the path" % deployment_id)
        if not isinstance(self.api_version, str) or not self.api_version:
            raise InvalidArgumentError("AzureConfig needs api_version or OPENAI_API_VERSION")
        if token_provider is not None and not callable(token_provider):
            raise InvalidArgumentError("token_provider must be a function returning a token")
        if token_provider is not None and api_key:
            raise InvalidArgumentError("give AzureConfig either api_key or token_provider, not both")
        if self.api_key:
            _check_header("api-key", self.api_key, secret=True, what="api_key")
        from urllib.parse import quote
        self._prefix = "%s/openai/deployments/%s" % (self.api_base, quote(deployment_id, safe=""))
        self._extra_headers = _check_headers(headers, "headers")

    def url(self, path: str) -> str:
        return self._prefix + path

    def headers(self) -> Dict[str, Any]:
        h = {}
        if self.token_provider is not None:
            h["Authorization"] = "Bearer " + _provided_token(self.token_provider, "token_provider()")
        elif self.api_key:
            h["api-key"] = self.api_key
        h.update(self._extra_headers)
        return h

    def query(self) -> Dict[str, Any]:
        return {"api-version": self.api_version}

    def __repr__(self) -> str:
        return "AzureConfig(api_base=%r, deployment_id=%r, api_version=%r)" % (
            self.api_base, self.deployment_id, self.api_version)


# ---------------------------------------------------------------- transport and retries
#
# Who owns a connection, from the moment a call wants one until it is reused or closed:
#
#     _Pool (idle, per origin)
#       | _Transport._send_pooled takes one (or opens one) and sends the request
#       v
#     the request under way (the connection, while the caller waits for the answer)
#       | _Transport._answer reads the head
#       v
#     the response (http.client's, with `chatlib_release` = (pool, key, connection))
#       |-- a whole body: _Call._body reads it (_read_capped), then _release
#       |-- a stream: _StreamCore holds the response until [DONE], the end, an error or close()
#       v
#     _release / _finish_stream: back to the _Pool if the body ended cleanly and the server
#     keeps the connection alive; closed otherwise (a cut body, a fired _Watch, a cancel, a
#     redirect body too long to drain, an error).  A _Watch may shut the socket down at any
#     moment: whoever holds the connection then sees the read fail, and closes it.
#
# Above the pool, `_Call` drives one call: checks, attempts (`attempt`), and the wait between
# them (`retry_delay`); Client._send runs it in the calling thread, AsyncClient._send in workers.

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
                 max_retry_after: float = 60.0, sleep: Optional[Callable[[float], Any]] = None,
                 clock: Optional[Callable[[], float]] = None, random: Optional[Callable[[], float]] = None) -> None:
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise InvalidArgumentError("max_retries must be a whole number >= 0, not %r" % (max_retries,))
        for name, v in (("initial_delay", initial_delay), ("max_delay", max_delay),
                        ("max_retry_after", max_retry_after)):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= _MAX_SECONDS:
                raise InvalidArgumentError("%s must be a number of seconds from 0 to %g, not %r"
                                           % (name, _MAX_SECONDS, v))
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

    def should_retry(self, status: int, headers: Mapping[str, str], body: bytes) -> bool:
        """Whether a response with this status, headers and body is worth another try."""
        hint = (headers.get("x-should-retry") or "").strip().lower()
        if hint == "true":
            return True
        if hint == "false":
            return False
        if status == 429:
            return not _is_quota_error(body)
        return status in (408, 409) or status >= 500

    def delay(self, attempt: int, headers: Optional[Mapping[str, str]]) -> Optional[float]:
        """Seconds to wait before retry number `attempt` (0 for the first), or None for too long."""
        hinted = _retry_after(headers) if headers is not None else None
        if hinted is not None:
            return hinted if hinted <= self.max_retry_after else None
        base = min(self.initial_delay * (2.0 ** attempt), self.max_delay)
        return base * (1.0 - 0.25 * self.random())


def _is_quota_error(body: bytes) -> bool:
    if b"insufficient_quota" not in body:
        return False
    try:
        err = json.loads(body).get("error")
    except (ValueError, AttributeError, RecursionError):
        return False
    return isinstance(err, dict) and "insufficient_quota" in (err.get("code"), err.get("type"))


def _retry_after(headers: Mapping[str, str]) -> Optional[float]:
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
        if when is None:
            return None
        return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError, IndexError, OverflowError, OSError):  # no date, or one no clock can hold
        return None


def _origin(url: str) -> Tuple[Any, ...]:
    from urllib.parse import urlsplit
    p = urlsplit(url)
    port = p.port or (443 if p.scheme == "https" else 80)
    return (p.scheme, (p.hostname or "").lower(), port)


def _scrub(text: str, secrets: Any) -> str:
    for s in secrets:
        if s and len(s) >= 4 and s in text:
            text = text.replace(s, "***")
    return text


def _scrub_json(value: Any, secrets: Any) -> Any:
    """Parsed JSON with every credential replaced in its strings (keys included): after JSON's
    escapes (``\\/``, ``\\u0073``) are decoded, a credential is plain text again."""
    kind = type(value)
    if kind is str:
        return _scrub(value, secrets)
    if kind is dict:
        return {_scrub(k, secrets): _scrub_json(v, secrets) for k, v in value.items()}
    if kind is list:
        return [_scrub_json(v, secrets) for v in value]
    return value


def _secret_forms(values: Any) -> List[Any]:
    """Each credential as a server may echo it: as sent, JSON-escaped and base64-encoded."""
    import base64
    out = []
    for v in values:
        if not v:
            continue
        out.append(v)
        escaped = json.dumps(v)[1:-1]
        for form in (escaped, escaped.replace("/", "\\/"), base64.b64encode(v.encode("utf-8", "replace")).decode()):
            if form != v:
                out.append(form)
    return out


def _error_fields(body: Any) -> Tuple[Any, ...]:
    """(message, type, param, code) of an API error object: ``{"error": {...}}``, ``{"error":
    "text"}`` or the fields at the top (vLLM's ``{"object": "error", ...}``); Nones where absent."""
    err = body.get("error", body) if isinstance(body, dict) else None
    if isinstance(err, str):
        return err, None, None, None
    if not isinstance(err, dict):
        return None, None, None, None
    message, etype, param, code = err.get("message"), err.get("type"), err.get("param"), err.get("code")
    return (message if isinstance(message, str) and message else None,
            etype if isinstance(etype, str) else None, param if isinstance(param, str) else None,
            str(code) if code is not None and not isinstance(code, (dict, list)) else None)


class ResponseInfo:
    """What a successful call's HTTP response said besides its body."""

    __slots__ = ("status_code", "headers", "request_id", "url", "elapsed", "retries")

    def __init__(self, status_code: int, headers: Mapping[str, str], url: str, elapsed: float,
                 retries: int) -> None:
        self.status_code = status_code
        self.headers = headers  # an email.message.Message: case-insensitive .get()
        self.request_id = headers.get("x-request-id") if headers is not None else None
        self.url = url
        self.elapsed = elapsed
        self.retries = retries

    def __repr__(self) -> str:
        return "ResponseInfo(status_code=%d, request_id=%r, retries=%d)" % (
            self.status_code, self.request_id, self.retries)


class _Refused(Exception):
    """A redirect chatlib does not follow; the message says why."""


def _redirect(code: int, location: Optional[str], url: str, method: str, headers: Dict[str, Any], data: Optional[bytes],
              origin: Tuple[Any, ...], secret_names: Any, redirects: int) -> Tuple[Any, ...]:
    """The request a redirect asks for, as (url, method, headers, body), or _Refused.

    Followed: 301, 302 and 303 for GET and HEAD, and 307 and 308 for any method (with the same
    body), to http or https and never from https to http, at most _MAX_REDIRECTS times.  The
    credentials and identifiers in `secret_names` are dropped on the way to another origin.  A
    Location that is not a usable URL (a bad port, a broken IPv6 literal, text that is not
    ASCII) is refused, as is a 301, 302 or 303 that would turn a POST into a GET."""
    from urllib.parse import urljoin

    if not location:
        raise _Refused("the %d response has no Location header" % code)
    location = location.strip()
    if any(ord(c) <= 32 or ord(c) >= 127 for c in location):
        raise _Refused("its Location %r is not a valid URL (spaces, control or non-ASCII characters)"
                       % location[:_SHOWN])
    try:
        new_url = urljoin(url, location)
        new = _split_url(new_url)
    except ValueError as exc:
        raise _Refused("its Location %r is not a valid URL (%s)" % (location[:_SHOWN], exc)) from None
    shown = new_url.split("?")[0]
    if new.scheme not in ("http", "https") or not new.hostname:
        raise _Refused("it points to %r, not an http or https URL" % shown)
    if url.startswith("https:") and new.scheme == "http":
        raise _Refused("it goes from https to plain http (%s)" % shown)
    if code in (301, 302, 303) and method not in ("GET", "HEAD"):
        raise _Refused("a %d answer to %s would turn the call into a GET of %s" % (code, method, shown))
    if redirects >= _MAX_REDIRECTS:
        raise _Refused("more than %d redirects" % _MAX_REDIRECTS)
    headers = {k: v for k, v in headers.items() if k.lower() != "host"}
    if _origin(new_url) != origin:
        headers = {k: v for k, v in headers.items() if k.lower() not in secret_names}
    if code in (307, 308):
        return new_url, method, headers, data
    headers = {k: v for k, v in headers.items() if k.lower() not in ("content-length", "content-type")}
    return new_url, "GET", headers, None


class _Pool:
    """Idle keep-alive connections per origin, shared by the threads of one client."""

    def __init__(self, size: Optional[int]) -> None:
        self.size = size
        self.idle: Dict[Any, List[Any]] = {}
        self.lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self.lock:
            conns = self.idle.get(key)
            while conns:
                conn = conns.pop()
                if _still_open(conn):
                    return conn
                conn.close()
        return None

    def put(self, key: Any, conn: Any) -> None:
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


def _still_open(conn: Any) -> bool:
    """Whether an idle pooled connection can carry another request: one that is readable has
    been closed by the server (or has sent something unasked), and is not reused."""
    import select

    sock = conn.sock
    if sock is None:
        return False
    try:
        if hasattr(select, "poll"):  # select.select fails for descriptors past 1023
            poller = select.poll()
            poller.register(sock, select.POLLIN)
            return not poller.poll(0)
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable


@functools.lru_cache(maxsize=None)
def _load_http() -> Any:
    """Imports http.client and ssl and builds the connection classes, once, on the first
    request: the imports cost about as much as all of chatlib, and many programs never send
    anything.  Only what must subclass http.client's classes is built here."""
    import http.client
    import ssl
    import types

    response = _response_class(http.client)
    return types.SimpleNamespace(HTTPConnection=_connection_class(http.client.HTTPConnection, http.client, response),
                                 HTTPSConnection=_connection_class(http.client.HTTPSConnection, http.client, response),
                                 ssl=ssl, client=http.client)


def _response_class(client: Any) -> Any:
    """http.client's HTTPResponse (of module `client`), skipping every interim answer."""
    class Response(client.HTTPResponse):  # type: ignore[misc]  # http.client is imported late
        def __init__(self, sock: Any, *args: Any, **kwargs: Any) -> None:
            super().__init__(_WideReads(sock), *args, **kwargs)

        def _read_status(self) -> Any:
            # http.client skips "100 Continue" only; any other interim answer (103 Early Hints)
            # is skipped here with its headers, as RFC 9110 says a client must.
            read_status = getattr(super(), "_read_status")  # private to http.client, 3.8 to 3.13 alike
            version, status, reason = read_status()
            interim = 0
            while 100 < status < 200:
                interim += 1
                if interim > _MAX_INTERIM:
                    raise client.HTTPException("more than %d interim (1xx) responses" % _MAX_INTERIM)
                client.parse_headers(self.fp)
                version, status, reason = read_status()
            return version, status, reason

    return Response


class _WideReads:
    """A socket as HTTPResponse sees it: its makefile() reads _READ_BLOCK bytes at a time, not
    8 KiB, so a stream takes a third of the system calls (a chunk's size line no longer costs
    one of its own every 8 KiB)."""

    __slots__ = ("sock",)

    def __init__(self, sock: Any) -> None:
        self.sock = sock

    def makefile(self, mode: str) -> Any:
        return self.sock.makefile(mode, _READ_BLOCK)


def _connection_class(base: Any, client: Any, response: Any) -> Any:
    """http.client's connection class `base` as chatlib uses it: its socket watched by the
    call's _Watch from the moment it exists, no Accept-Encoding, the head and a bytes body in
    one write, TCP_NODELAY, and `response` for its answers."""
    import socket

    class Connection(base):  # type: ignore[misc]  # http.client's, chosen at run time
        response_class = response
        sock: Any
        chatlib_watch = None  # the call's _Watch: attached to the socket as soon as it exists
        chatlib_sent = 0      # bytes of the request written so far
        chatlib_key: Any = None  # the _Pool key it goes back under

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = self._create_watched

        def _create_watched(self, address: Any, timeout: Any, source_address: Any = None) -> Any:
            # The deadline then covers the proxy's tunnel and the TLS handshake too.
            sock = socket.create_connection(address, timeout, source_address)
            if self.chatlib_watch is not None:
                self.chatlib_watch.attach(sock)
            return sock

        # http.client would add "Accept-Encoding: identity" itself: chatlib sends none, and
        # never decodes a compressed body (so no decompression bomb can reach it).
        def putrequest(self, method: Any, url: Any, skip_host: Any = False, skip_accept_encoding: Any = False) -> Any:
            self.chatlib_sent = 0
            return super().putrequest(method, url, skip_host, True)

        def send(self, data: Any) -> None:
            super().send(data)
            self.chatlib_sent += len(data) if isinstance(data, (bytes, bytearray)) else 1

        def _send_output(self, message_body: Any = None, encode_chunked: bool = False) -> None:
            # http.client writes the head and the body in two sends: one system call, and
            # one wake-up of the server, more than needed.  (Private to http.client, the
            # same from 3.8 to 3.13; any other body goes its way.)
            if type(message_body) is not bytes or encode_chunked:
                getattr(super(), "_send_output")(message_body, encode_chunked)
                return
            self._buffer.extend((b"", message_body))
            head_and_body = b"\r\n".join(self._buffer)
            del self._buffer[:]
            self.send(head_and_body)

        def connect(self) -> None:
            if base is client.HTTPSConnection:
                client.HTTPConnection.connect(self)
                host = self._tunnel_host or self.host
                self.sock = self._context.wrap_socket(self.sock, server_hostname=host,
                                                      do_handshake_on_connect=False)
                if self.chatlib_watch is not None:
                    self.chatlib_watch.attach(self.sock)  # the handshake too is under the deadline
                self.sock.do_handshake()
            else:
                super().connect()
            # A body that is not bytes goes in a send of its own; without this, Nagle's
            # algorithm can hold it back for a delayed ACK (tens of ms per request).
            try:
                self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except (OSError, AttributeError):
                pass
    return Connection


def _read_capped(resp: Any, limit: Optional[int]) -> bytes:
    """Reads a whole non-streamed body, raising APIError past `limit` bytes (None: no limit)."""
    length = resp.length
    if limit is None or (length is not None and length <= limit):
        whole: bytes = resp.read()  # raises IncompleteRead if the server closes early
        return whole
    if length is not None:
        _release(resp, False)
        raise APIError("the response body of %d bytes is larger than the limit of %d bytes (max_body_size)"
                       % (length, limit))
    parts: List[bytes] = []
    size = 0
    while True:  # chunked or read-until-close: the size is known only at the end
        part = resp.read1(_READ_BLOCK)
        if not part:
            return b"".join(parts)
        size += len(part)
        if size > limit:
            _release(resp, False)
            raise APIError("the response body is larger than the limit of %d bytes (max_body_size)" % limit)
        parts.append(part)


def _release(resp: Any, ok: bool) -> None:
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


def _finish_stream(resp: Any) -> None:
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


class _Watch:
    """Cuts a call short by shutting its socket down, so that whatever read or write is waiting
    fails at once: when the call's deadline passes, or when an async caller is cancelled.  A
    per-read timeout alone cannot do this: a server that sends a byte every few seconds resets
    it forever.  The timer is a thread for the sync client and the event loop's for the async."""

    def __init__(self, limit: Optional[float]) -> None:
        self.limit = limit
        self.fired = False
        self.sock: Any = None
        self.lock = threading.Lock()
        self.timer: Any = None  # threading.Timer or _LoopTimer; both have cancel()
        self.why: Optional[str] = None

    @classmethod
    def with_thread_timer(cls, seconds: float) -> _Watch:
        watch = cls(seconds)
        watch.timer = threading.Timer(max(seconds, 0.0), watch.fire)
        watch.timer.daemon = True
        watch.timer.start()
        return watch

    def attach(self, sock: Any) -> None:
        with self.lock:
            self.sock = sock
            fired = self.fired
        if fired:
            _shutdown(sock)

    def fire(self, why: Optional[str] = None) -> None:
        """Shuts the socket down; `why` is the error's message when it is not the deadline."""
        with self.lock:
            if not self.fired:
                self.fired = True
                self.why = why
            sock = self.sock
        if sock is not None:
            _shutdown(sock)

    def cancel(self) -> None:
        if self.timer is not None:
            self.timer.cancel()

    def error(self) -> APIConnectionError:
        if self.why is not None:
            return APIConnectionError(self.why)
        if self.limit is None:
            return APIConnectionError("the call was cancelled")
        return APITimeoutError("the deadline of %ss for this call passed" % self.limit)


def _fired(watch: Optional[_Watch]) -> Optional[APIConnectionError]:
    """The error of a call whose watch has fired (its deadline passed, or it was cancelled), or
    None: the one place that asks, since a socket shut by the watch fails in ways that http.client
    reports as ordinary breaks, or not at all (a cut body can pass for a whole one)."""
    return watch.error() if watch is not None and watch.fired else None


def _check_fired(watch: Optional[_Watch]) -> None:
    """Raises the error of a watch that has fired; see _fired."""
    error = _fired(watch)
    if error is not None:
        raise error from None


def _proxy_secrets(urls: Any) -> List[Any]:
    """The password of each proxy URL, and the user:password pair its Proxy-Authorization carries."""
    from urllib.parse import unquote, urlsplit
    out = []
    for url in urls:
        try:
            parts = urlsplit(url if "://" in url else "http://" + url)
            user, password = parts.username, parts.password
        except (ValueError, TypeError):
            continue
        if password:
            pair = "%s:%s" % (unquote(user or ""), unquote(password))
            out += [password, unquote(password), pair]
    return out


def _is_timeout(exc: BaseException) -> bool:
    import socket
    return isinstance(exc, (socket.timeout, TimeoutError))  # the same class from 3.10 on


def _ssl_want_read() -> Any:
    import ssl
    return ssl.SSLWantReadError


def _select() -> Any:
    import select  # deferred: a program that sends nothing never needs it
    return select


def _shutdown(sock: Any) -> None:
    import socket
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


_REDIRECT_CODES = frozenset((301, 302, 303, 307, 308))
_MAX_ROUTES = 64  # URLs whose route a transport remembers (the first ones it meets)
# How a server's close of an idle kept-alive connection shows when a request is written to it.
_CLOSED_IDLE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)  # RemoteDisconnected too


def _proxy_urls(proxy: Any) -> Dict[str, str]:
    """The proxy URL of each scheme: `proxy` for both, none for False, or, when it is None, the
    environment's and the system's (urllib's getproxies: http_proxy, https_proxy, ...)."""
    if proxy is False or proxy == "":
        return {}
    import urllib.request  # deferred: only a client that may use a proxy needs it

    proxies = urllib.request.getproxies() if proxy is None else {"http": proxy, "https": proxy}
    urls = {scheme: url for scheme, url in proxies.items() if scheme in ("http", "https") and url}
    for scheme, url in urls.items():  # the environment's are checked here, as `proxy` was when given
        _check_base_url(url if "://" in url else "http://" + url, "the %s proxy (%s_proxy)" % (scheme, scheme),
                        userinfo=True)
    return urls


def _proxy_route(url: str) -> Tuple[str, Optional[str]]:
    """(host:port, Proxy-Authorization value or None) of a proxy URL, with or without a scheme."""
    import base64
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url if "://" in url else "http://" + url)
    auth = None
    if parts.username and parts.password:
        pair = "%s:%s" % (unquote(parts.username), unquote(parts.password))
        auth = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
    return unquote(parts.netloc.rpartition("@")[2]), auth


class _Transport:
    """One client's HTTP machinery: pooled keep-alive connections, proxies and redirects, on
    http.client alone (urllib's opener chain cost more than chatlib's own work per request)."""

    def __init__(self, proxy: Any, ssl_context: Any, pool_size: int) -> None:
        import logging

        self.http = _load_http()
        self.http_client = self.http.client
        self.log = logging.getLogger("chatlib")
        self.pool = _Pool(pool_size)
        # Without ssl_context, the TLS context is made on the first https request, under this
        # lock: loading the CA bundle takes milliseconds that plain http never needs.
        self.context = ssl_context
        self.lock = threading.Lock()
        self.routes: Dict[str, Tuple[Any, ...]] = {}  # URL -> _route(URL), for the URLs used most
        urls = _proxy_urls(proxy)
        self.proxies = {scheme: _proxy_route(url) for scheme, url in urls.items()}
        self.proxy_secrets = _proxy_secrets(urls.values())
        self.bypass: Optional[Callable[[str], bool]] = None
        if urls:
            import urllib.request
            self.bypass = urllib.request.proxy_bypass  # no_proxy, and the system's own lists
        self.cert_error = getattr(self.http.ssl, "SSLCertVerificationError", self.http.ssl.SSLError)

    def open(self, method: str, url: str, headers: Dict[str, Any], body: Optional[bytes], timeout: float,
             origin: Tuple[Any, ...], secret_names: Any, watch: Optional[_Watch]) -> Generator[Any, None, Any]:
        """Sends a request, follows the redirects _redirect allows, and returns the response
        with its status and headers read; the body is the caller's to read and _release.

        A generator: after each request is written it yields the socket, before reading the
        answer.  The sync client goes straight on (the read waits); the async one waits for
        the socket to turn readable on the event loop, so no thread is held while the server
        thinks.  Closing the generator at a yield closes that connection."""
        redirects = 0
        while True:
            conn = self._exchange(method, url, headers, body, timeout, watch)
            try:
                yield conn.sock
            except BaseException:
                conn.close()
                raise
            resp = self._answer(conn, watch)
            if resp.status not in _REDIRECT_CODES:
                return resp
            url, method, headers, body = self._follow(resp, method, url, headers, body, origin, secret_names,
                                                      redirects)
            redirects += 1

    def _follow(self, resp: Any, method: str, url: str, headers: Dict[str, Any], body: Optional[bytes],
                origin: Tuple[Any, ...], secret_names: Any, redirects: int) -> Tuple[Any, ...]:
        """The request a redirect asks for, after reading what its body holds; or the
        APIStatusError that says why it is not followed."""
        location = resp.headers.get("location") or resp.headers.get("uri")
        try:
            new = _redirect(resp.status, location, url, method, headers, body, origin, secret_names, redirects)
        except _Refused as exc:
            raw = resp.read(_REDIRECT_BODY)  # enough to explain; _release closes what is left unread
            _release(resp, True)
            raise _status_error(resp.status, resp.headers, raw, "redirect not followed: %s" % exc,
                                _secret_values(headers, self.proxy_secrets)) from None
        resp.read(_REDIRECT_BODY)
        _release(resp, True)  # kept alive if that was the whole body, else closed
        return new

    def _exchange(self, method: str, url: str, headers: Dict[str, Any], body: Optional[bytes], timeout: float,
                  watch: Optional[_Watch]) -> Any:
        """Writes one request on a pooled connection of its route; returns the connection."""
        route = self.routes.get(url)
        if route is None:
            route = self._route(url)
            if len(self.routes) < _MAX_ROUTES:
                self.routes[url] = route
        key, selector, proxy_auth, tunnel_headers = route
        if proxy_auth is not None:
            headers = dict(headers, **{"Proxy-Authorization": proxy_auth})
        return self._send_pooled(key, method, selector, headers, body, timeout, watch, tunnel_headers)

    def _route(self, url: str) -> Tuple[Any, ...]:
        """How a request to `url` goes: (pool key, request target, Proxy-Authorization for the
        request's own headers, headers of the CONNECT tunnel)."""
        parts = _split_url(url)
        target = parts.netloc.rpartition("@")[2]
        selector = (parts.path or "/") + ("?" + parts.query if parts.query else "")
        route = self.proxies.get(parts.scheme)
        if route is not None and self.bypass is not None and self.bypass(target):
            route = None
        tunnel_headers: Dict[str, str] = {}
        if route is None:
            return (parts.scheme, target, None), selector, None, tunnel_headers
        if parts.scheme == "https":  # through a CONNECT tunnel, whose header alone carries the proxy's credentials
            if route[1]:
                tunnel_headers["Proxy-Authorization"] = route[1]
            return ("https", route[0], target), selector, None, tunnel_headers
        return ("http", route[0], None), url.split("#")[0], route[1], tunnel_headers  # to the proxy, in absolute form

    def _connection(self, key: Tuple[Any, ...], timeout: float, tunnel_headers: Dict[str, str]) -> Any:
        scheme, host, tunnel = key
        if scheme == "http":
            return self.http.HTTPConnection(host, timeout=timeout)
        if self.context is None:
            with self.lock:
                if self.context is None:
                    self.context = self.http.ssl.create_default_context()  # reads SSL_CERT_FILE / SSL_CERT_DIR too
        conn = self.http.HTTPSConnection(host, timeout=timeout, context=self.context)
        if tunnel:
            conn.set_tunnel(tunnel, headers=tunnel_headers)
        return conn

    def _send_pooled(self, key: Tuple[Any, ...], method: str, selector: str, headers: Dict[str, Any],
                     body: Optional[bytes], timeout: float, watch: Optional[_Watch],
                     tunnel_headers: Dict[str, str]) -> Any:
        """Writes the request on an idle connection of `key`, or on a new one, and returns the
        connection, whose answer _answer reads.  An idle connection the server closed before
        this request is replaced when nothing of the request was written; any other break is
        for the retry policy to judge."""
        while True:
            conn = self.pool.get(key)
            reused = conn is not None
            if conn is None:
                conn = self._connection(key, timeout, tunnel_headers)
            else:
                conn.timeout = timeout
                if conn.sock.gettimeout() != timeout:  # each settimeout is a system call
                    conn.sock.settimeout(timeout)
            conn.chatlib_watch = watch
            conn.chatlib_key = key
            try:
                if watch is not None:
                    if conn.sock is None:
                        conn.connect()
                    watch.attach(conn.sock)
                conn.request(method, selector, body, headers)
            except OSError as exc:
                conn.close()
                if reused and conn.chatlib_sent == 0 and isinstance(exc, _CLOSED_IDLE) and _fired(watch) is None:
                    continue  # the server had closed the idle connection: nothing was sent, so a fresh one
                raise  # it may have been read: the retry policy decides
            except BaseException:
                conn.close()
                raise
            return conn

    def _answer(self, conn: Any, watch: Optional[_Watch]) -> Any:
        """Reads the head of the answer to the request written on `conn`; the response owns the
        connection from then on (see _release)."""
        try:
            resp = conn.getresponse()
        except BaseException:  # RemoteDisconnected, a timeout, the watch: this connection is done
            conn.close()
            raise
        resp.chatlib_release = (self.pool, conn.chatlib_key, conn)
        return resp

    def connection_error(self, exc: BaseException, timeout: Any, url: Any) -> APIConnectionError:
        """Turns what sockets, ssl and http.client raise into APIConnectionError or APITimeoutError."""
        reason = exc
        where = url.split("?")[0]
        if _is_timeout(reason):
            return APITimeoutError("no answer from %s within the timeout of %ss" % (where, timeout))
        if isinstance(reason, self.cert_error):
            return APIConnectionError("could not verify the TLS certificate of %s: %s (pass "
                                      "ssl_context= or set SSL_CERT_FILE for a private CA)" % (where, reason))
        if isinstance(reason, self.http_client.HTTPException):
            return APIConnectionError("the server at %s broke the HTTP protocol: %s: %s"
                                      % (where, type(reason).__name__, reason))
        text = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
        return APIConnectionError("could not talk to %s: %s" % (where, text))


def _check_seconds(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= _MAX_SECONDS:
        raise InvalidArgumentError("%s must be a positive number of seconds up to %g, not %r"
                                   % (what, _MAX_SECONDS, value))
    return float(value)


def _check_size(value: object, what: str) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidArgumentError("%s must be a whole number of bytes >= 1 or None, not %r" % (what, value))
    return value


def _encode_json(obj: object, what: str) -> bytes:
    try:
        return _encode_request(obj).encode("utf-8")
    except (TypeError, ValueError, UnicodeEncodeError, RecursionError) as exc:
        raise InvalidArgumentError("%s cannot be sent as JSON: %s" % (what, exc)) from None


def _decode_json(raw: bytes, what: str, secrets: Any = ()) -> Any:
    try:
        return json.loads(raw)
    except _JSON_ERRORS as exc:
        text = _scrub(raw.decode("utf-8", "replace"), secrets)
        shown = text if len(text) <= _SHOWN else text[:_SHOWN] + "..."
        raise JSONDeserializeError("%s is not valid JSON (%s): %r" % (what, exc, shown), text) from None

class Client:
    """A connection to one API server: its configuration, timeouts, retries and connections.

    ``Client()`` reads ``OpenAIConfig()`` from the environment; ``Client(api_key=...,
    base_url=..., organization=..., project=...)`` builds it from those.  `timeout` (seconds) bounds the
    connect and each wait for bytes; `deadline` (seconds, off by default) bounds a whole call,
    retries and the whole of a stream included.  `max_retries` and `retry` (a RetryPolicy) set
    when to try again.  `proxy` is a URL, None for the ``HTTPS_PROXY``/``NO_PROXY`` environment,
    or False for none.  `ssl_context` trusts a private CA (TLS is always verified).
    `max_body_size` and `max_event_size` cap what a server can make chatlib hold in memory.
    Connections are kept alive and reused (at most `pool_size` idle per server); a client is safe
    to share between threads.  ``with Client() as c:`` or ``c.close()`` closes them.
    """

    def __init__(self, config: Union[OpenAIConfig, AzureConfig, Any] = None, *, timeout: float = 600.0,
                 max_retries: Optional[int] = None,
                 retry: Optional[RetryPolicy] = None, deadline: Optional[float] = None,
                 proxy: Optional[Union[str, bool]] = None, ssl_context: Any = None,
                 max_body_size: Optional[int] = _DEFAULT_MAX_BODY,
                 max_event_size: Optional[int] = _DEFAULT_MAX_EVENT, pool_size: int = 16,
                 log_bodies: bool = False, api_key: Optional[Union[str, Callable[[], str]]] = None,
                 base_url: Optional[str] = None, organization: Optional[str] = None, project: Optional[str] = None) -> None:
        if config is None:
            config = OpenAIConfig(api_key=api_key, api_base=base_url, org_id=organization, project_id=project)
        elif any(v is not None for v in (api_key, base_url, organization, project)):
            raise InvalidArgumentError("give a config or api_key/base_url/organization/project, not both")
        for attr in ("url", "headers", "query"):
            if not callable(getattr(config, attr, None)):
                raise InvalidArgumentError("config must have url(path), headers() and query() methods; "
                                           "%s has no %s()" % (type(config).__name__, attr))
        self.config = config
        self.timeout = _check_seconds(timeout, "timeout")
        self.deadline = None if deadline is None else _check_seconds(deadline, "deadline")
        if retry is not None and max_retries is not None:
            raise InvalidArgumentError("give max_retries or retry=RetryPolicy(...), not both")
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise InvalidArgumentError("retry must be a RetryPolicy, not %s" % type(retry).__name__)
        self.retry = retry or RetryPolicy(max_retries=2 if max_retries is None else max_retries)
        if proxy not in (None, False, ""):
            _check_base_url(proxy, "proxy", userinfo=True)
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
        self._box: List[Optional[_Transport]] = [None]  # the transport: shared with the clients with_options() makes
        self._lock = threading.Lock()
        self._owner = True        # whether close() closes the pool (with_options' clients do not)
        self._origin = _origin(config.url(""))

    def chat(self) -> Chat:
        """The Chat Completions API of this client."""
        return Chat(self)

    def with_options(self, *, timeout: Optional[float] = None, deadline: Optional[float] = None,
                     max_retries: Optional[int] = None, retry: Optional[RetryPolicy] = None) -> Client:
        """This client with other settings, for one call or many, as the official SDK's
        ``with_options``: ``client.with_options(max_retries=0).chat().create(...)``.  It shares
        this client's configuration and connection pool; closing it leaves the pool open."""
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new._owner = False
        if timeout is not None:
            new.timeout = _check_seconds(timeout, "timeout")
        if deadline is not None:
            new.deadline = _check_seconds(deadline, "deadline")
        if retry is not None and max_retries is not None:
            raise InvalidArgumentError("give max_retries or retry=RetryPolicy(...), not both")
        if retry is not None:
            if not isinstance(retry, RetryPolicy):
                raise InvalidArgumentError("retry must be a RetryPolicy, not %s" % type(retry).__name__)
            new.retry = retry
        elif max_retries is not None:
            old = self.retry
            new.retry = RetryPolicy(max_retries, old.initial_delay, old.max_delay, old.max_retry_after,
                                    old.sleep, old.clock, old.random)
        return new

    def close(self) -> None:
        """Closes the idle connections; the client stays usable and opens new ones when needed."""
        t = self._box[0]
        if t is not None and self._owner:
            t.pool.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        t = getattr(self, "_box", [None])[0]
        if t is not None and self._owner:
            try:
                t.pool.close()
            except Exception:  # at interpreter exit the modules it needs may be gone already
                pass

    def __repr__(self) -> str:
        return "Client(%r, timeout=%s, max_retries=%d)" % (self.config, self.timeout, self.retry.max_retries)

    def _get_transport(self) -> _Transport:
        t = self._box[0]
        if t is None:
            with self._lock:
                t = self._box[0]
                if t is None:
                    t = self._box[0] = _Transport(self.proxy, self.ssl_context, self.pool_size)
        return t

    def _headers(self, accept: str, extra: Dict[str, Any]) -> Dict[str, Any]:
        headers = {"Content-Type": "application/json", "Accept": accept, "User-Agent": _USER_AGENT}
        given = self.config.headers()
        if not isinstance(self.config, (OpenAIConfig, AzureConfig)):  # those check theirs when built
            given = _check_headers(given, "%s.headers()" % type(self.config).__name__)
        headers.update(given)
        if extra:
            lower = {k.lower(): k for k in headers}
            for k, v in extra.items():
                old = lower.get(k.lower())
                if old is not None:
                    del headers[old]
                if v is not None:
                    headers[k] = v
        return headers

    def _url(self, path: str, params: Any, extra_query: Any) -> str:
        pairs = list(self.config.query().items())
        pairs.extend(params)
        if extra_query:
            if not isinstance(extra_query, dict):
                raise InvalidArgumentError("extra_query must be a dict, not %s" % type(extra_query).__name__)
            pairs.extend(_query_pairs(extra_query, "extra_query"))
        url = self.config.url(path)
        if not pairs:
            return url
        from urllib.parse import urlencode  # only here: an import statement costs on every call

        return url + ("&" if "?" in url else "?") + urlencode(pairs)

    def _send(self, method: str, path: str, body: Any = None, *, stream: bool = False, params: Any = (),
              decode: Optional[Callable[[Any], Any]] = None, **opts: Any) -> Tuple[Any, ...]:
        """Sends one call with retries; returns (data, ResponseInfo), or (_StreamCore,
        ResponseInfo) for a stream.  See _Call for what is checked and what is retried."""
        call = _Call(self, method, path, body, stream, params, decode, **opts)
        if call.deadline is not None:
            call.watch = _Watch.with_thread_timer(call.deadline)
        try:
            while True:
                resp = _to_the_end(call.open())  # in this thread, the read of the answer waits for it
                result = None if resp is None else call.read(resp)
                if result is not None:
                    return result
                self.retry.sleep(call.retry_delay())
        finally:
            call.finish()


def _to_the_end(steps: Generator[Any, None, _T]) -> _T:
    """What a generator of steps returns, run straight through (what it yields needs no wait)."""
    try:
        while True:
            next(steps)
    except StopIteration as done:
        value: _T = done.value
        return value


class _Call:
    """One API call under way: the request, its deadline and the retry bookkeeping.

    Everything is checked when it is made, before the first byte is sent.  Client._send and
    AsyncClient._send drive it alike and differ only in how they wait.  An attempt opens
    (open(): sends, and reads the answer's head) then reads (read(): the body, or the stream);
    either gives None after a failure, and then the driver waits retry_delay() seconds (which
    raises the last error when there is to be no retry) and tries again.  open() yields the
    socket while the answer is awaited: the sync client's read simply blocks, the async client
    waits on its event loop.  Only failures of the network or of the server are retried: an
    exception from user code (a token provider) passes through.
    """

    def __init__(self, client: Client, method: str, path: str, body: Any, stream: bool, params: Any,
                 decode: Optional[Callable[[Any], Any]], extra_headers: Any = None, extra_query: Any = None,
                 timeout: Any = None, deadline: Any = None) -> None:
        self.client = client
        self.method = method
        self.stream = stream
        self.decode = decode
        self.timeout: float = client.timeout if timeout is None else _check_seconds(timeout, "timeout")
        self.deadline: Optional[float] = client.deadline if deadline is None else _check_seconds(deadline, "deadline")
        self.extra = _check_headers(extra_headers, "extra_headers")
        self.url = client._url(path, params, extra_query)
        self.body = body
        self.data: Optional[bytes] = None  # the body as JSON, encoded by the first attempt
        self.accept = "text/event-stream" if stream else "application/json"
        self.policy = client.retry
        self.clock = self.policy.clock
        self.start = self.clock()
        self.end = None if self.deadline is None else self.start + self.deadline
        self.watch: Optional[_Watch] = None
        self.cpu: Any = None  # AsyncClient's lock around parsing
        self.attempts = 0
        self.err: Optional[OpenAIError] = None
        self.retryable = False
        self.status: Optional[int] = None
        self.rheaders: Any = None
        self.t0 = self.start
        self.wait = self.timeout  # the socket timeout of the attempt under way
        self.secrets: Any = ()

    def attempt(self) -> Generator[Any, None, Optional[Tuple[Any, ...]]]:
        """open() then read(), as one generator: the async client runs what follows the
        answer's arrival (the head, then the body or the stream) in one worker job."""
        resp = yield from self.open()
        return None if resp is None else self.read(resp)

    def open(self) -> Generator[Any, None, Any]:
        """Sends the request once and reads the answer's head: the response of a success, or
        None after a failure (an error status, the network) that retry_delay() weighs.  Yields
        the socket whenever the answer is awaited, as _Transport.open does."""
        client = self.client
        if self.data is None and self.body is not None:
            # Here rather than in __init__: an async call's worker does it, not the event loop
            # (a request can carry megabytes of images).  Still before anything is sent.
            self.data = _encode_json(self.body, "the request")
        t = client._get_transport()
        headers = client._headers(self.accept, self.extra)
        self.secrets = _Secrets(headers, t.proxy_secrets)
        now = self.t0 = self.clock()
        self.wait = self.timeout if self.end is None else min(self.timeout, max(self.end - now, 0.001))
        self.retryable = True
        self.status = self.rheaders = None
        resp = None
        try:
            resp = yield from t.open(self.method, self.url, headers, self.data, self.wait, client._origin,
                                     _ORIGIN_HEADERS, self.watch)
            self.status = status = resp.status
            self.rheaders = rheaders = resp.headers
            _check_fired(self.watch)
            if 200 <= status < 300:
                return resp
            raw = self._body(resp)
            self.err = _explained(_status_error(status, rheaders, raw, secrets=self.secrets), self.method,
                                  self.url, headers, client.config)
            self.retryable = self.policy.should_retry(status, rheaders, raw)
        except (OSError, t.http_client.HTTPException) as exc:
            self._broke(exc, resp)
        except BaseException:  # chatlib's own errors, Ctrl-C, ...: never retried
            if resp is not None:
                _release(resp, False)  # does nothing if it was released already
            raise
        return None

    def read(self, resp: Any) -> Optional[Tuple[Any, ...]]:
        """A success's data (or stream core) and ResponseInfo; None when the network failed
        while reading it, for retry_delay() to weigh."""
        try:
            return self._success(resp)
        except (OSError, self.client._get_transport().http_client.HTTPException) as exc:
            self._broke(exc, resp)
        except BaseException:
            _release(resp, False)
            raise
        return None

    def _broke(self, exc: BaseException, resp: Any) -> None:
        """Records a failure of the network, or the error of a watch that has fired."""
        if resp is not None:
            _release(resp, False)  # the body broke off: this connection is done
        watch = self.watch
        fired = _fired(watch)
        if fired is None and watch is not None and self.wait < self.timeout and _is_timeout(exc):
            fired = watch.error()  # the socket's timeout was what was left of the deadline
        if fired is not None:
            self.err, self.retryable = fired, False
        else:
            self.err = self.client._get_transport().connection_error(exc, self.wait, self.url)
        self.err.__cause__ = exc

    def _success(self, resp: Any) -> Tuple[Any, ...]:
        _check_encoding(resp)
        info = ResponseInfo(resp.status, resp.headers, self.url, self.clock() - self.start, self.attempts)
        self._log(None)
        if self.stream:
            self._check_event_stream(resp)
            core = _StreamCore(resp, self.decode, self.timeout, self.watch, self.client.max_event_size,
                               self.cpu is not None)
            core.secrets = self.secrets
            if self.cpu is not None:  # an async stream: whether its first read can start at once
                core.ready = core.buffered()
            self.watch = None  # the stream owns it now
            return core, info
        raw = self._body(resp)
        if self.cpu is None:
            return self._decode(raw), info
        with self.cpu:
            return self._decode(raw), info

    def _check_event_stream(self, resp: Any) -> None:
        """A stream request answered with something else (a server that ignores "stream": true,
        a 200 carrying an error) raises rather than end as an empty stream.  No Content-Type at
        all is let through: the stream's own checks still find a body without events."""
        ctype = (resp.headers.get("content-type") or "").split(";")[0].strip().lower()
        if not ctype or ctype == "text/event-stream":
            return
        raw = self._body(resp)
        try:
            body = _scrub_json(json.loads(raw), self.secrets)
        except _JSON_ERRORS:
            body = None
        message, etype, param, code = _error_fields(body)
        if message is not None:
            status = int(code) if code is not None and code.isdigit() and 400 <= int(code) < 600 else None
            if status is not None:
                raise _status_error(status, resp.headers, raw, "an error in a 200 answer", self.secrets)
            raise APIError(message, type=etype, param=param, code=code, body=body)
        text = _scrub(raw.decode("utf-8", "replace"), self.secrets).strip()
        raise StreamError("the server answered a stream request with Content-Type %r, not "
                          "text/event-stream: %s" % (ctype, text[:_SHOWN] + ("..." if len(text) > _SHOWN else "")),
                          body=body if body is not None else text)

    def _decode(self, raw: bytes) -> Any:
        data = _decode_json(raw, "the response body", self.secrets)
        return data if self.decode is None else self.decode(data)

    def _body(self, resp: Any) -> bytes:
        raw = _read_capped(resp, self.client.max_body_size)
        _check_fired(self.watch)  # http.client may take a cut body for a whole one
        _release(resp, True)
        return raw

    def retry_delay(self) -> float:
        """Seconds to wait before the next attempt; raises the last error when there is none."""
        policy = self.policy
        delay = None
        if self.retryable and self.attempts < policy.max_retries:
            delay = policy.delay(self.attempts, self.rheaders)
            if delay is not None and self.end is not None and self.clock() + delay >= self.end:
                delay = None  # waiting would pass the deadline: the last error is the answer
        self._log("retry in %.3fs" % delay if delay is not None else "no retry")
        err = self.err
        if delay is None:
            assert err is not None
            raise err
        self.attempts += 1
        return delay

    def finish(self) -> None:
        if self.watch is not None:
            self.watch.cancel()

    def _log(self, decision: Optional[str]) -> None:
        log = self.client._get_transport().log
        if not log.isEnabledFor(10):
            return
        headers = self.rheaders
        rid = headers.get("x-request-id") if headers is not None else None
        err = self.err if decision is not None and self.status is None else None
        data = self.data
        log.debug("%s %s -> %s request_id=%s %.3fs attempt=%d%s%s%s", self.method, self.url.split("?")[0],
                  self.status if self.status is not None else type(self.err).__name__, rid,
                  self.clock() - self.t0, self.attempts + 1, " " + decision if decision else "",
                  " error=%s" % err if err is not None else "",
                  " body=%s" % data.decode("utf-8", "replace") if self.client.log_bodies and data else "")


def _explained(err: APIStatusError, method: str, url: str, headers: Dict[str, Any], config: Any) -> APIStatusError:
    """The error with the call that failed and, where chatlib can tell, a hint at the fix: a 401
    when no key was sent, a 404 from a base URL that lacks a version segment such as /v1."""
    from urllib.parse import urlsplit
    err.method, err.path = method, urlsplit(url).path
    credentials = any(k.lower() in ("authorization", "api-key") for k in headers)
    if err.status_code == 401 and not credentials:
        var = "AZURE_OPENAI_API_KEY" if isinstance(config, AzureConfig) else "OPENAI_API_KEY"
        err.hint = "no API key was sent: set %s or pass api_key=" % var
    elif err.status_code == 404 and isinstance(config, OpenAIConfig):
        base_path = urlsplit(config.api_base).path.rstrip("/")
        last = base_path.rpartition("/")[2]
        if not (last[:1] == "v" and last[1:2].isdigit()):
            err.hint = "does the base URL need /v1? it is %s" % config.api_base
    return err


class _Secrets:
    """The credentials of one request in every form a server may echo them (_secret_values),
    worked out the first time an error needs them: most calls never do."""

    def __init__(self, headers: Dict[str, Any], more: Any) -> None:
        self.headers = headers
        self.more = more
        self.forms: Optional[List[Any]] = None

    def __iter__(self) -> Iterator[Any]:
        if self.forms is None:
            self.forms = _secret_values(self.headers, self.more)
        return iter(self.forms)


def _secret_values(headers: Dict[str, Any], more: Any = ()) -> List[Any]:
    """The credentials among the headers sent (with and without their "Bearer " prefix) and
    `more`, in every form a server may echo them (see _secret_forms)."""
    values = [v for k, v in headers.items() if k.lower() in _SECRET_HEADERS and v]
    values += [v.split(" ", 1)[1] for v in values if " " in v]
    return _secret_forms(values + list(more))


def _check_encoding(resp: Any) -> None:
    enc = (resp.headers.get("content-encoding") or "identity").strip().lower()
    if enc != "identity":
        _release(resp, False)
        raise APIError("the server sent a body with Content-Encoding %r, which chatlib does not "
                       "decode (it never asks for one)" % enc)


def _query_pairs(query: Dict[str, Any], what: str) -> List[Any]:
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


# ---------------------------------------------------------------- server-sent events and streams

class ServerSentEvent:
    """One event of a ``text/event-stream``: its `event` type, `data`, `id` and `retry`."""

    __slots__ = ("event", "data", "id", "retry")

    def __init__(self, data: str = "", event: str = "message", id: str = "", retry: Optional[int] = None) -> None:
        self.data = data
        self.event = event
        self.id = id
        self.retry = retry

    def json(self) -> Any:
        """The data parsed as JSON; JSONDeserializeError if it is not JSON."""
        try:
            return json.loads(self.data)
        except _JSON_ERRORS as exc:
            raise JSONDeserializeError("stream event data is not JSON: %s" % exc, self.data) from None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ServerSentEvent):
            return NotImplemented
        return (self.data, self.event, self.id, self.retry) == (other.data, other.event, other.id, other.retry)

    def __repr__(self) -> str:
        return "ServerSentEvent(event=%r, data=%r, id=%r, retry=%r)" % (self.event, self.data, self.id, self.retry)


def iter_sse(chunks: Iterable[bytes], max_event_size: Optional[int] = _DEFAULT_MAX_EVENT) -> Iterator[ServerSentEvent]:
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
    for event, data, last_id, retry in _sse_fields(chunks, max_event_size):
        yield ServerSentEvent(data, event, last_id, retry)


def _sse_fields(chunks: Any, max_event_size: Any) -> Iterator[Any]:
    """The parser behind iter_sse: yields (event, data, id, retry) tuples, which cost less than
    objects on the per-chunk path of a chat stream."""
    parser = _SSEParser(max_event_size)
    for chunk in chunks:
        if chunk:
            yield from parser.feed(chunk)


_BOM = b"\xef\xbb\xbf"
_SSE_HEAD = 4096  # bytes of an unfinished event carried to the next block whatever that block's size


class _SSEParser:
    """The WHATWG event-stream parser, fed a block of bytes at a time; feed() returns the
    (event, data, id, retry) tuples of the events the block completed.

    Its states: `start` holds the first bytes until the byte order mark is settled (None after);
    `head` holds the unparsed bytes after the last complete event while the stream runs on the
    fast path (LF line ends, between events), to be parsed with the next block; `pending` holds
    the pieces of a line not yet ended on the general path (joined once, when its end arrives, so a
    long line sent in small pieces costs linear time); `skip_lf` is set when a block ended in CR,
    whose LF may start the next block; `data`, `event`, `last_id` and `retry` are the fields of
    the event under way."""

    __slots__ = ("limit", "data", "size", "event", "last_id", "retry", "pending", "pending_size",
                 "skip_lf", "start", "head")

    def __init__(self, max_event_size: Optional[int]) -> None:
        self.limit = max_event_size
        self.data: List[bytes] = []
        self.size = 0
        self.event: Optional[str] = None
        self.last_id = ""
        self.retry: Optional[int] = None
        self.pending: List[bytes] = []
        self.pending_size = 0
        self.skip_lf = False
        self.start: Optional[bytes] = b""
        self.head = b""

    def feed(self, chunk: bytes) -> List[Any]:
        if self.skip_lf:
            self.skip_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        if self.start is not None:
            chunk = self.start + chunk
            if len(chunk) < 3 and _BOM.startswith(chunk):
                self.start = chunk
                return []
            self.start = None
            if chunk[:3] == _BOM:
                chunk = chunk[3:]
        if not chunk:
            return []
        head = self.head
        if head:
            self.head = b""
            if b"\r" in chunk or (len(head) > _SSE_HEAD and len(head) > len(chunk)):
                return self._feed(head) + self._feed(chunk)  # joined, it would cost quadratic time
            chunk = head + chunk
        elif self.pending or self.data or self.event is not None or b"\r" in chunk:
            return self._feed(chunk)
        # Between two events, with LF line ends: split on blank lines, and take an event that is
        # a single "data: " line (nearly every chat chunk) without the line-by-line walk.
        events = chunk.split(b"\n\n")
        rest = events.pop()
        out = []
        limit = self.limit
        for event in events:
            if event[:6] == b"data: " and b"\n" not in event:
                if limit is not None and len(event) - 5 > limit:
                    raise StreamError("a stream event is larger than the limit of %d bytes "
                                      "(max_event_size)" % limit)
                out.append(("message", event[6:].decode("utf-8", "replace"), self.last_id, self.retry))
            else:
                lines = event.split(b"\n")
                lines.append(b"")
                out += self._lines(lines)
        if limit is not None and len(rest) > limit:
            out += self._feed(rest)  # which says what is too long
        else:
            self.head = rest
        return out

    def _feed(self, chunk: bytes) -> List[Any]:
        """The general case: any line ends, and a line or event that spans blocks."""
        last = chunk[-1]
        pending = self.pending
        if last == 10 or last == 13:  # the block ends a line
            self.skip_lf = last == 13
            if pending:
                pending.append(chunk)
                chunk = b"".join(pending)
                self.pending = []
                self.pending_size = 0
            return self._lines(chunk.splitlines())
        if b"\n" not in chunk and b"\r" not in chunk:  # the middle of a line
            pending.append(chunk)
            self.pending_size += len(chunk)
            self._check_line()
            return []
        if pending:
            pending.append(chunk)
            chunk = b"".join(pending)
        lines = chunk.splitlines()
        tail = lines.pop()
        self.pending = [tail]
        self.pending_size = len(tail)
        self._check_line()
        return self._lines(lines)

    def _check_line(self) -> None:
        if self.limit is not None and self.pending_size > self.limit:
            raise StreamError("a stream line is longer than the limit of %d bytes (max_event_size)" % self.limit)

    def _lines(self, lines: List[bytes]) -> List[Any]:
        out = []
        limit = self.limit
        data = self.data
        for line in lines:
            if not line:  # a blank line ends the event
                if data:
                    text = (data[0] if len(data) == 1 else b"\n".join(data)).decode("utf-8", "replace")
                    out.append(("message" if self.event is None else self.event, text, self.last_id, self.retry))
                    data = self.data = []
                    self.size = 0
                self.event = None
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
                    self.size += len(value) + 1
                    if self.size > limit:
                        raise StreamError("a stream event is larger than the limit of %d bytes "
                                          "(max_event_size)" % limit)
            elif field == b"event":
                self.event = value.decode("utf-8", "replace")
            elif field == b"id":
                if b"\0" not in value:
                    self.last_id = value.decode("utf-8", "replace")
            elif field == b"retry":
                if value.isdigit():
                    self.retry = int(value)
        return out


def _last_chunk(size_line: bytes) -> bool:
    """Whether a chunk's size line is the last chunk's, as http.client reads it (a line it
    cannot read fails the read at once, which is not the last chunk's wait)."""
    try:
        return int(size_line.split(b";", 1)[0], 16) == 0
    except ValueError:
        return False


def _unreadable(exc: Exception) -> StreamError:
    return StreamError("the stream could not be read: %s: %s" % (type(exc).__name__, exc))


class _Loaded:
    """The JSON of a stream event too large to load on the event loop, loaded, with its text."""

    __slots__ = ("obj", "text")

    def __init__(self, obj: Any, text: str) -> None:
        self.obj = obj
        self.text = text


class _StreamCore:
    """One streamed response, read a block at a time: the state the sync and the async stream
    share.  Reading a batch has two steps.  read_events() reads what has arrived (see _read)
    and splits it into events, keeping the text of the chunks' JSON; it ends the stream at
    [DONE] or at an error event, and gives the connection back.  load_events() then turns
    that text into chunks (and merges them for final()).  A sync stream runs both in turn
    (read_batch); an async one runs the first in a worker thread and the second on the event
    loop, a slice at a time (see _Pacer), so that the loop never waits for the GIL of a thread
    busy decoding.  An event larger than _LOOP_JSON is loaded in the first step.

    The connection is owned by the core until `closed`: given back to the pool after [DONE] or a
    clean end of the body, closed after an error or abort().  abort() may come from another
    thread while a read is under way; it then only shuts the socket down, and the reader closes
    the connection when its read returns."""

    def __init__(self, resp: Any, decode: Optional[Callable[[Dict[str, Any]], Any]], timeout: float,
                 watch: Optional[_Watch], max_event_size: Optional[int], in_worker: bool = False) -> None:
        self.resp = resp
        self.decode = decode
        self.timeout = timeout
        self.watch = watch
        self.in_worker = in_worker  # read by an async client's reader thread, for its event loop
        self.secrets: Any = ()  # credentials to scrub from what the server says
        self.ready = True       # for an async stream: whether data is buffered already
        self.may_wait = False   # the last buffered(): data came, but a read may wait for more
        self.parser = _SSEParser(max_event_size)
        self.acc = _Accumulator()
        self.events = 0         # data events seen, [DONE] included
        self.ended = False      # [DONE] came, or the body ended cleanly
        self.closed = False     # the connection is given back or closed
        self.reading = False
        self.lock = threading.Lock()
        self.poller: Any = None

    def read_batch(self) -> Tuple[List[Any], Optional[BaseException]]:
        """(chunks, error): the chunks of the events in the next block, and the exception that
        ends the stream after them (None while it goes on)."""
        texts, error = self.read_events()
        items: List[Any] = []
        if texts:
            error = self.load_events(texts, items) or error
        return items, error

    def read_events(self) -> Tuple[List[Any], Optional[BaseException]]:
        """(texts, error): the JSON text of the chunk events in the next block (for an event
        larger than _LOOP_JSON, a _Loaded), and the exception that ends the stream after them."""
        with self.lock:
            if self.closed:
                return [], None
            self.reading = True
        texts: List[Any] = []
        error = None
        try:
            block = self._read()
            if not block:
                self._body_ended()
            else:
                self._split(block, texts)
        except OpenAIError as exc:
            error = exc
        except Exception as exc:  # the parser failing on odd input: still chatlib's error
            error = _unreadable(exc)
        except BaseException:  # Ctrl-C in the middle of a read: the connection goes, at once
            with self.lock:
                self.reading = False
                self.closed = True
            _release(self.resp, False)
            raise
        with self.lock:
            self.reading = False
            if error is not None or (self.closed and not self.ended):
                self.closed = True
                _release(self.resp, False)
                if not isinstance(error, APITimeoutError):
                    error = _fired(self.watch) or error
        return texts, error

    def _split(self, block: bytes, texts: List[Any]) -> None:
        add = texts.append
        try:
            for kind, data, _, _ in self.parser.feed(block):
                if kind != "message" or not data or data == "[DONE]":
                    if self._special(kind, data):
                        return
                elif len(data) < _LOOP_JSON:
                    add(data)
                else:
                    add(_Loaded(self._loads(data), data))
        finally:
            self.events += len(texts)

    def load_events(self, texts: Sequence[Any], items: List[Any]) -> Optional[BaseException]:
        """Turns texts (of read_events) into chunks, into `items`; returns the error that ends the
        stream at a bad one (the connection then closed), else None."""
        try:
            self._load(texts, items)
            return None
        except OpenAIError as exc:
            error: BaseException = exc
        except Exception as exc:  # a decoder failing on odd input: still chatlib's error
            error = _unreadable(exc)
        self.abort()
        return error

    def _load(self, texts: Sequence[Any], items: List[Any]) -> None:
        scan = _scan_json
        decode = self.decode
        obj: Any
        chunks: List[Dict[str, Any]] = []
        add = chunks.append
        try:
            for data in texts:
                if type(data) is str:
                    try:
                        obj, end = scan(data, 0)
                    except (StopIteration, ValueError, RecursionError):
                        obj, end = None, -1
                    if end != len(data):
                        obj = self._loads(data)  # spaces around the value, or an error to explain
                else:
                    obj, data = data.obj, data.text
                if type(obj) is dict:
                    if obj.get("error"):
                        raise _stream_error(data, obj, self.secrets)
                    add(obj)
                items.append(obj if decode is None else decode(obj))
        finally:
            self.acc.add_all(chunks)  # once per batch, not once per chunk

    def _loads(self, data: str) -> Any:
        try:
            return json.loads(data)
        except _JSON_ERRORS as exc:
            data = _scrub(data, self.secrets)
            raise JSONDeserializeError("a stream event is not valid JSON (%s): %r"
                                       % (exc, data[:_SHOWN]), data) from None

    def _special(self, kind: str, data: str) -> bool:
        """An event that is not a chunk: True for [DONE], which ends the stream."""
        if not data:
            return False  # keep-alive, or an event with an empty data line
        if kind != "message":
            if kind == "error":
                raise _stream_error(data, None, self.secrets)
            return False  # a named event (ping, ...) that is not a chunk
        self.events += 1
        self._done()
        return True

    def _read(self) -> bytes:
        """What has arrived of the body, at least one byte, up to _READ_BLOCK (_BATCH for an
        async stream); b"" at its end.  Failures become chatlib errors."""
        watch = self.watch
        try:
            block: bytes = self.resp.read1(_READ_BLOCK)
            # An async stream takes what else has arrived into the same batch: each hand-over to
            # the event loop costs more than reading (a batch of 64 KiB instead of _BATCH took
            # 15% more CPU); a sync one would only pay a system call for it.
            if self.in_worker and 0 < len(block) < _BATCH and self.buffered():
                parts = [block]
                size = len(block)
                # What has already arrived, in one batch; not a byte more: buffered(), not just
                # a readable socket, since part of a chunk's size line makes it readable too.
                while size < _BATCH and self.buffered():
                    try:
                        part = self.resp.read1(min(_READ_BLOCK, _BATCH - size))
                    except Exception:  # the next read meets it again and says what broke
                        break
                    if not part:
                        break
                    parts.append(part)
                    size += len(part)
                block = b"".join(parts)
            return block
        except OSError as exc:
            _check_fired(watch)
            if _is_timeout(exc):
                raise APITimeoutError("the stream sent nothing for %ss (timeout)" % self.timeout) from None
            raise StreamError("the connection broke mid-stream: %s" % (exc.strerror or exc)) from None
        except Exception as exc:  # http.client.IncompleteRead and its kin: a cut chunked body
            if type(exc).__module__ != "http.client" and not isinstance(exc, ValueError):
                raise
            _check_fired(watch)
            raise StreamError("the connection broke mid-stream: %s: %s" % (type(exc).__name__, exc)) from None

    def fileno(self) -> int:
        fd: int = self.resp.chatlib_release[2].sock.fileno()
        return fd

    def buffered(self) -> bool:
        """Whether a read now would find data without waiting: in the response's buffer, in
        TLS's, or on the socket.  Peeks with the socket briefly non-blocking.  False with
        `may_wait` set where data has come but a read might still wait (see _completed)."""
        self.may_wait = False
        with self.lock:
            if self.closed:
                return False
            info = getattr(self.resp, "chatlib_release", None)
            sock = info[2].sock if info is not None else None
            if sock is None:
                return True  # let the next read tell
            timeout = sock.gettimeout()
            try:
                sock.settimeout(0)
                held = self.resp.fp.peek(1)
                return self._readable(held) or self._completed(sock, held)
            except _ssl_want_read():
                return False
            except (OSError, ValueError, AttributeError):
                return True  # a broken connection: the next read raises the right error
            finally:
                try:
                    sock.settimeout(timeout)
                except OSError:
                    pass

    def _readable(self, data: bytes) -> bool:
        """Whether `data`, the start of what is buffered, lets read1() return without waiting.
        Between two chunks of a chunked body that takes the chunk's CRLF, a whole size line and a
        byte: a CRLF alone (what follows nearly every token of a live stream) is not enough.
        After the last chunk's size line (0), http.client reads the trailers to a blank line."""
        resp = self.resp
        if not data or not getattr(resp, "chunked", False) or resp.chunk_left:
            return bool(data)
        rest = data[2:] if resp.chunk_left == 0 else data
        end = rest.find(b"\n")
        if end == -1:
            return False
        after = rest[end + 1:]
        if not _last_chunk(rest[:end]):
            return len(after) > 0
        return after[:1] == b"\n" or after[:2] == b"\r\n" or b"\n\n" in after or b"\n\r\n" in after

    def _completed(self, sock: Any, held: bytes) -> bool:
        """Whether what has arrived on the socket completes `held`, a start of the buffer that
        does not let read1() return by itself.  The response reads the socket _READ_BLOCK
        bytes at a time, so the buffer may end in the middle of a size line whose rest has
        arrived: the socket is then readable while the buffer alone would never do, and the
        stream must read, not watch the socket again (which would wake it at once, forever).
        Where what has come does not complete the line (or TLS, which cannot be peeked, hides
        whether it does, on the socket or in what it has decrypted already), the read may wait
        for the rest: False, with `may_wait` set."""
        if not held:
            return False
        pending = getattr(sock, "pending", None)
        if pending is not None and pending():  # TLS decrypted more with the last record: not on the socket
            self.may_wait = True
            return False
        if not self._more():
            return False  # the socket's readiness tells when more comes
        import socket
        try:
            ahead = sock.recv(_PEEK, socket.MSG_PEEK)  # what has arrived, left where it is
        except ValueError:  # TLS, which cannot be peeked: only a read can tell, and it may wait
            self.may_wait = True
            return False
        except BlockingIOError:  # gone since _more() looked: the socket's readiness tells
            return False
        except OSError:  # the read that follows raises what is wrong
            return True
        if not ahead or self._readable(held + ahead):
            return True
        self.may_wait = True
        return False

    def _more(self) -> bool:
        """Whether more of the body is on the socket already: read now, it costs no wait."""
        poller = self.poller
        if poller is None:
            info = getattr(self.resp, "chatlib_release", None)
            sock = info[2].sock if info is not None else None
            if sock is None or not hasattr(_select(), "poll"):
                return False
            poller = self.poller = _select().poll()
            poller.register(sock, 1)  # POLLIN
        try:
            return bool(poller.poll(0))
        except (OSError, ValueError):
            return False

    def _body_ended(self) -> None:
        _check_fired(self.watch)
        if getattr(self.resp, "length", None):
            raise StreamError("the connection closed mid-stream with %d bytes of the body missing"
                              % self.resp.length)
        if self.events == 0:
            raise StreamError("the stream ended without a single event (no data and no [DONE])")
        self._finish(lambda: _release(self.resp, True))

    def _done(self) -> None:
        self._finish(lambda: _finish_stream(self.resp))

    def _finish(self, release: Callable[[], None]) -> None:
        with self.lock:
            self.ended = True
            if self.closed:
                return
            self.closed = True
        release()
        if self.watch is not None:
            self.watch.cancel()

    def abort(self) -> None:
        """Stops the stream and closes its connection, from any thread (see the class doc)."""
        with self.lock:
            if self.closed:
                return
            self.closed = True
            reading = self.reading
        if self.watch is not None:
            if reading:
                self.watch.fire()  # the reader's read fails at once; it closes the connection
            self.watch.cancel()
        if not reading:
            _release(self.resp, False)

    def final(self) -> Dict[str, Any]:
        if not self.ended:
            raise StreamError("the stream was closed before its end; there is no complete answer")
        return self.acc.result()


class ChatCompletionResponseStream(Generic[_T, _F]):
    """The chunks of a streamed completion, as they arrive: an iterator and a context manager.

    `response` holds the status, headers and request id at once.  A ``for`` loop left early
    (``break``, an exception), ``close()`` or the end of a ``with`` block closes the connection
    at once, so the server stops generating.  ``data: [DONE]`` ends the stream, keep-alive events
    without data and named events other than ``error`` are skipped, an error event raises
    StreamError, and a connection that breaks mid-stream raises StreamError (APITimeoutError when
    the timeout or the deadline passed).
    """

    def __init__(self, core: _StreamCore, info: ResponseInfo) -> None:
        self.response = info
        # The generator shares only the core with the stream: were it to hold the stream
        # itself, the two would form a cycle that only the garbage collector breaks, and a
        # dropped stream would keep its connection open until then.
        self._core = core
        self._strong: Optional[Generator[_T, None, None]] = None
        self._weak: Optional[Callable[[], Optional[Generator[_T, None, None]]]] = None

    @property
    def closed(self) -> bool:
        """True once the stream has ended or was closed (the connection is given back or shut)."""
        return self._core.closed

    def __iter__(self) -> Iterator[_T]:
        # A for loop gets a generator that only it holds, so that leaving the loop drops it and
        # its finally block closes the connection at once; next(stream) keeps one alive instead.
        gen = self._live()
        if gen is None:
            if self._core.closed:
                return iter(())
            gen = _iterate(self._core)
            self._weak = weakref.ref(gen)
        return gen

    def __next__(self) -> _T:
        gen = self._live()
        if gen is None:
            if self._core.closed:
                raise StopIteration
            gen = _iterate(self._core)
        self._strong = gen
        return next(gen)

    def _live(self) -> Optional[Generator[_T, None, None]]:
        if self._strong is not None:
            return self._strong
        return self._weak() if self._weak is not None else None

    def final(self) -> _F:
        """The whole completion, as the same request without streaming would have returned it:
        a CreateChatCompletionResponse from create_stream, a dict from create_stream_byot.

        Reads whatever is left of the stream first, so it works after, during or instead of a
        loop over the chunks; the chunks are merged as they pass, never stored (see accumulate).
        A stream closed before its end raises StreamError rather than give half an answer."""
        if not self._core.closed:
            for _ in self:
                pass
        result: _F = _final(self._core)
        return result

    get_final_completion = final

    def __enter__(self) -> ChatCompletionResponseStream[_T, _F]:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        # A generator still alive (a for loop over a stream nobody else holds) closes the
        # connection itself when it ends or is dropped; only a stream never iterated needs this.
        core = getattr(self, "_core", None)
        if core is not None and not core.closed and self._live() is None:
            try:
                core.abort()
            except Exception:  # at interpreter exit the modules it needs may be gone already
                pass

    def close(self) -> None:
        """Stops reading and closes the connection (the server sees the client leave)."""
        gen = self._live()
        self._strong = None
        if gen is not None:
            gen.close()
        self._core.abort()


def _iterate(core: _StreamCore) -> Generator[Any, None, None]:
    """The chunks of a sync stream, batch after batch; leaving early closes the connection."""
    try:
        while not core.closed:
            items, error = core.read_batch()
            yield from items
            if error is not None:
                raise error
    finally:
        core.abort()  # does nothing after a clean end


def _final(core: _StreamCore) -> Any:
    result = core.final()
    return result if core.decode is None else _codec(CreateChatCompletionResponse).decode(result)


def _stream_error(data: str, obj: Any = None, secrets: Any = ()) -> StreamError:
    """The StreamError of an error event or of a chunk that carries an error, scrubbed."""
    if obj is None:
        try:
            obj = json.loads(data)
        except _JSON_ERRORS:
            obj = None
    message, etype, param, code = _error_fields(_scrub_json(obj, secrets))
    if message is None:
        message = "the server sent an error event: %s" % _scrub(data, secrets)[:_SHOWN]
    return StreamError(message, type=etype, param=param, code=code,
                       body=_scrub_json(obj, secrets) if obj is not None else _scrub(data, secrets))


# ---------------------------------------------------------------- dataclasses and JSON: the one converter
#
# Every schema of the spec's chat endpoints is a dataclass below, named as in the spec (inline
# objects as async-openai names them); unions, enums and maps are aliases.  The dataclasses are
# plain: what turns them into JSON and back is one converter, `_Codec`, built once per class from
# its fields and type hints on first use.
#
# Decoding (from_dict) keeps whatever the server sent: unknown keys go to `extra` and come back out
# of to_dict, unknown enum values stay strings, missing fields are None, scalar values are kept as
# sent.  Only a wrong shape (a string where an object or a list must be) is an error, raised as
# JSONDeserializeError with the path of the bad value.


# The default of a field the spec requires in a response: a type checker sees the field's own type
# (``choices: List[ChatChoice]``), while a server that leaves the field out still decodes, and the
# attribute is then None.
_ABSENT: Any = None


def _path_text(path: Any) -> str:
    """Turns the nested (parent, key) pairs the decoders pass down into ``choices[0].message``."""
    parts = []
    while path is not None:
        path, key = path
        parts.append("[%d]" % key if isinstance(key, int) else "." + key)
    text = "".join(reversed(parts)).lstrip(".")
    return text or "the body"


def _json_kind(value: Any) -> str:
    """How an error message names the kind of a JSON value: "an object", "a string", ..."""
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


def _shape_error(path: Any, expected: str, value: Any) -> JSONDeserializeError:
    return JSONDeserializeError("%s: expected %s, got %s" % (_path_text(path), expected, _json_kind(value)),
                                value)


class _Codec(Generic[_M]):
    """How one dataclass is read from and written to JSON, derived from its type hints."""

    def __init__(self, cls: Type[_M]) -> None:
        import dataclasses

        hints = typing.get_type_hints(cls, globalns=globals())
        self.cls = cls
        self.names = tuple(f.name for f in dataclasses.fields(cls))
        self.known = frozenset(self.names)
        decoders = {name: _decoder(hints[name]) for name in self.names}
        # Only these fields need more than the JSON value as it is (dataclasses, lists of them).
        nested = tuple((name, dec) for name, dec in decoders.items() if dec is not None)
        # Where every field defaults to None (the responses), a field the JSON leaves out need
        # not be in the instance's __dict__: it reads as the class's None.
        sparse = all(getattr(cls, name, dataclasses.MISSING) is None for name in self.names)
        self.decode: Callable[..., _M] = _object_decoder(cls, self.names, nested, sparse)
        self.required = cls._required
        self.nullable = cls._nullable
        # Fields that take request messages: an answer's message put there stands for the
        # assistant message it was, and is sent as that (ChatCompletionResponseMessage.to_request).
        self.replies = tuple(n for n in self.names if _mentions(hints[n], ChatCompletionRequestAssistantMessage))

    def encode(self, obj: Any) -> Dict[str, Any]:
        out: Dict[str, Any] = {}
        values = obj.__dict__
        for name in self.names:
            value = values.get(name)
            if value is None:
                if name in self.required:
                    if name not in self.nullable:
                        raise InvalidArgumentError("%s.%s is required" % (self.cls.__name__, name))
                    out[name] = None
                continue
            out[name] = _to_json(value)
        for name in self.replies:
            _send_replies_as_requests(values.get(name), out.get(name))
        extra = values.get("_extra")
        if extra:
            for key, value in extra.items():
                if key not in out:
                    out[key] = _to_json(value)
        return out


def _object_decoder(cls: Type[_M], names: Tuple[str, ...], nested: Tuple[Tuple[str, Any], ...],
                    sparse: bool) -> Callable[..., _M]:
    """The function (data, path=None) -> instance of `cls` that _Codec.decode is: it runs for
    every object of every chunk of a typed stream, so what it needs is bound in the closure
    rather than looked up on the codec at each call."""
    known = frozenset(names)
    empty = dict.fromkeys(names)
    new = object.__new__
    name = cls.__name__

    def decode(data: Any, path: Any = None) -> _M:
        if type(data) is not dict:
            raise _shape_error(path, "an object (%s)" % name, data)
        # The whole object is copied at C speed, then only the nested fields are walked.
        if sparse:
            values = data.copy()
        else:
            values = empty.copy()
            values.update(data)
        if not known.issuperset(data):
            values["_extra"] = {key: values.pop(key) for key in data if key not in known}
        for key, dec in nested:
            value = values.get(key)
            if value is not None:
                values[key] = dec(value, (path, key))
        obj: _M = new(cls)
        obj.__dict__ = values
        return obj
    return decode


def _mentions(tp: Any, cls: type) -> bool:
    """Whether type hint `tp` is `cls` or has it among its arguments, however deep."""
    return tp is cls or any(_mentions(arg, cls) for arg in _type_args(tp))


def _send_replies_as_requests(messages: Any, encoded: Any) -> None:
    """Rewrites, in `encoded`, each ChatCompletionResponseMessage of `messages` as the request."""
    if type(messages) in (list, tuple) and type(encoded) is list:
        for i, m in enumerate(messages):
            if isinstance(m, ChatCompletionResponseMessage):
                encoded[i] = m.to_request().to_dict()


def _codec(cls: Type[_M]) -> _Codec[_M]:
    codec: Optional[_Codec[_M]] = cls.__dict__.get("_codec")
    if codec is None:
        codec = _Codec(cls)
        setattr(cls, "_codec", codec)  # two threads may both build it; they build the same thing
    return codec


def _type_args(tp: Any) -> Tuple[Any, ...]:
    """The arguments of a subscripted type hint (``List[int]`` -> ``(int,)``), else ()."""
    return getattr(tp, "__args__", None) or ()


def _decoder(tp: Any) -> Any:
    """A function (value, path) -> decoded value for type hint `tp`, or None where the JSON value
    is kept as it is (strings, numbers, booleans, literals, Any, and containers of those)."""
    origin = getattr(tp, "__origin__", None)
    args = _type_args(tp)
    if isinstance(tp, type) and issubclass(tp, _Model):
        return _codec(tp).decode
    if origin is list:
        item = _decoder(args[0])

        def decode_list(value: Any, path: Any) -> Any:
            if type(value) is not list:
                raise _shape_error(path, "a list", value)
            if item is None:
                return value
            if len(value) == 1:  # a chunk's one choice: no comprehension to set up
                v = value[0]
                return [v if v is None else item(v, (path, 0))]
            return [v if v is None else item(v, (path, i)) for i, v in enumerate(value)]
        return decode_list
    if origin is dict:
        item = _decoder(args[1])

        def decode_map(value: Any, path: Any) -> Any:
            if type(value) is not dict:
                raise _shape_error(path, "an object", value)
            if item is None:
                return value
            return {k: v if v is None else item(v, (path, k)) for k, v in value.items()}
        return decode_map
    if origin is typing.Union:
        return _union_decoder([a for a in args if a is not type(None)])
    return None


def _union_decoder(options: List[Any]) -> Any:
    """Decodes a union: objects by their discriminator (``type`` or ``role``), a string or a list
    where the union allows one.  An object of a kind chatlib does not know is kept as a dict."""
    if len(options) == 1:
        return _decoder(options[0])
    models = [o for o in options if isinstance(o, type) and issubclass(o, _Model)]
    lists = [o for o in options if getattr(o, "__origin__", None) is list]
    scalars = [o for o in options if o not in models and o not in lists]
    list_decoder = _decoder(lists[0]) if lists else None
    key, table = None, {}
    for m in models:
        hints = typing.get_type_hints(m, globalns=globals())
        for field in ("type", "role"):
            lit: Any = hints.get(field)
            if getattr(lit, "__origin__", None) is typing.Union:  # Optional[Literal["x"]]
                lit = [a for a in lit.__args__ if a is not type(None)][0]
            lit_args: Tuple[Any, ...] = getattr(lit, "__args__", ())
            if len(lit_args) == 1 and isinstance(lit_args[0], str):
                key = field
                table[lit_args[0]] = _codec(m).decode
                break
    # Without a discriminator the spec's first variant is meant (a tool call without "type" is a
    # function call); with one chatlib does not know, the object is kept as a dict.
    first = _codec(models[0]).decode if models else None
    expected = " or ".join(["an object"] * bool(models) + ["a list"] * bool(lists) + ["a string"] * bool(scalars))

    def decode_union(value: Any, path: Any) -> Any:
        kind = type(value)
        if kind is dict and first is not None:
            tag = value.get(key) if key else None
            if tag is None:
                return first(value, path)
            if type(tag) is not str:
                raise _shape_error((path, key), "a string", tag)
            dec = table.get(tag)
            return dec(value, path) if dec is not None else value
        if kind is list and list_decoder is not None:
            return list_decoder(value, path)
        if scalars and kind is not dict and kind is not list:
            return value
        raise _shape_error(path, expected, value)
    return decode_union


def _to_json(value: Any) -> Any:
    """A value of a dataclass field as JSON data: dataclasses, lists and dicts are walked."""
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    if isinstance(value, _Model):
        return value.to_dict()
    if kind is list or kind is tuple:
        return [_to_json(v) for v in value]
    if kind is dict:
        return {k: _to_json(v) for k, v in value.items()}
    return value  # anything else is json's to judge when the request is sent


# The spec classes are dataclasses, made so on first use rather than at import: 83 of them cost
# @dataclass about 20 ms, and importing dataclasses (and inspect with it) as much again, which
# most programs, sending dicts, never need.  To a type checker `_spec` is @dataclass (imported
# under that name at the top); at run time it leaves the class as it is, and _Model turns the
# class into the dataclass that @dataclass(eq=False, repr=False) makes the first time anything
# needs it to be one: an instance being built, or the dataclass attributes being read
# (dataclasses.fields, is_dataclass, asdict, replace, inspect.signature, the converter).  An
# instance the converter decodes needs neither.
if not TYPE_CHECKING:
    def _spec(cls):
        return cls


_AS_DATACLASS = threading.Lock()  # @dataclass must not run twice on a class: it would see its own work


def _as_dataclass(cls: type) -> None:
    """Makes a spec class the dataclass it is declared to be, once (see _spec)."""
    with _AS_DATACLASS:
        if "__dataclass_fields__" not in cls.__dict__:
            import dataclasses

            dataclasses.dataclass(eq=False, repr=False)(cls)


class _DataclassAttribute:
    """One of the attributes @dataclass sets, read from a spec class that is not a dataclass yet:
    it becomes one, and the attribute is then its own."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, cls: type) -> Any:
        if cls is _Model or not issubclass(cls, _Model):
            raise AttributeError(self.name)
        _as_dataclass(cls)
        if self.name == "__signature__":
            return None  # inspect.signature then reads the __init__ @dataclass has just written
        if self.name not in cls.__dict__:  # __match_args__ before Python 3.10
            raise AttributeError(self.name)
        return cls.__dict__[self.name]


class _Model:
    """What every spec dataclass shares: ``from_dict``, ``to_dict``, ``extra``, ``==`` and repr."""

    _required: Tuple[Any, ...] = ()   # request fields always written (as null when None and nullable)
    _nullable: Tuple[Any, ...] = ()
    _extra: Optional[Dict[str, Any]] = None  # keys the server sent that the spec does not define
    if TYPE_CHECKING:  # what @dataclass gives every subclass
        __dataclass_fields__: ClassVar[Dict[str, Any]]
    else:
        __dataclass_fields__ = _DataclassAttribute("__dataclass_fields__")
        __dataclass_params__ = _DataclassAttribute("__dataclass_params__")
        __match_args__ = _DataclassAttribute("__match_args__")
        __signature__ = _DataclassAttribute("__signature__")

        def __init__(self, *args, **kwargs):
            cls = type(self)
            _as_dataclass(cls)  # which gives cls its own __init__
            cls.__init__(self, *args, **kwargs)

    @classmethod
    def from_dict(cls: Type[_M], data: Dict[str, Any]) -> _M:
        """Builds an instance from parsed JSON; see the notes on forward compatibility above."""
        return _codec(cls).decode(data)

    def to_dict(self) -> Dict[str, Any]:
        """The JSON object for this instance: fields left as None are left out, unknown keys kept."""
        return _codec(type(self)).encode(self)

    @property
    def extra(self) -> Dict[str, Any]:
        """Keys the server sent that this class has no field for; written back by to_dict."""
        extra = self._extra
        if extra is None:
            extra = self._extra = {}
        return extra

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        a, b = self.__dict__, other.__dict__
        return (all(a.get(n) == b.get(n) for n in _codec(type(self)).names)
                and (a.get("_extra") or {}) == (b.get("_extra") or {}))

    __hash__ = None  # type: ignore[assignment]  # mutable: not hashable

    def __repr__(self) -> str:
        values = self.__dict__
        shown = ", ".join("%s=%r" % (n, values.get(n)) for n in _codec(type(self)).names if values.get(n) is not None)
        return "%s(%s)" % (type(self).__name__, shown)


# ---------------------------------------------------------------- the Chat API

# The query parameters of GET /chat/completions and of GET /chat/completions/{id}/messages.
_LIST_QUERY = ("model", "metadata", "after", "limit", "order")
_MESSAGES_QUERY = ("after", "limit", "order")


def _list_params(query: Any, allowed: Tuple[Any, ...], what: str) -> List[Any]:
    if query is None:
        return []
    if not isinstance(query, dict):
        raise InvalidArgumentError("%s must be a dict or None, not %s" % (what, type(query).__name__))
    unknown = [k for k in query if k not in allowed]
    if unknown:
        raise InvalidArgumentError("%s: unknown parameter %s (known: %s)%s" % (
            what, ", ".join(map(repr, unknown)), ", ".join(allowed), _closest(str(unknown[0]), allowed)))
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


def _check_request(request: object, stream: bool) -> Dict[str, Any]:
    if not isinstance(request, dict):
        raise InvalidArgumentError("the request must be a dict, not %s" % type(request).__name__)
    flag = request.get("stream")
    if stream and flag is not True:
        raise InvalidArgumentError('create_stream_byot needs "stream": true in the request '
                                   "(got %r); use create_byot for a single response" % (flag,))
    if not stream and flag:
        raise InvalidArgumentError('create_byot cannot take "stream": true; use create_stream_byot')
    return request

class APIResponse(Generic[_T]):
    """A parsed body together with its HTTP response: from ``chat.with_response.<method>(...)``."""

    __slots__ = ("data", "info")

    def __init__(self, data: _T, info: ResponseInfo) -> None:
        self.data = data
        self.info = info

    @property
    def status_code(self) -> int:
        return self.info.status_code

    @property
    def headers(self) -> Mapping[str, str]:
        return self.info.headers

    @property
    def request_id(self) -> Optional[str]:
        return self.info.request_id

    def __repr__(self) -> str:
        return "APIResponse(status_code=%d, request_id=%r, data=%s)" % (
            self.status_code, self.request_id, type(self.data).__name__)

class _ChatBase:
    """What the four method sets (Chat, AsyncChat and their with_response twins) share: the
    client they run on, and whether they answer with an APIResponse."""

    _raw = False
    _client_type: Any = None  # the client class the methods run on

    def __init__(self, client: Any) -> None:
        if not isinstance(client, self._client_type):
            raise InvalidArgumentError("%s needs a chatlib.%s, not %s" % (
                type(self).__name__, self._client_type.__name__, type(client).__name__))
        self.client = client

    def _pages(self, fetch: Callable[..., Any], args: Tuple[Any, ...], query: Optional[Dict[str, Any]],
               decode: Optional[Callable[[Any], _T]], options: Dict[str, Any]) -> Iterator[_T]:
        if self._raw:
            raise InvalidArgumentError("the *_all methods yield items; use with_response on list or messages")
        unknown = set(options) - {"extra_headers", "extra_query", "timeout", "deadline"}
        if unknown:
            raise InvalidArgumentError("unknown option %s" % ", ".join(sorted(unknown)))
        query = dict(query or {})
        _list_params(query, _MESSAGES_QUERY if args else _LIST_QUERY, "query")  # checked before the first page
        if args:
            _id_path(args[0])
        walk: Iterator[_T] = self._walk(fetch, args, query, decode, options)
        return walk

    if TYPE_CHECKING:  # each method set defines it, in its own way of waiting
        def _walk(self, fetch: Callable[..., Any], args: Tuple[Any, ...], query: Optional[Dict[str, Any]],
                  decode: Optional[Callable[[Any], Any]], options: Dict[str, Any]) -> Any: ...


class _ChatMethods(_ChatBase):
    """The Chat Completions endpoints, after async-openai's ``Chat``: every method's checks and
    request building, written once.  Chat runs them; AsyncChat awaits them.  Each method ends in
    self._call, self._stream or self._walk, which the two define, each in its own way of waiting.
    To a type checker these are the sync signatures; the other method sets derive theirs from
    them (_coroutine, _responding, ...).

    ``*_byot`` methods take and return plain dicts, exactly as sent and received.  Every method
    takes keyword-only `extra_headers` (a None value removes a header), `extra_query`, `timeout`
    and `deadline` for that call.  ``chat.with_response.<method>(...)`` returns an APIResponse
    with the status, headers and request id beside the data.
    """

    if TYPE_CHECKING:  # as Chat defines them: the other sets' types are derived from these
        def _call(self, method: str, path: str, body: Optional[Dict[str, Any]] = None, params: Any = (),
                  decode: Optional[Callable[[Any], _T]] = None, **opts: Any) -> _T: ...

        def _stream(self, body: Dict[str, Any], decode: Optional[Callable[[Any], Any]],
                    opts: Dict[str, Any]) -> ChatCompletionResponseStream[Any, Any]: ...

    # -- bring your own types: dicts in, dicts out

    def create_byot(self, /, request: Dict[str, Any], *, extra_headers: Optional[Dict[str, Any]] = None, extra_query: Optional[Dict[str, Any]] = None,
                    timeout: Optional[float] = None, deadline: Optional[float] = None) -> Dict[str, Any]:
        """POST /chat/completions: one complete response.  The request must not ask for a stream."""
        return self._call("POST", "/chat/completions", _check_request(request, False),
                          extra_headers=extra_headers, extra_query=extra_query, timeout=timeout, deadline=deadline)

    def create_stream_byot(self, /, request: Dict[str, Any], *, extra_headers: Optional[Dict[str, Any]] = None,
                           extra_query: Optional[Dict[str, Any]] = None, timeout: Optional[float] = None,
                           deadline: Optional[float] = None) -> ChatCompletionResponseStream[Dict[str, Any], Dict[str, Any]]:
        """POST /chat/completions with ``"stream": true``: an iterator of chunk dicts."""
        return self._stream(_check_request(request, True), None, dict(
            extra_headers=extra_headers, extra_query=extra_query, timeout=timeout, deadline=deadline))

    def list_byot(self, /, query: Optional[Dict[str, Any]] = None, *, extra_headers: Optional[Dict[str, Any]] = None,
                  extra_query: Optional[Dict[str, Any]] = None, timeout: Optional[float] = None,
                  deadline: Optional[float] = None) -> Dict[str, Any]:
        """GET /chat/completions: stored completions; `query` has model, metadata, after, limit, order."""
        params = _list_params(query, _LIST_QUERY, "query")
        return self._call("GET", "/chat/completions", None, params, extra_headers=extra_headers,
                          extra_query=extra_query, timeout=timeout, deadline=deadline)

    def retrieve_byot(self, /, completion_id: str, *, extra_headers: Optional[Dict[str, Any]] = None,
                      extra_query: Optional[Dict[str, Any]] = None, timeout: Optional[float] = None,
                      deadline: Optional[float] = None) -> Dict[str, Any]:
        """GET /chat/completions/{completion_id}: one stored completion."""
        return self._call("GET", _id_path(completion_id), None, extra_headers=extra_headers,
                          extra_query=extra_query, timeout=timeout, deadline=deadline)

    def update_byot(self, /, completion_id: str, request: Dict[str, Any], *, extra_headers: Optional[Dict[str, Any]] = None,
                    extra_query: Optional[Dict[str, Any]] = None, timeout: Optional[float] = None,
                    deadline: Optional[float] = None) -> Dict[str, Any]:
        """POST /chat/completions/{completion_id}: sets the metadata of a stored completion."""
        path = _id_path(completion_id)
        if not isinstance(request, dict):
            raise InvalidArgumentError("the request must be a dict, not %s" % type(request).__name__)
        return self._call("POST", path, request, extra_headers=extra_headers,
                          extra_query=extra_query, timeout=timeout, deadline=deadline)

    def delete_byot(self, /, completion_id: str, *, extra_headers: Optional[Dict[str, Any]] = None,
                    extra_query: Optional[Dict[str, Any]] = None, timeout: Optional[float] = None,
                    deadline: Optional[float] = None) -> Dict[str, Any]:
        """DELETE /chat/completions/{completion_id}."""
        return self._call("DELETE", _id_path(completion_id), None, extra_headers=extra_headers,
                          extra_query=extra_query, timeout=timeout, deadline=deadline)

    def messages_byot(self, /, completion_id: str, query: Optional[Dict[str, Any]] = None, *, extra_headers: Optional[Dict[str, Any]] = None,
                      extra_query: Optional[Dict[str, Any]] = None, timeout: Optional[float] = None,
                      deadline: Optional[float] = None) -> Dict[str, Any]:
        """GET /chat/completions/{completion_id}/messages; `query` has after, limit, order."""
        path = _id_path(completion_id, "/messages")
        params = _list_params(query, _MESSAGES_QUERY, "query")
        return self._call("GET", path, None, params, extra_headers=extra_headers,
                          extra_query=extra_query, timeout=timeout, deadline=deadline)

    # -- typed: dataclasses in, dataclasses out

    def create(self, /, request: Optional[CreateChatCompletionRequest] = None, *, extra_body: Optional[Dict[str, Any]] = None,
               extra_headers: Optional[Dict[str, Any]] = None, extra_query: Optional[Dict[str, Any]] = None,
               timeout: Optional[float] = None, deadline: Optional[float] = None,
               **fields: Any) -> CreateChatCompletionResponse:
        """POST /chat/completions: one complete response.  Takes a CreateChatCompletionRequest,
        or its fields as keywords (``model=..., messages=[...]``); anything inside may be a
        dataclass or the plain dict the spec describes.  `extra_body` adds keys to the JSON."""
        body = _typed_create(request, False, extra_body, fields)
        return self._call("POST", "/chat/completions", body, decode=_codec(CreateChatCompletionResponse).decode,
                          extra_headers=extra_headers, extra_query=extra_query, timeout=timeout, deadline=deadline)

    def create_stream(self, /, request: Optional[CreateChatCompletionRequest] = None, *, extra_body: Optional[Dict[str, Any]] = None,
                      extra_headers: Optional[Dict[str, Any]] = None, extra_query: Optional[Dict[str, Any]] = None,
                      timeout: Optional[float] = None, deadline: Optional[float] = None,
                      **fields: Any) -> ChatCompletionResponseStream[CreateChatCompletionStreamResponse, CreateChatCompletionResponse]:
        """POST /chat/completions as a stream of CreateChatCompletionStreamResponse chunks; takes
        a request or its fields, as create() does.

        Sets ``stream`` itself; a request with ``stream=False`` is refused."""
        body = _typed_create(request, True, extra_body, fields)
        return self._stream(body, _codec(CreateChatCompletionStreamResponse).decode, dict(
            extra_headers=extra_headers, extra_query=extra_query, timeout=timeout, deadline=deadline))

    def list(self, /, query: Optional[Union[ListChatCompletionsQuery, Dict[str, Any]]] = None, *, extra_headers: Optional[Dict[str, Any]] = None,
             extra_query: Optional[Dict[str, Any]] = None, timeout: Optional[float] = None,
             deadline: Optional[float] = None, **fields: Any) -> ChatCompletionList:
        """GET /chat/completions: a page of stored completions; the query may be given as
        keywords (``model=..., limit=20``)."""
        params = _list_params(_query_dict(query, ListChatCompletionsQuery, fields), _LIST_QUERY, "query")
        return self._call("GET", "/chat/completions", None, params, decode=_codec(ChatCompletionList).decode,
                          extra_headers=extra_headers, extra_query=extra_query, timeout=timeout, deadline=deadline)

    def retrieve(self, /, completion_id: str, *, extra_headers: Optional[Dict[str, Any]] = None, extra_query: Optional[Dict[str, Any]] = None,
                 timeout: Optional[float] = None, deadline: Optional[float] = None) -> CreateChatCompletionResponse:
        """GET /chat/completions/{completion_id}."""
        return self._call("GET", _id_path(completion_id), None, decode=_codec(CreateChatCompletionResponse).decode,
                          extra_headers=extra_headers, extra_query=extra_query, timeout=timeout, deadline=deadline)

    def update(self, /, completion_id: str, request: Optional[UpdateChatCompletionRequest] = None, *,
               extra_body: Optional[Dict[str, Any]] = None, extra_headers: Optional[Dict[str, Any]] = None, extra_query: Optional[Dict[str, Any]] = None,
               timeout: Optional[float] = None, deadline: Optional[float] = None,
               **fields: Any) -> CreateChatCompletionResponse:
        """POST /chat/completions/{completion_id}: ``update(id, metadata={...})``, or an
        UpdateChatCompletionRequest; ``metadata=None`` clears the metadata."""
        path = _id_path(completion_id)
        if request is None:
            request = _from_fields(UpdateChatCompletionRequest, fields, "update")
        elif fields:
            raise InvalidArgumentError("update takes a request or its fields as keywords, not both")
        if not isinstance(request, UpdateChatCompletionRequest):
            raise InvalidArgumentError("update takes an UpdateChatCompletionRequest, not %s; "
                                       "update_byot takes a dict" % type(request).__name__)
        body = _with_extra_body(request.to_dict(), extra_body)
        return self._call("POST", path, body, decode=_codec(CreateChatCompletionResponse).decode,
                          extra_headers=extra_headers, extra_query=extra_query, timeout=timeout, deadline=deadline)

    def delete(self, /, completion_id: str, *, extra_headers: Optional[Dict[str, Any]] = None, extra_query: Optional[Dict[str, Any]] = None,
               timeout: Optional[float] = None, deadline: Optional[float] = None) -> ChatCompletionDeleted:
        """DELETE /chat/completions/{completion_id}."""
        return self._call("DELETE", _id_path(completion_id), None, decode=_codec(ChatCompletionDeleted).decode,
                          extra_headers=extra_headers, extra_query=extra_query, timeout=timeout, deadline=deadline)

    def messages(self, /, completion_id: str, query: Optional[Union[GetChatCompletionMessagesQuery, Dict[str, Any]]] = None, *,
                 extra_headers: Optional[Dict[str, Any]] = None, extra_query: Optional[Dict[str, Any]] = None,
                 timeout: Optional[float] = None, deadline: Optional[float] = None,
                 **fields: Any) -> ChatCompletionMessageList:
        """GET /chat/completions/{completion_id}/messages: a page of the stored messages."""
        path = _id_path(completion_id, "/messages")
        params = _list_params(_query_dict(query, GetChatCompletionMessagesQuery, fields), _MESSAGES_QUERY, "query")
        return self._call("GET", path, None, params, decode=_codec(ChatCompletionMessageList).decode,
                          extra_headers=extra_headers, extra_query=extra_query, timeout=timeout, deadline=deadline)


    # -- every page: the cursor loop written once

    def list_all(self, /, query: Optional[Union[ListChatCompletionsQuery, Dict[str, Any]]] = None,
                 **options: Any) -> Iterator[CreateChatCompletionResponse]:
        """Every stored completion, page after page, fetched lazily as the loop goes on.

        Follows ``after`` = the last id while the server says ``has_more``, and stops at an empty
        page whatever it says.  Takes the same keyword options as list()."""
        query = _query_dict(query, ListChatCompletionsQuery)
        return self._pages(self.list_byot, (), query, _codec(CreateChatCompletionResponse).decode, options)

    def list_all_byot(self, /, query: Optional[Dict[str, Any]] = None, **options: Any) -> Iterator[Dict[str, Any]]:
        """As list_all, with dicts."""
        return self._pages(self.list_byot, (), query, None, options)

    def messages_all(self, /, completion_id: str, query: Optional[Union[GetChatCompletionMessagesQuery, Dict[str, Any]]] = None,
                     **options: Any) -> Iterator[ChatCompletionMessageListItem]:
        """Every stored message of a completion, page after page; see list_all."""
        query = _query_dict(query, GetChatCompletionMessagesQuery)
        return self._pages(self.messages_byot, (completion_id,), query,
                           _codec(ChatCompletionMessageListItem).decode, options)

    def messages_all_byot(self, /, completion_id: str, query: Optional[Dict[str, Any]] = None, **options: Any) -> Iterator[Dict[str, Any]]:
        """As messages_all, with dicts."""
        return self._pages(self.messages_byot, (completion_id,), query, None, options)


class _SyncSend(_ChatBase):
    """How Chat and Chat.with_response send a call and wait for it: in the calling thread."""

    _client_type = Client

    def _call(self, method: str, path: str, body: Optional[Dict[str, Any]] = None, params: Any = (),
              decode: Optional[Callable[[Any], _T]] = None, **opts: Any) -> _T:
        data, info = self.client._send(method, path, body, params=params, decode=decode, **opts)
        return cast(_T, APIResponse(data, info) if self._raw else data)

    def _stream(self, body: Dict[str, Any], decode: Optional[Callable[[Any], Any]],
                opts: Dict[str, Any]) -> ChatCompletionResponseStream[Any, Any]:
        core, info = self.client._send("POST", "/chat/completions", body, stream=True, decode=decode, **opts)
        return ChatCompletionResponseStream(core, info)

    def _walk(self, fetch: Callable[..., Any], args: Tuple[Any, ...], query: Optional[Dict[str, Any]],
              decode: Optional[Callable[[Any], Any]], options: Dict[str, Any]) -> Iterator[Any]:
        while query is not None:
            items, query = _page_items(fetch(*args, query, **options), query, decode)
            yield from items


class Chat(_SyncSend, _ChatMethods):
    __doc__ = _ChatMethods.__doc__

    @property
    def with_response(self) -> ChatWithResponse:
        """The same methods, returning APIResponse(data, info) instead of the data alone."""
        return ChatWithResponse(self.client)


if TYPE_CHECKING:
    if sys.version_info >= (3, 10):
        def _responding(shared: Callable[Concatenate[Any, _P], _T]) -> Callable[Concatenate[Any, _P], APIResponse[_T]]: ...
    else:  # no ParamSpec before Python 3.10: the parameters go unchecked there
        def _responding(shared: Callable[..., _T]) -> Callable[..., APIResponse[_T]]: ...
else:
    def _responding(shared):
        """A shared method as the with_response sets run it: the same code, whose _call answers
        with an APIResponse; only its type changes."""
        return shared


class ChatWithResponse(_SyncSend):
    """``Chat.with_response``: Chat's methods, each returning an APIResponse (the data, with the
    status, headers and request id).  A stream already carries its `response`."""

    _raw = True
    create = _responding(_ChatMethods.create)
    create_byot = _responding(_ChatMethods.create_byot)
    create_stream = _ChatMethods.create_stream
    create_stream_byot = _ChatMethods.create_stream_byot
    list = _responding(_ChatMethods.list)
    list_byot = _responding(_ChatMethods.list_byot)
    retrieve = _responding(_ChatMethods.retrieve)
    retrieve_byot = _responding(_ChatMethods.retrieve_byot)
    update = _responding(_ChatMethods.update)
    update_byot = _responding(_ChatMethods.update_byot)
    delete = _responding(_ChatMethods.delete)
    delete_byot = _responding(_ChatMethods.delete_byot)
    messages = _responding(_ChatMethods.messages)
    messages_byot = _responding(_ChatMethods.messages_byot)


def _page_items(page: Any, query: Dict[str, Any], decode: Any) -> Tuple[Any, ...]:
    """The items of one page and the query of the next (None after the last)."""
    data = page.get("data") if isinstance(page, dict) else None
    if not isinstance(data, list):
        raise JSONDeserializeError("a page has no list under \"data\"", page)
    items = data if decode is None else [decode(item) for item in data]
    if not data or not page.get("has_more"):
        return items, None
    last = data[-1].get("id") if isinstance(data[-1], dict) else None
    last = last or page.get("last_id")
    if not isinstance(last, str) or not last or last == query.get("after"):
        raise APIError("the server says there are more pages but gives no new cursor (last id %r)" % (last,))
    return items, dict(query, after=last)


# ---------------------------------------------------------------- the Chat API, async
#
# AsyncClient runs the sync client's transport in worker threads: every socket operation, every
# parse of a whole body and the retry loop's attempts happen there, while the event loop hands
# work over and waits (retry waits are asyncio.sleep).  Between writing a request and reading
# its answer, a call holds no thread: the _Poller waits for all of them.  Cancelling the
# awaiting task fires the call's _Watch, which shuts the socket down, so the worker returns at
# once and the connection is closed rather than pooled.  A stream's reader thread reads what
# has arrived (up to _BATCH bytes) and splits it into events; the loop loads their JSON, a slice
# at a time and taking turns with other work (_Pacer).  That way the loop never waits for the
# GIL behind threads busy decoding, which is what held a 1 ms timer up for tens of ms when 64
# streams ran at once.  _AHEAD batches are read ahead at most: a slow consumer holds three
# batches' worth of events, never more.

_WORKER_IDLE = 30.0  # seconds an idle worker thread waits for work before it ends
_READERS = 1         # threads per AsyncClient that read streams whose sockets have data
_AHEAD = 2           # batches an async stream may hold for a consumer that is behind
_SLICE = 16          # chunks an async stream loads on the event loop at one go
_TURN = 0.002        # seconds the streams may load chunks on the event loop before a due timer's turn
_SPAWN_PAUSE = 0.001  # seconds a new thread waits to be started, in case a running one comes free
_HOLD = 4            # calls whose answer a worker thread waits for; the _Poller waits for the rest


class _Workers:
    """The threads that run an AsyncClient's blocking work: started on demand, at most `limit`,
    ended after _WORKER_IDLE seconds without work or by close().

    The event loop never starts a thread itself: Thread.start() waits until the new thread runs,
    which under load costs milliseconds of the loop's time per thread.  A spawner thread starts
    them instead; submit() only puts the job and, when no worker is free, the thread to start."""

    def __init__(self, limit: int) -> None:
        import queue
        self.limit = limit
        self.queue_class = queue.SimpleQueue
        self.empty = queue.Empty
        self.jobs: Any = queue.SimpleQueue()
        self.to_start: Any = queue.SimpleQueue()
        self.lock = threading.Lock()
        self.threads: Set[Any] = set()
        self.idle = 0  # threads waiting for work that no job has been promised to
        self.spawner: Any = None

    def submit(self, job: Callable[[], None]) -> None:
        with self.lock:
            if self.idle > 0:
                self.idle -= 1
            elif len(self.threads) < self.limit:
                t = threading.Thread(target=self._work, args=(self.jobs,), name="chatlib-async", daemon=True)
                self.threads.add(t)
                self.to_start.put(t)
                if self.spawner is None:
                    self.spawner = threading.Thread(target=self._spawn, args=(self.to_start,),
                                                    name="chatlib-spawner", daemon=True)
                    self.spawner.start()  # once per burst of new threads, not once per thread
            self.jobs.put(job)

    def _spawn(self, to_start: Any) -> None:
        while True:
            try:
                t = to_start.get(timeout=_WORKER_IDLE)
            except self.empty:
                with self.lock:
                    if not to_start.empty():
                        continue
                    if self.spawner is threading.current_thread():
                        self.spawner = None
                return
            if t is None:
                return
            if len(self.threads) > 1:  # another thread may come free: the first has no one to wait for
                time.sleep(_SPAWN_PAUSE)
            with self.lock:
                if self.idle > 0:  # a thread came free meanwhile: it takes the job meant for this one
                    self.idle -= 1
                    self.threads.discard(t)
                    continue
            t.start()

    def _work(self, jobs: Any) -> None:
        while True:
            try:
                job = jobs.get(timeout=_WORKER_IDLE)
            except self.empty:
                with self.lock:
                    if self.idle == 0:
                        continue  # a job has been promised to this thread: it is on its way
                    self.idle -= 1
                    self.threads.discard(threading.current_thread())
                return
            if job is None:
                return
            job()
            with self.lock:
                if jobs is self.jobs:
                    self.idle += 1

    def close(self) -> List[Any]:
        """Tells every thread to end once its work is done; returns them, to be joined in order."""
        with self.lock:
            threads, self.threads = list(self.threads), set()
            jobs, self.jobs = self.jobs, self.queue_class()
            spawner, self.spawner = self.spawner, None
            to_start, self.to_start = self.to_start, self.queue_class()
            self.idle = 0
        for _ in threads:
            jobs.put(None)
        if spawner is not None:
            to_start.put(None)  # after the threads it has yet to start
            threads.insert(0, spawner)
        return threads


class _Poller:
    """The thread that waits, for an AsyncClient, on the sockets of the calls whose request is
    written.  When a socket turns readable (the answer has begun, or a _Watch shut it down), or
    the call's timeout passes first, the call's next step goes back to the workers:
    ``then(True)`` or ``then(False)``.

    Workers register the sockets and this thread drops them, so the event loop makes no system
    call for any of it: at each one, a busy worker may take the GIL from the loop for
    milliseconds, and an add_reader and a remove_reader per call held a 1 ms timer up for
    20 ms when 64 streams opened at once.  Epoll and kqueue see a socket registered while they
    wait; any other selector, or a timeout due before the wait ends, is woken by a byte on
    `waker`.  The thread starts with the first socket and ends after _WORKER_IDLE seconds
    with none, or at close()."""

    def __init__(self, workers: _Workers) -> None:
        self.workers = workers
        self.lock = threading.Lock()
        self.thread: Any = None
        self.selector: Any = None
        self.waker: Any = None  # a socket pair: a byte on [1] ends the wait on [0]
        self.calls: Dict[int, Tuple[float, Callable[[bool], None]]] = {}  # fd -> (when it times out, then)
        self.until = 0.0         # when the thread's wait ends by itself
        self.woken = False       # a byte is on its way to the waker
        self.eager = False       # the selector sees registrations while it waits
        self.held = 0            # worker threads waiting for an answer themselves

    def wait(self, sock: Any, timeout: float, then: Callable[[bool], None], watch: _Watch) -> bool:
        """From a worker: watches `sock` for the call's next step, or returns False: the
        caller then waits for the answer itself, and calls unhold() once it has come.  It does
        while fewer than _HOLD threads do (a handoff to this thread and back costs more than a
        thread that waits), for a socket that cannot be watched, and for a call whose watch
        has fired (its read fails at once; after aclose(), no poller thread is started)."""
        try:
            fd = -1 if watch.fired else sock.fileno()
        except (AttributeError, OSError):
            fd = -1
        due = time.monotonic() + timeout
        with self.lock:
            wanted = fd >= 0 and self.held >= _HOLD
            start = wanted and self.thread is None and self._open()
            watched = wanted and self.thread is not None and self._add(fd, due, then)
            if not watched:
                self.held += 1
            wake = watched and not start and (due < self.until or not self.eager) and not self.woken
            self.woken = self.woken or wake
            thread = self.thread
        if start:
            try:
                thread.start()  # even if the socket could not be added: it ends when idle
            except RuntimeError:  # no thread can be started: the calls that wait here, this one
                self._submit(self._abandon(thread))  # too, go back to wait in a worker each
        elif wake:
            self._wake()
        return watched

    def _abandon(self, thread: Any) -> List[Callable[[], None]]:
        """Drops a poller thread that could not be started, and returns the next steps of the
        calls registered with it."""
        with self.lock:
            if self.thread is not thread:
                return []
            steps = [self._hand_back(fd, True) for fd in list(self.calls)]
            _close_all(self.selector, *self.waker)
            self._drop()
        return steps

    def _add(self, fd: int, due: float, then: Callable[[bool], None]) -> bool:
        try:
            self.selector.register(fd, 1)  # selectors.EVENT_READ
        except (OSError, ValueError, KeyError):
            return False
        self.calls[fd] = (due, then)
        return True

    def unhold(self) -> None:
        with self.lock:
            self.held -= 1

    def _open(self) -> bool:
        import selectors
        import socket
        try:
            self.waker = socket.socketpair()
        except OSError:
            return False
        for end in self.waker:
            end.setblocking(False)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.waker[0].fileno(), selectors.EVENT_READ)
        self.eager = type(self.selector).__name__ in ("EpollSelector", "KqueueSelector")
        self.until = 0.0
        self.thread = threading.Thread(target=self._run, args=(self.selector, self.waker),
                                       name="chatlib-poller", daemon=True)
        return True

    def _wake(self) -> None:
        try:
            self.waker[1].send(b"\0")
        except OSError:  # the pipe is full (the thread is awake anyway), or closed with the poller
            pass

    def _run(self, selector: Any, waker: Any) -> None:
        idle_since = time.monotonic()
        while True:
            with self.lock:
                if self.selector is not selector:  # closed: this thread's selector and waker are its own to close
                    _close_all(selector, *waker)
                    return
                now = time.monotonic()
                expired = self._expired(now)
                if self.calls:
                    idle_since = now
                elif now - idle_since >= _WORKER_IDLE:
                    self._drop()
                    _close_all(selector, *waker)
                    return
                self.until = min([due for due, _ in self.calls.values()], default=idle_since + _WORKER_IDLE)
                self.woken = False
            self._submit(expired)
            for key, _ in selector.select(max(self.until - now, 0.0)):
                self._submit(self._ready(selector, key.fd, waker[0]))

    def _expired(self, now: float) -> List[Callable[[], None]]:
        return [self._hand_back(fd, False) for fd in [fd for fd, (due, _) in self.calls.items() if due <= now]]

    def _ready(self, selector: Any, fd: int, waker: Any) -> List[Callable[[], None]]:
        if fd == waker.fileno():
            try:
                while waker.recv(512):
                    pass
            except OSError:  # nothing more to read, or closed
                pass
            return []
        with self.lock:
            if self.selector is selector and fd in self.calls:
                return [self._hand_back(fd, True)]
        return []

    def _hand_back(self, fd: int, ready: bool) -> Callable[[], None]:
        """Drops `fd`: the call's next step, for _submit once the lock is released."""
        self.selector.unregister(fd)
        _, then = self.calls.pop(fd)
        return functools.partial(then, ready)

    def _submit(self, steps: List[Callable[[], None]]) -> None:
        for step in steps:
            try:
                self.workers.submit(step)
            except RuntimeError:  # no thread can be started: the step runs here rather than never
                step()

    def _drop(self) -> None:
        self.selector = self.thread = self.waker = None

    def close(self) -> List[Any]:
        """Hands every call back (their watches have fired, so each fails at once) and tells
        the thread to end; returns it, to be joined.  A later wait() starts another."""
        with self.lock:
            thread = self.thread
            if thread is None:
                return []
            steps = [self._hand_back(fd, True) for fd in list(self.calls)]
            self._wake()
            self._drop()
        self._submit(steps)
        return [thread]


def _close_all(*closeables: Any) -> None:
    for c in closeables:
        c.close()


class _LoopTimer:
    """An event loop's timer that any thread may cancel (a _Watch's deadline, for AsyncClient)."""

    def __init__(self, loop: Any, seconds: float, callback: Callable[[], None]) -> None:
        self.loop = loop
        self.handle = loop.call_later(seconds, callback)

    def cancel(self) -> None:
        try:
            self.loop.call_soon_threadsafe(self.handle.cancel)
        except RuntimeError:  # the loop is closed: its timers are gone with it
            pass


def _settle(fut: Any, ok: bool, result: Any, discard: Optional[Callable[[Any], None]]) -> None:
    """Hands a worker's outcome to the future the event loop awaits, unless that was cancelled;
    then a result that holds a connection is closed."""
    if fut.cancelled():
        if ok and discard is not None:
            discard(result)
    elif ok:
        fut.set_result(result)
    else:
        fut.set_exception(result)


class _Mailbox:
    """Hands the workers' outcomes to the event loop, with one wake-up for all that arrive
    before the loop gets to them.  A wake-up costs the loop system calls, and at each of those
    a busy thread may take the GIL from it for milliseconds: with 64 calls under way, waking
    once per outcome held a 1 ms timer up more than once for 10 ms."""

    __slots__ = ("loop", "lock", "items", "waking")

    def __init__(self, loop: Any) -> None:
        self.loop = loop
        self.lock = threading.Lock()
        self.items: List[Tuple[Any, ...]] = []
        self.waking = False  # a delivery is scheduled on the loop and has not run yet

    def post(self, fut: Any, ok: bool, result: Any, discard: Optional[Callable[[Any], None]]) -> None:
        """From any thread: the outcome for `fut`, settled on the loop (see _settle)."""
        with self.lock:
            self.items.append((fut, ok, result, discard))
            if self.waking and not self.loop.is_closed():
                return
            self.waking = True
        try:
            self.loop.call_soon_threadsafe(self._deliver)
        except RuntimeError:  # the loop is closed: nobody awaits these any more
            for fut, ok, result, discard in self._take():
                if ok and discard is not None:
                    discard(result)

    def _take(self) -> List[Tuple[Any, ...]]:
        with self.lock:
            items, self.items = self.items, []
            self.waking = False
        return items

    def _deliver(self) -> None:
        for item in self._take():
            _settle(*item)


def _discard_attempt(result: Any) -> None:
    if result is not None and isinstance(result[0], _StreamCore):
        result[0].abort()


def _timed_out() -> BaseException:
    import socket
    return socket.timeout("timed out")


class _Pacer:
    """Takes turns on the event loop between the streams loading their chunks and everything
    else.  A stream asks wait() before each slice: once _TURN seconds have passed since the
    turn began, it waits for the next one, and then loads a slice in any case.  The next turn
    begins with a timer due at once, which the loop runs after the timers due before it (a 1 ms
    ticker, a timeout) and the callbacks already queued; without it, 64 streams with data could
    hold the loop for tens of ms."""

    __slots__ = ("loop", "ends", "waiting")

    def __init__(self, loop: Any) -> None:
        self.loop = loop
        self.ends = 0.0
        self.waiting: List[Any] = []

    def wait(self) -> Any:
        """None to go on now; else a future to await, done when the next turn begins."""
        loop = self.loop
        if loop.time() < self.ends:
            return None
        fut = loop.create_future()
        if not self.waiting:
            loop.call_at(loop.time(), self._turn)
        self.waiting.append(fut)
        return fut

    def _turn(self) -> None:
        waiting, self.waiting = self.waiting, []
        self.ends = self.loop.time() + _TURN
        for fut in waiting:
            if not fut.done():  # a cancelled waiter's task has gone
                fut.set_result(None)


class AsyncClient:
    """The async twin of Client: the same configuration, transport, retries and errors, with
    every call a coroutine that never blocks the event loop.

    Takes Client's arguments, and `max_concurrency`: the most calls under way at once (a stream
    counts until it ends or is closed); more wait their turn.  A client belongs to the event loop
    it is first used on.  ``async with AsyncClient() as c:`` or ``await c.aclose()`` closes its
    connections and ends its threads; the client stays usable afterwards.
    """

    def __init__(self, config: Union[OpenAIConfig, AzureConfig, Any] = None, *, max_concurrency: int = 64,
                 **options: Any) -> None:
        if isinstance(max_concurrency, bool) or not isinstance(max_concurrency, int) or max_concurrency < 1:
            raise InvalidArgumentError("max_concurrency must be a whole number >= 1, not %r" % (max_concurrency,))
        self.client = Client(config, **options)  # the sync client whose transport the workers use
        self.config = self.client.config
        self.max_concurrency = max_concurrency
        self._workers = _Workers(max_concurrency)
        self._readers = _Workers(_READERS)
        self._poller = _Poller(self._workers)
        self._binding: List[Any] = [None] * 4  # the event loop, its semaphore, _Pacer and _Mailbox: shared by with_options
        self._owner = True
        self._watches: Set[Any] = set()  # of the calls and streams under way, for aclose()
        self._streams: Any = weakref.WeakSet()  # the open streams' readers, stopped by aclose()
        # One worker at a time parses a whole body: the GIL lets only one run Python anyway, and
        # the event loop then waits for one thread, not for every worker, to have its turn.  The
        # reader thread's split of a stream's block is light and waits for no one's turn, so a
        # large body being parsed never holds the streams up.
        self._cpu = threading.Lock()

    def chat(self) -> AsyncChat:
        """The Chat Completions API of this client, with coroutine methods."""
        return AsyncChat(self)

    def with_options(self, *, timeout: Optional[float] = None, deadline: Optional[float] = None,
                     max_retries: Optional[int] = None, retry: Optional[RetryPolicy] = None) -> AsyncClient:
        """As Client.with_options: other settings, the same configuration, connections, threads
        and max_concurrency; closing the new client leaves all of those to this one."""
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.client = self.client.with_options(timeout=timeout, deadline=deadline, max_retries=max_retries,
                                              retry=retry)
        new._owner = False
        return new

    @property
    def _loop(self) -> Any:
        return self._binding[0]

    @property
    def _slots(self) -> Any:
        return self._binding[1]

    @property
    def _pacer(self) -> _Pacer:
        pacer: _Pacer = self._binding[2]
        return pacer

    @property
    def _mailbox(self) -> _Mailbox:
        mailbox: _Mailbox = self._binding[3]
        return mailbox

    async def aclose(self) -> None:
        """Stops the calls and streams under way, closes the idle connections and waits for the
        worker threads to end (without blocking the event loop).  A client made by with_options
        leaves them to the client it came from."""
        import asyncio
        if not self._owner:
            return
        for reader in list(self._streams):
            reader.stop()  # before the threads go: a stream must not read again afterwards
        for watch in list(self._watches):
            watch.fire("the AsyncClient was closed")
        threads = self._poller.close() + self._workers.close() + self._readers.close()
        if threads:
            loop = asyncio.get_running_loop()
            done = loop.create_future()

            def join() -> None:
                for t in threads:
                    t.join()
                loop.call_soon_threadsafe(settle)

            def settle() -> None:
                if not done.done():
                    done.set_result(None)
            joiner = threading.Thread(target=join, name="chatlib-join", daemon=True)
            joiner.start()
            await done
            joiner.join()  # it has nothing left to do but return
        self.client.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()

    def __del__(self) -> None:
        workers = getattr(self, "_workers", None)
        if workers is not None and self._owner:
            try:
                self._poller.close()
                workers.close()
                self._readers.close()
            except Exception:  # at interpreter exit the modules it needs may be gone already
                pass

    def __repr__(self) -> str:
        return "Async" + repr(self.client)

    def _bind(self) -> Any:
        import asyncio
        loop = asyncio.get_running_loop()
        bound = self._binding[0]
        if bound is None or (bound is not loop and bound.is_closed()):
            # The first use, or asyncio.run() once more: its loop is new, the old one gone.
            self._binding[:] = [loop, asyncio.Semaphore(self.max_concurrency), _Pacer(loop), _Mailbox(loop)]
        elif bound is not loop:
            raise InvalidArgumentError("this AsyncClient belongs to another event loop; make one "
                                       "AsyncClient per event loop")
        return loop

    def _run(self, fn: Callable[[], Any], discard: Optional[Callable[[Any], None]] = None,
             pool: Optional[_Workers] = None) -> Any:
        """A future of fn() run in a worker thread (of `pool`, else of the client's workers)."""
        fut = self._loop.create_future()
        mailbox = self._mailbox

        def job() -> None:
            try:
                result, ok = fn(), True
            except BaseException as exc:  # handed to the awaiting task, whatever it is
                result, ok = exc, False
            mailbox.post(fut, ok, result, discard)
        (pool or self._workers).submit(job)
        return fut

    async def _sleep(self, delay: float) -> None:
        import asyncio
        sleep = self.client.retry.sleep
        if sleep is time.sleep:
            await asyncio.sleep(delay)
            return
        waited: Any = sleep(delay)  # a test's clock, or a coroutine function of the user's
        if hasattr(waited, "__await__"):
            await waited

    async def _send(self, method: str, path: str, body: Any = None, *, stream: bool = False,
                    params: Any = (), decode: Optional[Callable[[Any], Any]] = None, **opts: Any) -> Tuple[Any, ...]:
        """As Client._send, awaited; a stream keeps its concurrency slot until it ends."""
        loop = self._bind()
        call = _Call(self.client, method, path, body, stream, params, decode, **opts)
        call.cpu = self._cpu
        watch = call.watch = _Watch(call.deadline)
        if call.deadline is not None:
            watch.timer = _LoopTimer(loop, call.deadline, watch.fire)
        self._watches.add(watch)
        await self._slots.acquire()
        keep = False
        try:
            while True:
                result: Optional[Tuple[Any, ...]] = await self._attempt(call, watch)
                if result is not None:
                    keep = stream
                    return result
                await self._sleep(call.retry_delay())
        except BaseException as exc:
            if not isinstance(exc, Exception):  # cancelled: shut the worker's socket, so it returns at once
                watch.fire("the call was cancelled")
            raise
        finally:
            if not keep:
                self._watches.discard(watch)
                self._slots.release()
            call.finish()

    def _attempt(self, call: _Call, watch: _Watch) -> Any:
        """A future of one attempt's outcome (see _Call.attempt).  Its steps run in worker
        threads and the _Poller waits for the server's answer between them, so a call holds a
        thread only while there is work for it, and the loop hands the attempt over once and
        takes its outcome once: it makes no system call of its own for it."""
        fut = self._loop.create_future()
        steps = call.attempt()
        mailbox, poller = self._mailbox, self._poller

        def job(ready: bool = True) -> None:
            try:
                sock = next(steps) if ready else steps.throw(_timed_out())
                while not poller.wait(sock, call.wait, job, watch):
                    try:
                        sock = next(steps)  # this thread waits for the answer itself
                    finally:
                        poller.unhold()
            except StopIteration as done:
                mailbox.post(fut, True, done.value, _discard_attempt)
            except BaseException as exc:  # handed to the awaiting task, whatever it is
                mailbox.post(fut, False, exc, None)
        self._workers.submit(job)
        return fut

    def _stream_ended(self, watch: Optional[_Watch]) -> None:
        self._watches.discard(watch)
        self._slots.release()


# To a type checker, each of these keeps a shared method's parameters and changes what it
# returns: a coroutine of the result, of an async stream, or an async iterator of the pages.
if TYPE_CHECKING:
    if sys.version_info >= (3, 10):
        def _coroutine(shared: Callable[Concatenate[Any, _P], _T]) -> Callable[
                Concatenate[Any, _P], Coroutine[Any, Any, _T]]: ...

        def _async_stream(shared: Callable[Concatenate[Any, _P], ChatCompletionResponseStream[_T, _F]]) -> Callable[
                Concatenate[Any, _P], Coroutine[Any, Any, AsyncChatCompletionResponseStream[_T, _F]]]: ...

        def _async_pages(shared: Callable[Concatenate[Any, _P], Iterator[_T]]) -> Callable[
                Concatenate[Any, _P], AsyncIterator[_T]]: ...
    else:  # no ParamSpec before Python 3.10: the parameters go unchecked there
        def _coroutine(shared: Callable[..., _T]) -> Callable[..., Coroutine[Any, Any, _T]]: ...

        def _async_stream(shared: Callable[..., ChatCompletionResponseStream[_T, _F]]) -> Callable[
                ..., Coroutine[Any, Any, AsyncChatCompletionResponseStream[_T, _F]]]: ...

        def _async_pages(shared: Callable[..., Iterator[_T]]) -> Callable[..., AsyncIterator[_T]]: ...
else:
    def _coroutine(shared):
        """A shared method of _ChatMethods as the async sets run it: awaited, so that its checks
        too run when the coroutine does, never when it is made."""
        async def method(self, /, *args, **kwargs):
            return await shared(self, *args, **kwargs)  # the async _call made it a coroutine
        method.__name__ = shared.__name__
        method.__doc__ = shared.__doc__
        method.__wrapped__ = shared  # inspect.signature shows the real one
        return method

    _async_stream = _coroutine

    def _async_pages(shared):  # the shared method returns _walk's async generator as it is
        return shared


class _AsyncSend(_ChatBase):
    """How AsyncChat and its with_response set send a call: in a worker, awaited."""

    _client_type = AsyncClient

    async def _call(self, method: str, path: str, body: Optional[Dict[str, Any]] = None, params: Any = (),
                    decode: Optional[Callable[[Any], Any]] = None, **opts: Any) -> Any:
        data, info = await self.client._send(method, path, body, params=params, decode=decode, **opts)
        return APIResponse(data, info) if self._raw else data

    async def _stream(self, body: Dict[str, Any], decode: Optional[Callable[[Any], Any]],
                      opts: Dict[str, Any]) -> AsyncChatCompletionResponseStream[Any, Any]:
        core, info = await self.client._send("POST", "/chat/completions", body, stream=True, decode=decode,
                                             **opts)
        return AsyncChatCompletionResponseStream(core, info, self.client)

    async def _walk(self, fetch: Callable[..., Any], args: Tuple[Any, ...], query: Optional[Dict[str, Any]],
                    decode: Optional[Callable[[Any], Any]], options: Dict[str, Any]) -> AsyncIterator[Any]:
        while query is not None:
            items, query = _page_items(await fetch(*args, query, **options), query, decode)
            for item in items:
                yield item


class AsyncChat(_AsyncSend):
    """The Chat Completions endpoints of an AsyncClient: Chat's methods, names and arguments,
    as coroutines.  ``await chat.create_stream(...)`` returns an AsyncChatCompletionResponseStream
    once the response has begun; ``list_all`` and ``messages_all`` are async iterators."""

    @property
    def with_response(self) -> AsyncChatWithResponse:
        """The same methods, returning APIResponse(data, info) instead of the data alone."""
        return AsyncChatWithResponse(self.client)

    create = _coroutine(_ChatMethods.create)
    create_byot = _coroutine(_ChatMethods.create_byot)
    create_stream = _async_stream(_ChatMethods.create_stream)
    create_stream_byot = _async_stream(_ChatMethods.create_stream_byot)
    list = _coroutine(_ChatMethods.list)
    list_byot = _coroutine(_ChatMethods.list_byot)
    retrieve = _coroutine(_ChatMethods.retrieve)
    retrieve_byot = _coroutine(_ChatMethods.retrieve_byot)
    update = _coroutine(_ChatMethods.update)
    update_byot = _coroutine(_ChatMethods.update_byot)
    delete = _coroutine(_ChatMethods.delete)
    delete_byot = _coroutine(_ChatMethods.delete_byot)
    messages = _coroutine(_ChatMethods.messages)
    messages_byot = _coroutine(_ChatMethods.messages_byot)
    list_all = _async_pages(_ChatMethods.list_all)
    list_all_byot = _async_pages(_ChatMethods.list_all_byot)
    messages_all = _async_pages(_ChatMethods.messages_all)
    messages_all_byot = _async_pages(_ChatMethods.messages_all_byot)


class AsyncChatWithResponse(_AsyncSend):
    """``AsyncChat.with_response``: AsyncChat's methods, each returning an APIResponse."""

    _raw = True
    create = _coroutine(ChatWithResponse.create)
    create_byot = _coroutine(ChatWithResponse.create_byot)
    create_stream = _async_stream(_ChatMethods.create_stream)
    create_stream_byot = _async_stream(_ChatMethods.create_stream_byot)
    list = _coroutine(ChatWithResponse.list)
    list_byot = _coroutine(ChatWithResponse.list_byot)
    retrieve = _coroutine(ChatWithResponse.retrieve)
    retrieve_byot = _coroutine(ChatWithResponse.retrieve_byot)
    update = _coroutine(ChatWithResponse.update)
    update_byot = _coroutine(ChatWithResponse.update_byot)
    delete = _coroutine(ChatWithResponse.delete)
    delete_byot = _coroutine(ChatWithResponse.delete_byot)
    messages = _coroutine(ChatWithResponse.messages)
    messages_byot = _coroutine(ChatWithResponse.messages_byot)


class _StreamReader:
    """Reads one async stream for the event loop, a batch of events' text at a time, never
    blocking it.

    Its states: a read job runs in one of the client's reader threads (`reading`); or the loop
    watches the socket for data (`watching`, with add_reader); or it rests, because _AHEAD
    batches wait unread or the stream has ended (`done`).  A read job runs only when the last
    read saw more already buffered, or when the socket turned readable (`woken`: the job first
    checks that a read would not wait), so _READERS threads serve any number of streams and
    the loop competes with them alone for the GIL, not with one per stream.  A read that may
    wait (`may_wait`: part of a size line is buffered, and what has come since does not end it,
    or TLS hides whether it does) runs in a worker thread instead: there it holds up no other
    stream, and the socket, readable all along, is not watched (which would wake it forever).
    Loops without add_reader (Windows' proactor) get blocking reads in the worker threads.
    Everything here runs on the loop, except the job; it holds no reference to the stream, so
    that a dropped stream is noticed and closed."""

    def __init__(self, core: _StreamCore, owner: AsyncClient) -> None:
        import collections
        self.core = core
        self.owner = owner
        self.loop = owner._loop
        self.batches: Any = collections.deque()
        self.waiter: Any = None
        self.reading = False
        self.watching = False
        self.done = False
        self.more = core.ready  # data is waiting (so read at once, without watching the socket)
        self.may_wait = core.may_wait  # a read that may wait runs in a worker, not a reader
        self.woken = False      # the socket became readable, which a read must check first
        self.blocking = False
        self.fd = -1
        owner._streams.add(self)

    def next(self) -> Any:
        """The next batch, None after the last, or a future to await before asking again."""
        if self.batches:
            batch = self.batches.popleft()
            self.advance()
            return batch
        if self.done:
            return None
        self.advance()
        self.waiter = self.loop.create_future()
        return self.waiter

    def advance(self) -> None:
        if self.reading or self.watching or self.done or len(self.batches) >= _AHEAD:
            if self.done:
                self.owner._streams.discard(self)
            return
        if self.more or self.woken or self.blocking or self.may_wait:
            self.read()
        else:
            self.watch()

    def read(self) -> None:
        self.reading = True
        waits = self.blocking or self.may_wait  # a read that may wait holds a worker, never a reader
        pool = self.owner._workers if waits else self.owner._readers
        fut = self.owner._run(functools.partial(self._job, self.woken and not waits), pool=pool)
        self.woken = self.may_wait = False
        fut.add_done_callback(self._read_done)

    def _job(self, woken: bool) -> Tuple[Any, ...]:
        core = self.core
        # Woken by the socket alone: part of a TLS record or of a chunk's size line makes it
        # readable too, and a read would wait for the rest, holding up every other stream.
        if woken and not core.buffered():
            return [], None, False, core.may_wait
        texts, error = core.read_events()
        more = may_wait = False
        if error is None and not core.closed:
            more = self.blocking or core.buffered()
            may_wait = not more and core.may_wait
        return texts, error, more, may_wait

    def _read_done(self, fut: Any) -> None:
        self.reading = False
        if self.done:
            return
        if fut.cancelled() or fut.exception() is not None:
            self.batches.append(([], fut.exception() or StreamError("the stream's read was cancelled")))
            self.done = True
        else:
            texts, error, self.more, self.may_wait = fut.result()
            if not texts and error is None and not self.core.closed:
                self.advance()  # nothing yet: watch the socket again
                return
            self.batches.append((texts, error))
            self.done = error is not None or self.core.closed
        self._wake()
        self.advance()

    def watch(self) -> None:
        try:
            if self.fd < 0:
                self.fd = self.core.fileno()
            self.loop.add_reader(self.fd, self._readable)
        except (NotImplementedError, AttributeError, ValueError, OSError):
            self.blocking = True  # no readiness from this loop: block in a worker instead
            self.read()
            return
        self.watching = True

    def _readable(self) -> None:
        self._unwatch()
        self.woken = True
        self.advance()

    def _unwatch(self) -> None:
        if self.watching:
            self.watching = False
            self.loop.remove_reader(self.fd)

    def _wake(self) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def stop(self) -> None:
        """Stops reading and closes the connection (on the loop; see AsyncChatCompletionResponseStream)."""
        self._unwatch()  # before the socket is closed under the selector
        self.done = True
        self.core.abort()
        self._wake()
        self.owner._streams.discard(self)


class AsyncChatCompletionResponseStream(Generic[_T, _F]):
    """The chunks of a streamed completion for ``async for``; an async context manager.

    Behaves as ChatCompletionResponseStream: `response` at once, ``await stream.final()``,
    ``await stream.aclose()`` or the end of an ``async with`` block closes the connection, and so
    does cancelling the task that iterates it or dropping the stream.  Chunks arrive in batches
    of what the server has sent; a consumer that is behind makes the reading pause."""

    def __init__(self, core: _StreamCore, info: ResponseInfo, owner: AsyncClient) -> None:
        self.response = info
        self._core = core
        self._owner = owner
        self._texts: List[Any] = []  # the batch the reader handed over, loaded a slice at a time
        self._next = 0                # where the next slice of it starts
        self._batch: List[Any] = []   # the chunks of the slice loaded last
        self._pos = 0
        self._error: Optional[BaseException] = None
        self._slot = True  # holds one of the owner's max_concurrency places until it ends
        self._reader = _StreamReader(core, owner)
        self._reader.advance()  # reads at once if the first block came with the headers, else waits for it

    @property
    def closed(self) -> bool:
        """True once the stream has ended or was closed."""
        return self._core.closed and not self._slot

    def __aiter__(self) -> AsyncIterator[_T]:
        return self._chunks()  # an async generator: less work per chunk than __anext__

    async def _chunks(self) -> AsyncIterator[_T]:
        while await self._ready():
            batch = self._batch
            while self._pos < len(batch):
                self._pos += 1
                yield batch[self._pos - 1]

    async def __anext__(self) -> _T:
        if not await self._ready():
            raise StopAsyncIteration
        item: _T = self._batch[self._pos]
        self._pos += 1
        return item

    async def _ready(self) -> bool:
        """Whether a chunk waits in _batch at _pos, once it does; False after the last."""
        while self._pos >= len(self._batch):
            if not await self._refill():
                return False
        return True

    async def _refill(self) -> bool:
        """Loads the next slice, or waits for a turn or a batch; False at the end."""
        if not self._slot:  # ended, or closed: what was read and not yet loaded is dropped
            return False
        if self._next < len(self._texts):
            turn = self._owner._pacer.wait()
            if turn is not None:
                await self._waiting(turn)  # then one slice, whatever the time: never starved
            self._load_slice()
            return True
        if self._error is not None:
            error, self._error = self._error, None
            self._end()
            raise error
        got = self._reader.next()
        while got is not None and not isinstance(got, tuple):
            await self._waiting(got)
            got = self._reader.next()
        if got is None:
            self._end()
            return False
        self._texts, self._error = got
        self._next = 0
        return True

    async def _waiting(self, fut: Any) -> None:
        try:
            await fut
        except BaseException:  # cancelled, or the loop is going away
            self._abort()
            raise

    def _load_slice(self) -> None:
        start = self._next
        self._next = start + _SLICE
        self._batch = []
        self._pos = 0
        error = self._core.load_events(self._texts[start:self._next], self._batch)
        if error is not None:  # a bad chunk: the stream ends after the ones before it
            self._texts = []
            self._next = 0
            self._error = error

    async def final(self) -> _F:
        """As ChatCompletionResponseStream.final(): the whole completion, reading what is left."""
        async for _ in self:
            pass
        result: _F = await self._owner._run(functools.partial(_final, self._core))
        return result

    get_final_completion = final

    async def aclose(self) -> None:
        """Stops reading and closes the connection (the server sees the client leave)."""
        self._abort()

    async def __aenter__(self) -> AsyncChatCompletionResponseStream[_T, _F]:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self._abort()

    def _abort(self) -> None:
        self._reader.stop()
        self._batch, self._texts = [], []  # a closed stream yields nothing more
        self._end()

    def _end(self) -> None:
        if self._slot:
            self._slot = False
            self._owner._stream_ended(self._core.watch)

    def __del__(self) -> None:
        if not getattr(self, "_slot", False):
            return
        try:
            self._owner._loop.call_soon_threadsafe(self._reader.stop)
            self._owner._loop.call_soon_threadsafe(self._owner._stream_ended, self._core.watch)
        except Exception:  # the loop is closed: nothing watches the socket any more
            try:
                self._core.abort()
            except Exception:  # the interpreter is exiting
                pass


def _with_extra_body(body: Dict[str, Any], extra_body: Any) -> Dict[str, Any]:
    if extra_body is not None:
        if not isinstance(extra_body, dict):
            raise InvalidArgumentError("extra_body must be a dict, not %s" % type(extra_body).__name__)
        body.update(extra_body)
    return body


def _typed_create(request: Any, stream: bool, extra_body: Any, fields: Dict[str, Any]) -> Dict[str, Any]:
    """The JSON body of a typed create call, checked before anything is sent."""
    what = "create_stream" if stream else "create"
    if request is None:
        request = _from_fields(CreateChatCompletionRequest, fields, what)
    elif fields:
        raise InvalidArgumentError("%s takes a request or its fields as keywords, not both" % what)
    if not isinstance(request, CreateChatCompletionRequest):
        raise InvalidArgumentError("%s takes a CreateChatCompletionRequest, not %s; the _byot methods take dicts"
                                   % (what, type(request).__name__))
    if not isinstance(request.model, str) or not request.model:
        raise InvalidArgumentError("CreateChatCompletionRequest.model must be a non-empty string, not %r"
                                   % (request.model,))
    if not isinstance(request.messages, (list, tuple)) or not request.messages:
        raise InvalidArgumentError("CreateChatCompletionRequest.messages must be a non-empty list")
    if stream and request.stream is False:
        raise InvalidArgumentError("create_stream cannot send stream=False; use create")
    if not stream and request.stream:
        raise InvalidArgumentError("create cannot send stream=True; use create_stream")
    body = request.to_dict()
    if stream:
        body["stream"] = True
    return _with_extra_body(body, extra_body)


def _from_fields(cls: Any, fields: Dict[str, Any], what: str) -> Any:
    """An instance of a request class from a call's keywords; a misspelled or missing field is
    an InvalidArgumentError naming it (and the closest real one)."""
    import dataclasses

    names = [f.name for f in dataclasses.fields(cls)]
    for key in fields:
        if key not in names:
            raise InvalidArgumentError("%s got an unknown keyword %r%s" % (what, key, _closest(key, names)))
    missing = [n for n in cls._required if n not in fields and n not in cls._nullable
               and dataclasses.fields(cls)[names.index(n)].default is dataclasses.MISSING]
    if missing:
        raise InvalidArgumentError("%s needs %s (or a %s)" % (what, " and ".join(missing), cls.__name__))
    return cls(**fields)


def _closest(word: str, words: Iterable[str]) -> str:
    import difflib  # deferred: only a misspelling needs it
    close = difflib.get_close_matches(word, list(words), 1, 0.6)
    return "; did you mean %r?" % close[0] if close else ""


def _query_dict(query: Any, cls: Any, fields: Optional[Dict[str, Any]] = None) -> Optional[Dict[str, Any]]:
    if fields:
        if query is not None:
            raise InvalidArgumentError("give the query or its fields as keywords, not both")
        return dict(fields)
    if isinstance(query, cls):
        fields_given: Dict[str, Any] = query.to_dict()
        return fields_given
    if query is None or isinstance(query, dict):
        return query
    raise InvalidArgumentError("query must be a %s, a dict or None, not %s" % (cls.__name__, type(query).__name__))


# ---------------------------------------------------------------- helpers for chat applications

# Where reasoning models put their reasoning in an answer, to be sent back with it (to_request).
REASONING_FIELDS = ("reasoning_content", "reasoning", "reasoning_details")


def _assistant_request(reply: ChatCompletionResponseMessage, keep: Union[Iterable[str], bool]) -> ChatCompletionRequestAssistantMessage:
    """ChatCompletionResponseMessage.to_request: the answer as the assistant message it was."""
    tool_calls = None
    if reply.tool_calls is not None:
        tool_calls = []
        for call in reply.tool_calls:
            if isinstance(call, ChatCompletionMessageToolCall) and call.type is None:
                call = ChatCompletionMessageToolCall(id=call.id, function=call.function)
            tool_calls.append(call)
    audio = reply.audio
    message = ChatCompletionRequestAssistantMessage(
        content=reply.content, refusal=reply.refusal, tool_calls=tool_calls,
        audio=ChatCompletionRequestAssistantMessageAudio(id=audio.id) if audio is not None and audio.id else None,
        function_call=reply.function_call)
    extra = reply._extra or {}
    names = list(extra) if keep is True else [] if keep is False else [k for k in keep if k in extra]
    for name in names:
        if extra[name] is not None:
            message.extra[name] = extra[name]
    return message


_STREAM_ONLY = ("choices", "usage", "object", "obfuscation")
_CHOICE_KEYS = frozenset(("index", "delta", "finish_reason", "logprobs"))


class _ChoiceState:
    """What one choice (one `index`) of a stream has said so far."""

    __slots__ = ("content", "refusal", "role", "tool_calls", "tool_index", "function_call",
                 "finish_reason", "logprobs", "delta_extra", "extra")

    def __init__(self) -> None:
        self.content: Optional[List[str]] = None  # the strings of the content deltas so far
        self.refusal: Optional[List[str]] = None
        self.role: Any = None
        self.tool_calls: Optional[List[Any]] = None  # the merged calls, in order
        self.tool_index: Dict[Any, int] = {}  # a delta's tool call index -> position in tool_calls
        self.function_call: Any = None
        self.finish_reason: Any = None
        self.logprobs: Optional[Dict[str, Any]] = None
        self.delta_extra: Optional[Dict[str, Any]] = None  # other delta keys: strings are concatenated, the rest replaced
        self.extra: Optional[Dict[str, Any]] = None  # other choice keys (stop_reason, native_finish_reason, ...): last wins


class _Accumulator:
    """Merges the dict chunks of a stream into the dict of the non-streamed response.

    Content and refusal strings are concatenated per choice; tool calls are merged by their
    `index` (by `id`, or else by order, where a server leaves the index out); id, type and
    function name come from the first delta that has them and arguments are concatenated;
    logprobs lists are extended; finish_reason comes from the delta that carries it; usage from
    the last chunk that has one; keys chatlib does not know are kept (a string in a delta, such
    as vLLM's reasoning_content, is concatenated like content).
    """

    def __init__(self) -> None:
        self.top: Dict[str, Any] = {}
        self.choices: Dict[Any, _ChoiceState] = {}

    def add(self, chunk: Dict[str, Any]) -> None:
        self.add_all((chunk,))

    def add_all(self, chunks: Sequence[Dict[str, Any]]) -> None:
        """Merges chunks, in order.  This loop runs for every chunk of every stream, so the
        chunk that only brings more content to a choice already begun (nearly every one) is
        merged in place: one choice of exactly index, delta, finish_reason and logprobs, the
        last two null, a delta of content alone, a string.  Any chunk that is not that shape
        fails one of the lookups and goes the general way (_choice)."""
        if not chunks:
            return
        self._merge_tops(chunks)
        states = self.choices
        for chunk in chunks:
            try:
                (choice,) = chunk["choices"]
                delta = choice["delta"]
                if (len(choice) == 4 and len(delta) == 1 and choice["finish_reason"] is None
                        and choice["logprobs"] is None):
                    texts = states[choice["index"]].content
                    if texts is not None:
                        texts.append(delta["content"] + "")  # a string, or TypeError
                        continue
            except (LookupError, TypeError, ValueError, AttributeError):
                pass
            choices = chunk.get("choices")
            if type(choices) is list:
                for one in choices:
                    if type(one) is dict:
                        self._choice(one)

    def _merge_tops(self, chunks: Sequence[Dict[str, Any]]) -> None:
        """Each top-level key takes the last value a chunk gave it that is not null: a later
        null never erases an earlier value (the last chunk's id, model, usage... win)."""
        top = self.top
        before = top.copy()
        last = chunks[-1]
        if last.keys() >= set().union(*chunks):  # the usual case: the last chunk has every key
            top.update(last)
        else:
            any(map(top.update, chunks))  # every update, in order, without a Python loop
        for key in [k for k, v in top.items() if v is None]:
            for chunk in reversed(chunks):
                value = chunk.get(key)
                if value is not None:
                    top[key] = value
                    break
            else:
                if before.get(key) is not None:
                    top[key] = before[key]

    def _choice(self, choice: Dict[str, Any]) -> None:
        index = choice.get("index", 0)
        if type(index) is not int and type(index) is not str:
            index = 0  # accumulating runs inside every stream: odd input must not stop it
        state = self.choices.get(index)
        if state is None:
            state = self.choices[index] = _ChoiceState()
        delta = choice.get("delta")
        if delta and type(delta) is dict:
            if len(delta) == 1 and "content" in delta:  # by far the most common delta
                value = delta["content"]
                if value is not None:
                    if state.content is None:
                        state.content = [value]
                    else:
                        state.content.append(value)
            else:
                self._delta(state, delta)
        value = choice.get("finish_reason")
        if value is not None:
            state.finish_reason = value
        value = choice.get("logprobs")
        if value:
            self._logprobs(state, value)
        if not _CHOICE_KEYS.issuperset(choice):
            for key, value in choice.items():  # keys beyond the spec's four: keep the last value
                if value is not None and key not in _CHOICE_KEYS:
                    if state.extra is None:
                        state.extra = {}
                    state.extra[key] = value

    def _delta(self, state: _ChoiceState, delta: Dict[str, Any]) -> None:
        for key, value in delta.items():
            if value is None:
                continue
            if key == "content" or key == "refusal":
                texts = getattr(state, key)
                if texts is None:
                    setattr(state, key, [value])
                else:
                    texts.append(value)
            elif key == "role":
                state.role = value
            elif key == "tool_calls":
                self._tool_calls(state, value)
            elif key == "function_call":
                state.function_call = _merge_call(state.function_call, value)
            else:
                extra = state.delta_extra
                if extra is None:
                    extra = state.delta_extra = {}
                old: Any = extra.get(key)
                if type(value) is type(old) and (type(value) is str or type(value) is list):
                    extra[key] = old + value  # reasoning text, or OpenRouter's reasoning_details
                else:
                    extra[key] = value

    @staticmethod
    def _logprobs(state: _ChoiceState, value: Any) -> None:
        if state.logprobs is None:
            state.logprobs = {"content": None, "refusal": None}
        for part in ("content", "refusal"):
            items = value.get(part) if type(value) is dict else None
            if items and type(items) is list:
                state.logprobs[part] = (state.logprobs[part] or []) + items

    @staticmethod
    def _tool_calls(state: _ChoiceState, deltas: Any) -> None:
        if type(deltas) is not list:
            return
        calls = state.tool_calls
        if calls is None:
            calls = state.tool_calls = []
        for tc in deltas:
            if type(tc) is not dict:
                continue
            index, call_id = tc.get("index"), tc.get("id")
            if type(index) is not int:
                index = None  # found by id or order instead
            if type(call_id) is not str:
                call_id = None
            pos = state.tool_index.get(index) if index is not None else None
            if pos is not None and call_id and calls[pos].get("id") not in (None, call_id):
                pos = None  # a server that numbers every call 0: a new id is a new call
            if pos is None and index is None:
                if call_id:
                    pos = next((i for i, c in enumerate(calls) if c.get("id") == call_id), None)
                elif calls:
                    pos = len(calls) - 1  # no index and no id: the call under way goes on
            if pos is None:
                pos = len(calls)
                calls.append({})
                if index is not None:
                    state.tool_index[index] = pos
            merged = calls[pos]
            for key, value in tc.items():
                if key == "index" or value is None:
                    continue
                if key == "function" or key == "custom":
                    merged[key] = _merge_call(merged.get(key), value)
                elif key not in merged:
                    merged[key] = value

    def result(self) -> Dict[str, Any]:
        """The merged response: object ``chat.completion``, choices in index order."""
        out = {k: v for k, v in self.top.items() if k not in _STREAM_ONLY}
        out["object"] = "chat.completion"
        choices = []
        numbered = sorted(i for i in self.choices if isinstance(i, int))
        for index in numbered + [i for i in self.choices if not isinstance(i, int)]:  # odd servers: odd indexes last
            s = self.choices[index]
            message = {"role": s.role or "assistant", "content": _joined(s.content), "refusal": _joined(s.refusal)}
            if s.tool_calls:
                message["tool_calls"] = [dict(c, type=c.get("type") or ("custom" if "custom" in c else "function"))
                                         for c in s.tool_calls]
            if s.function_call is not None:
                message["function_call"] = s.function_call
            if s.delta_extra:
                message.update(s.delta_extra)
            choice = {"index": index, "message": message, "logprobs": s.logprobs, "finish_reason": s.finish_reason}
            if s.extra:
                choice.update(s.extra)
            choices.append(choice)
        out["choices"] = choices
        if self.top.get("usage") is not None:
            out["usage"] = self.top["usage"]
        return out


def _joined(pieces: Any) -> Any:
    """The pieces of a streamed string, joined; pieces that are not strings (a server that
    streams content parts) are returned as the list they came in rather than lost."""
    if pieces is None:
        return None
    if all(type(p) is str for p in pieces):
        return "".join(pieces)
    return pieces


def _merge_call(old: Any, delta: Any) -> Any:
    """Merges a function (or custom tool) delta: strings after the first are appended for
    arguments and input, the first value is kept for the rest (name)."""
    if type(delta) is not dict:
        return old if old is not None else delta
    merged = dict(old) if type(old) is dict else {}
    for key, value in delta.items():
        if value is None:
            continue
        prev = merged.get(key)
        if key in ("arguments", "input") and type(value) is str:
            merged[key] = prev + value if type(prev) is str else value
        elif not prev:
            merged[key] = value
    return merged


def accumulate(chunks: Iterable[Union[Dict[str, Any], CreateChatCompletionStreamResponse]]) -> Dict[str, Any]:
    """Merges the chunks of a stream (dicts, or CreateChatCompletionStreamResponse) into the dict
    the same request without streaming returns.  See _Accumulator for the rules.

    >>> accumulate([{"id": "c", "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hel"}}]},
    ...             {"id": "c", "choices": [{"index": 0, "delta": {"content": "lo"}, "finish_reason": "stop"}]}])
    ... # doctest: +NORMALIZE_WHITESPACE
    {'id': 'c', 'object': 'chat.completion', 'choices': [{'index': 0, 'message': {'role': 'assistant',
     'content': 'Hello', 'refusal': None}, 'logprobs': None, 'finish_reason': 'stop'}]}
    """
    acc = _Accumulator()
    for chunk in chunks:
        if isinstance(chunk, _Model):
            chunk = chunk.to_dict()
        if not isinstance(chunk, dict):
            raise InvalidArgumentError("accumulate takes chunk dicts or CreateChatCompletionStreamResponse, not %s"
                                       % type(chunk).__name__)
        acc.add(chunk)
    return acc.result()


# Tools and structured outputs: JSON Schema from type hints, and the model's JSON back into
# Python values.  Unlike the spec types' _Codec, which keeps whatever a server sends, this side
# checks: a tool's arguments or a structured answer that does not fit the hints is an error.

class _Mismatch(Exception):
    """A value that does not fit its type hint; callers turn it into their public error."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__("%s: %s" % (path, message))


def _hints(obj: Any) -> Dict[str, Any]:
    try:
        return typing.get_type_hints(obj)
    except Exception as exc:  # a hint that names something undefined, or a bad annotation
        raise InvalidArgumentError("cannot read the type hints of %r: %s" % (obj, exc)) from None


def _doc_parts(obj: Any) -> Any:
    """The first paragraph of a docstring, and the parameter descriptions of an Args: section."""
    import dataclasses
    import inspect

    doc = inspect.getdoc(obj) or ""
    if isinstance(obj, type) and dataclasses.is_dataclass(obj) and doc.startswith(obj.__name__ + "("):
        doc = ""  # the signature dataclasses writes when a class has no docstring
    paragraphs = doc.split("\n\n")
    summary = " ".join(paragraphs[0].split()) if doc else ""
    params = {}
    section = False
    for line in doc.splitlines():
        stripped = line.strip()
        if stripped in ("Args:", "Arguments:", "Parameters:", "Attributes:"):
            section = True
        elif section and ":" in stripped and line.startswith((" ", "\t")):
            name, _, text = stripped.partition(":")
            name = name.split("(")[0].strip()
            if name.isidentifier():
                params[name] = text.strip()
        elif section and stripped and not line.startswith((" ", "\t")):
            section = False
    return summary, params


_JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean", type(None): "null"}
_JSON_NAMES = {str: "a string", bool: "true or false", int: "a whole number", float: "a number", type(None): "null"}
_SEQUENCES = (list, tuple, set, frozenset)  # the hints read from and written as JSON arrays


def _is_enum(tp: Any) -> bool:
    import enum

    return isinstance(tp, type) and issubclass(tp, enum.Enum)


def _schema(tp: Any, strict: bool, path: str, seen: Tuple[Any, ...] = ()) -> Dict[str, Any]:
    """JSON Schema for type hint `tp`; in strict mode, what OpenAI's strict mode accepts."""
    import dataclasses

    origin = getattr(tp, "__origin__", None)
    if tp in _JSON_TYPES:
        return {"type": _JSON_TYPES[tp]}
    if origin is typing.Union:
        return {"anyOf": [_schema(a, strict, path, seen) for a in _type_args(tp)]}
    if origin is typing.Literal or _is_enum(tp):
        return _choice_schema(list(_type_args(tp)) if origin is typing.Literal else [m.value for m in tp], path)
    if origin in _SEQUENCES or tp in _SEQUENCES:
        return _array_schema(tp, origin, strict, path, seen)
    if origin is dict or tp is dict:
        if strict:
            raise InvalidArgumentError("%s: strict mode does not allow maps (Dict); use a dataclass" % path)
        args = _type_args(tp)
        value = args[1] if len(args) == 2 else Any
        return {"type": "object", "additionalProperties": _schema(value, strict, path + "{}", seen)}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _dataclass_schema(tp, strict, path, seen)
    if tp is Any:
        if strict:
            raise InvalidArgumentError("%s: strict mode needs a precise type, not Any" % path)
        return {}
    raise InvalidArgumentError("%s: chatlib cannot describe %r in JSON Schema" % (path, tp))


def _choice_schema(values: List[Any], path: str) -> Dict[str, Any]:
    """A Literal's or an Enum's values as a JSON Schema enum."""
    kinds = {_JSON_TYPES.get(type(v)) for v in values}
    if None in kinds:
        raise InvalidArgumentError("%s: only str, int, float, bool and None values can be enum choices" % path)
    out: Dict[str, Any] = {"enum": values}
    if len(kinds) == 1:
        out["type"] = kinds.pop()
    return out


def _array_schema(tp: Any, origin: Any, strict: bool, path: str, seen: Tuple[Any, ...]) -> Dict[str, Any]:
    args = _type_args(tp)
    if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
        raise InvalidArgumentError("%s: use List[...] or Tuple[X, ...], not a fixed tuple" % path)
    item = args[0] if args else Any
    return {"type": "array", "items": _schema(item, strict, path + "[]", seen)}


def _dataclass_schema(tp: Any, strict: bool, path: str, seen: Tuple[Any, ...]) -> Dict[str, Any]:
    import dataclasses

    if tp in seen:
        raise InvalidArgumentError("%s: %s refers to itself; JSON Schema here is written out in full"
                                   % (path, tp.__name__))
    hints = _hints(tp)
    summary, descriptions = _doc_parts(tp)
    fields = [(f.name, hints[f.name], f.default is dataclasses.MISSING and
               f.default_factory is dataclasses.MISSING, _field_default(f)) for f in dataclasses.fields(tp)
              if f.init]
    out = _object_schema(fields, strict, path, seen + (tp,), descriptions)
    if summary:
        out["description"] = summary
    return out


def _field_default(f: Any) -> Any:
    import dataclasses

    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return dataclasses.MISSING


def _object_schema(fields: Any, strict: bool, path: str, seen: Any, descriptions: Any) -> Dict[str, Any]:
    """An object of named fields: (name, hint, required, default).  Strict mode makes every field
    required and lets one with a default also be null, which stands for the default."""
    import dataclasses

    props, required = {}, []
    for name, hint, is_required, default in fields:
        schema = _schema(hint, strict, "%s.%s" % (path, name), seen)
        if strict and not is_required and not _allows_none(hint):
            schema = {"anyOf": [schema, {"type": "null"}]}
        if not strict and not is_required and default is not None and default is not dataclasses.MISSING:
            try:
                json.dumps(default)
                schema["default"] = default
            except (TypeError, ValueError):
                pass
        if descriptions.get(name):
            schema["description"] = descriptions[name]
        props[name] = schema
        if strict or is_required:
            required.append(name)
    out: Dict[str, Any] = {"type": "object", "properties": props, "required": required}
    if strict:
        out["additionalProperties"] = False
    return out


def _allows_none(tp: Any) -> bool:
    return tp is type(None) or (getattr(tp, "__origin__", None) is typing.Union and type(None) in tp.__args__)


def _from_json(tp: Any, value: Any, path: str) -> Any:
    """`value` (parsed JSON) as a value of type hint `tp`: dataclasses are built, enums looked up,
    literals and scalar types checked.  Raises _Mismatch naming the path."""
    import dataclasses

    if tp is Any:
        return value
    if tp in _JSON_TYPES:
        return _scalar_from_json(tp, value, path)
    origin = getattr(tp, "__origin__", None)
    if origin is typing.Union:
        return _union_from_json(_type_args(tp), value, path)
    if origin is typing.Literal:
        args = _type_args(tp)
        if value not in args or type(value) not in {type(a) for a in args}:
            raise _Mismatch(path, "expected one of %s, got %r" % (", ".join(map(repr, args)), value))
        return value
    if _is_enum(tp):
        try:
            return tp(value)
        except ValueError:
            raise _Mismatch(path, "expected one of %s, got %r" % (
                ", ".join(repr(m.value) for m in tp), value)) from None
    if origin in _SEQUENCES or tp in _SEQUENCES:
        return _list_from_json(tp, origin, value, path)
    if origin is dict or tp is dict:
        if type(value) is not dict:
            raise _Mismatch(path, "expected an object, got %s" % _json_kind(value))
        args = _type_args(tp)
        item = args[1] if len(args) == 2 else Any
        return {k: _from_json(item, v, "%s.%s" % (path, k)) for k, v in value.items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = _hints(tp)
        fields = [(f.name, hints[f.name], _field_default(f)) for f in dataclasses.fields(tp) if f.init]
        return tp(**_kwargs_from_json(fields, value, path))
    raise _Mismatch(path, "chatlib cannot read a value of type %r" % (tp,))


def _scalar_from_json(tp: type, value: Any, path: str) -> Any:
    """null, a string, a boolean or a number, checked; a whole float is taken for an int."""
    if tp is int and type(value) is float and value.is_integer():
        return int(value)
    if tp is float and type(value) is int:
        return float(value)
    if type(value) is not tp:
        raise _Mismatch(path, "expected %s, got %s" % (_JSON_NAMES[tp], _json_kind(value)))
    return value


def _union_from_json(args: Tuple[Any, ...], value: Any, path: str) -> Any:
    if value is None and type(None) in args:
        return None
    options = [a for a in args if a is not type(None)]
    if len(options) == 1:  # Optional[X]: X's own message is the clearest
        return _from_json(options[0], value, path)
    errors = []
    for option in options:
        try:
            return _from_json(option, value, path)
        except _Mismatch as exc:
            errors.append(str(exc))
    raise _Mismatch(path, "fits none of the allowed types (%s)" % "; ".join(errors))


def _list_from_json(tp: Any, origin: Any, value: Any, path: str) -> Any:
    if type(value) is not list:
        raise _Mismatch(path, "expected a list, got %s" % _json_kind(value))
    args = _type_args(tp)
    item = args[0] if args else Any
    items = [_from_json(item, v, "%s[%d]" % (path, i)) for i, v in enumerate(value)]
    container: Any = origin or tp
    return items if container is list else container(items)


def _kwargs_from_json(fields: Any, value: Any, path: str) -> Dict[str, Any]:
    """Keyword arguments for named fields (name, hint, default) from a JSON object; a null for a
    field with a default (strict mode's way to leave it out) gives the default."""
    import dataclasses

    if type(value) is not dict:
        raise _Mismatch(path, "expected an object, got %s" % _json_kind(value))
    names = {name for name, _, _ in fields}
    unknown = [k for k in value if k not in names]
    if unknown:
        raise _Mismatch(path, "unexpected field %s" % ", ".join(map(repr, unknown)))
    out = {}
    for name, hint, default in fields:
        where = "%s.%s" % (path, name)
        if name not in value or (value[name] is None and default is not dataclasses.MISSING
                                 and not _allows_none(hint)):
            if default is dataclasses.MISSING:
                raise _Mismatch(where, "missing")
            continue
        out[name] = _from_json(hint, value[name], where)
    return out


def _parameters(func: Any) -> Any:
    """(name, hint, default) for each parameter of a function a tool stands for."""
    import dataclasses
    import inspect

    hints = _hints(func)
    fields = []
    for p in inspect.signature(func).parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            raise InvalidArgumentError("%s: a tool cannot take *%s" % (func.__name__, p.name))
        if p.name not in hints:
            raise InvalidArgumentError("%s: parameter %r needs a type hint" % (func.__name__, p.name))
        fields.append((p.name, hints[p.name], dataclasses.MISSING if p.default is p.empty else p.default))
    return fields


def function_tool(func: Callable[..., Any], *, name: Optional[str] = None, description: Optional[str] = None,
                  strict: bool = False) -> ChatCompletionTool:
    """A ChatCompletionTool for a plain Python function.

    The name is the function's, the description the first paragraph of its docstring (and each
    parameter's description its line in an ``Args:`` section), the JSON Schema of the parameters
    comes from their type hints: str, int, float, bool, None, Optional, Union, List, Dict,
    Literal, Enum and dataclasses; a parameter with a default is optional.  With ``strict=True``
    the schema is one OpenAI's strict mode accepts: every property required (one with a default
    may be null, meaning the default) and no additional properties.

    >>> def get_weather(city: str, unit: Literal["C", "F"] = "C") -> str:
    ...     '''The weather now in a city.'''
    >>> function_tool(get_weather).to_dict()["function"]["parameters"]["required"]
    ['city']
    """
    import dataclasses

    if not callable(func):
        raise InvalidArgumentError("function_tool takes a function, not %s" % type(func).__name__)
    summary, descriptions = _doc_parts(func)
    fields = [(n, h, d is dataclasses.MISSING, d) for n, h, d in _parameters(func)]
    params = _object_schema(fields, strict, func.__name__, (), descriptions)
    return ChatCompletionTool(function=FunctionObject(
        name=name or func.__name__, description=description or summary or None, parameters=params,
        strict=True if strict else None))


def parse_arguments(func: Callable[..., Any], arguments: Union[str, Dict[str, Any]]) -> Dict[str, Any]:
    """The keyword arguments for `func` from a tool call's `arguments` (a JSON string or a dict),
    converted to its type hints.  Raises InvalidArgumentError naming the field that does not fit."""
    if isinstance(arguments, str):
        text = arguments
        try:
            arguments = json.loads(text) if text.strip() else {}
        except _JSON_ERRORS as exc:
            raise InvalidArgumentError("%s: the arguments are not valid JSON (%s): %r"
                                       % (func.__name__, exc, text[:_SHOWN])) from None
    try:
        return _kwargs_from_json(_parameters(func), arguments, func.__name__)
    except _Mismatch as exc:
        raise InvalidArgumentError("arguments for %s" % exc) from None


def run_tool_calls(message: Union[ChatCompletionResponseMessage, Dict[str, Any]],
                   functions: Union[Iterable[Callable[..., Any]], Mapping[str, Callable[..., Any]]],
                   ) -> List[ChatCompletionRequestToolMessage]:
    """Runs the function of each tool call of an assistant message and returns the ``tool``
    messages to send back, in order.  `functions` is a list of functions (found by name) or a
    mapping of name to function.  A result that is not a string is sent as JSON (a dataclass as
    its fields).  Every call's arguments are checked before any function runs: a call of an
    unknown function, or arguments that do not fit, raise InvalidArgumentError; what the
    functions raise is not caught."""
    return [_tool_message(call_id, func(**kwargs)) for call_id, func, kwargs in _tool_plan(message, functions)]


async def arun_tool_calls(message: Union[ChatCompletionResponseMessage, Dict[str, Any]],
                          functions: Union[Iterable[Callable[..., Any]], Mapping[str, Callable[..., Any]]],
                          ) -> List[ChatCompletionRequestToolMessage]:
    """As run_tool_calls, for async code: a coroutine function is awaited, a plain one called."""
    out = []
    for call_id, func, kwargs in _tool_plan(message, functions):
        result = func(**kwargs)
        if hasattr(result, "__await__"):
            result = await result
        out.append(_tool_message(call_id, result))
    return out


def _tool_plan(message: Any, functions: Any) -> List[Any]:
    """(call id, function, keyword arguments) for each tool call of a message, all checked."""
    import collections.abc
    if isinstance(message, dict):
        message = ChatCompletionResponseMessage.from_dict(message)
    if not isinstance(message, ChatCompletionResponseMessage):
        raise InvalidArgumentError("run_tool_calls takes the assistant message (a ChatCompletionResponseMessage "
                                   "or its dict), not %s" % type(message).__name__)
    if isinstance(functions, collections.abc.Mapping):
        table = dict(functions)
    else:
        table = {f.__name__: f for f in functions}
    plan = []
    calls: List[Any] = message.tool_calls or []
    for call in calls:
        function = call.get("function") if isinstance(call, dict) else getattr(call, "function", None)
        if function is None:
            raise InvalidArgumentError("tool call %r is not a function call" % (getattr(call, "id", call),))
        fname = function.get("name") if isinstance(function, dict) else function.name
        fargs = function.get("arguments") if isinstance(function, dict) else function.arguments
        func = table.get(fname)
        if func is None:
            raise InvalidArgumentError("the model called %r, which is not among the functions given (%s)"
                                       % (fname, ", ".join(sorted(map(str, table)))))
        call_id = call.get("id") if isinstance(call, dict) else call.id
        plan.append((call_id, func, parse_arguments(func, fargs or "")))
    return plan


def _tool_message(call_id: Any, result: Any) -> ChatCompletionRequestToolMessage:
    import dataclasses

    if not isinstance(result, str):
        if dataclasses.is_dataclass(result) and not isinstance(result, type):
            result = dataclasses.asdict(result)
        result = json.dumps(result, ensure_ascii=False, default=str)
    return ChatCompletionRequestToolMessage(content=result, tool_call_id=call_id)


def response_format(cls: type, *, name: Optional[str] = None, description: Optional[str] = None) -> ResponseFormatJsonSchema:
    """A strict ``json_schema`` response format for a dataclass (nested dataclasses, lists,
    Optional, Literal and Enum fields); read the answer back with parse_completion."""
    import dataclasses

    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise InvalidArgumentError("response_format takes a dataclass type, not %r" % (cls,))
    schema = _schema(cls, True, cls.__name__)
    summary = schema.pop("description", None)
    return ResponseFormatJsonSchema(json_schema=JsonSchema(
        name=name or cls.__name__, description=description or summary, schema=schema, strict=True))


def parse_completion(completion: Union[CreateChatCompletionResponse, Dict[str, Any]], cls: Type[_T], choice: int = 0) -> _T:
    """The answer of a structured-output completion (typed or dict) as an instance of `cls`.

    Raises RefusalError when the model refused (its text is in `refusal`), IncompleteOutputError
    when the answer was cut (finish_reason ``length``) or filtered (``content_filter``), and
    JSONDeserializeError, naming the field, when the answer does not fit `cls`."""
    data = completion.to_dict() if isinstance(completion, _Model) else completion
    try:
        picked = data["choices"][choice]
        message = picked.get("message") or {}
    except (KeyError, IndexError, TypeError, AttributeError):
        raise JSONDeserializeError("the completion has no choice %d" % choice, data) from None
    if message.get("refusal"):
        raise RefusalError(message["refusal"], completion)
    reason = picked.get("finish_reason")
    if reason in ("length", "content_filter"):
        raise IncompleteOutputError(reason, completion)
    content = message.get("content")
    if not isinstance(content, str):
        raise JSONDeserializeError("the answer has no content to parse", data)
    try:
        value = json.loads(content)
    except _JSON_ERRORS as exc:
        raise JSONDeserializeError("the answer is not valid JSON (%s)" % exc, content) from None
    try:
        parsed: _T = _from_json(cls, value, cls.__name__)
    except _Mismatch as exc:
        raise JSONDeserializeError("the answer does not fit %s: %s" % (cls.__name__, exc), content) from None
    return parsed


# ---------------------------------------------------------------- command line

_CLI_EXAMPLES = """\
examples:
  chatlib "Write a haiku about TCP"                     stream the answer (OPENAI_API_KEY from the environment)
  echo "Summarise: ..." | chatlib -m gpt-4o-mini        the prompt from standard input
  chatlib --base-url http://localhost:11434/v1 -m llama3.2 "Hello"       a local server (Ollama)
  chatlib --azure --azure-endpoint https://res.openai.azure.com --deployment gpt-4o \\
          --api-version 2024-10-21 "Hello"              Azure OpenAI (AZURE_OPENAI_API_KEY)
  chatlib --no-stream --json "Hello"                    the whole response as JSON
  chatlib                                               on a terminal: a chat that keeps the conversation

environment:
  OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_ORG_ID, OPENAI_PROJECT_ID, CHATLIB_MODEL (default model),
  AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY, OPENAI_API_VERSION,
  CHATLIB_LOG=debug (one line per HTTP attempt on standard error; never a key)
exit status: 0 done, 1 an API or network error, 2 a usage error, 130 interrupted (Ctrl-C)
"""
_DEFAULT_MODEL = "gpt-4o-mini"


class _UsageError(Exception):
    pass


def _cli_parser() -> Any:
    import argparse

    def positive(kind: Any) -> Any:
        def parse(text: Any) -> Any:
            try:
                value = kind(text)
            except ValueError:
                what = "number" if kind is float else "whole number"
                raise argparse.ArgumentTypeError("%r is not a %s" % (text, what))
            if value < 0 or value != value:
                raise argparse.ArgumentTypeError("%r must not be negative" % text)
            return value
        return parse

    def seconds(text: Any) -> Any:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError("%r is not a number of seconds" % text)
        if not 0 < value <= _MAX_SECONDS:
            raise argparse.ArgumentTypeError("%r must be more than 0 (and at most %g)" % (text, _MAX_SECONDS))
        return value

    p = argparse.ArgumentParser(
        prog="chatlib", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=_CLI_EXAMPLES,
        description="Send a prompt to OpenAI or any server with its Chat Completions API, and stream "
                    "the answer to standard output.")
    p.add_argument("prompt", nargs="*", help="the prompt; none or - reads standard input")
    p.add_argument("-m", "--model", default=os.environ.get("CHATLIB_MODEL") or _DEFAULT_MODEL,
                   help="the model (default: $CHATLIB_MODEL or %s)" % _DEFAULT_MODEL)
    p.add_argument("-s", "--system", help="a system message to send first")
    p.add_argument("--base-url", help="the API base URL (default: $OPENAI_BASE_URL or OpenAI's)")
    p.add_argument("--api-key-env", metavar="NAME", help="read the API key from this environment variable")
    p.add_argument("--azure", action="store_true", help="talk to Azure OpenAI")
    p.add_argument("--azure-endpoint", help="the Azure resource URL (default: $AZURE_OPENAI_ENDPOINT)")
    p.add_argument("--deployment", help="the Azure deployment name (default: the model)")
    p.add_argument("--api-version", help="the Azure API version (default: $OPENAI_API_VERSION)")
    p.add_argument("--no-stream", action="store_true", help="wait for the whole answer")
    p.add_argument("--json", action="store_true", help="print the raw chunks (one JSON per line) or response")
    p.add_argument("--temperature", type=positive(float), help="sampling temperature, 0 to 2")
    p.add_argument("--max-tokens", type=positive(int), help="the most tokens to generate (sent as max_tokens)")
    p.add_argument("--timeout", type=seconds, default=600.0, help="seconds to wait for bytes (default 600)")
    p.add_argument("--retries", type=positive(int), default=2, help="retries of failed attempts (default 2)")
    p.add_argument("--history", metavar="FILE", help="in the terminal chat, keep the line history in FILE "
                                                     "(default: this session only)")
    p.add_argument("--version", action="version", version="chatlib %s" % __version__)
    return p


def _cli_client(args: Any) -> Client:
    """The client the flags ask for; errors name the flags and variables a user can set."""
    key = None
    if args.api_key_env:
        key = os.environ.get(args.api_key_env)
        if not key:
            raise _UsageError("the environment variable %s (--api-key-env) is not set" % args.api_key_env)
    if args.azure:
        endpoint = args.azure_endpoint or _env("AZURE_OPENAI_ENDPOINT")
        if not endpoint:
            raise _UsageError("--azure needs --azure-endpoint URL or AZURE_OPENAI_ENDPOINT")
        if not (args.api_version or _env("OPENAI_API_VERSION")):
            raise _UsageError("--azure needs --api-version VERSION or OPENAI_API_VERSION")
        flag, url = "--azure-endpoint", endpoint
        make: Callable[[], Any] = functools.partial(AzureConfig, api_base=endpoint, api_key=key,
                                 deployment_id=args.deployment or args.model, api_version=args.api_version)
    else:
        flag, url = "--base-url", args.base_url or _env("OPENAI_BASE_URL")
        make = functools.partial(OpenAIConfig, api_key=key, api_base=args.base_url)
    try:
        config = make()
    except InvalidArgumentError as exc:
        if url is None:
            raise
        where = flag if flag == "--azure-endpoint" or args.base_url else "OPENAI_BASE_URL"
        raise _UsageError("%s %r cannot be used: %s" % (where, _without_userinfo(url), exc)) from None
    return Client(config, timeout=args.timeout, max_retries=args.retries)


def _cli_banner(args: Any, client: Client) -> str:
    """The chat's first line: the model, the server (never a credential) and how to leave."""
    config = client.config
    where = getattr(config, "api_base", "?")
    if isinstance(config, AzureConfig):
        where += " (deployment %s)" % config.deployment_id
    return ("chatlib %s: %s at %s. Ctrl-C stops an answer; Ctrl-D or Ctrl-C at the prompt quits.\n"
            % (__version__, args.model, where))


def _cli_logging() -> None:
    level = os.environ.get("CHATLIB_LOG", "").strip().lower()
    if not level:
        return
    import logging
    levels = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}
    if level not in levels:
        raise _UsageError("CHATLIB_LOG must be one of %s, not %r" % (", ".join(levels), level))
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("chatlib: %(message)s"))
    logger = logging.getLogger("chatlib")
    logger.addHandler(handler)
    logger.setLevel(levels[level])


def _cli_answer(chat: Chat, args: Any, messages: List[Any], out: Any, parts: Optional[List[Any]] = None) -> str:
    """Sends the conversation; writes the answer (or the JSON) to `out`; returns the answer text.
    `parts` collects the pieces shown, for a caller that may stop the answer half-way."""
    request = {"model": args.model, "messages": messages}
    if args.temperature is not None:
        request["temperature"] = args.temperature
    if args.max_tokens is not None:
        request["max_tokens"] = args.max_tokens
    if args.no_stream:
        response = chat.create_byot(request)
        message = (response.get("choices") or [{}])[0].get("message") or {}
        text = message.get("content") or message.get("refusal") or ""
        out.write(json.dumps(response, ensure_ascii=False) + "\n" if args.json else text)
    else:
        parts = [] if parts is None else parts
        with chat.create_stream_byot(dict(request, stream=True)) as stream:
            for chunk in stream:
                if args.json:
                    out.write(json.dumps(chunk, ensure_ascii=False) + "\n")
                for choice in chunk.get("choices") or ():
                    if choice.get("index", 0) == 0:
                        delta = choice.get("delta") or {}
                        piece = delta.get("content") or delta.get("refusal")
                        if piece:
                            parts.append(piece)
                            if not args.json:
                                out.write(piece)
                out.flush()
        text = "".join(parts)
    if not args.json and not text.endswith("\n"):
        out.write("\n")
    out.flush()
    return text


def main(argv: Optional[List[str]] = None) -> int:
    """The command line: ``python chatlib.py [options] [PROMPT...]``; see ``--help``."""
    parser = _cli_parser()
    args = parser.parse_args(argv)  # exits 2 on a usage error
    out: Any = sys.stdout
    try:
        out.reconfigure(errors="replace")  # a terminal that cannot show a character must not crash us
    except (AttributeError, ValueError):
        pass
    try:
        _cli_logging()
        client = _cli_client(args)
        chat = client.chat()
        system = [{"role": "system", "content": args.system}] if args.system else []
        from_stdin = args.prompt == ["-"] or (not args.prompt and not sys.stdin.isatty())
        if args.prompt or from_stdin:
            prompt = _stdin_prompt() if from_stdin else " ".join(args.prompt)
            if not prompt.strip():
                raise _UsageError("the prompt is empty")
            _cli_answer(chat, args, system + [{"role": "user", "content": prompt}], out)
            return 0
        sys.stderr.write(_cli_banner(args, client))
        return _cli_chat(chat, args, list(system), out)
    except KeyboardInterrupt:
        # Leaving the stream's loop by this exception has already closed the connection.
        sys.stderr.write("\n")
        return 130
    except (_UsageError, InvalidArgumentError) as exc:
        parser.print_usage(sys.stderr)
        sys.stderr.write("chatlib: error: %s\n" % exc)
        return 2
    except OpenAIError as exc:
        sys.stderr.write("chatlib: %s\n" % exc)
        return 1
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")  # the reader left (| head): nothing more to say
        except OSError:
            pass
        return 1


def _stdin_prompt() -> str:
    """Standard input as the prompt, less the one newline that ends the last line."""
    text = sys.stdin.read()
    return text[:-2] if text.endswith("\r\n") else text[:-1] if text.endswith("\n") else text


def _cli_chat(chat: Chat, args: Any, messages: List[Any], out: Any) -> int:
    """The chat on a terminal.  Ctrl-C during an answer stops that answer (its connection is
    closed at once) and keeps the conversation, the part already shown included; Ctrl-C or
    Ctrl-D at the prompt ends the chat."""
    _cli_readline(args.history)
    while True:
        try:
            line = input("> ")
        except (EOFError, KeyboardInterrupt):
            out.write("\n")
            return 0
        if not line.strip():
            continue
        messages.append({"role": "user", "content": line})
        shown: List[Any] = []
        try:
            messages.append({"role": "assistant", "content": _cli_answer(chat, args, messages, out, shown)})
        except KeyboardInterrupt:
            out.write("\n")
            sys.stderr.write("chatlib: answer stopped\n")
            messages.append({"role": "assistant", "content": "".join(shown)})
        except OpenAIError as exc:
            messages.pop()
            sys.stderr.write("chatlib: %s\n" % exc)


def _cli_readline(history: Optional[str]) -> None:
    """Line editing and history for input(), where the platform has readline; the history is
    kept in a file only when the user names one."""
    try:
        import readline
    except ImportError:  # Windows, or a Python built without it
        return
    if history:
        import atexit
        try:
            readline.read_history_file(history)
        except OSError:  # none yet
            pass
        atexit.register(readline.write_history_file, history)


# ---------------------------------------------------------------- types: the spec's schemas, declared (no logic here)

@_spec
class CreateChatCompletionRequest(_Model):
    """The spec's `CreateChatCompletionRequest` (request).

    Deprecated fields, kept for servers that still use them: user, prompt_cache_retention,
    max_tokens, seed, function_call, functions.
    """
    messages: List[ChatCompletionRequestMessage]
    model: str
    metadata: Optional[Metadata] = None
    top_logprobs: Optional[int] = None
    temperature: Optional[float] = None
    top_p: Optional[float] = None
    user: Optional[str] = None
    safety_identifier: Optional[str] = None
    prompt_cache_key: Optional[str] = None
    prompt_cache_retention: Optional[Literal["in_memory", "24h"]] = None
    prompt_cache_options: Optional[PromptCacheOptionsParam] = None
    service_tier: Optional[ServiceTier] = None
    modalities: Optional[ResponseModalities] = None
    verbosity: Optional[Verbosity] = None
    reasoning_effort: Optional[ReasoningEffort] = None
    max_completion_tokens: Optional[int] = None
    frequency_penalty: Optional[float] = None
    presence_penalty: Optional[float] = None
    web_search_options: Optional[WebSearchOptions] = None
    response_format: Optional[Union[ResponseFormatText, ResponseFormatJsonSchema, ResponseFormatJsonObject]] = None
    audio: Optional[ChatCompletionAudio] = None
    store: Optional[bool] = None
    moderation: Optional[ModerationParam] = None
    stream: Optional[bool] = None
    stop: Optional[StopConfiguration] = None
    logit_bias: Optional[Dict[str, int]] = None
    logprobs: Optional[bool] = None
    max_tokens: Optional[int] = None
    n: Optional[int] = None
    prediction: Optional[PredictionContent] = None
    seed: Optional[int] = None
    stream_options: Optional[ChatCompletionStreamOptions] = None
    tools: Optional[List[Union[ChatCompletionTool, CustomToolChatCompletions]]] = None
    tool_choice: Optional[ChatCompletionToolChoiceOption] = None
    parallel_tool_calls: Optional[ParallelToolCalls] = None
    function_call: Optional[Union[Literal["none", "auto"], ChatCompletionFunctionCallOption]] = None
    functions: Optional[List[ChatCompletionFunctions]] = None

    _required = ('messages', 'model')


@_spec
class WebSearchOptions(_Model):
    """The spec's `CreateChatCompletionRequest.web_search_options` (request)."""
    user_location: Optional[WebSearchUserLocation] = None
    search_context_size: Optional[WebSearchContextSize] = None


@_spec
class ChatCompletionAudio(_Model):
    """The spec's `CreateChatCompletionRequest.audio` (request)."""
    voice: VoiceIdsOrCustomVoice
    format: Literal["wav", "aac", "mp3", "flac", "opus", "pcm16"]

    _required = ('voice', 'format')


@_spec
class PromptCacheOptionsParam(_Model):
    """The spec's `PromptCacheOptionsParam` (request)."""
    ttl: Optional[PromptCacheTTLEnum] = None
    mode: Optional[PromptCacheModeEnum] = None


@_spec
class ResponseFormatText(_Model):
    """The spec's `ResponseFormatText` (request)."""
    type: Literal["text"] = "text"

    _required = ('type',)


@_spec
class ResponseFormatJsonSchema(_Model):
    """The spec's `ResponseFormatJsonSchema` (request)."""
    json_schema: JsonSchema
    type: Literal["json_schema"] = "json_schema"

    _required = ('type', 'json_schema')


@_spec
class ResponseFormatJsonObject(_Model):
    """The spec's `ResponseFormatJsonObject` (request)."""
    type: Literal["json_object"] = "json_object"

    _required = ('type',)


@_spec
class ModerationParam(_Model):
    """The spec's `ModerationParam` (request)."""
    model: str
    policy: Optional[ModerationPolicyParam] = None

    _required = ('model',)


@_spec
class PredictionContent(_Model):
    """The spec's `PredictionContent` (request)."""
    content: Union[str, List[ChatCompletionRequestMessageContentPartText]]
    type: Literal["content"] = "content"

    _required = ('type', 'content')


@_spec
class ChatCompletionStreamOptions(_Model):
    """The spec's `ChatCompletionStreamOptions.anyOf[0]` (request)."""
    include_usage: Optional[bool] = None
    include_obfuscation: Optional[bool] = None


@_spec
class ChatCompletionTool(_Model):
    """The spec's `ChatCompletionTool` (request)."""
    function: FunctionObject
    type: Literal["function"] = "function"

    _required = ('type', 'function')


@_spec
class CustomToolChatCompletions(_Model):
    """The spec's `CustomToolChatCompletions` (request)."""
    custom: CustomToolProperties
    type: Literal["custom"] = "custom"

    _required = ('type', 'custom')


@_spec
class ChatCompletionFunctionCallOption(_Model):
    """The spec's `ChatCompletionFunctionCallOption` (request)."""
    name: str

    _required = ('name',)


@_spec
class ChatCompletionFunctions(_Model):
    """The spec's `ChatCompletionFunctions` (request). Deprecated by the spec."""
    name: str
    description: Optional[str] = None
    parameters: Optional[FunctionParameters] = None

    _required = ('name',)


@_spec
class WebSearchUserLocation(_Model):
    """The spec's `CreateChatCompletionRequest.web_search_options.user_location` (request)."""
    approximate: WebSearchLocation
    type: Literal["approximate"] = "approximate"

    _required = ('type', 'approximate')


@_spec
class ChatCompletionRequestDeveloperMessage(_Model):
    """The spec's `ChatCompletionRequestDeveloperMessage` (request)."""
    content: Union[str, List[ChatCompletionRequestMessageContentPartText]]
    role: Literal["developer"] = "developer"
    name: Optional[str] = None

    _required = ('content', 'role')


@_spec
class ChatCompletionRequestSystemMessage(_Model):
    """The spec's `ChatCompletionRequestSystemMessage` (request)."""
    content: Union[str, List[ChatCompletionRequestSystemMessageContentPart]]
    role: Literal["system"] = "system"
    name: Optional[str] = None

    _required = ('content', 'role')


@_spec
class ChatCompletionRequestUserMessage(_Model):
    """The spec's `ChatCompletionRequestUserMessage` (request)."""
    content: Union[str, List[ChatCompletionRequestUserMessageContentPart]]
    role: Literal["user"] = "user"
    name: Optional[str] = None

    _required = ('content', 'role')


@_spec
class ChatCompletionRequestAssistantMessage(_Model):
    """The spec's `ChatCompletionRequestAssistantMessage` (request)."""
    content: Optional[Union[str, List[ChatCompletionRequestAssistantMessageContentPart]]] = None
    refusal: Optional[str] = None
    role: Literal["assistant"] = "assistant"
    name: Optional[str] = None
    audio: Optional[ChatCompletionRequestAssistantMessageAudio] = None
    tool_calls: Optional[ChatCompletionMessageToolCalls] = None
    function_call: Optional[FunctionCall] = None

    # content is always written, as null when there is none: beside tool calls, some servers'
    # chat templates need the key, and a request read with from_dict comes back out as it was.
    _required = ('role', 'content')
    _nullable = ('content',)


@_spec
class ChatCompletionRequestToolMessage(_Model):
    """The spec's `ChatCompletionRequestToolMessage` (request)."""
    content: Union[str, List[ChatCompletionRequestToolMessageContentPart]]
    tool_call_id: str
    role: Literal["tool"] = "tool"

    _required = ('role', 'content', 'tool_call_id')


@_spec
class ChatCompletionRequestFunctionMessage(_Model):
    """The spec's `ChatCompletionRequestFunctionMessage` (request). Deprecated by the spec."""
    content: Optional[str]
    name: str
    role: Literal["function"] = "function"

    _required = ('role', 'content', 'name')
    _nullable = ('content',)


@_spec
class JsonSchema(_Model):
    """The spec's `ResponseFormatJsonSchema.json_schema` (request)."""
    name: str
    description: Optional[str] = None
    schema: Optional[ResponseFormatJsonSchemaSchema] = None
    strict: Optional[bool] = None

    _required = ('name',)


@_spec
class ModerationPolicyParam(_Model):
    """The spec's `ModerationPolicyParam` (request)."""
    input: Optional[ModerationConfigParam] = None
    output: Optional[ModerationConfigParam] = None


@_spec
class ChatCompletionRequestMessageContentPartText(_Model):
    """The spec's `ChatCompletionRequestMessageContentPartText` (request and response)."""
    text: str
    type: Literal["text"] = "text"
    prompt_cache_breakpoint: Optional[PromptCacheBreakpointParam] = None

    _required = ('type', 'text')


@_spec
class FunctionObject(_Model):
    """The spec's `FunctionObject` (request)."""
    name: str
    description: Optional[str] = None
    parameters: Optional[FunctionParameters] = None
    strict: Optional[bool] = None

    _required = ('name',)


@_spec
class CustomToolProperties(_Model):
    """The spec's `CustomToolChatCompletions.custom` (request)."""
    name: str
    description: Optional[str] = None
    format: Optional[Union[CustomToolTextFormat, CustomToolGrammarFormat]] = None

    _required = ('name',)


@_spec
class ChatCompletionAllowedToolsChoice(_Model):
    """The spec's `ChatCompletionAllowedToolsChoice` (request)."""
    allowed_tools: ChatCompletionAllowedTools
    type: Literal["allowed_tools"] = "allowed_tools"

    _required = ('type', 'allowed_tools')


@_spec
class ChatCompletionNamedToolChoice(_Model):
    """The spec's `ChatCompletionNamedToolChoice` (request)."""
    function: FunctionName
    type: Literal["function"] = "function"

    _required = ('type', 'function')


@_spec
class ChatCompletionNamedToolChoiceCustom(_Model):
    """The spec's `ChatCompletionNamedToolChoiceCustom` (request)."""
    custom: CustomName
    type: Literal["custom"] = "custom"

    _required = ('type', 'custom')


@_spec
class WebSearchLocation(_Model):
    """The spec's `WebSearchLocation` (request)."""
    country: Optional[str] = None
    region: Optional[str] = None
    city: Optional[str] = None
    timezone: Optional[str] = None


@_spec
class CustomVoice(_Model):
    """The spec's `VoiceIdsOrCustomVoice.anyOf[1]` (request)."""
    id: str

    _required = ('id',)


@_spec
class ChatCompletionRequestAssistantMessageAudio(_Model):
    """The spec's `ChatCompletionRequestAssistantMessage.audio.anyOf[0]` (request)."""
    id: str

    _required = ('id',)


@_spec
class FunctionCall(_Model):
    """The spec's `ChatCompletionResponseMessage.function_call` and
    `ChatCompletionRequestAssistantMessage.function_call.anyOf[0]` and
    `ChatCompletionMessageToolCall.function` (request and response). Deprecated by the spec."""
    arguments: str
    name: str


@_spec
class ModerationConfigParam(_Model):
    """The spec's `ModerationConfigParam` (request)."""
    mode: ModerationMode

    _required = ('mode',)


@_spec
class PromptCacheBreakpointParam(_Model):
    """The spec's `PromptCacheBreakpointParam` (request and response)."""
    mode: Literal["explicit"] = "explicit"


@_spec
class CustomToolTextFormat(_Model):
    """The spec's `CustomToolChatCompletions.custom.format.oneOf[0]` (request)."""
    type: Literal["text"] = "text"

    _required = ('type',)


@_spec
class CustomToolGrammarFormat(_Model):
    """The spec's `CustomToolChatCompletions.custom.format.oneOf[1]` (request)."""
    grammar: CustomGrammarFormatParam
    type: Literal["grammar"] = "grammar"

    _required = ('type', 'grammar')


@_spec
class ChatCompletionAllowedTools(_Model):
    """The spec's `ChatCompletionAllowedTools` (request)."""
    mode: Literal["auto", "required"]
    tools: List[Dict[str, Any]]

    _required = ('mode', 'tools')


@_spec
class FunctionName(_Model):
    """The spec's `ChatCompletionNamedToolChoice.function` (request)."""
    name: str

    _required = ('name',)


@_spec
class CustomName(_Model):
    """The spec's `ChatCompletionNamedToolChoiceCustom.custom` (request)."""
    name: str

    _required = ('name',)


@_spec
class ChatCompletionRequestMessageContentPartImage(_Model):
    """The spec's `ChatCompletionRequestMessageContentPartImage` (request and response)."""
    image_url: ImageUrl
    type: Literal["image_url"] = "image_url"
    prompt_cache_breakpoint: Optional[PromptCacheBreakpointParam] = None

    _required = ('type', 'image_url')


@_spec
class ChatCompletionRequestMessageContentPartAudio(_Model):
    """The spec's `ChatCompletionRequestMessageContentPartAudio` (request)."""
    input_audio: InputAudio
    type: Literal["input_audio"] = "input_audio"
    prompt_cache_breakpoint: Optional[PromptCacheBreakpointParam] = None

    _required = ('type', 'input_audio')


@_spec
class ChatCompletionRequestMessageContentPartFile(_Model):
    """The spec's `ChatCompletionRequestMessageContentPartFile` (request)."""
    file: FileObject
    type: Literal["file"] = "file"
    prompt_cache_breakpoint: Optional[PromptCacheBreakpointParam] = None

    _required = ('type', 'file')


@_spec
class ChatCompletionMessageToolCall(_Model):
    """The spec's `ChatCompletionMessageToolCall` (request and response)."""
    id: str
    function: FunctionCall
    type: Literal["function"] = "function"


@_spec
class ChatCompletionMessageCustomToolCall(_Model):
    """The spec's `ChatCompletionMessageCustomToolCall` (request and response)."""
    id: str
    custom: CustomTool
    type: Literal["custom"] = "custom"


@_spec
class ChatCompletionRequestMessageContentPartRefusal(_Model):
    """The spec's `ChatCompletionRequestMessageContentPartRefusal` (request)."""
    refusal: str
    type: Literal["refusal"] = "refusal"

    _required = ('type', 'refusal')


@_spec
class CustomGrammarFormatParam(_Model):
    """The spec's `CustomToolChatCompletions.custom.format.oneOf[1].grammar` (request)."""
    definition: str
    syntax: Literal["lark", "regex"]

    _required = ('definition', 'syntax')


@_spec
class ImageUrl(_Model):
    """The spec's `ChatCompletionRequestMessageContentPartImage.image_url` (request and response)."""
    url: str
    detail: Optional[Literal["auto", "low", "high"]] = None

    _required = ('url',)


@_spec
class InputAudio(_Model):
    """The spec's `ChatCompletionRequestMessageContentPartAudio.input_audio` (request)."""
    data: str
    format: Literal["wav", "mp3"]

    _required = ('data', 'format')


@_spec
class FileObject(_Model):
    """The spec's `ChatCompletionRequestMessageContentPartFile.file` (request)."""
    filename: Optional[str] = None
    file_data: Optional[str] = None
    file_id: Optional[str] = None


@_spec
class CustomTool(_Model):
    """The spec's `ChatCompletionMessageCustomToolCall.custom` (request and response)."""
    name: str
    input: str


@_spec
class UpdateChatCompletionRequest(_Model):
    """The spec's `updateChatCompletion.requestBody` (request)."""
    metadata: Optional[Metadata]

    _required = ('metadata',)
    _nullable = ('metadata',)


@_spec
class CreateChatCompletionResponse(_Model):
    """The spec's `CreateChatCompletionResponse` (response).

    Deprecated fields, kept for servers that still use them: system_fingerprint.
    """
    id: str = _ABSENT
    choices: List[ChatChoice] = _ABSENT
    created: int = _ABSENT
    model: str = _ABSENT
    metadata: Optional[Metadata] = None
    service_tier: Optional[ServiceTier] = None
    system_fingerprint: Optional[str] = None
    object: Literal["chat.completion"] = _ABSENT
    usage: Optional[CompletionUsage] = None
    moderation: Optional[ChatCompletionModeration] = None


@_spec
class ChatChoice(_Model):
    """The spec's `CreateChatCompletionResponse.choices[]` (response)."""
    finish_reason: Literal["stop", "length", "tool_calls", "content_filter", "function_call"] = _ABSENT
    index: int = _ABSENT
    message: ChatCompletionResponseMessage = _ABSENT
    logprobs: Optional[ChatChoiceLogprobs] = None


@_spec
class CompletionUsage(_Model):
    """The spec's `CompletionUsage` (response)."""
    completion_tokens: int = _ABSENT
    prompt_tokens: int = _ABSENT
    total_tokens: int = _ABSENT
    completion_tokens_details: Optional[CompletionTokensDetails] = None
    prompt_tokens_details: Optional[PromptTokensDetails] = None


@_spec
class ChatCompletionModeration(_Model):
    """The spec's `ChatCompletionModeration` (response)."""
    input: Union[ChatCompletionModerationResults, ChatCompletionModerationError] = _ABSENT
    output: Union[ChatCompletionModerationResults, ChatCompletionModerationError] = _ABSENT


@_spec
class ChatChoiceLogprobs(_Model):
    """The spec's `CreateChatCompletionResponse.choices[].logprobs.anyOf[0]` and
    `CreateChatCompletionStreamResponse.choices[].logprobs` (response)."""
    content: Optional[List[ChatCompletionTokenLogprob]] = None
    refusal: Optional[List[ChatCompletionTokenLogprob]] = None


@_spec
class ChatCompletionResponseMessage(_Model):
    """The spec's `ChatCompletionResponseMessage` (response).

    Deprecated fields, kept for servers that still use them: function_call.
    """
    content: Optional[str] = None
    refusal: Optional[str] = None
    tool_calls: Optional[ChatCompletionMessageToolCalls] = None
    annotations: Optional[List[ChatCompletionResponseMessageAnnotation]] = None
    role: Literal["assistant"] = _ABSENT
    function_call: Optional[FunctionCall] = None
    audio: Optional[ChatCompletionResponseMessageAudio] = None

    def to_request(self, keep: Union[Iterable[str], bool] = ()) -> ChatCompletionRequestAssistantMessage:
        """This reply as the assistant message of the next request: content, refusal, tool calls,
        the audio id and function_call.  What only a response has (annotations, the audio data)
        is left out, and so are provider fields (in `extra`) unless `keep` names them, or is True
        for all: ``keep=chatlib.REASONING_FIELDS`` sends back the reasoning that DeepSeek's
        thinking mode, vLLM and OpenRouter ask for in a conversation with tool calls.  By
        default none is sent, since OpenAI rejects message fields it does not know."""
        return _assistant_request(self, keep)


@_spec
class CompletionTokensDetails(_Model):
    """The spec's `CompletionUsage.completion_tokens_details` (response)."""
    accepted_prediction_tokens: Optional[int] = None
    audio_tokens: Optional[int] = None
    reasoning_tokens: Optional[int] = None
    text_tokens: Optional[int] = None
    rejected_prediction_tokens: Optional[int] = None


@_spec
class PromptTokensDetails(_Model):
    """The spec's `CompletionUsage.prompt_tokens_details` (response)."""
    audio_tokens: Optional[int] = None
    cached_tokens: Optional[int] = None
    text_tokens: Optional[int] = None
    image_tokens: Optional[int] = None
    cache_write_tokens: Optional[int] = None


@_spec
class ChatCompletionModerationResults(_Model):
    """The spec's `ChatCompletionModerationResults` (response)."""
    type: Literal["moderation_results"] = _ABSENT
    model: str = _ABSENT
    results: List[ModerationResultBody] = _ABSENT


@_spec
class ChatCompletionModerationError(_Model):
    """The spec's `ChatCompletionModerationError` (response)."""
    type: Literal["error"] = _ABSENT
    code: str = _ABSENT
    message: str = _ABSENT


@_spec
class ChatCompletionTokenLogprob(_Model):
    """The spec's `ChatCompletionTokenLogprob` (response)."""
    token: str = _ABSENT
    logprob: float = _ABSENT
    bytes: Optional[List[int]] = None
    top_logprobs: List[TopLogprobs] = _ABSENT


@_spec
class ChatCompletionResponseMessageAnnotation(_Model):
    """The spec's `ChatCompletionResponseMessage.annotations[]` (response)."""
    type: Literal["url_citation"] = _ABSENT
    url_citation: UrlCitation = _ABSENT


@_spec
class ChatCompletionResponseMessageAudio(_Model):
    """The spec's `ChatCompletionResponseMessage.audio.anyOf[0]` (response)."""
    id: str = _ABSENT
    expires_at: int = _ABSENT
    data: str = _ABSENT
    transcript: str = _ABSENT


@_spec
class ModerationResultBody(_Model):
    """The spec's `ModerationResultBody` (response)."""
    type: Literal["moderation_result"] = _ABSENT
    model: str = _ABSENT
    flagged: bool = _ABSENT
    categories: Dict[str, bool] = _ABSENT
    category_scores: Dict[str, float] = _ABSENT
    category_applied_input_types: Dict[str, List[ModerationInputType]] = _ABSENT


@_spec
class TopLogprobs(_Model):
    """The spec's `ChatCompletionTokenLogprob.top_logprobs[]` (response)."""
    token: str = _ABSENT
    logprob: float = _ABSENT
    bytes: Optional[List[int]] = None


@_spec
class UrlCitation(_Model):
    """The spec's `ChatCompletionResponseMessage.annotations[].url_citation` (response)."""
    end_index: int = _ABSENT
    start_index: int = _ABSENT
    url: str = _ABSENT
    title: str = _ABSENT


@_spec
class CreateChatCompletionStreamResponse(_Model):
    """The spec's `CreateChatCompletionStreamResponse` (response).

    Deprecated fields, kept for servers that still use them: system_fingerprint.
    """
    id: str = _ABSENT
    choices: List[ChatChoiceStream] = _ABSENT
    created: int = _ABSENT
    model: str = _ABSENT
    obfuscation: Optional[str] = None
    service_tier: Optional[ServiceTier] = None
    system_fingerprint: Optional[str] = None
    object: Literal["chat.completion.chunk"] = _ABSENT
    usage: Optional[CompletionUsage] = None
    moderation: Optional[ChatCompletionModeration] = None


@_spec
class ChatChoiceStream(_Model):
    """The spec's `CreateChatCompletionStreamResponse.choices[]` (response)."""
    delta: ChatCompletionStreamResponseDelta = _ABSENT
    logprobs: Optional[ChatChoiceLogprobs] = None
    finish_reason: Optional[Literal["stop", "length", "tool_calls", "content_filter", "function_call"]] = None
    index: int = _ABSENT


@_spec
class ChatCompletionStreamResponseDelta(_Model):
    """The spec's `ChatCompletionStreamResponseDelta` (response).

    Deprecated fields, kept for servers that still use them: function_call.
    """
    content: Optional[str] = None
    function_call: Optional[FunctionCallStream] = None
    tool_calls: Optional[List[ChatCompletionMessageToolCallChunk]] = None
    role: Optional[Literal["developer", "system", "user", "assistant", "tool"]] = None
    refusal: Optional[str] = None


@_spec
class FunctionCallStream(_Model):
    """The spec's `ChatCompletionStreamResponseDelta.function_call` and
    `ChatCompletionMessageToolCallChunk.function` (response). Deprecated by the spec."""
    arguments: Optional[str] = None
    name: Optional[str] = None


@_spec
class ChatCompletionMessageToolCallChunk(_Model):
    """The spec's `ChatCompletionMessageToolCallChunk` (response)."""
    index: int = _ABSENT
    id: Optional[str] = None
    type: Optional[Literal["function"]] = None
    function: Optional[FunctionCallStream] = None


@_spec
class ChatCompletionList(_Model):
    """The spec's `ChatCompletionList` (response)."""
    object: Literal["list"] = _ABSENT
    data: List[CreateChatCompletionResponse] = _ABSENT
    first_id: str = _ABSENT
    last_id: str = _ABSENT
    has_more: bool = _ABSENT


@_spec
class ChatCompletionMessageList(_Model):
    """The spec's `ChatCompletionMessageList` (response)."""
    object: Literal["list"] = _ABSENT
    data: List[ChatCompletionMessageListItem] = _ABSENT
    first_id: str = _ABSENT
    last_id: str = _ABSENT
    has_more: bool = _ABSENT


@_spec
class ChatCompletionMessageListItem(_Model):
    """The spec's `ChatCompletionMessageList.data[]` (response).

    Deprecated fields, kept for servers that still use them: function_call.
    """
    content: Optional[str] = None
    refusal: Optional[str] = None
    tool_calls: Optional[ChatCompletionMessageToolCalls] = None
    annotations: Optional[List[ChatCompletionResponseMessageAnnotation]] = None
    role: Literal["assistant"] = _ABSENT
    function_call: Optional[FunctionCall] = None
    audio: Optional[ChatCompletionResponseMessageAudio] = None
    id: str = _ABSENT
    content_parts: Optional[List[Union[ChatCompletionRequestMessageContentPartText,
                                       ChatCompletionRequestMessageContentPartImage]]] = None


@_spec
class ChatCompletionDeleted(_Model):
    """The spec's `ChatCompletionDeleted` (response)."""
    object: Literal["chat.completion.deleted"] = _ABSENT
    id: str = _ABSENT
    deleted: bool = _ABSENT


@_spec
class ErrorResponse(_Model):
    """The spec's `ErrorResponse` (response)."""
    error: Error = _ABSENT


@_spec
class Error(_Model):
    """The spec's `Error` (response)."""
    code: Optional[str] = None
    message: str = _ABSENT
    param: Optional[str] = None
    type: str = _ABSENT


@_spec
class CreateModelResponseProperties(_Model):
    """The spec's `CreateModelResponseProperties` (request).

    Deprecated fields, kept for servers that still use them: user, prompt_cache_retention.
    """
    metadata: Optional[Metadata] = None
    top_logprobs: Optional[int] = None
    temperature: Optional[float] = None
    top_p: Optional[float] = None
    user: Optional[str] = None
    safety_identifier: Optional[str] = None
    prompt_cache_key: Optional[str] = None
    prompt_cache_retention: Optional[Literal["in_memory", "24h"]] = None
    prompt_cache_options: Optional[PromptCacheOptionsParam] = None


@_spec
class ModelResponseProperties(_Model):
    """The spec's `ModelResponseProperties` (request).

    Deprecated fields, kept for servers that still use them: user, prompt_cache_retention.
    """
    metadata: Optional[Metadata] = None
    top_logprobs: Optional[int] = None
    temperature: Optional[float] = None
    top_p: Optional[float] = None
    user: Optional[str] = None
    safety_identifier: Optional[str] = None
    prompt_cache_key: Optional[str] = None
    prompt_cache_retention: Optional[Literal["in_memory", "24h"]] = None


# Unions, enums and maps of the spec, as type aliases.
Metadata = Dict[str, str]
ChatCompletionRequestMessage = Union[
    ChatCompletionRequestDeveloperMessage,
    ChatCompletionRequestSystemMessage,
    ChatCompletionRequestUserMessage,
    ChatCompletionRequestAssistantMessage,
    ChatCompletionRequestToolMessage,
    ChatCompletionRequestFunctionMessage,
]
ModelIdsShared = str
ServiceTier = Literal["auto", "default", "flex", "scale", "priority", "fast"]
ResponseModalities = List[Literal["text", "audio"]]
Verbosity = Literal["low", "medium", "high"]
ReasoningEffort = Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"]
WebSearchContextSize = Literal["low", "medium", "high"]
VoiceIdsOrCustomVoice = Union[str, CustomVoice]
StopConfiguration = Union[str, List[str]]
ChatCompletionToolChoiceOption = Union[
    Literal["none", "auto", "required"],
    ChatCompletionAllowedToolsChoice,
    ChatCompletionNamedToolChoice,
    ChatCompletionNamedToolChoiceCustom,
]
ParallelToolCalls = bool
ChatCompletionMessageToolCalls = List[Union[ChatCompletionMessageToolCall, ChatCompletionMessageCustomToolCall]]
PromptCacheTTLEnum = Literal["30m"]
PromptCacheModeEnum = Literal["implicit", "explicit"]
ResponseFormatJsonSchemaSchema = Dict[str, Any]
VoiceIdsShared = str
FunctionParameters = Dict[str, Any]
ChatCompletionRequestSystemMessageContentPart = ChatCompletionRequestMessageContentPartText
ChatCompletionRequestUserMessageContentPart = Union[
    ChatCompletionRequestMessageContentPartText,
    ChatCompletionRequestMessageContentPartImage,
    ChatCompletionRequestMessageContentPartAudio,
    ChatCompletionRequestMessageContentPartFile,
]
ChatCompletionRequestAssistantMessageContentPart = Union[
    ChatCompletionRequestMessageContentPartText,
    ChatCompletionRequestMessageContentPartRefusal,
]
ChatCompletionRequestToolMessageContentPart = ChatCompletionRequestMessageContentPartText
ModerationMode = Literal["score", "block"]
ModerationInputType = Literal["text", "image"]


@_spec
class ListChatCompletionsQuery(_Model):
    """The query of GET /chat/completions: `metadata` filters by key and value pairs."""
    model: Optional[str] = None
    metadata: Optional[Metadata] = None
    after: Optional[str] = None
    limit: Optional[int] = None
    order: Optional[Literal["asc", "desc"]] = None


@_spec
class GetChatCompletionMessagesQuery(_Model):
    """The query of GET /chat/completions/{completion_id}/messages."""
    after: Optional[str] = None
    limit: Optional[int] = None
    order: Optional[Literal["asc", "desc"]] = None

if __name__ == "__main__":
    sys.exit(main())
