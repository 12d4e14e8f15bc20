"""Error answers surface as smartsheet-python-sdk 4.4.0's own exceptions (errors_as_exceptions)."""

import pytest
from smartsheet.exceptions import (
    ApiError,
    RateLimitExceededError,
    SystemMaintenanceError,
    UnexpectedErrorShouldRetryError,
)

SINCE = "2026-11-28T00:00:00Z"


def expired_token(sim):
    sim.client("expired").Users.get_current_user()


def unknown_token(sim):
    sim.client(token="not-a-token-this-simulator-issued").Users.get_current_user()


def member_lists_events(sim):
    sim.client("member").Events.list_events(since=SINCE)


def admin_without_event_reporting_lists_events(sim):
    sim.client("admin_no_event_reporting").Events.list_events(since=SINCE)


def get_unknown_user(sim):
    admin = sim.client()
    known = {u.id for u in admin.Users.list_users(include_all=True).data}
    assert 1 not in known
    admin.Users.get_user(1)


def downgrade_internal_user_to_guest(sim):
    admin = sim.client()
    plan_id = sim.plan_id()
    users = admin.Users.list_users(plan_id=plan_id, include_all=True).data
    target = next(u for u in users if u.is_internal and not u.admin)
    admin.Users.downgrade_user(target.id, plan_id, "GUEST")


@pytest.mark.parametrize(
    ("call", "status", "code"),
    [
        (expired_token, 401, 1003),
        (unknown_token, 401, 1002),
        (member_lists_events, 403, 1004),
        (admin_without_event_reporting_lists_events, 403, 1004),
        (get_unknown_user, 404, 1006),
        (downgrade_internal_user_to_guest, 400, 1018),
    ],
)
def test_client_errors_raise_api_error(sim, call, status, code):
    with pytest.raises(ApiError) as raised:
        call(sim)
    assert type(raised.value) is ApiError  # not one of the retryable subclasses
    error = raised.value.error.result
    assert (error.status_code, error.code) == (status, code)
    assert error.message and error.should_retry is False


@pytest.mark.parametrize(
    ("faults", "exception", "status", "code"),
    [
        ("429=1", RateLimitExceededError, 429, 4003),
        ("503=1", SystemMaintenanceError, 503, 4001),
        ("500=1", UnexpectedErrorShouldRetryError, 500, 4004),
    ],
)
def test_injected_faults_raise_retry_errors(sim, faults, exception, status, code):
    client = sim.client(max_retry_time=1)  # first backoff is over 2 s: the SDK gives up at once
    sim.set_faults(faults)
    try:
        with pytest.raises(exception) as raised:
            client.Users.get_current_user()
    finally:
        sim.set_faults("")
    error = raised.value.error.result
    assert (error.status_code, error.code, error.should_retry) == (status, code, True)
    assert client.Users.get_current_user().admin is True  # faults are off again
