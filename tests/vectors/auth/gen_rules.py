#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes rules.json: hand-worked auth rule cases for room versions 1-12.

Each scenario below states, from the spec's text (rooms/v1.md ... v12.md and
the auth-rules fragments), whether the event is allowed and, if not, which
rule rejects it. RULES maps each rule to its number on each version's page,
transcribed by hand from those pages (rendered numbering: v12 3.5 shows as
3.4). Nothing here runs the library: the expected answers are the spec's.
"""
import copy, json, os

REV = {1: 1, 2: 1, 3: 3, 4: 3, 5: 3, 6: 6, 7: 7, 8: 8, 9: 8, 10: 10, 11: 11, 12: 12}
def num(table, v):
    r = REV[v]
    for revs, n in table:
        if r in revs:
            return n
    return None
A, B3, B6, B7, B8, B10, B11, B12 = (1,), (3,), (6,), (7,), (8,), (10,), (11,), (12,)
OLD = (1, 3); MID = (6, 7); RES = (8, 10, 11)
RULES = {
 'create_prev': [((1,3,6,7,8,10,11,12), '1.1')],
 'create_roomid': [((1,3,6,7,8,10,11,12), '1.2')],
 'create_version': [((1,3,6,7,8,10,11,12), '1.3')],
 'create_creator': [((1,3,6,7,8,10), '1.4')],
 'addl_creators': [((12,), '1.4')],
 'roomid_create': [((12,), '2')],
 'dup': [((1,3,6,7,8,10,11), '2.1'), ((12,), '3.1')],
 'noselect': [((1,3,6,7,8,10,11), '2.2'), ((12,), '3.2')],
 'nocreate': [((1,3,6,7,8,10,11), '2.4')],
 'entry_room': [((1,3,6,7,8,10,11), '2.5'), ((12,), '3.4')],
 'federate': [((1,3,6,7,8,10,11), '3'), ((12,), '4')],
 'aliases_nosk': [(OLD, '4.1')],
 'aliases_domain': [(OLD, '4.2')],
 'member_nomem': [(OLD, '5.1'), ((6,7,8,10,11), '4.1'), ((12,), '5.1')],
 'jauvs_sig': [(RES, '4.2.1'), ((12,), '5.2.1')],
 'join_sender': [(OLD, '5.2.2'), (MID, '4.2.2'), (RES, '4.3.2'), ((12,), '5.3.2')],
 'join_banned': [(OLD, '5.2.3'), (MID, '4.2.3'), (RES, '4.3.3'), ((12,), '5.3.3')],
 'join_authoriser': [(RES, '4.3.5.2'), ((12,), '5.3.5.2')],
 'join_otherwise': [(OLD, '5.2.6'), (MID, '4.2.6'), (RES, '4.3.7'), ((12,), '5.3.7')],
}
def sub(prefixes, tail):
    return [(revs, p + tail) for revs, p in prefixes]
INV = [(OLD, '5.3'), (MID, '4.3'), (RES, '4.4'), ((12,), '5.4')]
LEA = [(OLD, '5.4'), (MID, '4.4'), (RES, '4.5'), ((12,), '5.5')]
BAN = [(OLD, '5.5'), (MID, '4.5'), (RES, '4.6'), ((12,), '5.6')]
KNO = [((7,), '4.6'), (RES, '4.7'), ((12,), '5.7')]
for k, t in [('tpi_banned', '.1.1'), ('tpi_nosigned', '.1.2'), ('tpi_nomxid', '.1.3'),
             ('tpi_mxid', '.1.4'), ('tpi_noevent', '.1.5'), ('tpi_sender', '.1.6'),
             ('tpi_sig', '.1.8'), ('inv_notjoined', '.2'), ('inv_target', '.3'),
             ('inv_level', '.5')]:
    RULES[k] = sub(INV, t)
for k, t in [('leave_self', '.1'), ('leave_notjoined', '.2'), ('leave_banned', '.3'), ('leave_level', '.5')]:
    RULES[k] = sub(LEA, t)
RULES['ban_notjoined'] = sub(BAN, '.1'); RULES['ban_level'] = sub(BAN, '.3')
for k, t in [('knock_jr', '.1'), ('knock_sender', '.2'), ('knock_mem', '.4')]:
    RULES[k] = sub(KNO, t)
RULES['unknown'] = [(OLD, '5.6'), ((6,), '4.6'), ((7,), '4.7'), (RES, '4.8'), ((12,), '5.8')]
RULES['not_joined'] = [(OLD, '6'), ((6,7,8,10,11), '5'), ((12,), '6')]
RULES['tpi_level'] = [(OLD, '7.1'), ((6,7,8,10,11), '6.1'), ((12,), '7.1')]
RULES['event_level'] = [(OLD, '8'), ((6,7,8,10,11), '7'), ((12,), '8')]
RULES['sk_user'] = [(OLD, '9'), ((6,7,8,10,11), '8'), ((12,), '9')]
PLP = [(OLD, '10'), ((6,7,8), '9'), ((10, 11), '9'), ((12,), '10')]
RULES['pl_scalars'] = [((10, 11), '9.1'), ((12,), '10.1')]
RULES['pl_maps'] = [((10, 11), '9.2'), ((12,), '10.2')]
RULES['pl_users'] = [(OLD, '10.1'), ((6,7,8), '9.1'), ((10, 11), '9.3'), ((12,), '10.3')]
RULES['pl_creators'] = [((12,), '10.4')]
for k, old, new10, new12 in [('scalar_cur', '.3.1', '.5.1', '.6.1'), ('scalar_new', '.3.2', '.5.2', '.6.2'),
                             ('events_cur', '.4.1', '.6.1', '.7.1'), ('events_new', '.5.1', '.7.1', '.8.1'),
                             ('users_cur', '.6.1', '.8.1', '.9.1'), ('users_new', '.7.1', '.9.1', '.10.1')]:
    RULES[k] = [(OLD, '10' + old), ((6,7,8), '9' + old), ((10, 11), '9' + new10), ((12,), '10' + new12)]
RULES['redaction'] = [((1,), '11.3')]

ALL = list(range(1, 13))
SRC = {"hand_worked": "rooms/vN.md Authorisation rules (and fragments v1/v3/v8-auth-rules.md); server-server-api.md Definitions, Auth events selection"}

# ---- the room ----
def room(v): return '!CREATE' if v == 12 else '!r:a'
def eid(v, name):
    return '$%s:a' % name if v <= 2 else '$' + name
def ev(v, typ, sender, content, sk=None, name='ev', **extra):
    e = {'type': typ, 'sender': sender, 'room_id': room(v), 'event_id': eid(v, name), 'content': content}
    if sk is not None: e['state_key'] = sk
    e.update(extra)
    return e
def create(v, **content_extra):
    c = {}
    if v <= 10: c['creator'] = '@alice:a'
    c.update(content_extra)
    e = {'type': 'm.room.create', 'state_key': '', 'sender': '@alice:a', 'content': c,
         'event_id': '$CREATE' if v == 12 else eid(v, 'create')}
    if v != 12: e['room_id'] = room(v)
    return e
def member(v, user, m, sender=None, **c):
    cont = {'membership': m}; cont.update(c)
    return ev(v, 'm.room.member', sender or user, cont, sk=user, name='m_' + user[1:].split(':')[0])
def pl_content(v, **over):
    users = {'@mod:a': 50, '@ops:a': 50}
    if v != 12: users['@alice:a'] = 100
    c = {'users': users, 'users_default': 0, 'events': {'m.room.power_levels': 50},
         'events_default': 0, 'state_default': 50, 'ban': 50, 'kick': 50, 'redact': 50, 'invite': 0}
    for k, x in over.items():
        if x is None: c.pop(k, None)
        else: c[k] = x
    return c
def base(v, jr='invite', pl=True, pl_over=None, cr=None):
    s = [create(v, **(cr or {})), member(v, '@alice:a', 'join')]
    if pl: s.append(ev(v, 'm.room.power_levels', '@alice:a', pl_content(v, **(pl_over or {})), sk='', name='pl'))
    if jr: s.append(ev(v, 'm.room.join_rules', '@alice:a', {'join_rule': jr}, sk='', name='jr'))
    s += [member(v, '@mod:a', 'join'), member(v, '@ops:a', 'join'), member(v, '@bob:a', 'join'),
          member(v, '@eve:b', 'join'), member(v, '@dave:a', 'ban', sender='@alice:a'),
          member(v, '@ivan:a', 'invite', sender='@alice:a')]
    if v >= 7: s.append(member(v, '@kate:a', 'knock'))
    return s

cases = []
def case(name, versions, state_fn, event_fn, outcome, note=None, **kw):
    for v in versions:
        st = state_fn(v); e = event_fn(v)
        if st is None or e is None: continue
        out = outcome(v) if callable(outcome) else outcome
        c = {'name': '%s (v%d)' % (name, v), 'room_version': str(v), 'state': st, 'event': e,
             'allowed': out == 'allow', 'source': SRC}
        if out == 'bad_event':
            c['error'] = 'bad_event'
        elif out != 'allow':
            n = num(RULES[out], v)
            assert n, (name, v, out)
            c['rule'] = n
        if note: c['note'] = note
        c.update(kw)
        cases.append(c)

msg = lambda s, body='hi': (lambda v: ev(v, 'm.room.message', s, {'body': body}))
B = lambda v: base(v)

# ---- rule 1: m.room.create ----
case('create: valid', ALL, lambda v: [], lambda v: create(v), 'allow')
case('create: prev_events', ALL, lambda v: [],
     lambda v: dict(create(v), prev_events=[['$x:a', {}]] if v <= 2 else ['$x']), 'create_prev')
case('create: room_id domain is not the sender\'s', range(1, 12), lambda v: [],
     lambda v: dict(create(v), sender='@alice:b'), 'create_roomid')
case('create: unknown content.room_version', ALL, lambda v: [], lambda v: create(v, room_version='99'), 'create_version')
case('create: content.room_version not a string', ALL, lambda v: [], lambda v: create(v, room_version=5), 'create_version')
case('create: known content.room_version', ALL, lambda v: [], lambda v: create(v, room_version='9'), 'allow')
case('create: no creator', ALL, lambda v: [], lambda v: dict(create(v), content={}),
     lambda v: 'create_creator' if v <= 10 else 'allow')
case('create: additional_creators valid', [12], lambda v: [], lambda v: create(v, additional_creators=['@b:b', '@c:c']), 'allow')
case('create: additional_creators not a user ID', [12], lambda v: [], lambda v: create(v, additional_creators=['b']), 'addl_creators')
case('create: additional_creators not an array', [12], lambda v: [], lambda v: create(v, additional_creators='@b:b'), 'addl_creators')
case('create: additional_creators holds a number', [12], lambda v: [], lambda v: create(v, additional_creators=[5]), 'addl_creators')

# ---- v12 rule 2, rule 2 ----
case('room_id is not the create event\'s', [12], B, lambda v: dict(msg('@alice:a')(v), room_id='!OTHER'), 'roomid_create')
case('no create event', ALL, lambda v: base(v)[1:], msg('@alice:a'), lambda v: 'roomid_create' if v == 12 else 'nocreate')
case('duplicate (type, state_key) entries', ALL, lambda v: base(v) + [dict(member(v, '@alice:a', 'join'), event_id=eid(v, 'dupe'))],
     msg('@alice:a'), 'dup')
case('a consulted state event is in another room', ALL,
     lambda v: [x if x.get('state_key') != '@alice:a' else dict(x, room_id='!OTHER' if v == 12 else '!other:a') for x in base(v)],
     msg('@alice:a'), 'entry_room')
def ae(v): return [create(v), member(v, '@alice:a', 'join'), ev(v, 'm.room.power_levels', '@alice:a', pl_content(v), sk='', name='pl')]
case('auth events mode: exactly the selected events', ALL, ae, msg('@alice:a'), 'allow', auth_events_mode=True)
case('auth events mode: an entry not selected', ALL, lambda v: ae(v) + [member(v, '@bob:a', 'join')], msg('@alice:a'), 'noselect', auth_events_mode=True)

# ---- rule 3: m.federate ----
case('m.federate false, sender from another server', ALL, lambda v: base(v, cr={'m.federate': False}), msg('@eve:b'), 'federate')
case('m.federate false, sender from the creator\'s server', ALL, lambda v: base(v, cr={'m.federate': False}), msg('@bob:a'), 'allow')
case('m.federate true, sender from another server', ALL, lambda v: base(v, cr={'m.federate': True}), msg('@eve:b'), 'allow')

# ---- rule 4 (v1-5): m.room.aliases ----
V15 = range(1, 6); V6 = range(6, 13)
case('aliases: state_key is the sender\'s domain', V15, B, lambda v: ev(v, 'm.room.aliases', '@bob:a', {'aliases': []}, sk='a'), 'allow',
     note='v1-5 rule 4.3 allows before the power level rules: bob (0) is below state_default')
case('aliases: state_key is another domain', V15, B, lambda v: ev(v, 'm.room.aliases', '@bob:a', {'aliases': []}, sk='b'), 'aliases_domain')
case('aliases: no state_key', V15, B, lambda v: ev(v, 'm.room.aliases', '@bob:a', {'aliases': []}), 'aliases_nosk')
case('aliases: an ordinary state event from v6 (too low)', V6, B, lambda v: ev(v, 'm.room.aliases', '@bob:a', {'aliases': []}, sk='a'), 'event_level')
case('aliases: an ordinary state event from v6 (another domain)', V6, B, lambda v: ev(v, 'm.room.aliases', '@alice:a', {'aliases': []}, sk='b'), 'allow')

# ---- member: .1 ----
case('member: no membership', ALL, B, lambda v: ev(v, 'm.room.member', '@carol:a', {}, sk='@carol:a'), 'member_nomem')
case('member: no state_key', ALL, B, lambda v: ev(v, 'm.room.member', '@carol:a', {'membership': 'join'}), 'member_nomem')
case('member: unknown membership', ALL, B, lambda v: member(v, '@bob:a', 'dance'), 'unknown')
case('member: membership not a string', ALL, B, lambda v: ev(v, 'm.room.member', '@bob:a', {'membership': 5}, sk='@bob:a'), 'unknown')

# ---- join ----
def first_join(v):
    e = member(v, '@alice:a', 'join'); e['prev_events'] = [[create(v)['event_id'], {}]] if v <= 2 else [create(v)['event_id']]
    return e
case('join: creator\'s first join', ALL, lambda v: [create(v)], first_join, 'allow')
case('join: creator\'s first join sent by another user (join .1 comes before .2)', ALL, lambda v: [create(v)],
     lambda v: dict(first_join(v), sender='@bob:a'), 'allow')
case('join: first join of someone else', ALL, lambda v: [create(v)],
     lambda v: dict(first_join(v), state_key='@bob:a', sender='@bob:a'), 'join_otherwise')
case('join: v1-10 creator field names the creator, not the sender', range(1, 11), lambda v: [dict(create(v), sender='@zed:a')], first_join, 'allow')
case('join: v11+ the create sender is the creator, creator field ignored', [11, 12],
     lambda v: [dict(create(v, creator='@alice:a'), sender='@zed:a')], first_join, 'join_otherwise')
case('join: sender is not the state_key', ALL, lambda v: base(v, jr='public'), lambda v: member(v, '@carol:a', 'join', sender='@alice:a'), 'join_sender')
case('join: banned', ALL, lambda v: base(v, jr='public'), lambda v: member(v, '@dave:a', 'join'), 'join_banned')
case('join: public room', ALL, lambda v: base(v, jr='public'), lambda v: member(v, '@carol:a', 'join'), 'allow')
case('join: invite room, not invited', ALL, B, lambda v: member(v, '@carol:a', 'join'), 'join_otherwise')
case('join: invite room, invited', ALL, B, lambda v: member(v, '@ivan:a', 'join'), 'allow')
case('join: invite room, already joined', ALL, B, lambda v: member(v, '@bob:a', 'join', displayname='B'), 'allow')
case('join: no join rules event', ALL, lambda v: base(v, jr=None), lambda v: member(v, '@ivan:a', 'join'), 'join_otherwise')
case('join: private join rule', ALL, lambda v: base(v, jr='private'), lambda v: member(v, '@ivan:a', 'join'), 'join_otherwise')
case('join: knock room, invited', ALL, lambda v: base(v, jr='knock'), lambda v: member(v, '@ivan:a', 'join'),
     lambda v: 'allow' if v >= 7 else 'join_otherwise')
case('join: knock room, knocked only', range(7, 13), lambda v: base(v, jr='knock'), lambda v: member(v, '@kate:a', 'join'), 'join_otherwise')
case('join: restricted, invited', ALL, lambda v: base(v, jr='restricted'), lambda v: member(v, '@ivan:a', 'join'),
     lambda v: 'allow' if v >= 8 else 'join_otherwise')
case('join: restricted, no authoriser', range(8, 13), lambda v: base(v, jr='restricted'), lambda v: member(v, '@carol:a', 'join'), 'join_authoriser')
case('join: restricted, authoriser unsigned', range(8, 13), lambda v: base(v, jr='restricted'),
     lambda v: member(v, '@carol:a', 'join', join_authorised_via_users_server='@bob:a'), 'jauvs_sig')
case('join: knock_restricted, invited', ALL, lambda v: base(v, jr='knock_restricted'), lambda v: member(v, '@ivan:a', 'join'),
     lambda v: 'allow' if v >= 10 else 'join_otherwise')
case('join: knock_restricted, no authoriser', range(10, 13), lambda v: base(v, jr='knock_restricted'), lambda v: member(v, '@kate:a', 'join'), 'join_authoriser')

# ---- invite ----
case('invite: joined sender, level >= invite', ALL, B, lambda v: member(v, '@carol:a', 'invite', sender='@bob:a'), 'allow')
case('invite: sender not joined', ALL, B, lambda v: member(v, '@carol:a', 'invite', sender='@ivan:a'), 'inv_notjoined')
case('invite: target joined', ALL, B, lambda v: member(v, '@mod:a', 'invite', sender='@alice:a'), 'inv_target')
case('invite: target banned', ALL, B, lambda v: member(v, '@dave:a', 'invite', sender='@alice:a'), 'inv_target')
case('invite: level below invite', ALL, lambda v: base(v, pl_over={'invite': 50}), lambda v: member(v, '@carol:a', 'invite', sender='@bob:a'), 'inv_level')
case('invite: level equal to invite', ALL, lambda v: base(v, pl_over={'invite': 50}), lambda v: member(v, '@carol:a', 'invite', sender='@mod:a'), 'allow')
SIGNED = {"token": "my_token", "mxid": "@u2:a", "signatures": {"example.tld": {"ed25519:0": "CibGFS0vX93quJFppsQbYQKJFIwxiYEK87lNmekS/fdetUMXPdR2wwNDd09J1jJ28GCH3GogUTuFDB1ScPFxBg"}}}
def tpi_state(v, sender='@alice:a'):
    return base(v) + [ev(v, 'm.room.third_party_invite', sender, {"display_name": "x", "public_key": "bm90IGEga2V5",
        "public_keys": [{"public_key": "mrV51jApZKahGjfMhlevp+QtSSTDKCLaLVCzYc4HELY"}]}, sk='my_token', name='tpi')]
def tpi(v, target='@u2:a', signed=SIGNED, sender='@alice:a', drop=None):
    t = {"display_name": "x", "signed": copy.deepcopy(signed)}
    if drop == 'signed': del t['signed']
    elif drop: del t['signed'][drop]
    return member(v, target, 'invite', sender=sender, third_party_invite=t)
TPISRC = dict(SRC, signed_block="the signed block and key of gomatrixserverlib's TestAllowedInviteFrom3PID (tests/vectors/auth/gmsl.json)")
case('3pid invite: valid signature', ALL, tpi_state, tpi, 'allow', source=TPISRC)
case('3pid invite: target banned', ALL, lambda v: tpi_state(v) + [member(v, '@u2:a', 'ban', sender='@alice:a')], tpi, 'tpi_banned')
case('3pid invite: no signed', ALL, tpi_state, lambda v: tpi(v, drop='signed'), 'tpi_nosigned')
case('3pid invite: no token', ALL, tpi_state, lambda v: tpi(v, drop='token'), 'tpi_nomxid')
case('3pid invite: no mxid', ALL, tpi_state, lambda v: tpi(v, drop='mxid'), 'tpi_nomxid')
case('3pid invite: mxid is not the state_key', ALL, tpi_state, lambda v: tpi(v, target='@u3:a'), 'tpi_mxid')
case('3pid invite: no m.room.third_party_invite for the token', ALL, B, tpi, 'tpi_noevent')
case('3pid invite: sender did not send the third-party invite', ALL, lambda v: tpi_state(v, sender='@mod:a'), tpi, 'tpi_sender')
case('3pid invite: bad signature', ALL, tpi_state,
     lambda v: tpi(v, signed=dict(SIGNED, signatures={"example.tld": {"ed25519:0": "c29tZV9zaWduYXR1cmU"}})), 'tpi_sig')
case('3pid invite: a tampered signed block', ALL, tpi_state, lambda v: tpi(v, signed=dict(SIGNED, extra=1)), 'tpi_sig')
case('3pid invite: 3pid path ignores the sender\'s membership', ALL, lambda v: tpi_state(v, sender='@carol:a'),
     lambda v: tpi(v, sender='@carol:a'), 'allow', source=TPISRC)

# ---- leave ----
case('leave: joined user leaves', ALL, B, lambda v: member(v, '@bob:a', 'leave'), 'allow')
case('leave: invited user rejects', ALL, B, lambda v: member(v, '@ivan:a', 'leave'), 'allow')
case('leave: knocking user retracts', range(7, 13), B, lambda v: member(v, '@kate:a', 'leave'), 'allow')
case('leave: non-member leaves', ALL, B, lambda v: member(v, '@carol:a', 'leave'), 'leave_self')
case('leave: banned user leaves', ALL, B, lambda v: member(v, '@dave:a', 'leave'), 'leave_self')
case('kick: by a higher user', ALL, B, lambda v: member(v, '@bob:a', 'leave', sender='@mod:a'), 'allow')
case('kick: sender not joined', ALL, B, lambda v: member(v, '@bob:a', 'leave', sender='@ivan:a'), 'leave_notjoined')
case('kick: below the kick level', ALL, B, lambda v: member(v, '@carol:a', 'leave', sender='@bob:a'), 'leave_level')
case('kick: target at the sender\'s level', ALL, B, lambda v: member(v, '@ops:a', 'leave', sender='@mod:a'), 'leave_level')
case('kick: target above the sender', ALL, B, lambda v: member(v, '@alice:a', 'leave', sender='@mod:a'), 'leave_level')
case('unban: below the ban level', ALL, lambda v: base(v, pl_over={'ban': 75}), lambda v: member(v, '@dave:a', 'leave', sender='@mod:a'), 'leave_banned')
case('unban: at the ban and kick levels', ALL, B, lambda v: member(v, '@dave:a', 'leave', sender='@mod:a'), 'allow')
case('unban: ban level ok but below kick level', ALL, lambda v: base(v, pl_over={'kick': 75}),
     lambda v: member(v, '@dave:a', 'leave', sender='@mod:a'), 'leave_level')

# ---- ban ----
case('ban: by a higher user', ALL, B, lambda v: member(v, '@bob:a', 'ban', sender='@mod:a'), 'allow')
case('ban: a non-member', ALL, B, lambda v: member(v, '@carol:a', 'ban', sender='@mod:a'), 'allow')
case('ban: sender not joined', ALL, B, lambda v: member(v, '@bob:a', 'ban', sender='@ivan:a'), 'ban_notjoined')
case('ban: below the ban level', ALL, B, lambda v: member(v, '@carol:a', 'ban', sender='@bob:a'), 'ban_level')
case('ban: target at the sender\'s level', ALL, B, lambda v: member(v, '@ops:a', 'ban', sender='@mod:a'), 'ban_level')

# ---- knock ----
case('knock: knock room', ALL, lambda v: base(v, jr='knock'), lambda v: member(v, '@carol:a', 'knock'),
     lambda v: 'allow' if v >= 7 else 'unknown')
case('knock: invite room', range(7, 13), B, lambda v: member(v, '@carol:a', 'knock'), 'knock_jr')
case('knock: knock_restricted room', range(7, 13), lambda v: base(v, jr='knock_restricted'), lambda v: member(v, '@carol:a', 'knock'),
     lambda v: 'allow' if v >= 10 else 'knock_jr')
case('knock: for someone else', range(7, 13), lambda v: base(v, jr='knock'), lambda v: member(v, '@carol:a', 'knock', sender='@alice:a'), 'knock_sender')
case('knock: already joined', range(7, 13), lambda v: base(v, jr='knock'), lambda v: member(v, '@bob:a', 'knock'), 'knock_mem')
case('knock: banned', range(7, 13), lambda v: base(v, jr='knock'), lambda v: member(v, '@dave:a', 'knock'), 'knock_mem')
case('knock: invited', range(7, 13), lambda v: base(v, jr='knock'), lambda v: member(v, '@ivan:a', 'knock'), 'knock_mem')
case('knock: knocking again', range(7, 13), lambda v: base(v, jr='knock'), lambda v: member(v, '@kate:a', 'knock'), 'allow')

# ---- other events ----
case('message: sender not joined', ALL, B, msg('@carol:a'), 'not_joined')
case('message: invited sender', ALL, B, msg('@ivan:a'), 'not_joined')
case('message: joined, events_default 0', ALL, B, msg('@bob:a'), 'allow')
case('message: below events_default', ALL, lambda v: base(v, pl_over={'events_default': 10}), msg('@bob:a'), 'event_level')
case('message: events map overrides events_default', ALL, lambda v: base(v, pl_over={'events_default': 10, 'events': {'m.room.message': 0}}), msg('@bob:a'), 'allow')
case('third_party_invite event: level >= invite', ALL, B, lambda v: ev(v, 'm.room.third_party_invite', '@bob:a', {}, sk='t'), 'allow')
case('third_party_invite event: level < invite', ALL, lambda v: base(v, pl_over={'invite': 10}),
     lambda v: ev(v, 'm.room.third_party_invite', '@bob:a', {}, sk='t'), 'tpi_level')
case('state event: below state_default', ALL, B, lambda v: ev(v, 'm.room.topic', '@bob:a', {'topic': 't'}, sk=''), 'event_level')
case('state event: at state_default', ALL, B, lambda v: ev(v, 'm.room.topic', '@mod:a', {'topic': 't'}, sk=''), 'allow')
case('state event: no power levels, non-creator (state_default 50)', ALL, lambda v: base(v, pl=False),
     lambda v: ev(v, 'm.room.topic', '@bob:a', {'topic': 't'}, sk=''), 'event_level')
case('state event: no power levels, creator (100)', ALL, lambda v: base(v, pl=False),
     lambda v: ev(v, 'm.room.topic', '@alice:a', {'topic': 't'}, sk=''), 'allow')
case('message: no power levels, non-creator (events_default 0)', ALL, lambda v: base(v, pl=False), msg('@bob:a'), 'allow')
case('state_key is another user\'s ID', ALL, B, lambda v: ev(v, 'm.custom', '@alice:a', {}, sk='@bob:a'), 'sk_user')
case('state_key is the sender\'s ID', ALL, B, lambda v: ev(v, 'm.custom', '@alice:a', {}, sk='@alice:a'), 'allow')
case('string power levels in state (v1-9)', range(1, 10), lambda v: base(v, pl_over={'events_default': ' +10 ', 'users': {'@bob:a': '10', '@mod:a': 50, '@ops:a': 50, **({'@alice:a': 100} if v != 12 else {})}}),
     msg('@bob:a'), 'allow')
case('float power levels in state (v1-5)', range(1, 6), lambda v: base(v, pl_over={'events_default': 10.9, 'users': {'@bob:a': 10.2, '@mod:a': 50, '@ops:a': 50, '@alice:a': 100}}),
     msg('@bob:a'), 'allow')
case('float power levels in state (v1-5) truncated below', range(1, 6), lambda v: base(v, pl_over={'events_default': 11.1, 'users': {'@bob:a': 10.9, '@mod:a': 50, '@ops:a': 50, '@alice:a': 100}}),
     msg('@bob:a'), 'event_level')
case('v12 creator: infinite level', [12], lambda v: base(v, pl_over={'events_default': 9007199254740991}), msg('@alice:a'), 'allow')
case('v12 additional creator: infinite level', [12], lambda v: base(v, cr={'additional_creators': ['@zed:b']}, pl_over={'events_default': 9007199254740991}) + [member(v, '@zed:b', 'join')],
     msg('@zed:b'), 'allow')

# ---- power levels ----
def plev(v, sender='@mod:a', **over):
    return ev(v, 'm.room.power_levels', sender, pl_content(v, **over), sk='', name='newpl')
def users(v, **u):
    d = {'@mod:a': 50, '@ops:a': 50}
    if v != 12: d['@alice:a'] = 100
    for k, x in u.items():
        k = '@%s:a' % k
        if x is None: d.pop(k, None)
        else: d[k] = x
    return d
case('power levels: unchanged', ALL, B, lambda v: plev(v), 'allow')
case('power levels: users key not a user ID', ALL, B, lambda v: plev(v, users=dict(users(v), **{'@baduser': 0})), 'pl_users')
case('power levels: users value not a level', ALL, B, lambda v: plev(v, users=dict(users(v), **{'@bob:a': 'x'})), 'pl_users')
case('power levels: string level', ALL, B, lambda v: plev(v, ban='50'), lambda v: 'allow' if v <= 9 else 'pl_scalars')
case('power levels: events value a string', ALL, B, lambda v: plev(v, events={'m.room.power_levels': '50'}), lambda v: 'allow' if v <= 9 else 'pl_maps')
case('power levels: notifications not an object', range(10, 13), B, lambda v: plev(v, notifications=5), 'pl_maps')
case('power levels: a creator in users', [12], B, lambda v: plev(v, sender='@alice:a', users=users(v, alice=100)), 'pl_creators')
case('power levels: an additional creator in users', [12], lambda v: base(v, cr={'additional_creators': ['@zed:b']}),
     lambda v: plev(v, sender='@alice:a', users=dict(users(v), **{'@zed:b': 1})), 'pl_creators')
case('power levels: first one, any content', ALL, lambda v: base(v, pl=False), lambda v: plev(v, sender='@alice:a', ban=10**6), 'allow')
case('power levels: first one by a non-creator', ALL, lambda v: base(v, pl=False), lambda v: plev(v, sender='@bob:a'), 'event_level')
case('power levels: lower a level to the sender\'s', ALL, B, lambda v: plev(v, kick=40), 'allow')
case('power levels: raise a level above the sender', ALL, B, lambda v: plev(v, kick=51), 'scalar_new')
case('power levels: add a level above the sender', ALL, lambda v: base(v, pl_over={'redact': None}), lambda v: plev(v, redact=51), 'scalar_new')
case('power levels: change a level that is above the sender', ALL, lambda v: base(v, pl_over={'invite': 75}), lambda v: plev(v, invite=0), 'scalar_cur')
case('power levels: remove a level that is above the sender', ALL, lambda v: base(v, pl_over={'invite': 75}), lambda v: plev(v, invite=None), 'scalar_cur')
case('power levels: same value written as a string (v1-9)', range(1, 10), lambda v: base(v, pl_over={'invite': 75}), lambda v: plev(v, invite='75'), 'allow')
case('power levels: add an events entry at the sender\'s level', ALL, B, lambda v: plev(v, events={'m.room.power_levels': 50, 'm.room.name': 50}), 'allow')
case('power levels: add an events entry above the sender', ALL, B, lambda v: plev(v, events={'m.room.power_levels': 50, 'm.room.name': 60}), 'events_new')
case('power levels: remove an events entry above the sender', ALL, lambda v: base(v, pl_over={'events': {'m.room.power_levels': 50, 'm.room.tombstone': 100}}),
     lambda v: plev(v), 'events_cur')
case('power levels: change an events entry above the sender', ALL, lambda v: base(v, pl_over={'events': {'m.room.power_levels': 50, 'm.room.tombstone': 100}}),
     lambda v: plev(v, events={'m.room.power_levels': 50, 'm.room.tombstone': 0}), 'events_cur')
case('power levels: add notifications.room above the sender', ALL, B, lambda v: plev(v, notifications={'room': 60}),
     lambda v: 'allow' if v <= 5 else 'events_new')
case('power levels: remove notifications.room above the sender', ALL, lambda v: base(v, pl_over={'notifications': {'room': 60}}), lambda v: plev(v),
     lambda v: 'allow' if v <= 5 else 'events_cur')
case('power levels: promote a user to the sender\'s level', ALL, B, lambda v: plev(v, users=users(v, bob=50)), 'allow')
case('power levels: promote a user above the sender', ALL, B, lambda v: plev(v, users=users(v, bob=51)), 'users_new')
case('power levels: demote a user at the sender\'s level', ALL, B, lambda v: plev(v, users=users(v, ops=0)), 'users_cur')
case('power levels: remove a user at the sender\'s level', ALL, B, lambda v: plev(v, users=users(v, ops=None)), 'users_cur')
case('power levels: demote oneself', ALL, B, lambda v: plev(v, users=users(v, mod=10)), 'allow')
case('power levels: raise oneself', ALL, B, lambda v: plev(v, users=users(v, mod=51)), 'users_new')
case('power levels: higher user demotes lower one', ALL, B, lambda v: plev(v, sender='@alice:a', users=users(v, mod=0)), 'allow')
case('power levels: demote the creator (v1-11)', range(1, 12), B, lambda v: plev(v, users=users(v, alice=0)), 'users_cur')
case('power levels: users_default above the sender', ALL, B, lambda v: plev(v, users_default=60), 'scalar_new')
case('power levels: non-member', ALL, B, lambda v: plev(v, sender='@carol:a'), 'not_joined')

# ---- m.room.redaction ----
def red(v, sender, target):
    e = ev(v, 'm.room.redaction', sender, {}, name='red')
    if v >= 11: e['content'] = {'redacts': target}
    else: e['redacts'] = target
    return e
case('redaction: below redact level, other server\'s event', ALL, B, lambda v: red(v, '@bob:a', '$x:b'),
     lambda v: 'redaction' if v <= 2 else 'allow')
case('redaction: below redact level, own server\'s event', ALL, B, lambda v: red(v, '@bob:a', '$x:a'), 'allow')
case('redaction: at redact level', ALL, B, lambda v: red(v, '@mod:a', '$x:b'), 'allow')
case('redaction: no redacts (not a valid v1/v2 redaction: bad_event)', [1, 2], B, lambda v: ev(v, 'm.room.redaction', '@mod:a', {}, name='red'), 'bad_event')
case('redaction: redacts not an event ID (bad_event)', [1, 2], B, lambda v: red(v, '@mod:a', 'x'), 'bad_event')
case('redaction: below events entry for m.room.redaction', ALL, lambda v: base(v, pl_over={'events': {'m.room.power_levels': 50, 'm.room.redaction': 10}}),
     lambda v: red(v, '@bob:a', '$x:a'), 'event_level')

doc = {"corpus": "matrix-core auth rules",
       "description": "Hand-worked cases for every numbered auth rule of room versions 1 to 12. Generated by gen_rules.py in this directory: each scenario's verdict and failing rule are stated by hand from the spec's text (rooms/vN.md, rooms/fragments/v1-, v3-, v8-auth-rules.md, server-server-api.md), and the rule numbers per version come from a table transcribed by hand from each version's page (rendered numbering). `state` is the state the check runs against (keyed by (type, state_key)); `auth_events_mode` marks cases where it is the event's auth events (MXC_AUTH_AUTH_EVENTS). `rule`: the number the rejection must name ('vN auth rule <rule>:'). Events are parsed in label mode (`event_id` is a label).",
       "cases": cases}
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, 'rules.json'), 'w') as f:
    # one case per line keeps the file small and diffs readable
    head = {k: v for k, v in doc.items() if k != 'cases'}
    f.write(json.dumps(head)[:-1] + ', "cases": [\n')
    f.write(',\n'.join(json.dumps(c, separators=(',', ':')) for c in cases))
    f.write('\n]}\n')
print(len(cases))
