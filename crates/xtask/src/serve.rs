//! `cargo xtask serve`, and the tiny static file server the browser tests also use.
//!
//! std only: one thread per connection, `GET`/`HEAD`, one request per connection.
//! It serves a development build on loopback, nothing more.

use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use anyhow::{Context, Result};

use crate::process::step;
use crate::tools::{self, Needs};
use crate::{dist, Workspace};

const DEFAULT_PORT: u16 = 8080;
/// Longest request head accepted; the browser's requests are far smaller.
const MAX_HEAD_BYTES: u64 = 16 * 1024;
/// A client that goes quiet this long is dropped, so stray connections cannot pile up threads.
const IO_TIMEOUT: Duration = Duration::from_secs(10);

pub fn run(ws: &Workspace, port: Option<u16>) -> Result<()> {
    step("ensure tools");
    tools::ensure(ws, Needs::BUILD)?;
    step("build dist/");
    dist::build(ws)?;
    step("serve dist/");
    let server = Server::start(ws.dist(), port.unwrap_or(DEFAULT_PORT))?;
    println!("Serving {} at {}", ws.dist().display(), server.url());
    println!("Press Ctrl-C to stop.");
    server.wait();
    Ok(())
}

/// A running server; `stop` ends it.
pub struct Server {
    addr: SocketAddr,
    stopping: Arc<AtomicBool>,
    acceptor: JoinHandle<()>,
}

impl Server {
    /// Serves `root` on 127.0.0.1:`port`, or on a free port if that one is taken
    /// (port 0 asks for a free port straight away).
    pub fn start(root: PathBuf, port: u16) -> Result<Server> {
        let listener = match TcpListener::bind((Ipv4Addr::LOCALHOST, port)) {
            Err(err) if port != 0 && err.kind() == io::ErrorKind::AddrInUse => {
                println!("port {port} is in use; using a free port instead");
                TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            }
            bound => bound,
        }
        .context("binding the HTTP server to 127.0.0.1")?;
        let addr = listener.local_addr()?;
        let root = Arc::new(root);
        let stopping = Arc::new(AtomicBool::new(false));
        let acceptor = thread::spawn({
            let stopping = Arc::clone(&stopping);
            move || {
                for stream in listener.incoming() {
                    if stopping.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let root = Arc::clone(&root);
                    thread::spawn(move || {
                        if let Err(err) = handle(stream, &root) {
                            eprintln!("serve: {err}");
                        }
                    });
                }
            }
        });
        Ok(Server { addr, stopping, acceptor })
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Blocks for as long as the server runs (until the process is interrupted).
    pub fn wait(self) {
        let _ = self.acceptor.join();
    }

    pub fn stop(self) {
        self.stopping.store(true, Ordering::SeqCst);
        // `accept` blocks; one last connection wakes it so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        let _ = self.acceptor.join();
    }
}

fn handle(stream: TcpStream, root: &Path) -> io::Result<()> {
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    let mut reader = BufReader::new(stream.try_clone()?.take(MAX_HEAD_BYTES));
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Drain the headers: none of them change the answer.
    let mut header = String::new();
    loop {
        header.clear();
        if reader.read_line(&mut header)? == 0 || header.trim_end().is_empty() {
            break;
        }
    }

    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let response = match method {
        "GET" | "HEAD" => match resolve(root, target) {
            Some(path) => match fs::read(&path) {
                Ok(body) => Response::ok(content_type(&path), body),
                Err(_) => Response::error(404, "Not Found"),
            },
            None => Response::error(404, "Not Found"),
        },
        "" => return Ok(()),
        _ => Response::error(405, "Method Not Allowed"),
    };
    if response.status != 200 {
        eprintln!("serve: {method} {target} -> {}", response.status);
    }
    response.write(stream, method == "HEAD")
}

/// Maps a request target to a file under `root`, or `None` if it names nothing servable.
/// Only plain path segments are allowed, so no request can reach outside `root`.
fn resolve(root: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next()?;
    let decoded = percent_decode(path.strip_prefix('/')?)?;
    let relative = Path::new(&decoded);
    let plain = relative.components().all(|part| matches!(part, Component::Normal(_)));
    if !plain || decoded.contains('\\') {
        return None;
    }
    let mut file = root.join(relative);
    if file.is_dir() {
        file.push("index.html");
    }
    file.is_file().then_some(file)
}

fn percent_decode(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        if byte == b'%' {
            let hex = std::str::from_utf8(tail.get(..2)?).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            rest = &tail[2..];
        } else {
            bytes.push(byte);
            rest = tail;
        }
    }
    String::from_utf8(bytes).ok().filter(|s| !s.contains('\0'))
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|ext| ext.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        // Browsers only stream-compile wasm served with exactly this type.
        Some("wasm") => "application/wasm",
        Some("json" | "map") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

struct Response {
    status: u16,
    reason: &'static str,
    content_type: &'static str,
    body: Vec<u8>,
}

impl Response {
    fn ok(content_type: &'static str, body: Vec<u8>) -> Response {
        Response { status: 200, reason: "OK", content_type, body }
    }

