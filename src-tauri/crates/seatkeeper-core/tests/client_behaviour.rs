//! Transport behaviour of the Smartsheet client against a scripted loopback server: headers,
//! retries and backoff, `Retry-After`, rate limiting, timeouts, paging streams and error texts.

use seatkeeper_testsupport as support;

use std::num::{NonZeroU32, NonZeroUsize};
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use futures::{StreamExt, TryStreamExt};
use seatkeeper_core::smartsheet::{
    ApiToken, ClientConfig, DowngradeSeat, EventsStart, ListUsersQuery, NetworkFailure, RemoveUserOptions,
    SeatType, SmartsheetClient, SmartsheetError, UpgradeSeat, UserPlansQuery, UserUpdate,
};
use serde_json::{json, Value};
use support::{fast_config, Fault, Reply, Stub, TOKEN};
use url::Url;

fn ok() -> Reply {
    Reply::json(200, json!({"message": "SUCCESS", "resultCode": 0}))
}

fn me() -> Reply {
    Reply::json(200, json!({"id": 1, "email": "admin@acme.example", "admin": true}))
}

fn rate_limited() -> Reply {
    Reply::json(429, json!({"errorCode": 4003, "message": "Rate limit exceeded.", "refId": "rl1"}))
}

fn smartsheet_error(status: u16, code: i64) -> Reply {
    Reply::json(status, json!({"errorCode": code, "message": format!("error {code}"), "refId": "ref-1"}))
}

fn users_page(page: u32, total_pages: u32, ids: &[i64]) -> Reply {
    let data: Vec<Value> =
        ids.iter().map(|id| json!({"id": id, "email": format!("u{id}@acme.example")})).collect();
    Reply::json(
        200,
        json!({"pageNumber": page, "pageSize": 100, "totalPages": total_pages, "totalCount": 250, "data": data}),
    )
}

