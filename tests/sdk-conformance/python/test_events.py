"""Event Reporting through smartsheet-python-sdk 4.4.0: read the stream from `since` to its end."""

from datetime import datetime, timedelta

from smartsheet.models.enums import EventAction


def test_event_stream_from_since_until_caught_up(sim, admin):
    now = sim.now()
    since = now - timedelta(days=7)
    result = admin.Events.list_events(since=since, max_count=100)
    pages = [result]
    while result.more_available:
        assert len(pages) < 1000, "the stream never caught up"
        result = admin.Events.list_events(stream_position=result.next_stream_position, max_count=100)
        pages.append(result)
    assert result.next_stream_position  # still given when caught up, to poll from later
    assert len(pages) > 1
    events = [e for page in pages for e in page.data]
    wire = [w for page in pages for w in page.request_response.json()["data"]]
    assert len(events) == len(wire) > 0

    for event, raw in zip(events, wire):
        assert event.event_id and event.user_id > 0
        assert event.object_type.value is not None
        # PY 4.4.0 maps action names newer than its enum (e.g. LOGIN) to None; the wire must still carry one.
        assert raw["action"]
        assert (event.action.value is None) == (raw["action"] not in EventAction.__members__)
        assert isinstance(event.event_timestamp, datetime)
        assert since <= event.event_timestamp <= now
    stamps = [e.event_timestamp for e in events]
    assert stamps == sorted(stamps)
    ids = [e.event_id for e in events]
    assert len(set(ids)) == len(ids)

    # Reading the same window in one call gives the same events in the same order.
    whole = admin.Events.list_events(since=since, max_count=10000)
    assert whole.more_available is False
    assert [e.event_id for e in whole.data] == ids


def test_an_admins_write_is_the_admins_event_naming_the_target(sim, admin):
    me = admin.Users.get_current_user()
    owners = {sim.client(name).Users.get_current_user().id for name in ("member", "admin_no_event_reporting")}
    plan_id = sim.plan_id()
    members = admin.Users.list_users(plan_id=plan_id, seat_type="MEMBER", include_all=True)
    active = {u["id"] for u in members.request_response.json()["data"] if u["status"] == "ACTIVE"}
    target = next(u for u in members.data
                  if u.is_internal and not u.admin and u.id in active and u.id not in owners | {me.id})
    result = admin.Events.list_events(since=sim.now() - timedelta(hours=1), max_count=10000)
    while result.more_available:
        result = admin.Events.list_events(stream_position=result.next_stream_position, max_count=10000)
    position = result.next_stream_position

    admin.Users.downgrade_user(target.id, plan_id, "CONTRIBUTOR")
    new = admin.Events.list_events(stream_position=position, max_count=100)
    assert new.more_available is False
    assert len(new.data) == 1
    event = new.data[0]
    assert (event.user_id, event.request_user_id) == (me.id, me.id)  # the admin acted, not the target
    assert (str(event.object_type), str(event.action), str(event.source)) == ("USER", "UPDATE", "API_INTEGRATED_APP")
    assert (event.object_id, event.object_id_str) == (target.id, str(target.id))
    assert event.event_timestamp == sim.now()
    details = event.additional_details
    assert details["emailAddress"] == me.email  # the responsible user
    assert (details["userId"], details["userEmail"]) == (str(target.id), target.email)
    assert (details["seatType"], details["previousSeatType"]) == ("CONTRIBUTOR", "MEMBER")
