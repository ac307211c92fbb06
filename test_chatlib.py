"""Tests for chatlib: plain unittest, standard library only, against servers on 127.0.0.1.

Run with:  python -m unittest -v test_chatlib
"""
import asyncio
import base64
import contextlib
import dataclasses
import email.utils
import enum
import gc
import io
import json
import logging
import os
import random
import select
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import types
import typing
import unittest
from unittest import mock
from typing import Dict, List, Literal, Optional
from urllib.parse import parse_qsl, urlsplit

import chatlib

WAIT = 10.0  # the longest any test waits on an event before failing
# A shell starts a background job with SIGINT ignored, and a child started from it inherits that.
SIGINT_IGNORED = signal.getsignal(signal.SIGINT) == signal.SIG_IGN

# Every key and token the tests use.  The whole suite logs chatlib at DEBUG into LOG, and no
# secret may appear there (tearDownModule checks), nor in any error message (tests check).
SECRETS = ("sk-test-key-123456", "sk-very-secret", "sk-secret", "sk-env", "sk-arg", "az-key", "azk", "tok-a",
           "tok-b", "sk-log-secret-777", "s3cr3t-pw", "user:s3cr3t-pw")
LOG = io.StringIO()
CLIENTS_MADE = []  # ServerTest.client() notes each client it makes
_log_handler = logging.StreamHandler(LOG)
_log_handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))


def setUpModule():
    logger = logging.getLogger("chatlib")
    logger.addHandler(_log_handler)
    logger.setLevel(logging.DEBUG)


def tearDownModule():
    logger = logging.getLogger("chatlib")
    logger.removeHandler(_log_handler)
    logger.setLevel(logging.NOTSET)
    text = LOG.getvalue()
    leaked = [s for s in SECRETS
              if any(form in text for form in (s, json.dumps(s)[1:-1], base64.b64encode(s.encode()).decode()))]
    if leaked:
        raise AssertionError("secrets in the DEBUG log of the suite: %s" % leaked)
    if CLIENTS_MADE and "POST http://127.0.0.1" not in text:  # else the check above proves nothing
        raise AssertionError("the suite's DEBUG log is missing its request lines")


# ---------------------------------------------------------------- a loopback server

class Req:
    """One request the server received."""

    def __init__(self, method, target, headers, body):
        self.method = method
        self.target = target
        self.path, _, self.query = target.partition("?")
        self.headers = headers  # lower-case names
        self.body = body

    def json(self):
        return json.loads(self.body)


class Raw:
    """Bytes to write as they are.  Items may be bytes, a threading.Event to wait for, or a
    callable run at that point; `close` ends the connection afterwards, `reset` resets it."""

    def __init__(self, *items, close=True, reset=False):
        self.items = items
        self.close = close
        self.reset = reset


def reply(status=200, body=None, headers=None, reason=None):
    """A complete response with Content-Length; a dict or list body is sent as JSON."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        headers = dict({"Content-Type": "application/json"}, **(headers or {}))
    elif isinstance(body, str):
        body = body.encode()
    body = body or b""
    head = "HTTP/1.1 %d %s\r\n" % (status, reason or "Status")
    for k, v in (headers or {}).items():
        head += "%s: %s\r\n" % (k, v)
    head += "Content-Length: %d\r\n\r\n" % len(body)
    return Raw(head.encode("latin-1") + body, close=False)


def chunked(pieces):
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces if p) + b"0\r\n\r\n"


def sse_head(headers=None, chunked_encoding=True):
    head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nx-request-id: req_stream\r\n"
    for k, v in (headers or {}).items():
        head += "%s: %s\r\n" % (k, v)
    if chunked_encoding:
        head += "Transfer-Encoding: chunked\r\n"
    else:
        head += "Connection: close\r\n"
    return (head + "\r\n").encode()


def sse(*events, done=True):
    """A whole chunked SSE response of JSON events (dicts) or raw event text (str)."""
    pieces = []
    for e in events:
        pieces.append(("data: " + json.dumps(e) + "\n\n").encode() if not isinstance(e, (str, bytes))
                      else (e.encode() if isinstance(e, str) else e))
    if done:
        pieces.append(b"data: [DONE]\n\n")
    return Raw(sse_head(), chunked(pieces), close=False)


def chunk(content=None, index=0, finish=None, **delta):
    if content is not None:
        delta["content"] = content
    return {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m",
            "choices": [{"index": index, "delta": delta, "logprobs": None, "finish_reason": finish}]}


class Server:
    """A loopback HTTP/1.1 server; `handler(req)` returns a Raw (see reply, sse).  It records
    the requests and counts the connections it accepted."""

    def __init__(self, handler, tls=None, host="127.0.0.1"):
        self.handler = handler
        self.host = host
        self.requests = []
        self.connections = 0
        self.open_connections = 0
        self.lock = threading.Lock()
        self.idle = threading.Condition(self.lock)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.tls = tls
        self.stopped = False
        self.threads = []
        self.conns = []
        t = threading.Thread(target=self._accept, daemon=True)
        t.start()
        self.threads.append(t)

    @property
    def base(self):
        return "%s://%s:%d/v1" % ("https" if self.tls else "http", self.host, self.port)

    def _accept(self):
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.connections += 1
                self.open_connections += 1
                self.conns.append(conn)
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            t.start()

    def _serve(self, conn):
        f = None
        try:
            if self.tls:
                try:
                    conn = self.tls.wrap_socket(conn, server_side=True)
                except (OSError, ssl.SSLError):
                    return
            f = conn.makefile("rb")
            nth = 0
            while True:
                line = f.readline(65537)
                if not line:
                    return
                method, target, _ = line.decode("latin-1").split(" ", 2)
                headers = {}
                while True:
                    h = f.readline(65537)
                    if h in (b"\r\n", b"\n", b""):
                        break
                    k, _, v = h.decode("latin-1").partition(":")
                    headers[k.strip().lower()] = v.strip()
                body = f.read(int(headers.get("content-length", "0")))
                req = Req(method, target, headers, body)
                req.nth = nth  # the how-manieth request on this connection, from 0
                nth += 1
                with self.lock:
                    self.requests.append(req)
                out = self.handler(req)
                for item in out.items:
                    if isinstance(item, threading.Event):
                        if not item.wait(WAIT):
                            return
                    elif callable(item):
                        item()
                    else:
                        conn.sendall(item)
                if out.reset:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    return
                if out.close:
                    return
        except OSError:
            return
        finally:
            # The reader too: a socket's descriptor stays open while a makefile() of it lives,
            # and wait_idle() must not report a connection closed before it really is.
            try:
                if f is not None:
                    f.close()
                conn.close()
            except OSError:
                pass
            with self.idle:
                self.open_connections -= 1
                self.idle.notify_all()

    def wait_idle(self):
        """Waits until every connection the server accepted has been closed."""
        with self.idle:
            if not self.idle.wait_for(lambda: self.open_connections == 0, WAIT):
                raise AssertionError("the server still has %d open connections" % self.open_connections)

    def close(self):
        self.stopped = True
        self.sock.close()
        with self.lock:
            for c in self.conns:
                try:
                    c.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                c.close()


class FakeClock:
    """An injectable clock and sleep: sleeping moves the clock, nothing waits."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


class ServerTest(unittest.TestCase):
    """Starts a server per test from `self.handle`; makes clients that use it."""

    def setUp(self):
        self.clock = FakeClock()
        self.responses = []  # what handle() answers, in order, when a test fills it
        self.server = Server(self.handle)
        self.addCleanup(self.server.close)

    def handle(self, req):
        if self.responses:
            r = self.responses.pop(0)
            return r(req) if callable(r) else r
        return reply(200, {"ok": True, "path": req.path})

    def client(self, key="sk-test-key-123456", server=None, **kw):
        kw.setdefault("proxy", False)
        kw.setdefault("retry", chatlib.RetryPolicy(sleep=self.clock.sleep, clock=self.clock.clock,
                                                   random=lambda: 0.0))
        cfg = chatlib.OpenAIConfig(api_key=key, api_base=(server or self.server).base)
        c = chatlib.Client(cfg, **kw)
        self.addCleanup(c.close)
        CLIENTS_MADE.append(1)
        return c

    def chat(self, **kw):
        return self.client(**kw).chat()

    @property
    def last(self):
        return self.server.requests[-1]


REQ = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}
SREQ = dict(REQ, stream=True)
COMPLETION = {
    "id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": "gpt-4o-mini",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello!", "refusal": None,
                                         "annotations": []},
                 "logprobs": None, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
}


# ---------------------------------------------------------------- configuration

class ConfigTest(unittest.TestCase):
    def setUp(self):
        self.env = dict(os.environ)
        for k in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID",
                  "AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "OPENAI_API_VERSION"):
            os.environ.pop(k, None)

    def tearDown(self):
        os.environ.clear()
        os.environ.update(self.env)

    def test_defaults_and_environment(self):
        c = chatlib.OpenAIConfig()
        self.assertEqual(c.url("/chat/completions"), "https://api.openai.com/v1/chat/completions")
        self.assertNotIn("Authorization", c.headers())
        os.environ.update(OPENAI_API_KEY="sk-env", OPENAI_BASE_URL="http://localhost:8000/v1/",
                          OPENAI_ORG_ID="org-1", OPENAI_PROJECT_ID="proj-1")
        c = chatlib.OpenAIConfig()
        self.assertEqual(c.url("/x"), "http://localhost:8000/v1/x")
        self.assertEqual(c.headers(), {"Authorization": "Bearer sk-env", "OpenAI-Organization": "org-1",
                                       "OpenAI-Project": "proj-1"})
        c = chatlib.OpenAIConfig(api_key="sk-arg", api_base="http://h/v1", headers={"X-A": "b"})
        self.assertEqual(c.headers()["Authorization"], "Bearer sk-arg")
        self.assertEqual(c.headers()["X-A"], "b")

    def test_empty_key_sends_no_authorization(self):
        c = chatlib.OpenAIConfig(api_key="", api_base="http://h")
        self.assertNotIn("Authorization", c.headers())

    def test_bad_urls(self):
        for url in ("file:///etc/passwd", "ftp://h/v1", "data:text/plain,x", "http://", "localhost:8000",
                    "http://h/v1\r\nX: y", "http://user:pw@h/v1", "http://h:99999/v1", "http://h/v1?x=1"):
            with self.assertRaises(chatlib.InvalidArgumentError, msg=url) as cm:
                chatlib.OpenAIConfig(api_key="k", api_base=url)
            self.assertIn("api_base", str(cm.exception))

    def test_bad_headers(self):
        with self.assertRaises(chatlib.InvalidArgumentError) as cm:
            chatlib.OpenAIConfig(api_key="sk-secret\r\nX-Evil: 1", api_base="http://h")
        self.assertNotIn("sk-secret", str(cm.exception))
        with self.assertRaises(chatlib.InvalidArgumentError):
            chatlib.OpenAIConfig(api_base="http://h", headers={"X-A": "b\nc"})
        with self.assertRaises(chatlib.InvalidArgumentError):
            chatlib.OpenAIConfig(api_base="http://h", headers={"Bad Name": "v"})
        with self.assertRaises(chatlib.InvalidArgumentError):
            chatlib.OpenAIConfig(api_base="http://h", org_id="o\r\n")

    def test_repr_hides_key(self):
        c = chatlib.OpenAIConfig(api_key="sk-very-secret", api_base="http://h")
        self.assertNotIn("sk-very-secret", repr(c))
        self.assertNotIn("sk-very-secret", repr(chatlib.Client(c)))

    def test_azure(self):
        with self.assertRaises(chatlib.InvalidArgumentError):
            chatlib.AzureConfig(api_base="https://r.openai.azure.com", api_version="2024-10-21")
        with self.assertRaises(chatlib.InvalidArgumentError):
            chatlib.AzureConfig(api_base="https://r.openai.azure.com", deployment_id="d")
        with self.assertRaises(chatlib.InvalidArgumentError):
            chatlib.AzureConfig(deployment_id="d", api_version="v")
        os.environ.update(AZURE_OPENAI_ENDPOINT="https://r.openai.azure.com/", AZURE_OPENAI_API_KEY="az-key",
                          OPENAI_API_VERSION="2024-10-21")
        c = chatlib.AzureConfig(deployment_id="gpt 4o")
        self.assertEqual(c.url("/chat/completions"),
                         "https://r.openai.azure.com/openai/deployments/gpt%204o/chat/completions")
        self.assertEqual(c.query(), {"api-version": "2024-10-21"})
        self.assertEqual(c.headers(), {"api-key": "az-key"})
        calls = []
        c = chatlib.AzureConfig(api_key="", deployment_id="d", token_provider=lambda: calls.append(1) or "tok-%d" % len(calls))
        self.assertEqual(c.headers(), {"Authorization": "Bearer tok-1"})
        self.assertEqual(c.headers(), {"Authorization": "Bearer tok-2"})
        with self.assertRaises(chatlib.InvalidArgumentError):
            chatlib.AzureConfig(deployment_id="d", api_key="k", token_provider=lambda: "t")
        with self.assertRaises(chatlib.InvalidArgumentError):
            chatlib.AzureConfig(api_base="ftp://x", deployment_id="d", api_version="v")

    def test_client_arguments(self):
        cfg = chatlib.OpenAIConfig(api_key="k", api_base="http://h")
        for kw in ({"timeout": 0}, {"timeout": -1}, {"timeout": "5"}, {"max_retries": -1}, {"max_retries": 1.5},
                   {"deadline": 0}, {"proxy": "socks5://h"}, {"max_body_size": 0}, {"pool_size": -1},
                   {"ssl_context": "x"}, {"max_retries": 1, "retry": chatlib.RetryPolicy()}):
            with self.assertRaises(chatlib.InvalidArgumentError, msg=kw):
                chatlib.Client(cfg, **kw)
        with self.assertRaises(chatlib.InvalidArgumentError):
            chatlib.Client(object())
        chatlib.Client(cfg, proxy="http://user:pw-secret@proxy.example:3128")  # proxy credentials are fine
        with self.assertRaises(chatlib.InvalidArgumentError) as cm:
            chatlib.Client(cfg, proxy="http://user:pw-secret@proxy.example:3128/?x=1")
        self.assertNotIn("pw-secret", str(cm.exception))
        with self.assertRaises(chatlib.InvalidArgumentError):
            chatlib.Chat("not a client")


class CustomConfig:
    """A provider with its own rules: the config interface is all chatlib needs."""

    def __init__(self, base):
        self.base = base

    def url(self, path):
        return self.base + "/custom" + path

    def headers(self):
        return {"X-Custom-Key": "ck"}

    def query(self):
        return {"tenant": "t1"}


# ---------------------------------------------------------------- requests and endpoints

class EndpointTest(ServerTest):
    def test_create_sends_what_the_api_expects(self):
        self.responses.append(reply(200, COMPLETION, {"x-request-id": "req_abc"}))
        out = self.chat().create_byot(dict(REQ, vendor_field={"a": 1}))
        self.assertEqual(out, COMPLETION)
        r = self.last
        self.assertEqual((r.method, r.path), ("POST", "/v1/chat/completions"))
        self.assertEqual(r.json(), dict(REQ, vendor_field={"a": 1}))
        self.assertEqual(r.headers["authorization"], "Bearer sk-test-key-123456")
        self.assertEqual(r.headers["content-type"], "application/json")
        self.assertEqual(r.headers["accept"], "application/json")
        self.assertNotIn("accept-encoding", r.headers)
        self.assertTrue(r.headers["user-agent"].startswith("chatlib/%s Python/" % chatlib.__version__))
        self.assertNotIn("openai-organization", r.headers)

    def test_no_key_no_authorization_header(self):
        self.chat(key="").create_byot(REQ)
        self.assertNotIn("authorization", self.last.headers)

    def test_unknown_fields_pass_through(self):
        body = dict(COMPLETION, provider="x", choices=[dict(COMPLETION["choices"][0], native_finish_reason="eos")])
        self.responses.append(reply(200, body))
        self.assertEqual(self.chat().create_byot(REQ), body)

    def test_stream_flag_rules(self):
        chat = self.chat()
        with self.assertRaises(chatlib.InvalidArgumentError):
            chat.create_byot(SREQ)
        with self.assertRaises(chatlib.InvalidArgumentError):
            chat.create_stream_byot(REQ)
        with self.assertRaises(chatlib.InvalidArgumentError):
            chat.create_stream_byot(dict(REQ, stream=False))
        with self.assertRaises(chatlib.InvalidArgumentError):
            chat.create_byot("not a dict")
        with self.assertRaises(chatlib.InvalidArgumentError) as cm:
            chat.create_byot(dict(REQ, temperature=float("nan")))
        self.assertIn("JSON", str(cm.exception))
        with self.assertRaises(chatlib.InvalidArgumentError):
            chat.create_byot(dict(REQ, x=object()))
        self.assertEqual(self.server.requests, [])

    def test_list_retrieve_update_delete_messages(self):
        chat = self.chat()
        chat.list_byot({"limit": 10, "order": "desc", "model": "gpt-4o", "after": "c1",
                        "metadata": {"user": "u 1", "k": "v"}})
        r = self.last
        self.assertEqual((r.method, r.path), ("GET", "/v1/chat/completions"))
        self.assertEqual(parse_qsl(r.query), [("limit", "10"), ("order", "desc"), ("model", "gpt-4o"),
                                              ("after", "c1"), ("metadata[user]", "u 1"), ("metadata[k]", "v")])
        chat.list_byot()
        self.assertEqual(self.last.target, "/v1/chat/completions")
        chat.retrieve_byot("chatcmpl-123")
        self.assertEqual((self.last.method, self.last.path), ("GET", "/v1/chat/completions/chatcmpl-123"))
        chat.update_byot("chatcmpl-123", {"metadata": {"k": "v"}})
        self.assertEqual((self.last.method, self.last.path), ("POST", "/v1/chat/completions/chatcmpl-123"))
        self.assertEqual(self.last.json(), {"metadata": {"k": "v"}})
        chat.delete_byot("chatcmpl-123")
        self.assertEqual((self.last.method, self.last.path), ("DELETE", "/v1/chat/completions/chatcmpl-123"))
        chat.messages_byot("chatcmpl-123", {"limit": 20, "after": "m1", "order": "asc"})
        self.assertEqual(self.last.path, "/v1/chat/completions/chatcmpl-123/messages")
        self.assertEqual(parse_qsl(self.last.query), [("limit", "20"), ("after", "m1"), ("order", "asc")])

    def test_query_validation(self):
        chat = self.chat()
        for q in ({"limit": 0}, {"limit": "10"}, {"limit": True}, {"order": "up"}, {"colour": "red"},
                  {"metadata": "k=v"}, {"metadata": {"k": 1}}, {"model": 5}, [("limit", 1)]):
            with self.assertRaises(chatlib.InvalidArgumentError, msg=q):
                chat.list_byot(q)
        with self.assertRaises(chatlib.InvalidArgumentError):
            chat.messages_byot("c1", {"model": "x"})
        self.assertEqual(self.server.requests, [])

    def test_completion_id_is_one_segment(self):
        chat = self.chat()
        for cid, path in (("../x", "/v1/chat/completions/..%2Fx"), ("a/b", "/v1/chat/completions/a%2Fb"),
                          ("a?b", "/v1/chat/completions/a%3Fb"), ("a#b", "/v1/chat/completions/a%23b"),
                          ("a b%", "/v1/chat/completions/a%20b%25")):
            chat.retrieve_byot(cid)
            self.assertEqual(self.last.target, path)
        for bad in ("", None, 5, ".", ".."):
            with self.assertRaises(chatlib.InvalidArgumentError, msg=bad):
                chat.retrieve_byot(bad)
            with self.assertRaises(chatlib.InvalidArgumentError):
                chat.delete_byot(bad)

    def test_extra_headers_query_and_timeout(self):
        chat = self.chat()
        chat.create_byot(REQ, extra_headers={"X-Trace": "t1", "user-agent": "mine", "Authorization": None},
                         extra_query={"debug": True, "n": 2}, timeout=5)
        r = self.last
        self.assertEqual(r.headers["x-trace"], "t1")
        self.assertEqual(r.headers["user-agent"], "mine")
        self.assertNotIn("authorization", r.headers)
        self.assertEqual(r.query, "debug=true&n=2")
        for bad in ({"extra_headers": {"X": "a\r\nb"}}, {"extra_headers": "x"}, {"extra_query": "x"},
                    {"extra_query": {"a": [1]}}, {"timeout": 0}, {"deadline": -1}):
            with self.assertRaises(chatlib.InvalidArgumentError, msg=bad):
                chat.create_byot(REQ, **bad)

    def test_custom_config_and_azure(self):
        c = chatlib.Client(CustomConfig(self.server.base), proxy=False)
        c.chat().create_byot(REQ)
        self.assertEqual(self.last.target, "/v1/custom/chat/completions?tenant=t1")
        self.assertEqual(self.last.headers["x-custom-key"], "ck")
        tokens = iter(["tok-a", "tok-b"])
        az = chatlib.AzureConfig(api_base="http://127.0.0.1:%d" % self.server.port, deployment_id="dep",
                                 api_version="2024-10-21", token_provider=lambda: next(tokens))
        self.responses.append(reply(500, {"error": {"message": "busy"}}))
        chatlib.Client(az, proxy=False, retry=chatlib.RetryPolicy(sleep=self.clock.sleep)).chat().create_byot(REQ)
        a, b = self.server.requests[-2:]
        self.assertEqual(a.target, "/openai/deployments/dep/chat/completions?api-version=2024-10-21")
        self.assertEqual((a.headers["authorization"], b.headers["authorization"]), ("Bearer tok-a", "Bearer tok-b"))
        az = chatlib.AzureConfig(api_base="http://127.0.0.1:%d" % self.server.port, deployment_id="dep",
                                 api_version="v1", api_key="azk")
        chatlib.Client(az, proxy=False).chat().list_byot({"limit": 1})
        self.assertEqual(self.last.target, "/openai/deployments/dep/chat/completions?api-version=v1&limit=1")
        self.assertEqual(self.last.headers["api-key"], "azk")
        self.assertNotIn("authorization", self.last.headers)

    def test_custom_config_is_checked(self):
        class Odd(CustomConfig):
            def url(self, path):
                return self.base + path + "?fixed=1"

            def headers(self):
                return {"X-Bad": "line\r\nbreak"}
        with self.assertRaises(chatlib.InvalidArgumentError) as cm:
            chatlib.Client(Odd(self.server.base), proxy=False).chat().create_byot(REQ)
        self.assertIn("Odd.headers()", str(cm.exception))
        self.assertEqual(self.server.requests, [])
        Odd.headers = lambda self: {}
        chatlib.Client(Odd(self.server.base), proxy=False).chat().list_byot({"limit": 2})
        self.assertEqual(self.last.target, "/v1/chat/completions?fixed=1&tenant=t1&limit=2")

    def test_token_provider_errors_are_not_retried(self):
        calls = []

        def provider():
            calls.append(1)
            raise KeyError("vault down")
        az = chatlib.AzureConfig(api_base=self.server.base, deployment_id="d", api_version="v",
                                 token_provider=provider)
        with self.assertRaises(KeyError):
            chatlib.Client(az, proxy=False).chat().create_byot(REQ)
        self.assertEqual(len(calls), 1)
        self.assertEqual(self.server.requests, [])

    def test_with_response_metadata(self):
        self.responses.append(reply(200, COMPLETION, {"x-request-id": "req_42", "openai-processing-ms": "12"}))
        r = self.chat().with_response.create_byot(REQ)
        self.assertEqual(r.data, COMPLETION)
        self.assertEqual((r.status_code, r.request_id), (200, "req_42"))
        self.assertEqual(r.headers["openai-processing-ms"], "12")
        self.assertEqual(r.info.retries, 0)
        self.responses.append(sse(chunk("a")))
        s = self.chat().create_stream_byot(SREQ)
        self.assertEqual((s.response.status_code, s.response.request_id), (200, "req_stream"))
        s.close()

    def test_non_json_success_body(self):
        self.responses.append(reply(200, "<html>proxy page</html>", {"Content-Type": "text/html"}))
        with self.assertRaises(chatlib.JSONDeserializeError) as cm:
            self.chat().create_byot(REQ)
        self.assertEqual(cm.exception.text, "<html>proxy page</html>")

    def test_compressed_body_is_an_error(self):
        self.responses.append(reply(200, b"\x1f\x8b garbage", {"Content-Encoding": "gzip"}))
        with self.assertRaises(chatlib.APIError) as cm:
            self.chat().create_byot(REQ)
        self.assertIn("gzip", str(cm.exception))


# ---------------------------------------------------------------- errors