#[tokio::test]
async fn sends_the_documented_headers_and_no_token_to_serverinfo() {
    let stub =
        Stub::script(vec![Reply::json(200, json!({"supportedLocales": ["en_US"], "formats": {}})), me()])
            .await;
    let client = stub.client();
    let info = client.server_info().await.unwrap();
    assert_eq!(info.supported_locales.unwrap(), ["en_US"]);
    assert!(client.current_user().await.unwrap().is_system_admin());

    let seen = stub.seen();
    assert_eq!((seen[0].method.as_str(), seen[0].path.as_str()), ("GET", "/2.0/serverinfo"));
    assert_eq!(seen[0].header("authorization"), None, "serverinfo needs no token");
    assert_eq!(seen[1].path, "/2.0/users/me");
    assert_eq!(seen[1].header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    for request in &seen {
        assert_eq!(request.header("accept"), Some("application/json"));
        assert!(request.header("accept-encoding").unwrap().contains("gzip"));
        assert_eq!(
            request.header("smartsheet-integration-source"),
            Some("APPLICATION,Seatkeeper,Seatkeeper")
        );
        assert_eq!(request.header("user-agent"), Some(concat!("Seatkeeper/", env!("CARGO_PKG_VERSION"))));
    }
    assert_eq!(client.stats().requests, 2);
}

#[tokio::test]
async fn reads_gzip_encoded_answers() {
    // gzip of {"supportedLocales":["en_US"]}
    const GZIPPED: [u8; 50] = [
        31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 171, 86, 42, 46, 45, 40, 200, 47, 42, 73, 77, 241, 201, 79, 78, 204,
        73, 45, 86, 178, 138, 86, 74, 205, 139, 15, 13, 86, 138, 173, 5, 0, 157, 195, 111, 239, 30, 0, 0, 0,
    ];
    let stub =
        Stub::script(vec![Reply::raw(200, "application/json", GZIPPED).header("Content-Encoding", "gzip")])
            .await;
    let info = stub.client().server_info().await.unwrap();
    assert_eq!(info.supported_locales.unwrap(), ["en_US"]);
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// A small answer that unpacks to far more than Seatkeeper reads (a "zip bomb") stops at the limit
/// with an error that names it: it never reaches memory whole.
#[tokio::test]
async fn an_answer_that_unpacks_past_the_limit_is_refused() {
    // 64 MiB of zeros packs to about 64 KiB.
    let bomb = gzip(&vec![0_u8; 64 << 20]);
    assert!(bomb.len() < 100 << 10, "{}", bomb.len());
    let stub =
        Stub::script(vec![Reply::raw(200, "application/json", bomb).header("Content-Encoding", "gzip")])
            .await;
    let mut config = fast_config(stub.base_url());
    config.max_body_bytes = 1 << 20;
    let err = SmartsheetClient::new(config).unwrap().current_user().await.unwrap_err();
    assert!(matches!(err, SmartsheetError::TooLarge { compressed: false, limit: 1_048_576, .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("GET /users/me") && text.contains("1 MiB unpacked"), "{text}");
    assert_eq!(stub.seen().len(), 1, "not retried");

    // The default limit is far above a real page and far below the bomb.
    let default = ClientConfig::new(stub.base_url(), ApiToken::new(TOKEN).unwrap());
    assert!(default.max_body_bytes >= 64 << 20 && default.max_body_bytes <= 256 << 20);
}

/// An answer larger than the limit as sent is refused, whether its length is announced or not.
#[tokio::test]
async fn an_answer_larger_than_the_limit_as_sent_is_refused() {
    let body = format!("{{\"id\":1,\"email\":\"{}\"}}", "x".repeat(3 << 20));
    for packed in [false, true] {
        let body = if packed { gzip(body.as_bytes()) } else { body.clone().into_bytes() };
        let mut reply = Reply::raw(200, "application/json", body);
        if packed {
            reply = reply.header("Content-Encoding", "gzip");
        }
        let stub = Stub::script(vec![reply]).await;
        let mut config = fast_config(stub.base_url());
        config.max_compressed_bytes = if packed { 1 << 10 } else { 1 << 20 };
        let err = SmartsheetClient::new(config).unwrap().current_user().await.unwrap_err();
        assert!(matches!(err, SmartsheetError::TooLarge { compressed: true, .. }), "{packed}: {err:?}");
        assert!(err.to_string().contains("as sent"), "{err}");
    }
}

#[tokio::test]
async fn an_answer_packed_in_a_way_seatkeeper_did_not_ask_for_is_refused() {
    let stub =
        Stub::script(vec![Reply::raw(200, "application/json", "{}").header("Content-Encoding", "br")]).await;
    let err = stub.client().server_info().await.unwrap_err();
    assert!(matches!(err, SmartsheetError::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("“br”"), "{err}");
    let stub =
        Stub::script(
            vec![Reply::raw(200, "application/json", "not gzip").header("Content-Encoding", "gzip")],
        )
        .await;
    let err = stub.client().server_info().await.unwrap_err();
    assert!(err.to_string().contains("could not be unpacked"), "{err}");
}

/// An answer that starts and then goes quiet ends with the read timeout, long before the attempt's
/// timeout.
#[tokio::test]
async fn an_answer_that_goes_quiet_ends_with_the_read_timeout() {
    let stub = Stub::script(vec![me().with_fault(Fault::Stall)]).await;
    let mut config = fast_config(stub.base_url());
    config.timeout = Duration::from_secs(30);
    config.read_timeout = Duration::from_millis(200);
    config.retry.max_retries = 0;
    let started = Instant::now();
    let err = SmartsheetClient::new(config).unwrap().current_user().await.unwrap_err();
    assert!(matches!(err, SmartsheetError::Network { kind: NetworkFailure::Timeout, .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(20), "not the attempt's timeout");
}

/// Retries of a failing server end when the call's deadline has passed, whatever retries remain,
/// with an error that names the limit.
#[tokio::test]
async fn a_call_ends_at_its_deadline_however_many_retries_remain() {
    let slow_failure = smartsheet_error(503, 4004).with_fault(Fault::Delay(Duration::from_millis(100)));
    let stub = Stub::script(vec![slow_failure]).await;
    let mut config = fast_config(stub.base_url());
    config.retry.max_retries = 1_000;
    config.deadline = Duration::from_millis(700);
    let err = SmartsheetClient::new(config).unwrap().current_user().await.unwrap_err();
    assert!(matches!(err, SmartsheetError::Deadline { .. }), "{err:?}");
    assert!(err.to_string().contains("within 700 ms in all"), "{err}");
    assert!(stub.seen().len() < 20, "{} attempts", stub.seen().len());
}

/// A server's error text is kept short wherever it goes; Smartsheet's code and reference stay
/// whole.
#[tokio::test]
async fn a_huge_error_message_is_cut_and_the_code_and_reference_are_kept() {
    let message = format!("Something broke: {}", "blah ".repeat(40_000));
    let body = json!({"errorCode": 1018, "message": message, "refId": "ab12cd34ef"});
    let stub = Stub::script(vec![Reply::json(400, body)]).await;
    let err = stub.client().current_user().await.unwrap_err();
    let text = err.to_string();
    assert!(text.len() < 1_000, "{} bytes", text.len());
    assert!(text.contains("error 1018") && text.contains("Smartsheet reference: ab12cd34ef."), "{text}");
    assert!(text.contains("Something broke") && text.contains("more characters]"), "{text}");

    // A 200 KB value the decoder quotes is cut as well.
    let user = json!({"id": 1, "email": "a@b.example", "lastLogin": "x".repeat(200_000)});
    let stub = Stub::script(vec![Reply::json(200, user)]).await;
    let err = stub.client().current_user().await.unwrap_err();
    assert!(err.to_string().len() < 1_500, "{} bytes", err.to_string().len());
}

#[tokio::test]
async fn base_url_with_or_without_trailing_slash_reaches_the_same_path() {
    let stub = Stub::script(vec![me()]).await;
    let with_slash = Url::parse(&format!("{}/", stub.base_url())).unwrap();
    for base in [stub.base_url(), with_slash] {
        SmartsheetClient::new(fast_config(base)).unwrap().current_user().await.unwrap();
    }
    let paths: Vec<String> = stub.seen().into_iter().map(|s| s.path).collect();
    assert_eq!(paths, ["/2.0/users/me", "/2.0/users/me"]);
}

#[tokio::test]
async fn retries_rate_limiting_until_it_succeeds() {
    let stub = Stub::script(vec![rate_limited(), rate_limited(), me()]).await;
    let client = stub.client();
    assert_eq!(client.current_user().await.unwrap().id, 1);
    assert_eq!(stub.seen().len(), 3);
    let stats = client.stats();
    assert_eq!((stats.requests, stats.retries, stats.rate_limited), (3, 2, 2));
}

#[tokio::test]
async fn gives_up_after_the_retry_budget_with_a_rate_limited_error() {
    let stub = Stub::script(vec![rate_limited()]).await;
    let err = stub.client().current_user().await.unwrap_err();
    assert!(matches!(&err, SmartsheetError::RateLimited { ref_id: Some(r), .. } if r == "rl1"), "{err:?}");
    assert_eq!(stub.seen().len(), 4, "first attempt + max_retries (3)");
    assert!(err.to_string().contains("Seatkeeper slowed down and retried"));
}

#[tokio::test]
async fn never_retries_client_errors_or_4000() {
    for (status, code) in [(401, 1002), (401, 1003), (403, 1004), (404, 1006), (400, 1008), (500, 4000)] {
        let stub = Stub::script(vec![smartsheet_error(status, code), me()]).await;
        let err = stub.client().current_user().await.unwrap_err();
        assert_eq!(stub.seen().len(), 1, "{status}/{code} must not be retried");
        assert_eq!(err.code(), Some(code));
        assert!(!err.is_retryable());
        let text = err.to_string();
        assert!(text.contains("Smartsheet reference: ref-1") && !text.contains(TOKEN), "{text}");
    }
}

#[tokio::test]
async fn unauthorized_errors_carry_the_code_and_say_what_to_do() {
    let stub = Stub::script(vec![smartsheet_error(401, 1002)]).await;
    let err = stub.client().current_user().await.unwrap_err();
    assert!(
        matches!(&err, SmartsheetError::Unauthorized { code: 1002, ref_id: Some(r), .. } if r == "ref-1")
    );
    assert_eq!(
        err.to_string(),
        "Smartsheet did not accept the API token (error 1002). Check that it was copied completely, has not \
         been revoked, and belongs to the Smartsheet region of the Connection URL (US, EU, AU or Gov). \
         Smartsheet reference: ref-1."
    );
}

#[tokio::test]
async fn retries_maintenance_and_retry_codes_even_for_non_idempotent_calls() {
    let stub = Stub::script(vec![
        smartsheet_error(503, 4001),
        smartsheet_error(500, 4002),
        smartsheet_error(500, 4004),
        ok(),
    ])
    .await;
    let client = stub.client();
    client.deactivate_user(7).await.unwrap();
    assert_eq!(stub.seen().len(), 4);
    assert_eq!(client.stats().retries, 3);
}

#[tokio::test]
async fn honours_retry_after_seconds() {
    let stub = Stub::script(vec![rate_limited().header("Retry-After", "1"), me()]).await;
    stub.client().current_user().await.unwrap();
    let seen = stub.seen();
    let waited = seen[1].at - seen[0].at;
    assert!(waited >= Duration::from_millis(950), "waited only {waited:?}");
}

#[tokio::test]
async fn honours_retry_after_as_an_http_date_on_503() {
    let stub = Stub::start(|_, i| match i {
        0 => {
            let date = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2));
            smartsheet_error(503, 4001).header("Retry-After", &date)
        }
        _ => me(),
    })
    .await;
    stub.client().current_user().await.unwrap();
    let seen = stub.seen();
    // HTTP dates have whole seconds, so the wait is between one and two seconds.
    assert!(seen[1].at - seen[0].at >= Duration::from_millis(900));
}

#[tokio::test]
async fn a_retry_after_longer_than_the_policy_allows_ends_the_retries() {
    let stub = Stub::script(vec![rate_limited().header("Retry-After", "3600"), me()]).await;
    let started = Instant::now();
    let err = stub.client().current_user().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(
        matches!(err, SmartsheetError::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(3600))
    );
    assert_eq!(stub.seen().len(), 1);
    assert!(err.to_string().contains("asked to wait 3600 seconds"));
}

#[tokio::test]
async fn transport_failures_are_retried_only_for_idempotent_requests() {
    for fault in [Fault::Drop, Fault::Truncate] {
        let stub = Stub::script(vec![me().with_fault(fault), me()]).await;
        assert_eq!(stub.client().current_user().await.unwrap().id, 1, "{fault:?}");
        assert_eq!(stub.seen().len(), 2, "{fault:?}: GET is retried");

        let stub = Stub::script(vec![ok().with_fault(fault), ok()]).await;
        stub.client().downgrade_user(1, 2, DowngradeSeat::Contributor).await.unwrap();
        assert_eq!(stub.seen().len(), 2, "{fault:?}: downgrade is idempotent");

        let stub = Stub::script(vec![ok().with_fault(fault), ok()]).await;
        let err = stub.client().remove_user(1, &RemoveUserOptions::default()).await.unwrap_err();
        assert!(
            matches!(err, SmartsheetError::Network { kind: NetworkFailure::Interrupted, .. }),
            "{fault:?}: {err:?}"
        );
        assert_eq!(stub.seen().len(), 1, "{fault:?}: DELETE is not repeated");

        let stub = Stub::script(vec![ok().with_fault(fault), ok()]).await;
        stub.client().reactivate_user(1).await.unwrap_err();
        assert_eq!(stub.seen().len(), 1, "{fault:?}: reactivate is not repeated");
    }
}

#[tokio::test]
async fn a_gateway_error_without_a_smartsheet_body_is_retried_only_when_idempotent() {
    let gateway = || Reply::raw(502, "text/html", "<html>Bad Gateway</html>");
    let stub = Stub::script(vec![gateway(), me()]).await;
    stub.client().current_user().await.unwrap();
    assert_eq!(stub.seen().len(), 2);

    let stub = Stub::script(vec![gateway(), ok()]).await;
    let err = stub.client().deactivate_user(5).await.unwrap_err();
    assert!(matches!(err, SmartsheetError::Server { status: 502, code: None, .. }), "{err:?}");
    assert_eq!(stub.seen().len(), 1);
    assert!(!err.to_string().contains("<html>"));
}

#[tokio::test]
async fn timeouts_are_network_errors_that_name_the_host() {
    let stub = Stub::script(vec![me().with_fault(Fault::Hang)]).await;
    let mut config = fast_config(stub.base_url());
    config.timeout = Duration::from_millis(200);
    config.retry.max_retries = 1;
    let err = SmartsheetClient::new(config).unwrap().current_user().await.unwrap_err();
    assert!(matches!(err, SmartsheetError::Network { kind: NetworkFailure::Timeout, .. }), "{err:?}");
    assert_eq!(stub.seen().len(), 2, "timeouts of GETs are retried");
    let host = stub.base_url().host_str().unwrap().to_owned();
    assert!(err.to_string().starts_with(&format!("Could not reach Smartsheet at {host}:")), "{err}");
}

#[tokio::test]
async fn connection_failures_say_so_and_are_retried_even_for_deletes() {
    // A port that nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = Url::parse(&format!("http://127.0.0.1:{port}/2.0")).unwrap();
    let client = SmartsheetClient::new(fast_config(base)).unwrap();
    let err = client.remove_user_from_plan(1, 2).await.unwrap_err();
    assert!(matches!(err, SmartsheetError::Network { kind: NetworkFailure::Connect, .. }), "{err:?}");
    assert_eq!(client.stats().requests, 4, "nothing was sent, so retrying is safe");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "Could not reach Smartsheet at 127.0.0.1:{port}: could not open a connection ("
        )) && text.ends_with("Check the Connection URL and your network or proxy."),
        "{text}"
    );
}

#[tokio::test]
async fn the_rate_limiter_gates_every_attempt_including_retries() {
    let stub = Stub::script(vec![rate_limited(), me()]).await;
    let mut config = fast_config(stub.base_url());
    config.rate_limit_per_minute = NonZeroU32::new(1);
    let client = SmartsheetClient::new(config).unwrap();
    let call = tokio::time::timeout(Duration::from_millis(500), client.current_user()).await;
    assert!(call.is_err(), "the retry must wait for the limiter");
    assert_eq!(stub.seen().len(), 1);

    let stub = Stub::script(vec![me()]).await;
    let mut config = fast_config(stub.base_url());
    config.rate_limit_per_minute = NonZeroU32::new(2);
    let client = SmartsheetClient::new(config).unwrap();
    client.current_user().await.unwrap();
    client.current_user().await.unwrap();
    assert!(tokio::time::timeout(Duration::from_millis(300), client.current_user()).await.is_err());
    assert_eq!(stub.seen().len(), 2);
}

#[tokio::test]
async fn decode_failures_name_the_endpoint_and_field() {
    // (An unreadable user inside a page of users is skipped instead: see
    // a_user_that_cannot_be_read_is_skipped_with_what_can_be_made_of_it.)
    let stub = Stub::script(vec![Reply::json(
        200,
        json!({"id": 1, "email": "x@y.example", "account": {"id": "not a number", "name": "Acme"}}),
    )])
    .await;
    let err = stub.client().current_user().await.unwrap_err();
    assert!(matches!(err, SmartsheetError::Decode { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("GET /users/me") && text.contains("`account.id`"), "{text}");
    assert_eq!(stub.seen().len(), 1, "decode failures are not retried");
}

#[tokio::test]
async fn a_non_smartsheet_answer_points_at_the_connection_url() {
    let stub = Stub::script(vec![Reply::raw(404, "text/html", "<html>Not here</html>")]).await;
    let err = stub.client().current_user().await.unwrap_err();
    assert!(matches!(err, SmartsheetError::UnexpectedResponse { status: 404, .. }), "{err:?}");
    assert!(err.to_string().contains("answered GET /users/me with HTTP 404"));

    let stub =
        Stub::script(vec![Reply::raw(301, "text/html", "").header("Location", "https://elsewhere.example/")])
            .await;
    let err = stub.client().current_user().await.unwrap_err();
    assert!(
        matches!(err, SmartsheetError::UnexpectedResponse { status: 301, .. }),
        "redirects are not followed"
    );
}

#[tokio::test]
async fn list_users_pages_until_the_last_page_and_sends_the_filters() {
    // Page 3 of 3 is the last one; a fourth request would get page 3 again.
    let stub = Stub::start(|req, _| {
        let page: u32 = req.query("page").unwrap().parse().unwrap();
        let page = page.min(3);
        users_page(page, 3, &[i64::from(page) * 10, i64::from(page) * 10 + 1])
    })
    .await;
    let query = ListUsersQuery {
        emails: vec!["a@acme.example".into(), "b@acme.example".into()],
        plan_id: Some(9_876_543_210_987_654),
        seat_type: Some(SeatType::Member),
        include_last_login: true,
        display_contributor_seat_type: Some(true),
        include_all: false,
    };
    let client = stub.client();
    let pages: Vec<_> = client.list_users(query.clone()).try_collect().await.unwrap();
    assert_eq!(pages.iter().map(|p| p.page_number).collect::<Vec<_>>(), [1, 2, 3]);
    let mut seen = stub.seen();
    assert_eq!(seen.len(), 3);
    // Pages after the first are requested concurrently, so they may arrive in any order.
    seen.sort_by_key(|r| r.query("page").map(str::to_owned));
    for (i, request) in seen.iter().enumerate() {
        assert_eq!(request.query("page"), Some((i + 1).to_string().as_str()));
        assert_eq!(request.query("pageSize"), Some("100"));
        assert_eq!(request.query("email"), Some("a@acme.example,b@acme.example"));
        assert_eq!(request.query("include"), Some("lastLogin"));
        assert_eq!(request.query("planId"), Some("9876543210987654"));
        assert_eq!(request.query("seatType"), Some("MEMBER"));
        assert_eq!(request.query("displayContributorSeatType"), Some("true"));
        assert_eq!(request.query("includeAll"), None);
    }

    let ids: Vec<i64> = client.all_users(query).map_ok(|u| u.id).try_collect().await.unwrap();
    assert_eq!(ids, [10, 11, 20, 21, 30, 31]);
}

#[tokio::test]
async fn list_users_stops_on_an_empty_organization_and_on_errors() {
    let stub = Stub::script(vec![Reply::json(
        200,
        json!({"pageNumber": 1, "pageSize": 100, "totalPages": 0, "totalCount": 0, "data": []}),
    )])
    .await;
    let pages: Vec<_> = stub.client().list_users(ListUsersQuery::default()).collect().await;
    assert_eq!(pages.len(), 1);
    assert_eq!(stub.seen().len(), 1);

    // Page 2 of 5 fails: the stream yields page 1, then the error, and ends. Pages 3.. may
    // already have been requested (up to read_concurrency at once) but are never yielded.
    let stub = Stub::start(|req, _| match req.query("page") {
        Some("2") => smartsheet_error(403, 1004),
        Some(n) => {
            let n: i64 = n.parse().unwrap();
            users_page(n as u32, 5, &[n])
        }
        None => unreachable!(),
    })
    .await;
    let results: Vec<_> = stub.client().list_users(ListUsersQuery::default()).collect().await;
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].as_ref().unwrap().data[0].id, 1);
    assert!(matches!(results[1], Err(SmartsheetError::Forbidden { code: 1004, .. })));

    // One page at a time: nothing is requested after the error.
    let stub =
        Stub::script(vec![users_page(1, 5, &[1]), smartsheet_error(403, 1004), users_page(3, 5, &[3])]).await;
    let config = ClientConfig { read_concurrency: NonZeroUsize::MIN, ..fast_config(stub.base_url()) };
    let results: Vec<_> =
        SmartsheetClient::new(config).unwrap().list_users(ListUsersQuery::default()).collect().await;
    assert_eq!(results.len(), 2);
    assert_eq!(stub.seen().len(), 2, "the stream ends after an error");
}

#[tokio::test]
async fn list_users_reads_pages_concurrently_but_yields_them_in_order() {
    // Later pages answer sooner: the stream still yields 1, 2, 3, … and reads every page once.
    let stub = Stub::start(|req, _| {
        let page: u32 = req.query("page").unwrap().parse().unwrap();
        let delay = Duration::from_millis(u64::from(40_u32.saturating_sub(page * 5)));
        users_page(page, 8, &[i64::from(page)]).with_fault(Fault::Delay(delay))
    })
    .await;
    let pages: Vec<_> = stub.client().list_users(ListUsersQuery::default()).try_collect().await.unwrap();
    assert_eq!(pages.iter().map(|p| p.data[0].id).collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6, 7, 8]);
    let mut requested: Vec<u32> =
        stub.seen().iter().map(|r| r.query("page").unwrap().parse().unwrap()).collect();
    requested.sort_unstable();
    assert_eq!(requested, [1, 2, 3, 4, 5, 6, 7, 8]);
    // At most read_concurrency (4) pages are open at once: after page 1, pages 2–5 are asked for,
    // and page 6 only once page 2 (held 30 ms by the stub) was answered. A causal bound, not a
    // timing: with no limit page 6 would be asked for right away.
    let seen = stub.seen();
    let sent = |page: &str| seen.iter().find(|r| r.query("page") == Some(page)).unwrap().at;
    assert!(
        sent("6") >= sent("2") + Duration::from_millis(30),
        "page 6 was asked for before page 2 was answered"
    );
}

#[tokio::test]
async fn list_users_follows_a_list_that_grows_while_it_is_read() {
    // The first page says 2 pages; the second says 3 (users were added meanwhile).
    let stub = Stub::start(|req, _| {
        let page: u32 = req.query("page").unwrap().parse().unwrap();
        users_page(page, if page == 1 { 2 } else { 3 }, &[i64::from(page)])
    })
    .await;
    let config = ClientConfig { read_concurrency: NonZeroUsize::MIN, ..fast_config(stub.base_url()) };
    let ids: Vec<i64> = SmartsheetClient::new(config)
        .unwrap()
        .all_users(ListUsersQuery::default())
        .map_ok(|u| u.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, [1, 2, 3]);
}

#[tokio::test]
async fn a_user_that_cannot_be_read_is_skipped_with_what_can_be_made_of_it() {
    let stub = Stub::script(vec![Reply::json(
        200,
        json!({"pageNumber": 1, "pageSize": 100, "totalPages": 1, "totalCount": 3, "data": [
            {"id": 1, "email": "ok@acme.example"},
            {"id": 2, "email": "odd@acme.example", "lastLogin": "last Tuesday"},
            {"email": ["not", "an", "email"]},
        ]}),
    )])
    .await;
    let page = stub.client().list_users_page(&ListUsersQuery::default(), 1, 100).await.unwrap();
    assert_eq!(page.data.iter().map(|u| u.id).collect::<Vec<_>>(), [1]);
    assert_eq!(page.skipped.len(), 2);
    assert_eq!((page.skipped[0].id, page.skipped[0].email.as_deref()), (Some(2), Some("odd@acme.example")));
    assert!(page.skipped[0].problem.contains("lastLogin"), "{}", page.skipped[0].problem);
    assert_eq!((page.skipped[1].id, page.skipped[1].email.as_deref()), (None, None));

    // An answer that is not a page of users is still an error.
    let stub = Stub::script(vec![Reply::json(200, json!({"data": "none"}))]).await;
    let err = stub.client().list_users_page(&ListUsersQuery::default(), 1, 100).await.unwrap_err();
    assert!(matches!(err, SmartsheetError::Decode { .. }), "{err:?}");
}

#[tokio::test]
async fn list_user_plans_follows_last_key() {
    let plan = |id: i64| json!({"planId": id, "seatType": "MEMBER", "isInternal": true});
    let stub = Stub::script(vec![
        Reply::json(200, json!({"lastKey": "k1", "data": [plan(1)]})),
        Reply::json(200, json!({"lastKey": "k2", "data": [plan(2)]})),
        Reply::json(200, json!({"lastKey": null, "data": [plan(3)]})),
    ])
    .await;
    let query =
        UserPlansQuery { include_plan_name: true, display_contributor_seat_type: None, max_items: Some(100) };
    let pages: Vec<_> = stub.client().list_user_plans(42, query).try_collect().await.unwrap();
    let ids: Vec<i64> = pages.iter().flat_map(|p| p.data.iter().map(|plan| plan.plan_id)).collect();
    assert_eq!(ids, [1, 2, 3]);
    let seen = stub.seen();
    assert!(seen.iter().all(|s| s.path == "/2.0/users/42/plans" && s.query("include") == Some("planName")));
    let keys: Vec<Option<&str>> = seen.iter().map(|s| s.query("lastKey")).collect();
    assert_eq!(keys, [None, Some("k1"), Some("k2")]);
}

#[tokio::test]
async fn event_stream_follows_positions_while_more_is_available() {
    let event = json!({"eventId": "e", "objectType": "SHEET", "action": "LOAD", "objectId": 1, "objectIdStr": "1",
        "eventTimestamp": "2026-07-30T10:35:15.123Z", "userId": 5, "requestUserId": 5, "source": "WEB_APP",
        "additionalDetails": {"emailAddress": "jane@acme.example"}});
    let stub = Stub::script(vec![
        Reply::json(200, json!({"nextStreamPosition": "p1", "moreAvailable": true, "data": [event.clone()]})),
        Reply::json(200, json!({"nextStreamPosition": "p2", "moreAvailable": true, "data": [event.clone()]})),
        Reply::json(200, json!({"nextStreamPosition": "p3", "moreAvailable": false, "data": []})),
        Reply::json(200, json!({"nextStreamPosition": "p4", "moreAvailable": false, "data": []})),
    ])
    .await;
    let since = Utc.with_ymd_and_hms(2026, 7, 30, 10, 0, 0).unwrap();
    let client = stub.client();
    let pages: Vec<_> =
        client.event_stream(EventsStart::Since { since, to: None }, Some(500)).try_collect().await.unwrap();
    let positions: Vec<_> = pages.iter().map(|p| p.next_stream_position.as_deref().unwrap()).collect();
    assert_eq!(positions, ["p1", "p2", "p3"], "the caller stores the last one to resume");
    let seen = stub.seen();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0].query("since"), Some("2026-07-30T10:00:00Z"));
    assert_eq!(seen[0].query("streamPosition"), None);
    assert_eq!(seen[1].query("streamPosition"), Some("p1"));
    assert_eq!(seen[1].query("since"), None);
    assert_eq!(seen[2].query("streamPosition"), Some("p2"));
    assert!(seen.iter().all(|s| s.path == "/2.0/events" && s.query("maxCount") == Some("500")));
}

