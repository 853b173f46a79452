#!/usr/bin/env python3
# Signs in over HTTP as a demo participant and prints a bearer token, the way a till does:
# POST /v1/auth/challenge, an Ed25519 signature over "tanba.sign-in.v1", a zero byte and the
# challenge, then POST /v1/auth/sign-in. Needs the `cryptography` package.
# Usage: schemathesis_token.py BASE_URL KEY_FILE (a key file from the demo's keys/ folder).
import base64
import json
import sys
import urllib.request

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def post(url, body):
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def main():
    base, key_path = sys.argv[1].rstrip("/"), sys.argv[2]
    with open(key_path, encoding="utf-8") as file:
        key = json.load(file)
    if key["algorithm"] != "ed25519":
        sys.exit(f"{key_path}: not an ed25519 key")
    secret = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(key["secret_key_hex"]))
    participant = key["participant"]
    challenge = post(f"{base}/v1/auth/challenge", {"participant": participant})["challenge"]
    signature = secret.sign(b"tanba.sign-in.v1\0" + b64url_decode(challenge))
    answer = post(
        f"{base}/v1/auth/sign-in",
        {
            "participant": participant,
            "challenge": challenge,
            "signature": base64.urlsafe_b64encode(signature).decode().rstrip("="),
        },
    )
    print(answer["token"])


if __name__ == "__main__":
    main()
