# SPDX-License-Identifier: Apache-2.0
"""State resolution, contexts and stores: the hand-worked scenarios and
gomatrixserverlib's auth chain cases of tests/vectors/state_res through
every kind of store, the "not available now" protocol, and exceptions
raised inside a store's callback coming back out of the call."""
import threading
import unittest

import matrix_core as mc

from ._util import vectors


def expected(c):
    return {(t, k): v for t, ks in c["expected_state"].items()
            for k, v in ks.items()}


class DictStore:
    """An object with get_event, counting the calls."""

    def __init__(self, events):
        self.events = {e["event_id"]: e for e in events}
        self.calls = []

    def get_event(self, event_id):
        self.calls.append(event_id)
        return self.events.get(event_id)


class Scenarios(unittest.TestCase):
    def setUp(self):
        self.cases = vectors("state_res/scenarios.json")
        self.assertEqual(len(self.cases), 9)

    def test_events_list(self):
        for c in self.cases:
            with self.subTest(c["name"]):
                got = mc.resolve_state(c["room_version"], c["state_sets"],
                                       c["events"], rejected=c["rejected"],
                                       labelled=True)
                self.assertEqual(got, expected(c))

    def test_every_store_kind(self):
        for c in self.cases:
            rv = c["room_version"]
            by_id = {e["event_id"]: e for e in c["events"]}
            stores = {
                "mapping": by_id,
                "mapping of bytes": {k: mc.canonical_json(v)
                                     for k, v in by_id.items()},
                "get_event": DictStore(c["events"]),
                "MemoryStore": mc.MemoryStore(rv, c["events"],
                                              labelled=True),
                "Events": [mc.Event(e, rv, labelled=True)
                           for e in c["events"]],
            }
            for kind, store in stores.items():
                with self.subTest(c["name"], store=kind):
                    got = mc.resolve_state(rv, c["state_sets"], store,
                                           rejected=c["rejected"],
                                           labelled=True)
                    self.assertEqual(got, expected(c))

    def test_order_does_not_matter(self):
        for c in self.cases:
            with self.subTest(c["name"]):
                sets = [list(reversed(s)) for s in reversed(c["state_sets"])]
                got = mc.resolve_state(c["room_version"], sets,
                                       list(reversed(c["events"])),
                                       rejected=c["rejected"], labelled=True)
                self.assertEqual(got, expected(c))

    def test_store_is_asked_lazily_and_cached(self):
        c = self.cases[0]
        store = DictStore(c["events"])
        ctx = mc.Context(c["room_version"], store=store, labelled=True)
        self.assertEqual(ctx.resolve(c["state_sets"]), expected(c))
        first = len(store.calls)
        self.assertGreater(first, 0)
        self.assertEqual(len(set(store.calls)), first)
        self.assertEqual(ctx.resolve(c["state_sets"]), expected(c))
        self.assertEqual(len(store.calls), first)
        self.assertEqual(len(ctx), first)
        ev = ctx.get_event(c["state_sets"][0][0])
        self.assertIsInstance(ev, mc.Event)
        self.assertEqual(ev.event_id, c["state_sets"][0][0])
        self.assertIsNone(ctx.get_event("$nope"))
        self.assertEqual(ctx.missing, [])
        self.assertEqual(ctx.room_version, mc.RoomVersion(c["room_version"]))

    def test_state_maps_as_state_sets(self):
        c = self.cases[0]
        first = mc.resolve_state(c["room_version"], [c["state_sets"][0]],
                                 c["events"], labelled=True)
        again = mc.resolve_state(c["room_version"], [first], c["events"],
                                 labelled=True)
        self.assertEqual(again, first)

    def test_empty(self):
        self.assertEqual(mc.resolve_state("11", [], []), {})


class Primitives(unittest.TestCase):
    def test_auth_chains(self):
        cases = vectors("state_res/stateres_primitives_gmsl.json",
                        "auth_chain")
        self.assertEqual(len(cases), 6)
        for c in cases:
            with self.subTest(c["name"]):
                events = [{"event_id": n, "type": "m.room.topic",
                           "state_key": "", "sender": "@a:x", "content": {},
                           "room_id": "!r:x", "auth_events": a,
                           "prev_events": []}
                          for n, a in c["auth_graph"].items()]
                got = mc.auth_chain("2", c["start_events"], events,
                                    labelled=True)
                self.assertEqual(got, sorted(c["expected_full_auth_chain"]))
                with_self = mc.auth_chain("2", c["start_events"], events,
                                          include_self=True, labelled=True)
                self.assertEqual(
                    with_self, sorted(set(c["expected_full_auth_chain"])
                                      | set(c["start_events"])))

    def test_auth_difference(self):
        c = vectors("state_res/scenarios.json")[0]
        sets = c["state_sets"]
        diff = mc.auth_difference(c["room_version"], sets, c["events"],
                                  labelled=True)
        self.assertEqual(diff, sorted(diff))
        # what the sets do not share is in it; what every set has is not
        differing = (set(sets[0]) ^ set(sets[1]))
        self.assertTrue(differing <= set(diff))
        self.assertFalse(set(sets[0]) & set(sets[1]) & set(diff))
        literal = mc.auth_difference(c["room_version"], sets, c["events"],
                                     literal_auth_diff=True, labelled=True)
        self.assertTrue(set(literal) <= set(diff))


