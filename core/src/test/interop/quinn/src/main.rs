//! An interop peer for quiche-engine's tests, on quinn. Test-only: the client accepts any
//! certificate (the engine's test certificates are self-signed) but still checks the handshake
//! signatures against it.
//!
//! ```text
//! quinn-peer server --listen 127.0.0.1:0 --cert C --key K --alpn A --mode echo|sink|source [--retry] [--datagrams] [--key-update] [--key-update-at-handshake] [--early]
//! quinn-peer client --connect 127.0.0.1:P --alpn A --mode echo|upload|download|datagrams|handshake
//!                   [--bytes N] [--streams P] [--count N] [--resume [--early]]
//! ```
//!
//! Same protocol and output as the quic-go peer (see its main.go): echo, sink (8-byte count and
//! SHA-256 answered), source (8-byte count asked); pattern byte i is `i ^ i>>8 ^ i>>16 ^ i>>24`;
//! the server prints `LISTENING port` then event lines, the client `OK ...` (exit 0) or
//! `FAIL reason` (exit 1). The process ends itself after `--deadline` seconds.

use std::net::SocketAddr;
use std::process::exit;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use quinn::crypto::rustls::{QuicClientConfig, QuicServerConfig};
use quinn::{Connection, Endpoint, RecvStream, SendStream, TransportConfig, VarInt};
use ring::digest;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

struct Options {
    role: String,
    listen: String,
    connect: String,
    cert: String,
    key: String,
    alpn: String,
    server_name: String,
    mode: String,
    retry: bool,
    datagrams: bool,
    key_update: bool,
    key_update_at_handshake: bool,
    bytes: u64,
    streams: usize,
    count: usize,
    resume: bool,
    early: bool,
    deadline: u64,
}

fn fail(message: String) -> ! {
    println!("FAIL {message}");
    exit(1);
}

fn pattern(offset: u64, b: &mut [u8]) {
    for (k, v) in b.iter_mut().enumerate() {
        let i = offset + k as u64;
        *v = (i ^ (i >> 8) ^ (i >> 16) ^ (i >> 24)) as u8;
    }
}

fn parse() -> Options {
    let mut args = std::env::args().skip(1);
    let role = args.next().unwrap_or_default();
    if role != "server" && role != "client" {
        eprintln!("usage: quinn-peer server|client [options] (see src/main.rs)");
        exit(2);
    }
    let mut o = Options {
        role,
        listen: "127.0.0.1:0".into(),
        connect: String::new(),
        cert: String::new(),
        key: String::new(),
        alpn: "interop".into(),
        server_name: "localhost".into(),
        mode: "echo".into(),
        retry: false,
        datagrams: false,
        key_update: false,
        key_update_at_handshake: false,
        bytes: 1 << 20,
        streams: 1,
        count: 100,
        resume: false,
        early: false,
        deadline: 60,
    };
    while let Some(flag) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| fail(format!("{flag} needs a value")));
        let number = |v: String| v.parse::<u64>().unwrap_or_else(|_| fail(format!("{flag}: not a number: {v}")));
        match flag.as_str() {
            "--listen" => o.listen = value(),
            "--connect" => o.connect = value(),
            "--cert" => o.cert = value(),
            "--key" => o.key = value(),
            "--alpn" => o.alpn = value(),
            "--server-name" => o.server_name = value(),
            "--mode" => o.mode = value(),
            "--retry" => o.retry = true,
            "--datagrams" => o.datagrams = true,
            "--key-update" => o.key_update = true,
            "--key-update-at-handshake" => o.key_update_at_handshake = true,
            "--bytes" => o.bytes = number(value()),
            "--streams" => o.streams = number(value()) as usize,
            "--count" => o.count = number(value()) as usize,
            "--resume" => o.resume = true,
            "--early" => o.early = true,
            "--deadline" => o.deadline = number(value()),
            _ => fail(format!("unknown option {flag}")),
        }
    }
    o
}

fn main() {
    let o = parse();
    let deadline = o.deadline;
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(deadline));
        fail(format!("deadline of {deadline}s passed"));
    });
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(async move {
        if o.role == "server" {
            server(o).await
        } else {
            client(o).await
        }
    });
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn transport(datagrams: bool) -> Arc<TransportConfig> {
    let mut t = TransportConfig::default();
    t.max_concurrent_bidi_streams(VarInt::from_u32(1000));
    t.max_idle_timeout(Some(VarInt::from_u32(30_000).into()));
    if !datagrams {
        t.datagram_receive_buffer_size(None);
    }
    Arc::new(t)
}

