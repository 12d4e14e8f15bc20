"""Users through smartsheet-python-sdk 4.4.0: current user, listing, paging, seat downgrade."""


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