#[tokio::test]
async fn event_stream_with_read_ahead_asks_for_each_page_once_in_order() {
    // The next page is asked for from the raw answer, before the page is decoded; a slow page in
    // the middle must not reorder, repeat or skip anything.
    let stub = Stub::start(|req, _| {
        let body =
            |next: &str, more: bool| json!({"nextStreamPosition": next, "moreAvailable": more, "data": []});
        match req.query("streamPosition") {
            Some("p0") => Reply::json(200, body("p1", true)),
            Some("p1") => {
                Reply::json(200, body("p2", true)).with_fault(Fault::Delay(Duration::from_millis(50)))
            }
            Some("p2") => Reply::json(200, body("p3", false)),
            other => panic!("unexpected position {other:?}"),
        }
    })
    .await;
    let pages: Vec<_> =
        stub.client().event_stream(EventsStart::Position("p0".into()), None).try_collect().await.unwrap();
    let positions: Vec<_> = pages.iter().map(|p| p.next_stream_position.as_deref().unwrap()).collect();
    assert_eq!(positions, ["p1", "p2", "p3"]);
    let asked: Vec<_> = stub.seen().iter().map(|s| s.query("streamPosition").unwrap().to_owned()).collect();
    assert_eq!(asked, ["p0", "p1", "p2"], "each page once, in order");
}

