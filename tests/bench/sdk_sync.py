"""The benchmark's baseline: the same job as Seatkeeper's sync, written the obvious way with
Smartsheet's official Python SDK (smartsheet-python-sdk 4.4.0).

  sdk_sync.py BASE_URL SINCE DB_PATH      (token in SEATKEEPER_BENCH_TOKEN)

1. the plan (the token owner's internal plan), then every user, 100 a page with lastLogin and planId;
2. the event stream from SINCE (maxCount 10,000), folded into last activity per user (Smartsheet's
   system users left out, as Seatkeeper does);
3. both written to SQLite (one transaction each).
Prints one JSON line: users, events, requests, seconds.
"""

import json
import os
import sqlite3
import sys
import time
from datetime import datetime

import smartsheet

# Smartsheet's system users (seatkeeper_core::sync::SYSTEM_USER_IDS).
SYSTEM_USER_IDS = {
    1688855062570884, 2814754969413508, 3377704922834820, 3940654876256132,
    5066554783098756, 5629504736520068, 6192454689941380, 7881304550205316,
}


def main():
    base_url, since, db_path = sys.argv[1], sys.argv[2], sys.argv[3]
    t0 = time.monotonic()
    client = smartsheet.Smartsheet(access_token=os.environ["SEATKEEPER_BENCH_TOKEN"], api_base=base_url)
    client.errors_as_exceptions(True)
    requests = 0

    me = client.Users.get_current_user()
    plans = client.Users.list_user_plans(me.id).data
    requests += 2
    plan_id = next((p.plan_id for p in plans if p.is_internal), None)

    users = []
    page = 1
    while True:
        result = client.Users.list_users(page=page, page_size=100, include="lastLogin", plan_id=plan_id,
                                         display_contributor_seat_type=True)
        requests += 1
        for u in result.data:
            seat = u.seat_type
            users.append((u.id, u.email, str(seat) if seat is not None else None,
                          u.last_login.isoformat() if u.last_login else None))
        if result.page_number >= result.total_pages:
            break
        page += 1

    last = {}
    events = 0
    result = client.Events.list_events(since=datetime.fromisoformat(since.replace("Z", "+00:00")), max_count=10000)
    requests += 1
    while True:
        for e in result.data:
            events += 1
            if e.user_id in SYSTEM_USER_IDS:
                continue
            at = e.event_timestamp
            prev = last.get(e.user_id)
            if prev is None or at > prev:
                last[e.user_id] = at
        if not result.more_available:
            break
        result = client.Events.list_events(stream_position=result.next_stream_position, max_count=10000)
        requests += 1

    db = sqlite3.connect(db_path)
    db.execute("CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, email TEXT, seat_type TEXT, last_login TEXT)")
    db.execute("CREATE TABLE IF NOT EXISTS activity (user_id INTEGER PRIMARY KEY, last_activity TEXT)")
    with db:
        db.executemany("INSERT OR REPLACE INTO users VALUES (?, ?, ?, ?)", users)
    with db:
        db.executemany("INSERT OR REPLACE INTO activity VALUES (?, ?)",
                       [(u, at.isoformat()) for u, at in last.items()])
    db.close()
    print(json.dumps({"users": len(users), "events": events, "requests": requests,
                      "seconds": time.monotonic() - t0}))


if __name__ == "__main__":
    main()
