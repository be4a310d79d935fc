"""The drills' load generator, run as its own process: a weighted mix of pages, each kind of
visitor with its own session cookie, on `concurrency` keep-alive connections; and paced
writes (a member editing a profile, a member logging in), each on its own connection at a
fixed interval, each write carrying a unique token so that the drill can check afterwards
that every acknowledged write is in the database. Every request is recorded with its
wall-clock start (so the faults the parent injects line up).

Spec (JSON): host, port, seconds, concurrency, timeout, seed, token_prefix,
    tls (optional: over TLS, certificate not verified, SNI and Host `host_header`),
    mix:   [{"label", "weight", "paths": [...], "headers": {...}, "expect": [200]}]
    paced: [{"label", "every": seconds, "method": "POST", "expect": [302], "location",
             "variants": [{"path", "headers", "body"}]}]   # "{token}" in the body
Result: labels (mix then paced), samples [start, label index, status, seconds, error],
writes [label index, token, acknowledged].
"""

import asyncio
import itertools
import json
import random
import ssl
import sys
import time

from tests.bench.loadgen import Connection

FORM = "application/x-www-form-urlencoded"


def _connection(spec):
    context = None
    if spec.get("tls"):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return Connection(
        spec["host"],
        spec["port"],
        spec.get("timeout", 30),
        ssl=context,
        host_header=spec.get("host_header"),
    )


async def _one(conn, spec, method, path, headers, body, expect, location=None):
    """One request: (status, error); a connection failure closes the connection. With
    `location`, a redirect must point there (a write redirected elsewhere, to a login or
    an error, was not done)."""
    try:
        status, response_headers, _nbytes, _lines = await asyncio.wait_for(
            conn.request(method, path, headers, body), timeout=spec.get("timeout", 30)
        )
    except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
        await conn.close()
        return 0, exc.__class__.__name__
    if status not in expect:
        return status, f"HTTP {status} {path}"
    if location is not None and location not in response_headers.get("location", ""):
        return status, f"HTTP {status} {path} -> {response_headers.get('location', '')}"
    return status, ""


async def _browse(spec, mix, weights, deadline, samples, rng):
    conn = _connection(spec)
    try:
        while time.time() < deadline:
            index = rng.choices(range(len(mix)), weights)[0]
            entry = mix[index]
            path = rng.choice(entry["paths"])
            headers = {"User-Agent": "talentnet-drill", "Accept-Encoding": "identity"}
            headers.update(entry.get("headers", {}))
            started = time.time()
            status, error = await _one(
                conn, spec, "GET", path, headers, None, entry.get("expect", [200])
            )
            samples.append(
                [round(started, 4), index, status, round(time.time() - started, 5), error]
            )
    finally:
        await conn.close()


async def _paced(spec, entry, index, deadline, samples, writes):
    """`entry` every `every` seconds (no catching up after a slow answer)."""
    conn = _connection(spec)
    variants = itertools.cycle(entry["variants"])
    sequence = itertools.count()
    next_at = time.time() + entry["every"] * random.random()  # spreads the starts
    try:
        while True:
            await asyncio.sleep(max(0.0, next_at - time.time()))
            if time.time() >= deadline:
                break
            variant = next(variants)
            token = f"{spec.get('token_prefix', 'drill')}-{index}-{next(sequence)}"
            headers = {"User-Agent": "talentnet-drill", "Accept-Encoding": "identity"}
            headers.update(variant.get("headers", {}))
            headers["Content-Type"] = FORM
            body = variant.get("body", "").replace("{token}", token)
            started = time.time()
            status, error = await _one(
                conn,
                spec,
                entry.get("method", "POST"),
                variant["path"],
                headers,
                body,
                entry.get("expect", [302]),
                entry.get("location"),
            )
            samples.append(
                [round(started, 4), index, status, round(time.time() - started, 5), error]
            )
            writes.append([index, token, not error])
            next_at = max(next_at + entry["every"], time.time())
    finally:
        await conn.close()


async def run(spec):
    mix = spec["mix"]
    paced = spec.get("paced", [])
    weights = [entry["weight"] for entry in mix]
    deadline = time.time() + spec["seconds"]
    samples, writes = [], []
    rng = random.Random(spec.get("seed", 2026))
    await asyncio.gather(
        *(
            _browse(spec, mix, weights, deadline, samples, random.Random(rng.random()))
            for _ in range(spec["concurrency"])
        ),
        *(
            _paced(spec, entry, len(mix) + n, deadline, samples, writes)
            for n, entry in enumerate(paced)
        ),
    )
    labels = [entry["label"] for entry in mix] + [entry["label"] for entry in paced]
    return {"labels": labels, "samples": samples, "writes": writes}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    with open(argv[0]) as fh:
        spec = json.load(fh)
    result = asyncio.run(run(spec))
    with open(argv[1], "w") as fh:
        json.dump(result, fh)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
