#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Generate tests/vectors/events/events.json: event IDs, content hashes,
redaction and signing for every room version 1 to 12.

Independent oracle: canonical JSON from Debian's python3-canonicaljson,
signatures from python3-signedjson (libsodium through python3-nacl),
SHA-256 from hashlib. The redaction algorithm below is written afresh from
the spec's text (rooms/v1, v6, v8, v9, v11: Redactions), in Python, not
from the library's C code. Run with /usr/bin/python3 (which sees the
Debian packages):  /usr/bin/python3 gen_events.py > events.json
"""
import base64
import copy
import hashlib
import json

import canonicaljson
import signedjson.key
import signedjson.sign

SEED = "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1"  # appendices test key
SERVER = "example.org"
KEY_ID = "ed25519:1"


def b64(data, urlsafe=False):
    s = base64.b64encode(data).decode()
    if urlsafe:
        s = s.replace("+", "-").replace("/", "_")
    return s.rstrip("=")


def signing_key():
    raw = base64.b64decode(SEED + "=")
    key = signedjson.key.decode_signing_key_base64("ed25519", "1", SEED)
    return key


def canon(v):
    return canonicaljson.encode_canonical_json(v)


# ---- the redaction algorithm, per version, from the spec text -----------

TOP_V1 = {"event_id", "type", "room_id", "sender", "state_key", "content",
          "hashes", "signatures", "depth", "prev_events", "prev_state",
          "auth_events", "origin", "origin_server_ts", "membership"}
TOP_V11 = TOP_V1 - {"origin", "membership", "prev_state"}


def redaction_rev(v):
    return {1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 6, 7: 6, 8: 8, 9: 9,
            10: 9, 11: 11, 12: 11}[v]


def redact(ev, v):
    r = redaction_rev(v)
    top = TOP_V11 if r >= 11 else TOP_V1
    out = {k: val for k, val in ev.items() if k in top}
    t = ev.get("type")
    c = ev.get("content")
    if not isinstance(c, dict):
        # absent or not an object: an empty content (what Synapse and
        # gomatrixserverlib produce; the spec's text is silent)
        out["content"] = {}
        return out
    keep = set()
    if t == "m.room.member":
        keep = {"membership"}
        if r >= 9:
            keep.add("join_authorised_via_users_server")
        if r >= 11:
            keep.add("third_party_invite")
    elif t == "m.room.create":
        keep = set(c) if r >= 11 else {"creator"}
    elif t == "m.room.join_rules":
        keep = {"join_rule", "allow"} if r >= 8 else {"join_rule"}
    elif t == "m.room.power_levels":
        keep = {"ban", "events", "events_default", "kick", "redact",
                "state_default", "users", "users_default"}
        if r >= 11:
            keep.add("invite")
    elif t == "m.room.aliases":
        keep = {"aliases"} if r < 6 else set()
    elif t == "m.room.history_visibility":
        keep = {"history_visibility"}
    elif t == "m.room.redaction":
        keep = {"redacts"} if r >= 11 else set()
    nc = {k: val for k, val in c.items() if k in keep}
    if r >= 11 and t == "m.room.member" and "third_party_invite" in nc:
        tpi = nc["third_party_invite"]
        if isinstance(tpi, dict) and "signed" in tpi:
            nc["third_party_invite"] = {"signed": tpi["signed"]}
        elif isinstance(tpi, dict):
            nc["third_party_invite"] = {}
        else:
            del nc["third_party_invite"]
    out["content"] = nc
    return out


# ---- hashes, IDs and signing (server-server API: Signing events) -------

def hashed_ids(v):
    return v >= 3


def content_hash(ev, v):
    e = {k: val for k, val in ev.items()
         if k not in ("unsigned", "signatures", "hashes")}
    if hashed_ids(v):
        e.pop("event_id", None)
    return hashlib.sha256(canon(e)).digest()


def reference_view(ev, v):
    e = redact(ev, v)
    e.pop("signatures", None)
    e.pop("unsigned", None)
    if hashed_ids(v):
        e.pop("event_id", None)
    return e


def reference_hash(ev, v):
    return hashlib.sha256(canon(reference_view(ev, v))).digest()


def event_id(ev, v):
    if not hashed_ids(v):
        return ev["event_id"]
    return "$" + b64(reference_hash(ev, v), urlsafe=v >= 4)


def sign_event(ev, v, key):
    ev = copy.deepcopy(ev)
    ev["hashes"] = {"sha256": b64(content_hash(ev, v))}
    to_sign = reference_view(ev, v)
    signed = signedjson.sign.sign_json(to_sign, SERVER, key)
    sig = signed["signatures"][SERVER][KEY_ID]
    ev.setdefault("signatures", {}).setdefault(SERVER, {})[KEY_ID] = sig
    return ev


# ---- the events ------------------------------------------------------------

def ref_list(v, ids):
    if hashed_ids(v):
        return list(ids)
    return [[i, {"sha256": b64(hashlib.sha256(i.encode()).digest())}]
            for i in ids]


def prev_ids(v):
    if v <= 2:
        return ["$prev1:example.org"], ["$create:example.org",
                                        "$pl:example.org"]
    alpha = v >= 4
    h1 = b64(hashlib.sha256(b"prev1").digest(), alpha)
    h2 = b64(hashlib.sha256(b"auth1").digest(), alpha)
    h3 = b64(hashlib.sha256(b"auth2").digest(), alpha)
    return ["$" + h1], ["$" + h2, "$" + h3]


def contents(v):
    """(type, state_key or None, content) per rule-named type + unknowns."""
    member = {"membership": "join", "displayname": "Alice",
              "avatar_url": "mxc://example.org/a",
              "join_authorised_via_users_server": "@bob:example.org",
              "third_party_invite": {"display_name": "alice",
                                     "signed": {"mxid": "@alice:example.org",
                                                "token": "abc",
                                                "signatures": {}},
                                     "extra": 1}}
    create = {"room_version": str(v), "m.federate": True,
              "predecessor": {"room_id": "!old:example.org"},
              "extra_key": "x"}
    if v < 11:
        create["creator"] = "@alice:example.org"
    if v >= 12:
        create["additional_creators"] = ["@bob:other.example"]
    return [
        ("m.room.create", "", create),
        ("m.room.member", "@alice:example.org", member),
        ("m.room.join_rules", "", {"join_rule": "restricted",
                                   "allow": [{"type": "m.room_membership",
                                              "room_id": "!x:example.org"}],
                                   "extra": True}),
        ("m.room.power_levels", "", {
            "ban": 50, "events": {"m.room.name": 50}, "events_default": 0,
            "invite": 0, "kick": 50, "redact": 50, "state_default": 50,
            "users": {"@alice:example.org": 100}, "users_default": 0,
            "notifications": {"room": 50}, "extra": "y"}),
        ("m.room.aliases", "example.org", {"aliases": ["#a:example.org"],
                                           "extra": 1}),
        ("m.room.history_visibility", "", {"history_visibility": "shared",
                                           "extra": 2}),
        ("m.room.redaction", None, {"reason": "spam", "redacts": "$target"}),
        ("m.room.message", None, {"msgtype": "m.text", "body": "hello",
                                  "format": "x"}),
        ("org.example.custom", "sk", {"a": [1, 2, {"b": None}],
                                      "membership": "join"}),
    ]


def build(v, key):
    cases = []
    prev, auth = prev_ids(v)
    room_id = "!room:example.org"
    events = []
    create_id = None
    for n, (t, sk, content) in enumerate(contents(v)):
        ev = {
            "type": t,
            "sender": "@alice:example.org",
            "content": content,
            "origin_server_ts": 1700000000000 + n,
            "depth": n + 1,
            "prev_events": ref_list(v, [] if t == "m.room.create" else prev),
            "auth_events": ref_list(v, [] if t == "m.room.create" else auth),
            # keys every version's redaction handles differently
            "origin": "example.org",
            "membership": "join",
            "prev_state": [],
            "extra_top": {"nested": True},
            "unsigned": {"age": 5},
        }
        if sk is not None:
            ev["state_key"] = sk
        if not (v >= 12 and t == "m.room.create"):
            ev["room_id"] = room_id
        if v <= 2:
            ev["event_id"] = "$ev%d:example.org" % n
        if t == "m.room.redaction":
            if v >= 11:
                ev["content"] = dict(content, redacts=prev[0])
            else:
                ev["redacts"] = prev[0]
        signed = sign_event(ev, v, key)
        case = {
            "name": "v%d %s" % (v, t),
            "room_version": str(v),
            "unsigned_input": ev,
            "event": signed,
            "event_id": event_id(signed, v),
            "content_hash": b64(content_hash(signed, v)),
            "reference_hash": b64(reference_hash(signed, v), v >= 4),
            "redacted": redact(signed, v),
        }
        if v >= 12 and t == "m.room.create":
            rid = "!" + b64(reference_hash(signed, v), True)
            case["room_id"] = rid
            room_id = rid  # the other events of the room use it
        cases.append(case)
    return cases


def main():
    key = signing_key()
    pub = b64(key.verify_key.encode())
    cases = []
    for v in range(1, 13):
        cases.extend(build(v, key))
    doc = {
        "corpus": "events",
        "description": (
            "Per room version 1..12: one PDU of every event type the "
            "redaction rules name plus two unknown types, with extra keys "
            "at top level and in content, signed by " + SERVER + " with "
            "the appendices' test seed. Expected event IDs, content "
            "hashes, reference hashes, redacted forms and signatures were "
            "computed by gen_events.py with Debian's python3-canonicaljson "
            "and python3-signedjson (libsodium) and a Python redaction "
            "written from the spec text; not by matrix-core."),
        "source": {"generator": "tests/vectors/events/gen_events.py",
                   "oracle": "python3-canonicaljson, python3-signedjson"},
        "seed_base64": SEED,
        "server_name": SERVER,
        "key_id": KEY_ID,
        "public_key_base64": pub,
        "cases": cases,
    }
    print(json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False))


if __name__ == "__main__":
    main()
