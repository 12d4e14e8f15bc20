//! A tiny scripted HTTP/1.1 server on loopback for driving the Smartsheet client with answers no
//! simulator gives: faults, odd bodies, hostile sizes. Every connection carries one request and is
//! closed after the answer.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use seatkeeper_core::smartsheet::SmartsheetClient;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

/// A request as the server received it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub at: Instant,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn query(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }
}

/// How the server misbehaves instead of answering normally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    /// Close the connection without answering.
    Drop,
    /// Announce the full body but send only half of it, then close.
    Truncate,
    /// Never answer.
    Hang,
    /// Announce the full body, send half of it, then go quiet without closing.
    Stall,
    /// Answer after this long.
    Delay(Duration),
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub fault: Fault,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Self {
        Self::raw(status, "application/json", serde_json::to_vec(&body).unwrap())
    }

    pub fn raw(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
            fault: Fault::None,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn with_fault(self, fault: Fault) -> Self {
        Self { fault, ..self }
    }
}

type Responder = dyn Fn(&Seen, usize) -> Reply + Send + Sync;

pub struct Stub {
    base_url: Url,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Stub {
    /// `respond(request, index)` answers the `index`-th request (0-based).
    pub async fn start(respond: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = Url::parse(&format!("http://{}/2.0", listener.local_addr().unwrap())).unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let respond: Arc<Responder> = Arc::new(respond);
        let task = tokio::spawn({
            let seen = seen.clone();
            async move {
                while let Ok((socket, _)) = listener.accept().await {
                    tokio::spawn(serve(socket, seen.clone(), respond.clone()));
                }
            }
        });
        Self { base_url, seen, task }
    }

    /// Answers the n-th request with `replies[n]`, and every later one with the last reply.
    pub async fn script(replies: Vec<Reply>) -> Self {
        assert!(!replies.is_empty());
        Self::start(move |_, i| replies[i.min(replies.len() - 1)].clone()).await
    }

    pub fn base_url(&self) -> Url {
        self.base_url.clone()
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn client(&self) -> SmartsheetClient {
        SmartsheetClient::new(crate::fast_config(self.base_url())).unwrap()
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(mut socket: TcpStream, seen: Arc<Mutex<Vec<Seen>>>, respond: Arc<Responder>) {
    let mut buf = Vec::new();
    let mut chunk = [0_u8; 8192];
    let head_len = loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_len]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split_whitespace();
    let method = request_line.next().unwrap_or_default().to_owned();
    let target = request_line.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let content_length = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    while buf.len() < head_len + content_length {
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let url = Url::parse(&format!("http://stub{target}")).unwrap();
    let request = Seen {
        method,
        path: url.path().to_owned(),
        query: url.query_pairs().into_owned().collect(),
        headers,
        body: buf[head_len..head_len + content_length].to_vec(),
        at: Instant::now(),
    };
    let index = {
        let mut seen = seen.lock().unwrap();
        seen.push(request.clone());
        seen.len() - 1
    };
    let reply = respond(&request, index);

    match reply.fault {
        Fault::Drop => return,
        Fault::Hang => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            return;
        }
        Fault::Delay(delay) => tokio::time::sleep(delay).await,
        Fault::None | Fault::Truncate | Fault::Stall => {}
    }
    let reason = reqwest::StatusCode::from_u16(reply.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Unknown");
    let mut out = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Length: {}\r\nConnection: close\r\n",
        reply.status,
        reply.body.len()
    );
    for (k, v) in &reply.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    let cut = matches!(reply.fault, Fault::Truncate | Fault::Stall);
    let body_len = if cut { reply.body.len() / 2 } else { reply.body.len() };
    bytes.extend_from_slice(&reply.body[..body_len]);
    let _ = socket.write_all(&bytes).await;
    if reply.fault == Fault::Stall {
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
    let _ = socket.shutdown().await;
}