#[tokio::test]
async fn a_wrong_guess_of_the_next_position_is_dropped_and_never_yielded() {
    // The answer has no top-level position but an event carries the key once: the raw peek guesses
    // "bogus", the decoded page has no position to continue from — so the stream stops with an
    // error instead of the page, and the guess is never yielded.
    let event = json!({"eventId": "e", "objectType": "SHEET", "action": "LOAD", "objectId": 1,
        "eventTimestamp": "2026-07-30T10:35:15Z", "userId": 5, "source": "WEB_APP",
        "additionalDetails": {"nextStreamPosition": "bogus"}});
    let stub = Stub::start(move |req, _| match req.query("streamPosition") {
        Some("p0") => Reply::json(200, json!({"moreAvailable": true, "data": [event.clone()]})),
        _ => Reply::json(200, json!({"nextStreamPosition": "bogus-next", "moreAvailable": false, "data": [event.clone(), event.clone()]})),
    })
    .await;
    let pages: Vec<_> = stub.client().event_stream(EventsStart::Position("p0".into()), None).collect().await;
    assert_eq!(pages.len(), 1, "{pages:?}");
    assert!(matches!(&pages[0], Err(SmartsheetError::Paging { .. })), "{pages:?}");
}

#[tokio::test]
async fn an_answer_that_is_not_a_page_of_events_is_a_decode_error() {
    let stub = Stub::script(vec![Reply::json(200, json!({"nextStreamPosition": "p1", "data": 5}))]).await;
    let pages: Vec<_> = stub.client().event_stream(EventsStart::Position("p0".into()), None).collect().await;
    assert_eq!(pages.len(), 1);
    assert!(
        matches!(&pages[0], Err(SmartsheetError::Decode { endpoint, .. }) if endpoint == "GET /events"),
        "{pages:?}"
    );
}

