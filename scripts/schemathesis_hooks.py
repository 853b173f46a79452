# Schemathesis hooks for the Tanba HTTP API (loaded through SCHEMATHESIS_HOOKS by
# scripts/schemathesis.sh): values for the formats openapi.json names whose rules a JSON Schema
# pattern cannot state (check digits, GS1 syntax), so that generated valid requests are valid
# to the server too. TANBA_DEMO_CODES may name a demo's demo-codes.json: its codes (genuine,
# sold, blocked, ...) are drawn among the generated ones.
import json
import os
import urllib.parse

import schemathesis
from hypothesis import strategies as st

DIGITS = "0123456789"
# GS1 CSET 82 without the brackets (a bracket in a bracketed serial needs escaping).
CSET82 = "!\"%&'*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
GS = "\x1d"


def gs1_check_digit(digits):
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def with_check_digit(length):
    body = st.text(DIGITS, min_size=length - 1, max_size=length - 1)
    return body.map(lambda digits: digits + gs1_check_digit(digits))


def taxpayer_check_digit(digits):
    def weighted(weights):
        return sum(int(d) * w for d, w in zip(digits, weights)) % 11

    check = weighted(range(1, 12))
    if check == 10:
        check = weighted([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2])
        if check == 10:
            return None
    return str(check)


def iin_bin():
    return (
        st.text(DIGITS, min_size=11, max_size=11)
        .map(lambda digits: (digits, taxpayer_check_digit(digits)))
        .filter(lambda pair: pair[1] is not None)
        .map(lambda pair: pair[0] + pair[1])
    )


gtin = with_check_digit(14)
sscc = with_check_digit(18)
serial = st.text(CSET82, min_size=1, max_size=20)
tail = st.one_of(
    st.none(),
    st.tuples(st.just("93"), st.text(BASE64URL, min_size=1, max_size=8)),
    st.tuples(
        st.text(BASE64URL, min_size=1, max_size=4),
        st.text(BASE64URL, min_size=1, max_size=88),
    ),
)


def render(key, tail_parts, form):
    kind, value = key
    if kind == "00":
        elements = [("00", value)]
    else:
        elements = [("01", value[0]), ("21", value[1])]
    if tail_parts is not None:
        if tail_parts[0] == "93":
            elements.append(("93", tail_parts[1]))
        else:
            elements += [("91", tail_parts[0]), ("92", tail_parts[1])]
    if form == "bracketed":
        return "".join(f"({ai}){data}" for ai, data in elements)
    if form == "raw":
        out, needs_gs = "", False
        for ai, data in elements:
            # (00) and (01) are fixed-length; a variable-length field before another ends with GS.
            out += (GS if needs_gs else "") + ai + data
            needs_gs = ai not in ("00", "01")
        return out
    path = "".join(f"/{ai}/{urllib.parse.quote(data, safe='')}" for ai, data in elements if ai in ("00", "01", "21"))
    query = "&".join(f"{ai}={urllib.parse.quote(data, safe='')}" for ai, data in elements if ai not in ("00", "01", "21"))
    return "https://id.tanba.kz" + path + (f"?{query}" if query else "")


keys = st.one_of(
    st.tuples(st.just("01"), st.tuples(gtin, serial)),
    st.tuples(st.just("00"), sscc),
)
built_codes = st.builds(render, keys, tail, st.sampled_from(["bracketed", "raw", "digital_link"]))


def demo_codes():
    path = os.environ.get("TANBA_DEMO_CODES")
    if not path:
        return []
    with open(path, encoding="utf-8") as file:
        demo = json.load(file)
    codes = []
    for entries in demo.values():
        if isinstance(entries, list):
            for entry in entries:
                if isinstance(entry, dict) and "bracketed" in entry:
                    codes += [entry["bracketed"], entry["raw"], entry["digital_link"]]
    return codes


known = demo_codes()
marking_code = st.one_of(built_codes, st.sampled_from(known)) if known else built_codes

schemathesis.openapi.format("gtin", gtin)
schemathesis.openapi.format("sscc", sscc)
schemathesis.openapi.format("kz-iin-bin", iin_bin())
schemathesis.openapi.format("gs1-marking-code", marking_code)

# A report's photo: the server takes JPEG, PNG and WebP by their first bytes.
IMAGE_STARTS = [b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF\x00\x00\x00\x00WEBP"]
report_photo = st.builds(
    lambda start, rest: start + rest,
    st.sampled_from(IMAGE_STARTS),
    st.binary(max_size=2048),
)
schemathesis.openapi.format("report-photo", report_photo)


@schemathesis.deserializer("text/html", "text/plain")
def text_body(ctx, response):
    """Pages and plain text are validated as the string they are."""
    return response.content.decode("utf-8")


@schemathesis.deserializer("application/x-ndjson")
def ndjson_body(ctx, response):
    """A feed's lines are validated as the text they are (tests of the server read them)."""
    return response.content.decode("utf-8")


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    """A feed streams until `until`, or for ever: each generated request to it is given a small
    `until` unless it carries a malformed one (left for the server to refuse), so that every
    answer ends."""
    if case.path != "/v1/feeds/{kind}":
        return None
    query = dict(case.query) if isinstance(case.query, dict) else {}
    until = query.get("until")
    if until is None or str(until).isdigit():
        query["until"] = "2"
    case.query = query
    return None
