"""Users through smartsheet-python-sdk 4.4.0: current user, listing, paging, and the writes (seat
downgrade and upgrade, update, deactivate and reactivate) with the refusals Smartsheet answers."""

import pytest
import smartsheet
from smartsheet.exceptions import ApiError, UnexpectedErrorShouldRetryError


def test_current_user_is_an_admin_with_an_account(admin):
    me = admin.Users.get_current_user()
    assert me.id > 0
    assert "@" in me.email
    assert me.admin is True
    assert me.account.id > 0
    assert me.account.name


def test_member_token_is_not_an_admin(sim):
    assert sim.client("member").Users.get_current_user().admin is False


def test_include_all_lists_every_user_without_paging_or_last_login(admin):
    result = admin.Users.list_users(include_all=True, include="lastLogin")
    ids = [u.id for u in result.data]
    assert len(ids) == result.total_count > 100
    assert len(set(ids)) == len(ids)
    assert result.page_size is None
    # Smartsheet omits lastLogin when a response holds more than 100 users.
    assert [u.id for u in result.data if u.last_login is not None] == []


def test_pages_of_100_cover_include_all_and_carry_last_login(admin):
    everyone = {u.id for u in admin.Users.list_users(include_all=True).data}
    seen, with_last_login, page = [], 0, 1
    while True:
        result = admin.Users.list_users(page=page, page_size=100, include="lastLogin")
        assert (result.page_number, result.page_size) == (page, 100)
        assert 0 < len(result.data) <= 100
        seen += [u.id for u in result.data]
        with_last_login += sum(u.last_login is not None for u in result.data)
        if page >= result.total_pages:
            break
        page += 1
    assert page == result.total_pages > 1
    assert len(seen) == len(set(seen)) == result.total_count
    assert set(seen) == everyone
    assert with_last_login > 0


def test_downgrade_member_to_contributor(sim, admin):
    plan_id = sim.plan_id()
    members = admin.Users.list_users(plan_id=plan_id, seat_type="MEMBER", include_all=True).data
    target = next(u for u in members if not u.admin)
    assert str(target.seat_type) == "MEMBER"

    plan = next(p for p in admin.Users.list_user_plans(target.id).data if p.plan_id == plan_id)
    assert str(plan.seat_type) == "MEMBER"
    result = admin.Users.downgrade_user(target.id, plan.plan_id, "CONTRIBUTOR")
    assert (result.message, result.result_code) == ("SUCCESS", 0)

    after = admin.Users.list_users(plan_id=plan_id, email=target.email).data
    assert [(u.id, str(u.seat_type)) for u in after] == [(target.id, "CONTRIBUTOR")]


# --- Writes: each call parsed by the SDK, then seen by a following list/get --------------------------
# The users are found through the API. The Python SDK 4.4.0 reads status DEACTIVATED as None (its
# UserStatus enum lacks it), so statuses are read from the wire where that matters.

ISP_DOMAINS = {"gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "live.com", "aol.com", "icloud.com",
               "comcast.net", "charter.net", "verizon.net", "rocketmail.com", "web.de", "mail.com", "email.com",
               "usa.com", "duck.com", "mail.ru"}


def token_owner_ids(sim):
    return {sim.client(name).Users.get_current_user().id for name in ("admin", "member", "admin_no_event_reporting")}


def wire_users(client, **query):
    """`list_users(include_all=True, …)` as the SDK parsed it and as the server sent it, by id."""
    result = client.Users.list_users(include_all=True, **query)
    raw = {u["id"]: u for u in result.request_response.json()["data"]}
    return [(u, raw[u.id]) for u in result.data]


def wire_status(client, user_id):
    return client.Users.get_user(user_id).request_response.json()["status"]


def seat_in_plan(client, user_id, plan_id):
    plans = client.Users.list_user_plans(user_id).data
    return next(str(p.seat_type) for p in plans if p.plan_id == plan_id)


def is_success(result):
    return (result.message, result.result_code) == ("SUCCESS", 0)


def test_downgrade_an_external_member_to_guest_and_not_to_contributor(sim, admin):
    plan_id = sim.plan_id()
    target = next(u for u, raw in wire_users(admin, plan_id=plan_id)
                  if u.is_internal is False and str(u.seat_type) == "MEMBER" and raw["status"] == "ACTIVE")

    with pytest.raises(ApiError) as refused:
        admin.Users.downgrade_user(target.id, plan_id, "CONTRIBUTOR")
    error = refused.value.error.result
    assert (error.status_code, error.code) == (400, 1018)
    assert "GUEST" in error.message
    assert seat_in_plan(admin, target.id, plan_id) == "MEMBER"  # nothing changed

    assert is_success(admin.Users.downgrade_user(target.id, plan_id, "GUEST"))
    after = admin.Users.list_users(plan_id=plan_id, email=target.email).data
    assert [(u.id, str(u.seat_type)) for u in after] == [(target.id, "GUEST")]
    assert seat_in_plan(admin, target.id, plan_id) == "GUEST"


def test_upgrade_a_contributor_to_member(sim, admin):
    plan_id = sim.plan_id()
    target = next(u for u, raw in wire_users(admin, plan_id=plan_id, seat_type="CONTRIBUTOR")
                  if u.is_internal and raw["status"] == "ACTIVE")
    assert str(target.seat_type) == "CONTRIBUTOR"
    assert target.licensed_sheet_creator is False

    assert is_success(admin.Users.upgrade_user(target.id, plan_id, "MEMBER"))
    after = admin.Users.list_users(plan_id=plan_id, email=target.email).data
    assert [(u.id, str(u.seat_type), u.licensed_sheet_creator) for u in after] == [(target.id, "MEMBER", True)]
    assert seat_in_plan(admin, target.id, plan_id) == "MEMBER"
    assert admin.Users.get_user(target.id).licensed_sheet_creator is True