class ErrorTest(ServerTest):
    def err(self, status, body, headers=None, **kw):
        self.responses.append(reply(status, body, dict({"x-request-id": "req_err"}, **(headers or {}))))
        with self.assertRaises(chatlib.APIStatusError) as cm:
            self.chat(max_retries=0, retry=None, **kw).create_byot(REQ)
        return cm.exception

    def test_classes_by_status(self):
        for status, cls in ((400, chatlib.BadRequestError), (401, chatlib.AuthenticationError),
                            (403, chatlib.PermissionDeniedError), (404, chatlib.NotFoundError),
                            (409, chatlib.ConflictError), (422, chatlib.UnprocessableEntityError),
                            (429, chatlib.RateLimitError), (500, chatlib.InternalServerError),
                            (503, chatlib.InternalServerError), (418, chatlib.APIStatusError)):
            e = self.err(status, {"error": {"message": "m%d" % status, "type": "t", "param": "p", "code": "c"}})
            self.assertIs(type(e), cls)
            self.assertEqual((e.status_code, e.message, e.type, e.param, e.code, e.request_id),
                             (status, "m%d" % status, "t", "p", "c", "req_err"))
            self.assertIsInstance(e, chatlib.APIError)
            self.assertIsInstance(e, chatlib.OpenAIError)

    def test_str_is_one_readable_line(self):
        e = self.err(429, {"error": {"message": "Rate limit\nreached", "type": "requests", "code": "rate_limit_exceeded"}})
        self.assertEqual(str(e), "429 RateLimitError: Rate limit reached (type=requests, code=rate_limit_exceeded, "
                                 "request_id=req_err, POST /v1/chat/completions)")

    def test_errors_point_at_the_fix(self):
        server = "http://127.0.0.1:%d" % self.server.port
        self.responses.append(reply(404, {"detail": "Not Found"}))
        with self.assertRaises(chatlib.NotFoundError) as cm:
            chatlib.Client(chatlib.OpenAIConfig(api_key="sk-test-key-123456", base_url=server), proxy=False,
                           max_retries=0).chat().retrieve_byot("c1")
        self.assertIn("GET /chat/completions/c1", str(cm.exception))
        self.assertIn("does the base URL need /v1? it is %s" % server, str(cm.exception))
        e = self.err(404, {"error": {"message": "no such model"}})
        self.assertNotIn("/v1?", str(e))  # the base URL has its version
        self.responses.append(reply(401, {"error": {"message": "You didn't provide an API key."}}))
        with self.assertRaises(chatlib.AuthenticationError) as cm:
            self.chat(key="").create_byot(REQ)
        self.assertIn("no API key was sent: set OPENAI_API_KEY", str(cm.exception))

    def test_every_error_pickles_and_copies(self):
        import copy
        import pickle
        e = self.err(429, {"error": {"message": "slow", "type": "requests", "code": "rate_limit_exceeded"}},
                     {"Retry-After": "2"})
        errors = [e, chatlib.APIError("m", type="t", param="p", code="c", body={"a": 1}),
                  chatlib.APIConnectionError("down"), chatlib.APITimeoutError("late"), chatlib.StreamError("cut"),
                  chatlib.JSONDeserializeError("bad", "{x"), chatlib.InvalidArgumentError("no"),
                  chatlib.RefusalError("I can't", {"id": "c"}), chatlib.IncompleteOutputError("length", {"id": "c"})]
        for err in errors:
            for twin in (pickle.loads(pickle.dumps(err)), copy.copy(err), copy.deepcopy(err)):
                self.assertIs(type(twin), type(err))
                self.assertEqual(str(twin), str(err))
                self.assertEqual({k: v for k, v in vars(twin).items() if k != "headers"},
                                 {k: v for k, v in vars(err).items() if k != "headers"})
        twin = pickle.loads(pickle.dumps(e))
        self.assertEqual((twin.status_code, twin.headers.get("retry-after"), twin.request_id), (429, "2", "req_err"))

    def test_non_json_and_empty_bodies(self):
        e = self.err(502, "<html><body>Bad Gateway</body></html>", {"Content-Type": "text/html"})
        self.assertIs(type(e), chatlib.InternalServerError)
        self.assertEqual(e.body, "<html><body>Bad Gateway</body></html>")
        self.assertIn("Bad Gateway", str(e))
        e = self.err(401, "")
        self.assertIs(type(e), chatlib.AuthenticationError)
        self.assertIn("empty body", str(e))
        e = self.err(400, {"error": "plain string error"})
        self.assertEqual(e.message, "plain string error")
        e = self.err(400, {"detail": "vLLM style"})
        self.assertEqual(e.body, {"detail": "vLLM style"})
        self.assertIn("vLLM style", str(e))

    def test_error_never_shows_the_key(self):
        key = "sk-test-key-123456"
        e = self.err(401, {"error": {"message": "Incorrect API key provided: %s." % key}})
        self.assertNotIn(key, str(e))
        self.assertNotIn(key, repr(e.body))
        self.assertIn("***", str(e))

    def test_invalid_argument_is_a_value_error(self):
        self.assertTrue(issubclass(chatlib.InvalidArgumentError, ValueError))
        self.assertTrue(issubclass(chatlib.APITimeoutError, chatlib.APIConnectionError))
        self.assertTrue(issubclass(chatlib.StreamError, chatlib.APIError))
        self.assertTrue(issubclass(chatlib.JSONDeserializeError, chatlib.OpenAIError))

    def test_connection_refused(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        c = chatlib.Client(chatlib.OpenAIConfig(api_key="k", api_base="http://127.0.0.1:%d/v1" % port),
                           proxy=False, max_retries=0)
        with self.assertRaises(chatlib.APIConnectionError) as cm:
            c.chat().create_byot(REQ)
        self.assertNotIsInstance(cm.exception, chatlib.APITimeoutError)
        self.assertIn("127.0.0.1:%d" % port, str(cm.exception))


# ---------------------------------------------------------------- retries

class RetryTest(ServerTest):
    def test_retries_on_5xx_then_succeeds(self):
        self.responses += [reply(500, {"error": {"message": "a"}}), reply(503, "busy"), reply(200, COMPLETION)]
        r = self.chat().with_response.create_byot(REQ)
        self.assertEqual(r.data, COMPLETION)
        self.assertEqual(r.info.retries, 2)
        self.assertEqual(len(self.server.requests), 3)
        self.assertEqual(self.clock.sleeps, [0.5, 1.0])

    def test_gives_up_after_max_retries(self):
        self.responses += [reply(500, "x")] * 5
        with self.assertRaises(chatlib.InternalServerError):
            self.chat().create_byot(REQ)
        self.assertEqual(len(self.server.requests), 3)

    def test_retryable_statuses(self):
        for status, retried in ((408, True), (409, True), (429, True), (500, True), (599, True), (400, False),
                                (401, False), (403, False), (404, False), (422, False)):
            self.server.requests.clear()
            self.responses[:] = [reply(status, "x"), reply(200, COMPLETION)]
            try:
                self.chat().create_byot(REQ)
                ok = True
            except chatlib.APIStatusError:
                ok = False
            self.assertEqual(ok, retried, status)
            self.assertEqual(len(self.server.requests), 2 if retried else 1, status)

    def test_insufficient_quota_is_not_retried(self):
        self.responses += [reply(429, {"error": {"message": "quota", "type": "insufficient_quota",
                                                 "code": "insufficient_quota"}})]
        with self.assertRaises(chatlib.RateLimitError) as cm:
            self.chat().create_byot(REQ)
        self.assertEqual(cm.exception.code, "insufficient_quota")
        self.assertEqual(len(self.server.requests), 1)

    def test_x_should_retry_overrides(self):
        self.responses += [reply(400, "x", {"x-should-retry": "true"}), reply(200, COMPLETION)]
        self.chat().create_byot(REQ)
        self.assertEqual(len(self.server.requests), 2)
        self.server.requests.clear()
        self.responses += [reply(500, "x", {"x-should-retry": "false"})]
        with self.assertRaises(chatlib.InternalServerError):
            self.chat().create_byot(REQ)
        self.assertEqual(len(self.server.requests), 1)

    def test_retry_after_forms(self):
        date = email.utils.formatdate(time.time() + 30, usegmt=True)
        for headers, expected in (({"retry-after-ms": "1500"}, 1.5), ({"Retry-After": "7"}, 7.0),
                                  ({"Retry-After": "0.25"}, 0.25), ({"Retry-After": date}, 30.0),
                                  ({"Retry-After": "soon"}, 0.5)):
            self.clock.sleeps.clear()
            self.responses[:] = [reply(429, "x", headers), reply(200, COMPLETION)]
            self.chat().create_byot(REQ)
            self.assertEqual(len(self.clock.sleeps), 1)
            self.assertAlmostEqual(self.clock.sleeps[0], expected, delta=2.0 if "GMT" in str(headers) else 0.001)

    def test_long_retry_after_raises_at_once(self):
        self.responses += [reply(429, {"error": {"message": "slow down"}}, {"Retry-After": "120"})]
        with self.assertRaises(chatlib.RateLimitError):
            self.chat().create_byot(REQ)
        self.assertEqual(self.clock.sleeps, [])
        self.assertEqual(len(self.server.requests), 1)

    def test_backoff_grows_and_is_capped_with_jitter(self):
        p = chatlib.RetryPolicy(max_retries=8, random=lambda: 1.0)
        self.assertEqual([p.delay(i, {}) for i in range(6)], [0.375, 0.75, 1.5, 3.0, 6.0, 6.0])
        p = chatlib.RetryPolicy(random=lambda: 0.0, initial_delay=1, max_delay=3)
        self.assertEqual([p.delay(i, {}) for i in range(4)], [1.0, 2.0, 3.0, 3.0])
        p = chatlib.RetryPolicy()  # the real random source stays inside its bounds
        for i in range(50):
            self.assertTrue(0.375 <= p.delay(0, {}) <= 0.5)

    def test_no_retries(self):
        self.responses += [reply(500, "x"), reply(200, COMPLETION)]
        with self.assertRaises(chatlib.InternalServerError):
            self.chat(retry=chatlib.RetryPolicy(max_retries=0, sleep=self.clock.sleep)).create_byot(REQ)
        self.assertEqual(len(self.server.requests), 1)

    def test_connection_failures_are_retried(self):
        self.responses += [Raw(reset=True), Raw(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{", close=True),
                           reply(200, COMPLETION)]
        self.assertEqual(self.chat().create_byot(REQ), COMPLETION)
        self.assertEqual(len(self.server.requests), 3)
        self.assertEqual(len(self.clock.sleeps), 2)

    def test_timeouts_are_retried_and_raise_api_timeout(self):
        gate = threading.Event()
        self.addCleanup(gate.set)
        self.responses += [Raw(gate)] * 3
        with self.assertRaises(chatlib.APITimeoutError) as cm:
            self.chat(timeout=0.2).create_byot(REQ)
        self.assertIn("timeout", str(cm.exception))
        self.assertEqual(len(self.server.requests), 3)

    def test_user_exceptions_are_not_retried(self):
        class Boom(Exception):
            pass

        def sleep(_):
            raise Boom()
        self.responses += [reply(500, "x"), reply(200, COMPLETION)]
        with self.assertRaises(Boom):
            self.chat(retry=chatlib.RetryPolicy(sleep=sleep)).create_byot(REQ)
        self.assertEqual(len(self.server.requests), 1)

    def test_deadline_stops_retries(self):
        self.responses += [reply(500, "x", {"Retry-After": "5"})] * 5
        with self.assertRaises(chatlib.InternalServerError):
            self.chat(deadline=8).create_byot(REQ)
        self.assertEqual(len(self.server.requests), 2)  # 5 s, then another 5 s would pass the deadline
        self.assertEqual(self.clock.sleeps, [5.0])


# ---------------------------------------------------------------- redirects

class RedirectTest(ServerTest):
    def setUp(self):
        super().setUp()
        self.other = Server(lambda req: reply(200, {"other": True, "auth": req.headers.get("authorization"),
                                                     "method": req.method, "body": req.body.decode()}))
        self.addCleanup(self.other.close)

    def test_307_and_308_keep_method_and_body(self):
        for code in (307, 308):
            self.responses[:] = [reply(code, "", {"Location": "/v1/moved"}), reply(200, COMPLETION)]
            self.assertEqual(self.chat().create_byot(REQ), COMPLETION)
            moved = self.last
            self.assertEqual((moved.method, moved.path), ("POST", "/v1/moved"))
            self.assertEqual(moved.json(), REQ)
            self.assertEqual(moved.headers["authorization"], "Bearer sk-test-key-123456")

    def test_credentials_never_go_to_another_origin(self):
        self.responses.append(reply(307, "", {"Location": self.other.base + "/chat/completions"}))
        out = self.chat().create_byot(REQ)
        self.assertTrue(out["other"])
        self.assertIsNone(out["auth"])
        self.assertEqual(json.loads(out["body"]), REQ)
        self.responses.append(reply(302, "", {"Location": self.other.base + "/x"}))
        out = self.chat().retrieve_byot("c1")
        self.assertEqual((out["method"], out["auth"]), ("GET", None))

    def test_post_to_get_rewrite_is_refused(self):
        for code in (301, 302, 303):
            self.responses[:] = [reply(code, "moved", {"Location": "/v1/elsewhere"})]
            with self.assertRaises(chatlib.APIStatusError) as cm:
                self.chat().create_byot(REQ)
            self.assertEqual(cm.exception.status_code, code)
            self.assertIn("GET", str(cm.exception))

    def test_get_redirects_are_followed(self):
        self.responses += [reply(301, "", {"Location": "/v1/new-place"}), reply(200, {"id": "c1"})]
        self.assertEqual(self.chat().retrieve_byot("c1"), {"id": "c1"})
        self.assertEqual(self.last.path, "/v1/new-place")

    def test_bad_redirects(self):
        for location in ("file:///etc/passwd", "ftp://127.0.0.1/x", ""):
            self.responses[:] = [reply(307, "", {"Location": location} if location else {})]
            with self.assertRaises(chatlib.APIStatusError):
                self.chat().create_byot(REQ)
        self.responses[:] = [reply(307, "", {"Location": "/v1/loop"})] * 20
        with self.assertRaises(chatlib.APIStatusError) as cm:
            self.chat().create_byot(REQ)
        self.assertIn("redirects", str(cm.exception))

    def test_https_to_http_is_never_followed(self):
        tls = TLSFixture()
        self.addCleanup(tls.close)
        tls.responses.append(reply(307, "", {"Location": self.other.base + "/x"}))
        c = chatlib.Client(chatlib.OpenAIConfig(api_key="k", api_base=tls.server.base), proxy=False,
                           ssl_context=tls.client_context, max_retries=0)
        with self.assertRaises(chatlib.APIStatusError) as cm:
            c.chat().create_byot(REQ)
        self.assertIn("https to plain http", str(cm.exception))
        self.assertEqual(self.other.requests, [])


# ---------------------------------------------------------------- TLS

# A test CA and a certificate it signed for 127.0.0.1 and localhost, valid until 2126; made for these
# tests alone with openssl (P-256 keys).  The key protects nothing.
TEST_CA = """-----BEGIN CERTIFICATE-----
MIIBezCCASCgAwIBAgIUWS9Nn/YwkAIJc38SOYOF8RyjkQIwCgYIKoZIzj0EAwIw
GjEYMBYGA1UEAwwPY2hhdGxpYiB0ZXN0IENBMCAXDTI2MTEyNjIwMTQyMloYDzIx
MjYxMTAyMjAxNDIyWjAaMRgwFgYDVQQDDA9jaGF0bGliIHRlc3QgQ0EwWTATBgcq
hkjOPQIBBggqhkjOPQMBBwNCAASDan1Yrw7XOtUW5nxA5AccFCK4WFf3ebbDMpQS
sCAJJtS2jvqdXxYXAGk2A31singewsL7Rq5Zp8CJY3KxIJlAo0IwQDAPBgNVHRMB
Af8EBTADAQH/MA4GA1UdDwEB/wQEAwIBBjAdBgNVHQ4EFgQUa3g1V6QiJ1sxgN1P
SJXJXkhB0BcwCgYIKoZIzj0EAwIDSQAwRgIhAKzSyecW8IziuY26jPSWzS/6BldB
zyTmZj7hHerkwctYAiEAismPit2MkT8mL3uNJkI7a4h7pJRqDE46wHJzPpmBBaQ=
-----END CERTIFICATE-----
"""
TEST_CERT = """-----BEGIN CERTIFICATE-----
MIIBxTCCAWugAwIBAgIUe4rtftAZV8lyQmynSvp/y3N9ebQwCgYIKoZIzj0EAwIw
GjEYMBYGA1UEAwwPY2hhdGxpYiB0ZXN0IENBMCAXDTI2MTEyNjIwMTQyMloYDzIx
MjYxMTAyMjAxNDIyWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAAQXkW3a86wgMrQYZd4rHHmxgmVrktDhvbLzrhKAL6D4pIYv
pAQBHY3Htr0IUWNg3p29elr5wYXvflL8XuxLltEFo4GSMIGPMAwGA1UdEwEB/wQC
MAAwDgYDVR0PAQH/BAQDAgWgMBMGA1UdJQQMMAoGCCsGAQUFBwMBMBoGA1UdEQQT
MBGHBH8AAAGCCWxvY2FsaG9zdDAdBgNVHQ4EFgQUW61Uvo+pzUDKb0hnSY3L9eOn
P/8wHwYDVR0jBBgwFoAUa3g1V6QiJ1sxgN1PSJXJXkhB0BcwCgYIKoZIzj0EAwID
SAAwRQIgdMhK4IWjEvdHNIXaVJHOF77zNewa0IvACWB5oY4EeD8CIQCqJwT78CsJ
T6MpBiJ7OQvi4Sg2C5vMiQR9Evq+86oiPg==
-----END CERTIFICATE-----
"""
TEST_KEY = """-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgdhHDXubtbMJDxNH6
1aFOu4JMU582No/HAsYaBRhfhhahRANCAAQXkW3a86wgMrQYZd4rHHmxgmVrktDh
vbLzrhKAL6D4pIYvpAQBHY3Htr0IUWNg3p29elr5wYXvflL8XuxLltEF
-----END PRIVATE KEY-----
"""


class TLSFixture:
    """An HTTPS loopback server with the test certificate, and a client context that trusts it."""

    def __init__(self, handler=None, host="127.0.0.1"):
        self.responses = []
        self.dir = tempfile.mkdtemp()
        cert, key = os.path.join(self.dir, "cert.pem"), os.path.join(self.dir, "key.pem")
        with open(cert, "w") as f:
            f.write(TEST_CERT)
        with open(key, "w") as f:
            f.write(TEST_KEY)
        server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_ctx.load_cert_chain(cert, key)
        self.server = Server(handler or self.handle, tls=server_ctx, host=host)
        self.client_context = ssl.create_default_context(cadata=TEST_CA)

    def handle(self, req):
        return self.responses.pop(0) if self.responses else reply(200, COMPLETION)

    def close(self):
        self.server.close()
        for name in os.listdir(self.dir):
            os.remove(os.path.join(self.dir, name))
        os.rmdir(self.dir)


class TransportUnitTest(unittest.TestCase):
    """The transport's plain parts, without a server: the redirect decision, the pool and the
    idle check."""

    ORIGIN = chatlib._origin("https://api.example/v1/chat/completions")
    SECRETS = frozenset(("authorization", "openai-organization"))

    def decide(self, code, location, method="GET", url="https://api.example/v1/chat/completions", redirects=0):
        headers = {"Authorization": "Bearer k", "OpenAI-Organization": "org", "Host": "api.example",
                   "Content-Type": "application/json", "Content-Length": "2", "X-Keep": "1"}
        return chatlib._redirect(code, location, url, method, headers, b"{}", self.ORIGIN, self.SECRETS, redirects)

    def test_redirects_followed(self):
        url, method, headers, data = self.decide(307, "/v2/chat/completions", method="POST")
        self.assertEqual((url, method, data), ("https://api.example/v2/chat/completions", "POST", b"{}"))
        self.assertEqual(set(headers), {"Authorization", "OpenAI-Organization", "Content-Type", "Content-Length", "X-Keep"})
        url, method, headers, data = self.decide(302, "https://other.example/x")
        self.assertEqual((url, method, data), ("https://other.example/x", "GET", None))
        self.assertEqual(set(headers), {"X-Keep"})  # credentials and the body's headers stay behind

    def test_redirects_refused(self):
        for code, location, method, why in [
                (302, None, "GET", "no Location"), (302, "http://api.example/x", "GET", "https to plain http"),
                (301, "/x", "POST", "turn the call into a GET"), (308, "ftp://h/x", "POST", "not an http"),
                (307, "/a b", "GET", "not a valid URL"), (307, "http://[::1/x", "GET", "not a valid URL")]:
            with self.assertRaisesRegex(chatlib._Refused, why):
                self.decide(code, location, method)
        with self.assertRaisesRegex(chatlib._Refused, "more than 10"):
            self.decide(307, "/x", redirects=10)

    class Conn:
        def __init__(self, sock):
            self.sock, self.closed = sock, False

        def close(self):
            self.closed = True

    def test_still_open(self):
        a, b = socket.socketpair()
        try:
            conn = self.Conn(a)
            self.assertTrue(chatlib._still_open(conn))
            b.sendall(b"x")  # a server that speaks unasked is not trusted with another request
            self.assertFalse(chatlib._still_open(conn))
            a.recv(1)
            self.assertTrue(chatlib._still_open(conn))
            b.close()  # the server closed the idle connection
            self.assertFalse(chatlib._still_open(conn))
            self.assertFalse(chatlib._still_open(self.Conn(None)))
        finally:
            a.close()
            b.close()

    def test_last_chunk_as_http_client_reads_it(self):
        for line in (b"0", b"00", b"0;name=value", b" 0 \r", b"0x0"):
            self.assertTrue(chatlib._last_chunk(line), line)
        for line in (b"1", b"1a;x", b"", b"zz", b";0"):
            self.assertFalse(chatlib._last_chunk(line), line)

    def test_pool(self):
        pairs = [socket.socketpair() for _ in range(3)]
        try:
            pool = chatlib._Pool(2)
            conns = [self.Conn(a) for a, _ in pairs]
            for c in conns:
                pool.put("k", c)
            self.assertEqual([c.closed for c in conns], [False, False, True])  # past the size: closed
            pairs[1][1].close()  # the newest idle one was closed by its server
            self.assertIs(pool.get("k"), conns[0])
            self.assertTrue(conns[1].closed)
            self.assertIsNone(pool.get("k"))
            self.assertIsNone(pool.get("other"))
            pool.put("k", conns[0])
            pool.close()
            self.assertTrue(conns[0].closed)
            none = chatlib._Pool(0)
            c = self.Conn(pairs[2][0])
            none.put("k", c)
            self.assertTrue(c.closed)
        finally:
            for a, b in pairs:
                a.close()
                b.close()


class TLSTest(unittest.TestCase):
    def setUp(self):
        self.tls = TLSFixture()
        self.addCleanup(self.tls.close)

    def test_trusted_through_ssl_context(self):
        c = chatlib.Client(chatlib.OpenAIConfig(api_key="k", api_base=self.tls.server.base), proxy=False,
                           ssl_context=self.tls.client_context)
        self.addCleanup(c.close)
        self.assertEqual(c.chat().create_byot(REQ), COMPLETION)
        self.tls.responses.append(sse(chunk("a"), chunk("b")))
        self.assertEqual([x["choices"][0]["delta"]["content"] for x in c.chat().create_stream_byot(SREQ)],
                         ["a", "b"])
        c.chat().create_byot(REQ)
        self.assertEqual(self.tls.server.connections, 1)  # TLS connections are reused too

    def test_untrusted_certificate_fails_before_sending(self):
        c = chatlib.Client(chatlib.OpenAIConfig(api_key="k", api_base=self.tls.server.base), proxy=False,
                           max_retries=0, ssl_context=ssl.create_default_context())
        with self.assertRaises(chatlib.APIConnectionError) as cm:
            c.chat().create_byot(REQ)
        self.assertIn("certificate", str(cm.exception))
        self.assertEqual(self.tls.server.requests, [])

    def test_hostname_is_checked(self):
        try:
            other = TLSFixture(host="127.0.0.2")  # a loopback address the certificate does not name
        except OSError:
            self.skipTest("this system has no 127.0.0.2")
        self.addCleanup(other.close)
        c = chatlib.Client(chatlib.OpenAIConfig(api_key="k", api_base=other.server.base), proxy=False,
                           max_retries=0, ssl_context=other.client_context)
        with self.assertRaises(chatlib.APIConnectionError) as cm:
            c.chat().create_byot(REQ)
        self.assertIn("certificate", str(cm.exception))
        self.assertIn("127.0.0.2", str(cm.exception))
        self.assertEqual(other.server.requests, [])


# ---------------------------------------------------------------- server-sent events

def events(data, splits=None, **kw):
    if splits is None:
        pieces = [data]
    else:
        pieces, last = [], 0
        for s in splits + [len(data)]:
            pieces.append(data[last:s])
            last = s
    return [(e.event, e.data, e.id, e.retry) for e in chatlib.iter_sse(pieces, **kw)]


class StreamCoreUnitTest(unittest.TestCase):
    """What an async stream's reader asks before it reads: whether a read would wait."""

    class PendingTLS(socket.socket):
        """A socket that says, as an ssl.SSLSocket does, that TLS holds decrypted data."""

        def pending(self):
            return 5

    def core(self, held, sock):
        conn = types.SimpleNamespace(sock=sock)
        fp = types.SimpleNamespace(peek=lambda n: held)
        resp = types.SimpleNamespace(chunked=True, chunk_left=0, fp=fp, chatlib_release=(None, None, conn))
        return chatlib._StreamCore(resp, None, 10.0, None, None, in_worker=True)

    def test_part_of_a_size_line_with_the_rest_held_by_tls(self):
        # The rest of the line was decrypted with the record before it, so the socket is not
        # readable: watching it would wait for the server's next record, maybe forever.  Only a
        # read can tell whether the line completes, so the read goes where it may wait.
        a, b = socket.socketpair()
        sock = self.PendingTLS(a.family, a.type, fileno=a.detach())
        self.addCleanup(sock.close)
        self.addCleanup(b.close)
        core = self.core(b"\r\n1", sock)
        self.assertFalse(core.buffered())
        self.assertTrue(core.may_wait)
        core = self.core(b"\r\n1a\r\nd", sock)  # a whole size line and a byte: a read returns
        self.assertTrue(core.buffered())
        self.assertFalse(core.may_wait)

    def test_part_of_a_size_line_alone(self):
        a, b = socket.socketpair()
        self.addCleanup(a.close)
        self.addCleanup(b.close)
        core = self.core(b"\r\n1", a)
        self.assertFalse(core.buffered())  # nothing more has come: the socket's readiness tells
        self.assertFalse(core.may_wait)
        b.sendall(b"a\r\nd")  # the rest, peeked at on the socket
        self.assertTrue(core.buffered())
        b.sendall(b"more")
        core = self.core(b"\r\n1", a)
        a.recv(100)
        b.sendall(b"a")  # more of the line, still not its end: a read may wait
        self.assertFalse(core.buffered())
        self.assertTrue(core.may_wait)


class SSETest(unittest.TestCase):
    STREAM = (b"\xef\xbb\xbf: comment\r\n"
              b"event: update\r\nid: 7\r\ndata: first\r\ndata:  second\r\n\r\n"
              b"retry: 1500\rdata:third\r\r"
              b"data\n\n"
              b"id\nevent: only-event\n\n"
              b"data: {\"k\": \"\xc3\xa9\"}\n\n"
              b"data: unfinished")
    EXPECTED = [("update", "first\n second", "7", None), ("message", "third", "7", 1500),
                ("message", "", "7", 1500), ("message", '{"k": "\u00e9"}', "", 1500)]

    def test_rules(self):
        self.assertEqual(events(self.STREAM), self.EXPECTED)

    def test_every_split_position(self):
        for i in range(len(self.STREAM) + 1):
            self.assertEqual(events(self.STREAM, [i]), self.EXPECTED, i)
        for i in range(0, len(self.STREAM), 3):
            self.assertEqual(events(self.STREAM, [i, i + 1, i + 2]), self.EXPECTED, i)
        byte_by_byte = [self.STREAM[i:i + 1] for i in range(len(self.STREAM))]
        self.assertEqual([(e.event, e.data, e.id, e.retry) for e in chatlib.iter_sse(byte_by_byte)],
                         self.EXPECTED)

    def test_line_endings(self):
        for nl in (b"\n", b"\r\n", b"\r"):
            self.assertEqual(events(b"data: a" + nl + b"data: b" + nl + nl), [("message", "a\nb", "", None)])

    def test_crlf_split_between_chunks_is_one_line_end(self):
        self.assertEqual(events(b"data: a\r\n\r\ndata: b\r\n\r\n", [8]),
                         [("message", "a", "", None), ("message", "b", "", None)])

    def test_bom_only_at_start(self):
        self.assertEqual(events(b"\xef\xbb\xbfdata: x\n\n"), [("message", "x", "", None)])
        self.assertEqual(events(b"data: x\n\n\xef\xbb\xbfdata: y\n\n"), [("message", "x", "", None)])

    def test_fields_and_ids(self):
        self.assertEqual(events(b"id: a\0b\ndata: x\n\nretry: 1x\ndata: y\n\nfoo: bar\ndata: z\n\n"),
                         [("message", "x", "", None), ("message", "y", "", None), ("message", "z", "", None)])
        self.assertEqual(events(b"event: e\n\ndata: x\n\n"), [("message", "x", "", None)])

    def test_event_arrives_before_the_stream_ends(self):
        def source():
            yield b"data: one\n\n"
            seen.append("after first")
            yield b"data: two\n\n"
        seen = []
        it = chatlib.iter_sse(source())
        self.assertEqual(next(it).data, "one")
        self.assertEqual(seen, [])

    def test_limits(self):
        with self.assertRaises(chatlib.StreamError):
            events(b"data: " + b"x" * 100, [10, 20, 50, 70], max_event_size=64)
        with self.assertRaises(chatlib.StreamError):
            events(b"data: aaaa\ndata: bbbb\ndata: cccc\n\n", max_event_size=10)
        self.assertEqual(len(events(b": ping\n" * 1000 + b"data: x\n\n", max_event_size=64)), 1)

    def test_json_helper(self):
        self.assertEqual(chatlib.ServerSentEvent('{"a": 1}').json(), {"a": 1})
        with self.assertRaises(chatlib.JSONDeserializeError) as cm:
            chatlib.ServerSentEvent("nope").json()
        self.assertEqual(cm.exception.text, "nope")


class StreamTest(ServerTest):
    def contents(self, stream):
        return [c["choices"][0]["delta"].get("content") for c in stream]

    def test_stream_chunks_and_done(self):
        self.responses.append(sse(chunk("Hel", role="assistant"), chunk("lo"), chunk(finish="stop")))
        s = self.chat().create_stream_byot(SREQ)
        self.assertEqual(self.contents(s), ["Hel", "lo", None])
        self.assertEqual(self.last.headers["accept"], "text/event-stream")
        self.assertEqual(self.last.json(), SREQ)

    def test_keep_alives_and_named_events_are_skipped(self):
        self.responses.append(sse(": keep-alive", "data:\n\n", "event: ping\ndata: \n\n", "retry: 10\n\n",
                                  "event: ping\ndata: {\"type\": \"ping\"}\n\n", chunk("x")))
        self.assertEqual(self.contents(self.chat().create_stream_byot(SREQ)), ["x"])

    def test_end_without_done(self):
        self.responses.append(sse(chunk("a"), chunk("b"), done=False))
        self.assertEqual(self.contents(self.chat().create_stream_byot(SREQ)), ["a", "b"])
        self.responses.append(Raw(sse_head(chunked_encoding=False), b"data: {\"choices\": []}\n\n", close=True))
        self.assertEqual(list(self.chat().create_stream_byot(SREQ)), [{"choices": []}])

    def test_events_after_done_are_not_read(self):
        self.responses.append(sse(chunk("a"), "data: [DONE]\n\n", chunk("after"), done=False))
        self.assertEqual(self.contents(self.chat().create_stream_byot(SREQ)), ["a"])

    def test_error_events(self):
        self.responses.append(sse(chunk("a"), {"error": {"message": "overloaded", "type": "server_error",
                                                         "code": "503"}}))
        s = self.chat().create_stream_byot(SREQ)
        it = iter(s)
        self.assertEqual(next(it)["choices"][0]["delta"]["content"], "a")
        with self.assertRaises(chatlib.StreamError) as cm:
            next(it)
        self.assertEqual((cm.exception.message, cm.exception.type, cm.exception.code),
                         ("overloaded", "server_error", "503"))
        self.responses.append(sse('event: error\ndata: {"message": "bad things"}\n\n'))
        with self.assertRaises(chatlib.StreamError) as cm:
            list(self.chat().create_stream_byot(SREQ))
        self.assertIn("bad things", str(cm.exception))
        self.responses.append(sse("event: error\ndata: plain text\n\n"))
        with self.assertRaises(chatlib.StreamError) as cm:
            list(self.chat().create_stream_byot(SREQ))
        self.assertIn("plain text", str(cm.exception))

    def test_not_json_event(self):
        self.responses.append(sse("data: {not json\n\n"))
        with self.assertRaises(chatlib.JSONDeserializeError) as cm:
            list(self.chat().create_stream_byot(SREQ))
        self.assertEqual(cm.exception.text, "{not json")

    def test_broken_connection_mid_stream_raises(self):
        body = b"data: " + json.dumps(chunk("a")).encode() + b"\n\n"
        cut = b"%x\r\n%s\r\n" % (len(body), body) + b"40\r\ndata: {\"cho"
        self.responses.append(Raw(sse_head(), cut, close=True))
        s = self.chat().create_stream_byot(SREQ)
        it = iter(s)
        self.assertEqual(next(it)["choices"][0]["delta"]["content"], "a")
        with self.assertRaises(chatlib.StreamError):
            next(it)
        self.responses.append(Raw(sse_head(), b"%x\r\n%s\r\n" % (len(body), body), reset=True))
        with self.assertRaises(chatlib.StreamError):
            list(self.chat().create_stream_byot(SREQ))
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: 500\r\n\r\n"
        self.responses.append(Raw(head, body, close=True))
        with self.assertRaises(chatlib.StreamError) as cm:
            list(self.chat().create_stream_byot(SREQ))
        self.assertIn("missing", str(cm.exception))

    def test_stall_mid_stream_times_out(self):
        gate = threading.Event()
        self.addCleanup(gate.set)
        body = b"data: " + json.dumps(chunk("a")).encode() + b"\n\n"
        self.responses.append(Raw(sse_head(), b"%x\r\n%s\r\n" % (len(body), body), gate))
        s = self.chat(timeout=0.3).create_stream_byot(SREQ)
        with self.assertRaises(chatlib.APITimeoutError):
            list(s)
        self.assertEqual(len(self.server.requests), 1)  # a stream that started is never retried

    def test_each_event_arrives_at_once(self):
        gate = threading.Event()
        self.addCleanup(gate.set)
        one = b"data: " + json.dumps(chunk("first")).encode() + b"\n\n"
        two = b"data: " + json.dumps(chunk("second")).encode() + b"\n\n"
        self.responses.append(Raw(sse_head(), b"%x\r\n%s\r\n" % (len(one), one), gate,
                                  chunked([two, b"data: [DONE]\n\n"]), close=False))
        s = self.chat(timeout=WAIT).create_stream_byot(SREQ)
        it = iter(s)
        self.assertEqual(next(it)["choices"][0]["delta"]["content"], "first")  # the server is still waiting
        gate.set()
        self.assertEqual(next(it)["choices"][0]["delta"]["content"], "second")
        self.assertEqual(list(it), [])

    def _waiting_stream(self):
        gate = threading.Event()
        self.addCleanup(gate.set)
        closed = threading.Event()
        body = b"data: " + json.dumps(chunk("a")).encode() + b"\n\n"

        def then():
            gate.wait(WAIT)

        self.responses.append(Raw(sse_head(), b"%x\r\n%s\r\n" % (len(body), body), then, close=True))
        return gate

    def assert_closed_by_client(self):
        # Blocks on the server's side of each connection until it reads the client's close.
        with self.server.lock:
            conns = list(self.server.conns)
        self.assertTrue(conns)
        for c in conns:
            c.settimeout(WAIT)
            try:
                self.assertEqual(c.recv(1, socket.MSG_PEEK), b"", "the client sent more instead of closing")
            except socket.timeout:
                self.fail("the client did not close the connection")
            except OSError:
                pass  # reset by the client: closed too

    def test_break_closes_the_connection(self):
        self._waiting_stream()
        s = self.chat().create_stream_byot(SREQ)
        for c in s:
            break
        self.assert_closed_by_client()

    def test_close_and_with_close_the_connection(self):
        self._waiting_stream()
        with self.chat().create_stream_byot(SREQ) as s:
            next(s)
        self.assert_closed_by_client()
        self.assertEqual(list(s), [])

    def test_exception_in_loop_closes_the_connection(self):
        self._waiting_stream()
        with self.assertRaises(ZeroDivisionError):
            for c in self.chat().create_stream_byot(SREQ):
                1 / 0
        self.assert_closed_by_client()

    def test_stream_errors_before_first_byte_are_retried(self):
        self.responses += [reply(503, "busy"), Raw(reset=True), sse(chunk("ok"))]
        self.assertEqual(self.contents(self.chat().create_stream_byot(SREQ)), ["ok"])
        self.assertEqual(len(self.server.requests), 3)
        self.responses += [reply(400, {"error": {"message": "bad model"}})]
        with self.assertRaises(chatlib.BadRequestError):
            self.chat().create_stream_byot(SREQ)


# ---------------------------------------------------------------- types


MODELS = sorted((getattr(chatlib, n) for n in chatlib.__all__
                 if isinstance(getattr(chatlib, n), type) and issubclass(getattr(chatlib, n), chatlib._Model)),
                key=lambda c: c.__name__)


def without_nulls(value):
    """`value` with every null-valued key of every object dropped, as from_dict/to_dict may do."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def sample(tp, depth=0):
    """A value of type hint `tp`, with every optional field of a dataclass filled in."""
    origin = getattr(tp, "__origin__", None)
    args = getattr(tp, "__args__", ())
    if isinstance(tp, type) and issubclass(tp, chatlib._Model):
        return build(tp, depth + 1)
    if origin is list:
        return [sample(args[0], depth)]
    if origin is dict:
        return {"k": sample(args[1], depth)}
    if origin is typing.Union:
        opts = [a for a in args if a is not type(None)]
        models = [a for a in opts if isinstance(a, type) and issubclass(a, chatlib._Model)]
        return sample(models[0] if models and depth < 3 else opts[0], depth)
    if origin is typing.Literal:
        return args[0]
    return {str: "text", int: 3, float: 0.5, bool: True}.get(tp, {"any": [1, "x"]})


def build(cls, depth=0):
    hints = typing.get_type_hints(cls, vars(chatlib))
    kw = {}
    for f in dataclasses.fields(cls):
        if depth > 4 and f.default is None:
            continue
        kw[f.name] = sample(hints[f.name], depth)
    return cls(**kw)


# The spec's inline objects and the dataclass each is (as async-openai names them).
INLINE_NAMES = {
    'updateChatCompletion.requestBody': 'UpdateChatCompletionRequest',
    'CreateChatCompletionRequest.web_search_options': 'WebSearchOptions',
    'CreateChatCompletionRequest.web_search_options.user_location': 'WebSearchUserLocation',
    'CreateChatCompletionRequest.audio': 'ChatCompletionAudio',
    'CreateChatCompletionResponse.choices[]': 'ChatChoice',
    'CreateChatCompletionResponse.choices[].logprobs.anyOf[0]': 'ChatChoiceLogprobs',
    'CreateChatCompletionStreamResponse.choices[]': 'ChatChoiceStream',
    'CreateChatCompletionStreamResponse.choices[].logprobs': 'ChatChoiceLogprobs',
    'ChatCompletionMessageList.data[]': 'ChatCompletionMessageListItem',
    'ChatCompletionResponseMessage.annotations[]': 'ChatCompletionResponseMessageAnnotation',
    'ChatCompletionResponseMessage.annotations[].url_citation': 'UrlCitation',
    'ChatCompletionResponseMessage.function_call': 'FunctionCall',
    'ChatCompletionResponseMessage.audio.anyOf[0]': 'ChatCompletionResponseMessageAudio',
    'ResponseFormatJsonSchema.json_schema': 'JsonSchema',
    'VoiceIdsOrCustomVoice.anyOf[1]': 'CustomVoice',
    'ChatCompletionStreamOptions.anyOf[0]': 'ChatCompletionStreamOptions',
    'CustomToolChatCompletions.custom': 'CustomToolProperties',
    'CustomToolChatCompletions.custom.format.oneOf[0]': 'CustomToolTextFormat',
    'CustomToolChatCompletions.custom.format.oneOf[1]': 'CustomToolGrammarFormat',
    'CustomToolChatCompletions.custom.format.oneOf[1].grammar': 'CustomGrammarFormatParam',
    'ChatCompletionTokenLogprob.top_logprobs[]': 'TopLogprobs',
    'CompletionUsage.completion_tokens_details': 'CompletionTokensDetails',
    'CompletionUsage.prompt_tokens_details': 'PromptTokensDetails',
    'ChatCompletionStreamResponseDelta.function_call': 'FunctionCallStream',
    'ChatCompletionRequestMessageContentPartImage.image_url': 'ImageUrl',
    'ChatCompletionRequestAssistantMessage.audio.anyOf[0]': 'ChatCompletionRequestAssistantMessageAudio',
    'ChatCompletionRequestAssistantMessage.function_call.anyOf[0]': 'FunctionCall',
    'ChatCompletionNamedToolChoice.function': 'FunctionName',
    'ChatCompletionNamedToolChoiceCustom.custom': 'CustomName',
    'ChatCompletionMessageToolCallChunk.function': 'FunctionCallStream',
    'ChatCompletionMessageToolCall.function': 'FunctionCall',
    'ChatCompletionMessageCustomToolCall.custom': 'CustomTool',
    'ChatCompletionRequestMessageContentPartAudio.input_audio': 'InputAudio',
    'ChatCompletionRequestMessageContentPartFile.file': 'FileObject',
    'ChatCompletionStreamOptions': 'ChatCompletionStreamOptions',
}


class TypesTest(unittest.TestCase):
    def test_spec_classes_become_dataclasses_on_first_use(self):
        # Import leaves them plain (and dataclasses unimported); any use makes them dataclasses.
        code = ("import sys, chatlib; print('dataclasses' in sys.modules, "
                "'__dataclass_fields__' in vars(chatlib.ChatChoice))")
        out = subprocess.run([sys.executable, "-c", code], cwd=HERE, capture_output=True, text=True, timeout=60)
        self.assertEqual(out.stdout.split(), ["False", "False"], out.stderr)
        code = "\n".join([
            "import dataclasses, inspect, threading, chatlib",
            "r = chatlib.CreateChatCompletionResponse.from_dict({'id': 'x', 'choices': [{'index': 0}]})",
            "assert r.choices[0].index == 0 and r.model is None",
            "assert 'index' in [f.name for f in dataclasses.fields(r.choices[0])]",
            "m = chatlib.ChatCompletionRequestUserMessage(content='hi')",
            "assert (m.role, m.name) == ('user', None)",
            "assert 'content' in inspect.signature(chatlib.ChatCompletionRequestSystemMessage).parameters",
            "assert dataclasses.is_dataclass(chatlib.CompletionUsage) and not dataclasses.is_dataclass(chatlib._Model)",
            "assert dataclasses.replace(m, content='yo').content == 'yo'",
            "assert dataclasses.asdict(chatlib.FunctionName(name='f')) == {'name': 'f'}",
            "try:\n    chatlib.FunctionName(nome='f')\nexcept TypeError:\n    pass\nelse:\n    raise AssertionError",
            "errors = []",
            "def build():",
            "    try:",
            "        chatlib.ImageUrl(url='https://x/a.png')",
            "    except Exception as exc:",
            "        errors.append(exc)",
            "threads = [threading.Thread(target=build) for _ in range(8)]",
            "[t.start() for t in threads]; [t.join() for t in threads]",
            "assert not errors, errors",
            "import sys",
            "if sys.version_info >= (3, 10):",
            "    assert chatlib.FunctionName.__match_args__ == ('name',)",
            "print('ok')"])
        out = subprocess.run([sys.executable, "-c", code], cwd=HERE, capture_output=True, text=True, timeout=60)
        self.assertEqual(out.stdout.strip(), "ok", out.stderr)

    def test_every_dataclass_builds_and_round_trips(self):
        self.assertGreaterEqual(len(MODELS), 80)
        for cls in MODELS:
            obj = build(cls)
            d = obj.to_dict()
            self.assertEqual(set(d), {f.name for f in dataclasses.fields(cls)}, cls.__name__)
            back = cls.from_dict(json.loads(json.dumps(d)))
            self.assertEqual(back, obj, cls.__name__)
            self.assertEqual(back.to_dict(), d, cls.__name__)
            self.assertIn(cls.__name__ + "(", repr(obj))
            self.assertTrue(dataclasses.is_dataclass(cls))

    def test_every_schema_of_the_spec_has_its_type(self):
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shared", "openapi",
                            "chat-completions.json")
        if not os.path.exists(path):
            self.skipTest("the spec is not beside this checkout")
        with open(path) as f:
            schemas = json.load(f)["schemas"]
        inline_names = INLINE_NAMES
        self.assertEqual(len(schemas), 110)
        for name, schema in schemas.items():
            py = inline_names.get(name, name)
            self.assertTrue(hasattr(chatlib, py), "no type for %s" % name)
            props = schema.get("properties") or {}
            if name == "ChatCompletionStreamOptions":
                props = schemas["ChatCompletionStreamOptions.anyOf[0]"]["properties"]
            if props:
                fields = {f.name for f in dataclasses.fields(getattr(chatlib, py))}
                self.assertEqual(set(props) - fields, set(), name)
                hints = typing.get_type_hints(getattr(chatlib, py), vars(chatlib))
                for field, spec in props.items():
                    required = spec.get("required") and not spec.get("nullable")
                    cls = getattr(chatlib, py)
                    if required and cls._required:
                        # a required request field is a required argument, or a constant with its default
                        default = cls.__dataclass_fields__[field].default
                        self.assertTrue(default is dataclasses.MISSING or "const" in spec, (name, field))
                    self.assertIn(field, hints)

    def test_required_request_fields_are_required_arguments(self):
        with self.assertRaises(TypeError):
            chatlib.CreateChatCompletionRequest(model="m")
        with self.assertRaises(TypeError):
            chatlib.ChatCompletionRequestUserMessage()
        m = chatlib.ChatCompletionRequestUserMessage(content="hi")
        self.assertEqual(m.to_dict(), {"content": "hi", "role": "user"})
        self.assertEqual(chatlib.ChatCompletionTool(function=chatlib.FunctionObject(name="f")).to_dict(),
                         {"type": "function", "function": {"name": "f"}})

    def test_requests_send_only_what_was_set(self):
        req = chatlib.CreateChatCompletionRequest(
            model="gpt-4o", messages=[chatlib.ChatCompletionRequestSystemMessage(content="Be brief."),
                                      chatlib.ChatCompletionRequestUserMessage(content=[
                                          chatlib.ChatCompletionRequestMessageContentPartText(text="What is this?"),
                                          chatlib.ChatCompletionRequestMessageContentPartImage(
                                              image_url=chatlib.ImageUrl(url="https://x/y.png", detail="low"))])],
            temperature=0.2, stop=["END"], tool_choice="auto", response_format=chatlib.ResponseFormatJsonObject())
        self.assertEqual(req.to_dict(), {
            "model": "gpt-4o", "temperature": 0.2, "stop": ["END"], "tool_choice": "auto",
            "response_format": {"type": "json_object"},
            "messages": [{"role": "system", "content": "Be brief."},
                         {"role": "user", "content": [{"type": "text", "text": "What is this?"},
                                                      {"type": "image_url",
                                                       "image_url": {"url": "https://x/y.png", "detail": "low"}}]}]})
        self.assertEqual(chatlib.UpdateChatCompletionRequest(metadata=None).to_dict(), {"metadata": None})
        self.assertEqual(chatlib.ChatCompletionRequestFunctionMessage(name="f", content=None).to_dict(),
                         {"role": "function", "name": "f", "content": None})
        with self.assertRaises(chatlib.InvalidArgumentError) as cm:
            chatlib.ChatCompletionRequestToolMessage(content=None, tool_call_id="t").to_dict()
        self.assertIn("ChatCompletionRequestToolMessage.content", str(cm.exception))

    def test_unions_decode_by_discriminator(self):
        req = chatlib.CreateChatCompletionRequest.from_dict({
            "model": "m", "messages": [
                {"role": "developer", "content": "d"}, {"role": "system", "content": "s"},
                {"role": "user", "content": [{"type": "text", "text": "t"},
                                             {"type": "input_audio", "input_audio": {"data": "AAA", "format": "wav"}},
                                             {"type": "file", "file": {"file_id": "f1"}},
                                             {"type": "video_url", "video_url": {"url": "v"}}]},
                {"role": "assistant", "content": [{"type": "refusal", "refusal": "no"}],
                 "tool_calls": [{"id": "c", "type": "custom", "custom": {"name": "n", "input": "i"}}]},
                {"role": "tool", "tool_call_id": "c", "content": "r"}, {"role": "function", "name": "f", "content": None},
                {"role": "critic", "content": "unknown role stays a dict"}],
            "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}},
                      {"type": "custom", "custom": {"name": "g", "format": {"type": "grammar", "grammar": {
                          "definition": "start: x", "syntax": "lark"}}}}],
            "tool_choice": {"type": "function", "function": {"name": "f"}},
            "response_format": {"type": "json_schema", "json_schema": {"name": "n", "schema": {"type": "object"},
                                                                        "strict": True}},
            "stop": "END", "prediction": {"type": "content", "content": "old text"},
            "audio": {"voice": {"id": "voice_1"}, "format": "mp3"}, "function_call": "auto",
            "stream_options": {"include_usage": True}})
        kinds = [type(m).__name__ for m in req.messages]
        self.assertEqual(kinds, ["ChatCompletionRequestDeveloperMessage", "ChatCompletionRequestSystemMessage",
                                 "ChatCompletionRequestUserMessage", "ChatCompletionRequestAssistantMessage",
                                 "ChatCompletionRequestToolMessage", "ChatCompletionRequestFunctionMessage", "dict"])
        parts = req.messages[2].content
        self.assertIsInstance(parts[1], chatlib.ChatCompletionRequestMessageContentPartAudio)
        self.assertEqual(parts[1].input_audio.format, "wav")
        self.assertIsInstance(parts[2], chatlib.ChatCompletionRequestMessageContentPartFile)
        self.assertEqual(parts[3], {"type": "video_url", "video_url": {"url": "v"}})
        self.assertIsInstance(req.messages[3].content[0], chatlib.ChatCompletionRequestMessageContentPartRefusal)
        self.assertIsInstance(req.messages[3].tool_calls[0], chatlib.ChatCompletionMessageCustomToolCall)
        self.assertIsInstance(req.tools[1], chatlib.CustomToolChatCompletions)
        self.assertIsInstance(req.tools[1].custom.format, chatlib.CustomToolGrammarFormat)
        self.assertIsInstance(req.tool_choice, chatlib.ChatCompletionNamedToolChoice)
        self.assertIsInstance(req.response_format, chatlib.ResponseFormatJsonSchema)
        self.assertEqual(req.response_format.json_schema.strict, True)
        self.assertEqual((req.stop, req.function_call), ("END", "auto"))
        self.assertEqual(req.prediction.content, "old text")
        self.assertIsInstance(req.audio.voice, chatlib.CustomVoice)
        self.assertTrue(req.stream_options.include_usage)

    def test_wrong_shapes_name_the_path(self):
        for body, path in (({"choices": [{"message": "hi"}]}, "choices[0].message"),
                           ({"choices": [1, 2]}, "choices[0]"),
                           ({"choices": {"0": {}}}, "choices"),
                           ({"usage": "lots"}, "usage"),
                           ({"choices": [{"message": {"tool_calls": [{"function": []}]}}]},
                            "choices[0].message.tool_calls[0].function"),
                           ("not an object", "the body")):
            with self.assertRaises(chatlib.JSONDeserializeError, msg=path) as cm:
                chatlib.CreateChatCompletionResponse.from_dict(body)
            self.assertTrue(str(cm.exception).startswith(path + ": expected"), str(cm.exception))
        with self.assertRaises(chatlib.JSONDeserializeError) as cm:
            chatlib.CreateChatCompletionRequest.from_dict({"model": "m", "messages": [{"role": "user", "content": {"text": "x"}}]})
        self.assertIn("messages[0].content", str(cm.exception))

    def test_unknown_keys_and_values_are_kept(self):
        body = dict(COMPLETION, service_tier="on_demand", x_groq={"id": "req_01"},
                    choices=[dict(COMPLETION["choices"][0], finish_reason="eos", stop_reason=128009)])
        r = chatlib.CreateChatCompletionResponse.from_dict(body)
        self.assertEqual(r.service_tier, "on_demand")
        self.assertEqual(r.extra, {"x_groq": {"id": "req_01"}})
        self.assertEqual(r.choices[0].finish_reason, "eos")
        self.assertEqual(r.choices[0].extra["stop_reason"], 128009)
        self.assertEqual(r.to_dict(), without_nulls(body))
        r.extra["added"] = 1
        self.assertEqual(r.to_dict()["added"], 1)



TOOL_CALL_RESPONSE = {
    "id": "chatcmpl-tools", "object": "chat.completion", "created": 1700000001, "model": "gpt-4o-2024-08-06",
    "system_fingerprint": "fp_1", "service_tier": "default",
    "choices": [{"index": 0, "finish_reason": "tool_calls", "logprobs": None, "message": {
        "role": "assistant", "content": None, "refusal": None, "annotations": [],
        "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}},
            {"id": "call_2", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Oslo\"}"}}]}}],
    "usage": {"prompt_tokens": 80, "completion_tokens": 40, "total_tokens": 120,
              "prompt_tokens_details": {"cached_tokens": 64, "audio_tokens": 0},
              "completion_tokens_details": {"reasoning_tokens": 12, "audio_tokens": 0,
                                            "accepted_prediction_tokens": 1, "rejected_prediction_tokens": 2}},
}
RICH_RESPONSE = {
    "id": "chatcmpl-rich", "object": "chat.completion", "created": 1700000002, "model": "gpt-4o-audio-preview",
    "metadata": {"user": "u1"},
    "choices": [
        {"index": 0, "finish_reason": "stop", "message": {
            "role": "assistant", "content": "See https://example.com.", "refusal": None,
            "annotations": [{"type": "url_citation", "url_citation": {"start_index": 4, "end_index": 23,
                                                                      "url": "https://example.com", "title": "Ex"}}],
            "audio": {"id": "audio_1", "expires_at": 1700003600, "data": "UklGRg==", "transcript": "See..."}},
         "logprobs": {"content": [{"token": "See", "logprob": -0.1, "bytes": [83, 101, 101],
                                   "top_logprobs": [{"token": "See", "logprob": -0.1, "bytes": [83, 101, 101]},
                                                    {"token": "Look", "logprob": -2.5, "bytes": None}]}],
                      "refusal": None}},
        {"index": 1, "finish_reason": "content_filter", "logprobs": None,
         "message": {"role": "assistant", "content": None, "refusal": "I can't help with that."}}],
    "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
}
STREAM_CHUNKS = [
    {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", "system_fingerprint": "fp",
     "choices": [{"index": 0, "delta": {"role": "assistant", "content": "", "refusal": None},
                  "logprobs": None, "finish_reason": None}], "obfuscation": "ab"},
    {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
     "choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                                                        "function": {"name": "f", "arguments": ""}}]},
                  "logprobs": {"content": [{"token": "x", "logprob": -1.0, "bytes": None, "top_logprobs": []}],
                               "refusal": None}, "finish_reason": None}]},
    {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
     "choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": "{}"}}]},
                  "finish_reason": "tool_calls"}]},
    {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [],
     "usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12}},
]


class RealBodiesTest(unittest.TestCase):
    def round_trip(self, cls, body):
        obj = cls.from_dict(body)
        out = obj.to_dict()
        self.assertEqual(without_nulls(out), without_nulls(body))
        return obj

    def test_tool_calls_and_usage_details(self):
        r = self.round_trip(chatlib.CreateChatCompletionResponse, TOOL_CALL_RESPONSE)
        msg = r.choices[0].message
        self.assertEqual(r.choices[0].finish_reason, "tool_calls")
        self.assertIsNone(msg.content)
        self.assertEqual([(c.id, c.function.name, json.loads(c.function.arguments)["city"]) for c in msg.tool_calls],
                         [("call_1", "get_weather", "Paris"), ("call_2", "get_weather", "Oslo")])
        self.assertIsInstance(msg.tool_calls[0], chatlib.ChatCompletionMessageToolCall)
        u = r.usage
        self.assertEqual((u.prompt_tokens, u.completion_tokens, u.total_tokens), (80, 40, 120))
        self.assertEqual(u.prompt_tokens_details.cached_tokens, 64)
        self.assertIsInstance(u.completion_tokens_details, chatlib.CompletionTokensDetails)
        self.assertEqual((u.completion_tokens_details.reasoning_tokens,
                          u.completion_tokens_details.rejected_prediction_tokens), (12, 2))
        self.assertEqual((r.system_fingerprint, r.service_tier, r.created), ("fp_1", "default", 1700000001))

    def test_annotations_audio_logprobs_refusal(self):
        r = self.round_trip(chatlib.CreateChatCompletionResponse, RICH_RESPONSE)
        m0, m1 = r.choices[0].message, r.choices[1].message
        a = m0.annotations[0]
        self.assertIsInstance(a, chatlib.ChatCompletionResponseMessageAnnotation)
        self.assertEqual((a.type, a.url_citation.url, a.url_citation.start_index, a.url_citation.title),
                         ("url_citation", "https://example.com", 4, "Ex"))
        self.assertEqual((m0.audio.id, m0.audio.expires_at, m0.audio.transcript), ("audio_1", 1700003600, "See..."))
        lp = r.choices[0].logprobs.content[0]
        self.assertIsInstance(lp, chatlib.ChatCompletionTokenLogprob)
        self.assertEqual((lp.token, lp.logprob, lp.bytes), ("See", -0.1, [83, 101, 101]))
        self.assertEqual([t.token for t in lp.top_logprobs], ["See", "Look"])
        self.assertIsNone(lp.top_logprobs[1].bytes)
        self.assertEqual((m1.refusal, r.choices[1].finish_reason), ("I can't help with that.", "content_filter"))
        self.assertEqual(r.metadata, {"user": "u1"})

    def test_stream_chunks_with_usage_at_the_end(self):
        chunks = [self.round_trip(chatlib.CreateChatCompletionStreamResponse, c) for c in STREAM_CHUNKS]
        self.assertEqual(chunks[0].choices[0].delta.role, "assistant")
        self.assertEqual(chunks[0].obfuscation, "ab")
        tc = chunks[1].choices[0].delta.tool_calls[0]
        self.assertIsInstance(tc, chatlib.ChatCompletionMessageToolCallChunk)
        self.assertEqual((tc.index, tc.id, tc.function.name), (0, "call_1", "f"))
        self.assertIsInstance(tc.function, chatlib.FunctionCallStream)
        self.assertEqual(chunks[1].choices[0].logprobs.content[0].token, "x")
        self.assertEqual(chunks[2].choices[0].finish_reason, "tool_calls")
        self.assertEqual(chunks[3].choices, [])
        self.assertEqual(chunks[3].usage.total_tokens, 12)

    def test_list_messages_deleted(self):
        lst = self.round_trip(chatlib.ChatCompletionList, {
            "object": "list", "data": [TOOL_CALL_RESPONSE, COMPLETION], "first_id": "chatcmpl-tools",
            "last_id": "chatcmpl-1", "has_more": True})
        self.assertEqual([d.id for d in lst.data], ["chatcmpl-tools", "chatcmpl-1"])
        self.assertTrue(lst.has_more)
        msgs = self.round_trip(chatlib.ChatCompletionMessageList, {
            "object": "list", "first_id": "m1", "last_id": "m1", "has_more": False,
            "data": [{"id": "m1", "role": "user", "content": "hi", "content_parts": [{"type": "text", "text": "hi"}],
                      "refusal": None, "annotations": [], "tool_calls": None}]})
        item = msgs.data[0]
        self.assertIsInstance(item, chatlib.ChatCompletionMessageListItem)
        self.assertEqual((item.id, item.role, item.content), ("m1", "user", "hi"))  # an unknown role is kept
        self.assertIsInstance(item.content_parts[0], chatlib.ChatCompletionRequestMessageContentPartText)
        d = self.round_trip(chatlib.ChatCompletionDeleted, {"object": "chat.completion.deleted", "id": "c", "deleted": True})
        self.assertTrue(d.deleted)

    def test_providers(self):
        groq = dict(COMPLETION, service_tier="on_demand", x_groq={"id": "req_01j"},
                    usage=dict(COMPLETION["usage"], queue_time=0.01, prompt_time=0.002))
        r = self.round_trip(chatlib.CreateChatCompletionResponse, groq)
        self.assertEqual((r.service_tier, r.usage.extra["queue_time"]), ("on_demand", 0.01))
        openrouter = dict(COMPLETION, provider="DeepInfra",
                          choices=[dict(COMPLETION["choices"][0], native_finish_reason="STOP")])
        r = self.round_trip(chatlib.CreateChatCompletionResponse, openrouter)
        self.assertEqual((r.extra["provider"], r.choices[0].extra["native_finish_reason"]), ("DeepInfra", "STOP"))
        vllm = dict(COMPLETION, prompt_logprobs=None, choices=[{
            "index": 0, "finish_reason": "stop", "stop_reason": None, "logprobs": None,
            "message": {"role": "assistant", "content": "4", "reasoning_content": "2+2=4", "tool_calls": []}}])
        r = self.round_trip(chatlib.CreateChatCompletionResponse, vllm)
        self.assertEqual(r.choices[0].message.extra["reasoning_content"], "2+2=4")
        azure = dict(COMPLETION, prompt_filter_results=[{"prompt_index": 0, "content_filter_results": {
            "hate": {"filtered": False, "severity": "safe"}}}],
            choices=[dict(COMPLETION["choices"][0], content_filter_results={"hate": {"filtered": False}})])
        r = self.round_trip(chatlib.CreateChatCompletionResponse, azure)
        self.assertIn("prompt_filter_results", r.extra)
        self.assertIn("content_filter_results", r.choices[0].extra)
        azure_first_chunk = {"id": "", "object": "", "created": 0, "model": "", "choices": [],
                             "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": {}}]}
        c = self.round_trip(chatlib.CreateChatCompletionStreamResponse, azure_first_chunk)
        self.assertEqual(c.choices, [])
        bare = {"id": "x", "model": "llama", "choices": [{"index": 0, "message": {"content": "hi"}}]}  # llama.cpp-ish
        r = self.round_trip(chatlib.CreateChatCompletionResponse, bare)
        self.assertEqual((r.object, r.created, r.choices[0].message.content), (None, None, "hi"))
        ollama_tool = {"id": "x", "choices": [{"index": 0, "message": {"role": "assistant", "content": "", "tool_calls": [
            {"id": "call_x", "function": {"name": "f", "arguments": "{}"}}]}}]}  # no "type", no "index"
        r = self.round_trip(chatlib.CreateChatCompletionResponse, ollama_tool)
        self.assertIsInstance(r.choices[0].message.tool_calls[0], chatlib.ChatCompletionMessageToolCall)


class ConversationTest(ServerTest):
    def test_typed_methods_over_http(self):
        chat = self.chat()
        self.responses.append(reply(200, COMPLETION))
        req = chatlib.CreateChatCompletionRequest(
            model="gpt-4o-mini", messages=[chatlib.ChatCompletionRequestUserMessage(content="Hi")], temperature=0)
        r = chat.create(req, extra_body={"top_k": 5, "guided_json": {"type": "object"}})
        self.assertIsInstance(r, chatlib.CreateChatCompletionResponse)
        self.assertEqual(r.choices[0].message.content, "Hello!")
        self.assertEqual(self.last.json(), {"model": "gpt-4o-mini", "temperature": 0, "top_k": 5,
                                            "guided_json": {"type": "object"},
                                            "messages": [{"role": "user", "content": "Hi"}]})
        self.responses.append(sse(*STREAM_CHUNKS))
        with chat.create_stream(req, extra_headers={"X-T": "1"}) as s:
            chunks = list(s)
        self.assertEqual(self.last.json()["stream"], True)
        self.assertTrue(all(isinstance(c, chatlib.CreateChatCompletionStreamResponse) for c in chunks))
        self.assertEqual(chunks[-1].usage.total_tokens, 12)
        self.responses.append(reply(200, {"object": "list", "data": [COMPLETION], "first_id": "chatcmpl-1",
                                          "last_id": "chatcmpl-1", "has_more": False}))
        page = chat.list(chatlib.ListChatCompletionsQuery(limit=5, metadata={"k": "v"}))
        self.assertEqual(page.data[0].id, "chatcmpl-1")
        self.assertEqual(self.last.query, "metadata%5Bk%5D=v&limit=5")
        chat.list({"order": "desc"})
        self.assertEqual(self.last.query, "order=desc")
        self.responses.append(reply(200, COMPLETION))
        self.assertEqual(chat.retrieve("chatcmpl-1").id, "chatcmpl-1")
        self.responses.append(reply(200, COMPLETION))
        chat.update("chatcmpl-1", chatlib.UpdateChatCompletionRequest(metadata=None))
        self.assertEqual(self.last.json(), {"metadata": None})
        self.responses.append(reply(200, {"object": "chat.completion.deleted", "id": "chatcmpl-1", "deleted": True}))
        self.assertTrue(chat.delete("chatcmpl-1").deleted)
        self.responses.append(reply(200, {"object": "list", "data": [{"id": "m", "role": "user", "content": "Hi"}],
                                          "first_id": "m", "last_id": "m", "has_more": False}))
        self.assertEqual(chat.messages("chatcmpl-1", chatlib.GetChatCompletionMessagesQuery(limit=1)).data[0].id, "m")
        self.assertEqual(self.last.query, "limit=1")
        r = chat.with_response.retrieve("chatcmpl-1")
        self.assertIsInstance(r.data, chatlib.CreateChatCompletionResponse)

    def test_typed_request_checks(self):
        chat = self.chat()
        msgs = [chatlib.ChatCompletionRequestUserMessage(content="x")]
        for bad in (chatlib.CreateChatCompletionRequest(model="", messages=msgs),
                    chatlib.CreateChatCompletionRequest(model=None, messages=msgs),
                    chatlib.CreateChatCompletionRequest(model="m", messages=[]),
                    chatlib.CreateChatCompletionRequest(model="m", messages=None),
                    chatlib.CreateChatCompletionRequest(model="m", messages=msgs, stream=True),
                    {"model": "m", "messages": []}):
            with self.assertRaises(chatlib.InvalidArgumentError, msg=repr(bad)):
                chat.create(bad)
        with self.assertRaises(chatlib.InvalidArgumentError):
            chat.create_stream(chatlib.CreateChatCompletionRequest(model="m", messages=msgs, stream=False))
        with self.assertRaises(chatlib.InvalidArgumentError):
            chat.create(chatlib.CreateChatCompletionRequest(model="m", messages=msgs), extra_body=[1])
        with self.assertRaises(chatlib.InvalidArgumentError):
            chat.update("c", {"metadata": None})
        with self.assertRaises(chatlib.InvalidArgumentError):
            chat.list(chatlib.GetChatCompletionMessagesQuery())
        self.assertEqual(self.server.requests, [])

    def test_multi_turn_tool_calling(self):
        final = dict(COMPLETION, choices=[{"index": 0, "finish_reason": "stop", "logprobs": None,
                                           "message": {"role": "assistant", "content": "Paris 18C, Oslo 4C."}}])
        self.responses += [reply(200, TOOL_CALL_RESPONSE), reply(200, final)]
        chat = self.chat()
        tools = [chatlib.ChatCompletionTool(function=chatlib.FunctionObject(
            name="get_weather", description="Weather in a city",
            parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}))]
        messages = [chatlib.ChatCompletionRequestUserMessage(content="Weather in Paris and Oslo?")]
        temps = {"Paris": "18C", "Oslo": "4C"}
        while True:
            r = chat.create(chatlib.CreateChatCompletionRequest(model="gpt-4o", messages=messages, tools=tools))
            msg = r.choices[0].message
            messages.append(msg)  # the reply goes back as it is
            if not msg.tool_calls:
                break
            for call in msg.tool_calls:
                args = json.loads(call.function.arguments)
                messages.append(chatlib.ChatCompletionRequestToolMessage(content=temps[args["city"]],
                                                                         tool_call_id=call.id))
        self.assertEqual(msg.content, "Paris 18C, Oslo 4C.")
        first, second = (q.json() for q in self.server.requests)
        tool_json = [{"type": "function", "function": {"name": "get_weather", "description": "Weather in a city",
                                                       "parameters": {"type": "object", "properties": {
                                                           "city": {"type": "string"}}, "required": ["city"]}}}]
        self.assertEqual(first, {"model": "gpt-4o", "tools": tool_json,
                                 "messages": [{"role": "user", "content": "Weather in Paris and Oslo?"}]})
        self.assertEqual(second, {"model": "gpt-4o", "tools": tool_json, "messages": [
            {"role": "user", "content": "Weather in Paris and Oslo?"},
            {"role": "assistant", "content": None, "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}},
                {"id": "call_2", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Oslo\"}"}}]},
            {"role": "tool", "content": "18C", "tool_call_id": "call_1"},
            {"role": "tool", "content": "4C", "tool_call_id": "call_2"}]})

    def test_to_request_leaves_out_response_fields(self):
        r = chatlib.CreateChatCompletionResponse.from_dict(RICH_RESPONSE)
        m = r.choices[0].message.to_request()
        self.assertIsInstance(m, chatlib.ChatCompletionRequestAssistantMessage)
        self.assertEqual(m.to_dict(), {"role": "assistant", "content": "See https://example.com.",
                                       "audio": {"id": "audio_1"}})
        vllm = chatlib.ChatCompletionResponseMessage.from_dict(
            {"role": "assistant", "content": "4", "reasoning_content": "think",
             "tool_calls": [{"id": "c1", "function": {"name": "f", "arguments": "{}"}}]})
        self.assertEqual(vllm.to_request().to_dict(), {"role": "assistant", "content": "4", "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]})


# ---------------------------------------------------------------- real networks

class TunnelProxy:
    """An HTTP proxy on 127.0.0.1: CONNECT tunnels (for https) and absolute-form requests (for
    http), both passed through to the target.  It records the first line of each request."""

    def __init__(self):
        self.lines = []
        self.heads = []  # each request's first line and headers, as the proxy saw them
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = "http://127.0.0.1:%d" % self.sock.getsockname()[1]
        self.threads = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        f = conn.makefile("rb")
        first = f.readline().decode("latin-1").strip()
        self.lines.append(first)
        head = [first.encode() + b"\r\n"]
        while True:
            h = f.readline()
            head.append(h)
            if h in (b"\r\n", b""):
                break
        self.heads.append(b"".join(head).decode("latin-1"))
        method, target, _ = first.split(" ", 2)
        if method == "CONNECT":
            host, port = target.rsplit(":", 1)
            upstream = socket.create_connection((host, int(port)))
            conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        else:
            u = urlsplit(target)
            upstream = socket.create_connection((u.hostname, u.port))
            rest = b"".join(head[1:])
            upstream.sendall(("%s %s HTTP/1.1\r\n" % (method, u.path + ("?" + u.query if u.query else ""))).encode()
                             + rest)
        def pipe(src, dst, reader=None):
            try:
                while True:
                    data = (reader.read1(65536) if reader else src.recv(65536))
                    if not data:
                        break
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                for s in (src, dst):
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
        t = threading.Thread(target=pipe, args=(upstream, conn), daemon=True)
        t.start()
        pipe(conn, upstream, reader=f)
        t.join(WAIT)
        upstream.close()
        conn.close()

    def close(self):
        self.sock.close()


def open_fds():
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return None


class NetworkTest(ServerTest):
    def test_sequential_calls_reuse_one_connection(self):
        chat = self.chat()
        for i in range(100):
            chat.create_byot(REQ)
        self.assertEqual(len(self.server.requests), 100)
        self.assertEqual(self.server.connections, 1)

    def test_threads_share_a_bounded_pool(self):
        client = self.client()
        errors = []

        def work():
            try:
                chat = client.chat()
                for _ in range(25):
                    chat.create_byot(REQ)
            except Exception as exc:  # reported below
                errors.append(exc)
        threads = [threading.Thread(target=work) for _ in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(WAIT * 3)
        self.assertEqual(errors, [])
        self.assertEqual(len(self.server.requests), 200)
        self.assertLessEqual(self.server.connections, 8)

    def test_a_request_the_server_read_is_not_sent_again_behind_the_policy(self):
        # The server answers one request per connection, then drops the connection once it has
        # read the next request on it: the answer is lost after the whole request was written,
        # so the server may be generating it.  Sending it again is the retry policy's decision.
        def handle(req):
            if req.nth > 0:
                return Raw(close=True)
            return reply(200, {"n": len(self.server.requests)})
        self.server.handler = handle
        chat = self.chat(retry=chatlib.RetryPolicy(max_retries=0))
        chat.create_byot(REQ)
        with self.assertRaises(chatlib.APIConnectionError):
            chat.create_byot(REQ)
        self.assertEqual(len(self.server.requests), 2)  # once each, never twice behind max_retries=0
        chat = self.chat(retry=chatlib.RetryPolicy(max_retries=1, sleep=self.clock.sleep, clock=self.clock.clock))
        chat.create_byot(REQ)
        r = chat.with_response.create_byot(REQ)
        self.assertEqual(r.info.retries, 1)  # counted as the retry it is

    def test_idle_connection_closed_before_reuse_is_noticed(self):
        self.server.handler = lambda req: Raw(reply(200, {"ok": 1}).items[0], close=True)
        chat = self.chat(retry=chatlib.RetryPolicy(max_retries=0))
        for i in range(5):
            self.assertEqual(chat.create_byot(REQ), {"ok": 1})
            self.server.wait_idle()  # the server has closed it before the next call
        self.assertEqual(len(self.server.requests), 5)

    def test_stream_closed_early_is_not_reused(self):
        chat = self.chat()
        self.responses.append(sse(*[chunk(str(i)) for i in range(50)]))
        with chat.create_stream_byot(SREQ) as s:
            next(s)
        chat.create_byot(REQ)
        self.assertEqual(self.server.connections, 2)
        self.responses.append(sse(chunk("a"), chunk("b")))
        self.assertEqual(len(list(chat.create_stream_byot(SREQ))), 2)
        chat.create_byot(REQ)
        self.assertEqual(self.server.connections, 2)  # a stream read to its end gives its connection back

    def test_close_and_dropped_clients_leak_no_sockets(self):
        if open_fds() is None:
            self.skipTest("no /proc/self/fd here")
        gc.collect()
        before = open_fds()
        with self.client() as c:
            c.chat().create_byot(REQ)
            self.responses.append(sse(chunk("a")))
            list(c.chat().create_stream_byot(SREQ))
        self.server.wait_idle()
        self.assertEqual(open_fds(), before)
        c = self.client()
        for _ in range(3):
            c.chat().create_byot(REQ)
        self.responses.append(sse(chunk("a"), chunk("b")))
        s = c.chat().create_stream_byot(SREQ)
        next(s)
        del c, s
        self._cleanups.clear()  # the test drops the client without closing it
        self.server.wait_idle()
        self.assertEqual(open_fds(), before)
        self.assertEqual(self.server.connections, 2)  # each client: one connection, the stream reused it

    def test_proxy_for_http_and_https(self):
        proxy = TunnelProxy()
        self.addCleanup(proxy.close)
        self.assertEqual(self.chat(proxy=proxy.url).create_byot(REQ), {"ok": True, "path": "/v1/chat/completions"})
        self.assertEqual(proxy.lines[-1], "POST %s/chat/completions HTTP/1.1" % self.server.base)
        tls = TLSFixture()
        self.addCleanup(tls.close)
        c = chatlib.Client(chatlib.OpenAIConfig(api_key="k", api_base=tls.server.base), proxy=proxy.url,
                           ssl_context=tls.client_context)
        self.addCleanup(c.close)
        self.assertEqual(c.chat().create_byot(REQ), COMPLETION)
        tls.responses.append(sse(chunk("through"), chunk("tunnel")))
        self.assertEqual([x["choices"][0]["delta"]["content"] for x in c.chat().create_stream_byot(SREQ)],
                         ["through", "tunnel"])
        c.chat().create_byot(REQ)
        self.assertEqual(tls.server.connections, 1)  # the tunnel is kept and reused
        self.assertEqual(sum(line.startswith("CONNECT") for line in proxy.lines), 1)
        self.assertTrue(proxy.lines[-1].startswith("CONNECT 127.0.0.1:%d HTTP/1." % tls.server.port), proxy.lines)

    def test_proxy_credentials_go_to_the_proxy_alone(self):
        proxy = TunnelProxy()
        self.addCleanup(proxy.close)
        url = proxy.url.replace("http://", "http://us%40er:p%3Aw@")
        basic = "Basic " + base64.b64encode(b"us@er:p:w").decode()
        tls = TLSFixture()
        self.addCleanup(tls.close)
        seen = []
        tls.server.handler = lambda req: seen.append(req.headers.get("proxy-authorization")) or reply(200, COMPLETION)
        c = chatlib.Client(chatlib.OpenAIConfig(api_key="k", api_base=tls.server.base), proxy=url,
                           ssl_context=tls.client_context)
        self.addCleanup(c.close)
        c.chat().create_byot(REQ)
        self.assertTrue(proxy.heads[-1].startswith("CONNECT "))
        self.assertIn("Proxy-Authorization: %s\r\n" % basic, proxy.heads[-1])
        self.assertEqual(seen, [None])  # never inside the tunnel, to the server
        self.chat(proxy=url).create_byot(REQ)  # plain http: the request itself goes to the proxy
        self.assertTrue(proxy.heads[-1].startswith("POST http://127.0.0.1:%d/v1/chat/completions " % self.server.port))
        self.assertIn("Proxy-Authorization: %s\r\n" % basic, proxy.heads[-1])

    def test_deadline_through_a_proxy(self):
        proxy = TunnelProxy()
        self.addCleanup(proxy.close)
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n"
        items = [head]
        for _ in range(400):
            items += [lambda: time.sleep(0.02), b" "]
        self.responses.append(Raw(*items, close=True))
        with self.assertRaises(chatlib.APITimeoutError):
            self.chat(proxy=proxy.url, timeout=5).create_byot(REQ, deadline=0.4)

    def without_proxy_environment(self):
        """Clears the proxy variables for this test; they come back after it."""
        saved = {k: os.environ.pop(k, None) for k in ("http_proxy", "HTTP_PROXY", "no_proxy", "NO_PROXY")}

        def restore():
            for k, v in saved.items():
                os.environ.pop(k, None)
                if v is not None:
                    os.environ[k] = v
        self.addCleanup(restore)

    def test_a_broken_proxy_in_the_environment_is_named(self):
        self.without_proxy_environment()
        os.environ["http_proxy"] = "http://user:pr0xy-secret@proxy.example:notaport"
        with self.assertRaises(chatlib.InvalidArgumentError) as cm:
            self.chat(proxy=None).create_byot(REQ)
        self.assertIn("http_proxy", str(cm.exception))
        self.assertNotIn("pr0xy-secret", str(cm.exception))
        self.assertEqual(self.server.requests, [])

    def test_proxy_from_the_environment_and_no_proxy(self):
        proxy = TunnelProxy()
        self.addCleanup(proxy.close)
        self.without_proxy_environment()
        os.environ["http_proxy"] = proxy.url
        self.chat(proxy=None).create_byot(REQ)
        self.assertEqual(len(proxy.lines), 1)
        os.environ["no_proxy"] = "127.0.0.1"
        self.chat(proxy=None).create_byot(REQ)
        self.assertEqual(len(proxy.lines), 1)
        self.assertEqual(len(self.server.requests), 2)


class DeadlineTest(ServerTest):
    def drip(self, first, piece, count=400):
        """A response that sends `first`, then `piece` every 20 ms, `count` times: slow but alive."""
        items = [first]
        for _ in range(count):
            items += [lambda: time.sleep(0.02), piece]
        return Raw(*items, close=True)

    def test_dripping_stream_is_cut_at_the_deadline(self):
        self.responses.append(self.drip(sse_head(chunked_encoding=False) + b"data: {}\n\n", b": still here\n"))
        s = self.chat(timeout=5).create_stream_byot(SREQ, deadline=0.4)
        t = time.monotonic()
        with self.assertRaises(chatlib.APITimeoutError) as cm:
            list(s)
        self.assertLess(time.monotonic() - t, 3)
        self.assertIn("deadline of 0.4s", str(cm.exception))

    def test_dripping_body_is_cut_at_the_deadline(self):
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n"
        self.responses.append(self.drip(head, b" "))
        t = time.monotonic()
        with self.assertRaises(chatlib.APITimeoutError) as cm:
            self.chat(timeout=5).create_byot(REQ, deadline=0.4)
        self.assertLess(time.monotonic() - t, 3)
        self.assertIn("deadline", str(cm.exception))
        self.assertEqual(len(self.server.requests), 1)  # a passed deadline is not retried

    def test_dripping_headers_are_cut_at_the_deadline(self):
        self.responses.append(self.drip(b"HTTP/1.1 200 OK\r\n", b"X-Slow: 1\r\n", count=90))
        with self.assertRaises(chatlib.APITimeoutError):
            self.chat(timeout=5, deadline=0.4).create_byot(REQ)

    def test_a_socket_timeout_at_the_deadline_is_the_deadline(self):
        # A wait's socket timeout is what is left of the deadline, so the two fall due together;
        # whichever notices first, the error says the deadline passed (here the timer never fires).
        gate = threading.Event()
        self.addCleanup(gate.set)
        self.responses.append(Raw(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{", gate))
        late = classmethod(lambda cls, seconds: cls(seconds))  # a watch whose timer never starts
        with mock.patch.object(chatlib._Watch, "with_thread_timer", late):
            with self.assertRaises(chatlib.APITimeoutError) as cm:
                self.chat(timeout=5).create_byot(REQ, deadline=0.2)
        self.assertIn("deadline of 0.2s", str(cm.exception))

    def test_deadline_leaves_fast_calls_alone(self):
        chat = self.chat(deadline=30)
        self.responses.append(sse(chunk("a")))
        self.assertEqual(len(list(chat.create_stream_byot(SREQ))), 1)
        self.assertEqual(chat.create_byot(REQ)["ok"], True)
        self.assertEqual(self.server.connections, 1)


class HostileServerTest(ServerTest):
    def chat0(self, **kw):
        return self.chat(retry=chatlib.RetryPolicy(max_retries=0), **kw)

    def test_endless_line(self):
        endless = [sse_head()] + [b"%x\r\n%s\r\n" % (65536, b"x" * 65536)] * 64
        self.responses.append(Raw(*endless, close=True))
        with self.assertRaises(chatlib.StreamError) as cm:
            list(self.chat0(max_event_size=1024 * 1024).create_stream_byot(SREQ))
        self.assertIn("max_event_size", str(cm.exception))

    def test_endless_comments_end_at_the_deadline(self):
        pieces = [sse_head()]
        for _ in range(2000):
            pieces += [chunked([b": ping\n" * 100])[:-5], lambda: time.sleep(0.002)]
        self.responses.append(Raw(*pieces, close=True))
        with self.assertRaises(chatlib.APITimeoutError):
            list(self.chat0().create_stream_byot(SREQ, deadline=0.5))

    def test_body_larger_than_the_limit(self):
        self.responses.append(reply(200, {"x": "y" * 5000}))
        with self.assertRaises(chatlib.APIError) as cm:
            self.chat0(max_body_size=1000).create_byot(REQ)
        self.assertIn("max_body_size", str(cm.exception))
        big = json.dumps({"x": "y" * 5000}).encode()
        self.responses.append(Raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", chunked([big[:3000], big[3000:]]),
                                  close=False))
        with self.assertRaises(chatlib.APIError):
            self.chat0(max_body_size=1000).create_byot(REQ)
        self.responses.append(reply(500, "e" * 5000))
        with self.assertRaises(chatlib.APIError):
            self.chat0(max_body_size=1000).create_byot(REQ)

    def test_ten_thousand_headers(self):
        headers = b"".join(b"X-H%d: v\r\n" % i for i in range(10000))
        self.responses.append(Raw(b"HTTP/1.1 200 OK\r\n" + headers + b"Content-Length: 2\r\n\r\n{}"))
        with self.assertRaises(chatlib.APIConnectionError) as cm:
            self.chat0().create_byot(REQ)
        self.assertIn("protocol", str(cm.exception))

    def test_status_line_that_is_not_http(self):
        self.responses.append(Raw(b"SSH-2.0-OpenSSH_9.6\r\n\r\n"))
        with self.assertRaises(chatlib.APIConnectionError) as cm:
            self.chat0().create_byot(REQ)
        self.assertIn("protocol", str(cm.exception))

    def test_absurdly_nested_json(self):
        deep = "[" * 200000
        self.responses += [reply(200, deep), reply(500, deep), sse("data: %s\n\n" % deep)]
        with self.assertRaises(chatlib.JSONDeserializeError):
            self.chat0().create_byot(REQ)
        with self.assertRaises(chatlib.InternalServerError):
            self.chat0().create_byot(REQ)
        with self.assertRaises(chatlib.JSONDeserializeError):
            list(self.chat0().create_stream_byot(SREQ))

    def test_garbage_stream_only_raises_chatlib_errors(self):
        rng = random.Random(1234)
        for _ in range(30):
            garbage = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000)))
            body = b"data: " + json.dumps(chunk("x")).encode() + b"\n\n" + garbage + b"\n\ndata: [DONE]\n\n"
            self.responses.append(Raw(sse_head(chunked_encoding=False), body, close=True))
            try:
                for c in self.chat0().create_stream_byot(SREQ):
                    self.assertIsInstance(c, (dict, list, str, int, float, bool, type(None)))
            except chatlib.OpenAIError:
                pass


class HostileRoundTwoTest(ServerTest):
    """Issue 10: no silent empty answers, no leaked keys, no stretchable deadline, no raw exceptions."""

    def test_a_stream_request_answered_without_a_stream(self):
        chat = self.chat()
        self.responses.append(reply(200, COMPLETION))  # a server that ignores "stream": true
        with self.assertRaises(chatlib.StreamError) as cm:
            chat.create_stream_byot(SREQ)
        self.assertIn("application/json", str(cm.exception))
        self.responses.append(reply(200, {"error": {"message": "model overloaded", "type": "server_error"}}))
        with self.assertRaises(chatlib.APIError) as cm:
            chat.create_stream_byot(SREQ)
        self.assertEqual((cm.exception.message, cm.exception.type), ("model overloaded", "server_error"))
        self.responses.append(reply(200, {"object": "error", "message": "bad model", "code": 404}))  # vLLM's shape
        with self.assertRaises(chatlib.NotFoundError):
            chat.create_stream_byot(SREQ)
        for body in (b"", b": only a comment\n\n"):  # an event stream with no event at all
            self.responses.append(Raw(sse_head(), chunked([body]), close=False))
            with self.assertRaises(chatlib.StreamError) as cm:
                list(chat.create_stream_byot(SREQ))
            self.assertIn("without a single event", str(cm.exception))

    def test_a_later_null_does_not_erase_an_earlier_value(self):
        first = dict(chunk("a"), service_tier="default", system_fingerprint="fp_1", metadata={"k": "v"},
                     moderation={"input": None})
        last = dict(chunk(finish="stop"), service_tier=None, system_fingerprint=None, metadata=None, moderation=None)
        out = chatlib.accumulate([first, last])
        self.assertEqual((out["service_tier"], out["system_fingerprint"], out["metadata"]),
                         ("default", "fp_1", {"k": "v"}))
        self.assertEqual(out["moderation"], {"input": None})
        self.assertIsNone(chatlib.accumulate([dict(chunk("a"), service_tier=None)])["service_tier"])
        for odd in (5, "x", {"0": {}}, [None, 3, "s"]):  # choices that are not a list of objects
            self.assertEqual(chatlib.accumulate([dict(chunk("a"), choices=odd)])["choices"], [])

    def secret_forms(self, secret):
        return [secret, json.dumps(secret)[1:-1], base64.b64encode(secret.encode()).decode()]

    def assert_no_secret(self, text, *secrets):
        for s in secrets:
            for form in self.secret_forms(s):
                self.assertNotIn(form, text)

    def test_keys_echoed_in_any_form_are_scrubbed(self):
        key = "sk-test-key-123456"
        escaped = "".join("\\u%04x" % ord(c) for c in key[:3]) + key[3:]  # JSON that decodes to the key
        chat = self.chat(key=key, retry=chatlib.RetryPolicy(max_retries=0))
        bodies = ['{"error": {"message": "bad key %s", "param": "%s"}}' % (escaped, escaped),
                  '{"detail": "Bearer %s"}' % escaped, "<html>Bearer %s</html>" % key]
        for body in bodies:
            self.responses.append(reply(401, body))
            with self.assertRaises(chatlib.AuthenticationError) as cm:
                chat.create_byot(REQ)
            self.assert_no_secret(str(cm.exception) + repr(cm.exception.body) + str(cm.exception.param), key)
        events = ['data: {"error": {"message": "key %s"}}\n\n' % escaped,
                  'event: error\ndata: {"message": "key %s"}\n\n' % escaped,
                  'event: error\ndata: key %s\n\n' % key, 'data: {not json %s\n\n' % key]
        for event in events:
            self.responses.append(sse(event))
            with self.assertRaises(chatlib.OpenAIError) as cm:
                list(chat.create_stream_byot(SREQ))
            self.assert_no_secret(str(cm.exception) + repr(getattr(cm.exception, "body", "")) +
                                  repr(getattr(cm.exception, "text", "")), key)
        self.responses.append(reply(200, "not json, but the key %s" % key))
        with self.assertRaises(chatlib.JSONDeserializeError) as cm:
            chat.create_byot(REQ)
        self.assert_no_secret(str(cm.exception) + cm.exception.text, key)

    def test_identifiers_are_not_rewritten(self):
        cfg = chatlib.OpenAIConfig(api_key="sk-test-key-123456", api_base=self.server.base, org_id="org-abc",
                                   project_id="proj_xyz")
        self.responses.append(reply(403, {"error": {"message": "not allowed for org-abc from project proj_xyz"}}))
        with self.assertRaises(chatlib.PermissionDeniedError) as cm:
            chatlib.Client(cfg, proxy=False, max_retries=0).chat().create_byot(REQ)
        self.assertIn("org-abc from project proj_xyz", str(cm.exception))

    def test_proxy_credentials_never_show(self):
        password = "pa:ss#w/rd?x"
        for url in ("http://user:%s@127.0.0.1:1" % password, "http://user:pa%3Ass@127.0.0.1:1/x?y#z"):
            try:
                chatlib.Client(chatlib.OpenAIConfig(api_base=self.server.base), proxy=url)
            except chatlib.InvalidArgumentError as exc:
                self.assertNotIn("ss#w", str(exc))
                self.assertNotIn("pa%3Ass", str(exc))
        pair = "user:s3cr3t-pw"
        proxy = Server(lambda req: reply(407, {"error": {"message": "denied %s (%s)" % (
            req.headers.get("proxy-authorization"), base64.b64decode(
                req.headers.get("proxy-authorization", "Basic ").split()[-1]).decode())}}))
        self.addCleanup(proxy.close)
        client = self.client(proxy="http://%s@127.0.0.1:%d" % (pair, proxy.port), retry=chatlib.RetryPolicy(max_retries=0))
        with self.assertRaises(chatlib.APIStatusError) as cm:
            client.chat().create_byot(REQ)
        self.assertEqual(cm.exception.status_code, 407)
        self.assertIn("denied", str(cm.exception))
        self.assert_no_secret(str(cm.exception) + repr(cm.exception.body), pair, "s3cr3t-pw")

    def test_headers_that_cannot_be_sent_are_refused_when_given(self):
        cases = [dict(api_key="sk-€-secret"), dict(org_id="org-€"), dict(headers={"X-A": "caf€"}),
                 dict(headers={"Bad\0Name": "v"}), dict(headers={"Nämé": "v"}), dict(headers={"": "v"})]
        for kw in cases:
            with self.assertRaises(chatlib.InvalidArgumentError, msg=kw) as cm:
                chatlib.OpenAIConfig(api_base="http://h", **kw)
            self.assertNotIn("€-secret", str(cm.exception))
        with self.assertRaises(chatlib.InvalidArgumentError):
            self.chat().create_byot(REQ, extra_headers={"X-B": "\u2028"})
        with self.assertRaises(chatlib.InvalidArgumentError):
            chatlib.AzureConfig(api_base="http://h", api_key="az-€", deployment_id="d", api_version="v")
        self.assertEqual(self.server.requests, [])

    def test_bad_urls_and_paths_are_refused(self):
        for url in ("http://[::1/v1", "http://[zz]/v1", "http://h:abc/v1", "http://héllo/v1"):
            with self.assertRaises(chatlib.InvalidArgumentError, msg=url):
                chatlib.OpenAIConfig(api_base=url)
        for dep in (".", ".."):
            with self.assertRaises(chatlib.InvalidArgumentError):
                chatlib.AzureConfig(api_base="http://h", deployment_id=dep, api_version="v")

    def test_absurd_seconds_are_refused_up_front(self):
        for kw in (dict(timeout=1e10), dict(deadline=1e10), dict(timeout=float("inf")), dict(deadline=float("nan"))):
            with self.assertRaises(chatlib.InvalidArgumentError, msg=kw):
                self.client(**kw)
        with self.assertRaises(chatlib.InvalidArgumentError):
            chatlib.RetryPolicy(max_delay=float("inf"))
        with self.assertRaises(chatlib.InvalidArgumentError):
            self.chat().create_byot(REQ, deadline=1e10)
        self.assertEqual(self.chat(timeout=1e9, deadline=1e9).create_byot(REQ)["ok"], True)

    def test_a_dripping_proxy_tunnel_is_cut_at_the_deadline(self):
        stop = threading.Event()
        self.addCleanup(stop.set)
        lsock = socket.socket()
        lsock.bind(("127.0.0.1", 0))
        lsock.listen(4)
        self.addCleanup(lsock.close)

        def proxy():
            conn, _ = lsock.accept()
            with conn:
                conn.recv(65536)
                for byte in b"HTTP/1.1 200 Connection established\r\n" * 100:  # one byte at a time
                    if stop.wait(0.05):
                        return
                    try:
                        conn.sendall(bytes([byte]))
                    except OSError:
                        return
        threading.Thread(target=proxy, daemon=True).start()
        client = self.client(proxy="http://127.0.0.1:%d" % lsock.getsockname()[1], timeout=0.5, deadline=0.6,
                             retry=chatlib.RetryPolicy(max_retries=0))
        cfg = chatlib.OpenAIConfig(api_key="sk-test-key-123456", api_base="https://example.invalid/v1")
        client = chatlib.Client(cfg, proxy="http://127.0.0.1:%d" % lsock.getsockname()[1], timeout=0.5,
                                deadline=0.6, max_retries=0)
        t0 = time.monotonic()
        with self.assertRaises(chatlib.APITimeoutError) as cm:
            client.chat().create_byot(REQ)
        self.assertLess(time.monotonic() - t0, WAIT / 2)
        self.assertIn("deadline", str(cm.exception))

    def test_a_long_line_in_small_pieces_costs_linear_time(self):
        line = b"data: " + b"x" * (2 * 1024 * 1024) + b"\n\n"
        pieces = [line[i:i + 512] for i in range(0, len(line), 512)]
        t0 = time.process_time()
        events = list(chatlib.iter_sse(pieces))
        self.assertEqual(len(events[0].data), 2 * 1024 * 1024)
        self.assertLess(time.process_time() - t0, 2.0)  # quadratic took many seconds; linear takes ms

    def test_raw_exceptions_from_hostile_shapes_become_chatlib_errors(self):
        policy = chatlib.RetryPolicy()
        self.assertIsNone(chatlib._retry_after({"retry-after": "Wed, 21 Oct 99999 07:28:00 GMT"}))
        self.assertIsNotNone(policy.delay(0, {"retry-after": "Mon, 01 Jan 10000 00:00:00 GMT"}))
        for tag in (["function"], {"a": 1}):
            with self.assertRaises(chatlib.JSONDeserializeError) as cm:
                chatlib.CreateChatCompletionRequest.from_dict(dict(REQ, tools=[{"type": tag, "function": {"name": "f"}}]))
            self.assertIn("tools[0].type", str(cm.exception))
        bad_tool = dict(COMPLETION, choices=[{"index": 0, "message": {"role": "assistant", "tool_calls": [
            {"id": "c", "type": ["function"]}]}}])
        self.responses.append(reply(200, bad_tool))
        req = chatlib.CreateChatCompletionRequest.from_dict(REQ)
        with self.assertRaises(chatlib.JSONDeserializeError):
            self.chat().create(req)
        for location in ("http://127.0.0.1:abc/x", "http://127.0.0.1:99999/x", "http://[::1/x", "/caf\u00e9"):
            self.responses.append(reply(307, "", {"Location": location}))
            with self.assertRaises(chatlib.APIStatusError, msg=location) as cm:
                self.chat().create_byot(REQ)
            self.assertIn("redirect not followed", str(cm.exception))

    def test_interim_responses_are_skipped(self):
        body = json.dumps(COMPLETION).encode()
        early = b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
        self.responses.append(Raw(early + early + b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                  b"Content-Length: %d\r\n\r\n%s" % (len(body), body), close=False))
        self.assertEqual(self.chat().create_byot(REQ), COMPLETION)
        self.responses.append(Raw(early * 40))
        with self.assertRaises(chatlib.APIConnectionError) as cm:
            self.chat(retry=chatlib.RetryPolicy(max_retries=0)).create_byot(REQ)
        self.assertIn("interim", str(cm.exception))

    def test_requests_are_built_as_the_spec_says(self):
        msgs = (chatlib.ChatCompletionRequestUserMessage(content="Hi"),
                chatlib.ChatCompletionResponseMessage.from_dict(
                    {"role": "assistant", "content": None, "annotations": [], "tool_calls": [
                        {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}))
        body = chatlib.CreateChatCompletionRequest(model="m", messages=msgs).to_dict()  # a tuple of messages
        self.assertEqual(body["messages"][1], {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]})
        d = dict(REQ, messages=[{"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}])
        self.assertEqual(chatlib.CreateChatCompletionRequest.from_dict(d).to_dict(), d)
        for part in (chatlib.ChatCompletionRequestMessageContentPartText(text=None),
                     chatlib.ChatCompletionRequestMessageContentPartImage(image_url=None),
                     chatlib.ChatCompletionRequestMessageContentPartImage(image_url=chatlib.ImageUrl(url=None)),
                     chatlib.ChatCompletionRequestMessageContentPartFile(file=None)):
            with self.assertRaises(chatlib.InvalidArgumentError, msg=part):
                part.to_dict()

    def test_run_tool_calls_takes_any_mapping(self):
        def get_weather(city: str) -> str:
            return "sunny in " + city
        out = chatlib.run_tool_calls(TOOL_CALL_RESPONSE["choices"][0]["message"],
                                     types.MappingProxyType({"get_weather": get_weather}))
        self.assertEqual([m.content for m in out], ["sunny in Paris", "sunny in Oslo"])


class SSEFuzzTest(unittest.TestCase):
    def test_random_splits_and_garbage(self):
        rng = random.Random(20261126)
        good = (b"\xef\xbb\xbfevent: a\r\ndata: 1\r\n\r\n: c\rdata: 2\rid: 9\r\r"
                b"data: " + json.dumps({"k": "\u00e9"}).encode() + b"\n\n")
        expected = [("a", "1"), ("message", "2"), ("message", json.dumps({"k": "\u00e9"}))]
        for _ in range(300):
            cuts = sorted(rng.sample(range(1, len(good)), rng.randrange(0, 12)))
            pieces = [good[a:b] for a, b in zip([0] + cuts, cuts + [len(good)])]
            self.assertEqual([(e.event, e.data) for e in chatlib.iter_sse(pieces)], expected)
        for _ in range(300):
            blob = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 4000)))
            cuts = sorted(rng.sample(range(1, max(len(blob), 2)), min(rng.randrange(0, 20), max(len(blob) - 1, 0))))
            pieces = [blob[a:b] for a, b in zip([0] + cuts, cuts + [len(blob)])]
            try:
                for e in chatlib.iter_sse(pieces, max_event_size=rng.choice([None, 64, 4096])):
                    self.assertIsInstance(e.data, str)
                    try:
                        e.json()
                    except chatlib.JSONDeserializeError:
                        pass
            except chatlib.OpenAIError:
                pass


class LoggingTest(ServerTest):
    def capture(self):
        buf = io.StringIO()
        h = logging.StreamHandler(buf)
        logging.getLogger("chatlib").addHandler(h)
        self.addCleanup(logging.getLogger("chatlib").removeHandler, h)
        return buf

    def test_one_line_per_attempt_without_credentials(self):
        buf = self.capture()
        self.responses += [reply(503, "busy", {"x-request-id": "req_a", "retry-after-ms": "10"}),
                           reply(200, COMPLETION, {"x-request-id": "req_b"})]
        self.chat(key="sk-log-secret-777").create_byot(dict(REQ, messages=[{"role": "user", "content": "private"}]))
        lines = buf.getvalue().splitlines()
        self.assertEqual(len(lines), 2)
        self.assertIn("POST %s/chat/completions -> 503 request_id=req_a" % self.server.base, lines[0])
        self.assertIn("attempt=1 retry in 0.010s", lines[0])
        self.assertIn("-> 200 request_id=req_b", lines[1])
        self.assertIn("attempt=2", lines[1])
        self.assertNotIn("sk-log-secret-777", buf.getvalue())
        self.assertNotIn("private", buf.getvalue())  # bodies only when asked for

    def test_bodies_when_asked(self):
        buf = self.capture()
        self.chat(log_bodies=True).create_byot(dict(REQ, messages=[{"role": "user", "content": "shown"}]))
        self.assertIn("shown", buf.getvalue())

    def test_connection_failures_are_logged(self):
        buf = self.capture()
        self.responses += [Raw(reset=True), reply(200, COMPLETION)]
        self.chat().create_byot(REQ)
        self.assertIn("APIConnectionError", buf.getvalue())
        self.assertIn("retry in", buf.getvalue())

    def test_silent_unless_configured(self):
        out = subprocess.run([sys.executable, "-c", "import chatlib, logging; "
                              "print(logging.getLogger('chatlib').handlers, logging.getLogger().handlers)"],
                             capture_output=True, text=True, cwd=os.path.dirname(os.path.abspath(__file__)))
        self.assertEqual(out.stdout.strip(), "[] []")
        self.assertEqual(out.stderr, "")


class FaultInjectionTest(unittest.TestCase):
    def test_sixteen_threads_against_a_faulty_server(self):
        rng = random.Random(20261126)
        rng_lock = threading.Lock()
        release_stalls = threading.Event()
        self.addCleanup(release_stalls.set)

        def handle(req):
            body = req.json()
            marker = body["messages"][0]["content"]
            with rng_lock:
                roll = rng.random()
            ok = json.dumps(dict(COMPLETION, id=marker)).encode()
            head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(ok)
            if body.get("stream"):
                if roll < 0.1:
                    return Raw(sse_head(), chunked([b"data: " + json.dumps(chunk(marker)).encode() + b"\n\n"])[:-10],
                               close=True)  # cut chunked encoding
                return sse(chunk(marker), chunk(finish="stop"))
            if roll < 0.05:
                return Raw(reset=True)  # reset before the response
            if roll < 0.10:
                return Raw(head + ok[:20], reset=True)  # reset mid-body
            if roll < 0.13:
                return Raw(release_stalls)  # stall: the client's timeout must end it
            if roll < 0.20:
                return reply(500, {"error": {"message": "boom"}})
            if roll < 0.27:
                return reply(429, {"error": {"message": "slow down"}}, {"Retry-After": "0"})
            if roll < 0.35:
                return Raw(head + ok, close=True)  # closes the connection after answering
            return Raw(head + ok, close=False)

        server = Server(handle)
        self.addCleanup(server.close)
        client = chatlib.Client(chatlib.OpenAIConfig(api_key="sk-test-key-123456", api_base=server.base),
                                proxy=False, timeout=0.5, deadline=5,
                                retry=chatlib.RetryPolicy(max_retries=3, sleep=lambda s: None))
        gc.collect()  # what earlier tests left for the collector must not close during this count
        fds = open_fds()
        results = {"ok": 0, "errors": 0, "wrong": [], "other": [], "slow": []}
        lock = threading.Lock()

        def work(n):
            chat = client.chat()
            for i in range(50):
                marker = "t%d-c%d" % (n, i)
                req = {"model": "m", "messages": [{"role": "user", "content": marker}]}
                t0 = time.monotonic()
                try:
                    if i % 5 == 4:
                        got = "".join(c["choices"][0]["delta"].get("content") or ""
                                      for c in chat.create_stream_byot(dict(req, stream=True)))
                    else:
                        got = chat.create_byot(req)["id"]
                    key = "ok" if got == marker else "wrong"
                except chatlib.OpenAIError:
                    key = "errors"
                except Exception as exc:  # any other exception is a failure of chatlib
                    key = "other"
                    got = repr(exc)
                took = time.monotonic() - t0
                with lock:
                    if key in ("ok", "errors"):
                        results[key] += 1
                    else:
                        results[key].append((marker, got))
                    if took > 5 + 1:
                        results["slow"].append((marker, took))
        threads = [threading.Thread(target=work, args=(n,)) for n in range(16)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(60)
        self.assertFalse(any(th.is_alive() for th in threads), "a call hung")
        self.assertEqual((results["wrong"], results["other"], results["slow"]), ([], [], []))
        self.assertEqual(results["ok"] + results["errors"], 800)
        self.assertGreater(results["ok"], 600)  # retries carry most calls through the faults
        client.close()
        release_stalls.set()
        server.wait_idle()
        if fds is not None:
            self.assertLessEqual(open_fds(), fds)  # nothing leaked


# ---------------------------------------------------------------- helpers for chat applications



def stream_form(response, pieces=3):
    """The chunks a server streams for `response` (a non-streamed completion dict), as OpenAI
    sends them: a role delta, content (and tool calls) in pieces, finish_reason, then usage."""
    base = {k: response[k] for k in ("id", "created", "model", "system_fingerprint", "service_tier") if k in response}
    base["object"] = "chat.completion.chunk"
    out = []
    for ch in response["choices"]:
        msg, i = ch["message"], ch["index"]
        out.append(dict(base, choices=[{"index": i, "delta": {"role": "assistant", "content": "" if msg.get("content") is not None else None,
                                                              "refusal": None}, "logprobs": None, "finish_reason": None}]))
        text = msg.get("content") or ""
        step = max(1, len(text) // pieces)
        for k in range(0, len(text), step):
            out.append(dict(base, choices=[{"index": i, "delta": {"content": text[k:k + step]},
                                            "logprobs": None, "finish_reason": None}]))
        for n, call in enumerate(msg.get("tool_calls") or []):
            args = call["function"]["arguments"]
            out.append(dict(base, choices=[{"index": i, "delta": {"tool_calls": [
                {"index": n, "id": call["id"], "type": "function", "function": {"name": call["function"]["name"],
                                                                                 "arguments": ""}}]},
                "logprobs": None, "finish_reason": None}]))
            half = len(args) // 2
            for part in (args[:half], args[half:]):
                out.append(dict(base, choices=[{"index": i, "delta": {"tool_calls": [
                    {"index": n, "function": {"arguments": part}}]}, "logprobs": None, "finish_reason": None}]))
        out.append(dict(base, choices=[{"index": i, "delta": {}, "logprobs": None,
                                        "finish_reason": ch["finish_reason"]}]))
    if "usage" in response:
        out.append(dict(base, choices=[], usage=response["usage"]))
    return out


ANSWER = {
    "id": "chatcmpl-9", "object": "chat.completion", "created": 1700000009, "model": "gpt-4o-mini",
    "system_fingerprint": "fp_9", "service_tier": "default",
    "choices": [
        {"index": 0, "finish_reason": "stop", "logprobs": None,
         "message": {"role": "assistant", "content": "The quick brown fox jumps.", "refusal": None}},
        {"index": 1, "finish_reason": "tool_calls", "logprobs": None,
         "message": {"role": "assistant", "content": None, "refusal": None, "tool_calls": [
             {"id": "call_a", "type": "function", "function": {"name": "f", "arguments": "{\"x\": 1, \"y\": [2, 3]}"}},
             {"id": "call_b", "type": "function", "function": {"name": "g", "arguments": "{}"}}]}}],
    "usage": {"prompt_tokens": 9, "completion_tokens": 12, "total_tokens": 21,
              "completion_tokens_details": {"reasoning_tokens": 0}},
}


class AccumulateTest(ServerTest):
    def test_stream_equals_the_non_streamed_answer(self):
        self.responses += [reply(200, ANSWER), sse(*stream_form(ANSWER)), sse(*stream_form(ANSWER)),
                           sse(*stream_form(ANSWER))]
        chat = self.chat()
        whole = chat.create_byot(REQ)
        self.assertEqual(chat.create_stream_byot(SREQ).final(), whole)
        typed = chat.create_stream(chatlib.CreateChatCompletionRequest.from_dict(REQ)).final()
        self.assertEqual(typed, chatlib.CreateChatCompletionResponse.from_dict(whole))
        printed = []
        with chat.create_stream_byot(SREQ) as s:  # iterate and accumulate at once
            for c in s:
                for ch in c["choices"]:
                    printed.append(ch["delta"].get("content") or "")
            self.assertEqual(s.final(), whole)
        self.assertEqual("".join(printed), "The quick brown fox jumps.")

    def test_accumulate_function(self):
        self.assertEqual(chatlib.accumulate(stream_form(ANSWER, pieces=7)), ANSWER)
        typed_chunks = [chatlib.CreateChatCompletionStreamResponse.from_dict(c) for c in stream_form(ANSWER)]
        self.assertEqual(chatlib.accumulate(typed_chunks), ANSWER)
        with self.assertRaises(chatlib.InvalidArgumentError):
            chatlib.accumulate(["data: x"])

    def test_servers_without_tool_call_index(self):
        chunks = [  # Ollama style: whole calls, no index
            {"id": "x", "choices": [{"index": 0, "delta": {"role": "assistant", "tool_calls": [
                {"id": "c1", "function": {"name": "f", "arguments": "{\"a\":1}"}},
                {"id": "c2", "function": {"name": "g", "arguments": "{}"}}]}}]},
            {"id": "x", "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}]
        calls = chatlib.accumulate(chunks)["choices"][0]["message"]["tool_calls"]
        self.assertEqual([(c["id"], c["type"], c["function"]) for c in calls],
                         [("c1", "function", {"name": "f", "arguments": "{\"a\":1}"}),
                          ("c2", "function", {"name": "g", "arguments": "{}"})])
        chunks = [  # no index and no id after the first delta: by order
            {"choices": [{"delta": {"tool_calls": [{"id": "c1", "function": {"name": "f", "arguments": "{\"a\""}}]}}]},
            {"choices": [{"delta": {"tool_calls": [{"function": {"arguments": ": 2}"}}]}}]}]
        calls = chatlib.accumulate(chunks)["choices"][0]["message"]["tool_calls"]
        self.assertEqual(calls, [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{\"a\": 2}"}}])
        chunks = [  # every call numbered 0, told apart by id
            {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "c1", "function": {"name": "f", "arguments": "1"}}]}}]},
            {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "c2", "function": {"name": "g", "arguments": "2"}}]}}]}]
        calls = chatlib.accumulate(chunks)["choices"][0]["message"]["tool_calls"]
        self.assertEqual([c["id"] for c in calls], ["c1", "c2"])

    def test_logprobs_refusal_usage_and_extras(self):
        lp = {"token": "a", "logprob": -1.0, "bytes": [97], "top_logprobs": []}
        chunks = [
            {"id": "x", "object": "chat.completion.chunk", "created": 1, "model": "m", "obfuscation": "zz",
             "choices": [{"index": 0, "delta": {"role": "assistant", "refusal": "I can"},
                          "logprobs": {"content": None, "refusal": [lp]}, "finish_reason": None}]},
            {"id": "x", "choices": [{"index": 0, "delta": {"refusal": "not.", "reasoning_content": "think"},
                                     "logprobs": {"content": None, "refusal": [lp]}, "finish_reason": None}]},
            {"id": "x", "choices": [{"index": 0, "delta": {"reasoning_content": "ing"}, "stop_reason": 7,
                                     "finish_reason": "stop"}]},
            {"id": "x", "choices": [], "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
             "x_extra": 1}]
        r = chatlib.accumulate(chunks)
        self.assertNotIn("obfuscation", r)
        self.assertEqual(r["object"], "chat.completion")
        self.assertEqual(r["x_extra"], 1)
        c = r["choices"][0]
        self.assertEqual(c["message"], {"role": "assistant", "content": None, "refusal": "I cannot.",
                                        "reasoning_content": "thinking"})
        self.assertEqual(c["logprobs"], {"content": None, "refusal": [lp, lp]})
        self.assertEqual((c["finish_reason"], c["stop_reason"]), ("stop", 7))
        self.assertEqual(r["usage"]["total_tokens"], 3)

    def test_odd_chunks_never_crash(self):
        rng = random.Random(99)
        atoms = [None, 0, 1.5, True, "s", "", [], {}, [1], {"a": 1}]

        def value(depth=0):
            if depth > 3 or rng.random() < 0.4:
                return rng.choice(atoms)
            if rng.random() < 0.5:
                return [value(depth + 1) for _ in range(rng.randrange(3))]
            keys = ["index", "delta", "content", "role", "tool_calls", "function", "arguments", "id", "name",
                    "finish_reason", "logprobs", "refusal", "usage", "choices", "function_call", "x"]
            return {rng.choice(keys): value(depth + 1) for _ in range(rng.randrange(4))}
        for _ in range(2000):
            chunks = [{"choices": [value() for _ in range(rng.randrange(3))], "usage": value()}
                      for _ in range(rng.randrange(1, 4))]
            try:
                out = chatlib.accumulate(chunks)
            except chatlib.OpenAIError:
                continue
            self.assertEqual(out["object"], "chat.completion")
            json.dumps(out)

    def test_the_fast_path_agrees_with_the_general_one(self):
        # Chunks near the shape the accumulator merges in place, merged a block at a time, give
        # what merging every choice the general way, one chunk at a time, gives.
        class General(chatlib._Accumulator):
            def add_all(self, chunks):
                for chunk in chunks:
                    self._merge_tops([chunk])
                    for choice in chunk.get("choices") if type(chunk.get("choices")) is list else ():
                        if type(choice) is dict:
                            self._choice(choice)
        rng = random.Random(7)

        def choice():
            c = {"index": rng.choice([0, 0, 0, 1, "0", None]), "delta": {"content": rng.choice(["a", "b", "", None, 5])},
                 "logprobs": rng.choice([None, None, None, {"content": [{"token": "a"}]}]),
                 "finish_reason": rng.choice([None, None, None, "stop"])}
            if rng.random() < 0.1:
                c["delta"]["role"] = "assistant"
            if rng.random() < 0.1:
                del c[rng.choice(list(c))]
            if rng.random() < 0.1:
                c["stop_reason"] = rng.choice([None, 7])
            return c
        for _ in range(500):
            chunks = []
            for _ in range(rng.randrange(1, 30)):
                chunk = {"id": rng.choice(["c1", "c2", None]), "model": "m", "choices": [choice()]}
                if rng.random() < 0.2:
                    chunk["choices"].append(choice())
                if rng.random() < 0.2:
                    chunk["usage"] = rng.choice([None, {"total_tokens": rng.randrange(9)}])
                if rng.random() < 0.05:
                    chunk["x_extra"] = rng.choice([None, "v"])
                chunks.append(chunk)
            fast, general = chatlib._Accumulator(), General()
            cut = rng.randrange(len(chunks) + 1)
            for part in (chunks[:cut], chunks[cut:]):
                fast.add_all(part)
            general.add_all(chunks)
            self.assertEqual(fast.result(), general.result())

    def test_final_of_a_closed_stream_raises(self):
        self.responses.append(sse(*stream_form(ANSWER)))
        s = self.chat().create_stream_byot(SREQ)
        next(s)
        s.close()
        with self.assertRaises(chatlib.StreamError):
            s.final()


class Unit(enum.Enum):
    C = "celsius"
    F = "fahrenheit"


@dataclasses.dataclass
class Place:
    """A place on Earth.

    Attributes:
        lat: latitude in degrees
    """
    lat: float
    lon: float
    name: Optional[str] = None


def get_weather(city: str, unit: Unit = Unit.C, days: int = 1, where: Optional[Place] = None,
                tags: Optional[List[str]] = None) -> dict:
    """Tells the weather of a city.

    More text that is not the description.

    Args:
        city: the city's name
        days: how many days ahead
    """
    return {"city": city, "unit": unit.value, "days": days, "where": where and where.lat, "tags": tags}


@dataclasses.dataclass
class Recipe:
    title: str
    minutes: int
    steps: List[str]
    diet: Literal["vegan", "vegetarian", "any"]
    place: Optional[Place]
    spicy: bool = False


class ToolsTest(ServerTest):
    def test_function_tool_schema(self):
        tool = chatlib.function_tool(get_weather).to_dict()
        self.assertEqual(tool["type"], "function")
        f = tool["function"]
        self.assertEqual((f["name"], f["description"]), ("get_weather", "Tells the weather of a city."))
        self.assertNotIn("strict", f)
        p = f["parameters"]
        self.assertEqual(p["required"], ["city"])
        self.assertEqual(p["properties"]["city"], {"type": "string", "description": "the city's name"})
        self.assertEqual(p["properties"]["unit"], {"enum": ["celsius", "fahrenheit"], "type": "string"})
        self.assertEqual(p["properties"]["days"], {"type": "integer", "default": 1, "description": "how many days ahead"})
        where = p["properties"]["where"]["anyOf"][0]
        self.assertEqual(where["required"], ["lat", "lon"])
        self.assertEqual(where["properties"]["lat"]["description"], "latitude in degrees")
        self.assertEqual(where["description"], "A place on Earth.")

    def test_strict_schema(self):
        p = chatlib.function_tool(get_weather, strict=True, name="weather").to_dict()["function"]
        self.assertEqual((p["name"], p["strict"]), ("weather", True))
        params = p["parameters"]
        self.assertEqual(params["required"], ["city", "unit", "days", "where", "tags"])
        self.assertFalse(params["additionalProperties"])
        self.assertEqual(params["properties"]["days"]["anyOf"][1], {"type": "null"})
        where = params["properties"]["where"]["anyOf"][0]
        self.assertEqual((where["required"], where["additionalProperties"]), (["lat", "lon", "name"], False))

        def bad(m: Dict[str, int]) -> None:
            pass
        with self.assertRaises(chatlib.InvalidArgumentError):
            chatlib.function_tool(bad, strict=True)
        chatlib.function_tool(bad)  # allowed outside strict mode

        def untyped(x):
            pass
        with self.assertRaises(chatlib.InvalidArgumentError) as cm:
            chatlib.function_tool(untyped)
        self.assertIn("'x'", str(cm.exception))

    def test_parse_arguments(self):
        kw = chatlib.parse_arguments(get_weather, '{"city": "Oslo", "unit": "fahrenheit", "days": null, '
                                                  '"where": {"lat": 59.9, "lon": 10}}')
        self.assertEqual(kw, {"city": "Oslo", "unit": Unit.F, "where": Place(59.9, 10.0)})
        for args, field in (('{"days": 2}', "get_weather.city"), ('{"city": 5}', "get_weather.city"),
                            ('{"city": "x", "unit": "kelvin"}', "get_weather.unit"),
                            ('{"city": "x", "where": {"lat": "n"}}', "get_weather.where.lat"),
                            ('{"city": "x", "colour": 1}', "colour"), ('{"city": "x", "days": 1.5}', "days"),
                            ('{"city": "x", "tags": "a"}', "tags"), ("{not json", "not valid JSON")):
            with self.assertRaises(chatlib.InvalidArgumentError, msg=args) as cm:
                chatlib.parse_arguments(get_weather, args)
            self.assertIn(field, str(cm.exception))

    def test_tool_loop_as_in_the_readme(self):
        # The README's own code block, run against this server.
        calls = dict(ANSWER, choices=[{"index": 0, "finish_reason": "tool_calls", "logprobs": None, "message": {
            "role": "assistant", "content": None, "tool_calls": [
                {"id": "call_p", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}},
                {"id": "call_o", "type": "function", "function": {"name": "get_weather",
                                                                  "arguments": '{"city": "Oslo", "unit": "F"}'}}]}}])
        done = dict(ANSWER, choices=[{"index": 0, "finish_reason": "stop", "logprobs": None,
                                      "message": {"role": "assistant", "content": "Mild in Paris, cold in Oslo."}}])
        self.responses += [reply(200, calls), reply(200, done)]
        block = [b for b in readme_python_blocks(self) if "def get_weather" in b and "while True" in b][0]
        old_env = dict(os.environ)
        os.environ.update(OPENAI_API_KEY="sk-test-key-123456", OPENAI_BASE_URL=self.server.base,
                          NO_PROXY="127.0.0.1", no_proxy="127.0.0.1")
        out, scope = io.StringIO(), {"__name__": "readme"}
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(block, "README.md", "exec"), scope)
        finally:
            os.environ.clear()
            os.environ.update(old_env)
        self.assertEqual(out.getvalue(), "Mild in Paris, cold in Oslo.\n")
        first, second = (r.json() for r in self.server.requests)
        self.assertEqual(first["tools"], [chatlib.function_tool(scope["get_weather"]).to_dict()])
        self.assertEqual([m["role"] for m in second["messages"]], ["user", "assistant", "tool", "tool"])
        self.assertEqual(json.loads(second["messages"][3]["content"])["unit"], "F")
        self.assertEqual(second["messages"][3]["tool_call_id"], "call_o")

    def test_tool_loop_streaming(self):
        first = dict(ANSWER, choices=[dict(ANSWER["choices"][1], index=0, message={
            "role": "assistant", "content": None, "refusal": None, "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'}},
                {"id": "call_2", "type": "function", "function": {"name": "get_weather",
                                                                  "arguments": '{"city": "Rome", "days": 2}'}}]})])
        final = dict(ANSWER, choices=[ANSWER["choices"][0]])
        self.responses += [sse(*stream_form(first)), sse(*stream_form(final))]
        chat = self.chat()
        tools = [chatlib.function_tool(get_weather)]
        messages = [chatlib.ChatCompletionRequestUserMessage(content="Oslo and Rome?")]
        while True:
            stream = chat.create_stream(chatlib.CreateChatCompletionRequest(model="m", messages=messages, tools=tools))
            for chunk in stream:
                pass  # a real program prints the deltas here
            message = stream.final().choices[0].message
            messages.append(message)
            if not message.tool_calls:
                break
            messages += chatlib.run_tool_calls(message, [get_weather])
        second = self.server.requests[1].json()
        self.assertEqual(second["messages"][2:], [
            {"role": "tool", "tool_call_id": "call_1", "content": json.dumps(
                {"city": "Oslo", "unit": "celsius", "days": 1, "where": None, "tags": None})},
            {"role": "tool", "tool_call_id": "call_2", "content": json.dumps(
                {"city": "Rome", "unit": "celsius", "days": 2, "where": None, "tags": None})}])
        self.assertEqual(second["messages"][1]["tool_calls"][1]["function"]["arguments"], '{"city": "Rome", "days": 2}')
        self.assertEqual(message.content, "The quick brown fox jumps.")
        with self.assertRaises(chatlib.InvalidArgumentError):
            chatlib.run_tool_calls({"role": "assistant", "tool_calls": [
                {"id": "c", "type": "function", "function": {"name": "nope", "arguments": "{}"}}]}, [get_weather])


class StructuredOutputTest(unittest.TestCase):
    def completion(self, content=None, refusal=None, finish="stop"):
        return {"id": "c", "object": "chat.completion", "choices": [{"index": 0, "finish_reason": finish, "message": {
            "role": "assistant", "content": content, "refusal": refusal}}]}

    def test_response_format(self):
        rf = chatlib.response_format(Recipe).to_dict()
        self.assertEqual(rf["type"], "json_schema")
        js = rf["json_schema"]
        self.assertEqual((js["name"], js["strict"]), ("Recipe", True))
        schema = js["schema"]
        self.assertEqual(schema["required"], ["title", "minutes", "steps", "diet", "place", "spicy"])
        self.assertFalse(schema["additionalProperties"])
        self.assertEqual(schema["properties"]["diet"], {"enum": ["vegan", "vegetarian", "any"], "type": "string"})
        self.assertEqual(schema["properties"]["steps"], {"type": "array", "items": {"type": "string"}})
        with self.assertRaises(chatlib.InvalidArgumentError):
            chatlib.response_format(dict)

    def test_parse(self):
        answer = {"title": "Soup", "minutes": 20, "steps": ["boil"], "diet": "vegan",
                  "place": {"lat": 1, "lon": 2, "name": None}, "spicy": None}
        r = chatlib.parse_completion(self.completion(json.dumps(answer)), Recipe)
        self.assertEqual(r, Recipe("Soup", 20, ["boil"], "vegan", Place(1.0, 2.0), False))
        typed = chatlib.CreateChatCompletionResponse.from_dict(self.completion(json.dumps(answer)))
        self.assertEqual(chatlib.parse_completion(typed, Recipe).title, "Soup")

    def test_refusal_and_incomplete(self):
        with self.assertRaises(chatlib.RefusalError) as cm:
            chatlib.parse_completion(self.completion(refusal="I can't help with that."), Recipe)
        self.assertEqual(cm.exception.refusal, "I can't help with that.")
        for reason in ("length", "content_filter"):
            done = self.completion('{"title": "So', finish=reason)
            with self.assertRaises(chatlib.IncompleteOutputError) as cm:
                chatlib.parse_completion(done, Recipe)
            self.assertEqual((cm.exception.finish_reason, cm.exception.completion), (reason, done))
            self.assertIn("token limit" if reason == "length" else "content filter", str(cm.exception))

    def test_answers_that_do_not_fit(self):
        with self.assertRaises(chatlib.JSONDeserializeError) as cm:
            chatlib.parse_completion(self.completion('{"title": "x"}'), Recipe)
        self.assertIn("Recipe.minutes", str(cm.exception))
        with self.assertRaises(chatlib.JSONDeserializeError):
            chatlib.parse_completion(self.completion("not json"), Recipe)


class PaginationTest(ServerTest):
    def page(self, ids, has_more):
        return reply(200, {"object": "list", "data": [dict(COMPLETION, id=i) for i in ids],
                           "first_id": ids[0] if ids else None, "last_id": ids[-1] if ids else None,
                           "has_more": has_more})

    def test_walks_every_page_lazily(self):
        self.responses += [self.page(["a", "b"], True), self.page(["c"], True), self.page([], True)]
        it = self.chat().list_all({"limit": 2, "model": "m"})
        self.assertEqual(self.server.requests, [])  # nothing is fetched before the loop asks
        self.assertEqual(next(it).id, "a")
        self.assertEqual(len(self.server.requests), 1)
        self.assertEqual([c.id for c in it], ["b", "c"])
        self.assertEqual([r.query for r in self.server.requests],
                         ["limit=2&model=m", "limit=2&model=m&after=b", "limit=2&model=m&after=c"])

    def test_stops_when_has_more_is_false_and_byot(self):
        self.responses += [self.page(["a"], True), self.page(["b"], False)]
        self.assertEqual([c["id"] for c in self.chat().list_all_byot()], ["a", "b"])
        self.assertEqual(len(self.server.requests), 2)

    def test_messages(self):
        msgs = lambda ids, more: reply(200, {"object": "list", "data": [{"id": i, "role": "user", "content": i} for i in ids],
                                             "has_more": more})
        self.responses += [msgs(["m1", "m2"], True), msgs(["m3"], False)]
        items = list(self.chat().messages_all("chatcmpl-1", chatlib.GetChatCompletionMessagesQuery(limit=2)))
        self.assertEqual([m.id for m in items], ["m1", "m2", "m3"])
        self.assertIsInstance(items[0], chatlib.ChatCompletionMessageListItem)
        self.assertEqual(self.last.target, "/v1/chat/completions/chatcmpl-1/messages?limit=2&after=m2")
        self.responses += [msgs(["m1"], False)]
        self.assertEqual([m["id"] for m in self.chat().messages_all_byot("chatcmpl-1")], ["m1"])

    def test_bad_input_and_a_stuck_cursor(self):
        with self.assertRaises(chatlib.InvalidArgumentError):
            self.chat().list_all({"limit": 0})
        with self.assertRaises(chatlib.InvalidArgumentError):
            self.chat().messages_all("")
        self.assertEqual(self.server.requests, [])
        self.responses += [self.page(["a"], True), self.page(["a"], True)]
        with self.assertRaises(chatlib.APIError):
            list(self.chat().list_all())


# ---------------------------------------------------------------- the async client

def worker_threads():
    return [t for t in threading.enumerate() if t.name.startswith("chatlib-")]


class AsyncTest(ServerTest):
    """AsyncClient against the same loopback servers; each test body is a coroutine."""

    def aclient(self, key="sk-test-key-123456", **kw):
        kw.setdefault("proxy", False)
        kw.setdefault("retry", chatlib.RetryPolicy(sleep=self.clock.sleep, clock=self.clock.clock,
                                                   random=lambda: 0.0))
        c = chatlib.AsyncClient(chatlib.OpenAIConfig(api_key=key, api_base=self.server.base), **kw)
        CLIENTS_MADE.append(1)
        return c

    def run_async(self, make, **kw):
        """Runs make(async_client) on a new event loop, then closes the client."""
        async def main():
            async with self.aclient(**kw) as c:
                return await make(c)
        return asyncio.run(main())

    def test_every_method_typed_and_byot(self):
        async def body(c):
            chat = c.chat()
            self.responses.append(reply(200, COMPLETION, {"x-request-id": "req_1"}))
            self.assertEqual(await chat.create_byot(REQ, extra_headers={"X-T": "1"}, extra_query={"q": "1"}),
                             COMPLETION)
            self.assertEqual((self.last.headers["x-t"], self.last.query), ("1", "q=1"))
            self.responses.append(reply(200, COMPLETION))
            req = chatlib.CreateChatCompletionRequest(
                model="gpt-4o-mini", messages=[chatlib.ChatCompletionRequestUserMessage(content="Hi")])
            r = await chat.create(req, extra_body={"top_k": 5})
            self.assertEqual(r.choices[0].message.content, "Hello!")
            self.assertEqual(self.last.json()["top_k"], 5)
            self.responses.append(sse(*STREAM_CHUNKS))
            s = await chat.create_stream(req)
            self.assertEqual(s.response.request_id, "req_stream")
            chunks = [c async for c in s]
            self.assertTrue(all(isinstance(x, chatlib.CreateChatCompletionStreamResponse) for x in chunks))
            self.assertEqual((await s.final()).choices[0].message.tool_calls[0].function.arguments, "{}")
            self.assertTrue(s.closed)
            self.responses.append(sse(chunk("Hel"), chunk("lo")))
            async with await chat.create_stream_byot(SREQ) as s:
                self.assertEqual([x["choices"][0]["delta"]["content"] async for x in s], ["Hel", "lo"])
            self.assertEqual((await s.final())["choices"][0]["message"]["content"], "Hello")
            page = {"object": "list", "data": [COMPLETION], "first_id": "chatcmpl-1", "last_id": "chatcmpl-1",
                    "has_more": False}
            self.responses += [reply(200, page), reply(200, page)]
            self.assertEqual((await chat.list({"limit": 5})).data[0].id, "chatcmpl-1")
            self.assertEqual((await chat.list_byot({"order": "desc"}))["data"][0]["id"], "chatcmpl-1")
            self.assertEqual(self.last.query, "order=desc")
            self.responses += [reply(200, COMPLETION)] * 4
            self.assertEqual((await chat.retrieve("chatcmpl-1")).id, "chatcmpl-1")
            self.assertEqual((await chat.retrieve_byot("chatcmpl-1"))["id"], "chatcmpl-1")
            await chat.update("chatcmpl-1", chatlib.UpdateChatCompletionRequest(metadata={"k": "v"}))
            self.assertEqual((self.last.method, self.last.json()), ("POST", {"metadata": {"k": "v"}}))
            await chat.update_byot("chatcmpl-1", {"metadata": None})
            deleted = {"object": "chat.completion.deleted", "id": "chatcmpl-1", "deleted": True}
            self.responses += [reply(200, deleted), reply(200, deleted)]
            self.assertTrue((await chat.delete("chatcmpl-1")).deleted)
            self.assertTrue((await chat.delete_byot("chatcmpl-1"))["deleted"])
            self.assertEqual(self.last.method, "DELETE")
            msgs = {"object": "list", "data": [{"id": "m", "role": "user", "content": "Hi"}], "has_more": False}
            self.responses += [reply(200, msgs), reply(200, msgs)]
            self.assertEqual((await chat.messages("chatcmpl-1", {"limit": 1})).data[0].id, "m")
            self.assertEqual(self.last.path, "/v1/chat/completions/chatcmpl-1/messages")
            self.assertEqual((await chat.messages_byot("chatcmpl-1"))["data"][0]["id"], "m")
            self.responses.append(reply(200, COMPLETION, {"x-request-id": "req_2"}))
            r = await chat.with_response.retrieve("chatcmpl-1")
            self.assertEqual((r.request_id, r.data.id), ("req_2", "chatcmpl-1"))
            self.responses += [reply(200, dict(page, data=[dict(COMPLETION, id="a")], has_more=True)),
                               reply(200, dict(page, data=[dict(COMPLETION, id="b")], has_more=False))]
            self.assertEqual([x.id async for x in chat.list_all({"limit": 1})], ["a", "b"])
            self.assertEqual(parse_qsl(self.last.query), [("limit", "1"), ("after", "a")])
            self.responses += [reply(200, msgs)]
            self.assertEqual([x["id"] async for x in chat.messages_all_byot("chatcmpl-1")], ["m"])
            return True
        self.assertTrue(self.run_async(body))

    def test_bad_arguments_raise_when_awaited_before_sending(self):
        async def body(c):
            chat = c.chat()
            pending = chat.create_byot(SREQ)  # nothing raised yet: a coroutine
            with self.assertRaises(chatlib.InvalidArgumentError):
                await pending
            with self.assertRaises(chatlib.InvalidArgumentError):
                await chat.retrieve("..")
            with self.assertRaises(chatlib.InvalidArgumentError):
                await chat.create("not a request")
            with self.assertRaises(chatlib.InvalidArgumentError):
                await chat.create_byot(REQ, timeout=-1)
            return True
        self.assertTrue(self.run_async(body))
        self.assertEqual(self.server.requests, [])
        with self.assertRaises(chatlib.InvalidArgumentError):
            chatlib.AsyncClient(chatlib.OpenAIConfig(api_base="http://h"), max_concurrency=0)
        with self.assertRaises(chatlib.InvalidArgumentError):
            chatlib.AsyncChat(chatlib.Client(chatlib.OpenAIConfig(api_base="http://h")))

    def test_errors_retries_and_deadlines_as_in_the_sync_client(self):
        async def body(c):
            chat = c.chat()
            self.responses += [reply(503, "busy"), reply(502, "bad gateway"), reply(200, COMPLETION)]
            self.assertEqual(await chat.create_byot(REQ), COMPLETION)
            self.assertEqual(len(self.clock.sleeps), 2)
            self.responses += [reply(429, {"error": {"message": "slow down", "type": "rate_limit"}})] * 3
            with self.assertRaises(chatlib.RateLimitError) as cm:
                await chat.create_byot(REQ)
            self.assertEqual(cm.exception.status_code, 429)
            self.responses.append(reply(200, "<html>"))
            with self.assertRaises(chatlib.JSONDeserializeError):
                await chat.create_byot(REQ)
            self.responses += [sse('event: error\ndata: {"error": {"message": "overloaded"}}\n\n')]
            s = await chat.create_stream_byot(SREQ)
            with self.assertRaises(chatlib.StreamError):
                async for _ in s:
                    pass
            self.responses += [reply(404, {"error": {"message": "no such model"}})]
            with self.assertRaises(chatlib.NotFoundError):
                await chat.create_stream_byot(SREQ)  # a status error comes from the await
            gate = threading.Event()
            self.addCleanup(gate.set)
            self.responses.append(Raw(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{", gate))
            t0 = time.monotonic()
            with self.assertRaises(chatlib.APITimeoutError) as cm:
                await chat.create_byot(REQ, deadline=0.3)
            self.assertIn("deadline", str(cm.exception))
            self.assertLess(time.monotonic() - t0, WAIT / 2)
            return True
        self.assertTrue(self.run_async(body))

    def test_token_provider_exceptions_pass_through(self):
        class Boom(Exception):
            pass

        def provider():
            raise Boom("no token")
        cfg = chatlib.AzureConfig(api_base=self.server.base, deployment_id="d", api_version="v",
                                  token_provider=provider)

        async def main():
            async with chatlib.AsyncClient(cfg, proxy=False) as c:
                await c.chat().create_byot(REQ)
        with self.assertRaises(Boom):
            asyncio.run(main())
        self.assertEqual(self.server.requests, [])

    def _hold(self):
        gate = threading.Event()
        self.addCleanup(gate.set)
        self.responses.append(Raw(gate, close=True))
        return gate

    def assert_closed_by_client(self):
        StreamTest.assert_closed_by_client(self)

    async def cancel_stops_it(self, task):
        """Cancels `task`: CancelledError reaches it within 100 ms, and the server sees the client leave."""
        t0 = time.monotonic()
        task.cancel()
        with self.assertRaises(asyncio.CancelledError):
            await task
        self.assertLess(time.monotonic() - t0, 0.1)
        self.assert_closed_by_client()

    def test_cancelling_a_pending_call_stops_it(self):
        arrived, gate = threading.Event(), threading.Event()
        self.addCleanup(gate.set)
        self.responses.append(Raw(arrived.set, gate, close=True))

        async def body(c):
            task = asyncio.ensure_future(c.chat().create_byot(REQ))
            loop = asyncio.get_running_loop()
            self.assertTrue(await loop.run_in_executor(None, arrived.wait, WAIT))  # the server has it
            await self.cancel_stops_it(task)
            return True
        self.assertTrue(self.run_async(body))
        self.assertEqual(len(self.server.requests), 1)  # cancelled is not retried
        self.assertEqual(worker_threads(), [])

    def test_a_burst_of_calls_waits_in_the_poller_not_in_threads(self):
        # The server answers none of the calls until it has them all, so every call waits at
        # once: a thread per waiting call would make `calls` threads.
        calls = 24
        everyone = threading.Barrier(calls, timeout=WAIT)
        answer = reply(200, COMPLETION).items
        self.server.handler = lambda req: Raw(everyone.wait, *answer, close=False)

        started = []
        real_start = threading.Thread.start

        def start(thread):
            started.append(thread.name)
            real_start(thread)

        async def body(c):
            chat = c.chat()
            with mock.patch.object(threading.Thread, "start", start):
                answers = await asyncio.gather(*(chat.create_byot(REQ) for _ in range(calls)))
            return answers, list(started)
        answers, during = self.run_async(body, max_concurrency=calls)
        self.assertEqual(answers, [COMPLETION] * calls)
        self.assertEqual(len(self.server.requests), calls)
        self.assertLess(during.count("chatlib-async"), calls // 2, during)
        self.assertEqual(during.count("chatlib-poller"), 1)
        self.assertEqual(worker_threads(), [])

    def stall_every_request(self):
        """The server answers no request until the test ends; returns a semaphore released as
        each one arrives."""
        arrived = threading.Semaphore(0)
        gate = threading.Event()
        self.addCleanup(gate.set)
        self.server.handler = lambda req: Raw(arrived.release, gate, close=True)
        return arrived

    def test_calls_waiting_in_the_poller_time_out_and_cancel_on_time(self):
        arrived = self.stall_every_request()

        async def body(c):
            chat = c.with_options(max_retries=0).chat()
            loop = asyncio.get_running_loop()
            slow = asyncio.ensure_future(chat.create_byot(REQ, timeout=30))
            self.assertTrue(await loop.run_in_executor(None, arrived.acquire, True, WAIT))
            # The poller sleeps until the slow call's timeout: a shorter one must wake it.
            t0 = time.monotonic()
            with self.assertRaises(chatlib.APITimeoutError) as cm:
                await chat.create_byot(REQ, timeout=0.3)
            self.assertIn("within the timeout of 0.3s", str(cm.exception))
            with self.assertRaises(chatlib.APITimeoutError) as cm:
                await chat.create_byot(REQ, deadline=0.3)
            self.assertIn("deadline of 0.3s", str(cm.exception))
            self.assertLess(time.monotonic() - t0, WAIT / 2)
            await self.cancel_stops_it(slow)
            return True
        with mock.patch.object(chatlib, "_HOLD", 0):  # no call waits in a thread of its own
            self.assertTrue(self.run_async(body))
        self.assertEqual(len(self.server.requests), 3)
        self.assertEqual(worker_threads(), [])

    def test_calls_complete_when_no_thread_can_be_started_for_the_poller(self):
        self.server.handler = lambda req: reply(200, COMPLETION)
        real_start, real_submit = threading.Thread.start, chatlib._Workers.submit

        def start(thread):
            if thread.name == "chatlib-poller":
                raise RuntimeError("can't start new thread")
            real_start(thread)

        def submit(workers, job):
            if threading.current_thread().name == "chatlib-poller":
                raise RuntimeError("can't start new thread")
            real_submit(workers, job)

        async def body(c):
            chat = c.chat()
            calls = asyncio.gather(*(chat.create_byot(REQ) for _ in range(3)))
            return await asyncio.wait_for(calls, WAIT / 2)
        with mock.patch.object(chatlib, "_HOLD", 0):  # every call would wait in the poller
            with mock.patch.object(threading.Thread, "start", start):
                self.assertEqual(self.run_async(body), [COMPLETION] * 3)
            # The poller runs, but cannot hand a call to a worker: it runs the call's step itself.
            with mock.patch.object(chatlib._Workers, "submit", submit):
                self.assertEqual(self.run_async(body), [COMPLETION] * 3)
        self.assertEqual(worker_threads(), [])

    def test_aclose_ends_the_calls_waiting_in_the_poller(self):
        arrived = self.stall_every_request()

        async def main():
            c = self.aclient()
            calls = [asyncio.ensure_future(c.chat().create_byot(REQ)) for _ in range(3)]
            loop = asyncio.get_running_loop()
            for _ in calls:
                self.assertTrue(await loop.run_in_executor(None, arrived.acquire, True, WAIT))
            await c.aclose()
            for call in calls:
                with self.assertRaises(chatlib.APIConnectionError) as cm:
                    await call
                self.assertIn("AsyncClient was closed", str(cm.exception))
            return True
        with mock.patch.object(chatlib, "_HOLD", 1):  # one call waits in a worker, two in the poller
            self.assertTrue(asyncio.run(main()))
        self.assertEqual(worker_threads(), [])
        self.assert_closed_by_client()

    def test_wait_for_on_stalled_headers(self):
        self._hold()

        async def body(c):
            with self.assertRaises(asyncio.TimeoutError):
                await asyncio.wait_for(c.chat().create_stream_byot(SREQ), 0.2)
            self.assert_closed_by_client()
            return True
        self.assertTrue(self.run_async(body))

    def test_cancelling_a_stream_midway(self):
        StreamTest._waiting_stream(self)
        got_one = None

        async def consume(chat):
            async for _ in await chat.create_stream_byot(SREQ):
                got_one.set()

        async def body(c):
            nonlocal got_one
            got_one = asyncio.Event()
            task = asyncio.ensure_future(consume(c.chat()))
            await got_one.wait()
            await self.cancel_stops_it(task)
            return True
        self.assertTrue(self.run_async(body))
        self.assertEqual(worker_threads(), [])

    def test_dropped_and_closed_streams_close_the_connection(self):
        async def body(c):
            StreamTest._waiting_stream(self)
            s = await c.chat().create_stream_byot(SREQ)
            await s.__anext__()
            await s.aclose()
            self.assertTrue(s.closed)
            self.assert_closed_by_client()
            gate = StreamTest._waiting_stream(self)
            s = await c.chat().create_stream_byot(SREQ)
            await s.__anext__()
            del s
            gc.collect()
            # Checked from another thread: the loop must stay free to run the close the dropped
            # stream asked for (and the server must not give up first, which it does at WAIT).
            loop = asyncio.get_running_loop()
            t0 = time.monotonic()
            await loop.run_in_executor(None, self.assert_closed_by_client)
            self.assertLess(time.monotonic() - t0, WAIT / 2)
            gate.set()
            return True
        self.assertTrue(self.run_async(body))

    def test_two_hundred_streams_and_a_ticker(self):
        # The server runs in its own process, as a real one does: its 200 connections' threads
        # must not compete with the event loop for this process's GIL.
        body = sse(*[chunk("t%d" % i) for i in range(20)]).items
        script = (
            "import socket, sys, threading\n"
            "head, body = bytes.fromhex(sys.argv[1]), bytes.fromhex(sys.argv[2])\n"
            "srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen(256)\n"
            "print(srv.getsockname()[1], flush=True)\n"
            "def serve(conn):\n"
            "    f = conn.makefile('rb')\n"
            "    try:\n"
            "        while True:\n"
            "            length = 0\n"
            "            line = f.readline()\n"
            "            if not line: return\n"
            "            while line not in (b'\\r\\n', b''):\n"
            "                line = f.readline()\n"
            "                if line.lower().startswith(b'content-length:'): length = int(line.split(b':')[1])\n"
            "            f.read(length)\n"
            "            conn.sendall(head + body)\n"
            "    except OSError: pass\n"
            "    finally: f.close(); conn.close()\n"
            "while True:\n"
            "    try: conn, _ = srv.accept()\n"
            "    except OSError: break\n"
            "    threading.Thread(target=serve, args=(conn,), daemon=True).start()\n")
        server = subprocess.Popen([sys.executable, "-c", script, body[0].hex(), body[1].hex()],
                                  stdout=subprocess.PIPE)
        self.addCleanup(server.stdout.close)
        self.addCleanup(server.wait, WAIT)
        self.addCleanup(server.kill)
        port = int(server.stdout.readline())
        worst = 0.0

        async def one(chat):
            s = await chat.create_stream_byot(SREQ)
            return "".join([x["choices"][0]["delta"]["content"] async for x in s])

        async def run():
            nonlocal worst
            stop = asyncio.Event()

            async def ticker():
                nonlocal worst
                loop = asyncio.get_running_loop()
                while not stop.is_set():
                    t = loop.time()
                    await asyncio.sleep(0.001)
                    worst = max(worst, loop.time() - t - 0.001)
            cfg = chatlib.OpenAIConfig(api_key="sk-test-key-123456", api_base="http://127.0.0.1:%d/v1" % port)
            async with chatlib.AsyncClient(cfg, proxy=False, max_concurrency=16) as c:
                tick = asyncio.ensure_future(ticker())
                chat = c.chat()
                answers = await asyncio.gather(*(one(chat) for _ in range(200)))
                stop.set()
                await tick
            return answers
        answers = asyncio.run(run())
        self.assertEqual(answers, ["".join("t%d" % i for i in range(20))] * 200)
        # Quiet, this measures 6 to 18 ms (the issue asks for 20); other work on the same two
        # cores has pushed it past 50, so the bound keeps a margin against a false alarm while
        # still catching a client that blocks the loop (for a whole call, that is hundreds of ms).
        self.assertLess(worst, 0.1)
        self.assertEqual(worker_threads(), [])

    def test_paused_streams_do_not_hold_up_the_others(self):
        # Live streams pause between tokens.  Three that pause (more than the client's reader
        # threads) must not keep a fourth waiting: a read starts only when it cannot block.
        gate = threading.Event()
        self.addCleanup(gate.set)
        one = b"data: " + json.dumps(chunk("a")).encode() + b"\n\n"
        paused = Raw(sse_head(), b"%x\r\n%s\r\n" % (len(one), one), gate, close=True)
        flowing = sse(*[chunk("f%d" % i) for i in range(5)])
        self.server.handler = lambda req: paused if req.headers.get("x-kind") == "paused" else flowing

        async def body(c):
            chat = c.chat()
            held = [await chat.create_stream_byot(SREQ, extra_headers={"X-Kind": "paused"}) for _ in range(3)]
            for s in held:
                await s.__anext__()
            t0 = time.monotonic()
            s = await chat.create_stream_byot(SREQ)
            text = "".join([x["choices"][0]["delta"]["content"] async for x in s])
            self.assertLess(time.monotonic() - t0, WAIT / 2)
            for s in held:
                await s.aclose()
            return text
        self.assertEqual(self.run_async(body), "f0f1f2f3f4")

    def check_size_line_cut(self, first, together):
        """The server sends a head and a chunk holding event `first`, then the first byte of the
        next chunk's size line, and the rest of it only once the client has had `first` and is
        waiting.  `together`: all of that in one send, else in three."""
        rest = chunked([b"data: " + json.dumps(chunk("b")).encode() + b"\n\n", b"data: [DONE]\n\n"])
        go = threading.Event()
        self.addCleanup(go.set)
        start = [sse_head(), b"%x\r\n%s\r\n" % (len(first), first), rest[:1]]
        start = [b"".join(start)] if together else start
        self.server.handler = lambda req: Raw(*start, go, rest[1:], close=False)

        async def body(c):
            s = await c.chat().create_stream_byot(SREQ)
            got = [(await s.__anext__())["choices"][0]["delta"]["content"][:1]]
            reader, deadline = s._reader, time.monotonic() + WAIT
            while not (reader.watching or reader.reading) and time.monotonic() < deadline:
                await asyncio.sleep(0)
            await self.assert_no_spin()
            go.set()
            got += [x["choices"][0]["delta"]["content"] async for x in s]
            return got
        self.assertEqual(self.run_async(lambda c: asyncio.wait_for(body(c), WAIT / 2)), ["a", "b"])

    async def assert_no_spin(self):
        """Waiting for the rest of a size line, a stream must not spin: a socket that stays
        readable, if watched, would wake it over and over.  20 ticks of the loop show it."""
        peeks = []
        real = chatlib._StreamCore.buffered

        def buffered(core):
            peeks.append(1)
            return real(core)
        with mock.patch.object(chatlib._StreamCore, "buffered", buffered):
            for _ in range(20):
                await asyncio.sleep(0.001)
        self.assertLessEqual(len(peeks), 2)

    def test_a_size_line_whose_rest_comes_later_is_read_then(self):
        # The first byte lands in the read buffer, where it lets no read return.  When the rest
        # comes, the socket turns readable though the buffer alone still would not do: a stream
        # that watched the socket again would be woken at once, forever.
        self.check_size_line_cut(b"data: " + json.dumps(chunk("a")).encode() + b"\n\n", together=False)

    def test_a_size_line_cut_by_the_read_buffer_is_not_waited_for(self):
        # A response reads the socket _READ_BLOCK bytes at a time: here the first read ends
        # with the chunk, and the size line's first byte stays on the socket, readable.  A read
        # of what has "already arrived" would wait for the rest of the line, which comes only
        # once the client has had the first chunk.
        head_size, block = len(sse_head()), chatlib._READ_BLOCK
        for n in range(block - 1200, block):
            first = b"data: " + json.dumps(chunk("a" * n)).encode() + b"\n\n"
            if head_size + len(b"%x\r\n%s\r\n" % (len(first), first)) == block:
                break
        else:
            self.fail("no event fits the read buffer")
        self.check_size_line_cut(first, together=True)

    def test_part_of_a_chunk_head_does_not_hold_up_the_reader(self):
        # The socket turns readable when one byte of the next chunk's size line arrives; a read
        # then would wait for the rest of the line, and every stream of the client behind it.
        self.check_part_does_not_hold_up_the_reader(b"1")

    def test_part_of_the_trailers_does_not_hold_up_the_reader(self):
        # After the last chunk's size line, http.client reads the trailers up to a blank line.
        self.check_part_does_not_hold_up_the_reader(b"0\r\nX-Trailer: 1")

    def test_part_of_a_chunk_head_over_tls_does_not_hold_up_the_reader(self):
        # TLS cannot be peeked: with part of a size line buffered and a record readable, chatlib
        # cannot tell whether the record completes the line.  That read goes to a worker of its
        # own, so the reader thread that serves every stream of the client never waits on it.
        tls = TLSFixture()
        self.addCleanup(tls.close)
        self.server = tls.server
        self.check_part_does_not_hold_up_the_reader(b"1", ssl_context=tls.client_context)

    def check_part_does_not_hold_up_the_reader(self, part, **options):
        """The server sends a chunk, then `part`, which leaves a read waiting, and stops there;
        meanwhile another stream of the same client must flow."""
        more, sent, stall = threading.Event(), threading.Event(), threading.Event()
        self.addCleanup(more.set)
        self.addCleanup(stall.set)
        one = b"data: " + json.dumps(chunk("a")).encode() + b"\n\n"
        paused = Raw(sse_head(), b"%x\r\n%s\r\n" % (len(one), one), more, part, sent.set, stall, close=True)
        flowing = sse(*[chunk("f%d" % i) for i in range(5)])
        self.server.handler = lambda req: paused if req.headers.get("x-kind") == "paused" else flowing

        async def body(c):
            chat = c.chat()
            held = await chat.create_stream_byot(SREQ, extra_headers={"X-Kind": "paused"}, timeout=WAIT)
            await held.__anext__()
            reader = held._reader
            deadline = time.monotonic() + WAIT
            while not reader.watching and time.monotonic() < deadline:
                await asyncio.sleep(0)
            more.set()  # the server sends `part`, and stops there
            await asyncio.get_running_loop().run_in_executor(None, sent.wait, WAIT)
            while reader.watching and time.monotonic() < deadline:
                await asyncio.sleep(0)  # the loop has seen the byte: a read of the stream is under way
            await self.assert_no_spin()
            t0 = time.monotonic()
            s = await chat.create_stream_byot(SREQ)
            text = "".join([x["choices"][0]["delta"]["content"] async for x in s])
            self.assertLess(time.monotonic() - t0, WAIT / 2)
            await held.aclose()
            return text
        self.assertEqual(self.run_async(body, **options), "f0f1f2f3f4")

    def test_slow_consumer_holds_a_bounded_backlog(self):
        line = b"data: " + json.dumps(chunk("x" * 200)).encode() + b"\n\n"
        total = 20000  # about 6 MB, far more than the reader may hold
        self.responses.append(Raw(sse_head(chunked_encoding=False), line * total + b"data: [DONE]\n\n"))

        async def body(c):
            s = await c.chat().create_stream_byot(SREQ)
            await s.__anext__()
            # The consumer pauses here: the reader reads two batches ahead, then rests.
            reader = s._reader
            while reader.reading or reader.watching:
                await asyncio.sleep(0)
            held = (len(s._batch) - s._pos + len(s._texts) - s._next
                    + sum(len(texts) for texts, _ in reader.batches))
            self.assertFalse(reader.done)
            self.assertEqual(len(reader.batches), 2)
            self.assertLessEqual(held * len(line), 3 * chatlib._BATCH + 4 * len(line))  # three batches, not 6 MB
            return 1 + sum([1 async for _ in s])
        self.assertEqual(self.run_async(body), total)

    def test_chunks_load_on_the_loop_a_large_event_in_the_reader(self):
        # Short events are loaded by the event loop; one larger than _LOOP_JSON would hold it up,
        # so the reader thread loads that one (and says what is wrong with it there).
        big = chunk("b" * (chatlib._LOOP_JSON + 10))
        self.responses.append(sse(chunk("a"), big, chunk("c")))
        threads = []
        real = json.loads

        def loads(text, *a, **kw):
            if len(text) > chatlib._LOOP_JSON:
                threads.append(threading.current_thread())
            return real(text, *a, **kw)

        async def body(c):
            s = await c.chat().create_stream_byot(SREQ)
            return [x["choices"][0]["delta"]["content"] async for x in s]
        with mock.patch.object(json, "loads", loads):
            texts = self.run_async(body)
        self.assertEqual(texts, ["a", "b" * (chatlib._LOOP_JSON + 10), "c"])
        self.assertEqual(len(threads), 1)
        self.assertIsNot(threads[0], threading.main_thread())
        bad = b"data: {" + b"x" * chatlib._LOOP_JSON + b"\n\n"
        self.responses.append(Raw(sse_head(chunked_encoding=False), b"data: " + json.dumps(chunk("a")).encode()
                                  + b"\n\n" + bad, close=True))

        async def bad_body(c):
            got = []
            with self.assertRaises(chatlib.JSONDeserializeError) as cm:
                async for x in await c.chat().create_stream_byot(SREQ):
                    got.append(x["choices"][0]["delta"]["content"])
            return got, str(cm.exception)
        got, message = self.run_async(bad_body)
        self.assertEqual(got, ["a"])
        self.assertIn("not valid JSON", message)

    def test_a_stream_with_everything_buffered_takes_turns_with_other_tasks(self):
        # With no time at all per turn, every slice of chunks waits for the next turn, and a task
        # that only yields gets to run in between: the loop is never held for the whole stream.
        self.responses.append(sse(*[chunk("t%d" % i) for i in range(20 * chatlib._SLICE)]))
        turns = 0

        async def body(c):
            nonlocal turns
            done = False

            async def other():
                nonlocal turns
                while not done:
                    turns += 1
                    await asyncio.sleep(0)
            task = asyncio.ensure_future(other())
            s = await c.chat().create_stream_byot(SREQ)
            text = "".join([x["choices"][0]["delta"]["content"] async for x in s])
            done = True
            await task
            return text
        with mock.patch.object(chatlib, "_TURN", 0.0):
            text = self.run_async(body)
        self.assertEqual(text, "".join("t%d" % i for i in range(20 * chatlib._SLICE)))
        self.assertGreaterEqual(turns, 20)

    def test_the_request_is_encoded_in_a_worker_and_a_bad_one_is_never_sent(self):
        # A request can carry megabytes of images: encoding it would hold the event loop up.
        threads = []
        real = chatlib._encode_request

        def encode(obj):
            threads.append(threading.current_thread())
            return real(obj)
        self.responses.append(reply(200, COMPLETION))

        async def body(c):
            chat = c.chat()
            self.assertEqual(await chat.create_byot(REQ), COMPLETION)
            with self.assertRaises(chatlib.InvalidArgumentError) as cm:
                await chat.create_byot(dict(REQ, temperature=float("nan")))
            return str(cm.exception)
        with mock.patch.object(chatlib, "_encode_request", encode):
            message = self.run_async(body)
        self.assertIn("cannot be sent as JSON", message)
        self.assertEqual(len(threads), 2)
        self.assertNotIn(threading.main_thread(), threads)
        self.assertEqual(len(self.server.requests), 1)

    def test_a_closed_stream_yields_nothing_more(self):
        self.responses.append(sse(*[chunk("t%d" % i) for i in range(100)]))

        async def body(c):
            s = await c.chat().create_stream_byot(SREQ)
            first = await s.__anext__()
            await s.aclose()
            return first["choices"][0]["delta"]["content"], [x async for x in s], s.closed
        self.assertEqual(self.run_async(body), ("t0", [], True))

    def test_mailbox_wakes_the_loop_once_for_outcomes_that_arrive_together(self):
        loop = asyncio.new_event_loop()
        self.addCleanup(loop.close)
        wakes = []
        real = loop.call_soon_threadsafe
        loop.call_soon_threadsafe = lambda *a: (wakes.append(1), real(*a))[1]
        box = chatlib._Mailbox(loop)
        futs = [loop.create_future() for _ in range(3)]
        posting = threading.Thread(target=lambda: [box.post(f, True, i, None) for i, f in enumerate(futs)])
        posting.start()
        posting.join()
        self.assertEqual(len(wakes), 1)
        loop.run_until_complete(asyncio.sleep(0))
        self.assertEqual([f.result() for f in futs], [0, 1, 2])
        later = loop.create_future()
        box.post(later, False, ValueError("x"), None)
        self.assertEqual(len(wakes), 2)  # delivered already: the next outcome wakes the loop again
        with self.assertRaises(ValueError):
            loop.run_until_complete(later)
        loop.close()  # nobody awaits any more: what holds a connection is given to discard
        discarded = []
        box.post(loop.create_future(), True, "held", discarded.append)
        self.assertEqual(discarded, ["held"])

    def test_pacer_lets_due_timers_go_first_and_survives_a_cancelled_waiter(self):
        async def body():
            loop = asyncio.get_running_loop()
            pacer = chatlib._Pacer(loop)
            order = []
            loop.call_at(loop.time() - 0.001, order.append, "timer")  # came due while streams loaded
            first, second = pacer.wait(), pacer.wait()
            second.add_done_callback(lambda _: order.append("turn"))
            first.cancel()  # its task was cancelled: the others still get their turn
            await second
            self.assertEqual(order, ["timer", "turn"])
            self.assertIsNone(pacer.wait())  # within the turn: go on at once
            pacer.ends = loop.time() - 1
            self.assertIsNotNone(pacer.wait())  # the turn is over
        asyncio.run(body())

    def test_one_loop_per_client(self):
        client = self.aclient()
        loop = asyncio.new_event_loop()
        try:
            self.responses.append(reply(200, COMPLETION))
            loop.run_until_complete(client.chat().create_byot(REQ))

            async def elsewhere():
                await client.chat().create_byot(REQ)
            with self.assertRaises(chatlib.InvalidArgumentError) as cm:
                asyncio.run(elsewhere())
            self.assertIn("event loop", str(cm.exception))
            loop.run_until_complete(client.aclose())
        finally:
            loop.close()
        self.responses.append(reply(200, COMPLETION))

        async def after():  # the first loop is closed: a new one may take the client over
            r = await client.chat().create_byot(REQ)
            await client.aclose()
            return r
        self.assertEqual(asyncio.run(after()), COMPLETION)

    def test_aclose_leaves_no_thread_socket_or_descriptor(self):
        before = open_fds()
        self.server.handler = lambda req: reply(200, COMPLETION)

        gate = threading.Event()
        self.addCleanup(gate.set)
        first = b"data: " + json.dumps(chunk("a")).encode() + b"\n\n"
        streaming = Raw(sse_head(), b"%x\r\n%s\r\n" % (len(first), first), gate, close=True)
        self.server.handler = lambda req: streaming if b'"stream"' in req.body else reply(200, COMPLETION)

        async def body(c):
            await asyncio.gather(*(c.chat().create_byot(REQ) for _ in range(8)))
            stream = await c.chat().create_stream_byot(SREQ)  # still open when the client closes
            await stream.__anext__()
            self.assertTrue(worker_threads())
            return stream
        stream = self.run_async(body)
        self.assertEqual(worker_threads(), [])
        self.assertTrue(stream._core.closed)  # aclose() stopped it and closed its connection
        gate.set()
        self.server.wait_idle()
        if before is not None:
            self.assertLessEqual(open_fds(), before)

    def test_arun_tool_calls_awaits_coroutines(self):
        async def get_weather(city: str) -> dict:
            await asyncio.sleep(0)
            return {"city": city, "temp": 20}

        def plain(city: str) -> str:
            return "plain " + city
        msg = TOOL_CALL_RESPONSE["choices"][0]["message"]
        out = asyncio.run(chatlib.arun_tool_calls(msg, {"get_weather": get_weather}))
        self.assertEqual([json.loads(m.content)["city"] for m in out], ["Paris", "Oslo"])
        self.assertEqual([m.tool_call_id for m in out], ["call_1", "call_2"])
        out = asyncio.run(chatlib.arun_tool_calls(msg, types.MappingProxyType({"get_weather": plain})))
        self.assertEqual(out[0].content, "plain Paris")


class ProviderOptionsTest(ServerTest):
    """Issue 11: per-call options, and an OpenAIConfig whose key is a token provider."""

    def test_with_options_shares_configuration_and_pool(self):
        client = self.client()
        strict = client.with_options(max_retries=0, timeout=5)
        self.assertEqual((strict.timeout, client.timeout, strict.retry.max_retries), (5.0, 600.0, 0))
        self.responses.append(reply(503, "busy"))
        with self.assertRaises(chatlib.InternalServerError):
            strict.chat().create_byot(REQ)
        self.assertEqual(len(self.server.requests), 1)
        self.responses += [reply(503, "busy"), reply(200, COMPLETION)]
        self.assertEqual(client.chat().create_byot(REQ), COMPLETION)  # the original still retries
        strict.close()  # leaves the shared pool alone
        client.chat().create_byot(REQ)
        strict.with_options(deadline=30).chat().create_byot(REQ)
        self.assertEqual(self.server.connections, 1)
        self.assertEqual(self.last.headers["authorization"], "Bearer sk-test-key-123456")
        for bad in (dict(timeout=0), dict(deadline=-1), dict(max_retries=-1), dict(retry=3),
                    dict(max_retries=1, retry=chatlib.RetryPolicy())):
            with self.assertRaises(chatlib.InvalidArgumentError, msg=bad):
                client.with_options(**bad)

        async def body():
            aclient = chatlib.AsyncClient(client.config, proxy=False)
            derived = aclient.with_options(max_retries=0)
            self.responses.append(reply(500, "x"))
            with self.assertRaises(chatlib.InternalServerError):
                await derived.chat().create_byot(REQ)
            await derived.aclose()  # leaves the original's threads and pool
            self.assertEqual(await aclient.chat().create_byot(REQ), {"ok": True, "path": "/v1/chat/completions"})
            await aclient.aclose()
        asyncio.run(body())
        self.assertEqual(worker_threads(), [])

    def test_a_token_provider_as_the_key(self):
        # Azure OpenAI's v1 endpoint with a Microsoft Entra ID token: no api-version, the model
        # in the body, a bearer token asked for on every attempt.
        tokens = iter(["tok-a", "tok-b"])
        base = "http://127.0.0.1:%d/openai/v1" % self.server.port
        cfg = chatlib.OpenAIConfig(api_key=lambda: next(tokens), base_url=base)
        self.assertEqual((cfg.base_url, repr(cfg)), (base, "OpenAIConfig(api_base=%r, api_key=<token provider>)" % base))
        self.responses += [reply(503, ""), reply(200, COMPLETION)]
        chat = chatlib.Client(cfg, proxy=False, retry=chatlib.RetryPolicy(sleep=self.clock.sleep)).chat()
        self.assertEqual(chat.create_byot(dict(REQ, model="my-deployment")), COMPLETION)
        self.assertEqual([r.headers["authorization"] for r in self.server.requests], ["Bearer tok-a", "Bearer tok-b"])
        self.assertEqual((self.last.path, self.last.query, self.last.json()["model"]),
                         ("/openai/v1/chat/completions", "", "my-deployment"))

        class Expired(Exception):
            pass

        def failing():
            raise Expired("the token could not be renewed")
        chat = chatlib.Client(chatlib.OpenAIConfig(api_key=failing, api_base=base), proxy=False).chat()
        with self.assertRaises(Expired):  # not retried, not wrapped
            chat.create_byot(REQ)
        for bad in (lambda: "", lambda: None, lambda: "tok\r\nX: 1", lambda: "t€k"):
            with self.assertRaises(chatlib.InvalidArgumentError):
                chatlib.Client(chatlib.OpenAIConfig(api_key=bad, api_base=base), proxy=False).chat().create_byot(REQ)
        self.assertEqual(len(self.server.requests), 2)
        with self.assertRaises(chatlib.InvalidArgumentError):
            chatlib.OpenAIConfig(api_base="http://a/v1", base_url="http://b/v1")

    def reasoning_server(self, field, value, stream=False):
        """A provider that answers a tool call with reasoning in `field` and, as DeepSeek's thinking
        mode and OpenRouter do, answers 400 when the next request does not send it back."""
        call = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}

        def handle(req):
            messages = req.json()["messages"]
            assistant = [m for m in messages if m.get("role") == "assistant"]
            if not assistant:
                message = {"role": "assistant", "content": "", field: value, "tool_calls": [call]}
                if not stream:
                    return reply(200, dict(COMPLETION, choices=[{"index": 0, "message": message,
                                                                 "finish_reason": "tool_calls"}]))
                half = value[:1] if isinstance(value, list) else value[:3]
                rest = value[1:] if isinstance(value, list) else value[3:]
                return sse(chunk(role="assistant", **{field: half}), chunk(**{field: rest}),
                           chunk(tool_calls=[dict(call, index=0)]), chunk(finish="tool_calls"))
            if assistant[0].get(field) != value:
                return reply(400, {"error": {"message": "The %s in the thinking mode must be passed back" % field,
                                             "type": "invalid_request_error"}})
            return reply(200, COMPLETION)
        self.server.handler = handle

    def test_reasoning_goes_back_with_tool_calls(self):
        def get_weather(city: str) -> str:
            return "18C in " + city
        cases = [("reasoning_content", "I should call the tool."),  # DeepSeek, vLLM
                 ("reasoning", "Thinking about Paris."),  # vLLM's newer parsers, OpenRouter
                 ("reasoning_details", [{"type": "reasoning.text", "text": "a"},
                                        {"type": "reasoning.text", "text": "b"}])]  # OpenRouter
        for field, value in cases:
            for stream in (False, True):
                self.reasoning_server(field, value, stream)
                chat = self.chat()
                request = chatlib.CreateChatCompletionRequest(
                    model="deepseek-chat", messages=[chatlib.ChatCompletionRequestUserMessage(content="Weather in Paris?")],
                    tools=[chatlib.function_tool(get_weather)])
                if stream:
                    answer = chat.create_stream(request).final()
                else:
                    answer = chat.create(request)
                message = answer.choices[0].message
                self.assertEqual(message.extra[field], value)
                request.messages += [message.to_request(keep=chatlib.REASONING_FIELDS),
                                     *chatlib.run_tool_calls(message, [get_weather])]
                self.assertEqual(chat.create(request).choices[0].message.content, "Hello!", (field, stream))
                request.messages[1] = message  # put back as it came: OpenAI's safe default drops it
                with self.assertRaises(chatlib.BadRequestError):
                    chat.create(request)
        self.reasoning_server("reasoning_content", "Because.")  # the byot way: the dict goes back as it is
        chat = self.chat()
        messages = [{"role": "user", "content": "Weather in Paris?"}]
        message = chat.create_byot({"model": "deepseek-chat", "messages": messages})["choices"][0]["message"]
        messages += [message] + [m.to_dict() for m in chatlib.run_tool_calls(message, [get_weather])]
        self.assertEqual(chat.create_byot({"model": "deepseek-chat", "messages": messages}), COMPLETION)


class KeywordCallTest(ServerTest):
    """Issue 9: the calls Python code writes, with keywords and plain dicts inside typed requests."""

    def test_keyword_calls_with_dicts_and_dataclasses_mixed(self):
        chat = self.chat()
        self.responses.append(reply(200, COMPLETION))
        r = chat.create(model="gpt-4o-mini", temperature=0.2, messages=[
            {"role": "system", "content": "Be brief."},
            chatlib.ChatCompletionRequestUserMessage(content=[
                {"type": "text", "text": "What is this?"},
                chatlib.ChatCompletionRequestMessageContentPartImage(image_url=chatlib.ImageUrl(url="https://x/a.png"))])],
            response_format={"type": "json_object"})
        self.assertIsInstance(r, chatlib.CreateChatCompletionResponse)
        self.assertEqual(self.last.json(), {"model": "gpt-4o-mini", "temperature": 0.2, "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": [{"type": "text", "text": "What is this?"},
                                         {"type": "image_url", "image_url": {"url": "https://x/a.png"}}]}],
            "response_format": {"type": "json_object"}})
        self.responses.append(sse(chunk("a"), chunk("b")))
        s = chat.create_stream(model="m", messages=[{"role": "user", "content": "Hi"}], extra_headers={"X-T": "1"})
        self.assertEqual(s.final().choices[0].message.content, "ab")
        self.assertEqual((self.last.json()["stream"], self.last.headers["x-t"]), (True, "1"))
        self.responses.append(reply(200, COMPLETION))
        chat.update("c1", metadata=None)
        self.assertEqual(self.last.json(), {"metadata": None})
        self.responses.append(reply(200, {"object": "list", "data": [], "has_more": False}))
        chat.list(model="gpt-4o", limit=20)
        self.assertEqual(parse_qsl(self.last.query), [("model", "gpt-4o"), ("limit", "20")])
        self.responses.append(reply(200, {"object": "list", "data": [], "has_more": False}))
        chat.messages("c1", limit=5, order="asc")
        self.assertEqual(parse_qsl(self.last.query), [("limit", "5"), ("order", "asc")])

    def test_mistakes_name_the_fix(self):
        chat = self.chat()
        for call, said in ((lambda: chat.create(model="m", mesages=[]), "did you mean 'messages'?"),
                           (lambda: chat.create(model="m"), "create needs messages"),
                           (lambda: chat.create_stream(messages=[{"role": "user", "content": "x"}]), "needs model"),
                           (lambda: chat.list(limt=3), "did you mean 'limit'?"),
                           (lambda: chat.update("c1", metdata={}), "did you mean 'metadata'?"),
                           (lambda: chat.create(chatlib.CreateChatCompletionRequest(model="m", messages=[]), model="m"),
                            "not both")):
            with self.assertRaises(chatlib.InvalidArgumentError) as cm:
                call()
            self.assertIn(said, str(cm.exception))
        self.assertEqual(self.server.requests, [])

    def test_client_shortcuts(self):
        c = chatlib.Client(api_key="sk-test-key-123456", base_url=self.server.base, organization="org-1",
                           project="proj-1", proxy=False)
        c.chat().create_byot(REQ)
        self.assertEqual((self.last.headers["authorization"], self.last.headers["openai-organization"],
                          self.last.headers["openai-project"]), ("Bearer sk-test-key-123456", "org-1", "proj-1"))
        with self.assertRaises(chatlib.InvalidArgumentError):
            chatlib.Client(chatlib.OpenAIConfig(api_base="http://h/v1"), api_key="k")
        a = chatlib.AsyncClient(api_key="k", base_url="http://h/v1")
        self.assertEqual(a.config.api_base, "http://h/v1")

    def test_typed_method_sets_at_run_time(self):
        # What the type checkers are told (.ci/typing_usage.py) is what runs.
        chat = self.chat()
        self.assertIsInstance(chat.with_response, chatlib.ChatWithResponse)
        self.responses.append(reply(200, COMPLETION))
        r = chat.with_response.retrieve("c1")
        self.assertIsInstance(r, chatlib.APIResponse)
        self.assertIsInstance(r.data, chatlib.CreateChatCompletionResponse)
        self.responses.append(sse(chunk("a")))
        with chat.with_response.create_stream(model="m", messages=[{"role": "user", "content": "x"}]) as s:
            self.assertEqual(s.final().choices[0].message.content, "a")
        with self.assertRaises(AttributeError):
            chat.with_response.list_all  # pages are items, not responses

        async def go():
            async with chatlib.AsyncClient(chatlib.OpenAIConfig(api_key="k", api_base=self.server.base),
                                           proxy=False) as client:
                achat = client.chat()
                self.assertIsInstance(achat.with_response, chatlib.AsyncChatWithResponse)
                self.responses.append(reply(200, COMPLETION))
                return await achat.with_response.create(model="m", messages=[{"role": "user", "content": "x"}])
        self.assertIsInstance(asyncio.run(go()).data, chatlib.CreateChatCompletionResponse)
        import inspect
        self.assertIn("extra_headers", inspect.signature(chatlib.AsyncChat.create).parameters)
        # generic at run time too, and every public function's hints resolve on this Python
        self.assertIs(chatlib.APIResponse[dict].__origin__, chatlib.APIResponse)
        chatlib.ChatCompletionResponseStream[dict, dict]
        self.assertIs(chatlib.CreateChatCompletionResponse.from_dict({"id": "x"}).__class__,
                      chatlib.CreateChatCompletionResponse)
        for name in chatlib.__all__:
            obj = getattr(chatlib, name)
            targets = [obj] if isinstance(obj, types.FunctionType) else []
            if isinstance(obj, type) and obj.__module__ == "chatlib":
                members = [getattr(f, "fget", f) for f in vars(obj).values()]
                targets += [f for f in members if isinstance(f, types.FunctionType)]
            for target in targets:
                typing.get_type_hints(target, vars(chatlib))


# ---------------------------------------------------------------- providers, as they document themselves

def readme_python_blocks(test):
    """The README's python code blocks; the test is skipped where there is no README."""
    path = os.path.join(HERE, "README.md")
    if not os.path.exists(path):
        test.skipTest("no README.md beside the tests")
    with open(path, encoding="utf-8") as f:
        return [b.split("```", 1)[0] for b in f.read().split("```python\n")[1:]]


PROVIDERS = {
    # name: (the base URL in the recipe, the credential header it expects or None, environment for the recipe)
    "deepseek": ("https://api.deepseek.com", ("authorization", "Bearer sk-ds-test"), {"DEEPSEEK_API_KEY": "sk-ds-test"}),
    "vllm": ("http://localhost:8000/v1", ("authorization", "Bearer token-abc123"), {"VLLM_API_KEY": "token-abc123"}),
    "openrouter": ("https://openrouter.ai/api/v1", ("authorization", "Bearer sk-or-test"),
                   {"OPENROUTER_API_KEY": "sk-or-test"}),
    "ollama": ("http://localhost:11434/v1", None, {}),
    "llamacpp": ("http://localhost:8080/v1", None, {}),
    "groq": ("https://api.groq.com/openai/v1", ("authorization", "Bearer gsk_test"), {"GROQ_API_KEY": "gsk_test"}),
    "azure": ("https://my-resource.openai.azure.com", None,
              {"AZURE_OPENAI_API_KEY": "az-key", "AZURE_ENTRA_TOKEN": "tok-a"}),
}


def provider_handler(name, prefix, seen):
    """A loopback server that answers as provider `name` documents: its paths, its auth, its
    error shapes, its own fields."""
    def error(status, message, **fields):
        if name == "vllm":  # {"object": "error", ...} at the top
            return reply(status, dict({"object": "error", "message": message, "code": status}, **fields))
        return reply(status, {"error": dict({"message": message, "type": "invalid_request_error"}, **fields)})

    def answer(message, **top):
        return reply(200, dict(COMPLETION, choices=[{"index": 0, "message": dict({"role": "assistant"}, **message),
                                                     "finish_reason": "stop"}], **top))

    def handle(req):
        seen.append(req)
        body = req.json()
        if name == "azure":
            deployment = req.path == prefix + "/openai/deployments/gpt-4o/chat/completions"
            if deployment and dict(parse_qsl(req.query)).get("api-version") == "2024-10-21" \
                    and req.headers.get("api-key") == "az-key":
                return answer({"content": "Hello from a deployment"})
            if req.path == prefix + "/openai/v1/chat/completions" and not req.query \
                    and req.headers.get("authorization") == "Bearer tok-a":
                return answer({"content": "Hello from v1"})
            return error(404, "Resource not found", code="404")
        if req.path != prefix + "/chat/completions":
            return error(404, "Unknown request URL: %s %s" % (req.method, req.path), code="unknown_url")
        expected = PROVIDERS[name][1]
        if expected and req.headers.get(expected[0]) != expected[1]:
            return error(401, "Invalid API Key", code="invalid_api_key")
        if name == "deepseek":
            turns = [m for m in body["messages"] if m.get("role") == "assistant"]
            if any(m.get("tool_calls") and not m.get("reasoning_content") for m in turns):
                return error(400, "The reasoning_content in the thinking mode must be passed back to the API.")
            if body.get("thinking") != {"type": "enabled"}:
                return error(400, "thinking must be enabled here")
            if not turns:
                return answer({"content": "", "reasoning_content": "The user wants the weather: call the tool.",
                               "tool_calls": [{"id": "call_0", "type": "function", "function": {
                                   "name": "get_weather", "arguments": '{"city": "Paris"}'}}]})
            return answer({"content": "It is 18C and sunny in Paris.", "reasoning_content": "Done."})
        if name == "vllm":
            if body.get("top_k") != 20 or body.get("guided_choice") != ["yes", "no"]:
                return error(400, "extra fields not received")
            return answer({"content": "yes", "reasoning_content": "TCP retransmits.", "tool_calls": []})
        if name == "openrouter":
            if req.headers.get("x-title") != "My App" or body.get("provider") != {"sort": "throughput"}:
                return error(400, "headers or provider missing")
            details = [{"type": "reasoning.text", "text": "Hi"}, {"type": "reasoning.text", "text": "there"}]
            return sse(chunk(role="assistant", reasoning="Hi", reasoning_details=details[:1]),
                       chunk(reasoning=" there", reasoning_details=details[1:]), chunk("Hello!"),
                       dict(chunk(finish="stop"), provider="DeepInfra"))
        if name == "groq" and len(seen) == 1:
            return Raw(error(429, "Rate limit reached for model", code="rate_limit_exceeded").items[0].replace(
                b"Content-Length", b"retry-after: 0\r\nContent-Length"), close=False)
        if name == "llamacpp":
            return answer({"content": "Hello!"}, timings={"predicted_per_second": 42.5})
        return answer({"content": "Hello!"})
    return handle


class ProvidersTest(unittest.TestCase):
    def recipes(self):
        blocks = readme_python_blocks(self)
        return {b.split("\n", 1)[0][len("# recipe: "):]: b for b in blocks if b.startswith("# recipe: ")}

    def test_every_recipe_works_with_a_server_that_behaves_as_its_provider(self):
        recipes = self.recipes()
        self.assertEqual(sorted(recipes), sorted(PROVIDERS))
        for name, code in sorted(recipes.items()):
            base, _, env = PROVIDERS[name]
            seen = []
            parts = urlsplit(base)
            prefix = parts.path if name != "azure" else ""
            server = Server(lambda req: None)
            server.handler = provider_handler(name, prefix, seen)
            self.addCleanup(server.close)
            local = "http://127.0.0.1:%d" % server.port
            code = code.replace("%s://%s" % (parts.scheme, parts.netloc), local)
            old_env = dict(os.environ)
            os.environ.update(env, NO_PROXY="127.0.0.1", no_proxy="127.0.0.1")
            out = io.StringIO()
            try:
                with contextlib.redirect_stdout(out):
                    exec(compile(code, "README.md (%s)" % name, "exec"), {"__name__": "recipe"})
            finally:
                os.environ.clear()
                os.environ.update(old_env)
            self.assertTrue(seen, name)
            self.assertTrue(out.getvalue().strip(), name)
            if name == "deepseek":
                self.assertEqual(out.getvalue(), "It is 18C and sunny in Paris.\n")
                self.assertEqual(len(seen), 2)
            if name == "openrouter":
                self.assertEqual(out.getvalue(), "Hello! 2\n")
            if name == "vllm":
                self.assertEqual(out.getvalue(), "TCP retransmits. -> yes\n")
            if name == "groq":
                self.assertEqual(len(seen), 2)  # the 429 was waited out and retried
            if name == "azure":
                self.assertEqual(out.getvalue(), "Hello from a deployment\nHello from v1\n")
            if name in ("ollama", "llamacpp"):
                self.assertNotIn("authorization", seen[0].headers)


# ---------------------------------------------------------------- command line

HERE = os.path.dirname(os.path.abspath(__file__))


class CommandLineTest(ServerTest):
    def run_cli(self, *args, stdin="", env=None, module=False):
        e = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_", "CHATLIB_"))
             and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
        e.update({"OPENAI_API_KEY": "sk-test-key-123456", "OPENAI_BASE_URL": self.server.base}, **(env or {}))
        cmd = [sys.executable] + (["-m", "chatlib"] if module else [os.path.join(HERE, "chatlib.py")]) + list(args)
        return subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=e, cwd=HERE, timeout=60)

    def test_prompt_streams_the_answer(self):
        self.responses.append(sse(chunk("Hello", role="assistant"), chunk(", world"), chunk(finish="stop")))
        out = self.run_cli("-m", "test-model", "-s", "Be terse.", "--temperature", "0.5", "--max-tokens", "20",
                           "Say", "hello")
        self.assertEqual((out.returncode, out.stdout, out.stderr), (0, "Hello, world\n", ""))
        self.assertEqual(self.last.json(), {"model": "test-model", "stream": True, "temperature": 0.5,
                                            "max_tokens": 20, "messages": [
                                                {"role": "system", "content": "Be terse."},
                                                {"role": "user", "content": "Say hello"}]})
        self.assertEqual(self.last.headers["authorization"], "Bearer sk-test-key-123456")

    def test_standard_input_no_stream_and_json(self):
        self.responses.append(reply(200, COMPLETION))
        out = self.run_cli("--no-stream", stdin="from stdin\n", module=True)
        self.assertEqual((out.returncode, out.stdout), (0, "Hello!\n"))
        self.assertEqual(self.last.json()["messages"], [{"role": "user", "content": "from stdin"}])
        self.assertNotIn("stream", self.last.json())
        self.assertEqual(self.last.json()["model"], "gpt-4o-mini")
        self.responses.append(reply(200, COMPLETION))
        out = self.run_cli("--no-stream", "--json", "-", stdin="x", env={"CHATLIB_MODEL": "env-model"})
        self.assertEqual(json.loads(out.stdout), COMPLETION)
        self.assertEqual(self.last.json()["model"], "env-model")
        self.responses.append(sse(chunk("a"), chunk("b")))
        out = self.run_cli("--json", "hi")
        self.assertEqual([json.loads(line) for line in out.stdout.splitlines()], [chunk("a"), chunk("b")])

    def test_errors_are_one_line(self):
        self.responses.append(reply(401, {"error": {"message": "Incorrect API key provided: sk-test-key-123456",
                                                    "code": "invalid_api_key"}}))
        out = self.run_cli("--retries", "0", "hi")
        self.assertEqual(out.returncode, 1)
        self.assertEqual(len(out.stderr.splitlines()), 1, out.stderr)
        self.assertIn("401 AuthenticationError", out.stderr)
        self.assertNotIn("sk-test-key-123456", out.stderr + out.stdout)
        self.assertNotIn("Traceback", out.stderr)
        self.responses.append(reply(401, {"error": {"message": "You didn't provide an API key."}}))
        out = self.run_cli("--retries", "0", "hi", env={"OPENAI_API_KEY": ""})
        self.assertIn("set OPENAI_API_KEY", out.stderr)
        self.assertNotIn("authorization", self.last.headers)

    def test_usage_errors_exit_2(self):
        for args in (["--retries", "-1", "x"], ["--temperature", "hot", "x"], ["--base-url", "ftp://x", "x"],
                     ["--api-key-env", "CHATLIB_NO_SUCH_VARIABLE", "x"], ["--azure", "x"], ["--bogus"]):
            out = self.run_cli(*args)
            self.assertEqual(out.returncode, 2, (args, out.stderr))
            self.assertIn("usage:", out.stderr)
            self.assertNotIn("Traceback", out.stderr)
        out = self.run_cli(stdin="   ")
        self.assertEqual(out.returncode, 2)
        for args, said in ((["--azure", "x"], "--azure needs --azure-endpoint URL or AZURE_OPENAI_ENDPOINT"),
                           (["--azure", "--azure-endpoint", "https://r.example", "x"],
                            "--azure needs --api-version VERSION or OPENAI_API_VERSION"),
                           (["--base-url", "localhost:8080/v1", "x"], "--base-url 'localhost:8080/v1' cannot be used"),
                           (["--timeout", "0", "x"], "'0' must be more than 0")):
            out = self.run_cli(*args)
            self.assertEqual(out.returncode, 2)
            self.assertIn(said, out.stderr)
        self.assertEqual(self.server.requests, [])

    def test_help_and_version(self):
        out = self.run_cli("--help", module=True)
        self.assertEqual(out.returncode, 0)
        self.assertIn("examples:", out.stdout)
        self.assertIn("--base-url", out.stdout)
        self.assertEqual(self.run_cli("--version").stdout.strip(), "chatlib " + chatlib.__version__)

    def test_api_key_env_azure_and_logging(self):
        self.responses.append(reply(200, COMPLETION))
        out = self.run_cli("--no-stream", "--api-key-env", "MY_KEY", "hi",
                           env={"MY_KEY": "sk-other-key", "CHATLIB_LOG": "debug"})
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(self.last.headers["authorization"], "Bearer sk-other-key")
        self.assertIn("chatlib: POST %s/chat/completions -> 200" % self.server.base, out.stderr)
        self.assertNotIn("sk-other-key", out.stderr)
        self.responses.append(reply(200, COMPLETION))
        out = self.run_cli("--no-stream", "--azure", "--azure-endpoint", "http://127.0.0.1:%d" % self.server.port,
                           "--deployment", "dep", "--api-version", "2024-10-21", "hi",
                           env={"AZURE_OPENAI_API_KEY": "az-key"})
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(self.last.target, "/openai/deployments/dep/chat/completions?api-version=2024-10-21")
        self.assertEqual(self.last.headers["api-key"], "az-key")

    @unittest.skipIf(os.name == "nt", "SIGINT cannot be sent to a child process on Windows")
    @unittest.skipIf(SIGINT_IGNORED, "SIGINT is ignored here (a background job?), and so in the child")
    def test_ctrl_c_stops_the_stream(self):
        gate = threading.Event()
        self.addCleanup(gate.set)
        one = b"data: " + json.dumps(chunk("first")).encode() + b"\n\n"
        self.responses.append(Raw(sse_head(), b"%x\r\n%s\r\n" % (len(one), one), gate, close=True))
        e = dict(os.environ, OPENAI_API_KEY="sk-test-key-123456", OPENAI_BASE_URL=self.server.base)
        p = subprocess.Popen([sys.executable, os.path.join(HERE, "chatlib.py"), "go"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=e, cwd=HERE)
        self.addCleanup(p.kill)
        started = p.stdout.read(5)
        if started != b"first":  # the answer has not started: say why
            p.kill()
            self.fail("the command line wrote %r; stderr: %r" % (started, p.communicate(timeout=WAIT)[1]))
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=WAIT)
        self.assertEqual(p.returncode, 130)
        self.assertNotIn(b"Traceback", err)
        StreamTest.assert_closed_by_client(self)

    def terminal_chat(self, *args):
        """The chat loop in a pseudo-terminal: (process, master fd, read_until(text))."""
        try:
            import pty
        except ImportError:
            self.skipTest("no pty here")
        master, slave = pty.openpty()
        e = dict(os.environ, OPENAI_API_KEY="sk-test-key-123456", OPENAI_BASE_URL=self.server.base, TERM="dumb")
        p = subprocess.Popen([sys.executable, os.path.join(HERE, "chatlib.py")] + list(args), stdin=slave,
                             stdout=slave, stderr=slave, env=e, cwd=HERE)
        self.addCleanup(p.kill)
        os.close(slave)
        self.addCleanup(os.close, master)
        seen = [b""]

        def read_until(text):
            end = time.monotonic() + WAIT
            while text not in seen[0]:
                r, _, _ = select.select([master], [], [], max(0, end - time.monotonic()))
                if not r:
                    self.fail("no %r in %r" % (text, seen[0]))
                seen[0] += os.read(master, 4096)
            self.assertNotIn(b"Traceback", seen[0])
            seen[0] = seen[0][seen[0].index(text) + len(text):]
        return p, master, read_until

    def test_chat_loop_on_a_terminal(self):
        self.responses += [sse(chunk("Hi there")), sse(chunk("Second answer"))]
        p, master, read_until = self.terminal_chat()
        read_until(b"> ")
        os.write(master, b"first question\n")
        read_until(b"Hi there")
        read_until(b"> ")
        os.write(master, b"second question\n")
        read_until(b"Second answer")
        read_until(b"> ")
        os.write(master, b"\x04")  # Ctrl-D ends the chat
        self.assertEqual(p.wait(WAIT), 0)
        second = self.server.requests[1].json()["messages"]
        self.assertEqual(second, [{"role": "user", "content": "first question"},
                                  {"role": "assistant", "content": "Hi there"},
                                  {"role": "user", "content": "second question"}])

    @unittest.skipIf(SIGINT_IGNORED, "SIGINT is ignored here (a background job?), and so in the child")
    def test_chat_keeps_the_conversation_through_ctrl_c(self):
        gate = threading.Event()
        self.addCleanup(gate.set)
        partial = b"data: " + json.dumps(chunk("Partial")).encode() + b"\n\n"
        self.responses += [Raw(sse_head(), b"%x\r\n%s\r\n" % (len(partial), partial), gate, close=True),
                           sse(chunk("Second answer"))]
        p, master, read_until = self.terminal_chat("-m", "test-model")
        read_until(b"test-model at " + self.server.base.encode())  # the banner: model and server
        read_until(b"Ctrl-D")
        read_until(b"> ")
        os.write(master, b"fist\x1b[D\x1b[Dr\n")  # readline edits: two left arrows, then "r"
        read_until(b"Partial")
        p.send_signal(signal.SIGINT)  # Ctrl-C while the answer streams
        read_until(b"answer stopped")
        read_until(b"> ")
        t0 = time.monotonic()
        StreamTest.assert_closed_by_client(self)  # that answer's connection is closed at once,
        self.assertLess(time.monotonic() - t0, WAIT / 2)  # not when the server gives up at WAIT
        os.write(master, b"second\n")
        read_until(b"Second answer")
        read_until(b"> ")
        # Ctrl-C at the prompt ends the chat.  A SIGINT that arrives after readline printed the
        # prompt but before it waits in select() is seen only at the next key (CPython's readline
        # has no wakeup there), so, as a person would, press it again if the first was lost.
        p.send_signal(signal.SIGINT)
        try:
            code = p.wait(WAIT / 4)
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGINT)
            code = p.wait(WAIT)
        self.assertEqual(code, 0)
        self.assertEqual(self.server.requests[1].json()["messages"], [
            {"role": "user", "content": "first"}, {"role": "assistant", "content": "Partial"},
            {"role": "user", "content": "second"}])


class ReadmeTest(unittest.TestCase):
    def blocks(self):
        return readme_python_blocks(self)

    def test_every_python_example_compiles(self):
        blocks = self.blocks()
        self.assertGreater(len(blocks), 15)
        for block in blocks:
            compile(block, "README.md", "exec")

    def test_self_contained_examples_print_what_they_say(self):
        ran = 0
        for block in self.blocks():
            if ("Client(" in block or "chat." in block or "print(" not in block
                    or "# " not in block.splitlines()[-1]):
                continue  # needs a server, or shows no output to check
            expected = [line[2:] for line in block.splitlines() if line.startswith("# ") and "print" not in line]
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(block, "README.md", "exec"), {})
            self.assertEqual(out.getvalue().splitlines(), expected, block)
            ran += 1
        self.assertGreaterEqual(ran, 3)

    def test_the_test_command_is_the_one_ci_runs(self):
        with open(os.path.join(HERE, "README.md"), encoding="utf-8") as f:
            self.assertIn("python -m unittest -v test_chatlib", f.read())
        ci = os.path.join(HERE, ".ci", "run")
        if os.path.exists(ci):
            with open(ci) as f:
                self.assertIn("-m unittest -v test_chatlib", f.read())