    fn error(status: u16, reason: &'static str) -> Response {
        Response {
            status,
            reason,
            content_type: "text/plain; charset=utf-8",
            body: format!("{status} {reason}\n").into_bytes(),
        }
    }

    fn write(&self, mut stream: TcpStream, head_only: bool) -> io::Result<()> {
        // `no-cache` so a reload after a rebuild always picks up the new files.
        let head = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
             Cache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
            self.status,
            self.reason,
            self.content_type,
            self.body.len()
        );
        stream.write_all(head.as_bytes())?;
        if !head_only {
            stream.write_all(&self.body)?;
        }
        stream.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch directory with `index.html` and `sub/a b.js`, removed on drop.
    struct Fixture(PathBuf);

    impl Fixture {
        fn new(name: &str) -> Fixture {
            let dir = std::env::temp_dir().join(format!("xtask-serve-{name}-{}", std::process::id()));
            fs::create_dir_all(dir.join("sub")).unwrap();
            fs::write(dir.join("index.html"), "<p>hi</p>").unwrap();
            fs::write(dir.join("sub").join("a b.js"), "1").unwrap();
            Fixture(dir)
        }
    }

    impl Drop for Fixture {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn resolves_files_and_index() {
        let fx = Fixture::new("resolve");
        let root = &fx.0;
        assert_eq!(resolve(root, "/"), Some(root.join("index.html")));
        assert_eq!(resolve(root, "/?x=1#y"), Some(root.join("index.html")));
        assert_eq!(resolve(root, "/sub/a%20b.js"), Some(root.join("sub/a b.js")));
        assert_eq!(resolve(root, "/missing.js"), None);
    }

    #[test]
    fn refuses_paths_outside_the_root() {
        let fx = Fixture::new("traversal");
        let root = &fx.0;
        for target in [
            "/../etc/passwd",
            "/sub/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/sub/..%2f..%2fetc",
            "//etc/passwd",
            "/%2fetc/passwd",
            "/sub%5c..%5cindex.html",
            "/index.html%00",
            "/%zz",
            "relative",
        ] {
            assert_eq!(resolve(root, target), None, "{target}");
        }
    }

    #[test]
    fn serves_over_http() {
        let fx = Fixture::new("http");
        let server = Server::start(fx.0.clone(), 0).unwrap();
        let get = |path: &str| {
            let mut stream = TcpStream::connect(server.addr).unwrap();
            write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            let mut response = String::new();
            stream.read_to_string(&mut response).unwrap();
            response
        };
        let index = get("/");
        assert!(index.starts_with("HTTP/1.1 200 OK\r\n"), "{index}");
        assert!(index.contains("Content-Type: text/html"));
        assert!(index.ends_with("<p>hi</p>"));
        assert!(get("/sub/a%20b.js").contains("Content-Type: text/javascript"));
        assert!(get("/nope").starts_with("HTTP/1.1 404 "));
        server.stop();
    }

    #[test]
    fn wasm_gets_its_own_type() {
        assert_eq!(content_type(Path::new("x_bg.wasm")), "application/wasm");
    }
}