def test_deactivate_then_reactivate(sim, admin):
    owners = token_owner_ids(sim)
    candidates = [u for u, raw in wire_users(admin)
                  if raw["status"] == "ACTIVE" and not u.admin and u.id not in owners
                  and u.email.rsplit("@", 1)[1] not in ISP_DOMAINS]
    for target in candidates:
        try:
            result = admin.Users.deactivate_user(target.id)
        except ApiError as e:  # a directory-managed user: see the 5697 test
            assert e.error.result.code == 5697, e.error.result.message
            continue
        break
    else:
        pytest.fail("no user could be deactivated")
    assert is_success(result)
    assert wire_status(admin, target.id) == "DEACTIVATED"
    assert [raw["status"] for _, raw in wire_users(admin, email=target.email)] == ["DEACTIVATED"]

    assert is_success(admin.Users.reactivate_user(target.id))
    assert str(admin.Users.get_user(target.id).status) == "ACTIVE"
    assert [str(u.status) for u in admin.Users.list_users(email=target.email).data] == ["ACTIVE"]


def test_deactivating_a_directory_managed_user_is_refused_with_5697(sim, admin):
    owners = token_owner_ids(sim)
    candidates = [u for u, raw in wire_users(admin)
                  if raw["status"] == "ACTIVE" and not u.admin and u.id not in owners
                  and u.email.rsplit("@", 1)[1] not in ISP_DOMAINS]
    # Directory management is not in the API: try users until one is refused, putting back the rest.
    for target in candidates:
        try:
            admin.Users.deactivate_user(target.id)
        except ApiError as e:
            error = e.error.result
            break
        admin.Users.reactivate_user(target.id)
    else:
        pytest.fail("no directory-managed user in the organization")
    assert (error.status_code, error.code, error.should_retry) == (400, 5697, False)
    assert wire_status(admin, target.id) == "ACTIVE"


def test_deactivating_an_isp_domain_user_is_refused_with_1359(sim, admin):
    target = next(u for u, raw in wire_users(admin)
                  if raw["status"] == "ACTIVE" and not u.admin and u.email.rsplit("@", 1)[1] in ISP_DOMAINS)
    with pytest.raises(ApiError) as refused:
        admin.Users.deactivate_user(target.id)
    error = refused.value.error.result
    assert (error.status_code, error.code) == (403, 1359)
    assert wire_status(admin, target.id) == "ACTIVE"


def test_a_lost_write_answer_is_an_error_but_the_write_is_applied(sim, admin):
    plan_id = sim.plan_id()
    owners = token_owner_ids(sim)
    target = next(u for u, raw in wire_users(admin, plan_id=plan_id, seat_type="MEMBER")
                  if u.is_internal and not u.admin and raw["status"] == "ACTIVE" and u.id not in owners)
    client = sim.client(max_retry_time=1)  # the SDK would retry 4004; give up at once
    sim.set_faults("lost_write=1")
    try:
        with pytest.raises(UnexpectedErrorShouldRetryError) as raised:
            client.Users.downgrade_user(target.id, plan_id, "CONTRIBUTOR")
    finally:
        sim.set_faults("")
    assert (raised.value.error.result.status_code, raised.value.error.result.code) == (500, 4004)
    assert seat_in_plan(admin, target.id, plan_id) == "CONTRIBUTOR"


# --- Legacy plan: the licence is licensedSheetCreator, cleared with update_user ---------------------

def licensed(legacy_admin, owners, group_admin, resource_viewer):
    return next(u for u, raw in wire_users(legacy_admin)
                if raw["status"] == "ACTIVE" and u.licensed_sheet_creator and not u.admin
                and u.id not in owners and bool(u.group_admin) == group_admin
                and bool(u.resource_viewer) == resource_viewer)


def test_update_user_clears_a_legacy_licence(legacy_sim):
    admin = legacy_sim.client()
    target = licensed(admin, token_owner_ids(legacy_sim), group_admin=False, resource_viewer=False)
    result = admin.Users.update_user(target.id, smartsheet.models.User({"licensedSheetCreator": False, "admin": False}))
    assert is_success(result)
    assert (result.result.id, result.result.licensed_sheet_creator, result.result.admin) == (target.id, False, False)
    assert admin.Users.get_user(target.id).licensed_sheet_creator is False
    assert [u.licensed_sheet_creator for u in admin.Users.list_users(email=target.email).data] == [False]


@pytest.mark.parametrize(("group_admin", "resource_viewer", "code", "role"),
                         [(True, False, 1102, "groupAdmin"), (False, True, 1097, "resourceViewer")])
def test_unlicensing_a_legacy_role_holder_is_refused_until_the_role_is_cleared(
        legacy_sim, group_admin, resource_viewer, code, role):
    admin = legacy_sim.client()
    target = licensed(admin, token_owner_ids(legacy_sim), group_admin, resource_viewer)
    with pytest.raises(ApiError) as refused:
        admin.Users.update_user(target.id, smartsheet.models.User({"licensedSheetCreator": False, "admin": False}))
    error = refused.value.error.result
    assert (error.status_code, error.code, error.should_retry) == (403, code, False)
    assert admin.Users.get_user(target.id).licensed_sheet_creator is True  # nothing changed

    cleared = smartsheet.models.User({"licensedSheetCreator": False, "admin": False, role: False})
    assert is_success(admin.Users.update_user(target.id, cleared))
    after = admin.Users.get_user(target.id)
    assert (after.licensed_sheet_creator, after.group_admin, after.resource_viewer) == (False, False, False)
