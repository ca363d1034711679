#!/usr/bin/env python3
"""Writes the hand-made seed corpora under fuzz/corpus/<target>/seed-* (fuzz/README.md).

Deterministic and dependency-free (the protobuf wire format is written by hand below), so the
seeds can be regenerated and reviewed. Files other than seed-* (kept crash cases) are left alone.
Run from anywhere: python3 fuzz/make_seeds.py
"""
import base64
import gzip
import hashlib
import hmac
import json
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
# The secret libs/auth/jwt_fuzz.cc signs and verifies with.
SECRET = b"fuzz-secret-of-at-least-32-bytes-0123456789"


def write(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def clear(target):
    d = os.path.join(ROOT, target)
    if os.path.isdir(d):
        for n in os.listdir(d):
            if n.startswith("seed-"):
                os.remove(os.path.join(d, n))


# --- jwt_fuzz: first byte '0' header value, '1' base64url text, '2' header JSON \n payload JSON.
def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(header, payload, secret=SECRET):
    signing_input = b64(json.dumps(header, separators=(",", ":")).encode()) + "." + b64(
        json.dumps(payload, separators=(",", ":")).encode())
    sig = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64(sig)


def jwt_seeds():
    t = "jwt_fuzz"
    clear(t)
    hs = {"alg": "HS256", "typ": "JWT"}
    good = {"sub": "shopper-1", "role": "customer", "iat": 1700000000, "exp": 1900000000}
    write(t, "bearer-valid", "0Bearer " + token(hs, good))
    write(t, "bearer-expired", "0Bearer " + token(hs, dict(good, exp=1600000000)))
    write(t, "bearer-lowercase", "0bearer " + token(hs, good))
    write(t, "bearer-other-secret", "0Bearer " + token(hs, good, secret=b"x" * 32))
    write(t, "bearer-alg-none", "0Bearer " + token({"alg": "none"}, good).rsplit(".", 1)[0] + ".")
    write(t, "bearer-moderator", "0Bearer " + token(hs, dict(good, role="moderator")))
    write(t, "basic-scheme", "0Basic c2hvcHBlcjpwYXNzd29yZA==")
    write(t, "bare-token", "0" + token(hs, good))
    write(t, "two-dots", "0Bearer a.b")
    write(t, "b64-header", "1" + b64(b'{"alg":"HS256","typ":"JWT"}'))
    write(t, "b64-one-byte", "1AQ")
    write(t, "b64-two-bytes", "1AQI")
    write(t, "b64-bad-char", "1ab+/")
    write(t, "signed-valid", "2" + json.dumps(hs) + "\n" + json.dumps(good))
    write(t, "signed-float-exp", '2{"alg":"HS256"}\n{"sub":"u","exp":1900000000.5}')
    write(t, "signed-string-exp", '2{"alg":"HS256"}\n{"sub":"u","exp":"1900000000"}')
    write(t, "signed-no-sub", '2{"alg":"HS256"}\n{"exp":1900000000}')
    write(t, "signed-claims", '2{"alg":"HS256","typ":"JWT"}\n{"sub":"shopper-2","iss":"candor",'
          '"aud":"review-gateway","nbf":1699999990,"iat":1699999990,"exp":1700003600}')
    write(t, "signed-typ-other", '2{"alg":"HS256","typ":"at+jwt"}\n{"sub":"u","exp":1900000000}')
    write(t, "signed-alg-rs256", '2{"alg":"RS256"}\n{"sub":"u","exp":1900000000}')
    write(t, "signed-not-json", "2not json\n[1,2,3]")


# --- review_fuzz: rating byte, flags byte, then asin 0xFF title 0xFF body 0xFF device id.
def review(rating, flags, asin, title, body, device=""):
    parts = [x.encode() if isinstance(x, str) else x for x in (asin, title, body, device)]
    return struct.pack("bB", rating, flags) + b"\xff".join(parts)


def review_seeds():
    t = "review_fuzz"
    clear(t)
    write(t, "valid", review(5, 1, "B00004Y2UT", "Great strings",
                             "Bright tone, and they stay in tune after a week.", "device-7f3a"))
    write(t, "valid-accents", review(4, 6, "B0002E1G5C", "Très bien",
                                     "Le son est chaud, ça marche très bien. Açaí!", ""))
    write(t, "valid-nfd", review(3, 8, "B0002E1G5C", "Cafe\u0301", "cafe\u0301 au lait", ""))
    write(t, "valid-emoji-cjk", review(5, 20, "B00006LVEU", "🎸", "音がいい 🎸🎶 good", "d"))
    write(t, "valid-tabs", review(2, 3, "1384719342", "ok", "line one\n\tline two\r\nthree"))
    write(t, "rating-6", review(6, 0, "B00004Y2UT", "", "too many stars"))
    write(t, "rating-0", review(0, 0, "B00004Y2UT", "", "no stars"))
    write(t, "rating-negative", review(-3, 0, "B00004Y2UT", "", "negative"))
    write(t, "asin-lowercase", review(4, 0, "b00004y2ut", "", "lower-case asin"))
    write(t, "asin-short", review(4, 0, "B0000", "", "short asin"))
    write(t, "body-empty", review(4, 0, "B00004Y2UT", "title only", ""))
    write(t, "body-spaces", review(4, 0, "B00004Y2UT", "", " \t\n "))
    write(t, "body-punctuation", review(4, 0, "B00004Y2UT", "", "!!! ... ???"))
    write(t, "title-long", review(4, 0, "B00004Y2UT", "t" * 257, "body"))
    write(t, "body-overlong-utf8", review(4, 0, "B00004Y2UT", "", b"bad \xc0\x80 byte"))
    write(t, "body-surrogate", review(4, 0, "B00004Y2UT", "", b"\xed\xa0\x80"))
    write(t, "body-truncated-utf8", review(4, 0, "B00004Y2UT", "", b"caf\xc3"))
    write(t, "device-long", review(4, 0, "B00004Y2UT", "", "body", "d" * 129))


# --- reviews_file_fuzz: Amazon JSON lines (as in ../shared/data's 5-core files), plain or gzip.
def amazon_line(reviewer, asin, overall, text, summary, **extra):
    row = {"reviewerID": reviewer, "asin": asin, "reviewerName": "A. Player", "helpful": [1, 2],
           "reviewText": text, "overall": overall, "summary": summary,
           "unixReviewTime": 1393545600, "reviewTime": "02 28, 2014"}
    row.update(extra)
    return json.dumps(row)


def reviews_file_seeds():
    t = "reviews_file_fuzz"
    clear(t)
    lines = [
        amazon_line("A1B2C3D4E5F6G7", "B00004Y2UT", 5.0, "Bright tone; they hold their tuning.",
                    "Good strings"),
        amazon_line("A1B2C3D4E5F6G7", "B0002E1G5C", 3.0, "Does the job. Cable is a bit short.",
                    "OK"),
        amazon_line("AZZ9Y8X7W6V5U4", "B0002E1G5C", 1.0, "Broke after \u00e9 two days \u2014 no.",
                    "Broken"),
    ]
    plain = "\n".join(lines) + "\n"
    write(t, "plain", plain)
    write(t, "gzip", gzip.compress(plain.encode(), mtime=0))
    write(t, "crlf-and-blank-lines", "\r\n\r\n".join(lines) + "\r\n   \n")
    write(t, "fractional-and-string-overall",
          amazon_line("A1", "B00004Y2UT", 4.6, "fine", "x") + "\n" +
          amazon_line("A2", "B00004Y2UT", "5", "fine", "x") + "\n")
    write(t, "invalid-rows",
          amazon_line("A3", "B00004Y2UT", 9.0, "", "") + "\n" +
          amazon_line("A4", "b0000", 4.0, "lower-case asin", "x") + "\n" +
          amazon_line("A5", "B00004Y2UT", 4.0, None, None) + "\n")
    write(t, "malformed", '{"reviewerID": "A6", "asin": \n[1,2]\n"string"\n{"asin": "B00004Y2UT"}\n'
          '{"reviewerID": "", "asin": "B00004Y2UT"}\n')
    write(t, "no-newline-at-end", amazon_line("A7", "B00004Y2UT", 2.0, "last line", "s"))
    write(t, "gzip-truncated", gzip.compress(plain.encode(), mtime=0)[:40])
    heavy = "\n".join(amazon_line("AHEAVY", "B%09d" % i, 4.0, "review %d" % i, "s")
                      for i in range(12)) + "\n"
    write(t, "heavy-user", heavy)


# --- Protobuf wire format, by hand (only what events.proto uses).
def varint(n):
    n &= (1 << 64) - 1  # negative int32/int64 are sign-extended to 10 bytes
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field_varint(num, value):
    return varint(num << 3) + varint(value)


def field_bytes(num, value):
    if isinstance(value, str):
        value = value.encode()
    return varint((num << 3) | 2) + varint(len(value)) + value


def timestamp(seconds, nanos=0):
    return field_varint(1, seconds) + (field_varint(2, nanos) if nanos else b"")


def field_timestamp(num, ts):
    """Field `num` holding the Timestamp (seconds[, nanos]) `ts`; nothing when `ts` is None."""
    return b"" if ts is None else field_bytes(num, timestamp(*ts))


def submitted(review_id=None, asin="B00004Y2UT", user="shopper-1", rating=5, title="Great",
              body="Bright tone, and they stay in tune.", verified=True, fingerprint=None,
              ts=(1700000000, 123000000), client_ip="203.0.113.7", device="device-7f3a"):
    if fingerprint is None:
        fingerprint = hashlib.sha256(("%s:%s:%s" % (asin, user, body.lower())).encode()).hexdigest()
    if review_id is None:
        review_id = fingerprint[:32]
    m = field_bytes(1, review_id) + field_bytes(2, asin) + field_bytes(3, user)
    m += field_varint(4, rating) + field_bytes(5, title) + field_bytes(6, body)
    m += field_varint(7, 1 if verified else 0) + field_bytes(8, fingerprint)
    m += field_timestamp(9, ts) + field_bytes(10, client_ip) + field_bytes(11, device)
    return m


def submission_seeds():
    t = "submission_decode_fuzz"
    clear(t)
    write(t, "valid", submitted())
    write(t, "valid-unicode", submitted(title="Très bien", body="ça marche 🎸", user="usér-2"))
    write(t, "valid-pre-epoch", submitted(ts=(-86401, 5)))
    write(t, "no-timestamp", submitted(ts=None))
    write(t, "timestamp-year-10000", submitted(ts=(253402300800, 0)))
    write(t, "bad-fingerprint", submitted(fingerprint="ABC"))
    write(t, "review-id-mismatch", submitted(review_id="0" * 32))
    write(t, "rating-negative", submitted(rating=-1))
    write(t, "nul-in-body", submitted(body="before\0after"))
    write(t, "empty-user", submitted(user=""))
    write(t, "unknown-field", submitted() + field_bytes(99, "from a newer producer"))
    write(t, "truncated", submitted()[:37])
    write(t, "empty", b"")


def event(review_id="0123456789abcdef0123456789abcdef", asin="B00004Y2UT", kind=10, body=b"",
          ts=(1700000000,)):
    m = field_bytes(1, review_id) + field_bytes(2, asin) + field_timestamp(3, ts)
    if kind is not None:
        m += field_bytes(kind, body)
    return m


def review_event_seeds():
    t = "review_event_decode_fuzz"
    clear(t)
    accepted = field_varint(1, 5) + field_varint(2, 1) + field_bytes(3, "shopper-1")
    write(t, "accepted", event(kind=10, body=accepted))
    write(t, "removed", event(kind=11, body=field_bytes(1, "spam")))
    write(t, "restored", event(kind=12, body=field_bytes(1, "appeal")))
    write(t, "no-event", event(kind=None))
    write(t, "newer-event-type", event(kind=13, body=b""))
    write(t, "upper-case-review-id", event(review_id="0123456789ABCDEF0123456789ABCDEF"))
    write(t, "bad-asin", event(asin="b00004y2ut"))
    write(t, "truncated", event(body=accepted)[:20])
    write(t, "no-occurred-at", event(kind=11, body=field_bytes(1, "spam"), ts=None))
    write(t, "occurred-at-negative-nanos", event(kind=11, ts=(1700000000, -1)))
    write(t, "accepted-rating-zero", event(kind=10, body=field_bytes(3, "shopper-1")))
    write(t, "unknown-fields", event(kind=10, body=accepted + field_bytes(99, "newer"))
          + field_bytes(99, "from a newer producer"))


def helpful_vote(review_id="0123456789abcdef0123456789abcdef", asin="B00004Y2UT", user="voter-1",
                 vote=1, ts=(1700000000, 0)):
    m = field_bytes(1, review_id) + field_bytes(2, asin) + field_bytes(3, user)
    if vote is not None:
        m += field_varint(4, vote)
    return m + field_timestamp(5, ts)


def helpful_vote_seeds():
    t = "helpful_vote_decode_fuzz"
    clear(t)
    write(t, "helpful", helpful_vote())
    write(t, "not-helpful", helpful_vote(vote=2))
    write(t, "retracted", helpful_vote(vote=3))
    write(t, "unset-vote", helpful_vote(vote=None))
    write(t, "newer-vote", helpful_vote(vote=9))
    write(t, "no-voted-at", helpful_vote(ts=None))
    write(t, "empty-user", helpful_vote(user=""))
    write(t, "before-1970", helpful_vote(ts=(-86400, 5)))
    write(t, "unknown-fields", helpful_vote() + field_bytes(99, "from a newer producer"))


def review_score(review_id="0123456789abcdef0123456789abcdef", asin="B00004Y2UT", helpful=480,
                 total=500, key=b"\x00\x00\x00\x00\x00\x00\x29\x40", ranked=1,
                 ts=(1700000000, 0)):
    m = field_bytes(1, review_id) + field_bytes(2, asin) + field_varint(3, helpful)
    m += field_varint(4, total) + varint((5 << 3) | 1) + key + field_varint(6, ranked)
    return m + field_timestamp(7, ts)


def review_score_seeds():
    t = "review_score_decode_fuzz"
    clear(t)
    write(t, "ranked", review_score())
    write(t, "unranked", review_score(helpful=0, total=0, ranked=0))
    write(t, "more-helpful-than-total", review_score(helpful=7, total=3))
    write(t, "nan-key", review_score(key=b"\x00\x00\x00\x00\x00\x00\xf8\x7f"))
    write(t, "no-scored-at", review_score(ts=None))
    write(t, "unknown-fields", review_score() + field_bytes(99, "from a newer producer"))


def impressed_item(asin="B00004Y2UT", score=b"\x00\x00\x40\x3f", stage=2):
    return field_bytes(1, asin) + b"\x15" + score + field_varint(3, stage)


def impression(request_id="req-1", user="shopper-1", experiment="home", variant="treatment",
               items=None, ts=(1700000000, 0)):
    if items is None:
        items = [impressed_item(), impressed_item("B000000002", stage=1)]
    out = field_bytes(1, request_id) + field_bytes(2, user) + field_bytes(3, experiment)
    out += field_bytes(4, variant)
    for item in items:
        out += field_bytes(5, item)
    return out + field_timestamp(6, ts)


def reco_impression_seeds():
    t = "reco_impression_decode_fuzz"
    clear(t)
    write(t, "two-items", impression())
    write(t, "empty", impression(items=[]))
    write(t, "bad-stage", impression(items=[impressed_item(stage=9)]))
    write(t, "nan-score", impression(items=[impressed_item(score=b"\x00\x00\xc0\x7f")]))
    write(t, "no-served-at", impression(ts=None))
    write(t, "unknown-fields", impression() + field_bytes(99, "from a newer producer"))


if __name__ == "__main__":
    jwt_seeds()
    review_seeds()
    reviews_file_seeds()
    submission_seeds()
    review_event_seeds()
    helpful_vote_seeds()
    review_score_seeds()
    reco_impression_seeds()
