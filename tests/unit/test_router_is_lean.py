"""The webhook router's cold start: no Telegram library and no boto3 client in its import graph.

(Powertools imports the bare ``botocore`` package for its user agent: under a millisecond.)
"""

from __future__ import annotations

import json
import subprocess
import sys

import boto3
from moto import mock_aws

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


def test_the_router_reads_its_webhook_secret_by_arn_without_boto3(moto_url: str) -> None:
    """The secret comes from Secrets Manager (moto's server) by ARN, as deployed: still no boto3 client.

    The bare ``botocore`` package (Powertools' user agent hook, above) is all of botocore that is loaded."""
    with mock_aws():
        sm = boto3.client(
            "secretsmanager",
            region_name="ap-southeast-3",
            endpoint_url=moto_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        arn = sm.create_secret(Name="sinawai/lean/webhook-secret", SecretString="lean-secret-1")["ARN"]
        code = (
            "import sys, json; sys.path.insert(0, {!r}); import app; "
            "from sinawai.platform import config; "
            "ok = config.webhook_secret_matches('lean-secret-1'); "
            "aws = sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')); "
            "print(json.dumps({{'ok': ok, 'aws': aws}}))"
        ).format(str(FUNCTIONS / "webhook"))
        env = {
            "PATH": "/usr/bin:/bin",
            "AWS_REGION": "ap-southeast-3",
            "AWS_DEFAULT_REGION": "ap-southeast-3",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_ENDPOINT_URL_SECRETS_MANAGER": moto_url,
            "TELEGRAM_WEBHOOK_SECRET_ARN": arn,
        }
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"ok": True, "aws": ["botocore"]}