async fn server(o: Options) {
    let certs: Vec<CertificateDer> = CertificateDer::pem_file_iter(&o.cert)
        .and_then(|i| i.collect())
        .unwrap_or_else(|e| fail(format!("cannot read --cert {}: {e}", o.cert)));
    let key = PrivateKeyDer::from_pem_file(&o.key).unwrap_or_else(|e| fail(format!("cannot read --key {}: {e}", o.key)));
    let mut tls = rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .and_then(|b| b.with_no_client_auth().with_single_cert(certs, key))
        .unwrap_or_else(|e| fail(format!("bad certificate or key: {e}")));
    tls.alpn_protocols = vec![o.alpn.clone().into_bytes()];
    if o.early {
        tls.max_early_data_size = u32::MAX; // what QUIC requires of a server that takes 0-RTT
    }
    let crypto = QuicServerConfig::try_from(tls).unwrap_or_else(|e| fail(format!("TLS config unusable for QUIC: {e}")));
    let mut config = quinn::ServerConfig::with_crypto(Arc::new(crypto));
    config.transport_config(transport(o.datagrams));
    let addr: SocketAddr = o.listen.parse().unwrap_or_else(|e| fail(format!("bad --listen {}: {e}", o.listen)));
    let endpoint = Endpoint::server(config, addr).unwrap_or_else(|e| fail(format!("cannot listen on {addr}: {e}")));
    println!("LISTENING {}", endpoint.local_addr().expect("local address").port());
    let mode = Arc::new(o.mode);
    while let Some(incoming) = endpoint.accept().await {
        if o.retry && !incoming.remote_address_validated() {
            println!("RETRY-SENT");
            let _ = incoming.retry();
            continue;
        }
        let mode = mode.clone();
        let datagrams = o.datagrams;
        let key_update = o.key_update;
        let key_update_at_handshake = o.key_update_at_handshake;
        tokio::spawn(async move {
            let connecting = match incoming.accept() {
                Ok(c) => c,
                Err(e) => {
                    println!("HANDSHAKE-FAILED {e}");
                    return;
                }
            };
            // Serve at once, before the handshake completes, so early data is answered early. (quinn
            // tells only its clients whether 0-RTT was accepted, so the server cannot print it.)
            let (connection, handshake_complete) = match connecting.into_0rtt() {
                Ok((c, complete)) => (c, Some(complete)),
                Err(connecting) => match connecting.await {
                    Ok(c) => (c, None),
                    Err(e) => {
                        println!("HANDSHAKE-FAILED {e}");
                        return;
                    }
                },
            };
            println!("ACCEPTED");
            if key_update_at_handshake {
                // The earliest key update RFC 9001 allows a server: the moment its handshake completes
                // (= is confirmed), while the client may not have processed HANDSHAKE_DONE yet.
                let c = connection.clone();
                tokio::spawn(async move {
                    if let Some(complete) = handshake_complete {
                        complete.await;
                    }
                    c.force_key_update();
                    println!("KEY-UPDATE");
                });
            }
            if key_update {
                // Once the client has started sending: a key update in the middle of a transfer.
                let c = connection.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    c.force_key_update();
                    println!("KEY-UPDATE");
                });
            }
            if datagrams {
                let c = connection.clone();
                tokio::spawn(async move {
                    while let Ok(d) = c.read_datagram().await {
                        let _ = c.send_datagram(d);
                    }
                });
            }
            loop {
                match connection.accept_bi().await {
                    Ok((send, recv)) => {
                        let mode = mode.clone();
                        tokio::spawn(async move { serve_stream(&mode, send, recv).await });
                    }
                    Err(e) => {
                        // The counters tell a peer that heard nothing from one that could not decrypt what it heard.
                        println!("CLOSED {e} {:?}", connection.stats());
                        break;
                    }
                }
            }
        });
    }
}

async fn serve_stream(mode: &str, mut send: SendStream, mut recv: RecvStream) {
    let mut buf = vec![0u8; 64 * 1024];
    match mode {
        "echo" => {
            while let Ok(Some(n)) = recv.read(&mut buf).await {
                if send.write_all(&buf[..n]).await.is_err() {
                    return;
                }
            }
        }
        "sink" => {
            let mut hash = digest::Context::new(&digest::SHA256);
            let mut count = 0u64;
            loop {
                match recv.read(&mut buf).await {
                    Ok(Some(n)) => {
                        hash.update(&buf[..n]);
                        count += n as u64;
                    }
                    Ok(None) => break,
                    Err(_) => return,
                }
            }
            let mut answer = count.to_be_bytes().to_vec();
            answer.extend_from_slice(hash.finish().as_ref());
            let _ = send.write_all(&answer).await;
        }
        "source" => {
            let mut head = [0u8; 8];
            if recv.read_exact(&mut head).await.is_err() {
                return;
            }
            let total = u64::from_be_bytes(head);
            let mut offset = 0u64;
            while offset < total {
                let n = buf.len().min((total - offset) as usize);
                pattern(offset, &mut buf[..n]);
                if send.write_all(&buf[..n]).await.is_err() {
                    return;
                }
                offset += n as u64;
            }
        }
        _ => {}
    }
    let _ = send.finish();
}