class Missing(unittest.TestCase):
    def setUp(self):
        self.c = vectors("state_res/scenarios.json")[0]
        self.by_id = {e["event_id"]: e for e in self.c["events"]}

    def test_missing_events(self):
        gone = self.c["state_sets"][0][-1]
        store = dict(self.by_id)
        del store[gone]
        with self.assertRaises(mc.MissingEventError) as cm:
            mc.resolve_state(self.c["room_version"], self.c["state_sets"],
                             store, labelled=True)
        self.assertEqual(cm.exception.code, "missing_event")
        self.assertEqual(cm.exception.missing, [gone])

    def test_wouldblock_then_complete(self):
        later = set(self.c["state_sets"][1])
        ready = {}

        class Slow:
            def get_event(_, event_id):
                if event_id in ready:
                    return ready[event_id]
                if event_id in later:
                    raise mc.WouldBlockError()
                return self.by_id.get(event_id)

        ctx = mc.Context(self.c["room_version"], store=Slow(), labelled=True)
        with self.assertRaises(mc.NeedInputError) as cm:
            ctx.resolve(self.c["state_sets"])
        missing = cm.exception.missing
        self.assertTrue(missing)
        self.assertTrue(set(missing) <= later)
        self.assertEqual(ctx.missing, missing)
        for m in missing:
            ctx.add_event(self.by_id[m])  # or fill `ready`
        self.assertEqual(ctx.resolve(self.c["state_sets"]), expected(self.c))
        self.assertEqual(ctx.missing, [])


class CallbackExceptions(unittest.TestCase):
    """ctypes turns an exception in a callback into a 0 return, a silent
    success: the binding must bring it back out of the call."""

    def setUp(self):
        self.c = vectors("state_res/scenarios.json")[0]
        self.by_id = {e["event_id"]: e for e in self.c["events"]}

    def test_exception_comes_back_as_itself(self):
        class Boom(Exception):
            pass

        boom = Boom("store is down")

        class Broken:
            def get_event(_, event_id):
                raise boom

        with self.assertRaises(Boom) as cm:
            mc.resolve_state(self.c["room_version"], self.c["state_sets"],
                             Broken(), labelled=True)
        self.assertIs(cm.exception, boom)

    def test_key_error_inside_get_event_is_not_not_found(self):
        class Buggy:
            def get_event(_, event_id):
                return {}["oops"]

        with self.assertRaises(KeyError):
            mc.resolve_state(self.c["room_version"], self.c["state_sets"],
                             Buggy(), labelled=True)

    def test_bad_return_values(self):
        class WrongType:
            def get_event(_, event_id):
                return 42

        with self.assertRaises(TypeError):
            mc.resolve_state(self.c["room_version"], self.c["state_sets"],
                             WrongType(), labelled=True)

        class BadJson:
            def get_event(_, event_id):
                return b"{not json"

        with self.assertRaises(mc.JSONSyntaxError):
            mc.resolve_state(self.c["room_version"], self.c["state_sets"],
                             BadJson(), labelled=True)

    def test_first_exception_wins_and_context_recovers(self):
        seen = []

        class Flaky:
            fail = True

            def get_event(self, event_id):
                if self.fail:
                    seen.append(event_id)
                    raise RuntimeError("fail %d" % len(seen))
                return by_id.get(event_id)

        by_id = self.by_id
        store = Flaky()
        ctx = mc.Context(self.c["room_version"], store=store, labelled=True)
        with self.assertRaises(RuntimeError) as cm:
            ctx.resolve(self.c["state_sets"])
        self.assertEqual(str(cm.exception), "fail 1")
        store.fail = False
        self.assertEqual(ctx.resolve(self.c["state_sets"]), expected(self.c))

    def test_keyboard_interrupt_too(self):
        class Interrupted:
            def get_event(_, event_id):
                raise KeyboardInterrupt

        with self.assertRaises(KeyboardInterrupt):
            mc.resolve_state(self.c["room_version"], self.c["state_sets"],
                             Interrupted(), labelled=True)


