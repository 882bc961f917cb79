"""The webhook router's cold start: no Telegram library and no boto3 client in its import graph.

(Powertools imports the bare ``botocore`` package for its user agent: under a millisecond.)
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.helpers import FUNCTIONS


def test_router_imports_neither_telegram_nor_boto3() -> None:
    code = (
        "import sys, json; sys.path.insert(0, {!r}); import app; "
        "heavy = ('telegram', 'boto3', 'httpx', 'botocore.session', 'botocore.client'); "
        "print(json.dumps(sorted(m for m in sys.modules if m in heavy or m.split('.')[0] in heavy)))"
    ).format(str(FUNCTIONS / "webhook"))
    env = {"AWS_DEFAULT_REGION": "ap-southeast-3", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