/// Trusts any certificate (the test peers meet self-signed ones) but checks the handshake
/// signatures; counts certificate checks, which a resumed handshake skips.
#[derive(Debug)]
struct AnyCertificate {
    provider: Arc<CryptoProvider>,
    checks: AtomicUsize,
}

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.checks.fetch_add(1, Ordering::SeqCst);
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

async fn client(o: Options) {
    let start = Instant::now();
    let verifier = Arc::new(AnyCertificate { provider: provider(), checks: AtomicUsize::new(0) });
    let mut tls = rustls::ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap_or_else(|e| fail(format!("TLS config: {e}")))
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone())
        .with_no_client_auth();
    tls.alpn_protocols = vec![o.alpn.clone().into_bytes()];
    tls.enable_early_data = o.early;
    let crypto = QuicClientConfig::try_from(tls).unwrap_or_else(|e| fail(format!("TLS config unusable for QUIC: {e}")));
    let mut config = quinn::ClientConfig::new(Arc::new(crypto));
    config.transport_config(transport(o.datagrams));
    let mut endpoint = Endpoint::client("127.0.0.1:0".parse().unwrap()).unwrap_or_else(|e| fail(format!("client socket: {e}")));
    endpoint.set_default_client_config(config);
    let addr: SocketAddr = o.connect.parse().unwrap_or_else(|e| fail(format!("bad --connect {}: {e}", o.connect)));

    if o.resume {
        let first = dial(&endpoint, addr, &o.server_name).await;
        // The ticket arrives after the handshake: one exchange makes sure it has been read.
        exchange(&first, &o).await;
        first.close(VarInt::from_u32(0), b"");
    }
    let checks_before = verifier.checks.load(Ordering::SeqCst);
    let mut early = false;
    let connection = if o.early && o.resume {
        let connecting = endpoint.connect(addr, &o.server_name).unwrap_or_else(|e| fail(format!("connect to {addr}: {e}")));
        let (connection, accepted) = connecting
            .into_0rtt()
            .unwrap_or_else(|_| fail("no 0-RTT possible: the first connection's ticket does not allow early data".into()));
        exchange(&connection, &o).await;
        early = tokio::time::timeout(Duration::from_secs(10), accepted).await.unwrap_or(false);
        if !early {
            fail("the server did not accept 0-RTT on the resumed connection".into());
        }
        connection
    } else {
        let connection = dial(&endpoint, addr, &o.server_name).await;
        exchange(&connection, &o).await;
        connection
    };
    // A resumed TLS 1.3 handshake carries no certificate, so the verifier is not asked.
    let resumed = verifier.checks.load(Ordering::SeqCst) == checks_before;
    connection.close(VarInt::from_u32(0), b"");
    endpoint.wait_idle().await;
    if o.resume && !resumed {
        fail("the second connection did not resume the first's TLS session (the server sent no usable ticket)".into());
    }
    println!(
        "OK mode={} streams={} bytes={} resumed={} early={} ms={}",
        o.mode,
        o.streams,
        o.bytes,
        resumed,
        early,
        start.elapsed().as_millis()
    );
}

async fn dial(endpoint: &Endpoint, addr: SocketAddr, server_name: &str) -> Connection {
    let connecting = endpoint.connect(addr, server_name).unwrap_or_else(|e| fail(format!("connect to {addr}: {e}")));
    match tokio::time::timeout(Duration::from_secs(10), connecting).await {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => fail(format!("handshake with {addr} failed: {e}")),
        Err(_) => fail(format!("handshake with {addr} did not complete within 10 s")),
    }
}

async fn exchange(connection: &Connection, o: &Options) {
    match o.mode.as_str() {
        "handshake" => return,
        "datagrams" => return ping_datagrams(connection, o.count).await,
        "echo" | "upload" | "download" => {}
        other => fail(format!("unknown client mode {other}")),
    }
    let mut tasks = Vec::new();
    for _ in 0..o.streams {
        let (send, recv) = connection.open_bi().await.unwrap_or_else(|e| fail(format!("open stream: {e}")));
        let mode = o.mode.clone();
        let size = o.bytes;
        tasks.push(tokio::spawn(async move { transfer(&mode, size, send, recv).await }));
    }
    for task in tasks {
        if let Err(e) = task.await.expect("stream task") {
            fail(format!("{}: {e}", o.mode));
        }
    }
}