class ContextAndStore(unittest.TestCase):
    def test_memory_store(self):
        c = vectors("state_res/scenarios.json")[0]
        ms = mc.MemoryStore(c["room_version"], labelled=True)
        self.assertEqual(len(ms), 0)
        ids = [ms.add(e) for e in c["events"]]
        self.assertEqual(ids, [e["event_id"] for e in c["events"]])
        self.assertEqual(len(ms), len(ids))
        self.assertIn(ids[0], ms)
        self.assertNotIn("$nope", ms)
        self.assertNotIn(5, ms)
        self.assertEqual(mc.parse_json(ms.get(ids[0])), c["events"][0])
        self.assertIsNone(ms.get("$nope"))
        self.assertEqual(ms.add(c["events"][0]), ids[0])  # same again: ok
        with self.assertRaises(mc.BadEventError) as cm:
            ms.add(dict(c["events"][0], content={"other": 1}))
        self.assertEqual(cm.exception.subject, ids[0])
        self.assertEqual(ms.room_version, mc.RoomVersion(c["room_version"]))
        # unlabelled store: a real v11 event gets its hashed ID
        msg = {"type": "m.room.message", "sender": "@a:x", "room_id": "!r:x",
               "origin_server_ts": 1, "depth": 1, "prev_events": [],
               "auth_events": [], "content": {}, "hashes": {"sha256": "x"},
               "signatures": {}}
        real = mc.MemoryStore("11")
        self.assertEqual(real.add(msg), mc.Event(msg, "11").event_id)

    def test_rejected(self):
        ctx = mc.Context("11", rejected=["$r"])
        self.assertTrue(ctx.is_rejected("$r"))
        self.assertFalse(ctx.is_rejected("$s"))
        ctx.set_rejected("$s")
        self.assertTrue(ctx.is_rejected("$s"))

    def test_set_store(self):
        c = vectors("state_res/scenarios.json")[0]
        ctx = mc.Context(c["room_version"], labelled=True)
        with self.assertRaises(mc.MissingEventError):
            ctx.resolve(c["state_sets"])
        ctx.set_store({e["event_id"]: e for e in c["events"]})
        self.assertEqual(ctx.resolve(c["state_sets"]), expected(c))
        ctx2 = mc.Context(c["room_version"], labelled=True,
                          store=mc.MemoryStore(c["room_version"], c["events"],
                                               labelled=True))
        ctx2.set_store(None)
        with self.assertRaises(mc.MissingEventError):
            ctx2.resolve(c["state_sets"])

    def test_errors(self):
        c = vectors("state_res/scenarios.json")[0]
        with self.assertRaises(TypeError):
            mc.resolve_state("2", "not sets", c["events"])
        with self.assertRaises(TypeError):
            mc.resolve_state("2", ["$a"], c["events"])
        with self.assertRaises(TypeError):
            mc.resolve_state("2", [[5]], c["events"])
        with self.assertRaises(TypeError):
            mc.resolve_state("2", [], 42)
        with self.assertRaises(TypeError):
            mc.Context("2", store=42)
        with self.assertRaises(mc.UnknownRoomVersionError):
            mc.resolve_state("99", [], [])
        with self.assertRaises(mc.BadEventError):
            mc.resolve_state("2", [], [{"event_id": "$x"}], labelled=True)
        with self.assertRaises(mc.BadEventError):
            # two different events with one ID
            mc.resolve_state("2", [], [c["events"][0],
                                       dict(c["events"][0], depth=99)],
                             labelled=True)
        non_state = {"event_id": "$m", "type": "m.room.message",
                     "sender": "@a:x", "content": {}, "room_id": "!r:x",
                     "auth_events": [], "prev_events": []}
        with self.assertRaises(mc.InvalidArgumentError):
            mc.resolve_state("2", [["$m"]], [non_state], labelled=True)

    def test_context_shared_between_threads(self):
        c = vectors("state_res/scenarios.json")[0]
        ctx = mc.Context(c["room_version"], labelled=True,
                         store={e["event_id"]: e for e in c["events"]})
        want = expected(c)
        errors = []

        def work():
            try:
                for _ in range(50):
                    if ctx.resolve(c["state_sets"]) != want:
                        errors.append("wrong result")
            except Exception as e:  # pragma: no cover - reported below
                errors.append(repr(e))

        ts = [threading.Thread(target=work) for _ in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual(errors, [])


if __name__ == "__main__":
    unittest.main()
