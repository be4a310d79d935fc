"""Runs Digital Bazaar's verifier (verify_open_badges.mjs, @digitalbazaar/vc from npm) on
Open Badges credentials: the independent check of our signatures and status lists."""

import json
import shutil
import subprocess
from pathlib import Path

from django.conf import settings

from programs import openbadges

REPO = Path(__file__).resolve().parents[2]
VERIFIER = Path(__file__).resolve().parent / "verify_open_badges.mjs"


def verify_independently(credentials: list[dict], *, server: str = "") -> list[dict]:
    """{verified, revoked, error} per credential. The issuers' DID documents and status
    lists are fetched over HTTP from SITE_URL, or from `server` (a live server) when the
    credentials name another SITE_URL."""
    node = shutil.which("node")
    assert node, "Node.js runs the independent verifier (package.json devDependencies)"
    completed = subprocess.run(
        [
            node,
            str(VERIFIER),
            str(openbadges.CONTEXT_DIR),
            json.dumps(openbadges.CONTEXT_FILES),
            settings.SITE_URL,
            *([server] if server else []),
        ],
        input=json.dumps(credentials),
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)