async fn transfer(mode: &str, size: u64, mut send: SendStream, mut recv: RecvStream) -> Result<(), String> {
    let id = send.id();
    match mode {
        "echo" => {
            let writer = tokio::spawn(async move {
                let r = write_pattern(&mut send, size).await;
                let _ = send.finish();
                r
            });
            read_pattern(&mut recv, size).await.map_err(|e| format!("stream {id}: {e}"))?;
            writer.await.expect("writer task").map_err(|e| format!("stream {id}: write: {e}"))
        }
        "upload" => {
            write_pattern(&mut send, size).await.map_err(|e| format!("stream {id}: write: {e}"))?;
            let _ = send.finish();
            let answer = recv.read_to_end(1024).await.map_err(|e| format!("stream {id}: reading the sink's answer: {e}"))?;
            let mut hash = digest::Context::new(&digest::SHA256);
            let mut buf = vec![0u8; 64 * 1024];
            let mut offset = 0u64;
            while offset < size {
                let n = buf.len().min((size - offset) as usize);
                pattern(offset, &mut buf[..n]);
                hash.update(&buf[..n]);
                offset += n as u64;
            }
            let mut expected = size.to_be_bytes().to_vec();
            expected.extend_from_slice(hash.finish().as_ref());
            if answer != expected {
                return Err(format!("stream {id}: the sink answered {answer:02x?}, expected {expected:02x?} (count and SHA-256)"));
            }
            Ok(())
        }
        _ => {
            send.write_all(&size.to_be_bytes()).await.map_err(|e| format!("stream {id}: write: {e}"))?;
            let _ = send.finish();
            read_pattern(&mut recv, size).await.map_err(|e| format!("stream {id}: {e}"))
        }
    }
}

async fn write_pattern(send: &mut SendStream, size: u64) -> Result<(), String> {
    let mut buf = vec![0u8; 16 * 1024];
    let mut offset = 0u64;
    while offset < size {
        let n = buf.len().min((size - offset) as usize);
        pattern(offset, &mut buf[..n]);
        send.write_all(&buf[..n]).await.map_err(|e| e.to_string())?;
        offset += n as u64;
    }
    Ok(())
}

async fn read_pattern(recv: &mut RecvStream, size: u64) -> Result<(), String> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut want = vec![0u8; 64 * 1024];
    let mut offset = 0u64;
    loop {
        match recv.read(&mut buf).await {
            Ok(Some(n)) => {
                if offset + n as u64 > size {
                    return Err(format!("got more than the {size} bytes expected"));
                }
                pattern(offset, &mut want[..n]);
                if buf[..n] != want[..n] {
                    return Err(format!("wrong bytes at offset {offset}"));
                }
                offset += n as u64;
            }
            Ok(None) if offset == size => return Ok(()),
            Ok(None) => return Err(format!("ended after {offset} of {size} bytes")),
            Err(e) => return Err(format!("read after {offset} bytes: {e}")),
        }
    }
}

/// Sends `count` datagrams one at a time and waits for each echo; a lost one is sent again
/// (datagrams are unreliable), up to five times.
async fn ping_datagrams(connection: &Connection, count: usize) {
    if connection.max_datagram_size().is_none() {
        fail("the server did not offer QUIC datagrams".into());
    }
    for k in 0..count {
        let mut d = vec![0u8; 8 + (k * 37) % 1000];
        pattern(k as u64 * 4096, &mut d);
        d[..8].copy_from_slice(&(k as u64).to_be_bytes());
        let d = Bytes::from(d);
        let mut got = false;
        for _ in 0..5 {
            if let Err(e) = connection.send_datagram(d.clone()) {
                fail(format!("datagram {k}: send: {e}"));
            }
            let until = tokio::time::Instant::now() + Duration::from_millis(500);
            while let Ok(Ok(echo)) = tokio::time::timeout_at(until, connection.read_datagram()).await {
                if echo == d {
                    got = true;
                    break;
                }
                if echo.len() < 8 || u64::from_be_bytes(echo[..8].try_into().unwrap()) > k as u64 {
                    fail(format!("datagram {k}: unexpected echo of {} bytes", echo.len()));
                }
            }
            if got {
                break;
            }
        }
        if !got {
            fail(format!("datagram {k} ({} bytes) was not echoed after 5 tries", d.len()));
        }
    }
}
