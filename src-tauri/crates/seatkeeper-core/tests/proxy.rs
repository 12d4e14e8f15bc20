//! The system proxy (`http_proxy`, `HTTPS_PROXY`, `ALL_PROXY`) never sees loopback requests — a
//! simulator on this computer is reached over plain http, so a proxy would see the API token —
//! while real hosts keep going through it, as corporate networks need.
//!
//! One test in a binary of its own: the proxy variables are read once per process.

use std::sync::{Arc, Mutex};

use seatkeeper_core::smartsheet::{ApiToken, ClientConfig, SmartsheetClient, BASE_URL_US};
use seatkeeper_testsupport::{fast_config, Reply, Stub, TOKEN};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use url::Url;

/// A proxy that records the first line of every request and refuses them all.
async fn recording_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut head = vec![0_u8; 8192];
            let n = socket.read(&mut head).await.unwrap_or(0);
            let text = String::from_utf8_lossy(&head[..n]).into_owned();
            record.lock().unwrap().push(text);
            let _ = socket
                .write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .await;
        }
    });
    (address, seen)
}

#[tokio::test]
async fn loopback_never_goes_through_the_system_proxy_and_real_hosts_do() {
    let (proxy, seen) = recording_proxy().await;
    for name in ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"] {
        std::env::set_var(name, &proxy);
    }
    for name in ["no_proxy", "NO_PROXY"] {
        std::env::remove_var(name);
    }

    // A simulator on loopback: reached directly, the proxy sees nothing.
    let stub =
        Stub::script(vec![Reply::json(200, serde_json::json!({"id": 1, "email": "a@b.example"}))]).await;
    let user = SmartsheetClient::new(fast_config(stub.base_url())).unwrap().current_user().await.unwrap();
    assert_eq!(user.id, 1);
    assert_eq!(stub.seen().len(), 1);
    assert_eq!(stub.seen()[0].header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    let localhost = Url::parse(&stub.base_url().as_str().replace("127.0.0.1", "localhost")).unwrap();
    SmartsheetClient::new(fast_config(localhost)).unwrap().current_user().await.unwrap();
    assert!(seen.lock().unwrap().is_empty(), "the proxy saw: {:?}", seen.lock().unwrap());

    // Smartsheet itself: through the proxy, as a tunnel (CONNECT), so the proxy never sees the
    // token either.
    let mut config = fast_config(Url::parse(BASE_URL_US).unwrap());
    config.retry.max_retries = 0;
    let config = ClientConfig { token: ApiToken::new(TOKEN).unwrap(), ..config };
    let _ = SmartsheetClient::new(config).unwrap().current_user().await;
    let requests = seen.lock().unwrap().clone();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert!(requests[0].starts_with("CONNECT api.smartsheet.com:443 "), "{}", requests[0]);
    assert!(!requests[0].contains(TOKEN));
}