/// A page without a position cannot be saved as where to continue: folding it would count its
/// events again on the next run. The stream refuses it (the pages before it stand).
#[tokio::test]
async fn a_page_of_events_without_a_position_is_refused_not_yielded() {
    let event = json!({"eventId": "e", "objectType": "SHEET", "action": "LOAD", "objectId": 1,
        "eventTimestamp": "2026-07-30T10:35:15Z", "userId": 5, "source": "WEB_APP"});
    for last in [
        json!({"moreAvailable": true, "data": []}),
        json!({"moreAvailable": false, "data": [event.clone()]}),
        json!({"nextStreamPosition": null, "moreAvailable": true, "data": [event.clone()]}),
    ] {
        let stub = Stub::script(vec![
            Reply::json(
                200,
                json!({"nextStreamPosition": "p1", "moreAvailable": true, "data": [event.clone()]}),
            ),
            Reply::json(200, last.clone()),
        ])
        .await;
        let pages: Vec<_> =
            stub.client().event_stream(EventsStart::Position("p0".into()), None).collect().await;
        assert_eq!(pages.len(), 2, "{last}: {pages:?}");
        assert_eq!(pages[0].as_ref().unwrap().next_stream_position.as_deref(), Some("p1"));
        let err = pages[1].as_ref().unwrap_err();
        assert!(matches!(err, SmartsheetError::Paging { .. }), "{err:?}");
        assert!(err.to_string().contains("without a stream position"), "{err}");
    }
    // An empty last page without a position ends the stream: there is nothing to count twice.
    let stub = Stub::script(vec![Reply::json(200, json!({"moreAvailable": false, "data": []}))]).await;
    let pages: Vec<_> =
        stub.client().event_stream(EventsStart::Position("p0".into()), None).try_collect().await.unwrap();
    assert_eq!(pages.len(), 1);
}

