"""For each page, in-process: the number of SQL queries and the server time of one request
(median of a few), with the cache cleared each time. `python -m bench.probe '<json pages>'`."""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def probe(pages: list[list]) -> dict:
    out = {}
    for name, path, cookie in pages:
        client = Client(HTTP_HOST="127.0.0.1")
        if cookie:
            key, _, value = cookie.partition("=")
            client.cookies[key] = value
        client.get(path)
        timings = []
        for _ in range(5):
            cache.clear()
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        out[name] = {"queries": len(queries.captured_queries), "server_ms": statistics.median(timings)}
    return out


if __name__ == "__main__":
    print(json.dumps(probe(json.loads(sys.argv[1]))))
