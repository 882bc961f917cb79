"""Our SigV4 signer signs exactly as botocore does, so AWS accepts the router's invokes."""

from __future__ import annotations

from datetime import UTC, datetime
from unittest import mock

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials

from sinawai.platform.sigv4 import Credentials, sign_v4

NOW = datetime(2026, 11, 28, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize("token", [None, "session-token-xyz"])
@pytest.mark.parametrize(
    "function_name",
    [
        "sinawai-dev-GeneralFunction-AbC123",
        "arn:aws:lambda:ap-southeast-3:123456789012:function:sinawai-general",
    ],
)
def test_signature_matches_botocore(function_name: str, token: str | None) -> None:
    from urllib.parse import quote

    host = "lambda.ap-southeast-3.amazonaws.com"
    path = f"/2015-03-31/functions/{quote(function_name, safe='')}/invocations"
    body = b'{"update": {"update_id": 1}}'
    headers = {"Content-Type": "application/json", "X-Amz-Invocation-Type": "Event"}

    ours = sign_v4(
        method="POST",
        host=host,
        path=path,
        headers=headers,
        body=body,
        region="ap-southeast-3",
        service="lambda",
        credentials=Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token),
        now=NOW,
    )

    request = AWSRequest(method="POST", url=f"https://{host}{path}", data=body, headers=dict(headers))
    creds = BotoCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token)
    with mock.patch("botocore.auth.get_current_datetime", return_value=NOW.replace(tzinfo=None)):
        SigV4Auth(creds, "lambda", "ap-southeast-3").add_auth(request)

    assert ours["X-Amz-Date"] == request.headers["X-Amz-Date"]
    assert ours["Authorization"] == request.headers["Authorization"]


@pytest.mark.parametrize("qualifier", ["live", "7", "$LATEST"])
def test_signature_with_a_qualifier_matches_botocore(qualifier: str) -> None:
    """The router invokes the group functions' alias (``?Qualifier=live``): the query is signed too."""
    from urllib.parse import quote, urlencode

    host = "lambda.ap-southeast-3.amazonaws.com"
    path = "/2015-03-31/functions/sinawai-dev-GeneralFunction-AbC123/invocations"
    body = b'{"update": {"update_id": 1}}'
    headers = {"Content-Type": "application/json", "X-Amz-Invocation-Type": "Event"}
    ours = sign_v4(
        method="POST",
        host=host,
        path=path,
        headers=headers,
        body=body,
        region="ap-southeast-3",
        service="lambda",
        credentials=Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        now=NOW,
        query={"Qualifier": qualifier},
    )
    url = f"https://{host}{path}?{urlencode({'Qualifier': qualifier}, quote_via=quote)}"
    request = AWSRequest(method="POST", url=url, data=body, headers=dict(headers))
    creds = BotoCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    with mock.patch("botocore.auth.get_current_datetime", return_value=NOW.replace(tzinfo=None)):
        SigV4Auth(creds, "lambda", "ap-southeast-3").add_auth(request)
    assert ours["Authorization"] == request.headers["Authorization"]
    # and a query signed is not the same signature as none
    unqualified = sign_v4(
        method="POST",
        host=host,
        path=path,
        headers=headers,
        body=body,
        region="ap-southeast-3",
        service="lambda",
        credentials=Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        now=NOW,
    )
    assert unqualified["Authorization"] != ours["Authorization"]