/// Two positions that alternate, or one that comes back after several pages, would loop for ever:
/// the stream stops at the page that names a position it asked for before, and does not yield it.
#[tokio::test]
async fn a_stream_position_that_comes_back_at_any_distance_stops_the_stream() {
    for (cycle, pages_before) in [(vec!["p1", "p0"], 1), (vec!["p1", "p2", "p3", "p1"], 3), (vec!["p0"], 0)] {
        let next = cycle.clone();
        let stub = Stub::start(move |req, _| {
            let at = req.query("streamPosition").unwrap_or_default().to_owned();
            // p0 → cycle[0] → cycle[1] → …
            let index = if at == "p0" { 0 } else { next.iter().position(|p| *p == at).unwrap() + 1 };
            let position = next.get(index).copied().unwrap_or("end");
            Reply::json(200, json!({"nextStreamPosition": position, "moreAvailable": true, "data": []}))
        })
        .await;
        let pages: Vec<_> =
            stub.client().event_stream(EventsStart::Position("p0".into()), None).collect().await;
        assert_eq!(pages.len(), pages_before + 1, "{cycle:?}: {pages:?}");
        assert!(pages[..pages_before].iter().all(Result::is_ok));
        let err = pages.last().unwrap().as_ref().unwrap_err();
        assert!(matches!(err, SmartsheetError::Paging { .. }), "{err:?}");
        assert!(err.to_string().contains("came back"), "{err}");
        assert!(stub.seen().len() <= pages_before + 2, "{cycle:?}: {} requests", stub.seen().len());
    }
}

