#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generate tests/cli/pdu_ops.jsonl, the batch cases of check_pdu.

usage: gen_pdu_ops.py MXC > tests/cli/pdu_ops.jsonl

How the cases were made. A room with three servers, a.test (alice),
b.test (bob) and c.test (carol, dave), each with an ed25519 key from a
fixed seed (32 bytes of 0x11, 0x22, 0x33; key IDs ed25519:a, :b, :c), is
built in room versions 11 and 12: create, alice joins, power levels
(alice 100, m.room.topic 0), public join rules, bob joins, carol joins.
Every PDU is written here field by field (prev_events, auth_events by
the server-server API's auth events selection, depth, origin_server_ts =
1700000000000 + depth) and only hashed, signed and named by the tool (`mxc batch`:
sign_event, event_id, room_id, sign_json for the key documents, `mxc
pubkey` for the public keys). check_pdu itself is never run here: each
expected outcome is written by hand from the spec's rule quoted in the
case's name (server-server API, "Checks performed on receipt of a PDU",
steps 1 to 6; the room version's authorisation rules, numbered as on its
page: v11 rule 5 / v12 rule 6 "If the sender's current membership state
is not join, reject").

What each case expects: the outcome and the `redacted` flag always; the
state after the event where the spec fixes it (the state before plus the
event when it is a state event that was not rejected); for need_input the
exact list of what is missing; for bad_request only the code. Reasons are
the library's English and are not compared.
"""
import base64
import json
import os
import subprocess
import sys
import tempfile

TS = 1700000000000
SEEDS = {s: base64.b64encode(bytes([b] * 32)).decode().rstrip("=")
         for s, b in (("a.test", 0x11), ("b.test", 0x22), ("c.test", 0x33))}
KID = {"a.test": "ed25519:a", "b.test": "ed25519:b", "c.test": "ed25519:c"}
# another key under b.test's key ID: a forgery
FORGED_SEED = base64.b64encode(bytes([0x44] * 32)).decode().rstrip("=")
ALICE, BOB, CAROL, DAVE = ("@alice:a.test", "@bob:b.test",
                           "@carol:c.test", "@dave:c.test")


class Tool:
    def __init__(self, mxc):
        self.mxc = mxc
        self.p = subprocess.Popen([mxc, "batch"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE)

    def call(self, **req):
        self.p.stdin.write(json.dumps(req).encode() + b"\n")
        self.p.stdin.flush()
        resp = json.loads(self.p.stdout.readline())
        if not resp["ok"]:
            raise SystemExit("mxc batch %s: %s" % (req["op"], resp))
        return resp["result"]

    def pubkey(self, server):
        with tempfile.NamedTemporaryFile("w", delete=False) as f:
            f.write("ed25519 %s %s\n" % (KID[server].split(":")[1],
                                         SEEDS[server]))
        try:
            out = subprocess.check_output([self.mxc, "pubkey", f.name])
        finally:
            os.unlink(f.name)
        return out.decode().split()[1]


class Room:
    def __init__(self, tool, version):
        self.t = tool
        self.v = version
        self.v12 = version == "12"
        self.room_id = "!room:a.test"
        self.depth = 0

    def mk(self, server, type_, sender, content, prev, auth,
           state_key=None, seed=None):
        """A signed PDU and its ID; in v12 the create event is left out
        of auth_events (v12: the room ID names it)."""
        self.depth += 1
        ev = {"type": type_, "sender": sender, "content": content,
              "prev_events": prev, "depth": self.depth,
              "auth_events": [a for a in auth
                              if not (self.v12 and a == self.create)],
              "origin_server_ts": TS + self.depth}
        if state_key is not None:
            ev["state_key"] = state_key
        if not (self.v12 and type_ == "m.room.create"):
            ev["room_id"] = self.room_id
        signed = self.t.call(op="sign_event", room_version=self.v, event=ev,
                             server_name=server, key_id=KID[server],
                             seed=seed or SEEDS[server])
        eid = self.t.call(op="event_id", room_version=self.v, event=signed)
        if type_ == "m.room.create":
            self.create = eid
            if self.v12:
                self.room_id = self.t.call(op="room_id", event=signed)
        return signed, eid


def key_doc(tool, server, pub):
    doc = {"server_name": server, "valid_until_ts": TS + 86400000,
           "verify_keys": {KID[server]: {"key": pub}},
           "old_verify_keys": {}}
    return tool.call(op="sign_json", json=doc, server_name=server,
                     key_id=KID[server], seed=SEEDS[server])


def state_map(pairs):
    """{type: {state_key: id}} from (type, state_key, id) triples."""
    out = {}
    for t, sk, i in pairs:
        out.setdefault(t, {})[sk] = i
    return out


def room_cases(tool, v, docs):
    r = Room(tool, v)
    rule5 = "v12 auth rule 6" if v == "12" else "v11 auth rule 5"
    E, I = [], []

    def add(ev):
        E.append(ev[0])
        I.append(ev[1])

    add(r.mk("a.test", "m.room.create", ALICE,
             {"room_version": v}, [], [], ""))
    add(r.mk("a.test", "m.room.member", ALICE, {"membership": "join"},
             [I[0]], [I[0]], ALICE))
    add(r.mk("a.test", "m.room.power_levels", ALICE,
             {"users": {ALICE: 100}, "events": {"m.room.topic": 0}},
             [I[1]], [I[0], I[1]], ""))
    add(r.mk("a.test", "m.room.join_rules", ALICE,
             {"join_rule": "public"}, [I[2]], [I[0], I[1], I[2]], ""))
    add(r.mk("b.test", "m.room.member", BOB, {"membership": "join"},
             [I[3]], [I[0], I[2], I[3]], BOB))
    add(r.mk("c.test", "m.room.member", CAROL, {"membership": "join"},
             [I[4]], [I[0], I[2], I[3]], CAROL))
    keys6 = [("m.room.create", "", I[0]), ("m.room.member", ALICE, I[1]),
             ("m.room.power_levels", "", I[2]),
             ("m.room.join_rules", "", I[3]), ("m.room.member", BOB, I[4]),
             ("m.room.member", CAROL, I[5])]
    state6 = state_map(keys6)
    all_docs = [docs["a.test"], docs["b.test"], docs["c.test"]]

    def msg(server, sender, prev, mem, body, seed=None):
        auth = [I[0], I[2]] + ([mem] if mem else [])
        return r.mk(server, "m.room.message", sender,
                    {"msgtype": "m.text", "body": body}, [prev], auth,
                    seed=seed)

    def req(event, events=None, current=None, server_keys=None, **extra):
        q = {"op": "check_pdu", "id": "v%s" % v, "room_version": v,
             "event": event, "origin": "b.test",
             "events": E if events is None else events, "rejected": [],
             "current_state": I if current is None else current,
             "server_keys": all_docs if server_keys is None
             else server_keys, "now_ts": TS}
        q.update(extra)
        return q

    def ok(name, send, outcome, redacted, state_after):
        want = {"outcome": outcome, "redacted": redacted}
        if state_after is not False:
            want["state_after"] = state_after
        return {"name": "v%s check_pdu %s" % (v, name), "send": send,
                "expect_keys": ["id", "ok", "result"],
                "expect": {"id": "v" + v, "ok": True, "result": want}}

    def need(name, send, events, keys):
        return {"name": "v%s check_pdu %s" % (v, name), "send": send,
                "expect_keys": ["id", "ok", "error"],
                "expect": {"id": "v" + v, "ok": False, "error": {
                    "code": "need_input",
                    "missing": {"events": events, "keys": keys}}}}

    out = []
    m, _ = msg("b.test", BOB, I[5], I[4], "hello")
    out.append(ok("accepted: signed by the sender's server, allowed by "
                  "its auth events, the state before and the current "
                  "state (a message: the state after is the state "
                  "before)", req(m), "accepted", False, state6))
    out.append(ok("accepted without a current state (empty list: steps 6 "
                  "and 7 skipped)", req(m, current=[]), "accepted", False,
                  state6))
    # state_after given for the prev event, through get_state_after:
    # without bob's join, the state before the message has bob not
    # joined
    out.append(ok("rejected by the state before given in state_after "
                  "(bob not joined in it: %s; step 5)" % rule5,
                  req(m, state_after={I[5]: I[:4] + [I[5]]}), "rejected",
                  False, state_map(keys6[:4] + keys6[5:])))
    out.append(ok("accepted with state_after given for the prev event "
                  "(the same state as derived)",
                  req(m, state_after={I[5]: I}), "accepted", False,
                  state6))

    forged, _ = msg("b.test", BOB, I[5], I[4], "forged", seed=FORGED_SEED)
    out.append(ok("dropped: b.test's signature made with another key "
                  "under ed25519:b (step 2, signature checks)",
                  req(forged), "dropped", False, None))
    out.append(ok("dropped: not a valid event for the room version (no "
                  "auth_events, prev_events, depth...; step 1)",
                  req({"type": "m.room.message", "sender": BOB,
                       "room_id": r.room_id, "content": {}}),
                  "dropped", False, None))

    tampered, _ = msg("b.test", BOB, I[5], I[4], "original")
    tampered = json.loads(json.dumps(tampered))
    tampered["content"]["body"] = "tampered"
    out.append(ok("redacted: content changed after signing; signatures "
                  "cover the redacted form and still verify, the content "
                  "hash fails (step 3: redacted, processed on, accepted)",
                  req(tampered), "accepted", True, state6))

    dave, _ = msg("c.test", DAVE, I[5], None, "hi")
    out.append(ok("rejected by its auth events: dave never joined (%s; "
                  "step 4; the state after a rejected event is the state "
                  "before)" % rule5, req(dave), "rejected", False, state6))

    ban, ban_id = r.mk("a.test", "m.room.member", ALICE,
                       {"membership": "ban"}, [I[5]],
                       [I[0], I[2], I[1], I[5]], CAROL)
    after_ban = req(ban)
    out.append(ok("accepted: alice (100) bans carol (ban level 50); the "
                  "state after holds the ban", after_ban, "accepted", False,
                  state_map(keys6[:5] + [("m.room.member", CAROL,
                                          ban_id)])))
    still, _ = msg("c.test", CAROL, ban_id, I[5], "still here")
    out.append(ok("rejected by the state before: carol speaks after her "
                  "ban citing her join (allowed by its auth events; "
                  "banned in the state before: %s; step 5)" % rule5,
                  req(still, events=E + [ban], current=I[:5] + [ban_id]),
                  "rejected", False,
                  state_map(keys6[:5] + [("m.room.member", CAROL,
                                          ban_id)])))
    # server-server API, Soft failure: the ban B is in the current state
    # but not before C (carol's topic change after her join)
    topic, topic_id = r.mk("c.test", "m.room.topic", CAROL,
                           {"topic": "evading"}, [I[5]],
                           [I[0], I[2], I[5]], "")
    out.append(ok("soft failed: carol's topic passes its auth events and "
                  "the state before (carol joined) but not the current "
                  "state, where she is banned (%s; step 6; the spec's "
                  "ban-evasion example); the state after holds the "
                  "topic" % rule5,
                  req(topic, events=E + [ban], current=I[:5] + [ban_id]),
                  "soft_failed", False,
                  state_map(keys6 + [("m.room.topic", "", topic_id)])))
    # the same ban, rejected: the state after it is the state before it
    # (server-server API, Rejection: "not updating with the rejected
    # event"), so carol, still joined, may speak after it
    after_rej, _ = msg("c.test", CAROL, ban_id, I[5], "not banned")
    out.append(ok("accepted after a rejected prev event: carol speaks "
                  "after a ban listed in `rejected`, which does not "
                  "update the state (Rejection); the same message after "
                  "the ban accepted is rejected (%s)" % rule5,
                  req(after_rej, events=E + [ban], rejected=[ban_id]),
                  "accepted", False, state6))
    out.append(ok("rejected: the same message with the ban not rejected "
                  "(banned in the state before: %s; step 5)" % rule5,
                  req(after_rej, events=E + [ban]), "rejected", False,
                  state_map(keys6[:5] + [("m.room.member", CAROL,
                                          ban_id)])))
    out.append(need("need_input: b.test's key document not given (the "
                    "key listed)", req(m, server_keys=[docs["a.test"],
                                                       docs["c.test"]]),
                    [], [["b.test", "ed25519:b"]]))
    bad_doc = json.loads(json.dumps(docs["b.test"]))
    bad_doc["valid_until_ts"] += 1
    out.append(need("need_input: b.test's key document altered after "
                    "signing is ignored (keys that cannot be validated "
                    "are ignored), so its key is still lacking",
                    req(m, server_keys=[bad_doc]), [],
                    [["b.test", "ed25519:b"]]))
    unseen, unseen_id = msg("b.test", BOB, I[5], I[4], "unseen")
    after, _ = msg("b.test", BOB, unseen_id, I[4], "after unseen")
    out.append(need("need_input: the prev event is not among events (the "
                    "event listed)", req(after), [unseen_id], []))
    out.append(need("need_input: an event named in state_after is not "
                    "among events (the event listed)",
                    req(m, state_after={I[5]: I[:5] + ["$absent"]}),
                    ["$absent"], []))
    out.append(ok("the same once the prev event is given: accepted",
                  req(after, events=E + [unseen]), "accepted", False,
                  state6))
    return out, r, E, I, m


def bad_request_cases(v, E, I, m):
    base = {"op": "check_pdu", "room_version": v, "event": m,
            "origin": "b.test", "events": E, "rejected": [],
            "current_state": I, "server_keys": [], "now_ts": TS}
    out = []

    def bad(name, code="bad_request", drop=None, **change):
        q = dict(base, id="bad")
        q.update(change)
        if drop:
            del q[drop]
        out.append({"name": "check_pdu %s: %s" % (code, name), "send": q,
                    "expect_keys": ["id", "ok", "error"],
                    "expect": {"id": "bad", "ok": False,
                               "error": {"code": code}}})

    bad("origin missing", drop="origin")
    bad("now_ts missing", drop="now_ts")
    bad("events missing", drop="events")
    bad("rejected missing", drop="rejected")
    bad("current_state missing", drop="current_state")
    bad("server_keys missing", drop="server_keys")
    bad("event missing", drop="event")
    bad("event not an object", event="$x")
    bad("events not a list", events={})
    bad("events[0] not an object", events=[1])
    bad("rejected[0] not a string", rejected=[1])
    bad("current_state[0] not a string", current_state=[7])
    bad("current_state[0] with NUL", current_state=["$a\u0000b"])
    bad("server_keys[0] not an object", server_keys=["doc"])
    bad("now_ts a string", now_ts="1700000000000")
    bad("now_ts not an integer", now_ts=1.5)
    bad("origin a number", origin=5)
    bad("state_after a list", state_after=[])
    bad("state_after value not a list", state_after={I[5]: I[0]})
    bad("state_after entry not a string", state_after={I[5]: [1]})
    bad("unknown room version", code="unknown_room_version",
        room_version="99")
    return out


def main():
    tool = Tool(sys.argv[1])
    docs = {s: key_doc(tool, s, tool.pubkey(s)) for s in SEEDS}
    print("# mxc batch: check_pdu. Generated by gen_pdu_ops.py (see its "
          "docstring: a three-server")
    print("# room in v11 and v12, fixed seeds and timestamps; expected "
          "outcomes written by hand from")
    print("# the spec rule named in each case). Regenerate with: "
          "tests/cli/gen_pdu_ops.py build/examples/cli/mxc")
    for v in ("11", "12"):
        cases, r, E, I, m = room_cases(tool, v, docs)
        for c in cases:
            print(json.dumps(c, sort_keys=True))
    for c in bad_request_cases("11", E, I, m):
        print(json.dumps(c, sort_keys=True))


if __name__ == "__main__":
    main()
