"""The drills' load generator, run as its own process: a weighted mix of pages, each kind of
visitor with its own session cookie, `concurrency` keep-alive connections, every request
recorded with its wall-clock start (so faults injected by the parent line up)."""

import asyncio
import json
import random
import sys
import time

from tests.bench.loadgen import Connection


async def _worker(spec, mix, weights, deadline, samples, rng):
    conn = Connection(spec["host"], spec["port"], spec.get("timeout", 30))
    try:
        while time.time() < deadline:
            index = rng.choices(range(len(mix)), weights)[0]
            entry = mix[index]
            path = rng.choice(entry["paths"])
            headers = {"User-Agent": "talentnet-drill", "Accept-Encoding": "identity"}
            headers.update(entry.get("headers", {}))
            started = time.time()
            try:
                status, _headers, _nbytes, _lines = await asyncio.wait_for(
                    conn.request("GET", path, headers, None), timeout=spec.get("timeout", 30)
                )
                error = "" if status in entry.get("expect", [200]) else f"HTTP {status} {path}"
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                await conn.close()
                status, error = 0, exc.__class__.__name__
            samples.append(
                [round(started, 4), index, status, round(time.time() - started, 5), error]
            )
    finally:
        await conn.close()


async def run(spec):
    mix = spec["mix"]
    weights = [entry["weight"] for entry in mix]
    deadline = time.time() + spec["seconds"]
    samples = []
    rng = random.Random(spec.get("seed", 2026))
    await asyncio.gather(
        *(
            _worker(spec, mix, weights, deadline, samples, random.Random(rng.random()))
            for _ in range(spec["concurrency"])
        )
    )
    return {"labels": [entry["label"] for entry in mix], "samples": samples}


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