/// A last page with events that names a position asked for before would, once saved, make the
/// next run read those events again: refused. A last page without events may name its own position.
#[tokio::test]
async fn a_last_page_with_events_may_not_point_back() {
    let event = json!({"eventId": "e", "objectType": "SHEET", "action": "LOAD", "objectId": 1,
        "eventTimestamp": "2026-07-30T10:35:15Z", "userId": 5, "source": "WEB_APP"});
    let stub = Stub::script(vec![
        Reply::json(200, json!({"nextStreamPosition": "p1", "moreAvailable": true, "data": [event.clone()]})),
        Reply::json(
            200,
            json!({"nextStreamPosition": "p0", "moreAvailable": false, "data": [event.clone()]}),
        ),
    ])
    .await;
    let pages: Vec<_> = stub.client().event_stream(EventsStart::Position("p0".into()), None).collect().await;
    assert_eq!(pages.len(), 2, "{pages:?}");
    assert!(pages[1].as_ref().unwrap_err().to_string().contains("came back"), "{pages:?}");

    let stub = Stub::script(vec![Reply::json(
        200,
        json!({"nextStreamPosition": "p0", "moreAvailable": false, "data": []}),
    )])
    .await;
    let pages: Vec<_> =
        stub.client().event_stream(EventsStart::Position("p0".into()), None).try_collect().await.unwrap();
    assert_eq!(pages.len(), 1, "nothing new: the stream simply ends");
}

/// A stream that never ends (a new position on every page) stops at the caller's page limit; the
/// last page read is yielded and the stream then ends with the error.
#[tokio::test]
async fn an_endless_stream_stops_at_the_page_limit() {
    let stub = Stub::start(|req, _| {
        let at: u64 = req.query("streamPosition").unwrap_or("p0")[1..].parse().unwrap();
        Reply::json(
            200,
            json!({"nextStreamPosition": format!("p{}", at + 1), "moreAvailable": true, "data": []}),
        )
    })
    .await;
    let pages: Vec<_> = stub
        .client()
        .event_stream_within::<seatkeeper_core::smartsheet::Event>(
            EventsStart::Position("p0".into()),
            None,
            25,
        )
        .collect()
        .await;
    assert_eq!(pages.len(), 26, "25 pages, then the error");
    assert!(pages[..25].iter().all(Result::is_ok));
    let err = pages[25].as_ref().unwrap_err();
    assert!(err.to_string().contains("read 25 pages"), "{err}");
    assert!(stub.seen().len() <= 26, "{}", stub.seen().len());
}

/// `GET /users` whose totalPages grows with every page would be read for ever: the listing stops
/// once it passes a limit derived from the first page's size.
#[tokio::test]
async fn a_user_list_that_never_ends_stops_at_a_limit_from_its_first_page() {
    let stub = Stub::start(|req, _| {
        let page: u32 = req.query("page").unwrap().parse().unwrap();
        let user = json!({"id": page, "email": format!("u{page}@example.com")});
        // Every answer claims there are more pages than asked for so far.
        Reply::json(200, json!({"pageNumber": page, "pageSize": 100, "totalPages": page + 3, "totalCount": 300, "data": [user]}))
    })
    .await;
    let pages: Vec<_> = stub.client().list_users(ListUsersQuery::default()).collect().await;
    let limit = seatkeeper_core::smartsheet::user_page_limit(4) as usize;
    assert_eq!(pages.len(), limit + 1, "{} pages", pages.len());
    let err = pages.last().unwrap().as_ref().unwrap_err();
    assert!(matches!(err, SmartsheetError::Paging { .. }), "{err:?}");
    assert!(err.to_string().contains("GET /users"), "{err}");
    assert_eq!(stub.seen().len(), limit, "no request past the limit");
}

/// A user's plans whose lastKeys alternate loop for ever without the check.
#[tokio::test]
async fn plans_whose_last_keys_alternate_stop_with_an_error() {
    let stub = Stub::start(|req, _| {
        let next = if req.query("lastKey") == Some("a") { "b" } else { "a" };
        Reply::json(200, json!({"lastKey": next, "data": [{"planId": 1, "seatType": "MEMBER"}]}))
    })
    .await;
    let pages: Vec<_> = stub.client().list_user_plans(7, UserPlansQuery::default()).collect().await;
    assert!(pages.len() <= 3, "{pages:?}");
    let err = pages.last().unwrap().as_ref().unwrap_err();
    assert!(err.to_string().contains("came back"), "{err}");
}

#[tokio::test]
async fn write_calls_use_the_documented_methods_paths_and_bodies() {
    let stub = Stub::script(vec![ok()]).await;
    let client = stub.client();
    client.upgrade_user(1, 2, UpgradeSeat::Member).await.unwrap();
    client.downgrade_user(1, 2, DowngradeSeat::Contributor).await.unwrap();
    let update = UserUpdate { licensed_sheet_creator: Some(false), admin: Some(true), ..Default::default() };
    client.update_user(1, &update).await.unwrap();
    client.deactivate_user(1).await.unwrap();
    client.reactivate_user(1).await.unwrap();
    let options =
        RemoveUserOptions { transfer_to: Some(3), transfer_sheets: true, remove_from_sharing: false };
    client.remove_user(1, &options).await.unwrap();
    client.remove_user_from_plan(1, 2).await.unwrap();

    let seen = stub.seen();
    let calls: Vec<(&str, &str)> = seen.iter().map(|s| (s.method.as_str(), s.path.as_str())).collect();
    assert_eq!(
        calls,
        [
            ("POST", "/2.0/users/1/plans/2/upgrade"),
            ("POST", "/2.0/users/1/plans/2/downgrade"),
            ("PUT", "/2.0/users/1"),
            ("POST", "/2.0/users/1/deactivate"),
            ("POST", "/2.0/users/1/reactivate"),
            ("DELETE", "/2.0/users/1"),
            ("DELETE", "/2.0/users/1/plans/2"),
        ]
    );
    assert_eq!(seen[0].json(), json!({"seatType": "MEMBER"}));
    assert_eq!(seen[1].json(), json!({"seatType": "CONTRIBUTOR"}));
    assert_eq!(seen[2].json(), json!({"admin": true, "licensedSheetCreator": false}));
    assert!(seen[0].header("content-type").unwrap().starts_with("application/json"));
    assert!(seen[3].body.is_empty());
    let query: Vec<(&str, &str)> = seen[5].query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(query, [("transferTo", "3"), ("transferSheets", "true"), ("removeFromSharing", "false")]);
}

#[tokio::test]
async fn no_error_or_debug_output_contains_the_token() {
    let replies = [
        smartsheet_error(401, 1001),
        smartsheet_error(401, 1005),
        smartsheet_error(403, 1013),
        smartsheet_error(404, 1020),
        smartsheet_error(400, 1018),
        Reply::raw(418, "text/plain", TOKEN),
        Reply::json(200, json!({"id": "not a number"})),
    ];
    let n = replies.len();
    let stub = Stub::start(move |_, i| replies[i].clone()).await;
    let client = stub.client();
    for _ in 0..n {
        let err = client.current_user().await.unwrap_err();
        let printed = format!("{err} {err:?} {client:?}");
        assert!(!printed.contains(TOKEN), "{printed}");
    }
}

#[test]
fn constructing_a_client_rejects_bad_urls_before_any_request() {
    let token = ApiToken::new(TOKEN).unwrap();
    let config = ClientConfig::new(Url::parse("http://api.smartsheet.com/2.0").unwrap(), token);
    let err = SmartsheetClient::new(config).unwrap_err();
    assert!(matches!(err, SmartsheetError::InvalidUrl { .. }));
    assert!(err.to_string().contains("https://"));
}
